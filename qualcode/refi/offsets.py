"""Mapping another tool's text positions onto qualcode's canonical text.

Why a module of its own: a REFI-QDA selection counts positions in the text as the other tool
holds it; qualcode stores codings as offsets into the canonical text. Nothing here reads a
zip or touches a project: text in, canonical text, turns and an offset map out.

Speaker labels (the rule). The source's text, normalised (CRLF/CR -> LF, NFC), is read with
the plain-text transcript reader (:mod:`qualcode.transcripts.plain`, the same rules as
ingesting a ``.txt``, interviewer labels from ``qualcode.toml``). If its first non-blank line
is a speaker turn (``R1: ...``, ``Interviewer: ...``), the source is a transcript with turns.
Otherwise (text before the first label, or no labels at all) the whole text is one turn of
speaker ``R``: its lines, stripped, without blank lines, joined by ``\\n``, exactly what the
plain reader makes of a turn. The canonical text is then built as for any transcript
(``"R1: text"`` turns joined by a blank line).

Offsets (the CRLF rule). Other tools count ``startPosition``/``endPosition`` in the text as
they hold it, which may have CRLF line ends (Windows) and decomposed accents. Positions are
mapped through an index: original code point -> normalised text (a CRLF is one LF; an NFC
composition maps into its composed character) -> canonical text (each line's text is found
in the canonical text, and so is the text around it where both texts agree, such as
``"R1: "`` or a line break inside a turn; a position in what the canonical text drops or
rewrites, such as leading spaces, extra blank lines or time stamps, moves to the nearest
kept text inside the selection). So an imported coding covers the same words it covered in
the other tool, and a source that already is canonical text maps one to one. XML parsers
turn a CRLF inside ``<PlainTextContent>`` into LF before we see it; the reader
(:mod:`qualcode.refi.qdpx_read`) re-reads such content with its carriage returns kept, so
inline CRLF sources map as well. A selection that covers only dropped text (only blank lines
or a time stamp) is skipped with a warning. Selection positions outside the text are refused.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from qualcode.errors import InputError
from qualcode.transcripts.frontmatter import FrontMatter
from qualcode.transcripts.model import Turn, render_canonical
from qualcode.transcripts.plain import SourceTurn, is_interviewer_label, match_label, read_plain

__all__ = ["SourceText", "Squeezed", "TextMap", "build_source_text", "locate_snippet", "normalise_with_index"]


def normalise_with_index(original: str) -> tuple[str, list[int]]:
    """The text with LF line ends and in NFC, and for every original offset ``0..len`` the
    offset in that text (a CRLF is one LF; offsets inside a composed sequence map to its start)."""
    lf: list[str] = []
    o2l: list[int] = []
    i, n = 0, len(original)
    while i < n:
        ch = original[i]
        o2l.append(len(lf))
        if ch == "\r":
            if i + 1 < n and original[i + 1] == "\n":
                o2l.append(len(lf))
                i += 1
            lf.append("\n")
        else:
            lf.append(ch)
        i += 1
    o2l.append(len(lf))
    lf_text = "".join(lf)
    if unicodedata.is_normalized("NFC", lf_text):
        return lf_text, o2l
    # Normalise per run of a starter and its combining marks; check against whole-text NFC.
    l2n = [0] * (len(lf_text) + 1)
    out, pos, j = [], 0, 0
    while j < len(lf_text):
        k = j + 1
        while k < len(lf_text) and unicodedata.combining(lf_text[k]):
            k += 1
        piece = unicodedata.normalize("NFC", lf_text[j:k])
        for m in range(j, k):
            l2n[m] = pos
        out.append(piece)
        pos += len(piece)
        j = k
    l2n[len(lf_text)] = pos
    norm = "".join(out)
    if norm != unicodedata.normalize("NFC", lf_text):
        raise InputError("text whose NFC form cannot be mapped character by character (unusual Unicode)")
    return norm, [l2n[x] for x in o2l]


@dataclass
class TextMap:
    """Where each kept piece of the normalised text sits in the canonical text.

    ``pieces`` are (normalised start, canonical start, length), sorted; text between pieces
    (labels, leading spaces, blank lines, time stamps) is not in the canonical text.
    """

    o2n: list[int]
    pieces: list[tuple[int, int, int]]
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pieces.sort()
        self.starts = [p[0] for p in self.pieces]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Canonical ``[start, end)`` of an original ``[start, end)``; None if nothing is kept."""
        s, e = self.o2n[start], self.o2n[end]
        starts = self.starts
        i = bisect.bisect_right(starts, s) - 1
        if i >= 0 and s < self.pieces[i][0] + self.pieces[i][2]:
            cs = self.pieces[i][1] + s - self.pieces[i][0]
        elif i + 1 < len(self.pieces):
            cs = self.pieces[i + 1][1]
        else:
            return None
        j = bisect.bisect_left(starts, e) - 1
        if j >= 0 and e <= self.pieces[j][0] + self.pieces[j][2]:
            ce = self.pieces[j][1] + e - self.pieces[j][0]
        elif j >= 0:
            ce = self.pieces[j][1] + self.pieces[j][2]
        else:
            return None
        return (cs, ce) if ce > cs else None


