"""``qualcode matrix`` and ``qualcode cooccur``: count tables of codes, with heatmaps.

Thin wrappers: :meth:`Project.matrix` and :meth:`Project.cooccurrence` compute the DataFrames;
this module renders them (terminal, md, tex, xlsx, docx, csv, json) and draws ``--plot``.
:func:`emit_tables` is shared with ``qualcode export quotes``, which writes several tables at once.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import typer

from qualcode.cli.app import Format, app, info, open_project, stdout_console, to_json
from qualcode.errors import InputError
from qualcode.export.plots import FORMATS
from qualcode.export.plots import heatmap
from qualcode.export.table import bold_parts, cell_text
from qualcode.export.table import table_from_frame
from qualcode.export.write import format_for, render_text, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.export.table import Table


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


def _rich_cell(value: Any):
    """A cell for rich: ``**bold**`` spans as bold text, numbers as the export writers show them."""
    from rich.text import Text


    text = Text()
    for part, bold in bold_parts(cell_text(value)):
        text.append(part, style="bold" if bold else None)
    return text


def emit_tables(
    tables: Sequence["Table"],
    fmt: Format,
    out: Path | None,
    *,
    json_data: Any = None,
    default_out: Path | None = None,
) -> Path | None:
    """Print or write tables in the requested format; returns the file written, if any.

    ``--out`` without ``--format`` takes the format from the extension. xlsx and docx are file
    formats: without ``--out`` they go to ``default_out`` or the command asks for ``--out``.
    ``json_data`` replaces the JSON rendering of the tables (a stable, flat list for scripts).
    """

    if out is not None and fmt == Format.table:
        fmt = Format(format_for(out))
    if fmt in (Format.xlsx, Format.docx):
        target = out or default_out
        if target is None:
            raise InputError(f"--format {fmt.value} writes a file: add --out FILE.{fmt.value}")
        write_tables(tables, target, fmt.value)
        info(f"wrote {target}")
        return target
    if fmt == Format.table:
        from rich.table import Table as RichTable

        console = stdout_console()
        for t in tables:
            rt = RichTable(title=t.title, header_style="bold", title_justify="left")
            for i, c in enumerate(t.columns):
                numeric = bool(t.rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in t.rows)
                rt.add_column(str(c), overflow="fold", justify="right" if numeric else "left")
            for r in t.rows:
                rt.add_row(*[_rich_cell(v) for v in r])
            console.print(rt)
            for n in t.notes:
                console.print(n, style="dim", markup=False, highlight=False)
        return None
    if fmt == Format.json and json_data is not None:
        text = to_json(json_data) + "\n"
    else:
        text = render_text(tables, fmt.value)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        info(f"wrote {out}")
        return out
    sys.stdout.write(text)
    sys.stdout.flush()
    return None


def frame_table(df: "pd.DataFrame", title: str, sheet: str) -> "Table":
    """A count DataFrame (index = row labels) as a Table; percentages rounded to one decimal."""

    shown = df.round(1) if any(str(t).startswith("float") for t in df.dtypes) else df
    return table_from_frame(shown, title=title, notes=df.attrs.get("notes", []), sheet=sheet, index=True)


def _check_plot(plot: Path | None) -> None:
    """Refuse a bad --plot file name before any work is done or anything is printed."""

    if plot is not None and plot.suffix.lower().lstrip(".") not in FORMATS:
        raise InputError(f"--plot draws PNG or SVG: give a file ending in .png or .svg, not {plot.name!r}")


def _plot(df: "pd.DataFrame", plot: Path | None, title: str) -> None:
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
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension)."),
    plot: Path = typer.Option(None, "--plot", help="Also draw a heatmap to FILE.png or FILE.svg."),
) -> None:
    """Case-by-code or attribute-by-code counts, with a Totaal row and column.

    JSON: a list of {<row attribute(s) or case>, <code>: n, ..., Totaal: n}, the last being Totaal.

    Examples:

      qualcode matrix --rows case --cols logic

      qualcode matrix --rows gemeente,team --cols logic --count cases --normalize row --plot exports/logics.png

      qualcode matrix --rows team --cols practice --depth 1 --format xlsx --out exports/matrix.xlsx
    """
    _check_plot(plot)
    with open_project() as project:
        df = project.matrix(rows=rows, cols=cols, depth=depth, count=count.value, normalize=normalize.value,
                            coders=coder or None, labels=labels)
    row_word = "case" if rows.strip() == "case" else " en ".join(r.strip() for r in rows.split(",") if r.strip())
    title = (f"Codes onder {cols}" if cols else "Alle codes") + f" per {row_word} ({_COUNT_WORD[count.value]}" + \
        (", % per rij)" if normalize == Normalize.row else ", % per kolom)" if normalize == Normalize.col else ")")
    table = frame_table(df, title, sheet="Matrix")
    emit_tables([table], fmt, out, json_data=table.records())
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
    table = frame_table(df, title, sheet="Co-occurrence")
    emit_tables([table], fmt, out, json_data=table.records())
    _plot(df, plot, title)
