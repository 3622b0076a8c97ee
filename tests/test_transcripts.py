"""Plain-text/Markdown transcripts, front matter, decoding and the read_transcript entry point."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.errors import InputError
from qualcode.transcripts import (
    DEFAULT_INTERVIEWER_LABELS,
    SUPPORTED_EXTENSIONS,
    ParsedTranscript,
    read_transcript,
)
from qualcode.transcripts.decode import canonicalise, decode_bytes
from qualcode.transcripts.frontmatter import split_front_matter
from qualcode.transcripts.labels import is_interviewer_label, match_label, parse_time_code

SAMPLE = """\
---
id: Adm09_g1                # transcript id (default: file stem)
date: 2010-06-14
gemeente: Amsterdam         # any other key is a transcript attribute
team: Klantenteam
leeftijd: 45
score: 3.5
anoniem: true
speakers:
  R1: Adm09_r1
  R2: Adm09_r2
---
I: Hoe ziet een gewone werkdag eruit?
R1: [00:01:12] Ik begin meestal met de mail.
   a line without a label continues the turn above.
R2: (anderen: ja) Bij ons is dat anders (gelach).
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_offsets(parsed: ParsedTranscript) -> None:
    for turn in parsed.turns:
        assert parsed.text[turn.start : turn.end] == turn.text


def error_for(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_transcript(path)
    return str(info.value)


# --- the sample from product.md --------------------------------------------------------


def test_sample_transcript_turns_and_canonical_text(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "interview.txt", SAMPLE))
    assert parsed.id == "Adm09_g1"
    assert parsed.format == "txt"
    assert [(t.n, t.speaker) for t in parsed.turns] == [(1, "I"), (2, "R1"), (3, "R2")]
    assert parsed.turns[1].text == (
        "Ik begin meestal met de mail.\na line without a label continues the turn above."
    )
    assert parsed.text == (
        "I: Hoe ziet een gewone werkdag eruit?\n\n"
        "R1: Ik begin meestal met de mail.\na line without a label continues the turn above.\n\n"
        "R2: (anderen: ja) Bij ons is dat anders (gelach).\n"
    )
    assert_offsets(parsed)


def test_sample_front_matter_types_and_speakers(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "interview.txt", SAMPLE))
    assert parsed.attributes == {
        "date": date(2010, 6, 14),
        "gemeente": "Amsterdam",
        "team": "Klantenteam",
        "leeftijd": 45,
        "score": 3.5,
        "anoniem": True,
    }
    assert type(parsed.attributes["leeftijd"]) is int
    assert parsed.speakers == {"R1": "Adm09_r1", "R2": "Adm09_r2"}
    assert parsed.case is None


def test_time_stamp_dropped_and_kept_in_meta(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "interview.txt", SAMPLE))
    r1 = parsed.turns[1]
    assert r1.meta == {"time_start": "00:01:12"}
    assert "00:01:12" not in parsed.text
    assert parsed.turns[0].meta == {}


def test_interviewer_flag_and_line_numbers(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "interview.txt", SAMPLE))
    assert [t.is_interviewer for t in parsed.turns] == [True, False, False]
    assert [t.line for t in parsed.turns] == [13, 14, 16]


def test_id_defaults_to_file_stem_and_hashes(tmp_path: Path) -> None:
    content = "I: Vraag?\nR: Antwoord.\n"
    path = write(tmp_path, "Adm10.txt", content)
    parsed = read_transcript(path)
    assert parsed.id == "Adm10"
    assert parsed.file == str(path)
    assert parsed.source_hash == hashlib.sha256(content.encode()).hexdigest()
    assert parsed.text_hash == hashlib.sha256(parsed.text.encode()).hexdigest()
    assert parsed.words == 1  # interviewer turns are not counted


# --- labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label", "text"),
    [
        ("Interviewer 1: Goedemorgen.", "Interviewer 1", "Goedemorgen."),
        ("R2: Ja.", "R2", "Ja."),
        ("INT: Hoe?", "INT", "Hoe?"),
        ("Onderzoeker: Goed.", "Onderzoeker", "Goed."),
        ("Mevrouw De Vries: Nee hoor.", "Mevrouw De Vries", "Nee hoor."),
        ("R1:", "R1", ""),
    ],
)
def test_match_label_syntax(line: str, label: str, text: str) -> None:
    cand = match_label(line)
    assert cand is not None
    assert (cand.label, cand.text) == (label, text)


@pytest.mark.parametrize(
    "line",
    [
        "http://example.org is de site",
        "Om 10:30 begin ik.",
        "Een heel lange zin van vijf woorden: nee",
        "(gelach) R1: nee",
        "R1:geen spatie",
    ],
)
def test_match_label_rejects_syntax(line: str) -> None:
    assert match_label(line) is None


