"""Issue 14, items 11 and 13: QDPX files written by other tools read back, and group interviews
that case-based tools read right.

Item 11 uses the files qc wrote itself (tests/data/tools/qc, see its README for how they were
made and for the table of codings each must give) and hand-made archives with every form of
source path seen in the wild. Item 13 reads qualcode's export the way a case-based tool does:
what text does each ``<Case>`` own?
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from conftest import cli

from qualcode.codebook.load import read_codebook
from qualcode.errors import ProblemFound
from qualcode.project import Project
from qualcode.refi.qdpx_import import import_qdpx
from qualcode.refi.qdpx_write import build_qdpx, export_qdpx

TOOLS = Path(__file__).parent / "data" / "tools"
Q = "{urn:QDA-XML:project:1.0}"


def _codings(project: Project) -> list[tuple[str, str, str, str]]:
    return sorted((r["transcript"], r["coder"], r["code"], r["text"]) for r in project.coding_rows())


# --------------------------------------------------------------------------------------
# item 11: qc's own files
# --------------------------------------------------------------------------------------

# tests/data/tools/README.md, the table of demo-like.qdpx: every coding by kc in
# raadsvergadering_2024.txt; the exact text of each line without its padded speaker label and
# the line's trailing space and newline, which are not words of the turn.
DEMO_LIKE = [
    ("rq1_beleid.ruimte", "Dank u. Het afgelopen jaar hebben de klantmanagers meer"),
    ("rq1_beleid.ruimte", "ruimte gekregen om zelf te bepalen welk traject bij iemand past. Dat was"),
    ("rq1_beleid.ruimte.maatwerk", "ruimte gekregen om zelf te bepalen welk traject bij iemand past. Dat was"),
    ("rq1_beleid.controle", "van inwoners dat het per klantmanager verschilt wat je mag."),
    ("rq1_beleid.ruimte.maatwerk", "Dat verschil is deels de bedoeling. Maatwerk betekent"),
    ("rq1_beleid.controle.vastleggen", "dat niet iedereen hetzelfde krijgt. Wel vragen we dat elke afwijking in"),
    ("rq1_beleid.controle.vastleggen", "het dossier wordt onderbouwd."),
]


def test_qc_132_bare_source_paths_are_found(project: Project) -> None:
    """qc 1.3.2 (like its shipped demo.qdpx): plainTextPath="x.txt", the file in sources/, no name."""
    report = import_qdpx(project, TOOLS / "qc" / "demo-like.qdpx")
    assert report.transcripts == ["raadsvergadering_2024", "beleid-1"]  # names from the file names
    assert report.codings == 7 and report.coders == ["kc"]
    assert report.missing == []
    assert _codings(project) == sorted(("raadsvergadering_2024", "kc", code, text) for code, text in DEMO_LIKE)
    # both sources' texts, read from the archive (the second has no selections and holds 'één')
    assert "Maatwerk betekent" in project.store.transcript_text("raadsvergadering_2024")
    assert "Vroeger was dat één vinkje." in project.store.transcript_text("beleid-1")
    # the name 'maatwerk' twice: two codes under their own parents; qc's codings use the first
    cb, issues = read_codebook(project.root / report.codebook)
    assert {"rq1_beleid.ruimte.maatwerk", "rq2_uitvoering.werkwijze.maatwerk"} <= set(cb.codes)
    # qc has no definitions: the import says the codebook needs them before it can be used
    assert {i.message.split("'")[1] for i in issues if "no definition" in i.message} == set(cb.codes)
    assert any("9 codable code(s) have no definition yet" in w for w in report.warnings)


def test_qc_132_import_from_the_command_line_exits_0(project_dir: Path) -> None:
    res = cli("-p", str(project_dir), "import", "qdpx", str(TOOLS / "qc" / "demo-like.qdpx"), "--format", "json")
    assert res.exit_code == 0, res.output
    assert '"codings": 7' in res.stdout


# tests/data/tools/README.md, the table of small.qdpx (qc 1.7.8, GUID-named sources)
SMALL = [
    ("kmz01", "onderzoeker1", "logica.professioneel", "Over werk, maar eerlijk gezegd vaak eerst over schulden of "
     "een huis. Je kunt niet over re-integratie praten als iemand geen dak boven zijn hoofd heeft."),
    ("kmz01", "onderzoeker1", "logica.bureaucratisch", "Zwaar. Elke afwijking moet ik vastleggen in het systeem, "
     "met een motivering, anders komt de controleur erop terug."),
    ("kmz01", "onderzoeker2", "logica.bureaucratisch", "Zwaar. Elke afwijking moet ik vastleggen in het systeem, "
     "met een motivering, anders komt de controleur erop terug."),
    ("kmz01", "onderzoeker1", "logica.professioneel", "Toch probeer ik ruimte te zoeken. Als iemand echt zijn best "
     "doet, dan leg ik dat zo uit dat het past binnen de regels."),
    ("kmz01", "onderzoeker1", "handelingsruimte.ruimte_zoeken", "Toch probeer ik ruimte te zoeken. Als iemand echt "
     "zijn best doet, dan leg ik dat zo uit dat het past binnen de regels."),
    ("kmz01", "onderzoeker2", "handelingsruimte.ruimte_zoeken", "Toch probeer ik ruimte te zoeken. Als iemand echt "
     "zijn best doet, dan leg ik dat zo uit dat het past binnen de regels."),
    ("kmz02", "onderzoeker1", "logica.professioneel.klant_kennen", "Dat ik iemand echt leer kennen. Het dossier "
     "vertelt maar de helft van het verhaal, zeker bij financiële problemen."),
    ("kmz02", "onderzoeker1", "logica.professioneel", "Mijn teamleider stuurt vooral op aantallen uitstroom. Dat "
     "botst soms met wat ik als professional verantwoord vind."),
    ("kmz02", "onderzoeker1", "logica.bureaucratisch", "Mijn teamleider stuurt vooral op aantallen uitstroom. Dat "
     "botst soms met wat ik als professional verantwoord vind."),
    ("kmz02", "onderzoeker1", "handelingsruimte.ruimte_zoeken", "Dan zeg ik in het werkoverleg gewoon: deze meneer "
     "is nog niet klaar voor een werkgever, geef mij nog twee maanden."),
    ("kmz02", "onderzoeker1", "logica.bureaucratisch", "Meestal wel. Maar ik moet het wel elke keer opnieuw "
     "onderbouwen in het plan van aanpak."),
]


def test_qc_178_guid_named_sources_each_coding_is_one_turn(project: Project) -> None:
    report = import_qdpx(project, TOOLS / "qc" / "small.qdpx")
    assert (report.transcripts, report.codings) == (["kmz01", "kmz02"], 11)
    assert report.coders == ["onderzoeker1", "onderzoeker2"]
    assert _codings(project) == sorted((t, c, code, text) for t, c, code, text in SMALL)
    assert report.missing == []
    for r in project.coding_rows():  # qc codes whole lines: each coding is exactly one R turn
        frag = project.store.fragment(r["fragment"])
        turn = project.store.transcript_text(r["transcript"])[frag["start"]:frag["end"]]
        assert (frag["speaker"], frag["is_interviewer"], turn) == ("R", 0, r["text"])


# --------------------------------------------------------------------------------------
# item 11: every form of source path
# --------------------------------------------------------------------------------------

TEXT = "Interviewer: Hoe bepaal je wat een klant krijgt?\nR: Dat hangt van de klant af, ik kijk per persoon.\n"
SRC = "a1a1a1a1-0000-4000-8000-00000000000a"
CODE = "c0c0c0c0-0000-4000-8000-00000000000c"
USER = "d0d0d0d0-0000-4000-8000-00000000000d"


def _qde(path_attr: str, *, name: str | None = 'name="Gesprek Ede"', extra_sources: str = "", cases: str = "") -> str:
    start = TEXT.index("ik kijk per persoon")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="paden" origin="Elders 2">
  <Users><User guid="{USER}" name="mira"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="maatwerk" isCodable="true"/></Codes></CodeBook>
  {cases}
  <Sources>
    <TextSource guid="{SRC}" {name or ""} {path_attr}>
      <PlainTextSelection guid="b1b1b1b1-0000-4000-8000-00000000000b" startPosition="{start}"
                          endPosition="{start + len('ik kijk per persoon')}">
        <Coding guid="e1e1e1e1-0000-4000-8000-00000000000e" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>
      </PlainTextSelection>
    </TextSource>{extra_sources}
  </Sources>
</Project>
"""


