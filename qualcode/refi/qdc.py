"""REFI-QDA codebook exchange (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

Mapping (also in docs/codebook-format.md):

- one ``<Code>`` per code, nested as in the tree; ``isCodable`` from ``codable``; ``color``
  when set;
- ``name`` = the code's label in the codebook's language (``label.nl`` for a Dutch codebook),
  which is what a researcher expects to see in another QDA tool;
- ``<Description>`` = the definition, then a blank line and marker lines that carry what
  the format has no place for: ``[id: logic.bureaucratic]`` always, and ``[en: Bureaucratic
  logic]`` (the label in the other language) when it differs from ``name``, and the roll-ups as
  ``[implies: logic.professional 0.8, discretion.coping 0.9]``. Other tools show the markers as
  text of the description and ignore them otherwise; importing strips the markers and uses them,
  so YAML -> QDC -> YAML keeps ids, both labels, definitions, roll-ups and the hierarchy.
  Include/exclude lists, examples, indicators, blockers and memos have no place in a QDC and
  are not exported;
- ``guid`` = ``uuid5(QUALCODE_NAMESPACE, code id)``: the same code always gets the same
  GUID, and with no time stamps a re-export is byte-identical.

Import reads codebooks from other tools: flat or nested codes, GUIDs with or without braces
in any case, no descriptions, accented names. Without our ``[id: ...]`` marker the id is
derived from the name (ASCII-folded slug) under its parent. It refuses any DTD or entity
declaration (no XXE, no entity-expansion bombs) via defusedxml.
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO, Any, cast

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser

from qualcode.codebook.model import (
    CUE_LISTS,
    Code,
    Codebook,
    Implication,
    Indicator,
    Label,
    RuleSettings,
    codebook_id_from_name,
    slugify,
)
from qualcode.errors import InputError
from qualcode.refi.tagpaths import Tag, codebook_from_tags
from qualcode.version import __version__

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
# Fixed namespace for code GUIDs: uuid5(NAMESPACE_URL, "urn:qualcode:code"). Never change it:
# other tools match codes across exports by GUID.
QUALCODE_NAMESPACE = uuid.UUID("084af958-899a-5ea7-b08f-9fead739fe13")

_MARKER_RE = re.compile(r"^\[(id|en|nl|implies): (.*)\]$")
_IMPLIES_RE = re.compile(r"^([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?:\s+([0-9]*\.?[0-9]+))?$")
_GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$")
_COLOR_RE = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def code_attributes(code: Code, lang: str) -> dict[str, str]:
    """The XML attributes of a REFI ``<Code>``: deterministic guid, name, isCodable, color.

    Shared by the codebook (.qdc) and project (.qdpx) writers so both name codes alike.
    """
    attrs = {
        "guid": code_guid(code.id),
        "name": code.label.get(lang) or code.segment,
        "isCodable": "true" if code.codable else "false",
    }
    if code.color:
        attrs["color"] = code.color
    return attrs


def code_guid(code_id: str) -> str:
    """The deterministic GUID of a code id (lower-case, no braces)."""
    return str(uuid.uuid5(QUALCODE_NAMESPACE, code_id))


# --------------------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------------------


def _name_lang(cb: Codebook) -> tuple[str, str]:
    lang = cb.language if cb.language in ("nl", "en") else "nl"
    return lang, "en" if lang == "nl" else "nl"


def qdc_bytes(cb: Codebook) -> bytes:
    """The ``.qdc`` document for ``cb`` (UTF-8, deterministic)."""

    lang, other = _name_lang(cb)
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": f"qualcode {__version__}"})
    codes_el = ET.SubElement(root, "Codes")
    elements: dict[str, ET.Element] = {}
    for code in cb.codes.values():
        parent_el = elements.get(code.parent) if code.parent else None
        attrs = code_attributes(code, lang)
        el = ET.SubElement(parent_el if parent_el is not None else codes_el, "Code", attrs)
        ET.SubElement(el, "Description").text = _description(code, lang, other)
        elements[code.id] = el
    if not elements:
        raise InputError(f"codebook '{cb.id}' has no codes; a QDC needs at least one")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _description(code: Code, lang: str, other: str) -> str:
    lines = [code.definition.strip()] if code.definition.strip() else []
    markers = [f"[id: {code.id}]"]
    second = code.label.get(other)
    if second and second != code.label.get(lang):
        markers.append(f"[{other}: {second}]")
    if code.implies:
        markers.append("[implies: " + ", ".join(f"{i.code} {i.weight:g}" for i in code.implies) + "]")
    if lines:
        lines.append("")
    return "\n".join(lines + markers)


def export_qdc(cb: Codebook, path_or_file: str | Path | IO[bytes]) -> None:
    """Write ``cb`` as a REFI-QDA codebook to a path or a binary file object."""
    data = qdc_bytes(cb)
    if hasattr(path_or_file, "write"):
        path_or_file.write(data)  # type: ignore[union-attr]
    else:
        Path(path_or_file).write_bytes(data)


def codebook_schema_text(project_xsd: str | Path) -> str:
    """REFI's Codebook.xsd, derived from Project.xsd: the same types in the codebook
    namespace, with ``CodeBook`` as a root element that has an ``origin`` attribute and an
    optional ``Sets`` element (as Codebook.xsd 1.0 declares it)."""
    text = Path(project_xsd).read_text(encoding="utf-8")
    text = text.replace(f'xmlns="{PROJECT_NS}"', f'xmlns="{CODEBOOK_NS}"')
    text = text.replace(f'targetNamespace="{PROJECT_NS}"', f'targetNamespace="{CODEBOOK_NS}"')
    text, roots = re.subn(
        r'(\n\s*)(<xsd:complexType name="CodeBookType">)',
        r'\1<xsd:element name="CodeBook" type="CodeBookType"/>\1\2',
        text,
        count=1,
    )
    text, types = re.subn(
        r'(<xsd:complexType name="CodeBookType">\s*<xsd:sequence>'
        r'(\s*)<xsd:element name="Codes" type="CodesType"/>)(\s*</xsd:sequence>)',
        r'\1\2<xsd:element name="Sets" type="SetsType" minOccurs="0"/>\3'
        r'\2<xsd:attribute name="origin" type="xsd:string"/>',
        text,
        count=1,
    )
    if roots != 1 or types != 1:
        raise InputError("not the REFI-QDA Project.xsd this function expects", file=str(project_xsd))
    return text


def qdc_schema_errors(data: bytes, project_xsd: str | Path) -> list[str]:
    """Validation errors of a ``.qdc`` document against the REFI schema ([] if valid)."""
    import xmlschema

    schema = xmlschema.XMLSchema(io.StringIO(codebook_schema_text(project_xsd)))
    return [str(e.reason or e) for e in schema.iter_errors(io.BytesIO(data))]


# --------------------------------------------------------------------------------------
# import
# --------------------------------------------------------------------------------------


class _LineBuilder(ET.TreeBuilder):
    """A TreeBuilder that remembers the source line of every element (for messages)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:  # type: ignore[override]
        el = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[el] = self.parser.parser.CurrentLineNumber
        return el


