"""Distribution of respondents over types.

Rows: type, then municipality, then team; per row the respondent ids written as ranges
(:func:`qualcode.tables.ids.id_ranges`) and their number, and a notes column that flags ids which
do not fit their team's range. Computed from the typology assignment (per case or per team).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.tables.frame import display, make_frame, natural_key
from qualcode.tables.ids import THROUGH, id_ranges, team_id_problems

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tables.typology import TypologyData


def distribution(
    data: TypologyData,
    *,
    municipality_attr: str = "gemeente",
    team_attr: str = "team",
    team_number_attr: str | None = None,
    through: str = THROUGH,
) -> pd.DataFrame:
    """One row per (type, municipality, team): ``type, <municipality>, <team>, respondents, n, notes``.

    ``team_number_attr`` names a numeric case attribute (e.g. ``teamnummer``) to check each id's
    team number against; without it an id is checked against the most common ``<prefix><team>``
    of its team. The check looks at all ids of a team, also when the team's cases fall under
    several types, but a row's notes only name the ids in that row.
    """
    attrs = data.case_attributes
    types = data.type_of()

    def place(case: str) -> tuple[Any, Any]:
        a = attrs.get(case, {})
        return a.get(municipality_attr), a.get(team_attr)

    team_cases: dict[tuple[Any, Any], list[str]] = {}
    for case in types:
        team_cases.setdefault(place(case), []).append(case)
    numbers: dict[str, int] | None = None
    if team_number_attr:
        read: dict[str, int | None] = {}
        for case in types:
            v = attrs.get(case, {}).get(team_number_attr)
            try:
                read[case] = int(float(v)) if v is not None and not isinstance(v, bool) else None
            except (TypeError, ValueError):
                read[case] = None
        numbers = {k: v for k, v in read.items() if v is not None}
    problems = {key: team_id_problems(ids, team_numbers=numbers) for key, ids in team_cases.items()}

    rows = []
    for type_id in data.type_order():
        cases = [c for c, t in types.items() if t == type_id]
        places: dict[tuple[Any, Any], list[str]] = {}
        for c in cases:
            places.setdefault(place(c), []).append(c)
        for key in sorted(places, key=lambda k: (natural_key(k[0]), natural_key(k[1]))):
            ids = sorted(places[key], key=natural_key)
            flagged = problems.get(key, {})
            row_notes = "; ".join(flagged[i] for i in ids if i in flagged)
            rows.append([data.type_label(type_id), display(key[0]), display(key[1]), id_ranges(ids, through),
                         len(ids), row_notes])
    level = "per case" if data.level == "case" else f"per {data.level} (pooled codings)"
    notes = [
        f"Types assigned {level}" + (f", coder {data.coder}" if data.coder else "") + ".",
        f"Respondent ids: consecutive numbers collapse to 'first {through} last' (Adm01_r1 {through} r3); other "
        "numbers are listed with commas; ids that do not fit <prefix><team>_r<n> or their team are flagged in notes.",
    ]
    notes.append(data.abstain_note(left_out=False))
    return make_frame(rows, ["type", municipality_attr, team_attr, "respondents", "n", "notes"],
                      "Verdeling van respondenten over typen", notes + data.notes)
