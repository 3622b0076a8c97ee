"""One self-contained HTML page about a coded project (``qualcode report``).

Why a single file with everything inline (CSS, SVG charts, no scripts, fonts or images from
elsewhere): a report is mailed to a supervisor, attached to a data-management plan or opened on
a laptop without network years later, and it must look the same each time. Why HTML rather
than PDF: it opens everywhere, text stays searchable, the codebook and long lists fold away
with ``<details>`` and it prints well enough (the print CSS unfolds them).

The page is a list of sections. Each section is a small function ``(project, options) -> HTML
fragment`` that calls the library API (:meth:`Project.quotes`, :meth:`Project.matrix`,
:meth:`Project.agreement`, the typology tables...), so the report shows exactly what the
commands and notebooks show. A section that has nothing to show (one coder: no agreement; no
typology file) raises :class:`NotAvailable` and the page says ``not available: <why>`` there
instead of failing; the rest of the report is still written. All text goes through
:func:`html.escape`.

The output is deterministic (no date, fixed SVG ids) so a report can be committed and diffed.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from qualcode.errors import InputError, QualcodeError

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.export.table import Table
    from qualcode.project import Project

DEFAULT_OUT = Path("exports") / "report.html"
FAMILY_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac"]


class NotAvailable(Exception):
    """A section has nothing to show; the message says why (shown as ``not available: <why>``)."""


@dataclass
class ReportOptions:
    """What goes into the report.

    ``coders``: only these coders' codings in frequencies, heatmaps, typology and quotes (None:
    everyone); agreement compares these coders, or every coder when None.
    ``top_quotes``: quotes shown per code; ``max_words``: quotes longer than this are shortened
    with ``(...)``; ``title``: the page title (default: the project name).
    """

    coders: list[str] | None = None
    top_quotes: int = 3
    max_words: int | None = 60
    title: str | None = None
    lang: str | None = None
    agreement_unit: str = "turn"

    def __post_init__(self) -> None:
        if self.top_quotes < 1:
            raise InputError(f"--top must be at least 1, not {self.top_quotes}")
        if self.max_words is not None and self.max_words < 1:
            raise InputError(f"--max-words must be at least 1, not {self.max_words}")
        if self.coders is not None:
            self.coders = [c for c in dict.fromkeys(c.strip() for c in self.coders) if c] or None


@dataclass
class Section:
    """One part of the page: anchor id, heading, and the function that writes its body."""

    id: str
    title: str
    build: Callable[["Project", ReportOptions], str]


@dataclass
class RenderedSection:
    id: str
    title: str
    body: str
    available: bool = True
    reason: str | None = None


# -- small HTML helpers ---------------------------------------------------------------------------
def esc(value: Any) -> str:
    """Text for HTML (element content and quoted attribute values alike)."""
    from qualcode.export.table import cell_text

    return html.escape(value if isinstance(value, str) else cell_text(value), quote=True)


def rich(value: Any) -> str:
    """Escaped text whose ``**...**`` spans (the coded part of a quote in context) become bold."""
    from qualcode.export.table import bold_parts, cell_text

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


def table_html(table: "Table", *, cls: str = "", total_label: str | None = "Totaal", header_cols: int = 0,
               caption: bool = True, table_id: str | None = None, row_classes: Sequence[str] | None = None) -> str:
    """A :class:`qualcode.export.Table` as an HTML table: numbers right-aligned, zebra rows
    (CSS), a Totaal row set apart, bold spans kept, title as caption and notes below it.
    ``row_classes`` gives each body row a CSS class (indentation of a code tree)."""
    from qualcode.export.table import cell_text

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


def frame_html(df: "pd.DataFrame", *, title: str | None = None, index: bool = False, notes: Sequence[str] | None = None,
               cls: str = "", table_id: str | None = None, group_columns: Sequence[str] = (),
               row_classes: Sequence[str] | None = None) -> str:
    """A DataFrame (a Project table) as HTML, title and notes from ``df.attrs`` unless given."""
    from qualcode.tables.frame import frame_table

    if index:
        df = df.reset_index()
    if notes is None:
        notes = df.attrs.get("notes", [])
    t = frame_table(df, group_columns=group_columns, title=title or df.attrs.get("title"))
    t.notes = list(notes)
    return table_html(t, cls=cls, header_cols=1 if index else 0, table_id=table_id, row_classes=row_classes)


def clean_svg(svg: str, label: str) -> str:
    """matplotlib's SVG made fit for inline use: no XML prologue or metadata (which names
    matplotlib's web site), scalable to the column width, with an accessible name."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(label)}" class="chart" ', 1)


# -- charts --------------------------------------------------------------------------------------
@dataclass
class Bar:
    label: str
    value: float
    color: str = "#4e79a7"
    group: str | None = None
    note: str = ""
    text: str | None = None  # the value as printed next to the bar (default: the value)


