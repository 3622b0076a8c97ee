"""``qualcode typology --evaluate FILE``: the assignment of the fixture study of test_typology.py
against known variants, counted by hand.

The study assigns (test_typology.test_assignment_per_case): A01_r1, A01_r2, A01_r3, A01_r5, D05_r1,
D05_r2 interventionist; B02_r1, B02_r2, B03_r1, Bgast regisseur; C04_r1 administrateur; C04_r2 and
C04_r3 unclassified.
"""

from __future__ import annotations

import json

import pytest
from conftest import cli, write
from test_typology import build_study

from qualcode.errors import InputError
from qualcode.tables.typology_eval import KnownVariant, evaluate_assignment

KNOWN = """\
    case,variant,split
    A01_r1,interventionist,dev
    A01_r2,interventionist,dev
    A01_r5,regisseur,heldout
    B02_r1,regisseur,heldout
    B02_r2,administrateur,dev
    C04_r1,administrateur,heldout
    C04_r2,administrateur,dev
    C04_r3,interventionist,heldout
    D05_r1,interventionist,heldout
"""
TYPES = ["interventionist", "regisseur", "administrateur"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    project, _ = build_study(tmp_path_factory.mktemp("typeval") / "study")
    yield project
    project.close()


def test_figures_by_hand(study, tmp_path):
    path = write(tmp_path / "known.csv", KNOWN)
    ev = study.typology_evaluation(path, coder="ann")
    # right: A01_r1, A01_r2, B02_r1, C04_r1, D05_r1; wrong: A01_r5 (said interventionist), B02_r2 (said
    # regisseur); no type: C04_r2, C04_r3
    assert (ev.cases, ev.assigned, ev.correct) == (9, 7, 5)
    assert (ev.accuracy, ev.coverage, ev.accuracy_assigned) == (round(5 / 9, 4), round(7 / 9, 4), round(5 / 7, 4))
    # known: 4 interventionist, 2 regisseur, 3 administrateur
    assert ev.majority == {"variant": "interventionist", "accuracy": round(4 / 9, 4)}
    assert ev.difference["value"] == round(5 / 9 - 4 / 9, 4)
    assert ev.variants == [
        {"variant": "interventionist", "cases": 4, "assigned": 4, "correct": 3, "recall": 0.75, "precision": 0.75},
        {"variant": "regisseur", "cases": 2, "assigned": 2, "correct": 1, "recall": 0.5, "precision": 0.5},
        {"variant": "administrateur", "cases": 3, "assigned": 1, "correct": 1, "recall": round(1 / 3, 4),
         "precision": 1.0},
    ]
    assert ev.columns == [*TYPES, "unclassified"]
    assert ev.confusion == {
        "interventionist": {"interventionist": 3, "regisseur": 0, "administrateur": 0, "unclassified": 1},
        "regisseur": {"interventionist": 1, "regisseur": 1, "administrateur": 0, "unclassified": 0},
        "administrateur": {"interventionist": 0, "regisseur": 1, "administrateur": 1, "unclassified": 1},
    }
    row = next(r for r in ev.per_case if r["case"] == "C04_r2")
    assert (row["variant"], row["assigned"], row["correct"]) == ("administrateur", "unclassified", False)
    assert row["scores"] == {"interventionist": 1.0, "regisseur": 0.0, "administrateur": 1.0}
    assert ev.verdict.startswith("typology: accuracy 0.56 (5/9), coverage 0.78, accuracy where assigned 0.71")
    assert "everyone-gets-interventionist (0.44)" in ev.verdict


def test_split_and_majority_tie(study, tmp_path):
    path = write(tmp_path / "known.csv", KNOWN)
    ev = study.typology_evaluation(path, coder="ann", split="heldout")
    # A01_r5 wrong, B02_r1 right, C04_r1 right, C04_r3 no type, D05_r1 right
    assert (ev.split, ev.cases, ev.correct, ev.assigned) == ("heldout", 5, 3, 4)
    assert (ev.accuracy, ev.coverage, ev.accuracy_assigned) == (0.6, 0.8, 0.75)
    # interventionist and regisseur both 2 of 5: the tie goes to the first type of the typology
    assert ev.majority == {"variant": "interventionist", "accuracy": 0.4}


def test_manual_type_counts_and_is_noted(tmp_path):
    project, _ = build_study(tmp_path / "study")
    try:
        project.set_case_attributes("A01_r5", {"qualcode.type": "regisseur"})
        ev = project.typology_evaluation(write(tmp_path / "known.csv", KNOWN), coder="ann")
    finally:
        project.close()
    assert ev.correct == 6
    assert any("manual type" in n and "A01_r5" in n for n in ev.notes)


def test_an_explicit_undetermined_type_counts_as_not_assigned():
    """A colleague's typology may abstain with ``undetermined`` (and a reason): not a type, so not assigned."""
    known = [KnownVariant(2, "a", "regisseur"), KnownVariant(3, "b", "regisseur"),
             KnownVariant(4, "c", "administrateur")]
    ev = evaluate_assignment({"a": "regisseur", "b": "undetermined", "c": "unclassified"}, known, TYPES,
                             source="k.csv", typology="t", details={"b": {"reason": "two variants within 0.5"}})
    assert (ev.correct, ev.assigned, ev.coverage, ev.accuracy_assigned) == (1, 1, round(1 / 3, 4), 1.0)
    assert ev.columns == [*TYPES, "unclassified", "undetermined"]
    assert ev.confusion["regisseur"]["undetermined"] == 1
    assert next(r for r in ev.per_case if r["case"] == "b")["reason"] == "two variants within 0.5"
    assert "does NOT beat everyone-gets-regisseur (0.67); difference -0.33." in ev.verdict


@pytest.mark.parametrize("content,message", [
    ("case,type\nA01_r1,interventionist\n", "known.csv:1: missing column 'variant'"),
    ("case,variant\nA01_r1,interventionist\nA01_r2,regiseur\n",
     "known.csv:3: unknown variant 'regiseur'; the typology's types are interventionist, regisseur, administrateur"),
    ("case,variant\nA01_r1,interventionist\nZ99_r1,regisseur\n", "known.csv:3: unknown case 'Z99_r1'"),
    ("case,variant\nA01_r1,interventionist\nA01_r1,regisseur\n",
     "known.csv:3: case 'A01_r1' is listed twice (first on line 2)"),
    ("case,variant\nA01_r1,\n", "known.csv:2: empty variant"),
    ("case,variant\n", "known.csv: no cases"),
])
def test_bad_variants_files(study, tmp_path, content, message):
    path = tmp_path / "known.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        study.typology_evaluation(path, coder="ann")
    assert str(exc.value).replace(str(tmp_path) + "/", "").startswith(message)


def test_cli_json_table_and_bad_input(study, tmp_path):
    root = str(study.root)
    path = write(tmp_path / "known.csv", KNOWN)
    r = cli("-p", root, "typology", "--coder", "ann", "--evaluate", str(path), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) >= {"cases", "assigned", "correct", "accuracy", "coverage", "accuracy_assigned", "majority",
                         "variants", "confusion", "per_case", "verdict", "notes"}
    assert (data["accuracy"], data["majority"]["accuracy"]) == (round(5 / 9, 4), round(4 / 9, 4))
    r = cli("-p", root, "typology", "--coder", "ann", "--evaluate", str(path), "--split", "dev")
    assert r.exit_code == 0, r.output
    assert "accuracy where assigned" in r.stdout and "everyone interventionist" in r.stdout
    assert "Confusion" in r.stdout and "typology: accuracy 0.5 (2/4)" in r.stdout.replace("0.50", "0.5")
    bad = write(tmp_path / "bad.csv", "case,variant\nA01_r1,interventionst\n")
    r = cli("-p", root, "typology", "--coder", "ann", "--evaluate", str(bad))
    assert r.exit_code == 2 and "bad.csv:2: unknown variant 'interventionst'" in r.output
    assert "Traceback" not in r.output
    r = cli("-p", root, "typology", "--coder", "ann", "--split", "dev")
    assert r.exit_code == 2 and "--split goes with --evaluate" in r.output
