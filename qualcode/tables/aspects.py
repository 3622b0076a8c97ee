"""Aspects of professional practice by respondent group.

Rows: the aspect codes (the direct children of ``aspect``, seven in the shipped codebook);
columns: the values of a respondent-group attribute (practitioners, managers, client
representatives), each with its size; a cell counts the respondents of the group with at least
one coding under the aspect, and says "niet genoemd" when none has. A note warns when the largest
group is more than ``ratio`` (3) times the smallest: counts then compare badly (the report had 82,
12 and 7 respondents), so read shares.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.errors import InputError
from qualcode.tables.frame import children, display, make_frame, natural_key

if TYPE_CHECKING:
    import pandas as pd

NOT_MENTIONED = "niet genoemd"


def aspects(
    codings: Sequence[Mapping[str, Any]],
    codebook: Any,
    case_attributes: Mapping[str, Mapping[str, Any]],
    *,
    group_attr: str,
    prefix: str = "aspect",
    groups: Sequence[str] | None = None,
    not_mentioned: str | None = NOT_MENTIONED,
    ratio: float = 3.0,
    lang: str = "nl",
    coder: str | None = None,
) -> pd.DataFrame:
    """Columns: ``aspect`` and ``"<group> (n=<size>)"`` per group. ``not_mentioned=None`` keeps 0."""
    rows_codes = children(codebook, prefix)
    if not rows_codes:
        raise InputError(f"the codebook has no codes under {prefix!r}")
    members: dict[Any, list[str]] = {}
    missing = []
    for case, attrs in case_attributes.items():
        v = attrs.get(group_attr)
        if v is None or v == "":
            missing.append(case)
        else:
            members.setdefault(display(v), []).append(case)
    if not members:
        raise InputError(f"no case has the attribute {group_attr!r}; see `qualcode cases list`")
    order = list(groups) if groups else sorted(members, key=natural_key)
    for g in order:
        members.setdefault(g, [])
    group_of = {c: g for g, cs in members.items() for c in cs}
    mentioned: dict[tuple[str, str], set[str]] = {}
    for c in codings:
        case_id = c.get("case")
        g = group_of.get(case_id) if case_id is not None else None
        if g is None:
            continue
        for a in rows_codes:
            if is_under(c["code"], a):
                mentioned.setdefault((a, g), set()).add(c["case"])
    rows = []
    for a in rows_codes:
        row: list[Any] = [codebook.label_of(a, lang)]
        for g in order:
            n = len(mentioned.get((a, g), ()))
            row.append(n if n or not_mentioned is None else not_mentioned)
        rows.append(row)
    sizes = {g: len(members[g]) for g in order}
    notes = [f"Cells: respondents of the group with at least one coding under the aspect ({prefix}.*)."
             + (f" Coder: {coder}." if coder else "")]
    nonzero = [s for s in sizes.values() if s]
    if nonzero and max(nonzero) > ratio * min(nonzero):
        notes.append(f"Warning: group sizes differ by more than {ratio:g}x ("
                     + ", ".join(f"{g} {s}" for g, s in sizes.items()) + "): compare shares, not counts.")
    empty = [g for g, s in sizes.items() if not s]
    if empty:
        notes.append(f"No respondents in: {', '.join(empty)}.")
    if missing:
        notes.append(f"{len(missing)} case(s) without {group_attr} left out.")
    columns = ["aspect"] + [f"{g} (n={sizes[g]})" for g in order]
    return make_frame(rows, columns, f"Aspecten per {group_attr}", notes)
