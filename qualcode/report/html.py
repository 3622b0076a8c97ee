"""Small HTML builders for the report: escaping, tables from a Table or DataFrame, shaded matrices.

Everything the report prints goes through :func:`esc` (or :func:`rich`, which keeps ``**bold**``
spans); HTML built here from escaped parts is a :class:`Markup` that table cells print as is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qualcode.export.table import Table, bold_parts, cell_text
from qualcode.tables.frame import frame_table

if TYPE_CHECKING:
    import pandas as pd


class NotAvailable(Exception):
    """A section has nothing to show; the message says why (shown as ``not available: <why>``)."""


def esc(value: Any) -> str:
    """Text for HTML (element content and quoted attribute values alike)."""

    return html.escape(value if isinstance(value, str) else cell_text(value), quote=True)


def rich(value: Any) -> str:
    """Escaped text whose ``**...**`` spans (the coded part of a quote in context) become bold."""

    text = value if isinstance(value, str) else cell_text(value)
    return "".join(f"<strong>{html.escape(p)}</strong>" if bold else html.escape(p) for p, bold in bold_parts(text))


def slug(text: str) -> str:
    """An id for an anchor: letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


class Markup(str):
    """HTML that is already safe (built from escaped parts here); table cells print it as is."""


def code_cell(code: str, label: str) -> Markup:
    """A code in a table cell: its label, then its id in small type that may break after a dot."""
    cid = "<wbr>.".join(esc(p) for p in code.split("."))
    if not label or label == code:
        return Markup(f'<span class="cid">{cid}</span>')
    return Markup(f'<span class="clabel">{esc(label)}</span> <span class="cid">{cid}</span>')


def not_available(reason: str) -> str:
    return f'<p class="na">not available: {esc(reason)}</p>'


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def table_html(table: Table, *, cls: str = "", total_label: str | None = "Totaal", header_cols: int = 0,
               caption: bool = True, table_id: str | None = None, row_classes: Sequence[str] | None = None) -> str:
    """A :class:`qualcode.export.Table` as an HTML table: numbers right-aligned, zebra rows
    (CSS), a Totaal row set apart, bold spans kept, title as caption and notes below it.
    ``row_classes`` gives each body row a CSS class (indentation of a code tree)."""

    out = [f'<div class="table-wrap"><table class="{esc(("data " + cls).strip())}"'
           + (f' id="{esc(table_id)}"' if table_id else "") + ">"]
    if caption and table.title:
        out.append(f"<caption>{esc(table.title)}</caption>")
    numeric = [bool(table.rows) and all(_is_number(r[i]) or r[i] is None for r in table.rows)
               and any(_is_number(r[i]) for r in table.rows)
               for i in range(len(table.columns))]
    out.append("<thead><tr>")
    for i, c in enumerate(table.columns):
        out.append(f'<th scope="col"{" class=num" if numeric[i] else ""}>{esc(c)}</th>')
    out.append("</tr></thead><tbody>")
    for n, row in enumerate(table.rows):
        is_total = total_label is not None and row and str(row[0]) == total_label
        classes = " ".join(c for c in ("total" if is_total else "", (row_classes or [""] * (n + 1))[n]) if c)
        out.append(f'<tr class="{esc(classes)}">' if classes else "<tr>")
        for i, v in enumerate(row):
            tag = "th" if i < header_cols else "td"
            attrs = ' scope="row"' if tag == "th" else ""
            if _is_number(v):
                attrs += ' class="num"'
            text = v if isinstance(v, Markup) else rich(cell_text(v))
            out.append(f"<{tag}{attrs}>{text}</{tag}>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    if table.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in table.notes) + "</ul>")
    return "".join(out)


def frame_html(df: pd.DataFrame, *, title: str | None = None, index: bool = False, notes: Sequence[str] | None = None,
               cls: str = "", table_id: str | None = None, group_columns: Sequence[str] = (),
               row_classes: Sequence[str] | None = None) -> str:
    """A DataFrame (a Project table) as HTML, title and notes from ``df.attrs`` unless given."""

    if index:
        df = df.reset_index()
    if notes is None:
        notes = df.attrs.get("notes", [])
    t = frame_table(df, group_columns=group_columns, title=title or df.attrs.get("title"))
    t.notes = list(notes)
    return table_html(t, cls=cls, header_cols=1 if index else 0, table_id=table_id, row_classes=row_classes)


BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def blues(share: float) -> str:
    """A colour on matplotlib's "Blues" scale for ``share`` in [0, 1] (the overview heatmap's scale)."""
    share = min(1.0, max(0.0, share))
    pos = share * (len(BLUES) - 1)
    i = min(int(pos), len(BLUES) - 2)
    t = pos - i
    a, b = BLUES[i], BLUES[i + 1]
    mix = [round(int(a[k:k + 2], 16) * (1 - t) + int(b[k:k + 2], 16) * t) for k in (1, 3, 5)]
    return "#" + "".join(f"{v:02x}" for v in mix)


def heat_table_html(df: pd.DataFrame, title: str, *, total: str = "Totaal", table_id: str | None = None) -> str:
    """A matrix as an HTML table whose cells are shaded by value (Totaal row and column plain).

    Why a table and not another matplotlib picture for the per-family detail: it renders in
    milliseconds, stays sharp and selectable, and a hundred cases do not shrink it to a stamp.
    """

    cols = [c for c in df.columns if c != total]
    body = [(k, r) for k, r in df.iterrows()]
    values = [float(r[c]) for k, r in body if str(k if not isinstance(k, tuple) else k[0]) != total for c in cols]
    vmax = max(values) if values else 0.0
    index_name = " / ".join(str(n) for n in df.index.names if n) or ""
    id_attr = f' id="{esc(table_id)}"' if table_id else ""
    out = [f'<div class="table-wrap"><table class="data heat"{id_attr}>'
           f'<caption>{esc(title)}</caption><thead><tr><th scope="col">{esc(index_name)}</th>']
    for c in df.columns:
        out.append(f'<th scope="col" class="v"><span>{esc(c)}</span></th>')
    out.append("</tr></thead><tbody>")
    for key, row in body:
        label = " / ".join(str(k) for k in key if str(k)) if isinstance(key, tuple) else str(key)
        is_total = label == total
        out.append('<tr class="total">' if is_total else "<tr>")
        out.append(f'<th scope="row">{esc(label)}</th>')
        for c in df.columns:
            v = row[c]
            text = cell_text(v.item() if hasattr(v, "item") else v)
            if is_total or c == total or not vmax:
                out.append(f'<td class="num">{esc(text)}</td>')
                continue
            share = float(v) / vmax
            ink = "#fff" if share > 0.6 else "#1f2328"
            out.append(f'<td class="num" style="background:{blues(share)};color:{ink}">{esc(text)}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)
