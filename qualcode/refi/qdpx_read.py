"""REFI-QDA project import (``.qdpx``): projects exported by other QDA tools, or by qualcode.

Everything is read and checked before anything is written, and the whole import is one run
("import") that ``qualcode runs undo`` removes again, the written codebook file included.

Safety. The zip is read in memory, never extracted; an entry whose name holds ``..`` or is
absolute (``/x``, ``\\x``, ``C:x``) makes the whole file refused. ``project.qde`` is parsed
with defusedxml: a DTD or entity declaration is refused (no XXE, no entity bombs).

Sources. Each ``<TextSource>`` becomes one transcript. Its text is, in this order, the
``internal://`` file named by ``plainTextPath`` (``.txt``: UTF-8, a BOM is dropped;
``.docx``: see below), the inline ``<PlainTextContent>``, or a ``.docx`` named by
``richTextPath``. External paths, pictures, PDFs, audio and video are skipped with a warning.
Text from a ``.docx`` is what python-docx extracts: one line per paragraph (a line break
inside a paragraph is a newline too), one line per table row with its cells joined by tabs,
lines joined by ``\\n``; selection positions in a docx-only source are counted in that text.

Transcript id: the source's name without a document extension (``.txt``, ``.docx``...),
ASCII-folded, other characters than letters, digits, ``_ . -`` turned into ``_``; a second
source with the same id gets ``_2``. ``prefix`` is put in front of every id. An id that the
project already has is refused (nothing imported) unless a prefix makes the ids new.

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
turn a CRLF inside ``<PlainTextContent>`` into LF before we see it; the importer re-reads
such content with its carriage returns kept, so inline CRLF sources map as well. A
selection that covers only dropped text (only blank lines or a time stamp) is skipped with
a warning. Selection positions outside the text are refused.

Cases. ``<Case name>`` (else its GUID) is the case id; its ``<VariableValue>``s become case
attributes (source "import"), its ``<Description>`` a case memo. Which turns belong to which
case: a case that references selections (``<SelectionRef>``) owns the respondent turns they
overlap; the other turns follow the ``[case: X]`` / ``[speaker: L = C]`` marker lines in the
source's ``<Description>`` (qualcode's export writes them); without markers, a source that
exactly one case references by ``<SourceRef>`` belongs to that case; else the transcript
rules apply (a speaker label that names a case, otherwise the transcript id).

Variables. Names that are not valid attribute names (``Age group``) are slugged
(``age_group``). Text -> text, Integer/Float -> number, Boolean -> boolean, Date -> date,
DateTime -> text (ISO). Source values become transcript attributes.

Users and codings. Each ``<User>`` is a coder named by its ``name`` (else its GUID). A
coding's coder is its ``creatingUser``, else its selection's, else ``default_coder``.
Codings keep their code, span, covered text, creation time (else the import time), the
stance from a ``[stance: ...]`` marker, and as memo the selection's description and the
notes referenced by the selection and coding. Codings on a whole source (no selection) are
skipped with a warning: qualcode codes spans.

Codebook. ``<CodeBook>`` is read like a ``.qdc`` (:mod:`qualcode.refi.qdc`: our
``[id: ...]`` markers give back ids, else ids are slugs of the names under their parents),
written to ``codebooks/<qdpx file stem>.yaml`` (``-2``, ``-3``... when a different file has
that name) and used to validate the codings: every ``CodeRef`` must name a code in it, and a
code that carries codings is made codable (a warning says so). The codings are stored with
that codebook's hash. The project's configured codebook stays as it is unless
``use_codebook`` is set, which points ``qualcode.toml`` at the imported one (also undone
with the run).

Notes. Notes referenced from the project (or from nothing we import) become project memos,
from a ``<Code>`` code memos, from a ``<TextSource>`` transcript memos (or fragment memos for
qualcode's own "memo on fragment ..." notes), from a selection or coding the coding's memo.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import Code, Codebook, Label, RuleSettings, codebook_id_from_name, slugify
from qualcode.refi.qdc import (
    _GUID_RE,
    PROJECT_NS,
    _boolean,
    _choose_id,
    _expand_color,
    _parse,
    _read_description,
)
from qualcode.errors import InputError
from qualcode.anonymity.detect import SensitiveTerms, detect
from qualcode.coding.apply import add_memo
from qualcode.coding.apply import check_stance
from qualcode.coding.ingest import FileResult, _store_transcript
from qualcode.config import CONFIG_NAME
from qualcode.refi.qdc import codebook_to_yaml
from qualcode.store import now
from qualcode.transcripts.attributes import parse_value
from qualcode.transcripts.decode import canonicalise
from qualcode.transcripts.decode import decode_bytes
from qualcode.transcripts.frontmatter import FrontMatter
from qualcode.transcripts.model import ParsedTranscript
from qualcode.transcripts.model import Turn, render_canonical
from qualcode.transcripts.plain import SourceTurn, is_interviewer_label, read_plain
from qualcode.transcripts.plain import match_label

if TYPE_CHECKING:
    from qualcode.project import Project

QDE_NAME = "project.qde"
MAX_ENTRY_BYTES = 512 * 1024 * 1024  # a zip entry that claims more is refused (zip bomb)
_DOC_EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".htm", ".html")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_MARKER = re.compile(r"^\[(case|speaker|stance): (.*)\]$")
_FRAGMENT_NOTE = re.compile(r"^memo on fragment (?P<tid>.+):(?P<n>\d+)$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


# --------------------------------------------------------------------------------------
# offsets: original text -> canonical text
# --------------------------------------------------------------------------------------


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
# reading the file
# --------------------------------------------------------------------------------------


def _norm_guid(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().strip("{}").lower()


def check_zip_names(zf: zipfile.ZipFile, display: str) -> None:
    """Refuse the whole file if any entry could escape a folder (``..``, absolute, drive)."""
    for info in zf.infolist():
        name = info.filename
        parts = re.split(r"[\\/]", name)
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise InputError(
                f"refusing a QDPX with an unsafe entry {name!r} (absolute path or '..'): nothing was imported",
                file=display,
            )
        if info.file_size > MAX_ENTRY_BYTES:
            raise InputError(f"zip entry {name!r} is too large ({info.file_size} bytes)", file=display)


def _zip_read(zf: zipfile.ZipFile, name: str, display: str) -> bytes:
    try:
        with zf.open(name) as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise InputError(f"cannot read zip entry {name!r}: {exc}", file=display) from None
    if len(data) > MAX_ENTRY_BYTES:
        raise InputError(f"zip entry {name!r} is too large", file=display)
    return data


def _keep_carriage_returns(data: bytes) -> bytes:
    """``project.qde`` with every CR inside ``<PlainTextContent>`` written as ``&#13;``.

    Why: an XML parser turns CRLF into LF, but another tool counted its positions in the text
    with CRLF. Called only after the defused parse has accepted the document.
    """
    import xml.parsers.expat

    if b"\r" not in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data
    ranges: list[tuple[int, int]] = []
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    opened: list[int] = []

    def start(name: str, _attrs: Any) -> None:
        if name.rsplit("}", 1)[-1] == "PlainTextContent":
            opened.append(parser.CurrentByteIndex)

    def end(name: str) -> None:
        if name.rsplit("}", 1)[-1] == "PlainTextContent" and opened:
            begin = data.index(b">", opened.pop()) + 1
            if parser.CurrentByteIndex > begin:
                ranges.append((begin, parser.CurrentByteIndex))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    out, pos = [], 0
    for a, b in sorted(ranges):
        out.append(data[pos:a])
        seg, kept, p = data[a:b], [], 0
        for m in re.finditer(rb"<!\[CDATA\[(.*?)\]\]>", seg, re.S):
            kept.append(seg[p : m.start()].replace(b"\r", b"&#13;"))
            kept.append(b"<![CDATA[" + m.group(1).replace(b"\r", b"]]>&#13;<![CDATA[") + b"]]>")
            p = m.end()
        kept.append(seg[p:].replace(b"\r", b"&#13;"))
        out.append(b"".join(kept))
        pos = b
    out.append(data[pos:])
    return b"".join(out)


def decode_source(data: bytes, display: str) -> str:
    """A source file's text as the other tool counted it: decoded, BOM dropped, nothing else changed."""
    import codecs

    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:

        decode_bytes(data, display)  # raises for binary or mixed-encoding data
        return data.decode("cp1252")


