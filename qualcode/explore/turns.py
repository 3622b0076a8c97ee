"""The turns a search or a word count looks at, and the filters that choose them.

Why one selection for both: ``qualcode search`` and ``qualcode words`` take the same filters (case
attributes, codes, coder, transcripts), and a filter that selects nothing because of a typo must
stop both with the same message instead of giving an empty table that looks like a finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qualcode.codebook.model import Codebook
from qualcode.codebook.resolve import check_prefix
from qualcode.coding.coders import check_coder_names
from qualcode.errors import InputError, did_you_mean
from qualcode.store import Store
from qualcode.tables.frame import UNKNOWN
from qualcode.transcripts.attributes import parse_value


@dataclass(frozen=True)
class Turn:
    """One speaker turn to search: its text and where it stands (``start``: its offset in the transcript)."""

    fragment: str
    transcript: str
    n: int
    case: str | None
    speaker: str
    interviewer: bool
    start: int
    text: str


@dataclass
class TurnFilter:
    """Which turns: respondent turns (interviewer turns too with ``interviewer``) of the given
    transcripts, of cases whose attributes match every ``where`` key (``key=value`` texts; the
    same key twice means either value), coded with a code under ``in_code`` and/or by ``coded_by``."""

    where: Sequence[str] = ()
    in_code: str | None = None
    coded_by: str | None = None
    transcripts: Sequence[str] | None = None
    interviewer: bool = False
    conditions: dict[str, list[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for item in self.where:
            key, eq, value = item.partition("=")
            if not eq or not key.strip() or not value.strip():
                raise InputError(f"--where takes ATTRIBUTE=VALUE (e.g. gemeente=Havenstad), not {item!r}")
            self.conditions.setdefault(key.strip(), []).append(value.strip())


def select_turns(store: Store, codebook: Codebook, case_values: Mapping[str, Mapping[str, Any]],
                 chosen: TurnFilter) -> list[Turn]:
    """The turns ``chosen`` names, in transcript and turn order, with their text.

    Refused (InputError) when a filter names nothing: an unknown transcript, coder, code prefix or
    attribute, or an attribute value no case has (with the values that exist).
    """
    known = {r["id"] for r in store.transcript_summaries()}
    for t in chosen.transcripts or ():
        if t not in known:
            raise InputError(f"unknown transcript {t!r}{did_you_mean(t, known)}; see `qualcode transcripts list`")
    cases = _matching_cases(case_values, chosen.conditions) if chosen.conditions else None
    fragments: set[str] | None = None
    if chosen.in_code or chosen.coded_by:
        coders = check_coder_names([chosen.coded_by], store.coder_names()) if chosen.coded_by else None
        if chosen.in_code:
            check_prefix(chosen.in_code, codebook, store.codes_in_use())
        rows = store.query_codings(coders=coders, code_prefix=chosen.in_code or None)
        fragments = {r["fragment_id"] for r in rows if r["fragment_id"]}
    wanted = set(chosen.transcripts) if chosen.transcripts else None
    texts: dict[str, str] = {}
    out = []
    for f in store.fragments(respondent_only=not chosen.interviewer):
        tid = f["transcript_id"]
        if wanted is not None and tid not in wanted:
            continue
        if cases is not None and f["case_id"] not in cases:
            continue
        if fragments is not None and f["id"] not in fragments:
            continue
        if tid not in texts:
            texts[tid] = store.transcript_text(tid)
        out.append(Turn(f["id"], tid, f["n"], f["case_id"], f["speaker"], bool(f["is_interviewer"]), f["start"],
                        texts[tid][f["start"]:f["end"]]))
    return out


def _matching_cases(case_values: Mapping[str, Mapping[str, Any]], conditions: Mapping[str, list[str]]) -> set[str]:
    """Cases whose attribute ``key`` equals one of the values for every key (typed: 180 = 180.0,
    ja = true, text without regard to case)."""
    keys = {k for values in case_values.values() for k in values}
    selected = set(case_values)
    for key, wanted in conditions.items():
        if key not in keys:
            raise InputError(f"no case has an attribute {key!r}{did_you_mean(key, keys)}; "
                             f"attributes: {', '.join(sorted(keys)) or 'none'}")
        present = {cid: values[key] for cid, values in case_values.items() if values.get(key) is not None}
        for value in wanted:
            if not any(same_value(v, value) for v in present.values()):
                shown = sorted({show_value(v) for v in present.values()})
                raise InputError(f"no case has {key}={value}; values of {key}: {', '.join(shown[:12])}"
                                 f"{', ...' if len(shown) > 12 else ''}")
        selected &= {cid for cid, v in present.items() if any(same_value(v, w) for w in wanted)}
    return selected


def show_value(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if isinstance(value, date) else str(value)


def same_value(stored: Any, typed: str) -> bool:
    """Does a stored (typed) attribute value equal what a person typed?"""
    if isinstance(stored, bool):
        try:
            return parse_value(typed, "boolean").value == ("true" if stored else "false")
        except ValueError:
            return False
    if isinstance(stored, (int, float)):
        try:
            return float(typed.replace(",", ".")) == float(stored)
        except ValueError:
            return False
    return show_value(stored).casefold() == typed.strip().casefold()


def group_of(turn: Turn, by: str | None, case_values: Mapping[str, Mapping[str, Any]]) -> str:
    """The group a turn counts in: its case (``by="case"``), the case's attribute ``by`` (shown
    as text; ``(onbekend)`` when the case has no value, as in the other tables), or one group ``all``."""
    if by is None:
        return "all"
    if by == "case":
        return turn.case or "(interviewer)"
    value = case_values.get(turn.case or "", {}).get(by)
    return UNKNOWN if value is None else show_value(value)


def check_group(by: str | None, case_values: Mapping[str, Mapping[str, Any]]) -> None:
    """``by`` is ``case`` or an attribute some case has (a typo would put everyone under ``(onbekend)``)."""
    if by in (None, "case"):
        return
    keys: Iterable[str] = {k for values in case_values.values() for k in values}
    if by not in keys:
        raise InputError(f"no case has an attribute {by!r}{did_you_mean(str(by), keys)}; use case or one of: "
                         f"{', '.join(sorted(keys)) or 'none'}")
