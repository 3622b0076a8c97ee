"""``qualcode train`` and ``qualcode evaluate``: the model engine and how far to trust a suggester."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_rows, progress_bar

TRAIN_COLUMNS = ["code", "positives", "precision", "recall", "f1", "tp", "fp", "fn", "threshold", "note"]
EVAL_COLUMNS = ["code", "units", "coded", "suggested", "tp", "fp", "fn", "tn", "precision", "recall", "f1",
                "cohen_kappa", "note"]


@app.command("train")
def train_cli(
    coder: str = typer.Option(..., "--coder", help="Whose codings to learn from."),
    min_examples: int = typer.Option(5, "--min-examples", help="Skip codes on fewer coded turns than this."),
    folds: int = typer.Option(5, "--folds", help="Cross-validation folds for the reported metrics."),
    kind: str = typer.Option("auto", "--kind", "--engine-kind",
                             help="auto (= sklearn, which measured better), sklearn or spacy."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """Train the model engine on a coder's codings and report cross-validated metrics per code.

    Unit: the respondent turn. A turn is a positive example of a code when the coder coded it
    with that code (by hand, imported, or by accepting a suggestion); only turns of transcripts
    the coder coded count. Codes with too few examples are skipped with a note. The model is
    stored in the project as one run (undo with `qualcode runs undo`); use it with
    `qualcode suggest --engine model`.

    JSON: {model_id, run_id, coder, kind, fragments, transcripts, folds, codes: [{code,
    positives, precision, recall, f1, tp, fp, fn, tn, threshold}], skipped: [{code, positives,
    note}], micro, macro, cv_seconds, fit_seconds, notes}.

    Examples:

      qualcode train --coder anna

      qualcode train --coder anna --min-examples 10 --kind spacy --format json
    """
    with open_project() as project, progress_bar("train") as update:
        result = project.train(coder, min_examples=min_examples, folds=folds, kind=kind, progress=update)
    rows = [dict(r, note=None) for r in result.codes]
    rows.append({"code": "(micro)", **{k: result.micro.get(k) for k in ("precision", "recall", "f1", "tp", "fp", "fn")},
                 "note": "counts pooled over codes x turns"})
    rows.append({"code": "(macro)", **{k: result.macro.get(k) for k in ("precision", "recall", "f1")},
                 "note": "mean over codes"})
    rows += [{"code": s["code"], "positives": s["positives"], "note": f"skipped: {s['note']}"} for s in result.skipped]
    print_rows(rows, TRAIN_COLUMNS, fmt, out=out, json_data=result.to_dict(),
         title=f"{result.kind} model {result.model_id} for {coder}: {result.folds}-fold cross-validation")
    for note in result.notes:
        info(note)
    info(f"model {result.model_id} stored (run {result.run_id}); use it with `qualcode suggest --engine model "
         f"--coder {coder}`")


@app.command("evaluate")
def evaluate_cli(
    coder: str = typer.Option(..., "--coder", help="Whose codings are the reference."),
    engine: str = typer.Option("rules", "--engine", "-e", help="rules or model."),
    codes: str = typer.Option(None, "--codes", "-c", help="Only codes under this prefix, e.g. logic."),
    manual_only: bool = typer.Option(False, "--manual-only",
                                     help="Reference = manual and imported codings only (not accepted suggestions)."),
    min_score: float = typer.Option(None, "--min-score", help="Count only suggestions scoring at least this."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """Score an engine's suggestions against a coder's codings, per code: how far to trust it.

    Unit: the respondent turn, in transcripts the coder coded and the engine made suggestions in.
    A code is "suggested" on a turn when the engine suggested it there, whatever became of the
    suggestion (open, accepted or rejected), and "coded" when the coder has a coding of it there.
    Reports tp, fp, fn, tn, precision, recall, F1 and Cohen's kappa per code and pooled.

    Caveat: accepted suggestions are codings, so comparing an engine with codings made by
    accepting its own suggestions flatters it. --manual-only compares with manual and imported
    codings only.

    JSON: {unit, coder, engine, reference, suggestions, transcripts, units, codes: [{code, units,
    coded, suggested, tp, fp, fn, tn, precision, recall, f1, cohen_kappa, note}], pooled, macro_f1,
    notes}.

    Examples:

      qualcode evaluate --coder anna

      qualcode evaluate --coder bram --engine model --codes logic --manual-only --format json
    """
    with open_project() as project:
        report = project.evaluation_report(coder, engine, codes=codes, manual_only=manual_only, min_score=min_score)
    rows = [*report["codes"], report["pooled"]]
    title = f"{engine} suggestions vs {coder}'s codings ({report['reference']}), unit: {report['unit']}"
    print_rows(rows, EVAL_COLUMNS, fmt, out=out, title=title, notes=report["notes"], json_data=report)
