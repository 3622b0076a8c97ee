"""The rule-based suggester: codebook indicators run through spaCy's Matcher.

How a score comes about (the codebook brief's decisive rule: the stated reason decides):
- every indicator hit carries its weight; a hit inside a *reason window* (a few tokens after a
  reason cue such as "omdat", "want", "daarom" in the same sentence) is multiplied by the
  codebook's ``reason_boost``, unless the indicator is a topic word (``reason: false``);
- blockers cancel hits of their code: on overlapping tokens (``scope: token``) or in the whole
  sentence (``scope: sentence``, e.g. "als middel" cancels bureaucratic sanction hits);
- hits of one code in one fragment combine as a noisy-or, ``1 - prod(1 - w)``, so several weak
  topic words never outweigh one clear stated reason by much, and the score stays below 1;
- a negative evaluation ("onzin", "heb ik niks aan") or distancing cue near a hit proposes the
  stance ``rejects`` or ``distances``.
Every suggestion keeps its evidence: which indicator matched which words, and whether a reason
cue or a stance cue was involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from qualcode.codebook.model import Codebook, Indicator, is_under
from qualcode.codebook.model import Codebook as CB
from qualcode.language.nlp import get_nlp
from qualcode.suggest.phrases import PhraseIndex, Unsupported, doc_arrays

MAX_WEIGHT = 0.95


@dataclass
class Hit:
    code: str
    indicator: Indicator
    start: int  # token indices in the doc, half-open
    end: int
    weight: float
    reason_cue: str | None = None


@dataclass
class Suggestion:
    """One suggested code for one fragment (character offsets are relative to the fragment text)."""

    code: str
    score: float
    start: int
    end: int
    evidence: list[dict[str, Any]] = field(default_factory=list)
    stance: str | None = None


def phrase_elements(nlp: Any, phrase: str, attr: str = "LOWER") -> list[tuple[str, str]]:
    """Turn ``"de wet zegt"`` or ``"uitstroomcijfer*"`` into (attribute, value) elements.

    Words are tokenised with the pipeline's own tokenizer so that a phrase matches text the way
    the text is split; a trailing ``*`` on a word makes its last token a prefix match, which is
    how Dutch compounds ("uitstroomcijfers", "re-integratiebedrijven") are caught.
    """
    out: list[tuple[str, str]] = []
    for word in phrase.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not word:
            continue
        tokens = [t.text.lower() for t in nlp.make_doc(word)]
        for i, tok in enumerate(tokens):
            out.append(("PREFIX" if prefix and i == len(tokens) - 1 else attr, tok))
    return out


def phrase_to_pattern(nlp: Any, phrase: str, attr: str = "LOWER") -> list[dict[str, Any]]:
    """The same phrase as a spaCy Matcher token pattern (for tools that want one)."""
    return [
        {attr if a != "PREFIX" else "LOWER": ({"REGEX": "^" + re.escape(v)} if a == "PREFIX" else v)}
        for a, v in phrase_elements(nlp, phrase, attr)
    ]


class RuleEngine:
    """Compiled indicators and blockers of a codebook for one spaCy pipeline."""

    engine_name = "rules"

    def __init__(self, codebook: Codebook, nlp: Any, codes: str | None = None) -> None:
        from spacy.matcher import Matcher


        self.codebook = codebook
        self.nlp = nlp
        self.codes = codes
        self.settings = codebook.rules
        # One index for indicators, blockers and cues; spaCy's Matcher only for patterns the index
        # cannot express (see phrases.py).
        self.matcher = Matcher(nlp.vocab, validate=False)
        self.phrases = PhraseIndex(nlp.vocab.strings)
        self._indicators: dict[str, tuple[str, Indicator, bool]] = {}  # key -> (code, indicator, is_blocker)
        selected = [c for c in codebook.codes.values() if c.codable and (not codes or is_under(c.id, codes))]
        self.output_codes = {c.id for c in selected}
        self.requires = {c.id: list(c.requires) for c in selected if c.requires}
        # Codes named in `requires` are matched too (as gates) even when --codes leaves them out.
        gates = {r for reqs in self.requires.values() for r in reqs}
        wanted = self.output_codes | {c.id for c in codebook.codes.values() if any(is_under(c.id, g) for g in gates)}
        n = 0
        for code in codebook.codes.values():
            if code.id not in wanted:
                continue
            for is_blocker, items in ((False, code.indicators), (True, code.blockers)):
                for ind in items:
                    key = f"{'B' if is_blocker else 'I'}{n}"
                    n += 1
                    self._indicators[key] = (code.id, ind, is_blocker)
                    self._add(key, ind)
        for cue in self.settings.reason_cues:
            self.phrases.add_elements("REASON", phrase_elements(nlp, cue))
        for ind in self.settings.negative_evaluation:
            self._add("NEG", ind)
        for ind in self.settings.distancing:
            self._add("DIST", ind)

    def _add(self, key: str, ind: Indicator) -> None:

        if ind.kind == "pattern":
            try:
                self.phrases.add_pattern(key, list(ind.value))  # type: ignore[arg-type]
            except Unsupported:
                self.matcher.add(key, [list(ind.value)])  # type: ignore[arg-type]
        elif ind.kind == "lemma":
            self.phrases.add_elements(key, phrase_elements(self.nlp, str(ind.value), attr="LEMMA"))
        else:
            self.phrases.add_elements(key, phrase_elements(self.nlp, str(ind.value)))

    def _matches(self, doc: Any) -> list[tuple[str, int, int]]:

        strings = self.nlp.vocab.strings
        found = [(strings[m], s, e) for m, s, e in self.matcher(doc)] if len(self.matcher) else []
        found.extend(self.phrases.find_arrays(*doc_arrays(doc)))
        return found

    # -- matching ---------------------------------------------------------------------------
    def analyse(self, doc: Any) -> list[Suggestion]:
        """Suggestions for one fragment (a spaCy Doc of the turn's text)."""
        hits: list[Hit] = []
        blocks: list[tuple[str, int, int, str]] = []  # (code, start, end, scope)
        cues: dict[str, list[tuple[int, int, str]]] = {"REASON": [], "NEG": [], "DIST": []}
        for key, start, end in self._matches(doc):
            if key in cues:
                cues[key].append((start, end, doc[start:end].text))
                continue
            code, ind, is_blocker = self._indicators[key]
            if is_blocker:
                blocks.append((code, start, end, ind.scope))
            else:
                hits.append(Hit(code, ind, start, end, min(ind.weight, 1.0)))
        if not hits:
            return []
        sent_of = _sentence_index(doc)
        sents = list(doc.sents)

        kept: list[Hit] = []
        for h in hits:
            if any(
                b[0] == h.code
                and (
                    (b[3] == "sentence" and sent_of[b[1]] == sent_of[h.start])
                    or (b[3] != "sentence" and b[1] < h.end and h.start < b[2])
                )
                for b in blocks
            ):
                continue
            kept.append(h)
        kept = _longest_per_span(kept)
        if self.requires:
            kept = self._apply_requires(kept, sent_of)
        kept = [h for h in kept if h.code in self.output_codes]
        window = self.settings.reason_window
        for h in kept:
            if not h.indicator.reason:
                continue
            for cs, ce, text in cues["REASON"]:
                if sent_of[cs] == sent_of[h.start] and ce <= h.start and h.start - ce < window:
                    h.weight = min(h.weight * self.settings.reason_boost, MAX_WEIGHT)
                    h.reason_cue = text
                    break

        by_code: dict[str, list[Hit]] = {}
        for h in kept:
            by_code.setdefault(h.code, []).append(h)
        out: list[Suggestion] = []
        sw = self.settings.stance_window
        for code, code_hits in by_code.items():
            remaining = 1.0
            for h in code_hits:
                remaining *= 1.0 - h.weight
            score = 1.0 - remaining
            stance = None
            for kind, name in (("NEG", "rejects"), ("DIST", "distances")):
                if any(_stance_near(h, cs, sent_of, sw) for h in code_hits for cs, ce, _ in cues[kind]):
                    stance = name
                    break
            first = min(sent_of[h.start] for h in code_hits)
            last = max(sent_of[h.start] for h in code_hits)
            evidence = [
                {
                    "indicator": h.indicator.evidence,
                    "kind": h.indicator.kind,
                    "words": doc[h.start : h.end].text,
                    "start": doc[h.start].idx,
                    "end": doc[h.end - 1].idx + len(doc[h.end - 1].text),
                    "weight": round(h.weight, 4),
                    **({"reason_cue": h.reason_cue} if h.reason_cue else {}),
                }
                for h in sorted(code_hits, key=lambda x: x.start)
            ]
            if stance:
                evidence.append({"stance_cue": stance})
            out.append(
                Suggestion(
                    code=code,
                    score=round(score, 4),
                    start=sents[first].start_char,
                    end=sents[last].end_char,
                    evidence=evidence,
                    stance=stance,
                )
            )
        out.sort(key=lambda s: (-s.score, s.code))
        return out

    def _apply_requires(self, hits: list[Hit], sent_of: list[int]) -> list[Hit]:
        """Keep hits of a code with ``requires`` only in sentences that state a reason for it.

        A sentence states the reason when a required code has a hit there, or when one of the
        code's own reason indicators (not a topic word) does: "ontheffing" alone is not coping,
        "ontheffing ... want geen tijd" is.
        """
        by_sentence: dict[int, set[str]] = {}
        own_reason: set[tuple[str, int]] = set()
        for h in hits:
            by_sentence.setdefault(sent_of[h.start], set()).add(h.code)
            if h.indicator.reason:
                own_reason.add((h.code, sent_of[h.start]))
        out = []
        for h in hits:
            reqs = self.requires.get(h.code)
            if reqs:
                sent = sent_of[h.start]
                present = by_sentence.get(sent, set())
                gated = (h.code, sent) in own_reason or any(
                    is_under(c, r) for c in present if c != h.code for r in reqs
                )
                if not gated:
                    continue
            out.append(h)
        return out

    def suggest_texts(
        self, texts: Sequence[str], batch_size: int = 256, n_process: int = 1
    ) -> Iterator[list[Suggestion]]:
        """Suggestions for many fragment texts, streamed through ``nlp.pipe`` in batches."""
        if n_process > 1:
            # Matching runs in the workers: pipe the raw docs back and match here would serialise
            # the heavy part, so each worker gets its own engine via a pipeline component.
            yield from _suggest_multiprocess(self, texts, batch_size, n_process)
            return
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield self.analyse(doc)


def _stance_near(hit: Hit, cue_start: int, sent_of: list[int], window: int) -> bool:
    """A stance cue counts near a hit within ``window`` tokens in the same sentence, or anywhere in
    the next sentence: speakers evaluate what they just said ("Er zijn aantallen. Dat vind ik onzin.")."""
    hs, cs = sent_of[hit.start], sent_of[cue_start]
    if cs == hs:
        return hit.start - window <= cue_start <= hit.end + window
    return cs == hs + 1


def _sentence_index(doc: Any) -> list[int]:
    out = [0] * len(doc)
    for i, sent in enumerate(doc.sents):
        for j in range(sent.start, sent.end):
            out[j] = i
    return out


def _longest_per_span(hits: list[Hit]) -> list[Hit]:
    """Within one code, drop a hit whose tokens lie inside a longer hit of the same code.

    Why: "geen tijd" and "tijd" both matching should count once, with the more specific one.
    """
    hits = sorted(hits, key=lambda h: (h.code, h.start, -(h.end - h.start)))
    out: list[Hit] = []
    for h in hits:
        if any(o.code == h.code and o.start <= h.start and h.end <= o.end and o is not h for o in out):
            continue
        out.append(h)
    return out


# -- several processes ------------------------------------------------------------------------
_WORKER: RuleEngine | None = None


def _init_worker(codebook_dict: dict[str, Any], model: str, codes: str | None) -> None:
    global _WORKER

    _WORKER = RuleEngine(CB.from_dict(codebook_dict), get_nlp(model), codes)


def _work(batch: list[str]) -> bytes:
    """Analyse a chunk in a worker; the result travels as one JSON document (cheaper to move
    between processes than pickled dataclasses with nested evidence)."""
    import json

    assert _WORKER is not None
    out = [
        [[s.code, s.score, s.start, s.end, s.evidence, s.stance] for s in _WORKER.analyse(doc)]
        for doc in _WORKER.nlp.pipe(batch, batch_size=256)
    ]
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _suggest_multiprocess(
    engine: RuleEngine, texts: Sequence[str], batch_size: int, n_process: int
) -> Iterator[list[Suggestion]]:
    import multiprocessing as mp

    model = getattr(engine.nlp, "_qualcode_model", "")  # set by qualcode.language.nlp.get_nlp
    ctx = mp.get_context("spawn")
    # Big chunks: each round trip pickles texts out and suggestions back; few, large messages
    # keep that overhead small next to the matching itself.
    size = max(batch_size, min(4000, len(texts) // (n_process * 4) or 1))
    chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
    init = (engine.codebook.to_dict(), model, engine.codes)
    with ctx.Pool(n_process, initializer=_init_worker, initargs=init) as pool:
        import json

        for payload in pool.imap(_work, chunks):
            for found in json.loads(payload):
                yield [Suggestion(c, sc, st, en, ev, stance) for c, sc, st, en, ev, stance in found]
