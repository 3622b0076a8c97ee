"""The rule engine's evidence combination (issue 12): distinct pieces, the topic cap, stated reasons,
negation and contrast scope, context conditions, roll-up with chains, Dutch compounds and lemmas,
and the explanation. Expected scores are computed by hand from the weights in the toy codebook."""

from __future__ import annotations

import textwrap

import pytest
from test_suggest_rules import scores

from qualcode.codebook import load_codebook
from qualcode.language.nlp import get_nlp
from qualcode.suggest.rules import RuleEngine

TOY = """\
codebook:
  id: toy
rules:
  reason_cues: [omdat, want]
  negative_evaluation: [onzin]
codes:
  - id: logic
    label: {nl: Logica, en: Logic}
    codable: false
    children:
      - id: bureaucratic
        label: {nl: B, en: B}
        definition: Regels als reden.
        indicators:
          - {phrase: regels, weight: 0.4}
          - {phrase: "de regels", weight: 0.5}
          - {phrase: protocol, weight: 0.3, reason: false}
          - {phrase: sanctie*, weight: 0.3, reason: false}
          - {phrase: dossier, weight: 0.3, reason: false}
          - {phrase: controle, weight: 0.3, reason: false}
          - {lemma: regel, weight: 0.45}
          - {phrase: wet, weight: 0.3}
      - id: professional
        label: {nl: P, en: P}
        definition: Eigen oordeel.
        indicators:
          - {phrase: "de mens", weight: 0.5}
          - {phrase: baat, weight: 0.6}
          - phrase: "als professional"
            weight: 0.6
            requires: [ik, wij]
            unless: [opleiding]
            window: 3
      - id: market
        label: {nl: M, en: M}
        definition: Cijfers.
        indicators:
          - {phrase: target*, weight: 0.5}
  - id: practice
    label: {nl: Praktijk, en: Practice}
    codable: false
    children:
      - id: tailoring
        label: {nl: Maatwerk, en: Tailoring}
        definition: Maatwerk.
        implies: [{code: logic.professional, weight: 0.8}]
        indicators:
          - {phrase: maatwerk, weight: 0.7}
          - {phrase: "de mens", weight: 0.5}
      - id: coaching
        label: {nl: Coachen, en: Coaching}
        definition: Coachen.
        implies: [{code: practice.tailoring, weight: 0.5}]
        indicators:
          - {phrase: coachen, weight: 0.6}
"""


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    p = tmp_path_factory.mktemp("cb") / "toy.yaml"
    p.write_text(textwrap.dedent(TOY), encoding="utf-8")
    return RuleEngine(load_codebook(p), get_nlp())




def score(engine, text, code):
    s = scores(engine, text).get(code)
    return 0.0 if s is None else s.score


# -- 2. distinct pieces of evidence ---------------------------------------------------------------
def test_the_same_indicator_twice_is_one_piece(toy):
    # noisy-or would give 1 - 0.6 * 0.6 = 0.64; one piece keeps 0.4
    assert score(toy, "Regels. En nog eens regels.", "logic.bureaucratic") == pytest.approx(0.4)


def test_overlapping_hits_are_one_piece_with_the_strongest_weight(toy):
    s = scores(toy, "Dat zijn de regels.")["logic.bureaucratic"]
    assert s.score == pytest.approx(0.5)  # "de regels" 0.5 over "regels" 0.4 and lemma 0.45
    counted = [e["words"] for e in s.evidence if e.get("counted")]
    assert counted == ["de regels"]
    assert {e["words"] for e in s.evidence if "words" in e and not e.get("counted")} == {"regels"}


def test_topic_words_alone_never_reach_the_threshold(toy):
    # three topic pieces: noisy-or 1 - 0.7^3 = 0.657, capped at topic_cap 0.3
    s = scores(toy, "Een sanctie, een protocol en een dossier.")["logic.bureaucratic"]
    assert s.score == pytest.approx(0.3)
    assert s.score < 0.35
    combine = next(e["combine"] for e in s.evidence if "combine" in e)
    assert combine["topic"] == pytest.approx(1 - 0.7 ** 3, abs=1e-4) and combine["stated"] == 0


def test_a_stated_reason_dominates_and_topic_words_add_at_most_the_cap(toy):
    # "wet" after "omdat": reason indicator boosted 0.3 * 1.5 = 0.45; topic pieces 0.3 and 0.3 -> 0.51, cap 0.3
    s = scores(toy, "Een sanctie en een protocol, omdat de wet het zegt.")["logic.bureaucratic"]
    assert s.score == pytest.approx(1 - (1 - 0.45) * (1 - 0.3))
    # a topic word named as the reason is a stated reason, but gets no boost
    s = scores(toy, "Ik doe het omdat er een protocol is.")["logic.bureaucratic"]
    assert s.score == pytest.approx(0.3)
    entry = next(e for e in s.evidence if e.get("words") == "protocol")
    assert entry["reason"] is True and entry["modifiers"] == [{"kind": "reason", "cue": "omdat", "factor": 1.0}]


