"""Inter-rater agreement coefficients on a reliability data matrix (pure statistics, numpy only).

This module knows nothing about projects, codes or codings. It takes a *reliability data matrix*:
a 2-D array-like of ``units x coders`` whose cells are category labels (ints, bools, floats or
strings). A missing cell (the coder did not rate that unit) is ``None``, ``NaN`` or pandas ``NA``.
For a code applied per turn, the matrix is typically ``turns x coders`` of booleans ("did this coder
apply the code to this turn"), with ``categories=(False, True)``.

Why several coefficients side by side: each answers a slightly different question, and the
well-known ones disagree sharply on skewed data (the "kappa paradox": 90 % raw agreement on a rare
code can give a kappa near 0 while AC1 stays high). A methods section can then report what it needs.
Why "undefined" is ``None`` with a note and never 0: a coefficient whose chance term makes it 0/0
(e.g. nobody ever used the code) carries no information about reliability; reporting 0 would read as
"no better than chance".

Definitions (``n_ik`` = number of coders who put unit ``i`` in category ``k``, ``r_i = sum_k n_ik``
= number of ratings of unit ``i``, ``q`` = number of categories):

* percent agreement (Gwet 2014, ch. 2; Fleiss 1971's ``P_i``): mean over units with ``r_i >= 2``
  of the share of agreeing coder pairs, ``P_i = sum_k n_ik (n_ik - 1) / (r_i (r_i - 1))``.
  For two coders this is the plain share of units on which both agree.
* Cohen's kappa (Cohen 1960): two coders, units with a missing rating dropped;
  ``(p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k p_Ak p_Bk`` from each coder's own margins.
* Fleiss' kappa (Fleiss 1971): same number of ratings per unit (units with a missing rating are
  dropped); ``P_bar = mean_i P_i``, ``p_k = sum_i n_ik / (N m)``, ``P_e = sum_k p_k^2``.
* Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): via the
  coincidence matrix ``o_ck = sum_u (number of c-k pairs in u) / (m_u - 1)`` over units with
  ``m_u >= 2`` values; ``alpha = 1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck`` with metric
  ``d`` = nominal, ordinal, interval or ratio.
* Gwet's AC1 (Gwet 2008, BJMSP 61:29-48; Handbook of Inter-Rater Reliability, 4th ed., 2014):
  ``p_a`` = percent agreement above; ``pi_k = (1/n) sum_{i: r_i >= 1} n_ik / r_i``;
  ``p_e = 1/(q-1) sum_k pi_k (1 - pi_k)``; ``AC1 = (p_a - p_e) / (1 - p_e)``. This is the formula
  of Gwet's own R package irrCAC (``gwet.ac1.raw``), including units rated by one coder in ``pi_k``.
* Brennan-Prediger (Brennan & Prediger 1981; multi-rater form in Gwet 2014): ``p_e = 1/q``,
  ``(p_a - 1/q) / (1 - 1/q)``.

Which ``q``: the length of ``categories=`` when given, otherwise the number of distinct categories
observed anywhere in the matrix (including units only one coder rated). AC1 and Brennan-Prediger
depend on ``q``, so pass ``categories=(False, True)`` for a binary code: then a code nobody applied
still has ``q = 2``.

Performance: everything is vectorised over units; the only Python loops run over pairs of coders
(``m (m - 1) / 2`` of them), so the cost is ``O(units x coders^2)`` and no ``units x categories``
table is built. Encode once with :func:`encode` and pass the result to several functions (as
:func:`all_coefficients` does) to share the work.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from qualcode.lazy import lazy_import

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")


__all__ = [
    "Coefficient",
    "RatingData",
    "Level",
    "COEFFICIENT_NAMES",
    "encode",
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
    "all_coefficients",
    "binary_counts",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")

#: Keys of :func:`all_coefficients`, in the order a table shows them.
COEFFICIENT_NAMES: tuple[str, ...] = (
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
)

# p_e this close to 1 counts as 1: the chance-corrected ratio is then 0/0.
_EPS = 1e-12
# Non-negative integer labels up to this value are encoded with bincount instead of a sort.
_BINCOUNT_MAX = 1 << 20


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient.

    ``value`` is ``None`` when the coefficient is undefined for the data (never 0 in that case);
    ``note`` then says why. ``note`` may also accompany a defined value, e.g. to say how many units
    were dropped.
    """

    value: float | None
    note: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "note": self.note}


