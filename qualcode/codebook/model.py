"""Plain data for a codebook: the resolved tree of codes and the rule engine's settings.

A :class:`Codebook` is what :func:`qualcode.codebook.load_codebook` returns: every include
merged in, every id a full dotted path, codes in tree order (a parent before its children,
siblings in the order they were written). Nothing here reads files or imports spaCy.

Why ids are paths: ``descendants("logic")`` and typology features use prefix matching on
the dotted path, so the tree and the ids must agree. The loader enforces that.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

INDICATOR_KINDS = ("phrase", "lemma", "pattern")
BLOCKER_SCOPES = ("token", "sentence")
# Where a contrast cue puts its foil: the clause before the cue ("maar", "terwijl") or the words
# after it up to the end of the clause ("in plaats van").
CONTRAST_SCOPES = ("before", "after")
LEMMATIZERS = ("lookup", "simplemma", "both")
DEFAULT_WEIGHT = 0.5

DEFAULT_REASON_CUES = ["omdat", "want", "daarom", "anders", "dus", "zodat", "vanwege", "doordat"]


def is_under(code_id: str, prefix: str) -> bool:
    """True if ``code_id`` is ``prefix`` or a descendant of it ("logic" matches
    "logic.market" but not "logics"). An empty prefix matches every code."""
    return not prefix or code_id == prefix or code_id.startswith(prefix + ".")


def slugify(name: str) -> str:
    """An id segment from a name: ASCII-folded, lower case, non-alphanumerics -> ``_``,
    starting with a letter ("Cliëntgericht handelen" -> "clientgericht_handelen")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    if not slug:
        return "code"
    if not slug[0].isalpha():
        slug = f"c_{slug}"
    return slug


def codebook_id_from_name(name: str) -> str:
    """A codebook id (``[a-z0-9_-]+``) from a file name: "Web export" -> "web-export"."""
    return slugify(name).replace("_", "-")


@dataclass
class Issue:
    """One validation finding, with a 1-based line and column where known."""

    file: str | None
    line: int | None
    column: int | None
    message: str
    severity: str = "error"  # "error" | "warning"

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Label:
    nl: str
    en: str

    def get(self, lang: str = "nl") -> str:
        """The label in ``lang`` ("nl" or "en"), falling back to the other language."""
        if lang == "en":
            return self.en or self.nl
        return self.nl or self.en


