"""``qualcode search`` and ``qualcode words``: finding things in the material.

Both read the turns the filters choose (case attributes, codes, coder, transcripts) and print a
table from one library call (:meth:`Project.search`, :meth:`Project.code_search_hits`,
:meth:`Project.words`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, output_format, print_frames, progress_bar
from qualcode.errors import InputError

# What a reader sees of a hit in the table formats; JSON and CSV get every column.
SHOWN = ["fragment", "case", "left", "hit", "right"]

_WHERE = typer.Option(None, "--where", "-w", help="Only cases with this attribute value, KEY=VALUE (repeatable).")
_IN_CODE = typer.Option(None, "--in-code", help="Only turns with a coding under this code.")
_CODED_BY = typer.Option(None, "--coded-by", help="Only turns this coder coded (with --in-code: with that code).")
_TRANSCRIPT = typer.Option(None, "--transcript", "-t", help="Only these transcripts (repeatable).")
_FORMAT = typer.Option(Format.table, "--format", "-f", help="table, json, csv, md, tex, xlsx or docx.")
_OUT = typer.Option(None, "--out", "-o", help="Write to this file (the format follows the extension).")


def _filters(where: list[str] | None, in_code: str | None, coded_by: str | None,
             transcript: list[str] | None, interviewer: bool = False) -> dict[str, Any]:
    return {"where": where or (), "in_code": in_code, "coded_by": coded_by, "transcripts": transcript or None,
            "interviewer": interviewer}


@app.command("search")
def search_cli(
    pattern: str = typer.Argument(..., help="Words or a phrase (* = any letters), a lemma (--lemma) or a regex."),
    lemma: bool = typer.Option(False, "--lemma", help="Match lemmas: klant finds klanten, lopen finds liep."),
    regex: bool = typer.Option(False, "--regex", help="PATTERN is a Python regular expression."),
    case_sensitive: bool = typer.Option(False, "--case-sensitive", help="Tell upper and lower case apart."),
    where: list[str] = _WHERE,
    in_code: str = _IN_CODE,
    coded_by: str = _CODED_BY,
    transcript: list[str] = _TRANSCRIPT,
    interviewer: bool = typer.Option(False, "--interviewer", help="Search interviewer turns too (never coded)."),
    context: int = typer.Option(40, "--context", help="Characters of context on each side of a hit."),
    counts: str = typer.Option(None, "--counts", help="Count hits per case, or per value of a case attribute."),
    code: str = typer.Option(None, "--code", help="Code the hits with this code (with --coder): one undoable run."),
    coder: str = typer.Option(None, "--coder", help="Who codes the hits (with --code)."),
    whole_turn: bool = typer.Option(False, "--whole-turn", help="With --code: code each turn with a hit, not the hit."),
    fmt: Format = _FORMAT,
    out: Path = _OUT,
) -> None:
    """Find words, phrases, lemmas or patterns in the respondent turns, shown in context.

    One row per hit: fragment, case, the words before, the hit, the words after (JSON and CSV
    add transcript, speaker and the start/end offsets that codings use). Words match whole words
    without regard to case; * stands for any letters (uitstroom*, *beleid); the words of a phrase
    follow each other. --lemma compares lemmas from the project's spaCy pipeline (the built-in
    Dutch lookup table knows klanten -> klant and liep -> lopen, but not every verb form, such as
    zit or gaat; a trained pipeline named in qualcode.toml does better). --counts case (or an
    attribute such as gemeente) counts hits, turns with a hit and turns searched per group instead.

    --code CODE --coder NAME codes every hit (or with --whole-turn every turn with a hit) as one
    run: `qualcode runs undo RUN` takes it back. Interviewer turns are never coded.

    JSON: a list of {fragment, case, left, hit, right, transcript, speaker, start, end}.

    Examples:

      qualcode search "geen tijd"

      qualcode search klant --lemma --where gemeente=Havenstad

      qualcode search "uitstroom*" --counts gemeente

      qualcode search "targets?" --regex --in-code logic.market --coded-by anna

      qualcode search "afgerekend op" --code logic.market --coder anna
    """
    if counts and code:
        raise InputError("--counts counts hits and --code codes them: run them one at a time")
    if coder and not code:
        raise InputError("--coder names who codes the hits (with --code CODE); to search the turns a coder "
                         "coded, use --coded-by")
    if code and not coder:
        raise InputError("--code codes the hits: name who codes them with --coder NAME (to search only turns "
                         "coded with a code, use --in-code)")
    if whole_turn and not code:
        raise InputError("--whole-turn says what --code codes: add --code CODE --coder NAME")
    options: dict[str, Any] = {"lemma": lemma, "regex": regex, "case_sensitive": case_sensitive, "context": context,
                               **_filters(where, in_code, coded_by, transcript, interviewer)}
    with open_project() as project, progress_bar("searching") as progress:
        if code:
            done, df = project.code_search_hits(pattern, code, coder, whole_turn=whole_turn, progress=progress,
                                                **options)
        else:
            df = project.search(pattern, counts=counts, progress=progress, **options)
    kind = output_format(fmt, out)
    if counts is None and kind not in (Format.json, Format.csv):
        shown = df[SHOWN].copy()
        shown["hit"] = "**" + shown["hit"] + "**"
        if kind == Format.table and len(shown):  # the hits line up in the middle, as in a concordance
            shown["left"] = shown["left"].str.rjust(int(shown["left"].str.len().max()))
        shown.attrs.update(df.attrs)
        df = shown
    print_frames([df], fmt, out)
    if code:
        what = "turn(s)" if whole_turn else "hit(s)"
        already = f"; {done.existing} were coded so already" if done.existing else ""
        if done.run_id is None:
            info(f"nothing new: {coder} had coded all {done.spans} {what} with {code} already")
        else:
            info(f"coded {done.created} {what} with {code} for {coder} (run {done.run_id}{already}); "
                 f"undo with `qualcode runs undo {done.run_id}`")


@app.command("words")
def words_cli(
    by: str = typer.Option(None, "--by", help="Per case, or per value of a case attribute (e.g. gemeente)."),
    lemma: bool = typer.Option(False, "--lemma", help="Count lemmas (klant and klanten count as klant)."),
    top: int = typer.Option(20, "--top", help="How many words per group (words tied with the last are kept)."),
    stop: list[str] = typer.Option(None, "--stop", help="Leave out this word too (repeatable), e.g. --stop ja."),
    where: list[str] = _WHERE,
    in_code: str = _IN_CODE,
    coded_by: str = _CODED_BY,
    transcript: list[str] = _TRANSCRIPT,
    fmt: Format = _FORMAT,
    out: Path = _OUT,
) -> None:
    """The words (or lemmas) respondents use most, per group, with the stop words of the project
    language left out (spaCy's Dutch or English list, plus --stop).

    Columns: [group], rank, word (or lemma and the forms seen), count, per_1000 (per thousand
    words of the group, stop words included) and cases (how many of the group's cases used it).

    Examples:

      qualcode words --top 15

      qualcode words --by gemeente --lemma --top 10

      qualcode words --in-code logic.market --stop ja --stop nou
    """
    with open_project() as project, progress_bar("counting words") as progress:
        df = project.words(by=by, lemma=lemma, top=top, stop=stop or (), progress=progress,
                           **_filters(where, in_code, coded_by, transcript))
    print_frames([df], fmt, out)
