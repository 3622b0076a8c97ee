"""Issue 14, item 14: Taguette's codebook (QDC and CSV) read with its hierarchy, a codebook CSV
that Taguette imports, and its highlights export placed in the transcripts.

The files under tests/data/tools/taguette were written by Taguette 1.5.2 itself (see the
README there: tags ``logic.bureaucratic``, ``logic/professional``, ``logic/professional/care``,
``ruimte`` and Taguette's default ``interesting``; 8 highlight rows, highlight 7 across a
paragraph break). The transcripts below are the three interviews those highlights were made
in, as a qualcode user would have them: plain text with ``I:``/``R:`` labels.
"""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import pytest
from conftest import cli

from qualcode.codebook.load import read_codebook
from qualcode.errors import InputError
from qualcode.project import Project
from qualcode.refi.qdc import import_qdc
from qualcode.refi.tagpaths import Tag, codebook_from_tags, tag_code_id, tag_segments
from qualcode.refi.taguette import import_highlights, read_codebook_csv, read_highlights

TAGUETTE = Path(__file__).parent / "data" / "tools" / "taguette"

ZUID_01 = """\
I: Hoe gaat u om met een aanvraag voor bijzondere bijstand?
R: Dat staat allemaal in de checklist en daar wijk ik niet van af. Anders krijg ik het terug van de controleur.
I: En als iemand dakloos dreigt te worden?
R: Dan wacht ik niet op het formulier, dan bel ik zelf de woningcorporatie. Dat hoort er gewoon bij.
I: Wie bepaalt het traject?
R: Ik kies zelf of iemand naar een werkgever gaat of eerst naar een taaltraject.
"""
ZUID_02 = """\
I: Wat doet u als iemand niet op een afspraak komt?
R: Volgens het handboek moet ik dan een maatregel overwegen.
I: En doet u dat ook?
R: Meestal bel ik eerst. Als er schulden spelen, dan praten we over hulp in plaats van over korten.
"""
ZUID_03 = """\
I: Is elke klant hetzelfde?
R: Nee. Eén regel voor iedereen werkt niet.
R: Al moet ik het natuurlijk wel kunnen uitleggen aan de controleur.
I: Dank u wel.
"""


@pytest.fixture
def zuid(tmp_path: Path) -> Project:
    """A project with the three interviews and Taguette's codebook (from its CSV) in use."""
    root = tmp_path / "zuid"
    Project.init(root).close()
    for name, text in (("interview-zuid-01", ZUID_01), ("Interview_Zuid_02", ZUID_02), ("Zdw03", ZUID_03)):
        (root / "transcripts" / f"{name}.txt").write_text(text, encoding="utf-8")
    res = cli("-p", str(root), "codebook", "import", str(TAGUETTE / "codebook.csv"), "--out",
              str(root / "codebooks" / "taguette.yaml"))
    assert res.exit_code == 0, res.output
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/taguette.yaml"))
    project = Project.open(root)
    project.ingest([root / "transcripts"])
    yield project
    project.close()


# --------------------------------------------------------------------------------------
# codebooks
# --------------------------------------------------------------------------------------

TREE = [  # (id, parent, codable, label)
    ("interesting", None, True, "interesting"),
    ("logic", None, False, "logic"),  # no tag 'logic' in Taguette: a parent that cannot be coded
    ("logic.bureaucratic", "logic", True, "bureaucratic"),
    ("logic.professional", "logic", True, "professional"),
    ("logic.professional.care", "logic.professional", True, "care"),
    ("ruimte", None, True, "ruimte"),
]


def _tree(cb) -> list[tuple]:
    return [(c.id, c.parent, c.codable, c.label.nl) for c in cb.codes.values()]


def test_taguette_qdc_keeps_the_hierarchy() -> None:
    cb = import_qdc(TAGUETTE / "codebook.qdc")
    assert _tree(cb) == TREE
    assert all(c.definition == "" for c in cb.codes.values())  # Taguette's QDC drops descriptions


def test_taguette_csv_keeps_the_hierarchy_and_descriptions() -> None:
    cb = read_codebook_csv(TAGUETTE / "codebook.csv")
    assert _tree(cb) == TREE
    assert {c.id: c.definition for c in cb.codes.values() if c.codable} == {
        "interesting": "Further review required", "logic.bureaucratic": "Regels, procedures, vastleggen",
        "logic.professional": "Eigen professioneel oordeel", "logic.professional.care": "Zorg en hulp boven sanctie",
        "ruimte": "Handelingsruimte, discretie"}
    assert cb.codes["logic.professional.care"].line == 5  # the CSV line, for messages


def test_codebook_import_command_reads_both(tmp_path: Path) -> None:
    for name in ("codebook.qdc", "codebook.csv"):
        out = tmp_path / f"{name}.yaml"
        res = cli("codebook", "import", str(TAGUETTE / name), "--out", str(out))
        assert res.exit_code == 0, res.output
        cb, issues = read_codebook(out)
        assert _tree(cb) == TREE
    # the CSV has a description for every tag: a codebook qualcode accepts as it is
    assert [i for i in issues if i.severity == "error"] == []


