"""``qualcode progress``: turns reviewed, coded and open per coder and transcript, and what is left
before agreement can be computed (issue 14, item 10).

Respondent turns of the fixture: T01_g1:2, :3, :5, :6 and T02_r1:2, :4 (conftest.py). Every count
below follows by hand from what each coder does in ``worked``.
"""

from __future__ import annotations

import json

import pytest
from conftest import cli

from qualcode.errors import InputError


@pytest.fixture
def worked(ingested):
    p = ingested
    p.suggest(min_score=0.0)
    # anna: accepts on :2 (coded and decided), rejects on :3 (decided), goes past :5, stops at :6
    s = p.review("anna")
    s.accept()
    s.next()
    s.reject()
    s.next()
    s.next()
    s.quit()
    # bram, blind, on T02_r1 only: codes :2 and stops there; and codes T01_g1:6 by command
    s = p.review("bram", ["T02_r1"], blind=True)
    s.add_code("logic.market")
    s.quit()
    p.code("T01_g1:6", ["discretion.coping"], coder="bram")
    # cleo only reads: past :2 and :3, stops at :5
    s = p.review("cleo")
    s.next()
    s.next()
    s.quit()
    return p


def rows_of(report, coder):
    return {r["transcript"]: (r["turns"], r["reviewed"], r["coded"], r["open"]) for r in report.turns
            if r["coder"] == coder}


def test_turns_reviewed_coded_open_per_coder_and_transcript(worked):
    report = worked.progress_report()
    assert [c["coder"] for c in report.coders] == ["anna", "bram", "cleo"]
    assert rows_of(report, "anna") == {"T01_g1": (4, 3, 1, 1), "T02_r1": (2, 0, 0, 2)}
    assert rows_of(report, "bram") == {"T01_g1": (4, 1, 1, 3), "T02_r1": (2, 1, 1, 1)}
    assert rows_of(report, "cleo") == {"T01_g1": (4, 2, 0, 2), "T02_r1": (2, 0, 0, 2)}
    anna = report.coders[0]
    assert (anna["transcripts"], anna["started"], anna["finished"], anna["turns"], anna["reviewed"], anna["coded"],
            anna["open"], anna["reviewed_pct"]) == (2, 1, 0, 6, 3, 1, 3, 50.0)


def test_what_is_left_before_agreement(worked):
    pairs = {(p["coder_a"], p["coder_b"]): p for p in worked.progress_report().pairs}
    ab = pairs["anna", "bram"]
    assert (ab["both"], ab["both_finished"], ab["only_a"], ab["only_b"], ab["left_for_a"], ab["left_for_b"]) == (
        1, 0, 0, 1, ["T02_r1"], [])
    # the same material `qualcode agree` computes on: the transcripts both coded
    scope = worked.agreement_report(["anna", "bram"]).settings["transcripts"]
    assert scope == ["T01_g1"]
    bc = pairs["bram", "cleo"]
    assert (bc["both"], bc["left_for_b"], bc["left_for_a"]) == (0, ["T01_g1", "T02_r1"], [])
    # anna codes T02_r1 to the end; bram goes through everything, coding the last turn of each transcript
    s = worked.review("anna", ["T02_r1"])
    s.add_code("logic.professional")
    s.next()
    s.add_code("logic.professional")
    s = worked.review("bram", blind=True)
    for _ in range(3):
        s.next()
    s.add_code("logic.market")  # T01_g1:6
    s.next()
    s.next()
    s.add_code("logic.market")  # T02_r1:4 (the turn a review stops at counts once something is decided)
    ab = {(p["coder_a"], p["coder_b"]): p for p in worked.progress_report().pairs}["anna", "bram"]
    # both coded both transcripts now; both reviewed all of T02_r1, but anna never got to T01_g1:6
    assert (ab["both"], ab["both_finished"], ab["left_for_a"], ab["left_for_b"]) == (2, 1, [], [])


def test_filters_and_bad_names(worked):
    report = worked.progress_report(["bram"], ["T02_r1"])
    assert report.turns == [{"coder": "bram", "transcript": "T02_r1", "turns": 2, "reviewed": 1, "coded": 1,
                             "open": 1, "reviewed_pct": 50.0}]
    assert report.pairs == [] and any("second coder" in n for n in report.notes)
    with pytest.raises(InputError, match="unknown coder 'ana'; did you mean anna"):
        worked.progress_report(["ana"])
    with pytest.raises(InputError, match="unknown transcript 'T03'"):
        worked.progress_report(transcripts=["T03"])
    df = worked.progress()
    assert list(df.columns) == ["coder", "transcript", "turns", "reviewed", "coded", "open", "reviewed_pct"]
    assert len(df) == 6 and len(df.attrs["pairs"]) == 3


def test_a_fresh_project_has_nothing_to_report(ingested):
    report = ingested.progress_report()
    assert report.turns == [] and report.pairs == []
    assert "no coder has coded or reviewed anything yet" in report.notes


def test_progress_cli(worked):
    res = cli("--project", str(worked.root), "progress", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"coders", "transcripts", "pairs", "notes"}
    assert data["pairs"][0]["left_for_a"] == ["T02_r1"]
    res = cli("--project", str(worked.root), "progress", "--coder", "anna", "--coder", "bram")
    assert res.exit_code == 0 and "Before agreement" in res.stdout and "T02_r1" in res.stdout
    res = cli("--project", str(worked.root), "progress", "--coder", "nobody")
    assert res.exit_code == 2 and "unknown coder 'nobody'" in res.output
