"""Agreement with an explicit unit (qualcode.agreement.compute) on hand-made coder projects.

Expected coefficients come from independent references on the same unit vectors: scikit-learn's
``cohen_kappa_score``, the ``krippendorff`` package, statsmodels' ``fleiss_kappa``, and AC1 /
Brennan-Prediger from their textbook formulas; unit vectors for sentence and character units are
rebuilt here by brute force (a Python loop over sentences and characters).
"""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from qualcode.agreement.compute import agreement
from qualcode.agreement.patterns import PatternTable, WeightedRatingData
from qualcode.agreement.stats import all_coefficients
from qualcode.errors import InputError

TURNS = ["T01_g1:2", "T01_g1:3", "T01_g1:5", "T01_g1:6", "T02_r1:2", "T02_r1:4"]

ANNA = {
    "T01_g1:2": ["logic.bureaucratic"],
    "T01_g1:3": ["logic.professional"],
    "T01_g1:5": ["logic.market"],
    "T02_r1:2": ["logic.professional"],
    "T02_r1:4": ["logic.bureaucratic"],
}
BRAM = {
    "T01_g1:2": ["logic.bureaucratic"],
    "T01_g1:3": ["logic.professional", "discretion.coping"],
    "T01_g1:6": ["discretion.coping"],
    "T02_r1:2": ["logic.bureaucratic"],
    "T02_r1:4": ["logic.bureaucratic"],
}


def code_all(project, coder: str, plan: dict[str, list[str]]) -> None:
    for frag, codes in plan.items():
        project.code(frag, codes, coder=coder)


@pytest.fixture
def two(ingested):
    code_all(ingested, "anna", ANNA)
    code_all(ingested, "bram", BRAM)
    return ingested


def vector(plan: dict[str, list[str]], code: str, units=TURNS) -> list[int]:
    return [int(code in plan.get(u, [])) for u in units]


def entry(result, code: str) -> dict:
    return next(e for e in result.codes if e["code"] == code)


def ac1_bp_binary(a, b) -> tuple[float, float]:
    """Gwet's AC1 and Brennan-Prediger for two coders, binary, complete data (textbook formulas)."""
    a, b = np.asarray(a), np.asarray(b)
    pa = float(np.mean(a == b))
    pi = (a.mean() + b.mean()) / 2
    pe = 2 * pi * (1 - pi)
    return (pa - pe) / (1 - pe), 2 * pa - 1


def check_against_references(e: dict, a, b) -> None:
    """The coefficients of an entry against sklearn / krippendorff / statsmodels / formulas."""
    a, b = list(a), list(b)
    assert e["percent_agreement"] == pytest.approx(np.mean(np.array(a) == np.array(b)))
    assert e["cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)
    assert e["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"), abs=1e-9
    )
    table, _ = aggregate_raters(np.array([a, b]).T, n_cat=2)
    assert e["fleiss_kappa"] == pytest.approx(sm_fleiss(table), abs=1e-9)
    ac1, bp = ac1_bp_binary(a, b)
    assert e["gwet_ac1"] == pytest.approx(ac1, abs=1e-9)
    assert e["brennan_prediger"] == pytest.approx(bp, abs=1e-9)


# ------------------------------------------------------------------------------------------
# turn unit


def test_turn_counts_and_coefficients_match_references(two):
    r = agreement(two.store, two.codebook(), ["anna", "bram"])
    assert r.unit == "turn" and r.coders == ["anna", "bram"]
    assert [e["code"] for e in r.codes] == [
        "logic.bureaucratic", "logic.professional", "logic.market", "discretion.coping"
    ]  # codebook order, only codes someone applied
    bur = entry(r, "logic.bureaucratic")
    assert (bur["units"], bur["both"], bur["only"], bur["neither"]) == (6, 2, {"anna": 0, "bram": 1}, 3)
    prof = entry(r, "logic.professional")
    assert (prof["both"], prof["only"], prof["neither"]) == (1, {"anna": 1, "bram": 0}, 4)
    market = entry(r, "logic.market")
    assert (market["both"], market["only"], market["neither"]) == (0, {"anna": 1, "bram": 0}, 5)
    coping = entry(r, "discretion.coping")
    assert (coping["both"], coping["only"], coping["neither"]) == (0, {"anna": 0, "bram": 2}, 4)
    for e in r.codes:
        check_against_references(e, vector(ANNA, e["code"]), vector(BRAM, e["code"]))
    # hand check: bureaucratic p_o = 5/6, p_e = (2/6)(3/6) + (4/6)(3/6) = 1/2, kappa = 2/3
    assert bur["cohen_kappa"] == pytest.approx(2 / 3)


