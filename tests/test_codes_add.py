"""Growing the codebook: ``init --codebook``, ``codes add`` and ``codes delete`` as undoable runs that
edit the YAML in the file's own layout (issue 14, item 7)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import cli, write
from test_codes import EXTRA, MAIN, comments

from qualcode.codebook import load_codebook
from qualcode.errors import InputError
from qualcode.project import Project


@pytest.fixture
def proj(ingested):
    """The ingested test project on the commented codebook of test_codes (with its include)."""
    write(ingested.root / "codebooks" / "test.yaml", MAIN)
    write(ingested.root / "codebooks" / "extra.yaml", EXTRA)
    ingested.reload_codebook()
    return ingested


def text_of(p, name: str = "test.yaml") -> str:
    return (p.root / "codebooks" / name).read_text(encoding="utf-8")


def inserted(before: str, after: str) -> str:
    """What ``after`` has that ``before`` has not, when it is ``before`` with one block inserted."""
    lines_b, lines_a = before.splitlines(keepends=True), after.splitlines(keepends=True)
    i = 0
    while i < len(lines_b) and lines_b[i] == lines_a[i]:
        i += 1
    tail = len(lines_b) - i
    assert lines_a[len(lines_a) - tail:] == lines_b[i:], "more than one place changed"
    return "".join(lines_a[i:len(lines_a) - tail])


# -- codes add ----------------------------------------------------------------------------------
def test_add_appends_to_the_parents_children_in_the_files_style(proj):
    before = text_of(proj)
    change = proj.add_code("street", "Straatniveau", parent="logic", definition="Werk bij de klant thuis: buiten.",
                           examples=["ik ga gewoon   langs"])
    assert (change.kind, change.new, change.files) == ("add", "logic.street", ["codebooks/test.yaml"])
    after = text_of(proj)
    # the last child of logic is professional (its block ends before the blank line and the discretion comment);
    # items of that list are separated by a blank line, so the new one is too
    assert inserted(before, after) == (  # (the blank line between items is on either side: the same text)
        "      - id: street\n"
        "        label: {nl: Straatniveau, en: Straatniveau}\n"
        "        definition: 'Werk bij de klant thuis: buiten.'\n"
        "        examples:\n"
        "          - ik ga gewoon langs\n"
        "\n"
    )
    assert after.index("- id: street") > after.index("- id: professional")
    assert after.index("- id: street") < after.index("# --- discretion ---")
    assert comments(after) == comments(before)
    cb = load_codebook(proj.root / "codebooks" / "test.yaml")
    code = cb.codes["logic.street"]
    assert (code.parent, code.label.nl, code.definition, code.examples) == (
        "logic", "Straatniveau", "Werk bij de klant thuis: buiten.", ["ik ga gewoon langs"])
    assert [c.id for c in cb.children("logic")][-1] == "logic.street"
    assert proj.codebook().hash == cb.hash == change.new_hash  # the project reads the new codebook at once
    run = proj.run_rows()[-1]
    assert (run["id"], run["kind"]) == (change.run_id, "add")


def test_add_makes_a_children_list_and_writes_into_the_parents_file(proj):
    before_main, before_extra = text_of(proj), text_of(proj, "extra.yaml")
    proj.add_code("logic.professional.maatwerk", "Maatwerk", label_en="Tailoring", definition="Per klant kijken.")
    assert inserted(before_main, text_of(proj)) == (
        "        children:\n"
        "          - id: maatwerk\n"
        "            label: {nl: Maatwerk, en: Tailoring}\n"
        "            definition: Per klant kijken.\n"
    )
    # logic.market.outflow is written (dotted) in extra.yaml: its new child goes there
    proj.add_code("snel", "Snelle uitstroom", parent="logic.market.outflow", definition="Zo snel mogelijk werk.")
    assert inserted(before_extra, text_of(proj, "extra.yaml")) == (
        "    children:\n"
        "      - id: snel\n"
        "        label: {nl: Snelle uitstroom, en: Snelle uitstroom}\n"
        "        definition: Zo snel mogelijk werk.\n"
    )
    cb = proj.codebook()
    assert cb.codes["logic.market.outflow.snel"].source_file.endswith("extra.yaml")
    assert cb.codes["logic.professional.maatwerk"].label.en == "Tailoring"


def test_add_a_top_level_grouping_code(proj):
    before = text_of(proj)
    proj.add_code("houding", "Houding", codable=False)
    assert inserted(before, text_of(proj)) == (
        "\n"
        "  - id: houding\n"
        "    label: {nl: Houding, en: Houding}\n"
        "    codable: false\n"
    )
    assert proj.codebook().codes["houding"].codable is False


FOUR_SPACES = """\
codebook: {id: vier}
codes:
    -   id: logic
        label:
            nl: Logica
            en: Logic
        codable: false
        children:
        -   id: market
            label:
                nl: Markt
                en: Market
            definition: Cijfers.
            examples:
            - Die targets.
