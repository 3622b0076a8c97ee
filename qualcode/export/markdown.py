"""Markdown tables (GitHub/pandoc pipe tables)."""

from __future__ import annotations

from typing import Sequence

from qualcode.export.table import Table, cell_text


def _esc(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", "<br>")


def tables_to_markdown(tables: Sequence[Table]) -> str:
    out: list[str] = []
    for t in tables:
        if t.title:
            out.append(f"**{t.title}**\n")
        out.append("| " + " | ".join(_esc(c) for c in t.columns) + " |")
        out.append("|" + "|".join("---" for _ in t.columns) + "|")
        for r in t.rows:
            out.append("| " + " | ".join(_esc(cell_text(v)) for v in r) + " |")
        for n in t.notes:
            out.append(f"\n*{n}*")
        out.append("")
    return "\n".join(out)
