"""How far to trust a suggester: an engine's suggestions scored against a coder's codings.

Unit: the respondent turn (fragment). For each code and each turn in scope:

- *suggested*: the engine made a suggestion of that code on the turn, whatever became of it
  (status open, accepted or rejected; orphaned suggestions, whose text changed, are left out),
  optionally only those scoring at least ``min_score``;
- *coded*: the coder has an active coding of that code on the turn (a coding made on a span
  without a fragment counts for every respondent turn it overlaps).

This gives tp (both), fp (suggested only), fn (coded only) and tn (neither), precision, recall,
F1 and Cohen's kappa (engine and coder as two raters, via :mod:`qualcode.agreement.stats`;
``None`` with a note when undefined), per code and pooled over all codes (pooled = counts
summed over code x turn pairs; kappa over the same pairs).

Scope: respondent turns of the transcripts the coder coded (any code) *and* the engine made
suggestions in (any code), so a transcript the engine never ran on does not count as misses.

Caveat: a suggestion a coder accepted *is* one of that coder's codings, so comparing the engine
with codings made by accepting its own suggestions flatters it. The report counts those codings;
``manual_only=True`` (``--manual-only``) uses only manual and imported codings as reference
(and only transcripts with such codings), which is the honest comparison. For the model engine,
the model was trained on a coder's codings: scoring it against the same codings is in-sample,
and the cross-validated table of ``qualcode train`` is the honest estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.agreement.stats import cohen_kappa
from qualcode.codebook.model import Codebook, is_under
from qualcode.errors import InputError
from qualcode.lazy import lazy_import
from qualcode.store import Store

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

UNIT = "turn"
ENGINES = ("rules", "model")
POOLED = "(pooled)"
COLUMNS = ["code", "units", "coded", "suggested", "tp", "fp", "fn", "tn", "precision", "recall", "f1",
           "cohen_kappa", "note"]


def binary_metrics(truth: Any, predicted: Any) -> dict[str, Any]:
    """tp, fp, fn, tn, precision, recall and F1 of two boolean vectors (truth, prediction).

    Precision is ``None`` when nothing was predicted (0/0), recall when nothing is true;
    F1 = 2tp / (2tp + fp + fn) is ``None`` only when both vectors are all negative.
    """
    t = np.asarray(truth, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp = int(np.count_nonzero(t & p))
    fp = int(np.count_nonzero(~t & p))
    fn = int(np.count_nonzero(t & ~p))
    tn = int(np.count_nonzero(~t & ~p))
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None,
    }


def _kappa(coded: np.ndarray, suggested: np.ndarray) -> tuple[float | None, str | None]:

    k = cohen_kappa(np.column_stack([coded, suggested]), categories=(False, True))
    return (round(k.value, 4) if k.value is not None else None), k.note


def _row(code: str, coded: np.ndarray, suggested: np.ndarray) -> dict[str, Any]:
    m = binary_metrics(coded, suggested)
    kappa, note = _kappa(coded, suggested)
    return {
        "code": code,
        "units": int(coded.size),
        "coded": m["tp"] + m["fn"],
        "suggested": m["tp"] + m["fp"],
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()},
        "cohen_kappa": kappa,
        "note": note,
    }


def evaluation_report(
    store: Store,
    codebook: Codebook,
    coder: str,
    engine: str = "rules",
    codes: str | None = None,
    *,
    manual_only: bool = False,
    min_score: float | None = None,
) -> dict[str, Any]:
    """The full comparison: what was compared (unit, reference, suggestions, scope), per-code rows,
    the pooled row and notes. :func:`evaluate` returns just the rows."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
    if codes and not any(is_under(c, codes) for c in codebook.codes):
        raise InputError(f"no code in the codebook starts with {codes!r}")
    reference_all = _reference_codings(store, coder, manual_only)
    made = store.query_suggestions(engine=engine)
    engine_ids = {s["id"] for s in made}  # any status: a coding may come from a suggestion orphaned since
    all_suggestions = [s for s in made if s["status"] != "orphaned"]
    if not all_suggestions:
        raise InputError(f"the {engine} engine has made no suggestions; run `qualcode suggest --engine {engine}`")
    scope, left_out = _scope(coder, engine, reference_all, all_suggestions)
    turns = _Turns.of_transcripts(store, scope)

    def wanted(row: dict[str, Any]) -> bool:
        return row["transcript_id"] in turns.transcripts and (not codes or is_under(row["code"], codes))

    reference = [c for c in reference_all if wanted(c)]
    coded = turns.per_code(reference)
    from_engine = sum(1 for c in reference if c["origin"] == "suggestion" and c["suggestion_id"] in engine_ids)
    compared = [s for s in all_suggestions if wanted(s) and (min_score is None or s["score"] >= min_score)]
    suggested = turns.per_code(compared)
    statuses = {"open": 0, "accepted": 0, "rejected": 0}
    for s in compared:
        statuses[s["status"]] = statuses.get(s["status"], 0) + 1

    n = len(turns.units)
    rows, pooled, macro_f1 = _code_rows(coded, suggested, n)
    reference_name = "manual and imported codings" if manual_only else "all active codings"
    notes = [
        f"unit: respondent turn; {n} turn(s) in {len(scope)} transcript(s) that {coder!r} coded and the "
        f"{engine} engine made suggestions in",
        f"suggested = any {engine} suggestion of the code on the turn, whatever its status "
        f"(open {statuses.get('open', 0)}, accepted {statuses.get('accepted', 0)}, "
        f"rejected {statuses.get('rejected', 0)})" + (f", score >= {min_score}" if min_score is not None else ""),
        f"coded = a coding of the code by {coder!r} on the turn ({reference_name})",
        *_caveats(engine, left_out, from_engine, len(reference)),
    ]
    return {
        "unit": UNIT,
        "coder": coder,
        "engine": engine,
        "codes_prefix": codes,
        "reference": reference_name,
        "manual_only": manual_only,
        "min_score": min_score,
        "suggestions": {"statuses": statuses, "compared": len(compared)},
        "transcripts": scope,
        "transcripts_left_out": left_out,
        "units": n,
        "reference_codings": len(reference),
        "reference_from_engine": from_engine,
        "codes": rows,
        "pooled": pooled,
        "macro_f1": macro_f1,
        "notes": notes,
    }


