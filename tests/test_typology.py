"""Assigning a coded project's cases to types (qualcode.tables.typology, Project.typology) and the
distribution table with respondent id ranges (tables.md #2).

The fixture study (:func:`build_study`, also used by test_tables.py and test_cli_typology.py) is
small enough to check every number by hand. Typology (min_score 1, margin 0.5):

  interventionist: variant.coach w2, discretion.client_differentiation w1; against variant.admin
  regisseur:       variant.programmes w2, discretion.coping.rationing w0.5
  administrateur:  variant.admin w2, discretion.coping w1; against variant.coach

Cases (gemeente / team) and the codings of coder "ann" that score (f<i> = the case's i-th turn):

  Aastad / Team A   A01_r1 coach f0, client_diff f1        I 3, R 0, A -1      -> interventionist
                    A01_r2 coach f0                         I 2, R 0, A -1      -> interventionist
                    A01_r3 coach f0                         I 2                 -> interventionist
                    A01_r5 coach f0, rule_bending f1        I 2, R 0, A 0       -> interventionist
                                                            (manual qualcode.type=regisseur in some tests)
  Aastad / Team B   B02_r1 programmes f0, rationing f1      I 0, R 2.5, A 1     -> regisseur
                    B02_r2, B03_r1, Bgast programmes f0     R 2                 -> regisseur
  Cdorp  / Team C   C04_r1 admin f0, rule_bending f1, coach f2   I 1, R 0, A 2  -> administrateur
                    C04_r2 coach f0, admin f1               I 1, R 0, A 1       -> unclassified (tie)
                    C04_r3 nothing                          all 0               -> unclassified
  Cdorp  / Team D   D05_r1, D05_r2 coach f0                 I 2                 -> interventionist

Pooled per team: A: coach 4, client_diff, rule_bending -> I 3, R 0, A 0 (interventionist);
B: programmes 4, rationing -> R 2.5, A 1 (regisseur); C: admin 2, rule_bending, coach 2 -> I 1,
A 2 (administrateur); D: coach 2 -> interventionist.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualcode.codebook.typology import UNCLASSIFIED
from qualcode.errors import InputError
from qualcode.project import Project
from qualcode.tables.ids import id_ranges, parse_respondent_id, team_id_problems

CODEBOOK = """\
codebook:
  id: study
  title: Study codebook
codes:
  - id: variant
    label: {nl: Variant, en: Variant}
    codable: false
    children:
      - {id: coach, label: {nl: Zelf coachen, en: Own coaching}, definition: a}
      - {id: programmes, label: {nl: Externe trajecten, en: External programmes}, definition: b}
      - {id: admin, label: {nl: Administratie, en: Administration}, definition: c}
  - id: practice
    label: {nl: Praktijk, en: Practice}
    codable: false
    children:
      - id: focus
        label: {nl: Focus, en: Focus}
        codable: false
        children:
          - {id: bureaucratic, label: {nl: Focus bureaucratisch, en: Focus bureaucratic}, definition: d}
          - {id: professional, label: {nl: Focus professioneel, en: Focus professional}, definition: e}
  - id: discretion
    label: {nl: Beslisruimte, en: Discretion}
    codable: false
    children:
      - id: coping
        label: {nl: Coping, en: Coping}
        definition: f
        children:
          - {id: rule_bending, label: {nl: Regels buigen, en: Rule bending}, definition: g}
          - {id: rationing, label: {nl: Rantsoeneren, en: Rationing}, definition: h}
      - {id: client_differentiation, label: {nl: Klantdifferentiatie, en: Client differentiation}, definition: i}
  - id: logic
    label: {nl: Logica, en: Logic}
    codable: false
    children:
      - {id: bureaucratic, label: {nl: Bureaucratisch, en: Bureaucratic}, definition: j}
      - {id: professional, label: {nl: Professioneel, en: Professional}, definition: k}
      - {id: market, label: {nl: Markt, en: Market}, definition: l}
  - id: dimension
    label: {nl: Dimensie, en: Dimension}
    codable: false
    children:
      - {id: discretion, label: {nl: Beslisruimte, en: Discretion}, definition: m}
      - {id: steering, label: {nl: Sturing, en: Steering}, definition: n}
  - id: aspect
    label: {nl: Aspect, en: Aspect}
    codable: false
    children:
      - {id: knowledge, label: {nl: Kennis, en: Knowledge}, definition: o}
      - {id: client, label: {nl: Klantgericht, en: Client orientation}, definition: p}
      - {id: collaboration, label: {nl: Samenwerken, en: Collaboration}, definition: q}
  - id: stance
    label: {nl: Houding, en: Stance}
    codable: false
    children:
      - {id: endorses, label: {nl: Onderschrijft, en: Endorses}, definition: r}
      - {id: rejects, label: {nl: Wijst af, en: Rejects}, definition: s}
