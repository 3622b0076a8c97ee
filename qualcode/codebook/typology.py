"""Typologies: types defined as rules over a case's coded features (``qualcode typology``).

The file format is in docs/codebook-format.md ("Typology file"). This module reads and validates
a typology file (every code it names must exist in the codebook it names) and holds the scoring
rule as pure functions over plain data, so the typology command, its tables and the tests share
one definition of it:

- :func:`evidence_units` turns coding dicts into units of evidence;
- :func:`score_units` scores every type from those units (:class:`TypeScore`: the score, the
  supporting fragments, the fragments against, what a conjunction lacks);
- :func:`decide` picks the type or abstains, always with a reason (:class:`Decision`).

Two file formats. Format 1 (no ``format:`` key; the files written before format 2) counts
*codings*, each worth 1, and abstains as ``unclassified``. Format 2 counts *evidence*: each
fragment once per feature, weighted by the suggestion score of a coding that came from a
suggestion and by its stance (``rejects`` supports nothing, ``distances`` weakly), with a minimum
number of supporting fragments per type, and abstains as ``undetermined``. Why keep format 1:
a researcher's old typology must keep giving the numbers printed in an earlier draft.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook.load import SEGMENT_RE, CodebookInvalid, NodeReader, compose_file, read_codebook
from qualcode.codebook.model import Codebook, Issue, Label, is_under
from qualcode.errors import InputError

UNCLASSIFIED = "unclassified"  # format 1: the case fits no type
UNDETERMINED = "undetermined"  # format 2: the evidence does not decide (the reason says why)
ABSTAIN_IDS = (UNCLASSIFIED, UNDETERMINED)
FORMATS = (1, 2)
MEASURES = ("count", "share")
FEATURE_MODES = ("code", "any_of", "all_of")
STANCES = ("endorses", "describes", "distances", "rejects")
# What a coding's stance does to its evidence in format 2: rejecting a feature does not support it
# ("ik ben geen coach"), keeping it at a distance supports it weakly ("dat moet van bovenaf").
DEFAULT_STANCE_WEIGHTS = {"endorses": 1.0, "describes": 1.0, "distances": 0.5, "rejects": 0.0}
TYPOLOGY_ID_RE = re.compile(r"^[a-z0-9_-]+$")

TOP_KEYS = ("typology", "types", "profile")
META_KEYS = ("id", "label", "description", "codebook", "level", "format", "min_score", "margin", "min_evidence",
             "evidence")
EVIDENCE_KEYS = ("suggestion_score", "stance")
TYPE_KEYS = ("id", "label", "description", "features", "against", "min_evidence", "requires")
FEATURE_KEYS = ("code", "any_of", "all_of", "weight", "threshold", "measure", "within")
REQUIRE_KEYS = ("all_of", "any_of")
PROFILE_KEYS = ("aspects",)
ASPECT_KEYS = ("id", "label", "description", "poles")


@dataclass
class Feature:
    """Points for a type when a case has evidence under ``code`` (prefix match).

    ``measure: count``: ``weight * min(1, n / threshold)``; ``measure: share``: ``weight *
    min(1, share / threshold)``, share = n divided by the case's evidence under ``within`` (all
    its evidence if ``within`` is not set). ``threshold`` defaults to 1. What n counts depends on
    the file format: codings (format 1) or weighted distinct fragments (format 2, see
    :func:`evidence_units`).

    ``mode``: ``code`` (one code), ``any_of`` (a fragment under any of ``codes`` counts, once) or
    ``all_of`` (a conjunction: n is the smallest of the parts' evidence, so the feature scores
    only when every part has evidence). ``code`` is then the first of ``codes``.
    """

    code: str
    weight: float = 1.0
    threshold: float | None = None
    measure: str = "count"
    within: str | None = None
    line: int | None = None
    column: int | None = None
    mode: str = "code"
    codes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.codes:
            self.codes = [self.code]

    def matches(self, code: str) -> bool:
        """True if a coding of ``code`` is evidence for (a part of) this feature."""
        return any(is_under(code, c) for c in self.codes)

    @property
    def name(self) -> str:
        """How messages and tables name the feature: the code, or ``all of: a, b``."""
        if self.mode == "code":
            return self.code
        return ("all of: " if self.mode == "all_of" else "any of: ") + ", ".join(self.codes)


@dataclass
class Requirement:
    """A type's defining conjunction (``requires:``): evidence of every code in ``all_of`` and of
    at least one in ``any_of``. Why a gate and not more weight: a regisseur is someone who selects
    programmes AND monitors them; points alone would let strong evidence of one stand in for the
    absence of the other."""

    all_of: list[str] = field(default_factory=list)
    any_of: list[str] = field(default_factory=list)


@dataclass
class EvidenceRules:
    """How much one coding weighs as evidence (format 2).

    ``suggestion_score``: a coding accepted from a suggestion (or a suggestion itself, with
    ``--coder auto:ENGINE``) weighs the suggestion's score, a manual or imported coding 1. Why:
    accepting all suggestions above a threshold makes a 0.36 guess count as much as a coder's
    deliberate coding otherwise. ``stance``: the factor per stance (a coding without one: 1).
    """

    suggestion_score: bool = True
    stance: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_STANCE_WEIGHTS))


@dataclass
class TypeDef:
    id: str
    label: Label
    description: str = ""
    features: list[Feature] = field(default_factory=list)
    against: list[Feature] = field(default_factory=list)  # scored like features, subtracted
    line: int | None = None
    min_evidence: int | None = None  # None: the typology's
    requires: Requirement | None = None

    def supports(self, code: str) -> bool:
        """True if a coding of ``code`` counts toward one of the type's features."""
        return any(f.matches(code) for f in self.features)


