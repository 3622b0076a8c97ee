"""What "a unit" is: builders that turn coding spans into reliability data, one per unit.

What a unit is decides what the agreement numbers mean, so every unit is a builder of its own,
looked up by name in :data:`UNIT_BUILDERS`; :func:`qualcode.agreement.compute.agreement` does the
rest (validation, scope, entries, the methods note) the same way for all of them. Each builder
hands back a :class:`UnitRatings` (one pattern table per code, and for ``--group`` one for the
nominal variable) and the sentence the methods note says about its unit.

Units (``unit=``):

* ``turn``: a respondent turn (fragment). A coder applied a code to a turn when one of their
  codings of that code overlaps the turn (codings sit inside one turn, so: the turn it was made on).
* ``sentence``: a sentence of a respondent turn (the rule-based sentencizer of
  :mod:`qualcode.transcripts.sentences`); a coding covers every sentence it overlaps.
* ``char``: every character of the respondent turns. Reported twice: over all characters, and
  (``coded_only``) over only the characters at least one coder coded with that code, since text
  nobody coded otherwise dominates the figures ("neither" agreement).
* ``segment``: MAXQDA-style matching, two coders only. Per code and transcript, a coding of A and
  one of B are paired one-to-one when their overlap, intersection over union of the character
  spans, is at least ``overlap`` (greedy, highest overlap first). Each pair is one unit coded by
  both; each coding left unpaired is one unit coded by its coder only. There are no "neither"
  units, so ``units = pairs + unpaired codings``.

Performance: reliability data are built with numpy from coding spans (bincount over interval
boundaries, no Python loop over units x codes) and compressed to their distinct rating patterns
with counts (:class:`qualcode.agreement.patterns.PatternTable`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from qualcode.agreement.patterns import PatternTable
from qualcode.errors import InputError
from qualcode.lazy import lazy_import
from qualcode.store import Store
from qualcode.transcripts.sentences import split_sentences_batch

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["UNITS", "UNIT_BUILDERS", "Corpus", "Spans", "UnitBuilder", "UnitRatings"]


# --------------------------------------------------------------------------------------------
# The coordinate space: respondent turns and coding spans


@dataclass
class Corpus:
    """Respondent turns of the transcripts in scope, in one global coordinate space.

    Transcript ``i`` starts at ``offsets[i]`` (its length + 1 after the previous one), so spans of
    all transcripts can be searched with one ``searchsorted``.
    """

    transcripts: list[str]
    offsets: np.ndarray
    frag_ids: list[str]
    frag_t: np.ndarray
    frag_start: np.ndarray
    frag_end: np.ndarray
    rated: np.ndarray  # coders x transcripts, bool

    @classmethod
    def build(cls, store: Store, scope: list[str], coders: Sequence[str], rated_sets: dict[str, set[str]]) -> Corpus:
        lengths = store.transcript_lengths()
        tindex = {t: i for i, t in enumerate(scope)}
        offsets = np.zeros(len(scope), dtype=np.int64)
        if scope:
            offsets[1:] = np.cumsum([lengths[t] + 1 for t in scope[:-1]])
        rows = [r for r in store.respondent_spans() if r[1] in tindex]
        t = np.fromiter((tindex[r[1]] for r in rows), dtype=np.int64, count=len(rows))
        start = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)) + offsets[t]
        end = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows)) + offsets[t]
        order = np.argsort(start, kind="stable")
        rated = np.array([[tid in rated_sets[c] for tid in scope] for c in coders], dtype=bool).reshape(
            len(coders), len(scope)
        )
        return cls(scope, offsets, [rows[i][0] for i in order], t[order], start[order], end[order], rated)

    @property
    def n_frags(self) -> int:
        return int(self.frag_start.size)

    def fragment_of(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the respondent turn containing each global position, whether one does)."""
        j = np.searchsorted(self.frag_end, pos, side="right")
        jc = np.minimum(j, max(self.n_frags - 1, 0))
        inside = (j < self.n_frags) & (self.frag_start[jc] <= pos) if self.n_frags else np.zeros(pos.shape, bool)
        return jc, inside



