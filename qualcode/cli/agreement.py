"""``qualcode agree``, ``disagreements`` and ``consensus``: comparing coders.

Thin wrappers around :mod:`qualcode.agreement.compute`, :mod:`qualcode.agreement.disagreements` and
:mod:`qualcode.agreement.consensus`; rendering (tables with the methods note, the resolve prompt) lives here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from qualcode.agreement.compute import ENTRY_COEFFICIENTS, AgreementResult
from qualcode.agreement.consensus import ANSWER_HELP, AUTO_MODES, parse_answer
from qualcode.agreement.disagreements import flat_rows
from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, ask, err, info, output_format, print_json, print_rows
from qualcode.errors import InputError
from qualcode.language.labels import COEFFICIENT_HEADERS

UNDEFINED = "undefined"
HEADERS = COEFFICIENT_HEADERS


# -- agree -----------------------------------------------------------------------------------
def _display(result) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows for table/md/tex/xlsx ("undefined" for a null coefficient) and their columns."""

    cols = [c for c in result.columns() if c != "notes"]
    if result.unit != "char":
        cols.remove("scope")
    cols.remove("complete")
    rows = []
    for r in result.rows():
        row = {c: r.get(c) for c in cols}
        for name in ENTRY_COEFFICIENTS:
            if row[name] is None:
                row[name] = UNDEFINED
        rows.append({(HEADERS.get(c, c)): v for c, v in row.items()})
    return rows, [HEADERS.get(c, c) for c in cols]


_ROUTINE = ("q=", )
_MISSING = ("rated by only one coder ignored", "with a missing rating dropped")


def _informative(note: str) -> str:
    """A note without the routine parts: q=2, and the missing-rating counts (said once, overall)."""
    parts = [p for p in note.split("; ") if not p.startswith(_ROUTINE) and not any(m in p for m in _MISSING)]
    return "; ".join(parts)


def _footnotes(result) -> list[str]:
    """Why a coefficient is undefined, and other notes worth reading; the full notes are in JSON."""

    lines: list[str] = []
    seen: set[str] = set()
    entries = []
    for e in [*result.codes, result.overall]:
        entries.append((e["code"], e, e is result.overall))
        if "coded_only" in e:
            entries.append((f"{e['code']} (coded_only)", e["coded_only"], e is result.overall))
    for code, e, is_overall in entries:
        for name, note in (e.get("notes") or {}).items():
            if name in ENTRY_COEFFICIENTS:
                reason = _informative(note)
                if e.get(name) is None:
                    text = f"{HEADERS[name]} undefined: {reason or note}"
                elif reason:
                    text = f"{HEADERS[name]}: {reason}"
                else:
                    continue
            elif name == "units" and not is_overall:
                continue  # said once, for the overall row
            else:
                text = note
            line = f"{code}: {text}"
            if line not in seen:
                seen.add(line)
                lines.append(line)
    return lines


def render_agreement(result: AgreementResult, fmt: Format, out: Path | None) -> None:
    """The agreement table with its footnotes and methods note (JSON: the documented contract)."""
    kind = output_format(fmt, out)
    if kind == Format.json:
        print_json(result.to_dict(), out)
    elif kind == Format.csv:  # every column, raw values: for scripts
        print_rows(result.rows(), result.columns(), kind, out=out)
    else:
        rows, cols = _display(result)
        title = f"Agreement per code (unit: {result.unit}; coders: {', '.join(result.coders)})"
        print_rows(rows, cols, kind, out=out, title=title, notes=[*_footnotes(result), *result.warnings, result.note])


@app.command("agree")
def agree_cli(
    coder: list[str] = typer.Option(..., "--coder", help="A coder; repeat (2 or more). auto:rules or auto:model "
                                                         "stands for an engine's suggestions."),
    unit: str = typer.Option("turn", "--unit", "-u", help="turn, sentence, char or segment."),
    overlap: float = typer.Option(0.9, "--overlap", help="With --unit segment: the least overlap (intersection "
                                                         "over union) for two codings to count as the same segment."),
    codes: str = typer.Option(None, "--codes", "-c", help="Only codes under this prefix, e.g. logic."),
    group: str = typer.Option(None, "--group", "-g", help="The codes under this prefix as one nominal variable "
                                                          "(mutually exclusive values, e.g. the logics)."),
    transcript: list[str] = typer.Option(None, "--transcript", "-t", help="Only these transcripts (repeatable)."),
    rated: str = typer.Option("coded", "--rated", help="coded: a transcript counts as rated by a coder when the "
                                                       "coder has a coding in it (elsewhere that coder's ratings "
                                                       "are missing); all: every coder read every transcript."),
    suggestions: str = typer.Option("all", "--suggestions", help="For auto:ENGINE: all (open, accepted and "
                                                                 "rejected) or open suggestions."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv, md, tex or xlsx."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension)."),
) -> None:
    """Agreement between coders per code and overall, with an explicit unit and several coefficients.

    Percent agreement, Cohen's kappa (2 coders), Fleiss' kappa, Krippendorff's alpha, Gwet's AC1
    and Brennan-Prediger side by side; a coefficient that is undefined for the data is shown as
    undefined with the reason, never as 0. The output ends with a note on what the unit and the
    coefficients mean, for a methods section.

    JSON: {unit, coders, codes: [{code, units, both, only: {coder: n}, neither, percent_agreement,
    cohen_kappa, krippendorff_alpha, gwet_ac1, brennan_prediger, fleiss_kappa, notes}], overall,
    note}; with --unit char each entry also has coded_only (only characters someone coded).

    Examples:

      qualcode agree --coder anna --coder bram

      qualcode agree --coder anna --coder bram --unit sentence --codes logic --format md

      qualcode agree --coder anna --coder bram --group logic

      qualcode agree --coder anna --coder auto:rules --suggestions all
    """
    with open_project() as project:
        result = project.agreement_report(
            coder, unit=unit, overlap=overlap, codes=codes, group=group, transcripts=transcript or None,
            rated=rated, suggestions=suggestions,
        )
    render_agreement(result, fmt, out)


