"""Content checks for the shipped default codebook and typology.

Plain PyYAML on purpose: these tests check what is *in* ``codebooks/klantmanager.yaml`` and
``codebooks/klantmanager-typology.yaml`` (the brief in ``../shared/docs/codebook-brief.md``), not how
the loader reads it. Loader and validator behaviour are tested elsewhere.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "klantmanager.yaml"
TYPOLOGY = ROOT / "codebooks" / "klantmanager-typology.yaml"

SEGMENT = re.compile(r"^[a-z][a-z0-9_]*$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
CODE_KEYS = {
    "id", "label", "definition", "include", "exclude", "examples", "color", "memo", "codable",
    "children", "indicators", "blockers", "requires", "implies",
}
INDICATOR_KEYS = {"phrase", "lemma", "pattern", "weight", "name", "reason", "requires", "unless", "window", "compound"}
BLOCKER_KEYS = INDICATOR_KEYS | {"scope"}
PATTERN_KEYS = {"LOWER", "LEMMA", "OP"}

# Every family the brief lists.
FAMILIES = [
    "logic", "discretion", "variant", "practice", "aspect", "dimension", "role", "context",
    "client_image", "stance",
]

# Every code the brief names by id (or names as a child / pole / concrete form of a named code).
BRIEF_CODES = [
    # logic
    "logic.bureaucratic", "logic.professional", "logic.market",
    # discretion
    "discretion.coping",
    "discretion.coping.rule_bending", "discretion.coping.rationing",
    "discretion.coping.rule_making", "discretion.coping.stereotyping",
    "discretion.coping.rule_bending.lower_goals",
    "discretion.coping.rule_bending.no_sanction_workload",
    "discretion.coping.rule_bending.exemption_workload",
    "discretion.coping.rule_bending.no_parttime_encouragement",
    "discretion.coping.rationing.few_clients",
    "discretion.coping.rationing.no_programme_monitoring",
    "discretion.client_differentiation", "discretion.stretch_rules", "discretion.moderate_sanction",
    "discretion.refrain_from_sanction", "discretion.sanction_as_warning", "discretion.rules_on_fraud",
    # variant features
    "variant.own_coaching_guidance", "variant.limited_external_programmes",
    "variant.external_programmes_by_diagnosis", "variant.monitoring_role", "variant.focus_clients",
    "variant.limited_substantive_role", "variant.mainly_administrative",
    # practice grid: six aspects x two poles
    *[
        f"practice.{aspect}.{pole}"
        for aspect in ("assessment", "plan", "focus", "sanctions", "other_providers", "discretion")
        for pole in ("bureaucratic", "professional")
    ],
    # aspects of professional practice
    "aspect.knowledge", "aspect.knowledge.acquisition", "aspect.knowledge.application",
    "aspect.knowledge.sharing",
    "aspect.client_orientation", "aspect.client_orientation.treatment",
    "aspect.client_orientation.tailoring", "aspect.client_orientation.client_input",
    "aspect.employer_orientation",
    "aspect.methodical", "aspect.methodical.diagnosis", "aspect.methodical.planning",
    "aspect.collaboration",
    "aspect.weighing_accountability", "aspect.weighing_accountability.sanctions",
    "aspect.innovation",
    # dimensions
    "dimension.discretion", "dimension.values", "dimension.steering", "dimension.accountability",
    "dimension.expertise_claim", "dimension.career",
    # roles
    "role.coach", "role.supporter", "role.facilitator", "role.enforcer", "role.administrator",
    "role.broker", "role.monitor", "role.counselor",
    # context
    "context.caseload", "context.rule_steering", "context.result_steering", "context.specialisation",
    "context.outsourcing", "context.network", "context.training",
    # client images
    "client_image.self_reliant", "client_image.unmotivated", "client_image.strugglers",
    "client_image.hard_core",
    # stance
    "stance.endorses", "stance.rejects", "stance.distances", "stance.describes",
]

NOT_MARKET = ["klant", "klanten", "klantmanager", "klantcontact", "klantenteam"]


# -- helpers ----------------------------------------------------------------------------------


@cache
def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _walk(codes, parent=None):
    """Yield (full_id, code_dict) in tree order; an id with a dot is a full id as given."""
    for code in codes or []:
        seg = str(code.get("id", ""))
        full = seg if "." in seg else (f"{parent}.{seg}" if parent else seg)
        yield full, code
        yield from _walk(code.get("children"), full)


def _codes() -> list[tuple[str, dict]]:
    return list(_walk(_load(CODEBOOK)["codes"]))


def _code_map() -> dict[str, dict]:
    return dict(_codes())


def _entries(items):
    """Normalise indicator/blocker lists (plain strings are phrase shorthand)."""
    for item in items or []:
        yield {"phrase": item} if isinstance(item, str) else item


def _all_patterns():
    """(where, pattern) for every Matcher pattern in codes and rules."""
    for cid, code in _codes():
        for kind in ("indicators", "blockers"):
            for e in _entries(code.get(kind)):
                if "pattern" in e:
                    yield f"{cid}.{kind}", e["pattern"]
    rules = _load(CODEBOOK).get("rules") or {}
    for key in ("negative_evaluation", "distancing"):
        for e in _entries(rules.get(key)):
            if "pattern" in e:
                yield f"rules.{key}", e["pattern"]


def phrase_matches(phrase: str, text: str) -> bool:
    """The format's phrase semantics: lower-case token sequence; a token ending in `*` is a
    prefix. Tokens of ``text`` are whitespace-separated words stripped of punctuation."""
    pts = phrase.lower().split()
    toks = [t.strip(".,;:!?\"'()[]") for t in text.lower().split()]
    toks = [t for t in toks if t]

    def tok_ok(p: str, t: str) -> bool:
        return t.startswith(p[:-1]) if p.endswith("*") else t == p

    return any(
        all(tok_ok(p, toks[i + j]) for j, p in enumerate(pts)) for i in range(len(toks) - len(pts) + 1)
    )


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.blank("nl")


# -- structure --------------------------------------------------------------------------------


def test_yaml_parses_and_has_metadata():
    data = _load(CODEBOOK)
    assert data["codebook"]["id"] == "klantmanager"
    assert data["codebook"]["language"] == "nl"
    assert isinstance(data["codes"], list) and data["codes"]


def test_every_family_of_the_brief_is_a_top_level_grouping_node():
    top = {c["id"]: c for c in _load(CODEBOOK)["codes"]}
    for fam in FAMILIES:
        assert fam in top, f"family {fam} missing"
        assert top[fam].get("codable") is False, f"family {fam} should be codable: false"
        assert COLOR.match(top[fam].get("color", "")), f"family {fam} needs a #rrggbb color"


@pytest.mark.parametrize("code_id", BRIEF_CODES)
def test_every_code_named_in_the_brief_exists(code_id):
    assert code_id in _code_map()


def test_logics_have_colors():
    codes = _code_map()
    for logic in ("logic.bureaucratic", "logic.professional", "logic.market"):
        assert COLOR.match(codes[logic].get("color", "")), logic


def test_no_duplicate_full_ids_and_valid_segments():
    ids = [cid for cid, _ in _codes()]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate ids: {sorted(dupes)}"
    for cid in ids:
        assert all(SEGMENT.match(s) for s in cid.split(".")), cid
    assert 120 <= len(ids) <= 200, len(ids)


def test_only_known_keys():
    for cid, code in _codes():
        unknown = set(code) - CODE_KEYS
        assert not unknown, f"{cid}: unknown keys {unknown}"
        for kind, allowed in (("indicators", INDICATOR_KEYS), ("blockers", BLOCKER_KEYS)):
            for e in _entries(code.get(kind)):
                assert set(e) <= allowed, f"{cid}.{kind}: {e}"
                forms = [k for k in ("phrase", "lemma", "pattern") if k in e]
                assert len(forms) == 1, f"{cid}.{kind}: exactly one form expected in {e}"
                if "weight" in e:
                    assert 0 < e["weight"] <= 1, f"{cid}: weight {e['weight']}"
                if "scope" in e:
                    assert e["scope"] in ("token", "sentence")


def test_every_codable_code_is_documented():
    for cid, code in _codes():
        label = code.get("label")
        assert isinstance(label, dict) and label.get("nl") and label.get("en"), f"{cid}: label nl+en"
        assert str(code.get("definition") or "").strip(), f"{cid}: definition"
        if code.get("codable", True):
            examples = code.get("examples")
            assert isinstance(examples, list) and 1 <= len(examples) <= 3, f"{cid}: 1-3 examples"
            assert all(isinstance(x, str) and x.strip() for x in examples), cid
            for key in ("include", "exclude"):
                assert code.get(key), f"{cid}: {key}"


def test_indicators_where_words_carry_evidence():
    """Every codable code outside dimension/stance has indicators."""
    for cid, code in _codes():
        if not code.get("codable", True) or cid.split(".")[0] in ("dimension", "stance"):
            continue
        assert list(_entries(code.get("indicators"))), f"{cid}: no indicators"


def test_every_matcher_pattern_compiles(nlp):
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab, validate=True)
    n = 0
    for where, pattern in _all_patterns():
        assert isinstance(pattern, list) and pattern, where
        for tok in pattern:
            assert set(tok) <= PATTERN_KEYS, f"{where}: only LOWER/LEMMA/OP keys, got {set(tok)}"
            for key in ("LOWER", "LEMMA"):
                if isinstance(tok.get(key), dict):
                    assert set(tok[key]) == {"IN"}, f"{where}: only IN in {tok}"
        matcher.add(f"p{n}", [pattern])  # raises on invalid syntax
        n += 1
    assert n > 0


# -- the decisive rule and the stated boundaries ---------------------------------------------


def test_market_indicators_never_match_klant():
    market = _code_map()["logic.market"]
    phrases = [e["phrase"] for e in _entries(market.get("indicators")) if "phrase" in e]
    assert phrases
    for phrase in phrases:
        for word in NOT_MARKET:
            assert not phrase_matches(phrase, word), f"market phrase {phrase!r} matches {word!r}"
    lemmas = [e["lemma"] for e in _entries(market.get("indicators")) if "lemma" in e]
    assert "klant" not in lemmas
    for word in ("uitstroomcijfers", "targets", "afgerekend", "klanttevredenheid"):
        assert any(phrase_matches(p, word) for p in phrases), word


def test_market_blocks_klant_compounds_and_doelmatig_is_professional():
    codes = _code_map()
    blockers = [e.get("phrase", "") for e in _entries(codes["logic.market"].get("blockers"))]
    for word in ("klantmanager", "klantcontact", "klantenteam", "doelmatig"):
        assert any(phrase_matches(b, word) for b in blockers), word
    market = [e["phrase"] for e in _entries(codes["logic.market"]["indicators"]) if "phrase" in e]
    assert not any(phrase_matches(p, "doelmatig") for p in market)
    prof = [e["phrase"] for e in _entries(codes["logic.professional"]["indicators"]) if "phrase" in e]
    assert any(phrase_matches(p, "doelmatigheid") for p in prof)


def test_reason_phrases_outweigh_topic_words():
    codes = _code_map()
    bur = list(_entries(codes["logic.bureaucratic"]["indicators"]))
    by_phrase = {e["phrase"]: e for e in bur if "phrase" in e}
    for topic in ("sanctie*", "regels", "wet"):
        e = by_phrase[topic]
        assert e.get("weight", 0.5) <= 0.4 and e.get("reason") is False, topic
    for reason in ("omdat de wet", "dat is nu eenmaal de regel", "zo is het beleid"):
        assert by_phrase[reason].get("weight", 0.5) >= 0.6, reason
    coping = {e.get("phrase"): e for e in _entries(codes["discretion.coping"]["indicators"])}
    for reason in ("te veel klanten", "dan ben je er vanaf"):
        assert coping[reason]["weight"] >= 0.6
    prof = {e.get("phrase"): e for e in _entries(codes["logic.professional"]["indicators"])}
    for reason in ("per klant", "wat past bij", "baat bij", "voor deze klant"):
        assert prof[reason]["weight"] >= 0.6


def test_sanction_as_treatment_blocks_bureaucratic_and_is_professional():
    codes = _code_map()
    cues = ("als middel", "om wakker te schudden", "stok achter de deur", "zodat hij gaat")
    for blocked in ("logic.bureaucratic", "practice.sanctions.bureaucratic"):
        sentence_blockers = {
            e["phrase"] for e in _entries(codes[blocked].get("blockers"))
            if "phrase" in e and e.get("scope") == "sentence"
        }
        for cue in cues:
            assert cue in sentence_blockers, f"{blocked} not blocked by {cue!r}"
    for target in ("logic.professional", "practice.sanctions.professional"):
        phrases = {e.get("phrase") for e in _entries(codes[target]["indicators"])}
        for cue in cues:
            assert cue in phrases, f"{target} lacks {cue!r}"


def test_rules_block():
    rules = _load(CODEBOOK)["rules"]
    for cue in ("omdat", "want", "daarom", "anders", "dus"):
        assert cue in rules["reason_cues"]
    neg = {e.get("phrase") for e in _entries(rules["negative_evaluation"])}
    for p in ("onzin", "heb ik niks aan", "niet mee eens", "slaat nergens op", "belachelijk"):
        assert p in neg, p
    dist = {e.get("phrase") for e in _entries(rules["distancing"])}
    for p in ("moet van bovenaf", "zo is het nu eenmaal", "dat is beleid"):
        assert p in dist, p


def _implies(code: dict) -> dict[str, float]:
    out = {}
    for entry in code.get("implies") or []:
        if isinstance(entry, str):
            out[entry] = 1.0
        else:
            out[entry["code"]] = entry.get("weight", 1.0)
    return out


def test_rollups_reach_the_logics_the_brief_names():
    """Concrete codes roll up to the abstract ones (codebook brief: two levels): every practice
    pole to its logic, professional inference to professional logic, every form of coping to coping."""
    codes = _code_map()
    for cid, code in codes.items():
        for target, weight in _implies(code).items():
            assert target in codes, f"{cid} implies unknown {target}"
            assert 0 < weight <= 1, (cid, target, weight)

    def reaches(cid: str, goal: str) -> bool:
        stack, seen = [cid], set()
        while stack:
            c = stack.pop()
            if c == goal:
                return True
            if c not in seen:
                seen.add(c)
                stack.extend(_implies(codes[c]))
        return False

    for aspect in ("assessment", "plan", "focus", "sanctions", "other_providers"):
        assert reaches(f"practice.{aspect}.professional", "logic.professional"), aspect
        assert reaches(f"practice.{aspect}.bureaucratic", "logic.bureaucratic"), aspect
    assert reaches("practice.discretion.bureaucratic", "discretion.coping")
    assert reaches("practice.discretion.professional", "logic.professional")
    assert reaches("discretion.client_differentiation", "logic.professional")
    for cid in codes:
        if cid.startswith("discretion.coping."):
            assert reaches(cid, "discretion.coping"), cid
    # the brief's exclusions: a topic or a task description implies no logic
    for cid in ("variant.own_coaching_guidance", "context.outsourcing", "context.caseload", "role.coach"):
        assert not any(reaches(cid, logic) for logic in ("logic.professional", "logic.bureaucratic", "logic.market"))


# -- typology ---------------------------------------------------------------------------------


def test_typology_references_existing_codes():
    typ = _load(TYPOLOGY)
    codes = _code_map()
    assert typ["typology"]["codebook"] == "klantmanager.yaml"
    assert {t["id"] for t in typ["types"]} == {"interventionist", "regisseur", "administrateur"}
    refs = []
    for t in typ["types"]:
        assert t["features"], t["id"]
        against = [a if isinstance(a, dict) else {"code": a} for a in (t.get("against") or [])]
        for f in [*t["features"], *against]:  # a feature names one code, or a list (any_of / all_of)
            refs += [f["code"]] if "code" in f else [*f.get("any_of", []), *f.get("all_of", [])]
            if "within" in f:
                refs.append(f["within"])
        requires = t.get("requires") or {}
        refs += [*requires.get("all_of", []), *requires.get("any_of", [])]
    for aspect in typ["profile"]["aspects"]:
        refs += list(aspect["poles"].values())
    missing = sorted({r for r in refs if r not in codes})
    assert not missing, f"typology refers to unknown codes: {missing}"


def test_typology_profile_has_the_six_aspects():
    aspects = {a["id"]: a for a in _load(TYPOLOGY)["profile"]["aspects"]}
    assert list(aspects) == ["assessment", "plan", "focus", "sanctions", "other_providers", "discretion"]
    for aid in ("assessment", "plan", "focus", "sanctions", "other_providers"):
        assert aspects[aid]["poles"] == {
            "bureaucratic": f"practice.{aid}.bureaucratic",
            "professional": f"practice.{aid}.professional",
        }
    assert aspects["discretion"]["poles"]["coping"] == "discretion.coping"


def test_brief_features_drive_their_types():
    types = {t["id"]: {c for f in t["features"] for c in ([f["code"]] if "code" in f else f.get("any_of", []))}
             for t in _load(TYPOLOGY)["types"]}  # a conjunction (all_of) does not drive a type on its own
    assert {"variant.own_coaching_guidance", "variant.limited_external_programmes"} <= types["interventionist"]
    assert {
        "variant.external_programmes_by_diagnosis", "variant.monitoring_role", "variant.focus_clients",
    } <= types["regisseur"]
    assert {"variant.limited_substantive_role", "variant.mainly_administrative"} <= types["administrateur"]
