"""The body of a line-based transcript (.txt, .md, Word) into turns, whatever its layout.

One function, :func:`read_body`, so that a .txt and a .docx with the same layout read the
same: it tells a transcription-service layout (:mod:`qualcode.transcripts.services`) from
the ``Name: text`` layout, splits off what comes before the first turn
(:mod:`qualcode.transcripts.preamble`) and groups the lines into turns with the label rules
(:mod:`qualcode.transcripts.labels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import InputError
from qualcode.transcripts.labels import LabelPolicy, SourceLine, SourceTurn, SpeakerLabels, build_turns, match_label
from qualcode.transcripts.model import ReadNote
from qualcode.transcripts.preamble import is_short_value, split_preamble
from qualcode.transcripts.services import detect_service_layout, read_service


@dataclass
class BodyRead:
    """Turns of a body and what surrounds them: header (and its metadata lines), footer, notes."""

    layout: str
    turns: list[SourceTurn]
    header: list[tuple[int, str]] = field(default_factory=list)
    metadata: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key, value)
    footer: list[tuple[int, str]] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)


def read_body(
    lines: Sequence[SourceLine],
    labels: SpeakerLabels,
    file: str | Path | None,
    *,
    layout: str = "labels",
    unit: str = "line",
    keep_headings: bool = True,
) -> BodyRead:
    """Read body lines (blank lines included, front matter excluded) into turns.

    ``layout`` names the ``Name: text`` layout of this file type ("labels" for .txt); a
    service layout found in the lines wins. ``keep_headings=False`` drops headings after the
    first turn (Markdown headings and rules are not speech); before it they are header text.
    """
    policy = LabelPolicy(labels, [x.candidate for x in lines if x.candidate is not None])
    shape = detect_service_layout(lines, policy)
    if shape is not None:
        service = read_service(lines, shape, file)
        if not service.turns:
            raise InputError("no speaker turns found", file)
        # Everything above the first block is header; its short `key: value` lines are metadata.
        metadata = [
            (n, c.label, c.text)
            for n, t in service.header
            if (c := match_label(t)) is not None and is_short_value(c.text)
        ]
        return BodyRead(service.layout, service.turns, service.header, metadata, service.footer)
    preamble = split_preamble(lines, policy, file, unit=unit)
    rest = [x for x in lines[preamble.first_turn :] if keep_headings or not x.heading]
    notes: list[ReadNote] = []
    turns = build_turns(rest, labels, file, unit=unit, notes=notes)
    if not turns and preamble.header:
        where = "" if unit == "line" else f" (the line number counts {unit}s)"
        raise InputError(
            "no speaker turns found: no line starts with a speaker label and a colon, e.g. 'R1: ...'" + where,
            file,
            preamble.header[0][0],
        )
    if not turns:
        raise InputError("no speaker turns found", file)
    return BodyRead(layout, turns, preamble.header, preamble.metadata, [], notes)
