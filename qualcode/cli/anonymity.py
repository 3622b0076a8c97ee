"""``qualcode anonymity``: check the stored transcripts against the current anonymity settings."""

from __future__ import annotations

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_json, progress_bar, stored_findings_notice

anonymity_app = typer.Typer(help="Check stored transcripts for personal data.", no_args_is_help=True)
app.add_typer(anonymity_app, name="anonymity")


@anonymity_app.command("check")
def anonymity_check_cli(
    names_only: bool = typer.Option(
        False, "--names-only", help="Only the names listed under [anonymity], not the other detectors."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
) -> None:
    """Look for personal data in the stored transcripts with the current settings: a name added
    to [anonymity] in qualcode.toml after a transcript was ingested is found here.

    Each finding names the transcript, its file, fragment and source line; the files to fix and
    ingest again are listed. Transcripts ingested with --allow-pii are shown with allowed=True
    and do not count. Exit 1 when something is found. JSON: a list of {transcript, file,
    fragment, line, column, kind, text, allowed}.

    Examples:

      qualcode anonymity check

      qualcode anonymity check --names-only --format json
    """
    with open_project() as project, progress_bar("anonymity check") as update:
        findings = project.check_anonymity(names_only=names_only, progress=update)
    if fmt == Format.json:
        print_json([f.to_dict() for f in findings])
    elif findings:
        stored_findings_notice(findings, "Personal data in stored transcripts")
    problems = [f for f in findings if not f.allowed]
    if problems:
        raise typer.Exit(1)
    info(f"no personal data found in the stored transcripts ({len(findings)} allowed finding(s))"
         if findings else "no personal data found in the stored transcripts")
