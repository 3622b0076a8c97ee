"""REFI-QDA codebook exchange: export, schema validity, import from other tools, hostile XML."""

from __future__ import annotations

import io
import os
import textwrap
import uuid
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.errors import InputError
from qualcode.refi.qdc import (
    CODEBOOK_NS,
    QUALCODE_NAMESPACE,
    code_guid,
    codebook_to_yaml,
    export_qdc,
    import_qdc,
    qdc_bytes,
    qdc_schema_errors,
    slugify,
)

ROOT = Path(__file__).resolve().parents[1]

BOOK = """\
codebook:
  id: mini
  title: Mini
  language: nl
codes:
  - id: logic
    label: {nl: Institutionele logica, en: Institutional logic}
    codable: false
    color: "#4e79a7"
    children:
      - id: bureaucratic
        label: {nl: Bureaucratische logica, en: Bureaucratic logic}
        definition: >
          Werken volgens regels & protocollen; "rechtmatigheid" <voorop>.
        include: [sanctie als straf]
        indicators: [regels]
      - id: professional
        label: {nl: Professionele logica, en: Professional logic}
        definition: |
          Eigen oordeel over de klant.
          Tweede regel.
        children:
          - id: tailoring
            label: {nl: Maatwerk, en: Maatwerk}
            definition: Per klant kijken wat past.
  - id: aspect
    label: {nl: Aspecten, en: Aspects}
    codable: false
    children:
      - id: client_orientation
        label: {nl: Cliëntgericht handelen, en: Client orientation}
        definition: Bejegening, maatwerk, inbreng van de cliënt.
"""


