"""Roll-up (``implies``), indicator context conditions and the new rule settings in the codebook format:
loading, validation with file:line:column, rendering (tree, md, csv/json), REFI QDC and YAML round trips."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import write as conftest_write

from qualcode.codebook import load_codebook
from qualcode.codebook.load import CodebookInvalid, read_codebook
from qualcode.codebook.render import codebook_rows, codebook_to_markdown, codebook_tree
from qualcode.refi.qdc import codebook_to_yaml, import_qdc, qdc_bytes

ROLLUP = """\
codebook:
  id: rollup
rules:
  topic_cap: 0.25
  negation_weight: 0.1
  foil_weight: 0.4
  compound_min_head: 6
  lemmatizer: both
  contrast:
    - {phrase: maar, scope: before}
    - {phrase: "in plaats van", scope: after}
codes:
  - id: logic
    label: {nl: Logica, en: Logic}
    codable: false
    children:
      - id: professional
        label: {nl: Professioneel, en: Professional}
        definition: Eigen oordeel.
        indicators:
          - phrase: "als professional"
            weight: 0.5
            requires: [ik, "wij als"]
            unless: [{lemma: opleiding}]
            window: 4
          - {phrase: maatwerk, weight: 0.6, compound: false}
  - id: practice
    label: {nl: Praktijk, en: Practice}
    codable: false
    children:
      - id: tailoring
        label: {nl: Maatwerk, en: Tailoring}
        definition: Aanpak per klant.
        implies: [{code: logic.professional, weight: 0.7}]
      - id: coaching
        label: {nl: Coachen, en: Coaching}
        definition: Coachen.
        implies: [practice.tailoring]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    return conftest_write(tmp_path / name, text)


def test_implies_loads_with_weights_and_shorthand(tmp_path):
    cb = load_codebook(write(tmp_path, "r.yaml", ROLLUP))
    tail = cb["practice.tailoring"].implies
    assert [(i.code, i.weight) for i in tail] == [("logic.professional", 0.7)]
    assert [(i.code, i.weight) for i in cb["practice.coaching"].implies] == [("practice.tailoring", 1.0)]
    # chains multiply: coaching -> tailoring (1.0) -> professional (0.7)
    assert cb.rollup_targets("practice.coaching") == {"practice.tailoring": 1.0, "logic.professional": 0.7}
    assert cb.rollup_targets("logic.professional") == {}


def test_conditions_and_rule_settings_load(tmp_path):
    cb = load_codebook(write(tmp_path, "r.yaml", ROLLUP))
    ind = cb["logic.professional"].indicators[0]
    assert [c.value for c in ind.requires] == ["ik", "wij als"]
    assert [(c.kind, c.value) for c in ind.unless] == [("lemma", "opleiding")]
    assert ind.window == 4
    assert cb["logic.professional"].indicators[1].compound is False
    r = cb.rules
    assert (r.topic_cap, r.negation_weight, r.foil_weight, r.compound_min_head, r.lemmatizer) == (
        0.25, 0.1, 0.4, 6, "both")
    assert [(c.value, c.scope) for c in r.contrast] == [("maar", "before"), ("in plaats van", "after")]


def test_hash_of_a_codebook_without_the_new_keys_ignores_them(tmp_path):
    """Context keys enter the hash only when set, so old codebooks keep their indicators' meaning."""
    plain = load_codebook(write(tmp_path, "a.yaml", ROLLUP.replace("        implies: [practice.tailoring]\n", "")))
    again = load_codebook(write(tmp_path, "b.yaml", ROLLUP))
    assert plain.hash != again.hash
    semantic = plain["logic.professional"].indicators[1].semantic()
    assert semantic["compound"] is False and "requires" not in semantic


BAD = """\
codes:
  - id: logic
    label: {nl: L, en: L}
    codable: false
    children:
      - id: professional
        label: {nl: P, en: P}
        definition: d
        implies: [logic.proffesional]
      - id: a
        label: {nl: A, en: A}
        definition: d
        implies: [{code: logic.b, weight: 0.5}]
      - id: b
        label: {nl: B, en: B}
        definition: d
        implies: [{code: logic.c, weight: 1.5}, {code: logic.c}]
      - id: c
        label: {nl: C, en: C}
        definition: d
        implies: [logic.a, logic.c, {weight: 0.3}]
"""


