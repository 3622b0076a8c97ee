"""Read any supported transcript file into a :class:`ParsedTranscript`.

This is the one entry point the rest of qualcode uses: it picks the reader by extension,
builds the canonical text once (so every format gets the same ``"R1: text"`` layout and
offsets), marks interviewer turns, and says which layout it read (``ParsedTranscript.layout``:
``labels``, ``markdown``, ``word``, ``word-bold``, ``word-table``, ``teams``, ``otter``,
``speaker-time``, ``zoom-captions``, ``descript-rev``, ``teams-vtt``, ``vtt-voice``,
``zoom-vtt``, ``vtt-labels``, ``vtt``, ``srt-labels``, ``srt``). The header before the first
turn is kept apart from the canonical text; its ``key: value`` lines become transcript
attributes (front matter wins where both set a key).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from qualcode.errors import InputError
from qualcode.transcripts.body import BodyRead
from qualcode.transcripts.decode import decode_bytes
from qualcode.transcripts.docx import read_docx
from qualcode.transcripts.frontmatter import FrontMatter
from qualcode.transcripts.labels import SpeakerLabels, is_interviewer_label
from qualcode.transcripts.model import ParsedTranscript, Turn, render_canonical
from qualcode.transcripts.plain import read_plain_body
from qualcode.transcripts.preamble import header_attributes
from qualcode.transcripts.subtitles import read_srt, read_vtt

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".docx", ".vtt", ".srt")
DEFAULT_INTERVIEWER_LABELS: tuple[str, ...] = ("I", "INT", "Interviewer", "Onderzoeker", "Interviewster", "Q")


def read_transcript(
    path: str | Path,
    *,
    interviewer_labels: Sequence[str] = DEFAULT_INTERVIEWER_LABELS,
    speakers: Sequence[str] = (),
) -> ParsedTranscript:
    """Read one transcript file; bad input raises :class:`InputError` naming file and line.

    ``interviewer_labels`` (from ``qualcode.toml``) mark interviewer turns, matched
    case-insensitively and with an optional number ("Interviewer 1", "I2"). They also count
    as known speaker labels when a plain-text line is judged to be a turn start, and so do
    ``speakers``: the labels the project's speakers file names for this file (a label listed
    there starts a turn even if it occurs once).
    """
    p = Path(path)
    file = str(path)
    if not p.exists():
        raise InputError("no such file", file)
    if p.is_dir():
        raise InputError("is a folder, not a transcript file", file)
    ext = p.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        shown = p.suffix or "no extension"
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise InputError(f"unsupported file type ({shown}); supported: {supported}", file)
    try:
        data = p.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read file: {err.strerror or err}", file) from None
    if not data.strip():
        raise InputError("no speaker turns found (the file is empty)", file)

    labels = tuple(interviewer_labels)
    front, body = _read(ext, p, data, file, SpeakerLabels(labels, tuple(speakers)))
    source_turns = body.turns
    pairs = [(t.speaker, t.text) for t in source_turns]
    text, spans = render_canonical(pairs)
    turns = [
        Turn(
            n=n,
            speaker=src.speaker,
            text=src.text,
            start=start,
            end=end,
            line=src.line,
            is_interviewer=is_interviewer_label(src.speaker, labels),
            meta=dict(src.meta),
        )
        for n, (src, (start, end)) in enumerate(zip(source_turns, spans), start=1)
    ]
    attributes = dict(front.attributes)
    from_header, notes = header_attributes(body.metadata, taken=list(attributes))
    attributes.update(from_header)
    return ParsedTranscript(
        id=front.id or p.stem,
        file=file,
        format=ext.lstrip("."),
        text=text,
        turns=turns,
        attributes=attributes,
        speakers=dict(front.speakers),
        case=front.case,
        source_hash=hashlib.sha256(data).hexdigest(),
        layout=body.layout,
        header=list(body.header),
        footer=list(body.footer),
        notes=[*notes, *body.notes],
    )


def _read(ext: str, path: Path, data: bytes, file: str, known: SpeakerLabels) -> tuple[FrontMatter, BodyRead]:
    """Dispatch to the format's reader (python-docx is imported by the docx reader when used)."""
    if ext == ".docx":
        return read_docx(path, file, known)
    text = decode_bytes(data, file)
    if ext in (".txt", ".md"):
        return read_plain_body(text, file, known, markdown=ext == ".md")
    reader = read_vtt if ext == ".vtt" else read_srt
    return FrontMatter(), reader(text, file, known)
