"""The CLI of issue 5 end to end: agree, disagreements, export/import codings."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_exchange import make_project
from typer.testing import CliRunner

from qualcode.cli import get_app

runner = CliRunner()
app = get_app()


def cli(project, *args, input=None):
    return runner.invoke(app, ["-p", str(project.root), *args], input=input, catch_exceptions=False)


@pytest.fixture
def two(ingested):
    p = ingested
    for coder, plan in {
        "anna": {"T01_g1:2": ["logic.bureaucratic"], "T01_g1:3": ["logic.professional"], "T01_g1:5": ["logic.market"],
                 "T02_r1:2": ["logic.professional"]},
        "bram": {"T01_g1:2": ["logic.bureaucratic"], "T01_g1:3": ["logic.professional", "discretion.coping"],
                 "T02_r1:2": ["logic.bureaucratic"]},
    }.items():
        for frag, codes in plan.items():
            p.code(frag, codes, coder=coder)
    return p


CONTRACT = {"code", "units", "both", "only", "neither", "percent_agreement", "cohen_kappa", "krippendorff_alpha",
            "gwet_ac1", "brennan_prediger"}


@pytest.mark.parametrize("unit", ["turn", "sentence", "char", "segment"])
def test_agree_json_contract(two, unit):
    r = cli(two, "agree", "--coder", "anna", "--coder", "bram", "--unit", unit, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)  # nothing else on stdout
    assert {"unit", "coders", "codes", "overall", "note"} <= set(data)
    assert data["unit"] == unit and data["coders"] == ["anna", "bram"]
    for e in [*data["codes"], data["overall"]]:
        assert CONTRACT | {"fleiss_kappa", "notes"} <= set(e)
        assert set(e["only"]) == {"anna", "bram"}
        for name in ("cohen_kappa", "krippendorff_alpha", "gwet_ac1", "brennan_prediger", "fleiss_kappa"):
            if e[name] is None:
                assert e["notes"][name]  # a null always has its reason
    if unit == "char":
        assert CONTRACT - {"code"} <= set(data["codes"][0]["coded_only"])


def test_agree_table_shows_undefined_with_the_reason_and_the_note(ingested):
    for coder in ("anna", "bram"):
        ingested.code("T02_r1:2", ["logic.bureaucratic"], coder=coder)
        ingested.code("T02_r1:4", ["logic.bureaucratic"], coder=coder)
    r = cli(ingested, "agree", "--coder", "anna", "--coder", "bram")
    assert r.exit_code == 0, r.output
    assert "undefined" in r.stdout
    assert "Cohen κ undefined: no variance" in r.stdout
    assert "Unit: the respondent turn" in r.stdout
    r = cli(ingested, "agree", "--coder", "anna", "--coder", "bram", "--format", "md")
    assert "| undefined |" in r.stdout and "- logic.bureaucratic: Cohen κ undefined" in r.stdout


def test_agree_csv_and_out_file(two, tmp_path):
    r = cli(two, "agree", "--coder", "anna", "--coder", "bram", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[-1]["code"] == "(all codes)"
    assert {"only anna", "only bram", "cohen_kappa", "notes"} <= set(rows[0])
    out = tmp_path / "agree.md"
    r = cli(two, "agree", "--coder", "anna", "--coder", "bram", "--group", "logic", "--out", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "| logic |" in text and "nominal variable" in text


def test_agree_bad_input_exit_2(two):
    for args, message in [
        (["--unit", "word"], "unit must be one of"),
        (["--coder", "zoe"], "unknown coder 'zoe'"),
        (["--unit", "segment", "--overlap", "1.5"], "overlap"),
    ]:
        r = cli(two, "agree", "--coder", "anna", "--coder", "bram", *args)
        assert r.exit_code == 2, r.output
        assert message in r.stderr and "Traceback" not in r.output


def test_agree_with_the_rules_engine(two):
    assert cli(two, "suggest").exit_code == 0
    r = cli(two, "agree", "--coder", "anna", "--coder", "auto:rules", "--format", "json", "--suggestions", "open")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["coders"] == ["anna", "auto:rules"] and data["settings"]["suggestions"] == "open"


def test_disagreements_formats(two):
    r = cli(two, "disagreements", "--coder", "anna", "--coder", "bram", "--format", "json")
    assert r.exit_code == 0, r.output
    items = json.loads(r.stdout)
    assert [d["fragment"] for d in items] == ["T01_g1:3", "T01_g1:5", "T02_r1:2"]
    assert {"fragment", "text", "codes", "memos"} <= set(items[0])
    r = cli(two, "disagreements", "--coder", "anna", "--coder", "bram", "--code", "logic", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [x["fragment"] for x in rows] == ["T01_g1:5", "T02_r1:2"]
    assert rows[1]["anna"] == "logic.professional" and rows[1]["bram"] == "logic.bureaucratic"
    r = cli(two, "disagreements", "--coder", "anna", "--coder", "bram")
    assert r.exit_code == 0 and "T01_g1:3" in r.stdout


def test_export_import_round_trip_and_undo(two, tmp_path):
    path = tmp_path / "bram.csv"
    r = cli(two, "export", "codings", "--coder", "bram", "--out", str(path))
    assert r.exit_code == 0, r.output
    assert "wrote 4 coding(s) of bram" in r.stderr
    other = make_project(tmp_path / "other")
    r = cli(other, "import", "codings", str(path), "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["imported"] == 4 and report["coders"] == ["bram"]
    r = cli(other, "import", "codings", str(path))
    assert "nothing new to import" in r.stderr
    r = cli(other, "import", "codings", str(path), "--as", "bram2")
    assert "imported 4 coding(s) for bram2" in r.stderr
    r = cli(other, "agree", "--coder", "bram", "--coder", "bram2", "--format", "json")
    assert json.loads(r.stdout)["overall"]["percent_agreement"] == 1.0
    r = cli(other, "runs", "undo", str(report["run_id"]))
    assert r.exit_code == 0, r.output
    assert other.coding_rows(coders=["bram"]) == []
    other.close()


def test_import_errors_exit_2_with_line_numbers(two, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("coder,code,fragment\ncarla,logic.market,T01_g1:5\ncarla,logic.nope,T01_g1:5\n"
                    "carla,logic.market,T77_r1:1\n", encoding="utf-8")
    r = cli(two, "import", "codings", str(path))
    assert r.exit_code == 2
    assert "2 problem(s); nothing imported" in r.stderr
    assert "line 3: unknown code 'logic.nope'" in r.stderr and "line 4: unknown transcript 'T77_r1'" in r.stderr
    assert "Traceback" not in r.output
    assert two.coding_rows(coders=["carla"]) == []


def test_export_and_import_groups_exist_for_other_commands():
    from qualcode.cli.exchange import export_app, import_app

    assert "codings" in {c.name for c in export_app.registered_commands}
    assert "codings" in {c.name for c in import_app.registered_commands}
    r = runner.invoke(app, ["export", "--help"])
    assert r.exit_code == 0 and "codings" in r.stdout
