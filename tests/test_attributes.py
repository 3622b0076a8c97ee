"""Typed attributes: inference, parsing and the attributes CSV."""

from __future__ import annotations

from datetime import date

import pytest

from qualcode.errors import InputError
from qualcode.transcripts.attributes import Typed, from_stored, parse_value, read_attributes_csv, to_stored


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12", Typed("12", "number")),
        ("3,5", Typed("3.5", "number")),
        ("-2.25", Typed("-2.25", "number")),
        ("ja", Typed("true", "boolean")),
        ("Nee", Typed("false", "boolean")),
        ("2025-03-11", Typed("2025-03-11", "date")),
        ("2025-13-11", Typed("2025-13-11", "text")),
        ("Team Werkfit", Typed("Team Werkfit", "text")),
        ("", Typed(None, "text")),
    ],
)
def test_parse_value_infers_types(raw, expected):
    assert parse_value(raw) == expected


def test_round_trip_python_values():
    for value in (True, 7, 2.5, date(2024, 1, 31), "x"):
        t = to_stored(value)
        assert from_stored(t.value, t.type) == value


def test_forced_type_errors():
    with pytest.raises(ValueError, match="not a number"):
        parse_value("veel", "number")
    with pytest.raises(ValueError, match="not a date"):
        parse_value("11-03-2025", "date")


def test_csv_types_per_column_and_header_types(tmp_path):
    p = tmp_path / "cases.csv"
    p.write_text("case,team,caseload,ervaring:text,actief\nA1,01,55,6,ja\nA2,02,80,x,nee\n", encoding="utf-8")
    data = read_attributes_csv(p)
    assert data["A1"]["team"] == Typed("1", "number")  # a column of digits is a number
    assert data["A2"]["caseload"] == Typed("80", "number")
    assert data["A1"]["ervaring"] == Typed("6", "text")
    assert data["A2"]["actief"] == Typed("false", "boolean")


def test_csv_semicolon_and_mixed_column_becomes_text(tmp_path):
    p = tmp_path / "cases.csv"
    p.write_text("case;caseload\nA1;55\nA2;40-50\n", encoding="utf-8")
    data = read_attributes_csv(p)
    assert data["A1"]["caseload"] == Typed("55", "text")
    assert data["A2"]["caseload"] == Typed("40-50", "text")


@pytest.mark.parametrize(
    "content, line, message",
    [
        ("case,team\nA1,01\nA1,02\n", 3, "appears twice"),
        ("case,team\n,01\n", 2, "empty case id"),
        ("case,team\nA1,01,extra\n", 2, "3 cells"),
        ("case,9team\nA1,01\n", 1, "not allowed"),
        ("case,n:number\nA1,veel\n", 2, "not a number"),
    ],
)
def test_csv_errors_name_file_and_line(tmp_path, content, line, message):
    p = tmp_path / "cases.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as exc:
        read_attributes_csv(p)
    assert f"cases.csv:{line}:" in str(exc.value)


def test_csv_error_lines_count_blank_lines_and_quoted_line_breaks(tmp_path):
    # Line 5 of the file holds the bad cell: a cell over two lines (2-3) and a blank line (4) come before it.
    path = tmp_path / "cases.csv"
    path.write_text('case,notitie,caseload:number\nT01,"twee\nregels",120\n\nT02,,veel\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_attributes_csv(path)
    assert str(info.value).startswith(f"{path}:5: column 'caseload'")
