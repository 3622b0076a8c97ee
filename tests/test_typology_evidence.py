"""Typology format 2: evidence per distinct fragment, weighted by suggestion score and stance, with a
minimum of supporting fragments, conjunctions and an explicit ``undetermined`` with its reason.

Every number below is worked out by hand in the comment next to it. The first half tests the pure
scoring functions of :mod:`qualcode.codebook.typology` on small coding lists; the second half a coded
project (the fixture study of test_typology.py) with a format-2 typology, through the library, the
JSON of ``qualcode typology`` and every typology table.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_typology import TYPOLOGY as STUDY_TYPOLOGY
from test_typology import build_study
from test_typology_rules import write
from typer.testing import CliRunner

from qualcode.cli import get_app
from qualcode.codebook.typology import (
    MARGIN,
    UNCLASSIFIED,
    UNDETERMINED,
    FragmentWeight,
    TypeScore,
    decide,
    evidence_units,
    feature_points,
    load_typology,
    read_typology,
    score_units,
)
from qualcode.errors import ProblemFound
from qualcode.report.page import build_report

CODEBOOK = """\
codes:
  - id: variant
    label: {nl: Variant, en: Variant}
    codable: false
    children:
      - id: coach
        label: {nl: Coachen, en: Coaching}
        definition: a
        children:
          - {id: matching, label: {nl: Matchen, en: Matching}, definition: a}
      - {id: programmes, label: {nl: Trajecten, en: Programmes}, definition: b}
      - {id: monitoring, label: {nl: Bewaken, en: Monitoring}, definition: c}
      - {id: admin, label: {nl: Administratie, en: Administration}, definition: d}
  - id: role
    label: {nl: Rol, en: Role}
    codable: false
    children:
      - {id: coach, label: {nl: Coach, en: Coach}, definition: e}
      - {id: monitor, label: {nl: Bewaker, en: Monitor}, definition: f}
"""

TYPOLOGY = """\
typology:
  id: t2
  label: {nl: Typen, en: Types}
  codebook: book.yaml
  format: 2
  min_score: 1.0
  margin: 0.5
  min_evidence: 2
types:
  - id: interventionist
    label: {nl: Interventionist, en: Interventionist}
    features:
      - {any_of: [variant.coach, role.coach], weight: 2, threshold: 2}
    against: [variant.admin]
  - id: regisseur
    label: {nl: Regisseur, en: Director}
    min_evidence: 3
    requires: {all_of: [variant.programmes], any_of: [variant.monitoring, role.monitor]}
    features:
      - {code: variant.programmes, weight: 2}
      - {code: variant.monitoring, weight: 1}
      - {all_of: [variant.programmes, variant.monitoring], weight: 1}
  - id: administrateur
    label: {nl: Administrateur, en: Administrator}
    features:
      - {code: variant.admin, weight: 2, threshold: 2}