def _line_starts(lines: list[str]) -> list[int]:
    out, pos = [], 0
    for line in lines:
        out.append(pos)
        pos += len(line) + 1
    return out


def _labelled_pieces(norm: str, turns: list[Any]) -> list[list[int]] | None:
    """Normalised start of each line-piece of each turn (None if the text cannot be aligned)."""

    lines = norm.split("\n")
    starts = _line_starts(lines)
    out: list[list[int]] = []
    for turn in turns:
        parts = turn.text.split("\n")
        found: list[int] = []
        i = turn.line - 1
        if i >= len(lines):
            return None
        cand = match_label(lines[i].strip())
        if cand is not None and cand.text:
            end = starts[i] + len(lines[i].rstrip())
            begin = end - len(parts[0])
            if norm[begin:end] != parts[0]:
                return None
            found.append(begin)
        k = i + 1
        while len(found) < len(parts):
            if k >= len(lines):
                return None
            raw = lines[k]
            k += 1
            if not raw.strip():
                continue
            if raw.strip() != parts[len(found)]:
                return None
            found.append(starts[k - 1] + len(raw) - len(raw.lstrip()))
        out.append(found)
    return out


@dataclass
class SourceText:
    """A source read into canonical form: text, turns and the offset map."""

    canonical: str
    turns: list[Any]  # qualcode.transcripts.model.Turn
    front: Any  # FrontMatter
    text_map: TextMap
    labelled: bool


def build_source_text(
    original: str, interviewer_labels: list[str] | tuple[str, ...], display: str
) -> SourceText | None:
    """Canonical text, turns and offset map of a source's original text (None if it is empty)."""

    norm, o2n = normalise_with_index(original)
    labels = tuple(interviewer_labels)
    front, turns, starts, labelled = FrontMatter(), None, None, False
    try:
        front, turns = read_plain(norm, display, labels)
        starts = _labelled_pieces(norm, turns)
        labelled = starts is not None
    except InputError:
        pass
    if not labelled:
        front = FrontMatter()
        lines = norm.split("\n")
        line_starts = _line_starts(lines)
        kept = [(line_starts[i] + len(raw) - len(raw.lstrip()), raw.strip())
                for i, raw in enumerate(lines) if raw.strip()]
        if not kept:
            return None
        turns = [SourceTurn("R", "\n".join(t for _, t in kept), 1)]
        starts = [[s for s, _ in kept]]
    assert turns is not None and starts is not None
    text, spans = render_canonical([(t.speaker, t.text) for t in turns])
    pieces: list[tuple[int, int, int]] = []
    out_turns = []
    for n, (src, (start, end), piece_starts) in enumerate(zip(turns, spans, starts), start=1):
        offset = start
        for part, norm_start in zip(src.text.split("\n"), piece_starts):
            if part:
                pieces.append((norm_start, offset, len(part)))
            offset += len(part) + 1
        out_turns.append(Turn(n=n, speaker=src.speaker, text=src.text, start=start, end=end, line=src.line,
                              is_interviewer=is_interviewer_label(src.speaker, labels), meta=dict(src.meta)))
    return SourceText(text, out_turns, front, TextMap(o2n, _merge_pieces(pieces, norm, text)), labelled)


