"""REFI-QDA project export (``.qdpx``): sources, codebook, coders, codings, cases, variables.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``,
valid against REFI's ``Project.xsd``) and ``sources/<guid>.txt``, one per transcript, holding
its canonical text (UTF-8, NFC, LF, no BOM) that ``plainTextPath="internal://<guid>.txt"``
names. Mapping:

- ``<Users>``: one ``<User>`` per coder (coders table, codings, memos), ``guid`` =
  ``uuid5(QUALCODE_NAMESPACE, "user:<name>")``.
- ``<CodeBook>``: the project codebook, nested, built like the ``.qdc`` export
  (:mod:`qualcode.refi.qdc`): the same code GUIDs and ``[id: ...]`` markers, so ids,
  both labels and the hierarchy survive a round trip. A code that codings use but the
  codebook no longer has is added under its nearest existing ancestor (a warning says so).
- ``<Sources>``: one ``<TextSource name="<transcript id>">`` per transcript, with one
  ``<PlainTextSelection startPosition endPosition creatingUser>`` per active coding holding
  one ``<Coding creatingUser><CodeRef/></Coding>``. Positions are code-point offsets into the
  canonical text, which is exactly the text in ``sources/``. The TextSource's
  ``<Description>`` carries marker lines other tools show as plain text and our import reads
  back: ``[case: X]`` (the transcript's default case, when not its own id) and
  ``[speaker: R1 = Adm01_r1]`` (the case of each respondent speaker label). Transcript
  attributes (front matter) are ``<VariableValue>`` of the source.
- A coding's stance is a ``[stance: rejects]`` marker in its selection's ``<Description>``
  (REFI has no place for it); its memo is a ``<Note>`` referenced from the ``<Coding>``.
- ``<Cases>``: one ``<Case name="<case id>">`` per case with its attributes (own and
  inherited from transcript front matter) as ``<VariableValue>``; case memos form its
  ``<Description>``. A case that owns every respondent turn of a transcript (an individual
  interview) has a ``<SourceRef>`` to it; in a transcript whose respondent turns belong to
  several cases (a group interview) each case has a ``<SelectionRef>`` to one
  ``<PlainTextSelection>`` per turn of its own (named ``<fragment id> (<speaker>: <case>)``,
  without codings), so in a case-based tool each participant owns only their own words.
- ``<Variables>``: one per attribute name, typed: all booleans -> Boolean, all dates ->
  Date, all numbers -> Integer (Float when any value has a fraction), otherwise Text.
- Memos on the project, a code, a transcript or a fragment are ``<Note>``s referenced from
  the project, the ``<Code>`` or the ``<TextSource>``.

Deterministic: every GUID is a uuid5 of what it stands for, elements are sorted, no time
stamps are written (none is required by the schema) and the zip entries have a fixed date,
so exporting the same project twice gives byte-identical files.
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.atomic import write_bytes
from qualcode.refi.qdc import PROJECT_NS, QUALCODE_NAMESPACE, _description, _name_lang, code_attributes, code_guid
from qualcode.store import Store
from qualcode.transcripts.attributes import to_stored
from qualcode.version import __version__

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook
    from qualcode.project import Project

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold: no real time stamp
QDE_NAME = "project.qde"
SOURCES_DIR = "sources"


def guid(kind: str, key: str) -> str:
    """Deterministic GUID of a ``kind`` ("user", "transcript", "case", ...) and its key."""
    return str(uuid.uuid5(QUALCODE_NAMESPACE, f"{kind}:{key}"))


def user_guid(name: str) -> str:
    return guid("user", name)


def coding_key(coding: dict[str, Any]) -> str:
    """What identifies a coding across exports: transcript, span, coder and code."""
    return f"{coding['transcript']}:{coding['start']}:{coding['end']}:{coding['coder']}:{coding['code']}"


@dataclass
class QdpxExport:
    """What an export wrote (for the CLI message and tests)."""

    path: Path
    sources: int = 0
    codings: int = 0
    users: list[str] = field(default_factory=list)
    cases: int = 0
    variables: int = 0
    notes: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sources": self.sources,
            "codings": self.codings,
            "users": self.users,
            "cases": self.cases,
            "variables": self.variables,
            "notes": self.notes,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------------------
# variables
# --------------------------------------------------------------------------------------


def _variable_type(values: list[tuple[str | None, str]]) -> str:
    """REFI ``typeOfVariable`` for a set of stored (value, type) pairs of one attribute."""
    types = {t for v, t in values if v is not None}
    if types == {"boolean"}:
        return "Boolean"
    if types == {"date"}:
        return "Date"
    if types == {"number"}:
        return "Integer" if all(_is_integer(v) for v, _ in values if v is not None) else "Float"
    return "Text"


def _is_integer(value: str) -> bool:
    try:
        return Decimal(value) == Decimal(value).to_integral_value() and "." not in value and "e" not in value.lower()
    except ArithmeticError:
        return False


def _value_element(parent: ET.Element, var_guid: str, var_type: str, value: str) -> None:
    el = ET.SubElement(parent, "VariableValue")
    ET.SubElement(el, "VariableRef", {"targetGUID": var_guid})
    if var_type == "Boolean":
        ET.SubElement(el, "BooleanValue").text = value
    elif var_type == "Date":
        ET.SubElement(el, "DateValue").text = value
    elif var_type == "Integer":
        ET.SubElement(el, "IntegerValue").text = str(int(Decimal(value)))
    elif var_type == "Float":
        ET.SubElement(el, "FloatValue").text = format(Decimal(value), "f")  # xsd:decimal: no exponent
    else:
        ET.SubElement(el, "TextValue").text = value


# --------------------------------------------------------------------------------------
# the document, one part at a time (in the order Project.xsd wants the elements)
# --------------------------------------------------------------------------------------

AttrValues = dict[str, tuple[str | None, str]]  # attribute name -> (stored value, type)


@dataclass
class _Notes:
    """Memos as REFI ``<Note>``s and who refers to them.

    Why collected first: the codebook, the sources and the project itself each carry
    ``<NoteRef>``s, and which coders exist depends on who wrote the notes, so the notes are
    known before any element is written and the ``<Notes>`` element comes near the end.
    """

    notes: list[tuple[str, str, str, str | None]] = field(default_factory=list)  # (guid, name, text, coder)
    refs: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)  # (target kind, id) -> guids

    def of(self, kind: str, target: str | None) -> list[str]:
        """The note GUIDs attached to a target (``("code", id)``, ``("transcript", id)``, ...)."""
        return self.refs.get((kind, target), [])


def _collect_notes(memos: list[dict[str, Any]], codings: list[dict[str, Any]]) -> _Notes:
    """Project, code, transcript and fragment memos (a fragment's go on its transcript) and
    coding memos; case memos are left out: a ``<Case>`` has no NoteRef, they become its description."""
    out = _Notes()
    seen: dict[str, int] = {}
    # Why by content, not by memo id: the project that imports this file numbers its memos in
    # another order, and its own export must still be byte-identical to this one.
    for m in sorted(memos, key=lambda m: (m["target_kind"], m["target_id"] or "", m["coder"] or "", m["text"])):
        if m["target_kind"] == "case":
            continue  # a <Case> has no NoteRef: case memos become its <Description>
        key = "\t".join((m["target_kind"], m["target_id"] or "", m["coder"] or "", m["text"]))
        seen[key] = seen.get(key, 0) + 1
        g = guid("memo", key if seen[key] == 1 else f"{key}\t{seen[key]}")
        out.notes.append((g, f"memo on {m['target_kind']}" + (f" {m['target_id']}" if m["target_id"] else ""),
                          m["text"], m["coder"]))
        kind, target = m["target_kind"], m["target_id"]
        if kind == "fragment" and target:
            kind, target = "transcript", target.rsplit(":", 1)[0]
        out.refs.setdefault((kind, target), []).append(g)
    for c in codings:
        if c["memo"]:
            g = guid("coding-memo", coding_key(c))
            out.notes.append((g, f"memo on coding {c['code']} ({c['coder']})", c["memo"], c["coder"]))
            out.refs.setdefault(("coding", str(c["id"])), []).insert(0, g)
    return out


def _add_users(root: ET.Element, names: list[str]) -> None:
    if names:
        users_el = ET.SubElement(root, "Users")
        for name in names:
            ET.SubElement(users_el, "User", {"guid": user_guid(name), "name": name})


def _add_code(code_id: str, parent: ET.Element, attrs: dict[str, str], description: str, notes: _Notes,
              code_elements: dict[str, ET.Element]) -> None:
    el = ET.SubElement(parent, "Code", attrs)
    ET.SubElement(el, "Description").text = description
    for g in notes.of("code", code_id):
        ET.SubElement(el, "NoteRef", {"targetGUID": g})
    code_elements[code_id] = el


def _add_codebook(root: ET.Element, cb: Codebook, codings: list[dict[str, Any]], notes: _Notes,
                  summary: QdpxExport) -> None:
    """The nested codebook, plus each code codings use that the codebook no longer has, under its
    nearest existing ancestor (with a warning), so no coding points at a missing code."""
    lang, other = _name_lang(cb)
    book = ET.SubElement(root, "CodeBook")
    codes_el = ET.SubElement(book, "Codes")
    code_elements: dict[str, ET.Element] = {}
    for code in cb.codes.values():
        parent_el = code_elements.get(code.parent) if code.parent else None
        attrs = code_attributes(code, lang)
        _add_code(code.id, parent_el if parent_el is not None else codes_el, attrs, _description(code, lang, other),
                  notes, code_elements)
    for code_id in sorted({c["code"] for c in codings} - set(cb.codes)):
        parts = code_id.split(".")
        prefixes = (".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1))
        ancestor = next((p for p in prefixes if p in code_elements), None)
        parent_el = code_elements[ancestor] if ancestor else codes_el
        _add_code(code_id, parent_el, {"guid": code_guid(code_id), "name": code_id, "isCodable": "true"},
                  f"[id: {code_id}]", notes, code_elements)
        summary.warnings.append(f"code {code_id!r} is used by codings but not in the codebook; exported as is")
    if not code_elements:  # <Codes> needs at least one <Code>: leave the codebook out
        root.remove(book)


@dataclass
class _Attributes:
    """Case and transcript attributes as stored values, and the REFI type of each attribute name."""

    cases: dict[str, AttrValues]
    transcripts: dict[str, AttrValues]
    types: dict[str, str]


def _attributes(project: Project) -> _Attributes:
    """Every case's attributes (own and inherited) and every transcript's, typed across both:
    one ``<Variable>`` per name needs one type for all its values."""
    case_attrs = project.case_attribute_details()
    transcript_attrs: dict[str, AttrValues] = {}
    for a in project.store.attributes("transcript"):
        transcript_attrs.setdefault(a["owner_id"], {})[a["key"]] = (a["value"], a["type"])
    stored_case_attrs: dict[str, AttrValues] = {}
    for case_id, values in case_attrs.items():
        for key, detail in values.items():
            typed = to_stored(detail["value"])
            stored_case_attrs.setdefault(case_id, {})[key] = (typed.value, detail["type"])
    by_name: dict[str, list[tuple[str | None, str]]] = {}
    for owner in (*stored_case_attrs.values(), *transcript_attrs.values()):
        for key, pair in owner.items():
            by_name.setdefault(key, []).append(pair)
    types = {name: _variable_type(values) for name, values in by_name.items()}
    return _Attributes(stored_case_attrs, transcript_attrs, types)


def _add_variables(root: ET.Element, var_types: dict[str, str]) -> None:
    if var_types:
        vars_el = ET.SubElement(root, "Variables")
        for name in sorted(var_types):
            ET.SubElement(vars_el, "Variable", {"guid": guid("variable", name), "name": name,
                                                "typeOfVariable": var_types[name]})


def _add_values(parent: ET.Element, attrs: AttrValues, var_types: dict[str, str]) -> None:
    for key in sorted(attrs):
        value, _type = attrs[key]
        if value is not None:
            _value_element(parent, guid("variable", key), var_types[key], value)


@dataclass
class _Ownership:
    """Which case owns which respondent turns of each transcript.

    Why: in a case-based tool (NVivo, MAXQDA) a ``<SourceRef>`` gives a case the whole
    document. That is right for an individual interview, but in a group interview each
    participant must own only their own turns, so those cases get a ``<SelectionRef>`` to
    one ``<PlainTextSelection>`` per turn instead.
    """

    whole: dict[str, str]  # transcript id -> the case owning every respondent turn of it
    turns: dict[str, list[dict[str, Any]]]  # transcript id -> respondent turns (fragment rows) of partial owners


def _ownership(store: Store, transcripts: list[str]) -> _Ownership:
    whole: dict[str, str] = {}
    turns: dict[str, list[dict[str, Any]]] = {}
    for tid in transcripts:
        respondent = store.fragments(tid, respondent_only=True)
        owners = {f["case_id"] for f in respondent}
        if len(owners) == 1 and None not in owners:
            whole[tid] = next(iter(owners))
        else:
            turns[tid] = [f for f in respondent if f["case_id"]]
    return _Ownership(whole, turns)


def turn_selection_guid(fragment_id: str) -> str:
    """The GUID of the ``<PlainTextSelection>`` that stands for a turn (a case's own words)."""
    return guid("turn", fragment_id)


def _add_cases(root: ET.Element, store: Store, memos: list[dict[str, Any]], attrs: _Attributes,
               owners: _Ownership) -> int:
    """One ``<Case>`` per case: its memos as description, its attributes, a ``<SourceRef>`` to each
    transcript it owns whole and a ``<SelectionRef>`` to each of its turns in the others.
    Returns how many."""
    case_ids = sorted(store.case_ids())
    own_turns: dict[str, list[str]] = {}
    for tid in sorted(owners.turns):
        for f in owners.turns[tid]:
            own_turns.setdefault(f["case_id"], []).append(f["id"])
    if case_ids:
        cases_el = ET.SubElement(root, "Cases")
        for case_id in case_ids:
            case_el = ET.SubElement(cases_el, "Case", {"guid": guid("case", case_id), "name": case_id})
            texts = [m["text"].strip() for m in memos if m["target_kind"] == "case" and m["target_id"] == case_id]
            if texts:
                ET.SubElement(case_el, "Description").text = "\n\n".join(texts)
            _add_values(case_el, attrs.cases.get(case_id, {}), attrs.types)
            for tid in store.transcripts_of_case(case_id):
                if owners.whole.get(tid) == case_id:
                    ET.SubElement(case_el, "SourceRef", {"targetGUID": guid("transcript", tid)})
            for fid in own_turns.get(case_id, []):
                ET.SubElement(case_el, "SelectionRef", {"targetGUID": turn_selection_guid(fid)})
    return len(case_ids)


def _add_turn_selections(src: ET.Element, turns: list[dict[str, Any]]) -> None:
    """One ``<PlainTextSelection>`` (no codings) per respondent turn that a case's
    ``<SelectionRef>`` points at."""
    for f in turns:
        ET.SubElement(src, "PlainTextSelection", {
            "guid": turn_selection_guid(f["id"]),
            "name": f"{f['id']} ({f['speaker']}: {f['case_id']})",
            "startPosition": str(f["start"]),
            "endPosition": str(f["end"]),
        })


def _add_selection(src: ET.Element, c: dict[str, Any], notes: _Notes) -> None:
    """One coding as a ``<PlainTextSelection>`` holding one ``<Coding>`` (stance in its description)."""
    key = coding_key(c)
    sel = ET.SubElement(src, "PlainTextSelection", {
        "guid": guid("selection", key),
        "name": " ".join(c["text"].split())[:60],
        "startPosition": str(c["start"]),
        "endPosition": str(c["end"]),
        "creatingUser": user_guid(c["coder"]),
    })
    if c["stance"]:
        ET.SubElement(sel, "Description").text = f"[stance: {c['stance']}]"
    coding_el = ET.SubElement(sel, "Coding", {"guid": guid("coding", key), "creatingUser": user_guid(c["coder"])})
    ET.SubElement(coding_el, "CodeRef", {"targetGUID": code_guid(c["code"])})
    for ng in notes.of("coding", str(c["id"])):
        ET.SubElement(coding_el, "NoteRef", {"targetGUID": ng})


def _add_sources(root: ET.Element, store: Store, transcripts: list[str], codings: list[dict[str, Any]],
                 notes: _Notes, attrs: _Attributes, owners: _Ownership, summary: QdpxExport) -> dict[str, str]:
    """One ``<TextSource>`` per transcript with its codings; returns the source files (zip name -> text)."""
    files: dict[str, str] = {}
    by_transcript: dict[str, list[dict[str, Any]]] = {}
    for c in codings:
        by_transcript.setdefault(c["transcript"], []).append(c)
    if transcripts:
        sources_el = ET.SubElement(root, "Sources")
    for tid in transcripts:
        t = store.transcript(tid)
        assert t is not None  # ids from store.transcript_summaries()
        g = guid("transcript", tid)
        files[f"{SOURCES_DIR}/{g}.txt"] = t["text"]
        src = ET.SubElement(sources_el, "TextSource",
                            {"guid": g, "name": tid, "plainTextPath": f"internal://{g}.txt"})
        markers = _speaker_markers(store, tid, t["default_case"])
        if markers:
            ET.SubElement(src, "Description").text = "\n".join(markers)
        _add_turn_selections(src, owners.turns.get(tid, []))
        rows = sorted(by_transcript.get(tid, []), key=lambda c: (c["start"], c["end"], c["code"], c["coder"]))
        for c in rows:
            _add_selection(src, c, notes)
        for ng in notes.of("transcript", tid):
            ET.SubElement(src, "NoteRef", {"targetGUID": ng})
        _add_values(src, attrs.transcripts.get(tid, {}), attrs.types)
        summary.codings += len(rows)
    summary.sources = len(transcripts)
    return files


def _add_notes(root: ET.Element, notes: _Notes) -> int:
    """The ``<Notes>`` something refers to, then the project's own ``<NoteRef>``s. Returns how many notes."""
    referenced = {g for gs in notes.refs.values() for g in gs}
    kept = [n for n in notes.notes if n[0] in referenced]
    if kept:
        notes_el = ET.SubElement(root, "Notes")
        for g, name, text, coder in kept:
            attrs = {"guid": g, "name": name}
            if coder:
                attrs["creatingUser"] = user_guid(coder)
            note = ET.SubElement(notes_el, "Note", attrs)
            ET.SubElement(note, "PlainTextContent").text = text
    for g in notes.of("project", None):
        ET.SubElement(root, "NoteRef", {"targetGUID": g})
    return len(kept)


def build_qdpx(project: Project) -> tuple[bytes, dict[str, str], QdpxExport]:
    """The ``project.qde`` bytes, the source files (zip name -> text) and a summary."""
    store = project.store
    summary = QdpxExport(path=Path())
    codings = project.coding_rows(status="active")
    memos = store.query_memos()
    transcripts = [t["id"] for t in store.transcript_summaries()]
    notes = _collect_notes(memos, codings)
    coders = set(store.coder_names()) | {c["coder"] for c in codings} | {n[3] for n in notes.notes if n[3]}
    summary.users = sorted(coders)

    root = ET.Element(
        "Project", {"xmlns": PROJECT_NS, "name": project.config.name, "origin": f"qualcode {__version__}"}
    )
    _add_users(root, summary.users)
    _add_codebook(root, project.codebook(), codings, notes, summary)
    attrs = _attributes(project)
    _add_variables(root, attrs.types)
    summary.variables = len(attrs.types)
    owners = _ownership(store, transcripts)
    summary.cases = _add_cases(root, store, memos, attrs, owners)
    files = _add_sources(root, store, transcripts, codings, notes, attrs, owners, summary)
    summary.notes = _add_notes(root, notes)

    _drop_invalid_xml_chars(root)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    qde = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
    return qde, files, summary


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _drop_invalid_xml_chars(root: ET.Element) -> None:
    """Remove characters XML 1.0 cannot hold (a form feed from Word in a memo, say) from every
    text and attribute; the source files in ``sources/`` keep the text exactly."""
    for el in root.iter():
        if el.text and _XML_INVALID.search(el.text):
            el.text = _XML_INVALID.sub("", el.text)
        for k, v in el.attrib.items():
            if _XML_INVALID.search(v):
                el.set(k, _XML_INVALID.sub("", v))


def _speaker_markers(store: Any, transcript_id: str, default_case: str | None) -> list[str]:
    """``[case: X]`` and ``[speaker: L = C]`` lines: which case each respondent turn belongs to."""
    default = default_case or transcript_id
    markers = [f"[case: {default}]"] if default != transcript_id else []
    per_label: dict[str, set[str]] = {}
    for f in store.fragments(transcript_id, respondent_only=True):
        if f["case_id"]:
            per_label.setdefault(f["speaker"], set()).add(f["case_id"])
    for label in sorted(per_label):
        cases = per_label[label]
        if len(cases) == 1 and cases != {default}:
            markers.append(f"[speaker: {label} = {next(iter(cases))}]")
    return markers


def qdpx_bytes(project: Project) -> tuple[bytes, QdpxExport]:
    """The whole ``.qdpx`` zip as bytes (deterministic) and a summary."""
    qde, files, summary = build_qdpx(project)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in [(QDE_NAME, qde), *((n, files[n].encode("utf-8")) for n in sorted(files))]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix: the same bytes whichever OS writes the file
            zf.writestr(info, data)
    return buf.getvalue(), summary


def export_qdpx(project: Project, path: str | Path) -> QdpxExport:
    """Write the project as a REFI-QDA project file (``.qdpx``) to ``path``."""

    data, summary = qdpx_bytes(project)
    summary.path = write_bytes(path, data)
    return summary


def qde_schema_errors(qde: bytes, project_xsd: str | Path) -> list[str]:
    """Validation errors of a ``project.qde`` against REFI's ``Project.xsd`` ([] if valid)."""
    import xmlschema

    schema = xmlschema.XMLSchema(str(project_xsd))
    return [str(e.reason or e) for e in schema.iter_errors(io.BytesIO(qde))]