@pytest.mark.parametrize(
    "sentence",
    ["Hij zei het zo: nee.", "Toen zei ik: nee.", "Ik dacht: waarom?", "Kijk: zo gaat dat.", "NB: dat klopt niet."],
)
def test_sentences_with_colon_continue_the_turn(tmp_path: Path, sentence: str) -> None:
    content = f"I: Vraag?\nR1: Eerste zin.\n{sentence}\nI: Dank.\nR1: Graag.\n{sentence}\n"
    parsed = read_transcript(write(tmp_path, "t.txt", content))
    assert [t.speaker for t in parsed.turns] == ["I", "R1", "I", "R1"]
    assert parsed.turns[1].text == f"Eerste zin.\n{sentence}"


def test_named_labels_need_to_recur_or_open_the_body(tmp_path: Path) -> None:
    content = (
        "Jan: Ik ben Jan.\n"
        "Mevrouw Jansen: Welkom.\n"
        "Jan: Dank u.\n"
        "Kortom: dat was het.\n"
        "Mevrouw Jansen: Fijn.\n"
    )
    parsed = read_transcript(write(tmp_path, "t.txt", content))
    assert [t.speaker for t in parsed.turns] == ["Jan", "Mevrouw Jansen", "Jan", "Mevrouw Jansen"]
    assert parsed.turns[2].text == "Dank u.\nKortom: dat was het."


def test_front_matter_speakers_make_a_label_known(tmp_path: Path) -> None:
    content = "---\nspeakers:\n  Petra: case_p\n---\nI: Vraag?\nR1: Ja.\nPetra: Eens.\n"
    parsed = read_transcript(write(tmp_path, "t.txt", content))
    assert [t.speaker for t in parsed.turns] == ["I", "R1", "Petra"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [("I", True), ("i", True), ("I2", True), ("Interviewer 1", True), ("interviewer", True),
     ("Interviewster", True), ("Q", True), ("INT", True), ("R1", False), ("Ingrid", False), ("IR", False)],
)
def test_interviewer_labels(label: str, expected: bool) -> None:
    assert is_interviewer_label(label, DEFAULT_INTERVIEWER_LABELS) is expected


def test_custom_interviewer_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "Mod: Vraag?\nR1: Antwoord.\n")
    parsed = read_transcript(path, interviewer_labels=["Mod"])
    assert [t.is_interviewer for t in parsed.turns] == [True, False]


@pytest.mark.parametrize(
    ("line", "stamp", "text"),
    [
        ("R1: [00:01:12] Ik begin.", "00:01:12", "Ik begin."),
        ("R1: (00:01:12) Ik begin.", "00:01:12", "Ik begin."),
        ("R1: 00:01:12 Ik begin.", "00:01:12", "Ik begin."),
        ("R1: 0:01:12.5 Ik begin.", "00:01:12.500", "Ik begin."),
        ("R1: [01:12] Ik begin.", "00:01:12", "Ik begin."),
        ("[00:01:12] R1: Ik begin.", "00:01:12", "Ik begin."),
        ("R1 [1:02:03,250]: Ik begin.", "01:02:03.250", "Ik begin."),
    ],
)
def test_time_stamp_forms(line: str, stamp: str, text: str) -> None:
    cand = match_label(line)
    assert cand is not None
    assert (cand.label, cand.time_start, cand.text) == ("R1", stamp, text)


def test_bare_short_time_is_speech_not_a_stamp() -> None:
    cand = match_label("R1: 10:30 begin ik.")
    assert cand is not None
    assert (cand.time_start, cand.text) == (None, "10:30 begin ik.")


def test_parse_time_code_normalises() -> None:
    assert parse_time_code("[75:30]") == "01:15:30"
    assert parse_time_code("00:00:01,04") == "00:00:01.040"


def test_blank_lines_do_not_end_a_turn_and_indentation_is_stripped(tmp_path: Path) -> None:
    content = "I: Vraag?\n\nR1: Eerste regel.\n\n\n      tweede regel.   \n\t derde.\nI: Dank.\n"
    parsed = read_transcript(write(tmp_path, "t.txt", content))
    assert parsed.turns[1].text == "Eerste regel.\ntweede regel.\nderde."
    assert_offsets(parsed)


def test_label_with_text_on_next_line_and_empty_turn_dropped(tmp_path: Path) -> None:
    content = "I:\nR1:\nDe tekst staat hieronder.\nI: Dank.\n"
    parsed = read_transcript(write(tmp_path, "t.txt", content))
    assert [(t.speaker, t.text) for t in parsed.turns] == [("R1", "De tekst staat hieronder."), ("I", "Dank.")]
    assert [t.n for t in parsed.turns] == [1, 2]


