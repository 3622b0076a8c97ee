"""Tests for qualcode.agreement.stats against independent references and published examples.

References used:
- scikit-learn ``cohen_kappa_score``; statsmodels ``fleiss_kappa`` + ``aggregate_raters``;
  the ``krippendorff`` package (all four levels).
- Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders x 12 units with
  missing values; alpha nominal .743, ordinal .815, interval .849, ratio .797. The same data are
  Gwet's ``cac.raw4raters`` (irrCAC R package, README output): percent agreement 0.8181818,
  AC1 0.77544, Brennan-Prediger 0.77273.
- Fleiss (1971): 30 patients x 6 psychiatrists x 5 diagnoses, kappa = 0.430 (the table as shipped
  in the R ``irr`` package as ``diagnoses``). Its first 15 patients are irrCAC's ``distrib.6raters``
  with published Fleiss 0.4139265, AC1 0.4448007, alpha 0.4204384, BP 0.4388889, pa 0.5511111.
- Wikipedia "Fleiss' kappa" worked example: 10 subjects x 14 raters x 5 categories, kappa 0.210.
- irrCAC README ``cont3x3abstractors`` (2 raters, 3x3 table): kappa 0.7964094, AC1 0.8493305,
  BP 0.835, alpha 0.7972585, pa 0.89.
- A 2x2 table constructed by hand in the style of Cohen (1960) (the Wikipedia "Cohen's kappa"
  example): kappa = 0.4 exactly.
"""

from __future__ import annotations

import math
import time
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qualcode.agreement.stats import (
    COEFFICIENT_NAMES,
    Coefficient,
    RatingData,
    all_coefficients,
    binary_counts,
    brennan_prediger,
    cohen_kappa,
    encode,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

NaN = float("nan")
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------
# helpers


def from_table(table) -> np.ndarray:
    """2-coder ratings (units x 2) from a contingency table (rows: coder A, columns: coder B)."""
    rows = []
    for a, line in enumerate(table):
        for b, count in enumerate(line):
            rows += [(a, b)] * count
    return np.array(rows)


def from_counts(counts) -> np.ndarray:
    """units x m ratings from a subjects x categories count table (each row sums to m)."""
    return np.array([[k for k, c in enumerate(row) for _ in range(c)] for row in counts])


def val(c: Coefficient) -> float:
    assert c.value is not None, c.note
    return c.value


def as_float(rows) -> np.ndarray:
    return np.array([[NaN if x is None else float(x) for x in row] for row in rows], dtype=float)


@st.composite
def matrices(draw, min_coders=2, max_coders=4, missing=True, max_cat=4, min_units=1, max_units=25):
    m = draw(st.integers(min_coders, max_coders))
    n = draw(st.integers(min_units, max_units))
    q = draw(st.integers(1, max_cat))
    cell = st.integers(0, q - 1)
    if missing:
        cell = st.one_of(cell, st.none())
    return draw(st.lists(st.lists(cell, min_size=m, max_size=m), min_size=n, max_size=n))


def close(a: Coefficient, b: Coefficient, tol: float = 1e-9) -> bool:
    if a.value is None or b.value is None:
        return a.value is None and b.value is None
    return math.isclose(a.value, b.value, rel_tol=tol, abs_tol=tol)


# ------------------------------------------------------------------------------------------
# Cohen's kappa

COHEN_2X2 = [[20, 5], [10, 15]]  # rows: coder A yes/no; columns: coder B yes/no; n = 50


def test_cohen_hand_computed_2x2():
    # p_o = (20 + 15) / 50 = 0.70
    # A says yes 25/50 = 0.5, B says yes 30/50 = 0.6
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    r = from_table(COHEN_2X2)
    assert val(cohen_kappa(r)) == pytest.approx(0.4, abs=1e-9)
    assert val(percent_agreement(r)) == pytest.approx(0.7, abs=1e-9)
    assert cohen_kappa(r).note is None


def test_cont3x3abstractors_matches_irrcac():
    # irrCAC README (Gwet): kappa2.table, gwet.ac1.table, bp2.table, krippen2.table, pa2.table
    r = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert val(cohen_kappa(r)) == pytest.approx(0.7964094, abs=1e-7)
    assert val(gwet_ac1(r)) == pytest.approx(0.8493305, abs=1e-7)
    assert val(brennan_prediger(r)) == pytest.approx(0.835, abs=1e-9)
    assert val(krippendorff_alpha(r)) == pytest.approx(0.7972585, abs=1e-7)
    assert val(percent_agreement(r)) == pytest.approx(0.89, abs=1e-9)


@PROPS
@given(matrices(min_coders=2, max_coders=2, missing=False, max_cat=5, min_units=2, max_units=40))
def test_cohen_matches_sklearn(rows):
    r = np.array(rows)
    ours = cohen_kappa(r)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = cohen_kappa_score(r[:, 0], r[:, 1])
    if ours.value is None:
        assert math.isnan(ref) or ref == pytest.approx(0.0)
        assert "no variance" in ours.note
    else:
        assert ours.value == pytest.approx(ref, abs=1e-9)


def test_cohen_seeded_random_with_strings():
    rng = np.random.default_rng(1960)
    labels = np.array(["absent", "present", "unclear"])
    for _ in range(20):
        n = int(rng.integers(20, 300))
        a = labels[rng.integers(0, 3, n)]
        b = np.where(rng.random(n) < 0.6, a, labels[rng.integers(0, 3, n)])
        ours = val(cohen_kappa(np.column_stack([a, b])))
        assert ours == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_cohen_drops_units_with_missing_rating():
    full = from_table(COHEN_2X2).astype(object)
    extra = np.array([[1, None], [None, 0], [None, None]], dtype=object)
    res = cohen_kappa(np.vstack([full, extra]))
    assert val(res) == pytest.approx(0.4, abs=1e-12)
    assert res.note == "3 units with a missing rating dropped"


def test_cohen_needs_two_coders():
    res = cohen_kappa([[1, 1, 2], [2, 2, 2]])
    assert res.value is None and "exactly 2 coders" in res.note


# ------------------------------------------------------------------------------------------
# Fleiss' kappa

# Fleiss (1971), as the `diagnoses` data set of the R package irr: rows = patients, columns =
# Depression, Personality disorder, Schizophrenia, Neurosis, Other (counts of 6 psychiatrists).
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]  # fmt: skip

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def test_fleiss_1971_original_example():
    r = from_counts(FLEISS_1971)
    assert r.shape == (30, 6)
    k = val(fleiss_kappa(r))
    assert round(k, 3) == 0.430
    assert k == pytest.approx(sm_fleiss_kappa(np.array(FLEISS_1971)), abs=1e-12)


