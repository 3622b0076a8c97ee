"""Data overview: what was collected per team, and respondents by job title.

:func:`data_overview`: rows = municipality and team; columns = group interviews, individual
interviews, respondents and (when any transcript is an observation) observations; a total row.
The kind of a transcript comes from its attribute ``type`` (the name and the values are options:
``groepsinterview``/``individueel``/``observatie`` and English equivalents by default); a
transcript without a known kind counts as a group interview when it has more than one respondent,
else as individual, and a note names it. A transcript's team is its own ``team`` attribute, or the
team all its respondents share. Respondents are the cases of the team.

:func:`respondent_overview`: rows = municipality x job title; columns = the client groups and the
number of respondents; a total row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.tables.frame import TOTAL, UNKNOWN, display, make_frame, natural_key

if TYPE_CHECKING:
    import pandas as pd

GROUP_VALUES = ("groepsinterview", "groepsgesprek", "focusgroep", "group", "group interview", "focus group")
INDIVIDUAL_VALUES = ("individueel", "individueel interview", "interview", "individual", "individual interview")
OBSERVATION_VALUES = ("observatie", "observation", "geobserveerd gesprek", "observed conversation")


def _kind(value: Any, group: Sequence[str], individual: Sequence[str], observation: Sequence[str]) -> str | None:
    if value is None:
        return None
    v = str(value).strip().lower()
    for kind, values in (("group", group), ("individual", individual), ("observation", observation)):
        if v in {x.lower() for x in values}:
            return kind
    return None


def _shared(
    attr: str, attrs: Mapping[str, Any], cases: Sequence[str], case_attributes: Mapping[str, Mapping[str, Any]]
) -> Any:
    """A transcript's value of ``attr``: its own attribute, else the value all its cases share (None if they differ)."""
    if attrs.get(attr) is not None:
        return attrs[attr]
    values = {case_attributes.get(c, {}).get(attr) for c in cases}
    return values.pop() if len(values) == 1 else None


def data_overview(
    transcripts: Sequence[Mapping[str, Any]],
    case_attributes: Mapping[str, Mapping[str, Any]],
    *,
    municipality_attr: str = "gemeente",
    team_attr: str = "team",
    type_attr: str = "type",
    group_values: Sequence[str] = GROUP_VALUES,
    individual_values: Sequence[str] = INDIVIDUAL_VALUES,
    observation_values: Sequence[str] = OBSERVATION_VALUES,
    observations: bool | None = None,
) -> pd.DataFrame:
    """``transcripts``: ``transcript_rows()`` dicts (id, cases, attributes).

    ``observations``: True always shows the column, False never, None (default) when a transcript is one.
    """
    counts: dict[tuple[Any, Any], dict[str, int]] = {}
    inferred: list[str] = []

    def cell(key: tuple[Any, Any]) -> dict[str, int]:
        return counts.setdefault(key, {"group": 0, "individual": 0, "observation": 0, "respondents": 0})

    for t in transcripts:
        attrs = t.get("attributes") or {}
        cases = list(t.get("cases") or [])
        kind = _kind(attrs.get(type_attr), group_values, individual_values, observation_values)
        if kind is None:
            kind = "group" if len(cases) > 1 else "individual"
            inferred.append(t["id"])
        municipality = _shared(municipality_attr, attrs, cases, case_attributes)
        cell((municipality, _shared(team_attr, attrs, cases, case_attributes)))[kind] += 1
    for attrs in case_attributes.values():
        cell((attrs.get(municipality_attr), attrs.get(team_attr)))["respondents"] += 1
    show_obs = observations if observations is not None else any(v["observation"] for v in counts.values())
    columns = [municipality_attr, team_attr, "group interviews", "individual interviews", "respondents"]
    if show_obs:
        columns.append("observations")
    rows = []
    for key in sorted(counts, key=lambda k: (natural_key(k[0]), natural_key(k[1]))):
        c = counts[key]
        row = [display(key[0]), display(key[1]), c["group"], c["individual"], c["respondents"]]
        rows.append(row + ([c["observation"]] if show_obs else []))
    totals = [sum(counts[k][x] for k in counts) for x in ("group", "individual", "respondents", "observation")]
    rows.append([TOTAL, "", *totals[:3]] + ([totals[3]] if show_obs else []))
    notes = [f"Kind of interview from the transcript attribute '{type_attr}'."]
    if inferred:
        listed = ", ".join(sorted(inferred, key=natural_key))
        notes.append(f"No known '{type_attr}' (counted by number of respondents): {listed}.")
    return make_frame(rows, columns, "Verzamelde gegevens per team", notes)


def respondent_overview(
    case_attributes: Mapping[str, Mapping[str, Any]],
    *,
    municipality_attr: str = "gemeente",
    title_attr: str = "functie",
    group_attr: str = "klantgroep",
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rows: municipality x job title; columns: one per client group, then ``respondents``; a total row."""
    table: dict[tuple[str, str], dict[str, int]] = {}
    seen: list[str] = []
    for attrs in case_attributes.values():
        key = (display(attrs.get(municipality_attr)), display(attrs.get(title_attr)))
        g = display(attrs.get(group_attr))
        if g not in seen:
            seen.append(g)
        row = table.setdefault(key, {})
        row[g] = row.get(g, 0) + 1
    order = list(groups) if groups else sorted(seen, key=lambda g: (g == UNKNOWN, natural_key(g)))
    order += [g for g in sorted(seen, key=natural_key) if g not in order]
    rows = []
    for key in sorted(table, key=lambda k: (natural_key(k[0]), natural_key(k[1]))):
        counts = table[key]
        rows.append([key[0], key[1], *[counts.get(g, 0) for g in order], sum(counts.values())])
    totals = [sum(table[k].get(g, 0) for k in table) for g in order]
    rows.append([TOTAL, "", *totals, sum(totals)])
    columns = [municipality_attr, title_attr, *order, "respondents"]
    return make_frame(rows, columns, "Respondenten per gemeente en functie",
                      [f"Columns: {group_attr}; {UNKNOWN}: attribute not set."])
