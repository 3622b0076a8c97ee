"""Exchange files (qualcode.coding.exchange): export a coder's codings, import them into another project."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import CASES, CODEBOOK, GROUP, SINGLE, write

from qualcode.coding.exchange import EXPORT_COLUMNS, import_codings
from qualcode.errors import InputError
from qualcode.project import Project

COMPARE = ("coder", "code", "fragment", "transcript", "start", "end", "text", "stance", "memo")


def make_project(root: Path, group: str = GROUP) -> Project:
    """A project with the same files as conftest's ``ingested`` (optionally another T01_g1 text)."""
    Project.init(root).close()
    write(root / "codebooks" / "test.yaml", CODEBOOK)
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/test.yaml"))
    write(root / "transcripts" / "T01_g1.txt", group)
    write(root / "transcripts" / "T02_r1.txt", SINGLE)
    write(root / "transcripts" / "cases.csv", CASES)
    p = Project.open(root)
    p.ingest([root / "transcripts"])
    return p


@pytest.fixture
def source(ingested):
    p = ingested
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="bram", quote="de wet zegt", memo="regels als reden")
    p.code("T01_g1:3", ["logic.professional"], coder="bram", stance="endorses")
    p.code("T01_g1:5", ["logic.market"], coder="bram", stance="rejects", memo='"onzin", met komma, en\nregel')
    p.code("T02_r1:2", ["logic.professional", "discretion.coping"], coder="bram")
    p.code("T02_r1:2", ["logic.bureaucratic"], coder="anna")  # someone else: not exported
    return p


@pytest.fixture
def target(tmp_path):
    p = make_project(tmp_path / "other")
    yield p
    p.close()


def comparable(rows):
    return sorted(tuple(r[k] for k in COMPARE) for r in rows)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
def test_round_trip_between_two_projects(source, target, tmp_path, suffix):
    path = tmp_path / f"bram{suffix}"
    assert source.export_codings("bram", path) == 5
    report = target.import_codings(path)
    assert (report.imported, report.skipped, report.coders) == (5, 0, ["bram"])
    assert comparable(target.coding_rows(coders=["bram"])) == comparable(source.coding_rows(coders=["bram"]))
    assert {r["origin"] for r in target.coding_rows(coders=["bram"])} == {"import"}
    runs = [r for r in target.run_rows() if r["kind"] == "import"]
    assert len(runs) == 1 and runs[0]["summary"]["imported"] == 5


def test_export_columns_are_the_codings_json_keys_plus_hash(source, tmp_path):
    path = tmp_path / "bram.csv"
    source.export_codings("bram", path)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert set(source.coding_rows(coders=["bram"])[0]) | {"transcript_hash"} == set(EXPORT_COLUMNS)
    assert rows[0]["transcript_hash"] == source.store.transcript("T01_g1")["text_hash"]
    assert any("\n" in r["memo"] for r in rows)  # multi-line memo survives CSV quoting
    jsonl = tmp_path / "bram.jsonl"
    source.export_codings("bram", jsonl)
    first = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == EXPORT_COLUMNS
    with pytest.raises(InputError, match="unknown coder"):
        source.export_codings("nobody", tmp_path / "x.csv")
    with pytest.raises(InputError, match=r"\.csv, \.jsonl or \.json"):
        source.export_codings("bram", tmp_path / "x.xlsx")


def test_import_twice_adds_nothing_and_undo_removes_the_run(source, target, tmp_path):
    path = tmp_path / "bram.csv"
    source.export_codings("bram", path)
    first = target.import_codings(path)
    again = target.import_codings(path)
    assert (again.run_id, again.imported, again.skipped) == (None, 0, 5)
    assert len(target.coding_rows(coders=["bram"])) == 5
    assert [r["kind"] for r in target.run_rows()].count("import") == 1
    target.undo(first.run_id)
    assert target.coding_rows(coders=["bram"]) == []
    assert "bram" not in target.store.coder_names()
    # and it can be imported again after the undo
    assert target.import_codings(path).imported == 5


def test_as_renames_the_coder(source, target, tmp_path):
    path = tmp_path / "bram.jsonl"
    source.export_codings("bram", path)
    report = target.import_codings(path, as_coder="bram_thuis")
    assert report.coders == ["bram_thuis"]
    assert target.coding_rows(coders=["bram"]) == []
    assert len(target.coding_rows(coders=["bram_thuis"])) == 5


def test_short_form_coder_code_fragment(target, tmp_path):
    path = write(tmp_path / "sheet.csv", "coder,code,fragment,stance\n"
                                         "carla,logic.market,T01_g1:5,rejects\n"
                                         "carla,logic.professional,T01_g1:3,\n")
    report = target.import_codings(path)
    assert report.imported == 2
    rows = {r["fragment"]: r for r in target.coding_rows(coders=["carla"])}
    frag = target.store.fragment("T01_g1:5")
    assert (rows["T01_g1:5"]["start"], rows["T01_g1:5"]["end"]) == (frag["start"], frag["end"])  # whole turn
    assert rows["T01_g1:5"]["stance"] == "rejects" and rows["T01_g1:3"]["stance"] is None
    assert rows["T01_g1:5"]["text"] == "Die targets vind ik onzin, daar heb ik niks aan."


