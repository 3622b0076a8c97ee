"""``qualcode typology`` and ``qualcode table NAME`` end to end with Typer's runner, on the fixture
study of test_typology.py (A01_r5 gets the manual type regisseur through ``cases set``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_typology import build_study
from typer.testing import CliRunner

from qualcode.cli import get_app

runner = CliRunner()
app = get_app()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    project, _ = build_study(tmp_path_factory.mktemp("cli") / "study")
    path = project.root
    project.close()
    r = runner.invoke(app, ["-p", str(path), "cases", "set", "A01_r5", "qualcode.type=regisseur"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return path


def run(root: Path, *args: str):
    return runner.invoke(app, ["-p", str(root), *args], catch_exceptions=False)


def test_typology_json(root):
    r = run(root, "typology", "--coder", "ann", "--format", "json")
    assert r.exit_code == 0, r.output
    data = {d["case"]: d for d in json.loads(r.stdout)}
    assert len(data) == 13
    assert data["A01_r1"] == {
        "case": "A01_r1", "type": "interventionist",
        "scores": {"interventionist": 3.0, "regisseur": 0.0, "administrateur": -1.0},
        "evidence": ["A01_g1:2", "A01_g1:6"], "contradicting": [], "manual": False,
        # format 1 (no `format:` key): every coding weighs 1, no minimum of supporting fragments
        "reason": "interventionist 3 leads regisseur 0 by 3; 2 supporting fragments", "kind": "assigned",
        "candidate": "interventionist", "supporting": 2, "needed": 0,
        "for": [{"fragment": "A01_g1:2", "weight": 2.0, "codes": ["variant.coach"]},
                {"fragment": "A01_g1:6", "weight": 1.0, "codes": ["discretion.client_differentiation"]}],
        "against": [],
    }
    assert (data["A01_r5"]["type"], data["A01_r5"]["manual"]) == ("regisseur", True)
    assert data["C04_r2"]["type"] == "unclassified"


def test_typology_file_argument_and_level(root):
    r = run(root, "typology", str(root / "codebooks" / "typ.yaml"), "--coder", "ann", "--level", "team",
            "--table", "distribution", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = [[d["type"], d["team"], d["respondents"], d["n"]] for d in json.loads(r.stdout)]
    assert rows == [
        ["Interventionist", "Team A", "A01_r1 t/m r3", 3],
        ["Interventionist", "Team D", "D05_r1 t/m r2", 2],
        ["Regisseur", "Team A", "A01_r5", 1],
        ["Regisseur", "Team B", "B02_r1 t/m r2; B03_r1; Bgast", 4],
        ["Administrateur", "Team C", "C04_r1 t/m r3", 3],
    ]


def test_typology_profile_markdown(root):
    r = run(root, "typology", "--coder", "ann", "--table", "profile", "--counts", "--format", "md")
    assert r.exit_code == 0, r.output
    assert "| Focus | professional (7:2) | mixed (3:2) | – |" in r.stdout
    assert "| Beslisruimte | professional inference (1:0) | coping (rule bending, rationing) (2:0) |" in r.stdout


def test_typology_terminal_table(root):
    r = run(root, "typology", "--coder", "ann")
    assert r.exit_code == 0, r.output
    assert "A01_r5" in r.stdout and "manual" in r.stdout and "Interventionist" in r.stdout


def test_typology_all_tables_to_xlsx(root, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "typologie.xlsx"
    r = run(root, "typology", "--coder", "ann", "--table", "all", "--out", str(out))
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["assignment", "distribution", "profile", "appendix"]
    ws = wb["assignment"]
    assert [c.value for c in ws[1]] == ["case", "type", "scores", "evidence", "contradicting", "manual", "reason",
                                        "for", "against"]
    assert [c.value for c in ws[2]] == ["A01_r1", "Interventionist", "interventionist 3, regisseur 0, administrateur -1",
                                        "A01_g1:2, A01_g1:6", None, None,
                                        "interventionist 3 leads regisseur 0 by 3; 2 supporting fragments",
                                        "A01_g1:2 (2), A01_g1:6 (1)", None]
    dist = wb["distribution"]
    # xlsx keeps every value (no blanked group cells), so a sheet can be filtered
    assert [c.value for c in dist[3]] == ["Interventionist", "Cdorp", "Team D", "D05_r1 t/m r2", 2, None]
    assert [c.value for c in wb["profile"][2]][:2] == ["Focus", "professional"]
    assert wb["appendix"]["D2"].value == "Antwoord 0 van A01_r1: ik coach zelf mijn klanten elke week."


def test_appendix_docx_has_bold_runs(root, tmp_path):
    import docx

    out = tmp_path / "verantwoording.docx"
    r = run(root, "table", "appendix", "--coder", "ann", "--out", str(out))
    assert r.exit_code == 0, r.output
    table = docx.Document(str(out)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["type", "team", "feature", "quote", "citation", "fragment",
                                                     "weight"]
    quote = table.rows[1].cells[3].paragraphs[0]
    assert [(run.text, bool(run.bold)) for run in quote.runs] == [
        ("Antwoord 0 van A01_r1: ", False), ("ik coach zelf", True), (" mijn klanten elke week.", False)]
    assert table.rows[2].cells[0].text == ""  # the type is printed once per group in Word


def test_table_context_json_and_features(root):
    r = run(root, "table", "context", "--attr", "caseload", "--coder", "ann", "--format", "json")
    assert r.exit_code == 0, r.output
    assert [[d["team"], d["caseload"], d["type mean"]] for d in json.loads(r.stdout)][:2] == [
        ["Team A", 55, 80], ["Team D", 105, 80]]
    r = run(root, "table", "context", "--attr", "caseload", "--features", "specialisatie", "--coder", "ann",
            "--format", "json")
    data = json.loads(r.stdout)
    assert set(data) == {"caseload", "features"}
    assert [d["specialisatie"] for d in data["features"]] == ["Deels", "Ja", "Nee"]


def test_table_dimensions_csv_with_words(root):
    r = run(root, "table", "dimensions", "--coder", "ann", "--words",
            "alle=1.0,de meeste=0.5,sommigen=0.2,een enkeling=0", "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "dimension,Bureaucratisch,Professioneel,Markt"
    assert lines[2] == 'Sturing,–,–,"sommigen (3; endorses 2, rejects 1)"'


def test_table_aspects_docx(root, tmp_path):
    import docx

    out = tmp_path / "aspecten.docx"
    r = run(root, "table", "aspects", "--group-attr", "groep", "--coder", "ann", "--out", str(out))
    assert r.exit_code == 0, r.output
    d = docx.Document(str(out))
    t = d.tables[0]
    assert [c.text for c in t.rows[0].cells] == ["aspect", "client reps (n=2)", "managers (n=1)",
                                                 "practitioners (n=10)"]
    assert [c.text for c in t.rows[3].cells] == ["Samenwerken", "niet genoemd", "niet genoemd", "niet genoemd"]
    assert any("more than 3x" in p.text for p in d.paragraphs)


def test_table_overview_respondents_strategies(root):
    r = run(root, "table", "overview", "--format", "json")
    assert json.loads(r.stdout)[-1] == {"gemeente": "total", "team": "", "group interviews": 1,
                                        "individual interviews": 10, "respondents": 13}
    r = run(root, "table", "respondents", "--format", "json")
    assert json.loads(r.stdout)[-1] == {"gemeente": "total", "functie": "", "kansrijk": 6, "midden": 7,
                                        "respondents": 13}
    r = run(root, "table", "strategies", "--coder", "ann", "--format", "json")
    assert [(d["type"], d["classification"]) for d in json.loads(r.stdout)] == [
        ("Interventionist", "professional inference"), ("Regisseur", "rule bending"), ("Regisseur", "rationing"),
        ("Administrateur", "rule bending")]
    r = run(root, "table", "profile", "--coder", "ann", "--format", "tex")
    assert r.exit_code == 0 and "\\toprule" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["typology", "--coder", "ann", "--level", "afdeling"], "no case has the attribute 'afdeling'"),
        (["typology", "--coder", "bob"], "coder 'bob' has no codings"),
        (["typology", "missing.yaml", "--coder", "ann"], "typology file not found"),
        (["typology", "--coder", "ann", "--format", "xlsx"], "add --out FILE.xlsx"),
        (["table", "context", "--coder", "ann"], "name --attr"),
        (["table", "dimensions", "--coder", "ann", "--words", "veel"], "not WORD=THRESHOLD"),
    ],
)
def test_bad_input_exits_2(root, args, message):
    r = run(root, *args)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output


def test_manual_type_must_be_a_type(tmp_path):
    project, _ = build_study(tmp_path / "study")
    path = project.root
    project.close()
    assert run(path, "cases", "set", "C04_r3", "qualcode.type=regiseur").exit_code == 0
    r = run(path, "typology", "--coder", "ann")
    assert r.exit_code == 2
    assert "C04_r3: qualcode.type='regiseur' is not a type" in r.output
