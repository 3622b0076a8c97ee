"""Plain-text (.txt) and Markdown (.md) transcripts.

The plain format is the reference: front matter, then ``Label: text`` lines (the label rules
are in :mod:`qualcode.transcripts.labels`), with a header before the first turn allowed (see
:mod:`qualcode.transcripts.preamble`). A .txt written by a transcription service (Otter,
Zoom's saved captions, Descript/Rev) is recognised by its block lines
(:mod:`qualcode.transcripts.services`). In .md, headings and rules after the first turn are
skipped; before it they are header text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualcode.errors import InputError
from qualcode.transcripts.body import BodyRead, read_body
from qualcode.transcripts.frontmatter import FrontMatter, split_front_matter_lines
from qualcode.transcripts.labels import (
    SourceLine,
    SourceTurn,
    SpeakerLabels,
    build_turns,
    is_interviewer_label,
    is_md_heading,
    match_label,
)

# SourceTurn, is_interviewer_label and match_label lived here before the label rules moved to
# qualcode.transcripts.labels; the REFI-QDA reader still imports them from here.
__all__ = ["SourceTurn", "is_interviewer_label", "match_label", "read_plain", "read_plain_body"]


def read_plain_body(
    text: str, file: str | Path | None, known: SpeakerLabels, *, markdown: bool = False
) -> tuple[FrontMatter, BodyRead]:
    """Read the canonical text of a .txt or .md transcript: front matter and body. ``known``:
    interviewer labels and speakers named outside the file (the speakers file)."""
    front, lines = _source_lines(text, file, markdown)
    labels = known.with_speakers(tuple(front.speakers))
    body = read_body(lines, labels, file, layout="markdown" if markdown else "labels", keep_headings=False)
    return front, body


def read_plain(
    text: str, file: str | Path | None, interviewer_labels: Sequence[str], *, markdown: bool = False
) -> tuple[FrontMatter, list[SourceTurn]]:
    """The strict reading of a ``Label: text`` text: every line after the front matter belongs to
    a turn, and text before the first label is an error.

    Why both: a REFI-QDA source (:mod:`qualcode.refi.offsets`) is a transcript only if it reads
    this way; otherwise it is kept whole as one turn, so that none of its text is set aside
    as a header.
    """
    front, lines = _source_lines(text, file, markdown)
    labels = SpeakerLabels(tuple(interviewer_labels), tuple(front.speakers))
    turns = build_turns([x for x in lines if x.text and not x.heading], labels, file)
    if not turns:
        raise InputError("no speaker turns found", file)
    return front, turns


def _source_lines(text: str, file: str | Path | None, markdown: bool) -> tuple[FrontMatter, list[SourceLine]]:
    numbered = list(enumerate(text.split("\n"), start=1))
    front, body = split_front_matter_lines(numbered, file)
    items: list[SourceLine] = []
    for number, raw in body:
        line = raw.strip()
        heading = markdown and is_md_heading(line)
        candidate = match_label(line, markdown=markdown) if line and not heading else None
        items.append(SourceLine(number, line, candidate, heading))
    return front, items
