"""Consensus coding: a new coder made of what the coders agreed on plus resolved disagreements.

Turn by turn (see :mod:`qualcode.agreement.disagreements`): codes every coder applied to a turn are copied to
the consensus coder; for the codes only some applied (a disagreement), a resolver decides: keep one
coder's codings, keep all of them, neither, or other codes instead. ``resolve=None`` is
``--auto agreed-only``: disagreements are left out. Everything is one run ("consensus") that
``qualcode runs undo`` removes, and the new coder's ``coders.note`` says where it came from.

Spans: an agreed code keeps the coders' spans when they marked exactly the same passages, else one
coding over the smallest span covering all their codings of that code in the turn (so the
consensus quote contains what each coder marked). "keep" and "all" copy the coders' own codings;
"other code" codes the smallest span covering the disputed codings. All copies have origin
"consensus"; memos are kept (prefixed with the coder when several are merged).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.agreement.compute import suggestion_engine
from qualcode.agreement.disagreements import TurnComparison, compare_turns
from qualcode.codebook.resolve import resolve_code
from qualcode.coding.apply import add_coding
from qualcode.errors import InputError
from qualcode.store import Store

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook

ACTIONS = ("keep", "all", "none", "codes")
AUTO_MODES = ("agreed-only",)

ANSWER_HELP = (
    "answers: a, b, ... (or 1, 2, ... or a coder's name) keep that coder's codes; both (or all) keep every "
    "coder's codes; neither (or none, n) keep none of the disputed codes; other CODE [CODE ...] apply other "
    "code(s) instead; q save what is resolved and leave the rest out; ? this help"
)


@dataclass(frozen=True)
class Resolution:
    """How one disagreement is resolved: ``keep`` (``coder``), ``all``, ``none`` or ``codes``."""

    action: str
    coder: str | None = None
    codes: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.action == "keep":
            return f"keep {self.coder}"
        if self.action == "codes":
            return "other: " + ", ".join(self.codes)
        return {"all": "keep all", "none": "neither"}[self.action]


def parse_answer(text: str, coders: Sequence[str], codebook: Codebook) -> Resolution | None:
    """One typed answer -> a :class:`Resolution`; ``None`` means "stop here" (q).

    Raises :class:`InputError` with a short reason for anything else (the prompt asks again).
    """
    words = text.strip().split()
    if not words:
        raise InputError("no answer; " + ANSWER_HELP)
    head = words[0].lower()
    letters = {chr(ord("a") + i): c for i, c in enumerate(coders)}
    if head in ("q", "quit"):
        return None
    if head in ("?", "h", "help"):
        raise InputError(ANSWER_HELP)
    if len(words) == 1 and head in ("both", "all"):
        return Resolution("all")
    if len(words) == 1 and head in ("neither", "none", "n"):
        return Resolution("none")
    if head in ("other", "o", "code", "c") and (head != "c" or "c" not in letters or len(words) > 1):
        if len(words) < 2:
            raise InputError("name the code(s): other CODE [CODE ...]")
        for code in words[1:]:
            resolve_code(codebook, code, codable=True)
        return Resolution("codes", codes=tuple(dict.fromkeys(words[1:])))
    if len(words) == 1:
        if head in letters:
            return Resolution("keep", coder=letters[head])
        if head.isdigit() and 1 <= int(head) <= len(coders):
            return Resolution("keep", coder=coders[int(head) - 1])
        if words[0] in coders:
            return Resolution("keep", coder=words[0])
    raise InputError(f"cannot read {text.strip()!r}; " + ANSWER_HELP)


@dataclass
class ConsensusReport:
    run_id: int | None
    coder: str
    turns: int  # turns compared (rated by every coder)
    agreed: int  # codings copied from agreed codes
    disagreements: int
    resolved: int
    unresolved: int
    codings: int  # codings the consensus coder got
    unrated: int  # turns left out because a coder did not rate them

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


Resolver = Callable[[TurnComparison, int, int], "Resolution | None"]


def _hull(rows: list[dict[str, Any]]) -> tuple[int, int]:
    return min(r["start"] for r in rows), max(r["end"] for r in rows)


def _merged_memo(rows_by_coder: dict[str, list[dict[str, Any]]]) -> str | None:
    memos = [(c, r["memo"]) for c, rows in rows_by_coder.items() for r in rows if r.get("memo")]
    distinct = list(dict.fromkeys(memos))
    if not distinct:
        return None
    if len({m for _, m in distinct}) == 1:
        return distinct[0][1]
    return " | ".join(f"{c}: {m}" for c, m in distinct)


def _common(values: list[Any]) -> Any:
    vals = set(values)
    return vals.pop() if len(vals) == 1 else None


def _plan_agreed(turn: TurnComparison) -> list[dict[str, Any]]:
    out = []
    for code in turn.agreed:
        rows = {c: [r for r in rs if r["code"] == code] for c, rs in turn.codings.items()}
        span_sets = [frozenset((r["start"], r["end"]) for r in rs) for rs in rows.values()]
        stance = _common([r.get("stance") for rs in rows.values() for r in rs])
        memo = _merged_memo(rows)
        if all(s == span_sets[0] for s in span_sets):
            spans = sorted(span_sets[0])
        else:
            spans = [_hull([r for rs in rows.values() for r in rs])]
        out += [{"code": code, "start": s, "end": e, "stance": stance, "memo": memo} for s, e in spans]
    return out


def _plan_resolution(turn: TurnComparison, res: Resolution) -> list[dict[str, Any]]:
    disputed = set(turn.disputed)
    rows = {c: [r for r in rs if r["code"] in disputed] for c, rs in turn.codings.items()}
    if res.action == "none":
        return []
    if res.action == "keep":
        picked = rows.get(res.coder or "", [])
    elif res.action == "all":
        picked = [r for rs in rows.values() for r in rs]
    else:
        every = [r for rs in rows.values() for r in rs]
        s, e = _hull(every) if every else (turn.start, turn.end)
        return [{"code": code, "start": s, "end": e, "stance": None, "memo": None} for code in res.codes]
    out, seen = [], set()
    for r in picked:
        key = (r["code"], r["start"], r["end"])
        if key not in seen:
            seen.add(key)
            out.append({"code": r["code"], "start": r["start"], "end": r["end"], "stance": r.get("stance"),
                        "memo": r.get("memo")})
    return out


def consensus(
    store: Store,
    codebook: Codebook,
    *,
    coders: Sequence[str],
    name: str,
    user: str,
    resolve: Resolver | None = None,
    codes: str | None = None,
    transcripts: Sequence[str] | None = None,
    rated: str = "coded",
    suggestions: str = "all",
) -> ConsensusReport:
    """Make coder ``name`` from the agreed codings of ``coders`` and the resolved disagreements.

    ``resolve(turn, i, n)`` is asked for each disagreement in turn order and returns a
    :class:`Resolution`, or ``None`` to stop (the rest is left out). Without ``resolve`` only agreed
    codings are copied (``--auto agreed-only``). All answers are collected before anything is
    written, so an interrupted session changes nothing.
    """

    name = name.strip()
    if not name:
        raise InputError("name the consensus coder (--as NAME)")
    if name in coders or suggestion_engine(name) is not None:
        raise InputError(f"the consensus coder needs a new name, not {name!r}")
    if store.has_codings(name):
        raise InputError(
            f"coder {name!r} already has codings; choose another --as NAME (or undo the earlier consensus run)"
        )
    comp = compare_turns(store, coders, codes=codes, transcripts=transcripts, rated=rated, suggestions=suggestions)
    coders = comp.coders
    unknown = sorted({r["code"] for t in comp.turns for rs in t.codings.values() for r in rs} - set(codebook.codes))
    if unknown:
        raise InputError(f"code(s) not in the codebook: {', '.join(unknown)}; rename or merge them first")
    disagreements = comp.disagreements
    answers: dict[str, Resolution] = {}
    if resolve is not None:
        for i, turn in enumerate(disagreements, start=1):
            res = resolve(turn, i, len(disagreements))
            if res is None:
                break
            if res.action not in ACTIONS:
                raise InputError(f"unknown resolution {res.action!r}")
            if res.action == "keep" and res.coder not in coders:
                raise InputError(f"cannot keep the codes of {res.coder!r}: not one of {', '.join(coders)}")
            for code in res.codes:
                resolve_code(codebook, code, codable=True)
            answers[turn.fragment] = res
    mode = "agreed-only" if resolve is None else "resolved one by one"
    params = {"coders": list(coders), "as": name, "codes": codes, "transcripts": list(transcripts or []),
              "unit": "turn", "mode": mode}
    agreed_n = 0
    made = 0
    with store.run("consensus", user, params, codebook.hash) as run_id:
        store.remember_codebook(codebook.hash, codebook.id, ",".join(codebook.files), codebook.to_dict())
        note = (f"consensus of {', '.join(coders)} (unit: turn; codes: {codes or 'all'}; {mode}; "
                f"{len(answers)} of {len(disagreements)} disagreements resolved; run {run_id})")
        if store.coder(name) is None:
            store.ensure_coder(name, kind="consensus", note=note)
        else:
            store.update("coders", {"name": name}, {"kind": "consensus", "note": note})
        seen: set[tuple[str, str, int, int]] = set()
        for turn in comp.turns:
            planned = _plan_agreed(turn)
            agreed_n += len(planned)
            if turn.fragment in answers:
                planned += _plan_resolution(turn, answers[turn.fragment])
            for c in planned:
                key = (turn.fragment, c["code"], c["start"], c["end"])
                if key in seen:
                    continue
                seen.add(key)
                add_coding(store, codebook, coder=name, code=c["code"], fragment_id=turn.fragment,
                           span=(c["start"] - turn.start, c["end"] - turn.start), stance=c["stance"],
                           memo=c["memo"], origin="consensus")
                made += 1
        summary = {"agreed": agreed_n, "disagreements": len(disagreements), "resolved": len(answers),
                   "codings": made}
        store.set_run_summary(run_id, summary)
    return ConsensusReport(run_id, name, comp.compared, agreed_n, len(disagreements), len(answers),
                           len(disagreements) - len(answers), made, comp.unrated)
