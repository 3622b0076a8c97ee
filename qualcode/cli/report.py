"""``qualcode report``: one self-contained HTML page about the project (see :mod:`qualcode.report.page`)."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import info
from qualcode.report.page import write_report
from qualcode.report.sections import ReportOptions


@app.command("report")
def report_cli(
    out: Path = typer.Option(None, "--out", "-o",
                             help="HTML file to write (default: exports/report.html in the project)."),
    coder: list[str] = typer.Option(None, "--coder", help="Only these coders' codings (repeatable); "
                                    "agreement compares them. Default: every coder."),
    top: int = typer.Option(3, "--top", help="Quotes shown per code."),
    max_words: int = typer.Option(60, "--max-words", help="Shorten longer quotes with (...); 0 keeps them whole."),
    title: str = typer.Option(None, "--title", help="Page title (default: the project name)."),
) -> None:
    """Write one HTML page with the project summary, codebook, code frequencies, case-by-code
    heatmaps, agreement (with two or more coders), typology tables and the top quotes per code.

    The page needs no network: CSS and charts are inline, so it can be mailed, archived or
    printed as it is. A part that has nothing to show says "not available" and why.

    Examples:

      qualcode report

      qualcode report --coder anna --coder bram --out exports/report-anna-bram.html
    """
    with open_project() as project:
        options = ReportOptions(coders=coder or None, top_quotes=top, max_words=max_words or None, title=title)
        path = write_report(project, out, options)
    info(f"wrote {path}")