@dataclass
class Indicator:
    """One piece of evidence (or, in ``Code.blockers``, one canceller) for the rule engine.

    ``value`` is the phrase or lemma sequence as a string, or for ``kind == "pattern"`` a
    spaCy Matcher token pattern (a list of token dicts). ``scope`` only matters for
    blockers. ``file``/``line``/``column`` say where it was written (for messages; not
    part of the codebook hash).
    """

    kind: str  # "phrase" | "lemma" | "pattern"
    value: str | list[dict[str, Any]]
    weight: float = DEFAULT_WEIGHT
    name: str | None = None
    reason: bool = True
    scope: str = "token"  # blockers: "token" | "sentence"; contrast cues: "before" | "after"
    # Context conditions for polysemous phrases ("als professional", "controleren"): the hit counts
    # only if one of ``requires`` and none of ``unless`` matches within ``window`` tokens either side
    # (None: in the same sentence). Each condition is itself a phrase, lemma or pattern.
    requires: list[Indicator] = field(default_factory=list)
    unless: list[Indicator] = field(default_factory=list)
    window: int | None = None
    # A one-word indicator also matches as the head or the first part of a Dutch compound
    # ("controle" in "themacontrole", "regel" in "regelgeving"); ``compound: false`` turns that off.
    compound: bool = True
    line: int | None = None
    column: int | None = None
    file: str | None = None

    @property
    def evidence(self) -> str:
        """How a suggestion names this indicator: its name, else ``kind:value``."""
        if self.name:
            return self.name
        if isinstance(self.value, str):
            return f"{self.kind}:{self.value}"
        return f"{self.kind}:{json.dumps(self.value, ensure_ascii=False, sort_keys=True)}"

    def semantic(self) -> dict[str, Any]:
        """What the indicator means, without where it was written (for hash and diff).

        The context keys appear only when set, so codebooks that do not use them keep their hash."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "value": self.value,
            "weight": self.weight,
            "name": self.name,
            "reason": self.reason,
            "scope": self.scope,
        }
        if self.requires:
            out["requires"] = [c.semantic() for c in self.requires]
        if self.unless:
            out["unless"] = [c.semantic() for c in self.unless]
        if self.window is not None:
            out["window"] = self.window
        if not self.compound:
            out["compound"] = False
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Indicator:
        d = dict(d)
        for key in ("requires", "unless"):
            d[key] = [Indicator.from_dict(c) for c in d.get(key, [])]
        return cls(**d)


@dataclass
class Implication:
    """A roll-up: a concrete code implies an abstract one ("practice.sanctions.professional"
    implies "logic.professional" with weight 0.8). The rule engine suggests the implied code with
    the chain as evidence; matrices can count codings of a code as codings of what it implies."""

    code: str
    weight: float = 1.0
    line: int | None = None
    column: int | None = None
    file: str | None = None

    def semantic(self) -> dict[str, Any]:
        return {"code": self.code, "weight": self.weight}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Code:
    id: str  # full dotted path
    segment: str  # last part of the path
    parent: str | None
    label: Label
    definition: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    color: str | None = None
    memo: str | None = None
    codable: bool = True
    indicators: list[Indicator] = field(default_factory=list)
    blockers: list[Indicator] = field(default_factory=list)
    # Codes whose evidence must occur in the same sentence for this code's hits to count: an act
    # ("ontheffing") is coded by its stated reason (the brief's decisive rule).
    requires: list[str] = field(default_factory=list)
    # Roll-up: abstract codes this code implies (see Implication and Codebook.rollup_targets).
    implies: list[Implication] = field(default_factory=list)
    source_file: str | None = None
    line: int | None = None

    @property
    def depth(self) -> int:
        """0 for a top-level family, 1 for its children, ..."""
        return self.id.count(".")

    def semantic(self) -> dict[str, Any]:
        """The fields that make up the codebook hash (no file paths, lines, colors, memos)."""
        return {
            "id": self.id,
            "parent": self.parent,
            "label": {"nl": self.label.nl, "en": self.label.en},
            "definition": self.definition,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "examples": list(self.examples),
            "codable": self.codable,
            "indicators": [i.semantic() for i in self.indicators],
            "blockers": [b.semantic() for b in self.blockers],
            **({"requires": list(self.requires)} if self.requires else {}),
            **({"implies": [i.semantic() for i in self.implies]} if self.implies else {}),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Code:
        d = dict(d)
        d["label"] = Label(**d["label"])
        d["indicators"] = [Indicator.from_dict(i) for i in d.get("indicators", [])]
        d["blockers"] = [Indicator.from_dict(i) for i in d.get("blockers", [])]
        d["implies"] = [Implication(**i) for i in d.get("implies", [])]
        return cls(**d)


def _default_negative_evaluation() -> list[Indicator]:
    return [
        Indicator("phrase", "onzin"),
        Indicator("phrase", "heb ik niks aan"),
        Indicator("lemma", "zinloos"),
    ]


def _default_distancing() -> list[Indicator]:
    return [
        Indicator("phrase", "moet van bovenaf"),
        Indicator("phrase", "zo is het nu eenmaal"),
    ]


def _default_negation() -> list[Indicator]:
    """Negation cues; scope: from the cue to the end of its clause (see suggest/scope.py)."""
    return [Indicator("phrase", w) for w in ("niet", "geen", "nooit", "niks", "niets", "nergens", "juist niet")]


def _default_contrast() -> list[Indicator]:
    """Contrast cues and where their foil is (``scope``: before / after the cue)."""
    return [
        Indicator("phrase", "maar", scope="before"),
        Indicator("phrase", "terwijl", scope="before"),
        Indicator("phrase", "in plaats van", scope="after"),
        Indicator("phrase", "in plaats dat", scope="after"),
    ]


def _default_scope_exceptions() -> list[Indicator]:
    """Cue words that are not negation or contrast here: "niet alleen ... maar ook" adds."""
    return [Indicator("phrase", p) for p in ("niet alleen", "maar ook", "niet zozeer", "geen idee")]


@dataclass
class RuleSettings:
    """Settings for the rule-based suggester (``rules:`` in the YAML); defaults as documented."""

    reason_cues: list[str] = field(default_factory=lambda: list(DEFAULT_REASON_CUES))
    reason_window: int = 8
    reason_boost: float = 1.5
    negative_evaluation: list[Indicator] = field(default_factory=_default_negative_evaluation)
    distancing: list[Indicator] = field(default_factory=_default_distancing)
    stance_window: int = 6
    # Negation and contrast (suggest/scope.py): a hit inside a negation scope weighs
    # ``negation_weight`` times its weight, a hit in a foil ``foil_weight`` times.
    negation: list[Indicator] = field(default_factory=_default_negation)
    contrast: list[Indicator] = field(default_factory=_default_contrast)
    scope_exceptions: list[Indicator] = field(default_factory=_default_scope_exceptions)
    negation_weight: float = 0.2
    foil_weight: float = 0.5
    # Topic words (``reason: false`` outside a reason window) together score at most this: below
    # the default threshold (0.35), so topic words alone never make a suggestion.
    topic_cap: float = 0.3
    # Dutch compounds: one-word indicators of at least ``compound_min_head`` letters also match as
    # the head (end) or first part of a longer word whose other part has ``compound_min_part``+ letters.
    compounds: bool = True
    compound_min_head: int = 5
    compound_min_part: int = 3
    # Lemmas for ``lemma:`` indicators: spaCy's lookup table, simplemma, or both.
    lemmatizer: str = "lookup"

    def semantic(self) -> dict[str, Any]:
        return {
            "reason_cues": list(self.reason_cues),
            "reason_window": self.reason_window,
            "reason_boost": self.reason_boost,
            "negative_evaluation": [i.semantic() for i in self.negative_evaluation],
            "distancing": [i.semantic() for i in self.distancing],
            "stance_window": self.stance_window,
            "negation": [i.semantic() for i in self.negation],
            "contrast": [i.semantic() for i in self.contrast],
            "scope_exceptions": [i.semantic() for i in self.scope_exceptions],
            "negation_weight": self.negation_weight,
            "foil_weight": self.foil_weight,
            "topic_cap": self.topic_cap,
            "compounds": self.compounds,
            "compound_min_head": self.compound_min_head,
            "compound_min_part": self.compound_min_part,
            "lemmatizer": self.lemmatizer,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RuleSettings:
        d = dict(d)
        for key in CUE_LISTS:
            if key in d:
                d[key] = [Indicator.from_dict(i) for i in d[key]]
        return cls(**d)


# The rules: keys that hold cue lists (indicator forms), in the order the docs list them.
CUE_LISTS = ("negative_evaluation", "distancing", "negation", "contrast", "scope_exceptions")


@dataclass
class Codebook:
    id: str
    title: str = ""
    version: str = ""
    language: str = "nl"
    description: str = ""
    codes: dict[str, Code] = field(default_factory=dict)  # insertion order = tree order
    rules: RuleSettings = field(default_factory=RuleSettings)
    files: list[str] = field(default_factory=list)  # the main file first, then its includes

    # -- navigation ---------------------------------------------------------------------
    def __contains__(self, code_id: object) -> bool:
        return code_id in self.codes

    def __getitem__(self, code_id: str) -> Code:
        return self.codes[code_id]

    def __len__(self) -> int:
        return len(self.codes)

    def roots(self) -> list[Code]:
        """Top-level codes (the families), in tree order."""
        return [c for c in self.codes.values() if c.parent is None]

    def children(self, code_id: str | None) -> list[Code]:
        """Direct children of ``code_id`` (``None``: the roots), in tree order."""
        return [c for c in self.codes.values() if c.parent == code_id]

    def descendants(self, prefix: str) -> list[Code]:
        """``prefix`` itself and everything under it, by dotted path, in tree order."""
        return [c for c in self.codes.values() if is_under(c.id, prefix)]

    def ancestors(self, code_id: str) -> list[Code]:
        """The codes above ``code_id``, from the top-level family down to its parent."""
        chain: list[Code] = []
        parent = self.codes[code_id].parent
        while parent is not None and parent in self.codes:
            chain.append(self.codes[parent])
            parent = self.codes[parent].parent
        return list(reversed(chain))

    def rollup_targets(self, code_id: str) -> dict[str, float]:
        """Every code ``code_id`` implies, directly or through a chain, with the product of the
        weights along the strongest chain ("a -> b" 0.8 and "b -> c" 0.5 give c: 0.4).

        Assumes no cycles (the loader refuses them); unknown targets are skipped."""
        out: dict[str, float] = {}
        stack = [(code_id, 1.0)]
        while stack:
            current, weight = stack.pop()
            code = self.codes.get(current)
            for imp in code.implies if code else []:
                w = weight * imp.weight
                if imp.code in self.codes and w > out.get(imp.code, 0.0) and imp.code != code_id:
                    out[imp.code] = w
                    stack.append((imp.code, w))
        return out

    def label_of(self, code_id: str, lang: str = "nl") -> str:
        """The code's label in ``lang``; the id itself for an unknown code."""
        code = self.codes.get(code_id)
        return code.label.get(lang) if code else code_id

    # -- identity -----------------------------------------------------------------------
    def canonical(self) -> dict[str, Any]:
        """What the hash covers: codes sorted by id (sibling order is presentation) and the
        rule settings (suggestions depend on them). Not file paths, lines, colors, memos or
        metadata such as title and version."""
        return {
            "codes": [self.codes[k].semantic() for k in sorted(self.codes)],
            "rules": self.rules.semantic(),
        }

    @property
    def hash(self) -> str:
        """sha256 (hex) of the canonical JSON of the resolved tree.

        Cached against the canonical JSON's identity is not possible (the tree is mutable), so the
        cache is keyed by a cheap fingerprint: the number of codes and the tuple of their ids.
        Stamping thousands of codings in one run then costs one hash, not thousands.
        """
        fingerprint = (len(self.codes), tuple(self.codes), id(self.rules))
        cached = self.__dict__.get("_hash_cache")
        if cached and cached[0] == fingerprint:
            return cached[1]
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        value = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.__dict__["_hash_cache"] = (fingerprint, value)
        return value

    # -- (de)serialisation --------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able; ``from_dict(to_dict())`` gives an equal codebook."""
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "language": self.language,
            "description": self.description,
            "hash": self.hash,
            "files": list(self.files),
            "rules": self.rules.to_dict(),
            "codes": [c.to_dict() for c in self.codes.values()],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Codebook:
        codes = [Code.from_dict(c) for c in d.get("codes", [])]
        return cls(
            id=d["id"],
            title=d.get("title", ""),
            version=d.get("version", ""),
            language=d.get("language", "nl"),
            description=d.get("description", ""),
            codes={c.id: c for c in codes},
            rules=RuleSettings.from_dict(d["rules"]) if "rules" in d else RuleSettings(),
            files=list(d.get("files", [])),
        )
