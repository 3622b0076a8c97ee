"""Context per type, from case attributes.

Two shapes:

- :func:`context_numbers`: a numeric attribute (e.g. the caseload the respondents report) per
  team, then per type. A team's value is the mean over its respondents (of that type); a type's
  value is the mean of its TEAM means, so a team with many respondents does not weigh more than a
  small one (the dissertation: teams at 55 and 105 give 80). Text values are read for their number:
  "ca. 60" is 60, a range "40-50" is kept as written in the team's cell and counts as its midpoint
  45 in every mean (a note says so); "330 uitstroom per team per jaar" is 330 in the unit
  "uitstroom per team per jaar". Values in different units are not converted: a note warns, so
  normalise them first (e.g. ``qualcode cases set``).
- :func:`context_features`: yes/no features per team (rule steering, targets, outsourcing...);
  a type's cell is "Ja" when all its teams have the feature, "Nee" when none does, "Deels" when
  some do (a team whose respondents disagree counts as "Deels").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import mean
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.tables.frame import display, make_frame, natural_key

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tables.typology import TypologyData

_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)(?:\s*(?:-|–|—|tot|to|t/m)\s*(\d+(?:[.,]\d+)?))?")
YES, NO, PARTLY = "Ja", "Nee", "Deels"
_TRUE = {"ja", "yes", "true", "waar", "j", "y", "1"}
_FALSE = {"nee", "no", "false", "onwaar", "n", "0"}
_PARTLY = {"deels", "partly", "partial", "gedeeltelijk", "soms"}


def parse_amount(value: Any) -> tuple[float, float, str] | None:
    """``(low, high, unit)`` of a number or a text such as ``"40-50 per klantmanager"``; None if no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return (float(value), float(value), "") if value == value else None
    m = _AMOUNT.search(str(value))
    if not m:
        return None
    low = float(m.group(1).replace(",", "."))
    high = float(m.group(2).replace(",", ".")) if m.group(2) else low
    unit = str(value)[m.end():].strip()
    return (min(low, high), max(low, high), unit)


def _num(x: float) -> int | float:
    x = round(x, 2)
    return int(x) if x == int(x) else x


def _team_groups(data: TypologyData, team_attr: str) -> dict[str, dict[Any, list[str]]]:
    """type id -> team value -> case ids (types in typology order; cases without a type are left out and
    counted in :meth:`TypologyData.abstain_note`)."""
    out: dict[str, dict[Any, list[str]]] = {}
    types = data.type_of()
    for t in data.typology.types:
        teams: dict[Any, list[str]] = {}
        for case, tid in types.items():
            if tid == t.id:
                teams.setdefault(data.case_attributes.get(case, {}).get(team_attr), []).append(case)
        out[t.id] = {k: teams[k] for k in sorted(teams, key=natural_key)}
    return out


def context_numbers(data: TypologyData, attr: str, *, team_attr: str = "team") -> pd.DataFrame:
    """Rows: type, team; columns ``type, <team>, <attr>, type mean``.

    ``<attr>`` is the team's value as written when all its respondents give the same one (a range
    stays a range), else the mean of their values; ``type mean`` is the mean of the type's team
    means (the same on every row of a type).
    """
    rows = []
    notes: list[str] = []
    units: set[str] = set()
    ignored: list[str] = []
    ranges: dict[tuple[str, str], str] = {}
    for type_id, teams in _team_groups(data, team_attr).items():
        team_rows: list[list[Any]] = []
        for team, cases in teams.items():
            written, mids = [], []
            for c in sorted(cases, key=natural_key):
                v = data.case_attributes.get(c, {}).get(attr)
                if v is None:
                    continue
                amount = parse_amount(v)
                if amount is None:
                    ignored.append(f"{c}: {v!r}")
                    continue
                low, high, unit = amount
                units.add(unit.lower())
                mids.append((low + high) / 2)
                written.append(v)
                if low != high:
                    ranges[(display(team), str(v))] = f"{display(team)}: {v} counts as {_num((low + high) / 2)}"
            if not mids:
                team_rows.append([data.type_label(type_id), display(team), None, None])
                continue
            team_mean = mean(mids)
            shown: Any = _num(team_mean)
            if len(set(map(str, written))) == 1:
                low, high, unit = parse_amount(written[0]) or (0, 0, "")
                if low != high or unit:  # a range or a unit: keep it as written
                    shown = written[0]
            team_rows.append([data.type_label(type_id), display(team), shown, team_mean])
        means = [r[3] for r in team_rows if r[3] is not None]
        type_mean = _num(mean(means)) if means else None
        rows += [[r[0], r[1], r[2], type_mean] for r in team_rows]
    if ranges:
        notes.append(
            "Ranges are kept as written; their midpoint is used in means (" + "; ".join(ranges.values()) + ")."
        )
    if len(units) > 1:
        shown_units = ", ".join(repr(u) if u else "(no unit)" for u in sorted(units))
        notes.append(f"Warning: values of {attr} come in different units ({shown_units}); they were not converted, "
                     "so normalise them to one unit before comparing.")
    if ignored:
        notes.append(f"Ignored (no number): {'; '.join(ignored)}.")
    notes.insert(0, f"{attr} per team: mean over its respondents; per type: mean of the team means.")
    notes.append(data.abstain_note())
    return make_frame(rows, ["type", team_attr, attr, "type mean"], f"Context per type: {attr}", notes + data.notes)


