"""``qualcode suggest``: rule-based and model-based code suggestions for respondent fragments."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_rows, progress_bar
from qualcode.suggest.run import summarise


@app.command("suggest")
def suggest_cli(
    transcripts: list[str] = typer.Argument(None, help="Transcript ids (default: all)."),
    engine: str = typer.Option("rules", "--engine", "-e", help="rules, model or all."),
    codes: str = typer.Option(None, "--codes", "-c", help="Only codes under this prefix, e.g. logic."),
    min_score: float = typer.Option(0.35, "--min-score", help="Drop suggestions scoring below this (0-1)."),
    processes: int = typer.Option(1, "--processes", "-j", help="Worker processes for large projects."),
    coder: str = typer.Option(
        None, "--coder", help="With --engine model: whose trained model to use (default: newest)."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
    summary: bool = typer.Option(False, "--summary", help="Print counts per code instead of every suggestion."),
) -> None:
    """Suggest codes for respondent turns and store them as one run (undo with `qualcode runs undo`).

    Suggestions are not codings until a coder accepts them (`qualcode review`). Running suggest
    again adds only what is new; earlier accepts and rejects stand.

    JSON: a list of {id, fragment, transcript, case, start, end, code, score, engine, evidence}.

    Examples:

      qualcode suggest

      qualcode suggest Hvs01_g1 --codes logic --min-score 0.5 --format json
    """
    with open_project() as project, progress_bar("suggest") as update:
        run_id, records = project.suggest(
            transcripts or None, engine=engine, codes=codes, min_score=min_score, processes=processes,
            model_coder=coder, progress=update,
        )
    if summary:

        table = summarise(records)
        print_rows(table, ["code", "suggestions", "fragments", "cases", "mean_score", "rejects"], fmt, out=out,
             title="Suggestions per code", json_data=table)
        info(f"run {run_id}: {len(records)} new suggestions" if run_id else "no new suggestions")
        return
    rows = [
        {**r, "evidence": "; ".join(e.get("words", "") for e in r["evidence"] if "words" in e)} for r in records
    ]
    print_rows(rows, ["id", "fragment", "case", "code", "score", "stance", "evidence"], fmt, out=out,
         title="Suggestions", json_data=records)
    info(f"run {run_id}: {len(records)} new suggestions" if run_id else "no new suggestions")