@dataclass
class ProfileAspect:
    """One row of the type-profile grid: an aspect and the code for each pole."""

    id: str
    label: Label
    poles: dict[str, str]
    description: str = ""
    line: int | None = None


@dataclass
class Typology:
    id: str
    label: Label
    types: list[TypeDef]
    codebook: str | None = None  # path of the codebook, relative to the typology file as written
    description: str = ""
    level: str = "case"
    min_score: float = 1.0
    margin: float = 0.5
    profile: list[ProfileAspect] = field(default_factory=list)
    file: str | None = None
    format: int = 1
    min_evidence: int | None = None  # None: 1 in format 2, 0 in format 1
    evidence: EvidenceRules = field(default_factory=EvidenceRules)

    @property
    def codebook_path(self) -> Path | None:
        """The codebook's path, resolved against the typology file's folder."""
        if not self.codebook:
            return None
        base = Path(self.file).parent if self.file else Path(".")
        return base / self.codebook

    @property
    def abstain(self) -> str:
        """The type id of a case the rule does not assign: ``unclassified`` (format 1) or
        ``undetermined`` (format 2)."""
        return UNDETERMINED if self.format >= 2 else UNCLASSIFIED

    def type(self, type_id: str) -> TypeDef:
        return next(t for t in self.types if t.id == type_id)

    def needed(self, type_id: str) -> int:
        """Supporting fragments the type needs before it can be assigned."""
        own = self.type(type_id).min_evidence
        if own is not None:
            return own
        if self.min_evidence is not None:
            return self.min_evidence
        return 1 if self.format >= 2 else 0

    def codes(self) -> list[str]:
        """Every code id the typology refers to."""
        out = []
        for t in self.types:
            for f in [*t.features, *t.against]:
                out.extend(f.codes)
                if f.within:
                    out.append(f.within)
            if t.requires:
                out.extend(t.requires.all_of + t.requires.any_of)
        for a in self.profile:
            out.extend(a.poles.values())
        return out


