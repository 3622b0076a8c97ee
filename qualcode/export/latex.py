"""LaTeX tables with booktabs (\\toprule, \\midrule, \\bottomrule)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qualcode.export.table import Table, bold_parts, cell_text

_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
            "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}
_RE = re.compile("|".join(re.escape(k) for k in _SPECIAL))


def escape(text: str) -> str:
    return _RE.sub(lambda m: _SPECIAL[m.group()], text)


def _cell(v: object) -> str:
    text = cell_text(v)
    return "".join(rf"\textbf{{{escape(p)}}}" if b else escape(p) for p, b in bold_parts(text))


def tables_to_latex(tables: Sequence[Table]) -> str:
    out: list[str] = ["% requires \\usepackage{booktabs} (and longtable for long tables)"]
    for t in tables:
        numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in t.rows) and t.rows
                   for i in range(len(t.columns))]
        spec = "".join(
            "r" if numeric[i] else "p{%.2f\\linewidth}" % (0.9 / len(t.columns)) for i in range(len(t.columns))
        )
        out.append("\\begin{table}[htbp]\n\\centering")
        if t.title:
            out.append(f"\\caption{{{escape(t.title)}}}")
        out.append(f"\\begin{{tabular}}{{{spec}}}\n\\toprule")
        out.append(" & ".join(escape(c) for c in t.columns) + r" \\")
        out.append("\\midrule")
        for r in t.rows:
            out.append(" & ".join(_cell(v) for v in r) + r" \\")
        out.append("\\bottomrule\n\\end{tabular}")
        for n in t.notes:
            out.append(f"\\par\\footnotesize {escape(n)}")
        out.append("\\end{table}\n")
    return "\n".join(out)