def test_fleiss_1971_first_15_patients_match_irrcac():
    # irrCAC's distrib.6raters: *.dist functions, README output
    r = from_counts(FLEISS_1971[:15])
    assert val(fleiss_kappa(r)) == pytest.approx(0.4139265, abs=1e-7)
    assert val(gwet_ac1(r)) == pytest.approx(0.4448007, abs=1e-7)
    assert val(krippendorff_alpha(r)) == pytest.approx(0.4204384, abs=1e-7)
    assert val(brennan_prediger(r)) == pytest.approx(0.4388889, abs=1e-7)
    assert val(percent_agreement(r)) == pytest.approx(0.5511111, abs=1e-7)


def test_fleiss_wikipedia_example():
    # P_bar = 0.378, P_e = 0.213, kappa = (0.378 - 0.213) / (1 - 0.213) = 0.210
    r = from_counts(WIKIPEDIA_FLEISS)
    assert r.shape == (10, 14)
    k = val(fleiss_kappa(r))
    assert k == pytest.approx(0.210, abs=5e-4)
    assert k == pytest.approx(sm_fleiss_kappa(np.array(WIKIPEDIA_FLEISS)), abs=1e-12)
    assert val(percent_agreement(r)) == pytest.approx(0.378, abs=5e-4)


@PROPS
@given(matrices(min_coders=2, max_coders=5, missing=False, max_cat=4))
def test_fleiss_matches_statsmodels(rows):
    r = np.array(rows)
    ours = fleiss_kappa(r)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm_fleiss_kappa(aggregate_raters(r)[0], method="fleiss")
    if ours.value is None:
        assert math.isnan(ref)
        assert "no variance" in ours.note
    else:
        assert ours.value == pytest.approx(ref, abs=1e-9)


