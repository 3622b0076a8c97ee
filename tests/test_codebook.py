"""Codebook YAML: loading, validation messages (with exact positions), hash, rendering, diff."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from qualcode.codebook import (
    Codebook,
    CodebookInvalid,
    Indicator,
    load_codebook,
    validate_codebook,
)
from qualcode.codebook.diff import diff_codebooks, to_rows
from qualcode.codebook.render import codebook_rows, codebook_to_markdown, codebook_tree
from qualcode.errors import InputError, ProblemFound
from qualcode.refi.qdc import codebook_to_yaml

GOOD = """\
codebook:
  id: mini
  title: Mini codeboek
  version: "1.0"
  language: nl
rules:
  reason_window: 5
codes:
  - id: logic
    label: {nl: Institutionele logica, en: Institutional logic}
    codable: false
    children:
      - id: bureaucratic
        label: {nl: Bureaucratische logica, en: Bureaucratic logic}
        definition: >
          Werken volgens regels en protocollen.
        include: [sanctie als straf]
        exclude: sanctie als onderdeel van de behandeling
        examples: ["Dat moet gewoon, zo staat het in de wet."]
        color: "#4E79A7"
        indicators:
          - regels
          - {phrase: "de wet zegt", weight: 0.8}
          - {lemma: handhaven, weight: 0.4, reason: false}
          - pattern: [{LOWER: geen}, {LEMMA: tijd}]
            name: geen-tijd
        blockers:
          - klantmanager*
          - {phrase: als middel, scope: sentence}
      - id: logic.market
        label: {nl: Marktlogica, en: Market logic}
        definition: Cijfers en targets.
  - id: logics
    label: {nl: Andere, en: Other}
    definition: Om prefix-matching te testen.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def messages(issues) -> list[tuple[int | None, int | None, str, str]]:
    return [(i.line, i.column, i.severity, i.message) for i in issues]


def only(issues, severity: str = "error"):
    found = [i for i in issues if i.severity == severity]
    assert len(found) == 1, [str(i) for i in issues]
    return found[0]


# -- loading ------------------------------------------------------------------------------


