"""The hash-indexed phrase matcher must find exactly what spaCy's Matcher finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.language.nlp import get_nlp
from qualcode.suggest.phrases import PhraseIndex, Unsupported, doc_arrays
from qualcode.suggest.rules import phrase_elements, phrase_to_pattern

ROOT = Path(__file__).resolve().parent.parent


def spacy_matches(nlp, patterns, docs):
    from spacy.matcher import Matcher

    m = Matcher(nlp.vocab)
    for key, pat in patterns:
        m.add(key, [pat])
    return {(i, nlp.vocab.strings[k], s, e) for i, d in enumerate(docs) for k, s, e in m(d)}


def index_matches(index, docs):
    return {(i, k, s, e) for i, d in enumerate(docs) for k, s, e in index.find_arrays(*doc_arrays(d))}


def test_same_matches_as_spacy_matcher_for_the_shipped_codebook():
    nlp = get_nlp()
    cb = load_codebook(ROOT / "codebooks" / "klantmanager.yaml")
    index = PhraseIndex(nlp.vocab.strings)
    patterns = []
    n = 0
    for code in cb.codes.values():
        for ind in code.indicators + code.blockers:
            key = f"k{n}"
            n += 1
            if ind.kind == "pattern":
                try:
                    index.add_pattern(key, ind.value)
                except Unsupported:
                    continue
                patterns.append((key, ind.value))
            else:
                attr = "LEMMA" if ind.kind == "lemma" else "LOWER"
                index.add_elements(key, phrase_elements(nlp, ind.value, attr))
                patterns.append((key, phrase_to_pattern(nlp, ind.value, attr)))
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "transcripts").glob("*.txt"))[:4]]
    docs = list(nlp.pipe(texts))
    expected = spacy_matches(nlp, patterns, docs)
    assert len(expected) > 200  # the check really compares something
    assert index_matches(index, docs) == expected


def test_optional_tokens_in_lists_and_prefixes():
    nlp = get_nlp()
    index = PhraseIndex(nlp.vocab.strings)
    pat = [{"LOWER": {"IN": ["omdat", "want"]}}, {"LOWER": "de", "OP": "?"}, {"LEMMA": "wet"}]
    index.add_pattern("reason", pat)
    index.add_elements("prefix", phrase_elements(nlp, "uitstroom* cijfers"))
    docs = [nlp("Omdat de wet het zegt. Want wet is wet. De uitstroomnorm cijfers, uitstroom cijfers.")]
    found = sorted((k, s, e) for _, k, s, e in index_matches(index, docs))
    assert found == [("prefix", 12, 14), ("prefix", 15, 17), ("reason", 0, 3), ("reason", 6, 8)]


@pytest.mark.parametrize(
    "pattern",
    [[{"LOWER": {"REGEX": "^x"}}], [{"POS": "NOUN"}], [{"LOWER": "a", "OP": "+"}], [{"LOWER": "a", "LEMMA": "b"}]],
)
def test_patterns_the_index_cannot_express_are_refused(pattern):
    nlp = get_nlp()
    with pytest.raises(Unsupported):
        PhraseIndex(nlp.vocab.strings).add_pattern("x", pattern)


def test_compound_heads_parts_and_what_is_no_compound():
    """One-word entries match as the head (with an inflection) or first part (with a linking s/e/en)
    of a longer word; derivational prefixes (ver-, her-, voor-) and suffixes (-ert, -ing) do not
    make a compound, and entries shorter than the minimum head never match inside a word."""
    from spacy.strings import StringStore

    index = PhraseIndex(StringStore())
    index.enable_compounds(min_head=5, min_part=3)
    index.add_elements("K", [("LOWER", "controle")], compound=True)
    index.add_elements("P", [("LOWER", "plicht")], compound=True)
    index.add_elements("O", [("LOWER", "onderzoek")], compound=True)
    index.add_elements("T", [("PREFIX", "target")], compound=True)
    index.add_elements("H", [("LOWER", "handhaving")], compound=True)
    index.add_elements("W", [("LOWER", "wet")], compound=True)

    def found(word):
        return sorted(k for k, _, _ in index.compound_entries(word))

    assert found("themacontrole") == ["K~head"]
    assert found("themacontroles") == ["K~head"]
    assert found("controlegesprek") == ["K~part"]
    assert found("controleert") == [] and found("controleren") == [] and found("controleerde") == []
    assert found("inlichtingenplicht") == ["P~head"]
    assert found("verplichte") == []          # ver- is a prefix, not a first part
    assert found("heronderzoek") == []        # her- likewise
    assert found("wetenschappelijk") == []
    assert found("uitstroomtargets") == ["T~head"]
    assert found("handhavingsbeleid") == ["H~part"]
    assert found("bijstandswet") == []        # "wet" is shorter than the minimum head