def docx_text(data: bytes, display: str) -> str:
    """Plain text of a .docx as positions in it are counted (see the module docstring)."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - a damaged package fails in many ways
        raise InputError(f"not a readable .docx file ({type(err).__name__})", file=display) from None
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells, last = [], None
                for cell in row.cells:
                    if cell._tc is last:  # a merged cell repeats once per grid column
                        continue
                    last = cell._tc
                    cells.append(cell.text)
                lines.append("\t".join(cells))
        else:
            lines.append(item.text)
    return "\n".join(lines)


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    user: str | None
    description: str
    notes: list[str]
    codings: list[dict[str, Any]]  # {guid, code, user, created, notes, line}
    line: int | None


@dataclass
class Source:
    guid: str
    name: str
    line: int | None
    text: SourceText | None
    original: str
    description: str
    markers: dict[str, Any]
    selections: list[Selection]
    notes: list[str]
    values: dict[str, tuple[str | None, str]]  # attribute key -> (stored value, type)
    transcript_id: str = ""


@dataclass
class CaseIn:
    guid: str
    name: str
    description: str
    values: dict[str, tuple[str | None, str]]
    sources: list[str]
    selections: list[str]


@dataclass
class QdpxContent:
    """Everything read from a ``.qdpx`` before it is stored."""

    name: str
    users: dict[str, str]
    codebook: Codebook | None
    code_guids: dict[str, str]
    code_notes: dict[str, list[str]]
    cases: list[CaseIn]
    sources: list[Source]
    notes: dict[str, tuple[str, str, str | None]]  # guid -> (name, text, user guid)
    project_notes: list[str]
    warnings: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, display: str, qde_display: str, lines: dict[ET.Element, int],
                 interviewer_labels: list[str] | tuple[str, ...], language: str) -> None:
        self.zf = zf
        self.display = display
        self.qde = qde_display
        self.lines = lines
        self.labels = interviewer_labels
        self.language = language if language in ("nl", "en") else "nl"
        self.warnings: list[str] = []
        self.names = {info.filename: info.filename for info in zf.infolist()}
        self.lower_names = {info.filename.lower(): info.filename for info in zf.infolist()}

    def t(self, local: str) -> str:
        return f"{{{PROJECT_NS}}}{local}"

    def line(self, el: ET.Element) -> int | None:
        return self.lines.get(el)

    def error(self, message: str, el: ET.Element | None = None) -> InputError:
        return InputError(message, file=self.qde, line=self.line(el) if el is not None else None)

    def text_of(self, el: ET.Element, local: str) -> str:
        child = el.find(self.t(local))
        return (child.text or "") if child is not None else ""

    def guid_of(self, el: ET.Element, required: bool = True) -> str | None:
        value = el.get("guid")
        if value is None or not _GUID_RE.match(value.strip()):
            if required:
                local = el.tag.rsplit("}", 1)[-1]
                raise self.error(f"<{local}> has a missing or malformed guid {value!r}", el)
            return None
        return _norm_guid(value)

    def refs(self, el: ET.Element, local: str) -> list[str]:
        return [g for r in el.findall(self.t(local)) if (g := _norm_guid(r.get("targetGUID")))]

    def internal(self, path: str, el: ET.Element) -> bytes:
        rel = path[len("internal://") :]
        parts = re.split(r"[\\/]", rel)
        if not rel or ".." in parts or rel.startswith(("/", "\\")):
            raise self.error(f"refusing unsafe internal path {path!r}", el)
        for candidate in (f"sources/{rel}", rel):
            name = self.names.get(candidate) or self.lower_names.get(candidate.lower())
            if name:
                return _zip_read(self.zf, name, self.display)
        raise self.error(f"{path!r} is not in the QDPX (expected sources/{rel})", el)

    # -- codebook -------------------------------------------------------------------------
    def codebook(
        self, root: ET.Element, title: str, cb_id: str
    ) -> tuple[Codebook | None, dict[str, str], dict[str, list[str]]]:
        """The codebook, code GUID -> code id, and code id -> note GUIDs."""
        book = root.find(self.t("CodeBook"))
        codes_el = book.find(self.t("Codes")) if book is not None else None
        if codes_el is None:
            return None, {}, {}
        lang = self.language
        other = "en" if lang == "nl" else "nl"
        cb = Codebook(id=cb_id, title=title, language=lang, rules=RuleSettings())
        guids: dict[str, str] = {}
        notes: dict[str, list[str]] = {}

        def walk(parent_el: ET.Element, parent_id: str | None) -> None:
            for el in parent_el.findall(self.t("Code")):
                line = self.line(el)
                name = (el.get("name") or "").strip()
                if not name:
                    raise self.error("<Code> without a name", el)
                g = self.guid_of(el)
                codable = _boolean(el.get("isCodable"), name, self.qde, line)
                definition, markers = _read_description(self.text_of(el, "Description") or None)
                code_id = _choose_id(markers.get("id"), name, parent_id, cb.codes)
                labels = {lang: name, other: markers.get(other) or name}
                color = (el.get("color") or "").strip()
                cb.codes[code_id] = Code(
                    id=code_id, segment=code_id.rsplit(".", 1)[-1], parent=parent_id,
                    label=Label(nl=labels["nl"], en=labels["en"]), definition=definition, codable=codable,
                    color=_expand_color(color) if _COLOR.match(color) else None, source_file=self.qde, line=line,
                )
                if g:
                    guids[g] = code_id
                refs = self.refs(el, "NoteRef")
                if refs:
                    notes[code_id] = refs
                walk(el, code_id)

        walk(codes_el, None)
        return cb, guids, notes

    # -- variables ------------------------------------------------------------------------
    def variables(self, root: ET.Element) -> dict[str, tuple[str, str]]:
        """Variable GUID -> (attribute key, REFI type)."""
        out: dict[str, tuple[str, str]] = {}
        taken: set[str] = set()
        vars_el = root.find(self.t("Variables"))
        for el in vars_el.findall(self.t("Variable")) if vars_el is not None else []:
            g = self.guid_of(el)
            name = (el.get("name") or "").strip()
            if not name:
                raise self.error("<Variable> without a name", el)
            key = name if _KEY.match(name) else slugify(name)
            base, n = key, 2
            while key in taken:
                key, n = f"{base}_{n}", n + 1
            taken.add(key)
            out[g] = (key, (el.get("typeOfVariable") or "Text").strip())
        return out

    def values(self, el: ET.Element, variables: dict[str, tuple[str, str]]) -> dict[str, tuple[str | None, str]]:

        out: dict[str, tuple[str | None, str]] = {}
        for vv in el.findall(self.t("VariableValue")):
            ref = vv.find(self.t("VariableRef"))
            g = _norm_guid(ref.get("targetGUID")) if ref is not None else None
            if g not in variables:
                raise self.error(f"<VariableValue> refers to an unknown variable {g!r}", vv)
            key, _vtype = variables[g]
            for local, our in (("TextValue", "text"), ("BooleanValue", "boolean"), ("IntegerValue", "number"),
                               ("FloatValue", "number"), ("DateValue", "date"), ("DateTimeValue", "text")):
                child = vv.find(self.t(local))
                if child is None:
                    continue
                raw = (child.text or "").strip()
                if local == "BooleanValue":
                    raw = {"1": "true", "0": "false"}.get(raw, raw)
                try:
                    typed = parse_value(raw, our)
                except ValueError as exc:
                    raise self.error(f"variable {key!r}: {exc}", child) from None
                out[key] = (typed.value, typed.type)
                break
        return out

    # -- notes ----------------------------------------------------------------------------
    def notes(self, root: ET.Element) -> dict[str, tuple[str, str, str | None]]:

        out: dict[str, tuple[str, str, str | None]] = {}
        notes_el = root.find(self.t("Notes"))
        for el in notes_el.findall(self.t("Note")) if notes_el is not None else []:
            g = self.guid_of(el)
            text = self.text_of(el, "PlainTextContent")
            path = el.get("plainTextPath") or ""
            if not text and path.startswith("internal://") and path.lower().endswith(".txt"):
                text = decode_source(self.internal(path, el), self.display)
            text = canonicalise(text).strip()
            if text:
                out[g] = ((el.get("name") or "").strip(), text, _norm_guid(el.get("creatingUser")))
        return out

    # -- sources --------------------------------------------------------------------------
    def source_original(self, el: ET.Element, name: str) -> str | None:
        plain = (el.get("plainTextPath") or "").strip()
        rich = (el.get("richTextPath") or "").strip()
        content = el.find(self.t("PlainTextContent"))
        if plain.startswith("internal://"):
            data = self.internal(plain, el)
            if plain.lower().endswith(".docx"):
                return docx_text(data, f"{self.display}!{plain}")
            return decode_source(data, f"{self.display}!{plain}")
        if content is not None:
            return content.text or ""
        if rich.startswith("internal://") and rich.lower().endswith(".docx"):
            return docx_text(self.internal(rich, el), f"{self.display}!{rich}")
        where = plain or rich
        if where:
            self.warnings.append(f"source {name!r}: {where!r} is outside the QDPX; skipped with its codings")
        else:
            self.warnings.append(f"source {name!r} has no text; skipped")
        return None

    def source(self, el: ET.Element, variables: dict[str, tuple[str, str]]) -> Source:
        g = self.guid_of(el)
        name = (el.get("name") or "").strip() or g
        original = self.source_original(el, name)
        text = None
        if original is not None:
            text = build_source_text(original, self.labels, f"{self.display}!{name}")
            if text is None:
                self.warnings.append(f"source {name!r} holds no text; skipped with its codings")
        description, markers = _split_markers(self.text_of(el, "Description"))
        selections = []
        for sel in el.findall(self.t("PlainTextSelection")):
            selections.append(self.selection(sel, len(original) if original is not None else None, name))
        if el.findall(self.t("Coding")):
            self.warnings.append(f"source {name!r}: {len(el.findall(self.t('Coding')))} coding(s) of the whole "
                                 "source skipped (qualcode codes spans of text)")
        return Source(g, name, self.line(el), text, original or "", description, markers, selections,
                      self.refs(el, "NoteRef"), self.values(el, variables))

    def selection(self, el: ET.Element, length: int | None, source_name: str) -> Selection:
        g = self.guid_of(el)
        try:
            start, end = int(el.get("startPosition", "")), int(el.get("endPosition", ""))
        except ValueError:
            raise self.error("<PlainTextSelection> needs integer startPosition and endPosition", el) from None
        if length is not None and not (0 <= start <= end <= length):
            raise self.error(
                f"<PlainTextSelection> {start}-{end} lies outside source {source_name!r} "
                f"(its text has {length} characters)", el)
        codings = []
        for c in el.findall(self.t("Coding")):
            ref = c.find(self.t("CodeRef"))
            if ref is None:
                raise self.error("<Coding> without a <CodeRef>", c)
            codings.append({
                "guid": _norm_guid(c.get("guid")),
                "code": _norm_guid(ref.get("targetGUID")),
                "user": _norm_guid(c.get("creatingUser")),
                "created": c.get("creationDateTime") or el.get("creationDateTime"),
                "notes": self.refs(c, "NoteRef"),
                "line": self.line(c),
            })
        return Selection(g, start, end, _norm_guid(el.get("creatingUser")), self.text_of(el, "Description"),
                         self.refs(el, "NoteRef"), codings, self.line(el))


def _join(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _split_markers(text: str) -> tuple[str, dict[str, Any]]:
    """A description's own text and our marker lines (``[case: ...]``, ``[speaker: L = C]``...)."""
    markers: dict[str, Any] = {"speakers": {}}
    kept: list[str] = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        m = _MARKER.match(line.strip())
        if not m:
            kept.append(line)
        elif m.group(1) == "speaker":
            label, sep, case = m.group(2).partition(" = ")
            if sep and label.strip() and case.strip():
                markers["speakers"][label.strip()] = case.strip()
        else:
            markers[m.group(1)] = m.group(2).strip()
    return "\n".join(kept).strip(), markers


