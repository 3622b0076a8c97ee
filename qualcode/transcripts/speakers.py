"""Which case speaks in each turn: speaker labels mapped to interviewers and cases.

Why a module of its own: the mapping decides whose words a code is counted for, and a wrong
mapping is silent (all of a group interview becomes one respondent, a Teams guest becomes
part of the interviewer). So the mapping is computed in one place, as plain data, by one
function that ingest and ``qualcode transcripts speakers FILE`` both call, and every guess it
makes comes with a note naming the lines.

Where a mapping comes from, first match wins:

1. **Front matter** ``speakers:`` (label -> case id).
2. **A speakers file** (``[ingest] speakers`` in ``qualcode.toml``, default
   ``transcripts/speakers.csv``; or ``--speakers FILE``), for files that have no front matter
   (Word, Teams, Zoom, Otter): a CSV with the columns ``transcript,label,case``. ``transcript``
   is a transcript id or file name (``teams.docx``, ``teams``); empty or ``*`` means every
   transcript, and a row for one transcript wins over a ``*`` row. Comma or semicolon
   separated. The labels a file's rows name (by file name, or ``*``) are known labels for the
   reader too, so a label listed there starts a turn even if it occurs once.
3. **Interviewer labels** (``[ingest] interviewer_labels``; see
   :func:`qualcode.transcripts.labels.is_interviewer_label`): no case, the turns are context.
4. **A known case**: a label that is a case id already (in the project, the attributes CSV
   or another file's map) is that case.
5. **Generic labels** of transcription services ("Speaker 1", "Spreker 2", "Unknown
   speaker") say nothing about who speaks: each becomes its own case
   ``<transcript>_<label>`` ("otter_speaker_2"), with a ``generic`` note asking for a map.
6. **The transcript's case** (front matter ``case:``, default the transcript id). When two or
   more labels end up here, their turns are pooled into one case; a ``one-case`` note names
   the labels and their lines (``transcripts show`` marks the turns).

In a map, the case ``interviewer`` (any capitalisation) marks a label as an interviewer: for a
researcher whose Teams name is not an interviewer label ("Petra de Vries"). A case id may
therefore not be called ``interviewer``.

Also noted: a respondent label with a single turn (``single``: a rare label is easily a
misread line), a label of a group interview missing from ``speakers:`` (``unmapped``) and a
``speakers:`` entry no turn uses (``unused``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import InputError
from qualcode.transcripts.attributes import read_csv_rows
from qualcode.transcripts.labels import normalise_label
from qualcode.transcripts.model import ParsedTranscript, ReadNote

INTERVIEWER = "interviewer"
ALL_TRANSCRIPTS = "*"

_GENERIC = re.compile(
    r"(?:speaker|spreker|participant|deelnemer|persoon|stem|voice)[ _-]?\d{1,3}"
    r"|unknown(?: speaker)?|onbekend(?:e spreker)?|unidentified speaker",
    re.IGNORECASE,
)
_SLUG = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class SpeakerMapEntry:
    """One row of a speakers file."""

    transcript: str  # transcript id, file name, or "*"
    label: str
    case: str
    line: int


@dataclass
class SpeakerMap:
    """A speakers file (``transcript,label,case``), read once per ingest."""

    file: str | None = None
    entries: list[SpeakerMapEntry] = field(default_factory=list)

    def for_transcript(self, transcript_id: str, file: str) -> dict[str, tuple[str, int]]:
        """``{folded label: (case, line)}`` for one transcript; its own rows win over ``*`` rows."""
        names = {transcript_id.casefold(), Path(file).name.casefold(), Path(file).stem.casefold()}
        out: dict[str, tuple[str, int]] = {}
        for own in (False, True):
            for e in self.entries:
                if (e.transcript.casefold() in names) == own and (own or e.transcript == ALL_TRANSCRIPTS):
                    out[_fold(e.label)] = (e.case, e.line)
        return out

    def labels_for_file(self, file: str | Path) -> tuple[str, ...]:
        """The labels mapped for a file before it is read (its rows by file name or stem, and the
        ``*`` rows): known labels for the reader, so a label listed here starts a turn."""
        names = {Path(file).name.casefold(), Path(file).stem.casefold(), ALL_TRANSCRIPTS}
        return tuple(e.label for e in self.entries if e.transcript.casefold() in names)

    def names_transcript(self, transcript_id: str, file: str) -> bool:
        """True if some row names this transcript itself (not only ``*`` rows)."""
        names = {transcript_id.casefold(), Path(file).name.casefold(), Path(file).stem.casefold()}
        return any(e.transcript.casefold() in names for e in self.entries)

    def cases(self) -> set[str]:
        return {e.case for e in self.entries if e.case.casefold() != INTERVIEWER}


def read_speaker_map(path: str | Path) -> SpeakerMap:
    """Read a speakers CSV; a bad row is an :class:`InputError` naming file and line."""
    p = Path(path)
    rows = read_csv_rows(p, "speakers file")
    if not rows:
        raise InputError("speakers file is empty; it needs the columns transcript,label,case", file=p, line=1)
    header = [h.strip().casefold() for h in rows[0][1]]
    missing = [c for c in ("label", "case") if c not in header]
    if missing:
        raise InputError(
            f"speakers file needs the columns transcript,label,case (missing: {', '.join(missing)})", file=p, line=1
        )
    col = {name: header.index(name) for name in ("transcript", "label", "case") if name in header}
    entries: list[SpeakerMapEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows[1:]:
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in col.items()}
        label, case = normalise_label(cells["label"]), cells["case"]
        if not label or not case:
            raise InputError("a speakers row needs a label and a case", file=p, line=number)
        transcript = cells.get("transcript", "") or ALL_TRANSCRIPTS
        key = (transcript.casefold(), _fold(label))
        if key in seen:
            raise InputError(f"label {label!r} is mapped twice for {transcript} (also on line {seen[key]})",
                             file=p, line=number)
        seen[key] = number
        entries.append(SpeakerMapEntry(transcript, label, case, number))
    return SpeakerMap(str(p), entries)


@dataclass
class SpeakerRow:
    """One label of a transcript and what it was mapped to."""

    label: str
    role: str  # "interviewer" | "respondent"
    case: str | None
    turns: int
    words: int
    first_line: int
    how: str  # where the mapping came from (rules 1-6)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SpeakerPlan:
    """Every label of one transcript mapped (rows in order of first turn), with notes."""

    transcript: str
    rows: list[SpeakerRow]
    notes: list[ReadNote] = field(default_factory=list)

    def row(self, label: str) -> SpeakerRow:
        return next(r for r in self.rows if r.label == label)

    def is_interviewer(self, label: str) -> bool:
        return self.row(label).role == INTERVIEWER

    def case(self, label: str) -> str | None:
        return self.row(label).case


def is_generic_label(label: str) -> bool:
    """"Speaker 1", "Spreker 2", "Unknown speaker": a service's label for an unnamed voice."""
    return _GENERIC.fullmatch(normalise_label(label)) is not None


