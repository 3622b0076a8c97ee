"""The rule-based suggester: codebook indicators matched per fragment, weighed as distinct evidence.

How a score comes about (the codebook brief's decisive rule: the stated reason decides). Every step
is recorded, so ``qualcode suggest --explain`` and the stored evidence show why a code was suggested.

1. **Hits.** Indicators (phrases, lemmas, token patterns) match words; a one-word indicator also
   matches as the head or first part of a Dutch compound ("controle" in "themacontrole"; see
   phrases.py). ``lemma:`` indicators match the spaCy lookup lemma and, if the codebook's
   ``rules.lemmatizer`` says so, simplemma's lemma too.
2. **Cancelled hits.** A blocker cancels its code's hits on the same tokens (``scope: token``) or in
   the sentence (``scope: sentence``); an indicator with ``requires``/``unless`` conditions counts only
   when one of its ``requires`` and none of its ``unless`` match within ``window`` tokens (default:
   the sentence); a code with ``requires`` counts only in sentences that state its reason.
3. **Modifiers.** A hit a few tokens after a reason cue ("omdat", "want", ...) in the same sentence
   is a *stated reason*: a reason indicator's weight is multiplied by ``reason_boost``, and even a
   topic word (``reason: false``) named as the reason counts as stated. A hit inside a negation
   scope weighs ``negation_weight`` times as much, a hit in a foil (the clause before "maar", the
   words after "in plaats van") ``foil_weight`` times (scopes: scope.py).
4. **Distinct evidence.** Hits of one code that share tokens, or repeat the same indicator, are one
   piece of evidence, weighted by the strongest of them.
5. **Roll-up.** A code that ``implies`` another (practice.sanctions.professional ->
   logic.professional) passes its score times the implication weight to it as one more piece of
   evidence, with the chain; pieces that rest on the same words as a direct hit of the target are
   again one piece.
6. **Score.** Stated pieces combine as a noisy-or, ``R = 1 - prod(1 - w)``; topic pieces (topic words
   outside any reason window) likewise to ``T``, which is capped at ``topic_cap`` (default 0.3, below
   the default threshold 0.35): ``score = 1 - (1 - R)(1 - min(T, topic_cap))``. So topic words alone
   never make a suggestion, and a stated reason dominates.
7. **Stance.** A negative evaluation ("onzin") or distancing cue near a hit proposes ``rejects`` or
   ``distances``; a code whose strongest evidence is negated or a foil proposes ``rejects``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from qualcode.codebook.model import Codebook, Indicator, is_under
from qualcode.codebook.model import Codebook as CB
from qualcode.errors import InputError
from qualcode.language.nlp import get_nlp
from qualcode.suggest.phrases import PhraseIndex, Unsupported
from qualcode.suggest.scope import Scopes, ScopeWords, compute_scopes

MAX_WEIGHT = 0.95
_CUE_KEYS = ("REASON", "NEG", "DIST", "NOT", "CONB", "CONA", "EXC")


@dataclass
class Hit:
    """One indicator match and what happened to it (``status``: counted, merged into a stronger hit
    of the same piece, or why it was dropped)."""

    code: str
    indicator: Indicator
    start: int  # token indices in the doc, half-open
    end: int
    weight: float
    reason_cue: str | None = None
    key: str = ""
    base: float = 0.0
    stated: bool = False
    compound: str | None = None  # "head" | "part" when matched inside a compound
    modifiers: list[dict[str, Any]] = field(default_factory=list)
    status: str = "counted"
    scoped: str | None = None  # "negation" | "foil"


@dataclass
class Piece:
    """One distinct piece of evidence for a code: hits on shared tokens, or a roll-up."""

    code: str
    weight: float
    stated: bool
    spans: list[tuple[int, int]]
    hits: list[Hit] = field(default_factory=list)
    rollup: dict[str, Any] | None = None
    scoped: str | None = None
    counted: bool = True


class Suggestion:
    """One suggested code for one fragment (character offsets are relative to the fragment text).

    The evidence is built when first read: a run stores it only for suggestions above the
    threshold, and building it for every low score was a good part of the engine's time."""

    __slots__ = ("code", "score", "start", "end", "stance", "_evidence", "_make")

    def __init__(self, code: str, score: float, start: int, end: int, evidence: list[dict[str, Any]] | None = None,
                 stance: str | None = None, make: Callable[[], list[dict[str, Any]]] | None = None) -> None:
        self.code, self.score, self.start, self.end, self.stance = code, score, start, end, stance
        self._evidence = evidence
        self._make = make

    @property
    def evidence(self) -> list[dict[str, Any]]:
        if self._evidence is None:
            self._evidence = self._make() if self._make is not None else []
            self._make = None
        return self._evidence

    @evidence.setter
    def evidence(self, value: list[dict[str, Any]]) -> None:
        self._evidence, self._make = value, None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Suggestion):
            return NotImplemented
        return (self.code, self.score, self.start, self.end, self.stance, self.evidence) == (
            other.code, other.score, other.start, other.end, other.stance, other.evidence)

    def __repr__(self) -> str:
        return (f"Suggestion(code={self.code!r}, score={self.score!r}, start={self.start}, end={self.end}, "
                f"stance={self.stance!r})")


