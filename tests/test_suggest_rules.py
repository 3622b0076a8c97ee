"""The rule engine: indicators, blockers, reason boost, noisy-or scores, stance; the brief's boundaries."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import CODEBOOK

from qualcode.codebook import load_codebook
from qualcode.language.nlp import get_nlp
from qualcode.suggest.rules import RuleEngine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    p = tmp_path_factory.mktemp("cb") / "test.yaml"
    p.write_text(textwrap.dedent(CODEBOOK), encoding="utf-8")
    return RuleEngine(load_codebook(p), get_nlp())


def scores(engine, text):
    return {s.code: s for s in engine.analyse(engine.nlp(text))}


def test_topic_word_alone_is_weak_and_gets_no_reason_boost(toy):
    s = scores(toy, "Omdat er een sanctie kwam, was hij boos.")
    assert s["logic.bureaucratic"].score == pytest.approx(0.3)


def test_reason_cue_boosts_a_stated_reason(toy):
    plain = scores(toy, "De wet zegt dat ik moet controleren.")["logic.bureaucratic"]
    reason = scores(toy, "Ik doe het omdat de wet zegt dat ik moet controleren.")["logic.bureaucratic"]
    # noisy-or of 0.6 and 0.3 without boost; with boost 1.5: 0.9 and 0.45
    assert plain.score == pytest.approx(1 - 0.4 * 0.7)
    assert reason.score == pytest.approx(1 - (1 - 0.9) * (1 - 0.45))
    assert [e.get("reason_cue") for e in reason.evidence if "indicator" in e] == ["omdat", "omdat"]
    assert [e["words"] for e in reason.evidence if "words" in e] == ["de wet zegt", "controleren"]


def test_sentence_blocker_cancels_bureaucratic_sanction_as_treatment(toy):
    s = scores(toy, "Ik gebruik een sanctie als middel om hem wakker te schudden.")
    assert "logic.bureaucratic" not in s
    assert s["logic.professional"].score == pytest.approx(0.6)
    # the blocker works per sentence: a bureaucratic sentence next to it still counts
    s = scores(toy, "Een sanctie als middel. Daarnaast moet ik de regels volgen.")
    assert s["logic.bureaucratic"].score == pytest.approx(0.3)


def test_token_blocker_cancels_overlapping_hit(toy):
    assert "logic.market" not in scores(toy, "De klantmanagertargets zijn bekend.")  # target* inside a blocked word?
    assert scores(toy, "De targets zijn bekend.")["logic.market"].score == pytest.approx(0.5)


def test_pattern_indicator_and_lemma(toy):
    s = scores(toy, "Ik heb gewoon geen tijd. Controleerde jij het?")
    assert s["discretion.coping"].evidence[0]["indicator"] == "geen-tijd"
    assert s["logic.bureaucratic"].evidence[0]["words"] == "Controleerde"


def test_stance_rejects_next_to_a_negative_evaluation(toy):
    s = scores(toy, "Die targets vind ik onzin.")["logic.market"]
    assert s.stance == "rejects"
    assert scores(toy, "Die targets halen we.")["logic.market"].stance is None
    assert scores(toy, "Regels, zo is het beleid.")["logic.bureaucratic"].stance == "distances"


def test_suggestion_span_is_the_sentences_with_hits(toy):
    text = "Eerst koffie. Elke klant is anders, echt. Daarna naar huis."
    s = scores(toy, text)["logic.professional"]
    assert text[s.start : s.end] == "Elke klant is anders, echt."


# -- the shipped codebook on fictional sentences (the brief's boundaries) ----------------------
@pytest.mark.parametrize(
    "sentence",
    [
        "Ik heb vanochtend drie klanten gesproken.",
        "Mijn klant kwam te laat op de afspraak.",
        "Als klantmanager heb ik veel klantcontact met het klantenteam.",
        "Dat traject was heel doelmatig voor haar.",
    ],
)
def test_klant_is_not_market(shipped, sentence):
    assert "logic.market" not in scores(shipped, sentence)


def test_market_talk_is_found_and_rejection_proposed(shipped):
    s = scores(shipped, "We worden afgerekend op uitstroomcijfers, maar die targets vind ik onzin.")
    assert s["logic.market"].score >= 0.5
    assert s["logic.market"].stance == "rejects"


def test_sanction_as_treatment_is_professional_not_bureaucratic(shipped):
    s = scores(shipped, "Ik leg die sanctie op als stok achter de deur, zodat hij weer gaat bewegen.")
    assert "logic.bureaucratic" not in s
    assert s["logic.professional"].score >= 0.5


def test_sanction_by_the_rules_is_bureaucratic(shipped):
    s = scores(shipped, "Ik leg die maatregel op omdat de wet dat nu eenmaal zegt.")
    assert s["logic.bureaucratic"].score >= 0.6


def test_the_stated_reason_decides_the_same_act(shipped):
    coping = scores(shipped, "Ik geef hem een ontheffing, want ik heb gewoon geen tijd voor al die klanten.")
    prof = scores(shipped, "Ik geef hem een ontheffing omdat die meneer daar echt meer baat bij heeft.")
    assert any(c.startswith("discretion.coping") for c in coping)
    assert not any(c.startswith("discretion.coping") for c in prof)
    assert prof["logic.professional"].score >= 0.5
    assert "logic.professional" not in coping or coping["logic.professional"].score < prof["logic.professional"].score


def test_sanction_topic_alone_is_not_bureaucratic_at_default_threshold(shipped):
    s = scores(shipped, "Daar kwam toen een sanctie.")
    assert s.get("logic.bureaucratic") is None or s["logic.bureaucratic"].score < 0.35


def test_stance_cue_in_the_next_sentence_counts(toy):
    assert scores(toy, "We hebben targets. Die vind ik onzin.")["logic.market"].stance == "rejects"
    assert scores(toy, "We hebben targets. Goed. Die vind ik onzin.")["logic.market"].stance is None


def test_several_processes_give_the_same_suggestions(toy):
    texts = [
        "Ik doe het omdat de wet zegt dat ik moet controleren.",
        "Die targets vind ik onzin.",
        "Ik gebruik een sanctie als middel om hem wakker te schudden.",
        "Ik heb gewoon geen tijd.",
    ] * 3
    one = [[(s.code, s.score, s.stance) for s in found] for found in toy.suggest_texts(texts)]
    two = [[(s.code, s.score, s.stance) for s in found] for found in toy.suggest_texts(texts, batch_size=2, n_process=2)]
    assert two == one
    assert ("logic.market", 0.5, "rejects") in one[1]


def test_code_filter_holds_in_worker_processes(tmp_path):
    p = tmp_path / "test.yaml"
    p.write_text(textwrap.dedent(CODEBOOK), encoding="utf-8")
    engine = RuleEngine(load_codebook(p), get_nlp(), codes="logic.market")
    texts = ["Die targets vind ik onzin, omdat de wet zegt dat het moet."] * 4
    found = list(engine.suggest_texts(texts, batch_size=2, n_process=2))
    assert {s.code for f in found for s in f} == {"logic.market"}