def test_overall_pools_codes_by_stacking(two):
    r = agreement(two.store, two.codebook(), ["anna", "bram"])
    codes = [e["code"] for e in r.codes]
    a = sum((vector(ANNA, c) for c in codes), [])
    b = sum((vector(BRAM, c) for c in codes), [])
    o = r.overall
    assert o["kind"] == "pooled" and o["codes"] == 4
    assert (o["units"], o["both"], o["only"], o["neither"]) == (24, 3, {"anna": 2, "bram": 3}, 16)
    check_against_references(o, a, b)
    # pooling is not averaging
    mean_kappa = np.mean([e["cohen_kappa"] for e in r.codes])
    assert o["cohen_kappa"] != pytest.approx(mean_kappa)


def test_json_contract_keys_and_note(two):
    d = agreement(two.store, two.codebook(), ["anna", "bram"]).to_dict()
    assert {"unit", "coders", "codes", "overall", "note"} <= set(d)
    keys = {"code", "units", "both", "only", "neither", "percent_agreement", "cohen_kappa", "krippendorff_alpha",
            "gwet_ac1", "brennan_prediger", "fleiss_kappa", "notes"}
    for e in [*d["codes"], d["overall"]]:
        assert keys <= set(e)
        assert isinstance(e["notes"], dict)
    assert "respondent turn" in d["note"] and "never as 0" in d["note"]


def test_undefined_is_null_with_a_note_never_zero(ingested):
    # both coders apply bureaucratic to both turns of T02_r1: no variance
    for coder in ("anna", "bram"):
        ingested.code("T02_r1:2", ["logic.bureaucratic"], coder=coder)
        ingested.code("T02_r1:4", ["logic.bureaucratic"], coder=coder)
    r = agreement(ingested.store, ingested.codebook(), ["anna", "bram"])
    e = entry(r, "logic.bureaucratic")
    assert (e["units"], e["both"]) == (2, 2)
    for name in ("cohen_kappa", "krippendorff_alpha", "fleiss_kappa"):
        assert e[name] is None
        assert "no variance" in e["notes"][name]
    assert e["percent_agreement"] == 1.0
    assert e["gwet_ac1"] == 1.0 and e["brennan_prediger"] == 1.0  # defined: q = 2 categories possible
    table = r.to_frame()
    assert table.loc[table.code == "logic.bureaucratic", "cohen_kappa"].isna().all()


def test_transcript_only_one_coder_coded_is_left_out_by_default(ingested):
    code_all(ingested, "anna", ANNA)
    code_all(ingested, "bram", {k: v for k, v in BRAM.items() if k.startswith("T01")})
    r = agreement(ingested.store, ingested.codebook(), ["anna", "bram"])
    assert r.settings["transcripts"] == ["T01_g1"]
    assert any("left out (no other coder coded them): T02_r1, coded by anna" in w for w in r.warnings)
    bur = entry(r, "logic.bureaucratic")
    assert (bur["units"], bur["complete"]) == (4, 4)
    check_against_references(bur, vector(ANNA, "logic.bureaucratic")[:4], vector(BRAM, "logic.bureaucratic")[:4])


