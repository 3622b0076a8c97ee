"""The model engine (train, suggest --engine model) and evaluate (suggestions vs a coder's codings)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import write
from typer.testing import CliRunner

from qualcode.cli import get_app
from qualcode.errors import InputError
from qualcode.project import Project

BUREAUCRATIC = [
    "De regels zijn de regels.",
    "Ik volg gewoon het protocol.",
    "De wet schrijft het zo voor.",
    "Dat is verplicht volgens de wet.",
    "Ik moet alles controleren en vastleggen.",
    "Het handboek zegt precies hoe het moet.",
    "Regels zijn er niet voor niets.",
    "Ik controleer de formulieren volgens de procedure.",
]
PROFESSIONAL = [
    "Ik kijk per klant wat past.",
    "Elke klant is anders.",
    "Het is echt maatwerk.",
    "Ik luister eerst naar wat iemand zelf wil.",
    "Samen maken we een plan dat bij hem past.",
    "Ik vertrouw op mijn eigen oordeel.",
    "Wat heeft deze mens nodig?",
    "Ik zoek uit waar iemand goed in is.",
]
FILLER = ["Nou ja.", "Dat merk je wel.", "Zo gaat dat bij ons.", "Eigenlijk altijd.", "Dat zie je vaak."]
HELD_OUT = {
    "Volgens de wet moet ik dat controleren, dat is het protocol en de regels.": "logic.bureaucratic",
    "Ik kijk wat bij deze klant past, dat is maatwerk, iedere klant is anders.": "logic.professional",
}


def toy_turn(rng: random.Random, pool: list[str]) -> str:
    parts = rng.sample(pool, 2) + [rng.choice(FILLER)]
    rng.shuffle(parts)
    return " ".join(parts)


def toy_project(root: Path, *, transcripts: int = 4, turns: int = 8, coder: str | None = "anna") -> Project:
    """Transcripts whose respondent turns clearly belong to one of two codes, coded by hand.

    ``Toy01`` ... are coded (turns alternate bureaucratic / professional); ``Held`` holds the
    held-out obvious sentences and is not coded.
    """
    project = Project.open(root)
    rng = random.Random(7)
    labels: dict[str, str] = {}
    folder = root / "toy"
    for t in range(1, transcripts + 1):
        lines = []
        for i in range(turns):
            code = "logic.bureaucratic" if i % 2 == 0 else "logic.professional"
            lines.append("I: En verder?")
            lines.append("R: " + toy_turn(rng, BUREAUCRATIC if i % 2 == 0 else PROFESSIONAL))
            labels[f"Toy{t:02d}:{2 * i + 2}"] = code
        write(folder / f"Toy{t:02d}.txt", "\n".join(lines) + "\n")
    write(folder / "Held.txt", "".join(f"I: En?\nR: {s}\n" for s in HELD_OUT))
    project.ingest([folder])
    if coder:
        for fid, code in labels.items():
            project.code(fid, [code], coder=coder)
    return project


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A toy project coded by anna, with a trained sklearn model (shared by read-only tests)."""
    from conftest import CODEBOOK

    root = tmp_path_factory.mktemp("model") / "study"
    Project.init(root).close()
    write(root / "codebooks" / "test.yaml", CODEBOOK)
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/test.yaml"))
    project = toy_project(root)
    result = project.train("anna", folds=3, kind="sklearn")
    yield project, result
    project.close()


