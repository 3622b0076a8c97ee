"""Ingest: storing transcripts, cases and attributes; re-ingest; re-anchoring; bad input."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import GROUP, write

from qualcode.errors import InputError


def db_snapshot(project):
    s = project.store
    return {t: s.count(t) for t in ("runs", "transcripts", "fragments", "cases", "attributes", "codings")}


def test_ingest_stores_turns_cases_and_typed_attributes(project):
    report = project.ingest([project.root / "transcripts"])
    assert [r.status for r in report.files] == ["new", "new"]
    rows = {r["id"]: r for r in project.transcript_rows()}
    assert set(rows) == {"T01_g1", "T02_r1"}
    g = rows["T01_g1"]
    assert g["turns"] == 6  # interviewer turns are fragments too (context)
    assert g["cases"] == ["T01_r1", "T01_r2"]
    assert g["attributes"]["date"] == date(2025, 3, 11)
    t = project.transcript("T01_g1")
    frags = t["fragments"]
    assert [f["id"] for f in frags][:3] == ["T01_g1:1", "T01_g1:2", "T01_g1:3"]
    assert frags[0]["interviewer"] is True and frags[0]["case"] is None
    assert frags[1]["case"] == "T01_r1" and frags[1]["meta"]["time_start"] == "00:00:41"
    assert frags[2]["case"] == "T01_r2"
    assert frags[2]["text"].endswith("Dat is maatwerk.")
    assert "[00:00:41]" not in frags[1]["text"]
    # single interview without speakers: the case is the transcript id
    assert project.transcript("T02_r1")["fragments"][1]["case"] == "T02_r1"


def test_case_attributes_merge_front_matter_and_csv(ingested):
    case = ingested.case("T01_r2")
    assert case["attributes"]["gemeente"] == "Zeedorp"  # from the group interview's front matter
    assert case["attributes"]["caseload"] == 60  # typed number from cases.csv
    assert case["attribute_details"]["caseload"]["source"] == "csv"
    df = ingested.cases()
    assert df.set_index("case").loc["T02_r1", "caseload"] == 300


def test_words_count_respondent_turns_only(ingested):
    row = next(r for r in ingested.transcript_rows() if r["id"] == "T02_r1")
    expected = len("Een sanctie gebruik ik als middel om hem wakker te schudden, zodat hij weer gaat bewegen.".split()) + len(
        "Dan houd ik me aan de regels, zo is het beleid.".split()
    )
    assert row["words"] == expected


def test_reingest_unchanged_is_a_noop(ingested):
    before = db_snapshot(ingested)
    report = ingested.ingest([ingested.root / "transcripts"])
    assert report.run_id is None
    assert [r.status for r in report.files] == ["unchanged", "unchanged"]
    assert db_snapshot(ingested) == before


def test_changed_file_reanchors_codings_and_orphans_the_lost(ingested):
    ingested.code("T01_g1:3", ["logic.professional"], coder="ann", quote="elke klant is anders")
    ingested.code("T01_g1:5", ["logic.market"], coder="ann", quote="Die targets vind ik onzin")
    edited = GROUP.replace("I: Hoe ziet een werkdag eruit?", "I: Goedemorgen. Hoe ziet een gewone werkdag eruit?")
    edited = edited.replace("Die targets vind ik onzin", "Targets, tja")
    write(ingested.root / "transcripts" / "T01_g1.txt", edited)
    report = ingested.ingest([ingested.root / "transcripts"])
    assert report.files[0].status == "updated"
    assert report.files[0].moved == 1
    assert [o["text"] for o in report.orphaned] == ["Die targets vind ik onzin"]
    codings = {c["code"]: c for c in ingested.coding_rows(status=None)}
    moved = codings["logic.professional"]
    text = ingested.store.transcript("T01_g1")["text"]
    assert text[moved["start"] : moved["end"]] == "elke klant is anders"
    assert moved["fragment"] == "T01_g1:3" and moved["status"] == "active"
    assert codings["logic.market"]["status"] == "orphaned"
    # the update is a run that can be undone: the old text and the old offsets come back
    ingested.undo(report.run_id)
    assert ingested.store.transcript("T01_g1")["text"].startswith("I: Hoe ziet een werkdag")
    assert {c["status"] for c in ingested.coding_rows(status=None)} == {"active"}


def test_undo_ingest_removes_everything_it_added(project):
    report = project.ingest([project.root / "transcripts"])
    project.undo(report.run_id)
    snap = db_snapshot(project)
    assert snap["transcripts"] == snap["fragments"] == snap["cases"] == snap["attributes"] == 0


@pytest.mark.parametrize(
    "name, content, message, line",
    [
        ("bad_fm.txt", "---\nid: x\ndate: [1, 2\n---\nI: vraag\n", "front matter", None),
        ("open_fm.txt", "---\nid: x\nI: vraag\n", "front matter", 1),
        ("before.txt", "Dit is een inleiding.\n" * 21 + "I: vraag\nR: antwoord\n", "before the first speaker label", 1),
        ("empty.txt", "", "empty|no speaker turns", None),
    ],
)
def test_bad_file_aborts_the_whole_ingest(project, name, content, message, line):
    write(project.root / "transcripts" / name, content)
    before = db_snapshot(project)
    with pytest.raises(InputError, match=message) as exc:
        project.ingest([project.root / "transcripts"])
    assert name in str(exc.value)
    if line is not None:
        assert f"{name}:{line}" in str(exc.value)
    assert db_snapshot(project) == before


def test_binary_unknown_extension_missing_path(project):
    (project.root / "transcripts" / "audio.txt").write_bytes(b"\x00\x01\x02ID3\x00\x00" * 50)
    with pytest.raises(InputError, match="binary"):
        project.ingest([project.root / "transcripts" / "audio.txt"])
    write(project.root / "notes.pdf", "x")
    with pytest.raises(InputError, match="unknown transcript extension"):
        project.ingest([project.root / "notes.pdf"])
    with pytest.raises(InputError, match="no such file"):
        project.ingest([project.root / "missing.txt"])
    assert project.store.count("transcripts") == 0


def test_duplicate_transcript_id(project):
    write(project.root / "other" / "T02_r1.txt", "I: vraag\nR: antwoord\n")
    with pytest.raises(InputError, match="duplicate transcript id 'T02_r1'"):
        project.ingest([project.root / "transcripts", project.root / "other"])
    project.ingest([project.root / "transcripts"])
    with pytest.raises(InputError, match="already ingested from transcripts/T02_r1.txt"):
        project.ingest([project.root / "other" / "T02_r1.txt"])


def test_pii_file_is_skipped_unless_allowed(project):
    write(project.root / "transcripts" / "T03_r1.txt", "I: Hoe bereik ik u?\nR: Bel maar naar 06-12345678 of mail piet@example.nl.\n")
    report = project.ingest([project.root / "transcripts"])
    skipped = report.skipped
    assert [r.transcript for r in skipped] == ["T03_r1"]
    kinds = sorted(f.kind for f in report.findings)
    assert kinds == ["email", "phone"]
    assert all(f.line == 2 for f in report.findings)
    assert project.store.transcript("T03_r1") is None
    assert project.store.transcript("T01_g1") is not None  # clean files are ingested
    report = project.ingest([project.root / "transcripts" / "T03_r1.txt"], allow_pii=True)
    assert report.files[0].status == "new"
    run = project.store.get_run(report.run_id)
    assert run.params["allow_pii"] is True
    assert len(run.summary["pii_findings"]) == 2
    assert project.store.transcript("T03_r1")["pii_allowed"] == 1


def test_sensitive_terms_from_settings(project_dir):
    toml = project_dir / "qualcode.toml"
    toml.write_text(toml.read_text().replace("municipalities = []", 'municipalities = ["Zeedorp"]'))
    from qualcode.project import Project

    with Project.open(project_dir) as p:
        write(p.root / "transcripts" / "T04_r1.txt", "I: Waar werkt u?\nR: In Zeedorp, al tien jaar.\n")
        report = p.ingest([p.root / "transcripts" / "T04_r1.txt"])
        assert [(f.kind, f.text, f.line) for f in report.findings] == [("municipality", "Zeedorp", 2)]


def test_group_interview_speaker_mapping_warns_on_unmapped(project):
    write(
        project.root / "transcripts" / "T05_g1.txt",
        "---\nspeakers:\n  R1: T05_r1\n---\nI: vraag\nR1: ja\nR3: nee\n",
    )
    report = project.ingest([project.root / "transcripts" / "T05_g1.txt"])
    assert any("'R3' is not in `speakers:`" in w for w in report.warnings)
    frags = project.transcript("T05_g1")["fragments"]
    assert [f["case"] for f in frags] == [None, "T05_r1", "T05_g1"]


def test_bad_attributes_csv_aborts(project):
    write(project.root / "bad.csv", "case,n:number\nT01_r1,veel\n")
    with pytest.raises(InputError, match="bad.csv:2"):
        project.ingest([project.root / "transcripts"], attributes=project.root / "bad.csv")
    assert project.store.count("transcripts") == 0


def test_manual_case_attribute_wins_and_undoes(ingested):
    run = ingested.set_case_attributes("T01_r1", {"caseload": "200", "actief": "ja"})
    assert ingested.case("T01_r1")["attributes"]["caseload"] == 200
    assert ingested.case("T01_r1")["attributes"]["actief"] is True
    ingested.ingest([ingested.root / "transcripts"])  # the CSV says 180 but manual wins
    assert ingested.case("T01_r1")["attributes"]["caseload"] == 200
    ingested.undo(run)
    assert ingested.case("T01_r1")["attributes"]["caseload"] == 180
    assert "actief" not in ingested.case("T01_r1")["attributes"]


def test_sentences_are_the_second_unit(ingested):
    sents = ingested.sentences("T01_g1")
    s = [x for x in sents if x["fragment"] == "T01_g1:2"]
    assert [x["text"] for x in s] == [
        "Ik begin met de mail.",
        "Daarna bel ik klanten, omdat de wet zegt dat ik moet controleren.",
    ]
    text = ingested.store.transcript("T01_g1")["text"]
    assert all(text[x["start"] : x["end"]] == x["text"] for x in sents)
