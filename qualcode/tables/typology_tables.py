"""The tables of a typology, built by name: one builder for every command and the report.

``qualcode typology --table X``, ``qualcode table X`` and the report's typology section all ask
:func:`typology_table` for a table by its name, so a table reads the same wherever it is made.
Each name maps to a table shape of its own module (distribution, profile, strategies,
appendix, context) over one :class:`~qualcode.tables.typology.TypologyData` (the assignment is
computed once per project, coder and level); :func:`group_columns` says which leading columns a
printed table groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import Codebook
from qualcode.errors import InputError
from qualcode.export.table import cell_text
from qualcode.tables.appendix import appendix
from qualcode.tables.distribution import THROUGH, distribution
from qualcode.tables.profile import MAJORITY, profile
from qualcode.tables.strategies import strategies
from qualcode.tables.typology import TypologyData, assignment_frame, fragment_key, weighed

if TYPE_CHECKING:
    import pandas as pd

TABLES = ("assignment", "distribution", "profile", "strategies", "appendix")


@dataclass
class TypologyTableOptions:
    """Everything a typology table can be asked to do differently (defaults as in the commands)."""

    municipality_attr: str = "gemeente"
    team_attr: str = "team"
    team_number_attr: str | None = None
    through: str = THROUGH
    counts: bool = False
    majority: float = MAJORITY
    prefix: str = "discretion"
    by_code: bool = False
    max_quotes: int = 3
    max_words: int | None = 40
    citation: str = "({case}, {team})"
    short_ids: bool = False  # assignment: fragment ids grouped per transcript, at most 8 (the report)


def typology_table(
    name: str,
    data: TypologyData,
    codebook: Codebook,
    options: TypologyTableOptions | None = None,
    turn: Callable[[str], tuple[int, str] | None] | None = None,
) -> pd.DataFrame:
    """The table ``name`` (one of :data:`TABLES`); ``turn`` (fragment id -> turn start and text)
    is needed for the appendix, which quotes the turns. ``df.attrs["groups"]`` names the leading
    columns a printed table groups."""
    df = _build(name, data, codebook, options or TypologyTableOptions(), turn)
    df.attrs["groups"] = group_columns(name, options)
    return df


def _build(name: str, data: TypologyData, codebook: Codebook, o: TypologyTableOptions,
           turn: Callable[[str], tuple[int, str] | None] | None) -> pd.DataFrame:
    if name == "assignment":
        return assignment_display(data, short_ids=o.short_ids)
    if name == "distribution":
        return distribution(data, municipality_attr=o.municipality_attr, team_attr=o.team_attr,
                            team_number_attr=o.team_number_attr, through=o.through)
    if name == "profile":
        return profile(data, codebook, majority=o.majority, counts=o.counts)
    if name == "strategies":
        return strategies(data, codebook, prefix=o.prefix, by_code=o.by_code)
    if name == "appendix":
        if turn is None:
            raise ValueError("the appendix quotes turns: pass turn=Project.turn_lookup()")
        return appendix(data, codebook, turn, team_attr=o.team_attr, citation=o.citation, max_quotes=o.max_quotes,
                        max_words=o.max_words)
    raise InputError(f"unknown typology table {name!r}; use one of {', '.join(TABLES)}")


def group_columns(name: str, options: TypologyTableOptions | None = None) -> list[str]:
    """The leading columns a printed table shows only where their value changes."""
    o = options or TypologyTableOptions()
    return {"distribution": ["type", o.municipality_attr], "strategies": ["type"],
            "appendix": ["type", o.team_attr]}.get(name, [])


def assignment_display(data: TypologyData, *, short_ids: bool = False) -> pd.DataFrame:
    """The assignment as a readable table: type label, scores and fragment ids as text, the
    reason, and the strongest fragments for and against with their weights (at most three each).

    ``short_ids``: ids grouped per transcript and at most eight per cell, the assigned type's
    score in bold (the report, where a long cell would drown the page); otherwise every id.
    """
    df = assignment_frame(data)
    shown = df.copy()
    names = {t.id: t.id for t in data.typology.types}
    for col, attr in (("for", "support"), ("against", "against")):
        shown[col] = [weighed(getattr(a, attr), names=names) for a in data.assignments]
    if short_ids:
        shown["scores"] = [_scores_marked(s, t) for s, t in zip(df["scores"], df["type"])]
        for col in ("evidence", "contradicting"):
            shown[col] = df[col].map(lambda v: fragment_list(v or []))
    else:
        shown["scores"] = df["scores"].map(
            lambda s: ", ".join(f"{k} {cell_text(float(v))}" for k, v in (s or {}).items()))
        for col in ("evidence", "contradicting"):
            shown[col] = df[col].map(lambda v: ", ".join(v or []))
    shown["manual"] = df["manual"].map(lambda m: "manual" if m else "")
    shown = shown.drop(columns=["type"]).rename(columns={"type_label": "type"})
    shown.attrs = dict(df.attrs)
    return shown


def fragment_list(ids: Iterable[str], limit: int = 8) -> str:
    """Fragment ids grouped by transcript, ``Hvs01_g1: 9, 19, 26`` (at most ``limit`` ids shown,
    then ``… (+n)``), so an evidence cell stays short enough to read."""
    items = sorted(dict.fromkeys(str(i) for i in ids), key=fragment_key)
    shown, rest = items[:limit], len(items) - limit
    groups: dict[str, list[str]] = {}
    for fid in shown:
        tid, _, n = fid.rpartition(":")
        if not tid:
            tid, n = fid, ""
        groups.setdefault(tid, []).append(n)
    text = "; ".join(f"{t}: {', '.join(n for n in ns if n)}" if any(ns) else t for t, ns in groups.items())
    return text + (f" … (+{rest})" if rest > 0 else "")


def _scores_marked(scores: Any, assigned: str) -> str:
    if not isinstance(scores, Mapping):
        return "" if scores is None else str(scores)
    return " · ".join((f"**{k} {v:g}**" if k == assigned else f"{k} {v:g}") for k, v in scores.items())
