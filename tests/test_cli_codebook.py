"""``qualcode codebook ...`` and ``qualcode codes ...`` end to end with Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import CODEBOOK, write
from conftest import cli as run

REPO = Path(__file__).resolve().parent.parent


# -- validate -------------------------------------------------------------------------------------
def test_validate_project_codebook_exit_0(project_dir):
    r = run("codebook", "validate", cwd=project_dir)
    assert r.exit_code == 0, r.output
    assert "valid: 6 codes" in r.stdout


def test_validate_broken_yaml_exit_2_with_line(tmp_path):
    bad = write(tmp_path / "broken.yaml", "codes:\n  - id: a\n    label: [unclosed\n")
    r = run("codebook", "validate", str(bad))
    assert r.exit_code == 2
    assert f"{bad}:" in r.output and "YAML syntax error" in r.output and "Traceback" not in r.output


def test_validate_duplicate_id_exit_1_with_file_line_column(tmp_path):
    dup = write(
        tmp_path / "dup.yaml",
        """\
        codes:
          - id: logic
            label: {nl: Logica, en: Logic}
            codable: false
            children:
              - id: market
                label: {nl: Markt, en: Market}
                definition: Cijfers.
              - id: market
                label: {nl: Markt 2, en: Market 2}
                definition: Nog eens.
        """,
    )
    r = run("codebook", "validate", str(dup))
    assert r.exit_code == 1
    assert f"{dup}:9:13: error: duplicate code id 'logic.market' (first defined at {dup}:6:13)" in r.stdout
    assert "invalid: 1 error" in r.stdout
    data = json.loads(run("codebook", "validate", str(dup), "--format", "json").stdout)
    assert data["valid"] is False and data["errors"] == 1
    assert data["issues"][0]["line"] == 9 and data["issues"][0]["column"] == 13


def test_validate_missing_file_and_outside_a_project_exit_2(tmp_path):
    assert run("codebook", "validate", str(tmp_path / "nope.yaml")).exit_code == 2
    r = run("codebook", "validate", cwd=tmp_path)
    assert r.exit_code == 2 and "not inside a qualcode project" in r.output


def test_shipped_klantmanager_codebook_validates_with_no_errors():
    r = run("codebook", "validate", str(REPO / "codebooks" / "klantmanager.yaml"))
    assert r.exit_code == 0, r.output
    assert ": error:" not in r.stdout
    assert "valid:" in r.stdout


# -- show ---------------------------------------------------------------------------------------
def test_show_md_has_headings_and_definitions(project_dir):
    r = run("codebook", "show", "--format", "md", cwd=project_dir)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("# Codeboek: Test codebook")
    assert "## Logica (Logic)" in r.stdout and "### Markt (Market)" in r.stdout
    assert "**Definitie.** Cijfers en targets." in r.stdout
    r = run("codebook", "show", "--format", "md", "--lang", "en", "--code", "discretion", cwd=project_dir)
    assert "## Discretion (Beslisruimte)" in r.stdout and "Logic" not in r.stdout


def test_show_json_lists_ids_with_counts_after_coding(ingested):
    ingested.code("T01_g1:5", ["logic.market"], coder="anna")
    ingested.code("T01_g1:3", ["logic.professional", "logic.market"], coder="anna")
    r = run("-p", str(ingested.root), "codebook", "show", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = {d["id"]: d for d in json.loads(r.stdout)}
    assert list(rows) == ["logic", "logic.bureaucratic", "logic.professional", "logic.market", "discretion",
                          "discretion.coping"]
    assert rows["logic.market"]["count"] == 2 and rows["logic.professional"]["count"] == 1
    assert rows["logic"]["count"] == 0 and rows["logic"]["count_total"] == 3
    assert rows["logic.market"]["definition"] == "Cijfers en targets."


def test_show_table_tree_and_file_outside_a_project(tmp_path, project_dir):
    r = run("codebook", "show", cwd=project_dir)
    assert r.exit_code == 0 and "logic.market" in r.stdout and "Markt" in r.stdout
    r = run("codebook", "show", str(project_dir / "codebooks" / "test.yaml"), "--format", "json", cwd=tmp_path)
    assert json.loads(r.stdout)[0]["count"] is None
    out = tmp_path / "cb.md"
    r = run("codebook", "show", str(project_dir / "codebooks" / "test.yaml"), "--out", str(out), cwd=tmp_path)
    assert r.exit_code == 0 and out.read_text().startswith("# Codeboek")
    r = run("codebook", "show", "--code", "nothing", cwd=project_dir)
    assert r.exit_code == 2 and "no code matches 'nothing'" in r.output


# -- export / import ----------------------------------------------------------------------------
def test_export_qdc_then_import_gives_yaml_that_validates(project_dir):
    r = run("codebook", "export", "--format", "qdc", cwd=project_dir)
    assert r.exit_code == 0, r.output
    qdc = project_dir / "exports" / "test.qdc"
    assert qdc.read_bytes().startswith(b"<?xml") and b"urn:QDA-XML:codebook:1.0" in qdc.read_bytes()
    first = qdc.read_bytes()
    run("codebook", "export", cwd=project_dir)
    assert qdc.read_bytes() == first  # deterministic

    r = run("codebook", "import", str(qdc), "--out", "codebooks/imported.yaml", cwd=project_dir)
    assert r.exit_code == 0, r.output
    imported = project_dir / "codebooks" / "imported.yaml"
    r = run("codebook", "validate", str(imported))
    assert r.exit_code == 0, r.output
    r = run("codebook", "show", str(imported), "--format", "json", cwd=project_dir)
    ids = [d["id"] for d in json.loads(r.stdout)]
    assert ids == ["logic", "logic.bureaucratic", "logic.professional", "logic.market", "discretion",
                   "discretion.coping"]
    # refuses to overwrite unless --force
    r = run("codebook", "import", str(qdc), "--out", "codebooks/imported.yaml", cwd=project_dir)
    assert r.exit_code == 2 and "--force" in r.output
    assert run("codebook", "import", str(qdc), "--out", "codebooks/imported.yaml", "--force",
               cwd=project_dir).exit_code == 0


def test_export_yaml_and_md(project_dir, tmp_path):
    r = run("codebook", "export", "--format", "yaml", cwd=project_dir)
    assert r.exit_code == 0, r.output
    assert run("codebook", "validate", str(project_dir / "exports" / "test.yaml")).exit_code == 0
    r = run("codebook", "export", "--format", "md", "--out", str(tmp_path / "a.md"), cwd=project_dir)
    assert r.exit_code == 0 and "Cijfers en targets." in (tmp_path / "a.md").read_text()
    r = run("codebook", "export", "--format", "yaml", "--out", "codebooks/test.yaml", cwd=project_dir)
    assert r.exit_code == 2 and "overwrite the codebook itself" in r.output


def test_import_without_definitions_prints_a_hint(tmp_path):
    qdc = write(
        tmp_path / "web.qdc",
        """\
        <?xml version="1.0" encoding="utf-8"?>
        <CodeBook xmlns="urn:QDA-XML:codebook:1.0">
          <Codes>
            <Code guid="{0E4A1F2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B}" name="Cliëntgericht handelen" isCodable="true"/>
            <Code guid="0e4a1f2b-3c4d-4e5f-8a9b-0c1d2e3f4a5c" name="Regels" isCodable="true">
              <Description>Volgens de regels.</Description>
            </Code>
          </Codes>
        </CodeBook>
        """,
    )
    out = tmp_path / "web.yaml"
    r = run("codebook", "import", str(qdc), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "1 codable code(s) have no definition yet (clientgericht_handelen)" in r.output
    r = run("codebook", "validate", str(out))
    assert r.exit_code == 1 and "clientgericht_handelen' has no definition" in r.stdout


def test_import_refuses_entities_and_writes_nothing(tmp_path):
    qdc = write(
        tmp_path / "evil.qdc",
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>\n',
    )
    out = tmp_path / "evil.yaml"
    r = run("codebook", "import", str(qdc), "--out", str(out))
    assert r.exit_code == 2 and not out.exists() and "Traceback" not in r.output


# -- diff -----------------------------------------------------------------------------------------
def test_diff_between_two_files_lists_added_and_changed(tmp_path):
    a = write(tmp_path / "a.yaml", CODEBOOK)
    b = write(
        tmp_path / "b.yaml",
        CODEBOOK.replace("definition: Cijfers en targets.", "definition: Cijfers, targets en productie.")
        + "  - id: stance\n    label: {nl: Houding, en: Stance}\n    definition: Hoe men zich verhoudt.\n",
    )
    r = run("codebook", "diff", str(a), str(b), "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {"kind": "added", "code": "stance"}.items() <= rows[0].items()
    changed = next(x for x in rows if x["kind"] == "changed")
    assert changed["code"] == "logic.market" and changed["field"] == "definition"
    assert changed["new"] == "Cijfers, targets en productie."
    r = run("codebook", "diff", str(a), str(b))
    assert r.exit_code == 0 and "added" in r.stdout and "stance" in r.stdout
    r = run("codebook", "diff", str(a), str(a))
    assert r.exit_code == 0 and "no differences" in r.output
    r = run("codebook", "diff", str(a), "zzz-not-a-file")
    assert r.exit_code == 2 and "neither a file nor a codebook hash" in r.output


# -- codes rename / merge / move, then diff by stored hash -----------------------------------------
def test_codes_rename_prints_changes_and_undo_restores(ingested):
    root = ingested.root
    ingested.code("T01_g1:5", ["logic.market"], coder="anna")
    yaml_before = (root / "codebooks" / "test.yaml").read_text()
    r = run("-p", str(root), "codes", "rename", "logic.market", "logic.markt")
    assert r.exit_code == 0, r.output
    assert "renamed logic.market -> logic.markt (run" in r.stdout
    assert "codings:     1 updated" in r.stdout and "codebooks/test.yaml" in r.stdout
    r = run("-p", str(root), "codings", "--format", "json")
    assert [c["code"] for c in json.loads(r.stdout)] == ["logic.markt"]

    versions = json.loads(run("-p", str(root), "codebook", "versions", "--format", "json").stdout)
    assert len(versions) == 2
    old, new = versions[0]["hash"][:8], versions[1]["hash"][:8]
    r = run("-p", str(root), "codebook", "diff", old, new, "--format", "json")
    rows = json.loads(r.stdout)
    assert rows[0]["kind"] == "renamed" and rows[0]["code"] == "logic.market" and rows[0]["new_code"] == "logic.markt"

    runs = json.loads(run("-p", str(root), "runs", "list", "--format", "json").stdout)
    rename = next(x for x in runs if x["kind"] == "rename")
    assert run("-p", str(root), "runs", "undo", str(rename["id"])).exit_code == 0
    assert (root / "codebooks" / "test.yaml").read_text() == yaml_before
    r = run("-p", str(root), "codings", "--format", "json")
    assert [c["code"] for c in json.loads(r.stdout)] == ["logic.market"]


def test_codes_merge_and_move_json(ingested):
    root = ingested.root
    ingested.code("T01_g1:3", ["logic.professional", "logic.market"], coder="anna")
    r = run("-p", str(root), "codes", "merge", "logic.market", "logic.professional", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["kind"] == "merge" and data["duplicates"] == 1 and data["codings"] == 0
    r = run("-p", str(root), "codes", "move", "discretion.coping", "-")
    assert r.exit_code == 0, r.output
    assert "moved discretion.coping -> coping" in r.stdout
    r = run("-p", str(root), "codebook", "validate")
    assert r.exit_code == 0 and "valid: 5 codes" in r.stdout


def test_codes_bad_input_exit_2_and_nothing_changed(ingested):
    root = ingested.root
    before = (root / "codebooks" / "test.yaml").read_text()
    for args in (
        ("rename", "logic.nope", "logic.x"),
        ("rename", "logic.market", "Logic.Market"),
        ("move", "logic", "logic.market"),
        ("merge", "logic", "logic.market"),
    ):
        r = run("-p", str(root), "codes", *args)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output
    assert (root / "codebooks" / "test.yaml").read_text() == before
    runs = json.loads(run("-p", str(root), "runs", "list", "--format", "json").stdout)
    assert [x["kind"] for x in runs] == ["ingest"]
