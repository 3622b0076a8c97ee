"""Read a codebook YAML file (and its includes) into a :class:`Codebook`.

Why ``yaml.compose`` and not ``yaml.safe_load``: composing keeps a line/column mark on every
key and value, so each problem is reported where it was written. Values are built here from
the nodes (scalars through PyYAML's safe constructor, so no Python objects are created).

Two kinds of failure (exit codes):
- loading is impossible (unreadable file, YAML syntax error, the file is not a mapping, a
  missing include, an include cycle): :class:`InputError` at once (exit 2);
- everything else is collected as :class:`Issue` s, so ``codebook validate`` lists them all.
  :func:`load_codebook` raises :class:`CodebookInvalid` (a ``ProblemFound``, exit 1) if any
  of them is an error.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook.model import (
    BLOCKER_SCOPES,
    CONTRAST_SCOPES,
    INDICATOR_KINDS,
    LEMMATIZERS,
    Code,
    Codebook,
    Implication,
    Indicator,
    Issue,
    Label,
    RuleSettings,
    codebook_id_from_name,
)
from qualcode.codebook.patterns import pattern_issues
from qualcode.errors import InputError, ProblemFound

SEGMENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CODEBOOK_ID_RE = re.compile(r"^[a-z0-9_-]+$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

TOP_KEYS = ("codebook", "include", "rules", "codes")
META_KEYS = ("id", "title", "version", "language", "description")
RULE_KEYS = (
    "reason_cues",
    "reason_window",
    "reason_boost",
    "negative_evaluation",
    "distancing",
    "stance_window",
    "negation",
    "contrast",
    "scope_exceptions",
    "negation_weight",
    "foil_weight",
    "topic_cap",
    "compounds",
    "compound_min_head",
    "compound_min_part",
    "lemmatizer",
)
CODE_KEYS = (
    "id",
    "label",
    "definition",
    "include",
    "exclude",
    "examples",
    "color",
    "memo",
    "codable",
    "children",
    "indicators",
    "blockers",
    "requires",
    "implies",
)
LABEL_KEYS = ("nl", "en")
INDICATOR_KEYS = ("weight", "name", "reason", "requires", "unless", "window", "compound")
IMPLIES_KEYS = ("code", "weight")
FORMS = "phrase, lemma or pattern"
BLOCKER_KEYS = ("scope", "name")


class CodebookInvalid(ProblemFound):
    """A codebook (or typology) that loads but has errors; ``issues`` lists them (exit 1)."""

    def __init__(self, file: str, issues: list[Issue], what: str = "codebook") -> None:
        errors = [i for i in issues if i.severity == "error"]
        lines = "\n".join(f"  {i}" for i in issues)
        noun = "error" if len(errors) == 1 else "errors"
        super().__init__(f"invalid {what} ({len(errors)} {noun}):\n{lines}", file=file)
        self.issues = issues


# --------------------------------------------------------------------------------------
# YAML nodes: shared with typology.py
# --------------------------------------------------------------------------------------


def compose_file(path: str | Path) -> tuple[str, Node | None]:
    """Read and compose one YAML file; InputError with file/line/column on failure."""
    display = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=display) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=display) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem:
            problem = f"{problem} ({exc.context})"
        raise InputError(
            f"YAML syntax error: {problem}",
            file=display,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=display) from None
    return display, node


class NodeReader:
    """Turns composed nodes into Python values while collecting :class:`Issue` s."""

    def __init__(self, file: str, issues: list[Issue]) -> None:
        self.file = file
        self.issues = issues
        self._constructor = yaml.constructor.SafeConstructor()

    # -- reporting ----------------------------------------------------------------------
    def issue(self, node: Node | None, message: str, severity: str = "error") -> None:
        line = column = None
        if node is not None:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.issues.append(Issue(self.file, line, column, message, severity))

    @staticmethod
    def pos(node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    # -- values -------------------------------------------------------------------------
    def value(self, node: Node) -> Any:
        """Plain Python value of a node (recursively); None and an issue if it cannot be built."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.issue(node, f"cannot read value: {getattr(exc, 'problem', None) or exc}")
            return None

    def items(
        self, node: MappingNode, allowed: tuple[str, ...], where: str
    ) -> dict[str, tuple[ScalarNode, Node]]:
        """Keys of a mapping -> (key node, value node). Reports unknown and duplicate keys."""
        out: dict[str, tuple[ScalarNode, Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or not key:
                self.issue(key_node, f"keys must be plain names {where}")
                continue
            if key in out:
                line, col = self.pos(out[key][0])
                self.issue(key_node, f"duplicate key '{key}' {where} (first at line {line}, column {col})")
                continue
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                more = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(allowed)}"
                self.issue(key_node, f"unknown key '{key}' {where}{more}")
                continue
            out[key] = (key_node, value_node)
        return out

    @staticmethod
    def peek(node: MappingNode, key: str) -> str | None:
        """The scalar value of ``key`` in a mapping, before it is read (for messages)."""
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key and isinstance(v, ScalarNode):
                return str(v.value)
        return None

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"

    def text(self, node: Node, what: str, *, allow_null: bool = True) -> str | None:
        """A string scalar (numbers and dates are taken as written); None if null or wrong."""
        if self.is_null(node):
            if not allow_null:
                self.issue(node, f"{what} is empty")
            return None
        if not isinstance(node, ScalarNode):
            self.issue(node, f"{what} must be text, not a {_kind(node)}")
            return None
        return str(node.value)  # as written: `en: No` stays "No", not YAML 1.1's false

    def texts(self, node: Node, what: str) -> list[str]:
        """A list of strings, or one string as a list of one."""
        if self.is_null(node):
            return []
        if isinstance(node, ScalarNode):
            value = self.text(node, what)
            return [value.strip()] if value and value.strip() else []
        if not isinstance(node, SequenceNode):
            self.issue(node, f"{what} must be a list of text or one text")
            return []
        out = []
        for item in node.value:
            value = self.text(item, f"each entry of {what}")
            if value is not None and value.strip():
                out.append(value.strip())
        return out

    def boolean(self, node: Node, what: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return bool(self.value(node))
        self.issue(node, f"{what} must be true or false")
        return None

    def number(self, node: Node, what: str) -> float | None:
        if isinstance(node, ScalarNode) and node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            value = self.value(node)
            if isinstance(value, (int, float)) and value == value:  # not NaN
                return value
        self.issue(node, f"{what} must be a number, not {_show(node)}")
        return None

    def weight(self, node: Node) -> float | None:
        """A weight in (0, 1] (indicators, implications); None and an issue otherwise."""
        weight = self.number(node, "weight")
        if weight is None:
            return None
        if not 0 < weight <= 1:
            self.issue(node, f"weight must be in (0, 1], not {weight}")
            return None
        return float(weight)

    def integer(self, node: Node, what: str, minimum: int = 0) -> int | None:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            value = self.value(node)
            if isinstance(value, int) and value >= minimum:
                return value
        self.issue(node, f"{what} must be a whole number of at least {minimum}, not {_show(node)}")
        return None

    def label(self, node: Node | None, owner_node: Node, what: str) -> Label:
        """``{nl: .., en: ..}`` or a plain string (a warning: used for both)."""
        if node is None or self.is_null(node):
            self.issue(owner_node, f"{what} has no label (a mapping with nl and en)")
            return Label("", "")
        if isinstance(node, ScalarNode):
            value = self.text(node, "label") or ""
            self.issue(node, f"label of {what} is a plain string; it is used for both nl and en", "warning")
            return Label(value, value)
        if not isinstance(node, MappingNode):
            self.issue(node, f"label of {what} must be a mapping with nl and en")
            return Label("", "")
        items = self.items(node, LABEL_KEYS, f"in the label of {what}")
        values = {}
        for lang in LABEL_KEYS:
            if lang in items:
                values[lang] = (self.text(items[lang][1], f"label.{lang}", allow_null=False) or "").strip()
            else:
                self.issue(node, f"label of {what} has no '{lang}'")
        nl = values.get("nl") or values.get("en", "")
        en = values.get("en") or values.get("nl", "")
        return Label(nl, en)

    def indicators(
        self, node: Node, what: str, *, blockers: bool = False, scopes: tuple[str, ...] = BLOCKER_SCOPES
    ) -> list[Indicator]:
        if self.is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.issue(node, f"{what} must be a list")
            return []
        out = []
        for item in node.value:
            ind = self.indicator(item, what, blockers=blockers, scopes=scopes)
            if ind is not None:
                out.append(ind)
        return out

    def indicator(
        self, node: Node, what: str, *, blockers: bool = False, scopes: tuple[str, ...] = BLOCKER_SCOPES
    ) -> Indicator | None:
        """One entry of an indicator/blocker/cue list (see docs/codebook-format.md)."""
        line, column = self.pos(node)
        if isinstance(node, ScalarNode) and not self.is_null(node):
            phrase = self._phrase(node, "phrase", str(node.value), what)
            return Indicator("phrase", phrase, line=line, column=column, file=self.file) if phrase is not None else None
        if not isinstance(node, MappingNode):
            self.issue(node, f"each entry of {what} must be a phrase or a mapping with {FORMS}")
            return None
        keys = [k.value for k, _ in node.value if isinstance(k, ScalarNode)]
        forms = [k for k in keys if k in INDICATOR_KINDS]
        if not forms:
            found = ", ".join(str(k) for k in keys) or "none"
            self.issue(node, f"unknown indicator form in {what}: expected {FORMS} (keys: {found})")
            return None
        if len(forms) > 1:
            self.issue(node, f"an entry of {what} has one of {FORMS}, not {' and '.join(forms)}")
            return None
        kind = forms[0]
        extra = BLOCKER_KEYS if blockers else INDICATOR_KEYS
        # weight/reason on a blocker are harmless but meaningless: warn, don't fail
        lenient = INDICATOR_KEYS if blockers else ()
        items = self.items(node, (kind, *extra, *lenient), f"in {what}")
        if blockers:
            for key in lenient:
                if key in items and key not in extra:
                    self.issue(items[key][0], f"'{key}' has no effect on a blocker", "warning")
        value_node = items[kind][1]
        value: str | list[dict[str, Any]] | None
        if kind == "pattern":
            value = self._pattern(value_node, what)
        else:
            raw = self.text(value_node, kind, allow_null=False)
            value = self._phrase(value_node, kind, raw, what) if raw is not None else None
        if value is None:
            return None
        ind = Indicator(kind, value, line=line, column=column, file=self.file)
        if "weight" in items and not blockers:
            weight = self.weight(items["weight"][1])
            if weight is not None:
                ind.weight = weight
        if "name" in items:
            ind.name = self.text(items["name"][1], "name")
        if "reason" in items and not blockers:
            reason = self.boolean(items["reason"][1], "reason")
            ind.reason = True if reason is None else reason
        if "scope" in items:
            scope = self.text(items["scope"][1], "scope")
            if scope in scopes:
                ind.scope = scope
            else:
                scope_node = items["scope"][1]
                allowed = ", ".join(scopes)
                self.issue(scope_node, f"scope must be one of {allowed}, not {_show(scope_node)}")
        if not blockers:
            for key in ("requires", "unless"):
                if key in items:
                    conditions = self.indicators(items[key][1], f"'{key}' of an indicator in {what}", blockers=True)
                    for cond in conditions:
                        if cond.scope != "token":
                            self.issue(items[key][1], f"'scope' has no effect in '{key}'", "warning")
                    setattr(ind, key, conditions)
            if "window" in items:
                window = self.integer(items["window"][1], "window", minimum=1)
                if window is not None:
                    ind.window = window
                if not ind.requires and not ind.unless:
                    self.issue(items["window"][0], "'window' has no effect without requires or unless", "warning")
            if "compound" in items:
                compound = self.boolean(items["compound"][1], "compound")
                ind.compound = True if compound is None else compound
        return ind

    def _phrase(self, node: Node, kind: str, raw: str, what: str) -> str | None:
        tokens = raw.split()
        if not tokens:
            self.issue(node, f"empty {kind} in {what}")
            return None
        for tok in tokens:
            if "*" in tok[:-1] or tok == "*":
                hint = "'*' may only end a token (a prefix such as uitstroom*)"
                self.issue(node, f"bad {kind} '{raw}' in {what}: {hint}")
                return None
        value = " ".join(tokens)
        return value.lower() if kind == "phrase" else value

    def _pattern(self, node: Node, what: str) -> list[dict[str, Any]] | None:
        if not isinstance(node, SequenceNode) or not node.value:
            self.issue(node, f"pattern in {what} must be a non-empty list of token mappings")
            return None
        value = self.value(node)
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            self.issue(node, f"pattern in {what} must be a list of token mappings such as {{LOWER: geen}}")
            return None
        return value


def _kind(node: Node) -> str:
    return {MappingNode: "mapping", SequenceNode: "list"}.get(type(node), "value")


def _show(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return repr(node.value) if node.value != "" else "empty"
    return f"a {_kind(node)}"


# --------------------------------------------------------------------------------------
# codebook files
# --------------------------------------------------------------------------------------


@dataclass
class _FileResult:
    file: str
    meta: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)  # only the keys the file sets
    codes: list[tuple[Code, Node]] = field(default_factory=list)  # with the id node for messages


class _Loader:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.results: list[_FileResult] = []  # every file once, main first
        self.seen: set[Path] = set()
        self.requires_nodes: list[tuple[Code, Node, NodeReader]] = []

    def load_file(self, path: Path, stack: list[tuple[Path, str]]) -> None:
        display, root = compose_file(path)
        resolved = path.resolve()
        self.seen.add(resolved)
        if root is None:
            raise InputError("the codebook is empty: expected a mapping with a `codes:` list", file=display)
        if not isinstance(root, MappingNode):
            line, col = NodeReader.pos(root)
            raise InputError(
                f"a codebook must be a mapping with a `codes:` list, not a {_kind(root)}",
                file=display,
                line=line,
                column=col,
            )
        r = NodeReader(display, self.issues)
        result = _FileResult(display)
        self.results.append(result)
        items = r.items(root, TOP_KEYS, "at the top level")
        if "codebook" in items:
            result.meta = self._meta(r, items["codebook"][1])
        if "rules" in items:
            result.rules = self._rules(r, items["rules"][1])
        if "codes" in items:
            node = items["codes"][1]
            if isinstance(node, SequenceNode):
                for child in node.value:
                    self._code(r, child, None, result)
            elif not r.is_null(node):
                r.issue(node, "codes must be a list of codes")
        else:
            self.issues.append(Issue(display, 1, 1, "the codebook has no `codes:` list"))
        if "include" in items:
            here = stack + [(resolved, display)]
            for entry_node, target in self._includes(r, items["include"][1], path):
                target_resolved = target.resolve()
                on_stack = [p for p, _ in here]
                line, col = NodeReader.pos(entry_node)
                if target_resolved in on_stack:
                    start = on_stack.index(target_resolved)
                    chain = " -> ".join([d for _, d in here[start:]] + [here[start][1]])
                    raise InputError(f"include cycle: {chain}", file=display, line=line, column=col)
                if target_resolved in self.seen:
                    continue  # included twice through different files: merge once
                if not target.is_file():
                    raise InputError(
                        f"included file not found: {entry_node.value} (looked for {target})",
                        file=display,
                        line=line,
                        column=col,
                    )
                self.load_file(target, here)

    def _includes(self, r: NodeReader, node: Node, path: Path) -> list[tuple[ScalarNode, Path]]:
        """`include:` entries (a list, or one file name) -> (entry node, path next to `path`)."""
        if r.is_null(node):
            return []
        if isinstance(node, ScalarNode):
            entries = [node]
        elif isinstance(node, SequenceNode):
            entries = node.value
        else:
            r.issue(node, "include must be a list of file names")
            return []
        out = []
        for entry in entries:
            name = r.text(entry, "an include entry", allow_null=False)
            if name and name.strip():
                out.append((entry, path.parent / name.strip()))
        return out

    def _meta(self, r: NodeReader, node: Node) -> dict[str, str]:
        if not isinstance(node, MappingNode):
            r.issue(node, "codebook must be a mapping (id, title, version, language, description)")
            return {}
        meta = {}
        for key, (_, value_node) in r.items(node, META_KEYS, "in codebook").items():
            value = r.text(value_node, f"codebook.{key}")
            if value is None:
                continue
            value = value.strip()
            if key == "id" and not CODEBOOK_ID_RE.match(value):
                r.issue(value_node, f"bad codebook id '{value}': use lower-case letters, digits, _ and -")
            meta[key] = value
        return meta

    def _rules(self, r: NodeReader, node: Node) -> dict[str, Any]:
        if r.is_null(node):
            return {}
        if not isinstance(node, MappingNode):
            r.issue(node, "rules must be a mapping")
            return {}
        out: dict[str, Any] = {}
        for key, (_, v) in r.items(node, RULE_KEYS, "in rules").items():
            if key == "reason_cues":
                out[key] = [c.lower() for c in r.texts(v, "reason_cues")]
            elif key in ("reason_window", "stance_window", "compound_min_head", "compound_min_part"):
                value = r.integer(v, key, minimum=1)
                if value is not None:
                    out[key] = value
            elif key == "reason_boost":
                boost = r.number(v, key)
                if boost is not None:
                    if boost >= 1:
                        out[key] = float(boost)
                    else:
                        r.issue(v, f"reason_boost must be at least 1, not {boost}")
            elif key in ("negation_weight", "foil_weight", "topic_cap"):
                factor = r.number(v, key)
                if factor is not None:
                    if 0 <= factor <= 1:
                        out[key] = float(factor)
                    else:
                        r.issue(v, f"{key} must be in [0, 1], not {factor}")
            elif key == "compounds":
                flag = r.boolean(v, key)
                if flag is not None:
                    out[key] = flag
            elif key == "lemmatizer":
                name = r.text(v, key)
                if name in LEMMATIZERS:
                    out[key] = name
                else:
                    r.issue(v, f"lemmatizer must be one of {', '.join(LEMMATIZERS)}, not {_show(v)}")
            elif key == "contrast":
                out[key] = r.indicators(v, "rules.contrast", blockers=True, scopes=CONTRAST_SCOPES)
                for ind in out[key]:
                    if ind.scope not in CONTRAST_SCOPES:
                        ind.scope = "before"
            elif key in ("negation", "scope_exceptions"):
                out[key] = r.indicators(v, f"rules.{key}", blockers=True)
            else:
                out[key] = r.indicators(v, f"rules.{key}")
        return out

    def _code(self, r: NodeReader, node: Node, parent: str | None, result: _FileResult) -> None:
        if not isinstance(node, MappingNode):
            r.issue(node, f"each code must be a mapping with at least id and label, not {_show(node)}")
            return
        written_id = r.peek(node, "id")
        if written_id and parent and "." not in written_id:
            written_id = f"{parent}.{written_id}"
        where = f"in code '{written_id}'" if written_id else "in a code"
        items = r.items(node, CODE_KEYS, where)
        line, _ = NodeReader.pos(node)
        if "id" not in items:
            r.issue(node, "code has no id" + (f" (under '{parent}')" if parent else ""))
            return
        id_node = items["id"][1]
        raw = (r.text(id_node, "id", allow_null=False) or "").strip()
        if not raw:
            return
        segments = raw.split(".")
        bad = [s for s in segments if not SEGMENT_RE.match(s)]
        if bad:
            r.issue(
                id_node,
                f"bad id segment '{bad[0]}' in '{raw}': segments are lower-case letters, digits and _, "
                "starting with a letter",
            )
        if "." in raw and (parent is None or raw.rsplit(".", 1)[0] == parent):
            full = raw
            parent_id: str | None = raw.rsplit(".", 1)[0]
        elif "." in raw:
            r.issue(
                id_node,
                f"id '{raw}' does not fit under its parent '{parent}' "
                f"(expected '{parent}.{segments[-1]}' or just '{segments[-1]}')",
            )
            full, parent_id = f"{parent}.{segments[-1]}", parent  # keep the tree consistent
        else:
            full = f"{parent}.{raw}" if parent else raw
            parent_id = parent
        code = Code(
            id=full,
            segment=segments[-1],
            parent=parent_id,
            label=r.label(items.get("label", (None, None))[1], node, f"code '{full}'"),
            source_file=r.file,
            line=line,
        )
        if "definition" in items:
            code.definition = (r.text(items["definition"][1], "definition") or "").strip()
        for key in ("include", "exclude", "examples"):
            if key in items:
                setattr(code, key, r.texts(items[key][1], key))
        if "color" in items:
            v = items["color"][1]
            if r.is_null(v):
                hint = 'quote it ("#4e79a7"): an unquoted # starts a YAML comment'
                r.issue(items["color"][0], f"color is empty; {hint}")
            else:
                color = r.text(v, "color")
                if color is not None and COLOR_RE.match(color.strip()):
                    code.color = color.strip().lower()
                elif color is not None:
                    r.issue(v, f"bad color '{color}': use #rrggbb, e.g. \"#4e79a7\"")
        if "memo" in items:
            memo = r.text(items["memo"][1], "memo")
            code.memo = memo.strip() if memo else None
        if "codable" in items:
            codable = r.boolean(items["codable"][1], "codable")
            code.codable = True if codable is None else codable
        if "indicators" in items:
            code.indicators = r.indicators(items["indicators"][1], f"the indicators of '{full}'")
        if "blockers" in items:
            code.blockers = r.indicators(items["blockers"][1], f"the blockers of '{full}'", blockers=True)
        if "requires" in items:
            code.requires = r.texts(items["requires"][1], "requires")
            self.requires_nodes.append((code, items["requires"][1], r))
        if "implies" in items:
            code.implies = self._implies(r, items["implies"][1], full)
        if code.codable and not code.definition:
            r.issue(node, f"code '{full}' has no definition (required for a codable code)")
        result.codes.append((code, id_node))
        if "children" in items:
            children = items["children"][1]
            if isinstance(children, SequenceNode):
                for child in children.value:
                    self._code(r, child, full, result)
            elif not r.is_null(children):
                r.issue(children, "children must be a list of codes")

    def _implies(self, r: NodeReader, node: Node, code_id: str) -> list[Implication]:
        """``implies:`` a list of ``{code, weight}`` mappings or code ids (weight 1)."""
        if r.is_null(node):
            return []
        entries = node.value if isinstance(node, SequenceNode) else [node]
        out: list[Implication] = []
        for entry in entries:
            line, column = NodeReader.pos(entry)
            imp: Implication | None = None
            if isinstance(entry, ScalarNode):
                target = r.text(entry, "an entry of implies", allow_null=False)
                if target:
                    imp = Implication(target.strip(), 1.0, line, column, r.file)
            elif isinstance(entry, MappingNode):
                items = r.items(entry, IMPLIES_KEYS, f"in implies of '{code_id}'")
                if "code" not in items:
                    r.issue(entry, f"an entry of implies of '{code_id}' has no code")
                    continue
                target = r.text(items["code"][1], "implies.code", allow_null=False)
                if not target:
                    continue
                imp = Implication(target.strip(), 1.0, line, column, r.file)
                if "weight" in items:
                    weight = r.weight(items["weight"][1])
                    if weight is not None:
                        imp.weight = weight
            else:
                r.issue(entry, f"each entry of implies must be a code id or a mapping with code and weight, "
                               f"not {_show(entry)}")
            if imp is None:
                continue
            if imp.code == code_id:
                r.issue(entry, f"'{code_id}' implies itself")
                continue
            if any(o.code == imp.code for o in out):
                r.issue(entry, f"'{code_id}' implies '{imp.code}' twice")
                continue
            out.append(imp)
        return out

    def _check_implies(self, first: dict[str, tuple[Code, Node]]) -> None:
        """Targets of ``implies`` exist; no chain of implications comes back to where it started."""
        for code, _ in first.values():
            kept = []
            for imp in code.implies:
                if imp.code not in first:
                    hint = difflib.get_close_matches(imp.code, list(first), n=1)
                    more = f"; did you mean '{hint[0]}'?" if hint else ""
                    self.issues.append(Issue(imp.file, imp.line, imp.column,
                                             f"'{code.id}' implies unknown code '{imp.code}'{more}"))
                    continue
                kept.append(imp)
            code.implies = kept
        # cycles: depth-first search; report each cycle once, at the implication that closes it
        state: dict[str, int] = {}  # 1 on the stack, 2 done
        reported: set[frozenset[str]] = set()

        def visit(cid: str, path: list[str]) -> None:
            state[cid] = 1
            code = first[cid][0]
            for imp in code.implies:
                if state.get(imp.code) == 1:
                    chain = path[path.index(imp.code):] + [cid, imp.code] if imp.code in path else [cid, imp.code]
                    key = frozenset(chain)
                    if key not in reported:
                        reported.add(key)
                        self.issues.append(Issue(imp.file, imp.line, imp.column,
                                                 f"implies cycle: {' -> '.join(chain)}"))
                elif state.get(imp.code) is None:
                    visit(imp.code, path + [cid])
            state[cid] = 2

        for cid in first:
            if state.get(cid) is None:
                visit(cid, [])
        if any("implies cycle" in i.message for i in self.issues):
            for code, _ in first.values():  # keep the engine safe: drop implications inside cycles
                code.implies = [i for i in code.implies if not _reaches(first, i.code, code.id)]

    # -- merge --------------------------------------------------------------------------
    def build(self) -> Codebook:
        main = self.results[0]
        meta = main.meta
        stem = Path(main.file).stem
        rules_kwargs: dict[str, Any] = {}
        for result in reversed(self.results):  # includes first, the main file overrides
            rules_kwargs.update(result.rules)
        cb = Codebook(
            id=meta.get("id") or codebook_id_from_name(stem),
            title=meta.get("title", stem),
            version=meta.get("version", ""),
            language=meta.get("language", "nl"),
            description=meta.get("description", ""),
            rules=RuleSettings(**rules_kwargs),
            files=[r.file for r in self.results],
        )
        first: dict[str, tuple[Code, Node]] = {}
        ordered: list[Code] = []
        for result in self.results:
            for code, id_node in result.codes:
                if code.id in first:
                    other, other_node = first[code.id]
                    line, col = NodeReader.pos(other_node)
                    self.issues.append(
                        Issue(
                            code.source_file,
                            *NodeReader.pos(id_node),
                            f"duplicate code id '{code.id}' "
                            f"(first defined at {other.source_file}:{line}:{col})",
                        )
                    )
                    continue
                first[code.id] = (code, id_node)
                ordered.append(code)
        for code in ordered:
            if code.parent is not None and code.parent not in first:
                _, id_node = first[code.id]
                self.issues.append(
                    Issue(
                        code.source_file,
                        *NodeReader.pos(id_node),
                        f"parent '{code.parent}' of '{code.id}' is not defined",
                    )
                )
                code.parent = None  # keep it reachable as a root
        for code, node, reader in self.requires_nodes:
            for req in code.requires:
                if req not in first:
                    reader.issue(node, f"'{code.id}' requires unknown code '{req}'")
        self._check_implies(first)
        # tree order: depth first from the roots, siblings in the order written
        kids: dict[str | None, list[Code]] = {}
        for code in ordered:
            kids.setdefault(code.parent, []).append(code)

        def walk(parent: str | None) -> None:
            for code in kids.get(parent, []):
                cb.codes[code.id] = code
                walk(code.id)

        walk(None)
        return cb


def _reaches(first: dict[str, tuple[Code, Node]], start: str, goal: str) -> bool:
    """True if ``goal`` can be reached from ``start`` by following implications."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        cid = stack.pop()
        if cid == goal:
            return True
        if cid in seen or cid not in first:
            continue
        seen.add(cid)
        stack.extend(i.code for i in first[cid][0].implies)
    return False


def read_codebook(path: str | Path) -> tuple[Codebook, list[Issue]]:
    """Load without judging: the codebook as far as it could be built, and every issue found.

    Raises :class:`InputError` only when loading is impossible (see the module docstring).
    """
    loader = _Loader()
    loader.load_file(Path(path), [])
    cb = loader.build()
    return cb, sort_issues(loader.issues, cb.files)


def sort_issues(issues: list[Issue], files: list[str]) -> list[Issue]:
    """By file (in the order the files were loaded), then line and column."""
    order = {f: i for i, f in enumerate(files)}
    return sorted(issues, key=lambda i: (order.get(i.file or "", len(order)), i.line or 0, i.column or 0))


def load_codebook(path: str | Path, *, check_patterns: bool = False) -> Codebook:
    """Load a codebook for use. Raises :class:`InputError` (exit 2) if it cannot be read and
    :class:`CodebookInvalid` (exit 1) if it has errors; warnings are not raised.

    ``check_patterns=True`` also checks spaCy Matcher patterns (imports spaCy: slower). The
    ``codebook validate`` command always does.
    """
    cb, issues = read_codebook(path)
    if check_patterns:
        issues = issues + pattern_issues(cb)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise CodebookInvalid(str(path), errors)
    return cb