"""


def test_add_follows_another_indentation_style(project):
    write(project.root / "codebooks" / "test.yaml", FOUR_SPACES)
    project.add_code("logic.street", "Straat", definition="Buiten.", examples=["Ik ga langs."])
    project.add_code("logic.market.kpi", "KPI's", definition="Cijfers als doel.")
    text = text_of(project)
    assert text == FOUR_SPACES.replace("            - Die targets.\n", (
        "            - Die targets.\n"
        "            children:\n"
        "            -   id: kpi\n"
        "                label:\n"
        "                    nl: KPI's\n"
        "                    en: KPI's\n"
        "                definition: Cijfers als doel.\n"
        "        -   id: street\n"
        "            label:\n"
        "                nl: Straat\n"
        "                en: Straat\n"
        "            definition: Buiten.\n"
        "            examples:\n"
        "            - Ik ga langs.\n"
    ))
    doc = yaml.safe_load(text)
    assert [c["id"] for c in doc["codes"][0]["children"]] == ["market", "street"]


@pytest.mark.parametrize("empty", ["codes: []\n", "codes:\n", "codes: ~   # nothing yet\n"])
def test_add_to_an_empty_codebook(project, empty):
    head = "codebook:\n  id: leeg\n"
    write(project.root / "codebooks" / "test.yaml", head + empty)
    project.add_code("logic", "Logica", codable=False)
    project.add_code("logic.market", "Markt", definition="Cijfers.")
    key_line = "codes:   # nothing yet\n" if "#" in empty else "codes:\n"
    assert text_of(project) == head + key_line + (
        "  - id: logic\n"
        "    label: {nl: Logica, en: Logica}\n"
        "    codable: false\n"
        "    children:\n"
        "      - id: market\n"
        "        label: {nl: Markt, en: Markt}\n"
        "        definition: Cijfers.\n"
    )


def test_values_yaml_would_misread_are_quoted(proj):
    proj.add_code("logic.ja", "yes", label_en="12", definition="#1: niet 'null'", examples=["- nee", "on"])
    code = load_codebook(proj.root / "codebooks" / "test.yaml").codes["logic.ja"]
    assert (code.label.nl, code.label.en, code.definition, code.examples) == ("yes", "12", "#1: niet 'null'",
                                                                               ["- nee", "on"])


def test_add_is_undone_byte_for_byte(proj):
    before = text_of(proj)
    change = proj.add_code("logic.street", "Straat", definition="Buiten.")
    proj.undo(change.run_id)
    assert text_of(proj) == before
    assert "logic.street" not in proj.codebook().codes


@pytest.mark.parametrize("call, message", [
    (lambda p: p.add_code("logic.market", "Markt", definition="x"), "already a code 'logic.market'"),
    (lambda p: p.add_code("straat", "Straat", parent="logic.markt", definition="x"), "did you mean"),
    (lambda p: p.add_code("nieuw.kind", "Kind", definition="x"), "unknown code 'nieuw'"),
    (lambda p: p.add_code("logic.Straat", "Straat", definition="x"), "bad code id"),
    (lambda p: p.add_code("logic.street", "Straat"), "needs a definition"),
    (lambda p: p.add_code("logic.street", " ", definition="x"), "needs a label"),
    (lambda p: p.add_code("logic.street", "Straat", parent="discretion", definition="x"), "dotted id"),
])
def test_bad_additions_change_nothing(proj, call, message):
    before, runs = text_of(proj), len(proj.run_rows())
    with pytest.raises(InputError, match=message):
        call(proj)
    assert text_of(proj) == before and len(proj.run_rows()) == runs


def test_a_flow_style_parent_is_refused(project):
    write(project.root / "codebooks" / "test.yaml",
          "codes:\n  - {id: logic, label: {nl: L, en: L}, codable: false}\n")
    with pytest.raises(InputError, match="flow style"):
        project.add_code("logic.x", "X", definition="x")


def test_codes_add_cli_json_and_errors(proj):
    res = cli("--project", str(proj.root), "codes", "add", "coping2", "--parent", "discretion", "--label", "Coping 2",
              "--definition", "Nog een.", "--example", "geen tijd", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["kind"], data["new"], data["files"]) == ("add", "discretion.coping2", ["codebooks/test.yaml"])
    res = cli("--project", str(proj.root), "codes", "add", "discretion.coping2", "--label", "X", "--definition", "x")
    assert res.exit_code == 2 and "already a code 'discretion.coping2'" in res.output


# -- codes delete -------------------------------------------------------------------------------
def test_delete_an_unused_code_with_its_comment_and_undo(proj):
    before = text_of(proj)
    proj.memo("code", "logic.professional", "Nog nodig?", coder="anna")
    change = proj.delete_code("logic.professional")
    assert (change.kind, change.old, change.memos) == ("delete", "logic.professional", 1)
    after = text_of(proj)
    assert "id: professional" not in after and "per klant" not in after
    assert after == before.replace(
        "      - id: professional\n"
        "        label: {nl: Professioneel, en: Professional}\n"
        "        definition: Eigen oordeel over de klant.\n"
        "        indicators:\n"
        "          - {phrase: \"per klant\", weight: 0.6}\n"
        "\n", "")
    assert proj.memo_rows("code", "logic.professional") == []
    # a later change of the file, undone first, does not stand in the way
    added = proj.add_code("logic.tmp", "Tijdelijk", definition="x")
    proj.undo(added.run_id)
    proj.undo(change.run_id)
    assert text_of(proj) == before
    assert [m["text"] for m in proj.memo_rows("code", "logic.professional")] == ["Nog nodig?"]


def test_delete_takes_the_comment_above_and_an_emptied_children_key(proj):
    before = text_of(proj)
    proj.delete_code("logic.market.targets")
    assert text_of(proj) == before.replace(
        "        children:\n"
        "          - id: targets\n"
        "            label: {nl: Targets, en: Targets}\n"
        "            definition: Targets als sturing.\n"
        "            # - phrase: \"kpi\"   (not yet)\n", "")


def test_delete_refused_while_codings_or_suggestions_use_it(proj):
    proj.code("T01_g1:5", ["logic.market.targets"], coder="anna")
    proj.code("T01_g1:5", ["logic.market.targets"], coder="bram")
    proj.code("T01_g1:6", ["logic.market.targets"], coder="bram")
    before = text_of(proj)
    with pytest.raises(InputError, match=r"in use: 3 coding\(s\) \(anna 1, bram 2\).*--merge-into"):
        proj.delete_code("logic.market.targets")
    proj.suggest()
    suggested = {r["code"] for r in proj.suggestion_rows(status=None)}
    assert "logic.bureaucratic" in suggested
    with pytest.raises(InputError, match=r"logic.bureaucratic' is in use: \d+ suggestion\(s\)"):
        proj.delete_code("logic.bureaucratic")
    assert text_of(proj) == before


def test_delete_refused_for_children_requires_and_the_typology(proj):
    with pytest.raises(InputError, match="has 2 code"):
        proj.delete_code("logic.market")  # targets and outflow (in extra.yaml)
    with pytest.raises(InputError, match="required by discretion.lower_goals"):
        proj.delete_code("discretion.coping")
    typology = proj.root / "codebooks" / "test-typology.yaml"
    write(typology, textwrap.dedent("""\
        typology:
          id: t
          label: {nl: T, en: T}
          codebook: test.yaml
          format: 2
        types:
          - id: a
            label: {nl: A, en: A}
            features:
              - {any_of: [logic.bureaucratic, logic.professional], weight: 1}
          - id: b
            label: {nl: B, en: B}
            features: [logic.market]
    """))
    toml = proj.root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager-typology.yaml", "codebooks/test-typology.yaml"))
    p = Project.open(proj.root)
    try:
        with pytest.raises(InputError, match=r"typology names 'logic.professional' \(line 10\)"):
            p.delete_code("logic.professional")
        # merging instead follows into the typology's any_of list
        change = p.delete_code("logic.professional", merge_into="logic.bureaucratic")
        assert change.kind == "merge" and "codebooks/test-typology.yaml" in change.files
        assert "any_of: [logic.bureaucratic, logic.bureaucratic]" in typology.read_text()
    finally:
        p.close()


def test_delete_with_merge_into_keeps_the_codings(proj):
    proj.code("T01_g1:2", ["logic.professional"], coder="anna")
    change = proj.delete_code("logic.professional", merge_into="logic.bureaucratic")
    assert (change.kind, change.codings) == ("merge", 1)
    assert [r["code"] for r in proj.coding_rows(coders=["anna"])] == ["logic.bureaucratic"]
    assert "logic.professional" not in proj.codebook().codes


def test_codes_delete_cli(proj):
    proj.code("T01_g1:2", ["logic.professional"], coder="anna")
    res = cli("--project", str(proj.root), "codes", "delete", "logic.professional")
    assert res.exit_code == 2 and "in use: 1 coding(s) (anna 1)" in res.output
    res = cli("--project", str(proj.root), "codes", "delete", "logic.professional", "--merge-into", "logic.market")
    assert res.exit_code == 0 and "merged logic.professional into logic.market" in res.output
    res = cli("--project", str(proj.root), "codes", "delete", "logic.market.targets")
    assert res.exit_code == 0 and "deleted logic.market.targets" in res.output


# -- init --codebook ------------------------------------------------------------------------------
def test_init_with_an_empty_codebook_then_grow_it(tmp_path):
    res = cli("init", str(tmp_path / "leeg"), "--codebook", "empty", "--name", "Armoede: 2025")
    assert res.exit_code == 0, res.output
    root = tmp_path / "leeg"
    with Project.open(root) as p:
        assert p.config.codebook == "codebooks/codebook.yaml" and p.config.typology == ""
        cb = p.codebook()
        assert (len(cb.codes), cb.id, cb.title) == (0, "armoede-2025", "Armoede: 2025")
        p.add_code("logic", "Logica", codable=False)
        p.add_code("logic.market", "Markt", definition="Cijfers.")
        assert list(p.codebook().codes) == ["logic", "logic.market"]
    assert not (root / "codebooks" / "klantmanager.yaml").exists()


def test_init_with_the_shipped_codebook_by_name(tmp_path):
    with Project.init(tmp_path / "km", codebook="klantmanager") as p:
        assert p.config.codebook == "codebooks/klantmanager.yaml"
        assert p.config.typology == "codebooks/klantmanager-typology.yaml"
        assert (p.root / "codebooks" / "klantmanager-typology.yaml").is_file()


def test_init_with_a_codebook_file_and_its_include(tmp_path):
    src = tmp_path / "mine"
    write(src / "main.yaml", MAIN.replace("include: [extra.yaml]", "include: [parts/extra.yaml]"))
    write(src / "parts" / "extra.yaml", EXTRA)
    res = cli("init", str(tmp_path / "p"), "--codebook", str(src / "main.yaml"))
    assert res.exit_code == 0, res.output
    root = tmp_path / "p"
    assert (root / "codebooks" / "main.yaml").read_text() == (src / "main.yaml").read_text()
    assert (root / "codebooks" / "parts" / "extra.yaml").read_text() == EXTRA
    with Project.open(root) as p:
        assert p.config.codebook == "codebooks/main.yaml" and p.config.typology == ""
        assert "logic.market.outflow" in p.codebook().codes
        p.add_code("logic.street", "Straat", definition="Buiten.")  # edits the copy, not the original
    assert "street" not in (src / "main.yaml").read_text()


def test_init_refuses_what_is_not_a_codebook_and_makes_nothing(tmp_path):
    (tmp_path / "x.qdc").write_text("<CodeBook/>")
    (tmp_path / "bad.yaml").write_text("codes: [\n")
    for arg, message in ((str(tmp_path / "nope.yaml"), "no such codebook file; --codebook takes empty, klantmanager"),
                         (str(tmp_path / "x.qdc"), "codebook import"),
                         (str(tmp_path / "bad.yaml"), "YAML syntax error"),
                         ("empty", None)):
        target = tmp_path / "p"
        extra = ["--reference-codebook"] if arg == "empty" else []
        res = cli("init", str(target), "--codebook", arg, *extra)
        assert res.exit_code == 2, res.output
        if message:
            assert message in res.output
        assert not target.exists()


def test_init_with_a_codebook_that_needs_work_makes_the_project_and_says_so(tmp_path):
    write(tmp_path / "todo.yaml", "codes:\n  - id: a\n    label: {nl: A, en: A}\n")
    res = cli("init", str(tmp_path / "p"), "--codebook", str(tmp_path / "todo.yaml"))
    assert res.exit_code == 1 and "has no definition" in res.output and "made project" in res.output
    assert (tmp_path / "p" / "qualcode.toml").is_file() and (tmp_path / "p" / "codebooks" / "todo.yaml").is_file()


def test_init_reference_points_at_the_file(tmp_path):
    write(tmp_path / "shared" / "cb.yaml", MAIN.replace("include: [extra.yaml]\n", ""))
    with Project.init(tmp_path / "p", codebook=tmp_path / "shared" / "cb.yaml", copy_codebook=False) as p:
        assert Path(p.config.codebook) == (tmp_path / "shared" / "cb.yaml").resolve()
        with pytest.raises(InputError, match="outside the project"):
            p.add_code("logic.x", "X", definition="x")


def test_windows_line_ends_are_kept_and_undo_is_exact(proj):
    """A codebook saved with CRLF line ends (Windows, git autocrlf) keeps them: the new block is
    written with CRLF too, a rename changes only the id, and undo gives back the very bytes."""
    path = proj.root / "codebooks" / "test.yaml"
    path.write_bytes(MAIN.replace("\n", "\r\n").encode("utf-8"))
    before = path.read_bytes()
    added = proj.add_code("logic.street", "Straat", definition="Buiten.")
    after = path.read_bytes()
    assert b"\r\n" in after and b"\n" not in after.replace(b"\r\n", b"")
    assert after.replace(b"\r\n", b"\n").decode() == MAIN.replace(
        "          - {phrase: \"per klant\", weight: 0.6}\n\n",
        "          - {phrase: \"per klant\", weight: 0.6}\n\n"
        "      - id: street\n"
        "        label: {nl: Straat, en: Straat}\n"
        "        definition: Buiten.\n\n", 1)
    renamed = proj.rename_code("logic.professional", "logic.eigen")
    assert path.read_bytes() == after.replace(b"- id: professional\r\n", b"- id: eigen\r\n")
    proj.undo(renamed.run_id)
    proj.undo(added.run_id)
    assert path.read_bytes() == before


IMPLIES = MAIN.replace(
    "        requires: [discretion.coping, logic.market]   # the act needs a stated reason\n",
    "        requires: [discretion.coping, logic.market]   # the act needs a stated reason\n"
    "        implies: [{code: logic.market, weight: 0.5}, logic.professional]   # roll-up\n")


def test_codes_named_in_implies_follow_and_are_not_deleted(proj):
    """A roll-up (implies:) names codes by id like requires: a rename or merge follows it, a delete
    is refused while a code implies the one to delete."""
    write(proj.root / "codebooks" / "test.yaml", IMPLIES)
    proj.reload_codebook()
    with pytest.raises(InputError, match="'logic.professional' is implied by discretion.lower_goals"):
        proj.delete_code("logic.professional")
    before = text_of(proj)
    proj.rename_code("logic.market", "logic.markt")
    assert text_of(proj) == before.replace("- id: market\n", "- id: markt\n").replace(
        "logic.market]", "logic.markt]").replace("{code: logic.market,", "{code: logic.markt,")
    implied = proj.codebook().codes["discretion.lower_goals"].implies
    assert [(i.code, i.weight) for i in implied] == [("logic.markt", 0.5), ("logic.professional", 1.0)]
    proj.delete_code("logic.professional", merge_into="logic.bureaucratic")
    implied = proj.codebook().codes["discretion.lower_goals"].implies
    assert [i.code for i in implied] == ["logic.markt", "logic.bureaucratic"]