@dataclass
class Spans:
    """One coder's coding spans in global coordinates; ``code`` indexes the code list."""

    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    t: np.ndarray

    def of(self, mask: np.ndarray) -> Spans:
        return Spans(self.code[mask], self.start[mask], self.end[mask], self.t[mask])


# --------------------------------------------------------------------------------------------
# Building reliability data per unit


def _presence(ustart: np.ndarray, uend: np.ndarray, spans: Spans, k: int) -> np.ndarray:
    """``units x k`` booleans: does a span of code ``j`` overlap unit ``i``?

    Units are sorted, non-overlapping intervals. Each span covers the run of units ``lo..hi``
    found by two ``searchsorted`` calls; the runs are expanded with ``repeat`` (a turn-level coding
    covers one turn, a sentence-level one a few) and scattered in one assignment, so there is no
    Python loop over units or codes.
    """
    n = ustart.size
    pres = np.zeros((n, k), dtype=bool)
    if n == 0 or k == 0 or spans.code.size == 0:
        return pres
    lo = np.searchsorted(uend, spans.start, side="right")  # first unit ending after the span starts
    hi = np.searchsorted(ustart, spans.end, side="left") - 1  # last unit starting before it ends
    ok = lo <= hi
    lo, hi, code = lo[ok], hi[ok], spans.code[ok]
    counts = hi - lo + 1
    if counts.size and int(counts.max()) == 1:
        pres[lo, code] = True
        return pres
    first = np.cumsum(counts) - counts
    idx = np.repeat(lo - first, counts) + np.arange(int(counts.sum()), dtype=np.int64)
    pres[idx, np.repeat(code, counts)] = True
    return pres


def _sentence_units(store: Store, corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:

    texts: list[str] = []
    cache: dict[int, str] = {}
    for j in range(corpus.n_frags):
        ti = int(corpus.frag_t[j])
        if ti not in cache:
            cache.clear()
            cache[ti] = store.transcript_text(corpus.transcripts[ti])
        off = int(corpus.offsets[ti])
        texts.append(cache[ti][int(corpus.frag_start[j]) - off : int(corpus.frag_end[j]) - off])
    starts: list[int] = []
    ends: list[int] = []
    ts: list[int] = []
    for j, sents in enumerate(split_sentences_batch(texts)):
        base = int(corpus.frag_start[j])
        for s, e in sents:
            starts.append(base + s)
            ends.append(base + e)
            ts.append(int(corpus.frag_t[j]))
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), np.array(ts, dtype=np.int64)


def _binary_ratings(pres: list[np.ndarray], rated_units: list[np.ndarray], j: int) -> np.ndarray:
    return np.stack([np.where(r, p[:, j], -1) for p, r in zip(pres, rated_units)], axis=1).astype(np.int64)


def _nominal_values(pres: np.ndarray, none_i: int, multiple_i: int) -> np.ndarray:
    """Category index per unit from a ``units x group codes`` presence matrix."""
    count = pres.sum(axis=1)
    return np.where(count == 0, none_i, np.where(count == 1, pres.argmax(axis=1), multiple_i)).astype(np.int64)


def _interval_tables(
    ustart: np.ndarray, uend: np.ndarray, ut: np.ndarray, corpus: Corpus, spans: list[Spans], n_codes: int
) -> list[PatternTable]:
    pres = [_presence(ustart, uend, s, n_codes) for s in spans]
    rated_units = [corpus.rated[c][ut] for c in range(len(spans))]
    return [PatternTable.from_ratings(_binary_ratings(pres, rated_units, j), 2) for j in range(n_codes)]


