"""Reading a REFI-QDA project (``.qdpx``): the zip and ``project.qde`` parsed and checked.

Pure parsing: :func:`read_qdpx` turns a file into a :class:`QdpxContent` (sources with their
canonical text and selections, the codebook, users, cases, variables, notes) and raises
:class:`qualcode.errors.InputError` for bad input; it needs no project and writes nothing.
Storing the content is :mod:`qualcode.refi.qdpx_import`; mapping the other tool's positions
onto canonical text is :mod:`qualcode.refi.offsets`.

Safety. The zip is read in memory, never extracted; an entry whose name holds ``..`` or is
absolute (``/x``, ``\\x``, ``C:x``) makes the whole file refused. ``project.qde`` is parsed
with defusedxml: a DTD or entity declaration is refused (no XXE, no entity bombs).

Sources. Each ``<TextSource>`` becomes one transcript. Its text is, in this order, the
file named by ``plainTextPath`` (``.txt``: UTF-8, a BOM is dropped; ``.docx``: see below),
the inline ``<PlainTextContent>``, or a ``.docx`` named by ``richTextPath``. Pictures, PDFs,
audio and video are skipped with a warning. Text from a ``.docx`` is what python-docx
extracts: one line per paragraph (a line break inside a paragraph is a newline too), one
line per table row with its cells joined by tabs, lines joined by ``\\n``; selection
positions in a docx-only source are counted in that text. A source without ``name`` is
named after its file (``board_2017.txt``), else its GUID.

Finding a source's file (:meth:`_Reader.find_entry`). Tools write the path in many forms:
``internal://x.txt`` (the standard: the file is in ``sources/``), a bare ``x.txt`` (qc
1.3), ``sources/x.txt``, ``sources\\x.txt``, percent-encoded names, ``relative://`` or
``absolute://`` paths and drive paths (``C:\\...``) of a file that was packed into the
archive anyway. Whatever the form, the file is looked for in the archive, case-insensitively:
the path as written and under ``sources/``, then by its file name under ``sources/`` or
anywhere in the archive (when only one entry has that name), then as ``sources/<the
source's GUID>`` with the path's extension. A path with ``..`` in an internal or bare path
is refused (the whole file). A source whose file is not in the archive is not imported and
is listed in :attr:`QdpxContent.missing`, and so is every other reference to something the
file does not hold (a note's file, a case's ``SourceRef``/``SelectionRef``, a ``NoteRef``):
the import reports them and the command exits 1, never 0 with data left behind.

Variables. Names that are not valid attribute names (``Age group``) are slugged
(``age_group``). Text -> text, Integer/Float -> number, Boolean -> boolean, Date -> date,
DateTime -> text (ISO).

Codebook. ``<CodeBook>`` is read like a ``.qdc`` (:mod:`qualcode.refi.qdc`: our
``[id: ...]`` markers give back ids, else ids are slugs of the names under their parents;
``[implies: ...]`` markers give back roll-ups, so a round trip keeps them).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload
from urllib.parse import unquote

from qualcode.codebook.model import Code, Codebook, Label, RuleSettings, codebook_id_from_name, slugify
from qualcode.errors import InputError
from qualcode.refi.offsets import SourceText, build_source_text
from qualcode.refi.qdc import (
    _GUID_RE,
    PROJECT_NS,
    _boolean,
    _choose_id,
    _expand_color,
    _parse,
    _read_description,
    _read_implies,
)
from qualcode.transcripts.attributes import parse_value
from qualcode.transcripts.decode import canonicalise, decode_bytes

__all__ = [
    "QDE_NAME",
    "CaseIn",
    "QdpxContent",
    "Selection",
    "Source",
    "check_zip_names",
    "decode_source",
    "docx_text",
    "read_qdpx",
    "split_markers",
]

QDE_NAME = "project.qde"
MAX_ENTRY_BYTES = 512 * 1024 * 1024  # a zip entry that claims more is refused (zip bomb)
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_MARKER = re.compile(r"^\[(case|speaker|stance): (.*)\]$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


# --------------------------------------------------------------------------------------
# the zip and its entries
# --------------------------------------------------------------------------------------


@overload
def _norm_guid(value: str) -> str: ...
@overload
def _norm_guid(value: str | None) -> str | None: ...
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


# --------------------------------------------------------------------------------------
# what is read
# --------------------------------------------------------------------------------------


@dataclass
class Selection:
    """A ``<PlainTextSelection>``: positions as the other tool counted them, and its codings."""

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
    """A ``<TextSource>``: its text read into canonical form (None when skipped) and what hangs on it."""

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
    """A ``<Case>``: its attributes and the sources and selections it references."""

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
    missing: list[str] = field(default_factory=list)  # what the file references but does not hold


# --------------------------------------------------------------------------------------
# project.qde
# --------------------------------------------------------------------------------------


class _Reader:
    """Reads the parts of ``project.qde``; errors name the file and line, warnings are collected."""

    def __init__(self, zf: zipfile.ZipFile, display: str, qde_display: str, lines: dict[ET.Element, int],
                 interviewer_labels: list[str] | tuple[str, ...], language: str) -> None:
        self.zf = zf
        self.display = display
        self.qde = qde_display
        self.lines = lines
        self.labels = interviewer_labels
        self.language = language if language in ("nl", "en") else "nl"
        self.warnings: list[str] = []
        self.missing: list[str] = []
        self.names = {info.filename: info.filename for info in zf.infolist() if not info.is_dir()}
        self.lower_names = {name.lower(): name for name in self.names}
        self.base_names: dict[str, list[str]] = {}  # lower-case file name -> entries with that name
        for name in self.names:
            self.base_names.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)

    def t(self, local: str) -> str:
        return f"{{{PROJECT_NS}}}{local}"

    def line(self, el: ET.Element) -> int | None:
        return self.lines.get(el)

    def error(self, message: str, el: ET.Element | None = None) -> InputError:
        return InputError(message, file=self.qde, line=self.line(el) if el is not None else None)

    def text_of(self, el: ET.Element, local: str) -> str:
        child = el.find(self.t(local))
        return (child.text or "") if child is not None else ""

    @overload
    def guid_of(self, el: ET.Element, required: Literal[True] = True) -> str: ...
    @overload
    def guid_of(self, el: ET.Element, required: bool) -> str | None: ...
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

    def find_entry(self, path: str, guid: str | None, el: ET.Element) -> str | None:
        """The zip entry a source or note path names, whatever the form of the path (see the
        module docstring); None when the archive does not hold it."""
        raw = path.strip()
        scheme, sep, rest = raw.partition("://")
        scheme = scheme.lower() if sep else ""
        rel = (rest if sep else raw).replace("\\", "/")
        external = scheme not in ("", "internal") or bool(re.match(r"^[A-Za-z]:/", rel)) or rel.startswith("/")
        if not external:
            if not rel or ".." in rel.split("/"):
                raise self.error(f"refusing unsafe internal path {path!r}", el)
        candidates: list[str] = []
        if not external:
            for form in dict.fromkeys((rel, unquote(rel))):
                candidates += [form, f"sources/{form}"]
        base = _file_name(rel)
        for form in dict.fromkeys((base, unquote(base))):
            if form:
                candidates.append(f"sources/{form}")
        for candidate in candidates:
            name = self.names.get(candidate) or self.lower_names.get(candidate.lower())
            if name:
                return name
        for form in dict.fromkeys((base, unquote(base))):
            same = self.base_names.get(form.lower(), [])
            if form and len(same) == 1:
                return same[0]
        if guid:
            ext = base.rsplit(".", 1)[-1].lower() if "." in base else "txt"
            for candidate in (f"sources/{guid}.{ext}", f"{guid}.{ext}"):
                name = self.lower_names.get(candidate.lower())
                if name:
                    return name
        return None

    def read_entry(self, path: str, guid: str | None, el: ET.Element, what: str) -> bytes | None:
        """The bytes of the file ``path`` names, or None (and a line in ``missing``) when the
        archive does not hold it."""
        name = self.find_entry(path, guid, el)
        if name is None:
            line = self.line(el)
            where = f" (line {line} of {QDE_NAME})" if line else ""
            self.missing.append(f"{what}: file {path!r}{where} is not in the QDPX")
            return None
        return _zip_read(self.zf, name, self.display)

    # -- codebook -------------------------------------------------------------------------
    def codebook(
        self, root: ET.Element, title: str, cb_id: str
    ) -> tuple[Codebook | None, dict[str, str], dict[str, list[str]]]:
        """The codebook, code GUID -> code id, and code id -> note GUIDs."""
        book = root.find(self.t("CodeBook"))
        codes_el = book.find(self.t("Codes")) if book is not None else None
        if codes_el is None:
            return None, {}, {}
        cb = Codebook(id=cb_id, title=title, language=self.language, rules=RuleSettings())
        guids: dict[str, str] = {}
        notes: dict[str, list[str]] = {}
        self.codes(codes_el, None, cb, guids, notes)
        for code in cb.codes.values():  # a roll-up to a code the other tool deleted is dropped (as in a .qdc)
            code.implies = [i for i in code.implies if i.code in cb.codes and i.code != code.id]
        return cb, guids, notes

    def codes(self, parent_el: ET.Element, parent_id: str | None, cb: Codebook, guids: dict[str, str],
              notes: dict[str, list[str]]) -> None:
        """The ``<Code>``s under ``parent_el`` and their children, depth first, into ``cb``."""
        lang = self.language
        other = "en" if lang == "nl" else "nl"
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
                color=_expand_color(color) if _COLOR.match(color) else None,
                implies=_read_implies(markers.get("implies", "")), source_file=self.qde, line=line,
            )
            if g:
                guids[g] = code_id
            refs = self.refs(el, "NoteRef")
            if refs:
                notes[code_id] = refs
            self.codes(el, code_id, cb, guids, notes)

    # -- users ----------------------------------------------------------------------------
    def users(self, root: ET.Element) -> dict[str, str]:
        """User GUID -> name (the GUID when it has none)."""
        users: dict[str, str] = {}
        users_el = root.find(self.t("Users"))
        for el in users_el.findall(self.t("User")) if users_el is not None else []:
            g = self.guid_of(el)
            users[g] = (el.get("name") or "").strip() or g
        return users

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
            path = (el.get("plainTextPath") or "").strip()
            if not text and path:
                data = self.read_entry(path, g, el, f"note {(el.get('name') or g)!r}")
                text = decode_source(data, f"{self.display}!{path}") if data is not None else ""
            text = canonicalise(text).strip()
            if text:
                out[g] = ((el.get("name") or "").strip(), text, _norm_guid(el.get("creatingUser")))
        return out

    # -- sources --------------------------------------------------------------------------
    def sources(self, root: ET.Element, variables: dict[str, tuple[str, str]]) -> list[Source]:
        """The ``<TextSource>``s; other kinds of source are skipped with a warning."""
        sources: list[Source] = []
        sources_el = root.find(self.t("Sources"))
        for el in list(sources_el) if sources_el is not None else []:
            local = el.tag.rsplit("}", 1)[-1]
            if local == "TextSource":
                sources.append(self.source(el, variables))
            else:
                what = el.get("name") or el.get("guid")
                self.warnings.append(f"{local} {what!r} skipped: only text sources are imported")
        return sources

    def source_original(self, el: ET.Element, name: str, g: str) -> str | None:
        """The source's text as the other tool held it; None when it has none we can read."""
        plain = (el.get("plainTextPath") or "").strip()
        rich = (el.get("richTextPath") or "").strip()
        content = el.find(self.t("PlainTextContent"))
        what = f"source {name!r}"
        if plain:
            data = self.read_entry(plain, g, el, what)
            if data is None:
                return None
            if plain.lower().endswith(".docx"):
                return docx_text(data, f"{self.display}!{plain}")
            return decode_source(data, f"{self.display}!{plain}")
        if content is not None:
            return content.text or ""
        if rich:
            if not rich.lower().endswith(".docx"):
                self.warnings.append(f"{what}: only a rich-text file {rich!r} that is not .docx; skipped "
                                     "with its codings")
                return None
            data = self.read_entry(rich, g, el, what)
            return docx_text(data, f"{self.display}!{rich}") if data is not None else None
        self.missing.append(f"{what} has no text: no plainTextPath, PlainTextContent or richTextPath")
        return None

    def source(self, el: ET.Element, variables: dict[str, tuple[str, str]]) -> Source:
        g = self.guid_of(el)
        path = (el.get("plainTextPath") or el.get("richTextPath") or "").strip()
        name = (el.get("name") or "").strip() or unquote(_file_name(path)) or g
        missing_before = len(self.missing)
        original = self.source_original(el, name, g)
        text = None
        if original is not None:
            text = build_source_text(original, self.labels, f"{self.display}!{name}")
            if text is None:
                self.warnings.append(f"source {name!r} holds no text; skipped with its codings")
        description, markers = split_markers(self.text_of(el, "Description"))
        selections = []
        for sel in el.findall(self.t("PlainTextSelection")):
            selections.append(self.selection(sel, len(original) if original is not None else None, name))
        lost = sum(len(sel.codings) for sel in selections)
        if len(self.missing) > missing_before and lost:
            self.missing[-1] += f"; its {lost} coding(s) were not imported"
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

    # -- cases and the rest ---------------------------------------------------------------
    def cases(self, root: ET.Element, variables: dict[str, tuple[str, str]]) -> list[CaseIn]:
        cases: list[CaseIn] = []
        cases_el = root.find(self.t("Cases"))
        for el in cases_el.findall(self.t("Case")) if cases_el is not None else []:
            g = self.guid_of(el)
            cases.append(CaseIn(g, (el.get("name") or "").strip() or g, self.text_of(el, "Description").strip(),
                                self.values(el, variables), self.refs(el, "SourceRef"),
                                self.refs(el, "SelectionRef")))
        return cases

    def check_references(self, root: ET.Element, content: QdpxContent) -> None:
        """Each reference to something the file does not hold goes to ``missing``; a coding by
        an unlisted user gets a warning (it is kept, with the GUID as coder name).

        Why here: a dangling reference means the other tool's data is incomplete, and the
        user must hear of it rather than find a case or a memo quietly gone.
        """
        sources = {s.guid: s for s in content.sources}
        selections = {sel.guid for s in content.sources for sel in s.selections}
        sources_el = root.find(self.t("Sources"))
        other_sources = {_norm_guid(el.get("guid")) for el in (list(sources_el) if sources_el is not None else [])}
        notes = {_norm_guid(el.get("guid")) for el in root.iter(self.t("Note"))}
        for case in content.cases:
            for g in case.sources:
                if g not in sources and g not in other_sources:
                    self.missing.append(f"case {case.name!r} refers to source {g}, which is not in the file")
            for g in case.selections:
                if g not in selections:
                    self.missing.append(f"case {case.name!r} refers to selection {g}, which is not in the file")
        refs: list[tuple[str, str]] = [("the project", g) for g in content.project_notes]
        refs += [(f"code {code!r}", g) for code, gs in content.code_notes.items() for g in gs]
        for src in content.sources:
            refs += [(f"source {src.name!r}", g) for g in src.notes]
            for sel in src.selections:
                refs += [(f"a selection in source {src.name!r}", g) for g in sel.notes]
                refs += [(f"a coding in source {src.name!r}", g) for c in sel.codings for g in c["notes"]]
        for what, g in refs:
            if g not in notes:
                self.missing.append(f"{what} refers to note {g}, which is not in the file")
        unknown_users = sorted({u for s in content.sources for sel in s.selections
                                for u in [sel.user, *(c["user"] for c in sel.codings)]
                                if u and u not in content.users})
        for u in unknown_users:
            self.warnings.append(f"user {u} is not in <Users>; its codings are kept with coder name {u!r}")

    def warn_unsupported(self, root: ET.Element) -> None:
        """A warning for each part of the project qualcode has no place for."""
        for local in ("Links", "Sets", "Graphs"):
            if root.find(self.t(local)) is not None:
                self.warnings.append(f"<{local}> is not imported")