# --------------------------------------------------------------------------------------
# evidence and scoring
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One piece of evidence: a code voiced in a fragment, with what it weighs.

    ``key`` is what counts once per feature: the fragment (format 2), or the coding itself
    (format 1, where every coding counts). ``weight`` is what it adds (source weight times stance
    factor); ``base`` the source weight alone, what a feature voiced with a rejecting stance would
    have added, so it can be listed as evidence against.
    """

    key: str
    fragment: str
    code: str
    weight: float = 1.0
    base: float = 1.0
    stance: str | None = None


def coding_weight(coding: Mapping[str, Any], rules: EvidenceRules) -> tuple[float, float]:
    """(weight, base weight) of one coding dict under ``rules`` (see :class:`EvidenceRules`);
    ``coding["score"]`` is the score of the suggestion it came from, if any."""
    score = coding.get("score")
    base = 1.0
    if rules.suggestion_score and score is not None:
        base = min(1.0, max(0.0, float(score)))
    stance = coding.get("stance")
    factor = rules.stance.get(stance, 1.0) if stance else 1.0
    return base * factor, base


def evidence_units(typology: Typology, codings: Iterable[Mapping[str, Any]]) -> list[Unit]:
    """The units of evidence in coding dicts (``code``, ``fragment``, optional ``stance`` and
    ``score``): per coding in format 1 (weight 1), per fragment and code in format 2 (weighted)."""
    out = []
    for i, c in enumerate(codings):
        fragment = str(c.get("fragment") or f"coding {c.get('id', i)}")
        if typology.format >= 2:
            weight, base = coding_weight(c, typology.evidence)
            out.append(Unit(fragment, fragment, c["code"], weight, base, c.get("stance")))
        else:
            out.append(Unit(f"{fragment}#{i}", fragment, c["code"]))
    return out


def count_units(code_counts: Mapping[str, int]) -> list[Unit]:
    """Units for bare code counts (each coding its own unit of weight 1): the old interface."""
    return [Unit(f"{code}#{i}", f"{code}#{i}", code) for code, n in code_counts.items() for i in range(n)]


@dataclass
class _Hit:
    """The units of one key under a feature: the strongest weight, and what stands behind it."""

    fragment: str
    weight: float = 0.0
    base: float = 0.0
    codes: list[str] = field(default_factory=list)
    stances: list[str] = field(default_factory=list)

    def add(self, u: Unit) -> None:
        self.weight = max(self.weight, u.weight)
        self.base = max(self.base, u.base)
        if u.code not in self.codes:
            self.codes.append(u.code)
        if u.weight <= 0 and u.stance and u.stance not in self.stances:
            self.stances.append(u.stance)


class CaseUnits:
    """One case's units grouped by code, with every code's ancestors indexed.

    Why: a case has many codings of few codes, and every feature of every type asks which of
    them fall under its prefixes; looking the prefixes up in the index answers that without
    comparing every code with every prefix, so a 1,000-case project scores in well under a second.
    """

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_code: dict[str, list[Unit]] = {}
        for u in units:
            self.by_code.setdefault(u.code, []).append(u)
        self.by_prefix: dict[str, list[str]] = {}
        for code in self.by_code:
            parts = code.split(".")
            for i in range(1, len(parts) + 1):
                self.by_prefix.setdefault(".".join(parts[:i]), []).append(code)

    def codes_under(self, prefixes: Iterable[str]) -> list[str]:
        """The case's codes under any of ``prefixes`` (prefix match; "" matches every code)."""
        prefixes = list(prefixes)
        if "" in prefixes:
            return list(self.by_code)
        if len(prefixes) == 1:
            return self.by_prefix.get(prefixes[0], [])
        return list(dict.fromkeys(code for p in prefixes for code in self.by_prefix.get(p, [])))

    def without(self, prefixes: Iterable[str]) -> CaseUnits:
        """The units whose code is under none of ``prefixes``."""
        drop = set(self.codes_under(prefixes))
        if not drop:
            return self
        out = CaseUnits(())
        out.by_code = {code: group for code, group in self.by_code.items() if code not in drop}
        out.by_prefix = {p: kept for p, codes in self.by_prefix.items()
                         if (kept := [c for c in codes if c not in drop])}
        return out

    def has_weight_under(self, prefix: str) -> bool:
        return any(u.weight > 0 for code in self.codes_under([prefix]) for u in self.by_code[code])


def _case_units(units: CaseUnits | Iterable[Unit]) -> CaseUnits:
    return units if isinstance(units, CaseUnits) else CaseUnits(units)


def _hits(units: CaseUnits, codes: list[str]) -> dict[str, _Hit]:
    out: dict[str, _Hit] = {}
    for code in units.codes_under(codes):
        for u in units.by_code[code]:
            out.setdefault(u.key, _Hit(u.fragment)).add(u)
    return out


def feature_evidence(feature: Feature, units: CaseUnits | Iterable[Unit]) -> tuple[float, dict[str, _Hit]]:
    """(n, the hits behind it) of one feature: n is the summed weight of its distinct keys; for
    ``all_of`` the smallest part's sum (0 if a part has no evidence, and then no hits)."""
    units = _case_units(units)
    if feature.mode != "all_of":
        hits = _hits(units, feature.codes)
        return sum(h.weight for h in hits.values()), hits
    parts = [_hits(units, [c]) for c in feature.codes]
    value = min(sum(h.weight for h in p.values()) for p in parts) if parts else 0.0
    merged: dict[str, _Hit] = {}
    if value > 0:
        for part in parts:
            for key, h in part.items():
                m = merged.setdefault(key, _Hit(h.fragment))
                m.weight, m.base = max(m.weight, h.weight), max(m.base, h.base)
                m.codes += [c for c in h.codes if c not in m.codes]
    return value, merged


def feature_points(feature: Feature, units: CaseUnits | Iterable[Unit]) -> tuple[float, float, dict[str, _Hit]]:
    """(points, points per unit of weight before the cap, hits) of one feature."""
    units = _case_units(units)
    value, hits = feature_evidence(feature, units)
    threshold = feature.threshold or 1
    if feature.measure == "share":
        total = sum(h.weight for h in _hits(units, [feature.within or ""]).values())
        ratio = value / total if total else 0.0
        scale = feature.weight / (threshold * total) if total else 0.0
    else:
        ratio, scale = value, feature.weight / threshold
    return feature.weight * min(1.0, ratio / threshold), scale, hits


