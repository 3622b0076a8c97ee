"""Table writers: every format holds the cells, XLSX/DOCX open with their libraries."""

from __future__ import annotations

import json

import pytest

from qualcode.errors import InputError
from qualcode.export.table import Table
from qualcode.export.write import format_for, render_text, write_tables


@pytest.fixture
def table():
    return Table(
        ["code", "quote", "n"],
        [["logic.market", "die **targets** vind ik onzin & zo", 3], ["logic.professional", "per klant | anders", 5]],
        title="Citaten",
        notes=["Bron: voorbeeldproject"],
    )


def test_markdown(table):
    md = render_text([table], "md")
    assert "| code | quote | n |" in md
    assert "| logic.professional | per klant \\| anders | 5 |" in md
    assert "*Bron: voorbeeldproject*" in md


def test_latex_booktabs_escaping_and_bold(table):
    tex = render_text([table], "tex")
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    assert r"logic.market & die \textbf{targets} vind ik onzin \& zo & 3 \\" in tex
    assert "\\caption{Citaten}" in tex


def test_csv_and_json(table):
    csv_text = render_text([table], "csv")
    assert csv_text.splitlines()[1] == "logic.market,die targets vind ik onzin & zo,3"
    data = json.loads(render_text([table], "json"))
    assert data[1] == {"code": "logic.professional", "quote": "per klant | anders", "n": 5}


def test_xlsx_opens_with_openpyxl(tmp_path, table):
    from openpyxl import load_workbook

    other = Table(["a"], [[1]], title="Tweede/tabel")
    path = write_tables([table, other], tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Citaten", "Tweede-tabel"]
    ws = wb["Citaten"]
    assert [c.value for c in ws[1]] == ["code", "quote", "n"]
    assert ws["B2"].value == "die targets vind ik onzin & zo" and ws["C3"].value == 5
    assert ws["A1"].font.bold


def test_docx_is_a_real_word_table(tmp_path, table):
    import docx

    path = write_tables([table], tmp_path / "t.docx")
    d = docx.Document(str(path))
    t = d.tables[0]
    assert [c.text for c in t.rows[0].cells] == ["code", "quote", "n"]
    assert t.rows[1].cells[1].text == "die targets vind ik onzin & zo"
    bold = [r.text for r in t.rows[1].cells[1].paragraphs[0].runs if r.bold]
    assert bold == ["targets"]


def test_format_from_extension():
    from pathlib import Path

    assert format_for(Path("x.tex")) == "tex"
    with pytest.raises(InputError, match="cannot tell the format"):
        format_for(Path("x.pdf"))
