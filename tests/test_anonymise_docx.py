"""Issue 14 item 5: ``anonymise --in-place`` on a .docx replaces inside runs and keeps each run's
formatting. Checked by reading the result back with python-docx, run by run."""

from __future__ import annotations

from pathlib import Path

import docx
from conftest import cli as run

from qualcode.anonymity.detect import SensitiveTerms
from qualcode.anonymity.files import anonymise_files
from qualcode.transcripts import read_transcript


def runs_of(paragraph) -> list[tuple[str, bool | None, bool | None]]:
    return [(r.text, r.bold, r.italic) for r in paragraph.runs]


def make_docx(path: Path) -> None:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Gesprek met mevrouw Jansen"
    p = document.add_paragraph()
    p.add_run("I:").bold = True
    p.add_run(" Hoe heet je collega?")
    p = document.add_paragraph()
    p.add_run("R:").bold = True
    p.add_run(" Dat is Jan")  # the name runs over three runs: "Jan" + "s" (italic) + "en"
    p.add_run("s").italic = True
    p.add_run("en, bel haar gerust op ")
    p.add_run("06-12345678").bold = True
    p.add_run(".")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "R"
    table.rows[0].cells[1].text = "Jansen weet het."
    document.save(str(path))


def test_replacing_inside_runs_keeps_each_runs_formatting(tmp_path: Path) -> None:
    path = tmp_path / "int.docx"
    make_docx(path)
    key = tmp_path / "sleutel.csv"
    [change] = anonymise_files([path], key, terms=SensitiveTerms(people=["Jansen"]), in_place=True)
    assert (change.replaced, change.kinds) == (4, {"person": 3, "phone": 1})
    document = docx.Document(str(path))
    assert runs_of(document.paragraphs[0]) == [("I:", True, None), (" Hoe heet je collega?", None, None)]
    # the bold label stays bold and the answer stays plain; the finding over three runs is in the first
    assert runs_of(document.paragraphs[1]) == [
        ("R:", True, None),
        (" Dat is [PERSOON-1]", None, None),
        ("", None, True),
        (", bel haar gerust op ", None, None),
        ("[TELEFOON-1]", True, None),
        (".", None, None),
    ]
    assert document.tables[0].rows[0].cells[1].text == "[PERSOON-1] weet het."
    assert document.sections[0].header.paragraphs[0].text == "Gesprek met mevrouw [PERSOON-1]"
    assert key.read_text(encoding="utf-8").splitlines() == [
        "kind,original,pseudonym", "phone,06-12345678,[TELEFOON-1]", "person,Jansen,[PERSOON-1]"]
    # the file still reads as the same transcript, bold labels and all
    parsed = read_transcript(path)
    assert parsed.layout == "word-bold"
    assert [t.text for t in parsed.turns][:2] == ["Hoe heet je collega?",
                                                   "Dat is [PERSOON-1], bel haar gerust op [TELEFOON-1]."]


def test_two_findings_in_one_run_and_a_space_kept_at_a_run_edge(tmp_path: Path) -> None:
    document = docx.Document()
    p = document.add_paragraph()
    p.add_run("R: ")
    p.add_run("Jansen en De Vries ").underline = True
    p.add_run("werken samen.")
    path = tmp_path / "t.docx"
    document.save(str(path))
    anonymise_files([path], tmp_path / "k.csv", terms=SensitiveTerms(people=["Jansen", "De Vries"]), in_place=True)
    paragraph = docx.Document(str(path)).paragraphs[0]
    assert [(r.text, r.underline) for r in paragraph.runs] == [
        ("R: ", None), ("[PERSOON-1] en [PERSOON-2] ", True), ("werken samen.", None)]


def test_anonymise_command_on_a_docx_in_place(project_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "int.docx"
    make_docx(path)
    toml = project_dir / "qualcode.toml"
    toml.write_text(toml.read_text().replace("people = []", 'people = ["Jansen"]'))
    r = run("-p", str(project_dir), "anonymise", str(path), "--key", str(tmp_path / "k.csv"), "--in-place")
    assert r.exit_code == 0, r.output
    assert runs_of(docx.Document(str(path)).paragraphs[1])[:2] == [("R:", True, None), (" Dat is [PERSOON-1]", None, None)]
    assert "Jansen" not in "".join(p.text for p in docx.Document(str(path)).paragraphs)