@dataclass
class FragmentWeight:
    """A fragment for or against a type: ``weight`` is the points it brings (to the type, or to
    whatever ``points_to`` names) before any feature is capped, so fragments can be ranked."""

    fragment: str
    weight: float
    codes: list[str] = field(default_factory=list)
    points_to: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fragment": self.fragment, "weight": round(self.weight, 3), "codes": self.codes}
        if self.points_to:
            out["points_to"] = self.points_to
        return out


@dataclass
class TypeScore:
    """One type's score for one case, and the evidence behind it (strongest first)."""

    type: str
    score: float
    support: list[FragmentWeight] = field(default_factory=list)
    against: list[FragmentWeight] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # parts of ``requires`` without evidence


_NUM = re.compile(r"(\d+)")


@lru_cache(maxsize=1 << 16)
def fragment_order(fragment_id: str) -> tuple:
    """Fragment ids in text order: ``T:2`` before ``T:10`` (numbers compared as numbers)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in _NUM.split(fragment_id) if p)


def _ranked(items: Mapping[str, FragmentWeight]) -> list[FragmentWeight]:
    for fw in items.values():
        fw.weight = round(fw.weight, 6)
    return sorted(items.values(), key=lambda fw: (-fw.weight, fragment_order(fw.fragment)))


def _note(into: dict[str, FragmentWeight], h: _Hit, weight: float, points_to: str | None = None) -> None:
    fw = into.setdefault(h.fragment, FragmentWeight(h.fragment, 0.0))
    fw.weight += weight
    fw.codes += [c for c in h.codes if c not in fw.codes]
    if points_to and points_to not in fw.points_to:
        fw.points_to.append(points_to)


def score_type(typology: Typology, t: TypeDef, units: CaseUnits | Iterable[Unit]) -> TypeScore:
    """Score one type (sum of feature points minus ``against`` points) with its evidence.

    For: fragments with positive weight under a feature. Against: fragments under one of the
    type's ``against`` entries (-> ``against``), under a feature voiced with a stance that weighs
    0 (-> ``stance rejects``), or under a feature of another type that is not also a feature of
    this one (-> that type; a code two types share supports both and contradicts neither).
    """
    units = _case_units(units)
    score = 0.0
    support: dict[str, FragmentWeight] = {}
    against: dict[str, FragmentWeight] = {}
    for f in t.features:
        points, scale, hits = feature_points(f, units)
        score += points
        for h in hits.values():
            if h.weight > 0:
                _note(support, h, scale * h.weight)
            elif h.base > 0 and h.stances:
                _note(against, h, scale * h.base, "stance " + "/".join(h.stances))
    for f in t.against:
        points, scale, hits = feature_points(f, units)
        score -= points
        for h in hits.values():
            if h.weight > 0:
                _note(against, h, scale * h.weight, "against")
    foreign = units.without(c for f in t.features for c in f.codes)
    for other in typology.types:
        if other.id == t.id:
            continue
        for f in other.features:
            _, scale, hits = feature_points(f, foreign)
            for h in hits.values():
                if h.weight > 0:
                    _note(against, h, scale * h.weight, other.id)
    missing: list[str] = []
    if t.requires:
        present = {c for c in t.requires.all_of + t.requires.any_of if units.has_weight_under(c)}
        missing += [c for c in t.requires.all_of if c not in present]
        if t.requires.any_of and not present.intersection(t.requires.any_of):
            missing.append("one of " + ", ".join(t.requires.any_of))
    return TypeScore(t.id, round(score, 6), _ranked(support), _ranked(against), missing)


def score_units(typology: Typology, units: list[Unit]) -> dict[str, TypeScore]:
    """Every type's :class:`TypeScore` for one case (or one pooled group) in typology order."""
    grouped = CaseUnits(units)
    return {t.id: score_type(typology, t, grouped) for t in typology.types}


def score_feature(feature: Feature, code_counts: Mapping[str, int]) -> float:
    """The points one feature gives a case with these code counts (each coding weight 1)."""
    return feature_points(feature, count_units(code_counts))[0]


def score_case(typology: Typology, code_counts: Mapping[str, int]) -> dict[str, float]:
    """Score of each type for bare code counts (code id -> number of codings, each weight 1): the
    sum of its features' points minus the points of its ``against`` entries."""
    units = count_units(code_counts)
    return {t.id: s.score for t, s in zip(typology.types, score_units(typology, units).values())}


