"""Finding things: ``qualcode search`` (words, phrases, lemmas, regular expressions; filters;
keyword in context; counts; coding the hits) and ``qualcode words`` (issue 14, item 9).

Every expected value is counted by hand from the two fixture transcripts of conftest.py:

T01_g1 (Zeedorp, Team Een)
  :1 I   Hoe ziet een werkdag eruit?
  :2 R1  Ik begin met de mail. Daarna bel ik klanten, omdat de wet zegt dat ik moet controleren.
  :3 R2  (anderen: ja) Bij mij is dat anders: ik kijk per klant wat past, elke klant is anders.
            Dat is maatwerk.
  :4 I   En de targets?
  :5 R1  Die targets vind ik onzin, daar heb ik niks aan.
  :6 R2  Ik heb gewoon geen tijd voor intervisie, want de caseload is te hoog.
T02_r1 (Zeedorp, Team Twee; case T02_r1)
  :1 I   Wat doe je met sancties?
  :2 R   Een sanctie gebruik ik als middel om hem wakker te schudden, zodat hij weer gaat bewegen.
  :3 I   En als iemand fraude pleegt?
  :4 R   Dan houd ik me aan de regels, zo is het beleid.

Cases: T01_r1 (R1) klantmanager, T01_r2 (R2) werkcoach, T02_r1 klantmanager.
"""

from __future__ import annotations

import json

import pytest
from conftest import cli

from qualcode.errors import InputError
from qualcode.explore.search import context


def hits(p, pattern, **options):
    return [(r["fragment"], r["hit"]) for r in p.search(pattern, **options).to_dict("records")]


# -- words and phrases ------------------------------------------------------------------------------
def test_whole_words_phrases_and_stars(ingested):
    assert hits(ingested, "klant") == [("T01_g1:3", "klant"), ("T01_g1:3", "klant")]  # not "klanten"
    assert hits(ingested, "klant*") == [("T01_g1:2", "klanten"), ("T01_g1:3", "klant"), ("T01_g1:3", "klant")]
    assert hits(ingested, "*werk") == [("T01_g1:3", "maatwerk")]
    assert hits(ingested, "GEEN  tijd") == [("T01_g1:6", "geen tijd")]  # case and spacing do not matter
    assert hits(ingested, "Ik heb", case_sensitive=True) == [("T01_g1:6", "Ik heb")]  # "heb ik" is not "Ik heb"
    # a phrase over the line break of a continued turn; the hit is shown on one line
    assert hits(ingested, "anders. dat is") == [("T01_g1:3", "anders. Dat is")]
    assert hits(ingested, "targets") == [("T01_g1:5", "targets")]  # respondent turns only
    assert hits(ingested, "targets", interviewer=True) == [("T01_g1:4", "targets"), ("T01_g1:5", "targets")]


def test_kwic_row_offsets_and_context(ingested):
    [row] = ingested.search("geen tijd", context=10).to_dict("records")
    assert (row["fragment"], row["case"], row["speaker"], row["transcript"]) == ("T01_g1:6", "T01_r2", "R2", "T01_g1")
    assert (row["left"], row["hit"], row["right"]) == ("…gewoon ", "geen tijd", " voor…")
    text = ingested.store.transcript_text("T01_g1")
    assert text[row["start"]:row["end"]] == "geen tijd"  # offsets as codings have them


def test_context_cuts_at_words_and_keeps_the_turn():
    text = "Ik heb gewoon geen tijd voor intervisie, want de caseload is te hoog."
    s = text.index("geen")
    assert context(text, s, s + 9, 10) == ("…gewoon ", " voor…")
    assert context(text, s, s + 9, 14) == ("Ik heb gewoon ", " voor…")  # reaches the start: nothing cut
    assert context(text, s, s + 9, 100) == ("Ik heb gewoon ", " voor intervisie, want de caseload is te hoog.")
    assert context(text, s, s + 9, 0) == ("…", "…")
    assert context("a\n  b\n c d", 7, 8, 40) == ("a b ", " d")  # white space on one line