def read_qdpx(path: str | Path, *, interviewer_labels: list[str] | tuple[str, ...] = (), language: str = "nl",
              codebook_id: str | None = None) -> QdpxContent:
    """Read and check a ``.qdpx`` without storing anything; bad input raises InputError."""
    p = Path(path)
    display = str(path)
    if not p.is_file():
        raise InputError("no such file", file=display)
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        raise InputError("not a QDPX file (not a zip archive)", file=display) from None
    with zf:
        check_zip_names(zf, display)
        names = {i.filename for i in zf.infolist()}
        qde_name = QDE_NAME if QDE_NAME in names else None
        if qde_name is None:
            candidates = sorted(n for n in names if n.lower().endswith(".qde") and "/" not in n)
            if len(candidates) != 1:
                raise InputError("not a QDPX file: no project.qde inside", file=display)
            qde_name = candidates[0]
        qde_display = f"{display}!{qde_name}"
        data = _zip_read(zf, qde_name, display)
        root, lines = _parse(data, qde_display)  # refuses DTDs and entities
        fixed = _keep_carriage_returns(data)
        if fixed is not data:
            root, lines = _parse(fixed, qde_display)
        if root.tag != f"{{{PROJECT_NS}}}Project":
            raise InputError(f"not a REFI-QDA project: the root element is {root.tag!r}, expected "
                             f"<Project> in namespace '{PROJECT_NS}'", file=qde_display, line=lines.get(root))
        reader = _Reader(zf, display, qde_display, lines, interviewer_labels, language)
        name = (root.get("name") or p.stem).strip()
        cb, code_guids, code_notes = reader.codebook(root, name, codebook_id or codebook_id_from_name(p.stem))
        users: dict[str, str] = {}
        users_el = root.find(reader.t("Users"))
        for el in users_el.findall(reader.t("User")) if users_el is not None else []:
            g = reader.guid_of(el)
            users[g] = (el.get("name") or "").strip() or g
        variables = reader.variables(root)
        notes = reader.notes(root)
        sources: list[Source] = []
        sources_el = root.find(reader.t("Sources"))
        for el in list(sources_el) if sources_el is not None else []:
            local = el.tag.rsplit("}", 1)[-1]
            if local == "TextSource":
                sources.append(reader.source(el, variables))
            else:
                what = el.get("name") or el.get("guid")
                reader.warnings.append(f"{local} {what!r} skipped: only text sources are imported")
        cases: list[CaseIn] = []
        cases_el = root.find(reader.t("Cases"))
        for el in cases_el.findall(reader.t("Case")) if cases_el is not None else []:
            g = reader.guid_of(el)
            cases.append(CaseIn(g, (el.get("name") or "").strip() or g, reader.text_of(el, "Description").strip(),
                                reader.values(el, variables), reader.refs(el, "SourceRef"),
                                reader.refs(el, "SelectionRef")))
        for local in ("Links", "Sets", "Graphs"):
            if root.find(reader.t(local)) is not None:
                reader.warnings.append(f"<{local}> is not imported")
        return QdpxContent(name, users, cb, code_guids, code_notes, cases, sources, notes,
                           reader.refs(root, "NoteRef"), reader.warnings)