# -- negation and contrast ----------------------------------------------------------------------
def test_niet_x_maar_y_makes_x_a_foil_and_keeps_y(toy):
    s = scores(toy, "Het gaat niet om de regels maar om de mens.")
    # "de regels" is negated (niet -> clause end at "maar"): 0.5 * 0.2
    assert s["logic.bureaucratic"].score == pytest.approx(0.1)
    assert s["logic.bureaucratic"].stance == "rejects"
    mods = next(e["modifiers"] for e in s["logic.bureaucratic"].evidence if e.get("counted"))
    assert mods == [{"kind": "negation", "cue": "niet", "factor": 0.2}]
    # "de mens" after maar is untouched: direct 0.5; tailoring 0.5 rolls up 0.4 on the same words
    assert s["logic.professional"].score == pytest.approx(0.5)


def test_the_clause_before_maar_is_a_foil(toy):
    s = scores(toy, "De regels zijn belangrijk, maar ik kijk naar de mens.")
    assert s["logic.bureaucratic"].score == pytest.approx(0.5 * 0.5)  # foil_weight 0.5
    # a clause in another sentence is not a foil
    assert score(toy, "De regels zijn belangrijk. Maar ik kijk naar de mens.", "logic.bureaucratic") == 0.5


def test_clause_final_niet_negates_its_clause(toy):
    assert score(toy, "De regels volg ik niet.", "logic.bureaucratic") == pytest.approx(0.5 * 0.2)
    assert score(toy, "De regels volg ik.", "logic.bureaucratic") == pytest.approx(0.5)


def test_niet_omdat_denies_the_stated_reason(toy):
    s = scores(toy, "Ik doe dat niet omdat de wet het zegt, maar omdat hij er baat bij heeft.")
    # "wet" boosted 0.45 by omdat, then negated: 0.45 * 0.2
    assert s["logic.bureaucratic"].score == pytest.approx(0.09)
    # "baat" boosted by the second omdat: 0.6 * 1.5 = 0.9
    assert s["logic.professional"].score == pytest.approx(0.9)


def test_in_plaats_van_makes_what_follows_a_foil(toy):
    assert score(toy, "In plaats van de regels kijk ik naar de mens.", "logic.bureaucratic") == pytest.approx(0.25)
    assert score(toy, "Ik kijk naar de regels.", "logic.bureaucratic") == pytest.approx(0.5)


def test_niet_alleen_maar_ook_is_no_negation_or_foil(toy):
    assert score(toy, "Niet alleen de regels, maar ook de mens.", "logic.bureaucratic") == pytest.approx(0.5)


def test_negation_inside_an_indicator_is_not_a_negated_hit(shipped):
    s = scores(shipped, "Ik heb gewoon geen tijd voor al die gesprekken.")
    assert s["discretion.coping"].score >= 0.7


# -- context conditions -------------------------------------------------------------------------
def test_requires_and_unless_within_a_window(toy):
    assert score(toy, "Ik werk als professional.", "logic.professional") == pytest.approx(0.6)
    # no "ik"/"wij" within 3 tokens: the phrase is someone's job title
    assert score(toy, "Hij is aangenomen als professional.", "logic.professional") == 0.0
    # "opleiding" nearby: the unless condition blocks it
    assert score(toy, "Ik volg de opleiding als professional.", "logic.professional") == 0.0
    trace = toy.explain(toy.nlp("Hij is aangenomen als professional."))
    hit = next(h for h in trace["hits"] if h["words"] == "als professional")
    assert hit["status"] == "condition"
    assert hit["modifiers"] == [{"kind": "condition", "failed": "requires", "where": "within 3 tokens"}]


# -- roll-up ------------------------------------------------------------------------------------
def test_rollup_suggests_the_implied_code_with_the_chain(toy):
    s = scores(toy, "Wij leveren maatwerk.")
    assert s["practice.tailoring"].score == pytest.approx(0.7)
    prof = s["logic.professional"]
    assert prof.score == pytest.approx(0.7 * 0.8)
    roll = next(e for e in prof.evidence if e.get("kind") == "rollup")
    assert roll["indicator"] == "practice.tailoring -> logic.professional"
    assert roll["chain"] == ["practice.tailoring", "logic.professional"]
    assert (roll["from_score"], roll["implies_weight"], roll["words"]) == (0.7, 0.8, "maatwerk")


