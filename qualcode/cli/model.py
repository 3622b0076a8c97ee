"""``qualcode train`` and ``qualcode evaluate``: the model engine and how far to trust a suggester."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from qualcode.cli.app import app, find_project, open_project
from qualcode.cli.printer import Format, info, line, output_format, print_rows, print_tables, progress_bar
from qualcode.errors import InputError
from qualcode.export.table import Table
from qualcode.suggest.engines import engine_names
from qualcode.suggest.gold import DEFAULT_MIN_SCORE, GoldReport, evaluate_gold_file

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
    coder: str = typer.Option(None, "--coder", help="Whose codings are the reference (stored suggestions)."),
    gold: Path = typer.Option(None, "--gold", "-g",
                              help="CSV or JSONL of labelled texts or fragment ids: run the engine on them."),
    engine: str = typer.Option("rules", "--engine", "-e", help=f"{', '.join(engine_names())}."),
    codes: str = typer.Option(None, "--codes", "-c", help="Only codes under this prefix, e.g. logic."),
    split: str = typer.Option(None, "--split", help="--gold: dev, heldout (the file's split column) or all."),
    codebook: Path = typer.Option(None, "--codebook",
                                  help="--gold: codebook YAML (default: the project's, else the shipped one)."),
    manual_only: bool = typer.Option(False, "--manual-only",
                                     help="Reference = manual and imported codings only (not accepted suggestions)."),
    min_score: float = typer.Option(None, "--min-score",
                                    help=f"Count only suggestions scoring at least this (--gold: default "
                                         f"{DEFAULT_MIN_SCORE}, as `suggest` stores)."),
    model_coder: str = typer.Option(None, "--model-coder",
                                    help="--gold --engine model: whose trained model (default: the newest)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """How far to trust a suggester: against a gold file (--gold) or a coder's codings (--coder).

    --gold FILE runs the engine on every item of FILE and scores it. FILE is CSV (header row)
    or JSONL with `labels` (a list, or code ids separated by ';' or ',') and either `text`
    (works outside a project, with the project's codebook, --codebook or the shipped one) or
    `fragment` (a fragment id of the current project); optional `id` and `split` (--split dev).
    Codes evaluated are those in the labels, rolled up: a label or suggestion of
    discretion.coping.rationing counts for discretion.coping. Per code: precision, recall, F1,
    support; per family of sibling codes: macro-F1 and top-1 (items with one label in the
    family: is the engine's highest-scoring code the right one?); on the same lines the
    baselines majority (the family's most frequent label on every item) and all-siblings
    (every code of the family on every item; random top-1 = 1/codes); a verdict per family
    with a 95% bootstrap interval; and a reliability table (score bins: mean score vs
    observed precision).

    --coder NAME compares an engine's stored suggestions with NAME's codings per respondent
    turn (tp, fp, fn, tn, precision, recall, F1, Cohen's kappa). Caveat: accepted suggestions
    are codings, so this flatters the engine; --manual-only compares with manual and imported
    codings only.

    JSON (--gold): {source, engine, codebook, split, items, min_score, codes_prefix, codes:
    [{code, family, support, predicted, tp, fp, fn, tn, precision, recall, f1, majority:
    {precision, recall, f1}, all_siblings: {...}}], families: [{family, codes, items,
    labelled, macro_f1, top1: {items, correct, accuracy, answered}, majority: {code, macro_f1,
    top1}, all_siblings: {macro_f1, top1}, random_top1, comparison: {baseline, difference,
    low, high}, verdict}], overall: {codes, items, macro_f1, majority_macro_f1,
    all_siblings_macro_f1}, calibration: {bins: [{bin, low, high, pairs, mean_score,
    precision, positives}], unscored: {pairs, positives, positive_share}, scored_pairs, ece},
    verdicts, not_evaluated: [{code, items}], notes, seconds}.

    JSON (--coder): {unit, coder, engine, reference, suggestions, transcripts, units, codes:
    [{code, units, coded, suggested, tp, fp, fn, tn, precision, recall, f1, cohen_kappa,
    note}], pooled, macro_f1, notes}.

    Examples:

      qualcode evaluate --gold mine.csv

      qualcode evaluate --gold benchmarks/gold/quotes.jsonl --split heldout --codes logic

      qualcode evaluate --gold fragments.csv --engine model --format json

      qualcode evaluate --coder anna --manual-only

      qualcode evaluate --coder bram --engine model --codes logic --format json
    """
    if (coder is None) == (gold is None):
        raise InputError("give --gold FILE (run an engine on labelled texts) or --coder NAME (stored suggestions "
                         "vs a coder's codings), not both")
    if gold is not None:
        if manual_only:
            raise InputError("--manual-only goes with --coder (the gold file is the reference with --gold)")
        _evaluate_gold(gold, engine, codes, split, codebook, min_score, model_coder, fmt, out)
        return
    if split or codebook or model_coder:
        raise InputError("--split, --codebook and --model-coder go with --gold")
    with open_project() as project:
        report = project.evaluation_report(coder, engine, codes=codes, manual_only=manual_only, min_score=min_score)
    rows = [*report["codes"], report["pooled"]]
    title = f"{engine} suggestions vs {coder}'s codings ({report['reference']}), unit: {report['unit']}"
    print_rows(rows, EVAL_COLUMNS, fmt, out=out, title=title, notes=report["notes"], json_data=report)


def _evaluate_gold(gold: Path, engine: str, codes: str | None, split: str | None, codebook: Path | None,
                   min_score: float | None, model_coder: str | None, fmt: Format, out: Path | None) -> None:
    """``evaluate --gold``: in a project if there is one (fragment ids allowed), else on texts alone."""
    project = find_project()
    with progress_bar(f"evaluate {engine}") as update:
        if project is None:
            if model_coder:
                raise InputError("--model-coder needs a project with a trained model")
            report = evaluate_gold_file(gold, codebook=codebook, engine=engine, split=split, codes=codes,
                                        min_score=min_score, progress=update)
        else:
            with project:
                report = project.evaluate_gold(gold, engine=engine, split=split, codes=codes, min_score=min_score,
                                               codebook=codebook, model_coder=model_coder, progress=update)
    tables = gold_tables(report)
    kind = output_format(fmt, out)
    if kind != Format.table:
        tables[0].notes = [*report.verdicts, *tables[0].notes]
    print_tables(tables, fmt, out, json_data=report.to_dict())
    if kind == Format.table:
        for verdict in report.verdicts:
            line(verdict, style="bold")


GOLD_COLUMNS = ["code", "n", "P", "R", "F1", "top-1", "maj P", "maj R", "maj F1", "maj top-1",
                "all P", "all R", "all F1", "rand top-1"]
GOLD_LEGEND = ("n: items carrying the code (a family's macro row: items with any of its codes); maj: the majority "
               "baseline, all: the all-siblings baseline, rand: random top-1")


def gold_tables(report: GoldReport) -> list[Table]:
    """The figures of ``evaluate --gold`` as two tables: per code with each family's macro-F1 and
    top-1 after its codes (engine and both baselines on the same line), and the reliability bins."""
    rows: list[list[Any]] = []
    for fam in report.families:
        for c in (r for r in report.codes if r["family"] == fam["family"]):
            rows.append([c["code"], c["support"], *_two(c["precision"], c["recall"], c["f1"]), None,
                         *_two(*c["majority"].values()), None, *_two(*c["all_siblings"].values()), None])
        top1 = fam["top1"] or {}
        rows.append([f"{fam['family']}.* (macro)", fam["labelled"], None, None,
                     _two(fam["macro_f1"])[0], _two(top1.get("accuracy"))[0], None, None,
                     *_two(fam["majority"]["macro_f1"], fam["majority"]["top1"]), None, None,
                     _two(fam["all_siblings"]["macro_f1"])[0], _two(fam["random_top1"])[0]])
    o = report.overall
    rows.append(["(all codes) macro", o["items"], None, None, _two(o["macro_f1"])[0], None, None, None,
                 _two(o["majority_macro_f1"])[0], None, None, None, _two(o["all_siblings_macro_f1"])[0], None])
    split = "" if report.split == "all" else f", split {report.split}"
    title = (f"{report.engine} engine on {report.source}{split} ({report.items} items, suggested = score >= "
             f"{report.min_score:g})")
    main = Table(GOLD_COLUMNS, rows, title=title, notes=[GOLD_LEGEND, *report.notes])
    cal = report.calibration
    bins = [[b["bin"], b["pairs"], _two(b["mean_score"])[0], _two(b["precision"])[0], b["positives"]]
            for b in cal["bins"]]
    bins.append(["no score", cal["unscored"]["pairs"], None, _two(cal["unscored"]["positive_share"])[0],
                 cal["unscored"]["positives"]])
    ece = f"ECE {cal['ece']:.3f}" if cal["ece"] is not None else "ECE undefined (nothing scored)"
    reliability = Table(["score", "pairs", "mean score", "observed precision", "labelled"], bins,
                        title="Reliability: (item, code) pairs by engine score",
                        notes=[f"{ece}: mean |score - precision| weighted by pairs; 'no score': pairs the engine "
                               "gave no score, 'observed precision' there = share of them that carry the code "
                               "(what it misses)"])
    return [main, reliability]


def _two(*values: float | None) -> list[float | None]:
    """Figures rounded to two decimals for the terminal (JSON keeps four)."""
    return [None if v is None else round(v, 2) for v in values]
