"""Table DataFrames: titles and notes in ``attrs``, row labels, sorting, grouping for print.

:func:`frame_table` turns a table DataFrame into a :class:`qualcode.export.table.Table` for
every output format; leading group columns print their value only where it changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.export.table import cell_text, table_from_frame

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.export.table import Table

UNKNOWN = "(onbekend)"
TOTAL = "total"


def natural_key(value: Any) -> tuple:
    """Sort ``T2_r10`` after ``T2_r9`` and numbers by value; None last."""
    if value is None or (isinstance(value, float) and value != value):
        return (1, ())
    parts = re.split(r"(\d+)", str(value))
    return (0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts))


def parse_list(value: str | Sequence[str] | None) -> list[str]:
    """``"a,b"`` or ``["a", "b"]`` as a clean list (empty items dropped)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(x).strip() for x in items if x is not None and str(x).strip()]


def children(codebook: Any, prefix: str) -> list[str]:
    """Direct children of ``prefix`` in codebook order (the rows or columns of a grid)."""
    return [cid for cid, c in codebook.codes.items() if c.parent == prefix]


def display(value: Any) -> str:
    """A group value as a row label: None becomes ``(onbekend)``."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return UNKNOWN

    return cell_text(value)


def make_frame(rows: Iterable[Mapping[str, Any]] | Iterable[Sequence[Any]], columns: Sequence[str], title: str,
               notes: Sequence[str] = ()) -> pd.DataFrame:
    """A DataFrame with ``attrs["title"]`` and ``attrs["notes"]`` set."""
    import pandas as pd

    df = pd.DataFrame(list(rows), columns=list(columns))
    df.attrs["title"] = title
    df.attrs["notes"] = [n for n in notes if n]
    return df


def frame_table(df: pd.DataFrame, *, group_columns: Sequence[str] = (), sheet: str | None = None,
                title: str | None = None) -> Table:
    """A table DataFrame as a :class:`Table`, title and notes from ``df.attrs``.

    ``group_columns`` (leading columns such as type, then municipality) print their value only
    where it changes, as a printed table shows a grouping; the DataFrame keeps every value.
    """

    t = table_from_frame(df, title=title or df.attrs.get("title"), notes=df.attrs.get("notes", []), sheet=sheet)
    idx = [t.columns.index(c) for c in group_columns if c in t.columns]
    if idx:
        prev: list[Any] = [object()] * len(idx)
        for row in t.rows:
            key = [row[i] for i in idx]
            same = True
            for j, i in enumerate(idx):
                same = same and key[j] == prev[j]
                if same:
                    row[i] = ""
            prev = key
    return t
