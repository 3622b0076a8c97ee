"""rename/merge/move codes (qualcode.coding.recode): YAML edited in place, data follows, undo restores."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from conftest import write

from qualcode.codebook import load_codebook
from qualcode.codebook.edit import plan_yaml_edit
from qualcode.errors import InputError, ProblemFound

MAIN = """\
# Test codebook with comments: they must survive rename, merge and move.
codebook:
  id: test
  title: Test codebook
include: [extra.yaml]
rules:
  reason_cues: [omdat, want, daarom, zodat]
codes:
  # --- logics ---
  - id: logic
    label: {nl: Logica, en: Logic}   # a grouping node
    codable: false
    children:
      - id: bureaucratic
        label: {nl: Bureaucratisch, en: Bureaucratic}
        definition: Regels en wetten als reden.
        indicators:
          - {phrase: "de wet zegt", weight: 0.6}   # the law as a reason

      # the market logic: targets and numbers
      - id: market
        label: {nl: Markt, en: Market}
        definition: >
          Cijfers en targets.
        indicators:
          - {phrase: "target*", weight: 0.5}
        children:
          - id: targets
            label: {nl: Targets, en: Targets}
            definition: Targets als sturing.
            # - phrase: "kpi"   (not yet)

      - id: professional
        label: {nl: Professioneel, en: Professional}
        definition: Eigen oordeel over de klant.
        indicators:
          - {phrase: "per klant", weight: 0.6}

  # --- discretion ---
  - id: discretion
    label: {nl: Beslisruimte, en: Discretion}
    codable: false
    children:
      - id: coping
        label: {nl: Coping, en: Coping}
        definition: Afwijken door werkdruk.
        indicators:
          - {pattern: [{LOWER: geen}, {LOWER: tijd}], weight: 0.7, name: geen-tijd}
      - id: lower_goals
        label: {nl: Lagere doelen, en: Lower goals}
        definition: Doelen lager stellen.
        requires: [discretion.coping, logic.market]   # the act needs a stated reason
"""

EXTRA = """\
# Included file: a code attached to logic.market from here.
codes:
  - id: logic.market.outflow    # attached with a dotted id
    label: {nl: Uitstroom, en: Outflow}
    definition: Uitstroom als doel.
