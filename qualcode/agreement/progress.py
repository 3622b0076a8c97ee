"""``qualcode progress``: how far each coder is, per transcript, and what is left before two
coders' agreement can be computed on the same material.

A respondent turn counts as

- **coded** by a coder when the coder has an active coding on it;
- **reviewed** when it is coded, or the coder accepted or rejected a suggestion on it, or the
  coder went past it in ``qualcode review``: it lies before the saved review position in that
  review's queue (the turn the review resumes at is not counted until something is decided on it;
  a review of several named transcripts is taken in the order of their ids);
- **open** otherwise.

Agreement (``qualcode agree``, rated=coded) counts a transcript as rated by a coder when the coder
has at least one coding in it, and leaves out transcripts only one coder rated. So for every pair
of coders this says which transcripts both rated (agreement is computed on those), which only
one of them did (the other coder's work left), and how many of the shared ones both reviewed to
the last turn: a transcript one coder stopped halfway counts as rated, and every turn they did not
reach then reads as "not coded".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from qualcode.agreement.compute import rated_transcripts
from qualcode.coding.coders import check_coder_names
from qualcode.errors import InputError, did_you_mean
from qualcode.store import Store

if TYPE_CHECKING:
    import pandas as pd

TURN_COLUMNS = ["coder", "transcript", "turns", "reviewed", "coded", "open", "reviewed_pct"]
CODER_COLUMNS = ["coder", "transcripts", "started", "finished", "turns", "reviewed", "coded", "open", "reviewed_pct"]
PAIR_COLUMNS = ["coder_a", "coder_b", "both", "both_finished", "only_a", "only_b", "left_for_a", "left_for_b"]
NOTES = [
    "reviewed: turns coded, with a suggestion accepted or rejected, or passed in `qualcode review`; "
    "open = turns - reviewed",
    "agreement (rated=coded) uses the transcripts both coders coded at least once (both); "
    "left_for_a: transcripts only coder_b coded, which coder_a has still to code (and left_for_b the other way)",
]


@dataclass
class ProgressReport:
    """Per coder and transcript (``turns``), per coder (``coders``) and per pair of coders (``pairs``)."""

    turns: list[dict[str, Any]] = field(default_factory=list)
    coders: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"coders": self.coders, "transcripts": self.turns, "pairs": self.pairs, "notes": self.notes}

    def frames(self) -> dict[str, pd.DataFrame]:
        import pandas as pd

        out = {"coders": pd.DataFrame(self.coders, columns=CODER_COLUMNS),
               "transcripts": pd.DataFrame(self.turns, columns=TURN_COLUMNS),
               "pairs": pd.DataFrame(self.pairs, columns=PAIR_COLUMNS)}
        for df in out.values():
            df.attrs["notes"] = list(self.notes)
        return out


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def coding_progress(store: Store, coders: Sequence[str] | None = None,
                    transcripts: Sequence[str] | None = None) -> ProgressReport:
    """The progress of ``coders`` (default: every coder who coded, decided or reviewed) over
    ``transcripts`` (default: all), as described in the module docstring."""
    queue = [(fid, tid) for fid, tid, _, _ in store.respondent_spans()]  # by transcript id, then turn
    by_transcript: dict[str, list[str]] = {}
    for fid, tid in queue:
        by_transcript.setdefault(tid, []).append(fid)
    known = [r["id"] for r in store.transcript_summaries()]
    for t in transcripts or ():
        if t not in known:
            raise InputError(f"unknown transcript {t!r}{did_you_mean(t, known)}; see `qualcode transcripts list`")
    chosen = list(dict.fromkeys(transcripts)) if transcripts else sorted(known)
    coded = _by_coder(store.coded_fragments())
    decided = _by_coder(store.decided_fragments())
    positions = store.review_positions()
    passed: dict[str, set[str]] = {}
    for coder, scope, fid in positions:
        scope_queue = ([f for f, _ in queue] if scope == "all" else
                       [f for t in sorted(scope.split(",")) for f in by_transcript.get(t, [])])
        if fid in scope_queue:
            passed.setdefault(coder, set()).update(scope_queue[:scope_queue.index(fid)])
    everyone = set(store.coder_names()) | set(coded) | set(decided) | {c for c, _, _ in positions}
    names = check_coder_names(list(dict.fromkeys(coders)), everyone) if coders else sorted(everyone)
    report = ProgressReport(notes=list(NOTES))
    if not names:
        report.notes.append("no coder has coded or reviewed anything yet")
        return report
    finished: dict[tuple[str, str], bool] = {}
    for coder in names:
        done = coded.get(coder, set()) | decided.get(coder, set()) | passed.get(coder, set())
        totals: dict[str, Any] = {"coder": coder, "transcripts": 0, "started": 0, "finished": 0, "turns": 0,
                                  "reviewed": 0, "coded": 0, "open": 0}
        for tid in chosen:
            turns = by_transcript.get(tid, [])
            reviewed = sum(f in done for f in turns)
            n_coded = sum(f in coded.get(coder, set()) for f in turns)
            report.turns.append({"coder": coder, "transcript": tid, "turns": len(turns), "reviewed": reviewed,
                                 "coded": n_coded, "open": len(turns) - reviewed,
                                 "reviewed_pct": _pct(reviewed, len(turns))})
            finished[coder, tid] = bool(turns) and reviewed == len(turns)
            totals["transcripts"] += 1
            totals["started"] += reviewed > 0
            totals["finished"] += finished[coder, tid]
            totals["turns"] += len(turns)
            totals["reviewed"] += reviewed
            totals["coded"] += n_coded
            totals["open"] += len(turns) - reviewed
        totals["reviewed_pct"] = _pct(totals["reviewed"], totals["turns"])
        report.coders.append(totals)
    selected = set(chosen)
    rated = {c: rated_transcripts(store, c) & selected for c in names}
    for a, b in combinations(names, 2):
        both = sorted(rated[a] & rated[b])
        report.pairs.append({
            "coder_a": a, "coder_b": b, "both": len(both),
            "both_finished": sum(finished[a, t] and finished[b, t] for t in both),
            "only_a": len(rated[a] - rated[b]), "only_b": len(rated[b] - rated[a]),
            "left_for_a": sorted(rated[b] - rated[a]), "left_for_b": sorted(rated[a] - rated[b]),
        })
    if len(names) < 2:
        report.notes.append("one coder: agreement needs a second coder on the same transcripts")
    return report


def _by_coder(pairs: Sequence[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for coder, fid in pairs:
        out.setdefault(coder, set()).add(fid)
    return out
