"""``qualcode export quotes``, ``qualcode matrix`` and ``qualcode cooccur`` end to end (CliRunner).

The library calls are tested with exact values in test_quotes.py and test_matrix.py; these tests
check that the commands pass the options through, write every format and refuse bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_quotes import build_coded_project
from typer.testing import CliRunner

from qualcode.cli import get_app

runner = CliRunner()
app = get_app()


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "tables"
    build_coded_project(root).close()
    return root


def run(root: Path, *args: str):
    return runner.invoke(app, ["--project", str(root), *args], catch_exceptions=False)


# -- export quotes ----------------------------------------------------------------------------
def test_export_quotes_json(root):
    r = run(root, "export", "quotes", "--code", "logic.market", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data == [
        {"code": "logic.market", "code_label": "Markt", "quote": "Die targets vind ik onzin",
         "citation": "(A01_r1, Team A)", "case": "A01_r1", "fragment": "A01_g1:5", "stance": "rejects",
         "coder": "anna", "gemeente": "Amstel", "team": "Team A"},
        {"code": "logic.market", "code_label": "Markt", "quote": "De targets halen we nooit",
         "citation": "(B01_r1, Team C)", "case": "B01_r1", "fragment": "B01_r1:4", "stance": None,
         "coder": "anna", "gemeente": "Berg", "team": "Team C"},
    ]


def test_export_quotes_options_pass_through(root):
    r = run(root, "export", "quotes", "--code", "logic.professional.client", "--max-words", "6", "--coder", "anna",
            "--case-attr", "gemeente", "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "code,code_label,quote,citation,case,fragment,stance,coder,gemeente"
    assert lines[1] == ("logic.professional.client,Klantgericht,Ik kijk per (...) maatwerk van ons.,"
                        '"(A01_r2, Team A)",A01_r2,A01_g1:3,,anna,Amstel')
    r = run(root, "export", "quotes", "--code", "logic.professional.judgement", "--context", "--format", "md")
    assert r.exit_code == 0, r.output
    assert "**Oordeel (logic.professional.judgement)**" in r.stdout
    assert "| Ik kijk per klant wat past, want **elke klant is anders** en dat vraagt maatwerk van ons. |" in r.stdout
    r = run(root, "export", "quotes", "--code", "discretion", "--by", "case", "--format", "tex")
    assert r.exit_code == 0, r.output
    assert "\\toprule" in r.stdout and "\\caption{A01\\_r2 (Amstel, Team A)}" in r.stdout
    r = run(root, "export", "quotes", "--code", "logic.market,discretion.coping", "--format", "json")
    assert [q["code"] for q in json.loads(r.stdout)] == ["logic.market", "logic.market", "discretion.coping"]


def test_export_quotes_xlsx_default_out_one_sheet_per_family(root):
    from openpyxl import load_workbook

    r = run(root, "export", "quotes", "--format", "xlsx")
    assert r.exit_code == 0, r.output
    path = root / "exports" / "quotes.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["logic", "discretion"]
    ws = wb["logic"]
    assert ws.max_row == 9
    assert [c.value for c in ws[2]][:8] == ["logic.bureaucratic", "Bureaucratisch",
                                            "De wet zegt dat ik moet controleren", "(A01_r1, Team A)", "A01_r1",
                                            "A01_g1:2", "describes", "anna, bram"]


def test_export_quotes_docx_by_case(root, tmp_path):
    import docx

    out = tmp_path / "citaten.docx"
    r = run(root, "export", "quotes", "--by", "case", "--out", str(out))
    assert r.exit_code == 0, r.output
    d = docx.Document(str(out))
    assert len(d.tables) == 4
    assert [p.text for p in d.paragraphs if p.text] == ["A01_r1 (Amstel, Team A)", "A01_r2 (Amstel, Team A)",
                                                        "A02_r1 (Amstel, Team B)", "B01_r1 (Berg, Team C)"]
    assert [c.text for c in d.tables[0].rows[0].cells] == ["code", "code_label", "quote", "fragment", "stance",
                                                           "coder"]
    assert [c.text for c in d.tables[0].rows[2].cells] == ["logic.market", "Markt", "Die targets vind ik onzin",
                                                           "A01_g1:5", "rejects", "anna"]


def test_export_quotes_table_and_bad_input(root):
    r = run(root, "export", "quotes", "--code", "logic.market")
    assert r.exit_code == 0 and "Die targets vind ik onzin" in r.stdout
    for args in (["--code", "logics"], ["--coder", "carla"], ["--by", "team"], ["--max-words", "0"],
                 ["--case-attr", "teem"]):
        r = run(root, "export", "quotes", *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output


# -- matrix and cooccur -----------------------------------------------------------------------
def test_matrix_json_by_gemeente_and_team(root):
    r = run(root, "matrix", "--rows", "gemeente,team", "--cols", "logic", "--depth", "1", "--coder", "anna",
            "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == [
        {"gemeente": "Amstel", "team": "Team A", "logic.bureaucratic": 1, "logic.professional": 2, "logic.market": 1,
         "Totaal": 4},
        {"gemeente": "Amstel", "team": "Team B", "logic.bureaucratic": 1, "logic.professional": 1, "logic.market": 0,
         "Totaal": 2},
        {"gemeente": "Berg", "team": "Team C", "logic.bureaucratic": 0, "logic.professional": 1, "logic.market": 1,
         "Totaal": 2},
        {"gemeente": "Totaal", "team": "", "logic.bureaucratic": 2, "logic.professional": 4, "logic.market": 2,
         "Totaal": 8},
    ]


def test_matrix_normalized_md_and_plot(root, tmp_path):
    png = tmp_path / "m.png"
    r = run(root, "matrix", "--cols", "logic", "--depth", "1", "--normalize", "row", "--format", "md",
            "--plot", str(png))
    assert r.exit_code == 0, r.output
    assert "| A01_r1 | 66.7 | 0 | 33.3 | 100 |" in r.stdout
    assert "| Totaal | 33.3 | 44.4 | 22.2 | 100 |" in r.stdout
    assert "% van het rijtotaal" in r.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_matrix_xlsx_docx_and_terminal(root, tmp_path):
    import docx
    from openpyxl import load_workbook

    r = run(root, "matrix", "--count", "cases", "--rows", "gemeente", "--depth", "1", "--out", str(tmp_path / "m.xlsx"))
    assert r.exit_code == 0, r.output
    ws = load_workbook(tmp_path / "m.xlsx")["Matrix"]
    assert [c.value for c in ws[1]] == ["gemeente", "logic.bureaucratic", "logic.professional", "logic.market",
                                        "Totaal"]
    assert [c.value for c in ws[2]] == ["Amstel", 2, 2, 1, 3]
    assert [c.value for c in ws[4]] == ["Totaal", 2, 3, 2, 4]
    r = run(root, "matrix", "--depth", "1", "--labels", "--format", "docx", "--out", str(tmp_path / "m.docx"))
    assert r.exit_code == 0, r.output
    table = docx.Document(str(tmp_path / "m.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["case", "Bureaucratisch", "Professioneel", "Markt", "Totaal"]
    assert [c.text for c in table.rows[5].cells] == ["Totaal", "3", "4", "2", "9"]
    r = run(root, "matrix", "--count", "words")
    assert r.exit_code == 0 and "Totaal" in r.stdout and "woorden" in r.stdout


def test_matrix_bad_input(root, tmp_path):
    for args in (["--rows", "teem"], ["--cols", "logics"], ["--coder", "carla"], ["--count", "turns"],
                 ["--depth", "0"], ["--plot", str(tmp_path / "m.gif")], ["--format", "xlsx"]):
        r = run(root, "matrix", *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output
    assert not (tmp_path / "m.gif").exists()


def test_cooccur_json_and_svg_plot(root, tmp_path):
    svg = tmp_path / "c.svg"
    r = run(root, "cooccur", "--codes", "logic", "--depth", "1", "--format", "json", "--plot", str(svg))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == [
        {"code": "logic.bureaucratic", "logic.bureaucratic": 2, "logic.professional": 0, "logic.market": 0},
        {"code": "logic.professional", "logic.bureaucratic": 0, "logic.professional": 3, "logic.market": 0},
        {"code": "logic.market", "logic.bureaucratic": 0, "logic.professional": 0, "logic.market": 2},
    ]
    assert "<svg" in svg.read_text(encoding="utf-8")
    r = run(root, "cooccur", "--codes", "", "--depth", "1", "--unit", "case", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["code,logic,discretion", "logic,4,2", "discretion,2,2"]
    r = run(root, "cooccur", "--unit", "sentence")
    assert r.exit_code == 2