def test_learns_a_separable_toy_set(trained):
    project, result = trained
    assert result.kind == "sklearn" and result.fragments == 32 and result.transcripts == 4
    assert [r["code"] for r in result.codes] == ["logic.bureaucratic", "logic.professional"]
    for row in result.codes:
        assert row["positives"] == 16
        assert row["f1"] >= 0.9, row  # cross-validated
    assert result.skipped == []
    assert result.micro["f1"] >= 0.9

    run_id, records = project.suggest(["Held"], engine="model", model_coder="anna")
    assert run_id is not None
    texts = {f["id"]: project.store.transcript_text("Held")[f["start"] : f["end"]]
             for f in project.store.fragments("Held", respondent_only=True)}
    by_fragment: dict[str, list[dict]] = {}
    for r in records:
        by_fragment.setdefault(r["fragment"], []).append(r)
    for fid, text in texts.items():
        expected = HELD_OUT[text]
        got = by_fragment.get(fid, [])
        assert [r["code"] for r in got] == [expected], (text, got)
        r = got[0]
        assert r["engine"] == "model" and r["score"] >= 0.5
        f = project.store.fragment(fid)
        assert (r["start"], r["end"]) == (f["start"], f["end"])  # the whole turn
        ev = r["evidence"][0]
        assert ev["kind"] == "model" and ev["model"] == result.model_id and ev["trained_on"] == 16
        assert ev["train_run"] == result.run_id
        assert 0 < ev["probability"] <= 1 and 0 < ev["threshold"] < 1


def test_engine_scores_the_opposite_code_low(trained):
    from qualcode.suggest.model import load_model_engine

    project, result = trained
    engine = load_model_engine(project.store, project.codebook(), coder="anna")
    assert engine.model_id == result.model_id
    out = list(engine.suggest_texts(list(HELD_OUT) + ["   "]))
    assert [[s.code for s in sug] for sug in out] == [[HELD_OUT[t]] for t in HELD_OUT] + [[]]
    # --codes limits what the engine suggests
    only = load_model_engine(project.store, project.codebook(), codes="logic.professional")
    assert [[s.code for s in sug] for sug in only.suggest_texts(list(HELD_OUT))] == [[], ["logic.professional"]]


def test_spacy_kind_trains_stores_and_suggests(trained, tmp_path):
    from qualcode.suggest.model import load_model_engine

    project, _ = trained
    result = project.train("anna", folds=2, kind="spacy")
    assert result.kind == "spacy"
    engine = load_model_engine(project.store, project.codebook(), coder="anna")
    assert engine.kind == "spacy" and engine.model_id == result.model_id
    out = list(engine.suggest_texts(list(HELD_OUT)))
    assert [[s.code for s in sug][:1] for sug in out] == [[HELD_OUT[t]] for t in HELD_OUT]
    # put the sklearn model back on top for the other tests
    project.undo(result.run_id)
    assert load_model_engine(project.store, project.codebook(), coder="anna").kind == "sklearn"


def test_codes_with_too_few_examples_are_skipped_with_a_note(project_dir):
    project = toy_project(project_dir)
    for fid in ("Toy01:2", "Toy02:4", "Toy03:6"):
        project.code(fid, ["logic.market"], coder="anna")
    result = project.train("anna", folds=3, min_examples=5)
    assert [r["code"] for r in result.codes] == ["logic.bureaucratic", "logic.professional"]
    assert result.skipped == [
        {"code": "logic.market", "positives": 3, "note": "only 3 coded fragments; needs at least 5"}
    ]
    assert any("skipped" in n for n in result.notes)
    # the engine never suggests a skipped code
    _, records = project.suggest(["Held"], engine="model", min_score=0.0)
    assert records and "logic.market" not in {r["code"] for r in records}
    project.close()


def test_too_little_data_is_a_clear_input_error(ingested):
    project = ingested
    with pytest.raises(InputError, match="has no codings"):
        project.train("anna")
    project.code("T01_g1:2", ["logic.bureaucratic"], coder="anna")
    with pytest.raises(InputError, match=r"too little data.*1 transcript.*have 4 respondent turn\(s\); at least 10"):
        project.train("anna")
    with pytest.raises(InputError, match=r"^no trained model; run `qualcode train --coder NAME`$"):
        project.suggest(engine="model")
    with pytest.raises(InputError, match="no trained model for coder 'anna'"):
        project.suggest(engine="model", model_coder="anna")
    assert project.model_rows() == []


def test_no_code_with_enough_examples_is_an_input_error(project_dir):
    project = toy_project(project_dir, coder=None)
    for fid in ("Toy01:2", "Toy01:4", "Toy02:2"):
        project.code(fid, ["logic.bureaucratic"], coder="bram")
    with pytest.raises(InputError, match=r"no code has at least 5 coded fragments.*logic.bureaucratic on 3"):
        project.train("bram")
    with pytest.raises(InputError, match="--folds must be at least 2"):
        project.train("bram", folds=1)
    project.close()


