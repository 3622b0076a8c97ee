"""The review session as a state machine (qualcode/review.py), and the scripted screen (stdin lines)."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from qualcode.cli import get_app
from qualcode.coding.review import parse_stance
from qualcode.errors import InputError
from qualcode.project import Project


@pytest.fixture
def suggested(ingested):
    """The tiny project with rule suggestions (ids 1-6, one per respondent turn but T01_g1:5's)."""
    ingested.suggest(min_score=0.0)
    return ingested


def by_code(view, code):
    return next(s for s in view.suggestions if s.code == code)


def runs_of(project, kind):
    return [r for r in project.run_rows() if r["kind"] == kind]


# -- queue and view ----------------------------------------------------------------------------
def test_queue_is_respondent_turns_in_order_with_context(suggested):
    s = suggested.review("anna")
    assert s.queue == ["T01_g1:2", "T01_g1:3", "T01_g1:5", "T01_g1:6", "T02_r1:2", "T02_r1:4"]
    v = s.view()
    assert (v.id, v.position, v.total, v.case, v.speaker) == ("T01_g1:2", 1, 6, "T01_r1", "R1")
    assert v.previous is not None and v.previous.interviewer and v.previous.text == "Hoe ziet een werkdag eruit?"
    sv = by_code(v, "logic.bureaucratic")
    assert sv.number == 1 and sv.score > 0.9
    words = {e.words: e for e in sv.evidence}
    e = words["de wet zegt"]
    assert v.text[e.start : e.end] == "de wet zegt"  # offsets in the turn's text, for highlighting
    assert any(a <= e.start and e.end <= b for a, b in v.highlights())
    assert sv.info.definition == "Regels en wetten als reden."
    assert v.codings == () and v.other_codings == ()


def test_selected_transcripts_and_min_score(suggested):
    s = suggested.review("anna", ["T02_r1"], min_score=0.5)
    assert s.queue == ["T02_r1:2", "T02_r1:4"]
    assert [x.code for x in s.view().suggestions] == ["logic.professional"]
    s.next()
    assert s.view().suggestions == ()  # logic.bureaucratic scores 0.3 there
    with pytest.raises(InputError, match="unknown transcript"):
        suggested.review("anna", ["nope"])
    with pytest.raises(InputError, match="coder"):
        suggested.review(" ")


def test_moves_end_and_jump(suggested):
    s = suggested.review("anna")
    assert s.prev() is False
    for _ in range(5):
        assert s.next() is True
    assert s.fragment_id == "T02_r1:4"
    assert s.next() is False and s.at_end
    assert s.fragment_id == "T02_r1:4"
    assert s.jump("T01_g1:4") == "T01_g1:5"  # an interviewer turn lands on the answer after it
    assert s.jump("6") == "T01_g1:6"  # a turn number in the current transcript
    assert s.skip() and s.fragment_id == "T02_r1:2"
    with pytest.raises(InputError, match="unknown fragment"):
        s.jump("T09:1")


# -- decisions ---------------------------------------------------------------------------------
def test_accept_creates_coding_with_origin_suggestion(suggested):
    s = suggested.review("anna")
    sv = s.view().suggestions[0]
    cid = s.accept()
    [c] = suggested.coding_rows(coders=["anna"])
    assert c["id"] == cid and c["code"] == "logic.bureaucratic" and c["origin"] == f"suggestion:{sv.id}"
    assert c["fragment"] == "T01_g1:2"
    assert suggested.suggestion_rows(status="accepted")[0]["id"] == sv.id
    v = s.view()
    assert v.suggestions == () and [x.code for x in v.codings] == ["logic.bureaucratic"]
    # the coding covers the suggested span (the sentence with the evidence)
    assert v.codings[0].text == "Daarna bel ik klanten, omdat de wet zegt dat ik moet controleren."
    assert not v.codings[0].whole
    assert len(runs_of(suggested, "review")) == 1  # saved at once, as its own run
    with pytest.raises(InputError, match="already accepted"):
        s.accept(sv.id)


def test_accept_keeps_suggested_stance(suggested):
    s = suggested.review("anna")
    s.jump("T01_g1:5")
    s.accept(s.suggestion_at(1))
    assert s.view().codings[0].stance == "rejects"


def test_reject_marks_rejected_and_codes_nothing(suggested):
    s = suggested.review("anna")
    s.next()
    sid = s.reject()
    row = suggested.store.get("suggestions", {"id": sid})
    assert row["status"] == "rejected" and row["decided_by"] == "anna"
    assert suggested.coding_rows(coders=["anna"]) == []
    assert s.view().suggestions == ()
    with pytest.raises(InputError, match="no open suggestions"):
        s.reject()


def test_add_code_by_fuzzy_search_and_stance(suggested):
    s = suggested.review("anna")
    s.jump("T01_g1:5")
    hit = s.search_codes("markt")[0]
    cid = s.add_code(hit.id)
    assert s.resolve_code("markt") == "logic.market" and s.resolve_code("logic.market") == "logic.market"
    [c] = suggested.coding_rows(coders=["anna"])
    assert (c["id"], c["code"], c["origin"], c["stance"]) == (cid, "logic.market", "manual", None)
    assert s.last_coding().id == cid
    s.set_stance(None, "r")  # the last coding; e/r/d/b letters
    assert suggested.coding_rows(coders=["anna"])[0]["stance"] == "rejects"
    s.set_stance(cid, "distances")
    assert suggested.coding_rows(coders=["anna"])[0]["stance"] == "distances"
    s.set_stance(cid, "-")
    assert suggested.coding_rows(coders=["anna"])[0]["stance"] is None
    with pytest.raises(InputError, match="unknown stance"):
        s.set_stance(cid, "x")
    with pytest.raises(InputError, match="unknown code"):
        s.add_code("logic.markt")
    with pytest.raises(InputError, match="grouping node"):
        s.add_code("logic")
    assert [parse_stance(x) for x in "erdb"] == ["endorses", "rejects", "distances", "describes"]


def test_add_code_with_span_and_quote(suggested):
    s = suggested.review("anna")
    s.jump("T01_g1:6")
    s.add_code("discretion.coping", span=(14, 23))
    s.add_code("logic.professional", quote="intervisie", stance="b")
    rows = {r["code"]: r for r in suggested.coding_rows(coders=["anna"])}
    assert rows["discretion.coping"]["text"] == "geen tijd"
    assert rows["logic.professional"]["text"] == "intervisie" and rows["logic.professional"]["stance"] == "describes"


def test_narrow_coding_and_suggestion(suggested):
    s = suggested.review("anna")
    text = s.view().text
    cid = s.accept()
    s.narrow(None, 0, 19)
    c = suggested.coding_rows(coders=["anna"])[0]
    assert c["id"] == cid and c["text"] == text[:19] == "Ik begin met de mai"
    frag = suggested.store.fragment("T01_g1:2")
    assert (c["start"], c["end"]) == (frag["start"], frag["start"] + 19)
    s.narrow_quote(cid, "omdat de wet zegt dat ik moet controleren")
    assert suggested.coding_rows(coders=["anna"])[0]["text"] == "omdat de wet zegt dat ik moet controleren"
    assert not s.view().codings[0].whole
    with pytest.raises(InputError, match="does not occur"):
        s.narrow_quote(cid, "targets")
    with pytest.raises(InputError, match="outside"):
        s.narrow(cid, 5, 999)
    # narrowing an open suggestion accepts it with that span
    s.jump("T01_g1:3")
    sv = s.view().suggestions[0]
    s.narrow_quote(sv, "elke klant is anders")
    row = next(r for r in suggested.coding_rows(coders=["anna"]) if r["code"] == "logic.professional")
    assert row["text"] == "elke klant is anders" and row["origin"] == f"suggestion:{sv.id}"


def test_memo_on_the_fragment(suggested):
    s = suggested.review("anna")
    s.memo("  reden: de wet  ")
    [m] = suggested.memo_rows("fragment", "T01_g1:2")
    assert (m["text"], m["coder"]) == ("reden: de wet", "anna")
    assert s.view().memos == ("reden: de wet",)
    with pytest.raises(InputError, match="empty memo"):
        s.memo("  ")


def test_undo_last_restores_and_goes_back(suggested):
    s = suggested.review("anna")
    sv = s.view().suggestions[0]
    s.accept()
    s.next()
    s.reject()
    s.next()
    s.add_code("logic.market")
    s.set_stance(None, "e")
    assert len(suggested.coding_rows(coders=["anna"])) == 2
    d = s.undo_last()  # the stance
    assert d.action == "stance" and suggested.coding_rows(coders=["anna"], codes="logic.market")[0]["stance"] is None
    s.undo_last()  # the added code
    assert suggested.coding_rows(coders=["anna"], codes="logic.market") == []
    s.undo_last()  # the reject
    assert s.fragment_id == "T01_g1:3"  # back where that decision was made
    assert [x.code for x in s.view().suggestions] == ["logic.professional"]
    s.undo_last()  # the accept
    assert s.fragment_id == "T01_g1:2"
    assert suggested.coding_rows(coders=["anna"]) == []
    assert suggested.store.get("suggestions", {"id": sv.id})["status"] == "open"
    assert [x.id for x in s.view().suggestions] == [sv.id]
    with pytest.raises(InputError, match="nothing to undo"):
        s.undo_last()
    kinds = [r["kind"] for r in suggested.run_rows()]
    assert kinds.count("review") == 4 and kinds.count("undo") == 4


def test_resume_after_reopening(project_dir, suggested):
    s = suggested.review("anna")
    s.next()
    s.next()
    assert s.fragment_id == "T01_g1:5"
    suggested.close()
    with Project.open(project_dir) as again:
        r = again.review("anna")
        assert r.resumed and r.fragment_id == "T01_g1:5" and r.view().position == 3
        assert again.review("bob").fragment_id == "T01_g1:2"  # another coder: own bookmark
        only = again.review("anna", ["T02_r1"])  # another selection: own bookmark
        assert only.fragment_id == "T02_r1:2"
        only.next()
        only.quit()
    with Project.open(project_dir) as third:
        assert third.review("anna", ["T02_r1"]).fragment_id == "T02_r1:4"
        assert third.review("anna").fragment_id == "T01_g1:5"


def test_blind_hides_suggestions_and_other_coders(suggested):
    first = suggested.review("anna")
    first.accept()
    first.memo("anna denkt: bureaucratisch")
    open_view = suggested.review("carl").view()
    assert [c.coder for c in open_view.other_codings] == ["anna"]  # not blind: others are shown
    b = suggested.review("bob", blind=True)
    v = b.view()
    assert v.blind and v.suggestions == () and v.codings == () and v.other_codings == () and v.memos == ()
    assert b.open_suggestions_left() == 0
    with pytest.raises(InputError, match="blind"):
        b.accept()
    with pytest.raises(InputError, match="blind"):
        b.reject(2)
    b.add_code("logic.professional")
    v = b.view()
    assert [c.code for c in v.codings] == ["logic.professional"] and v.other_codings == ()


def test_search_codes_ranking(suggested):
    s = suggested.review("anna")
    assert s.search_codes("markt")[0].id == "logic.market"
    assert s.search_codes("Markt")[0].id == "logic.market"
    assert s.search_codes("market")[0].id == "logic.market"
    assert s.search_codes("prof")[0].id == "logic.professional"
    assert s.search_codes("bureacratisch")[0].id == "logic.bureaucratic"  # a typo still finds it
    assert s.search_codes("logic.bur")[0].id == "logic.bureaucratic"
    assert s.search_codes("cop")[0].id == "discretion.coping"
    ids = [h.id for h in s.search_codes("logic")]
    assert "logic" not in ids and set(ids) == {"logic.bureaucratic", "logic.professional", "logic.market"}
    assert s.search_codes("") == [] and len(s.search_codes("a", limit=2)) <= 2
    assert s.search_codes("zzzzqqq") == []


def test_search_codes_on_the_shipped_codebook(tmp_path):
    from qualcode.coding.review import CodeIndex

    with Project.init(tmp_path / "p") as p:
        index = CodeIndex(p.codebook())
        assert index.search("markt")[0].id == "logic.market"
        assert index.search("clientgericht")[0].id == "aspect.client_orientation"  # accents folded
        assert index.search("piep")[0].id == "discretion.coping.rationing.squeaky_wheel"


# -- accept-all and the scripted screen --------------------------------------------------------------
def test_accept_all_is_one_undoable_run(project_dir, suggested):
    suggested.close()
    runner = CliRunner()
    app = get_app()
    res = runner.invoke(app, ["--project", str(project_dir), "review", "--coder", "anna", "--accept-all",
                              "--min-score", "0.55"])
    assert res.exit_code == 0, res.output
    assert "accepted 4 suggestion(s)" in res.output
    with Project.open(project_dir) as p:
        assert len(p.coding_rows(coders=["anna"])) == 4
        [run] = [r for r in p.run_rows() if r["kind"] == "accept-all"]
        assert {r["origin"].split(":")[0] for r in p.coding_rows(coders=["anna"])} == {"suggestion"}
        p.undo(run["id"])
        assert p.coding_rows(coders=["anna"]) == [] and len(p.suggestion_rows(status="open")) == 6
    res = runner.invoke(app, ["--project", str(project_dir), "review", "--coder", "anna", "--accept-all", "--blind"])
    assert res.exit_code == 2


def test_scripted_screen_reads_one_command_per_line(project_dir, suggested):
    suggested.close()
    script = "\n".join([
        "a",                 # T01_g1:2: accept logic.bureaucratic
        "l",
        "r",                 # T01_g1:3: reject logic.professional
        "c markt",           # ... and add logic.market by fuzzy search
        "s d",               # stance distances on it
        "n elke klant is anders",
        "m te checken",
        "d logic.market",
        "l",
        "a",                 # T01_g1:5: accept logic.market (stance rejects)
        "u",                 # undo it
        "j T02_r1:2",
        "2",                 # no second suggestion here: an error message, nothing changes
        "x",
        "q",
    ]) + "\n"
    res = CliRunner().invoke(get_app(), ["--project", str(project_dir), "review", "--coder", "anna"], input=script)
    assert res.exit_code == 0, res.output
    out = res.output
    for expected in ("accepted logic.bureaucratic", "rejected logic.professional", "coded logic.market",
                     "stance distances on logic.market", "narrowed logic.market", "memo saved", "Cijfers en targets.",
                     "undone: accepted logic.market on T01_g1:5", "no suggestion 2 on this turn", "unknown key 'x'",
                     "next time it starts at T02_r1:2"):
        assert expected in out, expected
    with Project.open(project_dir) as p:
        rows = {r["code"]: r for r in p.coding_rows(coders=["anna"])}
        assert set(rows) == {"logic.bureaucratic", "logic.market"}
        assert rows["logic.market"]["fragment"] == "T01_g1:3" and rows["logic.market"]["origin"] == "manual"
        assert rows["logic.market"]["stance"] == "distances" and rows["logic.market"]["text"] == "elke klant is anders"
        assert [s["status"] for s in p.suggestion_rows(status=None)][:3] == ["accepted", "rejected", "open"]
        assert p.memo_rows("fragment", "T01_g1:3")[0]["text"] == "te checken"
        assert p.review("anna").fragment_id == "T02_r1:2"


def test_scripted_screen_end_of_queue(project_dir, suggested):
    from rich.console import Console

    from qualcode.cli.review import run_review

    s = suggested.review("anna", ["T02_r1"])
    s.accept()
    buf = io.StringIO()
    run_review(s, stdin=io.StringIO("l\nl\n\nq\n"), console=Console(file=buf, width=80, height=24))
    out = buf.getvalue()
    assert "end of the queue (1 open suggestion(s) left" in out and "T02_r1:4" in out
    s2 = suggested.review("anna", ["T02_r1"])
    s2.reject()
    buf = io.StringIO()
    run_review(s2, stdin=io.StringIO("l\nq\n"), console=Console(file=buf, width=80, height=24))
    assert "end of the queue, and no open suggestions left: q to quit" in buf.getvalue()


# -- new codes while coding (in-vivo coding, issue 14 item 8) --------------------------------------
def codebook_text(project) -> str:
    return (project.root / "codebooks" / "test.yaml").read_text(encoding="utf-8")


def test_create_code_codes_the_words_and_is_usable_at_once(suggested):
    before = codebook_text(suggested)
    s = suggested.review("anna")
    s.jump("T02_r1:2")
    assert s.view().text.startswith("Een sanctie gebruik ik als middel om hem wakker te schudden")
    plan = s.plan_new_code("Wakker te schudden", "logic")
    assert (plan.id, plan.label, plan.quote) == ("logic.wakker_te_schudden", "Wakker te schudden",
                                                 "wakker te schudden")
    cid = s.create_code("Wakker te schudden", "logic", definition="Druk zetten om de klant te activeren.")
    [c] = suggested.coding_rows(coders=["anna"])
    assert (c["id"], c["code"], c["fragment"], c["text"], c["origin"]) == (
        cid, "logic.wakker_te_schudden", "T02_r1:2", "wakker te schudden", "manual")
    # the codebook file gained exactly the new block, with the coded words as its first example
    assert codebook_text(suggested) == before.replace(
        "        blockers: [\"klantmanager*\"]\n",
        "        blockers: [\"klantmanager*\"]\n"
        "      - id: wakker_te_schudden\n"
        "        label: {nl: Wakker te schudden, en: Wakker te schudden}\n"
        "        definition: Druk zetten om de klant te activeren.\n"
        "        examples:\n"
        "          - wakker te schudden\n")
    # one run made both the code and the coding
    assert runs_of(suggested, "review")[-1]["params"]["action"] == "new-code"
    assert len(runs_of(suggested, "review")) == 1
    # usable at once: found by the code search, applied to the next turn, known to the project
    assert s.search_codes("wakker")[0].id == "logic.wakker_te_schudden"
    assert s.code_info("logic.wakker_te_schudden").examples == ("wakker te schudden",)
    s.next()
    s.add_code(s.resolve_code("wakker"))
    assert suggested.codebook().codes["logic.wakker_te_schudden"].parent == "logic"
    assert [r["fragment"] for r in suggested.coding_rows(codes="logic.wakker_te_schudden")] == ["T02_r1:2", "T02_r1:4"]
    # u twice: the second coding, then the code and its coding together; the file is as it was
    s.undo_last()
    d = s.undo_last()
    assert d.action == "new-code" and s.fragment_id == "T02_r1:2"
    assert codebook_text(suggested) == before
    assert suggested.coding_rows(coders=["anna"]) == []
    assert "logic.wakker_te_schudden" not in s.codebook.codes and s.search_codes("wakker") == []
    assert "logic.wakker_te_schudden" not in suggested.codebook().codes


def test_create_code_defaults_whole_turn_top_level_and_a_todo_definition(suggested, monkeypatch):
    import qualcode.coding.review as review_module

    monkeypatch.setattr(review_module, "EXAMPLE_WORDS", 5)
    s = suggested.review("anna")
    s.jump("T01_g1:6")  # "Ik heb gewoon geen tijd voor intervisie, want de caseload is te hoog."
    cid = s.create_code("werkdruk")  # typed as an id; not said in the turn: the whole turn is coded
    row = suggested.store.get("codings", {"id": cid})
    assert row["code"] == "werkdruk" and row["text"] == s.view().text
    code = suggested.codebook().codes["werkdruk"]
    assert (code.parent, code.label.nl) == (None, "Werkdruk")
    assert code.definition == "TODO: define this in-vivo code (made while coding T01_g1:6)."
    assert code.examples == ["Ik heb gewoon geen tijd (...)"]


def test_create_code_refusals_change_nothing(suggested):
    before = codebook_text(suggested)
    s = suggested.review("anna")
    with pytest.raises(InputError, match="already a code logic.market"):
        s.create_code("market", "logic")
    with pytest.raises(InputError, match="does not occur in this turn"):
        s.create_code("Mail", "logic", words="de post")
    with pytest.raises(InputError, match="unknown code 'logic.nope'"):
        s.create_code("Mail", "logic.nope")
    with pytest.raises(InputError, match="letters or digits"):
        s.create_code("?!", "logic")
    assert codebook_text(suggested) == before and s.decisions == []
    assert suggested.coding_rows() == []


def test_a_long_in_vivo_name_gets_a_short_id(suggested):
    s = suggested.review("anna")
    s.jump("T02_r1:2")
    plan = s.plan_new_code("Een sanctie gebruik ik als middel om hem wakker te schudden", "logic")
    assert plan.id == "logic.een_sanctie_gebruik_ik_als_middel_om_hem"  # 40 characters at most, cut between words
    assert plan.label == "Een sanctie gebruik ik als middel om hem wakker te schudden"
    assert plan.quote == "Een sanctie gebruik ik als middel om hem wakker te schudden"


def test_parent_search_includes_grouping_codes(suggested):
    s = suggested.review("anna")
    assert s.resolve_parent("") is None and s.resolve_parent("-") is None
    assert s.resolve_parent("beslis") == "discretion"  # a grouping code (not codable)
    assert s.search_codes("beslis") == [] or all(h.id != "discretion" for h in s.search_codes("beslis"))
    hits = s.search_parents("logic")
    assert hits[0].id == "logic" and s.resolve_parent("2", hits) == hits[1].id


def test_scripted_screen_makes_a_new_code(project_dir, suggested):
    suggested.close()
    before = codebook_text(Project.open(project_dir))
    script = "\n".join([
        "j T02_r1:2",
        "c wakker te schudden",    # matches no code: offered
        "y",
        "beslis",                  # under discretion (a grouping code, by its label)
        "",                        # the words: the name itself, said in this turn
        "Druk zetten om te activeren.",
        "s e",                     # the new coding takes a stance like any other
        "l",
        "c wakker",                # the new code is found at once
        "c +Eigen regie",          # + makes a new code even when something matches
        "-",                       # at the top level
        "zo is het beleid",        # these words of the turn
        "",                        # no definition yet
        "c zelfredzaam",           # offered, declined
        "n",
        "c logic 2",               # QUERY N: the second code matching "logic", not a new code "logic 2"
        "q",
    ]) + "\n"
    res = CliRunner().invoke(get_app(), ["--project", str(project_dir), "review", "--coder", "anna"], input=script)
    assert res.exit_code == 0, res.output
    for expected in ("new code discretion.wakker_te_schudden (under discretion), coded «wakker te",
                     "stance endorses on discretion.wakker_te_schudden", "coded discretion.wakker_te_schudden",
                     "new code eigen_regie (top level), coded «zo is het beleid»; definition: TODO",
                     "no code added"):
        assert expected in res.output, expected
    with Project.open(project_dir) as p:
        rows = [(r["code"], r["fragment"], r["text"], r["stance"]) for r in p.coding_rows(coders=["anna"])]
        second = p.review("x").search_codes("logic")[1].id
        turn = "Dan houd ik me aan de regels, zo is het beleid."
        assert sorted(rows, key=str) == sorted([
            ("discretion.wakker_te_schudden", "T02_r1:2", "wakker te schudden", "endorses"),
            ("discretion.wakker_te_schudden", "T02_r1:4", turn, None),
            ("eigen_regie", "T02_r1:4", "zo is het beleid", None),
            (second, "T02_r1:4", turn, None)], key=str)
        cb = p.codebook()
        assert cb.codes["discretion.wakker_te_schudden"].definition == "Druk zetten om te activeren."
        assert cb.codes["eigen_regie"].examples == ["zo is het beleid"]
        assert "zelfredzaam" not in codebook_text(p)
        assert codebook_text(p).startswith(before.split("codes:")[0])