def _archive(path: Path, qde: str, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


@pytest.mark.parametrize("path_attr,entry", [
    ('plainTextPath="internal://gesprek.txt"', "sources/gesprek.txt"),      # the standard
    ('plainTextPath="gesprek.txt"', "sources/gesprek.txt"),                 # qc 1.3 (bare)
    ('plainTextPath="sources/gesprek.txt"', "sources/gesprek.txt"),         # relative to the archive
    ('plainTextPath="sources\\gesprek.txt"', "sources/gesprek.txt"),        # Windows separator
    ('plainTextPath="internal://gesprek.txt"', "gesprek.txt"),              # at the top of the archive
    ('plainTextPath="internal://Gesprek%20Ede.txt"', "sources/Gesprek Ede.txt"),  # percent-encoded
    ('plainTextPath="internal://GESPREK.TXT"', "sources/gesprek.txt"),      # case differs
    ('plainTextPath="C:\\Users\\mira\\Documents\\gesprek.txt"', "sources/gesprek.txt"),  # packed anyway
    ('plainTextPath="relative://transcripten/gesprek.txt"', "sources/gesprek.txt"),
    ('plainTextPath="internal://oud-pad.txt"', f"sources/{SRC.upper()}.txt"),  # the file named by its GUID
    (f'plainTextPath="internal://{SRC}.txt"', f"sources/{SRC}.txt"),       # qc 1.7 / qualcode (GUID)
    ('richTextPath="gesprek.docx"', None),                                  # a bare .docx path
], ids=["internal", "bare", "sources-prefix", "backslash", "top-level", "percent", "case", "drive", "relative",
        "guid-fallback", "guid-named", "docx"])
def test_every_path_form_finds_the_source(project: Project, tmp_path: Path, path_attr: str, entry: str | None) -> None:
    if entry is None:
        import docx

        doc = docx.Document()
        for line in TEXT.splitlines():
            doc.add_paragraph(line)
        buf = io.BytesIO()
        doc.save(buf)
        path = tmp_path / "p.qdpx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("project.qde", _qde(path_attr))
            zf.writestr("sources/gesprek.docx", buf.getvalue())
    else:
        path = _archive(tmp_path / "p.qdpx", _qde(path_attr), {entry: TEXT, "sources/andere.txt": "R: niets\n"})
    report = import_qdpx(project, path)
    assert (report.transcripts, report.codings) == (["Gesprek_Ede"], 1)
    assert _codings(project) == [("Gesprek_Ede", "mira", "maatwerk", "ik kijk per persoon")]
    assert report.missing == []


def test_a_source_without_a_name_is_named_after_its_file(project: Project, tmp_path: Path) -> None:
    path = _archive(tmp_path / "p.qdpx", _qde('plainTextPath="gesprek%20twee.txt"', name=None),
                    {"sources/gesprek twee.txt": TEXT})
    assert import_qdpx(project, path).transcripts == ["gesprek_twee"]


def test_a_missing_source_is_reported_and_exits_1(project_dir: Path, tmp_path: Path) -> None:
    other = (f'<TextSource guid="a2a2a2a2-0000-4000-8000-00000000000a" name="Gesprek Wolde" '
             f'plainTextPath="internal://wolde.txt"><PlainTextSelection guid="b2b2b2b2-0000-4000-8000-00000000000b" '
             f'startPosition="0" endPosition="4"><Coding guid="e2e2e2e2-0000-4000-8000-00000000000e" '
             f'creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection></TextSource>')
    path = _archive(tmp_path / "p.qdpx", _qde('plainTextPath="gesprek.txt"', extra_sources=other),
                    {"sources/gesprek.txt": TEXT})
    res = cli("-p", str(project_dir), "import", "qdpx", str(path))
    assert res.exit_code == 1, res.output
    assert re.search(r"source 'Gesprek Wolde': file 'internal://wolde.txt' \(line \d+ of project.qde\) is not in "
                     r"the QDPX; its 1 coding\(s\) were not imported", res.output)
    with Project.open(project_dir) as p:  # the rest was imported, as one run that undo removes
        assert [t["id"] for t in p.transcript_rows()] == ["Gesprek_Ede"] and len(p.coding_rows()) == 1
        assert [r["kind"] for r in p.run_rows()] == ["import"]


def test_nothing_found_changes_nothing_and_exits_1(project_dir: Path, tmp_path: Path) -> None:
    path = _archive(tmp_path / "p.qdpx", _qde('plainTextPath="board_2017.txt"'), {"sources/admin-1.txt": TEXT})
    res = cli("-p", str(project_dir), "import", "qdpx", str(path))
    assert res.exit_code == 1, res.output
    assert "nothing imported" in res.output and "'board_2017.txt'" in res.output
    with Project.open(project_dir) as p:
        assert p.run_rows() == [] and p.transcript_rows() == []
        with pytest.raises(ProblemFound, match="board_2017.txt"):
            import_qdpx(p, path)


def test_dangling_references_are_reported(project: Project, tmp_path: Path) -> None:
    cases = ('<Cases><Case guid="f1f1f1f1-0000-4000-8000-00000000000f" name="mira_r1">'
             f'<SourceRef targetGUID="{SRC}"/>'
             '<SelectionRef targetGUID="99999999-0000-4000-8000-000000000099"/></Case></Cases>')
    qde = _qde('plainTextPath="gesprek.txt"', cases=cases).replace(
        "</Coding>", '<NoteRef targetGUID="88888888-0000-4000-8000-000000000088"/></Coding>', 1)
    report = import_qdpx(project, _archive(tmp_path / "p.qdpx", qde, {"sources/gesprek.txt": TEXT}))
    assert report.codings == 1
    assert report.missing == [
        "case 'mira_r1' refers to selection 99999999-0000-4000-8000-000000000099, which is not in the file",
        "a coding in source 'Gesprek Ede' refers to note 88888888-0000-4000-8000-000000000088, which is not in "
        "the file"]


def test_unsafe_bare_path_is_refused(project: Project, tmp_path: Path) -> None:
    from qualcode.errors import InputError

    path = _archive(tmp_path / "p.qdpx", _qde('plainTextPath="sources/../gesprek.txt"'), {"gesprek.txt": TEXT})
    with pytest.raises(InputError, match="unsafe internal path"):
        import_qdpx(project, path)
    assert project.run_rows() == []


# --------------------------------------------------------------------------------------
# item 13: in a group interview each participant's Case owns its own turns
# --------------------------------------------------------------------------------------


def _owned_texts(qde: bytes, sources: dict[str, str]) -> dict[str, list[str]]:
    """case name -> the texts its SourceRefs and SelectionRefs give it: how NVivo or MAXQDA
    read a REFI case."""
    root = ET.fromstring(qde)
    source_text = {s.get("guid"): sources["sources/" + s.get("plainTextPath").removeprefix("internal://")]
                   for s in root.iter(f"{Q}TextSource")}
    selection_text = {}
    for s in root.iter(f"{Q}TextSource"):
        for sel in s.findall(f"{Q}PlainTextSelection"):
            selection_text[sel.get("guid")] = source_text[s.get("guid")][
                int(sel.get("startPosition")):int(sel.get("endPosition"))]
    owned = {}
    for case in root.iter(f"{Q}Case"):
        owned[case.get("name")] = ([source_text[r.get("targetGUID")] for r in case.findall(f"{Q}SourceRef")]
                                   + [selection_text[r.get("targetGUID")] for r in case.findall(f"{Q}SelectionRef")])
    return owned


def test_group_participants_own_their_own_turns(ingested: Project) -> None:
    qde, files, _ = build_qdpx(ingested)
    owned = _owned_texts(qde, files)
    turns = {f["id"]: f for f in ingested.transcript("T01_g1")["fragments"]}
    # conftest's group interview: R1 = T01_r1 speaks in turns 2 and 5, R2 = T01_r2 in 3 and 6
    assert owned["T01_r1"] == [turns["T01_g1:2"]["text"], turns["T01_g1:5"]["text"]]
    assert owned["T01_r2"] == [turns["T01_g1:3"]["text"], turns["T01_g1:6"]["text"]]
    assert owned["T01_r1"][0].startswith("Ik begin met de mail.")
    assert not any("Hoe ziet een werkdag eruit?" in t or "Bij mij is dat anders" in t for t in owned["T01_r1"])
    # an individual interview is owned whole by its one case
    assert owned["T02_r1"] == [ingested.store.transcript_text("T02_r1")]


def test_turn_selections_alone_give_cases_back(ingested: Project, tmp_path: Path) -> None:
    """A tool that drops our ``[speaker: ...]`` description lines still gives each participant
    their turns, from the SelectionRefs."""
    out = tmp_path / "study.qdpx"
    export_qdpx(ingested, out)
    with zipfile.ZipFile(out) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    qde = entries["project.qde"].decode("utf-8")
    entries["project.qde"] = re.sub(r"<Description>\[speaker:[^<]*</Description>", "", qde).encode("utf-8")
    assert b"[speaker:" not in entries["project.qde"]
    stripped = tmp_path / "stripped.qdpx"
    with zipfile.ZipFile(stripped, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    fresh = Project.init(tmp_path / "fresh")
    import_qdpx(fresh, stripped)
    cases = lambda p: [(f["id"], f["case"]) for f in p.transcript("T01_g1")["fragments"]]  # noqa: E731
    assert cases(fresh) == cases(ingested)
    assert ("T01_g1:3", "T01_r2") in cases(fresh)
    fresh.close()


def test_export_with_turn_selections_validates(ingested: Project) -> None:
    from qualcode.refi.qdpx_write import qde_schema_errors

    qde, _, _ = build_qdpx(ingested)
    assert qde_schema_errors(qde, Path(__file__).parent / "data" / "refi-qda" / "Project.xsd") == []