def test_fleiss_drops_incomplete_units_with_note():
    rng = np.random.default_rng(71)
    r = rng.integers(0, 3, (40, 3)).astype(float)
    holes = r.copy()
    holes[[3, 17], [0, 2]] = NaN
    res = fleiss_kappa(holes)
    kept = np.delete(r, [3, 17], axis=0)
    assert val(res) == pytest.approx(sm_fleiss_kappa(aggregate_raters(kept)[0]), abs=1e-12)
    assert res.note == "2 units with a missing rating dropped"


# ------------------------------------------------------------------------------------------
# Krippendorff's alpha

# Krippendorff (2011), coders A-D (rows here are units, so this is the transpose of the paper).
_A = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
_B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
_C = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
_D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
KRIPP_2011 = [list(u) for u in zip(_A, _B, _C, _D)]


@pytest.mark.parametrize(
    "level, published",
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example(level, published):
    ours = krippendorff_alpha(KRIPP_2011, level=level)
    assert round(val(ours), 3) == published
    ref = krippendorff.alpha(reliability_data=as_float(KRIPP_2011).T, level_of_measurement=level)
    assert val(ours) == pytest.approx(ref, abs=1e-12)
    assert ours.note == "1 unit rated by only one coder ignored"


def test_krippendorff_2011_example_other_coefficients_match_irrcac():
    # Gwet's cac.raw4raters is the same data: pa.coeff.raw, gwet.ac1.raw, bp.coeff.raw
    assert val(percent_agreement(KRIPP_2011)) == pytest.approx(0.8181818, abs=1e-7)
    assert val(gwet_ac1(KRIPP_2011)) == pytest.approx(0.77544, abs=5e-6)
    assert val(brennan_prediger(KRIPP_2011)) == pytest.approx(0.77273, abs=5e-6)
    # also as strings and as a float matrix with NaN: same numbers
    as_str = [[None if x is None else str(x) for x in row] for row in KRIPP_2011]
    assert val(krippendorff_alpha(as_str)) == pytest.approx(val(krippendorff_alpha(KRIPP_2011)))
    assert val(gwet_ac1(as_float(KRIPP_2011))) == pytest.approx(val(gwet_ac1(KRIPP_2011)))


@PROPS
@given(matrices(min_coders=2, max_coders=5, missing=True, max_cat=5, max_units=30),
       st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))  # fmt: skip
def test_alpha_matches_krippendorff_package(rows, level):
    r = as_float(rows)
    ours = krippendorff_alpha(r, level=level)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ref = krippendorff.alpha(reliability_data=r.T, level_of_measurement=level)
        except ValueError:  # package refuses: one value in the domain, or nothing pairable
            ref = NaN
    if ours.value is None:
        assert math.isnan(ref)
        assert ours.note
    else:
        assert ours.value == pytest.approx(ref, abs=1e-9)


def test_alpha_seeded_random_large_against_package():
    rng = np.random.default_rng(2011)
    for level in ("nominal", "ordinal", "interval"):
        truth = rng.integers(0, 4, 500)
        r = np.where(rng.random((500, 4)) < 0.8, truth[:, None], rng.integers(0, 4, (500, 4)))
        r = r.astype(float)
        r[rng.random((500, 4)) < 0.2] = NaN
        ref = krippendorff.alpha(reliability_data=r.T, level_of_measurement=level)
        assert val(krippendorff_alpha(r, level=level)) == pytest.approx(ref, abs=1e-10)


def test_alpha_ordinal_uses_category_order():
    rng = np.random.default_rng(5)
    nums = rng.integers(0, 3, (60, 3))
    words = np.array(["low", "mid", "high"])[nums]  # alphabetical order would be high, low, mid
    by_categories = krippendorff_alpha(words, level="ordinal", categories=["low", "mid", "high"])
    assert val(by_categories) == pytest.approx(val(krippendorff_alpha(nums, level="ordinal")))
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha(words, level="interval")


def test_alpha_rejects_unknown_level():
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2]], level="circular")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# Gwet's AC1 and Brennan-Prediger