def _interval_group_table(
    ustart: np.ndarray, uend: np.ndarray, ut: np.ndarray, corpus: Corpus, spans: list[Spans], n_codes: int
) -> tuple[PatternTable, bool]:
    pres = [_presence(ustart, uend, s, n_codes) for s in spans]
    rated_units = [corpus.rated[c][ut] for c in range(len(spans))]
    multiple = any(bool((p.sum(axis=1)[r] > 1).any()) for p, r in zip(pres, rated_units))
    cols = [np.where(r, _nominal_values(p, n_codes, n_codes + 1), -1) for p, r in zip(pres, rated_units)]
    ratings = np.stack(cols, axis=1) if cols else np.zeros((ustart.size, 0), np.int64)
    return PatternTable.from_ratings(ratings, n_codes + 2), multiple


def _expand_runs(lo: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs ``lo[i] .. lo[i] + counts[i] - 1``: (run number of each element, element index)."""
    first = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    return owner, np.repeat(lo - first, counts) + np.arange(int(counts.sum()), dtype=np.int64)


def _clip_to_turns(corpus: Corpus, spans: Spans) -> Spans:
    """The pieces of each span that lie inside respondent turns (one piece per turn it overlaps)."""
    lo = np.searchsorted(corpus.frag_end, spans.start, side="right")
    hi = np.searchsorted(corpus.frag_start, spans.end, side="left") - 1
    counts = np.maximum(hi - lo + 1, 0)
    owner, j = _expand_runs(lo, counts)
    s = np.maximum(spans.start[owner], corpus.frag_start[j])
    e = np.minimum(spans.end[owner], corpus.frag_end[j])
    keep = s < e
    return Spans(spans.code[owner][keep], s[keep], e[keep], corpus.frag_t[j][keep])


def _coverage(points: np.ndarray, spans: Spans) -> np.ndarray:
    """For each run ``[points[i], points[i+1])``: is it covered by one of the spans?"""
    size = points.size + 1
    cnt = np.bincount(np.searchsorted(points, spans.start), minlength=size) - np.bincount(
        np.searchsorted(points, spans.end), minlength=size
    )
    return np.cumsum(cnt)[: max(points.size - 1, 0)] > 0


def _covered_runs(corpus: Corpus, pieces: list[Spans]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Elementary character runs covered by at least one piece: within a run every character has
    the same ratings. Returns (boundary points, mask of covered runs, their lengths, transcripts)."""
    points = np.unique(np.concatenate([np.zeros(0, np.int64), *[p.start for p in pieces], *[p.end for p in pieces]]))
    if points.size < 2:
        z = np.zeros(0, dtype=np.int64)
        return points, np.zeros(0, bool), z, z
    covered = np.zeros(points.size - 1, dtype=bool)
    for p in pieces:
        covered |= _coverage(points, p)
    run_start = points[:-1][covered]
    j, _ = corpus.fragment_of(run_start)  # pieces lie inside respondent turns, so runs do too
    return points, covered, np.diff(points)[covered], corpus.frag_t[j]


def _char_rest(corpus: Corpus, run_len: np.ndarray, run_t: np.ndarray, value: int) -> tuple[np.ndarray, np.ndarray]:
    """Ratings and weights for the respondent characters outside every covered run: per transcript,
    ``value`` ("not applied" / "none") from each coder who rated it, missing from the others."""
    n_t = len(corpus.transcripts)
    total = np.bincount(corpus.frag_t, weights=corpus.frag_end - corpus.frag_start, minlength=n_t)
    covered = np.bincount(run_t, weights=run_len, minlength=n_t) if run_len.size else np.zeros(n_t)
    rest = total - covered
    ratings = np.where(corpus.rated.T, value, -1).astype(np.int64)  # transcripts x coders
    keep = rest > 0
    return ratings[keep], rest[keep]


def _char_tables(corpus: Corpus, spans: list[Spans], n_codes: int) -> list[tuple[PatternTable, PatternTable]]:
    """Per code: (table over all respondent characters, table over characters someone coded).

    Only the character runs some coder covered are built explicitly; all other characters of a
    transcript share one rating pattern and are added with their count, so the cost grows with
    the number of codings, not of characters.
    """
    clipped = [_clip_to_turns(corpus, s) for s in spans]
    out = []
    for k in range(n_codes):
        pieces = [p.of(p.code == k) for p in clipped]
        points, covered, lengths, t = _covered_runs(corpus, pieces)
        cols = []
        for c, p in enumerate(pieces):
            cov = _coverage(points, p)[covered] if covered.size else np.zeros(0, bool)
            cols.append(np.where(cov, 1, np.where(corpus.rated[c][t], 0, -1)))
        coded = np.stack(cols, axis=1).astype(np.int64) if cols else np.zeros((0, 0), np.int64)
        rest, rest_w = _char_rest(corpus, lengths, t, 0)
        w = lengths.astype(np.float64)
        out.append((PatternTable.from_ratings(np.concatenate([coded, rest]), 2, np.concatenate([w, rest_w])),
                    PatternTable.from_ratings(coded, 2, w)))
    return out


def _char_group_tables(corpus: Corpus, spans: list[Spans], n_codes: int) -> tuple[PatternTable, PatternTable, bool]:
    clipped = [_clip_to_turns(corpus, s) for s in spans]
    points, covered, lengths, t = _covered_runs(corpus, clipped)
    none_i, multiple_i = n_codes, n_codes + 1
    cols = []
    multiple = False
    for c, p in enumerate(clipped):
        pres = np.zeros((lengths.size, n_codes), dtype=bool)
        for k in range(n_codes):
            if covered.size:
                pres[:, k] = _coverage(points, p.of(p.code == k))[covered]
        rated = corpus.rated[c][t]
        multiple |= bool((pres.sum(axis=1)[rated] > 1).any())
        cols.append(np.where(rated, _nominal_values(pres, none_i, multiple_i), -1))
    coded = np.stack(cols, axis=1).astype(np.int64)
    rest, rest_w = _char_rest(corpus, lengths, t, none_i)
    w = lengths.astype(np.float64)
    return (PatternTable.from_ratings(np.concatenate([coded, rest]), n_codes + 2, np.concatenate([w, rest_w])),
            PatternTable.from_ratings(coded, n_codes + 2, w), multiple)


def _pairs(a: np.ndarray, b: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one pairs of spans (rows ``start, end``, global coordinates) with IoU >= threshold.

    Candidates come from ``searchsorted`` windows: IoU >= t needs ``len(b) <= len(a) / t`` and
    overlap, so ``b.start`` lies in ``(a.start - len(a) / t, a.end)``. Pairs without a rival are
    taken as they are; the few contested ones greedily, highest overlap first. Returns the
    matched flags of ``a`` and of ``b``.
    """
    ma, mb = np.zeros(len(a), dtype=bool), np.zeros(len(b), dtype=bool)
    if not len(a) or not len(b):
        return ma, mb
    order = np.argsort(b[:, 0], kind="stable")
    bs, be = b[order, 0], b[order, 1]
    la = a[:, 1] - a[:, 0]
    lo = np.searchsorted(bs, a[:, 0] - la / threshold, side="right")
    hi = np.searchsorted(bs, a[:, 1], side="left")
    ai, bj = _expand_runs(lo, np.maximum(hi - lo, 0))
    inter = np.minimum(a[ai, 1], be[bj]) - np.maximum(a[ai, 0], bs[bj])
    union = la[ai] + (be[bj] - bs[bj]) - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    ok = (inter > 0) & (iou >= threshold - 1e-12)
    ai, bj, iou = ai[ok], bj[ok], iou[ok]
    contested = (np.bincount(ai, minlength=len(a))[ai] > 1) | (np.bincount(bj, minlength=len(b))[bj] > 1)
    ma[ai[~contested]] = True
    mb[order[bj[~contested]]] = True
    rank = np.argsort(-iou[contested], kind="stable")
    for i, j in zip(ai[contested][rank].tolist(), bj[contested][rank].tolist()):
        if not ma[i] and not mb[order[j]]:
            ma[i] = True
            mb[order[j]] = True
    return ma, mb


def _segment_tables(corpus: Corpus, spans: list[Spans], n_codes: int, overlap: float) -> list[PatternTable]:
    """Two coders: per code, pairs (1,1), unpaired codings (1,0)/(0,1), or (1,-1)/(-1,1) when the
    other coder did not rate that transcript. Identical codings of one coder count once."""
    out = []
    for k in range(n_codes):
        rows = []
        for s in spans:
            sub = s.of(s.code == k)
            rows.append(np.unique(np.stack([sub.start, sub.end, sub.t], axis=1), axis=0))
        a, b = rows
        ma, mb = _pairs(a[:, :2], b[:, :2], overlap)
        ra, rb = corpus.rated[0], corpus.rated[1]
        una, unb = a[~ma], b[~mb]
        ratings = np.concatenate([
            np.ones((int(ma.sum()), 2), dtype=np.int64),
            np.stack([np.ones(len(una), np.int64), np.where(rb[una[:, 2]], 0, -1)], axis=1),
            np.stack([np.where(ra[unb[:, 2]], 0, -1), np.ones(len(unb), np.int64)], axis=1),
        ])
        out.append(PatternTable.from_ratings(ratings, 2))
    return out


# --------------------------------------------------------------------------------------------
# The builders, one per unit, in a table


@dataclass(frozen=True)
class UnitRatings:
    """Reliability data of one unit, ready to be turned into entries.

    ``codes``: one binary table per code (over all units). ``group``: the nominal variable of
    ``--group`` (``None`` without a group); ``multiple``: whether a coder applied two codes of the
    group to one unit. ``codes_coded`` / ``group_coded``: the same over only the units someone
    coded (``char`` only: text nobody coded otherwise dominates the figures).
    """

    units_total: int
    codes: list[PatternTable]
    group: PatternTable | None = None
    multiple: bool = False
    codes_coded: list[PatternTable] | None = None
    group_coded: PatternTable | None = None


class UnitBuilder:
    """One unit: its name, its plural for notes, what it allows, how it builds reliability data.

    Why a class per unit: ``agreement()`` looks the builder up by name instead of switching on
    the unit inline, so a unit's rules (how many coders, whether a group makes sense) sit next
    to how its units are built and how the methods note describes them.
    """

    name: ClassVar[str]
    word: ClassVar[str]  # plural, for "N of M turns lack a rating"
    entry_note: ClassVar[str | None] = None  # a note put first on every entry, if any

    def check(self, coders: Sequence[str], group: str | None) -> None:
        """Raise :class:`InputError` when this unit cannot compare these coders (or this group)."""

    def ratings(self, store: Store, corpus: Corpus, spans: list[Spans], n_codes: int, *,
                group: bool, overlap: float) -> UnitRatings:
        raise NotImplementedError

    def describe(self, *, units_total: int, n_transcripts: int, coders: Sequence[str], overlap: float) -> str:
        """The methods note's sentence on what a unit is."""
        raise NotImplementedError


class _IntervalUnits(UnitBuilder):
    """Units that are intervals of the respondent turns (turns, sentences): a coder applied a
    code to a unit when one of their codings of that code overlaps it."""

    def intervals(self, store: Store, corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, transcript index) of each unit, sorted, in global coordinates."""
        raise NotImplementedError

    def ratings(self, store: Store, corpus: Corpus, spans: list[Spans], n_codes: int, *,
                group: bool, overlap: float) -> UnitRatings:
        ustart, uend, ut = self.intervals(store, corpus)
        tables = _interval_tables(ustart, uend, ut, corpus, spans, n_codes)
        if not group:
            return UnitRatings(int(ustart.size), tables)
        gtable, multiple = _interval_group_table(ustart, uend, ut, corpus, spans, n_codes)
        return UnitRatings(int(ustart.size), tables, gtable, multiple)


class TurnUnits(_IntervalUnits):
    name = "turn"
    word = "turns"

    def intervals(self, store: Store, corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return corpus.frag_start, corpus.frag_end, corpus.frag_t

    def describe(self, *, units_total: int, n_transcripts: int, coders: Sequence[str], overlap: float) -> str:
        return (
            f"Unit: the respondent turn ({units_total} turns in {n_transcripts} transcripts). A coder applied a "
            "code to a turn when they coded any part of it."
        )


class SentenceUnits(_IntervalUnits):
    name = "sentence"
    word = "sentences"

    def intervals(self, store: Store, corpus: Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _sentence_units(store, corpus)

    def describe(self, *, units_total: int, n_transcripts: int, coders: Sequence[str], overlap: float) -> str:
        return (
            f"Unit: the sentence of a respondent turn ({units_total} sentences in {n_transcripts} transcripts, "
            "split by a rule-based sentencizer). A coder applied a code to a sentence when one of their codings "
            "overlaps it by at least one character."
        )


class CharUnits(UnitBuilder):
    name = "char"
    word = "characters"

    def ratings(self, store: Store, corpus: Corpus, spans: list[Spans], n_codes: int, *,
                group: bool, overlap: float) -> UnitRatings:
        units_total = int((corpus.frag_end - corpus.frag_start).sum())
        pairs = _char_tables(corpus, spans, n_codes)
        tables, coded = [a for a, _ in pairs], [b for _, b in pairs]
        if not group:
            return UnitRatings(units_total, tables, codes_coded=coded)
        g_all, g_coded, multiple = _char_group_tables(corpus, spans, n_codes)
        return UnitRatings(units_total, tables, g_all, multiple, codes_coded=coded, group_coded=g_coded)

    def describe(self, *, units_total: int, n_transcripts: int, coders: Sequence[str], overlap: float) -> str:
        return (
            f"Unit: the character of the respondent turns ({units_total} characters in {n_transcripts} "
            "transcripts). Figures are given over all characters and, separately (coded_only), over only the "
            "characters at least one coder coded with that code; over all characters, text nobody coded counts "
            "as agreement and inflates the figures."
        )


class SegmentUnits(UnitBuilder):
    name = "segment"
    word = "segments"
    entry_note = "no 'neither' units exist at segment level; see the note"

    def check(self, coders: Sequence[str], group: str | None) -> None:
        if len(coders) != 2:
            raise InputError(
                "--unit segment pairs the codings of exactly two coders; use turn, sentence or char for more"
            )
        if group:
            raise InputError("--group needs a unit every coder rates (turn, sentence or char), not segment")

    def ratings(self, store: Store, corpus: Corpus, spans: list[Spans], n_codes: int, *,
                group: bool, overlap: float) -> UnitRatings:
        tables = _segment_tables(corpus, spans, n_codes, overlap)
        return UnitRatings(sum(t.units for t in tables), tables)

    def describe(self, *, units_total: int, n_transcripts: int, coders: Sequence[str], overlap: float) -> str:
        return (
            f"Unit: the coded segment (MAXQDA-style, {n_transcripts} transcripts). Per code and transcript, a "
            f"coding of {coders[0]} and one of {coders[1]} are paired one-to-one when their overlap "
            f"(intersection over union of the character spans) is at least {overlap:g}, highest overlap first. "
            "Each pair is one unit coded by both, each unpaired coding one unit coded by one coder only; there "
            "are no units coded by neither, so percent agreement is pairs / (pairs + unpaired codings), and "
            "coefficients that estimate chance from the coders' margins (kappa, alpha, AC1) are computed on "
            "this table without a 'neither' cell and are therefore low; report percent agreement."
        )


UNIT_BUILDERS: dict[str, UnitBuilder] = {b.name: b for b in (TurnUnits(), SentenceUnits(), CharUnits(), SegmentUnits())}
UNITS: tuple[str, ...] = tuple(UNIT_BUILDERS)
