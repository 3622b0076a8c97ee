"""Disagreements and consensus (qualcode.agreement.disagreements, qualcode.agreement.consensus), library and CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.agreement.consensus import Resolution, parse_answer
from qualcode.cli import get_app
from qualcode.errors import InputError

runner = CliRunner()
app = get_app()


@pytest.fixture
def two(ingested):
    p = ingested
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="anna", memo="de wet")
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="bram")
    p.code("T01_g1:3", ["logic.professional"], coder="anna", quote="elke klant is anders")
    p.code("T01_g1:3", ["logic.professional"], coder="bram", quote="ik kijk per klant wat past")
    p.code("T01_g1:3", ["discretion.coping"], coder="bram", memo="twijfel")
    p.code("T01_g1:5", ["logic.market"], coder="anna", stance="rejects")
    p.code("T01_g1:6", ["discretion.coping"], coder="bram")
    p.code("T02_r1:2", ["logic.professional"], coder="anna")
    p.code("T02_r1:2", ["logic.bureaucratic"], coder="bram")
    return p


def codes_of(project, coder):
    out: dict[str, list[str]] = {}
    for r in project.coding_rows(coders=[coder]):
        out.setdefault(r["fragment"], []).append(r["code"])
    return {k: sorted(v) for k, v in out.items()}


def test_disagreements_list(two):
    items = two.disagreement_rows(["anna", "bram"])
    assert [d["fragment"] for d in items] == ["T01_g1:3", "T01_g1:5", "T01_g1:6", "T02_r1:2"]
    d = items[0]
    assert d["codes"] == {"anna": ["logic.professional"], "bram": ["discretion.coping", "logic.professional"]}
    assert d["agreed"] == ["logic.professional"] and d["disputed"] == ["discretion.coping"]
    assert d["memos"] == {"anna": [], "bram": ["discretion.coping: twijfel"]}
    assert d["case"] == "T01_r2" and d["text"].startswith("(anderen: ja) Bij mij")
    assert d["codings"]["anna"][0]["text"] == "elke klant is anders"
    # a code prefix narrows the comparison
    assert [d["fragment"] for d in two.disagreement_rows(["anna", "bram"], codes="logic")] == [
        "T01_g1:5", "T02_r1:2"]
    df = two.disagreements(["anna", "bram"])
    assert list(df.columns[:4]) == ["fragment", "case", "anna", "bram"]


def test_disagreements_skip_transcripts_a_coder_did_not_code(ingested):
    ingested.code("T01_g1:2", ["logic.bureaucratic"], coder="anna")
    ingested.code("T02_r1:2", ["logic.market"], coder="anna")
    ingested.code("T01_g1:3", ["logic.professional"], coder="bram")
    items = ingested.disagreement_rows(["anna", "bram"])
    assert [d["fragment"] for d in items] == ["T01_g1:2", "T01_g1:3"]  # not T02_r1: bram never coded it


def test_agreed_only(two):
    report = two.consensus(["anna", "bram"], "cons")
    assert (report.agreed, report.disagreements, report.resolved, report.unresolved) == (2, 4, 0, 4)
    assert codes_of(two, "cons") == {"T01_g1:2": ["logic.bureaucratic"], "T01_g1:3": ["logic.professional"]}
    rows = {r["fragment"]: r for r in two.coding_rows(coders=["cons"])}
    assert {r["origin"] for r in rows.values()} == {"consensus"}
    # same span: kept; different spans: the smallest span covering both
    assert rows["T01_g1:2"]["text"] == two.transcript("T01_g1")["fragments"][1]["text"]
    assert rows["T01_g1:3"]["text"] == "ik kijk per klant wat past, elke klant is anders"
    assert rows["T01_g1:2"]["memo"] == "de wet"
    coder = two.store.coder("cons")
    assert coder["kind"] == "consensus"
    assert "consensus of anna, bram" in coder["note"] and "agreed-only" in coder["note"]
    assert "unit: turn" in coder["note"]
    two.undo(report.run_id)
    assert two.coding_rows(coders=["cons"]) == [] and two.store.coder("cons") is None


def test_resolved_one_by_one_with_a_resolver(two):
    answers = iter([Resolution("keep", coder="bram"), Resolution("all"), Resolution("none"),
                    Resolution("codes", codes=("logic.market",))])
    seen = []

    def resolve(turn, i, n):
        seen.append((turn.fragment, i, n))
        return next(answers)

    report = two.consensus(["anna", "bram"], "cons", resolve=resolve)
    assert seen == [("T01_g1:3", 1, 4), ("T01_g1:5", 2, 4), ("T01_g1:6", 3, 4), ("T02_r1:2", 4, 4)]
    assert (report.resolved, report.unresolved) == (4, 0)
    assert codes_of(two, "cons") == {
        "T01_g1:2": ["logic.bureaucratic"],
        "T01_g1:3": ["discretion.coping", "logic.professional"],
        "T01_g1:5": ["logic.market"],
        "T02_r1:2": ["logic.market"],
    }
    rows = {(r["fragment"], r["code"]): r for r in two.coding_rows(coders=["cons"])}
    assert rows[("T01_g1:5", "logic.market")]["stance"] == "rejects"  # anna's coding kept as it was
    assert rows[("T01_g1:3", "discretion.coping")]["memo"] == "twijfel"
    assert [r["kind"] for r in two.run_rows()].count("consensus") == 1


def test_stop_early_keeps_what_was_resolved(two):
    answers = iter([Resolution("keep", coder="anna"), None])
    report = two.consensus(["anna", "bram"], "cons", resolve=lambda t, i, n: next(answers))
    assert (report.resolved, report.unresolved) == (1, 3)
    assert "T01_g1:5" not in codes_of(two, "cons")


def test_consensus_refuses_an_existing_coder_and_a_coder_name(two):
    two.code("T01_g1:2", ["logic.market"], coder="carla")
    with pytest.raises(InputError, match="already has codings"):
        two.consensus(["anna", "bram"], "carla")
    with pytest.raises(InputError, match="new name"):
        two.consensus(["anna", "bram"], "anna")
    with pytest.raises(InputError, match="new name"):
        two.consensus(["anna", "bram"], "auto:rules")


def test_parse_answer(two):
    cb, coders = two.codebook(), ["anna", "bram"]
    assert parse_answer("a", coders, cb) == Resolution("keep", coder="anna")
    assert parse_answer(" B \n", coders, cb) == Resolution("keep", coder="bram")
    assert parse_answer("2", coders, cb) == Resolution("keep", coder="bram")
    assert parse_answer("bram", coders, cb) == Resolution("keep", coder="bram")
    assert parse_answer("both", coders, cb) == Resolution("all")
    assert parse_answer("neither", coders, cb) == Resolution("none")
    assert parse_answer("n", coders, cb) == Resolution("none")
    assert parse_answer("other logic.market discretion.coping", coders, cb) == Resolution(
        "codes", codes=("logic.market", "discretion.coping"))
    assert parse_answer("q", coders, cb) is None
    for bad, why in [("", "no answer"), ("x", "cannot read"), ("other", "name the code"),
                     ("other logic.nope", "unknown code"), ("other logic", "grouping node"), ("3", "cannot read")]:
        with pytest.raises(InputError, match=why):
            parse_answer(bad, coders, cb)
    # with three coders, c is the third coder; c CODE is still "other code"
    assert parse_answer("c", ["a", "b", "c"], cb) == Resolution("keep", coder="c")
    assert parse_answer("c logic.market", ["a", "b", "c"], cb) == Resolution("codes", codes=("logic.market",))


# -- CLI: scripted interactive session on stdin ---------------------------------------------------
def cli(project, *args, input=None):
    return runner.invoke(app, ["-p", str(project.root), *args], input=input, catch_exceptions=False)


def test_cli_consensus_reads_one_answer_per_line(two):
    r = cli(two, "consensus", "--coder", "anna", "--coder", "bram", "--as", "cons",
            input="b\nwhat?\nboth\nneither\nother logic.market\n")
    assert r.exit_code == 0, r.output
    assert "[1/4] T01_g1:3" in r.stderr and "cannot read 'what?'" in r.stderr
    assert "4 of 4 disagreement(s) resolved" in r.stderr
    assert codes_of(two, "cons")["T01_g1:3"] == ["discretion.coping", "logic.professional"]
    assert codes_of(two, "cons")["T02_r1:2"] == ["logic.market"]
    assert "T01_g1:6" not in codes_of(two, "cons")


def test_cli_consensus_input_ending_early_saves_nothing(two):
    r = cli(two, "consensus", "--coder", "anna", "--coder", "bram", "--as", "cons", input="a\n")
    assert r.exit_code == 2
    assert "input ended at disagreement 2 of 4; nothing saved" in r.stderr
    assert two.coding_rows(coders=["cons"]) == []
    r = cli(two, "consensus", "--coder", "anna", "--coder", "bram", "--as", "cons", input="a\nq\n")
    assert r.exit_code == 0 and "1 of 4 disagreement(s) resolved" in r.stderr


def test_cli_consensus_auto_and_json(two):
    r = cli(two, "consensus", "--coder", "anna", "--coder", "bram", "--as", "cons", "--auto", "agreed-only",
            "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["coder"] == "cons" and data["agreed"] == 2 and data["resolved"] == 0
    r = cli(two, "consensus", "--coder", "anna", "--coder", "bram", "--as", "x", "--auto", "everything")
    assert r.exit_code == 2 and "--auto must be one of agreed-only" in r.stderr


def test_three_coders_keep_the_third(two):
    two.code("T01_g1:5", ["logic.bureaucratic"], coder="carla")
    two.code("T01_g1:2", ["logic.bureaucratic"], coder="carla")
    answers = {"T01_g1:2": "c", "T01_g1:3": "a", "T01_g1:5": "c", "T01_g1:6": "neither", "T02_r1:2": "neither"}
    cb = two.codebook()
    coders = ["anna", "bram", "carla"]
    report = two.consensus(coders, "cons3", resolve=lambda t, i, n: parse_answer(answers[t.fragment], coders, cb))
    assert report.unrated == 2  # carla did not code T02_r1: its turns are left out
    got = codes_of(two, "cons3")
    assert got["T01_g1:2"] == ["logic.bureaucratic"]  # agreed by all three
    assert got["T01_g1:5"] == ["logic.bureaucratic"]  # carla's code kept
    assert "T01_g1:6" not in got and "T02_r1:2" not in got