class _View:
    """A Doc read once as arrays (lower and lemma hashes, sentence numbers, character offsets), so
    the engine never creates spaCy Token objects: that was most of its time per fragment."""

    __slots__ = ("text", "lowers", "lemmas", "sent_of", "starts", "ends")

    def __init__(self, doc: Any, text: str | None = None) -> None:
        from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, SENT_START

        # doc.text joins every token's text: pass the text the doc was made from when there is one
        self.text: str = doc.text if text is None else text
        self.lowers: list[int] = []
        self.lemmas: list[int] = []
        self.sent_of: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        if len(doc) == 0:
            return
        arr = doc.to_array([LOWER, LEMMA, SENT_START, IDX, LENGTH])
        self.lowers = arr[:, 0].tolist()
        self.lemmas = arr[:, 1].tolist()
        first = arr[:, 2] == 1
        first[0] = True
        self.sent_of = (first.cumsum() - 1).tolist()
        self.starts = arr[:, 3].tolist()
        self.ends = (arr[:, 3] + arr[:, 4]).tolist()

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Character offsets of tokens [start, end)."""
        return self.starts[start], self.ends[end - 1]

    def words(self, start: int, end: int) -> str:
        return self.text[self.starts[start] : self.ends[end - 1]]

    def sentence_span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets from the start of sentence ``first`` to the end of sentence ``last``."""
        from bisect import bisect_left, bisect_right

        return self.starts[bisect_left(self.sent_of, first)], self.ends[bisect_right(self.sent_of, last) - 1]


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


def rollup_order(codebook: Codebook) -> list[str]:
    """Codes with ``implies``, each after every code that implies it (sources first), so a code's
    score is complete before it passes it on. The loader refuses cycles; any left are skipped."""
    implying: dict[str, set[str]] = {}
    for code in codebook.codes.values():
        for imp in code.implies:
            implying.setdefault(imp.code, set()).add(code.id)
    order: list[str] = []
    done: set[str] = set()
    pending = [c.id for c in codebook.codes.values() if c.implies]
    progress = True
    while pending and progress:
        progress = False
        for cid in list(pending):
            if all(src in done or not codebook.codes[src].implies or src == cid
                   for src in _all_sources(implying, cid)):
                order.append(cid)
                done.add(cid)
                pending.remove(cid)
                progress = True
    return order


def _all_sources(implying: dict[str, set[str]], code_id: str) -> set[str]:
    out: set[str] = set()
    stack = [code_id]
    while stack:
        for src in implying.get(stack.pop(), ()):
            if src not in out:
                out.add(src)
                stack.append(src)
    return out


