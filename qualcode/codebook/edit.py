"""Editing a codebook's YAML text for a rename, merge or move, and checking the edit.

Why text edits and not a YAML round trip: a codebook is a document researchers write by hand
and keep in git, full of comments that explain coding decisions. Re-serialising it (even with
a comment-preserving library) re-indents, re-wraps and re-quotes parts nobody touched. Here the
file is composed with PyYAML, which gives every node its exact character offsets, and only the
affected text is changed: an ``id:`` value, a ``requires:`` or ``implies:`` entry, or a code's block of lines cut
from one list and pasted (re-indented) into another. Everything else stays byte for byte.

Every edit is checked before anything is written: the edited files are loaded again (in a
temporary folder) and must validate, must hold exactly the expected code ids, and every code
must mean what it meant before (same labels, definition, indicators...). If not, the change is
refused. The project's typology file follows the new ids too. :func:`plan_rename`,
:func:`plan_move` and :func:`plan_merge` return a :class:`CodebookEdit` (the new texts and the
new codebook); :mod:`qualcode.coding.recode` writes it together with the data in one run.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qualcode.codebook.load import read_codebook
from qualcode.codebook.model import Code, Codebook, Label, is_under
from qualcode.codebook.resolve import resolve_code
from qualcode.errors import InputError

__all__ = ["CodebookEdit", "NewCode", "map_id", "new_code_id", "plan_add", "plan_delete", "plan_merge", "plan_move",
           "plan_rename", "plan_yaml_edit"]

ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
TOP_LEVEL = ("-", "")


@dataclass
class CodebookEdit:
    """A planned change of the codebook: which ids change, the new file texts, the new codebook.

    ``files`` maps each file to rewrite (codebook files, and the typology file when it names
    changed codes) to its new text; nothing is written here.
    """

    kind: str  # rename | merge | move | add | delete
    old: str  # "" for add
    new: str  # "" for delete
    ids: dict[str, str]  # every codebook id that changes: old -> new
    before: Codebook
    after: Codebook
    files: dict[str, str]


def plan_rename(
    cb: Codebook, old: str, new: str, *, root: Path, typology_path: str | Path | None = None
) -> CodebookEdit:
    """Give ``old`` (and everything under it) the id ``new``.

    ``new`` is the full new id. Usually only the last segment changes (``logic.market`` ->
    ``logic.markt``); a new id under another existing parent also moves the code.
    """
    resolve_code(cb, old, where=True)
    _check_id(new)
    if new == old:
        raise InputError(f"'{old}' already has that id")
    if new in cb.codes:
        raise InputError(f"there is already a code '{new}'")
    if is_under(new, old):
        raise InputError(f"'{new}' lies inside '{old}' itself: a code cannot be placed under itself")
    parent = _parent(new)
    if parent is not None and parent not in cb.codes:
        raise InputError(
            f"the parent '{parent}' of '{new}' does not exist; add it to the codebook first "
            f"(or rename to an id under an existing code)"
        )
    _check_free(cb, old, new)
    return _plan(cb, "rename", old, new, merge=False, root=root, typology_path=typology_path)


def plan_move(cb: Codebook, code: str, new_parent: str | None, *, root: Path,
              typology_path: str | Path | None = None) -> CodebookEdit:
    """Put ``code`` and its subtree under ``new_parent`` (``None``, ``""`` or ``"-"``: top
    level); its id changes accordingly."""
    resolve_code(cb, code, where=True)
    target = None if new_parent is None or new_parent.strip() in TOP_LEVEL else new_parent.strip()
    if target is not None:
        resolve_code(cb, target, where=True)
        if is_under(target, code):
            raise InputError(f"cannot move '{code}' under '{target}': that is inside '{code}' itself")
    if cb.codes[code].parent == target:
        where = f"under '{target}'" if target else "at the top level"
        raise InputError(f"'{code}' is already {where}")
    segment = cb.codes[code].segment
    new = f"{target}.{segment}" if target else segment
    if new in cb.codes:
        raise InputError(f"there is already a code '{new}'; rename one of them first")
    _check_free(cb, code, new)
    return _plan(cb, "move", code, new, merge=False, root=root, typology_path=typology_path)


def plan_merge(cb: Codebook, source: str, target: str, *, root: Path,
               typology_path: str | Path | None = None) -> CodebookEdit:
    """Merge ``source`` into ``target``: its children move under the target and ``source``
    leaves the codebook."""
    resolve_code(cb, source, where=True)
    resolve_code(cb, target, where=True)
    if source == target:
        raise InputError("cannot merge a code into itself")
    if is_under(target, source):
        raise InputError(f"cannot merge '{source}' into '{target}': the target lies inside the source")
    if cb.codes[source].codable and not cb.codes[target].codable:
        raise InputError(
            f"'{target}' is a grouping code (codable: false); codings of '{source}' cannot move to it"
        )
    _check_free(cb, source, target, skip_root=True)
    return _plan(cb, "merge", source, target, merge=True, root=root, typology_path=typology_path)


@dataclass
class NewCode:
    """A code to add (``qualcode codes add``, or a new code made while reviewing): what it says
    is what the new YAML block says. ``id`` is the full dotted id; its parent must exist."""

    id: str
    label: str
    label_en: str = ""  # empty: the Dutch label stands for both
    definition: str = ""
    examples: list[str] = field(default_factory=list)
    codable: bool = True

    def __post_init__(self) -> None:
        # one line each: a block written by a tool stays one readable line per key
        self.id = self.id.strip()
        self.label, self.label_en, self.definition = (" ".join(t.split()) for t in
                                                       (self.label, self.label_en, self.definition))
        self.examples = [" ".join(x.split()) for x in self.examples if x.strip()]

    def as_code(self) -> Code:
        return Code(id=self.id, segment=self.id.rsplit(".", 1)[-1], parent=_parent(self.id),
                    label=Label(self.label, self.label_en or self.label), definition=self.definition,
                    examples=list(self.examples), codable=self.codable)


def new_code_id(code: str, parent: str | None) -> str:
    """The full id of a code to add: ``code`` as given (a dotted id names its parent), or the
    segment ``code`` under ``parent`` (``None``, ``""`` or ``"-"``: none)."""
    code = code.strip()
    parent = None if parent is None or parent.strip() in TOP_LEVEL else parent.strip()
    if parent is None:
        return code
    if code.startswith(parent + ".") and "." not in code[len(parent) + 1:]:
        return code
    if "." in code:
        raise InputError(f"'{code}' is a dotted id, and --parent says '{parent}': give the full id without "
                         f"--parent, or only the last segment with it")
    return f"{parent}.{code}"


def plan_add(cb: Codebook, new: NewCode, *, root: Path) -> CodebookEdit:
    """Add ``new`` as the last child of its parent (or the last top-level code), in the file
    where the parent is written, indented like that file."""
    _check_id(new.id)
    if new.id in cb.codes:
        raise InputError(f"there is already a code '{new.id}' ({cb.codes[new.id].label.get(cb.language)})")
    parent = _parent(new.id)
    if parent is not None:
        resolve_code(cb, parent, where=True)
    if not new.label:
        raise InputError(f"'{new.id}' needs a label (--label)")
    if new.codable and not new.definition:
        raise InputError(f"'{new.id}' needs a definition (--definition TEXT): coders apply a code by its "
                         "definition; or make it a grouping code that is not applied (--grouping)")
    try:
        planner = _Planner(cb)
    except yaml.YAMLError as exc:  # the file changed since it was loaded
        raise InputError(f"cannot read the codebook YAML again: {exc}") from None
    planner.add(new)
    texts = _writable(planner.texts(), root)
    expected = dict(cb.codes) | {new.id: new.as_code()}
    after = _validate_edit(cb, texts, lambda before, now: _check_expected(before, now, expected, str))
    return CodebookEdit("add", "", new.id, {}, cb, after, texts)


def plan_delete(cb: Codebook, code: str, *, root: Path, typology_path: str | Path | None = None) -> CodebookEdit:
    """Take ``code`` out of the codebook YAML (with its comment lines). Refused when codes are
    under it, when another code requires it, or when the project's typology names it: each
    would be left pointing at nothing. Whether codings use it is for the caller (it has the data)."""
    resolve_code(cb, code, where=True)
    children = [c.id for c in cb.children(code)]
    if children:
        raise InputError(f"'{code}' has {len(children)} code(s) under it ({', '.join(children[:4])}"
                         f"{', ...' if len(children) > 4 else ''}); delete or move them first, or merge "
                         "it into another code (--merge-into CODE)")
    needs = [c.id for c in cb.codes.values() if code in c.requires]
    if needs:
        raise InputError(f"'{code}' is required by {', '.join(needs)} (requires:); change that first, or "
                         "merge it into another code (--merge-into CODE)")
    rolled = [c.id for c in cb.codes.values() if any(i.code == code for i in c.implies)]
    if rolled:
        raise InputError(f"'{code}' is implied by {', '.join(rolled)} (implies:); change that first, or "
                         "merge it into another code (--merge-into CODE)")
    found = _typology_refs(typology_path, root.resolve(), cb)
    if found is not None:
        lines = sorted({n.start_mark.line + 1 for n in found[2] if str(n.value).strip() == code})
        if lines:
            raise InputError(f"the typology names '{code}' (line {', '.join(map(str, lines))}); change the "
                             "typology first, or merge the code into another one (--merge-into CODE)",
                             file=_shown_path(found[0], root))
    try:
        planner = _Planner(cb)
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read the codebook YAML again: {exc}") from None
    planner.removed.append(planner.entry(code))
    texts = _writable(planner.texts(), root)
    expected = {k: v for k, v in cb.codes.items() if k != code}
    after = _validate_edit(cb, texts, lambda before, now: _check_expected(before, now, expected, str))
    return CodebookEdit("delete", code, "", {}, cb, after, texts)


def _writable(texts: dict[str, str], root: Path) -> dict[str, str]:
    """The new texts, if every file is inside the project (a shared codebook elsewhere is not ours to edit)."""
    for path in texts:
        if not _inside(Path(path), root.resolve()):
            raise InputError(
                f"the codebook file {path} is outside the project; copy it into codebooks/ and "
                "point qualcode.toml at the copy before changing codes",
            )
    return texts


def _shown_path(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def _plan(cb: Codebook, kind: str, old: str, new: str, *, merge: bool, root: Path,
          typology_path: str | Path | None) -> CodebookEdit:
    root = root.resolve()
    ids = {c.id: map_id(c.id, old, new) for c in cb.descendants(old)}
    new_texts = _writable(plan_yaml_edit(cb, old, new, merge=merge), root)
    new_cb = _validate_edit(cb, new_texts, lambda before, after: _check_meaning(before, after, old, new, merge=merge))
    files = dict(new_texts)
    typology = _typology_edit(typology_path, root, cb, ids)
    if typology is not None:
        files[str(typology[0])] = typology[1]
    return CodebookEdit(kind, old, new, ids, cb, new_cb, files)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def _parent(code_id: str) -> str | None:
    return code_id.rsplit(".", 1)[0] if "." in code_id else None


def _check_id(code_id: str) -> None:
    if not ID_RE.match(code_id):
        bad = next((s for s in code_id.split(".") if not re.match(r"^[a-z][a-z0-9_]*$", s)), code_id)
        raise InputError(
            f"bad code id '{code_id}': segment '{bad}' must be lower-case letters, digits and _, "
            "starting with a letter (dotted path, e.g. logic.market)"
        )


def _check_free(cb: Codebook, old: str, new: str, *, skip_root: bool = False) -> None:
    """Every id the subtree of ``old`` will get must be free."""
    for code in cb.descendants(old):
        if skip_root and code.id == old:
            continue
        moved = new + code.id[len(old):]
        if moved in cb.codes and not is_under(moved, old):
            raise InputError(
                f"'{code.id}' would become '{moved}', which already exists; rename or merge that code first"
            )


def map_id(code_id: str, old: str, new: str) -> str:
    """``old`` -> ``new`` on a dotted path (``old.x`` -> ``new.x``); other ids unchanged."""
    if is_under(code_id, old):
        return new + code_id[len(old):]
    return code_id


# --------------------------------------------------------------------------------------
# checking an edit: load the edited files from a scratch folder
# --------------------------------------------------------------------------------------


def _validate_edit(cb: Codebook, new_texts: dict[str, str], check: Callable[[Codebook, Codebook], None]) -> Codebook:
    """Load the codebook with the edited texts (from a temporary copy of its files) and check it.

    Returns the new codebook with the real file paths. InputError (nothing written) when the
    edited YAML does not load, has errors, or does not mean what the change intends
    (``check(before, after)`` raises).
    """
    originals = [Path(f).resolve() for f in cb.files]
    common = Path(os.path.commonpath([str(p.parent) for p in originals]))
    with tempfile.TemporaryDirectory(prefix="qualcode-edit-") as tmp:
        scratch = Path(tmp).resolve()
        back: dict[str, str] = {}
        by_resolved = {str(Path(k).resolve()): v for k, v in new_texts.items()}
        for display, real in zip(cb.files, originals):
            copy = scratch / real.relative_to(common)
            copy.parent.mkdir(parents=True, exist_ok=True)
            text = by_resolved.get(str(real))
            copy.write_text(text if text is not None else real.read_text(encoding="utf-8"), encoding="utf-8")
            back[str(copy)] = display

        def real_path(p: str | None) -> str | None:
            if p is None:
                return None
            resolved = str(Path(p).resolve())
            return back.get(resolved, back.get(p, p))

        try:
            new_cb, issues = read_codebook(scratch / originals[0].relative_to(common))
        except InputError as exc:
            where = real_path(str(exc.location.file)) if exc.location and exc.location.file else None
            raise InputError(f"the edited codebook would not load ({exc.message}); nothing was changed",
                             file=where, line=exc.location.line if exc.location else None) from None
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            lines = "\n".join(f"  {real_path(i.file)}:{i.line}:{i.column}: {i.message}" for i in errors)
            raise InputError(f"the edited codebook would have errors; nothing was changed:\n{lines}")
        _fix_paths(new_cb, real_path)
    check(cb, new_cb)
    return new_cb


def _fix_paths(cb: Codebook, real: Callable[[str | None], str | None]) -> None:
    cb.files = [real(f) or f for f in cb.files]
    indicators = [*cb.rules.negative_evaluation, *cb.rules.distancing]
    for code in cb.codes.values():
        code.source_file = real(code.source_file)
        indicators += [*code.indicators, *code.blockers]
    for ind in indicators:
        ind.file = real(ind.file)


_SAME = ("label", "definition", "include", "exclude", "examples", "codable", "color", "memo")


def _check_meaning(before: Codebook, after: Codebook, old: str, new: str, *, merge: bool) -> None:
    """The edited codebook must have exactly the expected ids, and every code must be the same
    code as before apart from its id (and the ids it requires or implies)."""
    expected: dict[str, Code] = {}
    for code in before.codes.values():
        if merge and code.id == old:
            continue
        expected[map_id(code.id, old, new)] = code
    _check_expected(before, after, expected, lambda code_id: map_id(code_id, old, new))


def _check_expected(before: Codebook, after: Codebook, expected: dict[str, Code],
                    mapped: Callable[[str], str]) -> None:
    """``after`` must hold exactly the codes of ``expected`` (new id -> the code as it should be,
    its old id mapped by ``mapped``), each with the same meaning, and the same rules."""
    problems: list[str] = []
    missing = sorted(set(expected) - set(after.codes))
    extra = sorted(set(after.codes) - set(expected))
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected {', '.join(extra)}")
    for new_id, was in expected.items():
        now = after.codes.get(new_id)
        if now is None:
            continue
        diffs = [k for k in _SAME if getattr(was, k) != getattr(now, k)]
        if [i.semantic() for i in was.indicators] != [i.semantic() for i in now.indicators]:
            diffs.append("indicators")
        if [b.semantic() for b in was.blockers] != [b.semantic() for b in now.blockers]:
            diffs.append("blockers")
        if [mapped(r) for r in was.requires] != now.requires:
            diffs.append("requires")
        if [(mapped(i.code), i.weight) for i in was.implies] != [(i.code, i.weight) for i in now.implies]:
            diffs.append("implies")
        if now.parent != _parent(new_id):
            diffs.append("parent")
        if diffs:
            problems.append(f"{new_id}: {', '.join(diffs)} changed")
    if before.rules.semantic() != after.rules.semantic():
        problems.append("rules changed")
    if problems:
        raise InputError(
            "could not edit the codebook YAML safely (" + "; ".join(problems[:5])
            + "); nothing was changed. Edit the file by hand, then run `qualcode codebook validate`."
        )


# --------------------------------------------------------------------------------------
# the typology file follows too
# --------------------------------------------------------------------------------------


def _typology_edit(typology_path: str | Path | None, root: Path, cb: Codebook,
                   ids: dict[str, str]) -> tuple[Path, str] | None:
    """The project's typology file with its code references renamed, if it names this codebook.

    Why: a typology refers to codes by id; after a rename it would no longer validate. A
    typology that cannot be read is left alone (``qualcode typology`` reports it).
    """
    found = _typology_refs(typology_path, root, cb) if ids else None
    if found is None:
        return None
    path, text, refs, newline = found
    edits = []
    for node in refs:
        value = str(node.value).strip()
        if value in ids and ids[value] != value:
            edits.append(_Edit(node.start_mark.index, node.end_mark.index, _scalar(node, ids[value])))
    if not edits:
        return None
    return path, _apply(text, edits).replace("\n", newline)


def _typology_refs(typology_path: str | Path | None, root: Path,
                   cb: Codebook) -> tuple[Path, str, list[ScalarNode], str] | None:
    """(path, text with LF line ends, the scalar nodes that name codes, the file's line end) of
    the project's typology file, if it is inside the project, readable and names this codebook."""
    path = typology_path
    if not path or not Path(path).is_file() or not _inside(Path(path), root):
        return None
    try:
        text, newline = read_exact(path)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(node, MappingNode):
        return None
    top = _pairs(node)
    meta = top.get("typology", (None, None))[1]
    named = _pairs(meta).get("codebook", (None, None))[1] if isinstance(meta, MappingNode) else None
    if not isinstance(named, ScalarNode) or not named.value:
        return None
    codebook_files = {str(Path(f).resolve()) for f in cb.files}
    if str((Path(path).parent / str(named.value).strip()).resolve()) not in codebook_files:
        return None
    refs: list[ScalarNode] = []

    def codes(value: Node | None) -> None:
        """One code id, or a list of them (``any_of``/``all_of``)."""
        if isinstance(value, ScalarNode):
            refs.append(value)
        elif isinstance(value, SequenceNode):
            refs.extend(n for n in value.value if isinstance(n, ScalarNode))

    def feature(node: Node) -> None:
        if isinstance(node, ScalarNode):
            refs.append(node)
        elif isinstance(node, MappingNode):
            pairs = _pairs(node)
            for key in ("code", "within", "any_of", "all_of"):
                codes(pairs.get(key, (None, None))[1])

    types = top.get("types", (None, None))[1]
    for type_node in types.value if isinstance(types, SequenceNode) else []:
        if not isinstance(type_node, MappingNode):
            continue
        for key in ("features", "against"):
            seq = _pairs(type_node).get(key, (None, None))[1]
            for item in seq.value if isinstance(seq, SequenceNode) else []:
                feature(item)
        requires = _pairs(type_node).get("requires", (None, None))[1]
        if isinstance(requires, MappingNode):
            for key in ("all_of", "any_of"):
                codes(_pairs(requires).get(key, (None, None))[1])
    profile = top.get("profile", (None, None))[1]
    aspects = _pairs(profile).get("aspects", (None, None))[1] if isinstance(profile, MappingNode) else None
    for aspect in aspects.value if isinstance(aspects, SequenceNode) else []:
        poles = _pairs(aspect).get("poles", (None, None))[1] if isinstance(aspect, MappingNode) else None
        if isinstance(poles, MappingNode):
            refs += [v for _, v in poles.value if isinstance(v, ScalarNode)]
    return Path(path), text, refs, newline


# --------------------------------------------------------------------------------------
# YAML text edits
# --------------------------------------------------------------------------------------


@dataclass
class _Edit:
    start: int
    end: int
    text: str
    order: int = 0  # several insertions at one point: lower first


@dataclass
class _Entry:
    """One code as written in one file."""

    id: str
    written: str  # the id as written (a segment, or a dotted full id)
    file: _File
    node: MappingNode
    id_node: ScalarNode
    seq: SequenceNode  # the list it is an item of
    container: tuple[str, str]  # ("top", file) or ("children", parent id)
    children_key: ScalarNode | None = None
    children: Node | None = None


class _File:
    def __init__(self, display: str) -> None:
        self.display = display
        text, self.newline = read_exact(display)
        self.text = text if text.endswith("\n") or not text else text + "\n"
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.lines = self.text.splitlines(keepends=True)
        self.root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        self.codes_seq: SequenceNode | None = None
        self.codes_key: ScalarNode | None = None
        self.codes_value: Node | None = None
        self.entries: list[_Entry] = []
        self.code_refs: list[ScalarNode] = []  # code ids in `requires:` and `implies:` (they follow a new id)
        if isinstance(self.root, MappingNode):
            self.codes_key, codes = _pairs(self.root).get("codes", (None, None))
            self.codes_value = codes
            if isinstance(codes, SequenceNode):
                self.codes_seq = codes
                for item in codes.value:
                    self._walk(item, None, ("top", display), codes)

    def _walk(self, node: Node, parent: str | None, container: tuple[str, str], seq: SequenceNode) -> None:
        if not isinstance(node, MappingNode):
            return
        pairs = _pairs(node)
        id_node = pairs.get("id", (None, None))[1]
        if not isinstance(id_node, ScalarNode):
            return
        written = str(id_node.value).strip()
        full = written if "." in written else (f"{parent}.{written}" if parent else written)
        key, children = pairs.get("children", (None, None))
        entry = _Entry(full, written, self, node, id_node, seq, container, key, children)
        self.entries.append(entry)
        requires = pairs.get("requires", (None, None))[1]
        if isinstance(requires, ScalarNode):
            self.code_refs.append(requires)
        elif isinstance(requires, SequenceNode):
            self.code_refs += [n for n in requires.value if isinstance(n, ScalarNode)]
        implies = pairs.get("implies", (None, None))[1]
        for item in implies.value if isinstance(implies, SequenceNode) else [implies] if implies else []:
            target = _pairs(item).get("code", (None, None))[1] if isinstance(item, MappingNode) else item
            if isinstance(target, ScalarNode):
                self.code_refs.append(target)
        if isinstance(children, SequenceNode):
            for child in children.value:
                self._walk(child, full, ("children", full), children)

    # -- positions ------------------------------------------------------------------------
    def line_of(self, index: int) -> int:
        return bisect.bisect_right(self.line_starts, index) - 1

    def line_start(self, line: int) -> int:
        return self.line_starts[line] if line < len(self.line_starts) else len(self.text)

    def is_blank(self, line: int) -> bool:
        return 0 <= line < len(self.lines) and not self.lines[line].strip()

    def comment_indent(self, line: int) -> int | None:
        """Indent of a comment-only line, else None."""
        if not 0 <= line < len(self.lines):
            return None
        stripped = self.lines[line].lstrip(" ")
        return len(self.lines[line]) - len(stripped) if stripped.startswith("#") else None

    def last_char(self, node: Node) -> int:
        """Index of the last character that belongs to ``node`` (not trailing space/comments)."""
        if isinstance(node, MappingNode) and not node.flow_style and node.value:
            return max(max(self.last_char(k), self.last_char(v)) for k, v in node.value)
        if isinstance(node, SequenceNode) and not node.flow_style and node.value:
            return max(self.last_char(v) for v in node.value)
        end = node.end_mark.index
        while end > node.start_mark.index and self.text[end - 1].isspace():
            end -= 1
        return max(end - 1, node.start_mark.index)

    def block(self, node: Node) -> tuple[int, int, int]:
        """(start, end, dash column) of a block-sequence item: from its comment lines just above
        (at the item's indent) to the end of its last line, plus comment lines inside it."""
        i = node.start_mark.index - 1
        while i >= 0 and self.text[i] in " \t\r\n":
            i -= 1
        if i < 0 or self.text[i] != "-":
            raise InputError("a code list is not a block list (`- id: ...` items); edit it by hand",
                             file=self.display, line=node.start_mark.line + 1)
        dash_line = self.line_of(i)
        dash_col = i - self.line_starts[dash_line]
        first = dash_line
        while first > 0 and self.comment_indent(first - 1) == dash_col:
            first -= 1
        last = self.line_of(self.last_char(node))
        while True:  # commented-out lines inside the block (deeper than its dash) belong to it
            indent = self.comment_indent(last + 1)
            if indent is None or indent <= dash_col:
                break
            last += 1
        return self.line_start(first), self.line_start(last + 1), dash_col

    def seq_end(self, seq: SequenceNode) -> tuple[int, int, str]:
        """Where to append to a block list: (index, dash column, separator between items)."""
        items = seq.value
        _, end, dash_col = self.block(items[-1])
        sep = ""
        if len(items) > 1:
            gap = self.text[self.block(items[0])[1] : self.block(items[1])[0]]
            if any(not line.strip() for line in gap.splitlines()):
                sep = "\n"
        return end, dash_col, sep


def read_exact(path: str | Path) -> tuple[str, str]:
    """A file's text with LF line ends, and the line end it was written with (``\r\n`` when it has
    any): an edit works on LF text and writes the file back with its own line ends, so a codebook
    kept with Windows line ends is not rewritten line by line."""
    raw = Path(path).read_bytes().decode("utf-8")
    return raw.replace("\r\n", "\n"), "\r\n" if "\r\n" in raw else "\n"


def _yaml_text(value: str) -> str:
    """``value`` as a one-line YAML scalar: plain when YAML reads it back as the same text,
    quoted otherwise (``ja``, ``12``, ``a: b``, a leading ``#``...)."""
    text = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=True)
    return text.removesuffix("\n...\n").removesuffix("\n")