def bar_chart_svg(bars: Sequence[Bar], title: str, *, width: int = 820, row: int = 22, vmax: float | None = None,
                  marks: Sequence[tuple[float, str]] = ()) -> str:
    """Horizontal bars, grouped under a heading per group, as hand-written SVG.

    Why by hand rather than matplotlib: labels stay crisp text at any zoom, the chart needs no
    fonts from elsewhere and it is a few kilobytes even with a hundred codes.
    """
    if not bars:
        raise NotAvailable("nothing to chart")
    longest = max(len(b.label) for b in bars)
    label_w = min(320, max(90, int(longest * 7.2) + 12))
    value_w = 48
    bar_w = max(120, width - label_w - value_w)
    vmax = vmax or max(b.value for b in bars) or 1
    parts: list[str] = []
    y = 8
    group = object()
    for b in bars:
        if b.group != group:
            group = b.group
            if group is not None:
                y += 8
                parts.append(f'<text x="0" y="{y + 15}" class="g">{esc(group)}</text>')
                y += row
        w = bar_w * b.value / vmax
        label = b.label if len(b.label) <= 46 else b.label[:45] + "…"
        shown = b.text if b.text is not None else f"{b.value:g}"
        tip = f"{b.label}: {shown}" + (f" ({b.note})" if b.note else "")
        parts.append(
            f'<g><title>{esc(tip)}</title>'
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="l">{esc(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 7}" rx="2" fill="{esc(b.color)}"/>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + 15}" class="v">{esc(shown)}</text></g>'
        )
        y += row
    for value, text in marks:
        x = label_w + bar_w * value / vmax
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{y + 2}" class="m"/>'
                     f'<text x="{x + 3:.1f}" y="{y + 14}" class="v">{esc(text)}</text>')
    height = y + (20 if marks else 8)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" aria-label="{esc(title)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f"<title>{esc(title)}</title>"
            "<style>.l{font:13px sans-serif;fill:#333}.v{font:12px sans-serif;fill:#555}"
            ".g{font:bold 13px sans-serif;fill:#111}.m{stroke:#888;stroke-dasharray:3 3}</style>"
            + "".join(parts) + "</svg>")


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


def heat_table_html(df: "pd.DataFrame", title: str, *, total: str = "Totaal", table_id: str | None = None) -> str:
    """A matrix as an HTML table whose cells are shaded by value (Totaal row and column plain).

    Why a table and not another matplotlib picture for the per-family detail: it renders in
    milliseconds, stays sharp and selectable, and a hundred cases do not shrink it to a stamp.
    """
    from qualcode.export.table import cell_text

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
        out.append(f'<tr class="total">' if is_total else "<tr>")
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


# -- data helpers (plain functions; tested on their own) -------------------------------------------
def coders_in_use(project: "Project", wanted: Sequence[str] | None = None) -> list[str]:
    """Coders who have at least one active coding (restricted to ``wanted``; unknown names refused)."""
    from qualcode.tables.matrix import check_coders

    names = check_coders(list(wanted) if wanted else None, project.store.coder_names())
    used = sorted({r["coder"] for r in project.coding_rows(coders=names)})
    return used


def family_colors(codebook: Any) -> dict[str, str]:
    """Top-level code id -> colour: the codebook's own colour, else a fixed palette."""
    out = {}
    for i, root in enumerate(codebook.roots()):
        out[root.id] = root.color or FAMILY_PALETTE[i % len(FAMILY_PALETTE)]
    return out


def code_frequencies(project: "Project", coders: Sequence[str] | None = None) -> "pd.DataFrame":
    """Codings per code in codebook order: direct codings, codings including subcodes, cases.

    Every code that has codings itself or below it gets a row (families too, so a reader sees
    how a family's total is made up); with several coders, one column per coder (direct
    codings). Codes coded but not in the codebook (imported) come last. ``df.attrs["unused"]``
    lists the codable codes nobody used.
    """
    import pandas as pd

    cb = project.codebook()
    lang = project.config.language or "nl"
    names = list(coders) if coders else None
    rows = project._table_codings(names, None)
    coder_list = sorted({r["coder"] for r in rows})
    ids = list(cb.codes) + sorted({r["code"] for r in rows} - set(cb.codes))
    direct: dict[str, int] = {}
    per_coder: dict[tuple[str, str], int] = {}
    below: dict[str, int] = {}  # codings of the code and every code under it
    cases: dict[str, set[str]] = {}
    for r in rows:
        code = r["code"]
        direct[code] = direct.get(code, 0) + 1
        per_coder[(code, r["coder"])] = per_coder.get((code, r["coder"]), 0) + 1
        parts = code.split(".")
        for k in range(1, len(parts) + 1):  # the code and each of its ancestors by dotted path
            prefix = ".".join(parts[:k])
            below[prefix] = below.get(prefix, 0) + 1
            if r.get("case"):
                cases.setdefault(prefix, set()).add(r["case"])
    records = []
    for code in ids:
        if not below.get(code):
            continue
        rec = {"code": code, "label": cb.label_of(code, lang), "depth": code.count("."),
               "codings": direct.get(code, 0), "incl_subcodes": below[code], "cases": len(cases.get(code, ()))}
        if len(coder_list) > 1:
            for c in coder_list:
                rec[c] = per_coder.get((code, c), 0)
        records.append(rec)
    columns = ["code", "label", "depth", "codings", "incl_subcodes", "cases"]
    columns += coder_list if len(coder_list) > 1 else []
    df = pd.DataFrame(records, columns=columns)
    df.attrs["title"] = "Code frequencies"
    df.attrs["notes"] = ["codings: codings of the code itself; incl_subcodes: with all codes below it; "
                         "cases: distinct cases with the code or a code below it."
                         + (" Coder columns: codings of the code itself per coder." if len(coder_list) > 1 else "")]
    df.attrs["unused"] = [c.id for c in cb.codes.values() if c.codable and c.id not in direct]
    return df


def _n_coders(value: Any) -> int:
    return len([c for c in str(value or "").split(",") if c.strip()])


def pick_top_quotes(df: "pd.DataFrame", n: int, max_words: int | None = None) -> "pd.DataFrame":
    """The ``n`` quotes of one code a reader should see first.

    Order of preference: passages more coders agree on; then quotes of a readable length (12 words
    up to ``max_words``, shortened ones count as too long); then document order. Quotes from
    cases not yet shown come before a second quote from the same case, so the selection shows
    the spread of respondents rather than one talkative one.
    """
    if df.empty:
        return df
    from qualcode.tables.quotes import ELLIPSIS, count_words

    def key(i: int) -> tuple:
        row = df.iloc[i]
        quote = str(row["quote"])
        words = count_words(quote)
        readable = 12 <= words and ELLIPSIS not in quote and (max_words is None or words <= max_words)
        return (-_n_coders(row.get("coder")), 0 if readable else 1, i)

    order = sorted(range(len(df)), key=key)
    chosen: list[int] = []
    seen: set[Any] = set()
    for i in order:
        case = df.iloc[i]["case"]
        if case not in seen:
            chosen.append(i)
            seen.add(case)
        if len(chosen) == n:
            break
    for i in order:
        if len(chosen) >= n:
            break
        if i not in chosen:
            chosen.append(i)
    return df.iloc[sorted(chosen, key=order.index)]


