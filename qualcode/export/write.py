"""Writing tables for authors: one entry point, one module per format.

Why one entry point: every table qualcode makes (quotes, matrices, typology tables, agreement)
goes out in the same formats with the same conventions, and a new format is one new module
beside ``markdown``, ``latex``, ``csvfile``, ``jsonfile``, ``xlsx`` and ``docx``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualcode.errors import InputError
from qualcode.export.csvfile import tables_to_csv
from qualcode.export.docx import write_docx
from qualcode.export.jsonfile import tables_to_json
from qualcode.export.latex import tables_to_latex
from qualcode.export.markdown import tables_to_markdown
from qualcode.export.table import Table
from qualcode.export.xlsx import write_xlsx

FORMATS = ("md", "tex", "xlsx", "docx", "csv", "json")


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format named by ``fmt`` or, failing that, by the file's extension."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"markdown": "md", "latex": "tex", "jsonl": "json"}.get(suffix, suffix)
    if suffix not in FORMATS:
        raise InputError(f"cannot tell the format from {path.name!r}; use --format ({', '.join(FORMATS)})")
    return suffix


def render_text(tables: Sequence[Table], fmt: str) -> str:
    """md, tex, csv or json as text (for stdout or a file)."""
    if fmt == "md":
        return tables_to_markdown(tables)
    if fmt == "tex":
        return tables_to_latex(tables)
    if fmt == "csv":
        return tables_to_csv(tables)
    if fmt == "json":
        return tables_to_json(tables)
    raise ValueError(f"{fmt} is not a text format")


def write_tables(tables: Sequence[Table], path: Path, fmt: str | None = None) -> Path:
    """Write one or more tables to ``path`` in the format of ``fmt`` or the extension."""
    fmt = format_for(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        write_xlsx(tables, path)
    elif fmt == "docx":
        write_docx(tables, path)
    else:
        path.write_text(render_text(tables, fmt), encoding="utf-8")
    return path