def test_transcript_a_coder_did_not_code_is_missing_not_absent(ingested):
    code_all(ingested, "anna", ANNA)
    code_all(ingested, "bram", {k: v for k, v in BRAM.items() if k.startswith("T01")})
    r = agreement(ingested.store, ingested.codebook(), ["anna", "bram"], transcripts=["T01_g1", "T02_r1"])
    assert r.settings["transcripts"] == ["T01_g1", "T02_r1"]
    assert any("bram has no codings in T02_r1" in w for w in r.warnings)
    bur = entry(r, "logic.bureaucratic")
    assert (bur["units"], bur["complete"]) == (6, 4)
    assert "lack a rating" in bur["notes"]["units"]
    a = vector(ANNA, "logic.bureaucratic")
    b = [float(x) for x in vector(BRAM, "logic.bureaucratic")[:4]] + [np.nan, np.nan]
    assert bur["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"), abs=1e-9)
    assert bur["cohen_kappa"] == pytest.approx(cohen_kappa_score(a[:4], b[:4]), abs=1e-9)
    assert "2 units with a missing rating dropped" in bur["notes"]["cohen_kappa"]
    # rated="all": bram read T02_r1 and applied nothing there
    r_all = agreement(ingested.store, ingested.codebook(), ["anna", "bram"], rated="all")
    assert r_all.settings["transcripts"] == ["T01_g1", "T02_r1"]  # any coder coded them
    bur_all = entry(r_all, "logic.bureaucratic")
    assert bur_all["complete"] == 6
    check_against_references(bur_all, a, vector(BRAM, "logic.bureaucratic")[:4] + [0, 0])


def test_transcript_filter_and_codes_prefix(two):
    r = agreement(two.store, two.codebook(), ["anna", "bram"], transcripts=["T02_r1"], codes="logic")
    assert [e["code"] for e in r.codes] == ["logic.bureaucratic", "logic.professional"]
    assert r.overall["units"] == 4  # 2 turns x 2 codes
    with pytest.raises(InputError, match="unknown transcript"):
        agreement(two.store, two.codebook(), ["anna", "bram"], transcripts=["nope"])


def test_codings_on_interviewer_turns_are_ignored_with_a_warning(two):
    two.code("T01_g1:1", ["logic.market"], coder="bram")  # an interviewer turn
    r = agreement(two.store, two.codebook(), ["anna", "bram"])
    assert any("1 coding(s) of bram outside respondent turns" in w for w in r.warnings)
    assert entry(r, "logic.market")["only"] == {"anna": 1, "bram": 0}


def test_bad_requests(two):
    cb = two.codebook()
    with pytest.raises(InputError, match="unit must be one of"):
        agreement(two.store, cb, ["anna", "bram"], unit="word")
    with pytest.raises(InputError, match="unknown coder 'zoe'"):
        agreement(two.store, cb, ["anna", "zoe"])
    with pytest.raises(InputError, match="at least 2 coders"):
        agreement(two.store, cb, ["anna"])
    with pytest.raises(InputError, match="named twice"):
        agreement(two.store, cb, ["anna", "anna"])
    with pytest.raises(InputError, match="exactly two coders"):
        code_all(two, "carla", {"T01_g1:2": ["logic.market"]})
        agreement(two.store, cb, ["anna", "bram", "carla"], unit="segment")
    with pytest.raises(InputError, match="overlap"):
        agreement(two.store, cb, ["anna", "bram"], unit="segment", overlap=0)
    with pytest.raises(InputError, match="not both"):
        agreement(two.store, cb, ["anna", "bram"], codes="discretion", group="logic")
    with pytest.raises(InputError, match="no suggestions"):
        agreement(two.store, cb, ["anna", "auto:rules"])


def test_project_api_returns_a_dataframe_with_the_note(two):
    df = two.agreement(["anna", "bram"], unit="turn")
    assert list(df.code) == ["logic.bureaucratic", "logic.professional", "logic.market", "discretion.coping",
                             "(all codes)"]
    assert {"only anna", "only bram", "cohen_kappa", "fleiss_kappa", "notes"} <= set(df.columns)
    assert "respondent turn" in df.attrs["note"]


# ------------------------------------------------------------------------------------------
# three coders: Fleiss