def test_other_tools_keep_dots_and_slashes_in_names(tmp_path: Path) -> None:
    qdc = tmp_path / "maxqda.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" '
                   'origin="MAXQDA 2022"><Codes><Code guid="a1a1a1a1-0000-4000-8000-00000000000a" '
                   'name="2.1 Werkdruk / caseload" isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    assert list(import_qdc(qdc).codes) == ["c_2_1_werkdruk_caseload"]
    assert list(import_qdc(qdc, split_names=True).codes) == ["c_2", "c_2.c_1_werkdruk", "c_2.c_1_werkdruk.caseload"]


def test_tag_paths() -> None:
    assert tag_segments("logic/professional.care") == ["logic", "professional", "care"]
    assert tag_segments("/a..b/ ") == ["a", "b"]
    assert tag_code_id("Logica/Cliënt centraal") == "logica.client_centraal"
    from qualcode.codebook.model import Codebook, RuleSettings

    cb = Codebook(id="t", title="t", language="nl", rules=RuleSettings())
    ids = codebook_from_tags([Tag("a.b", "B"), Tag("A/b", "B twee"), Tag("a", "A zelf"), Tag("a.b", "dubbel")], cb)
    assert ids == {"a.b": "a.b", "A/b": "a.b_2", "a": "a"}
    assert [(c.id, c.parent, c.codable, c.definition) for c in cb.codes.values()] == [
        ("a", None, True, "A zelf"), ("a.b", "a", True, "B"), ("a.b_2", "a", True, "B twee")]


