"""Typology files: validation against their codebook, and the scoring rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.codebook.model import Label
from qualcode.codebook.typology import (
    UNCLASSIFIED,
    Feature,
    TypeDef,
    Typology,
    assign,
    load_typology,
    score_case,
    score_feature,
    validate_typology,
)
from qualcode.errors import InputError, ProblemFound

CODEBOOK = """\
codes:
  - id: variant
    label: {nl: Variant, en: Variant}
    codable: false
    children:
      - {id: own_coaching_guidance, label: {nl: a, en: a}, definition: a}
      - {id: limited_external_programmes, label: {nl: b, en: b}, definition: b}
      - {id: mainly_administrative, label: {nl: c, en: c}, definition: c}
      - {id: monitoring_role, label: {nl: d, en: d}, definition: d}
  - id: logic
    label: {nl: Logica, en: Logic}
    codable: false
    children:
      - {id: professional, label: {nl: p, en: p}, definition: p}
      - {id: bureaucratic, label: {nl: b, en: b}, definition: b}
"""

TYPOLOGY = """\
typology:
  id: variants
  label: {nl: Varianten, en: Variants}
  codebook: book.yaml
  min_score: 1.0
  margin: 0.5
types:
  - id: interventionist
    label: {nl: Interventionist, en: Interventionist}
    features:
      - {code: variant.own_coaching_guidance, weight: 2}
      - {code: variant.limited_external_programmes, weight: 1}
    against:
      - variant.mainly_administrative
  - id: administrateur
    label: {nl: Administrateur, en: Administrator}
    features:
      - {code: variant.mainly_administrative, weight: 2, threshold: 2}
      - {code: logic.bureaucratic, weight: 1, measure: share, within: logic, threshold: 0.5}
profile:
  aspects:
    - id: logic
      label: {nl: Logica, en: Logic}
      poles: {bureaucratic: logic.bureaucratic, professional: logic.professional}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def typology(tmp_path) -> Typology:
    write(tmp_path, "book.yaml", CODEBOOK)
    return load_typology(write(tmp_path, "typ.yaml", TYPOLOGY))


# -- reading and validation ------------------------------------------------------------------


def test_loads(typology, tmp_path):
    assert [t.id for t in typology.types] == ["interventionist", "administrateur"]
    inter = typology.type("interventionist")
    assert [(f.code, f.weight) for f in inter.features] == [
        ("variant.own_coaching_guidance", 2.0),
        ("variant.limited_external_programmes", 1.0),
    ]
    assert [(f.code, f.weight) for f in inter.against] == [("variant.mainly_administrative", 1.0)]
    share = typology.type("administrateur").features[1]
    assert (share.measure, share.within, share.threshold) == ("share", "logic", 0.5)
    assert typology.profile[0].poles == {"bureaucratic": "logic.bureaucratic", "professional": "logic.professional"}
    assert typology.codebook_path == tmp_path / "book.yaml"
    assert (typology.min_score, typology.margin, typology.level) == (1.0, 0.5, "case")


def test_valid_typology_has_no_issues(tmp_path):
    write(tmp_path, "book.yaml", CODEBOOK)
    assert validate_typology(write(tmp_path, "typ.yaml", TYPOLOGY)) == []


def test_unknown_code_is_reported_with_its_position(tmp_path):
    write(tmp_path, "book.yaml", CODEBOOK)
    text = TYPOLOGY.replace("- variant.mainly_administrative\n", "- variant.mainly_admin\n").replace(
        "professional: logic.professional}", "professional: logic.prof}"
    )
    issues = validate_typology(write(tmp_path, "typ.yaml", text))
    assert [(i.line, i.column, i.message) for i in issues] == [
        (14, 9, f"unknown code 'variant.mainly_admin': not in codebook {tmp_path / 'book.yaml'}"),
        (24, 63, f"unknown code 'logic.prof': not in codebook {tmp_path / 'book.yaml'}"),
    ]
    with pytest.raises(ProblemFound, match="invalid typology"):
        load_typology(tmp_path / "typ.yaml")