def test_implies_validation_names_file_line_column(tmp_path):
    path = write(tmp_path, "bad.yaml", BAD)
    _, issues = read_codebook(path)
    found = [(i.line, i.column, i.message) for i in issues if i.severity == "error"]
    assert (9, 19, "'logic.professional' implies unknown code 'logic.proffesional'; did you mean "
                   "'logic.professional'?") in found
    assert (17, 43, "weight must be in (0, 1], not 1.5") in found
    assert (17, 49, "'logic.b' implies 'logic.c' twice") in found
    assert (21, 28, "'logic.c' implies itself") in found
    assert (21, 37, "an entry of implies of 'logic.c' has no code") in found
    cycle = [(line, col, m) for line, col, m in found if m.startswith("implies cycle")]
    assert cycle == [(21, 19, "implies cycle: logic.a -> logic.b -> logic.c -> logic.a")]
    assert all(i.file == str(path) for i in issues)
    with pytest.raises(CodebookInvalid):
        load_codebook(path)


def test_bad_rule_values_are_reported(tmp_path):
    path = write(tmp_path, "bad.yaml", """\
        rules:
          topic_cap: 1.5
          lemmatizer: stanza
          contrast: [{phrase: maar, scope: sentence}]
        codes:
          - id: a
            label: {nl: A, en: A}
            definition: d
            indicators:
              - {phrase: x, window: 3}
        """)
    _, issues = read_codebook(path)
    msgs = [(i.line, i.severity, i.message) for i in issues]
    assert (2, "error", "topic_cap must be in [0, 1], not 1.5") in msgs
    assert (3, "error", "lemmatizer must be one of lookup, simplemma, both, not 'stanza'") in msgs
    assert (4, "error", "scope must be one of before, after, not 'sentence'") in msgs
    assert (10, "warning", "'window' has no effect without requires or unless") in msgs


def test_show_displays_rollups_in_tree_markdown_and_rows(tmp_path):
    from rich.console import Console

    cb = load_codebook(write(tmp_path, "r.yaml", ROLLUP))
    console = Console(record=True, width=160)
    console.print(codebook_tree(cb))
    text = console.export_text()
    assert "practice.tailoring  Maatwerk  → logic.professional 0.7" in text
    assert "practice.coaching  Coachen  → practice.tailoring 1" in text
    md = codebook_to_markdown(cb)
    assert "**Telt ook als:** `logic.professional` (0.7)" in md
    assert "**Rolls up to:** `logic.professional` (0.7)" in codebook_to_markdown(cb, lang="en")
    rows = {r["id"]: r for r in codebook_rows(cb)}
    assert rows["practice.tailoring"]["implies"] == [{"code": "logic.professional", "weight": 0.7}]
    assert rows["logic.professional"]["implies"] == []


def test_cli_show_json_and_csv_carry_implies(tmp_path):
    from conftest import cli

    path = write(tmp_path, "r.yaml", ROLLUP)
    res = cli("codebook", "show", str(path), "--format", "json", cwd=tmp_path)
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert rows["practice.coaching"]["implies"] == [{"code": "practice.tailoring", "weight": 1.0}]
    res = cli("codebook", "show", str(path), "--format", "csv", cwd=tmp_path)
    assert "practice.tailoring,Maatwerk,ja,0,logic.professional 0.7" in res.stdout


def test_qdc_keeps_rollups_in_a_description_marker_and_reads_them_back(tmp_path):
    cb = load_codebook(write(tmp_path, "r.yaml", ROLLUP))
    xml = qdc_bytes(cb).decode("utf-8")
    assert "[implies: logic.professional 0.7]" in xml
    assert "[implies: practice.tailoring 1]" in xml
    out = tmp_path / "r.qdc"
    out.write_bytes(qdc_bytes(cb))
    back = import_qdc(out)
    assert [(i.code, i.weight) for i in back["practice.tailoring"].implies] == [("logic.professional", 0.7)]
    assert back["practice.tailoring"].definition == "Aanpak per klant."  # marker not left in the text


def test_qdc_import_drops_rollups_to_codes_another_tool_deleted(tmp_path):
    qdc = tmp_path / "x.qdc"
    qdc.write_text(textwrap.dedent("""\
        <?xml version="1.0" encoding="UTF-8"?>
        <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
          <Code guid="84e9716e-60e1-5268-8504-063cb9a50370" name="Maatwerk" isCodable="true">
            <Description>Per klant.

        [id: tailoring]
        [implies: gone.code 0.5, other 2, bad entry]</Description></Code>
          <Code guid="84e9716e-60e1-5268-8504-063cb9a50371" name="Other" isCodable="true"/>
        </Codes></CodeBook>
        """), encoding="utf-8")
    back = import_qdc(qdc)
    assert back["tailoring"].implies == []  # unknown target dropped; weight 2 and junk ignored


def test_yaml_export_round_trips_rollups_conditions_and_rules(tmp_path):
    cb = load_codebook(write(tmp_path, "r.yaml", ROLLUP))
    again = load_codebook(write(tmp_path, "out.yaml", codebook_to_yaml(cb)))
    assert again.hash == cb.hash
    assert again.rules.contrast[1].scope == "after"
    assert again["logic.professional"].indicators[0].window == 4