def _undefined(*notes: str | None) -> Coefficient:
    return Coefficient(None, _join(*notes))


def _join(*notes: str | None) -> str | None:
    parts = [n for n in notes if n]
    return "; ".join(parts) if parts else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------------------------
# Encoding


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN (float, numpy float)
    except (TypeError, ValueError):  # pandas NA: bool(NA != NA) raises
        return True


def _as_matrix(ratings: Any) -> np.ndarray:
    arr = np.asarray(ratings)
    if arr.dtype.kind in "US" and not isinstance(ratings, np.ndarray):
        # numpy would turn [[1, "one"]] into strings ("1"); keep the labels as given
        arr = np.asarray(ratings, dtype=object)
    if arr.ndim != 2:
        raise ValueError(
            "ratings must be a 2-D units x coders matrix, "
            f"got an array with {arr.ndim} dimension(s)"
        )
    return arr


def _missing_mask(arr: np.ndarray) -> np.ndarray:
    kind = arr.dtype.kind
    if kind in "biuUS":
        return np.zeros(arr.shape, dtype=bool)
    if kind in "fc":
        return np.isnan(arr)
    if kind == "M" or kind == "m":
        return np.isnat(arr)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=bool)
    return np.frompyfunc(_is_missing, 1, 1)(arr).astype(bool)


def _encode_small_ints(arr: np.ndarray) -> tuple[list[Any], np.ndarray] | None:
    """Fast path for bool, and for ints/integral floats in ``0 .. 2**20`` (NaN = missing).

    Returns the observed labels (sorted) and ``int64`` codes with ``-1`` for missing, using one
    ``bincount`` instead of a sort; ``None`` when the data need the general path.
    """
    kind = arr.dtype.kind
    if kind == "b":
        has_false, has_true = not bool(arr.all()), bool(arr.any())
        labels = [v for v, seen in ((False, has_false), (True, has_true)) if seen]
        if has_false and has_true:
            return labels, arr.astype(np.int64)
        return labels, np.zeros(arr.shape, dtype=np.int64)
    if kind in "iu":
        ints = arr.astype(np.int64, copy=False)
        if ints.size and int(ints.min()) < 0:
            return None
    elif kind == "f":
        missing = np.isnan(arr)
        filled = np.where(missing, -1.0, arr)
        if not np.isfinite(filled).all():
            return None
        ints = filled.astype(np.int64)
        if not np.array_equal(ints, filled) or bool(((ints < 0) & ~missing).any()):
            return None
    else:
        return None
    if ints.size == 0:
        return [], ints.astype(np.int64)
    hi = int(ints.max())
    if hi > _BINCOUNT_MAX:
        return None
    present = np.bincount((ints + 1).ravel(), minlength=hi + 2)[1:] > 0
    labels = np.asarray(arr.dtype.type(np.flatnonzero(present))).tolist()
    if present.all():  # labels are 0..hi: values are their own indices
        return labels, ints
    lookup = np.append(np.cumsum(present) - 1, -1)  # index -1 (missing) -> -1
    return labels, lookup[ints]


