"""A hash-indexed matcher for phrase, prefix and lemma indicators.

Why not spaCy's Matcher for these: a ``*`` prefix phrase needs a REGEX predicate, and the
Matcher evaluates every predicate pattern at every token, which made the rule engine about
twenty times slower than tokenising. Here each pattern is indexed by its first element (the
lower-case form, the lemma, or a prefix), so each token costs a few dictionary look-ups plus
one per prefix length of the word. spaCy's Matcher is still used for real token patterns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

Element = tuple[str, str]  # ("LOWER" | "PREFIX" | "LEMMA", value)


@dataclass
class PhraseIndex:
    """Find sequences of (attribute, value) elements in a Doc."""

    by_lower: dict[str, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    by_lemma: dict[str, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    by_prefix: dict[str, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    prefix_lengths: set[int] = field(default_factory=set)

    def add(self, key: str, elements: list[Element]) -> None:
        if not elements:
            return
        elems = tuple(elements)
        attr, value = elems[0]
        if attr == "LOWER":
            self.by_lower.setdefault(value, []).append((key, elems))
        elif attr == "LEMMA":
            self.by_lemma.setdefault(value, []).append((key, elems))
        elif attr == "PREFIX":
            self.by_prefix.setdefault(value, []).append((key, elems))
            self.prefix_lengths.add(len(value))
        else:
            raise ValueError(f"unknown element attribute {attr!r}")

    def __len__(self) -> int:
        return sum(len(v) for d in (self.by_lower, self.by_lemma, self.by_prefix) for v in d.values())

    def find(self, doc: Any) -> Iterator[tuple[str, int, int]]:
        """Yield (key, start, end) token spans for every pattern occurrence."""
        lowers = [t.lower_ for t in doc]
        lemmas = [t.lemma_ for t in doc]
        n = len(lowers)
        lengths = sorted(self.prefix_lengths)
        for i in range(n):
            low = lowers[i]
            cands = list(self.by_lower.get(low, ()))
            cands += self.by_lemma.get(lemmas[i], ())
            for k in lengths:
                if k > len(low):
                    break
                cands += self.by_prefix.get(low[:k], ())
            for key, elems in cands:
                end = i + len(elems)
                if end > n:
                    continue
                if all(_element_ok(elems[j], lowers[i + j], lemmas[i + j]) for j in range(1, len(elems))):
                    yield key, i, end


def _element_ok(elem: Element, lower: str, lemma: str) -> bool:
    attr, value = elem
    if attr == "LOWER":
        return lower == value
    if attr == "LEMMA":
        return lemma == value
    return lower.startswith(value)
