"""``qualcode export ...`` and ``qualcode import ...``: the two command groups for files in and out.

This module owns the groups (``export_app``, ``import_app``) and the exchange-file commands
``export codings`` / ``import codings`` (blind second coding, :mod:`qualcode.coding.exchange`). Other
modules add their own subcommands to the same groups (quotes, tables, qdpx ...)::

    from qualcode.cli.exchange import export_app

    @export_app.command("quotes")
    def export_quotes_cli(...): ...
"""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_json

export_app = typer.Typer(help="Write codings, quotes and tables to files.", no_args_is_help=True)
import_app = typer.Typer(help="Read codings (and more) from files.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")


@export_app.command("codings")
def export_codings_cli(
    coder: str = typer.Option(..., "--coder", help="Whose codings."),
    out: Path = typer.Option(..., "--out", "-o", help="The exchange file: .csv, .jsonl or .json."),
) -> None:
    """Write one coder's codings to an exchange file (for a second coder working on another machine).

    Columns: the keys of `qualcode codings --format json` plus transcript_hash, so the importing
    project can check its transcripts have the same text.

    Example:  qualcode export codings --coder bram --out codings-bram.csv
    """
    with open_project() as project:
        n = project.export_codings(coder, out)
    info(f"wrote {n} coding(s) of {coder} to {out}")


@import_app.command("codings")
def import_codings_cli(
    file: Path = typer.Argument(..., help="An exchange file (.csv, .jsonl or .json)."),
    as_coder: str = typer.Option(None, "--as", help="Import every row as this coder (the coder column may then "
                                                    "be left out)."),
    fmt: Format = typer.Option(None, "--format", "-f", help="json: print the summary as JSON on stdout."),
) -> None:
    """Import codings from an exchange file: every row is checked first, then one run (undo-able).

    Checks: unknown transcript or fragment, transcript text changed since the export (hash),
    unknown code, span outside the turn, text at the span differs. Any problem: nothing is
    imported and the rows are listed. Codings already present are skipped, so importing twice
    adds nothing. A file with only coder, code and fragment columns codes whole turns.

    Examples:

      qualcode import codings codings-bram.csv

      qualcode import codings team-sheet.csv --as bram
    """
    with open_project() as project:
        report = project.import_codings(file, as_coder=as_coder)
    if fmt == Format.json:
        print_json(report.to_dict())
    if report.run_id is None:
        info(f"nothing new to import from {file} ({report.skipped} coding(s) already present)")
    else:
        skipped = f"; {report.skipped} already present" if report.skipped else ""
        info(f"imported {report.imported} coding(s) for {', '.join(report.coders)} in run {report.run_id}{skipped}")