def test_structural_issues(tmp_path):
    write(tmp_path, "book.yaml", CODEBOOK)
    path = write(
        tmp_path,
        "typ.yaml",
        """\
        typology: {id: t, label: {nl: T, en: T}, codebook: book.yaml, margin: -1}
        types:
          - id: a
            label: {nl: A, en: A}
            features:
              - {code: logic, weight: 0, measure: ratio}
            colour: red
          - id: a
            label: {nl: A, en: A}
          - id: unclassified
            label: {nl: U, en: U}
            features: [{code: logic}]
        """,
    )
    assert [(i.line, i.column, i.severity, i.message) for i in validate_typology(path)] == [
        (1, 71, "error", "margin must not be negative"),
        (6, 31, "error", "weight must be above 0, not 0"),
        (6, 43, "error", "measure must be one of count, share, not 'ratio'"),
        (7, 5, "error", "unknown key 'colour' in type 'a'; allowed: id, label, description, features, against, "
         "min_evidence, requires"),
        (8, 9, "error", "duplicate type id 'a' (first at line 3, column 9)"),
        (10, 9, "error", "'unclassified' is reserved for cases that fit no type"),
    ]


def test_missing_codebook_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="codebook not found: book.yaml") as err:
        validate_typology(write(tmp_path, "typ.yaml", TYPOLOGY))
    assert (err.value.location.line, err.value.location.column) == (4, 13)


# -- scoring -------------------------------------------------------------------------------------


def test_score_case_counts_prefixes_thresholds_shares_and_against(typology):
    counts = {
        "variant.own_coaching_guidance": 3,
        "variant.mainly_administrative": 1,
        "logic.bureaucratic": 1,
        "logic.professional": 3,
    }
    scores = score_case(typology, counts)
    # interventionist: 2*min(1,3) + 1*0 - 1*min(1,1) = 1
    # administrateur: 2*min(1, 1/2) + 1*min(1, (1/4)/0.5) = 1 + 0.5
    assert scores == {"interventionist": 1.0, "administrateur": 1.5}
    assert assign(scores, typology) == "administrateur"  # 1.5 >= 1.0 and beats 1.0 by 0.5


def test_prefix_match_does_not_match_a_longer_segment():
    f = Feature("logic", weight=1.0, threshold=2)
    assert score_feature(f, {"logic.market": 1, "logics.x": 5, "logic": 1}) == 1.0
    assert score_feature(f, {"logics": 4}) == 0.0
    share = Feature("logic.market", measure="share")
    assert score_feature(share, {}) == 0.0  # no codings: no share, no division by zero
    assert score_feature(share, {"logic.market": 1, "logic.professional": 3}) == 0.25


def test_assign_unclassified_below_min_score_within_margin_and_on_ties(typology):
    assert assign({"interventionist": 0.9, "administrateur": 0.0}, typology) == UNCLASSIFIED
    assert assign({"interventionist": 2.0, "administrateur": 1.6}, typology) == UNCLASSIFIED
    assert assign({"interventionist": 2.0, "administrateur": 1.5}, typology) == "interventionist"
    assert assign({}, typology) == UNCLASSIFIED
    typology.margin = 0.0
    assert assign({"interventionist": 2.0, "administrateur": 2.0}, typology) == UNCLASSIFIED
    assert assign({"interventionist": 2.0, "administrateur": 1.9}, typology) == "interventionist"


@given(
    st.dictionaries(
        st.sampled_from(["a", "a.x", "a.y", "b", "b.z", "c"]), st.integers(min_value=0, max_value=50), max_size=6
    )
)
def test_scores_are_bounded_by_the_weights(counts):
    typ = Typology(
        id="t",
        label=Label("t", "t"),
        types=[
            TypeDef(
                "one",
                Label("1", "1"),
                features=[Feature("a", 2.0, threshold=3), Feature("b", 1.0, measure="share")],
                against=[Feature("c", 0.5)],
            ),
            TypeDef("two", Label("2", "2"), features=[Feature("a.x", 1.0)]),
        ],
    )
    scores = score_case(typ, counts)
    assert -0.5 <= scores["one"] <= 3.0
    assert 0.0 <= scores["two"] <= 1.0
    assert assign(scores, typ) in ("one", "two", UNCLASSIFIED)