def _parse(data: bytes, display: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise InputError(
            "refusing XML with entity declarations or a DTD (<!DOCTYPE ...>): "
            "a codebook never needs them, and they can read local files or expand without end",
            file=display,
            line=parser.parser.CurrentLineNumber,
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        msg = str(exc).split(": line")[0]
        raise InputError(f"not well-formed XML: {msg}", file=display, line=line, column=column + 1) from None
    return root, builder.lines


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def import_qdc(path: str | Path, *, language: str = "nl", split_names: bool | None = None) -> Codebook:
    """Read a ``.qdc`` (or the codebook inside a REFI project ``.qde``) into a Codebook.

    Raises InputError (exit 2) for a file that is not XML, not a REFI-QDA codebook, or that
    has a DTD or entity declarations. ``language`` says which language the names are in.

    ``split_names``: build the hierarchy from the code names (``logic.bureaucratic``,
    ``logic/professional``: :mod:`qualcode.refi.tagpaths`), a nested code's name counting
    from its parent's. ``None`` (default) does so for a codebook Taguette wrote (``origin``
    starts with "Taguette"), whose tags are flat and carry their hierarchy in their names;
    other tools' names keep their dots and slashes ("2.1 Werkdruk", "regels / wetten").
    """
    display = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=display) from None
    root, lines = _parse(data, display)
    ns, local = _split(root.tag)
    codes_el = None
    if (ns, local) == (CODEBOOK_NS, "CodeBook"):
        codes_el = root.find(f"{{{ns}}}Codes")
    elif (ns, local) == (PROJECT_NS, "Project"):
        book = root.find(f"{{{ns}}}CodeBook")
        codes_el = book.find(f"{{{ns}}}Codes") if book is not None else None
    else:
        found = f"<{local}>" + (f" in namespace '{ns}'" if ns else " without a namespace")
        raise InputError(
            f"not a REFI-QDA codebook: expected <CodeBook> in namespace '{CODEBOOK_NS}', found {found}",
            file=display,
            line=lines.get(root),
        )
    lang = language if language in ("nl", "en") else "nl"
    other = "en" if lang == "nl" else "nl"
    cb = Codebook(
        id=codebook_id_from_name(Path(path).stem),
        title=Path(path).stem,
        language=lang,
        rules=RuleSettings(),
        files=[display],
    )
    if codes_el is None:
        return cb
    if split_names or (split_names is None and (root.get("origin") or "").strip().lower().startswith("taguette")):
        codebook_from_tags(_tags_of(codes_el, ns, lines, display), cb, source_file=display)
        return cb

    def walk(parent_el: ET.Element, parent_id: str | None) -> None:
        for el in parent_el:
            if _split(el.tag) != (ns, "Code"):
                continue
            line = lines.get(el)
            name = (el.get("name") or "").strip()
            if not name:
                raise InputError("<Code> without a name", file=display, line=line)
            guid = el.get("guid")
            if guid is not None and not _GUID_RE.match(guid.strip()):
                raise InputError(f'<Code name="{name}"> has a malformed guid "{guid}"', display, line)
            codable = _boolean(el.get("isCodable"), name, display, line)
            desc_el = el.find(f"{{{ns}}}Description")
            definition, markers = _read_description(desc_el.text if desc_el is not None else None)
            code_id = _choose_id(markers.get("id"), name, parent_id, cb.codes)
            labels = {lang: name, other: markers.get(other) or name}
            color = (el.get("color") or "").strip()
            cb.codes[code_id] = Code(
                id=code_id,
                segment=code_id.rsplit(".", 1)[-1],
                parent=parent_id,
                label=Label(nl=labels["nl"], en=labels["en"]),
                definition=definition,
                codable=codable,
                color=_expand_color(color) if _COLOR_RE.match(color) else None,
                implies=_read_implies(markers.get("implies", "")),
                source_file=display,
                line=line,
            )
            walk(el, code_id)

    walk(codes_el, None)
    for code in cb.codes.values():  # a roll-up to a code the other tool deleted is dropped
        code.implies = [i for i in code.implies if i.code in cb.codes and i.code != code.id]
    return cb


def _tags_of(codes_el: ET.Element, ns: str, lines: dict[ET.Element, int], display: str) -> list[Tag]:
    """Every ``<Code>`` as a tag whose path is its name under its parents' names (document order)."""
    tags: list[Tag] = []

    def walk(parent_el: ET.Element, prefix: str) -> None:
        for el in parent_el:
            if _split(el.tag) != (ns, "Code"):
                continue
            name = (el.get("name") or "").strip()
            if not name:
                raise InputError("<Code> without a name", file=display, line=lines.get(el))
            desc_el = el.find(f"{{{ns}}}Description")
            definition, _markers = _read_description(desc_el.text if desc_el is not None else None)
            color = (el.get("color") or "").strip()
            tags.append(Tag(prefix + name, definition, lines.get(el),
                            _boolean(el.get("isCodable"), name, display, lines.get(el)),
                            _expand_color(color) if _COLOR_RE.match(color) else None))
            walk(el, f"{prefix}{name}/")

    walk(codes_el, "")
    return tags


def _read_implies(text: str) -> list[Implication]:
    """``logic.professional 0.8, discretion.coping`` -> implications; malformed entries are skipped
    (the marker is ours, but another tool may have let a user edit it)."""
    out: list[Implication] = []
    for part in text.split(","):
        m = _IMPLIES_RE.match(part.strip())
        if not m:
            continue
        weight = float(m.group(2)) if m.group(2) else 1.0
        if 0 < weight <= 1 and all(i.code != m.group(1) for i in out):
            out.append(Implication(m.group(1), weight))
    return out


def _boolean(value: str | None, name: str, display: str, line: int | None) -> bool:
    if value is None:
        return True
    v = value.strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise InputError(
        f'<Code name="{name}"> has isCodable="{value}"; expected true or false', file=display, line=line
    )


def _expand_color(color: str) -> str:
    if len(color) == 4:
        color = "#" + "".join(ch * 2 for ch in color[1:])
    return color.lower()


def _read_description(text: str | None) -> tuple[str, dict[str, str]]:
    """Definition text and our trailing ``[key: value]`` markers."""
    if not text:
        return "", {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    markers: dict[str, str] = {}
    while lines:
        m = _MARKER_RE.match(lines[-1].strip())
        if not m:
            break
        markers.setdefault(m.group(1), m.group(2).strip())
        lines.pop()
    return "\n".join(lines).strip(), markers


def _choose_id(marker: str | None, name: str, parent_id: str | None, taken: dict[str, Any]) -> str:
    """Our marker id if it fits where the code now sits, else a slug of the name under the
    parent; ``_2``, ``_3``... when taken."""
    prefix = f"{parent_id}." if parent_id else ""
    if marker and _ID_RE.match(marker):
        marker_parent = marker.rsplit(".", 1)[0] if "." in marker else None
        # a code moved in another tool keeps its own segment under its new parent
        base = marker if marker_parent == parent_id else prefix + marker.rsplit(".", 1)[-1]
    else:
        base = prefix + slugify(name)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


# --------------------------------------------------------------------------------------
# back to YAML
# --------------------------------------------------------------------------------------


class _Flow(dict):
    """A mapping written in flow style: ``{nl: .., en: ..}``."""


class _FlowList(list):
    """A list written in flow style (spaCy patterns)."""


def _dumper() -> type:
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)  # indent list items under their key

    def text(dumper: yaml.SafeDumper, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, True))
    Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, True))
    return Dumper