class RuleEngine:
    """Compiled indicators, blockers, conditions and cues of a codebook for one spaCy pipeline."""

    engine_name = "rules"

    def __init__(self, codebook: Codebook, nlp: Any, codes: str | None = None) -> None:
        from spacy.matcher import Matcher

        self.codebook = codebook
        self.nlp = nlp
        self.codes = codes
        self.settings = codebook.rules
        # One index for indicators, blockers, conditions and cues; spaCy's Matcher only for patterns
        # the index cannot express (see phrases.py).
        self.matcher = Matcher(nlp.vocab, validate=False)
        self.phrases = PhraseIndex(nlp.vocab.strings)
        if self.settings.compounds:
            self.phrases.enable_compounds(self.settings.compound_min_head, self.settings.compound_min_part)
        self._indicators: dict[str, tuple[str, Indicator, bool]] = {}  # key -> (code, indicator, is_blocker)
        selected = [c for c in codebook.codes.values() if c.codable and (not codes or is_under(c.id, codes))]
        self.output_codes = {c.id for c in selected}
        # Roll-up sources: codes whose score reaches an output code through `implies` are matched too.
        self.rollup_sources = {
            c.id for c in codebook.codes.values()
            if c.codable and c.id not in self.output_codes
            and any(t in self.output_codes for t in codebook.rollup_targets(c.id))
        }
        scored = self.output_codes | self.rollup_sources
        self.scored_codes = scored
        self.requires = {cid: list(codebook.codes[cid].requires) for cid in scored if codebook.codes[cid].requires}
        # Codes named in `requires` are matched too (as gates) even when --codes leaves them out.
        self.gates = {r for reqs in self.requires.values() for r in reqs}
        wanted = scored | {c.id for c in codebook.codes.values() if any(is_under(c.id, g) for g in self.gates)}
        self.order = [cid for cid in rollup_order(codebook) if cid in scored]
        n = 0
        for code in codebook.codes.values():
            if code.id not in wanted:
                continue
            for is_blocker, items in ((False, code.indicators), (True, code.blockers)):
                for ind in items:
                    key = f"{'B' if is_blocker else 'I'}{n}"
                    n += 1
                    self._indicators[key] = (code.id, ind, is_blocker)
                    self._add(key, ind, compound=not is_blocker and ind.compound)
                    for kind, conditions in (("r", ind.requires), ("u", ind.unless)):
                        for cond in conditions:
                            self._add(f"C{kind}{key}", cond)
        for cue in self.settings.reason_cues:
            self.phrases.add_elements("REASON", phrase_elements(nlp, cue))
        for key, cues in (("NEG", self.settings.negative_evaluation), ("DIST", self.settings.distancing),
                          ("NOT", self.settings.negation), ("EXC", self.settings.scope_exceptions)):
            for ind in cues:
                self._add(key, ind)
        for ind in self.settings.contrast:
            self._add("CONA" if ind.scope == "after" else "CONB", ind)
        self._lemmas2: dict[int, int] | None = {} if self.settings.lemmatizer != "lookup" else None
        self._scope_words = ScopeWords.for_strings(nlp.vocab.strings)

    def _add(self, key: str, ind: Indicator, compound: bool = False) -> None:
        if ind.kind == "pattern":
            try:
                self.phrases.add_pattern(key, list(ind.value))  # type: ignore[arg-type]
            except Unsupported:
                self.matcher.add(key, [list(ind.value)])  # type: ignore[arg-type]
        elif ind.kind == "lemma":
            self.phrases.add_elements(key, phrase_elements(self.nlp, str(ind.value), attr="LEMMA"), compound)
        else:
            self.phrases.add_elements(key, phrase_elements(self.nlp, str(ind.value)), compound)

    def _second_lemmas(self, lowers: list[int], lemmas: list[int]) -> list[int] | None:
        """simplemma's lemma per token (cached per word form) when the codebook asks for it."""
        if self._lemmas2 is None:
            return None
        try:
            import simplemma
        except ModuleNotFoundError:
            raise InputError(
                f"the codebook asks for lemmatizer: {self.settings.lemmatizer}, which needs simplemma: "
                "pip install 'qualcode[lemmas]' (or set rules: lemmatizer: lookup)"
            ) from None

        strings = self.nlp.vocab.strings
        cache = self._lemmas2
        out = []
        for h in lowers:
            lem = cache.get(h)
            if lem is None:
                word = strings[h]
                lem = strings.add(simplemma.lemmatize(word, lang="nl").lower()) if word.isalpha() else h
                cache[h] = lem
            out.append(lem)
        return out

    def _matches(self, doc: Any, view: _View) -> list[tuple[str, int, int]]:
        strings = self.nlp.vocab.strings
        found = [(strings[m], s, e) for m, s, e in self.matcher(doc)] if len(self.matcher) else []
        lowers, lemmas = view.lowers, view.lemmas
        second = self._second_lemmas(lowers, lemmas)
        if self.settings.lemmatizer == "simplemma" and second is not None:
            lemmas, second = second, None
        found.extend(self.phrases.find_arrays(lowers, lemmas, second))
        return found

    # -- matching ---------------------------------------------------------------------------
    def analyse(self, doc: Any, text: str | None = None) -> list[Suggestion]:
        """Suggestions for one fragment (a spaCy Doc of the turn's text; ``text``: the string the
        doc was made from, which saves rebuilding it)."""
        return self._analyse(doc, None, text)

    def explain(self, doc: Any) -> dict[str, Any]:
        """Everything behind the suggestions for one fragment: every hit (also those cancelled),
        its weight and modifiers, the cues found, and per code the pieces of evidence, the roll-ups
        and the final score (what ``qualcode suggest --explain`` prints)."""
        trace: dict[str, Any] = {"hits": [], "cues": [], "codes": []}
        suggestions = self._analyse(doc, trace)
        trace["suggestions"] = [
            {"code": s.code, "score": s.score, "stance": s.stance, "start": s.start, "end": s.end} for s in suggestions
        ]
        trace["text"] = doc.text
        return trace

    def _analyse(self, doc: Any, trace: dict[str, Any] | None, text: str | None = None) -> list[Suggestion]:
        settings = self.settings
        view = _View(doc, text)
        hits: list[Hit] = []
        blocks: list[tuple[str, int, int, str, Indicator]] = []
        conds: dict[str, list[tuple[int, int]]] = {}
        cues: dict[str, list[tuple[int, int]]] = {k: [] for k in _CUE_KEYS}
        seen: set[tuple[str, int, int]] = set()
        for key, start, end in self._matches(doc, view):
            if (key, start, end) in seen:
                continue
            seen.add((key, start, end))
            if key in cues:
                cues[key].append((start, end))
                continue
            if key[0] == "C":
                conds.setdefault(key, []).append((start, end))
                continue
            base_key, _, part = key.partition("~")
            code, ind, is_blocker = self._indicators[base_key]
            if is_blocker:
                blocks.append((code, start, end, ind.scope, ind))
            else:
                w = min(ind.weight, 1.0)
                hits.append(Hit(code, ind, start, end, w, key=base_key, base=w, compound=part or None))
        if trace is not None:
            trace["cues"] = [{"cue": k, "words": view.words(s, e), "start": s, "end": e}
                             for k, v in cues.items() for s, e in v]
        if not hits:
            return []
        sent_of = view.sent_of
        # -- 2. cancelled hits
        kept: list[Hit] = []
        for h in hits:
            why = self._cancelled(h, blocks, conds, sent_of)
            if why:
                h.status = why
            elif h.code not in self.scored_codes and not any(is_under(h.code, g) for g in self.gates):
                h.status = "not selected"
            else:
                kept.append(h)
        if self.requires:
            kept = self._apply_requires(kept, sent_of)
        kept = [h for h in kept if h.code in self.scored_codes]
        # -- 3. modifiers: stated reasons, negation and foils
        scopes = self._scopes(view, cues) if (cues["NOT"] or cues["CONB"] or cues["CONA"]) else None
        window = settings.reason_window
        for h in kept:
            if h.compound:
                h.modifiers.append({"kind": "compound", "part": h.compound, "word": view.words(h.start, h.start + 1)})
            if h.indicator.reason:
                h.stated = True
            for cs, ce in cues["REASON"]:
                if sent_of[cs] == sent_of[h.start] and ce <= h.start and h.start - ce < window:
                    text = view.words(cs, ce)
                    h.reason_cue = text
                    h.stated = True
                    factor = settings.reason_boost if h.indicator.reason else 1.0
                    h.weight = min(h.weight * factor, MAX_WEIGHT)
                    h.modifiers.append({"kind": "reason", "cue": text, "factor": factor})
                    break
            found = scopes.of(h.start, h.end) if scopes is not None else None
            if found:
                kind, (cue, _, _) = found
                factor = settings.negation_weight if kind == "negation" else settings.foil_weight
                h.weight *= factor
                h.scoped = kind
                h.modifiers.append({"kind": kind, "cue": cue, "factor": factor})
        # -- 4. distinct pieces of evidence per code
        by_code: dict[str, list[Piece]] = {}
        for code, code_hits in _group_by(kept, lambda h: h.code).items():
            by_code[code] = _pieces(code, code_hits)
        # -- 5. roll-up, sources before targets
        for cid in self.order:
            pieces = by_code.get(cid)
            if not pieces:
                continue
            score, _, _ = _combine(_merge_pieces(pieces), settings.topic_cap)
            if score <= 0:
                continue
            stated = any(p.stated and p.counted for p in pieces)
            spans = [s for p in pieces for s in p.spans]
            best = max(pieces, key=lambda p: p.weight)
            chain = (best.rollup["chain"] if best.rollup else [cid])
            for imp in self.codebook.codes[cid].implies:
                if imp.code not in self.scored_codes:
                    continue
                by_code.setdefault(imp.code, []).append(Piece(
                    code=imp.code, weight=score * imp.weight, stated=stated, spans=spans,
                    rollup={"from": cid, "chain": [*chain, imp.code], "from_score": round(score, 4),
                            "implies_weight": imp.weight, "hits": [h for p in pieces for h in p.hits if
                                                                   h.status == "counted"]},
                    scoped=best.scoped,
                ))
        # -- 6. scores, 7. stance, evidence
        out: list[Suggestion] = []
        sw = settings.stance_window
        for code, pieces in by_code.items():
            merged = _merge_pieces(pieces)
            score, stated_part, topic_part = _combine(merged, settings.topic_cap)
            if trace is not None:
                trace["codes"].append(_trace_code(code, code in self.output_codes, merged, score, stated_part,
                                                  topic_part, settings.topic_cap, view))
            if code not in self.output_codes or score <= 0:
                continue
            counted = [p for p in merged if p.counted]
            direct = [h for p in counted for h in p.hits]
            stance = None
            for kind, name in (("NEG", "rejects"), ("DIST", "distances")):
                if any(_stance_near(h, cs, sent_of, sw) for h in direct for cs, _ in cues[kind]):
                    stance = name
                    break
            strongest = max(counted, key=lambda p: p.weight)
            if stance is None and strongest.scoped:
                stance = "rejects"
            all_spans = [s for p in counted for s in p.spans]
            first = min(sent_of[s] for s, _ in all_spans)
            last = max(sent_of[e - 1] for _, e in all_spans)
            start_char, end_char = view.sentence_span(first, last)
            combine = {"stated": round(stated_part, 4), "topic": round(topic_part, 4), "topic_cap": settings.topic_cap,
                       "score": round(score, 4)}
            out.append(Suggestion(code=code, score=round(score, 4), start=start_char, end=end_char, stance=stance,
                                  make=partial(_full_evidence, merged, view, combine, stance)))
        if trace is not None:
            trace["hits"] = [_hit_record(h, view) for h in sorted(hits, key=lambda x: (x.start, x.code))]
        out.sort(key=lambda s: (-s.score, s.code))
        return out

    def _cancelled(
        self,
        h: Hit,
        blocks: list[tuple[str, int, int, str, Indicator]],
        conds: dict[str, list[tuple[int, int]]],
        sent_of: list[int],
    ) -> str | None:
        """Why a hit does not count (a blocker, a context condition), or None."""
        for code, bs, be, scope, ind in blocks:
            if code == h.code and (
                (scope == "sentence" and sent_of[bs] == sent_of[h.start]) or (scope != "sentence" and bs < h.end
                                                                              and h.start < be)
            ):
                h.modifiers.append({"kind": "blocked", "by": ind.evidence, "scope": scope})
                return "blocked"
        ind = h.indicator
        if ind.requires or ind.unless:
            key = h.key

            def near(found: list[tuple[int, int]]) -> bool:
                for cs, ce in found:
                    if cs < h.end and h.start < ce:
                        continue  # the hit's own words are no context
                    if ind.window is None:
                        if sent_of[cs] == sent_of[h.start]:
                            return True
                    elif cs < h.end + ind.window and ce > h.start - ind.window:
                        return True
                return False

            where = f"within {ind.window} tokens" if ind.window else "in the sentence"
            if ind.requires and not near(conds.get(f"Cr{key}", [])):
                h.modifiers.append({"kind": "condition", "failed": "requires", "where": where})
                return "condition"
            if ind.unless and near(conds.get(f"Cu{key}", [])):
                h.modifiers.append({"kind": "condition", "failed": "unless", "where": where})
                return "condition"
        return None

    def _scopes(self, view: _View, cues: dict[str, list[tuple[int, int]]]) -> Scopes:
        return compute_scopes(
            view.lowers, view.sent_of, self._scope_words,
            cues["NOT"],
            [(s, e, "before") for s, e in cues["CONB"]] + [(s, e, "after") for s, e in cues["CONA"]],
            cues["EXC"],
            view.words,
        )

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
                    h.status = "no stated reason (requires)"
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
        for text, doc in zip(texts, self.nlp.pipe(texts, batch_size=batch_size)):
            yield self.analyse(doc, text)


