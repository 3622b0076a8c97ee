"""``qualcode ingest``: read transcripts into the project."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import (
    Format,
    err,
    info,
    notice_table,
    print_json,
    print_rows,
    progress_bar,
    stored_findings_notice,
)
from qualcode.export.table import Table


@app.command("ingest")
def ingest_cli(
    paths: list[Path] = typer.Argument(..., help="Transcript files or folders (.txt .md .docx .vtt .srt)."),
    attributes: Path = typer.Option(
        None, "--attributes", "-a", help="CSV of case attributes keyed by case id (default: [ingest] attributes)."
    ),
    speakers: Path = typer.Option(
        None, "--speakers", "-s",
        help="CSV mapping speaker labels to cases: transcript,label,case (default: [ingest] speakers).",
    ),
    allow_pii: bool = typer.Option(
        False, "--allow-pii", help="Ingest files even when the anonymity check finds something."
    ),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Store the files that can be read; list the others (exit 1) instead of refusing all."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json (the ingest report)."),
) -> None:
    """Read transcripts, check they are anonymised, and store them as one run.

    The whole ingest is ONE transaction: if any file is malformed (bad front matter, no speaker
    turns, empty, binary, unknown extension, duplicate id) nothing is ingested, unless --skip-bad:
    then each unreadable file is listed as file:line: problem and skipped, the rest is stored,
    and the exit code is 1. Word lock files (~$x.docx), .~lock files, .DS_Store, Thumbs.db and
    hidden files are skipped with a note.

    The layout of each file is detected and shown (qualcode's own labels, Word plain/bold/table,
    Teams .docx and .vtt, Zoom .vtt and saved captions, Otter, Descript/Rev, subtitles). Text
    before the first turn (a title, a block of "Key: value" lines) is kept as the transcript's
    header; its "Key: value" lines become transcript attributes. Speaker labels are mapped to
    cases by the front matter's speakers:, the speakers file, the interviewer labels; doubtful
    labels (a label that occurs once, several respondent labels pooled into one case, "Speaker 1")
    are warned about with their lines (`qualcode transcripts speakers FILE` shows the mapping).

    Files where the anonymity check finds e-mail addresses, phone numbers, BSNs, IBANs, postcodes,
    birth dates, addresses or listed names are skipped and reported (exit 1) unless --allow-pii;
    stored transcripts that hold a name added to [anonymity] later are listed too (exit 1).
    Re-ingesting an unchanged file does nothing; a changed file re-anchors codings by their text
    and lists codings it cannot place as orphaned.

    Examples:

      qualcode ingest transcripts/

      qualcode ingest transcripts/ --skip-bad --speakers transcripts/speakers.csv

      qualcode ingest interview3.docx --attributes cases.csv
    """
    with open_project() as project, progress_bar("ingest") as update:
        report = project.ingest(paths, attributes=attributes, speakers=speakers, allow_pii=allow_pii,
                                skip_bad=skip_bad, progress=update)
    if fmt == Format.json:
        print_json(report.to_dict())
    else:
        rows = [
            {"file": r.file, "transcript": r.transcript, "status": r.status, "layout": r.layout,
             "header": r.header or "", "turns": r.turns, "words": r.words, "moved": r.moved,
             "orphaned": len(r.orphaned)}
            for r in report.files if r.status != "bad"
        ]
        columns = ["file", "transcript", "status", "layout", "header", "turns", "words", "moved", "orphaned"]
        print_rows(rows, columns, Format.table, title="Ingest")
    for ignored in report.ignored:
        info(f"note: skipped {ignored.file}: {ignored.reason}")
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
    problems = False
    if report.stored_findings:
        stored_findings_notice(report.stored_findings,
                               "Stored transcripts holding a name now listed in qualcode.toml (anonymity)")
        problems = True
    if report.bad:
        err(f"{len(report.bad)} file(s) could not be read and were skipped (--skip-bad):", style="red")
        for r in report.bad:
            err(f"  {r.problem}", style="red")
        problems = True
    if report.skipped:
        err(
            f"{len(report.skipped)} file(s) not ingested because of anonymity findings: "
            + ", ".join(r.file for r in report.skipped)
            + ". Fix them (`qualcode anonymise`) or pass --allow-pii.",
            style="red",
        )
        problems = True
    if report.run_id is None:
        info("nothing changed")
    else:
        info(f"run {report.run_id}: {sum(r.status == 'new' for r in report.files)} new, "
             f"{sum(r.status == 'updated' for r in report.files)} updated, "
             f"{sum(r.status == 'unchanged' for r in report.files)} unchanged")
    if problems:
        raise typer.Exit(1)
