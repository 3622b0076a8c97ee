"""Reliability data compressed to distinct rating patterns with counts.

Why: a ``units x coders`` matrix of 100,000 turns x 60 codes would cost gigabytes, but a binary
code has at most ``3**coders`` distinct rating patterns (applied, not applied, missing). Every
coefficient in :mod:`qualcode.agreement.stats` is a function of tallies that are sums over units,
so the coefficients computed from weighted patterns are exactly those of the expanded matrix,
while the pooled ``overall`` costs kilobytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from qualcode.agreement.stats import RatingData, _Tallies, _tally
from qualcode.lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

__all__ = ["PatternTable", "WeightedRatingData"]


@dataclass(frozen=True, eq=False)
class WeightedRatingData(RatingData):
    """A :class:`RatingData` whose row ``i`` stands for ``weights[i]`` identical units.

    Why: every coefficient in :mod:`qualcode.agreement.stats` is a function of tallies that are
    sums over units, so the tallies of a compressed matrix are the weighted sums of the tallies of
    its rows. Each distinct row is tallied by ``agreement_stats`` itself and scaled, so the
    numbers are those of the expanded matrix (tests check this against the expanded matrix).
    """

    weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_units(self) -> int:
        return int(self.weights.sum())

    @cached_property
    def tallies(self) -> _Tallies:
        m, q = self.n_coders, self.q
        empty = _tally(np.zeros((0, m), dtype=np.int64), q)
        units, values, pairs = empty.units.copy(), empty.values.copy(), empty.pairs.copy()
        for row, w in zip(self.codes, self.weights.tolist()):
            if not w:
                continue
            t = _tally(row[None, :], q)
            units += w * t.units
            values += w * t.values
            pairs += w * t.pairs
        return _Tallies(units, values, pairs)


@dataclass
class PatternTable:
    """Distinct rating patterns (``k x coders``, category indices, ``-1`` = missing) and counts."""

    patterns: np.ndarray
    counts: np.ndarray

    @classmethod
    def empty(cls, m: int) -> PatternTable:
        return cls(np.zeros((0, m), dtype=np.int64), np.zeros(0, dtype=np.int64))

    @classmethod
    def from_ratings(cls, codes: np.ndarray, q: int, weights: np.ndarray | None = None) -> PatternTable:
        """Compress a ``units x coders`` matrix of category indices (-1 missing) to patterns."""
        codes = np.asarray(codes, dtype=np.int64)
        n, m = codes.shape
        if n == 0:
            return cls.empty(m)
        base = q + 1
        if base**m <= 1 << 22:
            radix = base ** np.arange(m, dtype=np.int64)
            ids = (codes + 1) @ radix
            counts = np.bincount(ids, weights=weights, minlength=base**m)
            nz = np.flatnonzero(counts)
            patterns = (nz[:, None] // radix[None, :]) % base - 1
            return cls(patterns.astype(np.int64), np.rint(counts[nz]).astype(np.int64))
        uniq, inv = np.unique(codes, axis=0, return_inverse=True)
        counts = np.bincount(inv.reshape(-1), weights=weights, minlength=len(uniq))
        keep = counts > 0
        return cls(uniq[keep].astype(np.int64), np.rint(counts[keep]).astype(np.int64))

    @classmethod
    def concat(cls, tables: Sequence[PatternTable], m: int, q: int) -> PatternTable:
        """Pool tables (stack their units) into one."""
        if not tables:
            return cls.empty(m)
        pats = np.concatenate([t.patterns for t in tables])
        counts = np.concatenate([t.counts for t in tables]).astype(np.float64)
        return cls.from_ratings(pats, q, counts)

    def select(self, mask: np.ndarray) -> PatternTable:
        return PatternTable(self.patterns[mask], self.counts[mask])

    @property
    def units(self) -> int:
        return int(self.counts.sum())

    def rating_data(self, labels: Sequence[Any]) -> WeightedRatingData:
        return WeightedRatingData(
            codes=self.patterns, labels=tuple(labels), categories_given=True, weights=self.counts
        )