def test_regular_expressions_and_counts_per_case_and_attribute(ingested):
    # "ik" as a word: T01_g1:2 three, :3 one, :5 two, :6 one, T02_r1:2 one, :4 one
    rx = r"\bik\b"
    assert len(ingested.search(rx, regex=True)) == 9
    assert len(ingested.search(rx, regex=True, case_sensitive=True)) == 7  # "Ik" twice at a turn's start
    per_case = ingested.search(rx, regex=True, counts="case").to_dict("records")
    assert per_case == [
        {"case": "T01_r1", "hits": 5, "turns_with_hits": 2, "turns": 2, "share": 100.0},
        {"case": "T01_r2", "hits": 2, "turns_with_hits": 2, "turns": 2, "share": 100.0},
        {"case": "T02_r1", "hits": 2, "turns_with_hits": 2, "turns": 2, "share": 100.0},
        {"case": "Totaal", "hits": 9, "turns_with_hits": 6, "turns": 6, "share": 100.0},
    ]
    per_role = ingested.search("klant*", counts="functie").to_dict("records")
    assert per_role == [
        {"functie": "klantmanager", "hits": 1, "turns_with_hits": 1, "turns": 4, "share": 25.0,
         "cases_with_hits": 1, "cases": 2},
        {"functie": "werkcoach", "hits": 2, "turns_with_hits": 1, "turns": 2, "share": 50.0,
         "cases_with_hits": 1, "cases": 1},
        {"functie": "Totaal", "hits": 3, "turns_with_hits": 2, "turns": 6, "share": 33.3,
         "cases_with_hits": 2, "cases": 3},
    ]
    with pytest.raises(InputError, match="bad regular expression 'ik\\(': missing \\)"):
        ingested.search("ik(", regex=True)
    with pytest.raises(InputError, match="no case has an attribute 'functies'; did you mean functie"):
        ingested.search("ik", counts="functies")


def test_lemmas_through_the_pipeline(ingested):
    # the lookup table maps klanten and klant to klant, sancties to sanctie
    assert hits(ingested, "klant", lemma=True) == [("T01_g1:2", "klanten"), ("T01_g1:3", "klant"),
                                                   ("T01_g1:3", "klant")]
    assert hits(ingested, "klanten", lemma=True) == hits(ingested, "klant", lemma=True)  # the pattern's lemma
    assert hits(ingested, "sanctie", lemma=True, interviewer=True) == [("T02_r1:1", "sancties"),
                                                                       ("T02_r1:2", "sanctie")]
    assert hits(ingested, "elke klanten", lemma=True) == [("T01_g1:3", "elke klant")]
    with pytest.raises(InputError, match="choose one"):
        ingested.search("x", lemma=True, regex=True)


def test_lemma_prefilter_gives_the_same_hits_as_the_pipeline_on_every_turn(ingested, monkeypatch):
    """The built-in pipeline only runs on turns holding a form of each word; without that shortcut
    (as with a trained pipeline) the hits are the same."""
    from qualcode.explore import search as search_module

    fast = hits(ingested, "klant", lemma=True, interviewer=True)
    original = search_module.find_hits

    def without_shortcut(*args, **kwargs):
        return original(*args, **{**kwargs, "blank_pipeline": False})

    monkeypatch.setattr("qualcode.project.find_hits", without_shortcut)
    assert hits(ingested, "klant", lemma=True, interviewer=True) == fast