def assign(scores: Mapping[str, float], typology: Typology) -> str:
    """The best type by score alone, or the abstain id (``unclassified``/``undetermined``) if its
    score is below ``min_score`` or it does not beat the runner-up by at least ``margin`` (an
    exact tie is never a win). :func:`decide` adds the evidence checks and the reason."""
    if not scores:
        return typology.abstain
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_id, best = ranked[0]
    if best < typology.min_score - 1e-9:
        return typology.abstain
    if len(ranked) > 1:
        second = ranked[1][1]
        if best == second or best - second < typology.margin - 1e-9:
            return typology.abstain
    return best_id


# Why a case was (not) assigned, as a short word tables can count by.
ASSIGNED, MANUAL, NO_GROUP = "assigned", "manual", "no group"
NO_EVIDENCE, REQUIREMENT, TOO_LITTLE, LOW_SCORE, MARGIN = (
    "no evidence", "requirement not met", "too little evidence", "score too low", "within the margin")
ABSTAIN_KINDS = (NO_EVIDENCE, REQUIREMENT, TOO_LITTLE, LOW_SCORE, MARGIN, NO_GROUP)


def num(x: float) -> str:
    """A score as reasons and tables print it: at most two decimals, no trailing zeros."""
    value = round(float(x), 2)
    return f"{value:g}" if value != 0 else "0"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass
class Decision:
    """The type of one case (or the abstain id), why, and the best-scoring type behind it."""

    type: str
    reason: str
    kind: str
    candidate: str | None = None


def decide(typology: Typology, scored: Mapping[str, TypeScore]) -> Decision:
    """Assign the best-scoring type if it passes every check, in this order, else abstain:

    1. its ``requires`` conjunction has evidence of every part;
    2. it has at least ``min_evidence`` supporting fragments;
    3. its score is at least ``min_score``;
    4. it leads the runner-up by at least ``margin`` (an exact tie never wins).

    The reason names the check that failed with the numbers behind it ("too little evidence: 1
    supporting fragment, 3 needed (regisseur 1.2)"; "two types within the margin of 0.5:
    regisseur 3.2, administrateur 3"), or, when assigned, the lead and the evidence count.
    Ties in score rank in the typology's order.
    """
    abstain = typology.abstain
    ids = [t.id for t in typology.types if t.id in scored]
    if not ids:
        return Decision(abstain, "the typology has no types", NO_EVIDENCE)
    ranked = sorted(ids, key=lambda i: -scored[i].score)
    best = ranked[0]
    top = scored[best]
    n = len(top.support)
    needed = typology.needed(best)
    nothing = not any(s.support for s in scored.values())
    if nothing and (top.missing or n < needed or top.score < typology.min_score - 1e-9):
        return Decision(abstain, "no evidence for any type", NO_EVIDENCE, best)
    if top.missing:
        return Decision(abstain, f"{best} needs evidence of {', '.join(top.missing)}: none found", REQUIREMENT, best)
    if n < needed:
        text = f"too little evidence: {plural(n, 'supporting fragment')}, {needed} needed ({best} {num(top.score)})"
        return Decision(abstain, text, TOO_LITTLE, best)
    if top.score < typology.min_score - 1e-9:
        return Decision(abstain, f"score too low: {best} {num(top.score)}, {num(typology.min_score)} needed",
                        LOW_SCORE, best)
    lead_text = f"{plural(n, 'supporting fragment')}" + (f", {needed} needed" if needed else "")
    if len(ranked) == 1:
        return Decision(best, f"{best} {num(top.score)}; {lead_text}", ASSIGNED, best)
    second = ranked[1]
    s1, s2 = top.score, scored[second].score
    if s1 == s2 or s1 - s2 < typology.margin - 1e-9:
        text = f"two types within the margin of {num(typology.margin)}: {best} {num(s1)}, {second} {num(s2)}"
        return Decision(abstain, text, MARGIN, best)
    return Decision(best, f"{best} {num(s1)} leads {second} {num(s2)} by {num(s1 - s2)}; {lead_text}", ASSIGNED,
                    best)


