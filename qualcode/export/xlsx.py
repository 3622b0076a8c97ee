"""XLSX via openpyxl: one sheet per table (``Table.sheet`` or its title), header in bold, notes below."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from qualcode.export.table import Table, cell_text, strip_bold


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "-", name)[:31] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate


def _xlsx_value(v: object) -> object:
    """Numbers, dates and booleans stay typed; lists and maps become readable text."""
    if isinstance(v, str):
        return strip_bold(v)
    if isinstance(v, (list, tuple, set, dict)):
        if isinstance(v, dict):
            return "; ".join(f"{k}={cell_text(x)}" for k, x in v.items())
        return cell_text(list(v))
    return v


def write_xlsx(tables: Sequence[Table], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for i, t in enumerate(tables):
        ws = wb.create_sheet(_sheet_name(t.sheet or t.title or f"Tabel {i + 1}", used))
        ws.append(t.columns)
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in t.rows:
            ws.append([_xlsx_value(v) for v in r])
        for n in t.notes:
            ws.append([])
            ws.append([n])
        for col in ws.columns:
            width = min(60, max(len(str(c.value or "")) for c in col) + 2)
            ws.column_dimensions[col[0].column_letter].width = width
            for c in col:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    wb.save(path)
