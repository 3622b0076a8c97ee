"""``qualcode table NAME``: the table shapes of qualitative papers, one subcommand each.

Each subcommand calls one ``Project`` method (which returns a DataFrame, for notebooks) or,
for the typology tables, the ``qualcode.tables.frame`` function over one :meth:`Project.typology_data`,
and prints or writes the result with :func:`qualcode.cli.matrix.emit_tables`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, print_frames
from qualcode.errors import InputError
from qualcode.tables import overview
from qualcode.tables.context import context_features, context_numbers
from qualcode.tables.frame import parse_list

if TYPE_CHECKING:
    pass

table_app = typer.Typer(
    help="Tables for a paper: overview, respondents, distribution, profile, strategies, context, dimensions, "
         "aspects, appendix.",
    no_args_is_help=True,
)
app.add_typer(table_app, name="table")

_FMT = typer.Option(Format.table, "--format", "-f", help="table, md, tex, xlsx, docx, csv or json.")
_OUT = typer.Option(None, "--out", "-o", help="Write to this file (format from the extension).")
_CODER = typer.Option(None, "--coder", help="Whose codings (needed when there are several coders).")
_TYPOLOGY = typer.Option(None, "--typology", help="Typology file (default: [project] typology).")
_LEVEL = typer.Option(None, "--level", help="Assign types per case, or per value of this case attribute (team).")
_TEAM = typer.Option("team", "--team-attr", help="Case attribute of the team.")
_MUNI = typer.Option("gemeente", "--municipality-attr", help="Case attribute of the municipality.")


def _list(value: str | None) -> list[str] | None:

    return parse_list(value) or None


@table_app.command("overview")
def overview_cli(
    municipality_attr: str = _MUNI,
    team_attr: str = _TEAM,
    type_attr: str = typer.Option("type", "--type-attr", help="Transcript attribute with the kind of interview."),
    group_values: str = typer.Option(None, "--group-values", help="Values meaning group interview, comma-separated."),
    individual_values: str = typer.Option(None, "--individual-values", help="Values meaning individual interview."),
    observation_values: str = typer.Option(None, "--observation-values", help="Values meaning observation."),
    observations: bool = typer.Option(None, "--observations/--no-observations",
                                      help="Show the observations column (default: when there are any)."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Data collected per team: group interviews, individual interviews, respondents.

    The kind of interview comes from the transcript attribute `type` (groepsinterview, individueel,
    observatie by default); a total row closes the table.

    Example:  qualcode table overview --format md
    """

    options = {"municipality_attr": municipality_attr, "team_attr": team_attr, "type_attr": type_attr,
               "observations": observations}
    for key, value, default in (("group_values", group_values, overview.GROUP_VALUES),
                                ("individual_values", individual_values, overview.INDIVIDUAL_VALUES),
                                ("observation_values", observation_values, overview.OBSERVATION_VALUES)):
        options[key] = _list(value) or default
    with open_project() as project:
        df = project.data_overview(**options)
    print_frames([df], fmt, out, sheets=["overview"])