"""


@pytest.fixture
def typ(tmp_path):
    write(tmp_path, "book.yaml", CODEBOOK)
    return load_typology(write(tmp_path, "typ.yaml", TYPOLOGY))


def c(fragment: str, code: str, score: float | None = None, stance: str | None = None) -> dict:
    return {"fragment": fragment, "code": code, "score": score, "stance": stance}


def scored(typ, codings):
    return score_units(typ, evidence_units(typ, codings))


# -- scoring --------------------------------------------------------------------------------------------


def test_a_fragment_counts_once_per_feature(typ, tmp_path):
    codings = [c("T:1", "variant.coach"), c("T:1", "variant.coach.matching"), c("T:1", "role.coach"),
               c("T:2", "variant.coach", score=0.5)]
    s = scored(typ, codings)["interventionist"]
    # T:1 counts once (weight 1, the strongest of its three codings), T:2 weighs its score 0.5:
    # n = 1.5, points = 2 * min(1, 1.5 / 2) = 1.5; per fragment 2 * w / 2
    assert s.score == 1.5
    assert [(f.fragment, f.weight) for f in s.support] == [("T:1", 1.0), ("T:2", 0.5)]
    assert s.support[0].codes == ["variant.coach", "variant.coach.matching", "role.coach"]
    # the same file in format 1 counts the four codings, each 1: n = 4, points = 2 * min(1, 4 / 2) = 2
    old = write(tmp_path, "old.yaml", TYPOLOGY.replace("  format: 2\n", "").replace("  min_evidence: 2\n", ""))
    typ1 = load_typology(old)
    assert typ1.abstain == UNCLASSIFIED and typ.abstain == UNDETERMINED
    assert scored(typ1, codings)["interventionist"].score == 2.0


def test_suggestion_scores_weigh_unless_switched_off(typ):
    codings = [c("T:1", "variant.coach", score=0.6), c("T:2", "variant.coach")]
    assert scored(typ, codings)["interventionist"].score == 1.6  # 2 * (0.6 + 1) / 2
    typ.evidence.suggestion_score = False
    assert scored(typ, codings)["interventionist"].score == 2.0  # 2 * min(1, 2 / 2)


def test_stance_rejects_supports_nothing_and_counts_against(typ):
    codings = [c("T:1", "variant.admin", stance="rejects"), c("T:2", "variant.admin", stance="distances"),
               c("T:3", "variant.admin")]
    s = scored(typ, codings)
    admin = s["administrateur"]
    # n = 0 + 0.5 + 1 = 1.5: 2 * 1.5 / 2 = 1.5; T:1 only counts against, with what it would have brought
    assert admin.score == 1.5
    assert [(f.fragment, f.weight) for f in admin.support] == [("T:3", 1.0), ("T:2", 0.5)]
    assert [(f.fragment, f.weight, f.points_to) for f in admin.against] == [("T:1", 1.0, ["stance rejects"])]
    # interventionist lists variant.admin under `against` (threshold 1): -1 * min(1, 1.5)
    assert s["interventionist"].score == -1.0
    assert [(f.fragment, f.points_to) for f in s["interventionist"].against] == [
        ("T:3", ["against", "administrateur"]), ("T:2", ["against", "administrateur"])]


def test_conjunction_scores_the_weakest_part(typ):
    regisseur = typ.type("regisseur")
    conj = regisseur.features[2]
    assert (conj.mode, conj.name) == ("all_of", "all of: variant.programmes, variant.monitoring")
    units = evidence_units(typ, [c("T:1", "variant.programmes", score=0.5), c("T:2", "variant.monitoring"),
                                 c("T:3", "variant.monitoring")])
    points, _, hits = feature_points(conj, units)
    assert points == 0.5  # n = min(0.5, 1 + 1) = 0.5; 1 * min(1, 0.5 / 1)
    assert sorted(hits) == ["T:1", "T:2", "T:3"]
    alone = evidence_units(typ, [c("T:2", "variant.monitoring"), c("T:3", "variant.monitoring")])
    assert feature_points(conj, alone)[0] == 0.0  # one part without evidence: nothing, and no hits
    assert feature_points(conj, alone)[2] == {}


# -- deciding -------------------------------------------------------------------------------------------


def test_minimum_evidence_per_type(typ):
    s = scored(typ, [c("T:1", "variant.programmes"), c("T:2", "variant.monitoring")])
    # programmes 2 + monitoring 1 + both 1 = 4, but regisseur needs 3 supporting fragments
    assert s["regisseur"].score == 4.0
    d = decide(typ, s)
    assert (d.type, d.kind, d.candidate) == (UNDETERMINED, "too little evidence", "regisseur")
    assert d.reason == "too little evidence: 2 supporting fragments, 3 needed (regisseur 4)"
    d = decide(typ, scored(typ, [c("T:1", "variant.programmes"), c("T:2", "variant.monitoring"),
                                 c("T:3", "variant.monitoring")]))
    assert (d.type, d.reason) == ("regisseur", "regisseur 4 leads interventionist 0 by 4; "
                                               "3 supporting fragments, 3 needed")


def test_required_features(typ):
    s = scored(typ, [c(f"T:{i}", "variant.monitoring") for i in range(1, 4)] + [c("T:4", "role.monitor")])
    assert s["regisseur"].score == 1.0 and s["regisseur"].missing == ["variant.programmes"]
    d = decide(typ, s)
    assert (d.type, d.kind) == (UNDETERMINED, "requirement not met")
    assert d.reason == "regisseur needs evidence of variant.programmes: none found"
    s = scored(typ, [c("T:1", "variant.programmes")] * 3)
    assert s["regisseur"].missing == ["one of variant.monitoring, role.monitor"]


def test_margin_score_and_no_evidence_reasons(typ):
    def ts(type_id, score, n):
        return TypeScore(type_id, score, support=[FragmentWeight(f"T:{i}", 1.0) for i in range(n)])

    d = decide(typ, {"interventionist": ts("interventionist", 0.0, 0), "regisseur": ts("regisseur", 3.2, 3),
                     "administrateur": ts("administrateur", 3.0, 2)})
    assert (d.type, d.kind, d.candidate) == (UNDETERMINED, MARGIN, "regisseur")
    assert d.reason == "two types within the margin of 0.5: regisseur 3.2, administrateur 3"
    d = decide(typ, {"interventionist": ts("interventionist", 0.8, 2), "regisseur": ts("regisseur", 0.0, 0),
                     "administrateur": ts("administrateur", 0.0, 0)})
    assert d.reason == "score too low: interventionist 0.8, 1 needed"
    assert decide(typ, scored(typ, [])).reason == "no evidence for any type"
    # an exact tie never wins, whatever the margin; ties rank in the typology's order
    typ.margin = 0.0
    d = decide(typ, {"interventionist": ts("interventionist", 2.0, 2), "regisseur": ts("regisseur", 0.0, 0),
                     "administrateur": ts("administrateur", 2.0, 2)})
    assert d.reason == "two types within the margin of 0: interventionist 2, administrateur 2"


# -- reading the file -----------------------------------------------------------------------------------


def test_format_2_keys_are_read_and_checked(tmp_path, typ):
    assert (typ.format, typ.min_evidence, typ.needed("interventionist"), typ.needed("regisseur")) == (2, 2, 2, 3)
    assert typ.evidence.stance == {"endorses": 1.0, "describes": 1.0, "distances": 0.5, "rejects": 0.0}
    req = typ.type("regisseur").requires
    assert (req.all_of, req.any_of) == (["variant.programmes"], ["variant.monitoring", "role.monitor"])
    write(tmp_path, "book.yaml", CODEBOOK)
    bad = write(tmp_path, "bad.yaml", """\
        typology: {id: b, label: {nl: B, en: B}, codebook: book.yaml, format: 3, min_evidence: -1,
                   evidence: {stance: {rejects: 2, ignores: 0}, suggestion_score: 1}}
        types:
          - id: undetermined
            label: {nl: U, en: U}
            features: [{code: variant.admin, any_of: [variant.coach]}]
          - id: a
            label: {nl: A, en: A}
            requires: {all_of: [variant.nope]}
            features: [{all_of: []}, {code: variant.admin}]
        """)
    assert [(i.line, i.severity, i.message) for i in read_typology(bad)[1]] == [
        (1, "error", "format must be one of 1, 2, not 3"),
        (1, "error", "min_evidence must be a whole number of at least 0, not '-1'"),
        # the format stayed 1, so the evidence section is flagged as well as checked
        (2, "warning", "evidence only applies with format: 2 (this file counts codings, each worth 1)"),
        (2, "error", "the factor of stance rejects must be between 0 and 1, not 2"),
        (2, "error", "unknown key 'ignores' in evidence.stance; did you mean 'endorses'?"),
        (2, "error", "evidence.suggestion_score must be true or false"),
        (4, "warning", "type 'undetermined' has no features, so it can never score"),
        (4, "error", "'undetermined' is reserved for cases that fit no type"),
        (6, "error", "an entry of the features of 'undetermined' has both code and any_of: use one"),
        (9, "error", f"unknown code 'variant.nope': not in codebook {tmp_path / 'book.yaml'}"),
        (10, "error", "all_of must be a list of one or more code ids"),
    ]
    with pytest.raises(ProblemFound):
        load_typology(bad)
    old = write(tmp_path, "old.yaml", """\
        typology: {id: o, label: {nl: O, en: O}, codebook: book.yaml, evidence: {suggestion_score: false}}
        types:
          - {id: a, label: {nl: A, en: A}, features: [{code: variant.admin}]}
        """)
    assert [(i.severity, i.message) for i in read_typology(old)[1]] == [
        ("warning", "evidence only applies with format: 2 (this file counts codings, each worth 1)")]


def test_the_shipped_typology_is_format_2():
    shipped = load_typology(Path(__file__).parents[1] / "codebooks" / "klantmanager-typology.yaml")
    assert (shipped.format, shipped.abstain, shipped.min_evidence) == (2, UNDETERMINED, 2)
    modes = {f.mode for t in shipped.types for f in t.features}
    assert modes == {"code", "any_of", "all_of"}


# -- a coded project -----------------------------------------------------------------------------------
# The fixture study of test_typology.py with its typology in format 2 and min_evidence 2 (manual codings,
# each weight 1). Hand scores, f<i> = the case's i-th turn:
#   A01_r1 coach f0, client_diff f1        I 3, R 0, A -1: 2 fragments    -> interventionist
#   A01_r2, A01_r3, D05_r2 coach f0        I 2: 1 fragment                -> undetermined (too little)
#   A01_r5 coach f0, rule_bending f1       I 2, A 1: 1 fragment for I     -> undetermined (too little)
#   B02_r1 programmes f0, rationing f1     R 2.5, A 1: 2 fragments        -> regisseur
#   B02_r2, B03_r1, Bgast programmes f0    R 2: 1 fragment                -> undetermined (too little)
#   C04_r1 admin f0, rule_bending f1, coach f2   A 2+1-1 = 2, I 2-1 = 1  -> administrateur
#   C04_r2 coach f0, admin f1              I 1, A 1 (I first on a tie): 1 -> undetermined (too little)
#   C04_r3 nothing                                                        -> undetermined (no evidence)
#   D05_r1 coach f0, and an accepted suggestion of coach at f1 scoring 0.4: I = 2 * min(1, 1.4) = 2,
#          2 fragments (f0 2, f1 0.8)                                     -> interventionist
# Open suggestions of engine "rules" (scored with --coder auto:rules): C04_r3 programmes f0 0.9,
# rationing f1 0.6: R = 2 * 0.9 + 0.5 * 0.6 = 2.1, A = 1 * 0.6 (rationing is coping) -> regisseur.

# the study's own typology (test_typology.TYPOLOGY), moved to format 2 with a minimum of two fragments
TYPOLOGY2 = STUDY_TYPOLOGY.replace("  margin: 0.5\n", "  margin: 0.5\n  format: 2\n  min_evidence: 2\n")
assert TYPOLOGY2 != STUDY_TYPOLOGY

EXPECTED = {
    "A01_r1": "interventionist", "A01_r2": UNDETERMINED, "A01_r3": UNDETERMINED, "A01_r5": UNDETERMINED,
    "B02_r1": "regisseur", "B02_r2": UNDETERMINED, "B03_r1": UNDETERMINED, "Bgast": UNDETERMINED,
    "C04_r1": "administrateur", "C04_r2": UNDETERMINED, "C04_r3": UNDETERMINED, "D05_r1": "interventionist",
    "D05_r2": UNDETERMINED,
}


def t2(project) -> str:
    return str(project.root / "codebooks" / "typ2.yaml")


def _suggest(project, fragment: str, code: str, score: float) -> None:
    f = project.store.fragment(fragment)
    cb = project.codebook()
    with project.store.run("suggest", "test", {}, cb.hash) as run_id:
        project.store.insert("suggestions", {
            "run_id": run_id, "engine": "rules", "code": code, "transcript_id": f["transcript_id"],
            "fragment_id": fragment, "start": f["start"], "end": f["end"], "score": score, "evidence": "[]",
            "status": "open", "codebook_hash": cb.hash})


@pytest.fixture(scope="module")
def study2(tmp_path_factory):
    project, f = build_study(tmp_path_factory.mktemp("evidence") / "study")
    (project.root / "codebooks" / "typ2.yaml").write_text(TYPOLOGY2, encoding="utf-8")
    _suggest(project, f[("D05_r1", 1)], "variant.coach", 0.4)
    assert project.accept_all(coder="ann")[1] == 1
    _suggest(project, f[("C04_r3", 0)], "variant.programmes", 0.9)
    _suggest(project, f[("C04_r3", 1)], "discretion.coping.rationing", 0.6)
    root = project.root
    project.close()
    from qualcode.project import Project

    project = Project.open(root)
    yield project, f
    project.close()


def test_project_assignment_with_reasons(study2):
    project, f = study2
    data = project.typology_data(t2(project), "ann")
    got = {a.case: a for a in data.assignments}
    assert {k: a.type for k, a in got.items()} == EXPECTED
    assert got["A01_r2"].reason == "too little evidence: 1 supporting fragment, 2 needed (interventionist 2)"
    assert got["C04_r3"].reason == "no evidence for any type"
    assert got["C04_r1"].reason == "administrateur 2 leads interventionist 1 by 1; 2 supporting fragments, 2 needed"
    # the accepted suggestion weighs its score: f1 brings 2 * 0.4
    d = got["D05_r1"]
    assert d.scores == {"interventionist": 2.0, "regisseur": 0.0, "administrateur": -1.0}
    assert [(x.fragment, x.weight) for x in d.support] == [(f[("D05_r1", 0)], 2.0), (f[("D05_r1", 1)], 0.8)]
    # undetermined: no evidence ids, but the candidate's fragments for and against
    a5 = got["A01_r5"]
    assert (a5.evidence, a5.contradicting, a5.candidate) == ([], [], "interventionist")
    assert [(x.fragment, x.weight) for x in a5.support] == [(f[("A01_r5", 0)], 2.0)]
    assert [(x.fragment, x.weight, x.points_to) for x in a5.against] == [(f[("A01_r5", 1)], 1.0, ["administrateur"])]


def test_manual_unclassified_means_undetermined_in_format_2(study2):
    project, _ = study2
    project.set_case_attributes("A01_r1", {"qualcode.type": "unclassified"})
    try:
        a = {a.case: a for a in project.typology_data(t2(project), "ann").assignments}["A01_r1"]
        assert (a.type, a.manual, a.kind) == (UNDETERMINED, True, "manual")
        assert a.reason.startswith("manual type (interventionist 3 leads")
    finally:
        project.set_case_attributes("A01_r1", {"qualcode.type": ""})


def test_engine_suggestions_as_coder(study2):
    project, f = study2
    data = project.typology_data(t2(project), "auto:rules")
    got = {a.case: a for a in data.assignments}
    c3 = got["C04_r3"]
    assert (c3.type, c3.scores) == ("regisseur", {"interventionist": 0.0, "regisseur": 2.1, "administrateur": 0.6})
    assert [(x.fragment, x.weight) for x in c3.support] == [(f[("C04_r3", 0)], 1.8), (f[("C04_r3", 1)], 0.3)]
    # open suggestions only: D05_r1's suggestion was accepted, so it has no evidence here
    assert got["D05_r1"].reason == "no evidence for any type"
    # all suggestions: the accepted one counts too (one fragment, too little)
    everything = {a.case: a for a in project.typology_data(t2(project), "auto:rules",
                                                            suggestions="all").assignments}
    assert everything["D05_r1"].reason == "too little evidence: 1 supporting fragment, 2 needed (interventionist 0.8)"


runner = CliRunner()


def test_json_contract(study2):
    project, f = study2
    r = runner.invoke(get_app(), ["-p", str(project.root), "typology", t2(project), "--coder", "ann",
                                  "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = {d["case"]: d for d in json.loads(r.stdout)}
    assert {k: d["type"] for k, d in rows.items()} == EXPECTED
    assert rows["D05_r1"] == {
        "case": "D05_r1", "type": "interventionist",
        "scores": {"interventionist": 2.0, "regisseur": 0.0, "administrateur": -1.0},
        "evidence": [f[("D05_r1", 0)], f[("D05_r1", 1)]], "contradicting": [], "manual": False,
        "reason": "interventionist 2 leads regisseur 0 by 2; 2 supporting fragments, 2 needed",
        "kind": "assigned", "candidate": "interventionist", "supporting": 2, "needed": 2,
        "for": [{"fragment": f[("D05_r1", 0)], "weight": 2.0, "codes": ["variant.coach"]},
                {"fragment": f[("D05_r1", 1)], "weight": 0.8, "codes": ["variant.coach"]}],
        "against": [],
    }
    c2 = rows["C04_r2"]
    assert (c2["type"], c2["evidence"], c2["candidate"]) == (UNDETERMINED, [], "interventionist")
    assert c2["reason"] == "too little evidence: 1 supporting fragment, 2 needed (interventionist 1)"
    assert c2["for"] == [{"fragment": f[("C04_r2", 0)], "weight": 2.0, "codes": ["variant.coach"]}]
    # admin at f1: 1 point against (interventionist's `against`) + 2 for administrateur
    assert c2["against"] == [{"fragment": f[("C04_r2", 1)], "weight": 3.0, "codes": ["variant.admin"],
                              "points_to": ["against", "administrateur"]}]
    r = runner.invoke(get_app(), ["-p", str(project.root), "typology", t2(project), "--coder",
                                  "auto:nothing"], catch_exceptions=False)
    assert r.exit_code == 2
    assert "engine 'nothing' has made no suggestions" in r.output


# -- the tables with undetermined cases -----------------------------------------------------------------

NOTE = ("9 case(s) onbepaald (8 too little evidence, 1 no evidence): A01_r2, A01_r3, A01_r5, B02_r2, B03_r1, "
        "Bgast, C04_r2, C04_r3, D05_r2")


def _tables(project, *names, **opts):
    from qualcode.tables.typology_tables import TypologyTableOptions

    return project.typology_tables(list(names), t2(project), "ann",
                                   options=TypologyTableOptions(**opts))


def test_assignment_table_shows_reason_for_and_against(study2):
    project, f = study2
    df = _tables(project, "assignment")["assignment"]
    rows = {r["case"]: r for r in df.to_dict("records")}
    assert rows["C04_r2"]["type"] == "onbepaald"
    assert rows["C04_r2"]["reason"] == "too little evidence: 1 supporting fragment, 2 needed (interventionist 1)"
    assert rows["C04_r2"]["for"] == f"{f[('C04_r2', 0)]} (2)"
    assert rows["C04_r2"]["against"] == f"{f[('C04_r2', 1)]} (3 → against, administrateur)"
    assert rows["D05_r1"]["for"] == f"{f[('D05_r1', 0)]} (2), {f[('D05_r1', 1)]} (0.8)"
    assert NOTE + "; `qualcode typology` gives each reason." in df.attrs["notes"]
    assert any("weighted by its suggestion's score (manual codings 1) and by stance (distances 0.5, rejects 0)"
               in n for n in df.attrs["notes"])


def test_distribution_has_an_undetermined_row(study2):
    project, _ = study2
    df = _tables(project, "distribution")["distribution"]
    assert [r[:5] for r in df.values.tolist()] == [
        ["Interventionist", "Aastad", "Team A", "A01_r1", 1],
        ["Interventionist", "Cdorp", "Team D", "D05_r1", 1],
        ["Regisseur", "Aastad", "Team B", "B02_r1", 1],
        ["Administrateur", "Cdorp", "Team C", "C04_r1", 1],
        ["onbepaald", "Aastad", "Team A", "A01_r2 t/m r3, r5", 3],
        ["onbepaald", "Aastad", "Team B", "B02_r2; B03_r1; Bgast", 3],
        ["onbepaald", "Cdorp", "Team C", "C04_r2 t/m r3", 2],
        ["onbepaald", "Cdorp", "Team D", "D05_r2", 1],
    ]
    assert NOTE + "; `qualcode typology` gives each reason." in df.attrs["notes"]


def test_per_type_tables_say_how_many_are_left_out_and_why(study2):
    project, _ = study2
    left_out = NOTE + "; left out of this table; `qualcode typology` gives each reason."
    frames = _tables(project, "profile", "strategies")
    for name, df in frames.items():
        assert left_out in df.attrs["notes"], name
    data = project.typology_data(t2(project), "ann")
    from qualcode.tables.context import context_features, context_numbers

    assert left_out in context_numbers(data, "caseload").attrs["notes"]
    assert left_out in context_features(data, ["specialisatie"]).attrs["notes"]
    # the per-type tables count only the assigned cases: Interventionist is A01_r1 and D05_r1
    assert context_numbers(data, "caseload").values.tolist()[:2] == [
        ["Interventionist", "Team A", 50, 75], ["Interventionist", "Team D", 100, 75]]


def test_appendix_closes_with_the_undetermined_cases(study2):
    project, f = study2
    df = _tables(project, "appendix")["appendix"]
    rows = df.values.tolist()
    und = [r for r in rows if r[0] == "onbepaald"]
    assert [r[1] for r in und][:3] == ["Team A (A01_r2 t/m r3, r5)"] * 3
    assert und[2][2:5] == [
        "reason", "too little evidence: 1 supporting fragment, 2 needed (interventionist 2). For Interventionist: "
        f"{f[('A01_r5', 0)]} (2); against: {f[('A01_r5', 1)]} (1 → Administrateur)", "(A01_r5, Team A)"]
    assert ["onbepaald", "Team C (C04_r2 t/m r3)", "reason", "no evidence for any type", "(C04_r3, Team C)", "",
            ""] in und
    d05 = [r for r in rows if r[0] == "Interventionist" and r[1] == "Team D (D05_r1)"]
    # quotes strongest first with their weight; the accepted 0.4 suggestion after the manual coding
    assert [(r[5], r[6]) for r in d05] == [(f[("D05_r1", 0)], 2.0), (f[("D05_r1", 1)], 0.8), ("", "")]


def test_report_typology_section_notes_undetermined(study2, tmp_path):
    project, _ = study2
    toml = project.root / "qualcode.toml"
    text = toml.read_text()
    toml.write_text(text.replace('typology = "codebooks/typ.yaml"', 'typology = "codebooks/typ2.yaml"'))
    try:
        from qualcode.project import Project

        with Project.open(project.root) as p2:
            html = build_report(p2)
        assert "9 case(s) onbepaald (8 too little evidence, 1 no evidence)" in html
        assert "too little evidence: 1 supporting fragment, 2 needed (interventionist 1)" in html
    finally:
        toml.write_text(text)


# -- the shipped typology -------------------------------------------------------------------------------
SHIPPED = Path(__file__).parents[1] / "codebooks" / "klantmanager-typology.yaml"


def test_one_fragment_does_not_make_a_regisseur():
    """The loss the issue names: scoring shares, one coded fragment made a respondent a regisseur
    (the format-1 file gave 2 + 2 for two features each holding half the case's variant codings)."""
    shipped = load_typology(SHIPPED)
    codings = [c("X:3", "variant.external_programmes_by_diagnosis"), c("X:3", "variant.monitoring_role")]
    s = scored(shipped, codings)
    # programmes 2 * 1/1.5 + monitoring 2 * 1/1.5 + both (all_of, threshold 0.5) 1 = 3.67
    assert round(s["regisseur"].score, 2) == 3.67
    d = decide(shipped, s)
    assert (d.type, d.reason) == (UNDETERMINED, "too little evidence: 1 supporting fragment, 2 needed (regisseur 3.67)")
    s = scored(shipped, [*codings, c("X:5", "variant.monitoring_role.reactive_monitoring", score=0.5)])
    assert decide(shipped, s).type == "regisseur"  # a second fragment, even a weak one, decides


def test_shipped_typology_on_hand_coded_features():
    """When the features are given correctly, the typology rules must be right. tests/data/
    typology_handcoded_dev.csv: the variant features of the 20 development respondents of the fictional
    gold set (benchmarks/gold/typology, split=dev), coded by hand from their transcripts, one row per
    fragment and code, with the variant the set assigns them. Every one gets its variant; the
    interventionist who sent one client to a provider (Vnk09_r4) keeps hers with the regisseur features
    of that one referral listed against."""
    shipped = load_typology(SHIPPED)
    with open(Path(__file__).parent / "data" / "typology_handcoded_dev.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    gold = {r["case"]: r["variant"] for r in rows}
    decided = {}
    for case in gold:
        codings = [c(r["fragment"], r["code"]) for r in rows if r["case"] == case]
        decided[case] = decide(shipped, scored(shipped, codings))
    assert len(gold) == 20
    assert {k: d.type for k, d in decided.items()} == gold
    v = scored(shipped, [c(r["fragment"], r["code"]) for r in rows if r["case"] == "Vnk09_r4"])
    assert [(x.fragment, x.points_to) for x in v["interventionist"].against] == [("Vnk09_r4:6", ["against", "regisseur"])]


def test_evaluate_an_engines_suggestions_against_known_variants(study2, tmp_path):
    """typology --evaluate with --coder auto:rules: the typology on suggestions nobody accepted."""
    project, _ = study2
    known = tmp_path / "variants.csv"
    known.write_text("case,variant\nC04_r3,regisseur\nD05_r1,interventionist\n", encoding="utf-8")
    result = project.typology_evaluation(known, t2(project), "auto:rules")
    assert (result.correct, result.assigned, result.cases, result.accuracy, result.coverage) == (1, 1, 2, 0.5, 0.5)
    d05 = next(r for r in result.per_case if r["case"] == "D05_r1")
    assert (d05["assigned"], d05["reason"]) == (UNDETERMINED, "no evidence for any type")
    r = runner.invoke(get_app(), ["-p", str(project.root), "typology", t2(project), "--coder", "auto:rules",
                                  "--suggestions", "all", "--evaluate", str(known), "--format", "json"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    d05 = next(x for x in json.loads(r.stdout)["per_case"] if x["case"] == "D05_r1")
    assert d05["reason"] == "too little evidence: 1 supporting fragment, 2 needed (interventionist 0.8)"