def test_three_coders_fleiss_and_alpha(two):
    carla = {
        "T01_g1:2": ["logic.bureaucratic"],
        "T01_g1:3": ["logic.professional"],
        "T01_g1:6": ["discretion.coping"],
        "T02_r1:2": ["logic.professional"],
    }
    code_all(two, "carla", carla)
    r = agreement(two.store, two.codebook(), ["anna", "bram", "carla"])
    for e in r.codes:
        rows = np.array([vector(p, e["code"]) for p in (ANNA, BRAM, carla)])
        table, _ = aggregate_raters(rows.T, n_cat=2)
        assert e["fleiss_kappa"] == pytest.approx(sm_fleiss(table), abs=1e-9)
        assert e["krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal"), abs=1e-9)
        assert e["cohen_kappa"] is None and "exactly 2 coders" in e["notes"]["cohen_kappa"]
    bur = entry(r, "logic.bureaucratic")
    # anna 1,0,0,0,0,1  bram 1,0,0,0,1,1  carla 1,0,0,0,0,0
    assert (bur["both"], bur["only"], bur["neither"], bur["partial"]) == (
        1, {"anna": 0, "bram": 1, "carla": 0}, 3, 1)
    prof = entry(r, "logic.professional")
    # anna 0,1,0,0,1,0  bram 0,1,0,0,0,0  carla 0,1,0,0,1,0
    assert (prof["both"], prof["partial"], prof["neither"]) == (1, 1, 4)


# ------------------------------------------------------------------------------------------
# group: a nominal variable


def labels(plan, units=TURNS, prefix="logic.") -> list[str]:
    out = []
    for u in units:
        got = [c for c in plan.get(u, []) if c.startswith(prefix)]
        out.append("none" if not got else got[0] if len(got) == 1 else "multiple")
    return out