def generic_case(transcript_id: str, label: str) -> str:
    """The default case of a generic label: ``<transcript>_<label>``, "otter_speaker_2"."""
    return f"{transcript_id}_{_SLUG.sub('_', label.casefold()).strip('_')}"


def plan_speakers(
    parsed: ParsedTranscript, speaker_map: SpeakerMap | None = None, known_cases: Iterable[str] = ()
) -> SpeakerPlan:
    """Map each speaker label of ``parsed`` to the interviewer role or a case (rules 1-6)."""
    known = set(known_cases)
    front = {_fold(label): case for label, case in parsed.speakers.items()}
    from_file = speaker_map.for_transcript(parsed.id, parsed.file) if speaker_map else {}
    default_case = parsed.case or parsed.id
    rows: list[SpeakerRow] = []
    notes: list[ReadNote] = []
    for label, turns in _turns_by_label(parsed).items():
        words = sum(len(t.text.split()) for t in turns)
        folded = _fold(label)
        row = SpeakerRow(label, "respondent", None, len(turns), words, turns[0].line, "")
        if folded in front:
            _assign(row, front[folded], "front matter speakers:")
        elif folded in from_file:
            case, line = from_file[folded]
            _assign(row, case, f"speakers file, line {line}")
        elif turns[0].is_interviewer:
            row.role, row.how = INTERVIEWER, "interviewer label"
        elif label in known:
            row.case, row.how = label, "known case"
        elif is_generic_label(label):
            row.case, row.how = generic_case(parsed.id, label), "generic label: own case"
        else:
            row.case = default_case
            row.how = "front matter case:" if parsed.case else "transcript id"
        rows.append(row)
    by_label = _turns_by_label(parsed)
    pooled = [r for r in rows if r.how in ("front matter case:", "transcript id")]
    mapped = bool(front) or bool(speaker_map and speaker_map.names_transcript(parsed.id, parsed.file))
    if len(pooled) >= 2:
        names = ", ".join(f"'{r.label}' (line {r.first_line})" for r in pooled)
        notes.append(ReadNote(
            "one-case",
            f"{len(pooled)} respondent labels become one case '{default_case}': {names}; give each its own "
            f"case under `speakers:` (front matter) or in a speakers file",
            pooled[0].first_line,
            tuple(t.n for r in pooled for t in by_label[r.label]),
        ))
    elif mapped:
        for r in pooled:
            notes.append(ReadNote(
                "unmapped", f"speaker '{r.label}' is not in `speakers:` or the speakers file; its turns go "
                f"to case '{default_case}'", r.first_line, tuple(t.n for t in by_label[r.label])))
    generic = [r for r in rows if r.how.startswith("generic")]
    if generic:
        names = ", ".join(f"'{r.label}' -> {r.case}" for r in generic)
        notes.append(ReadNote(
            "generic",
            f"generic speaker labels, each made its own case ({names}); name the cases and the "
            f"interviewer in a speakers file (transcript,label,case; case 'interviewer' for the interviewer)",
            generic[0].first_line,
            tuple(t.n for r in generic for t in by_label[r.label]),
        ))
    for r in rows:
        if r.role != INTERVIEWER and r.turns == 1 and not r.how.startswith(("front matter speakers", "speakers file")):
            notes.append(ReadNote(
                "single", f"speaker '{r.label}' has one turn only (line {r.first_line}): check that the line "
                f"starts a turn and was not split off another one", r.first_line,
                tuple(t.n for t in by_label[r.label])))
    for label in parsed.speakers:
        if _fold(label) not in {_fold(r.label) for r in rows}:
            notes.append(ReadNote("unused", f"`speakers:` names '{label}' but no turn has that label"))
    return SpeakerPlan(parsed.id, rows, notes)


def apply_plan(parsed: ParsedTranscript, plan: SpeakerPlan) -> None:
    """Set each turn's interviewer flag from the plan (a map may make a label an interviewer,
    or an interviewer-looking name a respondent)."""
    for turn in parsed.turns:
        turn.is_interviewer = plan.is_interviewer(turn.speaker)


def _assign(row: SpeakerRow, case: str, how: str) -> None:
    if case.casefold() == INTERVIEWER:
        row.role, row.case = INTERVIEWER, None
    else:
        row.case = case
    row.how = how


def _turns_by_label(parsed: ParsedTranscript) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for t in parsed.turns:
        out.setdefault(t.speaker, []).append(t)
    return out


def _fold(label: str) -> str:
    return normalise_label(label).casefold()
