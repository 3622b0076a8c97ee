"""``qualcode transcripts``: list and show ingested transcripts."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, line, print_json, print_rows, show

transcripts_app = typer.Typer(help="List and show ingested transcripts.", no_args_is_help=True)
app.add_typer(transcripts_app, name="transcripts")


@transcripts_app.command("list")
def transcripts_list_cli(
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """List transcripts with respondent turns, words and cases.

    JSON: a list of {id, file, format, layout, turns, words, cases, attributes}.

    Example:  qualcode transcripts list --format json
    """
    with open_project() as project:
        rows = project.transcript_rows()
    cols = ["id", "file", "layout", "turns", "words", "cases"]
    if fmt != Format.table or out is not None:  # attributes fold badly in a terminal table
        cols.append("attributes")
    print_rows(rows, cols, fmt, out=out, title="Transcripts", json_data=rows)


@transcripts_app.command("show")
def transcripts_show_cli(
    transcript: str = typer.Argument(..., help="Transcript id."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    sentences: bool = typer.Option(False, "--sentences", help="Show sentences (the second unit) instead of turns."),
) -> None:
    """Show a transcript turn by turn with fragment ids, speakers and cases.

    The layout it was read as and its header (text before the first turn) come first; turns the
    reader had doubts about (a label that occurs once, several labels pooled into one case, a
    generic "Speaker 1") are marked with "!" and the reason, the notes listed below.

    Example:  qualcode transcripts show Hvs01_g1
    """
    with open_project() as project:
        data = project.transcript(transcript)
        sents = project.sentences(transcript) if sentences else None
    if sents is not None:
        columns = ["fragment", "n", "start", "end", "text"]
        print_rows(sents, columns, fmt, title=f"Sentences of {transcript}", json_data=sents)
        return
    if fmt == Format.json:
        print_json(data)
        return
    rows = [
        {"fragment": f["id"], "speaker": f["speaker"], "case": f["case"] or "", "text": f["text"],
         "notes": ", ".join(f["notes"])}
        for f in data["fragments"]
    ]
    if fmt in (Format.csv, Format.md):
        print_rows(rows, ["fragment", "speaker", "case", "text", "notes"], fmt)
        return
    from rich.text import Text

    attrs = ", ".join(f"{k}={v}" for k, v in data["attributes"].items())
    layout = f"  [{data['layout']}]" if data["layout"] else ""
    show(Text.assemble((data["id"], "bold"), f"  {data['file']}{layout}  {attrs}"))
    for text in data["header"].splitlines():
        line(f"  | {text}", style="dim")
    for f in data["fragments"]:
        label = f"{f['id']} {f['speaker']}" + (f" ({f['case']})" if f["case"] and f["case"] != f["speaker"] else "")
        if f["notes"]:
            label += f"  ! {', '.join(f['notes'])}"
        line(label, style="yellow" if f["notes"] else "cyan")
        text = f["text"].replace("\n", "\n  ")
        line(f"  {text}", style="dim" if f["interviewer"] else None)
    for text in data["footer"].splitlines():
        line(f"  | {text}", style="dim")
    for note in data["notes"]:
        where = f"line {note['line']}: " if note["line"] else ""
        line(f"! {note['kind']}: {where}{note['message']}", style="yellow")


@transcripts_app.command("speakers")
def transcripts_speakers_cli(
    target: str = typer.Argument(..., help="A transcript file (read now, also before ingest) or a transcript id."),
    speakers: Path = typer.Option(
        None, "--speakers", "-s", help="Speakers CSV to map with (default: [ingest] speakers)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
) -> None:
    """List the speaker labels of a transcript: turns, words, first line, and the case (or
    interviewer) each label is mapped to and by which rule.

    A file is read and mapped as `qualcode ingest` would map it now (front matter speakers:, the
    speakers file, interviewer labels, known cases, generic labels, the transcript's case); the
    notes say which labels need a look. JSON: {transcript, file, layout, speakers: [{label, role,
    case, turns, words, first_line, how}], notes: [{kind, message, line, turns}]}.

    Examples:

      qualcode transcripts speakers transcripts/Hvs01_g1.txt

      qualcode transcripts speakers ~/Downloads/teams.docx --speakers transcripts/speakers.csv
    """
    with open_project() as project:
        report = project.speaker_report(target, speakers)
    if fmt == Format.json:
        print_json(report)
        return
    columns = ["label", "role", "case", "turns", "words", "first_line", "how"]
    notes = [f"{n['kind']}: " + (f"line {n['line']}: " if n["line"] else "") + n["message"] for n in report["notes"]]
    title = f"Speakers of {report['transcript']} ({report['layout'] or 'layout not recorded'})"
    print_rows(report["speakers"], columns, fmt, title=title, notes=notes, json_data=report)