def test_spreadsheet_variants_semicolons_quote_text_and_as(target, tmp_path):
    # Dutch Excel writes semicolons; a text column without offsets codes that quote
    path = tmp_path / "sheet.csv"
    path.write_bytes("\ufeffCode;Fragment;Text\nlogic.market;T01_g1:5;targets vind ik onzin\n".encode("utf-8"))
    report = target.import_codings(path, as_coder="dirk")
    assert report.imported == 1
    (row,) = target.coding_rows(coders=["dirk"])
    assert row["text"] == "targets vind ik onzin"
    assert row["start"] == target.store.fragment("T01_g1:5")["start"] + 4


def test_a_codings_json_listing_imports(source, target, tmp_path):
    path = tmp_path / "codings.json"
    path.write_text(json.dumps(source.coding_rows(coders=["bram"])), encoding="utf-8")
    assert target.import_codings(path).imported == 5


def problems_of(target, tmp_path, text: str, name: str = "bad.csv", **kwargs) -> str:
    path = write(tmp_path / name, text)
    before = len(target.coding_rows())
    runs = len(target.run_rows())
    with pytest.raises(InputError) as info:
        target.import_codings(path, **kwargs)
    assert len(target.coding_rows()) == before and len(target.run_rows()) == runs  # nothing imported
    message = str(info.value)
    assert "nothing imported" in message or "missing column" in message
    return message


HEADER = "coder,code,fragment,start,end,text,transcript_hash\n"


def test_each_validation_error_names_the_line(target, tmp_path):
    t01 = target.store.transcript("T01_g1")
    f5 = target.store.fragment("T01_g1:5")
    good = f"eva,logic.market,T01_g1:5,{f5['start']},{f5['start'] + 11},Die targets,{t01['text_hash']}\n"
    cases = {
        "unknown transcript 'T99_x'": "eva,logic.market,T99_x:2,,,,\n",
        "unknown fragment 'T01_g1:40'": "eva,logic.market,T01_g1:40,,,,\n",
        "has changed since the export": f"eva,logic.market,T01_g1:5,,,,{'0' * 64}\n",
        "unknown code 'logic.markt'": "eva,logic.markt,T01_g1:5,,,,\n",
        "is a grouping node": "eva,logic,T01_g1:5,,,,\n",
        "is out of range": f"eva,logic.market,T01_g1:5,{f5['start']},{f5['end'] + 5},,\n",
        "differs": f"eva,logic.market,T01_g1:5,{f5['start']},{f5['start'] + 11},Die Targets,\n",
        "whole number": "eva,logic.market,T01_g1:5,twelve,20,,\n",
        "both start and end": f"eva,logic.market,T01_g1:5,{f5['start']},,,\n",
        "no coder": ",logic.market,T01_g1:5,,,,\n",
        "not of the form": "eva,logic.market,T01_g1,,,,\n",
    }
    for expected, bad_row in cases.items():
        message = problems_of(target, tmp_path, HEADER + good + bad_row)
        assert "line 3:" in message and expected in message, (expected, message)
        assert "line 2:" not in message
        assert "bad.csv" in message


def test_problems_are_listed_together_with_a_cap(target, tmp_path):
    rows = "".join(f"eva,logic.nope{i},T01_g1:5,,,,\n" for i in range(20))
    message = problems_of(target, tmp_path, HEADER + rows)
    assert message.count("unknown code") == 15 and "and 5 more" in message
    assert "20 problem(s)" in message


def test_bad_stance_and_missing_columns_and_jsonl_line_numbers(target, tmp_path):
    message = problems_of(target, tmp_path, "coder,code,fragment,stance\neva,logic.market,T01_g1:5,maybe\n")
    assert "line 2:" in message and "unknown stance" in message
    message = problems_of(target, tmp_path, "coder,fragment\neva,T01_g1:5\n")
    assert "missing column(s): code" in message
    message = problems_of(target, tmp_path, "code,fragment\nlogic.market,T01_g1:5\n")
    assert "coder" in message
    jsonl = ('{"coder": "eva", "code": "logic.market", "fragment": "T01_g1:5"}\n\n'
             '{"coder": "eva", "code": "logic.market", "fragment": "T01_g1:5", "start": 0, "end": 3}\n')
    message = problems_of(target, tmp_path, jsonl, name="bad.jsonl")
    assert "line 3:" in message and "out of range" in message


def test_changed_transcript_text_is_refused(source, tmp_path):
    other = make_project(tmp_path / "changed", group=GROUP.replace("de mail", "de e-mail"))
    path = tmp_path / "bram.csv"
    source.export_codings("bram", path)
    with pytest.raises(InputError, match="T01_g1 has changed since the export"):
        other.import_codings(path)
    assert other.coding_rows() == []
    other.close()


def test_import_codings_function_checks_the_file(target, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_codings(target.store, target.codebook(), tmp_path / "missing.csv")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: not valid JSON"):
        import_codings(target.store, target.codebook(), bad)


def test_export_of_a_coder_without_codings_writes_a_header_only(source, tmp_path):
    source.store.ensure_coder("nieuw")
    path = tmp_path / "nieuw.csv"
    assert source.export_codings("nieuw", path) == 0
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(EXPORT_COLUMNS)]
