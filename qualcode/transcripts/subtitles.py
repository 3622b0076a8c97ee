"""Subtitle transcripts: WebVTT (.vtt) and SubRip (.srt), as exported by Teams, Zoom and
transcription services.

Why cues are merged: a subtitle cue is a few seconds of screen text, not a unit of meaning.
Consecutive cues of one speaker are therefore one turn (texts joined by a space), with
``meta`` ``time_start`` (first cue), ``time_end`` (last cue) and ``cues`` (how many).
Time codes never enter the text.

Who speaks: a ``<v Name>`` voice tag (vtt), a ``[Name]`` prefix (srt) or a ``Name: text``
prefix (both; the label rules apply, see :mod:`qualcode.transcripts.labels`). A cue
without speaker information continues the previous speaker. A file without any speaker
information, and any cues before the first named speaker, are attributed to speaker
``"R"`` (:data:`UNATTRIBUTED_SPEAKER`), the conventional respondent label. In a file where
most cues open with ``Name:``, a name opening a cue is a speaker even if it occurs once (a
guest who says one thing); the label rules' shape checks still apply.

Layouts reported: ``teams-vtt`` (voice tags and Teams' ``<meeting-id>/<n>-<k>`` cue ids),
``vtt-voice`` (other voice tags), ``zoom-vtt`` (numbered cues opening with ``Name:``, as
Zoom writes them), ``vtt-labels`` (cues without ids opening with ``Name:``), ``vtt`` (no
speakers), and ``srt-labels`` / ``srt``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from qualcode.errors import InputError
from qualcode.transcripts.body import BodyRead
from qualcode.transcripts.labels import (
    LabelCandidate,
    LabelPolicy,
    SourceTurn,
    SpeakerLabels,
    glued_message,
    is_label_syntax,
    label_candidate,
    match_label,
    normalise_label,
    parse_time_code,
)
from qualcode.transcripts.model import ReadNote

UNATTRIBUTED_SPEAKER = "R"

_TIME = r"(?:\d+:)?\d{2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"(?P<start>{_TIME})[ \t]+-->[ \t]+(?P<end>{_TIME})(?:[ \t].*)?")
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+(?P<name>[^>]*)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")  # html-ish tags, karaoke times, srt {\an8}
_TEAMS_CUE_ID = re.compile(r"[0-9a-fA-F-]{36}/\d+-\d+")
_BRACKET_NAME = re.compile(r"\[(?P<name>[^\]\n]{1,40})\][ \t]*(?P<rest>.*)")
# Bracketed sound descriptions, not speakers: "[Gelach] ja precies".
_SOUNDS = frozenset(
    "muziek music gelach laughter lacht laughs applaus applause stilte silence pauze pause "
    "onverstaanbaar inaudible crosstalk door elkaar".split()
) | {"door elkaar", "praten door elkaar"}


@dataclass(frozen=True)
class _Segment:
    """Text of one cue line (or one voice span in it), with who says it if the line tells."""

    cue: int
    line: int
    start: str
    end: str
    text: str
    candidate: LabelCandidate | None


def read_vtt(text: str, file: str | Path | None, known: SpeakerLabels) -> BodyRead:
    """Read the canonical text of a .vtt file into turns, the layout's name and notes."""
    lines = text.split("\n")
    if not lines or not _VTT_HEADER.fullmatch(lines[0].strip()):
        raise InputError("not a WebVTT file: the first line must be 'WEBVTT'", file, 1)
    segments: list[_Segment] = []
    ids: list[str] = []
    for cue, block in enumerate(_blocks(lines)):
        first_no, first = block[0]
        if first_no == 1 or first.split(" ")[0].split("\t")[0] in _VTT_SKIPPED_BLOCKS:
            continue  # the header block, or a NOTE/STYLE/REGION block
        timing_at = 0 if "-->" in first else 1
        if timing_at >= len(block) or "-->" not in block[timing_at][1]:
            raise InputError(
                "expected a cue timing line like '00:00:01.000 --> 00:00:04.000'", file, first_no
            )
        if timing_at:
            ids.append(first.strip())
        segments.extend(_cue_segments(cue, block, timing_at, file, "00:00:01.000"))
    turns, notes = _merge(segments, known, file)
    kinds = {s.candidate.kind for s in segments if s.candidate is not None}
    if "column" in kinds:
        teams = ids and all(_TEAMS_CUE_ID.fullmatch(i) for i in ids)
        return BodyRead("teams-vtt" if teams else "vtt-voice", turns, notes=notes)
    if _has_speakers(turns):
        numbered = ids and all(i.isdigit() for i in ids)
        return BodyRead("zoom-vtt" if numbered else "vtt-labels", turns, notes=notes)
    return BodyRead("vtt", turns, notes=notes)


def _has_speakers(turns: list[SourceTurn]) -> bool:
    return any(t.speaker != UNATTRIBUTED_SPEAKER for t in turns)


