"""CSV: one table per file section (tables separated by a blank line when there are several)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from qualcode.export.table import Table, cell_text, strip_bold


def tables_to_csv(tables: Sequence[Table]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for i, t in enumerate(tables):
        if i:
            buf.write("\n")
            if t.title:
                w.writerow([t.title])
        w.writerow(t.columns)
        for r in t.rows:
            w.writerow([strip_bold(cell_text(v)) for v in r])
    return buf.getvalue()