def _reference_codings(store: Store, coder: str, manual_only: bool) -> list[dict[str, Any]]:
    """The coder's codings to compare with: all of them, or with ``manual_only`` those not made
    by accepting a suggestion (refused when that leaves nothing)."""
    everything = store.query_codings(coders=[coder])
    if not everything:
        known = ", ".join(store.coder_names()) or "none yet"
        raise InputError(f"coder {coder!r} has no codings to compare with (coders: {known})")
    reference_all = [c for c in everything if not manual_only or c["origin"] != "suggestion"]
    if not reference_all:
        raise InputError(
            f"coder {coder!r} has no manual or imported codings: every coding came from accepting a "
            "suggestion (drop --manual-only, knowing the comparison then flatters the engine)"
        )
    return reference_all


def _scope(
    coder: str, engine: str, reference: list[dict[str, Any]], suggestions: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """(transcripts both coded and suggested in, coded transcripts without suggestions): a
    transcript the engine never ran on must not count as misses."""
    coded_tids = {c["transcript_id"] for c in reference}
    suggested_tids = {s["transcript_id"] for s in suggestions}
    scope = sorted(coded_tids & suggested_tids)
    left_out = sorted(coded_tids - suggested_tids)
    if not scope:
        raise InputError(
            f"no transcript has both codings of {coder!r} and {engine} suggestions; run "
            f"`qualcode suggest --engine {engine} {' '.join(sorted(coded_tids)[:3])}`"
        )
    return scope, left_out


@dataclass
class _Turns:
    """The units: respondent turns of the transcripts in scope, numbered in reading order."""

    transcripts: set[str]
    units: list[str]  # fragment ids
    spans: dict[str, list[tuple[int, int, str]]]  # transcript -> (start, end, fragment id) of its turns
    index: dict[str, int]  # fragment id -> unit number

    @classmethod
    def of_transcripts(cls, store: Store, scope: list[str]) -> _Turns:
        units: list[str] = []
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for tid in scope:
            for f in store.fragments(tid, respondent_only=True):
                units.append(f["id"])
                spans.setdefault(tid, []).append((f["start"], f["end"], f["id"]))
        return cls(set(scope), units, spans, {fid: i for i, fid in enumerate(units)})

    def of(self, row: dict[str, Any]) -> list[int]:
        """The units a coding or suggestion is on: its turn, or every respondent turn a span without
        a fragment overlaps; none for an interviewer turn."""
        if row.get("fragment_id") in self.index:
            return [self.index[row["fragment_id"]]]
        if row.get("fragment_id"):
            return []  # an interviewer turn: not a unit
        return [self.index[fid] for s, e, fid in self.spans.get(row["transcript_id"], [])
                if s < row["end"] and row["start"] < e]

    def per_code(self, rows: list[dict[str, Any]]) -> dict[str, set[int]]:
        """Code -> the units it is on."""
        out: dict[str, set[int]] = {}
        for r in rows:
            out.setdefault(r["code"], set()).update(self.of(r))
        return out


def _code_rows(
    coded: dict[str, set[int]], suggested: dict[str, set[int]], n: int
) -> tuple[list[dict[str, Any]], dict[str, Any], float | None]:
    """(a row per code coded or suggested, the pooled row over code x turn pairs, macro F1)."""
    rows: list[dict[str, Any]] = []
    stacked_c, stacked_s = [], []
    for code in sorted(set(coded) | set(suggested)):
        cv = np.zeros(n, dtype=bool)
        sv = np.zeros(n, dtype=bool)
        cv[list(coded.get(code, ()))] = True
        sv[list(suggested.get(code, ()))] = True
        rows.append(_row(code, cv, sv))
        stacked_c.append(cv)
        stacked_s.append(sv)
    if not rows:
        pooled = {**{c: None for c in COLUMNS}, "code": POOLED, "units": 0, "note": "no code was coded or suggested"}
        return rows, pooled, None
    pooled = _row(POOLED, np.concatenate(stacked_c), np.concatenate(stacked_s))
    pooled["note"] = (f"counts summed over {len(rows)} code(s) x {n} turn(s)"
                      + (f"; kappa: {pooled['note']}" if pooled["note"] else ""))
    return rows, pooled, round(float(np.mean([r["f1"] or 0.0 for r in rows])), 4)


def _caveats(engine: str, left_out: list[str], from_engine: int, n_reference: int) -> list[str]:
    """Notes on what the comparison leaves out or flatters."""
    notes: list[str] = []
    if left_out:
        notes.append(f"{len(left_out)} coded transcript(s) without {engine} suggestions left out: "
                     f"{', '.join(left_out[:5])}{' ...' if len(left_out) > 5 else ''}")
    if from_engine:
        notes.append(
            f"caveat: {from_engine} of the {n_reference} reference codings were made by accepting these "
            f"{engine} suggestions, which flatters the engine; use --manual-only to compare with manual and "
            "imported codings only"
        )
    if engine == "model":
        notes.append("caveat: the model learned from a coder's codings; scored against the same codings this is "
                     "in-sample; the honest estimate is the cross-validated table of `qualcode train`")
    return notes


def evaluate(
    store: Store,
    codebook: Codebook,
    coder: str,
    engine: str = "rules",
    codes: str | None = None,
    *,
    manual_only: bool = False,
    min_score: float | None = None,
) -> list[dict[str, Any]]:
    """Per code, the engine's suggestions against ``coder``'s codings at turn level, then a
    pooled row (``code == "(pooled)"``): ``{code, units, coded, suggested, tp, fp, fn, tn,
    precision, recall, f1, cohen_kappa, note}``. See :func:`evaluation_report` for the context."""
    report = evaluation_report(store, codebook, coder, engine, codes, manual_only=manual_only, min_score=min_score)
    return [*report["codes"], report["pooled"]]