@table_app.command("respondents")
def respondents_cli(
    municipality_attr: str = _MUNI,
    title_attr: str = typer.Option("functie", "--title-attr", help="Case attribute of the job title."),
    group_attr: str = typer.Option("klantgroep", "--group-attr", help="Case attribute of the client group."),
    groups: str = typer.Option(None, "--groups", help="Client groups in this column order, comma-separated."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Respondents per municipality and job title, by client group, with totals.

    Example:  qualcode table respondents --groups kansrijk,midden,"moeilijk bemiddelbaar"
    """
    with open_project() as project:
        df = project.respondent_overview(municipality_attr=municipality_attr, title_attr=title_attr,
                                         group_attr=group_attr, groups=_list(groups))
    print_frames([df], fmt, out, groups=[municipality_attr], sheets=["respondents"])


@table_app.command("distribution")
def distribution_cli(
    coder: str = _CODER,
    typology: Path = _TYPOLOGY,
    level: str = _LEVEL,
    municipality_attr: str = _MUNI,
    team_attr: str = _TEAM,
    team_number_attr: str = typer.Option(None, "--team-number-attr",
                                         help="Numeric case attribute to check respondent ids against."),
    through: str = typer.Option("t/m", "--through", help="Word between the ends of an id range."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Respondents per type, municipality and team, ids as ranges (Adm01_r1 t/m r3).

    Example:  qualcode table distribution --coder anna --level team
    """
    with open_project() as project:
        df = project.type_distribution(typology, coder, level, municipality_attr=municipality_attr,
                                       team_attr=team_attr, team_number_attr=team_number_attr, through=through)
    print_frames([df], fmt, out, sheets=["distribution"])


@table_app.command("profile")
def profile_cli(
    coder: str = _CODER,
    typology: Path = _TYPOLOGY,
    level: str = _LEVEL,
    counts: bool = typer.Option(False, "--counts", help="Show the pole counts, e.g. professional (7:2)."),
    majority: float = typer.Option(0.6, "--majority", help="Share a pole needs to dominate (more than)."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Type profile: per aspect and type the dominant pole of the coded justifications.

    A pole dominates with more than 60% (--majority) of the codings, else the cell says mixed.

    Example:  qualcode table profile --coder anna --counts
    """
    with open_project() as project:
        df = project.type_profile(typology, coder, level, majority=majority, counts=counts)
    print_frames([df], fmt, out, sheets=["profile"])


@table_app.command("strategies")
def strategies_cli(
    coder: str = _CODER,
    typology: Path = _TYPOLOGY,
    level: str = _LEVEL,
    prefix: str = typer.Option("discretion", "--code", help="Code family of the strategies."),
    by_code: bool = typer.Option(False, "--by-code", help="One row per code instead of per classification."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Discretion strategies per type and their classification.

    Example:  qualcode table strategies --coder anna --level team
    """
    with open_project() as project:
        df = project.type_strategies(typology, coder, level, prefix=prefix, by_code=by_code)
    print_frames([df], fmt, out, sheets=["strategies"])


@table_app.command("context")
def context_cli(
    attr: str = typer.Option(None, "--attr", help="Numeric case attribute (e.g. caseload): mean per team and type."),
    features: str = typer.Option(
        None, "--features", help="Yes/no attributes for a Ja/Nee/Deels grid, comma-separated."
    ),
    by: str = typer.Option("type", "--by", help="Feature grid rows: type or team."),
    coder: str = _CODER,
    typology: Path = _TYPOLOGY,
    level: str = _LEVEL,
    team_attr: str = _TEAM,
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Context per type: a numeric attribute per team and type, and yes/no features.

    A type's number is the mean of its team means; a feature is Ja when all the type's teams have
    it, Nee when none does, Deels when some do.

    Examples:

      qualcode table context --attr caseload --coder anna --level team

      qualcode table context --features specialisatie,uitbesteding --coder anna
    """

    feats = _list(features)
    if not attr and not feats:
        raise InputError("name --attr (a numeric attribute), --features (yes/no attributes) or both")
    frames, sheets = [], []
    with open_project() as project:
        data = project.typology_data(typology, coder, level)
        if attr:
            frames.append(context_numbers(data, attr, team_attr=team_attr))
            sheets.append(attr)
        if feats:
            frames.append(context_features(data, feats, team_attr=team_attr, by=by))
            sheets.append("features")
    print_frames(frames, fmt, out, groups=["type", "type mean"], sheets=sheets)


@table_app.command("dimensions")
def dimensions_cli(
    coder: str = _CODER,
    words: str = typer.Option(
        None, "--words", help="Quantifier words: 'alle=1.0,de meeste=0.5,sommigen=0.2,een enkeling=0'."
    ),
    long: bool = typer.Option(False, "--long", help="One numeric row per dimension and logic."),
    dimension_prefix: str = typer.Option("dimension", "--dimensions", help="Code family of the dimensions (rows)."),
    logic_prefix: str = typer.Option("logic", "--logics", help="Code family of the logics (columns)."),
    total: int = typer.Option(None, "--total", help="Number of respondents for shares (default: all cases)."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Logics by dimension: respondents (not fragments) voicing each logic on each dimension.

    A respondent counts when one fragment is coded with both; the stance split counts those who
    endorse and those who reject the logic there.

    Example:  qualcode table dimensions --coder anna --words "alle=1.0,de meeste=0.5,sommigen=0.2,een enkeling=0"
    """
    options = {"words": words, "long": long, "dimension_prefix": dimension_prefix, "logic_prefix": logic_prefix}
    if total is not None:
        options["total"] = total
    with open_project() as project:
        df = project.logics_by_dimension(coder, **options)
    print_frames([df], fmt, out, sheets=["dimensions"])


@table_app.command("aspects")
def aspects_cli(
    group_attr: str = typer.Option(..., "--group-attr", help="Case attribute of the respondent group (e.g. groep)."),
    groups: str = typer.Option(None, "--groups", help="Groups in this column order, comma-separated."),
    coder: str = _CODER,
    prefix: str = typer.Option("aspect", "--code", help="Code family of the aspects (rows)."),
    counts_only: bool = typer.Option(False, "--zeros", help="Show 0 instead of 'niet genoemd'."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Aspects of professional practice by respondent group: respondents mentioning each.

    Example:  qualcode table aspects --group-attr functie --coder anna
    """
    with open_project() as project:
        df = project.aspects_by_group(group_attr, coder, groups=_list(groups), prefix=prefix,
                                      **({"not_mentioned": None} if counts_only else {}))
    print_frames([df], fmt, out, sheets=["aspects"])


@table_app.command("appendix")
def appendix_cli(
    coder: str = _CODER,
    typology: Path = _TYPOLOGY,
    level: str = _LEVEL,
    team_attr: str = _TEAM,
    max_quotes: int = typer.Option(3, "--max-quotes", help="Quotes per feature and team."),
    max_words: int = typer.Option(40, "--max-words", help="Words per quote (0: no limit)."),
    fmt: Format = _FMT,
    out: Path = _OUT,
) -> None:
    """Appendix justifying each type: per type, team and feature a few quotes (typifying part in
    bold) and a line on contradicting evidence.

    Example:  qualcode table appendix --coder anna --level team --out exports/verantwoording.docx
    """
    with open_project() as project:
        df = project.type_appendix(typology, coder, level, team_attr=team_attr, max_quotes=max_quotes,
                                   max_words=max_words or None)
    print_frames([df], fmt, out, sheets=["appendix"])