def test_training_is_a_run_that_undo_removes(project_dir):
    from qualcode.suggest.model import load_model_engine

    project = toy_project(project_dir)
    result = project.train("anna", folds=3)
    runs = project.run_rows()
    assert runs[-1]["kind"] == "train" and runs[-1]["summary"]["model"] == result.model_id
    assert [m["id"] for m in project.model_rows("anna")] == [result.model_id]
    stored = json.loads(project.store.latest_model("anna")["metrics"])
    assert stored["codes"][0]["code"] == "logic.bureaucratic"
    project.undo(result.run_id)
    assert project.model_rows() == []
    with pytest.raises(InputError):
        load_model_engine(project.store, project.codebook())
    project.close()


# -- evaluate ----------------------------------------------------------------------------------
def _hand_case(project: Project) -> None:
    """Rules suggestions (all scores) on the conftest transcripts and anna's manual codings.

    Turns: T01_g1:2 (wet/controleren), :3 (per klant/maatwerk), :5 (targets), :6 (geen tijd),
    T02_r1:2 (sanctie als middel), :4 (regels).
    """
    project.suggest(min_score=0.0)
    sugg = {(r["fragment"], r["code"]) for r in project.suggestion_rows(status=None)}
    assert sugg == {
        ("T01_g1:2", "logic.bureaucratic"), ("T01_g1:3", "logic.professional"), ("T01_g1:5", "logic.market"),
        ("T01_g1:6", "discretion.coping"), ("T02_r1:2", "logic.professional"), ("T02_r1:4", "logic.bureaucratic"),
    }
    for fid, code in [("T01_g1:2", "logic.bureaucratic"), ("T01_g1:3", "logic.professional"),
                      ("T01_g1:6", "discretion.coping"), ("T02_r1:2", "logic.bureaucratic"),
                      ("T02_r1:4", "logic.bureaucratic")]:
        project.code(fid, [code], coder="anna")


