"""Negation and contrast scope for the rule engine: which tokens a "niet", "maar" or "in plaats van" governs.

Why: the codebook brief codes the logic a respondent argues *for*. In "het gaat niet om de regels maar
om de mens" the rules are a foil; counting "regels" as bureaucratic evidence makes a wrong suggestion.
The cues are matched like indicators (phrases or spaCy token patterns in the codebook's ``rules:``
``negation``, ``contrast`` and ``scope_exceptions``); this module turns cue positions into scopes.

Clauses. A clause ends at a sentence end, at punctuation that separates clauses (, ; : ( ) - and
dashes, quotes) and before a clause-opening conjunction (maar, want, omdat, terwijl, dus, doordat,
zodat, vanwege, aangezien, waardoor, hoewel, tenzij, behalve, als, wanneer, die, dat when it follows
a comma is not needed: the comma ends the clause already).

Scopes (documented in docs/codebook-format.md, "Negation and contrast"):

- negation (niet, geen, nooit, niks, niets, nergens, juist niet, ...): from the token after the
  cue to the end of its clause. Dutch puts "niet" last in a main clause ("dat controleer ik
  niet"), so a cue that is the last word of its clause negates the clause before it instead. A
  cue directly followed by a reason cue ("niet omdat het moet, maar ...") negates that reason
  clause: the stated reason is denied.
- contrast with ``scope: before`` (maar, terwijl): the clause just before the cue, in the same
  sentence, is a foil ("het gaat niet om de regels | maar om de mens").
- contrast with ``scope: after`` (in plaats van): the words after the cue up to the end of the
  clause are the foil ("in plaats van te controleren, ...").
- exceptions ("niet alleen", "maar ook", "geen idee"): a cue inside an exception match is no cue.

A hit whose first token lies in a scope, and that does not contain the cue itself ("geen tijd" is an
indicator, not a negated "tijd"), is negated or foiled; the engine then weakens it and may propose
the stance "rejects" (see rules.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CLAUSE_PUNCT = frozenset({",", ";", ":", "(", ")", "-", "–", "—", '"', "“", "”", "'", "...", "…", "?", "!", "."})
CLAUSE_WORDS = frozenset({
    "maar", "want", "omdat", "terwijl", "dus", "doordat", "zodat", "vanwege", "aangezien", "waardoor",
    "hoewel", "tenzij", "behalve", "wanneer", "zodra", "ofschoon", "daarom", "anders",
})
REASON_WORDS = frozenset({"omdat", "want", "vanwege", "doordat", "aangezien", "daarom"})


@dataclass
class ScopeWords:
    """The clause-boundary and reason words as hashes of one StringStore (tokens are read as hashes)."""

    punct: frozenset[int]
    boundary: frozenset[int]
    reason: frozenset[int]

    @classmethod
    def for_strings(cls, strings: Any) -> ScopeWords:
        punct = frozenset(strings.add(w) for w in CLAUSE_PUNCT)
        words = frozenset(strings.add(w) for w in CLAUSE_WORDS)
        return cls(punct, punct | words, frozenset(strings.add(w) for w in REASON_WORDS))


@dataclass
class Scopes:
    """Per token index: the cue that negates it or makes it a foil (cue text, cue start, cue end)."""

    negated: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    foiled: dict[int, tuple[str, int, int]] = field(default_factory=dict)

    def of(self, start: int, end: int) -> tuple[str, tuple[str, int, int]] | None:
        """("negation" | "foil", cue) for a hit on tokens [start, end), or None. Negation wins."""
        for kind, table in (("negation", self.negated), ("foil", self.foiled)):
            cue = table.get(start)
            if cue is not None and not (start <= cue[1] < end):
                return kind, cue
        return None


def compute_scopes(
    lowers: list[int],
    sent_of: list[int],
    words: ScopeWords,
    negations: list[tuple[int, int]],
    contrasts: list[tuple[int, int, str]],
    exceptions: list[tuple[int, int]],
    text_of: Callable[[int, int], str],
) -> Scopes:
    """Scopes of the cues found in one fragment.

    ``lowers``: lower-case hashes of the tokens; ``sent_of``: sentence number per token; ``words``:
    the boundary words as hashes; ``negations``: (start, end) of negation cues; ``contrasts``:
    (start, end, "before" | "after"); ``exceptions``: (start, end) of matches that cancel cues they
    overlap; ``text_of(start, end)``: the cue's words, for the explanation.
    """
    n = len(lowers)
    out = Scopes()
    if not n:
        return out
    boundary, punct = words.boundary, words.punct

    def excepted(s: int, e: int) -> bool:
        return any(xs < e and s < xe for xs, xe in exceptions)

    def clause_end(i: int) -> int:
        """First index >= i that ends the clause (boundary token or a new sentence), or n."""
        sent = sent_of[i] if i < n else -1
        j = i
        while j < n and sent_of[j] == sent and lowers[j] not in boundary:
            j += 1
        return j

    def clause_start(i: int) -> int:
        """First index of the clause holding token i."""
        sent = sent_of[i]
        j = i
        while j > 0 and sent_of[j - 1] == sent and lowers[j - 1] not in boundary:
            j -= 1
        return j

    for s, e in negations:
        if excepted(s, e):
            continue
        cue = (text_of(s, e).lower(), s, e)
        if e < n and sent_of[e] == sent_of[s] and lowers[e] in words.reason:
            span = range(e, clause_end(e + 1))  # "niet omdat ...": the reason is denied
        else:
            end = clause_end(e)
            span = range(e, end)
            if end == e:  # clause-final "niet": the clause before it
                span = range(clause_start(s), s)
        for i in span:
            out.negated.setdefault(i, cue)
    for s, e, where in contrasts:
        if excepted(s, e):
            continue
        cue = (text_of(s, e).lower(), s, e)
        if where == "after":
            span = range(e, clause_end(e))
        else:
            j = s - 1
            while j >= 0 and sent_of[j] == sent_of[s] and lowers[j] in punct:
                j -= 1
            if j < 0 or sent_of[j] != sent_of[s]:
                continue
            span = range(clause_start(j), j + 1)
        for i in span:
            out.foiled.setdefault(i, cue)
    return out
