"""Codebook changes that keep the work done with them: add, delete, rename, merge and move codes.

``add_code``, ``delete_code``, ``rename_code``, ``merge_codes`` and ``move_code`` each make ONE run
(kinds ``add``, ``delete``, ``rename``, ``merge``, ``move``) that

1. edits the codebook YAML file(s) that define the code (planned and checked by
   :mod:`qualcode.codebook.edit`), written through ``Store.write_file`` so ``qualcode runs undo``
   restores the file together with the database;
2. moves every coding, suggestion and code memo of the code and of every code under it (ids are
   dotted paths: renaming ``logic.market`` to ``logic.markt`` renames ``logic.market.x`` too);
3. records the new codebook version (and the old one) in the ``codebooks`` table.

A code is deleted only when nothing uses it (no coding, suggestion or code under it); otherwise
the way out is to merge it into another code, so the work done with it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qualcode.codebook.edit import (
    CodebookEdit,
    NewCode,
    map_id,
    plan_add,
    plan_delete,
    plan_merge,
    plan_move,
    plan_rename,
)
from qualcode.codebook.load import load_codebook
from qualcode.codebook.model import is_under
from qualcode.errors import InputError
from qualcode.store import Store

__all__ = ["CodeChange", "add_code", "apply_codebook_edit", "delete_code", "merge_codes", "move_code", "rename_code"]


@dataclass
class CodeChange:
    """What a rename, merge or move did (the CLI prints it; ``--format json`` dumps ``to_dict``)."""

    kind: str  # add | delete | rename | merge | move
    run_id: int
    old: str  # the code renamed/moved/deleted, or the merge source ("" for add)
    new: str  # its new id, the merge target, or the added code ("" for delete)
    ids: dict[str, str]  # every codebook id that changed: old -> new (merge: source -> target too)
    codings: int = 0  # codings that now carry the new code
    duplicates: int = 0  # codings deleted because the target already had an identical one (merge)
    suggestions: int = 0
    duplicate_suggestions: int = 0  # open suggestions deleted as identical to one of the target
    memos: int = 0  # memos on the code (target_kind 'code') moved along (delete: deleted with it)
    files: list[str] = field(default_factory=list)  # YAML files rewritten
    old_hash: str = ""
    new_hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rename_code(store: Store, codebook_path: str | Path, old: str, new: str, *, root: Path, user: str,
                typology_path: str | Path | None = None) -> CodeChange:
    """Give ``old`` (and everything under it) the id ``new``; one run of kind ``rename``
    (see :func:`qualcode.codebook.edit.plan_rename`)."""
    edit = plan_rename(load_codebook(codebook_path), old, new, root=root, typology_path=typology_path)
    return _apply_change(store, edit, root=root, user=user)


def move_code(store: Store, codebook_path: str | Path, code: str, new_parent: str | None, *, root: Path,
              user: str, typology_path: str | Path | None = None) -> CodeChange:
    """Put ``code`` and its subtree under ``new_parent`` (``None``, ``""`` or ``"-"``: top
    level); its id changes accordingly. One run of kind ``move``."""
    edit = plan_move(load_codebook(codebook_path), code, new_parent, root=root, typology_path=typology_path)
    return _apply_change(store, edit, root=root, user=user)


def merge_codes(store: Store, codebook_path: str | Path, source: str, target: str, *, root: Path, user: str,
                typology_path: str | Path | None = None) -> CodeChange:
    """Merge ``source`` into ``target``: its codings, suggestions and memos become the
    target's (an identical coding of the same coder, transcript, start and end is not
    duplicated), its children move under the target, and ``source`` leaves the codebook.
    One run of kind ``merge``."""
    edit = plan_merge(load_codebook(codebook_path), source, target, root=root, typology_path=typology_path)
    return _apply_change(store, edit, root=root, user=user)


def add_code(store: Store, codebook_path: str | Path, new: NewCode, *, root: Path, user: str,
             typology_path: str | Path | None = None) -> CodeChange:
    """Add a code to the codebook YAML (see :func:`qualcode.codebook.edit.plan_add`); one run of
    kind ``add``, so ``runs undo`` takes it out again. ``typology_path`` is unused (a new code is
    in no typology yet); it is accepted so every change is called alike."""
    edit = plan_add(load_codebook(codebook_path), new, root=root)
    return _apply_change(store, edit, root=root, user=user)


def delete_code(store: Store, codebook_path: str | Path, code: str, *, root: Path, user: str,
                typology_path: str | Path | None = None, merge_into: str | None = None) -> CodeChange:
    """Take ``code`` out of the codebook; one run of kind ``delete``. Refused while any coding
    (of any coder, also orphaned ones) or suggestion (any status) carries it: deleting would
    leave them naming a code that no longer exists. ``merge_into``: merge it into that code
    instead (:func:`merge_codes`), which keeps them. Memos written on the code go with it
    (counted in ``memos``; undo brings them back)."""
    if merge_into:
        return merge_codes(store, codebook_path, code, merge_into, root=root, user=user, typology_path=typology_path)
    cb = load_codebook(codebook_path)
    if code in cb.codes:
        used = store.code_usage(code)
        parts = []
        if used["codings"]:
            by = ", ".join(f"{c} {n}" for c, n in sorted(used["codings"].items()))
            parts.append(f"{sum(used['codings'].values())} coding(s) ({by})")
        if used["suggestions"]:
            parts.append(f"{used['suggestions']} suggestion(s)")
        if parts:
            raise InputError(f"'{code}' is in use: {' and '.join(parts)}; merge it into another code instead "
                             f"(qualcode codes delete {code} --merge-into OTHER), so that work is kept")
    edit = plan_delete(cb, code, root=root, typology_path=typology_path)
    return _apply_change(store, edit, root=root, user=user, data=_delete_memos)


def apply_codebook_edit(store: Store, edit: CodebookEdit, *, root: Path, user: str) -> CodeChange:
    """Write a planned edit that moves no data (an added code) inside the caller's run: the
    review screen adds a code and codes the turn with it as ONE run, so undo takes back both."""
    return _apply_change(store, edit, root=root, user=user, data=None)


def _delete_memos(store: Store, edit: CodebookEdit, result: CodeChange) -> None:
    """Memos on a deleted code go with it (they are journaled: undo restores them)."""
    for memo in store.query_memos("code", edit.old):
        store.delete("memos", {"id": memo["id"]})
        result.memos += 1


def _move_edit_data(store: Store, edit: CodebookEdit, result: CodeChange) -> None:
    _move_data(store, edit.old, edit.new, edit.after.hash, result)


def _apply_change(store: Store, edit: CodebookEdit, *, root: Path, user: str,
                  data: Callable[[Store, CodebookEdit, CodeChange], None] | None = _move_edit_data) -> CodeChange:
    """Write the edited files and change the data (``data``: codings, suggestions and memos
    follow a rename, merge or move) in one run."""
    root = root.resolve()
    cb, new_cb = edit.before, edit.after
    params = {"code": edit.old, "new": edit.new, "codebook": cb.hash}
    result = CodeChange(edit.kind, 0, edit.old, edit.new, edit.ids, old_hash=cb.hash, new_hash=new_cb.hash)
    with store.run(edit.kind, user, params, new_cb.hash) as run_id:
        result.run_id = run_id
        store.remember_codebook(cb.hash, cb.id, ",".join(cb.files), cb.to_dict())
        store.remember_codebook(new_cb.hash, new_cb.id, ",".join(new_cb.files), new_cb.to_dict())
        for path, text in edit.files.items():
            store.write_file(path, text)
            result.files.append(_shown(path, root))
        if data is not None:
            data(store, edit, result)
        store.set_run_summary(
            run_id,
            {k: getattr(result, k) for k in ("codings", "duplicates", "suggestions", "duplicate_suggestions", "memos")}
            | {"files": result.files},
        )
    return result


def _shown(path: str | Path, root: Path) -> str:
    """A file as the user knows it: relative to the project folder."""
    try:
        return str(Path(path).resolve().relative_to(root))
    except ValueError:
        return str(path)


def _move_data(store: Store, old: str, new: str, new_hash: str, result: CodeChange) -> None:
    """Codings, suggestions and code memos of ``old`` and its subtree follow to ``new``."""
    for row in sorted(store.query_codings(code_prefix=old, status=None), key=lambda r: r["id"]):
        code = map_id(row["code"], old, new)
        if row["status"] == "active":
            twin = store.find_coding(row["coder"], code, row["transcript_id"], row["start"], row["end"])
            if twin is not None and twin != row["id"]:
                _fold_coding(store, row, twin)
                result.duplicates += 1
                continue
        store.update("codings", {"id": row["id"]}, {"code": code, "codebook_hash": new_hash})
        result.codings += 1
    for row in sorted(store.query_suggestions(code_prefix=old), key=lambda r: r["id"]):
        code = map_id(row["code"], old, new)
        if row["status"] == "open":
            twin = store.find_suggestion(row["engine"], code, row["fragment_id"], row["start"], row["end"])
            if twin is not None and twin != row["id"]:
                store.delete("suggestions", {"id": row["id"]})
                result.duplicate_suggestions += 1
                continue
        store.update("suggestions", {"id": row["id"]}, {"code": code, "codebook_hash": new_hash})
        result.suggestions += 1
    for memo in store.query_memos("code"):
        if memo["target_id"] and is_under(memo["target_id"], old):
            store.update("memos", {"id": memo["id"]}, {"target_id": map_id(memo["target_id"], old, new)})
            result.memos += 1


def _fold_coding(store: Store, row: dict[str, Any], twin_id: int) -> None:
    """Delete a coding that duplicates ``twin_id``, keeping what only it had: its memo, its
    stance (when the twin has none) and memos written on it."""
    twin = store.get("codings", {"id": twin_id}) or {}
    changes: dict[str, Any] = {}
    if row.get("memo") and row["memo"] != twin.get("memo"):
        changes["memo"] = f"{twin['memo']}\n\n{row['memo']}" if twin.get("memo") else row["memo"]
    if row.get("stance") and not twin.get("stance"):
        changes["stance"] = row["stance"]
    if changes:
        store.update("codings", {"id": twin_id}, changes)
    for memo in store.query_memos("coding", str(row["id"])):
        store.update("memos", {"id": memo["id"]}, {"target_id": str(twin_id)})
    store.delete("codings", {"id": row["id"]})