# -- evidence -----------------------------------------------------------------------------------
def _group_by(items: list[Hit], key: Any) -> dict[str, list[Hit]]:
    out: dict[str, list[Hit]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _pieces(code: str, hits: list[Hit]) -> list[Piece]:
    """Hits of one code as distinct pieces: hits that share tokens or repeat an indicator are one."""
    hits = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    groups: list[list[Hit]] = []
    for h in hits:
        home = None
        for g in groups:
            if any((o.start < h.end and h.start < o.end) or o.indicator is h.indicator for o in g):
                home = g
                break
        if home is None:
            groups.append([h])
        else:
            home.append(h)
    pieces = []
    for g in groups:
        best = max(g, key=lambda h: (h.weight, h.end - h.start))
        for h in g:
            if h is not best:
                h.status = "merged"
        ordered = [best] + [h for h in g if h is not best]
        pieces.append(Piece(code=code, weight=best.weight, stated=best.stated,
                            spans=[(h.start, h.end) for h in g], hits=ordered, scoped=best.scoped))
    return pieces


def _merge_pieces(pieces: list[Piece]) -> list[Piece]:
    """Pieces of one code resting on shared tokens count once (the strongest); others are kept but
    marked ``counted=False`` so the explanation can show them."""
    order = sorted(pieces, key=lambda p: -p.weight)
    taken: list[Piece] = []
    for p in order:
        p.counted = not any(_overlap(p.spans, q.spans) for q in taken)
        if p.counted:
            taken.append(p)
    return order


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def _combine(pieces: list[Piece], topic_cap: float) -> tuple[float, float, float]:
    """(score, stated part R, topic part T before the cap) of counted pieces."""
    stated_rest = topic_rest = 1.0
    for p in pieces:
        if not p.counted:
            continue
        if p.stated:
            stated_rest *= 1.0 - min(p.weight, MAX_WEIGHT)
        else:
            topic_rest *= 1.0 - min(p.weight, MAX_WEIGHT)
    stated, topic = 1.0 - stated_rest, 1.0 - topic_rest
    score = 1.0 - (1.0 - stated) * (1.0 - min(topic, topic_cap))
    return score, stated, topic


def _hit_entry(h: Hit, view: _View, counted: bool) -> dict[str, Any]:
    s, e = view.span(h.start, h.end)
    entry: dict[str, Any] = {
        "indicator": h.indicator.evidence,
        "kind": h.indicator.kind,
        "words": view.text[s:e],
        "start": s,
        "end": e,
        "weight": round(h.weight, 4),
        "base_weight": round(h.base, 4),
        "reason": h.stated,
        "counted": counted,
    }
    if h.reason_cue:
        entry["reason_cue"] = h.reason_cue
    if h.modifiers:
        entry["modifiers"] = h.modifiers
    return entry


def _full_evidence(pieces: list[Piece], view: _View, combine: dict[str, Any], stance: str | None
                   ) -> list[dict[str, Any]]:
    evidence = _evidence(pieces, view)
    evidence.append({"combine": combine})
    if stance:
        evidence.append({"stance_cue": stance})
    return evidence


def _evidence(pieces: list[Piece], view: _View) -> list[dict[str, Any]]:
    """The stored evidence of one suggestion: every hit and roll-up, in text order, each saying
    whether it counted (the strongest of its piece) and with which modifiers."""
    entries: list[tuple[int, dict[str, Any]]] = []
    for p in pieces:
        if p.rollup is not None:
            src = p.rollup["hits"]
            best = max(src, key=lambda h: h.weight) if src else None
            entry: dict[str, Any] = {
                "indicator": " -> ".join(p.rollup["chain"]),
                "kind": "rollup",
                "chain": p.rollup["chain"],
                "from_score": p.rollup["from_score"],
                "implies_weight": p.rollup["implies_weight"],
                "weight": round(p.weight, 4),
                "reason": p.stated,
                "counted": p.counted,
            }
            if best is not None:
                s, e = view.span(best.start, best.end)
                entry.update(words=view.text[s:e], start=s, end=e)
            entries.append((min(s for s, _ in p.spans), entry))
            continue
        for i, h in enumerate(p.hits):
            entries.append((h.start, _hit_entry(h, view, p.counted and i == 0)))
    entries.sort(key=lambda x: x[0])
    return [e for _, e in entries]


def _hit_record(h: Hit, view: _View) -> dict[str, Any]:
    rec = _hit_entry(h, view, h.status == "counted")
    rec["code"] = h.code
    rec["status"] = h.status
    return rec


def _trace_code(code: str, output: bool, pieces: list[Piece], score: float, stated: float, topic: float,
                cap: float, view: _View) -> dict[str, Any]:
    return {
        "code": code,
        "output": output,
        "score": round(score, 4),
        "stated": round(stated, 4),
        "topic": round(topic, 4),
        "topic_cap": cap,
        "pieces": [
            {
                "weight": round(p.weight, 4),
                "stated": p.stated,
                "counted": p.counted,
                "words": ", ".join(view.words(s, e) for s, e in p.spans[:3]),
                **({"rollup": " -> ".join(p.rollup["chain"]), "from_score": p.rollup["from_score"],
                    "implies_weight": p.rollup["implies_weight"]} if p.rollup else
                   {"hits": [h.indicator.evidence for h in p.hits]}),
                **({"scoped": p.scoped} if p.scoped else {}),
            }
            for p in pieces
        ],
    }


def _stance_near(hit: Hit, cue_start: int, sent_of: list[int], window: int) -> bool:
    """A stance cue counts near a hit within ``window`` tokens in the same sentence, or anywhere in
    the next sentence: speakers evaluate what they just said ("Er zijn aantallen. Dat vind ik onzin.")."""
    hs, cs = sent_of[hit.start], sent_of[cue_start]
    if cs == hs:
        return hit.start - window <= cue_start <= hit.end + window
    return cs == hs + 1


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
        [[s.code, s.score, s.start, s.end, s.evidence, s.stance] for s in _WORKER.analyse(doc, text)]
        for text, doc in zip(batch, _WORKER.nlp.pipe(batch, batch_size=256))
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