# --------------------------------------------------------------------------------------
# storing
# --------------------------------------------------------------------------------------


@dataclass
class QdpxImport:
    """What an import did (CLI message, JSON, tests)."""

    run_id: int | None
    transcripts: list[str] = field(default_factory=list)
    codings: int = 0
    coders: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    attributes: int = 0
    memos: int = 0
    codebook: str | None = None
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("run_id", "transcripts", "codings", "coders", "cases", "attributes",
                                              "memos", "codebook", "skipped", "warnings")}


def transcript_id_for(name: str) -> str:
    """A transcript id from a source name (see the module docstring)."""
    base = name.strip()
    if base.lower().endswith(_DOC_EXTENSIONS):
        base = base[: base.rfind(".")]
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    return _SAFE_ID.sub("_", folded).strip("_.-") or "source"


def _fragment_for(turns: list[Any], tid: str, start: int, end: int) -> str:
    """The fragment a span belongs to: most overlap (respondent turns first), else the nearest."""
    best, best_key = None, None
    for t in turns:
        overlap = min(end, t.end) - max(start, t.start)
        distance = 0 if overlap > 0 else min(abs(start - t.end), abs(t.start - end))
        key = (overlap <= 0, -overlap if overlap > 0 else distance, t.is_interviewer, t.n)
        if best_key is None or key < best_key:
            best, best_key = t, key
    return f"{tid}:{best.n}"