"""


def comments(text: str) -> list[str]:
    return [m.group(0).strip() for m in re.finditer(r"#.*", text)]


@pytest.fixture
def proj(ingested):
    """The ingested test project with the commented codebook (and its include), some codings,
    a suggestion and memos on codes under logic.market."""
    root = ingested.root
    write(root / "codebooks" / "test.yaml", MAIN)
    write(root / "codebooks" / "extra.yaml", EXTRA)
    ingested.reload_codebook()
    p = ingested
    p.code("T01_g1:5", ["logic.market"], coder="anna", quote="Die targets vind ik onzin")
    p.code("T01_g1:5", ["logic.market.targets"], coder="anna", memo="targets!")
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="bram")
    p.memo("code", "logic.market.targets", "Targets komen vaak terug.", coder="anna")
    p.memo("code", "logic.professional", "Niet aanraken.", coder="anna")
    run_id, rows = p.suggest()
    assert any(r["code"] == "logic.market" for r in rows)
    return p


def texts(p) -> tuple[str, str]:
    return ((p.root / "codebooks" / "test.yaml").read_text(), (p.root / "codebooks" / "extra.yaml").read_text())


def db_state(p) -> dict[str, list]:
    conn = p.store.conn
    return {
        "codings": [tuple(r) for r in conn.execute("SELECT id, code, coder, memo, stance FROM codings ORDER BY id")],
        "suggestions": [tuple(r) for r in conn.execute("SELECT id, code, status FROM suggestions ORDER BY id")],
        "memos": [tuple(r) for r in conn.execute("SELECT id, target_kind, target_id FROM memos ORDER BY id")],
        "codebooks": [r[0] for r in conn.execute("SELECT hash FROM codebooks ORDER BY hash")],
    }


def codes_of(p, table: str) -> list[str]:
    return sorted(r[0] for r in p.store.conn.execute(f"SELECT code FROM {table}"))


# -- rename -------------------------------------------------------------------------------------
def test_rename_follows_in_yaml_codings_suggestions_memos(proj):
    before_main, before_extra = texts(proj)
    change = proj.rename_code("logic.market", "logic.markt")
    assert change.kind == "rename" and change.run_id
    assert change.ids == {
        "logic.market": "logic.markt",
        "logic.market.targets": "logic.markt.targets",
        "logic.market.outflow": "logic.markt.outflow",
    }
    assert change.codings == 2 and change.suggestions >= 1 and change.memos == 1
    assert sorted(change.files) == ["codebooks/extra.yaml", "codebooks/test.yaml"]

    main, extra = texts(proj)
    # only the ids changed: the rest of each file is byte for byte the same
    assert main == before_main.replace("- id: market\n", "- id: markt\n").replace(
        "logic.market]", "logic.markt]"
    )
    assert extra == before_extra.replace("id: logic.market.outflow", "id: logic.markt.outflow")
    assert comments(main) == comments(before_main) and comments(extra) == comments(before_extra)

    cb = proj.codebook()
    assert "logic.markt.targets" in cb and "logic.market" not in cb
    assert cb.codes["discretion.lower_goals"].requires == ["discretion.coping", "logic.markt"]
    assert cb.hash == change.new_hash
    assert "logic.markt" in codes_of(proj, "codings") and "logic.markt.targets" in codes_of(proj, "codings")
    assert not [c for c in codes_of(proj, "codings") + codes_of(proj, "suggestions") if c.startswith("logic.market")]
    assert [m["target_id"] for m in proj.store.query_memos("code")] == ["logic.markt.targets", "logic.professional"]
    # the changed rows carry the new codebook version, and both versions are stored
    hashes = {r[0] for r in proj.store.conn.execute("SELECT codebook_hash FROM codings WHERE code LIKE 'logic.markt%'")}
    assert hashes == {change.new_hash}
    assert proj.store.codebook_version(change.old_hash[:10]) and proj.store.codebook_version(change.new_hash[:10])
    run = proj.store.get_run(change.run_id)
    assert run.kind == "rename" and run.codebook_hash == change.new_hash and run.summary["codings"] == 2


def test_undo_restores_yaml_byte_for_byte_and_the_data(proj):
    before = texts(proj)
    state = db_state(proj)
    change = proj.rename_code("logic.market", "logic.markt")
    assert texts(proj) != before
    proj.undo(change.run_id)
    assert texts(proj) == before
    after = db_state(proj)
    assert after["codings"] == state["codings"]
    assert after["suggestions"] == state["suggestions"]
    assert after["memos"] == state["memos"]
    proj.reload_codebook()
    assert "logic.market.targets" in proj.codebook()


def test_rename_to_another_parent_moves_the_code(proj):
    change = proj.rename_code("logic.market.targets", "discretion.coping.targets")
    assert change.ids == {"logic.market.targets": "discretion.coping.targets"}
    main, _ = texts(proj)
    assert main.count("id: targets") == 1
    cb = load_codebook(proj.root / "codebooks" / "test.yaml")
    assert cb.codes["discretion.coping.targets"].parent == "discretion.coping"
    assert "# - phrase: \"kpi\"   (not yet)" in main  # the commented-out line moved along


def test_rename_keeps_quote_style_and_quotes_special_words(project):
    write(project.root / "codebooks" / "test.yaml", MAIN.replace("- id: market\n", "- id: 'market'\n"))
    write(project.root / "codebooks" / "extra.yaml", EXTRA)
    cb = load_codebook(project.root / "codebooks" / "test.yaml")
    out = plan_yaml_edit(cb, "logic.market", "logic.markt")
    assert "- id: 'markt'\n" in out[str(project.root / "codebooks" / "test.yaml")]
    out = plan_yaml_edit(cb, "logic.professional", "logic.null")
    assert '- id: "null"\n' in out[str(project.root / "codebooks" / "test.yaml")]


# -- merge --------------------------------------------------------------------------------------
def test_merge_moves_codings_without_duplicates_and_children(proj):
    # bram coded turn 2 as bureaucratic; anna codes the same span twice: market and bureaucratic
    proj.code("T01_g1:5", ["logic.bureaucratic"], coder="anna", quote="Die targets vind ik onzin")
    twin_market = proj.store.find_coding("anna", "logic.market", "T01_g1", *_span(proj, "logic.market", "anna"))
    proj.memo("coding", str(twin_market), "Memo op de coding die verdwijnt.", coder="anna")
    proj.store.update("codings", {"id": twin_market}, {"memo": "eigen memo", "stance": "rejects"})
    n_before = proj.store.count("codings")

    change = proj.merge_codes("logic.market", "logic.bureaucratic")
    assert change.kind == "merge" and change.duplicates == 1
    assert change.codings == 1  # logic.market.targets -> logic.bureaucratic.targets
    assert proj.store.count("codings") == n_before - 1
    kept = proj.store.find_coding("anna", "logic.bureaucratic", "T01_g1", *_span(proj, "logic.bureaucratic", "anna"))
    row = proj.store.get("codings", {"id": kept})
    assert row["memo"] == "eigen memo" and row["stance"] == "rejects"
    assert proj.store.query_memos("coding", str(kept))[0]["text"] == "Memo op de coding die verdwijnt."

    cb = proj.codebook()
    assert "logic.market" not in cb
    assert cb.codes["logic.bureaucratic.targets"].parent == "logic.bureaucratic"
    assert cb.codes["logic.bureaucratic.outflow"].source_file.endswith("extra.yaml")
    assert cb.codes["discretion.lower_goals"].requires == ["discretion.coping", "logic.bureaucratic"]
    main, extra = texts(proj)
    assert "id: market" not in main and "Cijfers en targets" not in main
    assert "# - phrase: \"kpi\"   (not yet)" in main
    assert "logic.bureaucratic.outflow    # attached with a dotted id" in extra
    assert "logic.bureaucratic" in codes_of(proj, "suggestions")
    assert "logic.bureaucratic.targets" in [m["target_id"] for m in proj.store.query_memos("code")]


def test_merge_undo_restores_deleted_duplicate(proj):
    proj.code("T01_g1:5", ["logic.bureaucratic"], coder="anna", quote="Die targets vind ik onzin")
    before, state = texts(proj), db_state(proj)
    change = proj.merge_codes("logic.market", "logic.bureaucratic")
    assert change.duplicates == 1
    proj.undo(change.run_id)
    assert texts(proj) == before
    assert db_state(proj)["codings"] == state["codings"]


def test_merge_a_child_into_its_parent(proj):
    change = proj.merge_codes("logic.market.targets", "logic.market")
    assert change.ids == {"logic.market.targets": "logic.market"}
    cb = proj.codebook()
    assert "logic.market.targets" not in cb
    main, _ = texts(proj)
    assert "children:\n          - id: targets" not in main
    # market lost its only child written here, so its `children:` key went too
    assert "Targets als sturing" not in main
    # the two codings cover different spans (a quote, the whole turn): both stay, now logic.market
    assert sorted(r["code"] for r in proj.coding_rows(coders=["anna"])) == ["logic.market", "logic.market"]


# -- move ---------------------------------------------------------------------------------------
def test_move_subtree_to_another_parent(proj):
    before_main, _ = texts(proj)
    change = proj.move_code("logic.market", "discretion")
    assert change.kind == "move"
    assert change.ids == {
        "logic.market": "discretion.market",
        "logic.market.targets": "discretion.market.targets",
        "logic.market.outflow": "discretion.market.outflow",
    }
    cb = proj.codebook()
    assert [c.id for c in cb.children("discretion")] == ["discretion.coping", "discretion.lower_goals",
                                                         "discretion.market"]
    assert cb.codes["discretion.market"].definition == "Cijfers en targets."
    main, extra = texts(proj)
    assert sorted(comments(main)) == sorted(comments(before_main))
    assert "# the market logic: targets and numbers\n      - id: market" in main
    assert main.index("id: market") > main.index("id: lower_goals")
    assert "id: discretion.market.outflow" in extra
    assert "discretion.market" in codes_of(proj, "codings")
    assert cb.codes["discretion.lower_goals"].requires == ["discretion.coping", "discretion.market"]


def test_move_to_top_level_and_back(proj):
    change = proj.move_code("discretion.coping", "-")
    assert change.ids == {"discretion.coping": "coping"}
    cb = proj.codebook()
    assert cb.codes["coping"].parent is None
    assert cb.codes["discretion.lower_goals"].requires == ["coping", "logic.market"]
    back = proj.move_code("coping", "discretion")
    assert back.ids == {"coping": "discretion.coping"}
    assert proj.codebook().codes["discretion.coping"].parent == "discretion"


def test_move_under_a_code_without_children_adds_the_key(proj):
    proj.move_code("discretion.lower_goals", "logic.professional")
    main, _ = texts(proj)
    assert "        children:\n          - id: lower_goals\n" in main
    cb = proj.codebook()
    assert cb.codes["logic.professional.lower_goals"].requires == ["discretion.coping", "logic.market"]


def test_move_the_dotted_code_of_an_include(proj):
    change = proj.move_code("logic.market.outflow", "logic.professional")
    assert change.files == ["codebooks/extra.yaml"]
    _, extra = texts(proj)
    assert "- id: logic.professional.outflow    # attached with a dotted id" in extra


def test_repeated_changes_keep_a_valid_codebook(proj):
    proj.rename_code("logic.market", "logic.markt")
    proj.move_code("logic.markt", "discretion.coping")
    proj.merge_codes("discretion.coping.markt.targets", "logic.bureaucratic")
    proj.move_code("logic", "discretion")
    cb = proj.codebook()
    assert {"discretion.logic.bureaucratic", "discretion.coping.markt.outflow"} <= set(cb.codes)
    runs = [r["kind"] for r in proj.run_rows()]
    assert runs[-4:] == ["rename", "move", "merge", "move"]
    for run_id in reversed([r["id"] for r in proj.run_rows()][-4:]):
        proj.undo(run_id)
    assert texts(proj) == (MAIN, EXTRA)


# -- refused input: InputError, nothing changed ---------------------------------------------------
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda p: p.rename_code("logic.markett", "logic.x"), "unknown code 'logic.markett'"),
        (lambda p: p.rename_code("logic.market", "logic.professional"), "already a code"),
        (lambda p: p.rename_code("logic.market", "logic.Markt"), "segment 'Markt'"),
        (lambda p: p.rename_code("logic.market", "logic.9x"), "segment '9x'"),
        (lambda p: p.rename_code("logic.market", "logic..x"), "bad code id"),
        (lambda p: p.rename_code("logic.market", "logic.market.sub"), "under itself"),
        (lambda p: p.rename_code("logic.market", "nothing.market"), "parent 'nothing'"),
        (lambda p: p.move_code("logic", "logic.market"), "inside 'logic' itself"),
        (lambda p: p.move_code("logic.market", "logic.market"), "inside"),
        (lambda p: p.move_code("logic.market", "logic"), "already under 'logic'"),
        (lambda p: p.move_code("logic.market", "nowhere"), "unknown code 'nowhere'"),
        (lambda p: p.merge_codes("logic", "logic.market"), "target lies inside the source"),
        (lambda p: p.merge_codes("logic.market", "logic.market"), "into itself"),
        (lambda p: p.merge_codes("logic.market", "discretion"), "grouping code"),
    ],
)
def test_bad_input_changes_nothing(proj, call, message):
    before, state = texts(proj), db_state(proj)
    runs = len(proj.run_rows())
    with pytest.raises(InputError, match=re.escape(message)):
        call(proj)
    assert texts(proj) == before
    assert db_state(proj) == state
    assert len(proj.run_rows()) == runs


def test_merge_refuses_a_child_clash(proj):
    proj_root = proj.root
    text = MAIN.replace("      - id: professional\n", "      - id: professional\n        children:\n"
                        "          - id: targets\n            label: {nl: T, en: T}\n            definition: D.\n"
                        "        # end\n", 1)
    write(proj_root / "codebooks" / "test.yaml", text)
    with pytest.raises(InputError, match="logic.professional.targets.*already exists"):
        proj.merge_codes("logic.market", "logic.professional")
    assert (proj_root / "codebooks" / "test.yaml").read_text() == text


def test_flow_style_children_are_refused_with_nothing_written(proj):
    text = MAIN.replace(
        "      - id: professional\n",
        "      - id: flowy\n        label: {nl: F, en: F}\n        definition: F.\n"
        "        children: [{id: one, label: {nl: E, en: E}, definition: E.}]\n      - id: professional\n",
    )
    write(proj.root / "codebooks" / "test.yaml", text)
    state = db_state(proj)
    with pytest.raises(InputError, match="flow"):
        proj.move_code("logic.market", "logic.flowy")
    assert (proj.root / "codebooks" / "test.yaml").read_text() == text
    assert db_state(proj) == state


def test_an_invalid_codebook_is_refused_first(proj):
    write(proj.root / "codebooks" / "test.yaml", MAIN.replace("        definition: Eigen oordeel over de klant.\n", ""))
    with pytest.raises(ProblemFound, match="no definition"):
        proj.rename_code("logic.market", "logic.markt")


def test_a_codebook_outside_the_project_is_not_edited(proj, tmp_path):
    outside = write(tmp_path / "elsewhere" / "cb.yaml", MAIN.replace("include: [extra.yaml]\n", ""))
    toml = proj.root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/test.yaml", str(outside)))
    from qualcode.project import Project

    with Project.open(proj.root) as p:
        with pytest.raises(InputError, match="outside the project"):
            p.rename_code("logic.market", "logic.markt")
    assert outside.read_text() == MAIN.replace("include: [extra.yaml]\n", "")


def test_project_methods_and_json(proj):
    change = proj.rename_code("logic.professional", "logic.prof")
    assert json.loads(json.dumps(change.to_dict()))["memos"] == 1
    assert proj.move_code("logic.prof", None).new == "prof"
    assert proj.merge_codes("prof", "logic.bureaucratic").kind == "merge"


def test_typology_follows_a_rename(proj):
    typology = write(
        proj.root / "codebooks" / "typ.yaml",
        textwrap.dedent(
            """\
            typology:
              id: t
              label: {nl: T, en: T}
              codebook: test.yaml   # the project codebook
            types:
              - id: marketeer
                label: {nl: M, en: M}
                features:
                  - code: logic.market.targets
                    weight: 2
                  - {code: logic.market, measure: share, within: logic}
                against: [logic.professional]
            """
        ),
    )
    toml = proj.root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager-typology.yaml", "codebooks/typ.yaml"))
    from qualcode.codebook.typology import validate_typology
    from qualcode.project import Project

    with Project.open(proj.root) as p:
        change = p.rename_code("logic.market", "logic.markt")
        assert "codebooks/typ.yaml" in change.files
        text = typology.read_text()
        assert "code: logic.markt.targets" in text and "{code: logic.markt, measure" in text
        assert "# the project codebook" in text
        assert not [i for i in validate_typology(typology) if i.severity == "error"]
        p.undo(change.run_id)
        assert "code: logic.market.targets" in typology.read_text()


def _span(p, code: str, coder: str) -> tuple[int, int]:
    row = next(r for r in p.coding_rows(coders=[coder]) if r["code"] == code)
    return row["start"], row["end"]