def test_kappa_paradox():
    # 2 coders, 100 units: both "absent" on 90, A alone "present" on 5, B alone on 5, both on 0.
    #   percent agreement p_o = 90/100 = 0.90
    #   each coder says present 5/100 = 0.05, absent 0.95
    #   Cohen:  p_e = 0.95*0.95 + 0.05*0.05 = 0.905;  kappa = (0.90 - 0.905)/(1 - 0.905) = -1/19
    #   Fleiss (= Scott's pi here, equal margins): same -1/19
    #   AC1:    pi_present = 0.05; p_e = 1/(2-1) * 2 * 0.05 * 0.95 = 0.095;
    #           AC1 = (0.90 - 0.095)/(1 - 0.095) = 0.805/0.905 = 0.889503
    #   BP:     (0.90 - 0.5)/(1 - 0.5) = 0.8
    #   alpha:  n = 200 values, o(absent,absent) = 180, o(a,p) = o(p,a) = 10, n_a = 190, n_p = 10;
    #           alpha = 1 - (n-1) * 20 / (2 * 190 * 10) = 1 - 3980/3800 = -0.0473684
    r = np.array([[0, 0]] * 90 + [[1, 0]] * 5 + [[0, 1]] * 5, dtype=bool)
    res = all_coefficients(r, categories=(False, True))
    assert val(res["percent_agreement"]) == pytest.approx(0.90, abs=1e-12)
    assert val(res["cohen_kappa"]) == pytest.approx(-1 / 19, abs=1e-12)
    assert val(res["fleiss_kappa"]) == pytest.approx(-1 / 19, abs=1e-12)
    assert val(res["gwet_ac1"]) == pytest.approx(0.805 / 0.905, abs=1e-12)
    assert val(res["brennan_prediger"]) == pytest.approx(0.8, abs=1e-12)
    assert val(res["krippendorff_alpha"]) == pytest.approx(1 - 3980 / 3800, abs=1e-12)
    assert binary_counts(r) == {"both": 0, "only_a": 5, "only_b": 5, "neither": 90}


def test_ac1_two_coders_hand_computed():
    # COHEN_2X2: p_a = 0.70; pi_yes = (0.5 + 0.6)/2 = 0.55, pi_no = 0.45
    # p_e = 1/(2-1) * (0.55*0.45 + 0.45*0.55) = 0.495; AC1 = (0.70 - 0.495)/(1 - 0.495) = 41/101
    r = from_table(COHEN_2X2)
    assert val(gwet_ac1(r)) == pytest.approx(41 / 101, abs=1e-12)
    # BP: (0.70 - 1/2) / (1 - 1/2) = 0.4
    assert val(brennan_prediger(r)) == pytest.approx(0.4, abs=1e-12)


def test_ac1_three_coders_missing_hand_computed():
    # units (coders 1-3):  a a a | a a b | b b . | c . . | a b c
    # p_a over units with >= 2 ratings: (1 + 1/3 + 1 + 0) / 4 = 7/12
    #   (u2: one agreeing pair a-a out of 3 pairs; u5: none)
    # pi_k = (1/5) sum_i n_ik / r_i over all 5 rated units (u4 counts here, not in p_a):
    #   pi_a = (1 + 2/3 + 0 + 0 + 1/3)/5 = 2/5
    #   pi_b = (0 + 1/3 + 1 + 0 + 1/3)/5 = 1/3
    #   pi_c = (0 + 0 + 0 + 1 + 1/3)/5 = 4/15
    # sum pi(1-pi) = 54/225 + 50/225 + 44/225 = 148/225; q = 3 -> p_e = 74/225
    # AC1 = (7/12 - 74/225) / (1 - 74/225) = (229/900) / (151/225) = 229/604
    # BP  = (7/12 - 1/3) / (2/3) = 3/8
    rows = [["a", "a", "a"], ["a", "a", "b"], ["b", "b", None], ["c", None, None], ["a", "b", "c"]]
    assert val(percent_agreement(rows)) == pytest.approx(7 / 12, abs=1e-12)
    assert val(gwet_ac1(rows)) == pytest.approx(229 / 604, abs=1e-12)
    assert val(brennan_prediger(rows)) == pytest.approx(3 / 8, abs=1e-12)
    # with a fourth, unused category: q = 4, p_e = (148/225)/3, BP = (7/12 - 1/4)/(3/4) = 4/9
    cats = ["a", "b", "c", "d"]
    pe = 148 / 225 / 3
    assert val(gwet_ac1(rows, categories=cats)) == pytest.approx((7 / 12 - pe) / (1 - pe))
    assert val(brennan_prediger(rows, categories=cats)) == pytest.approx(4 / 9, abs=1e-12)
    assert "q=4 (given categories)" in gwet_ac1(rows, categories=cats).note