# -- disagreements ---------------------------------------------------------------------------
@app.command("disagreements")
def disagreements_cli(
    coder: list[str] = typer.Option(..., "--coder", help="A coder; repeat (2 or more)."),
    code: str = typer.Option(None, "--code", "-c", help="Only codes under this prefix."),
    transcript: list[str] = typer.Option(None, "--transcript", "-t", help="Only these transcripts (repeatable)."),
    rated: str = typer.Option("coded", "--rated", help="coded or all (see `qualcode agree --help`)."),
    suggestions: str = typer.Option("all", "--suggestions", help="For auto:ENGINE: all or open suggestions."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """The turns the coders coded differently: text, what each coder applied, their memos.

    Only turns every coder rated are compared (a coder rated a transcript when they have a coding in it).

    JSON: a list of {fragment, transcript, case, text, codes: {coder: [codes]}, agreed, disputed,
    memos: {coder: [..]}, codings: {coder: [{code, start, end, text, stance, memo, id}]}}.

    Example:  qualcode disagreements --coder anna --coder bram --code logic --format md
    """

    with open_project() as project:
        items = project.disagreement_rows(coder, codes=code, transcripts=transcript or None, rated=rated,
                                          suggestions=suggestions)
    cols = ["fragment", "case", *coder, "agreed", "memos", "text"]
    is_table = fmt == Format.table and out is None
    rows = flat_rows(items, coder, text_limit=160 if is_table else None)
    print_rows(rows, cols, fmt, out=out, title=f"Disagreements ({', '.join(coder)})", json_data=items)
    info(f"{len(items)} turn(s) with a disagreement")


# -- consensus -------------------------------------------------------------------------------
def _show_turn(turn, i: int, n: int, coders: list[str]) -> None:
    err("")
    err(f"[{i}/{n}] {turn.fragment}" + (f" ({turn.case})" if turn.case else ""), style="bold")
    text = turn.text if len(turn.text) <= 900 else turn.text[:899] + "…"
    err("  " + text.replace("\n", "\n  "))
    for j, c in enumerate(coders):
        letter = chr(ord("a") + j)
        codes = turn.codes(c)
        err(f"  {letter}) {c}: {', '.join(codes) if codes else '-'}")
        for r in turn.codings.get(c, []):
            if r.get("memo"):
                err(f"       memo on {r['code']}: {r['memo']}")
    if turn.agreed:
        err(f"  agreed (kept): {', '.join(turn.agreed)}")
    err(f"  disputed: {', '.join(turn.disputed)}")


def prompt_resolver(coders: list[str], codebook):
    """A resolver reading one answer per line from stdin (works when stdin is not a terminal)."""

    letters = "/".join(chr(ord("a") + j) for j in range(len(coders)))
    err(ANSWER_HELP)

    def resolve(turn, i: int, n: int):
        _show_turn(turn, i, n, coders)
        while True:
            line = ask(f"  {letters}/both/neither/other CODE/q? ")
            if line == "":
                raise InputError(
                    f"input ended at disagreement {i} of {n}; nothing saved (answer 'q' to save the resolved ones)"
                )
            if not line.strip():
                continue
            try:
                return parse_answer(line, coders, codebook)
            except InputError as exc:
                err(f"  {exc}", style="yellow")

    return resolve


@app.command("consensus")
def consensus_cli(
    coder: list[str] = typer.Option(..., "--coder", help="A coder; repeat (2 or more)."),
    name: str = typer.Option(..., "--as", help="Name of the new consensus coder."),
    auto: str = typer.Option(None, "--auto", help="agreed-only: copy the agreed codings, leave disagreements out "
                                                  "(no questions; for scripts)."),
    codes: str = typer.Option(None, "--codes", "-c", help="Only codes under this prefix."),
    transcript: list[str] = typer.Option(None, "--transcript", "-t", help="Only these transcripts (repeatable)."),
    rated: str = typer.Option("coded", "--rated", help="coded or all (see `qualcode agree --help`)."),
    fmt: Format = typer.Option(None, "--format", "-f", help="json: print the summary as JSON on stdout."),
) -> None:
    """Make a consensus coder: agreed codings are copied, disagreements resolved one by one.

    For each turn the coders coded differently, answer a/b (keep that coder's codes), both,
    neither, other CODE [CODE ...] or q (save what is resolved, leave the rest out). Answers are
    read one per line, so they can be piped in. Nothing is saved until all questions are answered
    (or q); the result is one run (`qualcode runs undo` removes it), and the new coder's note
    records where it came from.

    Examples:

      qualcode consensus --coder anna --coder bram --as consensus

      qualcode consensus --coder anna --coder bram --as agreed --auto agreed-only
    """

    if auto is not None and auto not in AUTO_MODES:
        raise InputError(f"--auto must be one of {', '.join(AUTO_MODES)}, not {auto!r}")
    with open_project() as project:
        resolve = None if auto else prompt_resolver(list(coder), project.codebook())
        report = project.consensus(coder, name, resolve=resolve, codes=codes, transcripts=transcript or None,
                                   rated=rated)
    if fmt == Format.json:
        print_json(report.to_dict())
    info(
        f"coder {report.coder}: {report.codings} coding(s) ({report.agreed} agreed; {report.resolved} of "
        f"{report.disagreements} disagreement(s) resolved) in run {report.run_id}"
    )