def test_evaluate_numbers_by_hand(ingested):
    project = ingested
    _hand_case(project)
    rows = {r["code"]: r for r in project.evaluate("anna", "rules")}
    assert list(rows) == ["discretion.coping", "logic.bureaucratic", "logic.market", "logic.professional", "(pooled)"]
    # bureaucratic: suggested {g1:2, r1:4}, coded {g1:2, r1:2, r1:4}: tp 2, fp 0, fn 1, tn 3 of 6 turns
    b = rows["logic.bureaucratic"]
    assert (b["units"], b["tp"], b["fp"], b["fn"], b["tn"]) == (6, 2, 0, 1, 3)
    assert b["precision"] == 1.0 and b["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert b["f1"] == pytest.approx(0.8)
    # kappa: p_o = 5/6, p_e = 3/6*2/6 + 3/6*4/6 = 1/2 -> (5/6 - 1/2) / (1/2) = 2/3
    assert b["cohen_kappa"] == pytest.approx(2 / 3, abs=1e-4)
    p = rows["logic.professional"]  # suggested {g1:3, r1:2}, coded {g1:3}
    assert (p["tp"], p["fp"], p["fn"], p["tn"]) == (1, 1, 0, 4)
    assert p["precision"] == 0.5 and p["recall"] == 1.0 and p["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert p["cohen_kappa"] == pytest.approx(4 / 7, abs=1e-4)
    m = rows["logic.market"]  # suggested once, never coded
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (0, 1, 0, 5)
    assert m["precision"] == 0.0 and m["recall"] is None and m["f1"] == 0.0
    c = rows["discretion.coping"]
    assert (c["tp"], c["fp"], c["fn"], c["tn"]) == (1, 0, 0, 5) and c["f1"] == 1.0 and c["cohen_kappa"] == 1.0
    pooled = rows["(pooled)"]  # 4 codes x 6 turns
    assert (pooled["units"], pooled["tp"], pooled["fp"], pooled["fn"], pooled["tn"]) == (24, 4, 2, 1, 17)
    assert pooled["f1"] == pytest.approx(8 / 11, abs=1e-4)
    assert pooled["cohen_kappa"] == pytest.approx(11 / 17, abs=1e-4)
    # a code prefix and a score floor
    only = {r["code"]: r for r in project.evaluate("anna", "rules", codes="logic", min_score=0.35)}
    assert set(only) == {"logic.bureaucratic", "logic.market", "logic.professional", "(pooled)"}
    assert (only["logic.bureaucratic"]["tp"], only["logic.bureaucratic"]["fn"]) == (1, 2)  # r1:4 scored 0.3


def test_evaluate_says_what_was_compared_and_manual_only(ingested):
    project = ingested
    _hand_case(project)
    market = project.suggestion_rows(status="open", codes="logic.market")[0]
    from qualcode.coding.apply import accept_suggestion

    with project.store.run("review", "test"):
        accept_suggestion(project.store, project.codebook(), market["id"], "anna")
    report = project.evaluation_report("anna", "rules")
    assert report["unit"] == "turn" and report["units"] == 6
    assert report["suggestions"]["statuses"] == {"open": 5, "accepted": 1, "rejected": 0}
    assert report["reference_from_engine"] == 1
    assert any(n.startswith("caveat: 1 of the 6 reference codings") for n in report["notes"])
    market_row = next(r for r in report["codes"] if r["code"] == "logic.market")
    assert (market_row["tp"], market_row["fp"]) == (1, 0)  # flattered by the accepted suggestion
    honest = project.evaluation_report("anna", "rules", manual_only=True)
    assert honest["reference"] == "manual and imported codings" and honest["reference_from_engine"] == 0
    market_row = next(r for r in honest["codes"] if r["code"] == "logic.market")
    assert (market_row["tp"], market_row["fp"]) == (0, 1)
    with pytest.raises(InputError, match="has no codings"):
        project.evaluate("nobody")
    with pytest.raises(InputError, match="no suggestions"):
        project.evaluate("anna", "model")


# -- CLI ---------------------------------------------------------------------------------------
runner = CliRunner()


def cli(*args: str):
    return runner.invoke(get_app(), list(args), catch_exceptions=False)


def test_cli_train_and_evaluate(project_dir):
    toy_project(project_dir).close()
    p = str(project_dir)
    r = cli("-p", p, "train", "--coder", "anna", "--folds", "3", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["kind"] == "sklearn" and [c["code"] for c in data["codes"]] == ["logic.bureaucratic",
                                                                                  "logic.professional"]
    assert set(data["codes"][0]) >= {"code", "positives", "precision", "recall", "f1", "threshold"}
    r = cli("-p", p, "train", "--coder", "anna", "--folds", "3", "--min-examples", "20", "--format", "csv")
    assert r.exit_code == 2 and "no code has at least 20" in r.output and "Traceback" not in r.output
    r = cli("-p", p, "train", "--coder", "anna", "--folds", "3", "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "code,positives,precision,recall,f1,tp,fp,fn,threshold,note"
    assert lines[1].startswith("logic.bureaucratic,16,") and lines[3].startswith("(micro),")

    r = cli("-p", p, "suggest", "--engine", "model", "--coder", "anna", "--format", "json")
    assert r.exit_code == 0, r.output
    assert {s["engine"] for s in json.loads(r.stdout)} == {"model"}
    r = cli("-p", p, "evaluate", "--coder", "anna", "--engine", "model", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["unit"] == "turn" and report["engine"] == "model" and report["units"] == 32
    assert report["pooled"]["code"] == "(pooled)" and report["pooled"]["f1"] >= 0.9
    assert any("in-sample" in n for n in report["notes"])
    r = cli("-p", p, "evaluate", "--coder", "anna", "--engine", "model", "--codes", "logic", "--manual-only",
            "--format", "md")
    assert r.exit_code == 0, r.output
    assert "| code | units | coded |" in r.stdout and "- unit: respondent turn" in r.stdout
    r = cli("-p", p, "evaluate", "--coder", "anna", "--engine", "rules")
    assert r.exit_code == 2 and "rules engine has made no suggestions" in r.output
