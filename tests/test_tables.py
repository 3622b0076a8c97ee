"""The table shapes of tables.md on the fixture study of test_typology.py (see its docstring for
the cases, attributes and codings). Here A01_r5 has the manual type regisseur, so the types are:

  interventionist  A01_r1, A01_r2, A01_r3 (Team A), D05_r1, D05_r2 (Team D)
  regisseur        A01_r5 (Team A, manual), B02_r1, B02_r2, B03_r1, Bgast (Team B)
  administrateur   C04_r1 (Team C)
  unclassified     C04_r2 (tie), C04_r3 (nothing coded)
"""

from __future__ import annotations

import pytest
from test_typology import build_study

from qualcode.errors import InputError
from qualcode.export.table import table_from_frame
from qualcode.tables.context import parse_amount, yes_no
from qualcode.tables.dimensions import parse_words, quantifier
from qualcode.tables.frame import frame_table
from qualcode.tables.overview import data_overview
from qualcode.tables.profile import profile_cell
from qualcode.tables.strategies import classify


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    project, frags = build_study(tmp_path_factory.mktemp("tables") / "study")
    project.set_case_attributes("A01_r5", {"qualcode.type": "regisseur"})
    yield project, frags
    project.close()


# -- 1. data overview -------------------------------------------------------------------------------
def test_data_overview(study):
    project, _ = study
    df = project.data_overview()
    assert list(df.columns) == ["gemeente", "team", "group interviews", "individual interviews", "respondents"]
    assert df.values.tolist() == [
        ["Aastad", "Team A", 1, 1, 4],
        ["Aastad", "Team B", 0, 4, 4],
        ["Cdorp", "Team C", 0, 3, 3],
        ["Cdorp", "Team D", 0, 2, 2],
        ["total", "", 1, 10, 13],
    ]
    assert "No known 'type' (counted by number of respondents): C04_r3." in df.attrs["notes"]


def test_data_overview_options_and_observations():
    transcripts = [
        {"id": "X01_g1", "cases": ["X01_r1", "X01_r2"], "attributes": {"team": "T1", "soort": "group"}},
        {"id": "X01_o1", "cases": ["X01_r1"], "attributes": {"team": "T1", "soort": "obs"}},
        {"id": "X02_r1", "cases": ["X02_r1"], "attributes": {"soort": "single"}},  # team from its case
    ]
    cases = {"X01_r1": {"team": "T1"}, "X01_r2": {"team": "T1"}, "X02_r1": {"team": "T2"}}
    df = data_overview(transcripts, cases, municipality_attr="stad", type_attr="soort", group_values=["group"],
                       individual_values=["single"], observation_values=["obs"])
    assert list(df.columns) == ["stad", "team", "group interviews", "individual interviews", "respondents",
                                "observations"]
    assert df.values.tolist() == [
        ["(onbekend)", "T1", 1, 0, 2, 1],
        ["(onbekend)", "T2", 0, 1, 1, 0],
        ["total", "", 1, 1, 3, 1],
    ]


def test_respondent_overview(study):
    project, _ = study
    df = project.respondent_overview()
    assert list(df.columns) == ["gemeente", "functie", "kansrijk", "midden", "respondents"]
    assert df.values.tolist() == [
        ["Aastad", "klantmanager", 4, 4, 8],
        ["Cdorp", "werkcoach", 2, 3, 5],
        ["total", "", 6, 7, 13],
    ]
    ordered = project.respondent_overview(groups=["midden", "kansrijk"])
    assert list(ordered.columns)[2:4] == ["midden", "kansrijk"]


# -- 3. type profile -----------------------------------------------------------------------------------
def test_profile_majority_cells(study):
    project, _ = study
    df = project.type_profile(coder="ann")
    assert list(df.columns) == ["aspect", "Interventionist", "Regisseur", "Administrateur"]
    assert df.values.tolist() == [
        ["Focus", "professional", "mixed", "–"],  # 7 of 9 = 78%; 3 of 5 = 60% is not more than 60%
        ["Beslisruimte", "professional inference", "coping (rule bending, rationing)", "coping (rule bending)"],
    ]
    assert ("2 case(s) niet ingedeeld (1 within the margin, 1 no evidence): C04_r2, C04_r3; left out of this table; "
            "`qualcode typology` gives each reason.") in df.attrs["notes"]