"""

TYPOLOGY = """\
typology:
  id: study-types
  label: {nl: Typen, en: Types}
  codebook: study.yaml
  min_score: 1.0
  margin: 0.5
types:
  - id: interventionist
    label: {nl: Interventionist, en: Interventionist}
    features:
      - {code: variant.coach, weight: 2}
      - {code: discretion.client_differentiation, weight: 1}
    against: [variant.admin]
  - id: regisseur
    label: {nl: Regisseur, en: Director}
    features:
      - {code: variant.programmes, weight: 2}
      - {code: discretion.coping.rationing, weight: 0.5}
  - id: administrateur
    label: {nl: Administrateur, en: Administrator}
    features:
      - {code: variant.admin, weight: 2}
      - {code: discretion.coping, weight: 1}
    against: [variant.coach]
profile:
  aspects:
    - id: focus
      label: {nl: Focus, en: Focus}
      poles: {bureaucratic: practice.focus.bureaucratic, professional: practice.focus.professional}
    - id: discretion
      label: {nl: Beslisruimte, en: Discretion}
      poles: {coping: discretion.coping, professional: discretion.client_differentiation}
"""

# case id -> (gemeente, team, transcript kind); A01_r1..r3 are one group interview
TEAMS = {
    "A01": ("Aastad", "Team A"), "B02": ("Aastad", "Team B"), "B03": ("Aastad", "Team B"),
    "Bgast": ("Aastad", "Team B"), "C04": ("Cdorp", "Team C"), "D05": ("Cdorp", "Team D"),
}
SINGLE = ["A01_r5", "B02_r1", "B02_r2", "B03_r1", "Bgast", "C04_r1", "C04_r2", "C04_r3", "D05_r1", "D05_r2"]
GROUP = ["A01_r1", "A01_r2", "A01_r3"]
TURNS = 6

CASES_CSV = """\
case,caseload,specialisatie,functie,klantgroep,groep,teamnummer:number
A01_r1,50,ja,klantmanager,kansrijk,practitioners,1
A01_r2,60,ja,klantmanager,kansrijk,practitioners,1
A01_r3,55,ja,klantmanager,kansrijk,practitioners,1
A01_r5,70,ja,klantmanager,kansrijk,practitioners,1
B02_r1,40-50,ja,klantmanager,midden,practitioners,2
B02_r2,40-50,ja,klantmanager,midden,practitioners,2
B03_r1,40-50,ja,klantmanager,midden,practitioners,2
Bgast,40-50,ja,klantmanager,midden,practitioners,
C04_r1,ca. 200,nee,werkcoach,midden,practitioners,
C04_r2,999,nee,werkcoach,midden,practitioners,
C04_r3,999,nee,werkcoach,midden,managers,
D05_r1,100,nee,werkcoach,kansrijk,client reps,
D05_r2,110,nee,werkcoach,kansrijk,client reps,
"""

# (case, turn index, codes, stance, quote)
CODINGS = [
    ("A01_r1", 0, ["variant.coach"], None, "ik coach zelf"),
    ("A01_r1", 0, ["aspect.knowledge"], None, None),
    ("A01_r1", 1, ["discretion.client_differentiation"], None, None),
    ("A01_r1", 1, ["logic.professional"], "endorses", None),
    ("A01_r1", 1, ["dimension.discretion"], None, None),
    ("A01_r1", 2, ["practice.focus.professional"], None, None),
    ("A01_r1", 3, ["practice.focus.professional"], None, None),
    ("A01_r1", 4, ["practice.focus.professional"], None, None),
    ("A01_r1", 5, ["logic.professional"], "endorses", None),
    ("A01_r1", 5, ["dimension.discretion"], None, None),
    ("A01_r2", 0, ["variant.coach", "aspect.knowledge"], None, None),
    ("A01_r2", 1, ["practice.focus.professional", "aspect.knowledge"], None, None),
    ("A01_r2", 2, ["practice.focus.professional"], None, None),
    ("A01_r2", 3, ["logic.professional"], "rejects", None),
    ("A01_r2", 3, ["dimension.discretion"], None, None),
    ("A01_r3", 0, ["variant.coach"], None, None),
    ("A01_r5", 0, ["variant.coach"], None, None),
    ("A01_r5", 1, ["discretion.coping.rule_bending"], None, None),
    ("A01_r5", 2, ["practice.focus.professional"], None, None),
    ("B02_r1", 0, ["variant.programmes"], None, None),
    ("B02_r1", 1, ["discretion.coping.rationing"], None, None),
    ("B02_r1", 2, ["practice.focus.bureaucratic"], None, None),
    ("B02_r1", 3, ["practice.focus.bureaucratic"], None, None),
    ("B02_r1", 4, ["logic.market"], "rejects", None),
    ("B02_r1", 4, ["dimension.steering"], None, None),
    ("B02_r1", 5, ["logic.bureaucratic"], None, None),
    ("B02_r2", 0, ["variant.programmes"], None, None),
    ("B02_r2", 1, ["practice.focus.bureaucratic"], None, None),
    ("B03_r1", 0, ["variant.programmes"], None, None),
    ("B03_r1", 1, ["practice.focus.professional"], None, None),
    ("Bgast", 0, ["variant.programmes"], None, None),
    ("C04_r1", 0, ["variant.admin"], None, None),
    ("C04_r1", 1, ["discretion.coping.rule_bending"], None, None),
    ("C04_r1", 2, ["variant.coach"], None, None),
    ("C04_r1", 3, ["logic.bureaucratic"], None, None),
    ("C04_r1", 4, ["dimension.steering"], None, None),
    ("C04_r2", 0, ["variant.coach"], None, None),
    ("C04_r2", 1, ["variant.admin"], None, None),
    ("D05_r1", 0, ["variant.coach"], None, None),
    ("D05_r1", 1, ["practice.focus.professional"], None, None),
    ("D05_r1", 2, ["practice.focus.professional"], None, None),
    ("D05_r1", 3, ["logic.market", "dimension.steering", "stance.endorses"], None, None),
    ("D05_r1", 4, ["aspect.client"], None, None),
    ("D05_r2", 0, ["variant.coach"], None, None),
    ("D05_r2", 1, ["practice.focus.bureaucratic"], None, None),
    ("D05_r2", 2, ["practice.focus.bureaucratic"], None, None),
    ("D05_r2", 3, ["logic.market"], "endorses", None),
    ("D05_r2", 3, ["dimension.steering"], None, None),
]


def _team(case: str) -> tuple[str, str]:
    return TEAMS[case.split("_")[0]]


def _turn(case: str, i: int) -> str:
    return f"Antwoord {i} van {case}: ik coach zelf mijn klanten elke week."


def build_study(root: Path) -> tuple[Project, dict[tuple[str, int], str]]:
    """The fixture study, ingested and coded; returns the project and (case, turn index) -> fragment id."""
    Project.init(root).close()
    (root / "codebooks" / "study.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "codebooks" / "typ.yaml").write_text(TYPOLOGY, encoding="utf-8")
    toml = root / "qualcode.toml"
    text = toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/study.yaml")
    toml.write_text(text.replace("codebooks/klantmanager-typology.yaml", "codebooks/typ.yaml"))
    tdir = root / "transcripts"
    gemeente, team = _team("A01_r1")
    lines = ["---", "id: A01_g1", f"gemeente: {gemeente}", f"team: {team}", "type: groepsinterview", "speakers:"]
    lines += [f"  R{i + 1}: {c}" for i, c in enumerate(GROUP)] + ["---"]
    for i in range(TURNS):
        lines.append("I: Vertel eens?")
        lines += [f"R{j + 1}: {_turn(c, i)}" for j, c in enumerate(GROUP)]
    (tdir / "A01_g1.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for case in SINGLE:
        gemeente, team = _team(case)
        kind = [] if case == "C04_r3" else ["type: individueel"]  # C04_r3: kind inferred
        lines = ["---", f"gemeente: {gemeente}", f"team: {team}", *kind, "---"]
        for i in range(TURNS):
            lines += ["I: Vertel eens?", f"R: {_turn(case, i)}"]
        (tdir / f"{case}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tdir / "cases.csv").write_text(textwrap.dedent(CASES_CSV), encoding="utf-8")
    project = Project.open(root)
    project.ingest([tdir])
    frags: dict[tuple[str, int], str] = {}
    for tid in ["A01_g1", *SINGLE]:
        seen: dict[str, int] = {}
        for f in project.transcript(tid)["fragments"]:
            if f["interviewer"]:
                continue
            i = seen.get(f["case"], 0)
            frags[(f["case"], i)] = f["id"]
            seen[f["case"]] = i + 1
    for case, i, codes, stance, quote in CODINGS:
        project.code(frags[(case, i)], codes, coder="ann", stance=stance, quote=quote)
    return project, frags


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    project, frags = build_study(tmp_path_factory.mktemp("typology") / "study")
    yield project, frags
    project.close()


@pytest.fixture
def fresh_study(tmp_path):
    project, frags = build_study(tmp_path / "study")
    yield project, frags
    project.close()


def by_case(df):
    return {r["case"]: r for r in df.to_dict("records")}


# -- assignment per case ---------------------------------------------------------------------------
def test_assignment_per_case(study):
    project, _ = study
    rows = by_case(project.typology(coder="ann"))
    assert {c: r["type"] for c, r in rows.items()} == {
        "A01_r1": "interventionist", "A01_r2": "interventionist", "A01_r3": "interventionist",
        "A01_r5": "interventionist", "B02_r1": "regisseur", "B02_r2": "regisseur", "B03_r1": "regisseur",
        "Bgast": "regisseur", "C04_r1": "administrateur", "C04_r2": UNCLASSIFIED, "C04_r3": UNCLASSIFIED,
        "D05_r1": "interventionist", "D05_r2": "interventionist",
    }
    assert rows["A01_r1"]["scores"] == {"interventionist": 3.0, "regisseur": 0.0, "administrateur": -1.0}
    assert rows["B02_r1"]["scores"] == {"interventionist": 0.0, "regisseur": 2.5, "administrateur": 1.0}
    assert rows["C04_r1"]["scores"] == {"interventionist": 1.0, "regisseur": 0.0, "administrateur": 2.0}
    assert rows["A01_r5"]["scores"] == {"interventionist": 2.0, "regisseur": 0.0, "administrateur": 0.0}
    assert not any(r["manual"] for r in rows.values())
    assert rows["A01_r1"]["type_label"] == "Interventionist"


def test_tie_and_nothing_coded_are_unclassified(study):
    project, _ = study
    rows = by_case(project.typology(coder="ann"))
    tie = rows["C04_r2"]
    assert tie["scores"] == {"interventionist": 1.0, "regisseur": 0.0, "administrateur": 1.0}
    assert (tie["type"], tie["evidence"], tie["contradicting"]) == (UNCLASSIFIED, [], [])
    assert rows["C04_r3"]["scores"] == {"interventionist": 0.0, "regisseur": 0.0, "administrateur": 0.0}
    assert rows["C04_r3"]["type_label"] == "niet ingedeeld"


def test_evidence_and_contradicting_fragments(study):
    project, f = study
    rows = by_case(project.typology(coder="ann"))
    assert rows["A01_r1"]["evidence"] == [f[("A01_r1", 0)], f[("A01_r1", 1)]]
    assert rows["A01_r1"]["contradicting"] == []
    # rationing is a feature of regisseur AND (as coping) of administrateur: it supports, never contradicts
    assert rows["B02_r1"]["evidence"] == [f[("B02_r1", 0)], f[("B02_r1", 1)]]
    assert rows["B02_r1"]["contradicting"] == []
    # coach is another type's feature and in administrateur's `against`
    assert rows["C04_r1"]["evidence"] == [f[("C04_r1", 0)], f[("C04_r1", 1)]]
    assert rows["C04_r1"]["contradicting"] == [f[("C04_r1", 2)]]
    # rule bending (coping) points to administrateur
    assert rows["A01_r5"]["contradicting"] == [f[("A01_r5", 1)]]


def test_fragment_ids_sort_by_turn_number(fresh_study):
    project, f = fresh_study
    # turn 10 of a transcript sorts after turn 9, not after turn 1
    ids = [f[("B02_r1", 0)], f[("B02_r1", 4)]]  # B02_r1:2 and B02_r1:10
    assert ids == ["B02_r1:2", "B02_r1:10"]
    project.code(ids[1], ["variant.programmes"], coder="ann")
    rows = by_case(project.typology(coder="ann"))
    assert rows["B02_r1"]["evidence"] == ["B02_r1:2", "B02_r1:4", "B02_r1:10"]


def test_manual_override_wins_and_is_marked(fresh_study):
    project, _ = fresh_study
    project.set_case_attributes("A01_r5", {"qualcode.type": "regisseur"})
    rows = by_case(project.typology(coder="ann"))
    r = rows["A01_r5"]
    assert (r["type"], r["manual"]) == ("regisseur", True)
    assert r["scores"] == {"interventionist": 2.0, "regisseur": 0.0, "administrateur": 0.0}  # still shown
    assert r["evidence"] == []  # nothing coded supports regisseur
    assert len(r["contradicting"]) == 2  # coach -> interventionist, rule bending -> administrateur
    assert sum(x["manual"] for x in rows.values()) == 1
    assert any("A01_r5=regisseur" in n for n in project.typology(coder="ann").attrs["notes"])


def test_manual_override_must_be_a_type(fresh_study):
    project, _ = fresh_study
    project.set_case_attributes("A01_r5", {"qualcode.type": "regiseur"})
    with pytest.raises(InputError, match=r"A01_r5: qualcode.type=.regiseur. is not a type .* use one of interventionist"):
        project.typology(coder="ann")


def test_transcript_attribute_type_is_not_an_override(study):
    project, _ = study
    # every single interview has `type: individueel` in its front matter, inherited by its case
    assert project.case("B02_r2")["attributes"]["type"] == "individueel"
    assert by_case(project.typology(coder="ann"))["B02_r2"]["manual"] is False


def test_level_team_pools_codings(fresh_study):
    project, _ = fresh_study
    project.set_case_attributes("A01_r5", {"qualcode.type": "regisseur"})
    df = project.typology(coder="ann", level="team")
    assert list(df.columns) == ["case", "team", "type", "type_label", "scores", "evidence", "contradicting",
                                "manual", "reason", "for", "against"]
    rows = by_case(df)
    assert {c: (r["team"], r["type"]) for c, r in rows.items()} == {
        "A01_r1": ("Team A", "interventionist"), "A01_r2": ("Team A", "interventionist"),
        "A01_r3": ("Team A", "interventionist"), "A01_r5": ("Team A", "regisseur"),
        "B02_r1": ("Team B", "regisseur"), "B02_r2": ("Team B", "regisseur"), "B03_r1": ("Team B", "regisseur"),
        "Bgast": ("Team B", "regisseur"), "C04_r1": ("Team C", "administrateur"),
        "C04_r2": ("Team C", "administrateur"), "C04_r3": ("Team C", "administrateur"),
        "D05_r1": ("Team D", "interventionist"), "D05_r2": ("Team D", "interventionist"),
    }
    assert rows["A01_r1"]["scores"] == {"interventionist": 3.0, "regisseur": 0.0, "administrateur": 0.0}
    assert rows["C04_r3"]["scores"] == {"interventionist": 1.0, "regisseur": 0.0, "administrateur": 2.0}
    assert rows["A01_r5"]["manual"] is True
    # evidence stays per case: C04_r2's own admin turn supports the team's type, its coach turn contradicts
    assert rows["C04_r2"]["evidence"] == ["C04_r2:4"]
    assert rows["C04_r2"]["contradicting"] == ["C04_r2:2"]


def test_level_must_be_an_attribute(study):
    project, _ = study
    with pytest.raises(InputError, match="no case has the attribute 'afdeling'"):
        project.typology(coder="ann", level="afdeling")


def test_coder_checks(fresh_study):
    project, f = fresh_study
    with pytest.raises(InputError, match="coder 'bob' has no codings; coders: ann"):
        project.typology(coder="bob")
    assert len(project.typology()) == 13  # the only coder is used
    project.code(f[("A01_r1", 0)], ["variant.admin"], coder="bob")
    with pytest.raises(InputError, match=r"several coders \(ann, bob\): name one with --coder"):
        project.typology()


def test_missing_typology_file(study, tmp_path):
    project, _ = study
    with pytest.raises(InputError, match="typology file not found"):
        project.typology(tmp_path / "nope.yaml", coder="ann")


# -- id ranges ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["X01_r1", "X01_r2", "X01_r3"], "X01_r1 t/m r3"),
        (["X01_r3", "X01_r1", "X01_r2", "X01_r5"], "X01_r1 t/m r3, r5"),
        (["X01_r1", "X01_r3", "X01_r4", "X01_r7", "X01_r8", "X01_r9"], "X01_r1, r3 t/m r4, r7 t/m r9"),
        (["X01_r2"], "X01_r2"),
        (["X01_r1", "X01_r2", "X02_r1", "gast"], "X01_r1 t/m r2; X02_r1; gast"),
        (["X01_r10", "X01_r9", "X01_r11"], "X01_r9 t/m r11"),
        (["X01_r1", "X01_r1"], "X01_r1"),
        ([], ""),
    ],
)
def test_id_ranges(ids, expected):
    assert id_ranges(ids) == expected


def test_id_ranges_other_word():
    assert id_ranges(["Adm01_r1", "Adm01_r2", "Adm01_r3"], through="to") == "Adm01_r1 to r3"


def test_parse_respondent_id():
    rid = parse_respondent_id("Adm01_r3")
    assert (rid.prefix, rid.team, rid.n, rid.group) == ("Adm", "01", "3", "Adm01")
    assert parse_respondent_id("Adm01_g1") is None


def test_team_id_problems():
    assert team_id_problems(["X01_r1", "X01_r2", "X02_r3", "odd"]) == {
        "X02_r3": "X02_r3: does not fit this team's ids (X01_r…)",
        "odd": "odd: not of the form <prefix><team>_r<n>",
    }
    assert team_id_problems(["X01_r1", "X1_r2"]) == {}  # team 01 and 1 are the same number
    assert team_id_problems(["X01_r1", "X02_r2"], team_numbers={"X01_r1": 1, "X02_r2": 1}) == {
        "X02_r2": "X02_r2: id says team 2, its team number attribute says 1",
    }


# -- distribution table (#2) --------------------------------------------------------------------------
def test_distribution_per_case(study):
    project, _ = study
    df = project.type_distribution(coder="ann")
    assert list(df.columns) == ["type", "gemeente", "team", "respondents", "n", "notes"]
    assert df.values.tolist() == [
        ["Interventionist", "Aastad", "Team A", "A01_r1 t/m r3, r5", 4, ""],
        ["Interventionist", "Cdorp", "Team D", "D05_r1 t/m r2", 2, ""],
        ["Regisseur", "Aastad", "Team B", "B02_r1 t/m r2; B03_r1; Bgast", 4,
         "B03_r1: does not fit this team's ids (B02_r…); Bgast: not of the form <prefix><team>_r<n>"],
        ["Administrateur", "Cdorp", "Team C", "C04_r1", 1, ""],
        ["niet ingedeeld", "Cdorp", "Team C", "C04_r2 t/m r3", 2, ""],
    ]
    assert any("t/m" in n for n in df.attrs["notes"])


def test_distribution_with_manual_type_and_team_numbers(fresh_study):
    project, _ = fresh_study
    project.set_case_attributes("A01_r5", {"qualcode.type": "regisseur"})
    df = project.type_distribution(coder="ann", level="team", team_number_attr="teamnummer")
    assert df[["type", "team", "respondents", "n", "notes"]].values.tolist() == [
        ["Interventionist", "Team A", "A01_r1 t/m r3", 3, ""],
        ["Interventionist", "Team D", "D05_r1 t/m r2", 2, ""],
        ["Regisseur", "Team A", "A01_r5", 1, ""],
        ["Regisseur", "Team B", "B02_r1 t/m r2; B03_r1; Bgast", 4,
         "B03_r1: id says team 3, its team number attribute says 2; Bgast: not of the form <prefix><team>_r<n>"],
        ["Administrateur", "Team C", "C04_r1 t/m r3", 3, ""],
    ]
