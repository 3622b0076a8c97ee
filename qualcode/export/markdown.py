"""Markdown tables (GitHub/pandoc pipe tables)."""

from __future__ import annotations

from collections.abc import Sequence

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
        if len(t.notes) == 1:  # one note reads as a line under the table, several as a list
            out.append(f"\n*{t.notes[0]}*")
        elif t.notes:
            out.append("")
            out.extend(f"- {_esc(n)}" for n in t.notes)
        out.append("")
    return "\n".join(out)