def test_profile_counts(study):
    project, _ = study
    df = project.type_profile(coder="ann", counts=True)
    assert df.values.tolist() == [
        ["Focus", "professional (7:2)", "mixed (3:2)", "–"],
        ["Beslisruimte", "professional inference (1:0)", "coping (rule bending, rationing) (2:0)",
         "coping (rule bending) (1:0)"],
    ]
    assert any("in the order bureaucratic:professional (Beslisruimte: coping:professional);" in n for n in df.attrs["notes"])


def test_profile_majority_threshold(study):
    project, _ = study
    df = project.type_profile(coder="ann", majority=0.5)
    assert df.values.tolist()[0] == ["Focus", "professional", "bureaucratic", "–"]


def test_profile_cell_rule():
    labels = {"bureaucratic": "bureaucratic", "professional": "professional"}
    assert profile_cell({"bureaucratic": 2, "professional": 7}, labels, show_counts=True) == "professional (7:2)"
    assert profile_cell({"bureaucratic": 3, "professional": 3}, labels, show_counts=True) == "mixed (3:3)"
    assert profile_cell({"bureaucratic": 2, "professional": 3}, labels) == "mixed"
    assert profile_cell({"bureaucratic": 1, "professional": 0}, labels) == "bureaucratic"
    assert profile_cell({"bureaucratic": 0, "professional": 0}, labels) == "–"


# -- 4. strategies ---------------------------------------------------------------------------------------
def test_strategies(study):
    project, _ = study
    df = project.type_strategies(coder="ann")
    assert list(df.columns) == ["type", "strategies", "classification", "cases", "codings"]
    assert df.values.tolist() == [
        ["Interventionist", "Klantdifferentiatie", "professional inference", 1, 1],
        ["Regisseur", "Regels buigen", "rule bending", 1, 1],
        ["Regisseur", "Rantsoeneren", "rationing", 1, 1],
        ["Administrateur", "Regels buigen", "rule bending", 1, 1],
    ]
    by_code = project.type_strategies(coder="ann", by_code=True)
    assert by_code.values.tolist()[1] == ["Regisseur", "Regels buigen", "discretion.coping.rule_bending",
                                         "rule bending", 1, 1]


def test_classification_from_the_code_parent(study):
    project, _ = study
    cb = project.codebook()
    assert classify("discretion.client_differentiation.tailored_goals", cb) == "professional inference"
    assert classify("discretion.coping.rule_bending.lower_goals", cb) == "rule bending"
    assert classify("discretion.coping.rationing.creaming", cb) == "rationing"
    assert classify("discretion.coping", cb) == "coping"
    assert classify("discretion.stretch_rules") == "stretch_rules"  # not in the map: its own branch


# -- 5. context --------------------------------------------------------------------------------------------
def test_context_means_of_team_means(study):
    project, _ = study
    df = project.type_context("caseload", coder="ann")
    assert list(df.columns) == ["type", "team", "caseload", "type mean"]
    assert df.values.tolist() == [
        ["Interventionist", "Team A", 55, 80],  # (50 + 60 + 55) / 3; (55 + 105) / 2
        ["Interventionist", "Team D", 105, 80],
        ["Regisseur", "Team A", 70, 57.5],  # A01_r5 only; (70 + 45) / 2
        ["Regisseur", "Team B", "40-50", 57.5],  # a range stays a range, its midpoint 45 is used
        ["Administrateur", "Team C", 200, 200],  # "ca. 200"; C04_r2/r3 (999) are unclassified
    ]
    assert any("Team B: 40-50 counts as 45" in n for n in df.attrs["notes"])


def test_context_features_ja_nee_deels(study):
    project, _ = study
    df = project.type_features(["specialisatie"], coder="ann")
    assert df.values.tolist() == [["Interventionist", "Deels"], ["Regisseur", "Ja"], ["Administrateur", "Nee"]]
    per_team = project.type_features(["specialisatie"], coder="ann", by="team")
    assert per_team.values.tolist() == [
        ["Interventionist", "Team A", "Ja"], ["Interventionist", "Team D", "Nee"],
        ["Regisseur", "Team A", "Ja"], ["Regisseur", "Team B", "Ja"], ["Administrateur", "Team C", "Nee"],
    ]
    unknown = project.type_features(["bestaatniet"], coder="ann")
    assert unknown["bestaatniet"].tolist() == ["–", "–", "–"]