# -- sections ------------------------------------------------------------------------------------
def summary_section(project: "Project", options: ReportOptions) -> str:
    """What the project holds: transcripts, cases, words, turns, codings per coder."""
    transcripts = project.transcript_rows()
    cases = project.case_rows()
    if not transcripts:
        raise NotAvailable("no transcripts yet; run `qualcode ingest transcripts/`")
    codings = project.coding_rows(coders=options.coders)
    per_coder: dict[str, int] = {}
    for c in codings:
        per_coder[c["coder"]] = per_coder.get(c["coder"], 0) + 1
    stats = [("Transcripts", len(transcripts)), ("Cases", len(cases)),
             ("Words", sum(t["words"] or 0 for t in transcripts)), ("Turns", sum(t["turns"] or 0 for t in transcripts)),
             ("Codings", len(codings)), ("Coders", len(per_coder))]
    out = ['<div class="stats">']
    for name, value in stats:
        number = f"{value:,}".replace(",", "\u202f")  # thin space groups digits in any language
        out.append(f'<div class="stat"><span class="n">{number}</span><span class="k">{esc(name)}</span></div>')
    out.append("</div>")
    cb = project.codebook()
    info = [("Project", project.config.name), ("Folder", project.root.name),
            ("Codebook", f"{cb.title or cb.id}" + (f" (version {cb.version})" if cb.version else "")
             + f", {sum(1 for c in cb.codes.values() if c.codable)} codable codes, hash {cb.hash[:12]}"),
            ("Citation label", project.config.citation), ("Unit", project.config.unit)]
    if per_coder:
        info.append(("Codings per coder", ", ".join(f"{k}: {v}" for k, v in sorted(per_coder.items()))))
    if options.coders:
        info.append(("Coders in this report", ", ".join(options.coders)))
    out.append('<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in info) + "</dl>")

    import pandas as pd

    keys = list(dict.fromkeys(k for t in transcripts for k in t["attributes"]))
    trows = [{"transcript": t["id"], "turns": t["turns"], "words": t["words"], "cases": len(t["cases"]),
              **{k: t["attributes"].get(k) for k in keys}} for t in transcripts]
    tdf = pd.DataFrame(trows, columns=["transcript", "turns", "words", "cases"] + keys)
    out.append(f'<details><summary>Transcripts ({len(transcripts)})</summary>'
               f'{frame_html(tdf, title="Transcripts", notes=[])}</details>')
    cdf = project.cases()
    if not cdf.empty:
        out.append(f'<details><summary>Cases ({len(cdf)})</summary>'
                   f'{frame_html(cdf, title="Cases", notes=[])}</details>')
    return "".join(out)


def codebook_section(project: "Project", options: ReportOptions) -> str:
    """The codebook as a tree: one foldable block per family, definitions and coding counts."""
    from qualcode.codebook.model import is_under

    cb = project.codebook()
    lang = options.lang or project.config.language or "nl"
    if not cb.codes:
        raise NotAvailable("the codebook has no codes")
    counts: dict[str, int] = {}
    for r in project.coding_rows(coders=options.coders):
        counts[r["code"]] = counts.get(r["code"], 0) + 1
    total = {cid: sum(n for c, n in counts.items() if is_under(c, cid)) for cid in cb.codes}
    colors = family_colors(cb)

    def item(code: Any) -> str:
        kids = cb.children(code.id)
        badge = "" if code.codable else '<span class="badge">group</span>'
        n = total.get(code.id, 0)
        count = (f'<span class="count" title="codings incl. subcodes">{n}</span>' if n
                 else '<span class="count zero">0</span>')
        head = (f'<span class="clabel">{esc(code.label.get(lang))}</span> <span class="cid">{esc(code.id)}</span>'
                f" {badge}{count}")
        body = f'<p class="def">{esc(code.definition)}</p>' if code.definition else ""
        sub = "<ul>" + "".join(item(k) for k in kids) + "</ul>" if kids else ""
        return f'<li id="code-{esc(slug(code.id))}"><div class="node">{head}</div>{body}{sub}</li>'

    out = [f'<p class="lead">{esc(cb.title or cb.id)}: {len(cb.codes)} codes in {len(cb.roots())} families. '
           "Numbers are codings including subcodes; open a family to see its codes and definitions.</p>"]
    for i, root in enumerate(cb.roots()):
        kids = cb.children(root.id)
        out.append(
            f'<details class="family"{" open" if i == 0 else ""}><summary>'
            f'<span class="swatch" style="background:{esc(colors[root.id])}"></span>'
            f'<span class="clabel">{esc(root.label.get(lang))}</span> <span class="cid">{esc(root.id)}</span>'
            f'<span class="count">{total.get(root.id, 0)}</span></summary>'
            + (f'<p class="def">{esc(root.definition)}</p>' if root.definition else "")
            + ('<ul class="tree">' + "".join(item(k) for k in kids) + "</ul>" if kids else "")
            + "</details>"
        )
    return "".join(out)


def frequencies_section(project: "Project", options: ReportOptions) -> str:
    """Codings per code: a bar chart of each family's codes and the full table."""
    df = code_frequencies(project, options.coders)
    if df.empty:
        raise NotAvailable("no codings yet; code with `qualcode review` or `qualcode code`")
    cb = project.codebook()
    lang = options.lang or project.config.language or "nl"
    colors = family_colors(cb)
    by_code = {r["code"]: r for r in df.to_dict("records")}
    bars: list[Bar] = []
    for root in cb.roots():
        if root.id not in by_code:
            continue
        group = f"{root.label.get(lang)} ({root.id})"
        kids = [k for k in cb.children(root.id) if k.id in by_code]
        if by_code[root.id]["codings"] or not kids:
            bars.append(Bar(root.label.get(lang), by_code[root.id]["codings"], colors[root.id], group, "direct"))
        for k in kids:
            r = by_code[k.id]
            bars.append(Bar(k.label.get(lang), r["incl_subcodes"], colors[root.id], group,
                            f"{k.id}; {r['cases']} cases"))
    other = [r for r in by_code.values() if r["code"] not in cb.codes and r["depth"] == 0]
    for r in other:
        bars.append(Bar(r["code"], r["incl_subcodes"], "#888888", "Codes not in the codebook"))
    out = ['<figure class="fig">', bar_chart_svg(bars, "Codings per code (including subcodes)"),
           "<figcaption>Codings per code, including codings of its subcodes, by family.</figcaption></figure>"]
    shown = df.drop(columns=["depth", "label"]).rename(columns={"incl_subcodes": "incl. subcodes"})
    shown["code"] = [code_cell(c, lbl) for c, lbl in zip(df["code"], df["label"])]
    depth_classes = [f"d{min(int(d), 4)}" for d in df["depth"]]
    out.append(f'<details class="table"><summary>Table: codings per code ({len(df)} codes)</summary>'
               + frame_html(shown, title="Codings per code", table_id="frequency-table", cls="freq",
                            row_classes=depth_classes) + "</details>")
    unused = df.attrs.get("unused", [])
    if unused:
        out.append(f'<details><summary>Codable codes without codings ({len(unused)})</summary>'
                   f'<p class="codes-list">{", ".join(f"<code>{esc(u)}</code>" for u in unused)}</p></details>')
    return "".join(out)


def heatmap_section(project: "Project", options: ReportOptions) -> str:
    """Case by code family as a heatmap, then one foldable heatmap per family (its subcodes)."""
    from qualcode.export.plots import heatmap_svg

    if not project.coding_rows(coders=options.coders):
        raise NotAvailable("no codings yet")
    cb = project.codebook()
    lang = options.lang or project.config.language or "nl"
    overview = project.matrix(rows="case", cols="", depth=1, coders=options.coders, labels=True)
    out = ['<figure class="fig">',
           clean_svg(heatmap_svg(overview, "Cases by code family (codings)"), "Heatmap of cases by code family"),
           "<figcaption>Codings per case and code family; a family counts the codings of all its codes. "
           "Open a family below for its codes (a code counts the codings of its subcodes).</figcaption></figure>"]
    used = {r["code"] for r in project.coding_rows(coders=options.coders)}
    from qualcode.codebook.model import is_under

    for root in cb.roots():
        if not any(is_under(c, root.id) for c in used) or not cb.children(root.id):
            continue
        df = project.matrix(rows="case", cols=root.id, depth=1, coders=options.coders, labels=True)
        title = f"Cases by {root.label.get(lang)} ({root.id})"
        out.append(f'<details class="heat"><summary>{esc(title)}</summary>'
                   f"{heat_table_html(df, title, table_id='heat-' + slug(root.id))}</details>")
    return "".join(out)


COEFFICIENTS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger")
COEFFICIENT_HEADERS = {"percent_agreement": "% agree", "cohen_kappa": "Cohen κ", "krippendorff_alpha": "Kripp. α",
                       "gwet_ac1": "Gwet AC1", "brennan_prediger": "B-P κ"}


@dataclass
class AgreementView:
    """What the report shows of an agreement result, whatever shape it came in."""

    coders: list[str]
    unit: str
    rows: list[dict[str, Any]]
    overall: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _entry_row(entry: Mapping[str, Any], coders: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"code": entry.get("code"), "units": entry.get("units"), "both": entry.get("both")}
    for c in coders:
        row[f"only {c}"] = (entry.get("only") or {}).get(c)
    row["neither"] = entry.get("neither")
    for name in COEFFICIENTS:
        row[name] = entry.get(name)
    return row


def merged_notes(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """The entries' notes, each distinct note once with the codes it concerns.

    Why: a note such as ``gwet_ac1: q=2`` holds for every code; repeating it per code would bury
    the one note that says why a coefficient is undefined for one code.
    """
    where: dict[str, list[str]] = {}
    for e in entries:
        notes = e.get("notes") or {}
        items = notes.items() if isinstance(notes, Mapping) else [(None, n) for n in notes]
        for k, v in items:
            where.setdefault(f"{k}: {v}" if k else str(v), []).append(str(e.get("code")))
    out = []
    for text, codes in where.items():
        if len(codes) == len(entries) and len(entries) > 1:
            out.append(f"{text} (every code)")
        elif len(codes) > 6:
            out.append(f"{text} ({len(codes)} codes: {', '.join(codes[:6])}, …)")
        else:
            out.append(f"{text} ({', '.join(codes)})")
    return out


def agreement_view(result: Any, coders: Sequence[str], unit: str) -> AgreementView:
    """``Project.agreement`` may give an object with ``to_dict()``, the JSON-contract dict
    (``{unit, coders, codes, overall}``) or a DataFrame; the report needs rows, overall and notes."""
    import pandas as pd

    if hasattr(result, "to_dict") and not isinstance(result, (pd.DataFrame, Mapping)):
        result = result.to_dict()
    if isinstance(result, pd.DataFrame):
        records = result.to_dict("records")
        if "scope" in result.columns:
            records = [r for r in records if r.get("scope") in (unit, "all", None)]
        overall = records[-1] if records and str(records[-1].get("code", "")).startswith("(") else {}
        rows = [{k: v for k, v in r.items() if k not in ("notes", "scope", "complete", "partial")} for r in records]
        notes = [str(result.attrs.get("note") or "")] + [str(w) for w in result.attrs.get("warnings", [])]
        return AgreementView(list(result.attrs.get("coders", coders)), str(result.attrs.get("unit", unit)),
                             rows, overall, [n for n in notes if n])
    if isinstance(result, Mapping):
        names = list(result.get("coders") or coders)
        entries = list(result.get("codes") or [])
        overall = dict(result.get("overall") or {})
        rows = [_entry_row(e, names) for e in entries] + ([_entry_row(overall, names)] if overall else [])
        notes = [str(result["note"])] if result.get("note") else []
        notes += [str(w) for w in result.get("warnings") or []]
        notes += merged_notes(entries + ([overall] if overall else []))
        return AgreementView(names, str(result.get("unit") or unit), rows, overall, notes)
    raise NotAvailable(f"agreement returned {type(result).__name__}, which the report cannot show")


def agreement_section(project: "Project", options: ReportOptions) -> str:
    """Agreement between coders per code (when at least two coders coded)."""
    import pandas as pd

    coders = coders_in_use(project, options.coders)
    if len(coders) < 2:
        who = f" ({coders[0]})" if coders else ""
        raise NotAvailable(f"agreement needs two coders; {len(coders)} coder{'' if len(coders) == 1 else 's'}{who} "
                           "coded in this project")
    # The result object (agreement_report) carries the notes per coefficient; the DataFrame will do.
    method = getattr(project, "agreement_report", None) or getattr(project, "agreement", None)
    if method is None:
        raise NotAvailable("this version of qualcode has no Project.agreement")
    view = agreement_view(method(coders=coders, unit=options.agreement_unit), coders, options.agreement_unit)
    if not view.rows:
        raise NotAvailable("no codes to compare")
    cb = project.codebook()
    lang = options.lang or project.config.language or "nl"
    per_code = view.rows[:-1] if view.overall else view.rows
    units = per_code[0].get("units") if per_code else None
    out = [f'<p class="lead">Coders: {esc(", ".join(view.coders))}; unit: {esc(view.unit)}'
           + (f" ({esc(_fmt(units))} units per code)" if units is not None else "") + ". "
           "Per code: units both coders coded, units only one coded, units neither coded, and the "
           "coefficients (empty where a coefficient is undefined for the data; see the notes).</p>"]
    if view.overall:
        facts = [("units", "units (pooled)")] + [(k, COEFFICIENT_HEADERS[k]) for k in COEFFICIENTS]
        out.append('<div class="stats small">' + "".join(
            f'<div class="stat"><span class="n">{esc(_fmt(view.overall.get(k)))}</span>'
            f'<span class="k">{esc(name)}</span></div>'
            for k, name in facts if k in view.overall) + "</div>")
    bars = []
    for r in per_code:
        code = str(r["code"])
        alpha = r.get("krippendorff_alpha")
        ok = isinstance(alpha, (int, float)) and alpha == alpha
        family = code.split(".")[0]
        group = f"{cb.label_of(family, lang)} ({family})" if family in cb.codes else None
        bars.append(Bar(cb.label_of(code, lang), max(0.0, float(alpha)) if ok else 0.0,
                        "#4e79a7" if ok and alpha >= 0.667 else "#e15759", group=group, note=code,
                        text=("0.00" if abs(alpha) < 0.005 else f"{alpha:.2f}") if ok else "n/a"))
    if bars:
        out.append('<figure class="fig">' + bar_chart_svg(bars, "Krippendorff's alpha per code", vmax=1.0,
                                                          marks=[(0.667, "0.667"), (0.8, "0.8")])
                   + "<figcaption>Krippendorff's alpha per code (negative values drawn as 0; red: below 0.667, "
                   "the lowest value Krippendorff accepts for tentative conclusions).</figcaption></figure>")
    df = pd.DataFrame(view.rows)
    for col in COEFFICIENTS:
        if col in df:
            df[col] = df[col].map(lambda v: None if v is None or v != v else round(float(v), 3))
    if "units" in df and df["units"].iloc[: len(per_code)].nunique() == 1:
        df = df.drop(columns=["units"])  # the same for every code: said once, in the lead
    df = df.rename(columns=COEFFICIENT_HEADERS)
    total = str(view.rows[-1]["code"]) if view.overall else None
    df["code"] = [Markup(f"<strong>{esc(c)}</strong>") if str(c) == total
                  else code_cell(str(c), cb.label_of(str(c), lang)) for c in df["code"]]
    from qualcode.tables.frame import frame_table

    t = frame_table(df, title="Agreement per code")
    t.notes = view.notes
    out.append(f'<details class="table"><summary>Table: agreement per code ({len(per_code)} codes)</summary>'
               + table_html(t, total_label=None, table_id="agreement-table", cls="agreement",
                            row_classes=[""] * len(per_code) + (["total"] if total else [])) + "</details>")
    return "".join(out)


def _fmt(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}".replace(",", "\u202f")
    if isinstance(v, float):
        return "n/a" if v != v else f"{v:.3f}".rstrip("0").rstrip(".")
    if v is None:
        return "n/a"
    return str(v)


def fragment_list(ids: Iterable[str], limit: int = 8) -> str:
    """Fragment ids grouped by transcript, ``Hvs01_g1: 9, 19, 26`` (at most ``limit`` ids shown,
    then ``… (+n)``), so an evidence cell stays short enough to read."""
    from qualcode.tables.typology import fragment_key

    items = sorted(dict.fromkeys(str(i) for i in ids), key=fragment_key)
    shown, rest = items[:limit], len(items) - limit
    groups: dict[str, list[str]] = {}
    for fid in shown:
        tid, _, n = fid.rpartition(":")
        if not tid:
            tid, n = fid, ""
        groups.setdefault(tid, []).append(n)
    text = "; ".join(f"{t}: {', '.join(n for n in ns if n)}" if any(ns) else t for t, ns in groups.items())
    return text + (f" … (+{rest})" if rest > 0 else "")


def _scores_text(scores: Any, assigned: str) -> str:
    if not isinstance(scores, Mapping):
        return "" if scores is None else str(scores)
    return " · ".join((f"**{k} {v:g}**" if k == assigned else f"{k} {v:g}") for k, v in scores.items())


def typology_tables(project: "Project", coder: str | None) -> list[tuple[str, str, "pd.DataFrame", list[str]]]:
    """The typology tables of one coder: (anchor, heading, DataFrame, group columns) each.

    One :meth:`Project.typology_data` serves every table (the assignment is computed once);
    the tables are those of ``qualcode typology``: assignment, distribution over types (tables.md
    #2), type profile with counts (#3) and discretion strategies per type (#4).
    """
    from qualcode.tables.distribution import distribution
    from qualcode.tables.profile import profile
    from qualcode.tables.strategies import strategies
    from qualcode.tables.typology import assignment_frame

    data = project.typology_data(coder=coder)
    cb = project.codebook()
    assignment = assignment_frame(data)
    shown = assignment.copy()
    shown["scores"] = [_scores_text(s, t) for s, t in zip(assignment["scores"], assignment["type"])]
    for col in ("evidence", "contradicting"):
        shown[col] = shown[col].map(lambda v: fragment_list(v or []))
    shown["manual"] = shown["manual"].map(lambda m: "manual" if m else "")
    shown = shown.drop(columns=["type"]).rename(columns={"type_label": "type"})
    shown.attrs = dict(assignment.attrs)
    out = [("assignment", "Type assignment", shown, [])]
    tables = [("distribution", "Distribution of respondents over types", lambda: distribution(data),
               ["type", "gemeente"]),
              ("profile", "Type profile", lambda: profile(data, cb, counts=True), []),
              ("strategies", "Strategies per type", lambda: strategies(data, cb), ["type"])]
    for anchor, heading, make, groups in tables:
        out.append((anchor, heading, make(), groups))
    return out


def typology_section(project: "Project", options: ReportOptions) -> str:
    """The typology tables per coder: assignment with evidence, distribution, profile, strategies."""
    path = project.config.typology_path if project.config.typology else None
    if path is None or not Path(path).is_file():
        raise NotAvailable(f"no typology file ({project.config.typology or 'none set'} in qualcode.toml)")
    if not hasattr(project, "typology_data"):
        raise NotAvailable("this version of qualcode has no Project.typology_data")
    coders = coders_in_use(project, options.coders)
    if not coders:
        raise NotAvailable("no codings yet")
    out = []
    if len(coders) > 1:
        out.append('<p class="lead">Types are assigned from one coder\'s codings at a time (pooling coders '
                   f"would count agreed passages twice): {esc(', '.join(coders))}.</p>")
    for coder in coders:
        prefix = f"typology-{slug(coder)}" if len(coders) > 1 else "typology"
        if len(coders) > 1:
            out.append(f'<h3 class="coder" id="{esc(prefix)}">Coder {esc(coder)}</h3>')
        try:
            tables = typology_tables(project, coder)
        except QualcodeError as exc:
            out.append(not_available(str(exc)))
            continue
        for anchor, heading, df, groups in tables:
            out.append(f'<h4 id="{esc(prefix)}-{anchor}">{esc(heading)}</h4>')
            if df is None or df.empty:
                out.append(not_available("the table is empty"))
                continue
            out.append(frame_html(df, table_id=f"{prefix}-{anchor}-table", group_columns=groups,
                                  cls=f"typology {anchor}"))
    return "".join(out)


def quotes_section(project: "Project", options: ReportOptions) -> str:
    """The best few quotes per code (see :func:`pick_top_quotes`), grouped by family."""
    df = project.quotes(coders=options.coders, max_words=options.max_words, case_attrs=())
    if df.empty:
        raise NotAvailable("no codings yet")
    cb = project.codebook()
    lang = options.lang or project.config.language or "nl"
    colors = family_colors(cb)
    families: dict[str, list[str]] = {}
    for code in dict.fromkeys(df["code"]):
        families.setdefault(str(code).split(".")[0], []).append(code)
    out = [f'<p class="lead">Up to {options.top_quotes} quotes per code; passages more coders agree on and '
           "quotes from different respondents first"
           + (f"; longer quotes shortened to {options.max_words} words" if options.max_words else "") + ".</p>"]
    for i, (fam, codes) in enumerate(families.items()):
        label = cb.label_of(fam, lang)
        color = colors.get(fam, "#888888")
        n_quotes = int(df["code"].isin(codes).sum())
        out.append(f'<details class="family"{" open" if i == 0 else ""}><summary>'
                   f'<span class="swatch" style="background:{esc(color)}"></span>'
                   f'<span class="clabel">{esc(label)}</span> <span class="cid">{esc(fam)}</span>'
                   f'<span class="count">{n_quotes}</span></summary>')
        for code in codes:
            part = df[df["code"] == code]
            top = pick_top_quotes(part, options.top_quotes, options.max_words)
            out.append(f'<div class="qcode" id="quotes-{esc(slug(code))}"><h3>{esc(cb.label_of(code, lang))} '
                       f'<span class="cid">{esc(code)}</span> '
                       f'<span class="muted">{len(top)} of {len(part)}</span></h3>')
            for q in top.to_dict("records"):
                meta = [str(q.get("citation") or q.get("case") or ""), str(q.get("fragment") or "")]
                if q.get("stance") and q["stance"] == q["stance"]:
                    meta.append(f"stance: {q['stance']}")
                meta.append(f"coder: {q.get('coder')}")
                out.append(f'<figure class="quote"><blockquote>{rich(q["quote"])}</blockquote>'
                           f'<figcaption>{" · ".join(esc(m) for m in meta if m)}</figcaption></figure>')
            out.append("</div>")
        out.append("</details>")
    return "".join(out)


SECTIONS: list[Section] = [
    Section("summary", "Project summary", summary_section),
    Section("codebook", "Codebook", codebook_section),
    Section("frequencies", "Code frequencies", frequencies_section),
    Section("heatmap", "Cases by code", heatmap_section),
    Section("agreement", "Agreement between coders", agreement_section),
    Section("typology", "Typology", typology_section),
    Section("quotes", "Top quotes per code", quotes_section),
]


def render_section(project: "Project", section: Section, options: ReportOptions) -> RenderedSection:
    """Run one section; a section that cannot be made says why instead of breaking the page.

    ``NotAvailable`` and qualcode's own errors (a missing typology file, a typo in a setting)
    become a ``not available`` line; any other exception too, marked as an internal error, so a
    bug in one table never costs the author the whole report (``QUALCODE_DEBUG=1`` re-raises).
    """
    try:
        return RenderedSection(section.id, section.title, section.build(project, options))
    except NotAvailable as exc:
        reason = str(exc)
    except QualcodeError as exc:
        reason = str(exc)
    except Exception as exc:  # noqa: BLE001 - one failing section must not lose the report
        if os.environ.get("QUALCODE_DEBUG"):
            raise
        reason = f"internal error ({type(exc).__name__}: {exc}); please report"
    return RenderedSection(section.id, section.title, not_available(reason), available=False, reason=reason)


def build_report(project: "Project", options: ReportOptions | None = None,
                 sections: Sequence[Section] | None = None) -> str:
    """The whole page as one HTML string."""
    import qualcode

    opts = options or ReportOptions()
    if opts.coders:
        coders_in_use(project, opts.coders)  # unknown coder names: InputError before any work
    rendered = [render_section(project, s, opts) for s in (sections or SECTIONS)]
    title = opts.title or project.config.name or project.root.name
    cb = project.codebook()
    toc = "".join(
        f'<li{"" if r.available else " class=na"}><a href="#{esc(r.id)}">{esc(r.title)}</a></li>' for r in rendered)
    body = "".join(
        f'<section id="{esc(r.id)}" class="section{"" if r.available else " unavailable"}">'
        f"<h2>{i}. {esc(r.title)}</h2>{r.body}</section>"
        for i, r in enumerate(rendered, start=1)
    )
    subtitle = f"qualcode report · codebook {cb.title or cb.id}"
    if opts.coders:
        subtitle += f" · coders {', '.join(opts.coders)}"
    lang = opts.lang or project.config.language or "nl"
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="qualcode {esc(qualcode.__version__)}">\n'
        f"<title>{esc(title)} · qualcode report</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        '<div class="layout">\n'
        f'<nav class="toc" aria-label="Contents"><p class="toc-title">Contents</p><ol>{toc}</ol></nav>\n'
        f'<main>\n<header class="top"><h1>{esc(title)}</h1><p class="subtitle">{esc(subtitle)}</p></header>\n'
        f"{body}\n"
        f'<footer>Made with qualcode {esc(qualcode.__version__)} from {esc(project.root.name)}. '
        "Self-contained: no network needed to read or print this page.</footer>\n"
        "</main>\n</div>\n</body>\n</html>\n"
    )


def write_report(project: "Project", out: str | Path | None = None, options: ReportOptions | None = None) -> Path:
    """Write the report; a relative ``out`` is taken from the working folder, the default is the
    project's ``exports/report.html``. The file is written whole (temp file, then rename)."""
    path = Path(out) if out is not None else project.root / DEFAULT_OUT
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the report is an HTML page: give a file ending in .html, not {path.name!r}")
    text = build_report(project, options)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


CSS = """
:root{--ink:#1f2328;--muted:#656d76;--rule:#d8dee4;--zebra:#f6f8fa;--accent:#2f5d8a;--paper:#fff;--na:#9a6700}
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;color:var(--ink);background:var(--paper);
 font-family:"Source Serif 4","Georgia","DejaVu Serif",serif;line-height:1.55}
h1,h2,h3,h4,nav,table,figcaption,.stats,.facts,summary,.lead,.na,footer,.subtitle,.badge,.count,.cid,.notes,.node{
 font-family:system-ui,-apple-system,"Segoe UI","Helvetica Neue","DejaVu Sans",Arial,sans-serif}
.layout{display:grid;grid-template-columns:15rem minmax(0,1fr);max-width:80rem;margin:0 auto}
nav.toc{position:sticky;top:0;align-self:start;height:100vh;overflow:auto;padding:2rem 1rem 2rem 1.5rem;
 border-right:1px solid var(--rule);font-size:.9rem}
.toc-title{font-weight:600;text-transform:uppercase;letter-spacing:.06em;font-size:.75rem;color:var(--muted);
 margin:0 0 .5rem}
nav.toc ol{margin:0;padding-left:1.2rem}
nav.toc li{margin:.3rem 0}
nav.toc li.na a{color:var(--muted)}
nav.toc a{color:var(--ink);text-decoration:none}
nav.toc a:hover{color:var(--accent);text-decoration:underline}
main{padding:2rem 2.5rem 4rem;min-width:0}
header.top{border-bottom:3px solid var(--ink);margin-bottom:1.5rem;padding-bottom:.5rem}
h1{font-size:2rem;margin:0;letter-spacing:-.01em}
.subtitle{color:var(--muted);margin:.25rem 0 0}
h2{font-size:1.4rem;margin:2.5rem 0 1rem;padding-bottom:.3rem;border-bottom:1px solid var(--rule)}
h3{font-size:1.05rem;margin:1.5rem 0 .5rem}
h4{font-size:.95rem;margin:1.4rem 0 .2rem}
section{scroll-margin-top:1rem}
.lead{color:var(--muted);font-size:.95rem}
p.na{color:var(--na);background:#fff8c5;border-left:4px solid #d4a72c;padding:.5rem .8rem;
 font-size:.95rem;border-radius:0 4px 4px 0}
.stats{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.stat{border:1px solid var(--rule);border-radius:6px;padding:.6rem 1rem;min-width:7.5rem;background:var(--zebra)}
.stat .n{display:block;font-size:1.6rem;font-weight:650;font-variant-numeric:tabular-nums}
.stat .k{display:block;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.05em}
.stats.small .n{font-size:1.15rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.25rem;font-size:.92rem;margin:1rem 0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0}
details{margin:.6rem 0}
summary{cursor:pointer;font-weight:600;padding:.35rem 0}
details.family{border:1px solid var(--rule);border-radius:6px;padding:.2rem .9rem;margin:.5rem 0}
details.family>summary{font-size:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.5rem;vertical-align:-.05rem}
.cid{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,monospace;font-size:.8rem;color:var(--muted)}
.count{display:inline-block;margin-left:.6rem;font-size:.75rem;font-weight:600;background:#ddf4ff;color:#0a3069;
 border-radius:999px;padding:0 .5rem;font-variant-numeric:tabular-nums}
.count.zero{background:#eee;color:var(--muted)}
.badge{font-size:.7rem;border:1px solid var(--rule);border-radius:4px;padding:0 .3rem;color:var(--muted)}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:1.1rem;border-left:1px solid var(--rule)}
ul.tree{margin:.25rem 0 .75rem .3rem}
ul.tree li{margin:.45rem 0}
.node .clabel{font-weight:600}
p.def{margin:.1rem 0 0;font-size:.92rem;color:#3d444d;max-width:52rem}
.table-wrap{overflow-x:auto;margin:.75rem 0}
table.data{border-collapse:collapse;font-size:.86rem;min-width:20rem}
table.data caption{caption-side:top;text-align:left;font-weight:600;padding:.3rem 0;color:var(--ink)}
table.data th,table.data td{padding:.3rem .65rem;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
table.data thead th{border-bottom:2px solid var(--ink);font-weight:600;white-space:nowrap;background:var(--paper)}
table.data tbody tr:nth-child(even){background:var(--zebra)}
table.data tbody th{font-weight:600}
table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.data tr.total td,table.data tr.total th{border-top:2px solid var(--ink);font-weight:600}
table.agreement td:first-child,table.freq td:first-child{min-width:14rem;max-width:26rem}
td .cid{font-size:.72rem;word-break:normal}
table.agreement{font-size:.8rem}
table.agreement th,table.agreement td{padding:.3rem .45rem}
table.agreement td:first-child{min-width:11rem;max-width:17rem}
table.freq tr.d0 td{font-weight:600;border-top:1px solid var(--ink)}
table.freq tr.d1 td:first-child{padding-left:1.5rem}
table.freq tr.d2 td:first-child{padding-left:2.5rem}
table.freq tr.d3 td:first-child,table.freq tr.d4 td:first-child{padding-left:3.5rem}
ul.notes{font-size:.8rem;color:var(--muted);margin:.25rem 0 1rem;padding-left:1.1rem}
figure.fig{margin:1rem 0}
figure.fig figcaption{font-size:.82rem;color:var(--muted);margin-top:.3rem}
svg.chart{max-width:100%;height:auto;display:block}
details.heat>summary{font-weight:500}
table.heat th.v{vertical-align:bottom;padding:.3rem .2rem}
table.heat th.v span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:500;
 max-height:14rem;overflow:hidden;text-overflow:ellipsis;display:inline-block}
table.heat td{text-align:center;min-width:2.2rem;border:1px solid #fff}
table.heat tbody tr:nth-child(even){background:none}
table.heat tbody th{white-space:nowrap}
.codes-list{font-size:.85rem;line-height:1.9}
.codes-list code{background:var(--zebra);padding:.05rem .3rem;border-radius:3px}
.qcode{margin:.75rem 0 1.25rem}
.qcode h3{margin:.75rem 0 .4rem;font-size:1rem}
.muted{color:var(--muted);font-weight:400;font-size:.8rem}
figure.quote{margin:.5rem 0 .9rem;padding:.1rem 0 .1rem 1rem;border-left:3px solid var(--rule)}
figure.quote blockquote{margin:0;font-style:italic;max-width:48rem}
figure.quote blockquote strong{font-style:normal}
figure.quote figcaption{font-size:.8rem;color:var(--muted);margin-top:.2rem}
footer{margin-top:3rem;padding-top:.75rem;border-top:1px solid var(--rule);font-size:.8rem;color:var(--muted)}
@media (max-width:60rem){.layout{display:block}nav.toc{position:static;height:auto;border-right:0;
 border-bottom:1px solid var(--rule)}}
@media print{
 html{font-size:11pt}
 .layout{display:block;max-width:none}
 nav.toc{display:none}
 main{padding:0}
 h2{break-after:avoid;page-break-after:avoid}
 h3{break-after:avoid}
 table.data tr,figure{break-inside:avoid}
 .table-wrap{overflow:visible}
 details::details-content{content-visibility:visible;display:contents}
 details>summary{list-style:none}
 a{color:inherit;text-decoration:none}
 p.na{background:none}
}
"""