def _merge_pieces(pieces: list[tuple[int, int, int]], norm: str, canonical: str) -> list[tuple[int, int, int]]:
    """Join neighbouring pieces where the text between them is the same in both texts (a
    line break inside a turn, ``"R1: "`` before a turn...), and grow the ends likewise.

    Why: a selection that starts on such a character (a sentence span beginning at a line
    break) then maps onto that very character; a source that already is canonical text (a
    qualcode export) maps one to one.
    """
    pieces = sorted(pieces)
    merged: list[tuple[int, int, int]] = []
    for n0, c0, length in pieces:
        if merged:
            pn, pc, pl = merged[-1]
            if norm[pn + pl : n0] == canonical[pc + pl : c0]:
                merged[-1] = (pn, pc, n0 + length - pn)
                continue
        merged.append((n0, c0, length))
    if merged:
        n0, c0, length = merged[0]
        k = 0
        while k < min(n0, c0) and norm[n0 - k - 1] == canonical[c0 - k - 1]:
            k += 1
        merged[0] = (n0 - k, c0 - k, length + k)
        n0, c0, length = merged[-1]
        k = 0
        while n0 + length + k < len(norm) and c0 + length + k < len(canonical) and \
                norm[n0 + length + k] == canonical[c0 + length + k]:
            k += 1
        merged[-1] = (n0, c0, length + k)
    return merged


# --------------------------------------------------------------------------------------
# locating a snippet that has no positions (Taguette's highlights export)
# --------------------------------------------------------------------------------------

_SNIPPET_STAMP = re.compile(
    r"\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]|\(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\)"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?\b"
)


@dataclass
class Squeezed:
    """A text without its white space, and where each kept character sits in the text.

    Why: a snippet exported without positions must be found again in the canonical text,
    but its white space is not the transcript's. Taguette joins the text of HTML elements
    with one space (so ``<b>woord</b>,`` becomes ``woord ,``) and a paragraph break becomes
    a space, a CRLF file has other line ends, and the canonical text itself puts a blank
    line between turns. Comparing only the other characters is immune to all of that.
    """

    text: str
    positions: list[int]

    @classmethod
    def of(cls, text: str) -> Squeezed:
        positions = [i for i, ch in enumerate(text) if not ch.isspace()]
        return cls("".join(text[i] for i in positions), positions)

    def find_all(self, snippet: str) -> list[tuple[int, int]]:
        """Every ``[start, end)`` of the original text whose non-space characters are those of
        ``snippet`` (NFC); overlapping occurrences count separately."""
        needle = "".join(unicodedata.normalize("NFC", snippet).split())
        out: list[tuple[int, int]] = []
        if not needle:
            return out
        i = self.text.find(needle)
        while i >= 0:
            out.append((self.positions[i], self.positions[i + len(needle) - 1] + 1))
            i = self.text.find(needle, i + 1)
        return out


def locate_snippet(text: str | Squeezed, snippet: str) -> list[tuple[int, int]]:
    """Where ``snippet`` occurs in ``text`` (canonical text), white space not counted; a
    snippet that still holds time stamps the canonical text dropped (``[00:01:12]``) is
    looked for without them when it is not found as it is."""
    squeezed = text if isinstance(text, Squeezed) else Squeezed.of(text)
    found = squeezed.find_all(snippet)
    if not found and _SNIPPET_STAMP.search(snippet):
        found = squeezed.find_all(_SNIPPET_STAMP.sub(" ", snippet))
    return found
