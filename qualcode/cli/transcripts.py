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

    JSON: a list of {id, file, turns, words, cases, attributes}.

    Example:  qualcode transcripts list --format json
    """
    with open_project() as project:
        rows = project.transcript_rows()
    cols = ["id", "file", "turns", "words", "cases"]
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
        {"fragment": f["id"], "speaker": f["speaker"], "case": f["case"] or "", "text": f["text"]}
        for f in data["fragments"]
    ]
    if fmt in (Format.csv, Format.md):
        print_rows(rows, ["fragment", "speaker", "case", "text"], fmt)
        return
    from rich.text import Text

    attrs = ", ".join(f"{k}={v}" for k, v in data["attributes"].items())
    show(Text.assemble((data["id"], "bold"), f"  {data['file']}  {attrs}"))
    for f in data["fragments"]:
        label = f"{f['id']} {f['speaker']}" + (f" ({f['case']})" if f["case"] and f["case"] != f["speaker"] else "")
        line(label, style="cyan")
        line(f"  {f['text']}", style="dim" if f["interviewer"] else None)