def _empty(node: Node | None) -> bool:
    """An empty list value: nothing, ``null``/``~``, or ``[]``."""
    if isinstance(node, SequenceNode):
        return not node.value
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _pairs(node: MappingNode) -> dict[str, tuple[ScalarNode, Node]]:
    out: dict[str, tuple[ScalarNode, Node]] = {}
    for k, v in node.value:
        if isinstance(k, ScalarNode) and isinstance(k.value, str):
            out.setdefault(k.value, (k, v))
    return out


_RESOLVER = yaml.resolver.Resolver()


def _scalar(node: ScalarNode, value: str) -> str:
    """``value`` written in the style of ``node`` (plain stays plain unless YAML would read
    it as something other than text, e.g. ``null``)."""
    if node.style in ("'", '"'):
        return f"{node.style}{value}{node.style}"
    if _RESOLVER.resolve(ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
        return f'"{value}"'
    return value


def _reindent(text: str, delta: int) -> str:
    if delta == 0:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if not line.strip():
            out.append(line)
        elif delta > 0:
            out.append(" " * delta + line)
        else:
            spaces = len(line) - len(line.lstrip(" "))
            if spaces < -delta:
                raise InputError("cannot re-indent a code block (mixed indentation); edit the file by hand")
            out.append(line[-delta:])
    return "".join(out)


def _apply(text: str, edits: list[_Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end, e.order))
    out, pos = [], 0
    for e in ordered:
        if e.start < pos:
            raise InputError("could not edit the codebook YAML safely (overlapping edits); edit it by hand")
        out += [text[pos : e.start], e.text]
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


class _Planner:
    """Turns "code X gets id Y" into text edits of the codebook's files."""

    def __init__(self, cb: Codebook) -> None:
        self.cb = cb
        self.files: dict[str, _File] = {}
        self.entries: dict[str, _Entry] = {}
        for display in cb.files:
            f = _File(display)
            self.files[display] = f
            for entry in f.entries:
                self.entries.setdefault(entry.id, entry)
        self.scalars: dict[str, dict[int, _Edit]] = defaultdict(dict)  # file -> node start -> edit
        self.moves: list[tuple[_Entry, tuple[str, str]]] = []
        self.removed: list[_Entry] = []
        self.added: list[tuple[tuple[str, str], str]] = []  # (destination, block written at column 0)

    def set_scalar(self, f: _File, node: ScalarNode, value: str) -> None:
        if str(node.value).strip() != value:
            self.scalars[f.display][node.start_mark.index] = _Edit(
                node.start_mark.index, node.end_mark.index, _scalar(node, value)
            )

    def entry(self, code_id: str) -> _Entry:
        if code_id not in self.entries:
            raise InputError(f"cannot find where '{code_id}' is written in the codebook files; edit them by hand")
        return self.entries[code_id]

    def relocate(self, code_id: str, parent: str | None, segment: str) -> None:
        """``code_id`` gets the id ``parent.segment``; its block moves if its list changes."""
        e = self.entry(code_id)
        new_id = f"{parent}.{segment}" if parent else segment
        if parent is None:
            dest = ("top", e.file.display)
        elif parent in self.entries and self.entries[parent].file is e.file:
            dest = ("children", parent)
        else:  # the parent lives in another file: attach with a dotted id at this file's top level
            dest = ("top", e.file.display)
        if parent is not None and (dest[0] == "top" or "." in e.written):
            written = new_id
        else:
            written = segment
        if written != e.written:
            self.set_scalar(e.file, e.id_node, written)
        if dest != e.container:
            self.moves.append((e, dest))

    def plan(self, old: str, new: str, *, merge: bool) -> None:
        ids = {c.id: map_id(c.id, old, new) for c in self.cb.descendants(old)}
        roots: list[tuple[str, str | None, str]]
        if merge:
            roots = [(c.id, new, c.segment) for c in self.cb.children(old)]
            self.removed.append(self.entry(old))
        else:
            roots = [(old, _parent(new), new.rsplit(".", 1)[-1])]
        root_ids = {r[0] for r in roots}
        for code_id, new_id in ids.items():
            if code_id in root_ids or (merge and code_id == old):
                continue
            e = self.entry(code_id)
            if "." in e.written:
                self.set_scalar(e.file, e.id_node, new_id)
        for code_id, parent, segment in roots:
            self.relocate(code_id, parent, segment)
        for f in self.files.values():
            for node in f.code_refs:
                value = str(node.value).strip()
                if value in ids:
                    self.set_scalar(f, node, ids[value])

    def texts(self) -> dict[str, str]:
        edits: dict[str, list[_Edit]] = defaultdict(list)
        removals: dict[str, list[tuple[int, int]]] = defaultdict(list)
        inserts: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        gone: set[int] = set()  # id() of the mapping nodes cut out
        for e, dest in self.moves:
            start, end, dash_col = e.file.block(e.node)
            inner = [x for x in self.scalars[e.file.display].values() if start <= x.start and x.end <= end]
            for x in inner:
                del self.scalars[e.file.display][x.start]
            shifted = [_Edit(x.start - start, x.end - start, x.text) for x in inner]
            inserts[dest].append((_apply(e.file.text[start:end], shifted), dash_col))
            removals[e.file.display].append((start, end))
            gone.add(id(e.node))
        for dest, block in self.added:
            inserts[dest].append((block, 0))
        for e in self.removed:
            start, end, _ = e.file.block(e.node)
            removals[e.file.display].append((start, end))
            gone.add(id(e.node))
        # a children list that loses all its items (and gains none) loses its key too
        removed_ids = {e.id for e in self.removed}
        for e in self.entries.values():
            seq = e.children
            if (
                isinstance(seq, SequenceNode) and seq.value and e.id not in removed_ids
                and ("children", e.id) not in inserts and all(id(n) in gone for n in seq.value)
            ):
                f = e.file
                children_key = e.children_key
                assert children_key is not None  # read together with e.children
                key_start = f.line_start(children_key.start_mark.line)
                end = max(f.block(n)[1] for n in seq.value)
                removals[f.display].append((key_start, end))
        for display, spans in removals.items():
            f = self.files[display]
            spans = sorted(set(spans), key=lambda s: (s[0], -s[1]))
            kept: list[tuple[int, int]] = []
            for s, t in spans:
                if kept and kept[-1][0] <= s and t <= kept[-1][1]:
                    continue  # inside a larger cut
                kept.append((s, t))
            for s, t in kept:
                # a blank line before and after the cut: take one of them along
                line = f.line_of(s)
                if f.is_blank(line - 1) and (f.is_blank(f.line_of(t)) or t >= len(f.text)):
                    s = f.line_start(line - 1)
                edits[display].append(_Edit(s, t, ""))
            for x in list(self.scalars[display].values()):
                if any(s <= x.start and x.end <= t for s, t in kept):
                    del self.scalars[display][x.start]
        for display, xs in self.scalars.items():
            edits[display] += xs.values()
        for n, (dest, blocks) in enumerate(inserts.items()):
            display, edit = self._insert(dest, blocks, edits)
            edit.order = n
            edits[display].append(edit)
        return {display: _apply(self.files[display].text, xs).replace("\n", self.files[display].newline)
                for display, xs in edits.items() if xs}

    def add(self, new: NewCode) -> None:
        """Append ``new`` as the last child of its parent (as the last top-level code of the main
        file when it has none), written in the style of the file it goes into."""
        parent = _parent(new.id)
        if parent is None:
            dest, f = ("top", self.cb.files[0]), self.files[self.cb.files[0]]
        else:
            dest, f = ("children", parent), self.entry(parent).file
        self.added.append((dest, self._block(f, new)))

    def _block(self, f: _File, new: NewCode) -> str:
        """The YAML of a new code as a block-list item at column 0, indented like ``f``: the
        keys as far from the dash as its codes' keys, lists as deep as its `children:` lists,
        labels as flow mappings (``{nl: .., en: ..}``) unless the file writes them as blocks."""
        key_gap, map_gap, flow, block = 2, 2, 0, 0
        for e in f.entries:
            if e.node.flow_style:
                continue
            try:
                key_gap = e.node.start_mark.column - f.block(e.node)[2]
            except InputError:
                continue
            break
        for e in f.entries:
            key, label = _pairs(e.node).get("label", (None, None))
            if isinstance(label, MappingNode):
                flow, block = flow + bool(label.flow_style), block + (not label.flow_style)
                if not label.flow_style and label.value and block == 1:
                    map_gap = max(1, label.value[0][0].start_mark.column - key.start_mark.column)
        pad, deeper = " " * key_gap, " " * (key_gap + self._child_indent(f))
        lines = ["-" + " " * (key_gap - 1) + f"id: {_yaml_text(new.id.rsplit('.', 1)[-1])}"]
        if block > flow:
            nested = " " * (key_gap + map_gap)
            lines += [f"{pad}label:", f"{nested}nl: {_yaml_text(new.label)}",
                      f"{nested}en: {_yaml_text(new.label_en or new.label)}"]
        else:
            label = yaml.safe_dump({"nl": new.label, "en": new.label_en or new.label}, default_flow_style=True,
                                   sort_keys=False, allow_unicode=True, width=1_000_000).strip()
            lines.append(f"{pad}label: {label}")
        if not new.codable:
            lines.append(f"{pad}codable: false")
        if new.definition:
            lines.append(f"{pad}definition: {_yaml_text(new.definition)}")
        if new.examples:
            lines.append(f"{pad}examples:")
            lines += [f"{deeper}- {_yaml_text(x)}" for x in new.examples]
        return "\n".join(lines) + "\n"

    def _child_indent(self, f: _File) -> int:
        """How much deeper than its parent's keys this file writes a `children:` list's dashes."""
        for e in f.entries:
            if isinstance(e.children, SequenceNode) and e.children.value and not e.children.flow_style:
                return f.block(e.children.value[0])[2] - e.node.start_mark.column
        return 2

    @staticmethod
    def _empty_list(f: _File, key: ScalarNode, value: Node | None, edits: dict[str, list[_Edit]]) -> int:
        """Make an empty list value (``key:``, ``key: []``, ``key: null``) ready for block items:
        the value text goes (``key:`` stays, with any comment after it), items start on the next line."""
        if value is not None and value.end_mark.index > value.start_mark.index:
            edits[f.display].append(_Edit(key.end_mark.index, value.end_mark.index, ":"))
        return f.line_start(f.line_of(key.end_mark.index) + 1)

    def _insert(
        self, dest: tuple[str, str], blocks: list[tuple[str, int]], edits: dict[str, list[_Edit]]
    ) -> tuple[str, _Edit]:
        kind, ref = dest
        header = ""
        if kind == "top":
            f = self.files[ref]
            value = f.codes_value
            if isinstance(value, SequenceNode) and value.value and not value.flow_style:
                point, dash_col, sep = f.seq_end(value)
            elif f.codes_key is not None and _empty(value):  # `codes:`, `codes: []` or `codes: null`
                point = self._empty_list(f, f.codes_key, value, edits)
                dash_col, sep = f.codes_key.start_mark.column + self._child_indent(f), ""
            else:
                raise InputError("the `codes:` list is not a block list; edit the file by hand", file=f.display)
        else:
            parent = self.entry(ref)
            f = parent.file
            where = dict(file=f.display, line=parent.node.start_mark.line + 1)
            if parent.node.flow_style:
                raise InputError(f"'{ref}' is written in flow style ({{...}}); edit the file by hand", **where)
            children = parent.children
            key_col = parent.node.start_mark.column
            if isinstance(children, SequenceNode) and children.value:
                if children.flow_style:
                    raise InputError(f"the children of '{ref}' are a flow list ([...]); edit the file by hand", **where)
                point, dash_col, sep = f.seq_end(children)
            elif children is None:
                point = f.block(parent.node)[1]
                dash_col, sep = key_col + self._child_indent(f), ""
                header = " " * key_col + "children:\n"
            else:  # `children:` empty, `children: []` or `children: null`
                key = parent.children_key
                assert key is not None  # read together with parent.children
                point = self._empty_list(f, key, children, edits)
                dash_col, sep = key_col + self._child_indent(f), ""
        text = header + "".join(sep + _reindent(block, dash_col - col) for block, col in blocks)
        return f.display, _Edit(point, point, text)


def plan_yaml_edit(cb: Codebook, old: str, new: str, *, merge: bool = False) -> dict[str, str]:
    """The new text of every codebook file that changes when ``old`` becomes ``new``.

    ``merge=True``: ``old`` is removed and its children go under the existing ``new``.
    Returns {file (as in ``cb.files``): text}. Nothing is written; the texts are not checked
    here (``_validate_edit`` does that).
    """
    try:
        planner = _Planner(cb)
    except yaml.YAMLError as exc:  # the file changed since it was loaded
        raise InputError(f"cannot read the codebook YAML again: {exc}") from None
    planner.plan(old, new, merge=merge)
    return planner.texts()
