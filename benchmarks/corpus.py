"""Generate a large synthetic corpus from the sample transcripts (for benchmarks only).

Turns of the sample project are re-sampled into new transcripts with the same format, so the
text has realistic vocabulary and indicator density. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TURN = re.compile(r"^(I|R\d?):\s*(?:\[[0-9:]+\]\s*)?(.*)$")


def sample_turns() -> tuple[list[str], list[str]]:
    questions, answers = [], []
    for f in sorted((ROOT / "transcripts").glob("*.txt")):
        body = f.read_text(encoding="utf-8").split("---", 2)[-1]
        for line in body.splitlines():
            m = TURN.match(line)
            if m:
                (questions if m.group(1) == "I" else answers).append(m.group(2))
    return questions, answers


def write_corpus(folder: Path, n_transcripts: int = 1000, words_each: int = 5000, seed: int = 7) -> int:
    """Write ``n_transcripts`` .txt files of about ``words_each`` words; returns the total words."""
    rng = random.Random(seed)
    questions, answers = sample_turns()
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n_transcripts):
        lines = [f"---\nid: B{i:04d}\ngemeente: Gemeente{i % 3}\nteam: Team{i % 7}\n---"]
        words = 0
        while words < words_each:
            q = rng.choice(questions)
            a = " ".join(rng.choice(answers) for _ in range(rng.randint(1, 3)))
            lines.append(f"I: {q}")
            lines.append(f"R: {a}")
            words += len(q.split()) + len(a.split())
        (folder / f"B{i:04d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        total += words
    return total