def _indicator_yaml(ind: Indicator, blocker: bool) -> Any:
    plain = (ind.kind == "phrase" and ind.name is None and ind.reason and ind.scope == "token"
             and not ind.requires and not ind.unless and ind.compound)
    if plain and (blocker or ind.weight == 0.5):
        return ind.value
    value: Any = ind.value
    if ind.kind == "pattern":  # a spaCy token pattern: a list of token mappings
        value = _FlowList(_Flow(t) for t in cast("list[dict[str, Any]]", ind.value))
    out: dict[str, Any] = {ind.kind: value}
    if not blocker:
        if ind.weight != 0.5:
            out["weight"] = ind.weight
        if not ind.reason:
            out["reason"] = False
    if ind.name:
        out["name"] = ind.name
    if blocker and ind.scope != "token":
        out["scope"] = ind.scope
    if not blocker:
        for key in ("requires", "unless"):
            if getattr(ind, key):
                out[key] = [_indicator_yaml(c, True) for c in getattr(ind, key)]
        if ind.window is not None:
            out["window"] = ind.window
        if not ind.compound:
            out["compound"] = False
    return out


def _cue_yaml(ind: Indicator) -> Any:
    out = _indicator_yaml(ind, True)
    if not isinstance(out, dict):
        out = {ind.kind: out}
    out["scope"] = ind.scope
    return out


