"""``qualcode cases``: respondents (or teams) and their typed attributes."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_json, print_rows
from qualcode.errors import InputError

cases_app = typer.Typer(help="List, show and set case attributes.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")


@cases_app.command("list")
def cases_list_cli(
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
    attrs: str = typer.Option(None, "--attrs", help="Only these attributes as columns, comma-separated."),
) -> None:
    """List cases with their transcripts, turns, words and attributes.

    JSON: a list of {id, transcripts, turns, words, attributes}.

    Examples:

      qualcode cases list --attrs gemeente,team,functie

      qualcode cases list --format csv --out exports/cases.csv
    """
    with open_project() as project:
        rows = project.case_rows()
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r["attributes"] if k not in keys]
    if attrs:
        keys = [k.strip() for k in attrs.split(",") if k.strip()]
    elif fmt == Format.table and out is None and len(keys) > 3:
        # Too many columns for a terminal: one folded attributes column reads better.
        print_rows(rows, ["id", "transcripts", "turns", "words", "attributes"], fmt, title="Cases")
        return
    flat = [{**{k: v for k, v in r.items() if k != "attributes"}, **r["attributes"]} for r in rows]
    print_rows(flat, ["id", "transcripts", "turns", "words", *keys], fmt, out=out, title="Cases", json_data=rows)


@cases_app.command("show")
def cases_show_cli(
    case: str = typer.Argument(..., help="Case id."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
) -> None:
    """Show one case: its transcripts and each attribute with type and source.

    Example:  qualcode cases show Hvs01_r2
    """
    with open_project() as project:
        data = project.case(case)
    if fmt == Format.json:
        print_json({k: v for k, v in data.items() if k != "attribute_details"} | {"details": data["attribute_details"]})
        return
    rows = [{"attribute": k, "value": d["value"], "type": d["type"], "source": d["source"]}
            for k, d in data["attribute_details"].items()]
    title = f"{case}: {', '.join(data['transcripts'])}; {data['turns']} turns, {data['words']} words"
    print_rows(rows, ["attribute", "value", "type", "source"], fmt, title=title)


@cases_app.command("set")
def cases_set_cli(
    case: str = typer.Argument(..., help="Case id."),
    assignments: list[str] = typer.Argument(..., help="key=value pairs; key:type=value fixes the type; key= removes."),
) -> None:
    """Set case attributes by hand (wins over the attributes CSV; a run that can be undone).

    Types are inferred (ja/nee -> boolean, 12 -> number, 2025-03-01 -> date) unless given as key:type.
    The attribute qualcode.type is the case's manual type for `qualcode typology` (names starting
    with "qualcode." are reserved for qualcode's own attributes).

    Examples:

      qualcode cases set Hvs01_r2 team=01 caseload=60

      qualcode cases set Hvs01_r2 qualcode.type=regisseur
    """
    values: dict[str, str] = {}
    types: dict[str, str] = {}
    for a in assignments:
        if "=" not in a:
            raise InputError(f"{a!r} is not key=value")
        key, value = a.split("=", 1)
        key, _, type_ = key.partition(":")
        values[key.strip()] = value
        if type_:
            types[key.strip()] = type_.strip()
    with open_project() as project:
        run_id = project.set_case_attributes(case, values, types)
    info(f"run {run_id}: set {', '.join(values)} on {case}")
