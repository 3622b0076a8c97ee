"""A stand-in for the person at the keyboard when qc (qualitative-coding) asks an editor to code.

qc opens a corpus file and a "codes file" side by side in the editor named in its
settings.yaml; the codes file has one line per corpus line with that line's codes, comma
separated. This script, set as qc's editor by tests/test_tools_live.py, writes the codes file
from a plan in the environment variable QC_PLAN: ``{"<0-based line>": "code_a, code_b"}``.
Everything else is qc's own code path.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

corpus, codes = Path(sys.argv[1]), Path(sys.argv[2])
lines = len(corpus.read_text(encoding="utf-8").split("\n"))
plan = {int(k): v for k, v in json.loads(os.environ["QC_PLAN"]).items()}
codes.write_text("\n".join(plan.get(i, "") for i in range(lines)), encoding="utf-8")
