"""Respondent ids written as ranges (``Adm01_r1 t/m r3``) and checked against their team.

Why: the dissertation's tables list, per team, which respondents a row covers, so a reader can
trace every quote; a compact range is readable and an id that does not belong to its team's range
(a typo, a respondent filed under the wrong team) is exactly what such a table must reveal.

Rules (documented in the table notes):
- an id of the form ``<prefix><team>_r<n>`` (letters, digits, ``_r``, digits: ``Adm01_r3``) is
  grouped by ``<prefix><team>``; within a group the numbers are sorted and every run of two or
  more consecutive numbers collapses to ``first t/m last`` (``Adm01_r1 t/m r3``); other numbers are
  listed with commas (``Adm01_r1 t/m r3, r5``); only the first item of a group repeats the prefix;
- groups are separated by ``; ``, ids that do not fit the pattern come last, as written;
- per team, ids that do not fit the pattern and ids whose ``<prefix><team>`` differs from the
  team's (the most common one among its ids, or the team number an attribute gives) are flagged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qualcode.tables.frame import natural_key

RESPONDENT_ID = re.compile(r"^(?P<prefix>[A-Za-z]+)(?P<team>\d+)_r(?P<n>\d+)$")
THROUGH = "t/m"


@dataclass(frozen=True)
class RespondentId:
    id: str
    prefix: str
    team: str  # as written, e.g. "01"
    n: str  # as written, e.g. "3"

    @property
    def group(self) -> str:
        return f"{self.prefix}{self.team}"

    @property
    def team_key(self) -> tuple[str, int]:
        return (self.prefix, int(self.team))


def parse_respondent_id(case_id: str, pattern: re.Pattern[str] = RESPONDENT_ID) -> RespondentId | None:
    m = pattern.match(str(case_id))
    if not m:
        return None
    return RespondentId(str(case_id), m.group("prefix"), m.group("team"), m.group("n"))


def _runs(numbers: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def id_ranges(ids: Iterable[str], through: str = THROUGH, pattern: re.Pattern[str] = RESPONDENT_ID) -> str:
    """``["Adm01_r1", "Adm01_r2", "Adm01_r3", "Adm01_r5"]`` -> ``"Adm01_r1 t/m r3, r5"``."""
    groups: dict[str, dict[int, str]] = {}
    odd: list[str] = []
    for case_id in dict.fromkeys(ids):
        rid = parse_respondent_id(case_id, pattern)
        if rid is None:
            odd.append(str(case_id))
        else:
            groups.setdefault(rid.group, {}).setdefault(int(rid.n), rid.n)
    parts = []
    for group in sorted(groups, key=natural_key):
        written = groups[group]
        items: list[str] = []
        for a, b in _runs(sorted(written)):
            first = f"r{written[a]}" if items else f"{group}_r{written[a]}"
            items.append(first if a == b else f"{first} {through} r{written[b]}")
        parts.append(", ".join(items))
    parts += sorted(odd, key=natural_key)
    return "; ".join(parts)


def team_id_problems(
    ids: Iterable[str],
    *,
    team_numbers: Mapping[str, int] | None = None,
    pattern: re.Pattern[str] = RESPONDENT_ID,
) -> dict[str, str]:
    """Why ids of one team do not fit its range: flagged id -> message, in natural id order.

    The team's ``<prefix><team>`` is the most common among its ids (first in natural order on a
    tie). With ``team_numbers`` (case id -> the team number an attribute gives) an id whose
    number differs from its own case's attribute is flagged instead.
    """
    parsed: list[RespondentId] = []
    problems: dict[str, str] = {}
    for case_id in sorted(dict.fromkeys(ids), key=natural_key):
        rid = parse_respondent_id(case_id, pattern)
        if rid is None:
            problems[case_id] = f"{case_id}: not of the form <prefix><team>_r<n>"
        else:
            parsed.append(rid)
    if not parsed:
        return problems
    counts = Counter(r.team_key for r in parsed)
    top = max(counts.values())
    main = next(r.team_key for r in parsed if counts[r.team_key] == top)
    main_group = next(r.group for r in parsed if r.team_key == main)
    for r in parsed:
        attr = (team_numbers or {}).get(r.id)
        if attr is not None:
            if int(r.team) != int(attr):
                problems[r.id] = f"{r.id}: id says team {int(r.team)}, its team number attribute says {int(attr)}"
        elif r.team_key != main:
            problems[r.id] = f"{r.id}: does not fit this team's ids ({main_group}_r…)"
    return {k: problems[k] for k in sorted(problems, key=natural_key)}
