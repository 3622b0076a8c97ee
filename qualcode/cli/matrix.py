"""``qualcode matrix`` and ``qualcode cooccur``: count tables of codes, with heatmaps.

Thin wrappers: :meth:`Project.matrix` and :meth:`Project.cooccurrence` compute the DataFrames;
the printer renders them (terminal, md, tex, xlsx, docx, csv, json) and this module draws ``--plot``.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_frames
from qualcode.errors import InputError
from qualcode.export.plots import FORMATS, heatmap

if TYPE_CHECKING:
    import pandas as pd


class Count(str, Enum):
    codings = "codings"
    cases = "cases"
    words = "words"


class Normalize(str, Enum):
    none = "none"
    row = "row"
    col = "col"


class Unit(str, Enum):
    turn = "turn"
    case = "case"


def _count_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Percentages rounded to one decimal for print (the DataFrame itself keeps them whole)."""
    shown = df.round(1) if any(str(t).startswith("float") for t in df.dtypes) else df.copy()
    shown.attrs = dict(df.attrs)
    return shown


def _check_plot(plot: Path | None) -> None:
    """Refuse a bad --plot file name before any work is done or anything is printed."""

    if plot is not None and plot.suffix.lower().lstrip(".") not in FORMATS:
        raise InputError(f"--plot draws PNG or SVG: give a file ending in .png or .svg, not {plot.name!r}")


def _plot(df: pd.DataFrame, plot: Path | None, title: str) -> None:
    if plot is None:
        return

    heatmap(df, plot, title)
    info(f"wrote {plot}")


_COUNT_WORD = {"codings": "coderingen", "cases": "cases", "words": "woorden"}


@app.command("matrix")
def matrix_cli(
    rows: str = typer.Option("case", "--rows", help="`case`, or case attributes separated by commas (gemeente,team)."),
    cols: str = typer.Option("logic", "--cols", help="Code prefix whose codes are the columns."),
    depth: int = typer.Option(None, "--depth", help="Collapse codes to this many levels below the prefix."),
    count: Count = typer.Option(Count.codings, "--count", help="What a cell counts: codings, cases or words."),
    normalize: Normalize = typer.Option(Normalize.none, "--normalize", help="none, or % of the row or col total."),
    coder: list[str] = typer.Option(None, "--coder", help="Only these coders' codings (repeatable)."),
    labels: bool = typer.Option(False, "--labels", help="Code labels as column headers instead of ids."),
    rollup: bool = typer.Option(False, "--rollup", help="Count codings also for the codes they imply "
                                                        "(implies: in the codebook)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension)."),
    plot: Path = typer.Option(None, "--plot", help="Also draw a heatmap to FILE.png or FILE.svg."),
) -> None:
    """Case-by-code or attribute-by-code counts, with a Totaal row and column.

    --rollup counts a coding of a concrete code (practice.sanctions.professional) also for the
    abstract codes it implies (logic.professional), once per fragment and coder; the table notes
    say so.

    JSON: a list of {<row attribute(s) or case>, <code>: n, ..., Totaal: n}, the last being Totaal.

    Examples:

      qualcode matrix --rows case --cols logic

      qualcode matrix --rows team --cols logic --rollup

      qualcode matrix --rows gemeente,team --cols logic --count cases --normalize row --plot exports/logics.png

      qualcode matrix --rows team --cols practice --depth 1 --format xlsx --out exports/matrix.xlsx
    """
    _check_plot(plot)
    with open_project() as project:
        df = project.matrix(rows=rows, cols=cols, depth=depth, count=count.value, normalize=normalize.value,
                            coders=coder or None, labels=labels, rollup=rollup)
    row_word = "case" if rows.strip() == "case" else " en ".join(r.strip() for r in rows.split(",") if r.strip())
    title = (f"Codes onder {cols}" if cols else "Alle codes") + f" per {row_word} ({_COUNT_WORD[count.value]}" + \
        (", % per rij)" if normalize == Normalize.row else ", % per kolom)" if normalize == Normalize.col else ")")
    shown = _count_frame(df)
    shown.attrs["title"] = title
    print_frames([shown], fmt, out, sheets=["Matrix"], index=True)
    _plot(df, plot, title)


@app.command("cooccur")
def cooccur_cli(
    codes: str = typer.Option("logic", "--codes", help="Code prefix whose codes are compared."),
    unit: Unit = typer.Option(Unit.turn, "--unit", help="What counts as together: the same turn, or the same case."),
    depth: int = typer.Option(None, "--depth", help="Collapse codes to this many levels below the prefix."),
    coder: list[str] = typer.Option(None, "--coder", help="Only these coders' codings (repeatable)."),
    labels: bool = typer.Option(False, "--labels", help="Code labels instead of ids."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension)."),
    plot: Path = typer.Option(None, "--plot", help="Also draw a heatmap to FILE.png or FILE.svg."),
) -> None:
    """Code co-occurrence: in how many turns (or cases) two codes are both applied.

    The diagonal holds the number of units with that code.
    JSON: a list of {code, <code>: n, ...}, one per code.

    Examples:

      qualcode cooccur --codes logic

      qualcode cooccur --codes discretion --unit case --coder anna --plot exports/cooccur.svg
    """
    _check_plot(plot)
    with open_project() as project:
        df = project.cooccurrence(codes=codes, unit=unit.value, coders=coder or None, depth=depth, labels=labels)
    title = (f"Samen voorkomende codes onder {codes}" if codes else "Samen voorkomende codes") + \
        f" (per {'beurt' if unit == Unit.turn else 'case'})"
    shown = _count_frame(df)
    shown.attrs["title"] = title
    print_frames([shown], fmt, out, sheets=["Co-occurrence"], index=True)
    _plot(df, plot, title)