def test_rollup_chains_multiply(toy):
    s = scores(toy, "Ik ga hem coachen.")
    assert s["practice.tailoring"].score == pytest.approx(0.6 * 0.5)
    assert s["logic.professional"].score == pytest.approx(0.6 * 0.5 * 0.8)
    roll = next(e for e in s["logic.professional"].evidence if e.get("kind") == "rollup")
    assert roll["indicator"] == "practice.coaching -> practice.tailoring -> logic.professional"


def test_rollup_on_the_same_words_as_a_direct_hit_counts_once(toy):
    # "de mens": professional 0.5 directly and 0.5 * 0.8 via tailoring -> one piece, 0.5 (not 0.7)
    assert score(toy, "Het gaat om de mens.", "logic.professional") == pytest.approx(0.5)
    # distinct words do add up: "maatwerk" (0.56 via tailoring) and "baat" (0.6)
    assert score(toy, "Maatwerk. Daar heeft hij baat bij.", "logic.professional") == pytest.approx(
        1 - (1 - 0.56) * (1 - 0.6))


def test_code_filter_keeps_rollup_sources(tmp_path):
    p = tmp_path / "toy.yaml"
    p.write_text(textwrap.dedent(TOY), encoding="utf-8")
    engine = RuleEngine(load_codebook(p), get_nlp(), codes="logic")
    s = scores(engine, "Wij leveren maatwerk.")
    assert set(s) == {"logic.professional"} and s["logic.professional"].score == pytest.approx(0.56)


# -- morphology ---------------------------------------------------------------------------------
def test_compound_heads_and_first_parts_match(toy):
    s = scores(toy, "De themacontrole kwam.")["logic.bureaucratic"]
    entry = next(e for e in s.evidence if "words" in e)
    assert entry["words"] == "themacontrole"
    assert entry["modifiers"] == [{"kind": "compound", "part": "head", "word": "themacontrole"}]
    # the lemma indicator "regel" (0.45, a reason indicator) as the first part of a compound
    s = scores(toy, "Het regelgevingskader.")["logic.bureaucratic"]
    assert s.score == pytest.approx(0.45)
    assert next(e for e in s.evidence if "words" in e)["modifiers"][0]["part"] == "part"


def test_compound_rules_keep_short_words_and_derivations_out(toy):
    assert score(toy, "De bijstandswet.", "logic.bureaucratic") == 0.0  # "wet" is shorter than min head 5
    assert score(toy, "Wetenschap.", "logic.bureaucratic") == 0.0
    assert score(toy, "Hij controleert.", "logic.bureaucratic") == 0.0  # no compound: controle + ert
    assert score(toy, "De uitstroomtargets.", "logic.market") == pytest.approx(0.5)  # head with prefix


def test_simplemma_lemmas_when_the_codebook_asks(tmp_path):
    text = TOY.replace("  negative_evaluation: [onzin]\n", "  negative_evaluation: [onzin]\n  lemmatizer: both\n")
    text = text.replace("          - {phrase: coachen, weight: 0.6}", "          - {lemma: werken, weight: 0.6}")
    p = tmp_path / "toy.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    both = RuleEngine(load_codebook(p), get_nlp())
    lookup = RuleEngine(load_codebook(p.parent / "toy.yaml"), get_nlp())
    lookup.settings.lemmatizer = "lookup"
    lookup._lemmas2 = None
    # "werkt" is not in spaCy's lookup table; simplemma lemmatises it to "werken"
    assert score(both, "Hij werkt hard.", "practice.coaching") == pytest.approx(0.6)
    assert score(lookup, "Hij werkt hard.", "practice.coaching") == 0.0
    assert score(lookup, "Wij werken hard.", "practice.coaching") == pytest.approx(0.6)  # the form itself


# -- the shipped codebook: the examples -------------------------------------------------
def test_het_gaat_niet_om_de_regels_maar_om_de_mens_is_not_bureaucratic(shipped):
    s = scores(shipped, "Het gaat niet om de regels maar om de mens.")
    assert s.get("logic.bureaucratic") is None or s["logic.bureaucratic"].score < 0.35


