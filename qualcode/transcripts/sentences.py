"""Sentences: the second coding unit, next to speaker turns.

Why spaCy's rule-based ``sentencizer`` on a blank Dutch pipeline: it needs no model download
(no network at run time) and splits on sentence-final punctuation, which is what
transcribers write. spaCy is imported lazily and the pipeline built once per process.

Spans are trimmed of surrounding whitespace (spaCy keeps a line break in front of the
sentence that follows it), so ``text[s:e]`` is always the sentence itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

_BATCH_SIZE = 256


@lru_cache(maxsize=1)
def _nlp() -> Language:
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` (a turn) as ``(start, end)`` offsets into ``text``."""
    doc = _nlp()(text[start:end])
    return _spans(doc, start)


def split_sentences_batch(
    texts: Iterable[str], starts: Sequence[int] | None = None
) -> list[list[tuple[int, int]]]:
    """Sentences of many turn texts at once (``nlp.pipe`` is much faster than one call each).

    Offsets are relative to each text, or absolute if ``starts`` gives each text's offset in
    the canonical text (``Turn.start``).
    """
    docs = _nlp().pipe(texts, batch_size=_BATCH_SIZE)
    out: list[list[tuple[int, int]]] = []
    for i, doc in enumerate(docs):
        out.append(_spans(doc, starts[i] if starts is not None else 0))
    return out


def _spans(doc: Doc, offset: int) -> list[tuple[int, int]]:
    text = doc.text
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        s, e = sent.start_char, sent.end_char
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((offset + s, offset + e))
    return spans