def test_group_is_one_nominal_variable(two):
    r = agreement(two.store, two.codebook(), ["anna", "bram"], group="logic")
    o = r.overall
    assert o["kind"] == "nominal" and o["code"] == "logic"
    assert o["categories"] == ["logic.bureaucratic", "logic.professional", "logic.market", "none"]
    a, b = labels(ANNA), labels(BRAM)
    assert a == ["logic.bureaucratic", "logic.professional", "logic.market", "none", "logic.professional",
                 "logic.bureaucratic"]
    assert o["cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)
    index = {v: i for i, v in enumerate(o["categories"])}
    assert o["krippendorff_alpha"] == pytest.approx(krippendorff.alpha(
        reliability_data=[[index[x] for x in a], [index[x] for x in b]], level_of_measurement="nominal"), abs=1e-9)
    assert (o["agree"], o["both"], o["neither"], o["only"], o["different"]) == (4, 3, 1, {"anna": 1, "bram": 0}, 1)
    assert o["confusion"]["logic.professional"]["logic.bureaucratic"] == 1
    # the per-code rows are the group's codes as binary variables, only those in use
    assert [e["code"] for e in r.codes] == ["logic.bureaucratic", "logic.professional", "logic.market"]
    assert "nominal variable" in r.note


def test_group_two_codes_from_one_coder_is_the_value_multiple(two):
    two.code("T01_g1:6", ["logic.market", "logic.professional"], coder="anna")
    r = agreement(two.store, two.codebook(), ["anna", "bram"], group="logic")
    o = r.overall
    assert o["categories"][-1] == "multiple"
    assert "1 rating(s) where a coder applied more than one code" in o["notes"]["group"]
    plan = {**ANNA, "T01_g1:6": ["logic.market", "logic.professional"]}
    a, b = labels(plan), labels(BRAM)
    assert a[3] == "multiple"
    assert o["cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-9)


def test_group_must_be_a_code(two):
    with pytest.raises(InputError, match="unknown code 'logics'"):
        agreement(two.store, two.codebook(), ["anna", "bram"], group="logics")


# ------------------------------------------------------------------------------------------
# sentence unit


def brute_sentence_vectors(project, coders, code):
    sents = [s for t in ("T01_g1", "T02_r1") for s in project.sentences(t)]
    rows = project.coding_rows(coders=coders, codes=code)
    out = []
    for c in coders:
        spans = [(r["transcript"], r["start"], r["end"]) for r in rows if r["coder"] == c]
        out.append([
            int(any(t == s["fragment"].split(":")[0] and st < s["end"] and en > s["start"] for t, st, en in spans))
            for s in sents
        ])
    return out


def test_sentence_unit_hand_checked(ingested):
    # T01_g1:2 has two sentences; anna codes only the second, bram the whole turn
    ingested.code("T01_g1:2", ["logic.bureaucratic"], coder="anna", quote="omdat de wet zegt dat ik moet controleren")
    ingested.code("T01_g1:2", ["logic.bureaucratic"], coder="bram")
    ingested.code("T01_g1:3", ["logic.professional"], coder="anna", quote="Dat is maatwerk")
    ingested.code("T01_g1:3", ["logic.professional"], coder="bram", quote="ik kijk per klant")
    r = agreement(ingested.store, ingested.codebook(), ["anna", "bram"], unit="sentence")
    # T01_g1 sentences: 2 (turn 2) + 2 (turn 3) + 1 + 1 = 6; anna and bram coded only T01_g1
    assert r.settings["units_total"] == 6
    bur = entry(r, "logic.bureaucratic")
    assert (bur["units"], bur["both"], bur["only"], bur["neither"]) == (6, 1, {"anna": 0, "bram": 1}, 4)
    prof = entry(r, "logic.professional")  # different sentences of the same turn
    assert (prof["both"], prof["only"], prof["neither"]) == (0, {"anna": 1, "bram": 1}, 4)
    assert "sentence" in r.note


def test_sentence_unit_matches_brute_force(two):
    two.code("T01_g1:3", ["logic.market"], coder="anna", quote="Dat is maatwerk")
    r = agreement(two.store, two.codebook(), ["anna", "bram"], unit="sentence")
    for e in r.codes:
        a, b = brute_sentence_vectors(two, ["anna", "bram"], e["code"])
        assert e["units"] == len(a) == 8
        assert e["both"] == sum(x and y for x, y in zip(a, b))
        check_against_references(e, a, b)


# ------------------------------------------------------------------------------------------
# char unit


def brute_char_vectors(project, coders, code, transcripts=("T01_g1", "T02_r1")):
    rows = project.coding_rows(coders=coders, codes=code)
    out = {c: [] for c in coders}
    for t in transcripts:
        for f in project.transcript(t)["fragments"]:
            if f["interviewer"]:
                continue
            for pos in range(f["start"], f["end"]):
                for c in coders:
                    out[c].append(int(any(r["coder"] == c and r["transcript"] == t and r["start"] <= pos < r["end"]
                                          for r in rows)))
    return [out[c] for c in coders]


def test_char_unit_hand_checked(ingested):
    a_quote, b_quote = "elke klant is anders", "ik kijk per klant wat past, elke klant is anders"
    ingested.code("T01_g1:3", ["logic.professional"], coder="anna", quote=a_quote)
    ingested.code("T01_g1:3", ["logic.professional"], coder="bram", quote=b_quote)
    r = agreement(ingested.store, ingested.codebook(), ["anna", "bram"], unit="char")
    e = entry(r, "logic.professional")
    # T01_g1 respondent turns: 87 + 103 + 48 + 69 = 307 characters
    assert (len(a_quote), len(b_quote)) == (20, 48)
    assert (e["units"], e["both"], e["only"], e["neither"]) == (307, 20, {"anna": 0, "bram": 28}, 259)
    c = e["coded_only"]
    assert (c["units"], c["both"], c["only"], c["neither"]) == (48, 20, {"anna": 0, "bram": 28}, 0)
    assert c["percent_agreement"] == pytest.approx(20 / 48)
    assert e["percent_agreement"] == pytest.approx(279 / 307)
    assert "coded_only" in r.note
    assert r.overall["coded_only"]["units"] == 48


def test_char_unit_matches_brute_force(two):
    two.code("T01_g1:3", ["logic.market"], coder="anna", quote="Dat is maatwerk")
    two.code("T01_g1:6", ["logic.market"], coder="bram", quote="geen tijd voor intervisie")
    two.code("T01_g1:6", ["logic.market"], coder="bram", quote="want de caseload is te hoog")  # overlapping
    r = agreement(two.store, two.codebook(), ["anna", "bram"], unit="char")
    for e in r.codes:
        a, b = brute_char_vectors(two, ["anna", "bram"], e["code"])
        assert e["units"] == len(a) == 443
        check_against_references(e, a, b)
        coded = [i for i in range(len(a)) if a[i] or b[i]]
        ca, cb = [a[i] for i in coded], [b[i] for i in coded]
        assert e["coded_only"]["units"] == len(coded)
        assert e["coded_only"]["percent_agreement"] == pytest.approx(np.mean(np.array(ca) == np.array(cb)))
        assert e["coded_only"]["krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=[ca, cb], level_of_measurement="nominal"), abs=1e-9)


def test_char_group(two):
    r = agreement(two.store, two.codebook(), ["anna", "bram"], unit="char", group="logic")
    assert r.overall["kind"] == "nominal"
    assert r.overall["units"] == 443 and "coded_only" in r.overall
    # every turn coded with a logic by someone: coded characters = turns 2, 3, 5 of T01 and both of T02
    assert r.overall["coded_only"]["units"] == 87 + 103 + 48 + 89 + 47


# ------------------------------------------------------------------------------------------
# segment unit


def test_segment_unit_hand_checked(ingested):
    quote = "ik kijk per klant wat past, elke klant is anders"
    ingested.code("T01_g1:3", ["logic.professional"], coder="anna", quote=quote)
    ingested.code("T01_g1:3", ["logic.professional"], coder="bram", quote=quote + ".")
    ingested.code("T01_g1:5", ["logic.market"], coder="anna")  # 48 characters
    ingested.code("T01_g1:5", ["logic.market"], coder="bram", quote="Die targets vind ik onzin")  # 25, IoU .52
    ingested.code("T01_g1:6", ["discretion.coping"], coder="bram")
    r = agreement(ingested.store, ingested.codebook(), ["anna", "bram"], unit="segment", overlap=0.9)
    prof, market, coping = (entry(r, c) for c in ("logic.professional", "logic.market", "discretion.coping"))
    assert (prof["units"], prof["both"], prof["neither"]) == (1, 1, 0)  # IoU 48/49
    assert (market["units"], market["both"], market["only"]) == (2, 0, {"anna": 1, "bram": 1})
    assert (coping["units"], coping["only"]) == (1, {"anna": 0, "bram": 1})
    o = r.overall
    assert (o["units"], o["both"], o["neither"]) == (4, 1, 0)
    assert o["percent_agreement"] == pytest.approx(0.25)
    assert "no 'neither' units" in o["notes"]["unit"] and "intersection over union" in r.note
    assert r.settings["overlap"] == 0.9
    r5 = agreement(ingested.store, ingested.codebook(), ["anna", "bram"], unit="segment", overlap=0.5)
    assert (entry(r5, "logic.market")["units"], entry(r5, "logic.market")["both"]) == (1, 1)


def test_segment_pairs_one_to_one(ingested):
    # two codings of anna, one of bram: one pair, one unpaired
    ingested.code("T01_g1:3", ["logic.professional"], coder="anna", quote="ik kijk per klant wat past")
    ingested.code("T01_g1:3", ["logic.professional"], coder="anna", quote="ik kijk per klant wat past,")
    ingested.code("T01_g1:3", ["logic.professional"], coder="bram", quote="ik kijk per klant wat past")
    e = entry(agreement(ingested.store, ingested.codebook(), ["anna", "bram"], unit="segment"), "logic.professional")
    assert (e["units"], e["both"], e["only"]) == (2, 1, {"anna": 1, "bram": 0})


# ------------------------------------------------------------------------------------------
# the suggester as a coder


def test_auto_rules_as_a_coder(two):
    two.suggest()
    sugg = two.suggestion_rows(status=None)
    assert sugg, "the test codebook's rules should suggest something"
    engine_plan: dict[str, list[str]] = {}
    for s in sugg:
        engine_plan.setdefault(s["fragment"], []).append(s["code"])
    r = agreement(two.store, two.codebook(), ["anna", "auto:rules"])
    assert r.coders == ["anna", "auto:rules"] and "auto:rules stands for" in r.note
    rated = {s["transcript"] for s in sugg}
    units = [u for u in TURNS if u.split(":")[0] in rated]
    for e in r.codes:
        a, b = vector(ANNA, e["code"], units), vector(engine_plan, e["code"], units)
        assert (e["both"], e["only"]["auto:rules"]) == (sum(x & y for x, y in zip(a, b)),
                                                        sum((1 - x) & y for x, y in zip(a, b)))
    # only open suggestions: reject one, it no longer counts
    first = sugg[0]
    from qualcode.coding.apply import reject_suggestion

    with two.store.run("review", "t"):
        reject_suggestion(two.store, first["id"], "anna")
    r_open = agreement(two.store, two.codebook(), ["anna", "auto:rules"], suggestions="open")
    r_all = agreement(two.store, two.codebook(), ["anna", "auto:rules"], suggestions="all")
    n_open = sum(e["both"] + e["only"]["auto:rules"] for e in r_open.codes)
    n_all = sum(e["both"] + e["only"]["auto:rules"] for e in r_all.codes)
    assert n_open == n_all - 1  # one suggestion per (fragment, code) and engine
    assert r_open.settings["suggestions"] == "open"


# ------------------------------------------------------------------------------------------
# weighted reliability data: exactly the expanded matrix


@st.composite
def weighted(draw):
    m = draw(st.integers(2, 4))
    q = draw(st.integers(2, 4))
    k = draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(st.integers(-1, q - 1), min_size=m, max_size=m), min_size=k, max_size=k))
    weights = draw(st.lists(st.integers(0, 6), min_size=k, max_size=k))
    return np.array(rows, dtype=np.int64), np.array(weights, dtype=np.int64), q


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted())
def test_weighted_data_equal_the_expanded_matrix(case):
    rows, weights, q = case
    labels = tuple(range(q))
    expanded = np.repeat(rows, weights, axis=0).astype(float)
    expanded[expanded < 0] = np.nan
    ref = all_coefficients(expanded, categories=labels)
    table = PatternTable.from_ratings(rows, q, weights.astype(float))
    ours = all_coefficients(table.rating_data(labels))
    direct = all_coefficients(WeightedRatingData(codes=rows, labels=labels, categories_given=True, weights=weights))
    for got in (ours, direct):
        for name, c in ref.items():
            if c.value is None:
                assert got[name].value is None, name
            else:
                assert math.isclose(got[name].value, c.value, rel_tol=1e-9, abs_tol=1e-9), name
            assert got[name].note == c.note, name
    assert table.units == int(weights.sum())