def test_markdown_bold_labels_bullets_and_headings(tmp_path: Path) -> None:
    content = (
        "# Interview Adm11\n\n"
        "**I:** Hoe begint je dag?\n\n"
        "**R1**: Met koffie.\n"
        "- **Piet:** Bij mij ook.\n"
        "- R1: En dan de mail.\n"
        "## Deel 2\n"
        "---\n"
        "**I:** Dank.\n"
    )
    parsed = read_transcript(write(tmp_path, "Adm11.md", content))
    assert parsed.format == "md"
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("I", "Hoe begint je dag?"),
        ("R1", "Met koffie."),
        ("Piet", "Bij mij ook."),
        ("R1", "En dan de mail."),
        ("I", "Dank."),
    ]
    assert_offsets(parsed)


# --- decoding ---------------------------------------------------------------------------


def test_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "\ufeffI: Café?\nR1: Ja.\n".encode("utf-8"))
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    parsed = read_transcript(path)
    assert parsed.text.startswith("I: Café?")
    assert parsed.turns[0].text == "Café?"


def test_utf16_le_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "I: Één vraag?\r\nR1: Ja.\r\n".encode("utf-16"))
    assert path.read_bytes()[:2] == b"\xff\xfe"
    parsed = read_transcript(path)
    assert [t.text for t in parsed.turns] == ["Één vraag?", "Ja."]


def test_utf16_be_bom() -> None:
    data = b"\xfe\xff" + "R1: Ja.\n".encode("utf-16-be")
    assert decode_bytes(data, "x.txt") == "R1: Ja.\n"


def test_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", b"I: Caf\xe9?\nR1: Dat kost \x80 5.\n")
    parsed = read_transcript(path)
    assert [t.text for t in parsed.turns] == ["Café?", "Dat kost € 5."]


def test_nfc_normalisation_of_decomposed_e(tmp_path: Path) -> None:
    decomposed = "e\u0301"
    path = write(tmp_path, "t.txt", f"I: Caf{decomposed}?\nR1: Ja.\n")
    parsed = read_transcript(path)
    assert parsed.turns[0].text == "Caf\u00e9?"
    assert len(parsed.turns[0].text) == 5
    assert_offsets(parsed)


def test_crlf_and_cr_become_lf(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", b"I: Vraag?\r\nR1: Een.\r\ntwee.\rdrie.\r\n")
    parsed = read_transcript(path)
    assert "\r" not in parsed.text
    assert parsed.turns[1].text == "Een.\ntwee.\ndrie."
    assert canonicalise("a\r\nb\rc") == "a\nb\nc"


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    assert error_for(path) == f"{path}: binary file, not a transcript"


def test_many_control_characters_look_binary() -> None:
    with pytest.raises(InputError, match="binary file"):
        decode_bytes(b"R1: " + bytes(range(1, 9)) * 4, "x.txt")


def test_undecodable_byte_names_its_line(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid UTF-8.
    path = write(tmp_path, "t.txt", b"I: Vraag?\nR1: Een.\nR2: fout \x81 hier\n")
    message = error_for(path)
    assert message.startswith(f"{path}:3: cannot decode: byte 0x81")


def test_mixed_encoding_is_refused_not_mojibake(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "I: Café?\n".encode() + b"R1: caf\xe9\n")
    message = error_for(path)
    assert message.startswith(f"{path}:2: cannot decode: byte 0xE9")
    assert "mixes UTF-8" in message


def test_utf16_odd_length_reports_line() -> None:
    data = "I: a\nR1: b\n".encode("utf-16") + b"\x41"
    with pytest.raises(InputError) as info:
        decode_bytes(data, "x.txt")
    assert str(info.value).startswith("x.txt:3: cannot decode as UTF-16")


# --- file-level errors ------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "")
    assert error_for(path) == f"{path}: no speaker turns found (the file is empty)"


def test_front_matter_only_has_no_turns(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "---\nid: x\n---\n\n")
    assert error_for(path) == f"{path}: no speaker turns found"


def test_unknown_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "t.pdf", "I: x\n")
    message = error_for(path)
    assert message.startswith(f"{path}: unsupported file type (.pdf); supported: ")
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in message


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "T.TXT", "R1: Ja.\n"))
    assert parsed.format == "txt"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert error_for(path) == f"{path}: no such file"


def test_text_before_first_label_is_the_header_note(tmp_path: Path) -> None:
    # Issue 14 item 1: a title before the first turn is the transcript's header, not an error.
    path = write(tmp_path, "t.txt", "---\nid: x\n---\n\nInterview met een klantmanager\nI: Vraag?\n")
    parsed = read_transcript(path)
    assert parsed.header == [(5, "Interview met een klantmanager")]
    assert [(t.speaker, t.text, t.line) for t in parsed.turns] == [("I", "Vraag?", 6)]
    assert "Interview met" not in parsed.text


