"""Writing tables for authors: one module per format, one entry point.

Why one entry point: every table qualcode makes (quotes, matrices, typology tables, agreement)
goes out in the same formats with the same conventions, and a new format is one new module.
A :class:`Table` is plain data (columns, rows, title, notes, bold spans) so writers need not
know where it came from; ``Project`` methods return DataFrames, and :func:`table_from_frame`
turns one into a Table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

FORMATS = ("md", "tex", "xlsx", "docx", "csv", "json")


@dataclass
class Table:
    """A table to publish.

    ``rows`` hold plain values. Cell text may carry bold spans as ``**...**`` (Markdown style);
    each writer renders them in its own way (bold run in DOCX, ``\\textbf`` in LaTeX, plain in CSV).
    ``sheet`` names the XLSX sheet (several tables can go into one workbook).
    """

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r)) for r in self.rows]


def table_from_frame(df: Any, title: str | None = None, notes: Sequence[str] = (), sheet: str | None = None,
                     index: bool = False) -> Table:
    """A pandas DataFrame as a Table (the index becomes the first columns when ``index``)."""
    if index:
        df = df.reset_index()
    cols = [str(c) if not isinstance(c, tuple) else " / ".join(map(str, c)) for c in df.columns]
    rows = [[_plain(v) for v in row] for row in df.itertuples(index=False, name=None)]
    return Table(cols, rows, title, list(notes), sheet)


def _plain(v: Any) -> Any:
    try:
        import math

        if isinstance(v, float) and math.isnan(v):
            return None
    except Exception:
        pass
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return v.item()
        except Exception:
            return v
    return v


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format named by ``fmt`` or, failing that, by the file's extension."""
    if fmt:
        if fmt not in FORMATS:
            from qualcode.errors import InputError

            raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"markdown": "md", "latex": "tex", "jsonl": "json"}.get(suffix, suffix)
    if suffix not in FORMATS:
        from qualcode.errors import InputError

        raise InputError(f"cannot tell the format from {path.name!r}; use --format ({', '.join(FORMATS)})")
    return suffix


def render_text(tables: Sequence[Table], fmt: str) -> str:
    """md, tex, csv or json as text (for stdout or a file)."""
    if fmt == "md":
        from qualcode.export.markdown import tables_to_markdown

        return tables_to_markdown(tables)
    if fmt == "tex":
        from qualcode.export.latex import tables_to_latex

        return tables_to_latex(tables)
    if fmt == "csv":
        from qualcode.export.csvfile import tables_to_csv

        return tables_to_csv(tables)
    if fmt == "json":
        from qualcode.export.jsonfile import tables_to_json

        return tables_to_json(tables)
    raise ValueError(f"{fmt} is not a text format")


def write_tables(tables: Sequence[Table], path: Path, fmt: str | None = None) -> Path:
    """Write one or more tables to ``path`` in the format of ``fmt`` or the extension."""
    fmt = format_for(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        from qualcode.export.xlsx import write_xlsx

        write_xlsx(tables, path)
    elif fmt == "docx":
        from qualcode.export.docx import write_docx

        write_docx(tables, path)
    else:
        path.write_text(render_text(tables, fmt), encoding="utf-8")
    return path


def strip_bold(text: str) -> str:
    return text.replace("**", "")


def bold_parts(text: str) -> list[tuple[str, bool]]:
    """Split ``a **b** c`` into [("a ", False), ("b", True), (" c", False)]."""
    parts: list[tuple[str, bool]] = []
    bold = False
    for i, piece in enumerate(text.split("**")):
        if piece:
            parts.append((piece, bold))
        bold = not bold
    return parts


def cell_text(v: Any) -> str:
    """A value as table text: empty for missing, ja/nee for booleans, 3 decimals at most, ISO dates."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nee"
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v == v else ""
    if isinstance(v, (list, tuple)):
        return ", ".join(cell_text(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}={cell_text(x)}" for k, x in v.items())
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)
