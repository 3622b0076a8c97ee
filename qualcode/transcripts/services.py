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
``timing-name``    ``0:0:3.120 --> 0:0:8.900``, then the    ``time_start``, ``time_end``
                   name on the next line (older Teams .docx)
=================  =======================================  ===========================

The ``Name  0:03`` line may also carry an end time, ``Petra de Vries  0:00:03.120 --> 0:00:08.900``.

``teams`` is the ``Name  m:ss`` or the timing-then-name shape in a .docx or next to a Teams marker (a
"... started transcription" line, a "...-Meeting Transcript" title); ``otter`` the same shape
next to Otter's "Transcribed by https://otter.ai" footer. Zoom's caption file counts clock
time (10:05:15), not time since the recording started, so it is kept under another key.

When a file is in one of these layouts (:func:`detect_service_layout`): at least two block
lines of one shape, each followed by a text line, and more of them than ``Name: text`` lines
that the label rules take for turns (a plain transcript that happens to hold "Vergadering
10:00" once is not one). A block line is at most 100 characters.
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
from typing import Any

from qualcode.transcripts.labels import (
    MAX_LABEL_CHARS,
    LabelPolicy,
    SourceLine,
    SourceTurn,
    has_label_shape,
    normalise_label,
    parse_time_code,
)

_NAME = r"[^\W\d_][^:\[\]()\t]*?(?:[ \t]*\([^()\n]{1,20}\))?"
_OFFSET = r"\d{1,2}:\d{2}(?::\d{2})?"
_OFFSET_MS = r"\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?"
_SHAPES: dict[str, re.Pattern[str]] = {
    "speaker-time": re.compile(
        rf"(?P<name>{_NAME})[ \t]+(?P<time>{_OFFSET_MS})(?:[ \t]*-->[ \t]*(?P<end>{_OFFSET_MS}))?"
    ),
    "timing-name": re.compile(rf"(?P<time>{_OFFSET_MS})[ \t]*-->[ \t]*(?P<end>{_OFFSET_MS})"),
    "zoom-captions": re.compile(r"\[(?P<name>[^\[\]\n]{1,60})\][ \t]+(?P<time>\d{1,2}:\d{2}:\d{2})"),
    "descript-rev": re.compile(rf"(?P<name>{_NAME})[ \t]+\((?P<time>{_OFFSET}(?:[.,]\d{{1,3}})?)\)[ \t]*:"),
}
_SERVICE_NOTE = re.compile(
    r".{1,80} (?:started|stopped) transcription"
    r"|.{1,80} heeft (?:de )?transcriptie (?:gestart|gestopt|beëindigd)"
    r"|transcribed by (?:https?://)?otter\.ai\S*",
    re.IGNORECASE,
)
_MAX_BLOCK_LINE = 100
_TEAMS_TITLE = re.compile(r".*-Meeting Transcript|.*-Vergadertranscriptie", re.IGNORECASE)
_OTTER_NOTE = re.compile(r"transcribed by (?:https?://)?otter\.ai", re.IGNORECASE)


@dataclass(frozen=True)
class BlockLine:
    """A line that opens a block: who speaks (empty when the name is on the next line), and when."""

    shape: str
    speaker: str
    time: str
    end: str | None = None


@dataclass
class ServiceRead:
    """A service layout read into turns, with what surrounds them."""

    layout: str
    turns: list[SourceTurn]
    header: list[tuple[int, str]] = field(default_factory=list)
    footer: list[tuple[int, str]] = field(default_factory=list)


def block_line(text: str) -> BlockLine | None:
    """The block line in ``text`` (stripped), if it is one."""
    if len(text) > _MAX_BLOCK_LINE:  # a name and a time; also keeps the patterns linear on long lines
        return None
    for shape, pattern in _SHAPES.items():
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if shape == "timing-name":
            return BlockLine(shape, "", m["time"], m["end"])
        name = normalise_label(m["name"])
        if shape != "zoom-captions" and not (len(name) <= MAX_LABEL_CHARS and has_label_shape(name)):
            continue
        return BlockLine(shape, name, m["time"], m.groupdict().get("end"))
    return None


def _is_name_line(text: str) -> bool:
    """The speaker line under a timing line: a short name, not a sentence."""
    return 0 < len(text) <= MAX_LABEL_CHARS and ":" not in text and not text.endswith((".", "?", "!"))


def is_service_note(text: str) -> bool:
    """A line the service writes about the recording, not speech ("X stopped transcription")."""
    return _SERVICE_NOTE.fullmatch(text) is not None


def detect_service_layout(lines: Sequence[SourceLine], policy: LabelPolicy) -> str | None:
    """The block shape the file is written in, or None for a ``Name: text`` layout.

    ``policy`` (the label rules over the same lines) tells which ``Name: text`` lines would be
    turns: a sentence like "Mijn advies: bel ze op" inside a Teams utterance is not one.
    """
    texts = [x for x in lines if x.text and not (x.candidate is not None and x.candidate.kind == "column")]
    blocks = [block_line(x.text) for x in texts]
    counts: dict[str, int] = {}
    for i, block in enumerate(blocks):
        if block is None:
            continue
        if block.shape == "timing-name":  # timing line, name line, text
            if i + 2 >= len(texts) or not _is_name_line(texts[i + 1].text) or blocks[i + 1] or blocks[i + 2]:
                continue
        elif i + 1 == len(texts) or blocks[i + 1] is not None or is_service_note(texts[i + 1].text):
            continue  # the next non-blank line: a block line must be followed by text
        counts[block.shape] = counts.get(block.shape, 0) + 1
    if not counts:
        return None
    shape = max(counts, key=lambda k: counts[k])
    colon_turns = sum(1 for x in texts if x.candidate is not None and x.candidate.text
                      and policy.accepts(x.candidate, first=False))
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
        elif blocks and not blocks[-1][0].speaker and not is_service_note(item.text):
            last = blocks[-1]  # the name line under a timing line
            blocks[-1] = (BlockLine(last[0].shape, normalise_label(item.text), last[0].time, last[0].end), last[1], [])
        elif is_service_note(item.text):
            (footer if blocks else header).append((item.line, item.text))
        elif blocks:
            blocks[-1][2].append(item.text)
        else:
            header.append((item.line, item.text))
    turns: list[SourceTurn] = []
    parts: list[list[str]] = []
    for block, line, texts in blocks:
        if not texts or not block.speaker:
            continue
        if turns and turns[-1].speaker == block.speaker:
            parts[-1].extend(texts)
            turns[-1].meta["blocks"] += 1
            if block.end:
                turns[-1].meta["time_end"] = parse_time_code(block.end)
            continue
        key = "clock" if shape == "zoom-captions" else "time_start"
        meta: dict[str, Any] = {key: parse_time_code(block.time), "blocks": 1}
        if block.end:
            meta["time_end"] = parse_time_code(block.end)
        turns.append(SourceTurn(block.speaker, "", line, meta))
        parts.append(list(texts))
    for turn, texts in zip(turns, parts):
        turn.text = "\n".join(texts)
    return ServiceRead(_layout_name(shape, header, footer, path), turns, header, footer)


def _layout_name(
    shape: str, header: list[tuple[int, str]], footer: list[tuple[int, str]], path: str | Path | None
) -> str:
    if shape not in ("speaker-time", "timing-name"):
        return shape
    notes = [t for _, t in header + footer]
    if any(_OTTER_NOTE.match(t) for t in notes):
        return "otter"
    if str(path or "").lower().endswith(".docx") or any(
        _TEAMS_TITLE.fullmatch(t) or (is_service_note(t) and "transcri" in t.casefold()) for t in notes
    ):
        return "teams"
    return shape
