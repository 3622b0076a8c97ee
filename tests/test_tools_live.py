"""Issue 14, item 15: every exchange format against files the other tool writes (and reads) itself.

The optional group (marker ``tools``): it runs the tools that ``make tools-env`` installs in
side environments under ``.tools-venv/`` (never in qualcode's own ``.venv``):

- qc (PyPI ``qualitative-coding`` 1.7.8) codes a corpus and writes a QDPX; qualcode imports it.
  qc also imports qualcode's QDPX.
- Taguette 1.5.2, run as its own web server, makes a project and writes its codebook (QDC and
  CSV) and highlights (CSV and XLSX); qualcode reads them. It also imports the codebook CSV
  qualcode writes.
- pyrefiqda 0.3.1, a REFI-QDA parser written by others, reads qualcode's QDPX: sources,
  codes, codings, the exact text of every coding and what each case owns.

Without the side environment each test is skipped and says how to get it; the checked-in
files those tools wrote (tests/data/tools, used by test_qdpx_tools.py and test_taguette.py)
are tested always.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import textwrap
from pathlib import Path

import pytest

from qualcode.project import Project
from qualcode.refi.qdc import code_guid, import_qdc
from qualcode.refi.qdpx_import import import_qdpx
from qualcode.refi.qdpx_write import export_qdpx, turn_selection_guid, user_guid
from qualcode.refi.taguette import import_highlights, read_codebook_csv, taguette_codebook_csv

pytestmark = pytest.mark.tools

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools-venv"
HELPERS = Path(__file__).parent / "tools"


def tool(name: str, exe: str = "python") -> Path:
    """The executable ``exe`` of the side environment ``name``, or skip the test saying why."""
    path = TOOLS / name / "bin" / exe
    if not path.exists():
        pytest.skip(f"{name} is not installed in {TOOLS / name}: run `make tools-env` to test against it")
    return path


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                         env={**os.environ, **(env or {})})
    assert res.returncode == 0, f"{cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res.stdout


# --------------------------------------------------------------------------------------
# qc
# --------------------------------------------------------------------------------------

KMZ = {
    "kmz11.txt": "I: Waar gaat een eerste gesprek over?\n"
                 "R: Over werk, maar eerst over schulden. Zonder dak boven je hoofd kom je niet aan re-integratie toe.\n"
                 "I: En de regels?\n"
                 "R: Elke afwijking leg ik vast, anders komt de controleur erop terug.\n"
                 "I: Altijd?\n"
                 "R: Toch zoek ik ruimte. Wie echt zijn best doet, help ik binnen de regels verder.\n",
    "kmz12.txt": "I: Wat vindt u belangrijk?\n"
                 "R: Dat ik iemand leer kennen; het dossier vertelt maar de helft, zeker bij financiële zorgen.\n"
                 "I: Botst dat weleens?\n"
                 "R: Mijn teamleider stuurt op uitstroomcijfers. Dat wringt met wat ik verantwoord vind.\n",
}
QC_CODEBOOK = "- logica:\n  - bureaucratisch\n  - professioneel:\n    - klant_kennen\n- handelingsruimte:\n  - zoeken\n"
# (coder, file, {0-based line: codes}) and what each coding must become in qualcode
QC_PLANS = [
    ("onderzoeker1", "kmz11.txt", {1: "professioneel", 3: "bureaucratisch", 5: "zoeken, professioneel"}),
    ("onderzoeker1", "kmz12.txt", {1: "klant_kennen", 3: "bureaucratisch, professioneel"}),
    ("onderzoeker2", "kmz11.txt", {3: "bureaucratisch", 5: "zoeken"}),
]
CODE_IDS = {"professioneel": "logica.professioneel", "bureaucratisch": "logica.bureaucratisch",
            "klant_kennen": "logica.professioneel.klant_kennen", "zoeken": "handelingsruimte.zoeken"}


def test_qc_writes_qdpx_that_qualcode_imports(tmp_path: Path, project: Project) -> None:
    qc = tool("qc", "qc")
    work = tmp_path / "qcproj"
    work.mkdir()
    run([str(qc), "init"], work)
    for name, text in KMZ.items():
        (work / name).write_text(text, encoding="utf-8")
        run([str(qc), "corpus", "import", "-i", "verbatim", name], work)
    (work / "codebook.yaml").write_text(QC_CODEBOOK, encoding="utf-8")
    settings = (work / "settings.yaml").read_text(encoding="utf-8").replace("editor: code", "editor: scripted")
    command = f'{tool("qc")} {HELPERS / "qc_editor.py"} "{{corpus_file_path}}" "{{codes_file_path}}"'
    settings += ("editors:\n  scripted:\n    name: Scripted\n"
                 f"    code_command: '{command}'\n    memo_command: 'true \"{{memo_file_path}}\"'\n")
    (work / "settings.yaml").write_text(settings, encoding="utf-8")
    for coder, name, plan in QC_PLANS:
        run([str(qc), "code", coder, "-p", name], work, {"QC_PLAN": json.dumps({str(k): v for k, v in plan.items()})})
    run([str(qc), "codebook"], work)
    run([str(qc), "export", "qc.qdpx"], work)

    report = import_qdpx(project, work / "qc.qdpx")
    assert (report.missing, sorted(report.transcripts)) == ([], ["kmz11", "kmz12"])
    expected = sorted(
        (coder, CODE_IDS[code.strip()], name.removesuffix(".txt"), KMZ[name].split("\n")[line].removeprefix("R: "))
        for coder, name, plan in QC_PLANS for line, codes in plan.items() for code in codes.split(","))
    got = sorted((r["coder"], r["code"], r["transcript"], r["text"]) for r in project.coding_rows())
    assert got == expected
    assert report.codings == len(expected) == 9


def test_qc_imports_qualcodes_qdpx(tmp_path: Path, ingested: Project) -> None:
    qc = tool("qc", "qc")
    ingested.code("T01_g1:2", ["logic.bureaucratic"], coder="anna")
    ingested.code("T02_r1:2", ["logic.professional"], coder="bram")
    export_qdpx(ingested, tmp_path / "ours.qdpx")
    work = tmp_path / "qcread"
    work.mkdir()
    # qc 1.7.8's reader stops at a leftover breakpoint(); PYTHONBREAKPOINT=0 skips it (tools README)
    run([str(qc), "init", "-i", str(tmp_path / "ours.qdpx")], work, {"PYTHONBREAKPOINT": "0"})
    db = sqlite3.connect(work / "qualitative_coding.sqlite3")  # what qc stored, read from its database
    try:
        documents = {r[0] for r in db.execute("SELECT file_path FROM document")}
        coders = {r[0] for r in db.execute("SELECT name FROM coder")}
        coded = set(db.execute(
            "SELECT di.document_id, cl.line, cl.coder_id, cl.code_id FROM coded_line cl "
            "JOIN coded_line_location_association a ON a.coded_line_id = cl.id JOIN location l ON l.id = a.location_id "
            "JOIN document_index di ON di.id = l.document_index_id").fetchall())
    finally:
        db.close()
    assert documents == {"T01_g1.txt", "T02_r1.txt"} and coders == {"anna", "bram"}
    cb = ingested.codebook()
    # qc codes lines, under the code's name (our label). Which line: qc 1.7.8's reader puts every
    # selection not named "line:N" (its own naming) on line 0 (refi_qda/reader.py,
    # get_line_for_position); that is qc's to fix, so only document, coder and code are compared.
    assert {(doc, coder, code) for doc, _line, coder, code in coded} == {
        (f"{r['transcript']}.txt", r["coder"], cb.codes[r["code"]].label.nl) for r in ingested.coding_rows()}


# --------------------------------------------------------------------------------------
# Taguette
# --------------------------------------------------------------------------------------

def _html(text: str) -> str:
    """A transcript as the HTML document a Taguette user uploads: one paragraph per turn."""
    paras = "".join(f"<p>{line}</p>" for line in text.strip().split("\n"))
    return f'<html><head><meta charset="utf-8"><title>x</title></head><body>{paras}</body></html>'


ZW = {
    "Zuidwoude 07": "I: Hoe gaat u om met een aanvraag?\n"
                    "R: Dat staat in de <b>checklist</b>, en daar wijk ik niet van af.\n"
                    "I: En als het om een noodgeval gaat?\n"
                    "R: Dan bel ik zelf de woningcorporatie, dat scheelt weken.\n",
    "Zuidwoude 08 (maatwerk)": "I: Is elke klant hetzelfde?\n"
                               "R: Nee. Eén regel voor iedereen werkt niet.\n"
                               "R: Al moet ik het wel kunnen uitleggen aan de controleur.\n",
}
TAGS = [{"path": "logic.bureaucratic", "description": "Regels, procedures, vastleggen"},
        {"path": "logic/professional", "description": "Eigen professioneel oordeel"},
        {"path": "logic/professional/care", "description": "Zorg en hulp boven sanctie"},
        {"path": "ruimte", "description": "Handelingsruimte, discretie"}]
HIGHLIGHTS = [
    {"document": "Zuidwoude 07", "start": "Dat staat", "end": "niet van af.", "tags": ["logic.bureaucratic"]},
    {"document": "Zuidwoude 07", "start": "Dan bel ik", "end": "woningcorporatie", "tags": ["logic/professional",
                                                                                           "ruimte"]},
    {"document": "Zuidwoude 08 (maatwerk)", "start": "Eén regel", "end": "de controleur.",
     "tags": ["logic/professional/care"]},
]
# what the highlights become in qualcode: the text of the turns, label and HTML left out; the
# highlight over two paragraphs gives one coding per turn
ZW_EXPECTED = sorted([
    ("Zw07", "logic.bureaucratic", "Dat staat in de checklist, en daar wijk ik niet van af."),
    ("Zw07", "logic.professional", "Dan bel ik zelf de woningcorporatie"),
    ("Zw07", "ruimte", "Dan bel ik zelf de woningcorporatie"),
    ("Zw08", "logic.professional.care", "Eén regel voor iedereen werkt niet."),
    ("Zw08", "logic.professional.care", "Al moet ik het wel kunnen uitleggen aan de controleur."),
])


@pytest.fixture(scope="module")
def taguette_files(tmp_path_factory) -> Path:
    """Taguette's own exports of a project made through its web API, plus its codebook after it
    imported the codebook CSV qualcode writes for the bundled codebook."""
    python = tool("taguette")
    base = tmp_path_factory.mktemp("taguette")
    from qualcode.codebook import load_codebook

    ours = base / "ours.csv"
    ours.write_bytes(taguette_codebook_csv(load_codebook(REPO / "codebooks" / "klantmanager.yaml")))
    spec = {"tags": TAGS, "documents": [{"name": n, "html": _html(t)} for n, t in ZW.items()],
            "highlights": HIGHLIGHTS, "codebook_csv": str(ours)}
    (base / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    run([str(python), str(HELPERS / "taguette_driver.py"), str(base / "spec.json"), str(base / "out")], base)
    return base / "out"


TREE = [("logic", None, False), ("logic.bureaucratic", "logic", True), ("logic.professional", "logic", True),
        ("logic.professional.care", "logic.professional", True), ("ruimte", None, True)]


def test_taguette_codebooks_read_with_their_hierarchy(taguette_files: Path) -> None:
    for cb in (import_qdc(taguette_files / "codebook.qdc"), read_codebook_csv(taguette_files / "codebook.csv")):
        tree = [(c.id, c.parent, c.codable) for c in cb.codes.values()]
        assert [t for t in tree if t[0] != "interesting"] == TREE  # 'interesting': Taguette's default tag
    csv_cb = read_codebook_csv(taguette_files / "codebook.csv")
    assert csv_cb.codes["logic.professional.care"].definition == "Zorg en hulp boven sanctie"


@pytest.mark.parametrize("name", ["highlights.csv", "highlights.xlsx"])
def test_taguette_highlights_are_placed(taguette_files: Path, tmp_path: Path, name: str) -> None:
    root = tmp_path / "zw"
    Project.init(root).close()
    (root / "codebooks" / "taguette.yaml").write_text(
        textwrap.dedent("""\
            codebook: {id: taguette}
            codes:
              - id: logic
                label: {nl: logic, en: logic}
                codable: false
                children:
                  - {id: bureaucratic, label: {nl: b, en: b}, definition: Regels.}
                  - id: professional
                    label: {nl: p, en: p}
                    definition: Oordeel.
                    children:
                      - {id: care, label: {nl: c, en: c}, definition: Zorg.}
              - {id: ruimte, label: {nl: r, en: r}, definition: Ruimte.}
            """), encoding="utf-8")
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/taguette.yaml"))
    for tid, (_, text) in zip(("Zw07", "Zw08"), ZW.items()):
        (root / "transcripts" / f"{tid}.txt").write_text(text.replace("<b>", "").replace("</b>", ""),
                                                         encoding="utf-8")
    with Project.open(root) as project:
        project.ingest([root / "transcripts"])
        report = import_highlights(project, taguette_files / name, coder="anna",
                                   documents={"Zuidwoude 07": "Zw07", "Zuidwoude 08 (maatwerk)": "Zw08"})
        assert report.problems == [] and (report.rows, report.imported) == (4, 5)
        got = sorted((r["transcript"], r["code"], r["text"]) for r in project.coding_rows(coders=["anna"]))
    assert got == ZW_EXPECTED


def test_taguette_imports_the_codebook_csv_qualcode_writes(taguette_files: Path) -> None:
    from qualcode.codebook import load_codebook

    ours = load_codebook(REPO / "codebooks" / "klantmanager.yaml")
    back = read_codebook_csv(taguette_files / "imported-codebook.csv")  # Taguette's export after the import
    theirs = {c.id: c.definition for c in back.codes.values() if c.codable and c.id != "interesting"}
    assert theirs == {c.id: " ".join(c.definition.split()) for c in ours.codes.values() if c.codable}
    assert len(theirs) > 50 and any("ë" in d for d in theirs.values())  # accents survived Taguette's charset guess


# --------------------------------------------------------------------------------------
# a REFI-QDA parser written by others reads qualcode's QDPX
# --------------------------------------------------------------------------------------

def test_pyrefiqda_reads_qualcodes_qdpx(tmp_path: Path, ingested: Project) -> None:
    python = tool("pyrefiqda")
    p = ingested
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="anna", quote="de wet zegt dat ik moet controleren")
    p.code("T01_g1:3", ["logic.professional"], coder="bram")
    p.code("T02_r1:2", ["logic.bureaucratic", "discretion.coping"], coder="bram")
    export_qdpx(p, tmp_path / "ours.qdpx")
    out = run([str(python), str(HELPERS / "pyrefiqda_dump.py"), str(tmp_path / "ours.qdpx"), str(tmp_path / "x")],
              tmp_path)
    got = json.loads(out)
    assert got["users"] == {user_guid("anna"): "anna", user_guid("bram"): "bram"}
    cb = p.codebook()
    assert [(c["guid"], c["codable"]) for c in got["codes"]] == [(code_guid(c.id), c.codable)
                                                                  for c in cb.codes.values()]
    parents = {c["guid"]: c["parent"] for c in got["codes"]}
    assert all(parents[code_guid(c.id)] == (code_guid(c.parent) if c.parent else None) for c in cb.codes.values())
    by_name = {s["name"]: s for s in got["sources"]}
    assert set(by_name) == {"T01_g1", "T02_r1"}
    code_of = {code_guid(c): c for c in cb.codes}
    read = []
    for name, s in by_name.items():
        assert s["text"] == p.store.transcript_text(name)  # the exact text, read through pyrefiqda's paths
        for sel in s["selections"]:
            for c in sel["codings"]:
                read.append((got["users"][c["user"]], code_of[c["code"]], name, s["text"][sel["start"]:sel["end"]]))
    assert sorted(read) == sorted((r["coder"], r["code"], r["transcript"], r["text"]) for r in p.coding_rows())
    # item 13 through another parser: each group participant owns its own turns, an individual case its source
    selection_text = {sel["guid"]: s["text"][sel["start"]:sel["end"]] for s in got["sources"] for sel in s["selections"]}
    cases = {c["name"]: c for c in got["cases"]}
    turns = {f["id"]: f["text"] for f in p.transcript("T01_g1")["fragments"]}
    assert [selection_text[g] for g in cases["T01_r1"]["selections"]] == [turns["T01_g1:2"], turns["T01_g1:5"]]
    assert cases["T01_r1"]["selections"] == [turn_selection_guid("T01_g1:2"), turn_selection_guid("T01_g1:5")]
    assert cases["T01_r1"]["sources"] == [] and len(cases["T02_r1"]["sources"]) == 1
