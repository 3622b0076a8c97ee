"""REFI-QDA projects (.qdpx): export valid against Project.xsd, deterministic, round trip,
import from other tools (CRLF and docx sources, users, cases, variables) and hostile files."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from qualcode.errors import InputError
from qualcode.project import Project
from qualcode.refi.offsets import build_source_text, normalise_with_index
from qualcode.refi.qdc import QUALCODE_NAMESPACE, code_guid
from qualcode.refi.qdpx_import import import_qdpx, transcript_id_for
from qualcode.refi.qdpx_write import build_qdpx, export_qdpx, qde_schema_errors, qdpx_bytes, user_guid

XSD = Path(__file__).parent / "data" / "refi-qda" / "Project.xsd"
NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"

# GUIDs for hand-written projects: braces and upper case on purpose (other tools write them so).
G_CODE_A = "{A1A1A1A1-0000-4000-8000-000000000001}"
G_CODE_B = "b2b2b2b2-0000-4000-8000-000000000002"
G_PARENT = "c3c3c3c3-0000-4000-8000-000000000003"
G_USER_1 = "d4d4d4d4-0000-4000-8000-000000000004"
G_USER_2 = "e5e5e5e5-0000-4000-8000-000000000005"
G_SRC = "f6f6f6f6-0000-4000-8000-000000000006"
G_SRC2 = "f7f7f7f7-0000-4000-8000-000000000007"


def _guid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


# --------------------------------------------------------------------------------------
# a small coded project
# --------------------------------------------------------------------------------------


@pytest.fixture
def coded(ingested: Project) -> Project:
    p = ingested
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="anna", quote="de wet zegt dat ik moet controleren",
           stance="endorses")
    p.code("T01_g1:3", ["logic.professional"], coder="anna", memo="maatwerk!")
    p.code("T01_g1:3", ["logic.professional"], coder="bram", quote="elke klant is anders")
    p.code("T02_r1:2", ["logic.bureaucratic", "discretion.coping"], coder="bram")
    p.memo("project", None, "Projectmemo.", coder="anna")
    p.memo("case", "T01_r1", "Casememo.", coder="anna")
    p.memo("fragment", "T01_g1:5", "Fragmentmemo.", coder="bram")
    p.memo("code", "logic.market", "Codememo.", coder="bram")
    return p


def _qde(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("project.qde")


def _root(qde: bytes):
    import xml.etree.ElementTree as ET

    return ET.fromstring(qde)


def test_export_validates_against_project_xsd(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    summary = export_qdpx(coded, out)
    qde = _qde(out.read_bytes())
    assert qde_schema_errors(qde, XSD) == []
    import xmlschema

    xmlschema.XMLSchema(str(XSD)).validate(io.BytesIO(qde))  # raises if invalid
    assert (summary.sources, summary.codings, summary.users, summary.cases) == (2, 5, ["anna", "bram"], 3)


def test_export_content(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_qdpx(coded, out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        root = _root(zf.read("project.qde"))
        sources = {n: zf.read(n).decode("utf-8") for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde" and len(sources) == 2
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{Q}User")}
    assert users == {"anna": str(uuid.uuid5(QUALCODE_NAMESPACE, "user:anna")),
                     "bram": str(uuid.uuid5(QUALCODE_NAMESPACE, "user:bram"))}
    # nested codebook with the qdc GUIDs
    logic = next(c for c in root.find(f"{Q}CodeBook/{Q}Codes") if c.get("guid") == code_guid("logic"))
    assert logic.get("isCodable") == "false"
    assert [c.get("guid") for c in logic.findall(f"{Q}Code")] == [
        code_guid("logic.bureaucratic"), code_guid("logic.professional"), code_guid("logic.market")]
    # a source: the canonical text in sources/, selections with code-point offsets
    src = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == "T01_g1")
    path = src.get("plainTextPath")
    assert path.startswith("internal://") and path.endswith(".txt")
    text = sources["sources/" + path.removeprefix("internal://")]
    assert text == coded.store.transcript("T01_g1")["text"]
    sels = [s for s in src.findall(f"{Q}PlainTextSelection") if s.find(f"{Q}Coding") is not None]
    assert [(int(s.get("startPosition")), int(s.get("endPosition"))) for s in sels] == [(87, 122), (129, 232), (194, 214)]
    assert text[87:122] == "de wet zegt dat ik moet controleren"
    first = sels[0]
    assert first.get("creatingUser") == user_guid("anna")
    coding = first.find(f"{Q}Coding")
    assert coding.get("creatingUser") == user_guid("anna")
    assert coding.find(f"{Q}CodeRef").get("targetGUID") == code_guid("logic.bureaucratic")
    assert first.find(f"{Q}Description").text == "[stance: endorses]"
    assert src.find(f"{Q}Description").text == "[speaker: R1 = T01_r1]\n[speaker: R2 = T01_r2]"
    # variables typed from the attributes
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iter(f"{Q}Variable")}
    assert types == {"caseload": "Integer", "date": "Date", "functie": "Text", "gemeente": "Text", "team": "Text"}
    case = next(c for c in root.iter(f"{Q}Case") if c.get("name") == "T01_r2")
    values = {vv.find(f"{Q}VariableRef").get("targetGUID"): vv[1].text for vv in case.findall(f"{Q}VariableValue")}
    by_name = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    assert {by_name[g]: v for g, v in values.items()} == {
        "caseload": "60", "date": "2025-03-11", "functie": "werkcoach", "gemeente": "Zeedorp", "team": "Team Een"}
    # a participant of the group interview owns its own turns (selections), not the whole source
    assert case.findall(f"{Q}SourceRef") == []
    turns = {s.get("guid"): text[int(s.get("startPosition")):int(s.get("endPosition"))]
             for s in src.findall(f"{Q}PlainTextSelection") if s.find(f"{Q}Coding") is None}
    assert [turns[r.get("targetGUID")][:30] for r in case.findall(f"{Q}SelectionRef")] == [
        "(anderen: ja) Bij mij is dat a", "Ik heb gewoon geen tijd voor i"]
    single = next(c for c in root.iter(f"{Q}Case") if c.get("name") == "T02_r1")
    t02 = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == "T02_r1")
    assert [r.get("targetGUID") for r in single.findall(f"{Q}SourceRef")] == [t02.get("guid")]
    assert single.findall(f"{Q}SelectionRef") == [] and t02.findall(f"{Q}PlainTextSelection") != []
    assert case.find(f"{Q}Description") is None
    assert next(c for c in root.iter(f"{Q}Case") if c.get("name") == "T01_r1").find(f"{Q}Description").text == "Casememo."
    notes = {n.get("name"): n.find(f"{Q}PlainTextContent").text for n in root.iter(f"{Q}Note")}
    assert notes["memo on project"] == "Projectmemo." and notes["memo on code logic.market"] == "Codememo."
    assert "memo on case T01_r1" not in notes
    # no time stamps anywhere
    assert b"DateTime" not in _qde(out.read_bytes())


def test_two_exports_are_byte_identical(coded: Project, tmp_path: Path) -> None:
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(coded, a)
    export_qdpx(coded, b)
    assert a.read_bytes() == b.read_bytes()
    assert qdpx_bytes(coded)[0] == a.read_bytes()


def test_float_boolean_variables_and_odd_characters_validate(coded: Project) -> None:
    coded.memo("project", None, "Pagina 1\x0cPagina 2", coder="anna")  # a form feed: not allowed in XML 1.0
    coded.set_case_attributes("T01_r1", {"uren": "32,5", "vast": "ja"})
    coded.set_case_attributes("T01_r2", {"uren": "36", "vast": "nee"})
    qde, _, _ = build_qdpx(coded)
    assert qde_schema_errors(qde, XSD) == []
    types = {v.get("name"): v.get("typeOfVariable") for v in _root(qde).iter(f"{Q}Variable")}
    assert types["uren"] == "Float" and types["vast"] == "Boolean"
    assert b"<FloatValue>32.5</FloatValue>" in qde and b"<FloatValue>36</FloatValue>" in qde
    assert b"<BooleanValue>true</BooleanValue>" in qde
    assert "<PlainTextContent>Pagina 1Pagina 2</PlainTextContent>" in qde.decode("utf-8")


# --------------------------------------------------------------------------------------
# round trip
# --------------------------------------------------------------------------------------


def _key(rows: list[dict]) -> list[tuple]:
    return sorted((r["coder"], r["code"], r["transcript"], r["start"], r["end"], r["text"], r["case"], r["fragment"],
                   r["stance"], r["memo"]) for r in rows)


def test_round_trip_gives_the_same_codings(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_qdpx(coded, out)
    fresh = Project.init(tmp_path / "fresh")
    report = import_qdpx(fresh, out)
    assert report.transcripts == ["T01_g1", "T02_r1"]
    assert report.codings == 5 and report.coders == ["anna", "bram"]
    assert _key(fresh.coding_rows()) == _key(coded.coding_rows())
    assert {r["origin"] for r in fresh.coding_rows()} == {"import"}
    for tid in ("T01_g1", "T02_r1"):
        assert fresh.store.transcript(tid)["text"] == coded.store.transcript(tid)["text"]
        assert [(f["id"], f["speaker"], f["case"], f["start"], f["end"]) for f in fresh.transcript(tid)["fragments"]] \
            == [(f["id"], f["speaker"], f["case"], f["start"], f["end"]) for f in coded.transcript(tid)["fragments"]]
    # cases and their attributes (types kept)
    assert {r["id"]: r["attributes"] for r in fresh.case_rows()} == {r["id"]: r["attributes"] for r in coded.case_rows()}
    assert fresh.transcript("T01_g1")["attributes"] == coded.transcript("T01_g1")["attributes"]
    memos = {(m["target_kind"], m["target_id"], m["coder"], m["text"]) for m in fresh.memo_rows()}
    assert memos == {("project", None, "anna", "Projectmemo."), ("case", "T01_r1", None, "Casememo."),
                     ("fragment", "T01_g1:5", "bram", "Fragmentmemo."), ("code", "logic.market", "bram", "Codememo.")}
    # the codebook went to codebooks/study.yaml, keeps ids, labels and hierarchy
    assert report.codebook == "codebooks/study.yaml"
    cb = fresh.codebook(fresh.root / report.codebook)
    assert list(cb.codes) == ["logic", "logic.bureaucratic", "logic.professional", "logic.market",
                              "discretion", "discretion.coping"]
    assert cb.codes["logic.market"].label.en == "Market" and not cb.codes["logic"].codable
    assert {r["codebook_hash"] for r in fresh.coding_rows()} == {cb.hash}
    # and exporting the imported project gives the same selections again
    again = _root(build_qdpx(fresh)[0])
    first = _root(build_qdpx(coded)[0])
    sel = lambda r: sorted((s.get("startPosition"), s.get("endPosition"), s.get("creatingUser"),  # noqa: E731
                            s.find(f"{Q}Coding/{Q}CodeRef").get("targetGUID")) for s in r.iter(f"{Q}PlainTextSelection")
                           if s.find(f"{Q}Coding") is not None)
    assert sel(again) == sel(first)
    fresh.close()


def test_import_is_one_run_that_undo_removes(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_qdpx(coded, out)
    fresh = Project.init(tmp_path / "fresh")
    report = import_qdpx(fresh, out, use_codebook=True)
    assert [r["kind"] for r in fresh.run_rows()] == ["import"]
    assert 'codebook = "codebooks/study.yaml"' in (fresh.root / "qualcode.toml").read_text()
    fresh.undo(report.run_id)
    assert fresh.coding_rows() == [] and fresh.transcript_rows() == [] and fresh.store.case_ids() == set()
    assert fresh.memo_rows() == [] and fresh.store.coder_names() == []
    assert not (fresh.root / "codebooks" / "study.yaml").exists()
    assert 'codebook = "codebooks/klantmanager.yaml"' in (fresh.root / "qualcode.toml").read_text()
    fresh.close()


def test_existing_transcript_ids_refused_unless_prefix(coded: Project, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    export_qdpx(coded, out)
    runs = len(coded.run_rows())
    with pytest.raises(InputError, match="T01_g1, T02_r1 already exist.*--prefix"):
        import_qdpx(coded, out)
    assert len(coded.run_rows()) == runs
    report = import_qdpx(coded, out, prefix="B_")
    assert report.transcripts == ["B_T01_g1", "B_T02_r1"]
    rows = coded.coding_rows(transcripts=["B_T01_g1"])
    assert {(r["coder"], r["text"], r["case"]) for r in rows} == {
        ("anna", "de wet zegt dat ik moet controleren", "T01_r1"),
        ("anna", coded.store.transcript("T01_g1")["text"][129:232], "T01_r2"),
        ("bram", "elke klant is anders", "T01_r2")}
    # an identical codebook file is reused, not duplicated
    assert report.codebook == "codebooks/study.yaml"


# --------------------------------------------------------------------------------------
# hand-written projects from "other tools"
# --------------------------------------------------------------------------------------


def _project_xml(sources: str, *, users: str = "", cases: str = "", variables: str = "", notes: str = "",
                 codes: str | None = None, head: str = "") -> str:
    if codes is None:
        codes = f"""
    <Code guid="{G_PARENT}" name="Logica" isCodable="false">
      <Code guid="{G_CODE_A}" name="Regels &amp; wetten" isCodable="true"><Description>Volgens de regels.</Description></Code>
      <Code guid="{G_CODE_B}" name="Maatwerk" isCodable="true"/>
    </Code>"""
    return f"""<?xml version="1.0" encoding="utf-8"?>{head}
