"""``qualcode evaluate --gold``: an engine run on labelled texts (or fragments) and scored per code
and family, with the majority and all-siblings baselines, top-1, calibration and a verdict.

Figures are checked against hand counts (written out next to each case) and, per code, against
scikit-learn's ``precision_recall_fscore_support``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import CODEBOOK, cli, write

from qualcode.codebook import load_codebook
from qualcode.errors import InputError
from qualcode.recordfiles import select_split
from qualcode.suggest import engines
from qualcode.suggest.gold import (
    GoldItem,
    evaluate_gold_file,
    evaluated_codes,
    gold_metrics,
    gold_texts,
    read_gold,
)
from qualcode.suggest.rules import Suggestion

ROOT = Path(__file__).resolve().parent.parent
B, P, M = "logic.bureaucratic", "logic.professional", "logic.market"


# -- the figures by hand ------------------------------------------------------------------------
# Six items over the three logics, threshold 0.5:
#   1 labels {B}     scores B .8, P .3        top-1 right (B)
#   2 labels {B, P}  scores P .6              two labels: no top-1
#   3 labels {P}     scores P .7, M .7        tie for first: half a point
#   4 labels {M}     scores B .55             wrong
#   5 labels {}      scores M .9              no label: no top-1
#   6 labels {P}     no scores                wrong, not answered
LABELS = [{B}, {B, P}, {P}, {M}, set(), {P}]
SCORES = [{B: 0.8, P: 0.3}, {P: 0.6}, {P: 0.7, M: 0.7}, {B: 0.55}, {M: 0.9}, {}]


@pytest.fixture(scope="module")
def figures():
    return gold_metrics(LABELS, SCORES, [B, P, M], min_score=0.5, bootstrap=0)


def test_per_code_figures_by_hand(figures):
    rows = {r["code"]: r for r in figures["codes"]}
    # B: suggested on 1 and 4, labelled on 1 and 2
    assert {k: rows[B][k] for k in ("support", "predicted", "tp", "fp", "fn")} == {
        "support": 2, "predicted": 2, "tp": 1, "fp": 1, "fn": 1}
    assert (rows[B]["precision"], rows[B]["recall"], rows[B]["f1"]) == (0.5, 0.5, 0.5)
    # P: suggested on 2 and 3 (.3 on item 1 is below the threshold), labelled on 2, 3, 6
    assert (rows[P]["tp"], rows[P]["fp"], rows[P]["fn"]) == (2, 0, 1)
    assert (rows[P]["precision"], rows[P]["recall"], rows[P]["f1"]) == (1.0, 0.6667, 0.8)
    # M: suggested on 3 and 5, labelled on 4
    assert (rows[M]["tp"], rows[M]["fp"], rows[M]["fn"]) == (0, 2, 1)
    assert (rows[M]["precision"], rows[M]["recall"], rows[M]["f1"]) == (0.0, 0.0, 0.0)
    fam = figures["families"][0]
    assert fam["family"] == "logic" and fam["codes"] == [B, P, M] and fam["labelled"] == 5
    assert fam["macro_f1"] == round((0.5 + 0.8 + 0.0) / 3, 4)
    assert figures["overall"]["macro_f1"] == fam["macro_f1"]


def test_baselines_by_hand(figures):
    rows = {r["code"]: r for r in figures["codes"]}
    # majority: P (3 of 6 items) suggested on every item
    assert rows[P]["majority"] == {"precision": 0.5, "recall": 1.0, "f1": round(6 / 9, 4)}
    assert rows[B]["majority"] == {"precision": None, "recall": 0.0, "f1": 0.0}
    assert rows[M]["majority"] == {"precision": None, "recall": 0.0, "f1": 0.0}
    # all-siblings: every logic on every item; F1 = 2 * support / (support + items)
    assert rows[B]["all_siblings"] == {"precision": round(2 / 6, 4), "recall": 1.0, "f1": 0.5}
    assert rows[P]["all_siblings"]["f1"] == round(6 / 9, 4)
    assert rows[M]["all_siblings"] == {"precision": round(1 / 6, 4), "recall": 1.0, "f1": round(2 / 7, 4)}
    fam = figures["families"][0]
    assert fam["majority"] == {"code": P, "macro_f1": round((6 / 9) / 3, 4), "top1": 0.5}
    assert fam["all_siblings"] == {"macro_f1": round((0.5 + 6 / 9 + 2 / 7) / 3, 4), "top1": round(1 / 3, 4)}
    assert figures["overall"]["all_siblings_macro_f1"] == fam["all_siblings"]["macro_f1"]


def test_top1_by_hand(figures):
    fam = figures["families"][0]
    # single-label items 1, 3, 4, 6: 1 + 0.5 + 0 + 0; the majority label P is right on 3 and 6
    assert fam["top1"] == {"items": 4, "correct": 1.5, "accuracy": 0.375, "answered": 3}
    assert fam["random_top1"] == round(1 / 3, 4)
    assert fam["majority"]["top1"] == 0.5


def test_calibration_by_hand(figures):
    cal = figures["calibration"]
    assert [(b["bin"], b["pairs"], b["mean_score"], b["precision"]) for b in cal["bins"]] == [
        ("0.3-0.4", 1, 0.3, 0.0),    # P on item 1
        ("0.5-0.6", 1, 0.55, 0.0),   # B on item 4
        ("0.6-0.7", 1, 0.6, 1.0),    # P on item 2
        ("0.7-0.8", 2, 0.7, 0.5),    # P and M on item 3
        ("0.8-0.9", 1, 0.8, 1.0),    # B on item 1
        ("0.9-1.0", 1, 0.9, 0.0),    # M on item 5
    ]
    # 18 pairs, 7 scored; the 6 labelled pairs less the 3 scored ones are missed
    assert cal["scored_pairs"] == 7
    assert cal["unscored"] == {"pairs": 11, "positives": 3, "positive_share": round(3 / 11, 4)}
    assert cal["ece"] == round((0.3 + 0.55 + 0.4 + 2 * 0.2 + 0.2 + 0.9) / 7, 4)


def test_score_one_falls_in_the_last_bin():
    cal = gold_metrics([{B}], [{B: 1.0}], [B], bootstrap=0)["calibration"]
    assert [(b["bin"], b["pairs"]) for b in cal["bins"]] == [("0.9-1.0", 1)]


def test_per_code_figures_match_scikit_learn():
    from sklearn.metrics import precision_recall_fscore_support

    rng = random.Random(3)
    codes = [B, P, M]
    labels = [{c for c in codes if rng.random() < 0.4} for _ in range(200)]
    scores = [{c: round(rng.random(), 2) for c in codes if rng.random() < 0.6} for _ in range(200)]
    rows = gold_metrics(labels, scores, codes, min_score=0.4, bootstrap=0)["codes"]
    y_true = [[c in ls for c in codes] for ls in labels]
    y_pred = [[sc.get(c, 0) >= 0.4 for c in codes] for sc in scores]
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    for j, row in enumerate(rows):
        assert row["support"] == support[j]
        assert row["precision"] == pytest.approx(p[j], abs=1e-4)
        assert row["recall"] == pytest.approx(r[j], abs=1e-4)
        assert row["f1"] == pytest.approx(f[j], abs=1e-4)


def test_roll_up_child_labels_and_suggestions_count_for_the_parent():
    cb = load_codebook(ROOT / "codebooks" / "klantmanager.yaml")
    coping, rationing, bending = "discretion.coping", "discretion.coping.rationing", "discretion.coping.rule_bending"
    labels = [{rationing}, {bending}, set()]
    # a gold file that names children only still evaluates the parent they imply; `discretion` is a
    # grouping node and is implied by nothing
    codes = evaluated_codes(labels, cb)
    assert codes == [coping, bending, rationing]
    scores = [{rationing: 0.6}, {coping: 0.4, rationing: 0.5}, {}]
    rows = {r["code"]: r for r in gold_metrics(labels, scores, codes, min_score=0.35, bootstrap=0)["codes"]}
    # parent: suggested on 1 (child .6) and 2 (max of .4 and .5), labelled on 1 and 2 through the children
    assert (rows[coping]["tp"], rows[coping]["fp"], rows[coping]["fn"]) == (2, 0, 0)
    assert (rows[rationing]["tp"], rows[rationing]["fp"], rows[rationing]["fn"]) == (1, 1, 0)
    assert (rows[bending]["tp"], rows[bending]["fn"]) == (0, 1)
    assert [f["family"] for f in gold_metrics(labels, scores, codes, bootstrap=0)["families"]] == [
        "discretion", "discretion.coping"]


def test_verdicts_say_whether_the_engine_beats_guessing():
    rng = random.Random(5)
    labels = [{rng.choice([B, P, M])} for _ in range(120)]
    perfect = [{next(iter(ls)): 0.9} for ls in labels]
    fam = gold_metrics(labels, perfect, [B, P, M])["families"][0]
    assert fam["macro_f1"] == 1.0 and fam["comparison"]["baseline"] == "all_siblings"
    assert fam["comparison"]["low"] > 0.3
    assert fam["verdict"].startswith("logic: macro-F1 1.00 vs ")
    assert ": beats the all-siblings baseline by +" in fam["verdict"]
    assert "better than guessing" in fam["verdict"] and "NOT better" not in fam["verdict"]
    # every logic on every item: exactly the all-siblings baseline
    everything = [{B: 0.5, P: 0.5, M: 0.5} for _ in labels]
    fam = gold_metrics(labels, everything, [B, P, M])["families"][0]
    assert fam["comparison"]["difference"] == 0.0
    assert "does NOT beat the all-siblings baseline (+0.00)" in fam["verdict"]
    assert "top-1 0.33" in fam["verdict"] and "NOT better than guessing" in fam["verdict"]
    # right on a third of the items only: a positive difference this small is not sold as a win
    some = [{next(iter(ls)): 0.9} if i % 9 == 0 else {} for i, ls in enumerate(labels)]
    one = gold_metrics(labels[:30], some[:30], [B, P, M])["families"][0]
    assert one["comparison"]["low"] is not None
    assert "does NOT beat" in one["verdict"] or "does not clearly beat" in one["verdict"]


# -- reading gold files ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def codebook(tmp_path_factory):
    return load_codebook(write(tmp_path_factory.mktemp("cb") / "test.yaml", CODEBOOK))


def test_read_csv_labels_as_list_or_separated(tmp_path, codebook):
    path = write(tmp_path / "gold.csv", """\
        id,text,labels,split
        a,"De wet zegt het, dus.","logic.bureaucratic; logic.professional",dev
        b,Elke klant is anders.,"[""logic.professional""]",heldout
        c,Zomaar een zin.,,dev
        d,"Targets, regels","logic.market,logic.bureaucratic",heldout
    """)
    items = read_gold(path, codebook)
    assert [(it.id, it.line, it.labels, it.split) for it in items] == [
        ("a", 2, [B, P], "dev"), ("b", 3, [P], "heldout"), ("c", 4, [], "dev"), ("d", 5, [M, B], "heldout")]
    assert items[0].text == "De wet zegt het, dus." and items[0].fragment is None
    assert [it.id for it in select_split(items, "heldout", path)] == ["b", "d"]
    assert len(select_split(items, "all", path)) == 4


def test_read_semicolon_csv_and_jsonl(tmp_path, codebook):
    path = write(tmp_path / "excel.csv", """\
        text;labels
        "Ik kijk per klant; wat past";logic.professional
    """)
    [item] = read_gold(path, codebook)
    assert (item.id, item.text, item.labels) == ("line 2", "Ik kijk per klant; wat past", [P])
    path = write(tmp_path / "gold.jsonl", """\
        {"text": "De wet zegt het.", "labels": ["logic.bureaucratic"]}

        {"fragment": "T01_g1:2", "labels": "logic.bureaucratic;logic.market", "split": "dev"}
    """)
    items = read_gold(path, codebook)
    assert [(it.line, it.text, it.fragment, it.labels) for it in items] == [
        (1, "De wet zegt het.", None, [B]), (3, None, "T01_g1:2", [B, M])]


@pytest.mark.parametrize("name,content,message", [
    ("nolabels.csv", "text,code\nDe wet.,logic.market\n", "nolabels.csv:1: missing column 'labels' (columns: text, code)"),
    ("notext.csv", "id,labels\na,logic.market\n", "notext.csv:1: missing column 'text' or 'fragment'"),
    ("unknown.csv", "text,labels\nDe wet.,logic.market\nOk.,logic.markt\n",
     "unknown.csv:3: unknown code 'logic.markt'; did you mean logic.market"),
    ("empty.csv", "text,labels\n   ,logic.market\n", "empty.csv:2: empty item: give a 'text' or a 'fragment' id"),
    ("cells.csv", "text,labels\nDe wet, zegt het,logic.market\n", "cells.csv:2: 3 cells but the header has 2"),
    ("bad.jsonl", '{"text": "a", "labels": []}\n{"text": "b", "labels": [}\n', "bad.jsonl:2: not valid JSON"),
    ("nolabels.jsonl", '{"text": "a"}\n', "nolabels.jsonl:1: missing column 'labels'"),
    ("type.jsonl", '{"text": "a", "labels": 3}\n', "type.jsonl:1: labels must be a list of code ids"),
    ("dupe.csv", "id,text,labels\nx,a,\nx,b,\n", "dupe.csv:3: duplicate id 'x' (first on line 2)"),
    ("header.csv", "text,labels\n", "header.csv: no items"),
    ("huge.csv", "text,labels\nkort,\n\"" + "x" * 200_000 + "\",logic.market\n",
     "huge.csv:3: unreadable CSV: field larger than field limit"),
])
def test_bad_gold_files_name_file_and_line(tmp_path, codebook, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_gold(path, codebook)
    assert str(exc.value).startswith(str(tmp_path / message.split(":")[0]))
    assert str(exc.value).replace(str(tmp_path) + "/", "").startswith(message)


def test_split_and_fragment_problems(tmp_path, codebook):
    path = write(tmp_path / "g.csv", "fragment,labels\nT01_g1:2,logic.market\n")
    items = read_gold(path, codebook)
    with pytest.raises(InputError, match="no 'split' column"):
        select_split(items, "dev", path)
    with pytest.raises(InputError, match=r"g\.csv:2: fragment 'T01_g1:2': fragment ids need a project"):
        gold_texts(items, None, path)
    with pytest.raises(InputError, match=r"g\.csv:2: unknown fragment 'T01_g1:2' in this project"):
        gold_texts(items, lambda fid: None, path)
    items = [GoldItem(2, "a", [], text="x", split="dev")]
    with pytest.raises(InputError, match=r"--split heldout: no item has that split \(splits in the file: dev\)"):
        select_split(items, "heldout", path)


# -- running an engine: a small engine of the tests' own, registered by name ---------------------------
class KeywordEngine:
    """Suggests a code wherever its keyword occurs, with a fixed score: figures can be counted by hand."""

    engine_name = "keywords"
    KEYWORDS = {"wet": (B, 0.8), "klant": (P, 0.6), "target": (M, 0.3)}

    def suggest_texts(self, texts, batch_size=256, n_process=1):
        for text in texts:
            low = text.lower()
            yield [Suggestion(code, score, 0, len(text)) for word, (code, score) in self.KEYWORDS.items()
                   if word in low]


@pytest.fixture
def keywords(monkeypatch):
    monkeypatch.setitem(engines._REGISTRY, "keywords", lambda ctx: KeywordEngine())
    return "keywords"


GOLD = """\
    id,text,labels,split
    1,De wet is de wet.,logic.bureaucratic,dev
    2,Elke klant is anders en de wet ook.,logic.professional,dev
    3,De targets halen we niet.,logic.market,heldout
    4,Per klant kijken.,logic.professional,heldout
    5,Zomaar iets.,,heldout
