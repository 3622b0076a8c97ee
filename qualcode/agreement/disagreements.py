"""Disagreements between coders, turn by turn: the list a coding team discusses.

A *disagreement* is a respondent turn that every coder rated (see the missing-data rule in
:mod:`qualcode.agreement.compute`) on which the coders applied different sets of codes (under a prefix).
It lists the turn's text, what each coder applied there, the codes all of them applied (agreed)
and the codes only some applied (disputed), and the coders' memos, so the team can talk it through.
:mod:`qualcode.agreement.consensus` resolves the same comparisons into a consensus coder.

Why the turn and not the character: a discussion is about what a passage means, and a turn is
what people read; codings sit inside one turn, so "what each coder applied to this turn" is exact.
Turns in a transcript that one of the coders did not rate are not disagreements: that coder did
not look at them (they are counted in :attr:`Comparison.unrated`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.agreement.compute import check_coders, resolve_scope, suggestion_engine
from qualcode.store import Store

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class TurnComparison:
    """What each coder applied to one respondent turn (only turns someone coded are kept)."""

    fragment: str
    transcript: str
    case: str | None
    n: int
    start: int  # the turn's span in the transcript
    end: int
    text: str
    codings: dict[str, list[dict[str, Any]]]  # coder -> their codings here (code, start, end, text, stance, memo)

    def codes(self, coder: str) -> list[str]:
        return sorted({c["code"] for c in self.codings.get(coder, [])})

    @property
    def agreed(self) -> list[str]:
        sets = [set(self.codes(c)) for c in self.codings]
        return sorted(sets[0].intersection(*sets[1:])) if sets else []

    @property
    def disputed(self) -> list[str]:
        sets = [set(self.codes(c)) for c in self.codings]
        return sorted(set.union(*sets) - sets[0].intersection(*sets[1:])) if sets else []

    @property
    def is_disagreement(self) -> bool:
        return bool(self.disputed)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``qualcode disagreements --format json`` (one item)."""
        return {
            "fragment": self.fragment,
            "transcript": self.transcript,
            "case": self.case,
            "text": self.text,
            "codes": {c: self.codes(c) for c in self.codings},
            "agreed": self.agreed,
            "disputed": self.disputed,
            "memos": {
                c: [f"{r['code']}: {r['memo']}" for r in rows if r.get("memo")] for c, rows in self.codings.items()
            },
            "codings": self.codings,
        }


@dataclass
class Comparison:
    coders: list[str]
    turns: list[TurnComparison]  # turns rated by every coder where at least one coder applied a code
    compared: int  # turns rated by every coder
    unrated: int  # turns in scope some coder did not rate (left out)
    transcripts: list[str] = field(default_factory=list)

    @property
    def disagreements(self) -> list[TurnComparison]:
        return [t for t in self.turns if t.is_disagreement]


def _coder_rows(store: Store, coder: str, code_prefix: str | None, transcripts: set[str], suggestions: str):
    engine = suggestion_engine(coder)
    if engine is None:
        rows = store.query_codings(coders=[coder], code_prefix=code_prefix)
    else:
        status = "open" if suggestions == "open" else None
        rows = [
            {**r, "memo": f"suggested (score {r['score']:.2f}, {r['status']})", "text": None}
            for r in store.query_suggestions(engine=engine, status=status, code_prefix=code_prefix)
            if r["status"] != "orphaned"
        ]
    return [r for r in rows if r["transcript_id"] in transcripts]


def compare_turns(
    store: Store,
    coders: Sequence[str],
    *,
    codes: str | None = None,
    transcripts: Sequence[str] | None = None,
    rated: str = "coded",
    suggestions: str = "all",
) -> Comparison:
    """Every respondent turn rated by all ``coders`` with what each applied (codes under ``codes``)."""
    coders = check_coders(store, coders)
    scope, rated_sets = resolve_scope(store, coders, transcripts, rated)
    both_rated = set.intersection(*(rated_sets[c] for c in coders))
    frags = {f["id"]: f for tid in scope for f in store.fragments(tid, respondent_only=True)}
    by_frag: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for c in coders:
        for r in _coder_rows(store, c, codes, both_rated, suggestions):
            if r["fragment_id"] not in frags:
                continue  # an interviewer turn: not a unit
            by_frag.setdefault(r["fragment_id"], {k: [] for k in coders})[c].append(
                {
                    "code": r["code"],
                    "start": r["start"],
                    "end": r["end"],
                    "text": r.get("text"),
                    "stance": r.get("stance"),
                    "memo": r.get("memo"),
                    "id": r["id"],
                }
            )
    compared = sum(1 for f in frags.values() if f["transcript_id"] in both_rated)
    texts: dict[str, str] = {}
    turns = []
    for fid in sorted(by_frag, key=lambda f: (frags[f]["transcript_id"], frags[f]["n"])):
        f = frags[fid]
        tid, start, end = f["transcript_id"], f["start"], f["end"]
        if tid not in texts:
            texts[tid] = store.transcript_text(tid)
        codings = by_frag[fid]
        for rows in codings.values():
            for r in rows:
                if r["text"] is None:
                    r["text"] = texts[tid][r["start"] : r["end"]]
            rows.sort(key=lambda r: (r["code"], r["start"], r["end"]))
        turns.append(TurnComparison(fid, tid, f["case_id"], f["n"], start, end, texts[tid][start:end], codings))
    return Comparison(list(coders), turns, compared, len(frags) - compared, scope)


def disagreements(
    store: Store,
    coders: Sequence[str],
    *,
    codes: str | None = None,
    transcripts: Sequence[str] | None = None,
    rated: str = "coded",
    suggestions: str = "all",
) -> list[dict[str, Any]]:
    """Each turn on which the coders disagree, as a dict (see :meth:`TurnComparison.to_dict`)."""
    comp = compare_turns(store, coders, codes=codes, transcripts=transcripts, rated=rated, suggestions=suggestions)
    return [t.to_dict() for t in comp.disagreements]


def flat_rows(
    items: list[dict[str, Any]], coders: Sequence[str], text_limit: int | None = None
) -> list[dict[str, Any]]:
    """One flat row per disagreement (table, CSV): fragment, case, each coder's codes, memos, text."""
    out = []
    for d in items:
        row: dict[str, Any] = {"fragment": d["fragment"], "case": d["case"]}
        for c in coders:
            row[c] = ", ".join(d["codes"].get(c, [])) or "-"
        row["agreed"] = ", ".join(d["agreed"])
        row["disputed"] = ", ".join(d["disputed"])
        row["memos"] = " | ".join(f"{c}: {m}" for c in coders for m in d["memos"].get(c, []))
        text = d["text"]
        if text_limit and len(text) > text_limit:
            text = text[: text_limit - 1].rstrip() + "…"
        row["text"] = text
        out.append(row)
    return out


def disagreements_frame(items: list[dict[str, Any]], coders: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(flat_rows(items, coders),
                        columns=["fragment", "case", *coders, "agreed", "disputed", "memos", "text"])