def test_ids_from_nesting_and_explicit_dotted_ids(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    assert list(cb.codes) == ["logic", "logic.bureaucratic", "logic.market", "logics"]
    bur = cb["logic.bureaucratic"]
    assert (bur.segment, bur.parent, bur.line) == ("bureaucratic", "logic", 13)
    assert cb["logic.market"].parent == "logic"
    assert cb["logic"].codable is False
    assert bur.color == "#4e79a7"
    assert bur.definition == "Werken volgens regels en protocollen."
    assert bur.exclude == ["sanctie als onderdeel van de behandeling"]
    assert (cb.id, cb.title, cb.version, cb.rules.reason_window, cb.rules.reason_boost) == (
        "mini",
        "Mini codeboek",
        "1.0",
        5,
        1.5,
    )


def test_tree_helpers(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    assert [c.id for c in cb.roots()] == ["logic", "logics"]
    assert [c.id for c in cb.children("logic")] == ["logic.bureaucratic", "logic.market"]
    assert [c.id for c in cb.descendants("logic")] == ["logic", "logic.bureaucratic", "logic.market"]
    assert [c.id for c in cb.descendants("logics")] == ["logics"]
    assert [c.id for c in cb.ancestors("logic.market")] == ["logic"]
    assert cb.label_of("logic.market", "en") == "Market logic"
    assert cb.label_of("logic.market") == "Marktlogica"
    assert cb.label_of("nope") == "nope"


def test_plain_string_indicator_shorthand(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    inds = cb["logic.bureaucratic"].indicators
    assert (inds[0].kind, inds[0].value, inds[0].weight, inds[0].reason) == ("phrase", "regels", 0.5, True)
    assert (inds[1].value, inds[1].weight) == ("de wet zegt", 0.8)
    assert (inds[2].kind, inds[2].reason) == ("lemma", False)
    assert inds[3].kind == "pattern" and inds[3].value == [{"LOWER": "geen"}, {"LEMMA": "tijd"}]
    assert inds[3].evidence == "geen-tijd"
    blockers = cb["logic.bureaucratic"].blockers
    assert [(b.kind, b.value, b.scope) for b in blockers] == [
        ("phrase", "klantmanager*", "token"),
        ("phrase", "als middel", "sentence"),
    ]


def test_valid_codebook_has_no_issues(tmp_path):
    assert validate_codebook(write(tmp_path, "mini.yaml", GOOD)) == []


# -- validator messages, with positions ---------------------------------------------------


def test_duplicate_id_names_both_locations(tmp_path):
    path = write(
        tmp_path,
        "dup.yaml",
        """\
        codes:
          - id: logic
            label: {nl: Logica, en: Logic}
            definition: a
          - id: logic
            label: {nl: Logica, en: Logic}
            definition: b
        """,
    )
    issue = only(validate_codebook(path))
    assert (issue.file, issue.line, issue.column) == (str(path), 5, 9)
    assert issue.message == f"duplicate code id 'logic' (first defined at {path}:2:9)"


def test_duplicate_id_across_an_include(tmp_path):
    write(tmp_path, "extra.yaml", "codes:\n  - id: logic.x\n    label: {nl: X, en: X}\n    definition: x\n")
    path = write(
        tmp_path,
        "main.yaml",
        """\
        include: [extra.yaml]
        codes:
          - id: logic
            label: {nl: L, en: L}
            definition: l
            children:
              - id: x
                label: {nl: X, en: X}
                definition: x
        """,
    )
    issue = only(validate_codebook(path))
    assert (issue.file, issue.line, issue.column) == (str(tmp_path / "extra.yaml"), 2, 9)
    assert f"first defined at {path}:7:13" in issue.message


def test_unknown_key(tmp_path):
    path = write(
        tmp_path,
        "unk.yaml",
        """\
        codes:
          - id: logic
            lable: {nl: Logica, en: Logic}
            label: {nl: Logica, en: Logic}
            definition: a
        """,
    )
    issue = only(validate_codebook(path))
    assert (issue.line, issue.column) == (3, 5)
    assert issue.message == "unknown key 'lable' in code 'logic'; did you mean 'label'?"


def test_unknown_top_level_and_indicator_keys(tmp_path):
    path = write(
        tmp_path,
        "unk.yaml",
        """\
        kodes: []
        codes:
          - id: a
            label: {nl: A, en: A}
            definition: a
            indicators:
              - {phrase: x, wieght: 0.4}
        """,
    )
    issues = validate_codebook(path)
    assert messages(issues) == [
        (1, 1, "error", "unknown key 'kodes' at the top level; did you mean 'codes'?"),
        (7, 21, "error", "unknown key 'wieght' in the indicators of 'a'; did you mean 'weight'?"),
    ]


def test_missing_definition(tmp_path):
    path = write(
        tmp_path,
        "def.yaml",
        """\
        codes:
          - id: logic
            label: {nl: Logica, en: Logic}
            codable: false
            children:
              - id: market
                label: {nl: Markt, en: Market}
        """,
    )
    issue = only(validate_codebook(path))
    assert (issue.line, issue.column) == (6, 9)
    assert issue.message == "code 'logic.market' has no definition (required for a codable code)"


def test_bad_pattern(tmp_path):
    path = write(
        tmp_path,
        "pat.yaml",
        """\
        codes:
          - id: coping
            label: {nl: Coping, en: Coping}
            definition: a
            indicators:
              - phrase: geen tijd
              - pattern: [{LOWR: geen}, {LEMMA: tijd}]
        """,
    )
    issue = only(validate_codebook(path))
    assert (issue.line, issue.column) == (7, 9)
    assert issue.message.startswith("invalid spaCy Matcher pattern in coping: token 0, LOWR")
    # load_codebook skips spaCy unless asked
    load_codebook(path)
    with pytest.raises(CodebookInvalid):
        load_codebook(path, check_patterns=True)


def test_pattern_must_be_a_list_of_mappings(tmp_path):
    path = write(
        tmp_path,
        "pat.yaml",
        """\
        codes:
          - id: coping
            label: {nl: Coping, en: Coping}
            definition: a
            indicators:
              - pattern: geen tijd
        """,
    )
    issue = only(validate_codebook(path))
    assert (issue.line, issue.column) == (6, 18)
    assert "non-empty list of token mappings" in issue.message


def test_include_cycle_names_the_chain(tmp_path):
    write(tmp_path, "a.yaml", "include: [b.yaml]\ncodes: []\n")
    write(tmp_path, "b.yaml", "codes: []\ninclude:\n  - c.yaml\n")
    write(tmp_path, "c.yaml", "include: [a.yaml]\ncodes: []\n")
    with pytest.raises(InputError) as err:
        validate_codebook(tmp_path / "a.yaml")
    e = err.value
    assert e.exit_code == 2
    a, b, c = (str(tmp_path / n) for n in ("a.yaml", "b.yaml", "c.yaml"))
    assert e.message == f"include cycle: {a} -> {b} -> {c} -> {a}"
    assert (str(e.location.file), e.location.line, e.location.column) == (c, 1, 11)


def test_self_include_is_a_cycle(tmp_path):
    write(tmp_path, "a.yaml", "codes: []\ninclude: a.yaml\n")
    with pytest.raises(InputError, match="include cycle: .*a.yaml -> .*a.yaml"):
        load_codebook(tmp_path / "a.yaml")


def test_missing_include(tmp_path):
    path = write(tmp_path, "main.yaml", "codes: []\ninclude:\n  - stance.yaml\n")
    with pytest.raises(InputError) as err:
        validate_codebook(path)
    e = err.value
    assert (str(e.location.file), e.location.line, e.location.column) == (str(path), 3, 5)
    assert e.message.startswith("included file not found: stance.yaml")
    assert str(e).startswith(f"{path}:3:5: included file not found")


def test_yaml_syntax_error(tmp_path):
    path = write(
        tmp_path,
        "syn.yaml",
        """\
        codes:
          - id: logic
            label: {nl: Logica, en: Logic
            definition: a
        """,
    )
    with pytest.raises(InputError) as err:
        validate_codebook(path)
    e = err.value
    assert e.exit_code == 2
    assert (e.location.line, e.location.column) == (4, 15)
    assert e.message.startswith("YAML syntax error: ")


def test_not_a_mapping_and_empty_file(tmp_path):
    with pytest.raises(InputError, match="must be a mapping"):
        load_codebook(write(tmp_path, "list.yaml", "- id: a\n"))
    with pytest.raises(InputError, match="empty"):
        load_codebook(write(tmp_path, "empty.yaml", "# nothing\n"))
    with pytest.raises(InputError, match="file not found"):
        load_codebook(tmp_path / "nope.yaml")


def test_collects_all_other_issues(tmp_path):
    path = write(
        tmp_path,
        "many.yaml",
        """\
        codes:
          - id: Logic
            label: Logica
            definition: a
            color: "blue"
            indicators:
              - {phrase: regels, weight: 1.5}
              - {phrase: "   "}
              - {regex: "regel.*"}
              - {phrase: a, lemma: b}
              - {phrase: "uit*stroom"}
              - 42
          - id: b
            label: {nl: B}
            definition: b
            color: #ff0000
            blockers:
              - {phrase: x, scope: paragraph, weight: 0.3}
        """,
    )
    assert messages(validate_codebook(path)) == [
        (2, 9, "error", "bad id segment 'Logic' in 'Logic': segments are lower-case letters, digits and _, "
         "starting with a letter"),
        (3, 12, "warning", "label of code 'Logic' is a plain string; it is used for both nl and en"),
        (5, 12, "error", "bad color 'blue': use #rrggbb, e.g. \"#4e79a7\""),
        (7, 34, "error", "weight must be in (0, 1], not 1.5"),
        (8, 18, "error", "empty phrase in the indicators of 'Logic'"),
        (9, 9, "error", "unknown indicator form in the indicators of 'Logic': expected phrase, lemma or "
         "pattern (keys: regex)"),
        (10, 9, "error", "an entry of the indicators of 'Logic' has one of phrase, lemma or pattern, "
         "not phrase and lemma"),
        (11, 18, "error", "bad phrase 'uit*stroom' in the indicators of 'Logic': '*' may only end a token "
         "(a prefix such as uitstroom*)"),
        (14, 12, "error", "label of code 'b' has no 'en'"),
        (16, 5, "error", "color is empty; quote it (\"#4e79a7\"): an unquoted # starts a YAML comment"),
        (18, 28, "error", "scope must be one of token, sentence, not 'paragraph'"),
        (18, 39, "warning", "'weight' has no effect on a blocker"),
    ]


def test_number_as_phrase_is_taken_as_written(tmp_path):
    path = write(
        tmp_path,
        "num.yaml",
        "codes:\n  - id: a\n    label: {nl: A, en: 'No'}\n    definition: a\n    indicators: [300 klanten, 200]\n",
    )
    cb = load_codebook(path)
    assert [i.value for i in cb["a"].indicators] == ["300 klanten", "200"]
    assert cb["a"].label.en == "No"


def test_dotted_id_must_fit_its_parent_and_parent_must_exist(tmp_path):
    path = write(
        tmp_path,
        "fit.yaml",
        """\
        codes:
          - id: logic
            label: {nl: L, en: L}
            definition: l
            children:
              - id: discretion.coping
                label: {nl: C, en: C}
                definition: c
          - id: role.coach
            label: {nl: R, en: R}
            definition: r
        """,
    )
    issues = validate_codebook(path)
    assert messages(issues) == [
        (6, 13, "error", "id 'discretion.coping' does not fit under its parent 'logic' "
         "(expected 'logic.coping' or just 'coping')"),
        (9, 9, "error", "parent 'role' of 'role.coach' is not defined"),
    ]


def test_load_codebook_raises_problem_found_with_all_errors(tmp_path):
    path = write(
        tmp_path,
        "bad.yaml",
        "codes:\n  - id: a\n    label: {nl: A, en: A}\n  - id: b\n    label: B\n    definition: b\n    foo: 1\n",
    )
    with pytest.raises(ProblemFound) as err:
        load_codebook(path)
    e = err.value
    assert e.exit_code == 1
    assert [(i.line, i.severity) for i in e.issues] == [(2, "error"), (7, "error")]
    assert "invalid codebook (2 errors)" in str(e)
    assert f"{path}:7:5: error: unknown key 'foo'" in str(e)


# -- includes ------------------------------------------------------------------------------


def test_include_merges_codes_rules_and_attaches_to_parents(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    write(
        sub,
        "stance.yaml",
        """\
        codebook: {id: ignored, title: Ignored}
        rules: {reason_window: 3, stance_window: 4}
        codes:
          - id: stance
            label: {nl: Houding, en: Stance}
            codable: false
            children:
              - id: rejects
                label: {nl: Verwerpt, en: Rejects}
                definition: Wijst af.
          - id: logic.extra
            label: {nl: Extra, en: Extra}
            definition: Hangt onder logic uit het hoofdbestand.
        """,
    )
    main = write(
        tmp_path,
        "main.yaml",
        """\
        codebook: {id: main}
        include: [sub/stance.yaml]
        rules: {reason_window: 9}
        codes:
          - id: logic
            label: {nl: L, en: L}
            codable: false
          - id: role
            label: {nl: Rol, en: Role}
            codable: false
        """,
    )
    cb = load_codebook(main)
    assert cb.id == "main"
    assert list(cb.codes) == ["logic", "logic.extra", "role", "stance", "stance.rejects"]
    assert (cb.rules.reason_window, cb.rules.stance_window) == (9, 4)
    assert cb.files == [str(main), str(tmp_path / "sub" / "stance.yaml")]
    assert cb["stance.rejects"].source_file == str(tmp_path / "sub" / "stance.yaml")


def test_diamond_include_is_merged_once(tmp_path):
    write(tmp_path, "shared.yaml", "codes:\n  - id: s\n    label: {nl: S, en: S}\n    definition: s\n")
    write(tmp_path, "b.yaml", "include: [shared.yaml]\ncodes: []\n")
    main = write(tmp_path, "main.yaml", "include: [b.yaml, shared.yaml]\ncodes: []\n")
    assert validate_codebook(main) == []
    assert list(load_codebook(main).codes) == ["s"]


# -- hash and serialisation ------------------------------------------------------------------


def test_hash_stable_under_comments_and_whitespace(tmp_path):
    a = load_codebook(write(tmp_path, "a.yaml", GOOD))
    reformatted = "# a comment\n\n" + GOOD.replace("codes:\n", "codes:   # the tree\n\n").replace(
        "definition: Cijfers en targets.", "definition:   'Cijfers en targets.'   # quoted"
    )
    b = load_codebook(write(tmp_path, "b.yaml", reformatted))
    assert a.hash == b.hash
    assert len(a.hash) == 64
    # the path, line numbers and colours are not part of it
    c = load_codebook(write(tmp_path, "c.yaml", GOOD.replace('"#4E79A7"', '"#000000"')))
    assert c.hash == a.hash


def test_hash_changes_when_a_definition_changes(tmp_path):
    a = load_codebook(write(tmp_path, "a.yaml", GOOD))
    b = load_codebook(write(tmp_path, "b.yaml", GOOD.replace("Cijfers en targets.", "Cijfers, targets.")))
    assert a.hash != b.hash
    c = load_codebook(write(tmp_path, "c.yaml", GOOD.replace("weight: 0.8", "weight: 0.7")))
    assert c.hash not in (a.hash, b.hash)


def test_to_dict_round_trips_through_json(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    data = json.loads(json.dumps(cb.to_dict()))
    again = Codebook.from_dict(data)
    assert again == cb
    assert again.hash == cb.hash == data["hash"]
    assert list(again.codes) == list(cb.codes)


def test_codebook_to_yaml_reloads_to_the_same_hash(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    path = write(tmp_path, "out.yaml", codebook_to_yaml(cb, header="Written by a test"))
    assert path.read_text().startswith("# Written by a test\n")
    again = load_codebook(path)
    assert again.hash == cb.hash
    assert list(again.codes) == list(cb.codes)
    assert again.rules.reason_window == 5


def test_indicator_from_dict():
    ind = Indicator("phrase", "regels", 0.7, line=3)
    assert Indicator.from_dict(ind.to_dict()) == ind


# -- rendering ----------------------------------------------------------------------------------


def test_markdown_appendix(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    md = codebook_to_markdown(cb, counts={"logic.bureaucratic": 12})
    assert md.startswith("# Codeboek: Mini codeboek\n")
    assert "\n## Institutionele logica (Institutional logic)\n" in md
    assert "\n### Bureaucratische logica (Bureaucratic logic)\n" in md
    assert "`logic.bureaucratic` — Coderingen: 12" in md
    assert "**Definitie.** Werken volgens regels en protocollen." in md
    assert "**Toepassen als:**\n\n- sanctie als straf" in md
    assert "**Niet toepassen als:**\n\n- sanctie als onderdeel van de behandeling" in md
    assert "> Dat moet gewoon, zo staat het in de wet." in md
    en = codebook_to_markdown(cb, lang="en", prefix="logic.market")
    assert "## Market logic (Marktlogica)" in en and "Bureaucratic" not in en


def test_rows_and_tree(tmp_path):
    cb = load_codebook(write(tmp_path, "mini.yaml", GOOD))
    rows = codebook_rows(cb, prefix="logic", counts={"logic.bureaucratic": 3, "logic.market": 1})
    assert [(r["id"], r["depth"], r["count"], r["count_total"]) for r in rows] == [
        ("logic", 0, 0, 4),
        ("logic.bureaucratic", 1, 3, 3),
        ("logic.market", 1, 1, 1),
    ]
    assert rows[1]["indicators"] == 4 and rows[1]["label_en"] == "Bureaucratic logic"
    assert codebook_rows(cb)[0]["count"] is None
    with pytest.raises(InputError, match="no code matches 'nope'"):
        codebook_rows(cb, prefix="nope")

    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(codebook_tree(cb, counts={"logic.market": 2}))
    text = console.export_text()
    assert "logic.market  Marktlogica  2" in text
    assert "logic  Institutionele logica  0 (Σ 2)" in text


# -- diff ----------------------------------------------------------------------------------------


def test_diff_reports_added_removed_renamed_moved_and_changed(tmp_path):
    a = load_codebook(write(tmp_path, "a.yaml", GOOD))
    b_text = (
        GOOD.replace("- id: logic.market", "- id: logic.markets")  # renamed, same definition
        .replace("Werken volgens regels en protocollen.", "Werken volgens de regels.")
        .replace("  - id: logics\n", "  - id: other\n")  # renamed
        + "  - id: role\n    label: {nl: Rol, en: Role}\n    definition: Rol.\n"
    )
    b = load_codebook(write(tmp_path, "b.yaml", b_text))
    changes = diff_codebooks(a, b)
    kinds = [(c.kind, c.code, c.new_code, c.field) for c in changes]
    assert kinds == [
        ("added", "role", None, None),
        ("renamed", "logic.market", "logic.markets", None),
        ("renamed", "logics", "other", None),
        ("changed", "logic.bureaucratic", None, "definition"),
    ]
    rows = to_rows(changes)
    assert rows[3]["old"] == "Werken volgens regels en protocollen."
    assert diff_codebooks(a, a) == []


def test_diff_moved_code_and_indicator_change(tmp_path):
    a = load_codebook(write(tmp_path, "a.yaml", GOOD))
    market = "      - id: logic.market\n        label: {nl: Marktlogica, en: Market logic}\n" \
        "        definition: Cijfers en targets.\n"
    assert market in GOOD
    moved = GOOD.replace(market, "").replace("weight: 0.8", "weight: 0.9") + (
        "    children:\n" + market.replace("logic.market", "market")
    )
    b = load_codebook(write(tmp_path, "b.yaml", moved))
    assert "logics.market" in b
    changes = diff_codebooks(a, b)
    kinds = [(c.kind, c.code, c.new_code, c.field, c.old, c.new) for c in changes]
    assert kinds[0] == ("moved", "logic.market", "logics.market", "parent", "logic", "logics")
    assert kinds[1][:4] == ("changed", "logic.bureaucratic", None, "indicators")
    assert len(kinds) == 2


def test_requires_must_name_known_codes(tmp_path):
    from qualcode.codebook import validate_codebook

    p = tmp_path / "cb.yaml"
    p.write_text(
        "codes:\n"
        "  - id: a\n    label: A\n    definition: d\n    requires: [b]\n"
        "  - id: c\n    label: C\n    definition: d\n    requires: [nope]\n"
        "  - id: b\n    label: B\n    definition: d\n",
        encoding="utf-8",
    )
    issues = [i for i in validate_codebook(p) if i.severity == "error"]
    assert [(i.line, i.message) for i in issues] == [(9, "'c' requires unknown code 'nope'")]
