"""``qualcode code``, ``uncode``, ``codings``, ``memo`` and ``progress``: scripted coding, listing, and
how far the coding is."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.agreement.progress import CODER_COLUMNS, PAIR_COLUMNS, TURN_COLUMNS
from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_rows, print_tables
from qualcode.errors import InputError
from qualcode.export.table import Table


def _parse_span(span: str | None) -> tuple[int, int] | None:
    if span is None:
        return None
    try:
        a, b = span.split(":")
        return int(a), int(b)
    except ValueError:
        raise InputError(f"--span must be START:END (character offsets in the fragment), not {span!r}") from None


@app.command("code")
def code_cli(
    fragment: str = typer.Argument(..., help="Fragment id, e.g. Hvs01_g1:12."),
    codes: list[str] = typer.Argument(..., help="One or more code ids."),
    coder: str = typer.Option(..., "--coder", help="Who codes."),
    quote: str = typer.Option(None, "--quote", help="Code only this text of the fragment."),
    span: str = typer.Option(None, "--span", help="Code only START:END (offsets within the fragment text)."),
    stance: str = typer.Option(None, "--stance", help="endorses, rejects, distances or describes."),
    memo: str = typer.Option(None, "--memo", help="A memo on the coding."),
) -> None:
    """Apply codes to a fragment (a speaker turn), or to part of it.

    Examples:

      qualcode code Hvs01_g1:12 logic.market --coder anna --quote "die targets vind ik onzin" --stance rejects

      qualcode code Osd06_r3:7 logic.professional discretion.coping --coder anna
    """
    with open_project() as project:
        ids = project.code(fragment, codes, coder=coder, quote=quote, span=_parse_span(span), stance=stance, memo=memo)
    info(f"coded {fragment} with {', '.join(codes)} (coding {', '.join(map(str, ids))})")


@app.command("uncode")
def uncode_cli(
    fragment: str = typer.Argument(..., help="Fragment id."),
    codes: list[str] = typer.Argument(None, help="Codes to remove (default: all of this coder's codings there)."),
    coder: str = typer.Option(..., "--coder", help="Whose codings."),
) -> None:
    """Remove a coder's codings from a fragment (a run that can be undone).

    Example:  qualcode uncode Hvs01_g1:12 logic.market --coder anna
    """
    with open_project() as project:
        n = project.uncode(fragment, codes or None, coder=coder)
    info(f"removed {n} coding(s) from {fragment}")


@app.command("codings")
def codings_cli(
    coder: list[str] = typer.Option(None, "--coder", help="Only these coders (repeatable)."),
    code: str = typer.Option(None, "--code", help="Only codes under this prefix."),
    transcript: list[str] = typer.Option(None, "--transcript", "-t", help="Only these transcripts (repeatable)."),
    orphaned: bool = typer.Option(False, "--orphaned", help="List codings that lost their place after an edit."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """List codings.

    JSON: a list of {id, coder, code, fragment, transcript, case, start, end, text, memo, origin}.

    Example:  qualcode codings --coder anna --code logic --format json
    """
    with open_project() as project:
        rows = project.coding_rows(coders=coder or None, codes=code, transcripts=transcript or None,
                                   status="orphaned" if orphaned else "active")
    print_rows(rows, ["id", "coder", "code", "fragment", "case", "stance", "text"], fmt, out=out, title="Codings",
         json_data=rows)


@app.command("memo")
def memo_cli(
    target: str = typer.Argument(..., help="project, code:ID, fragment:ID, case:ID, transcript:ID or coding:ID."),
    text: str = typer.Argument(None, help="The memo text (omit to list memos on the target)."),
    coder: str = typer.Option(None, "--coder", help="Who writes the memo."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md (listing)."),
) -> None:
    """Add a memo to the project, a code, a fragment, a case, a transcript or a coding; or list them.

    Examples:

      qualcode memo code:logic.market "Marktlogica komt vooral als afwijzing voor." --coder anna

      qualcode memo fragment:Hvs01_g1:12
    """
    kind, _, target_id = target.partition(":")
    with open_project() as project:
        if text is None:
            rows = project.memo_rows(kind if kind != "all" else None, target_id or None)
            columns = ["id", "target_kind", "target_id", "coder", "created_at", "text"]
            print_rows(rows, columns, fmt, title="Memos", json_data=rows)
            return
        memo_id = project.memo(kind, target_id or None, text, coder=coder)
    info(f"memo {memo_id} added to {target}")


@app.command("progress")
def progress_cli(
    coder: list[str] = typer.Option(None, "--coder", help="Only these coders (repeatable; default: all)."),
    transcript: list[str] = typer.Option(None, "--transcript", "-t", help="Only these transcripts (repeatable)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv, md, tex, xlsx or docx."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (the format follows the extension)."),
) -> None:
    """How far each coder is: respondent turns reviewed, coded and open, per coder and per
    transcript; and per pair of coders what is left before agreement can be computed on the same
    material (transcripts both coded, and those only one of them coded).

    A turn is reviewed when the coder coded it, accepted or rejected a suggestion on it, or went
    past it in `qualcode review`.

    JSON: {coders: [{coder, transcripts, started, finished, turns, reviewed, coded, open,
    reviewed_pct}], transcripts: [{coder, transcript, turns, reviewed, coded, open, reviewed_pct}],
    pairs: [{coder_a, coder_b, both, both_finished, only_a, only_b, left_for_a, left_for_b}], notes}.

    Examples:

      qualcode progress

      qualcode progress --coder anna --coder bram --format json
    """
    with open_project() as project:
        report = project.progress_report(coder or None, transcript or None)
    shown = [{**p, "left_for_a": ", ".join(p["left_for_a"]), "left_for_b": ", ".join(p["left_for_b"])}
             for p in report.pairs]
    tables = [
        Table(CODER_COLUMNS, [[r[c] for c in CODER_COLUMNS] for r in report.coders], title="Progress per coder"),
        Table(TURN_COLUMNS, [[r[c] for c in TURN_COLUMNS] for r in report.turns], title="Progress per transcript"),
        Table(PAIR_COLUMNS, [[r[c] for c in PAIR_COLUMNS] for r in shown], title="Before agreement: pairs of coders",
              notes=report.notes),
    ]
    print_tables(tables, fmt, out, json_data=report.to_dict())
