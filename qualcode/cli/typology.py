"""``qualcode typology``: assign cases (or teams) to the types of a typology, with the tables
that justify it (assignment with evidence, distribution over types, type profile, appendix).

A thin wrapper: :meth:`Project.typology_data` assigns the types (``qualcode.tables.typology``), the
``qualcode.tables.frame`` modules shape the tables and :func:`qualcode.cli.matrix.emit_tables` writes
them in every format.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from qualcode.cli.app import Format, app, open_project
from qualcode.cli.matrix import emit_tables
from qualcode.export.table import Table, cell_text
from qualcode.export.write import format_for
from qualcode.tables.appendix import appendix
from qualcode.tables.distribution import distribution
from qualcode.tables.frame import frame_table
from qualcode.tables.profile import profile
from qualcode.tables.typology import assignment_frame, assignment_json

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.export.table import Table
    from qualcode.tables.typology import TypologyData


class TypologyTable(str, Enum):
    assignment = "assignment"
    distribution = "distribution"
    profile = "profile"
    appendix = "appendix"
    all = "all"


GROUPED = (Format.table, Format.md, Format.tex, Format.docx)  # formats where repeated group cells are blanked


def assignment_table(df: "pd.DataFrame", level: str | None = None) -> "Table":
    """The assignment DataFrame as a readable table: type label, scores as text, ids joined."""

    columns = ["case"] + ([level] if level else []) + ["type", "scores", "evidence", "contradicting", "manual"]
    rows = []
    for r in df.to_dict("records"):
        scores = ", ".join(f"{k} {cell_text(float(v))}" for k, v in (r["scores"] or {}).items())
        row = [r["case"]] + ([r.get(level)] if level else [])
        rows.append(row + [r["type_label"], scores, ", ".join(r["evidence"]), ", ".join(r["contradicting"]),
                           "manual" if r["manual"] else ""])
    return Table(columns, rows, title=df.attrs.get("title"), notes=list(df.attrs.get("notes", [])), sheet="assignment")


def typology_tables(
    project: Any,
    data: "TypologyData",
    which: TypologyTable,
    *,
    grouped: bool,
    counts: bool = False,
    majority: float = 0.6,
    municipality_attr: str = "gemeente",
    team_attr: str = "team",
    team_number_attr: str | None = None,
    max_quotes: int = 3,
    max_words: int | None = 40,
) -> tuple[list["Table"], dict[str, Any]]:
    """The requested tables, and their JSON form (assignment: the documented list of records)."""

    names = [w for w in TypologyTable if w != TypologyTable.all] if which == TypologyTable.all else [which]
    tables: list[Table] = []
    json_data: dict[str, Any] = {}
    for name in names:
        if name == TypologyTable.assignment:
            df = assignment_frame(data)
            tables.append(assignment_table(df, data.level if data.level != "case" else None))
            json_data[name.value] = assignment_json(data)
            continue
        if name == TypologyTable.distribution:
            df = distribution(data, municipality_attr=municipality_attr, team_attr=team_attr,
                              team_number_attr=team_number_attr)
            groups = ["type", municipality_attr]
        elif name == TypologyTable.profile:
            df = profile(data, project.codebook(), majority=majority, counts=counts)
            groups = []
        else:
            df = appendix(data, project.codebook(), project.turn_lookup(), team_attr=team_attr,
                          citation=project.config.citation, max_quotes=max_quotes, max_words=max_words)
            groups = ["type", team_attr]
        tables.append(frame_table(df, group_columns=groups if grouped else (), sheet=name.value))
        json_data[name.value] = frame_table(df).records()
    return tables, json_data


@app.command("typology")
def typology_cli(
    typology: Path = typer.Argument(None, help="Typology file (default: [project] typology in qualcode.toml)."),
    coder: str = typer.Option(None, "--coder", help="Whose codings (needed when there are several coders)."),
    level: str = typer.Option(None, "--level", help="case, or a case attribute (e.g. team) whose cases are pooled."),
    table: TypologyTable = typer.Option(TypologyTable.assignment, "--table",
                                        help="assignment, distribution, profile, appendix or all."),
    counts: bool = typer.Option(False, "--counts", help="Profile: show the pole counts, e.g. professional (7:2)."),
    majority: float = typer.Option(0.6, "--majority", help="Profile: share a pole needs to dominate (more than)."),
    municipality_attr: str = typer.Option("gemeente", "--municipality-attr", help="Case attribute of the municipality."),
    team_attr: str = typer.Option("team", "--team-attr", help="Case attribute of the team."),
    team_number_attr: str = typer.Option(None, "--team-number-attr",
                                         help="Numeric case attribute to check respondent ids against."),
    max_quotes: int = typer.Option(3, "--max-quotes", help="Appendix: quotes per feature and team."),
    max_words: int = typer.Option(40, "--max-words", help="Appendix: words per quote (0: no limit)."),
    override_attr: str = typer.Option("type", "--override-attr", help="Case attribute holding a manual type."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension)."),
) -> None:
    """Assign each case (or each team, --level team) a type from its coded features.

    A type needs at least min_score points and a lead of margin over the runner-up (see the
    typology file); a case attribute `type` set with `qualcode cases set ID type=regisseur` wins
    and is marked manual. Tables: the assignment with supporting and contradicting fragments, the
    distribution over types (respondent ids as ranges, Adm01_r1 t/m r3), the type profile
    (dominant pole per aspect by majority rule) and the appendix of quotes per type and team.

    JSON (assignment): a list of {case, type, scores, evidence: [fragment ids], contradicting, manual}.

    Examples:

      qualcode typology --coder anna

      qualcode typology codebooks/klantmanager-typology.yaml --coder anna --level team --table distribution

      qualcode typology --coder anna --table profile --counts --format md

      qualcode typology --coder anna --table all --out exports/typologie.xlsx
    """

    kind = Format(format_for(out)) if out is not None and fmt == Format.table else fmt
    with open_project() as project:
        data = project.typology_data(typology, coder, level, override_attr=override_attr)
        tables, json_data = typology_tables(
            project, data, table, grouped=kind in GROUPED, counts=counts, majority=majority,
            municipality_attr=municipality_attr, team_attr=team_attr, team_number_attr=team_number_attr,
            max_quotes=max_quotes, max_words=max_words or None,
        )
    payload = json_data if table == TypologyTable.all else json_data[table.value]
    emit_tables(tables, fmt, out, json_data=payload if kind == Format.json else None)
