"""A hash-indexed matcher for phrase, prefix, lemma and simple token-pattern indicators.

Why not spaCy's Matcher for these: a ``*`` prefix phrase needs a REGEX predicate, and the
Matcher evaluates every predicate pattern at every token, which made the rule engine about
twenty times slower than tokenising. Here each pattern is indexed by its first element, tokens
are read as hash arrays (``Doc.to_array``), and the candidate patterns for a token are cached
per word form, so each token costs two dictionary look-ups. Matcher patterns that only use
``LOWER``/``LEMMA`` with a string or ``IN`` list, ``OP: "?"`` and any-token wildcards (``{}``,
``{OP: "?"}``, not first) compile to the same index;
anything else (REGEX, POS, ``+``/``*``) stays with spaCy's Matcher.

Dutch compounds are head-final and written as one word (themacontrole, regelgeving,
handhavingsbeleid, uitstroomtarget). With :meth:`PhraseIndex.enable_compounds`, one-word entries
also match a longer word that ends in them (the head, with an inflection: -s, -en, -n, -e) or
starts with them (the first part, with a linking -s-/-e-/-en-), when the rest of the word has at
least ``min_part`` letters and the entry itself at least ``min_head``. Such matches come back
with the key suffixed ``~head`` or ``~part``, so the caller can say so in the evidence. The
check runs once per word form (cached), so it costs nothing per token after the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import Any

# An element: attribute and the accepted values ("LOWER"/"LEMMA": string hashes; "PREFIX": strings).
Element = tuple[str, frozenset]
Entry = tuple[str, tuple[Element, ...], int]  # key, elements, number of elements
# The candidates for one word, split for speed: keys of one-word entries; entries whose second
# element is a LOWER / LEMMA value, by that value (most candidates fail on the next word, and a
# dict look-up says so at once); the rest (second element a prefix or any word).
Bucket = tuple[list[str], list[Entry], dict[int, list[Entry]], dict[int, list[Entry]]]


def _bucket(entries: list[Entry]) -> Bucket | None:
    if not entries:
        return None
    singles: list[str] = []
    general: list[Entry] = []
    by_lower: dict[int, list[Entry]] = {}
    by_lemma: dict[int, list[Entry]] = {}
    for entry in entries:
        key, elems, m = entry
        if m == 1:
            singles.append(key)
            continue
        attr, values = elems[1]
        if attr == "LOWER":
            for v in values:
                by_lower.setdefault(v, []).append(entry)
        elif attr == "LEMMA":
            for v in values:
                by_lemma.setdefault(v, []).append(entry)
        else:
            general.append(entry)
    return singles, general, by_lower, by_lemma

HEAD_INFLECTIONS = ("", "s", "en", "n", "e", "es")
LINKS = ("", "s", "e", "en", "-")
# What may follow a word without making it a compound: inflections and derivations (controle-ren,
# regel-ing, wettelijk), so "controleren" is not "controle" + a second word.
NOT_A_SECOND_PART = frozenset({
    "ren", "rend", "rende", "erd", "erde", "ing", "ingen", "heid", "heden", "lijk", "lijke", "tje", "tjes",
    "baar", "bare", "ig", "ige", "isch", "ische", "ster", "sters", "ers", "aar", "aars", "end", "ende", "den",
    "ten", "de", "te", "ie", "ies", "isme", "iek", "loos", "loze", "achtig", "achtige", "ijk", "ijke",
    # verbs in -eren after a noun in -e (controle -> controleert, controleerde)
    "ert", "eer", "erden", "eren", "erend", "erende", "ering", "eringen", "erbaar",
})
# Prefixes and particles that derive a word rather than head a compound: ver-plicht-e, her-onderzoek,
# voor-waarden, be-wet-en are not a plicht, an onderzoek or waarden.
NOT_A_MODIFIER = frozenset({
    "ver", "be", "ge", "ont", "her", "on", "mis", "er", "voor", "na", "aan", "op", "in", "uit", "af", "mee",
    "door", "over", "onder", "om", "toe", "weg", "terug", "samen", "achter", "tegen", "bij", "vol", "wan",
})


class Unsupported(ValueError):
    """A Matcher pattern that this index cannot express (it goes to spaCy's Matcher)."""


@dataclass
class PhraseIndex:
    strings: Any  # the pipeline's StringStore: str <-> hash
    _by_lower: dict[int, list[Entry]] = field(default_factory=dict)
    _by_lemma: dict[int, list[Entry]] = field(default_factory=dict)
    _by_prefix: dict[str, list[Entry]] = field(default_factory=dict)
    _prefix_lengths: list[int] = field(default_factory=list)
    _lower_cache: dict[int, list[Entry]] = field(default_factory=dict)
    _buckets: dict[tuple[str, int], Bucket | None] = field(default_factory=dict)
    _size: int = 0
    # compounds (see the module docstring): one-word entries by value
    _compounds: bool = False
    _min_head: int = 5
    _min_part: int = 3
    _heads: dict[str, list[Entry]] = field(default_factory=dict)  # exact words and lemmas
    _head_prefixes: dict[str, list[Entry]] = field(default_factory=dict)  # "target*" -> "target"
    _head_prefix_lengths: list[int] = field(default_factory=list)
    _part_lengths: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return self._size

    # -- building -------------------------------------------------------------------------
    def enable_compounds(self, min_head: int = 5, min_part: int = 3) -> None:
        """Let one-word entries added with ``compound=True`` match inside compounds."""
        self._compounds, self._min_head, self._min_part = True, min_head, min_part
        self._lower_cache.clear()
        self._buckets.clear()

    def add_elements(self, key: str, elements: list[tuple[str, str]], compound: bool = False) -> None:
        """Add a sequence of single-valued (attribute, value) elements; ``compound``: a one-word
        entry may also match as part of a compound (when compounds are enabled)."""
        self._add(key, [(attr, [value]) for attr, value in elements])
        if compound and len(elements) == 1:
            attr, value = elements[0]
            if len(value) >= self._min_head:
                entry = self._entry(key, [(attr, [value])])
                table = self._head_prefixes if attr == "PREFIX" else self._heads
                table.setdefault(value, []).append(entry)
                if attr == "PREFIX" and len(value) not in self._head_prefix_lengths:
                    self._head_prefix_lengths.append(len(value))
                    self._head_prefix_lengths.sort()
                if attr != "PREFIX" and len(value) not in self._part_lengths:
                    self._part_lengths.append(len(value))
                    self._part_lengths.sort()

    def add_pattern(self, key: str, pattern: list[dict[str, Any]]) -> None:
        """Add a spaCy Matcher token pattern; raises :class:`Unsupported` if it cannot be indexed."""
        options: list[list[tuple[str, list[str]] | None]] = []
        for i, token in enumerate(pattern):
            extra = set(token) - {"LOWER", "LEMMA", "OP"}
            attrs = [a for a in ("LOWER", "LEMMA") if a in token]
            if not extra and not attrs and i > 0 and token.get("OP") in (None, "?", "1"):
                # any one token ({} or {OP: "?"}), not first: the index needs a first word to look up
                options.append([("ANY", []), None] if token.get("OP") == "?" else [("ANY", [])])
                continue
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
        seqs = [[c for c in combo if c is not None] for combo in product(*options)]
        if any(seq and seq[0][0] == "ANY" for seq in seqs):
            raise Unsupported("a wildcard can start the pattern")
        for seq in seqs:
            if seq:
                self._add(key, seq)

    def _entry(self, key: str, seq: list[tuple[str, list[str]]]) -> Entry:
        elems: list[Element] = []
        for attr, values in seq:
            if attr in ("PREFIX", "ANY"):
                elems.append((attr, frozenset(values)))
            else:
                elems.append((attr, frozenset(self.strings.add(v) for v in values)))
        return key, tuple(elems), len(elems)

    def _add(self, key: str, seq: list[tuple[str, list[str]]]) -> None:
        entry = self._entry(key, seq)
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
        self._buckets.clear()
        self._size += 1

    # -- matching -------------------------------------------------------------------------
    def _lower_candidates(self, h: int) -> list[Entry]:
        cands = self._lower_cache.get(h)
        if cands is None:
            cands = list(self._by_lower.get(h, ()))
            if self._by_prefix:
                low = self.strings[h]
                for k in self._prefix_lengths:
                    if k > len(low):
                        break
                    cands.extend(self._by_prefix.get(low[:k], ()))
            if self._compounds:
                low = self.strings[h]
                if len(low) >= self._min_head + self._min_part:
                    direct = {e[0] for e in cands}
                    cands.extend(e for e in self.compound_entries(low) if e[0].split("~")[0] not in direct)
            self._lower_cache[h] = cands
        return cands

    def compound_entries(self, word: str) -> list[Entry]:
        """One-word entries that ``word`` holds as its head or its first part (keys marked
        ``~head`` / ``~part``), each entry once."""
        out: dict[str, Entry] = {}
        n, min_part = len(word), self._min_part
        for k in range(min_part, n - self._min_head + 1):
            if word[:k] in NOT_A_MODIFIER:
                continue
            tail = word[k:]
            for suffix in HEAD_INFLECTIONS:
                if suffix and not tail.endswith(suffix):
                    continue
                stem = tail[: len(tail) - len(suffix)] if suffix else tail
                for key, elems, m in self._heads.get(stem, ()):
                    out.setdefault(key, (key + "~head", elems, m))
            for length in self._head_prefix_lengths:
                if length > len(tail):
                    break
                for key, elems, m in self._head_prefixes.get(tail[:length], ()):
                    out.setdefault(key, (key + "~head", elems, m))
        for length in self._part_lengths:
            if length + min_part > n:
                break
            entries = self._heads.get(word[:length])
            if not entries:
                continue
            rest = word[length:]
            if rest in NOT_A_SECOND_PART:  # an inflection or derivation of the word itself
                continue
            if any(rest.startswith(link) and len(rest) - len(link) >= min_part
                   and rest[len(link):] not in NOT_A_SECOND_PART for link in LINKS):
                for key, elems, m in entries:
                    out.setdefault(key, (key + "~part", elems, m))
        return list(out.values())

    def _bucket_of(self, kind: str, h: int) -> Bucket | None:
        """The (cached) bucket of candidates whose first element matches word form or lemma ``h``."""
        try:
            return self._buckets[(kind, h)]
        except KeyError:
            entries = self._lower_candidates(h) if kind == "L" else self._by_lemma.get(h, [])
            bucket = self._buckets[(kind, h)] = _bucket(entries)
            return bucket

    def find_arrays(
        self, lowers: list[int], lemmas: list[int], lemmas2: list[int] | None = None
    ) -> list[tuple[str, int, int]]:
        """Matches in a token sequence given as LOWER and LEMMA hash lists: (key, start, end).

        ``lemmas2`` is a second lemma per token (another lemmatizer): a LEMMA element matches if
        either lemma is one of its values. (A tight loop on purpose: it is most of the engine's time.)
        """
        out: list[tuple[str, int, int]] = []
        n = len(lowers)
        buckets = self._buckets
        bucket_of = self._bucket_of
        for i in range(n):
            firsts = [("L", lowers[i]), ("M", lemmas[i])]
            if lemmas2 is not None and lemmas2[i] != lemmas[i]:
                firsts.append(("M", lemmas2[i]))
            for first in firsts:
                bucket = buckets[first] if first in buckets else bucket_of(*first)
                if bucket is None:
                    continue
                singles, general, next_lower, next_lemma = bucket
                for key in singles:  # the first element matched by construction of the buckets
                    out.append((key, i, i + 1))
                if i + 1 < n:
                    cands = next_lower.get(lowers[i + 1], ())
                    if next_lemma:
                        cands = [*cands, *next_lemma.get(lemmas[i + 1], ())]
                        if lemmas2 is not None and lemmas2[i + 1] != lemmas[i + 1]:
                            cands = [*cands, *next_lemma.get(lemmas2[i + 1], ())]
                    for key, elems, m in cands:
                        if self._rest(elems, 2, m, i, n, lowers, lemmas, lemmas2):
                            out.append((key, i, i + m))
                for key, elems, m in general:
                    if self._rest(elems, 1, m, i, n, lowers, lemmas, lemmas2):
                        out.append((key, i, i + m))
        return out

    def _rest(self, elems: tuple[Element, ...], start: int, m: int, i: int, n: int, lowers: list[int],
              lemmas: list[int], lemmas2: list[int] | None) -> bool:
        """Do elements ``start..m-1`` of an entry match the tokens after position ``i``?"""
        if i + m > n:
            return False
        for j in range(start, m):
            attr, values = elems[j]
            if attr == "LOWER":
                ok = lowers[i + j] in values
            elif attr == "LEMMA":
                ok = lemmas[i + j] in values or (lemmas2 is not None and lemmas2[i + j] in values)
            elif attr == "ANY":
                ok = True
            else:
                ok = self.strings[lowers[i + j]].startswith(tuple(values))
            if not ok:
                return False
        return True


def doc_arrays(doc: Any) -> tuple[list[int], list[int]]:
    """LOWER and LEMMA hashes of a Doc's tokens, without creating Token objects."""
    from spacy.attrs import LEMMA, LOWER

    if len(doc) == 0:
        return [], []
    arr = doc.to_array([LOWER, LEMMA])
    return arr[:, 0].tolist(), arr[:, 1].tolist()
