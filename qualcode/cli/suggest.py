"""``qualcode suggest``: rule-based and model-based code suggestions for respondent fragments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_rows, print_tables, progress_bar
from qualcode.export.table import Table
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
    explain: str = typer.Option(None, "--explain", metavar="FRAGMENT",
                                help="Explain the rule engine's suggestions for this fragment (nothing is stored)."),
    explain_text: str = typer.Option(None, "--explain-text", metavar="TEXT",
                                     help="Explain the rule engine's suggestions for this text (nothing is stored)."),
) -> None:
    """Suggest codes for respondent turns and store them as one run (undo with `qualcode runs undo`).

    Suggestions are not codings until a coder accepts them (`qualcode review`). Running suggest
    again adds only what is new; earlier accepts and rejects stand.

    JSON: a list of {id, fragment, transcript, case, start, end, code, score, engine, evidence}.

    --explain FRAGMENT (or --explain-text "...") shows why: every indicator hit with its weight
    and modifiers (stated reason, negation, foil, compound, blocked, failed condition), the
    pieces of evidence and roll-ups per code, and each score; JSON: {fragment, text, hits, cues,
    codes, suggestions}.

    Examples:

      qualcode suggest

      qualcode suggest Hvs01_g1 --codes logic --min-score 0.5 --format json

      qualcode suggest --explain Hvs01_g1:4

      qualcode suggest --explain-text "Het gaat niet om de regels maar om de mens."
    """
    if explain is not None or explain_text is not None:
        with open_project() as project:
            trace = project.explain(explain, text=explain_text, codes=codes)
        _print_explanation(trace, min_score, fmt, out)
        return
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


def _modifier_text(m: dict[str, Any]) -> str:
    kind = m.get("kind")
    if kind in ("reason", "negation", "foil"):
        return f"{kind} '{m['cue']}' x{m['factor']:g}"
    if kind == "compound":
        return f"compound {m['part']} of '{m['word']}'"
    if kind == "blocked":
        return f"blocked by {m['by']} ({m['scope']})"
    if kind == "condition":
        return f"condition '{m['failed']}' not met {m['where']}"
    return str(m)


def _print_explanation(trace: dict[str, Any], min_score: float, fmt: Format, out: Path | None) -> None:
    """Two tables: every hit, then every code's pieces of evidence and score."""
    hits = [
        [h["code"], h["words"], h["indicator"], h["base_weight"], h["weight"],
         "; ".join(_modifier_text(m) for m in h.get("modifiers", [])), h["status"]]
        for h in trace["hits"]
    ]
    codes = []
    for c in sorted(trace["codes"], key=lambda c: -c["score"]):
        pieces = "; ".join(
            ("" if p["counted"] else "(same words) ")
            + (f"{p['weight']:g} {p['rollup']} (from {p['from_score']:g} x {p['implies_weight']:g})" if "rollup" in p
               else f"{p['weight']:g} '{p['words']}'")
            + (" stated" if p["stated"] else " topic") + (f" [{p['scoped']}]" if p.get("scoped") else "")
            for p in c["pieces"]
        )
        suggested = c["output"] and c["score"] >= min_score
        codes.append([c["code"], pieces, c["stated"], c["topic"], c["score"], "yes" if suggested else "no"])
    where = f"fragment {trace['fragment']}" if trace.get("fragment") else "text"
    cap = trace["codes"][0]["topic_cap"] if trace["codes"] else 0.3
    tables = [
        Table(["code", "words", "indicator", "weight", "after modifiers", "modifiers", "status"], hits,
              title=f"Indicator hits in {where}: {trace['text']}"),
        Table(["code", "evidence (one piece each)", "stated R", "topic T", "score", f"suggested (>= {min_score:g})"],
              codes, title="Scores per code",
              notes=[f"score = 1 - (1 - R) x (1 - min(T, {cap:g})): "
                     "R combines stated reasons, T topic words (capped below the default threshold); words shared "
                     "by several hits or roll-ups count once."]),
    ]
    print_tables(tables, fmt, out, json_data=trace)
