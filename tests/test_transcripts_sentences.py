"""Sentence spans inside turns (the second coding unit)."""

from __future__ import annotations

from pathlib import Path

from qualcode.transcripts import read_transcript
from qualcode.transcripts.sentences import sentence_spans, split_sentences_batch


def test_sentence_spans_are_absolute_and_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("I: Vraag?\nR1: Ik begin om negen uur. Dan de mail!\nDaarna klanten.\n", encoding="utf-8")
    parsed = read_transcript(path)
    turn = parsed.turns[1]
    spans = sentence_spans(parsed.text, turn.start, turn.end)
    assert [parsed.text[s:e] for s, e in spans] == ["Ik begin om negen uur.", "Dan de mail!", "Daarna klanten."]
    assert spans[0][0] == turn.start
    assert spans[-1][1] == turn.end


def test_split_sentences_batch() -> None:
    texts = ["Een. Twee?", "Drie", ""]
    assert split_sentences_batch(texts) == [[(0, 4), (5, 10)], [(0, 4)], []]
    assert split_sentences_batch(texts[:2], starts=[100, 200]) == [[(100, 104), (105, 110)], [(200, 204)]]