# --------------------------------------------------------------------------------------
# reading and validation
# --------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, file: str) -> None:
        self.issues: list[Issue] = []
        self.r = NodeReader(file, self.issues)
        self.refs: list[tuple[str, Node]] = []  # code ids to check against the codebook
        self.codebook_node: Node | None = None
        self.format2_nodes: list[tuple[Node, str]] = []  # keys that mean nothing in format 1

    def meta(self, node: Node, typ: Typology) -> None:
        r = self.r
        if not isinstance(node, MappingNode):
            r.issue(node, "typology must be a mapping")
            return
        items = r.items(node, META_KEYS, "in typology")
        if "id" in items:
            value = (r.text(items["id"][1], "typology.id", allow_null=False) or "").strip()
            if value and not TYPOLOGY_ID_RE.match(value):
                r.issue(items["id"][1], f"bad typology id '{value}': use lower-case letters, digits, _ and -")
            typ.id = value or typ.id
        else:
            r.issue(node, "typology has no id", "warning")
        typ.label = r.label(items["label"][1] if "label" in items else None, node, "the typology")
        if "description" in items:
            typ.description = (r.text(items["description"][1], "description") or "").strip()
        if "codebook" in items:
            typ.codebook = (r.text(items["codebook"][1], "codebook", allow_null=False) or "").strip() or None
            self.codebook_node = items["codebook"][1]
        if "level" in items:
            typ.level = (r.text(items["level"][1], "level", allow_null=False) or "case").strip()
        if "format" in items:
            fmt = r.integer(items["format"][1], "format", minimum=1)
            if fmt is not None and fmt not in FORMATS:
                r.issue(items["format"][1], f"format must be one of {', '.join(map(str, FORMATS))}, not {fmt}")
            elif fmt is not None:
                typ.format = fmt
        for key in ("min_score", "margin"):
            if key in items:
                number = r.number(items[key][1], key)
                if number is not None and number < 0:
                    r.issue(items[key][1], f"{key} must not be negative")
                elif number is not None:
                    setattr(typ, key, float(number))
        if "min_evidence" in items:
            typ.min_evidence = r.integer(items["min_evidence"][1], "min_evidence")
        if "evidence" in items:
            self.format2_nodes.append((items["evidence"][0], "evidence"))
            self.evidence(items["evidence"][1], typ.evidence)

    def evidence(self, node: Node, rules: EvidenceRules) -> None:
        r = self.r
        if not isinstance(node, MappingNode):
            r.issue(node, "evidence must be a mapping with suggestion_score and stance")
            return
        items = r.items(node, EVIDENCE_KEYS, "in evidence")
        if "suggestion_score" in items:
            value = r.boolean(items["suggestion_score"][1], "evidence.suggestion_score")
            if value is not None:
                rules.suggestion_score = value
        if "stance" in items:
            stance = items["stance"][1]
            if not isinstance(stance, MappingNode):
                r.issue(stance, "evidence.stance must be a mapping of stance -> factor (0 to 1)")
                return
            for name, (_, value_node) in r.items(stance, STANCES, "in evidence.stance").items():
                factor = r.number(value_node, f"the factor of stance {name}")
                if factor is not None and not 0 <= factor <= 1:
                    r.issue(value_node, f"the factor of stance {name} must be between 0 and 1, not {factor}")
                elif factor is not None:
                    rules.stance[name] = float(factor)

    def code_list(self, node: Node, what: str) -> list[str]:
        """A list of code ids (each checked against the codebook later)."""
        if not isinstance(node, SequenceNode) or not node.value:
            self.r.issue(node, f"{what} must be a list of one or more code ids")
            return []
        out = []
        for item in node.value:
            code = (self.r.text(item, f"each entry of {what}", allow_null=False) or "").strip()
            if code:
                self.refs.append((code, item))
                out.append(code)
        return out

    def feature(self, node: Node, where: str, *, plain_ok: bool) -> Feature | None:
        r = self.r
        line, column = NodeReader.pos(node)
        if isinstance(node, ScalarNode) and plain_ok and not r.is_null(node):
            code = str(node.value).strip()
            self.refs.append((code, node))
            return Feature(code, line=line, column=column)
        if not isinstance(node, MappingNode):
            r.issue(node, f"each entry of {where} must be a mapping with code and weight"
                    + (" or a code id" if plain_ok else ""))
            return None
        items = r.items(node, FEATURE_KEYS, f"in {where}")
        modes = [m for m in FEATURE_MODES if m in items]
        if not modes:
            r.issue(node, f"an entry of {where} has no code (or any_of / all_of)")
            return None
        if len(modes) > 1:
            r.issue(items[modes[1]][0], f"an entry of {where} has both {modes[0]} and {modes[1]}: use one")
            return None
        mode = modes[0]
        if mode == "code":
            code = (r.text(items["code"][1], "code", allow_null=False) or "").strip()
            if not code:
                return None
            self.refs.append((code, items["code"][1]))
            feat = Feature(code, line=line, column=column)
        else:
            codes = self.code_list(items[mode][1], mode)
            if not codes:
                return None
            feat = Feature(codes[0], line=line, column=column, mode=mode, codes=codes)
        if "weight" in items:
            w = r.number(items["weight"][1], "weight")
            if w is not None and w <= 0:
                r.issue(items["weight"][1], f"weight must be above 0, not {w}")
            elif w is not None:
                feat.weight = float(w)
        if "threshold" in items:
            t = r.number(items["threshold"][1], "threshold")
            if t is not None and t <= 0:
                r.issue(items["threshold"][1], f"threshold must be above 0, not {t}")
            elif t is not None:
                feat.threshold = float(t)
        if "measure" in items:
            m = r.text(items["measure"][1], "measure", allow_null=False)
            if m in MEASURES:
                feat.measure = m
            elif m is not None:
                r.issue(items["measure"][1], f"measure must be one of {', '.join(MEASURES)}, not '{m}'")
        if "within" in items:
            within = (r.text(items["within"][1], "within") or "").strip()
            if within:
                feat.within = within
                self.refs.append((within, items["within"][1]))
            if feat.measure != "share":
                r.issue(items["within"][0], "within only matters with measure: share", "warning")
        if feat.measure == "share" and feat.threshold is not None and feat.threshold > 1:
            r.issue(items["threshold"][1], "a share is at most 1: a threshold above 1 can never be reached")
        return feat

    def features(self, node: Node, where: str, *, plain_ok: bool) -> list[Feature]:
        if self.r.is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.r.issue(node, f"{where} must be a list")
            return []
        return [f for f in (self.feature(n, where, plain_ok=plain_ok) for n in node.value) if f is not None]

    def requires(self, node: Node, type_id: str) -> Requirement | None:
        r = self.r
        if not isinstance(node, MappingNode):
            r.issue(node, f"requires of '{type_id}' must be a mapping with all_of and/or any_of")
            return None
        items = r.items(node, REQUIRE_KEYS, f"in requires of '{type_id}'")
        req = Requirement(
            self.code_list(items["all_of"][1], "all_of") if "all_of" in items else [],
            self.code_list(items["any_of"][1], "any_of") if "any_of" in items else [],
        )
        if not req.all_of and not req.any_of:
            r.issue(node, f"requires of '{type_id}' names no codes", "warning")
            return None
        return req

    def types(self, node: Node) -> list[TypeDef]:
        r = self.r
        if not isinstance(node, SequenceNode):
            r.issue(node, "types must be a list")
            return []
        out: list[TypeDef] = []
        first: dict[str, Node] = {}
        for item in node.value:
            if not isinstance(item, MappingNode):
                r.issue(item, "each type must be a mapping with id, label and features")
                continue
            written_id = r.peek(item, "id")
            items = r.items(item, TYPE_KEYS, f"in type '{written_id}'" if written_id else "in a type")
            if "id" not in items:
                r.issue(item, "type has no id")
                continue
            id_node = items["id"][1]
            type_id = (r.text(id_node, "id", allow_null=False) or "").strip()
            if not type_id:
                continue
            if not SEGMENT_RE.match(type_id):
                r.issue(id_node, f"bad type id '{type_id}': use lower-case letters, digits and _, letter first")
            if type_id in ABSTAIN_IDS:
                r.issue(id_node, f"'{type_id}' is reserved for cases that fit no type")
            if type_id in first:
                line, col = NodeReader.pos(first[type_id])
                r.issue(id_node, f"duplicate type id '{type_id}' (first at line {line}, column {col})")
                continue
            first[type_id] = id_node
            t = TypeDef(
                type_id,
                r.label(items["label"][1] if "label" in items else None, item, f"type '{type_id}'"),
                line=NodeReader.pos(item)[0],
            )
            if "description" in items:
                t.description = (r.text(items["description"][1], "description") or "").strip()
            if "features" in items:
                where = f"the features of '{type_id}'"
                t.features = self.features(items["features"][1], where, plain_ok=False)
            if not t.features:
                r.issue(item, f"type '{type_id}' has no features, so it can never score", "warning")
            if "against" in items:
                t.against = self.features(items["against"][1], f"against of '{type_id}'", plain_ok=True)
            if "min_evidence" in items:
                t.min_evidence = r.integer(items["min_evidence"][1], f"min_evidence of '{type_id}'")
            if "requires" in items:
                t.requires = self.requires(items["requires"][1], type_id)
            out.append(t)
        return out

    def profile(self, node: Node) -> list[ProfileAspect]:
        r = self.r
        if not isinstance(node, MappingNode):
            r.issue(node, "profile must be a mapping with aspects")
            return []
        items = r.items(node, PROFILE_KEYS, "in profile")
        if "aspects" not in items:
            return []
        seq = items["aspects"][1]
        if not isinstance(seq, SequenceNode):
            r.issue(seq, "profile.aspects must be a list")
            return []
        out: list[ProfileAspect] = []
        seen: set[str] = set()
        for item in seq.value:
            if not isinstance(item, MappingNode):
                r.issue(item, "each aspect must be a mapping with id, label and poles")
                continue
            written_id = r.peek(item, "id")
            where = f"in aspect '{written_id}'" if written_id else "in a profile aspect"
            a_items = r.items(item, ASPECT_KEYS, where)
            aspect_id = ""
            if "id" in a_items:
                aspect_id = (r.text(a_items["id"][1], "id", allow_null=False) or "").strip()
            if not aspect_id:
                r.issue(item, "profile aspect has no id")
                continue
            if aspect_id in seen:
                r.issue(a_items["id"][1], f"duplicate aspect id '{aspect_id}'")
                continue
            seen.add(aspect_id)
            poles: dict[str, str] = {}
            if "poles" not in a_items or not isinstance(a_items["poles"][1], MappingNode):
                where_node = a_items["poles"][1] if "poles" in a_items else item
                r.issue(where_node, f"aspect '{aspect_id}' needs poles: a mapping of pole -> code")
            else:
                for k, v in a_items["poles"][1].value:
                    code = (r.text(v, "pole code", allow_null=False) or "").strip()
                    if code:
                        poles[str(k.value)] = code
                        self.refs.append((code, v))
                if len(poles) < 2:
                    r.issue(a_items["poles"][1], f"aspect '{aspect_id}' has fewer than two poles", "warning")
            out.append(
                ProfileAspect(
                    aspect_id,
                    r.label(a_items.get("label", (None, None))[1], item, f"aspect '{aspect_id}'"),
                    poles,
                    description=(r.text(a_items["description"][1], "description") or "").strip()
                    if "description" in a_items
                    else "",
                    line=NodeReader.pos(item)[0],
                )
            )
        return out