def _code_yaml(cb: Codebook, code: Code) -> dict[str, Any]:
    out: dict[str, Any] = {"id": code.segment, "label": _Flow(nl=code.label.nl, en=code.label.en)}
    if code.definition:
        out["definition"] = code.definition
    if not code.codable:
        out["codable"] = False
    for key in ("include", "exclude", "examples"):
        if getattr(code, key):
            out[key] = list(getattr(code, key))
    if code.color:
        out["color"] = code.color
    if code.memo:
        out["memo"] = code.memo
    if code.indicators:
        out["indicators"] = [_indicator_yaml(i, False) for i in code.indicators]
    if code.blockers:
        out["blockers"] = [_indicator_yaml(b, True) for b in code.blockers]
    if code.requires:
        out["requires"] = list(code.requires)
    if code.implies:
        out["implies"] = [_Flow(code=i.code, weight=i.weight) for i in code.implies]
    children = cb.children(code.id)
    if children:
        out["children"] = [_code_yaml(cb, c) for c in children]
    return out


def codebook_to_yaml(cb: Codebook, header: str | None = None) -> str:
    """``cb`` as one YAML file in our format (includes flattened, children nested, ids as
    segments). ``load_codebook`` on the result gives the same hash. ``header`` becomes a
    comment at the top."""
    import yaml

    doc: dict[str, Any] = {
        "codebook": {
            k: v
            for k, v in (
                ("id", cb.id),
                ("title", cb.title),
                ("version", cb.version),
                ("language", cb.language),
                ("description", cb.description),
            )
            if v
        }
    }
    defaults = RuleSettings()
    rules = {}
    for key in ("reason_cues", "reason_window", "reason_boost", "stance_window", "negation_weight", "foil_weight",
                "topic_cap", "compounds", "compound_min_head", "compound_min_part", "lemmatizer"):
        if getattr(cb.rules, key) != getattr(defaults, key):
            rules[key] = getattr(cb.rules, key)
    for key in CUE_LISTS:
        mine = [i.semantic() for i in getattr(cb.rules, key)]
        if mine != [i.semantic() for i in getattr(defaults, key)]:
            # contrast cues keep their scope (before/after); the other lists are indicator forms
            rules[key] = [_cue_yaml(i) if key == "contrast" else _indicator_yaml(i, key != "negative_evaluation"
                                                                               and key != "distancing")
                          for i in getattr(cb.rules, key)]
    if rules:
        doc["rules"] = rules
    doc["codes"] = [_code_yaml(cb, c) for c in cb.roots()]
    text = yaml.dump(doc, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100, indent=2)
    if header:
        text = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines()) + text
    return text
