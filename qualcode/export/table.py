"""A table to publish as plain data, and the one way to print a cell.

A :class:`Table` is plain data (columns, rows, title, notes, bold spans) so the writers
(:mod:`qualcode.export.write`) need not know where it came from; ``Project`` methods return
DataFrames, and :func:`table_from_frame` turns one into a Table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


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


def strip_bold(text: str) -> str:
    return text.replace("**", "")


def bold_parts(text: str) -> list[tuple[str, bool]]:
    """Split ``a **b** c`` into [("a ", False), ("b", True), (" c", False)]."""
    parts: list[tuple[str, bool]] = []
    bold = False
    for piece in text.split("**"):
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