def _codebook_target(project: "Project", cb_id: str, text: str) -> Path:
    folder = project.root / "codebooks"
    n = 1
    while True:
        target = folder / (f"{cb_id}.yaml" if n == 1 else f"{cb_id}-{n}.yaml")
        if not target.exists() or target.read_text(encoding="utf-8") == text:
            return target
        n += 1


def import_qdpx(
    project: "Project",
    path: str | Path,
    *,
    prefix: str | None = None,
    allow_pii: bool = False,
    default_coder: str = "imported",
    use_codebook: bool = False,
) -> QdpxImport:
    """Import a REFI-QDA project into ``project`` as one run (see the module docstring)."""
    if prefix is not None and not _ID.match(prefix):
        raise InputError(f"prefix {prefix!r} may only hold letters, digits and _ . -")
    config = project.config
    content = read_qdpx(path, interviewer_labels=config.interviewer_labels, language=config.language)
    importer = _Importer(project, content, str(path), default_coder)
    importer.check(prefix)
    params = {"file": str(path), "prefix": prefix, "allow_pii": allow_pii, "use_codebook": use_codebook}
    cb = content.codebook
    with project.store.run("import", project.user, params, cb.hash if cb is not None else None) as run_id:
        importer.report.run_id = run_id
        importer.store_codebook(use_codebook)
        importer.store_coders_and_cases()
        for src in importer.importable:
            importer.store_source(src, allow_pii)
        importer.assign_selection_cases()
        importer.store_remaining_notes()
        r = importer.report
        project.store.set_run_summary(run_id, {"transcripts": len(r.transcripts), "codings": r.codings,
                                               "skipped": len(r.skipped)})
    return importer.report


