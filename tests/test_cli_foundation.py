"""The CLI end to end with Typer's runner: init, ingest, transcripts, cases, runs, anonymise."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import cli as run
from conftest import write


def test_init_makes_a_project(tmp_path):
    r = run("init", str(tmp_path / "s"))
    assert r.exit_code == 0, r.output
    root = tmp_path / "s"
    for p in ("qualcode.toml", "transcripts", "codebooks", "exports", "qualcode.db"):
        assert (root / p).exists(), p
    assert (root / "codebooks" / "klantmanager.yaml").is_file()
    r = run("init", str(root))
    assert r.exit_code == 2 and "already a project" in r.output


def test_ingest_then_list_as_json_with_project_option(project_dir):
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    assert r.exit_code == 0, r.output
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    data = json.loads(r.stdout)
    assert [d["id"] for d in data] == ["T01_g1", "T02_r1"]
    assert set(data[0]) >= {"id", "file", "turns", "words", "cases", "attributes"}
    assert data[0]["cases"] == ["T01_r1", "T01_r2"]
    assert data[0]["attributes"]["date"] == "2025-03-11"


def test_project_is_found_from_a_subfolder(project_dir):
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    r = run("cases", "list", "--format", "csv", cwd=project_dir / "transcripts")
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("id,transcripts,turns,words")
    assert any(line.startswith("T01_r2,T01_g1,") for line in lines)


def test_outside_a_project_is_a_clear_error(tmp_path):
    r = run("transcripts", "list", cwd=tmp_path)
    assert r.exit_code == 2
    assert "not inside a qualcode project" in r.output
    assert "Traceback" not in r.output


def test_bad_input_exit_2_one_line_and_nothing_stored(project_dir):
    # (a title before the first turn is a header now, issue 14; text without any turn is still bad input)
    write(project_dir / "transcripts" / "broken.txt", "Inleiding zonder spreker.\nOok geen vraag.\n")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    assert r.exit_code == 2
    assert "broken.txt:1" in r.output and "Traceback" not in r.output
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    assert json.loads(r.stdout) == []


def test_pii_exit_1_and_table(project_dir):
    write(project_dir / "transcripts" / "T09_r1.txt", "I: vraag\nR: Mijn BSN is 111222333.\n")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    assert r.exit_code == 1
    assert "bsn" in r.output and "111222333" in r.output
    assert "--allow-pii" in r.output


def test_cases_show_and_set(project_dir):
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    r = run("-p", str(project_dir), "cases", "set", "T01_r1", "variant=regisseur", "caseload=210")
    assert r.exit_code == 0, r.output
    r = run("-p", str(project_dir), "cases", "show", "T01_r1", "--format", "json")
    data = json.loads(r.stdout)
    assert data["attributes"]["variant"] == "regisseur"
    assert data["attributes"]["caseload"] == 210
    assert data["details"]["caseload"]["source"] == "manual"
    r = run("-p", str(project_dir), "cases", "show", "NOPE")
    assert r.exit_code == 2 and "unknown case 'NOPE'" in r.output
    r = run("-p", str(project_dir), "cases", "set", "T01_r1", "caseload")
    assert r.exit_code == 2 and "not key=value" in r.output


def test_runs_list_and_undo(project_dir):
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    r = run("-p", str(project_dir), "runs", "list", "--format", "json")
    runs = json.loads(r.stdout)
    assert [x["kind"] for x in runs] == ["ingest"]
    r = run("-p", str(project_dir), "runs", "undo", str(runs[0]["id"]))
    assert r.exit_code == 0, r.output
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    assert json.loads(r.stdout) == []
    r = run("-p", str(project_dir), "runs", "undo", "77")
    assert r.exit_code == 2 and "no run with id 77" in r.output


def test_transcripts_show(project_dir):
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    r = run("-p", str(project_dir), "transcripts", "show", "T01_g1", "--format", "json")
    data = json.loads(r.stdout)
    assert data["fragments"][1]["id"] == "T01_g1:2" and data["fragments"][1]["case"] == "T01_r1"
    r = run("-p", str(project_dir), "transcripts", "show", "T01_g1", "--sentences", "--format", "csv")
    assert "T01_g1:2,1," in r.stdout


def test_anonymise_with_key_outside_transcripts(project_dir, tmp_path):
    raw = write(tmp_path / "raw" / "int.txt", "I: Naam?\nR: Ik ben Jansen uit Zeedorp, bel 06-12345678.\nR: Jansen zegt ja.\n")
    toml = project_dir / "qualcode.toml"
    toml.write_text(toml.read_text().replace("people = []", 'people = ["Jansen"]'))
    r = run("-p", str(project_dir), "anonymise", str(raw), "--key", str(project_dir / "transcripts" / "key.csv"),
            "--out-dir", str(project_dir / "transcripts"))
    assert r.exit_code == 2 and "outside" in r.output
    assert not (project_dir / "transcripts" / "int.txt").exists()
    key = tmp_path / "key.csv"
    r = run("-p", str(project_dir), "anonymise", str(raw), "--key", str(key), "--out-dir", str(project_dir / "transcripts"))
    assert r.exit_code == 0, r.output
    out = (project_dir / "transcripts" / "int.txt").read_text(encoding="utf-8")
    assert out == "I: Naam?\nR: Ik ben [PERSOON-1] uit Zeedorp, bel [TELEFOON-1].\nR: [PERSOON-1] zegt ja.\n"
    assert key.read_text(encoding="utf-8").splitlines()[0] == "kind,original,pseudonym"
    assert "person,Jansen,[PERSOON-1]" in key.read_text(encoding="utf-8")
    # the pseudonymised file now passes the anonymity check
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts" / "int.txt"))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("argv", [["--help"], ["transcripts", "list"]])
def test_light_commands_do_not_import_heavy_libraries(project_dir, argv):
    """`qualcode --help` and `transcripts list` must not import spaCy, pandas or scikit-learn."""
    code = "import sys; from qualcode.cli import main; sys.argv=['qualcode', *sys.argv[1:]]; main()"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *argv],
        cwd=project_dir, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "typer" in imported  # the check really sees imports
    assert not imported & {"spacy", "pandas", "sklearn", "numpy", "thinc"}


def test_every_table_command_writes_publication_formats(project_dir, tmp_path):
    import docx
    from openpyxl import load_workbook

    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    x = tmp_path / "cases.xlsx"
    r = run("-p", str(project_dir), "cases", "list", "--out", str(x))
    assert r.exit_code == 0, r.output
    ws = load_workbook(x).active
    assert ws["A1"].value == "id" and ws["A2"].value == "T01_r1"
    d = tmp_path / "t.docx"
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "docx", "--out", str(d))
    assert docx.Document(str(d)).tables[0].rows[1].cells[0].text == "T01_g1"
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "tex")
    assert "\\toprule" in r.stdout
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "xlsx")
    assert r.exit_code == 2 and "--out" in r.output
    r = run("-p", str(project_dir), "transcripts", "list", "--out", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2 and "cannot tell the format" in r.output
