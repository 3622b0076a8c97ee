"""Code hierarchy from tag names: ``logic.bureaucratic`` and ``logic/professional/care``.

Why a module of its own: Taguette has no nesting. Its codebook (QDC or CSV) is a flat list of
tags, and a tag's place in a hierarchy is only in its name, written with dots
(``logic.bureaucratic``) or slashes (``logic/professional``); Taguette shows and filters tags
by these prefixes. Read flat, the hierarchy was lost (``logic_bureaucratic``). Both the QDC
reader (:mod:`qualcode.refi.qdc`) and the Taguette files (:mod:`qualcode.refi.taguette`) build
codebooks and code ids the same way through here.

The rule: a tag name is split on ``.`` and on ``/``; empty parts (``a..b``, ``/a``) are
dropped; each part becomes an id segment (ASCII-folded slug, :func:`slugify`) and keeps its own
text as label. A prefix that is not itself a tag (``logic`` when only ``logic.bureaucratic``
and ``logic/professional`` exist) becomes a parent code that is not codable, so the tree is
whole and nothing can be coded with a tag that did not exist. Two tags that give the same id
(``Logic.X`` and ``logic/x``) are told apart with ``_2``, ``_3``...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.codebook.model import Code, Codebook, Label, slugify

__all__ = ["TAG_SEPARATORS", "Tag", "codebook_from_tags", "tag_code_id", "tag_segments"]

TAG_SEPARATORS = "./"
_SPLIT = re.compile(r"[./]")


@dataclass
class Tag:
    """A tag as another tool lists it: its full name (path) and description."""

    path: str
    description: str = ""
    line: int | None = None
    codable: bool = True
    color: str | None = None


def tag_segments(path: str) -> list[str]:
    """The parts of a tag name, in order (``"logic/professional.care"`` -> three parts)."""
    return [part.strip() for part in _SPLIT.split(path) if part.strip()]


def tag_code_id(path: str) -> str:
    """The code id a tag name gives when nothing collides (``"Logic/Professional care"`` ->
    ``logic.professional_care``)."""
    return ".".join(slugify(part) for part in tag_segments(path)) or slugify(path)


def codebook_from_tags(tags: list[Tag], cb: Codebook, *, source_file: str | None = None) -> dict[str, str]:
    """Add a code for every tag (and a non-codable parent for every prefix that is no tag) to
    ``cb``, in the tags' order; returns tag name -> code id."""
    ids: dict[str, str] = {}
    made_as_parent: set[str] = set()
    for tag in tags:
        if tag.path in ids:
            continue  # a tag listed twice: the first wins (Taguette's own import does the same)
        parts = tag_segments(tag.path) or [tag.path.strip() or "code"]
        parent: str | None = None
        for depth, part in enumerate(parts):
            base = (f"{parent}." if parent else "") + slugify(part)
            last = depth == len(parts) - 1
            if not last:
                if base not in cb.codes:
                    cb.codes[base] = Code(id=base, segment=base.rsplit(".", 1)[-1], parent=parent,
                                          label=Label(nl=part, en=part), codable=False, source_file=source_file,
                                          line=tag.line)
                    made_as_parent.add(base)
                parent = base
                continue
            if base in made_as_parent:  # a tag that an earlier tag already implied as a parent
                code = cb.codes[base]
                code.codable, code.definition, code.line = tag.codable, tag.description.strip(), tag.line
                code.label, code.color = Label(nl=part, en=part), tag.color
                made_as_parent.discard(base)
                code_id = base
            else:
                code_id, n = base, 2
                while code_id in cb.codes:
                    code_id, n = f"{base}_{n}", n + 1
                cb.codes[code_id] = Code(id=code_id, segment=code_id.rsplit(".", 1)[-1], parent=parent,
                                         label=Label(nl=part, en=part), definition=tag.description.strip(),
                                         codable=tag.codable, color=tag.color, source_file=source_file,
                                         line=tag.line)
            ids[tag.path] = code_id
    return ids
