"""``qualcode export quotes``: citation tables for a paper.

A thin wrapper around :meth:`Project.quotes`; :func:`qualcode.tables.quotes.quote_tables` shapes the
DataFrame for each format: one table per code (or case) with the code label as caption for
Markdown, LaTeX, Word and the terminal; one sheet per code family for XLSX; one flat table for
CSV and JSON (what scripts read).
"""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import open_project
from qualcode.cli.exchange import export_app
from qualcode.cli.printer import FILE_FORMATS, Format, output_format, print_tables
from qualcode.errors import InputError
from qualcode.tables.quotes import GROUP_BY, quote_tables


@export_app.command("quotes")
def export_quotes_cli(
    code: list[str] = typer.Option(None, "--code", help="Only codes under this prefix (repeatable, or a,b)."),
    coder: list[str] = typer.Option(None, "--coder", help="Only these coders' codings (repeatable)."),
    case_attr: str = typer.Option("gemeente,team", "--case-attr", help="Case attributes to add as columns."),
    max_words: int = typer.Option(None, "--max-words", help="Shorten longer quotes with (...) at word boundaries."),
    context: bool = typer.Option(False, "--context", help="Show the whole turn with the coded part in bold."),
    by: str = typer.Option("code", "--by", help="Group by code or by case."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (default for xlsx/docx: exports/quotes.*)."),
) -> None:
    """Citation table: each quote with its citation label, code, fragment id and stance.

    The label comes from `citation` in qualcode.toml, e.g. "({case}, {team})". XLSX has one sheet
    per code family; DOCX a Word table per code with its label as caption.
    JSON: a list of {code, code_label, quote, citation, case, fragment, stance, coder, <case attributes>}.

    Examples:

      qualcode export quotes --code logic --max-words 40 --format md

      qualcode export quotes --code discretion --context --by case --out exports/citaten.docx

      qualcode export quotes --format xlsx          (writes exports/quotes.xlsx)
    """

    if by not in GROUP_BY:
        raise InputError(f"--by must be one of {', '.join(GROUP_BY)}, not {by!r}")
    case_attrs = [a.strip() for a in case_attr.split(",") if a.strip()]
    with open_project() as project:
        df = project.quotes(codes=[c for item in code or [] for c in item.split(",")] or None, coders=coder or None,
                            case_attrs=case_attrs, max_words=max_words, context=context, group_by=by)
        cb = project.codebook()
        default_out = project.root / "exports" / f"quotes.{fmt.value}" if fmt in FILE_FORMATS else None
    kind = output_format(fmt, out)
    if df.empty and kind not in (Format.csv, Format.json):
        raise InputError("no codings to quote (check --code and --coder; see `qualcode codings`)")
    if kind == Format.xlsx:
        labels = {c.id: c.label.get(project.config.language or "nl") for c in cb.roots()}
        tables = quote_tables(df, layout="families", family_labels=labels)
    elif kind in (Format.csv, Format.json):
        tables = quote_tables(df, layout="flat")
    else:
        tables = quote_tables(df, layout="groups", group_by=by, case_attrs=case_attrs)
    json_data = tables[0].records() if kind == Format.json else None
    print_tables(tables, fmt, out, json_data=json_data, default_out=default_out)
