"""``qualcode typology``: assign cases (or teams) to the types of a typology, with the tables
that justify it (assignment with evidence, distribution over types, type profile, appendix).

A thin wrapper: :meth:`Project.typology_data` assigns the types (:mod:`qualcode.tables.typology`),
:meth:`Project.typology_tables` builds the tables by name and the printer writes them in every format.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, line, output_format, print_frames, print_tables
from qualcode.errors import InputError
from qualcode.export.table import Table
from qualcode.tables.frame import frame_table
from qualcode.tables.typology import OVERRIDE_ATTR, assignment_json
from qualcode.tables.typology_eval import TypologyEvaluation
from qualcode.tables.typology_tables import TypologyTableOptions


class TypologyTable(str, Enum):
    assignment = "assignment"
    distribution = "distribution"
    profile = "profile"
    appendix = "appendix"
    all = "all"


@app.command("typology")
def typology_cli(
    typology: Path = typer.Argument(None, help="Typology file (default: [project] typology in qualcode.toml)."),
    coder: str = typer.Option(None, "--coder", help="Whose codings (needed when there are several coders); "
                              "auto:rules or auto:model: an engine's suggestions instead of codings."),
    suggestions: str = typer.Option("open", "--suggestions", help="For auto:ENGINE: open suggestions, or all "
                                    "(open, accepted and rejected)."),
    level: str = typer.Option(None, "--level", help="case, or a case attribute (e.g. team) whose cases are pooled."),
    table: TypologyTable = typer.Option(TypologyTable.assignment, "--table",
                                        help="assignment, distribution, profile, appendix or all."),
    counts: bool = typer.Option(False, "--counts", help="Profile: show the pole counts, e.g. professional (7:2)."),
    majority: float = typer.Option(0.6, "--majority", help="Profile: share a pole needs to dominate (more than)."),
    municipality_attr: str = typer.Option(
        "gemeente", "--municipality-attr", help="Case attribute of the municipality."
    ),
    team_attr: str = typer.Option("team", "--team-attr", help="Case attribute of the team."),
    team_number_attr: str = typer.Option(None, "--team-number-attr",
                                         help="Numeric case attribute to check respondent ids against."),
    max_quotes: int = typer.Option(3, "--max-quotes", help="Appendix: quotes per feature and team."),
    max_words: int = typer.Option(40, "--max-words", help="Appendix: words per quote (0: no limit)."),
    override_attr: str = typer.Option(OVERRIDE_ATTR, "--override-attr", help="Case attribute holding a manual type."),
    evaluate: Path = typer.Option(None, "--evaluate",
                                  help="CSV case,variant[,split] of known variants: score the assignment against it."),
    split: str = typer.Option(None, "--split", help="--evaluate: only the cases of this split (dev, heldout, all)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension)."),
) -> None:
    """Assign each case (or each team, --level team) a type from its coded features, or say why not.

    The best-scoring type is assigned when it has its required features, enough supporting
    fragments (min_evidence), at least min_score points and a lead of margin over the runner-up
    (see the typology file, docs/codebook-format.md); otherwise the case is `undetermined`
    (`unclassified` in format-1 files) and the reason says which check failed, with the numbers.
    In format 2 each fragment counts once per feature, weighted by the score of the suggestion a
    coding was accepted from and by its stance. The case attribute `qualcode.type`, set with
    `qualcode cases set ID qualcode.type=regisseur`, wins and is marked manual (an attribute
    called plain `type` is an ordinary attribute).

    --coder auto:rules scores the rule engine's open suggestions as if they were codings, so the
    typology can be tried (or evaluated) before anyone reviews them.

    Tables: the assignment with its reason and the strongest fragments for and against (with
    their weights), the distribution over types (respondent ids as ranges, Adm01_r1 t/m r3), the
    type profile (dominant pole per aspect by majority rule) and the appendix of quotes per type
    and team; every table says how many cases are undetermined and why.

    JSON (assignment): a list of {case, type, scores, evidence: [fragment ids], contradicting,
    manual, reason, kind, candidate, supporting, needed, for: [{fragment, weight, codes}],
    against: [{fragment, weight, codes, points_to}]}.

    --evaluate FILE compares the assignment with known variants (CSV case,variant[,split]):
    accuracy overall (a case without a type counts as wrong), coverage (share given a type),
    accuracy where assigned, per-variant recall and precision, a confusion table, and the
    majority baseline (every case gets the most common known variant). JSON: {source, typology,
    coder, level, split, cases, assigned, correct, accuracy, coverage, accuracy_assigned,
    majority: {variant, accuracy}, variants: [{variant, cases, assigned, correct, recall,
    precision}], confusion: {variant: {said: n}}, columns, per_case: [{case, variant, assigned,
    correct, scores, manual}], verdict, notes}.

    Examples:

      qualcode typology --coder anna

      qualcode typology --coder auto:rules --format json

      qualcode typology codebooks/klantmanager-typology.yaml --coder anna --level team --table distribution

      qualcode typology --coder anna --table profile --counts --format md

      qualcode typology --coder anna --table all --out exports/typologie.xlsx

      qualcode typology --coder anna --evaluate known-variants.csv --split heldout
    """
    if evaluate is not None:
        with open_project() as project:
            result = project.typology_evaluation(evaluate, typology, coder, level, split=split,
                                                 suggestions=suggestions)
        _print_evaluation(result, fmt, out)
        return
    if split is not None:
        raise InputError("--split goes with --evaluate FILE")

    names = [t.value for t in TypologyTable if t != TypologyTable.all] if table == TypologyTable.all else [table.value]
    with open_project() as project:
        options = TypologyTableOptions(municipality_attr=municipality_attr, team_attr=team_attr,
                                       team_number_attr=team_number_attr, counts=counts, majority=majority,
                                       max_quotes=max_quotes, max_words=max_words or None,
                                       citation=project.config.citation)
        data = project.typology_data(typology, coder, level, override_attr=override_attr, suggestions=suggestions)
        frames = project.typology_tables(names, options=options, data=data)
    json_data = None
    if output_format(fmt, out) == Format.json:  # the assignment keeps its documented JSON form
        records = {n: assignment_json(data) if n == "assignment" else frame_table(df).records()
                   for n, df in frames.items()}
        json_data = records if table == TypologyTable.all else records[table.value]
    print_frames(list(frames.values()), fmt, out, sheets=names, json_data=json_data)


def _print_evaluation(result: TypologyEvaluation, fmt: Format, out: Path | None) -> None:
    """Summary (each figure beside the majority baseline), per-variant figures and the confusion table."""
    base = result.majority
    summary = Table(["measure", "typology", f"everyone {base['variant']}"], [
        ["accuracy (no type = wrong)", result.accuracy, base["accuracy"]],
        ["coverage (share given a type)", result.coverage, 1.0],
        ["accuracy where assigned", result.accuracy_assigned, base["accuracy"]],
        ["cases", result.cases, result.cases],
    ], title=f"Typology {result.typology} vs {result.source}" + ("" if result.split == "all" else
                                                                  f", split {result.split}"),
        notes=list(result.notes))
    variants = Table(["variant", "cases", "assigned", "correct", "recall", "precision"],
                     [[v["variant"], v["cases"], v["assigned"], v["correct"], v["recall"], v["precision"]]
                      for v in result.variants], title="Per variant")
    confusion = Table(["known \\ assigned", *result.columns, "total"],
                      [[t, *row.values(), sum(row.values())] for t, row in result.confusion.items()],
                      title="Confusion (rows: known variant; columns: what the typology said)")
    kind = output_format(fmt, out)
    if kind != Format.table:
        summary.notes.insert(0, result.verdict)
    print_tables([summary, variants, confusion], fmt, out, json_data=result.to_dict())
    if kind == Format.table:
        line(result.verdict, style="bold")