"""


def test_registered_engine_on_texts_without_a_project(tmp_path, codebook, keywords):
    path = write(tmp_path / "gold.csv", GOLD)
    report = evaluate_gold_file(path, codebook=codebook, engine=keywords)
    # wet -> B on 1, 2; klant -> P on 2, 4; target -> M .3 on 3 (below .35: not suggested)
    assert (report.engine, report.items, report.split, report.min_score) == ("keywords", 5, "all", 0.35)
    assert [(r["code"], r["tp"], r["fp"], r["fn"]) for r in report.codes] == [(B, 1, 1, 0), (P, 2, 0, 0),
                                                                               (M, 0, 0, 1)]
    assert report.code(M)["precision"] is None and report.code(M)["f1"] == 0.0
    # top-1 over the 4 single-logic items: 1 right (B), 2 wrong (B .8 beats P .6), 3 right (M .3 is the
    # only score, the threshold does not apply to ranking), 4 right
    assert report.family("logic")["top1"] == {"items": 4, "correct": 3.0, "accuracy": 0.75, "answered": 4}
    heldout = evaluate_gold_file(path, codebook=codebook, engine=keywords, split="heldout", min_score=0.3)
    assert heldout.items == 3 and [r["code"] for r in heldout.codes] == [P, M]
    assert (heldout.code(M)["tp"], heldout.code(P)["tp"]) == (1, 1)
    frames = heldout.frames()
    assert list(frames["codes"]["code"]) == [P, M] and "majority_f1" in frames["codes"].columns


def test_codes_prefix_and_unscored_codes_noted(tmp_path, codebook, keywords):
    path = write(tmp_path / "gold.csv", "text,labels\nDe wet en de klant.,logic.bureaucratic\n")
    report = evaluate_gold_file(path, codebook=codebook, engine=keywords)
    assert [r["code"] for r in report.codes] == [B]
    assert report.not_evaluated == [{"code": P, "items": 1}]
    assert any("also suggested, not scored" in n and "logic.professional (1)" in n for n in report.notes)
    with pytest.raises(InputError, match="no gold label under 'discretion'"):
        evaluate_gold_file(path, codebook=codebook, engine=keywords, codes="discretion")
    with pytest.raises(InputError, match="no code under 'logc'"):
        evaluate_gold_file(path, codebook=codebook, engine=keywords, codes="logc")
    with pytest.raises(InputError, match="unknown engine 'hybird'; use one of rules, model"):
        evaluate_gold_file(path, codebook=codebook, engine="hybird")
    with pytest.raises(InputError, match="the model engine needs a project"):
        evaluate_gold_file(path, codebook=codebook, engine="model")


def test_cli_json_outside_a_project(tmp_path, codebook, keywords):
    path = write(tmp_path / "gold.csv", GOLD)
    cb = write(tmp_path / "cb.yaml", CODEBOOK)
    r = cli("evaluate", "--gold", str(path), "--codebook", str(cb), "--engine", keywords, "--format", "json",
            cwd=tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) >= {"source", "engine", "codebook", "split", "items", "min_score", "codes", "families",
                         "overall", "calibration", "verdicts", "not_evaluated", "notes"}
    assert set(data["codes"][0]) >= {"code", "family", "support", "predicted", "tp", "fp", "fn", "precision",
                                     "recall", "f1", "majority", "all_siblings"}
    assert set(data["families"][0]) >= {"family", "codes", "items", "macro_f1", "top1", "majority",
                                        "all_siblings", "random_top1", "comparison", "verdict"}
    assert set(data["calibration"]) >= {"bins", "unscored", "scored_pairs", "ece"}
    assert data["codebook"] == "test" and data["families"][0]["top1"]["accuracy"] == 0.75
    assert data["verdicts"] == [data["families"][0]["verdict"]]


def test_cli_table_and_csv_show_baselines_and_verdict(tmp_path, keywords):
    path = write(tmp_path / "gold.csv", GOLD)
    cb = write(tmp_path / "cb.yaml", CODEBOOK)
    r = cli("evaluate", "--gold", str(path), "--codebook", str(cb), "-e", keywords, cwd=tmp_path)
    assert r.exit_code == 0, r.output
    assert "all F1" in r.stdout and "maj top-1" in r.stdout and "Reliability" in r.stdout
    assert "logic: macro-F1 " in r.stdout and "baseline" in r.stdout
    r = cli("evaluate", "--gold", str(path), "--codebook", str(cb), "-e", keywords, "--format", "csv",
            cwd=tmp_path)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "code,n,P,R,F1,top-1,maj P,maj R,maj F1,maj top-1,all P,all R,all F1,rand top-1"
    # B: P .5 R 1 F1 .67; the majority (P, 2 of 5 items) does not suggest B; all-siblings P .2 R 1 F1 .33
    assert lines[1] == "logic.bureaucratic,1,0.5,1,0.67,,,0,0,,0.2,1,0.33,"


def test_cli_bad_input_exit_2(tmp_path, codebook):
    bad = write(tmp_path / "bad.csv", "text,labels\nDe wet.,logic.markt\n")
    r = cli("evaluate", "--gold", str(bad), "--codebook", str(write(tmp_path / "cb.yaml", CODEBOOK)), cwd=tmp_path)
    assert r.exit_code == 2 and "bad.csv:2: unknown code 'logic.markt'" in r.output and "Traceback" not in r.output
    r = cli("evaluate", cwd=tmp_path)
    assert r.exit_code == 2 and "give --gold FILE" in r.output
    r = cli("evaluate", "--gold", str(bad), "--coder", "anna", cwd=tmp_path)
    assert r.exit_code == 2 and "not both" in r.output
    r = cli("evaluate", "--gold", str(tmp_path / "missing.csv"), cwd=tmp_path)
    assert r.exit_code == 2 and "missing.csv: gold file not found" in r.output


def test_shipped_codebook_outside_a_project(tmp_path):
    """Without a project and without --codebook, the shipped codebook and the rules engine."""
    path = write(tmp_path / "g.jsonl", '{"text": "Dat moet volgens de Participatiewet, zo zijn de regels.", '
                                       '"labels": ["logic.bureaucratic"]}\n')
    r = cli("evaluate", "--gold", str(path), "--format", "json", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["codebook"] == "klantmanager" and data["engine"] == "rules"
    assert [c["code"] for c in data["codes"]] == [B]


# -- inside a project: fragment ids ----------------------------------------------------------------
def test_fragments_of_the_project(ingested, tmp_path, keywords):
    frags = {f["id"]: f for f in ingested.transcript("T01_g1")["fragments"]}
    assert "omdat de wet zegt" in frags["T01_g1:2"]["text"] and "per klant" in frags["T01_g1:3"]["text"]
    path = write(tmp_path / "frag.csv", """\
        fragment,labels
        T01_g1:2,logic.bureaucratic
        T01_g1:3,logic.professional
    """)
    report = ingested.evaluate_gold(path, engine=keywords)
    # keywords: "wet" in turn 2 (B, right); "klant" in turn 3 (P, right) and in turn 2 ("bel ik klanten": wrong)
    assert [(r["code"], r["tp"], r["fp"], r["fn"]) for r in report.codes] == [(B, 1, 0, 0), (P, 1, 1, 0)]
    bad = write(tmp_path / "bad.csv", "fragment,labels\nT01_g1:2,logic.market\nT01_g1:99,logic.market\n")
    with pytest.raises(InputError, match=r"bad\.csv:3: unknown fragment 'T01_g1:99' in this project"):
        ingested.evaluate_gold(bad, engine=keywords)
    r = cli("-p", str(ingested.root), "evaluate", "--gold", str(bad), "-e", keywords)
    assert r.exit_code == 2 and "bad.csv:3: unknown fragment 'T01_g1:99'" in r.output


def test_model_engine_on_fragments(tmp_path):
    """The trained toy model of test_model.py, scored on its held-out fragments through --gold."""
    from test_model import HELD_OUT, toy_project

    from qualcode.project import Project

    root = tmp_path / "study"
    Project.init(root).close()
    write(root / "codebooks" / "test.yaml", CODEBOOK)
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/test.yaml"))
    project = toy_project(root)
    project.train("anna", folds=3, kind="sklearn")
    rows = [f"{f['id']},{HELD_OUT[f['text']]}" for f in project.transcript("Held")["fragments"]
            if not f["interviewer"]]
    path = write(tmp_path / "held.csv", "fragment,labels\n" + "\n".join(rows) + "\n")
    report = project.evaluate_gold(path, engine="model", model_coder="anna")
    project.close()
    assert report.engine == "model" and report.items == 2
    assert [(r["code"], r["precision"], r["recall"]) for r in report.codes] == [(B, 1.0, 1.0), (P, 1.0, 1.0)]
    assert report.family("logic")["top1"]["accuracy"] == 1.0
    assert any(n.startswith("caveat: the model learned from a coder's codings") for n in report.notes)


# -- the development gold set stays valid ------------------------------------------------------------
def test_gold_quotes_file_is_valid_and_readable():
    import importlib.util

    spec = importlib.util.spec_from_file_location("check_quotes", ROOT / "benchmarks" / "gold" / "check_quotes.py")
    assert spec and spec.loader
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    errors, _, checks = check.problems()
    assert errors == [] and all(ok for _, ok in checks), (errors, checks)
    items = read_gold(ROOT / "benchmarks" / "gold" / "quotes.jsonl",
                      load_codebook(ROOT / "codebooks" / "klantmanager.yaml"))
    assert len(items) == 300 and {it.split for it in items} == {"dev", "heldout"}
    assert sum(it.split == "heldout" for it in items) == 150


def test_make_eval_prints_each_figure_with_its_baseline(tmp_path, monkeypatch, capsys):
    """benchmarks/eval.py (`make eval`): the issue's table for a split, figures equal to those of
    `evaluate --gold` and `typology --evaluate`, written to JSON too."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gold_eval", ROOT / "benchmarks" / "eval.py")
    assert spec and spec.loader
    gold_eval = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gold_eval)
    out = tmp_path / "eval.json"
    monkeypatch.setattr("sys.argv", ["eval.py", "--split", "dev", "--out", str(out)])
    gold_eval.main()
    printed = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    report = evaluate_gold_file(ROOT / "benchmarks" / "gold" / "quotes.jsonl", split="dev")
    logic = report.family("logic")
    assert data["split"] == "dev" and data["quotes"] == 150 and data["typology_cases"] == 20
    assert data["logic_macro_f1"] == logic["macro_f1"]
    assert data["logic_macro_f1_all_logics"] == logic["all_siblings"]["macro_f1"]
    assert data["top1_single_logic"] == logic["top1"]["accuracy"] and data["top1_random"] == round(1 / 3, 4)
    assert data["coping_recall"] == report.code("discretion.coping")["recall"]
    typ = data["reports"]["typology"]
    assert (data["typology_accuracy"], data["typology_majority"]) == (typ["accuracy"], typ["majority"]["accuracy"])
    rows = {line.split(" | ")[0].lstrip("| "): line for line in printed.splitlines() if line.startswith("| ")}
    assert f"| {logic['macro_f1']:.2f} | {logic['all_siblings']['macro_f1']:.2f} (all three logics on every quote) |" \
        in rows["logic macro-F1, rules engine, default threshold"]
    assert "0.33 (random; majority label" in rows["top-1 logic on single-logic quotes"]
    assert "(everyone gets the most common variant)" in rows["typology: respondents assigned their variant"]
    assert any(v.startswith("logic: macro-F1") for v in data["verdicts"])
