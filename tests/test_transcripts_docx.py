"""Word (.docx) transcripts, built with python-docx inside each test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from qualcode.errors import InputError
from qualcode.transcripts import ParsedTranscript, read_transcript


def assert_offsets(parsed: ParsedTranscript) -> None:
    for turn in parsed.turns:
        assert parsed.text[turn.start : turn.end] == turn.text


def bold_paragraph(document, bold: str, rest: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(bold).bold = True
    paragraph.add_run(rest)


def test_plain_and_bold_labels_with_front_matter(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["---", "id: Adm12", "datum: 2011-03-01", "gemeente: Utrecht", "---"]:
        document.add_paragraph(line)
    document.add_paragraph("I: Hoe begint je dag?")
    bold_paragraph(document, "R1:", " [00:00:05] Met de agenda.")
    document.add_paragraph("Daarna komen de klanten.")
    bold_paragraph(document, "Klantmanager", " Bij ons is dat anders.")  # bold, no colon
    document.add_paragraph("")
    bold_paragraph(document, "I", ": Dank je.")
    path = tmp_path / "interview.docx"
    document.save(str(path))

    parsed = read_transcript(path)
    assert parsed.id == "Adm12"
    assert parsed.format == "docx"
    assert parsed.attributes == {"datum": date(2011, 3, 1), "gemeente": "Utrecht"}
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("I", "Hoe begint je dag?"),
        ("R1", "Met de agenda.\nDaarna komen de klanten."),
        ("Klantmanager", "Bij ons is dat anders."),
        ("I", "Dank je."),
    ]
    assert parsed.turns[1].meta == {"time_start": "00:00:05"}
    assert [t.line for t in parsed.turns] == [6, 7, 9, 11]  # paragraph numbers
    assert [t.is_interviewer for t in parsed.turns] == [True, False, False, True]
    assert_offsets(parsed)


def test_bold_emphasis_that_is_not_a_label_continues(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("R1: Eerst dit.")
    bold_paragraph(document, "Nee", ", dat doen we niet.")
    bold_paragraph(document, "Kijk:", " zo gaat dat.")
    path = tmp_path / "t.docx"
    document.save(str(path))
    parsed = read_transcript(path)
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("R1", "Eerst dit.\nNee, dat doen we niet.\nKijk: zo gaat dat."),
    ]


def test_two_column_table(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for speaker, text in [("Spreker", "Tekst"), ("I:", "Hoe gaat het?"), ("R1", "Goed."), ("", "Echt waar."),
                          ("interviewer (AB)", "Mooi.")]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = speaker, text
    path = tmp_path / "table.docx"
    document.save(str(path))

    parsed = read_transcript(path)
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("I", "Hoe gaat het?"),
        ("R1", "Goed.\nEcht waar."),
        ("interviewer (AB)", "Mooi."),
    ]
    assert [t.line for t in parsed.turns] == [2, 3, 5]
    assert_offsets(parsed)


def test_three_column_table_with_time(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=0, cols=3)
    for row in [("00:00:01", "I", "Vraag?"), ("[00:00:04]", "R1", "Antwoord.")]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    path = tmp_path / "t.docx"
    document.save(str(path))
    parsed = read_transcript(path)
    assert [(t.speaker, t.text, t.meta) for t in parsed.turns] == [
        ("I", "Vraag?", {"time_start": "00:00:01"}),
        ("R1", "Antwoord.", {"time_start": "00:00:04"}),
    ]


def test_table_with_wrong_column_count(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("I: Vraag?")
    table = document.add_table(rows=1, cols=4)
    table.rows[0].cells[0].text = "a"
    path = tmp_path / "t.docx"
    document.save(str(path))
    with pytest.raises(InputError) as info:
        read_transcript(path)
    assert str(info.value).startswith(f"{path}:2: a table with 4 columns")


def test_text_before_first_label_is_a_header_counting_paragraphs(tmp_path: Path) -> None:
    # Issue 14 item 1: a title paragraph before the first turn is the header (paragraph 2), not an error.
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("Interview 12 met een klantmanager")
    document.add_paragraph("I: Vraag?")
    path = tmp_path / "t.docx"
    document.save(str(path))
    parsed = read_transcript(path)
    assert parsed.header == [(2, "Interview 12 met een klantmanager")]
    assert [(t.speaker, t.line) for t in parsed.turns] == [("I", 3)]


def test_unclosed_front_matter_in_docx(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["---", "id: x", "I: Vraag?"]:
        document.add_paragraph(line)
    path = tmp_path / "t.docx"
    document.save(str(path))
    with pytest.raises(InputError) as info:
        read_transcript(path)
    assert str(info.value).startswith(f"{path}:1: front matter opened with '---' here is never closed")


@pytest.mark.parametrize("content", [b"this is not a zip file at all", b"PK\x03\x04broken"])
def test_corrupt_docx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "t.docx"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_transcript(path)
    assert str(info.value).startswith(f"{path}: not a readable .docx file")


def test_docx_without_turns(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("")
    path = tmp_path / "t.docx"
    document.save(str(path))
    with pytest.raises(InputError) as info:
        read_transcript(path)
    assert str(info.value) == f"{path}: no speaker turns found"