def test_parse_amount_and_yes_no():
    assert parse_amount("40-50") == (40.0, 50.0, "")
    assert parse_amount("40 - 50 per klantmanager") == (40.0, 50.0, "per klantmanager")
    assert parse_amount("330 uitstroom per team per jaar") == (330.0, 330.0, "uitstroom per team per jaar")
    assert parse_amount("ca. 7,5") == (7.5, 7.5, "")
    assert parse_amount(55) == (55.0, 55.0, "")
    assert parse_amount("geen idee") is None
    assert [yes_no(v) for v in (True, "Ja", "nee", 0, "deels", "misschien", None)] == [
        True, True, False, False, "partly", None, None]


# -- 6. logics by dimension ----------------------------------------------------------------------------------
def test_dimensions_count_respondents_not_fragments(study):
    project, _ = study
    df = project.logics_by_dimension("ann")
    assert list(df.columns) == ["dimension", "Bureaucratisch", "Professioneel", "Markt"]
    assert df.values.tolist() == [
        # A01_r1 voices the professional logic on discretion in two fragments: one respondent
        ["Beslisruimte", "–", "2 (endorses 1, rejects 1)", "–"],
        # D05_r1's stance comes from a stance.endorses code on the same fragment; C04_r1 coded the
        # bureaucratic logic and steering on different fragments: not counted
        ["Sturing", "–", "–", "3 (endorses 2, rejects 1)"],
    ]


def test_dimensions_long_and_words(study):
    project, _ = study
    long = project.logics_by_dimension("ann", long=True, words="alle=1.0,de meeste=0.5,sommigen=0.2,een enkeling=0")
    rows = {(r["dimension"], r["logic"]): r for r in long.to_dict("records")}
    assert len(rows) == 6
    r = rows[("Beslisruimte", "Professioneel")]
    assert (r["cases"], r["endorses"], r["rejects"], r["share"], r["word"]) == (2, 1, 1, 0.1538, "een enkeling")
    r = rows[("Sturing", "Markt")]
    assert (r["cases"], r["endorses"], r["rejects"], r["word"]) == (3, 2, 1, "sommigen")  # 3/13 = 0.23
    assert rows[("Sturing", "Bureaucratisch")]["cases"] == 0
    wide = project.logics_by_dimension("ann", words="alle=1.0,de meeste=0.5,sommigen=0.2,een enkeling=0", total=4)
    assert wide.values.tolist()[0][2] == "de meeste (2; endorses 1, rejects 1)"  # 2/4 = 0.5
    assert wide.values.tolist()[1][3] == "de meeste (3; endorses 2, rejects 1)"


def test_quantifier_words():
    words = parse_words("alle=1.0, de meeste=0.5,sommigen=0.2,een enkeling=0")
    assert words == [("alle", 1.0), ("de meeste", 0.5), ("sommigen", 0.2), ("een enkeling", 0.0)]
    assert [quantifier(n, 10, words) for n in (10, 6, 5, 3, 1, 0)] == [
        "alle", "de meeste", "de meeste", "sommigen", "een enkeling", ""]
    with pytest.raises(InputError, match="not WORD=THRESHOLD"):
        parse_words("alle")
    with pytest.raises(InputError, match="between 0 and 1"):
        parse_words("alle=2")


# -- 7. aspects by respondent group ------------------------------------------------------------------------------
def test_aspects_by_group(study):
    project, _ = study
    df = project.aspects_by_group("groep", "ann")
    assert list(df.columns) == ["aspect", "client reps (n=2)", "managers (n=1)", "practitioners (n=10)"]
    assert df.values.tolist() == [
        ["Kennis", "niet genoemd", "niet genoemd", 2],  # A01_r2 mentions it twice: one respondent
        ["Klantgericht", 1, "niet genoemd", "niet genoemd"],
        ["Samenwerken", "niet genoemd", "niet genoemd", "niet genoemd"],
    ]
    assert ("Warning: group sizes differ by more than 3x (client reps 2, managers 1, practitioners 10): "
            "compare shares, not counts.") in df.attrs["notes"]


def test_aspects_order_and_zeros(study):
    project, _ = study
    df = project.aspects_by_group("groep", "ann", groups=["practitioners", "managers", "client reps"],
                                  not_mentioned=None)
    assert list(df.columns)[1:] == ["practitioners (n=10)", "managers (n=1)", "client reps (n=2)"]
    assert df.values.tolist()[0] == ["Kennis", 2, 0, 0]
    with pytest.raises(InputError, match="no case has the attribute 'rol'"):
        project.aspects_by_group("rol", "ann")


