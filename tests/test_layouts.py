"""Issue 14 items 1-3: transcripts as they come (tests/data/layouts/, see its README).

The expected values are the README's hand-made table of the shared "media" interview and its
per-file "to recover" lists, not output of the reader: 12 turns in a fixed order with start
times, which utterances merge, where the header ends.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from qualcode.errors import InputError
from qualcode.transcripts import ParsedTranscript, read_transcript
from qualcode.transcripts.labels import LabelPolicy, SourceLine, SpeakerLabels, match_label
from qualcode.transcripts.preamble import split_preamble
from qualcode.transcripts.speakers import plan_speakers, read_speaker_map

LAYOUTS = Path(__file__).parent / "data" / "layouts"
LABELS = ["I", "INT", "Interviewer", "Onderzoeker"]  # the sample project's qualcode.toml

# The README's table: who speaks in the 12 turns (Teams/Zoom name, Otter/Descript label), start in seconds.
MEDIA = [
    ("Onderzoeker Zuid", "Speaker 1", 3),
    ("Klantmanager A", "Speaker 2", 11),
    ("Onderzoeker Zuid", "Speaker 1", 36),
    ("Klantmanager A", "Speaker 2", 43),
    ("Onderzoeker Zuid", "Speaker 1", 61),
    ("Klantmanager A", "Speaker 2", 68),
    ("Klantmanager B (Guest)", "Speaker 3", 86),
    ("Onderzoeker Zuid", "Speaker 1", 95),
    ("Klantmanager A", "Speaker 2", 102),
    ("Onderzoeker Zuid", "Speaker 1", 121),
    ("Klantmanager A", "Speaker 2", 126),
    ("Onderzoeker Zuid", "Speaker 1", 150),
]
MERGED = {2: 2, 11: 2}  # turn n -> utterances merged (README: 0:11+0:24, 2:06+2:21)


def read(name: str) -> ParsedTranscript:
    return read_transcript(LAYOUTS / name, interviewer_labels=LABELS)


def seconds(stamp: str) -> int:
    h, m, s = stamp.split(".")[0].split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def assert_offsets(parsed: ParsedTranscript) -> None:
    for turn in parsed.turns:
        assert parsed.text[turn.start : turn.end] == turn.text


# -- item 2: the transcription-service layouts --------------------------------------------------------
@pytest.mark.parametrize(
    "name, layout, named",
    [
        ("teams.docx", "teams", True),
        ("teams.vtt", "teams-vtt", True),
        ("zoom.vtt", "zoom-vtt", True),
        ("otter.txt", "otter", False),
        ("descript.txt", "descript-rev", False),
    ],
)
def test_media_interview_in_every_layout(name: str, layout: str, named: bool) -> None:
    parsed = read(name)
    assert parsed.layout == layout
    expected = [(who if named else label) for who, label, _ in MEDIA]
    assert [t.speaker for t in parsed.turns] == expected
    assert [seconds(t.meta["time_start"]) for t in parsed.turns] == [start for *_, start in MEDIA]
    # the interviewer is found by the configured label "Onderzoeker" ("Onderzoeker Zuid"); generic labels are not
    assert [t.is_interviewer for t in parsed.turns] == [named and who == "Onderzoeker Zuid" for who, _, _ in MEDIA]
    assert "cliënt ademhalen" in parsed.turns[10].text
    assert "<v" not in parsed.text and "0:03" not in parsed.text
    assert_offsets(parsed)


@pytest.mark.parametrize("name", ["teams.docx", "otter.txt", "descript.txt", "zoom-chat-style.txt"])
def test_blocks_of_one_speaker_merge_into_one_turn(name: str) -> None:
    parsed = read(name)
    assert [t.meta["blocks"] for t in parsed.turns] == [MERGED.get(n, 1) for n in range(1, 13)]
    assert parsed.turns[1].text == (
        "Ja hoor. Ik ben klantmanager bij Werk en Inkomen. Ik begeleid mensen in de bijstand richting werk of een "
        "andere vorm van meedoen.\nMijn caseload is nu ongeveer honderdtwintig mensen."
    )


def test_teams_docx_header_and_footer_are_not_turns() -> None:
    parsed = read("teams.docx")
    assert parsed.header == [
        (1, "Interview Klantmanager A-20250312_100512-Meeting Transcript"),
        (2, "12 March 2025, 10:05am"),
        (3, "2m 36s"),
        (4, "Onderzoeker Zuid started transcription"),
    ]
    assert parsed.footer == [(33, "Onderzoeker Zuid stopped transcription")]
    assert "transcription" not in parsed.text
    assert parsed.turns[0].line == 5 and parsed.turns[-1].line == 31  # the name/time paragraphs


def test_teams_docx_with_name_and_text_in_one_paragraph(tmp_path: Path) -> None:
    # The variant the README mentions: "Name   0:03" and the text in one paragraph, split by a line break.
    document = docx.Document()
    document.add_paragraph("Gesprek-20250312_100512-Meeting Transcript")
    for name, time, text in [("Onderzoeker Zuid", "0:03", "Hoe begint je dag?"),
                             ("Klantmanager A", "0:09", "Met de mail."),
                             ("Klantmanager A", "0:15", "En dan bel ik."),
                             ("Onderzoeker Zuid", "0:22", "Dank je.")]:
        paragraph = document.add_paragraph(f"{name}   {time}")
        paragraph.add_run().add_break()
        paragraph.add_run(text)
    path = tmp_path / "gesprek.docx"
    document.save(str(path))
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.layout == "teams"
    assert [(t.speaker, t.text, t.meta["time_start"]) for t in parsed.turns] == [
        ("Onderzoeker Zuid", "Hoe begint je dag?", "00:00:03"),
        ("Klantmanager A", "Met de mail.\nEn dan bel ik.", "00:00:09"),
        ("Onderzoeker Zuid", "Dank je.", "00:00:22"),
    ]


def test_older_teams_docx_with_timing_line_then_name(tmp_path: Path) -> None:
    # Older Teams downloads put a cue timing line, then the name, then the text, one paragraph each.
    document = docx.Document()
    for timing, name, text in [("0:0:3.120 --> 0:0:8.900", "Onderzoeker Zuid", "Hoe begint je dag?"),
                               ("0:0:11.40 --> 0:0:16.200", "Klantmanager A", "Met de mail."),
                               ("0:0:16.200 --> 0:0:20.5", "Klantmanager A", "En dan bel ik."),
                               ("0:0:22.0 --> 0:0:23.0", "Onderzoeker Zuid", "Dank je.")]:
        for line in (timing, name, text):
            document.add_paragraph(line)
    path = tmp_path / "oud.docx"
    document.save(str(path))
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.layout == "teams"
    assert [(t.speaker, t.text, t.meta) for t in parsed.turns] == [
        ("Onderzoeker Zuid", "Hoe begint je dag?", {"time_start": "00:00:03.120", "time_end": "00:00:08.900", "blocks": 1}),
        ("Klantmanager A", "Met de mail.\nEn dan bel ik.",
         {"time_start": "00:00:11.400", "time_end": "00:00:20.500", "blocks": 2}),
        ("Onderzoeker Zuid", "Dank je.", {"time_start": "00:00:22.000", "time_end": "00:00:23.000", "blocks": 1}),
    ]
    assert [t.is_interviewer for t in parsed.turns] == [True, False, True]


def test_name_line_with_start_and_end_time(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Sanne Kuipers  00:00:03.120 --> 00:00:08.900\nHoe begint je dag?\n\n"
                    "Klantmanager A  00:00:11.040 --> 00:00:16.000\nMet de mail.\n", encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.layout == "speaker-time"
    assert [(t.speaker, t.meta["time_start"], t.meta["time_end"]) for t in parsed.turns] == [
        ("Sanne Kuipers", "00:00:03.120", "00:00:08.900"), ("Klantmanager A", "00:00:11.040", "00:00:16.000")]


def test_otter_footer_is_not_text_of_the_last_turn() -> None:
    parsed = read("otter.txt")
    assert parsed.turns[-1].text == "Dank je wel, dit was heel helder."
    assert parsed.footer == [(43, "Transcribed by https://otter.ai")]


def test_zoom_captions_keep_clock_time_not_time_since_start() -> None:
    parsed = read("zoom-chat-style.txt")
    assert parsed.layout == "zoom-captions"
    assert [t.speaker for t in parsed.turns] == [who for who, _, _ in MEDIA]
    assert [t.meta["clock"] for t in parsed.turns][:3] == ["10:05:15", "10:05:23", "10:05:48"]
    assert all("time_start" not in t.meta for t in parsed.turns)


def test_vtt_cues_merge_and_keep_their_times() -> None:
    teams = read("teams.vtt")
    assert [t.meta["cues"] for t in teams.turns] == [1, 3, 1, 2, 1, 1, 1, 1, 2, 1, 3, 1]  # 18 cues
    cueless = read("cueless.vtt")
    assert cueless.layout == "vtt-labels"
    assert [t.speaker for t in cueless.turns] == ["Interviewer", "Klantmanager C"] * 3 + ["Interviewer"]
    assert cueless.turns[1].text == "Ik lees eerst wat de poort heeft vastgelegd, en dan bel ik de cliënt zelf op."
    assert cueless.turns[3].text.endswith("Een stem helpt. Zeker bij mensen met schulden.")
    assert [t.meta["time_start"] for t in cueless.turns][:2] == ["00:00:01.500", "00:00:07.100"]


def test_a_plain_transcript_with_a_time_is_not_a_service_layout(tmp_path: Path) -> None:
    # "Vergadering 10:00" once, and a continuation line ending in a time, are not block lines.
    path = tmp_path / "t.txt"
    path.write_text("I: Wanneer begint je dag?\nR: Om half negen.\nVergadering 10:00\nI: En dan?\n"
                    "R: Dan bel ik om 11:30\n", encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.layout == "labels"
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("I", "Wanneer begint je dag?"), ("R", "Om half negen.\nVergadering 10:00"),
        ("I", "En dan?"), ("R", "Dan bel ik om 11:30"),
    ]


# -- item 1: a title and a metadata block before the first turn ----------------------------------------
def test_word_title_and_metadata_block() -> None:
    parsed = read("word-title-header.docx")
    assert parsed.layout == "word-bold"
    assert parsed.header == [
        (1, "Interview klantmanager Zuidwoude, 12 maart 2025"),
        (2, "Gemeente: Zuidwoude"),
        (3, "Team: Werk en Inkomen Zuid"),
        (4, "Datum: 12 maart 2025"),
        (5, "Interviewer: onderzoeker 2"),  # metadata, not a turn
    ]
    assert parsed.attributes == {"gemeente": "Zuidwoude", "team": "Werk en Inkomen Zuid",
                                 "datum": "12 maart 2025", "interviewer": "onderzoeker 2"}
    assert [t.speaker for t in parsed.turns] == ["I", "R"] * 4 + ["I"]
    assert parsed.turns[3].text.endswith("wat iemand kan.\nEn dat laatste is veel lastiger vast te leggen, "
                                         "want het past niet in een vakje.")
    assert parsed.turns[0].line == 7
    assert "Zuidwoude" not in parsed.text  # the header is not canonical text
    assert_offsets(parsed)


def test_word_title_style_page_header_and_split_runs() -> None:
    parsed = read("word-header-footer.docx")
    assert parsed.layout == "word-bold"
    assert parsed.header == [(1, "Gesprek met klantmanager, gemeente Noordwaard")]
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Respondent"] * 3 + ["Interviewer"]
    assert parsed.turns[3].text == ("Dat noemen we hier maatwerk, maar in de praktijk bepaalt de werkinstructie het "
                                    "meeste. Ik zoek de ruimte in de volgorde van de stappen.")
    assert "Vertrouwelijk" not in parsed.text and "Pagina" not in parsed.text


def test_word_metadata_table_before_the_turns(tmp_path: Path) -> None:
    # A Word file that opens with a two-column metadata table, then turns as paragraphs.
    document = docx.Document()
    document.add_heading("Interview 7", level=1)
    table = document.add_table(rows=3, cols=2)
    for row, (key, value) in zip(table.rows, [("Datum", "2025-03-12"), ("Duur", "54"), ("Respondent", "KM7")]):
        row.cells[0].text, row.cells[1].text = key, value
    document.add_paragraph("I: Hoe lang werk je hier al?")
    document.add_paragraph("R: Vier jaar.")
    document.add_paragraph("I: Dank je.")
    path = tmp_path / "int7.docx"
    document.save(str(path))
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert [t.speaker for t in parsed.turns] == ["I", "R", "I"]
    assert [n for n, _ in parsed.header] == [1, 2, 3, 4]
    assert parsed.attributes == {"datum": date(2025, 3, 12), "duur": 54, "respondent": "KM7"}


@pytest.mark.parametrize(
    "body, header, first",
    [
        # a metadata block closed by a blank line: the speaker-keyed line in it is metadata too
        ("Gemeente: Zuidwoude\nInterviewer: onderzoeker 2\n\nI: Hoe gaat het?\nR: Goed.\n", 2, "I"),
        # no blank line: metadata up to the last metadata key, the interviewer's line after it is a turn
        ("Datum: 3 april 2024\nLocatie: kantoor\nI: Zullen we beginnen?\nR: Ja.\n", 2, "I"),
        # no blank line, speaker keys listed under the metadata key: metadata until a key repeats or a sentence
        ("Datum: 12-03-2025\nInterviewer: Sanne\nRespondent: KM4\nInterviewer: Goedemorgen.\nRespondent: Hoi.\n", 3,
         "Interviewer"),
        # one metadata line right above the turns, its value not a sentence
        ("Datum: 3 april 2024\nI: Zullen we beginnen?\nR: Ja.\n", 1, "I"),
        # a speaker who only greets, then the interview: a sentence, so a turn (the first-line rule)
        ("Petra: Goedemorgen allemaal.\nI: Zullen we beginnen?\nR: Ja.\n", 0, "Petra"),
        # the first turn is an ordinary question: no header
        ("I: Goedemorgen.\nR: Goedemorgen.\nI: Hoe gaat het?\nR: Goed.\n", 0, "I"),
        # only speaker keys: nothing tells them from two short turns (documented limit)
        ("Interviewer: Sanne\nR: KM3\n\nInterviewer: Hoe gaat het?\nR: Goed.\n", 0, "Interviewer"),
        # a title and a line the label rules reject
        ("Transcriptie interview 4\nLet op: de opname begint later.\nI: Vertel.\nR: Goed.\n", 2, "I"),
    ],
)
def test_header_rule(tmp_path: Path, body: str, header: int, first: str) -> None:
    path = tmp_path / "t.txt"
    path.write_text(body, encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert len(parsed.header) == header
    assert parsed.turns[0].speaker == first


def test_header_keys_become_typed_attributes_and_front_matter_wins(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("---\ngemeente: Havenstad\n---\nInterview 3\nGemeente: Zeedorp\nDatum opname: 2025-03-12\n"
                    "Leeftijd: 45\nID: R07\n\nI: Vertel.\nR: Goed.\n", encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.attributes == {"gemeente": "Havenstad", "datum_opname": date(2025, 3, 12),
                                 "leeftijd": 45}
    kinds = sorted((n.kind, n.line) for n in parsed.notes)
    assert kinds == [("header", 5), ("header", 8)]  # gemeente (front matter wins) and ID (reserved)
    assert parsed.id == "t"


def test_markdown_heading_before_the_first_turn_is_header(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_text("# Interview 5\n\nI: Vertel.\n\n## Deel 2\n\nR: Goed.\n", encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.header == [(1, "# Interview 5")]
    assert [(t.speaker, t.text) for t in parsed.turns] == [("I", "Vertel."), ("R", "Goed.")]


def test_no_turns_at_all_is_still_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Aantekeningen bij het gesprek.\nGeen sprekers hier.\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_transcript(path, interviewer_labels=LABELS)
    assert str(info.value).startswith(f"{path}:1: no speaker turns found")


# -- item 3: labels that occur once, several labels in one case ----------------------------------------
def test_a_label_that_occurs_once_is_still_a_label() -> None:
    parsed = read("single-label.txt")
    assert [t.speaker for t in parsed.turns] == [
        "Interviewer", "Respondent 1", "Respondent 2", "Interviewer", "Respondent 1", "Respondent 2",
        "Interviewer", "Respondent 3",
    ]
    assert parsed.turns[6].text == "Dank jullie wel voor dit gesprek."  # not glued onto the interviewer
    plan = plan_speakers(parsed)
    kinds = {n.kind: n for n in plan.notes}
    assert kinds["single"].line == 16 and kinds["single"].turns == (8,)
    assert kinds["one-case"].turns == (2, 5, 3, 6, 8)
    assert {r.label: r.case for r in plan.rows if r.role == "respondent"} == {
        "Respondent 1": "Zwd02_g1", "Respondent 2": "Zwd02_g1", "Respondent 3": "Zwd02_g1"}


def test_a_glued_line_is_noted_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("I: Wie doet wat?\nR: Ik doe de intake.\nJan: En ik de rest.\nI: Dank jullie.\nR: Graag.\n",
                    encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert parsed.turns[1].text == "Ik doe de intake.\nJan: En ik de rest."
    [note] = [n for n in parsed.notes if n.kind == "glued"]
    assert (note.line, note.turns) == (3, (2,))
    assert "'Jan'" in note.message


def test_a_label_named_in_the_speakers_file_is_read_as_a_label(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("I: Wie doet wat?\nR: Ik doe de intake.\nJan: En ik de rest.\nI: Dank jullie.\nR: Graag.\n",
                    encoding="utf-8")
    speakers = tmp_path / "speakers.csv"
    speakers.write_text("transcript,label,case\nt.txt,Jan,T_r2\n", encoding="utf-8")
    speaker_map = read_speaker_map(speakers)
    parsed = read_transcript(path, interviewer_labels=LABELS, speakers=speaker_map.labels_for_file(path))
    assert [t.speaker for t in parsed.turns] == ["I", "R", "Jan", "I", "R"]
    assert plan_speakers(parsed, speaker_map).case("Jan") == "T_r2"


def test_a_glued_cue_line_in_a_subtitle_file_is_noted(tmp_path: Path) -> None:
    path = tmp_path / "t.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:03,000\nInterviewer: Wie doet wat?\n\n"
                    "2\n00:00:04,000 --> 00:00:06,000\nR: Ik doe de intake.\nJan: En ik de rest.\n\n"
                    "3\n00:00:07,000 --> 00:00:08,000\nR: Klopt.\n", encoding="utf-8")
    parsed = read_transcript(path, interviewer_labels=LABELS)
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "R"]
    [note] = parsed.notes
    assert (note.kind, note.line, note.turns) == ("glued", 8, (2,))  # line 8: "Jan: En ik de rest."


def test_several_respondent_labels_without_a_map_are_noted() -> None:
    parsed = read("group-no-speakers.txt")
    assert [t.speaker for t in parsed.turns] == ["I", "R1", "R2", "R3", "I", "R2", "R1", "R3", "I"]
    assert parsed.turns[6].text == "(lacht) En daarna gooien we het plan vaak weer om.\nDat is niet erg, zo werkt het gewoon."
    assert parsed.turns[3].meta == {"time_start": "00:01:40"}
    plan = plan_speakers(parsed)
    [note] = plan.notes
    assert note.kind == "one-case" and note.line == 10
    assert sorted(note.turns) == [2, 3, 4, 6, 7, 8]
    assert "'R1' (line 10), 'R2' (line 11), 'R3' (line 12)" in note.message


# -- speaker maps ----------------------------------------------------------------------------------------
def test_generic_labels_get_their_own_cases_until_mapped(tmp_path: Path) -> None:
    parsed = read("otter.txt")
    plan = plan_speakers(parsed)
    assert [(r.label, r.case, r.turns) for r in plan.rows] == [
        ("Speaker 1", "otter_speaker_1", 6), ("Speaker 2", "otter_speaker_2", 5), ("Speaker 3", "otter_speaker_3", 1)]
    assert "generic" in {n.kind for n in plan.notes}
    speakers = tmp_path / "speakers.csv"
    speakers.write_text("transcript;label;case\notter.txt;Speaker 1;Interviewer\notter;Speaker 2;Zwd05_r1\n"
                        "*;Speaker 3;Zwd05_r2\n", encoding="utf-8")
    plan = plan_speakers(parsed, read_speaker_map(speakers))
    assert [(r.label, r.role, r.case, r.how) for r in plan.rows] == [
        ("Speaker 1", "interviewer", None, "speakers file, line 2"),
        ("Speaker 2", "respondent", "Zwd05_r1", "speakers file, line 3"),
        ("Speaker 3", "respondent", "Zwd05_r2", "speakers file, line 4"),
    ]
    assert plan.notes == []


def test_speakers_file_errors_name_the_line(tmp_path: Path) -> None:
    speakers = tmp_path / "speakers.csv"
    speakers.write_text("transcript,label,case\nteams,Klantmanager A,Zwd05_r1\nteams,klantmanager a,Zwd05_r2\n",
                        encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_speaker_map(speakers)
    assert str(info.value).startswith(f"{speakers}:3: label 'klantmanager a' is mapped twice")
    speakers.write_text("transcript,spreker,case\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing: label"):
        read_speaker_map(speakers)


def test_split_preamble_is_a_pure_function_of_lines() -> None:
    # The rule without a file: header, metadata and first turn from SourceLines.
    texts = ["Titel", "Gemeente: Zuidwoude", "Interviewer: onderzoeker 2", "", "I: Vraag?", "R: Antwoord."]
    lines = [SourceLine(n, t, match_label(t) if t else None) for n, t in enumerate(texts, start=1)]
    policy = LabelPolicy(SpeakerLabels(tuple(LABELS)), [x.candidate for x in lines if x.candidate])
    pre = split_preamble(lines, policy, "t.txt")
    assert pre.first_turn == 4
    assert pre.metadata == [(2, "Gemeente", "Zuidwoude"), (3, "Interviewer", "onderzoeker 2")]