def _file_name(path: str) -> str:
    """The file name at the end of a path in any form (``internal://x.txt``, ``C:\\a\\x.txt``)."""
    rest = path.strip().partition("://")[2] if "://" in path else path.strip()
    return rest.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip()


def split_markers(text: str) -> tuple[str, dict[str, Any]]:
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
        qde_display, root, lines = _project_element(zf, display)
        reader = _Reader(zf, display, qde_display, lines, interviewer_labels, language)
        name = (root.get("name") or p.stem).strip()
        cb, code_guids, code_notes = reader.codebook(root, name, codebook_id or codebook_id_from_name(p.stem))
        users = reader.users(root)
        variables = reader.variables(root)
        notes = reader.notes(root)
        sources = reader.sources(root, variables)
        cases = reader.cases(root, variables)
        reader.warn_unsupported(root)
        content = QdpxContent(name, users, cb, code_guids, code_notes, cases, sources, notes,
                              reader.refs(root, "NoteRef"), reader.warnings, reader.missing)
        reader.check_references(root, content)
        return content


def _project_element(zf: zipfile.ZipFile, display: str) -> tuple[str, ET.Element, dict[ET.Element, int]]:
    """(display name of the ``.qde``, its ``<Project>`` root, element -> line), checked.

    The ``.qde`` is ``project.qde``, else the one ``.qde`` at the top of the zip. It is parsed
    safely first; only then re-parsed with the carriage returns of ``<PlainTextContent>`` kept.
    """
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
    return qde_display, root, lines
