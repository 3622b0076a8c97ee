"""The sections of the report: each a function ``(project, options) -> HTML fragment``.

Each section calls the library API (:meth:`Project.quotes`, :meth:`Project.matrix`,
:meth:`Project.agreement_report`, the typology tables...), so the report shows exactly what the
commands and notebooks show. A section that has nothing to show (one coder: no agreement; no
typology file) raises :class:`NotAvailable` and the page says ``not available: <why>`` there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.errors import InputError, QualcodeError
from qualcode.export.plots import heatmap_svg
from qualcode.language.labels import COEFFICIENT_HEADERS
from qualcode.project import Project
from qualcode.report.html import (
    Markup,
    NotAvailable,
    code_cell,
    esc,
    frame_html,
    heat_table_html,
    not_available,
    rich,
    slug,
    table_html,
)
from qualcode.report.svg import Bar, bar_chart_svg, clean_svg
from qualcode.tables.frame import frame_table
from qualcode.tables.quotes import pick_top_quotes
from qualcode.tables.typology_tables import TypologyTableOptions

if TYPE_CHECKING:
    pass

FAMILY_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#bab0ac"]


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
    build: Callable[[Project, ReportOptions], str]


@dataclass
class RenderedSection:
    id: str
    title: str
    body: str
    available: bool = True
    reason: str | None = None


def family_colors(codebook: Any) -> dict[str, str]:
    """Top-level code id -> colour: the codebook's own colour, else a fixed palette."""
    out = {}
    for i, root in enumerate(codebook.roots()):
        out[root.id] = root.color or FAMILY_PALETTE[i % len(FAMILY_PALETTE)]
    return out


def summary_section(project: Project, options: ReportOptions) -> str:
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


def codebook_section(project: Project, options: ReportOptions) -> str:
    """The codebook as a tree: one foldable block per family, definitions and coding counts."""

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


def frequencies_section(project: Project, options: ReportOptions) -> str:
    """Codings per code: a bar chart of each family's codes and the full table."""
    df = project.code_frequencies(options.coders)
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


def heatmap_section(project: Project, options: ReportOptions) -> str:
    """Case by code family as a heatmap, then one foldable heatmap per family (its subcodes)."""

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

    for root in cb.roots():
        if not any(is_under(c, root.id) for c in used) or not cb.children(root.id):
            continue
        df = project.matrix(rows="case", cols=root.id, depth=1, coders=options.coders, labels=True)
        title = f"Cases by {root.label.get(lang)} ({root.id})"
        out.append(f'<details class="heat"><summary>{esc(title)}</summary>'
                   f"{heat_table_html(df, title, table_id='heat-' + slug(root.id))}</details>")
    return "".join(out)


COEFFICIENTS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger")


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


def agreement_view(result: Mapping[str, Any], coders: Sequence[str], unit: str) -> AgreementView:
    """The JSON-contract dict of ``Project.agreement_report(...).to_dict()`` (``{unit, coders,
    codes, overall, note, warnings}``) as rows, overall and notes for the page."""
    names = list(result.get("coders") or coders)
    entries = list(result.get("codes") or [])
    overall = dict(result.get("overall") or {})
    rows = [_entry_row(e, names) for e in entries] + ([_entry_row(overall, names)] if overall else [])
    notes = [str(result["note"])] if result.get("note") else []
    notes += [str(w) for w in result.get("warnings") or []]
    notes += merged_notes(entries + ([overall] if overall else []))
    return AgreementView(names, str(result.get("unit") or unit), rows, overall, notes)


def agreement_section(project: Project, options: ReportOptions) -> str:
    """Agreement between coders per code (when at least two coders coded)."""
    import pandas as pd

    coders = project.coders_in_use(options.coders)
    if len(coders) < 2:
        who = f" ({coders[0]})" if coders else ""
        raise NotAvailable(f"agreement needs two coders; {len(coders)} coder{'' if len(coders) == 1 else 's'}{who} "
                           "coded in this project")
    result = project.agreement_report(coders=coders, unit=options.agreement_unit)
    view = agreement_view(result.to_dict(), coders, options.agreement_unit)
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
        value = r.get("krippendorff_alpha")
        alpha: float | None = value if isinstance(value, (int, float)) and value == value else None  # None: n/a or NaN
        family = code.split(".")[0]
        group = f"{cb.label_of(family, lang)} ({family})" if family in cb.codes else None
        bars.append(Bar(cb.label_of(code, lang), max(0.0, float(alpha)) if alpha is not None else 0.0,
                        "#4e79a7" if alpha is not None and alpha >= 0.667 else "#e15759", group=group, note=code,
                        text=("0.00" if abs(alpha) < 0.005 else f"{alpha:.2f}") if alpha is not None else "n/a"))
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


TYPOLOGY_HEADINGS = {"assignment": "Type assignment", "distribution": "Distribution of respondents over types",
                     "profile": "Type profile", "strategies": "Strategies per type"}


def typology_section(project: Project, options: ReportOptions) -> str:
    """The typology tables per coder: assignment with evidence, distribution, profile, strategies."""
    path = project.config.typology_path if project.config.typology else None
    if path is None or not Path(path).is_file():
        raise NotAvailable(f"no typology file ({project.config.typology or 'none set'} in qualcode.toml)")
    coders = project.coders_in_use(options.coders)
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
            frames = project.typology_tables(list(TYPOLOGY_HEADINGS), coder=coder,
                                             options=TypologyTableOptions(counts=True, short_ids=True))
        except QualcodeError as exc:
            out.append(not_available(str(exc)))
            continue
        for anchor, df in frames.items():
            out.append(f'<h4 id="{esc(prefix)}-{anchor}">{esc(TYPOLOGY_HEADINGS[anchor])}</h4>')
            if df is None or df.empty:
                out.append(not_available("the table is empty"))
                continue
            out.append(frame_html(df, table_id=f"{prefix}-{anchor}-table", group_columns=df.attrs["groups"],
                                  cls=f"typology {anchor}"))
    return "".join(out)


def quotes_section(project: Project, options: ReportOptions) -> str:
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