class _Importer:
    """The storing half of an import: every step runs inside the one "import" run."""

    def __init__(self, project: "Project", content: QdpxContent, display: str, default_coder: str) -> None:
        self.project = project
        self.store = project.store
        self.content = content
        self.display = display
        self.default_coder = default_coder
        self.report = QdpxImport(run_id=None, warnings=list(content.warnings))
        self.importable = [s for s in content.sources if s.text is not None]
        self.coders: set[str] = set()

    def coder_of(self, *guids: str | None) -> str:
        """A user's name (its GUID when it has none or is not listed), else the default coder."""
        for g in guids:
            if g:
                return self.content.users.get(g, g)
        return self.default_coder

    def note_coder(self, user: str | None) -> str | None:
        return self.coder_of(user) if user else None

    def memo(self, kind: str, target: str | None, text: str, coder: str | None) -> None:

        add_memo(self.store, target_kind=kind, target_id=target, text=text, coder=coder)
        self.report.memos += 1

    # -- before the run: ids and codes ---------------------------------------------------------
    def check(self, prefix: str | None) -> None:
        """Transcript ids, clashes with the project, and codes: all before anything is written."""
        used: set[str] = set()
        for src in self.content.sources:
            base = (prefix or "") + transcript_id_for(src.name)
            tid, n = base, 2
            while tid in used:
                tid, n = f"{base}_{n}", n + 1
            used.add(tid)
            src.transcript_id = tid
        clashes = sorted(s.transcript_id for s in self.importable if self.store.transcript(s.transcript_id))
        if clashes:
            hint = ("choose another --prefix" if prefix
                    else "import with --prefix P to give the imported transcripts other ids")
            shown = ", ".join(clashes[:10]) + (f" and {len(clashes) - 10} more" if len(clashes) > 10 else "")
            raise InputError(f"transcript(s) {shown} already exist in this project; {hint}", file=self.display)
        coded: set[str] = set()
        for src in self.importable:
            for sel in src.selections:
                for c in sel.codings:
                    if c["code"] not in self.content.code_guids:
                        raise InputError(f"<Coding> refers to code {c['code']!r}, which is not in the codebook",
                                         file=f"{self.display}!{QDE_NAME}", line=c["line"])
                    coded.add(self.content.code_guids[c["code"]])
        cb = self.content.codebook
        for code_id in sorted(coded):
            if cb is not None and not cb.codes[code_id].codable:
                cb.codes[code_id].codable = True
                self.report.warnings.append(f"code {code_id!r} is not codable in the QDPX but has codings; "
                                            "made codable")

    # -- inside the run -----------------------------------------------------------------------
    def store_codebook(self, use_codebook: bool) -> None:

        cb = self.content.codebook
        if cb is None:
            return
        root = self.project.root
        header = (f"Imported from {Path(self.display).name} (REFI-QDA project \"{self.content.name}\") "
                  "by `qualcode import qdpx`.")
        text = codebook_to_yaml(cb, header=header)
        target = _codebook_target(self.project, cb.id, text)
        cb.files = [str(target)]
        if not target.exists():
            self.store.write_file(target, text)  # journaled: undo removes the file again
        self.report.codebook = target.relative_to(root).as_posix()
        self.store.remember_codebook(cb.hash, cb.id, self.report.codebook, cb.to_dict())
        if use_codebook:
            _point_config_at(self.project, self.report.codebook)

    def store_coders_and_cases(self) -> None:
        for name in sorted(set(self.content.users.values())):
            self.store.ensure_coder(name)
            self.coders.add(name)
        for case in self.content.cases:
            self.store.ensure_case(case.name)
            for key, (value, type_) in sorted(case.values.items()):
                if value is not None:
                    self.store.set_attribute("case", case.name, key, value, type_, "import")
                    self.report.attributes += 1
            if case.description:
                self.memo("case", case.name, case.description, None)
        self.report.cases = [c.name for c in self.content.cases]

    def default_case(self, src: Source) -> str | None:
        """``[case: X]``, else front matter ``case:``, else the one case that references the
        whole source (and no selections)."""
        st = src.text
        assert st is not None
        if src.markers.get("case") or st.front.case:
            return src.markers.get("case") or st.front.case
        cases = [c for c in self.content.cases if src.guid in c.sources]
        if len(cases) == 1 and not cases[0].selections:
            return cases[0].name
        return None

    def store_source(self, src: Source, allow_pii: bool) -> None:
        """One source as a transcript (ingest's storage path), its attributes, notes and codings."""

        st = src.text
        assert st is not None
        tid = src.transcript_id
        findings = detect(st.canonical, SensitiveTerms.from_config(self.project.config.anonymity))
        if findings and not allow_pii:
            self.report.skipped.append({"source": src.name, "transcript": tid, "findings": [
                {"kind": f.kind, "text": f.text, "line": f.line} for f in findings]})
            return
        known = self.store.case_ids() | {c.name for c in self.content.cases}
        speakers = {**st.front.speakers, **src.markers.get("speakers", {})}
        known.update(speakers.values())
        parsed = ParsedTranscript(
            id=tid, file=f"{self.display}#{src.name}", format="qdpx", text=st.canonical, turns=st.turns,
            attributes=dict(st.front.attributes), speakers=speakers, case=self.default_case(src),
            source_hash=hashlib.sha256(src.original.encode("utf-8")).hexdigest(),
        )
        result = FileResult(file=parsed.file, transcript=tid, status="new")
        _store_transcript(self.store, self.project.config, parsed, Path(parsed.file), result, known,
                          self.report.run_id or 0, bool(findings))
        self.report.transcripts.append(tid)
        for key, (value, type_) in sorted(src.values.items()):
            if value is not None:
                self.store.set_attribute("transcript", tid, key, value, type_, "import")
                self.report.attributes += 1
        if src.description:
            self.memo("transcript", tid, src.description, None)
        for g in src.notes:
            note = self.content.notes.pop(g, None)
            if note is None:
                continue
            m = _FRAGMENT_NOTE.match(note[0])
            fragment = f"{tid}:{m['n']}" if m and m["tid"] == src.name else None
            if fragment and self.store.fragment(fragment) is not None:
                self.memo("fragment", fragment, note[1], self.note_coder(note[2]))
            else:
                self.memo("transcript", tid, note[1], self.note_coder(note[2]))
        for sel in src.selections:
            self.store_selection(src, sel)

    def store_selection(self, src: Source, sel: Selection) -> None:

        st = src.text
        assert st is not None
        if not sel.codings:
            return
        span = st.text_map.span(sel.start, sel.end)
        if span is None:
            self.report.warnings.append(
                f"source {src.name!r}: selection {sel.start}-{sel.end} covers no text that qualcode keeps "
                "(only blank lines or a time stamp); its codings were skipped")
            return
        start, end = span
        description, markers = _split_markers(sel.description)
        stance = None
        if markers.get("stance"):
            try:
                stance = check_stance(markers["stance"])
            except InputError:
                self.report.warnings.append(f"unknown stance {markers['stance']!r} ignored")
        notes = self.content.notes
        sel_notes = [notes[g][1] for g in sel.notes if g in notes]
        cb = self.content.codebook
        tid = src.transcript_id
        for c in sel.codings:
            code = self.content.code_guids[c["code"]]
            coder = self.coder_of(c["user"], sel.user)
            memo = _join(description, *sel_notes, *(notes[g][1] for g in c["notes"] if g in notes))
            self.store.ensure_coder(coder)
            self.coders.add(coder)
            if self.store.find_coding(coder, code, tid, start, end) is not None:
                continue  # the same coding twice: one is enough
            self.store.insert("codings", {
                "coder": coder, "code": code, "transcript_id": tid,
                "fragment_id": _fragment_for(st.turns, tid, start, end),
                "start": start, "end": end, "text": st.canonical[start:end], "stance": stance,
                "memo": memo or None, "origin": "import", "suggestion_id": None, "run_id": self.report.run_id,
                "codebook_hash": cb.hash if cb is not None else None,
                "created_at": (c["created"] or "").strip() or now(), "status": "active",
            })
            self.report.codings += 1
        for g in [*sel.notes, *(g for c in sel.codings for g in c["notes"])]:
            notes.pop(g, None)
        self.report.coders = sorted(self.coders)

    def assign_selection_cases(self) -> None:
        """A case that references selections owns the respondent turns they overlap."""
        owners = {sel.guid: (src, sel) for src in self.importable for sel in src.selections}
        for case in self.content.cases:
            for g in case.selections:
                src, sel = owners.get(g, (None, None))
                if src is None or sel is None or src.text is None or src.transcript_id not in self.report.transcripts:
                    continue
                span = src.text.text_map.span(sel.start, sel.end)
                for t in src.text.turns if span else []:
                    if not t.is_interviewer and min(span[1], t.end) > max(span[0], t.start):
                        self.store.update("fragments", {"id": f"{src.transcript_id}:{t.n}"}, {"case_id": case.name})

    def store_remaining_notes(self) -> None:
        """Notes on codes; notes on the project or on nothing we import become project memos."""
        notes = self.content.notes
        if self.content.codebook is not None:
            for code_id, refs in self.content.code_notes.items():
                for g in refs:
                    note = notes.pop(g, None)
                    if note:
                        self.memo("code", code_id, note[1], self.note_coder(note[2]))
        for g in [*self.content.project_notes, *sorted(notes)]:
            note = notes.pop(g, None)
            if note:
                self.memo("project", None, note[1], self.note_coder(note[2]))
        self.report.coders = sorted(self.coders)


def _point_config_at(project: "Project", codebook: str) -> None:
    """Set ``[project] codebook`` in qualcode.toml to the imported codebook (journaled file write)."""

    path = project.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'(?m)^(codebook\s*=\s*)"[^"\n]*"', lambda m: f'{m.group(1)}"{codebook}"', text, count=1)
    if n != 1:
        raise InputError("cannot find the `codebook = \"...\"` line to point it at the imported codebook", file=path)
    project.store.write_file(path, new)
