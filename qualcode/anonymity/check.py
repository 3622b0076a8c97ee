"""The anonymity check of what is already stored, and of a transcript's header lines.

Why: ``[anonymity]`` grows during a study (a respondent names a colleague; the researcher adds
the name). The ingest check only sees files as they come in, so a name added afterwards would
stay in the stored transcripts, in every export and quote table, unnoticed. :func:`check_stored`
reads the stored canonical texts and header notes with the current settings and says, per
finding, which transcript, fragment and source line hold it, so the user can fix the file and
re-ingest it. Ingest runs it for the configured names over the transcripts it did not read;
``qualcode anonymity check`` runs every detector.

A transcript ingested with ``--allow-pii`` was let in knowingly: its findings are listed with
``allowed`` set, and do not count as a problem.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from qualcode.anonymity.detect import Finding, SensitiveTerms, detect
from qualcode.store import Store


@dataclass(frozen=True)
class StoredFinding:
    """Personal data found in a stored transcript."""

    transcript: str
    file: str
    fragment: str | None  # "<transcript>:<n>", "header", or None when no turn holds it
    line: int | None  # line in the source file (None in a header note)
    column: int | None  # 1-based, in the turn's text on that line (a label before it is not counted)
    kind: str
    text: str
    allowed: bool  # the transcript was ingested with --allow-pii

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def check_stored(
    store: Store,
    terms: SensitiveTerms,
    *,
    names_only: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[StoredFinding]:
    """Findings in every stored transcript's text and header note, in transcript order.

    ``names_only``: only the listed names (people, municipalities, organisations), the part of
    the check a settings change can make newly relevant. ``progress(done, total, message)``.
    """
    out: list[StoredFinding] = []
    stored = store.transcript_texts()
    for i, t in enumerate(stored):
        if progress:
            progress(i, len(stored), f"checking {t['id']}")
        spans = store.fragment_lines(t["id"])
        for fd in _detect(t["text"], terms, names_only):
            line, column, n = locate(spans, t["text"], fd.start)
            fragment = f"{t['id']}:{n}" if n is not None else None
            out.append(StoredFinding(t["id"], t["file"], fragment, line, column, fd.kind, fd.text,
                                     bool(t["pii_allowed"])))
        for fd in _detect(t["header"] or "", terms, names_only):
            out.append(StoredFinding(t["id"], t["file"], "header", None, None, fd.kind, fd.text,
                                     bool(t["pii_allowed"])))
    return out


def header_findings(header: Sequence[tuple[int, str]], terms: SensitiveTerms) -> list[Finding]:
    """Findings in header lines (``(line, text)`` pairs), with the file's line numbers."""
    return [replace(fd, line=number) for number, text in header for fd in detect(text, terms)]


FragmentSpan = tuple[int, int, int | None, int]  # (start, end, line, n) of a stored fragment


def locate(spans: Sequence[FragmentSpan], text: str, start: int) -> tuple[int | None, int | None, int | None]:
    """``(line, column, n)`` of a canonical-text position, from the fragments' ``(start, end,
    line, n)``. A position in a speaker label belongs to the turn it opens (line of that turn,
    no column)."""
    ends = [s[1] for s in spans]
    i = bisect.bisect_right(ends, start)
    if i >= len(spans):
        return None, None, None
    f_start, _, f_line, n = spans[i]
    if start < f_start or f_line is None:
        return f_line, None, n
    before = text[f_start:start]
    column = len(before) - (before.rfind("\n") + 1) + 1
    return f_line + before.count("\n"), column, n


def _detect(text: str, terms: SensitiveTerms, names_only: bool) -> list[Finding]:
    return detect(text, terms, names_only=names_only)