def test_filters_on_attributes_codes_coders_and_transcripts(ingested):
    rx = r"\bik\b"
    assert {f for f, _ in hits(ingested, rx, regex=True, where=["functie=werkcoach"])} == {"T01_g1:3", "T01_g1:6"}
    assert len(ingested.search(rx, regex=True, where=["functie=KlantManager", "caseload=300"])) == 2  # T02_r1
    assert len(ingested.search(rx, regex=True, where=["caseload=180", "caseload=60"])) == 7  # either value: T01
    assert {f for f, _ in hits(ingested, rx, regex=True, transcripts=["T02_r1"])} == {"T02_r1:2", "T02_r1:4"}
    ingested.code("T01_g1:5", ["logic.market"], coder="anna")
    ingested.code("T01_g1:2", ["logic.bureaucratic"], coder="bram")
    assert hits(ingested, rx, regex=True, in_code="logic") == [("T01_g1:2", "Ik"), ("T01_g1:2", "ik"),
                                                               ("T01_g1:2", "ik"), ("T01_g1:5", "ik"),
                                                               ("T01_g1:5", "ik")]
    assert {f for f, _ in hits(ingested, rx, regex=True, in_code="logic", coded_by="anna")} == {"T01_g1:5"}
    assert {f for f, _ in hits(ingested, rx, regex=True, coded_by="bram")} == {"T01_g1:2"}
    for bad, message in ((dict(where=["functie=coach"]), "no case has functie=coach; values of functie: "
                                                         "klantmanager, werkcoach"),
                         (dict(where=["functie"]), "--where takes ATTRIBUTE=VALUE"),
                         (dict(in_code="logik"), "no code under 'logik'"),
                         (dict(coded_by="ana"), "unknown coder 'ana'; did you mean anna"),
                         (dict(transcripts=["T03"]), "unknown transcript 'T03'")):
        with pytest.raises(InputError, match=message):
            ingested.search("ik", **bad)


# -- coding the hits --------------------------------------------------------------------------------
def test_code_the_hits_as_one_undoable_run(ingested):
    done, df = ingested.code_search_hits("klant*", "logic.professional", "anna")
    assert (done.created, done.existing, done.spans) == (3, 0, 3) and len(df) == 3
    rows = ingested.coding_rows(coders=["anna"])
    assert [(r["fragment"], r["text"], r["origin"]) for r in rows] == [
        ("T01_g1:2", "klanten", "search"), ("T01_g1:3", "klant", "search"), ("T01_g1:3", "klant", "search")]
    assert ingested.run_rows()[-1]["id"] == done.run_id and ingested.run_rows()[-1]["kind"] == "search-code"
    again, _ = ingested.code_search_hits("klant*", "logic.professional", "anna")
    assert (again.run_id, again.created, again.existing) == (None, 0, 3)  # nothing twice, no empty run
    ingested.undo(done.run_id)
    assert ingested.coding_rows(coders=["anna"]) == []


def test_code_whole_turns_and_refusals(ingested):
    done, _ = ingested.code_search_hits(r"\bik\b", "logic.professional", "anna", regex=True, whole_turn=True)
    assert done.created == 6  # six turns hold the nine hits
    turns = {f["id"]: f["text"] for t in ("T01_g1", "T02_r1") for f in ingested.transcript(t)["fragments"]}
    assert [(r["fragment"], r["text"]) for r in ingested.coding_rows(coders=["anna"])] == [
        (f, turns[f]) for f in ("T01_g1:2", "T01_g1:3", "T01_g1:5", "T01_g1:6", "T02_r1:2", "T02_r1:4")]
    runs = len(ingested.run_rows())
    with pytest.raises(InputError, match="T01_g1:4 is an interviewer turn"):
        ingested.code_search_hits("targets", "logic.market", "anna", interviewer=True)
    with pytest.raises(InputError, match="grouping node"):
        ingested.code_search_hits("targets", "logic", "anna")
    with pytest.raises(InputError, match="0 hit\\(s\\).*nothing to code"):
        ingested.code_search_hits("fietsenmaker", "logic.market", "anna")
    assert len(ingested.run_rows()) == runs


def test_search_cli(ingested):
    root = str(ingested.root)
    res = cli("--project", root, "search", "geen tijd", "--format", "json")
    assert res.exit_code == 0, res.output
    [row] = json.loads(res.stdout)
    assert set(row) >= {"fragment", "case", "left", "hit", "right", "transcript", "speaker", "start", "end"}
    res = cli("--project", root, "search", "klant", "--format", "md")
    assert res.exit_code == 0 and "**klant**" in res.stdout and "| T01_g1:3 |" in res.stdout
    res = cli("--project", root, "search", "klant*", "--counts", "functie", "--format", "csv")
    assert res.exit_code == 0 and res.stdout.splitlines()[1] == "klantmanager,1,1,4,25,1,2"
    res = cli("--project", root, "search", "klant*", "--code", "logic.professional", "--coder", "anna")
    assert res.exit_code == 0 and "coded 3 hit(s) with logic.professional for anna (run" in res.output
    for args, message in ((["--code", "logic.market"], "name who codes them with --coder"),
                          (["--coder", "anna"], "use --coded-by"),
                          (["--whole-turn"], "add --code CODE --coder NAME"),
                          (["--counts", "case", "--code", "logic.market", "--coder", "anna"], "one at a time"),
                          (["--where", "functie=coach"], "no case has functie=coach")):
        res = cli("--project", root, "search", "klant", *args)
        assert res.exit_code == 2 and message in res.output, (args, res.output)