# ------------------------------------------------------------------------------------------
# Undefined cases


def test_identical_coders_one_category_is_undefined_not_zero():
    r = np.zeros((50, 2), dtype=bool)  # nobody ever applied the code
    res = all_coefficients(r)
    assert val(res["percent_agreement"]) == 1.0
    for name in COEFFICIENT_NAMES[1:]:
        assert res[name].value is None, name
        assert res[name].note, name
    assert "no variance" in res["cohen_kappa"].note
    assert "no variance" in res["krippendorff_alpha"].note
    assert "expected disagreement is 0" in res["krippendorff_alpha"].note
    # with the binary categories named, q = 2 and AC1/BP are defined (and perfect)
    res2 = all_coefficients(r, categories=(False, True))
    assert val(res2["gwet_ac1"]) == 1.0
    assert val(res2["brennan_prediger"]) == 1.0
    assert res2["cohen_kappa"].value is None
    assert res2["krippendorff_alpha"].value is None


def test_nothing_pairable():
    rows = [[1, None], [None, 2], [None, None]]
    res = all_coefficients(rows)
    assert all(c.value is None and c.note for c in res.values())
    assert list(res) == list(COEFFICIENT_NAMES)


def test_three_coders_cohen_is_none_with_note_in_all_coefficients():
    rng = np.random.default_rng(3)
    res = all_coefficients(rng.integers(0, 2, (30, 3)))
    assert res["cohen_kappa"].value is None and "exactly 2 coders" in res["cohen_kappa"].note
    assert res["fleiss_kappa"].value is not None


def test_empty_matrix():
    res = all_coefficients(np.zeros((0, 2)))
    assert all(c.value is None for c in res.values())


# ------------------------------------------------------------------------------------------
# Properties


@PROPS
@given(matrices(min_coders=2, max_coders=4, missing=False, max_cat=3))
def test_identical_coders_give_one_or_undefined(rows):
    base = [row[0] for row in rows]
    m = len(rows[0])
    r = [[x] * m for x in base]
    res = all_coefficients(r)
    assert res["percent_agreement"].value == 1.0
    varied = len(set(base)) > 1
    names = ["fleiss_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger"]
    if m == 2:
        names.append("cohen_kappa")
    for name in names:
        c = res[name]
        if varied:
            assert c.value == pytest.approx(1.0, abs=1e-12), name
        else:
            assert c.value is None and c.note, name
    # naming a second category makes AC1 and BP defined even without variance
    res2 = all_coefficients(r, categories=list(range(4)))
    assert res2["gwet_ac1"].value == pytest.approx(1.0)
    assert res2["brennan_prediger"].value == pytest.approx(1.0)


@PROPS
@given(matrices(min_coders=2, max_coders=4, missing=True, max_cat=4), st.randoms())
def test_permuting_coders_changes_nothing(rows, rnd):
    r = np.array(rows, dtype=object)
    perm = list(range(r.shape[1]))
    rnd.shuffle(perm)
    a = all_coefficients(r, categories=[0, 1, 2, 3])
    b = all_coefficients(r[:, perm], categories=[0, 1, 2, 3])
    swapped = all_coefficients(r[:, ::-1], categories=[0, 1, 2, 3])
    for name in COEFFICIENT_NAMES:
        assert close(a[name], b[name]), name
        assert close(a[name], swapped[name]), name
    for level in ("ordinal", "interval"):
        assert close(krippendorff_alpha(r, level), krippendorff_alpha(r[:, perm], level))


@PROPS
@given(matrices(min_coders=2, max_coders=4, missing=True, max_cat=4, max_units=20),
       st.integers(0, 5), st.data())  # fmt: skip