# -- 8. appendix -------------------------------------------------------------------------------------------------
def test_appendix(study):
    project, f = study
    df = project.type_appendix(coder="ann")
    assert list(df.columns) == ["type", "team", "feature", "quote", "citation", "fragment", "weight"]
    rows = df.values.tolist()
    team_a = "Team A (A01_r1 t/m r3)"
    assert rows[0] == ["Interventionist", team_a, "Zelf coachen",
                       "Antwoord 0 van A01_r1: **ik coach zelf** mijn klanten elke week.", "(A01_r1, Team A)",
                       f[("A01_r1", 0)], 2.0]  # coach: weight 2, threshold 1
    assert rows[1][3:] == ["**Antwoord 0 van A01_r2: ik coach zelf mijn klanten elke week.**", "(A01_r2, Team A)",
                           f[("A01_r2", 0)], 2.0]
    assert [r[2] for r in rows if r[1] == team_a and r[0] == "Interventionist"] == [
        "Zelf coachen", "Zelf coachen", "Zelf coachen", "Klantdifferentiatie", "contradicting evidence"]
    assert rows[3][5:] == [f[("A01_r1", 1)], 1.0]  # client differentiation: weight 1
    assert rows[4] == ["Interventionist", team_a, "contradicting evidence", "none", "", "", ""]
    regisseur_a = [r for r in rows if r[0] == "Regisseur" and r[1] == "Team A (A01_r5)"]
    # the manual regisseur: coach points 2 to interventionist, rule bending 1 to administrateur (coping)
    assert regisseur_a == [["Regisseur", "Team A (A01_r5)", "contradicting evidence",
                            "2 fragment(s), strongest first: A01_r5:2 (Zelf coachen → Interventionist: 2); "
                            "A01_r5:4 (Regels buigen → Administrateur: 1)", "", "", ""]]
    team_b = [r for r in rows if r[1] == "Team B (B02_r1 t/m r2; B03_r1; Bgast)"]
    assert [(r[2], r[5], r[6]) for r in team_b] == [
        ("Externe trajecten", "B02_r1:2", 2.0), ("Externe trajecten", "B02_r2:2", 2.0),
        ("Externe trajecten", "B03_r1:2", 2.0), ("Rantsoeneren", "B02_r1:4", 0.5), ("contradicting evidence", "", "")]
    # coach in C04_r1: 1 point against (administrateur's `against`) + 2 for interventionist
    assert rows[-3] == ["Administrateur", "Team C (C04_r1)", "contradicting evidence",
                        "1 fragment(s), strongest first: C04_r1:6 (Zelf coachen → against, Interventionist: 3)",
                        "", "", ""]
    # the cases without a type close the table, each with its reason and the closest type's evidence
    assert rows[-2:] == [
        ["niet ingedeeld", "Team C (C04_r2 t/m r3)", "reason",
         "two types within the margin of 0.5: interventionist 1, administrateur 1. For Interventionist: C04_r2:2 (2); "
         "against: C04_r2:4 (3 → against, Administrateur)", "(C04_r2, Team C)", "", ""],
        ["niet ingedeeld", "Team C (C04_r2 t/m r3)", "reason", "no evidence for any type", "(C04_r3, Team C)", "", ""],
    ]
    assert len(rows) == 19
    assert ("2 case(s) niet ingedeeld (1 within the margin, 1 no evidence): C04_r2, C04_r3; `qualcode typology` "
            "gives each reason.") in df.attrs["notes"]


def test_appendix_quote_limits(study):
    project, _ = study
    df = project.type_appendix(coder="ann", max_quotes=1, max_words=4)
    first = df.values.tolist()[0]
    assert first[3] == "(...) **ik coach zelf** mijn (...)"  # 3 coded words + 1 of context
    assert len(df) == 14  # 1 quote per feature: Team A 2+1, D 1+1, A01_r5 1, Team B 2+1, Team C 2+1, 2 reasons


# -- rendering --------------------------------------------------------------------------------------------------
def test_frame_table_blanks_repeated_groups(study):
    project, _ = study
    df = project.type_distribution(coder="ann")
    t = frame_table(df, group_columns=["type", "gemeente"])
    assert [r[:3] for r in t.rows] == [
        ["Interventionist", "Aastad", "Team A"], ["", "Cdorp", "Team D"],
        ["Regisseur", "Aastad", "Team A"], ["", "", "Team B"],
        ["Administrateur", "Cdorp", "Team C"], ["niet ingedeeld", "Cdorp", "Team C"],
    ]
    assert t.title == "Verdeling van respondenten over typen" and t.notes == df.attrs["notes"]
    assert table_from_frame(df).rows[3][:2] == ["Regisseur", "Aastad"]  # the DataFrame keeps every value