# -- word frequencies -------------------------------------------------------------------------------
def test_words_with_stop_words_left_out_and_ties_kept(ingested):
    # the werkcoach's two turns: 33 words (letters, two or more), of which these are no stop words
    df = ingested.words(where=["functie=werkcoach"], top=3)
    rows = df.to_dict("records")
    assert rows[0] == {"rank": 1, "word": "klant", "count": 2, "per_1000": round(2000 / 33, 2), "cases": 1}
    assert [(r["rank"], r["word"], r["count"]) for r in rows[1:]] == [
        (2, w, 1) for w in ("caseload", "hoog", "intervisie", "kijk", "maatwerk", "past", "per", "tijd")]
    assert any("tied with the last" in n for n in df.attrs["notes"])  # top 3 shows 9: the 2nd to 9th are tied
    assert "33 words in 2 turn(s)" in df.attrs["notes"][0]
    assert [r["word"] for r in ingested.words(where=["functie=werkcoach"], top=1).to_dict("records")] == ["klant"]
    kept = ingested.words(where=["functie=werkcoach"], top=20, stop=["Klant", "per"]).to_dict("records")
    assert {"klant", "per"}.isdisjoint(r["word"] for r in kept) and kept[0]["per_1000"] == round(1000 / 33, 2)


def test_words_per_group_and_lemmas(ingested):
    df = ingested.words(by="functie", lemma=True, top=1)
    rows = df.to_dict("records")
    # the klantmanagers use klant once (as klanten), like many other words once: all tied at the top
    werkcoach = [r for r in rows if r["functie"] == "werkcoach"]
    assert werkcoach == [{"functie": "werkcoach", "rank": 1, "lemma": "klant", "count": 2,
                          "per_1000": round(2000 / 33, 2), "cases": 1, "forms": "klant"}]
    manager = {r["lemma"]: r for r in rows if r["functie"] == "klantmanager"}
    assert manager["klant"]["forms"] == "klanten" and manager["klant"]["count"] == 1
    assert df.attrs["groups"] == ["functie"]
    per_case = ingested.words(by="case", lemma=True, top=50).to_dict("records")
    assert {r["case"] for r in per_case} == {"T01_r1", "T01_r2", "T02_r1"}
    assert [r["forms"] for r in per_case if r["lemma"] == "sanctie"] == ["sanctie"]  # interviewer turns not counted
    with pytest.raises(InputError, match="no case has an attribute 'rol'"):
        ingested.words(by="rol")
    with pytest.raises(InputError, match="at least 1"):
        ingested.words(top=0)


def test_words_cli(ingested):
    res = cli("--project", str(ingested.root), "words", "--where", "functie=werkcoach", "--top", "1",
              "--format", "json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"rank": 1, "word": "klant", "count": 2, "per_1000": 60.61, "cases": 1}]


def test_word_counts_by_lookup_equal_the_pipelines_own_lemmas(ingested):
    """With the lookup pipeline, words --lemma runs only the tokenizer and looks each form up once;
    running the whole pipeline (as for a trained one) gives the same table."""
    from qualcode.explore.words import word_frequencies

    turns = ingested.turns(interviewer=True)
    values = ingested.case_attribute_values()
    nlp = ingested._nlp()
    for lemma in (False, True):
        fast = word_frequencies(turns, nlp, values, by="case", lemma=lemma, top=100, blank_pipeline=True)
        full = word_frequencies(turns, nlp, values, by="case", lemma=lemma, top=100, blank_pipeline=False)
        assert fast.to_dict("records") == full.to_dict("records") and len(fast) > 20