def project_xsd() -> Path | None:
    """The REFI-QDA Project.xsd: in the repo if the project ships it, else the shared copy."""
    candidates = [
        os.environ.get("QUALCODE_REFI_XSD"),
        ROOT / "qualcode" / "data" / "Project.xsd",
        ROOT / "qualcode" / "data" / "refi-qda" / "Project.xsd",
        ROOT / "tests" / "data" / "Project.xsd",
        ROOT / "tests" / "data" / "refi-qda" / "Project.xsd",
        ROOT.parent / "shared" / "refi-qda" / "Project.xsd",
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(BOOK, encoding="utf-8")
    return load_codebook(path)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- export -----------------------------------------------------------------------------------


def test_export_shape_and_deterministic_guids(book, tmp_path):
    data = qdc_bytes(book)
    text = data.decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
    assert 'origin="qualcode ' in text
    guid = str(uuid.uuid5(QUALCODE_NAMESPACE, "logic.bureaucratic"))
    assert code_guid("logic.bureaucratic") == guid
    assert f'<Code guid="{guid}" name="Bureaucratische logica" isCodable="true">' in text
    assert 'name="Institutionele logica" isCodable="false" color="#4e79a7"' in text
    assert "regels &amp; protocollen" in text and "&lt;voorop&gt;" in text
    assert "[id: logic.professional.tailoring]" in text
    assert "[en: Client orientation]" in text
    assert "[en: Maatwerk]" not in text  # same as the name: no marker
    assert "Time" not in text and "Date" not in text


def test_reexport_is_byte_identical(book, tmp_path):
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    export_qdc(book, first)
    buf = io.BytesIO()
    export_qdc(book, buf)
    export_qdc(load_codebook(tmp_path / "mini.yaml"), second)
    assert first.read_bytes() == buf.getvalue() == second.read_bytes()
    # and exporting what was imported from our own export gives the same bytes again
    assert qdc_bytes(import_qdc(first)) == first.read_bytes()


@pytest.mark.skipif(project_xsd() is None, reason="REFI-QDA Project.xsd not available")
def test_export_validates_against_the_refi_schema(book):
    xsd = project_xsd()
    assert qdc_schema_errors(qdc_bytes(book), xsd) == []
    # the check is real: a malformed guid and a missing isCodable are caught
    bad = qdc_bytes(book).replace(code_guid("logic").encode(), b"not-a-guid", 1)
    bad = bad.replace(b' isCodable="true"', b"", 1)
    errors = qdc_schema_errors(bad, xsd)
    assert len(errors) >= 2


# -- round trip ---------------------------------------------------------------------------------


def test_round_trip_yaml_qdc_yaml_keeps_ids_names_descriptions_hierarchy(book, tmp_path):
    qdc = tmp_path / "mini.qdc"
    export_qdc(book, qdc)
    imported = import_qdc(qdc)
    out = tmp_path / "back.yaml"
    out.write_text(codebook_to_yaml(imported), encoding="utf-8")
    again = load_codebook(out)
    assert list(again.codes) == list(book.codes)
    for code_id, code in book.codes.items():
        other = again[code_id]
        assert other.parent == code.parent, code_id
        assert other.label == code.label, code_id
        assert other.definition == code.definition, code_id
        assert other.codable == code.codable, code_id
        assert other.color == code.color, code_id
    assert again["logic.professional"].definition == "Eigen oordeel over de klant.\nTweede regel."
    assert again["aspect.client_orientation"].label.nl == "Cliëntgericht handelen"
    # what a QDC has no place for is not carried
    assert again["logic.bureaucratic"].include == [] and again["logic.bureaucratic"].indicators == []


# -- import from other tools --------------------------------------------------------------------

FLAT = """\
<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="{B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E}" name="Regels" isCodable="true"/>
    <Code guid="{C3D4E5F6-A7B8-4C9D-8E0F-2A3B4C5D6E7F}" name="Cliëntgericht handelen" isCodable="true" color="#F0A"/>
    <Code guid="D4E5F6A7-B8C9-4DAE-9F10-3B4C5D6E7F80" name="Regels" isCodable="false"/>
    <Code guid="{e5f6a7b8-c9d0-4eaf-8a21-4c5d6e7f8091}" name="2e gesprek / intake"/>
  </Codes>
</CodeBook>
"""


def test_flat_qdc_from_a_web_tool_imports(tmp_path):
    cb = import_qdc(write(tmp_path, "web export.qdc", FLAT))
    assert list(cb.codes) == ["regels", "clientgericht_handelen", "regels_2", "c_2e_gesprek_intake"]
    assert all(c.parent is None and c.definition == "" for c in cb.codes.values())
    assert cb["clientgericht_handelen"].label.nl == "Cliëntgericht handelen"
    assert cb["clientgericht_handelen"].label.en == "Cliëntgericht handelen"
    assert cb["clientgericht_handelen"].color == "#ff00aa"
    assert cb["regels_2"].codable is False
    assert cb["c_2e_gesprek_intake"].codable is True  # isCodable missing: default true
    assert cb["regels"].line == 4
    assert (cb.id, cb.title) == ("web-export", "web export")
    # written out as YAML in our format, it reads back; codable codes still need definitions
    out = write(tmp_path, "web.yaml", codebook_to_yaml(cb))
    from qualcode.codebook import validate_codebook

    issues = validate_codebook(out)
    assert {i.message for i in issues} == {
        f"code '{c}' has no definition (required for a codable code)"
        for c in ("regels", "clientgericht_handelen", "c_2e_gesprek_intake")
    }


def test_nested_qdc_with_descriptions_and_no_markers(tmp_path):
    path = write(
        tmp_path,
        "nested.qdc",
        """\
        <?xml version="1.0" encoding="UTF-8"?>
        <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Some QDA tool 2.0">
          <Codes>
            <Code guid="1f0e9c1a-0000-4000-8000-000000000001" name="Logica's" isCodable="false">
              <Description>  Institutionele logica's.  </Description>
              <Code guid="1F0E9C1A-0000-4000-8000-000000000002" name="Markt" isCodable="true">
                <Description>Targets, cijfers.</Description>
                <NoteRef targetGUID="1f0e9c1a-0000-4000-8000-0000000000ff"/>
              </Code>
              <Code guid="1f0e9c1a-0000-4000-8000-000000000003" name="Markt" isCodable="1"/>
            </Code>
          </Codes>
          <Sets/>
        </CodeBook>
        """,
    )
    cb = import_qdc(path)
    assert list(cb.codes) == ["logica_s", "logica_s.markt", "logica_s.markt_2"]
    assert cb["logica_s"].definition == "Institutionele logica's."
    assert cb["logica_s.markt"].definition == "Targets, cijfers."
    assert cb["logica_s.markt"].parent == "logica_s"


def test_marker_id_follows_a_move_made_in_another_tool(book, tmp_path):
    text = qdc_bytes(book).decode()
    # another tool moved "Maatwerk" from under professional to the top level
    start = text.index('      <Code guid="' + code_guid("logic.professional.tailoring"))
    end = text.index("</Code>", start) + len("</Code>\n")
    block = text[start:end]
    moved = text[:start] + text[end:]
    moved = moved.replace("  </Codes>", block + "  </Codes>")
    cb = import_qdc(write(tmp_path, "moved.qdc", moved))
    assert "tailoring" in cb and cb["tailoring"].parent is None
    assert "logic.professional.tailoring" not in cb


def test_project_file_codebook_is_read(tmp_path):
    path = write(
        tmp_path,
        "project.qde",
        """\
        <?xml version="1.0" encoding="utf-8"?>
        <Project xmlns="urn:QDA-XML:project:1.0" name="x">
          <CodeBook><Codes><Code guid="{B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E}" name="Regels" isCodable="true"/></Codes></CodeBook>
        </Project>
        """,
    )
    assert list(import_qdc(path).codes) == ["regels"]


def test_slugify():
    assert slugify("Cliëntgericht handelen") == "clientgericht_handelen"
    assert slugify("  Über-Regel!! ") == "uber_regel"
    assert slugify("300 klanten") == "c_300_klanten"
    assert slugify("???") == "code"


# -- refused input -----------------------------------------------------------------------------


def test_xxe_is_refused(tmp_path):
    path = write(
        tmp_path,
        "xxe.qdc",
        """\
        <?xml version="1.0"?>
        <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
        <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E}" name="&e;" isCodable="true"/></Codes></CodeBook>
        """,
    )
    with pytest.raises(InputError, match="refusing XML with entity declarations") as err:
        import_qdc(path)
    assert err.value.exit_code == 2
    assert "root:" not in str(err.value)


def test_billion_laughs_is_refused(tmp_path):
    lol = "\n".join(
        f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    path = write(
        tmp_path,
        "bomb.qdc",
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol0 "lol">\n'
        + lol
        + '\n]>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="{B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E}" name="&lol9;" isCodable="true"/></Codes></CodeBook>\n',
    )
    with pytest.raises(InputError, match="refusing XML with entity declarations"):
        import_qdc(path)


def test_not_xml_is_refused_with_a_line(tmp_path):
    with pytest.raises(InputError, match="not well-formed XML") as err:
        import_qdc(write(tmp_path, "x.qdc", "<CodeBook>\n  <Codes>\n</CodeBook>\n"))
    assert err.value.location.line == 3
    with pytest.raises(InputError, match="not well-formed XML"):
        import_qdc(write(tmp_path, "y.qdc", "codes:\n  - id: a\n"))


def test_wrong_namespace_or_root_is_refused(tmp_path):
    with pytest.raises(InputError, match=f"expected <CodeBook> in namespace '{CODEBOOK_NS}'.*'urn:example'"):
        import_qdc(write(tmp_path, "a.qdc", '<CodeBook xmlns="urn:example"><Codes/></CodeBook>'))
    with pytest.raises(InputError, match="without a namespace"):
        import_qdc(write(tmp_path, "b.qdc", "<CodeBook><Codes/></CodeBook>"))
    with pytest.raises(InputError, match="found <html>"):
        import_qdc(write(tmp_path, "c.qdc", "<html/>"))
    with pytest.raises(InputError, match="file not found"):
        import_qdc(tmp_path / "missing.qdc")


def test_bad_code_attributes_are_refused(tmp_path):
    head = '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
    with pytest.raises(InputError, match="without a name") as err:
        import_qdc(write(tmp_path, "a.qdc", head + '<Code guid="{B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E}"/></Codes></CodeBook>'))
    assert err.value.location.line == 2
    with pytest.raises(InputError, match="isCodable"):
        import_qdc(write(tmp_path, "b.qdc", head + '<Code guid="{B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E}" name="a" isCodable="yes"/></Codes></CodeBook>'))
    with pytest.raises(InputError, match="malformed guid"):
        import_qdc(write(tmp_path, "c.qdc", head + '<Code guid="123" name="a"/></Codes></CodeBook>'))
