"""Issue 14 items 1-4 and 6 end to end: a folder of real files ingested, what is reported, what
``transcripts show`` / ``transcripts speakers`` / ``anonymity check`` say.

Counts are the fixture README's (tests/data/layouts/README.md), not the reader's output.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import cli as run
from conftest import write

from qualcode.errors import InputError

LAYOUTS = Path(__file__).parent / "data" / "layouts"


def db_snapshot(project):
    s = project.store
    return {t: s.count(t) for t in ("runs", "transcripts", "fragments", "cases", "attributes")}


def copy(project_dir: Path, *names: str) -> None:
    for name in names:
        source = LAYOUTS / name
        target = project_dir / "transcripts" / source.name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)


# -- item 1: --skip-bad ----------------------------------------------------------------------------------
def test_without_skip_bad_one_bad_file_refuses_the_folder(project_dir):
    copy(project_dir, "word-title-header.docx")
    (project_dir / "transcripts" / "kapot.docx").write_bytes(b"PK\x03\x04 dit is geen Word-bestand")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    assert r.exit_code == 2
    assert "kapot.docx: not a readable .docx file" in r.output
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    assert json.loads(r.stdout) == []


def test_skip_bad_stores_the_rest_lists_the_bad_and_exits_1(project_dir):
    copy(project_dir, "word-title-header.docx")
    (project_dir / "transcripts" / "kapot.docx").write_bytes(b"PK\x03\x04 dit is geen Word-bestand")
    write(project_dir / "transcripts" / "leeg.txt", "Alleen een titel\nen nog een regel\n")
    write(project_dir / "transcripts" / "dubbel.txt", "---\nid: T02_r1\n---\nI: vraag\nR: antwoord\n")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"), "--skip-bad", "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    status = {Path(f["file"]).name: f["status"] for f in data["files"]}
    assert status == {"T01_g1.txt": "new", "T02_r1.txt": "new", "word-title-header.docx": "new",
                      "kapot.docx": "bad", "leeg.txt": "bad", "dubbel.txt": "bad"}
    problems = {Path(f["file"]).name: f["problem"] for f in data["files"] if f["status"] == "bad"}
    assert problems["leeg.txt"].endswith("leeg.txt:1: no speaker turns found: no line starts with a speaker "
                                         "label and a colon, e.g. 'R1: ...'")
    assert "duplicate transcript id 'T02_r1'" in problems["dubbel.txt"]
    assert "3 file(s) could not be read and were skipped (--skip-bad)" in r.stderr
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    assert sorted(t["id"] for t in json.loads(r.stdout)) == ["T01_g1", "T02_r1", "word-title-header"]


def test_skip_bad_also_survives_a_reader_bug_on_one_file(project, monkeypatch):
    from qualcode.coding import ingest as ingest_module

    real = ingest_module.read_transcript

    def breaks_on_one(path, **kwargs):
        if Path(path).name == "T02_r1.txt":
            raise RuntimeError("onverwachte structuur")
        return real(path, **kwargs)

    monkeypatch.setattr(ingest_module, "read_transcript", breaks_on_one)
    report = project.ingest([project.root / "transcripts"], skip_bad=True)
    assert [(r.transcript, r.status) for r in report.files] == [("T01_g1", "new"), ("", "bad")]
    assert "internal error RuntimeError: onverwachte structuur" in report.bad[0].problem
    assert project.store.transcript("T01_g1") is not None


def test_header_note_is_stored_shown_and_its_keys_are_attributes(project_dir):
    copy(project_dir, "word-title-header.docx")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts" / "word-title-header.docx"),
            "--format", "json")
    assert r.exit_code == 0, r.output
    [row] = json.loads(r.stdout)["files"]
    assert (row["layout"], row["header"], row["turns"]) == ("word-bold", 5, 9)
    r = run("-p", str(project_dir), "transcripts", "show", "word-title-header", "--format", "json")
    data = json.loads(r.stdout)
    assert data["header"].splitlines()[0] == "Interview klantmanager Zuidwoude, 12 maart 2025"
    assert data["attributes"] == {"datum": "12 maart 2025", "gemeente": "Zuidwoude",
                                  "interviewer": "onderzoeker 2", "team": "Werk en Inkomen Zuid"}
    r = run("-p", str(project_dir), "transcripts", "show", "word-title-header")
    assert "  | Interviewer: onderzoeker 2" in r.stdout and "[word-bold]" in r.stdout


# -- item 2: layouts in the ingest report, speakers file ----------------------------------------------------
def test_ingest_reports_the_layout_of_each_file(project_dir):
    copy(project_dir, "teams.docx", "otter.txt", "descript.txt", "zoom-chat-style.txt", "cueless.vtt")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"), "--format", "json")
    assert r.exit_code == 0, r.output
    layouts = {f["transcript"]: f["layout"] for f in json.loads(r.stdout)["files"]}
    assert layouts == {"T01_g1": "labels", "T02_r1": "labels", "teams": "teams", "otter": "otter",
                       "descript": "descript-rev", "zoom-chat-style": "zoom-captions", "cueless": "vtt-labels"}
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    turns = {t["id"]: t["turns"] for t in json.loads(r.stdout)}
    assert [turns[t] for t in ("teams", "otter", "descript", "zoom-chat-style", "cueless")] == [12, 12, 12, 12, 7]


def test_speakers_file_maps_service_labels_to_cases(project_dir):
    copy(project_dir, "teams.docx", "otter.txt")
    write(project_dir / "transcripts" / "speakers.csv",
          "transcript,label,case\n*,Klantmanager A,Zwd05_r1\n*,Klantmanager B (Guest),Zwd05_r2\n"
          "otter,Speaker 1,interviewer\notter,Speaker 2,Zwd05_r1\notter,Speaker 3,Zwd05_r2\n")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    assert r.exit_code == 0, r.output
    assert "generic speaker labels" not in r.stderr and "become one case" not in r.stderr
    for tid in ("teams", "otter"):
        r = run("-p", str(project_dir), "transcripts", "show", tid, "--format", "json")
        frags = json.loads(r.stdout)["fragments"]
        assert [f["case"] for f in frags] == [None, "Zwd05_r1", None, "Zwd05_r1", None, "Zwd05_r1", "Zwd05_r2",
                                              None, "Zwd05_r1", None, "Zwd05_r1", None]
        assert [f["interviewer"] for f in frags] == [f["case"] is None for f in frags]
    r = run("-p", str(project_dir), "cases", "show", "Zwd05_r2", "--format", "json")
    assert json.loads(r.stdout)["turns"] == 2  # one turn in each transcript


# -- item 3: warnings with lines, marks in show, transcripts speakers -------------------------------------
def test_doubtful_speakers_are_warned_with_lines_and_marked(project_dir):
    copy(project_dir, "single-label.txt")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "transcripts" / "single-label.txt"))
    assert r.exit_code == 0, r.output
    path = str(project_dir / "transcripts" / "single-label.txt")
    assert f"warning: {path}:16: speaker 'Respondent 3' has one turn only" in r.stderr
    assert f"warning: {path}:10: 3 respondent labels become one case 'Zwd02_g1'" in r.stderr
    r = run("-p", str(project_dir), "transcripts", "show", "Zwd02_g1", "--format", "json")
    marks = {f["id"]: f["notes"] for f in json.loads(r.stdout)["fragments"]}
    assert marks["Zwd02_g1:8"] == ["one-case", "single"]
    assert marks["Zwd02_g1:1"] == [] and marks["Zwd02_g1:2"] == ["one-case"]
    r = run("-p", str(project_dir), "transcripts", "show", "Zwd02_g1")
    assert "Zwd02_g1:8 Respondent 3 (Zwd02_g1)  ! one-case, single" in r.stdout


def test_transcripts_speakers_reads_a_file_before_ingest(project_dir):
    copy(project_dir, "group-no-speakers.txt")
    r = run("-p", str(project_dir), "transcripts", "speakers",
            str(project_dir / "transcripts" / "group-no-speakers.txt"), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["layout"] == "labels"
    assert [(s["label"], s["role"], s["case"], s["turns"], s["first_line"], s["how"]) for s in data["speakers"]] == [
        ("I", "interviewer", None, 3, 9, "interviewer label"),
        ("R1", "respondent", "Zwd03_g1", 2, 10, "transcript id"),
        ("R2", "respondent", "Zwd03_g1", 2, 11, "transcript id"),
        ("R3", "respondent", "Zwd03_g1", 2, 12, "transcript id"),
    ]
    assert [n["kind"] for n in data["notes"]] == ["one-case"]
    r = run("-p", str(project_dir), "transcripts", "list", "--format", "json")
    assert json.loads(r.stdout) == []  # nothing was ingested
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    r = run("-p", str(project_dir), "transcripts", "speakers", "Zwd03_g1", "--format", "json")
    assert [s["case"] for s in json.loads(r.stdout)["speakers"]] == [None, "Zwd03_g1", "Zwd03_g1", "Zwd03_g1"]


# -- item 4: lock files and hidden files ---------------------------------------------------------------------
def test_lock_and_hidden_files_are_skipped_with_a_note(project_dir):
    copy(project_dir, "folder-with-junk")
    folder = project_dir / "transcripts" / "folder-with-junk"
    r = run("-p", str(project_dir), "ingest", str(folder), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert sorted(f["transcript"] for f in data["files"]) == ["Zwd04_r1", "Zwd04_r2"]
    assert sorted(Path(i["file"]).name for i in data["ignored"]) == [
        ".DS_Store", ".~lock.interview2.docx#", "Thumbs.db", "~$interview1.docx"]
    assert "note: skipped" in r.stderr and "a Word lock file" in r.stderr
    # a shell glob that names the lock file is not fatal either
    r = run("-p", str(project_dir), "ingest", str(folder / "~$interview1.docx"), str(folder / "interview1.txt"))
    assert r.exit_code == 0, r.output


def test_a_folder_of_only_lock_files_says_what_it_skipped(project):
    folder = project.root / "leeg"
    folder.mkdir()
    (folder / "~$int1.docx").write_bytes(b"\x0cOnderzoeker2")
    try:
        project.ingest([folder])
    except InputError as exc:
        assert "no transcript files found" in str(exc) and "~$int1.docx" in str(exc)
    else:
        raise AssertionError("an empty folder must be refused")


# -- item 6: a name added to [anonymity] after ingest ------------------------------------------------------------
def test_a_name_added_later_is_found_in_the_stored_transcripts(project_dir):
    single = project_dir / "transcripts" / "T02_r1.txt"
    write(single, single.read_text().replace("Dan houd ik", "Met collega Bakker houd ik"))
    assert run("-p", str(project_dir), "ingest", str(project_dir / "transcripts")).exit_code == 0
    assert run("-p", str(project_dir), "anonymity", "check").exit_code == 0
    toml = project_dir / "qualcode.toml"
    toml.write_text(toml.read_text().replace("people = []", 'people = ["Bakker"]'))  # added after ingest
    r = run("-p", str(project_dir), "anonymity", "check", "--format", "json")
    assert r.exit_code == 1
    # line 9 of T02_r1.txt is "R: Met collega Bakker houd ik ..."; the column counts in the turn's text
    assert json.loads(r.stdout) == [{
        "transcript": "T02_r1", "file": "transcripts/T02_r1.txt", "fragment": "T02_r1:4", "line": 9, "column": 13,
        "kind": "person", "text": "Bakker", "allowed": False,
    }]
    r = run("-p", str(project_dir), "anonymity", "check")
    assert "qualcode ingest transcripts/T02_r1.txt" in r.stderr
    # the next ingest of other files says so too
    write(project_dir / "nieuw" / "T09_r1.txt", "I: Hoe gaat het?\nR: Goed, dank je.\n")
    r = run("-p", str(project_dir), "ingest", str(project_dir / "nieuw"), "--format", "json")
    assert r.exit_code == 1
    assert [(f["transcript"], f["text"]) for f in json.loads(r.stdout)["stored_findings"]] == [("T02_r1", "Bakker")]
    assert "qualcode ingest transcripts/T02_r1.txt" in r.stderr


def test_anonymity_check_reads_header_notes_and_respects_allow_pii(project_dir):
    copy(project_dir, "word-header-footer.docx")
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts"))
    write(project_dir / "transcripts" / "T07_r1.txt", "I: Hoe bereik ik u?\nR: Bel 06-12345678.\n")
    run("-p", str(project_dir), "ingest", str(project_dir / "transcripts" / "T07_r1.txt"), "--allow-pii")
    toml = project_dir / "qualcode.toml"
    toml.write_text(toml.read_text().replace("municipalities = []", 'municipalities = ["Noordwaard"]'))
    r = run("-p", str(project_dir), "anonymity", "check", "--format", "json")
    assert r.exit_code == 1
    found = [(f["transcript"], f["fragment"], f["kind"], f["allowed"]) for f in json.loads(r.stdout)]
    assert found == [("T07_r1", "T07_r1:2", "phone", True), ("word-header-footer", "header", "municipality", False)]