def _unique_inverse(values: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """Distinct labels (sorted where the labels sort) and each value's index into them."""
    if values.size == 0:
        return [], np.zeros(0, dtype=np.int64)
    try:
        uniq, inv = np.unique(values, return_inverse=True)
        return uniq.tolist(), inv.reshape(-1).astype(np.int64)
    except TypeError:
        # labels of mixed, unorderable types: keep order of first appearance
        index: dict[Any, int] = {}
        inv = np.empty(values.size, dtype=np.int64)
        for i, v in enumerate(values.tolist()):
            inv[i] = index.setdefault(v, len(index))
        return list(index), inv


@dataclass(frozen=True)
class _Tallies:
    """Counts by ``r`` = number of ratings a unit got (0..m).

    ``units[r]``: units with ``r`` ratings. ``values[r, c]``: ratings of category ``c`` in those
    units. ``pairs[r, c, k]``: unordered coder pairs ``(j < j2)`` in those units where coder ``j``
    said ``c`` and coder ``j2`` said ``k``. Every coefficient here is a function of these: e.g.
    ``sum_i n_ik (n_ik - 1)`` summed over units with ``r`` ratings is ``2 * trace(pairs[r])``,
    Krippendorff's coincidences are ``sum_r (pairs[r] + pairs[r].T) / (r - 1)``, and for two coders
    ``pairs[2]`` is the 2-way contingency table of the units both rated.
    """

    units: np.ndarray  # (m + 1,)
    values: np.ndarray  # (m + 1, q)
    pairs: np.ndarray  # (m + 1, q, q)

    @property
    def pairable(self) -> int:
        return int(self.units[2:].sum())

    @property
    def lonely(self) -> int:
        return int(self.units[1]) if self.units.size > 1 else 0

    @cached_property
    def agreement_sum(self) -> float:
        """``sum_i P_i`` over units with >= 2 ratings (``P_i`` = share of agreeing pairs)."""
        total = 0.0
        for r in range(2, self.units.size):
            if self.units[r]:
                total += 2.0 * float(np.trace(self.pairs[r])) / (r * (r - 1))
        return total


def _tally_complete(codes: np.ndarray, q: int) -> _Tallies:
    """:func:`_tally` when every coder rated every unit (the usual case): all in slab ``r = m``."""
    n, m = codes.shape
    units = np.zeros(m + 1, dtype=np.int64)
    units[m] = n
    values = np.zeros((m + 1, q), dtype=np.int64)
    values[m] = np.bincount(codes.ravel(order="K"), minlength=q)
    pairs = np.zeros((m + 1, q * q), dtype=np.int64)
    for j in range(m):
        scaled = codes[:, j] * q
        for j2 in range(j + 1, m):
            pairs[m] += np.bincount(scaled + codes[:, j2], minlength=q * q)
    return _Tallies(units, values, pairs.reshape(m + 1, q, q))


def _tally(codes: np.ndarray, q: int) -> _Tallies:
    """Build :class:`_Tallies` with one ``bincount`` per coder pair; no Python loop over units."""
    n, m = codes.shape
    codes = np.asfortranarray(codes)  # column-wise access below
    valid = codes >= 0
    if q > 0 and bool(valid.all()):
        return _tally_complete(codes, q)
    r = np.zeros(n, dtype=np.int64)
    for j in range(m):
        r += valid[:, j]
    units = np.bincount(r, minlength=m + 1)
    if q == 0:
        return _Tallies(units, np.zeros((m + 1, 0), np.int64), np.zeros((m + 1, 0, 0), np.int64))
    # Count with an extra category q standing for "missing", then cut it off: no masking needed.
    big_q = q + 1
    c = codes + (~valid) * big_q  # -1 -> q
    r_q = r * big_q
    values = np.bincount((r_q[:, None] + c).ravel(order="K"), minlength=(m + 1) * big_q)
    values = values.reshape(m + 1, big_q)[:, :q].copy()
    pairs = np.zeros((m + 1) * big_q * big_q, dtype=np.int64)
    r_qq = r_q * big_q
    for j in range(m):
        scaled = r_qq + c[:, j] * big_q
        for j2 in range(j + 1, m):
            pairs += np.bincount(scaled + c[:, j2], minlength=(m + 1) * big_q * big_q)
    pairs = pairs.reshape(m + 1, big_q, big_q)[:, :q, :q].copy()
    pairs[:2] = 0  # a pair needs r >= 2 (these slabs can only hold missing-cell counts anyway)
    return _Tallies(units, values, pairs)


@dataclass(frozen=True, eq=False)
class RatingData:
    """An encoded reliability data matrix, shared by all coefficient functions.

    ``codes`` is an ``int64`` array ``units x coders`` holding each rating's index into ``labels``,
    ``-1`` where the coder did not rate the unit. ``labels`` are the categories in index order: the
    given ``categories``, or the observed labels sorted (first-appearance order if they do not
    sort). The order matters only for the ordinal metric of Krippendorff's alpha.
    """

    codes: np.ndarray
    labels: tuple[Any, ...]
    categories_given: bool = False

    @property
    def n_units(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_coders(self) -> int:
        return int(self.codes.shape[1])

    @property
    def q(self) -> int:
        """Number of categories (see the module docstring for which)."""
        return len(self.labels)

    @cached_property
    def tallies(self) -> _Tallies:
        """The sufficient statistics every coefficient here is computed from (see _Tallies)."""
        return _tally(self.codes, self.q)

    def label(self, index: int) -> str:
        return repr(self.labels[index])


def encode(ratings: Any, categories: Sequence[Hashable] | None = None) -> RatingData:
    """Encode a ``units x coders`` matrix of labels into a :class:`RatingData`.

    ``ratings`` may also already be a :class:`RatingData` (returned as is; ``categories`` must then
    be omitted or equal to its labels). With ``categories``, every observed label must be one of
    them (``ValueError`` otherwise) and ``q = len(categories)``, whether or not all occur.
    Labels compare with Python equality, so ``True``/``1`` and ``False``/``0`` are the same label.
    """
    if isinstance(ratings, RatingData):
        if categories is not None and tuple(categories) != ratings.labels:
            raise ValueError(
                "categories differ from those the RatingData was encoded with: "
                f"{tuple(categories)!r} vs {ratings.labels!r}"
            )
        return ratings
    arr = _as_matrix(ratings)
    fast = _encode_small_ints(arr)
    if fast is not None:
        observed, codes = fast
    else:
        missing = _missing_mask(arr)
        observed, inv = _unique_inverse(arr[~missing])
        codes = np.full(arr.shape, -1, dtype=np.int64)
        codes[~missing] = inv
    if categories is None:
        labels = tuple(observed)
    else:
        labels = tuple(categories)
        try:
            index = {c: i for i, c in enumerate(labels)}
        except TypeError as exc:
            raise ValueError(f"categories must be hashable: {exc}") from None
        if len(index) != len(labels):
            raise ValueError(f"categories contain duplicates: {labels!r}")
        unknown = [v for v in observed if v not in index]
        if unknown:
            shown = ", ".join(repr(v) for v in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise ValueError(f"ratings contain labels not in categories: {shown}{more}")
        lut = np.array([index[v] for v in observed], dtype=np.int64)
        if not np.array_equal(lut, np.arange(lut.size)):
            codes = np.append(lut, -1)[codes]  # index -1 (missing) -> -1
    return RatingData(codes=codes, labels=labels, categories_given=categories is not None)


# --------------------------------------------------------------------------------------------
# Coefficients


def _pairable_note(data: RatingData) -> str | None:
    lonely = data.tallies.lonely
    if lonely:
        return f"{_plural(lonely, 'unit')} rated by only one coder ignored"
    return None


def percent_agreement(ratings: Any, categories: Sequence[Hashable] | None = None) -> Coefficient:
    """Share of agreeing coder pairs, averaged over units with at least 2 ratings.

    ``mean_i sum_k n_ik (n_ik - 1) / (r_i (r_i - 1))`` (Fleiss 1971's ``P_bar``; Gwet 2014's
    ``p_a``). For two coders without missing data: the share of units where both agree. Units
    with fewer than 2 ratings carry no pair and are ignored.
    """
    data = encode(ratings, categories)
    t = data.tallies
    if not t.pairable:
        return _undefined("no unit was rated by at least 2 coders")
    return Coefficient(t.agreement_sum / t.pairable, _pairable_note(data))


def cohen_kappa(ratings: Any, categories: Sequence[Hashable] | None = None) -> Coefficient:
    """Cohen's (1960) kappa for exactly two coders.

    ``kappa = (p_o - p_e) / (1 - p_e)``, ``p_o`` = share of units both coders put in the same
    category, ``p_e = sum_k p_Ak p_Bk`` with each coder's own category shares. Units a coder did
    not rate are dropped (with a note). Undefined (``None``) for other numbers of coders, when no
    unit has both ratings, and when ``p_e = 1`` (both coders used one and the same category for
    every unit: kappa would be 0/0).
    """
    data = encode(ratings, categories)
    if data.n_coders != 2:
        return _undefined(
            f"Cohen's kappa is defined for exactly 2 coders, not {data.n_coders} "
            "(see Fleiss' kappa or Krippendorff's alpha)"
        )
    table = data.tallies.pairs[2]  # rows: coder 1, columns: coder 2; units both rated
    n = int(table.sum())
    dropped = data.n_units - n
    drop_note = (
        f"{_plural(dropped, 'unit')} with a missing rating dropped" if dropped else None
    )
    if n == 0:
        return _undefined("no unit was rated by both coders", drop_note)
    p_o = float(np.trace(table)) / n
    p_a = table.sum(axis=1) / n
    p_b = table.sum(axis=0) / n
    p_e = float(p_a @ p_b)
    if p_e >= 1.0 - _EPS:
        only = data.label(int(np.argmax(p_a)))
        return _undefined(
            f"no variance: both coders used only category {only}, so expected agreement "
            "is 1 and kappa is 0/0",
            drop_note,
        )
    return Coefficient((p_o - p_e) / (1.0 - p_e), drop_note)


def fleiss_kappa(ratings: Any, categories: Sequence[Hashable] | None = None) -> Coefficient:
    """Fleiss' (1971) kappa for two or more coders.

    Fleiss' kappa assumes every unit has the same number ``m`` of ratings (not necessarily from the
    same coders), so units with a missing rating are dropped, with a note of how many.
    ``P_bar = mean_i P_i``, ``p_k = sum_i n_ik / (N m)``, ``P_e = sum_k p_k^2``,
    ``kappa = (P_bar - P_e) / (1 - P_e)``. With two coders this is Scott's pi.
    Undefined when ``P_e = 1`` (only one category used) or no complete unit remains.
    """
    data = encode(ratings, categories)
    m = data.n_coders
    if m < 2:
        return _undefined(f"Fleiss' kappa needs at least 2 coders, not {m}")
    t = data.tallies
    n = int(t.units[m])  # units rated by all m coders
    dropped = data.n_units - n
    drop_note = (
        f"{_plural(dropped, 'unit')} with a missing rating dropped" if dropped else None
    )
    if n == 0:
        return _undefined("no unit was rated by all coders", drop_note)
    p_k = t.values[m] / (n * m)
    p_bar = 2.0 * float(np.trace(t.pairs[m])) / (m * (m - 1)) / n
    p_e = float(p_k @ p_k)
    if p_e >= 1.0 - _EPS:
        only = data.label(int(np.argmax(p_k)))
        return _undefined(
            f"no variance: every rating is category {only}, so expected agreement is 1 "
            "and kappa is 0/0",
            drop_note,
        )
    return Coefficient((p_bar - p_e) / (1.0 - p_e), drop_note)


def _delta(level: str, data: RatingData, n_c: np.ndarray) -> np.ndarray:
    """Krippendorff's squared difference function ``delta^2_ck`` for the given level."""
    q = data.q
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        # delta_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, categories in label order
        cs = np.cumsum(n_c)
        lo = np.minimum.outer(np.arange(q), np.arange(q))
        hi = np.maximum.outer(np.arange(q), np.arange(q))
        span = cs[hi] - cs[lo] + n_c[lo] - (n_c[:, None] + n_c[None, :]) / 2.0
        return span**2
    try:
        v = np.array([float(x) for x in data.labels], dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"level {level!r} needs numeric category labels, got {data.labels!r}"
        ) from None
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return diff**2
    # ratio
    if (v < 0).any():
        raise ValueError("level 'ratio' needs non-negative category values")
    tot = v[:, None] + v[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(tot > 0, diff / tot, 0.0)
    return d**2


def _coincidences(t: _Tallies) -> np.ndarray:
    """Krippendorff's ``q x q`` coincidence matrix: ``sum_r (pairs[r] + pairs[r].T) / (r - 1)``."""
    q = t.pairs.shape[1]
    o = np.zeros((q, q))
    for r in range(2, t.units.size):
        if t.units[r]:
            o += (t.pairs[r] + t.pairs[r].T) / (r - 1)
    return o


def krippendorff_alpha(
    ratings: Any,
    level: Level = "nominal",
    categories: Sequence[Hashable] | None = None,
) -> Coefficient:
    """Krippendorff's alpha for any number of coders, missing data allowed.

    Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": values in units
    with ``m_u >= 2`` ratings are pairable; the coincidence matrix is
    ``o_ck = sum_u (number of ordered c-k pairs of coders in u) / (m_u - 1)``,
    ``n_c = sum_k o_ck``, ``n = sum_c n_c``, and
    ``alpha = 1 - (n - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck``.
    ``level`` picks ``d``: "nominal" (0/1), "ordinal" (rank-based, using category order: the given
    ``categories`` or the sorted labels), "interval" (squared difference), "ratio"
    (``((c - k) / (c + k))^2``). Units with a single rating are ignored. Undefined when there is
    no pairable value or expected disagreement is 0 (all pairable values in one category).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    data = encode(ratings, categories)
    note = _pairable_note(data)
    o = _coincidences(data.tallies)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if n == 0:
        return _undefined("no unit was rated by at least 2 coders")
    used = np.flatnonzero(n_c > 0)
    if used.size < 2:
        only = data.label(int(used[0]))
        return _undefined(
            f"no variance: every pairable value is category {only}, so expected "
            "disagreement is 0 and alpha is 0/0",
            note,
        )
    d = _delta(level, data, n_c)
    observed = float((o * d).sum())
    expected = float((np.outer(n_c, n_c) * d).sum())
    if expected <= 0:
        return _undefined("expected disagreement is 0, alpha is 0/0", note)
    return Coefficient(1.0 - (n - 1.0) * observed / expected, note)


def _q_note(data: RatingData) -> str:
    how = "given categories" if data.categories_given else "categories observed"
    return f"q={data.q} ({how})"


def _needs_two_categories(data: RatingData, name: str) -> Coefficient | None:
    """Why a q-based coefficient (AC1, Brennan-Prediger) is undefined here, or None if it is defined."""
    if not data.tallies.pairable:
        return _undefined("no unit was rated by at least 2 coders")
    if data.q < 2:
        return _undefined(
            f"only {data.q} category ({_q_note(data)}): {name} needs q >= 2; pass categories= "
            "to name the categories that could have been used"
        )
    return None


def gwet_ac1(ratings: Any, categories: Sequence[Hashable] | None = None) -> Coefficient:
    """Gwet's AC1 for any number of coders, missing data allowed (Gwet 2008; Gwet 2014, ch. 4).

    ``p_a`` = :func:`percent_agreement` (units with >= 2 ratings);
    ``pi_k = (1/n) sum_i n_ik / r_i`` over the ``n`` units rated by at least one coder;
    ``p_e = 1/(q-1) sum_k pi_k (1 - pi_k)``; ``AC1 = (p_a - p_e) / (1 - p_e)``.
    For two coders without missing data ``pi_k = (p_Ak + p_Bk)/2``. ``q`` is ``len(categories)``
    when given, else the number of categories observed; AC1 is undefined for ``q < 2``, so pass
    ``categories=(False, True)`` for a binary code. Matches irrCAC's ``gwet.ac1.raw``.
    """
    data = encode(ratings, categories)
    q = data.q
    problem = _needs_two_categories(data, "AC1")
    if problem:
        return problem
    t = data.tallies
    p_a = t.agreement_sum / t.pairable
    # pi_k = (1/n) sum_i n_ik / r_i over units with r_i >= 1, summed slab by slab of equal r
    r = np.arange(t.units.size)
    pi = (t.values[1:] / r[1:, None]).sum(axis=0) / int(t.units[1:].sum())
    p_e = float((pi * (1.0 - pi)).sum()) / (q - 1)
    lonely = _pairable_note(data)
    if lonely:
        lonely += " in p_a (they still count in pi_k)"
    return Coefficient((p_a - p_e) / (1.0 - p_e), _join(_q_note(data), lonely))


def brennan_prediger(ratings: Any, categories: Sequence[Hashable] | None = None) -> Coefficient:
    """Brennan & Prediger's (1981) coefficient: chance agreement ``p_e = 1/q``.

    ``(p_a - 1/q) / (1 - 1/q)`` with ``p_a`` = :func:`percent_agreement` (the multi-rater form in
    Gwet 2014). Also known as PABAK for two coders and two categories. ``q`` as in
    :func:`gwet_ac1`; undefined for ``q < 2``.
    """
    data = encode(ratings, categories)
    q = data.q
    problem = _needs_two_categories(data, "Brennan-Prediger")
    if problem:
        return problem
    t = data.tallies
    p_a = t.agreement_sum / t.pairable
    p_e = 1.0 / q
    return Coefficient((p_a - p_e) / (1.0 - p_e), _join(_q_note(data), _pairable_note(data)))


def all_coefficients(
    ratings: Any,
    categories: Sequence[Hashable] | None = None,
    level: Level = "nominal",
) -> dict[str, Coefficient]:
    """Every coefficient, keyed as in :data:`COEFFICIENT_NAMES`; the matrix is encoded once.

    ``cohen_kappa`` is ``None`` with a note unless there are exactly 2 coders. ``level`` applies
    to Krippendorff's alpha only.
    """
    data = encode(ratings, categories)
    return {
        "percent_agreement": percent_agreement(data),
        "cohen_kappa": cohen_kappa(data),
        "fleiss_kappa": fleiss_kappa(data),
        "krippendorff_alpha": krippendorff_alpha(data, level=level),
        "gwet_ac1": gwet_ac1(data),
        "brennan_prediger": brennan_prediger(data),
    }


def binary_counts(matrix: Any) -> dict[str, int]:
    """Counts for a ``units x 2`` presence matrix (coder A, coder B): both, only_a, only_b, neither.

    Cells are booleans (or 0/1); a unit with a missing cell is not counted. ``ValueError`` if the
    matrix does not have 2 columns or holds something other than booleans/0/1.
    """
    arr = _as_matrix(matrix)
    if arr.shape[1] != 2:
        raise ValueError(f"binary_counts needs exactly 2 coders (columns), got {arr.shape[1]}")
    missing = _missing_mask(arr)
    rows = ~missing.any(axis=1)
    vals = arr[rows]
    if vals.dtype.kind != "b":
        try:
            num = vals.astype(float)
        except (TypeError, ValueError):
            raise ValueError("binary_counts needs booleans or 0/1 values") from None
        if not np.isin(num, (0.0, 1.0)).all():
            raise ValueError("binary_counts needs booleans or 0/1 values")
        vals = num.astype(bool)
    a = vals[:, 0]
    b = vals[:, 1]
    return {
        "both": int(np.count_nonzero(a & b)),
        "only_a": int(np.count_nonzero(a & ~b)),
        "only_b": int(np.count_nonzero(~a & b)),
        "neither": int(np.count_nonzero(~a & ~b)),
    }
