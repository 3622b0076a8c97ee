"""Typologies: types defined as rules over a case's coded features (``qualcode typology``).

The file format is in docs/codebook-format.md. This module reads and validates a typology
file (every code it names must exist in the codebook it names) and holds the scoring rule as
pure functions, :func:`score_case` and :func:`assign`, so the typology command and tests
share one definition of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook.load import SEGMENT_RE, CodebookInvalid, NodeReader, compose_file, read_codebook
from qualcode.codebook.model import Issue, Label, is_under
from qualcode.errors import InputError

UNCLASSIFIED = "unclassified"
MEASURES = ("count", "share")
TYPOLOGY_ID_RE = re.compile(r"^[a-z0-9_-]+$")

TOP_KEYS = ("typology", "types", "profile")
META_KEYS = ("id", "label", "description", "codebook", "level", "min_score", "margin")
TYPE_KEYS = ("id", "label", "description", "features", "against")
FEATURE_KEYS = ("code", "weight", "threshold", "measure", "within")
PROFILE_KEYS = ("aspects",)
ASPECT_KEYS = ("id", "label", "description", "poles")


@dataclass
class Feature:
    """Points for a type when a case has codings under ``code`` (prefix match).

    ``measure: count``: ``weight * min(1, n / threshold)``, n = the case's codings under
    ``code``. ``measure: share``: ``weight * min(1, share / threshold)``, share = n divided by
    the case's codings under ``within`` (all its codings if ``within`` is not set).
    ``threshold`` defaults to 1.
    """

    code: str
    weight: float = 1.0
    threshold: float | None = None
    measure: str = "count"
    within: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class TypeDef:
    id: str
    label: Label
    description: str = ""
    features: list[Feature] = field(default_factory=list)
    against: list[Feature] = field(default_factory=list)  # scored like features, subtracted
    line: int | None = None


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

    @property
    def codebook_path(self) -> Path | None:
        """The codebook's path, resolved against the typology file's folder."""
        if not self.codebook:
            return None
        base = Path(self.file).parent if self.file else Path(".")
        return base / self.codebook

    def type(self, type_id: str) -> TypeDef:
        return next(t for t in self.types if t.id == type_id)

    def codes(self) -> list[str]:
        """Every code id the typology refers to."""
        out = []
        for t in self.types:
            for f in [*t.features, *t.against]:
                out.append(f.code)
                if f.within:
                    out.append(f.within)
        for a in self.profile:
            out.extend(a.poles.values())
        return out


# --------------------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------------------


def _count(code_counts: dict[str, int], prefix: str) -> int:
    return sum(n for code, n in code_counts.items() if is_under(code, prefix))


def score_feature(feature: Feature, code_counts: dict[str, int]) -> float:
    """The points one feature gives a case (see :class:`Feature`)."""
    n = _count(code_counts, feature.code)
    threshold = feature.threshold or 1
    if feature.measure == "share":
        total = _count(code_counts, feature.within or "")
        value = n / total if total else 0.0
    else:
        value = n
    return feature.weight * min(1.0, value / threshold)


def score_case(typology: Typology, code_counts: dict[str, int]) -> dict[str, float]:
    """Score of each type for one case: the sum of its features' points minus the points of
    its ``against`` entries. ``code_counts`` maps code ids to the case's number of codings."""
    return {
        t.id: round(
            sum(score_feature(f, code_counts) for f in t.features)
            - sum(score_feature(f, code_counts) for f in t.against),
            6,
        )
        for t in typology.types
    }


def assign(scores: dict[str, float], typology: Typology) -> str:
    """The best type, or ``"unclassified"`` if its score is below ``min_score`` or it does not
    beat the runner-up by at least ``margin`` (an exact tie is never a win)."""
    if not scores:
        return UNCLASSIFIED
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_id, best = ranked[0]
    if best < typology.min_score - 1e-9:
        return UNCLASSIFIED
    if len(ranked) > 1:
        second = ranked[1][1]
        if best == second or best - second < typology.margin - 1e-9:
            return UNCLASSIFIED
    return best_id


# --------------------------------------------------------------------------------------
# reading and validation
# --------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, file: str) -> None:
        self.issues: list[Issue] = []
        self.r = NodeReader(file, self.issues)
        self.refs: list[tuple[str, Node]] = []  # code ids to check against the codebook
        self.codebook_node: Node | None = None

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
        for key in ("min_score", "margin"):
            if key in items:
                number = r.number(items[key][1], key)
                if number is not None and number < 0:
                    r.issue(items[key][1], f"{key} must not be negative")
                elif number is not None:
                    setattr(typ, key, float(number))

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
        if "code" not in items:
            r.issue(node, f"an entry of {where} has no code")
            return None
        code = (r.text(items["code"][1], "code", allow_null=False) or "").strip()
        if not code:
            return None
        self.refs.append((code, items["code"][1]))
        feat = Feature(code, line=line, column=column)
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
            if type_id == UNCLASSIFIED:
                r.issue(id_node, f"'{UNCLASSIFIED}' is reserved for cases that fit no type")
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


def read_typology(path: str | Path, *, check_codes: bool = True) -> tuple[Typology, list[Issue]]:
    """The typology as far as it could be built, and every issue found.

    InputError when the file cannot be read or parsed, is not a mapping, or names a codebook
    that does not exist. With ``check_codes`` every code it names must exist in that codebook.
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
    if check_codes:
        cb_path = typ.codebook_path
        if cb_path is None:
            r.issue(root, "no codebook named (typology.codebook), so codes are not checked", "warning")
        else:
            if not cb_path.is_file():
                line, col = NodeReader.pos(reader.codebook_node)
                message = f"codebook not found: {typ.codebook} (looked for {cb_path})"
                raise InputError(message, display, line, col)
            cb, _ = read_codebook(cb_path)
            for code, node in reader.refs:
                if code not in cb.codes:
                    r.issue(node, f"unknown code '{code}': not in codebook {cb_path}")
    issues = sorted(reader.issues, key=lambda i: (i.line or 0, i.column or 0))
    return typ, issues


def validate_typology(path: str | Path) -> list[Issue]:
    """Every issue in a typology file, including codes missing from its codebook."""
    return read_typology(path)[1]


def load_typology(path: str | Path, *, check_codes: bool = True) -> Typology:
    """A typology for use; :class:`CodebookInvalid` (exit 1) if it has errors."""
    typ, issues = read_typology(path, check_codes=check_codes)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise CodebookInvalid(str(path), errors, what="typology")
    return typ