def test_explain_lists_every_hit_modifier_and_score(toy):
    trace = toy.explain(toy.nlp("Het gaat niet om de regels maar om de mens."))
    assert trace["text"].startswith("Het gaat niet")
    bur = next(c for c in trace["codes"] if c["code"] == "logic.bureaucratic")
    assert bur["score"] == pytest.approx(0.1) and bur["topic_cap"] == 0.3
    statuses = {(h["code"], h["words"]): h["status"] for h in trace["hits"]}
    assert statuses[("logic.bureaucratic", "de regels")] == "counted"
    assert statuses[("logic.bureaucratic", "regels")] == "merged"
    assert {c["cue"] for c in trace["cues"]} >= {"NOT", "CONB"}
    prof = next(c for c in trace["codes"] if c["code"] == "logic.professional")
    assert any(p.get("rollup") == "practice.tailoring -> logic.professional" and not p["counted"]
               for p in prof["pieces"])


# -- qualcode suggest --explain -------------------------------------------------------------------
def test_cli_explain_fragment_and_text(ingested):
    import json

    from conftest import cli

    # T01_g1:2 is R1's first turn: "... omdat de wet zegt dat ik moet controleren."
    res = cli("suggest", "--explain", "T01_g1:2", "--format", "json", cwd=ingested.root)
    assert res.exit_code == 0, res.output
    trace = json.loads(res.stdout)
    assert trace["fragment"] == "T01_g1:2"
    hits = {h["words"]: h for h in trace["hits"]}
    assert hits["de wet zegt"]["weight"] == pytest.approx(0.9)  # 0.6 x reason boost 1.5
    assert hits["de wet zegt"]["modifiers"] == [{"kind": "reason", "cue": "omdat", "factor": 1.5}]
    bur = next(c for c in trace["codes"] if c["code"] == "logic.bureaucratic")
    assert bur["score"] == pytest.approx(1 - 0.1 * 0.55)  # "controleren" 0.3 x 1.5 = 0.45
    assert ingested.suggestion_rows() == []  # nothing stored

    res = cli("suggest", "--explain-text", "Het gaat niet om de regels maar om de mens.", cwd=ingested.root)
    assert res.exit_code == 0, res.output
    assert "negation 'niet' x0.2" in res.stdout and "Scores per code" in res.stdout


def test_cli_explain_unknown_fragment_is_bad_input(ingested):
    from conftest import cli

    res = cli("suggest", "--explain", "T01_g1:99", cwd=ingested.root)
    assert res.exit_code == 2
    assert "unknown fragment 'T01_g1:99'" in res.output


# -- the shipped codebook: the examples of polysemy, plain rules and discourse markers ----
def suggested(engine, text, threshold=0.35):
    return {c for c, s in scores(engine, text).items() if s.score >= threshold}


def test_a_plain_statement_of_the_rule_is_sanction_and_bureaucratic(shipped):
    found = suggested(shipped, "Als je niet komt, dan wordt je uitkering gekort.")
    assert {"practice.sanctions.bureaucratic", "logic.bureaucratic"} <= found
    roll = next(e for e in scores(shipped, "Als je niet komt, dan wordt je uitkering gekort.")[
        "logic.bureaucratic"].evidence if e.get("kind") == "rollup")
    assert roll["chain"] == ["practice.sanctions.bureaucratic", "logic.bureaucratic"]


@pytest.mark.parametrize("text", [
    "Eerlijk gezegd weet ik het niet precies.",
    "Eerlijk is eerlijk, het was een lange dag.",
    "Zij heeft een hbo-opleiding in de zorg afgerond.",
    "Hij heeft de opleiding tot lasser nooit afgemaakt.",
    "Even controleren of de koffie klaar is.",
    "Hij is aangenomen als professional bij een bouwbedrijf.",
    "Ik begeleid zo'n tachtig mensen, vooral jongeren.",
    "Ik ben werkcoach bij de gemeente.",
])
def test_everyday_senses_and_discourse_markers_suggest_no_logic_or_aspect(shipped, text):
    found = suggested(shipped, text)
    assert not {c for c in found if c.startswith(("logic.", "discretion.", "aspect.", "context.training"))}, found


def test_the_same_words_in_their_coding_sense_still_count(shipped):
    assert "aspect.knowledge.acquisition" in suggested(shipped, "Ik heb zelf een cursus motiverende gespreksvoering gevolgd.")
    assert "logic.professional" in suggested(shipped, "Ik als professional weet wat deze man nodig heeft.")
    assert "practice.focus.bureaucratic" in suggested(
        shipped, "In elk gesprek controleer ik of hij zijn sollicitaties heeft gedaan.")


def test_compounds_in_the_shipped_codebook(shipped):
    s = scores(shipped, "We hebben een themacontrole gedaan op de inlichtingenplicht, omdat de regelgeving dat vraagt.")
    words = {e["words"] for e in s["logic.bureaucratic"].evidence if "words" in e}
    assert {"themacontrole", "inlichtingenplicht"} <= words
    assert s["logic.bureaucratic"].score >= 0.6