def test_codebook_export_for_taguette(project_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "voor-taguette.csv"
    res = cli("-p", str(project_dir), "codebook", "export", "--format", "taguette-csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # conftest's codebook: logic and discretion are not codable, so they are no tags
    assert rows == [["tag", "description"], ["logic.bureaucratic", "Regels en wetten als reden."],
                    ["logic.professional", "Eigen oordeel over de klant."], ["logic.market", "Cijfers en targets."],
                    ["discretion.coping", "Afwijken door werkdruk."]]
    # and read back: the same ids, hierarchy and definitions
    back = read_codebook_csv(out)
    with Project.open(project_dir) as p:
        original = p.codebook()
    assert {c.id: (c.parent, c.definition) for c in back.codes.values() if c.codable} == {
        c.id: (c.parent, c.definition) for c in original.codes.values() if c.codable}


def test_codebook_export_for_taguette_default_name(project_dir: Path) -> None:
    res = cli("-p", str(project_dir), "codebook", "export", "--format", "taguette-csv")
    assert res.exit_code == 0, res.output
    assert (project_dir / "exports" / "test.csv").read_bytes().startswith(b"\xef\xbb\xbftag,description\r\n")


def test_a_bad_codebook_csv_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("naam;omschrijving\nregels;x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:1: the header has none of the columns 'tag', 'name', 'path'"):
        read_codebook_csv(bad)
    bad.write_text("tag,description\nregels,x\n,leeg\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:3: empty tag name"):
        read_codebook_csv(bad)


# --------------------------------------------------------------------------------------
# highlights
# --------------------------------------------------------------------------------------

# What the highlights of the README become: (transcript, code, text) per coding. Highlight 7
# runs over two R turns of Zdw03, so it gives one coding per turn for each of its two tags.
EXPECTED = sorted([
    ("interview-zuid-01", "logic.bureaucratic", "Dat staat allemaal in de checklist en daar wijk ik niet van af."),
    ("interview-zuid-01", "logic.professional", "dan bel ik zelf de woningcorporatie"),
    ("interview-zuid-01", "ruimte", "dan bel ik zelf de woningcorporatie"),
    ("interview-zuid-01", "ruimte", "Ik kies zelf of iemand naar een werkgever gaat of eerst naar een taaltraject."),
    ("Interview_Zuid_02", "logic.bureaucratic", "Volgens het handboek moet ik dan een maatregel overwegen."),
    ("Interview_Zuid_02", "logic.professional.care", "dan praten we over hulp in plaats van over korten"),
    ("Zdw03", "logic.professional.care", "Eén regel voor iedereen werkt niet."),
    ("Zdw03", "logic.professional.care", "Al moet ik het natuurlijk wel kunnen uitleggen aan de controleur."),
    ("Zdw03", "ruimte", "Eén regel voor iedereen werkt niet."),
    ("Zdw03", "ruimte", "Al moet ik het natuurlijk wel kunnen uitleggen aan de controleur."),
])
MAP = {"Interview Zuid 03 (maatwerk)": "Zdw03"}


def _placed(project: Project) -> list[tuple[str, str, str]]:
    return sorted((r["transcript"], r["code"], r["text"]) for r in project.coding_rows(coders=["anna"]))


@pytest.mark.parametrize("name", ["highlights.csv", "highlights.xlsx"])
def test_taguette_highlights_are_placed(zuid: Project, name: str) -> None:
    report = import_highlights(zuid, TAGUETTE / name, coder="anna", documents=MAP)
    assert report.problems == []
    assert (report.rows, report.highlights, report.imported, report.present) == (8, 8, 10, 0)
    assert _placed(zuid) == EXPECTED
    # each coding lies in one respondent turn: the fragment it names
    for r in zuid.coding_rows(coders=["anna"]):
        frag = zuid.store.fragment(r["fragment"])
        assert frag["start"] <= r["start"] < r["end"] <= frag["end"] and not frag["is_interviewer"]
        assert r["origin"] == "import"
    # one run: importing again adds nothing, undo removes everything
    again = import_highlights(zuid, TAGUETTE / name, coder="anna", documents=MAP)
    assert (again.run_id, again.imported, again.present) == (None, 0, 10)
    zuid.undo(report.run_id)
    assert zuid.coding_rows(coders=["anna"]) == []


def test_highlights_not_found_are_reported_and_exit_1(zuid: Project, tmp_path: Path) -> None:
    export = tmp_path / "all_tags.csv"
    export.write_bytes(textwrap.dedent("""\
        id,document,tag,content
        1,Interview Zuid 01,logic.bureaucratic,Dat staat allemaal in de checklist en daar wijk ik niet van af.
        2,Interview Zuid 01,ruimte,Deze zin staat nergens.
        3,Interview Zuid 09,ruimte,Dat staat allemaal in de checklist
        4,Interview Zuid 01,bestaat.niet,Dat staat allemaal in de checklist
        5,Interview Zuid 02,logic/professional,"dan bel ik, of niet"
        6,Interview Zuid 01,ruimte,R
        7,Interview Zuid 02,,Volgens het handboek
        8,Interview Zuid 01,logic,Ik kies zelf
        """).replace("\n", "\r\n").encode("utf-8"))
    root = zuid.root
    zuid.close()
    res = cli("-p", str(root), "import", "highlights", str(export), "--format", "taguette", "--coder", "anna",
              "--json")
    assert res.exit_code == 1, res.output
    import json

    report = json.loads(res.stdout)
    problems = {p["line"]: p["problem"] for p in report["problems"]}
    assert problems == {
        3: "its text is not in transcript interview-zuid-01",
        4: "document 'Interview Zuid 09' matches no transcript; its text is in transcript interview-zuid-01: add "
           "--map 'Interview Zuid 09=interview-zuid-01'",
        5: "tag 'bestaat.niet' is not a code in the codebook (as 'bestaat.niet'); import Taguette's codebook first "
           "(`qualcode codebook import codebook.qdc`)",
        6: "its text is not in transcript Interview_Zuid_02",
        7: "its text occurs 3 times in transcript interview-zuid-01 (turns interview-zuid-01:2, "
           "interview-zuid-01:4, interview-zuid-01:6); code it by hand",  # the three labels 'R:
        8: "the highlight has no tag",
        9: "code 'logic' (tag 'logic') is not codable",
    }
    assert (report["imported"], report["rows"]) == (1, 8)
    assert "7 of 8 row(s) not imported" in res.output
    with Project.open(root) as p:
        assert [r["kind"] for r in p.run_rows()][-1] == "import" and len(p.coding_rows(coders=["anna"])) == 1


def test_white_space_and_crlf_do_not_matter(tmp_path: Path) -> None:
    """Taguette joins HTML text nodes with a space ("<b>klant</b>," -> "klant ,") and turns a
    paragraph break into a space; the transcript here has CRLF line ends and a turn over two lines."""
    root = tmp_path / "p"
    Project.init(root).close()
    (root / "transcripts" / "gesprek.txt").write_bytes(
        b"I: En dan?\r\nR: Dan kijk ik   naar de klant,\r\n   niet naar het formulier.\r\n")
    project = Project.open(root)
    project.ingest([root / "transcripts"])
    export = tmp_path / "h.csv"
    export.write_text("id,document,tag,content\n1,gesprek,logic.professional,"
                      "\"kijk ik naar de klant , niet naar het formulier\"\n", encoding="utf-8")
    report = import_highlights(project, export, coder="anna")
    assert report.problems == [] and report.imported == 1
    assert project.coding_rows(coders=["anna"])[0]["text"] == "kijk ik   naar de klant,\nniet naar het formulier"
    project.close()


def test_a_highlights_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("document,content\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"h.csv:1: not a Taguette highlights export: no column 'id', 'tag'"):
        read_highlights(bad)


def test_map_must_name_known_transcripts(zuid: Project) -> None:
    with pytest.raises(InputError, match="--map names transcript"):
        import_highlights(zuid, TAGUETTE / "highlights.csv", coder="anna", documents={"x": "Nergens"})
    assert zuid.run_rows()[-1]["kind"] == "ingest"
