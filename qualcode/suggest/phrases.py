"""A hash-indexed matcher for phrase, prefix, lemma and simple token-pattern indicators.

Why not spaCy's Matcher for these: a ``*`` prefix phrase needs a REGEX predicate, and the
Matcher evaluates every predicate pattern at every token, which made the rule engine about
twenty times slower than tokenising. Here each pattern is indexed by its first element, tokens
are read as hash arrays (``Doc.to_array``), and the candidate patterns for a token are cached
per word form, so each token costs two dictionary look-ups. Matcher patterns that only use
``LOWER``/``LEMMA`` with a string or ``IN`` list and ``OP: "?"`` compile to the same index;
anything else (REGEX, POS, ``+``/``*``) stays with spaCy's Matcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product
from typing import Any

# An element: attribute and the accepted values ("LOWER"/"LEMMA": string hashes; "PREFIX": strings).
Element = tuple[str, frozenset]


class Unsupported(ValueError):
    """A Matcher pattern that this index cannot express (it goes to spaCy's Matcher)."""


@dataclass
class PhraseIndex:
    strings: Any  # the pipeline's StringStore: str <-> hash
    _by_lower: dict[int, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    _by_lemma: dict[int, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    _by_prefix: dict[str, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    _prefix_lengths: list[int] = field(default_factory=list)
    _lower_cache: dict[int, list[tuple[str, tuple[Element, ...]]]] = field(default_factory=dict)
    _size: int = 0

    def __len__(self) -> int:
        return self._size

    # -- building -------------------------------------------------------------------------
    def add_elements(self, key: str, elements: list[tuple[str, str]]) -> None:
        """Add a sequence of single-valued (attribute, value) elements."""
        self._add(key, [(attr, [value]) for attr, value in elements])

    def add_pattern(self, key: str, pattern: list[dict[str, Any]]) -> None:
        """Add a spaCy Matcher token pattern; raises :class:`Unsupported` if it cannot be indexed."""
        options: list[list[tuple[str, list[str]] | None]] = []
        for token in pattern:
            extra = set(token) - {"LOWER", "LEMMA", "OP"}
            attrs = [a for a in ("LOWER", "LEMMA") if a in token]
            if extra or len(attrs) != 1:
                raise Unsupported(f"token {token}")
            attr = attrs[0]
            spec = token[attr]
            if isinstance(spec, str):
                values = [spec.lower()]
            elif isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
                values = [v.lower() for v in spec["IN"]]
            else:
                raise Unsupported(f"token {token}")
            op = token.get("OP")
            if op not in (None, "?", "1"):
                raise Unsupported(f"OP {op!r}")
            options.append([(attr, values), None] if op == "?" else [(attr, values)])
        for combo in product(*options):
            seq = [c for c in combo if c is not None]
            if seq:
                self._add(key, seq)

    def _add(self, key: str, seq: list[tuple[str, list[str]]]) -> None:
        elems: list[Element] = []
        for attr, values in seq:
            if attr == "PREFIX":
                elems.append((attr, frozenset(values)))
            else:
                elems.append((attr, frozenset(self.strings.add(v) for v in values)))
        entry = (key, tuple(elems))
        attr, values = seq[0]
        for v in values:
            if attr == "LOWER":
                self._by_lower.setdefault(self.strings.add(v), []).append(entry)
            elif attr == "LEMMA":
                self._by_lemma.setdefault(self.strings.add(v), []).append(entry)
            elif attr == "PREFIX":
                self._by_prefix.setdefault(v, []).append(entry)
                if len(v) not in self._prefix_lengths:
                    self._prefix_lengths.append(len(v))
                    self._prefix_lengths.sort()
            else:
                raise ValueError(f"unknown element attribute {attr!r}")
        self._lower_cache.clear()
        self._size += 1

    # -- matching -------------------------------------------------------------------------
    def _lower_candidates(self, h: int) -> list[tuple[str, tuple[Element, ...]]]:
        cands = self._lower_cache.get(h)
        if cands is None:
            cands = list(self._by_lower.get(h, ()))
            if self._by_prefix:
                low = self.strings[h]
                for k in self._prefix_lengths:
                    if k > len(low):
                        break
                    cands.extend(self._by_prefix.get(low[:k], ()))
            self._lower_cache[h] = cands
        return cands

    def find_arrays(self, lowers: list[int], lemmas: list[int]) -> Iterator[tuple[str, int, int]]:
        """Matches in a token sequence given as LOWER and LEMMA hash lists: (key, start, end)."""
        n = len(lowers)
        by_lemma = self._by_lemma
        for i in range(n):
            cands = self._lower_candidates(lowers[i])
            lem = by_lemma.get(lemmas[i])
            if lem:
                cands = cands + lem
            for key, elems in cands:
                end = i + len(elems)
                if end > n:
                    continue
                ok = True
                for j in range(1, len(elems)):
                    attr, values = elems[j]
                    if attr == "LOWER":
                        ok = lowers[i + j] in values
                    elif attr == "LEMMA":
                        ok = lemmas[i + j] in values
                    else:
                        ok = self.strings[lowers[i + j]].startswith(tuple(values))
                    if not ok:
                        break
                if ok:  # the first element matched by construction of the candidate lists
                    yield key, i, end


def doc_arrays(doc: Any) -> tuple[list[int], list[int]]:
    """LOWER and LEMMA hashes of a Doc's tokens, without creating Token objects."""
    from spacy.attrs import LEMMA, LOWER

    if len(doc) == 0:
        return [], []
    arr = doc.to_array([LOWER, LEMMA])
    return arr[:, 0].tolist(), arr[:, 1].tolist()
