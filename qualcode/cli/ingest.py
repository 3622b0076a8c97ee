"""``qualcode ingest``: read transcripts into the project."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, err, info, notice_table, print_json, print_rows, progress_bar
from qualcode.export.table import Table


@app.command("ingest")
def ingest_cli(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders (.txt .md .docx .vtt .srt)."),
    attributes: Path = typer.Option(
        None, "--attributes", "-a", help="CSV of case attributes keyed by case id (default: [ingest] attributes)."
    ),
    allow_pii: bool = typer.Option(
        False, "--allow-pii", help="Ingest files even when the anonymity check finds something."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json (the ingest report)."),
) -> None:
    """Read transcripts, check they are anonymised, and store them as one run.

    The whole ingest is ONE transaction: if any file is malformed (bad front matter, text before
    the first speaker label, empty, binary, unknown extension, duplicate id) nothing is ingested.
    Files where the anonymity check finds e-mail addresses, phone numbers, BSNs, IBANs, postcodes,
    birth dates, addresses or listed names are skipped and reported (exit 1) unless --allow-pii.
    Re-ingesting an unchanged file does nothing; a changed file re-anchors codings by their text
    and lists codings it cannot place as orphaned.

    Examples:

      qualcode ingest transcripts/

      qualcode ingest interview3.docx --attributes cases.csv
    """
    with open_project() as project, progress_bar("ingest") as update:
        report = project.ingest(paths, attributes=attributes, allow_pii=allow_pii, progress=update)
    if fmt == Format.json:
        print_json(report.to_dict())
    else:
        rows = [
            {"file": r.file, "transcript": r.transcript, "status": r.status, "turns": r.turns, "words": r.words,
             "moved": r.moved, "orphaned": len(r.orphaned)}
            for r in report.files
        ]
        columns = ["file", "transcript", "status", "turns", "words", "moved", "orphaned"]
        print_rows(rows, columns, Format.table, title="Ingest")
    for w in report.warnings:
        err(f"warning: {w}", style="yellow")
    if report.findings:
        columns = ["file", "line", "column", "kind", "text"]
        notice_table(Table(columns, [[f.__dict__[c] for c in columns] for f in report.findings],
                           title="Anonymity check: possible personal data"))
    if report.orphaned:
        err(
            f"{len(report.orphaned)} coding(s) could not be placed in the changed text and are orphaned:",
            style="yellow",
        )
        for o in report.orphaned:
            err(f"  coding {o['coding']} ({o['coder']}, {o['code']}) was in {o['fragment']}: {o['text'][:60]!r}")
    if report.skipped:
        err(
            f"{len(report.skipped)} file(s) not ingested because of anonymity findings: "
            + ", ".join(r.file for r in report.skipped)
            + ". Fix them (`qualcode anonymise`) or pass --allow-pii.",
            style="red",
        )
        raise typer.Exit(1)
    if report.run_id is None:
        info("nothing changed")
    else:
        info(f"run {report.run_id}: {sum(r.status == 'new' for r in report.files)} new, "
             f"{sum(r.status == 'updated' for r in report.files)} updated, "
             f"{sum(r.status == 'unchanged' for r in report.files)} unchanged")
