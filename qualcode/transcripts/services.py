"""Layouts written by transcription services: a speaker line, then the text on the lines below.

Teams (Word download), Otter, Zoom's saved captions and Descript/Rev-style exports do not put
``Name: text`` on one line; each utterance is a *block*: a line naming the speaker (and a
time), then the text on the following line(s). The block line shapes recognised:

=================  =======================================  ===========================
layout             block line                               time kept as
=================  =======================================  ===========================
``teams``          ``Petra de Vries   0:03``                ``time_start`` (since start)
``otter``          ``Speaker 1  0:03`` (trailing spaces ok)  ``time_start``
``speaker-time``   the same shape, no service named         ``time_start``
``zoom-captions``  ``[Petra de Vries] 10:03:12``            ``clock`` (time of day)
``descript-rev``   ``Speaker 1 (00:01:02):`` alone          ``time_start``
=================  =======================================  ===========================

``teams`` is the ``Name  m:ss`` shape in a .docx or next to a Teams marker (a
"... started transcription" line, a "...-Meeting Transcript" title); ``otter`` the same shape
next to Otter's "Transcribed by https://otter.ai" footer. Zoom's caption file counts clock
time (10:05:15), not time since the recording started, so it is kept under another key.

When a file is in one of these layouts (:func:`detect_service_layout`): at least two block
lines of one shape, each followed by a text line, and more of them than ``Name: text`` lines
with text (a plain transcript that happens to hold "Vergadering 10:00" once is not one).
Block-line names follow the label rules' shape (a capitalised first word, "Ik begin om 9:00"
is not a name), with a note in brackets allowed ("Klantmanager B (Guest)"); names in
``[brackets]`` need only start with a letter.

Reading: the lines before the first block line are the header (the meeting title, date,
duration); the service's own notes ("X started transcription", "X stopped transcription",
"Transcribed by https://otter.ai", and the Dutch Teams forms) are never speech: before the
first turn they join the header, after it the footer. Consecutive blocks of one speaker are
one turn (the services split an utterance at pauses), their texts joined by a line break,
with the first block's time and ``meta["blocks"]``, how many blocks were merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.transcripts.labels import (
    MAX_LABEL_CHARS,
    SourceLine,
    SourceTurn,
    has_label_shape,
    normalise_label,
    parse_time_code,
)

_NAME = r"[^\W\d_][^:\[\]()\t]*?(?:[ \t]*\([^()\n]{1,20}\))?"
_OFFSET = r"\d{1,2}:\d{2}(?::\d{2})?"
_SHAPES: dict[str, re.Pattern[str]] = {
    "speaker-time": re.compile(rf"(?P<name>{_NAME})[ \t]+(?P<time>{_OFFSET})"),
    "zoom-captions": re.compile(r"\[(?P<name>[^\[\]\n]{1,60})\][ \t]+(?P<time>\d{1,2}:\d{2}:\d{2})"),
    "descript-rev": re.compile(rf"(?P<name>{_NAME})[ \t]+\((?P<time>{_OFFSET}(?:[.,]\d{{1,3}})?)\)[ \t]*:"),
}
_SERVICE_NOTE = re.compile(
    r".{1,80} (?:started|stopped) transcription"
    r"|.{1,80} heeft (?:de )?transcriptie (?:gestart|gestopt|beëindigd)"
    r"|transcribed by (?:https?://)?otter\.ai\S*",
    re.IGNORECASE,
)
_TEAMS_TITLE = re.compile(r".*-Meeting Transcript|.*-Vergadertranscriptie", re.IGNORECASE)
_OTTER_NOTE = re.compile(r"transcribed by (?:https?://)?otter\.ai", re.IGNORECASE)


@dataclass(frozen=True)
class BlockLine:
    """A line that opens a block: who speaks, and when."""

    shape: str
    speaker: str
    time: str


@dataclass
class ServiceRead:
    """A service layout read into turns, with what surrounds them."""

    layout: str
    turns: list[SourceTurn]
    header: list[tuple[int, str]] = field(default_factory=list)
    footer: list[tuple[int, str]] = field(default_factory=list)


def block_line(text: str) -> BlockLine | None:
    """The block line in ``text`` (stripped), if it is one."""
    for shape, pattern in _SHAPES.items():
        m = pattern.fullmatch(text)
        if m is None:
            continue
        name = normalise_label(m["name"])
        if shape != "zoom-captions" and not (len(name) <= MAX_LABEL_CHARS and has_label_shape(name)):
            continue
        return BlockLine(shape, name, m["time"])
    return None


def is_service_note(text: str) -> bool:
    """A line the service writes about the recording, not speech ("X stopped transcription")."""
    return _SERVICE_NOTE.fullmatch(text) is not None


def detect_service_layout(lines: Sequence[SourceLine]) -> str | None:
    """The block shape the file is written in, or None for a ``Name: text`` layout."""
    texts = [x for x in lines if x.text and not (x.candidate is not None and x.candidate.kind == "column")]
    counts: dict[str, int] = {}
    for i, item in enumerate(texts):
        block = block_line(item.text)
        if block is None:
            continue
        following = next((x for x in texts[i + 1 :] if x.text), None)
        if following is None or block_line(following.text) is not None or is_service_note(following.text):
            continue
        counts[block.shape] = counts.get(block.shape, 0) + 1
    if not counts:
        return None
    shape = max(counts, key=lambda k: counts[k])
    colon_turns = sum(1 for x in texts if x.candidate is not None and x.candidate.text)
    return shape if counts[shape] >= 2 and counts[shape] > colon_turns else None


def read_service(lines: Sequence[SourceLine], shape: str, path: str | Path | None) -> ServiceRead:
    """Blocks into turns (see the module docstring); ``shape`` from :func:`detect_service_layout`."""
    header: list[tuple[int, str]] = []
    footer: list[tuple[int, str]] = []
    blocks: list[tuple[BlockLine, int, list[str]]] = []
    for item in lines:
        if not item.text:
            continue
        block = block_line(item.text)
        if block is not None and block.shape == shape:
            blocks.append((block, item.line, []))
        elif is_service_note(item.text):
            (footer if blocks else header).append((item.line, item.text))
        elif blocks:
            blocks[-1][2].append(item.text)
        else:
            header.append((item.line, item.text))
    turns: list[SourceTurn] = []
    for block, line, texts in blocks:
        if not texts:
            continue
        if turns and turns[-1].speaker == block.speaker:
            turns[-1].text += "\n" + "\n".join(texts)
            turns[-1].meta["blocks"] += 1
            continue
        key = "clock" if shape == "zoom-captions" else "time_start"
        turns.append(SourceTurn(block.speaker, "\n".join(texts), line, {key: parse_time_code(block.time), "blocks": 1}))
    return ServiceRead(_layout_name(shape, header, footer, path), turns, header, footer)


def _layout_name(
    shape: str, header: list[tuple[int, str]], footer: list[tuple[int, str]], path: str | Path | None
) -> str:
    if shape != "speaker-time":
        return shape
    notes = [t for _, t in header + footer]
    if any(_OTTER_NOTE.match(t) for t in notes):
        return "otter"
    if str(path or "").lower().endswith(".docx") or any(
        _TEAMS_TITLE.fullmatch(t) or (is_service_note(t) and "transcri" in t.casefold()) for t in notes
    ):
        return "teams"
    return shape
