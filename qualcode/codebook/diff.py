"""``qualcode codebook diff A B``: what changed between two codebook versions.

Codes are matched by id. A code that disappeared from A and a code that appeared in B with
the same definition (non-empty), or else the same labels, are reported as one rename or
move, not as a removal plus an addition: that is the change ``codes rename``/``codes move``
would make, and codings can follow it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qualcode.codebook.model import Code, Codebook

# compared per code, in this order
FIELDS = (
    "label", "definition", "include", "exclude", "examples", "codable", "indicators", "blockers", "color",
)


@dataclass
class Change:
    """One difference. ``kind``: added | removed | renamed (new segment, same parent) |
    moved (new parent; the segment may change too) | changed (``field`` of ``code``)."""

    kind: str
    code: str  # the id in A (for added: the id in B)
    new_code: str | None = None  # renamed/moved: the id in B
    field: str | None = None
    old: Any = None
    new: Any = None

    def to_row(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "new_code": self.new_code,
            "field": self.field,
            "old": _show(self.old),
            "new": _show(self.new),
        }


def to_rows(changes: list[Change]) -> list[dict[str, Any]]:
    """Flat rows (kind, code, new_code, field, old, new) for table/json/csv output."""
    return [c.to_row() for c in changes]


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _value(code: Code, field: str) -> Any:
    if field == "label":
        return {"nl": code.label.nl, "en": code.label.en}
    if field in ("indicators", "blockers"):
        return [i.semantic() for i in getattr(code, field)]
    return getattr(code, field)


def _pair_renames(removed: list[Code], added: list[Code]) -> list[tuple[Code, Code]]:
    """Match removed to added codes: same definition first, then same labels; one to one."""
    pairs: list[tuple[Code, Code]] = []
    free = list(added)
    for same in (
        lambda a, b: bool(a.definition) and a.definition == b.definition and a.label == b.label,
        lambda a, b: bool(a.definition) and a.definition == b.definition,
        lambda a, b: a.label == b.label and bool(a.label.nl or a.label.en),
    ):
        for old in removed:
            if any(old is p[0] for p in pairs):
                continue
            match = next((new for new in free if same(old, new)), None)
            if match is not None:
                pairs.append((old, match))
                free.remove(match)
    return pairs


def diff_codebooks(a: Codebook, b: Codebook) -> list[Change]:
    """Changes from ``a`` to ``b``: removed, added, renamed/moved, then field changes, each
    group in tree order."""
    removed = [c for c in a.codes.values() if c.id not in b.codes]
    added = [c for c in b.codes.values() if c.id not in a.codes]
    pairs = _pair_renames(removed, added)
    paired_old = {old.id for old, _ in pairs}
    paired_new = {new.id for _, new in pairs}

    changes: list[Change] = []
    changes += [Change("removed", c.id) for c in removed if c.id not in paired_old]
    changes += [Change("added", c.id) for c in added if c.id not in paired_new]
    for old, new in pairs:
        if old.parent != new.parent:
            changes.append(Change("moved", old.id, new.id, field="parent", old=old.parent, new=new.parent))
        else:
            changes.append(Change("renamed", old.id, new.id))
    matched = [(c, b.codes[c.id]) for c in a.codes.values() if c.id in b.codes] + pairs
    for old, new in matched:
        for field in FIELDS:
            before, after = _value(old, field), _value(new, field)
            if before != after:
                renamed_to = new.id if new.id != old.id else None
                changes.append(Change("changed", old.id, renamed_to, field=field, old=before, new=after))
    if a.rules.semantic() != b.rules.semantic():
        sa, sb = a.rules.semantic(), b.rules.semantic()
        for key in sa:
            if sa[key] != sb[key]:
                changes.append(Change("changed", "(rules)", field=key, old=sa[key], new=sb[key]))
    return changes