<Project xmlns="urn:QDA-XML:project:1.0" name="Ander project" origin="OtherTool 9">
  {f"<Users>{users}</Users>" if users else ""}
  <CodeBook><Codes>{codes}</Codes></CodeBook>
  {f"<Variables>{variables}</Variables>" if variables else ""}
  {f"<Cases>{cases}</Cases>" if cases else ""}
  <Sources>{sources}</Sources>
  {f"<Notes>{notes}</Notes>" if notes else ""}
</Project>
"""


def _write_qdpx(path: Path, qde: str | bytes, files: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in (files or {}).items():
            zf.writestr(name, data)
    return path


def _selection(guid: str, text: str, words: str, code: str, user: str | None = None, nth: int = 0) -> str:
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    who = f' creatingUser="{user}"' if user else ""
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{start + len(words)}"{who}>'
            f'<Coding guid="{_guid(int(guid[-4:], 16) + 5000)}"{who}><CodeRef targetGUID="{code}"/></Coding>'
            f"</PlainTextSelection>")


CRLF_TEXT = (
    "Interviewer: Hoe gaat het met de cli\u0065\u0308nten?\r\n"
    "R1:   Goed. Ik kijk per klant wat past.\r\n"
    "   Dat is maatwerk.\r\n"
    "\r\n"
    "Interviewer: En de regels?\r\n"
    "R1: [00:01:02] Die regels volg ik, omdat het moet.\r\n"
)


def _crlf_project(tmp_path: Path, mode: str) -> Path:
    text = CRLF_TEXT
    sels = "".join([
        _selection(_guid(1), text, "per klant wat past", G_CODE_B, G_USER_1),
        _selection(_guid(2), text, "Die regels volg ik, omdat het moet.", G_CODE_A, G_USER_1),
        _selection(_guid(3), text, "Goed. Ik kijk per klant wat past.\r\n   Dat is maatwerk.", G_CODE_B, G_USER_2),
    ])
    users = f'<User guid="{G_USER_1}" name="Ellen"/><User guid="{G_USER_2}"/>'
    if mode != "internal-file":
        # Inline text: the XML parser would turn each CRLF into LF; the import must not lose the CRs.
        # The document itself uses CRLF line ends too, as a Windows tool writes it.
        content = "<![CDATA[TEXT]]>" if mode == "inline-cdata" else "TEXT"
        src = (f'<TextSource guid="{G_SRC}" name="Interview 1.txt"><PlainTextContent>{content}</PlainTextContent>'
               f"{sels}</TextSource>")
        qde = _project_xml(src, users=users).replace("\n", "\r\n").replace("TEXT", text)
        return _write_qdpx(tmp_path / "other.qdpx", qde)
    src = f'<TextSource guid="{G_SRC}" name="Interview 1.txt" plainTextPath="internal://{G_SRC}.txt">{sels}</TextSource>'
    files = {f"sources/{G_SRC}.txt": b"\xef\xbb\xbf" + text.encode("utf-8")}  # with a BOM, as Windows tools write
    return _write_qdpx(tmp_path / "other.qdpx", _project_xml(src, users=users), files)


@pytest.mark.parametrize("mode", ["internal-file", "inline", "inline-cdata"])
def test_crlf_source_selections_cover_the_intended_words(project: Project, tmp_path: Path, mode: str) -> None:
    path = _crlf_project(tmp_path, mode)
    report = import_qdpx(project, path)
    assert report.transcripts == ["Interview_1"]
    t = project.transcript("Interview_1")
    assert [(f["speaker"], f["text"]) for f in t["fragments"]] == [
        ("Interviewer", "Hoe gaat het met de cliënten?"),
        ("R1", "Goed. Ik kijk per klant wat past.\nDat is maatwerk."),
        ("Interviewer", "En de regels?"),
        ("R1", "Die regels volg ik, omdat het moet."),
    ]
    rows = {(r["coder"], r["text"]): r for r in project.coding_rows()}
    assert set(rows) == {
        ("Ellen", "per klant wat past"),
        ("Ellen", "Die regels volg ik, omdat het moet."),
        (G_USER_2, "Goed. Ik kijk per klant wat past.\nDat is maatwerk."),
    }
    text = project.store.transcript("Interview_1")["text"]
    for r in rows.values():
        assert text[r["start"] : r["end"]] == r["text"]
    assert rows[("Ellen", "per klant wat past")]["fragment"] == "Interview_1:2"
    assert rows[("Ellen", "Die regels volg ik, omdat het moet.")]["fragment"] == "Interview_1:4"
    assert rows[("Ellen", "per klant wat past")]["code"] == "logica.maatwerk"
    assert rows[("Ellen", "Die regels volg ik, omdat het moet.")]["code"] == "logica.regels_wetten"
    assert text.count("\r") == 0


def test_offset_index_maps_crlf_and_decomposed_accents() -> None:
    norm, o2n = normalise_with_index("a\r\nb\u0065\u0308c\rd")
    assert norm == "a\nbëc\nd"
    assert [o2n[i] for i in range(9)] == [0, 1, 1, 2, 3, 3, 4, 5, 6]
    st = build_source_text("Eerste regel\r\nTweede: regel\r\n", ["I"], "x")
    assert st is not None and not st.labelled  # no speaker label on the first line: one turn of R
    assert st.canonical == "R: Eerste regel\nTweede: regel\n"
    s = "Eerste regel\r\nTweede: regel\r\n".index("Tweede")
    a, b = st.text_map.span(s, s + 6)
    assert st.canonical[a:b] == "Tweede"


def test_unlabelled_source_is_one_turn_of_speaker_r(project: Project, tmp_path: Path) -> None:
    text = "Verslag van het gesprek\n\nDe klantmanager werkt met maatwerk.\n"
    src = (f'<TextSource guid="{G_SRC}" name="verslag"><PlainTextContent>{text}</PlainTextContent>'
           f'{_selection(_guid(1), text, "maatwerk", G_CODE_B)}</TextSource>')
    import_qdpx(project, _write_qdpx(tmp_path / "v.qdpx", _project_xml(src)), default_coder="import-coder")
    t = project.transcript("verslag")
    assert [(f["speaker"], f["case"], f["text"]) for f in t["fragments"]] == [
        ("R", "verslag", "Verslag van het gesprek\nDe klantmanager werkt met maatwerk.")]
    [row] = project.coding_rows()
    assert (row["coder"], row["text"], row["fragment"]) == ("import-coder", "maatwerk", "verslag:1")


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("attribute", ["plainTextPath", "richTextPath"])
def test_docx_source_imports_with_correct_spans(project: Project, tmp_path: Path, attribute: str) -> None:
    paragraphs = ["Interviewer: Wat doe je met sancties?",
                  "R1: Een sanctie gebruik ik als middel, zodat hij weer gaat bewegen.",
                  "",
                  "Interviewer: En bij fraude?",
                  "R1: Dan houd ik me aan de regels."]
    text = "\n".join(paragraphs)  # how positions in a docx source are counted
    sels = (_selection(_guid(1), text, "als middel, zodat hij weer gaat bewegen", G_CODE_B, G_USER_1)
            + _selection(_guid(2), text, "me aan de regels", G_CODE_A, G_USER_1))
    src = (f'<TextSource guid="{G_SRC}" name="Gesprek 2.docx" {attribute}="internal://{G_SRC}.docx">'
           f"{sels}</TextSource>")
    path = _write_qdpx(tmp_path / "d.qdpx", _project_xml(src, users=f'<User guid="{G_USER_1}" name="Ellen"/>'),
                       {f"sources/{G_SRC}.docx": _docx_bytes(paragraphs)})
    report = import_qdpx(project, path)
    assert report.transcripts == ["Gesprek_2"]
    rows = project.coding_rows()
    assert [(r["text"], r["fragment"], r["code"]) for r in rows] == [
        ("als middel, zodat hij weer gaat bewegen", "Gesprek_2:2", "logica.maatwerk"),
        ("me aan de regels", "Gesprek_2:4", "logica.regels_wetten"),
    ]


def test_users_become_coders(project: Project, tmp_path: Path) -> None:
    text = "R1: Ik kijk per klant. Regels zijn regels.\nR2: Ik ook per klant.\n"
    sels = (_selection(_guid(1), text, "per klant", G_CODE_B, G_USER_1)
            + _selection(_guid(2), text, "Regels zijn regels.", G_CODE_A, G_USER_2)
            + _selection(_guid(3), text, "per klant", G_CODE_B, None, nth=1)
            + _selection(_guid(4), text, "Ik ook", G_CODE_B, "99999999-0000-4000-8000-000000000099"))
    src = f'<TextSource guid="{G_SRC}" name="T9"><PlainTextContent>{text}</PlainTextContent>{sels}</TextSource>'
    users = f'<User guid="{G_USER_1}" name=" Ellen "/><User guid="{G_USER_2.upper()}" id="u2"/>'
    report = import_qdpx(project, _write_qdpx(tmp_path / "u.qdpx", _project_xml(src, users=users)), default_coder="x")
    coders = sorted((r["coder"], r["text"]) for r in project.coding_rows())
    assert coders == [("99999999-0000-4000-8000-000000000099", "Ik ook"), ("Ellen", "per klant"),
                      (G_USER_2, "Regels zijn regels."), ("x", "per klant")]
    assert set(project.store.coder_names()) >= {"Ellen", G_USER_2, "x"}
    assert report.coders == sorted(["Ellen", G_USER_2, "x", "99999999-0000-4000-8000-000000000099"])


def test_cases_and_variables_become_attributes(project: Project, tmp_path: Path) -> None:
    t1 = "Interviewer: Vraag?\nR1: Antwoord een.\nR2: Antwoord twee.\n"
    t2 = "Interviewer: Vraag?\nJan: Antwoord drie.\nJan: Nog iets.\n"
    s1 = f'<TextSource guid="{G_SRC}" name="groep"><PlainTextContent>{t1}</PlainTextContent>' \
         f'{_selection(_guid(1), t1, "Antwoord twee.", G_CODE_B)}' \
         f'<VariableValue><VariableRef targetGUID="{_guid(13)}"/><TextValue>Zeedorp</TextValue></VariableValue>' \
         f"</TextSource>"
    s2 = f'<TextSource guid="{G_SRC2}" name="jan"><PlainTextContent>{t2}</PlainTextContent></TextSource>'
    variables = (f'<Variable guid="{_guid(10)}" name="Age group" typeOfVariable="Integer"/>'
                 f'<Variable guid="{_guid(11)}" name="uren" typeOfVariable="Float"/>'
                 f'<Variable guid="{_guid(12)}" name="vast" typeOfVariable="Boolean"/>'
                 f'<Variable guid="{_guid(13)}" name="gemeente" typeOfVariable="Text"/>'
                 f'<Variable guid="{_guid(14)}" name="start" typeOfVariable="Date"/>')

    def vv(g: int, tag: str, value: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{_guid(g)}"/><{tag}>{value}</{tag}></VariableValue>'

    cases = (f'<Case guid="{_guid(20)}" name="P2"><Description>Tweede respondent.</Description>'
             f'{vv(10, "IntegerValue", "45")}{vv(11, "FloatValue", "32.5")}{vv(12, "BooleanValue", "1")}'
             f'{vv(14, "DateValue", "2024-05-01")}<SelectionRef targetGUID="{_guid(1)}"/></Case>'
             f'<Case guid="{_guid(21)}" name="Jan de Vries">{vv(12, "BooleanValue", "false")}'
             f'<SourceRef targetGUID="{G_SRC2}"/></Case>')
    path = _write_qdpx(tmp_path / "c.qdpx", _project_xml(s1 + s2, cases=cases, variables=variables))
    report = import_qdpx(project, path)
    assert sorted(report.cases) == ["Jan de Vries", "P2"]
    attrs = {r["id"]: r["attributes"] for r in project.case_rows()}
    assert attrs["P2"] == {"age_group": 45, "uren": 32.5, "vast": True, "start": __import__("datetime").date(2024, 5, 1),
                           "gemeente": "Zeedorp"}
    assert attrs["Jan de Vries"] == {"vast": False}
    types = {a["key"]: a["type"] for a in project.store.attributes("case", "P2")}
    assert types == {"age_group": "number", "uren": "number", "vast": "boolean", "start": "date"}
    assert project.transcript("groep")["attributes"] == {"gemeente": "Zeedorp"}
    # which turns belong to which case: the selection of case P2; the only case of source "jan"
    frags = {f["id"]: f["case"] for f in project.transcript("groep")["fragments"]}
    assert frags == {"groep:1": None, "groep:2": "groep", "groep:3": "P2"}
    assert {f["case"] for f in project.transcript("jan")["fragments"] if not f["interviewer"]} == {"Jan de Vries"}
    assert [r["case"] for r in project.coding_rows()] == ["P2"]
    assert ("case", "P2", "Tweede respondent.") in {(m["target_kind"], m["target_id"], m["text"]) for m in project.memo_rows()}


# --------------------------------------------------------------------------------------
# bad and hostile input: refused, nothing imported
# --------------------------------------------------------------------------------------


def _nothing_imported(project: Project) -> None:
    assert project.run_rows() == [] and project.transcript_rows() == [] and project.coding_rows() == []
    assert sorted(p.name for p in (project.root / "codebooks").iterdir()) == sorted(
        ["klantmanager.yaml", "klantmanager-typology.yaml", "test.yaml"])


@pytest.mark.parametrize("entry", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt",
                                   "..\\evil.txt"])
def test_zip_slip_entry_refused(project: Project, tmp_path: Path, entry: str) -> None:
    text = "R1: Hallo daar.\n"
    src = f'<TextSource guid="{G_SRC}" name="a"><PlainTextContent>{text}</PlainTextContent></TextSource>'
    path = tmp_path / "slip.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", _project_xml(src))
        zf.writestr(zipfile.ZipInfo(entry), b"gotcha")
    with pytest.raises(InputError, match="unsafe entry"):
        import_qdpx(project, path)
    _nothing_imported(project)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_xxe_refused(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    head = f'\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    src = f'<TextSource guid="{G_SRC}" name="a"><PlainTextContent>R1: &xxe;</PlainTextContent></TextSource>'
    path = _write_qdpx(tmp_path / "xxe.qdpx", _project_xml(src, head=head))
    with pytest.raises(InputError, match="DTD"):
        import_qdpx(project, path)
    _nothing_imported(project)


def test_entity_bomb_refused(project: Project, tmp_path: Path) -> None:
    head = '\n<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    src = f'<TextSource guid="{G_SRC}" name="a"><PlainTextContent>R1: &b;</PlainTextContent></TextSource>'
    with pytest.raises(InputError):
        import_qdpx(project, _write_qdpx(tmp_path / "bomb.qdpx", _project_xml(src, head=head)))
    _nothing_imported(project)


def test_unsafe_internal_path_and_unknown_code_refused(project: Project, tmp_path: Path) -> None:
    src = f'<TextSource guid="{G_SRC}" name="a" plainTextPath="internal://../x.txt"/>'
    with pytest.raises(InputError, match="unsafe internal path"):
        import_qdpx(project, _write_qdpx(tmp_path / "a.qdpx", _project_xml(src)))
    text = "R1: Hallo daar.\n"
    src = (f'<TextSource guid="{G_SRC}" name="a"><PlainTextContent>{text}</PlainTextContent>'
           f'{_selection(_guid(1), text, "Hallo", _guid(777))}</TextSource>')
    with pytest.raises(InputError, match="not in the codebook") as exc:
        import_qdpx(project, _write_qdpx(tmp_path / "b.qdpx", _project_xml(src)))
    assert exc.value.location is not None and exc.value.location.line is not None
    src = (f'<TextSource guid="{G_SRC}" name="a"><PlainTextContent>{text}</PlainTextContent>'
           f'<PlainTextSelection guid="{_guid(1)}" startPosition="3" endPosition="400"/></TextSource>')
    with pytest.raises(InputError, match="outside source"):
        import_qdpx(project, _write_qdpx(tmp_path / "c.qdpx", _project_xml(src)))
    with pytest.raises(InputError, match="not a zip"):
        import_qdpx(project, (tmp_path / "d.qdpx").write_bytes(b"nope") and tmp_path / "d.qdpx")
    _nothing_imported(project)


def test_sources_that_cannot_be_imported_are_skipped_with_warnings(project: Project, tmp_path: Path) -> None:
    text = "R1: Ik kijk per klant.\n"
    src = (f'<TextSource guid="{G_SRC}" name="ok"><PlainTextContent>{text}</PlainTextContent>'
           f'{_selection(_guid(1), text, "per klant", G_CODE_B)}'
           f'<Coding guid="{_guid(50)}"><CodeRef targetGUID="{G_CODE_B}"/></Coding></TextSource>'
           f'<TextSource guid="{G_SRC2}" name="elders" plainTextPath="relative:///data/elders.txt">'
           f'<PlainTextSelection guid="{_guid(2)}" startPosition="0" endPosition="4"/></TextSource>'
           f'<PictureSource guid="{_guid(60)}" name="foto" path="internal://foto.jpg"/>')
    report = import_qdpx(project, _write_qdpx(tmp_path / "s.qdpx", _project_xml(src)))
    assert report.transcripts == ["ok"] and report.codings == 1
    assert report.missing == ["source 'elders': file 'relative:///data/elders.txt' (line 12 of project.qde) is not "
                              "in the QDPX"]
    assert any("PictureSource 'foto' skipped" in w for w in report.warnings)
    assert any("whole source skipped" in w for w in report.warnings)


def test_anonymity_findings_skip_a_source_unless_allowed(project: Project, tmp_path: Path) -> None:
    text = "R1: Mail me op jan.jansen@example.nl als het kan.\n"
    src = f'<TextSource guid="{G_SRC}" name="pii"><PlainTextContent>{text}</PlainTextContent></TextSource>'
    path = _write_qdpx(tmp_path / "p.qdpx", _project_xml(src))
    report = import_qdpx(project, path)
    assert report.transcripts == [] and report.skipped[0]["source"] == "pii"
    assert report.skipped[0]["findings"][0]["kind"] == "email"
    project.undo(report.run_id)
    report = import_qdpx(project, path, allow_pii=True)
    assert report.transcripts == ["pii"] and project.store.transcript("pii")["pii_allowed"] == 1


def test_transcript_ids_from_source_names() -> None:
    assert transcript_id_for("Interview 1.docx") == "Interview_1"
    assert transcript_id_for("Gesprek met cliënt (deel 2).txt") == "Gesprek_met_client_deel_2"
    assert transcript_id_for("Adm01_g1") == "Adm01_g1"
    assert transcript_id_for("***") == "source"


# --------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------


def test_cli_export_and_import(coded: Project, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qualcode.cli import get_app

    runner = CliRunner()
    out = tmp_path / "cli.qdpx"
    res = runner.invoke(get_app(), ["--project", str(coded.root), "export", "qdpx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert qde_schema_errors(_qde(out.read_bytes()), XSD) == []
    fresh = Project.init(tmp_path / "fresh")
    res = runner.invoke(get_app(), ["--project", str(fresh.root), "import", "qdpx", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["codings"] == 5 and data["transcripts"] == ["T01_g1", "T02_r1"]
    res = runner.invoke(get_app(), ["--project", str(fresh.root), "import", "qdpx", str(out)])
    assert res.exit_code == 2 and "--prefix" in res.output
    res = runner.invoke(get_app(), ["--project", str(fresh.root), "runs", "undo", str(data["run_id"])])
    assert res.exit_code == 0, res.output
    assert fresh.coding_rows() == []
    fresh.close()
