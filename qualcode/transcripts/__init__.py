"""Reading transcripts (txt/md, docx, vtt/srt) into canonical text and speaker turns.

Imports stay light: python-docx and spaCy are imported only by the code that needs them.
"""

from __future__ import annotations

from qualcode.transcripts.model import ParsedTranscript, Turn
from qualcode.transcripts.reader import DEFAULT_INTERVIEWER_LABELS, SUPPORTED_EXTENSIONS, read_transcript

__all__ = [
    "DEFAULT_INTERVIEWER_LABELS",
    "SUPPORTED_EXTENSIONS",
    "ParsedTranscript",
    "Turn",
    "read_transcript",
]
