"""WebVTT and SubRip transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.errors import InputError
from qualcode.transcripts import ParsedTranscript, read_transcript

VTT = """\
WEBVTT
Kind: captions

NOTE exported from Teams
spans two lines

STYLE
::cue { color: yellow }

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>Hoe begint <i>je</i> dag?</v>

2
00:00:04.500 --> 00:00:07.250 align:start
<v Anna de Vries>Met koffie &amp; de mail.</v>

00:00:07.250 --> 00:00:09.000
<v Anna de Vries><c.loud>Daarna</c> de klanten.

00:10.000 --> 00:12.000
Dat is het wel.

00:00:12.000 --> 00:00:13.000
<v Interviewer>Dank je.
"""

SRT = """\
1
00:00:01,000 --> 00:00:03,000
Interviewer: Hoe gaat het?

2
00:00:03,500 --> 00:00:05,000
[Piet] Goed, <i>dank je</i>.

3
00:00:05,000 --> 00:00:06,000
{\\an8}Echt waar.

4
00:00:06,000 --> 00:00:07,500
[Gelach]

5
00:00:07,500 --> 00:00:09,000
Interviewer: Mooi.
[Piet] Ja.
"""


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def assert_offsets(parsed: ParsedTranscript) -> None:
    for turn in parsed.turns:
        assert parsed.text[turn.start : turn.end] == turn.text


def error_for(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_transcript(path)
    return str(info.value)


def test_vtt_voices_tags_and_merge(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "call.vtt", VTT))
    assert parsed.format == "vtt"
    assert parsed.id == "call"
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Interviewer", "Hoe begint je dag?"),
        ("Anna de Vries", "Met koffie & de mail. Daarna de klanten. Dat is het wel."),
        ("Interviewer", "Dank je."),
    ]
    anna = parsed.turns[1]
    assert anna.meta == {"time_start": "00:00:04.500", "time_end": "00:00:12.000", "cues": 3}
    assert anna.line == 16
    assert [t.is_interviewer for t in parsed.turns] == [True, False, True]
    assert "-->" not in parsed.text and "00:00" not in parsed.text
    assert_offsets(parsed)


def test_vtt_name_prefix_and_no_speakers(tmp_path: Path) -> None:
    prefixed = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nI: Vraag?\n\n00:00:02.000 --> 00:00:03.000\nR1: Ja.\n"
    parsed = read_transcript(write(tmp_path, "a.vtt", prefixed))
    assert [(t.speaker, t.text) for t in parsed.turns] == [("I", "Vraag?"), ("R1", "Ja.")]

    anonymous = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nEen.\n\n00:00:02.000 --> 00:00:03.000\nTwee.\n"
    parsed = read_transcript(write(tmp_path, "b.vtt", anonymous))
    assert [(t.speaker, t.text, t.meta["cues"]) for t in parsed.turns] == [("R", "Een. Twee.", 2)]


def test_vtt_header_required(tmp_path: Path) -> None:
    path = write(tmp_path, "a.vtt", "00:00:01.000 --> 00:00:02.000\nHallo\n")
    assert error_for(path) == f"{path}:1: not a WebVTT file: the first line must be 'WEBVTT'"


def test_vtt_malformed_timing(tmp_path: Path) -> None:
    path = write(tmp_path, "a.vtt", "WEBVTT\n\n1\n00:00:01 --> 00:00:02\nHallo\n")
    assert error_for(path).startswith(f"{path}:4: malformed cue timing line '00:00:01 --> 00:00:02'")


def test_vtt_block_without_timing(tmp_path: Path) -> None:
    path = write(tmp_path, "a.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo\n\nlosse tekst\n")
    assert error_for(path).startswith(f"{path}:6: expected a cue timing line")


def test_srt_speakers_merge_and_continuation(tmp_path: Path) -> None:
    parsed = read_transcript(write(tmp_path, "call.srt", SRT))
    assert parsed.format == "srt"
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Interviewer", "Hoe gaat het?"),
        ("Piet", "Goed, dank je. Echt waar. [Gelach]"),
        ("Interviewer", "Mooi."),
        ("Piet", "Ja."),
    ]
    assert parsed.turns[1].meta == {"time_start": "00:00:03.500", "time_end": "00:00:07.500", "cues": 3}
    assert parsed.turns[3].meta == {"time_start": "00:00:07.500", "time_end": "00:00:09.000", "cues": 1}
    assert [t.line for t in parsed.turns] == [3, 7, 19, 20]
    assert_offsets(parsed)


def test_srt_malformed_timing(tmp_path: Path) -> None:
    path = write(tmp_path, "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nEen.\n\n2\n00:00:02 -> 00:00:03\nTwee.\n")
    assert error_for(path).startswith(f"{path}:6: malformed cue timing line")


def test_srt_text_without_cue_number(tmp_path: Path) -> None:
    path = write(tmp_path, "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nEen.\n\nlosse tekst\n")
    assert error_for(path).startswith(f"{path}:5: expected a cue number and a timing line")


def test_subtitles_without_text(tmp_path: Path) -> None:
    path = write(tmp_path, "a.srt", "1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n")
    assert error_for(path) == f"{path}: no speaker turns found (no cue has text)"
