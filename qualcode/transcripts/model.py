"""Plain data for a transcript as read from disk, before it is stored.

Every reader (txt/md, docx, vtt/srt) returns a :class:`ParsedTranscript`; the ingest step
stores it. Offsets are code-point offsets into ``ParsedTranscript.text`` (the canonical text:
UTF-8, NFC, LF), half-open ``[start, end)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

AttributeValue = str | int | float | bool | date


@dataclass
class Turn:
    """One speaker turn: the default coding unit (a fragment once stored).

    ``start``/``end`` cover only the spoken text, not the speaker label that the canonical
    text shows in front of it. ``line`` is the 1-based line (or paragraph/cue number) in the
    source file where the turn starts, for error messages. ``meta`` holds what is not text:
    time codes (``time_start``/``time_end`` as "hh:mm:ss(.mmm)"), cue numbers.
    """

    n: int
    speaker: str
    text: str
    start: int
    end: int
    line: int
    is_interviewer: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadNote:
    """Something the reader (or the speaker mapping) wants the user to check, with where it is.

    Why notes and not errors: a transcript with a doubtful speaker label is still readable, and
    refusing it would block the whole folder; but a silent guess misattributes words. So the
    reader reads on and says what it guessed: ingest prints the notes with file and line, and
    ``transcripts show`` marks the turns they name. ``kind`` is a short stable name (``glued``,
    ``single``, ``one-case``, ``generic``, ``header``, ``unmapped``...); ``turns`` are the turn
    numbers (``n``) concerned.
    """

    kind: str
    message: str
    line: int | None = None
    turns: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "line": self.line, "turns": list(self.turns)}


@dataclass
class ParsedTranscript:
    """A transcript read from one file.

    ``layout`` names the layout the reader recognised (see :mod:`qualcode.transcripts.layouts`),
    ``header`` the lines before the first turn (a title, a metadata block, a service's meeting
    line) as ``(line, text)`` pairs, and ``footer`` lines a transcription service adds after
    or between turns ("... stopped transcription", "Transcribed by ..."). Neither is part of
    the canonical text: they are not speech and must not be coded, but they are kept.
    """

    id: str
    file: str
    format: str  # "txt" | "md" | "docx" | "vtt" | "srt"
    text: str  # canonical text
    turns: list[Turn]
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    speakers: dict[str, str] = field(default_factory=dict)  # speaker label -> case id
    case: str | None = None  # front matter `case:`; default case for unmapped respondent turns
    source_hash: str = ""  # sha256 of the raw bytes
    layout: str = ""
    header: list[tuple[int, str]] = field(default_factory=list)
    footer: list[tuple[int, str]] = field(default_factory=list)
    notes: list[ReadNote] = field(default_factory=list)

    @property
    def header_text(self) -> str:
        return "\n".join(text for _, text in self.header)

    @property
    def footer_text(self) -> str:
        return "\n".join(text for _, text in self.footer)

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    @property
    def words(self) -> int:
        return sum(len(t.text.split()) for t in self.turns if not t.is_interviewer)


def text_hash(text: str) -> str:
    """sha256 of the canonical text, hex. Stored with every transcript and exchange file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_canonical(turns: list[tuple[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """Build canonical text from (speaker, text) pairs: ``"{speaker}: {text}"`` joined by a blank line.

    Why labels are in the text: exported sources (REFI-QDA) must read as a transcript in other
    tools. Returns the text and each turn's ``(start, end)`` of its spoken text.
    """
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, (speaker, body) in enumerate(turns):
        if i:
            parts.append("\n\n")
            pos += 2
        prefix = f"{speaker}: "
        parts.append(prefix)
        pos += len(prefix)
        spans.append((pos, pos + len(body)))
        parts.append(body)
        pos += len(body)
    if parts:
        parts.append("\n")
    return "".join(parts), spans