def read_typology(path: str | Path, *, check_codes: bool = True,
                  codebook_loader: Callable[[Path], Codebook] | None = None) -> tuple[Typology, list[Issue]]:
    """The typology as far as it could be built, and every issue found.

    InputError when the file cannot be read or parsed, is not a mapping, or names a codebook
    that does not exist. With ``check_codes`` every code it names must exist in that codebook;
    ``codebook_loader`` (path -> Codebook, e.g. :meth:`Project.codebook`, which keeps what it
    loaded) saves parsing the codebook a second time.
    """
    display, root = compose_file(path)
    if not isinstance(root, MappingNode):
        line, col = NodeReader.pos(root) if root is not None else (1, 1)
        raise InputError("a typology file must be a mapping with typology: and types:", display, line, col)
    reader = _Reader(display)
    r = reader.r
    typ = Typology(id=Path(path).stem, label=Label("", ""), types=[], file=display)
    items = r.items(root, TOP_KEYS, "at the top level")
    if "typology" in items:
        reader.meta(items["typology"][1], typ)
    else:
        r.issue(root, "the file has no `typology:` section")
    if "types" in items:
        typ.types = reader.types(items["types"][1])
    else:
        r.issue(root, "the file has no `types:` list")
    if "profile" in items:
        typ.profile = reader.profile(items["profile"][1])
    if typ.format < 2:
        for key_node, key in reader.format2_nodes:
            r.issue(key_node, f"{key} only applies with format: 2 (this file counts codings, each worth 1)", "warning")
    if check_codes:
        cb_path = typ.codebook_path
        if cb_path is None:
            r.issue(root, "no codebook named (typology.codebook), so codes are not checked", "warning")
        else:
            if not cb_path.is_file():
                line, col = NodeReader.pos(reader.codebook_node)
                message = f"codebook not found: {typ.codebook} (looked for {cb_path})"
                raise InputError(message, display, line, col)
            cb = codebook_loader(cb_path) if codebook_loader else read_codebook(cb_path)[0]
            for code, node in reader.refs:
                if code not in cb.codes:
                    r.issue(node, f"unknown code '{code}': not in codebook {cb_path}")
    issues = sorted(reader.issues, key=lambda i: (i.line or 0, i.column or 0))
    return typ, issues


def validate_typology(path: str | Path) -> list[Issue]:
    """Every issue in a typology file, including codes missing from its codebook."""
    return read_typology(path)[1]


def load_typology(path: str | Path, *, check_codes: bool = True,
                  codebook_loader: Callable[[Path], Codebook] | None = None) -> Typology:
    """A typology for use; :class:`CodebookInvalid` (exit 1) if it has errors."""
    typ, issues = read_typology(path, check_codes=check_codes, codebook_loader=codebook_loader)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise CodebookInvalid(str(path), errors, what="typology")
    return typ