def test_alpha_ignores_unit_rated_by_one_coder(rows, value, data):
    m = len(rows[0])
    coder = data.draw(st.integers(0, m - 1))
    position = data.draw(st.integers(0, len(rows)))
    lonely = [None] * m
    lonely[coder] = value
    with_lonely = rows[:position] + [lonely] + rows[position:]
    for level in ("nominal", "ordinal", "interval"):
        assert close(krippendorff_alpha(with_lonely, level), krippendorff_alpha(rows, level))
    # and a unit nobody rated changes nothing at all
    empty = rows + [[None] * m]
    for name, c in all_coefficients(empty, categories=range(6)).items():
        if name not in ("cohen_kappa", "fleiss_kappa"):  # those count it as dropped in the note
            assert close(c, all_coefficients(rows, categories=range(6))[name]), name


@PROPS
@given(matrices(min_coders=2, max_coders=2, missing=False, max_cat=3))
def test_two_coders_percent_agreement_is_plain_share(rows):
    r = np.array(rows)
    assert val(percent_agreement(r)) == pytest.approx(np.mean(r[:, 0] == r[:, 1]), abs=1e-12)


# ------------------------------------------------------------------------------------------
# Input handling and binary counts


def test_input_types_agree():
    rows = [[True, False], [True, True], [False, False], [False, True], [True, True]]
    as_bool = all_coefficients(np.array(rows), categories=(False, True))
    as_int = all_coefficients(np.array(rows, dtype=int), categories=(0, 1))
    as_obj = all_coefficients([[int(a), b] for a, b in rows], categories=(False, True))
    for name in COEFFICIENT_NAMES:
        assert close(as_bool[name], as_int[name]) and close(as_bool[name], as_obj[name]), name


def test_pandas_missing_values():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"A": ["x", "y", None, "x"], "B": ["x", pd.NA, "y", "y"]})
    assert val(percent_agreement(df)) == pytest.approx(0.5)
    assert cohen_kappa(df).note == "2 units with a missing rating dropped"


def test_mixed_unorderable_labels():
    r = [[1, "one"], [1, 1], ["two", "two"]]  # a list keeps 1 and "1" apart
    assert val(percent_agreement(r)) == pytest.approx(2 / 3)
    assert encode(r).labels == (1, "one", "two")
    assert val(gwet_ac1(r, categories=["one", "two", 1])) == pytest.approx(
        val(gwet_ac1(np.array(r, dtype=object)))
    )


def test_encode_and_reuse():
    data = encode([[0, 1], [1, 1], [None, 0]], categories=(0, 1))
    assert isinstance(data, RatingData)
    assert data.codes.tolist() == [[0, 1], [1, 1], [-1, 0]]
    assert data.n_units == 3 and data.n_coders == 2 and data.q == 2
    assert all_coefficients(data)["cohen_kappa"].note == "1 unit with a missing rating dropped"
    with pytest.raises(ValueError, match="categories differ"):
        gwet_ac1(data, categories=(0, 1, 2))


def test_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        percent_agreement([1, 2, 3])
    with pytest.raises(ValueError, match="not in categories"):
        gwet_ac1([[0, 2]], categories=(0, 1))
    with pytest.raises(ValueError, match="duplicates"):
        encode([[0, 1]], categories=(0, 1, 0))


def test_binary_counts():
    m = np.array([[1, 1], [1, 0], [1, 0], [0, 1], [0, 0], [0, 0], [0, 0]], dtype=bool)
    assert binary_counts(m) == {"both": 1, "only_a": 2, "only_b": 1, "neither": 3}
    assert binary_counts(m.astype(int)) == binary_counts(m)
    with_missing = np.vstack([m.astype(float), [[1.0, NaN]]])
    assert binary_counts(with_missing) == binary_counts(m)
    with pytest.raises(ValueError, match="2 coders"):
        binary_counts(np.zeros((3, 3), dtype=bool))
    with pytest.raises(ValueError, match="0/1"):
        binary_counts([[0, 2]])


# ------------------------------------------------------------------------------------------
# Performance


def test_performance_100k_units_3_coders_60_codes():
    rng = np.random.default_rng(0)
    base = rng.random((100_000, 3))
    rates = rng.uniform(0.005, 0.3, 60)
    start = time.perf_counter()
    for rate in rates:
        res = all_coefficients(base < rate, categories=(False, True))
    elapsed = time.perf_counter() - start
    assert res["fleiss_kappa"].value is not None
    assert elapsed < 2.5, f"60 codes took {elapsed:.2f}s"