def test_a_whole_text_before_the_first_label_is_still_refused(tmp_path: Path) -> None:
    # More than a header's worth of text before the first turn: the labels were not recognised.
    body = "".join(f"Dit is zin {n} van een lang verhaal zonder sprekers.\n" for n in range(1, 22))
    path = write(tmp_path, "t.txt", "---\nid: x\n---\n" + body + "I: Vraag?\n")
    message = error_for(path)
    assert message.startswith(f"{path}:4: text before the first speaker label: 21 lines before the first turn (line 25)")


def test_unclosed_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "\n---\nid: x\nI: Vraag?\nR1: Ja.\n")
    message = error_for(path)
    assert message.startswith(f"{path}:2: front matter opened with '---' here is never closed")


def test_yaml_error_reports_file_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "---\nid: x\ngemeente: Amsterdam\nteam: [open\n---\nI: Vraag?\n")
    message = error_for(path)
    assert message.startswith(f"{path}:4: front matter is not valid YAML")


def test_yaml_error_mid_block_reports_file_line(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", "---\nid: x\n  bad: indent\ngemeente: A\n---\nI: Vraag?\n")
    message = error_for(path)
    assert message.startswith(f"{path}:3: front matter is not valid YAML")


# --- front matter rules -----------------------------------------------------------------


def test_split_front_matter_returns_body_and_first_line() -> None:
    front, body, first = split_front_matter("---\nid: a1\ncase: Gemeente X\n---\nI: Vraag?\n", "t.txt")
    assert (front.id, front.case, front.end_line) == ("a1", "Gemeente X", 4)
    assert body == "I: Vraag?\n"
    assert first == 5


def test_no_front_matter() -> None:
    front, body, first = split_front_matter("I: Vraag?\n", "t.txt")
    assert (front.id, front.attributes, body, first) == (None, {}, "I: Vraag?\n", 1)


def test_front_matter_case_and_raw_id(tmp_path: Path) -> None:
    content = "---\nid: 0012\ncase: Adm09_r1\nduur: 1:12:30\nleeg:\n---\nR1: Ja.\n"
    parsed = read_transcript(write(tmp_path, "t.txt", content))
    assert parsed.id == "0012"  # YAML would read 12
    assert parsed.case == "Adm09_r1"
    assert parsed.attributes == {"duur": "1:12:30"}  # not YAML 1.1's base-60 integer 4350


@pytest.mark.parametrize(
    ("front", "line", "problem"),
    [
        ("id: x\nteams: [a, b]\n", 3, "attribute 'teams' must be a single value"),
        ("id: x\nadres:\n  straat: a\n", 3, "attribute 'adres' must be a single value"),
        ("- a\n- b\n", 2, "front matter must be 'key: value' lines"),
        ("speakers: [R1, R2]\n", 2, "'speakers' must map each speaker label to a case id"),
        ("speakers:\n  R1: [a, b]\n", 3, "'speakers: R1' must be a case id"),
        ("id: Adm 09\n", 2, "id 'Adm 09' is not a simple identifier"),
        ("id: a\nid: b\n", 3, "duplicate key 'id' in front matter"),
    ],
)
def test_front_matter_errors(tmp_path: Path, front: str, line: int, problem: str) -> None:
    path = write(tmp_path, "t.txt", f"---\n{front}---\nR1: Ja.\n")
    assert error_for(path).startswith(f"{path}:{line}: {problem}")


# --- property: whatever the turns, offsets and texts survive ------------------------------

_TURN_TEXT = st.text(alphabet="abcdeé ABC.,?!()'", min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["I", "R1", "R2", "Interviewer 2"]), _TURN_TEXT, _TURN_TEXT),
        min_size=1,
        max_size=6,
    )
)
def test_round_trip_property(
    tmp_path_factory: pytest.TempPathFactory, turns: list[tuple[str, str, str]]
) -> None:
    content = "".join(f"{speaker}: {first}\n  {second}\n\n" for speaker, first, second in turns)
    path = tmp_path_factory.mktemp("prop") / "t.txt"
    path.write_text(content, encoding="utf-8")
    parsed = read_transcript(path)
    assert [(t.speaker, t.text) for t in parsed.turns] == [(s, f"{a}\n{b}") for s, a, b in turns]
    assert_offsets(parsed)
    # The canonical text is itself a transcript that reads back to the same text.
    again = tmp_path_factory.mktemp("prop") / "again.txt"
    again.write_text(parsed.text, encoding="utf-8")
    assert read_transcript(again).text == parsed.text
