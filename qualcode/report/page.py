"""One self-contained HTML page about a coded project (``qualcode report``).

Why a single file with everything inline (CSS, SVG charts, no scripts, fonts or images from
elsewhere): a report is mailed to a supervisor, attached to a data-management plan or opened on
a laptop without network years later, and it must look the same each time. Why HTML rather
than PDF: it opens everywhere, text stays searchable, the codebook and long lists fold away
with ``<details>`` and it prints well enough (the print CSS unfolds them).

The page is a list of sections (:mod:`qualcode.report.sections`); a section that cannot be made
says ``not available: <why>`` instead of failing, and the rest of the report is still written.
All text goes through :func:`html.escape`; the style sheet is ``report.css`` beside this module.
The report is a client of :class:`~qualcode.project.Project`, like the command line.

The output is deterministic (no date, fixed SVG ids) so a report can be committed and diffed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from qualcode.errors import InputError, QualcodeError
from qualcode.project import Project
from qualcode.report.html import NotAvailable, esc, not_available
from qualcode.report.sections import (
    RenderedSection,
    ReportOptions,
    Section,
    agreement_section,
    codebook_section,
    frequencies_section,
    heatmap_section,
    quotes_section,
    summary_section,
    typology_section,
)
from qualcode.version import __version__

DEFAULT_OUT = Path("exports") / "report.html"

SECTIONS: list[Section] = [
    Section("summary", "Project summary", summary_section),
    Section("codebook", "Codebook", codebook_section),
    Section("frequencies", "Code frequencies", frequencies_section),
    Section("heatmap", "Cases by code", heatmap_section),
    Section("agreement", "Agreement between coders", agreement_section),
    Section("typology", "Typology", typology_section),
    Section("quotes", "Top quotes per code", quotes_section),
]


@lru_cache(maxsize=1)
def css() -> str:
    """The report's style sheet (``report.css``, shipped as package data)."""
    return "\n" + (files("qualcode.report") / "report.css").read_text(encoding="utf-8")


def render_section(project: Project, section: Section, options: ReportOptions) -> RenderedSection:
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


def build_report(project: Project, options: ReportOptions | None = None,
                 sections: Sequence[Section] | None = None) -> str:
    """The whole page as one HTML string."""

    opts = options or ReportOptions()
    if opts.coders:
        project.coders_in_use(opts.coders)  # unknown coder names: InputError before any work
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
        f'<meta name="generator" content="qualcode {esc(__version__)}">\n'
        f"<title>{esc(title)} · qualcode report</title>\n<style>{css()}</style>\n</head>\n<body>\n"
        '<div class="layout">\n'
        f'<nav class="toc" aria-label="Contents"><p class="toc-title">Contents</p><ol>{toc}</ol></nav>\n'
        f'<main>\n<header class="top"><h1>{esc(title)}</h1><p class="subtitle">{esc(subtitle)}</p></header>\n'
        f"{body}\n"
        f'<footer>Made with qualcode {esc(__version__)} from {esc(project.root.name)}. '
        "Self-contained: no network needed to read or print this page.</footer>\n"
        "</main>\n</div>\n</body>\n</html>\n"
    )


def write_report(project: Project, out: str | Path | None = None, options: ReportOptions | None = None) -> Path:
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