def yes_no(value: Any) -> bool | str | None:
    """True, False, ``"partly"`` or None (unknown) from a boolean, 1/0 or a ja/nee/deels text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value) if value in (0, 1) else None
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _PARTLY:
        return "partly"
    return None


def _combine(values: Sequence[bool | str]) -> bool | str | None:
    if not values:
        return None
    if all(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return "partly"


def context_features(
    data: TypologyData,
    features: Sequence[str],
    *,
    team_attr: str = "team",
    by: str = "type",
    words: tuple[str, str, str] = (YES, NO, PARTLY),
    unknown: str = "–",
) -> pd.DataFrame:
    """Rows: types (``by="type"``) or type and team (``by="team"``); one column per feature.

    A team has a feature when all its respondents (of that type) with a value say yes, lacks it
    when all say no, and has it partly otherwise; a type's cell is Ja / Nee / Deels over its teams.
    Respondents without a value are skipped; a cell with no value at all is "–".
    """

    if by not in ("type", "team"):
        raise InputError(f"context features by 'type' or 'team', not {by!r}")
    if not features:
        raise InputError("name at least one yes/no feature attribute (e.g. --features specialisatie,uitbesteding)")
    yes, no, partly = words
    word = {True: yes, False: no, "partly": partly, None: unknown}
    unreadable: list[str] = []
    rows = []
    for type_id, teams in _team_groups(data, team_attr).items():
        per_team: dict[Any, dict[str, bool | str | None]] = {}
        for team, cases in teams.items():
            per_team[team] = {}
            for f in features:
                answers: list[bool | str] = []
                for c in cases:
                    raw = data.case_attributes.get(c, {}).get(f)
                    v = yes_no(raw)
                    if v is None and raw is not None:
                        unreadable.append(f"{c}: {f}={raw!r}")
                    if v is not None:
                        answers.append(v)
                per_team[team][f] = _combine(answers)
        if by == "team":
            for team, vals in per_team.items():
                rows.append([data.type_label(type_id), display(team)] + [word[vals[f]] for f in features])
        else:
            cells = []
            for f in features:
                known = [x for v in per_team.values() if (x := v[f]) is not None]
                cells.append(word[_combine(known)])
            rows.append([data.type_label(type_id)] + cells)
    columns = ["type"] + ([team_attr] if by == "team" else []) + list(features)
    notes = [f"{yes}: all teams of the type have the feature; {no}: none has; {partly}: some have it (or a team's "
             f"respondents disagree); {unknown}: not recorded."]
    if unreadable:
        unreadable = sorted(set(unreadable), key=natural_key)
        more = f"; and {len(unreadable) - 8} more" if len(unreadable) > 8 else ""
        notes.append("Not a yes/no value (ignored): " + "; ".join(unreadable[:8]) + more + ".")
    notes.append(data.abstain_note())
    return make_frame(rows, columns, "Context per type: kenmerken", notes + data.notes)