def read_srt(text: str, file: str | Path | None, known: SpeakerLabels) -> BodyRead:
    """Read the canonical text of a .srt file into turns, the layout's name and notes."""
    segments: list[_Segment] = []
    for cue, block in enumerate(_blocks(text.split("\n"))):
        first_no, first = block[0]
        if first.strip().isdigit():
            timing_at = 1
        elif "-->" in first:
            timing_at = 0  # the cue number is missing; the timing line is enough
        else:
            raise InputError(
                "expected a cue number and a timing line like '00:00:01,000 --> 00:00:04,000'",
                file,
                first_no,
            )
        if timing_at >= len(block):
            raise InputError("cue number without a timing line", file, first_no)
        segments.extend(_cue_segments(cue, block, timing_at, file, "00:00:01,000"))
    turns, notes = _merge(segments, known, file)
    return BodyRead("srt-labels" if _has_speakers(turns) else "srt", turns, notes=notes)


def _blocks(lines: list[str]) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank lines, numbered from 1: cues, notes and the header are blocks."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            block.append((number, line.rstrip()))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _cue_segments(
    cue: int, block: list[tuple[int, str]], timing_at: int, file: str | Path | None, example: str
) -> Iterator[_Segment]:
    timing_no, timing = block[timing_at]
    m = _TIMING.fullmatch(timing.strip())
    if m is None:
        raise InputError(
            f"malformed cue timing line '{timing.strip()[:60]}': expected '{example} --> {example}'",
            file,
            timing_no,
        )
    start, end = parse_time_code(m["start"]), parse_time_code(m["end"])
    for number, raw in block[timing_at + 1 :]:
        for candidate, text in _line_parts(raw):
            if text or candidate is not None:
                yield _Segment(cue, number, start, end, text, candidate)


def _line_parts(raw: str) -> Iterator[tuple[LabelCandidate | None, str]]:
    """Split one cue line at its voice tags; other speaker prefixes come from the text."""
    pieces = _VOICE.split(raw)  # [before, name1, after1, name2, after2, ...]
    before = _clean(pieces[0])
    if before:
        yield _text_candidate(before), before
    for name, after in zip(pieces[1::2], pieces[2::2]):
        text = _clean(after)
        if normalise_label(name):
            yield label_candidate(name, text, kind="column"), text
        elif text:
            yield None, text


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def _text_candidate(text: str) -> LabelCandidate | None:
    """``[Name] text`` or ``Name: text``; a bracketed sound ("[Gelach]") is not a speaker."""
    bracket = _BRACKET_NAME.fullmatch(text)
    if bracket and bracket["rest"].strip():
        name = normalise_label(bracket["name"])
        if is_label_syntax(name) and name.casefold() not in _SOUNDS:
            return label_candidate(name, bracket["rest"])
    return match_label(text)


def _kind(candidate: LabelCandidate | None) -> str | None:
    return candidate.kind if candidate is not None else None


def _mark_cue_names(segments: list[_Segment]) -> list[_Segment]:
    """When most cues open with ``Name:``, a name opening a cue is a speaker even if it occurs
    once: its candidate becomes kind ``cue`` (accepted like a bold label)."""
    firsts: dict[int, int] = {}
    for i, seg in enumerate(segments):
        firsts.setdefault(seg.cue, i)
    named = [i for i in firsts.values() if _kind(segments[i].candidate) == "text"]
    if not firsts or len(named) * 2 <= len(firsts):
        return segments
    out = list(segments)
    for i in named:
        cand = out[i].candidate
        assert cand is not None
        out[i] = replace(out[i], candidate=replace(cand, kind="cue"))
    return out


def _merge(
    segments: list[_Segment], known: SpeakerLabels, file: str | Path | None
) -> tuple[list[SourceTurn], list[ReadNote]]:
    segments = _mark_cue_names(segments)
    policy = LabelPolicy(known, [s.candidate for s in segments if s.candidate is not None])
    turns: list[SourceTurn] = []
    cues: list[set[int]] = []
    notes: list[ReadNote] = []
    speaker: str | None = None
    for seg in segments:
        text = seg.text
        why = policy.rejection(seg.candidate, first=False) if seg.candidate is not None else None
        if seg.candidate is not None and why is None:
            speaker, text = seg.candidate.label, seg.candidate.text
        if not text:
            continue
        who = speaker or UNATTRIBUTED_SPEAKER
        if why == "once" and seg.candidate is not None and turns and turns[-1].speaker == who:
            notes.append(ReadNote("glued", glued_message(seg.candidate.label, who), seg.line, (len(turns),)))
        if turns and turns[-1].speaker == who:
            turns[-1].text += " " + text
            turns[-1].meta["time_end"] = seg.end
            cues[-1].add(seg.cue)
        else:
            turns.append(SourceTurn(who, text, seg.line, {"time_start": seg.start, "time_end": seg.end}))
            cues.append({seg.cue})
    for turn, cue_set in zip(turns, cues):
        turn.meta["cues"] = len(cue_set)
    if not turns:
        raise InputError("no speaker turns found (no cue has text)", file)
    return turns, notes