# ------------------------------------------------------------------------------------------
# invariances on real projects


@pytest.mark.parametrize("unit", ["turn", "sentence", "char", "segment"])
def test_swapping_coders_changes_nothing(two, unit):
    ab = agreement(two.store, two.codebook(), ["anna", "bram"], unit=unit).to_dict()
    ba = agreement(two.store, two.codebook(), ["bram", "anna"], unit=unit).to_dict()
    for x, y in zip([*ab["codes"], ab["overall"]], [*ba["codes"], ba["overall"]]):
        assert x["only"] == {"anna": y["only"]["anna"], "bram": y["only"]["bram"]}
        for name in ("units", "both", "neither", "percent_agreement", "cohen_kappa", "krippendorff_alpha",
                     "gwet_ac1", "brennan_prediger", "fleiss_kappa"):
            assert x[name] == pytest.approx(y[name]) if x[name] is not None else y[name] is None, name


@pytest.mark.parametrize("unit", ["turn", "char", "segment"])
def test_identical_coders_agree_perfectly_or_undefined(two, unit):
    code_all(two, "anna_copy", ANNA)
    r = agreement(two.store, two.codebook(), ["anna", "anna_copy"], unit=unit)
    for e in [*r.codes, r.overall]:
        assert sum(e["only"].values()) == 0
        for name in ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger",
                     "fleiss_kappa"):
            assert e[name] == pytest.approx(1.0) or (e[name] is None and e["notes"][name]), (e["code"], name)
