"""``qualcode words``: which words (or lemmas) respondents use most, per group of cases.

Counted over the turns chosen (:mod:`qualcode.explore.turns`), tokenised by the project's spaCy
pipeline. A word is a token of letters (inner hyphens and apostrophes allowed: "klant-manager",
"d'r"), at least two long; numbers and punctuation are not words. Stop words of the project
language (spaCy's list for Dutch or English, plus any the user adds) are left out of the ranking
but counted in the group's total, so ``per_1000`` is per thousand words actually spoken.

Why ties are kept at the cut: "the top 20" is arbitrary when the 20th and 21st word are used
equally often; cutting between them would rank one above the other on nothing, so every word
tied with the last one kept is shown too (and a note says so).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.explore.turns import Turn, group_of
from qualcode.language.nlp import lemma_table
from qualcode.tables.frame import natural_key

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, int, str], None]
WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def stop_words(nlp: Any, extra: Iterable[str] = ()) -> frozenset[str]:
    """The pipeline language's stop words (spaCy's list), lower case, plus ``extra``."""
    return frozenset({w.lower() for w in nlp.Defaults.stop_words} | {w.strip().lower() for w in extra if w.strip()})


def word_frequencies(turns: Sequence[Turn], nlp: Any, case_values: Mapping[str, Mapping[str, Any]], *,
                     by: str | None = None, lemma: bool = False, top: int = 20, extra_stop: Iterable[str] = (),
                     blank_pipeline: bool = True, progress: Progress | None = None) -> pd.DataFrame:
    """Per group (``by``: None for all turns, ``case``, or a case attribute): the ``top`` words
    (``lemma``: lemmas, with the forms seen) by count, with ties at the cut kept.

    Columns: [by], rank (1 for the most used; equal counts share a rank), word or lemma, count,
    per_1000 (per thousand words of the group), cases (cases of the group that used it), and for
    lemmas the forms seen, most frequent first.

    ``blank_pipeline``: the pipeline lemmatises by lookup (:mod:`qualcode.language.nlp`), so the
    tokenizer alone is run and each form is looked up once, not once per token: the same lemmas.
    """
    import pandas as pd

    if top < 1:
        raise InputError("--top must be at least 1")
    stops = stop_words(nlp, extra_stop)
    # per group and case: how often each token key occurs (spaCy's hash of the lower-case form; with a
    # trained pipeline's lemmas, the pair (form, lemma)); strings are looked at once per distinct key
    keyed: dict[str, dict[str, Counter[Any]]] = {}
    in_context = lemma and not blank_pipeline
    texts = (t.text for t in turns)
    docs = nlp.pipe(texts, batch_size=256) if in_context else nlp.tokenizer.pipe(texts, batch_size=256)
    for i, (turn, doc) in enumerate(zip(turns, docs, strict=True)):
        counter = keyed.setdefault(group_of(turn, by, case_values), {}).setdefault(turn.case or "", Counter())
        if in_context:
            counter.update(zip(doc.to_array("LOWER").tolist(), doc.to_array("LEMMA").tolist(), strict=True))
        else:
            counter.update(doc.to_array("LOWER").tolist())
        if progress and i % 500 == 0:
            progress(i, len(turns), "turns")
    words = _Words(nlp, lemma, in_context, stops)
    counts: dict[str, Counter[str]] = {}
    cases: dict[str, dict[str, set[str]]] = {}
    forms: dict[str, dict[str, Counter[str]]] = {}
    totals: Counter[str] = Counter()
    for group, per_case in keyed.items():
        counter, users = counts.setdefault(group, Counter()), cases.setdefault(group, {})
        for case, keys in per_case.items():
            for key, n in keys.items():
                form, word = words.read(key)
                if form is None:
                    continue
                totals[group] += n
                if word is None:
                    continue
                counter[word] += n
                users.setdefault(word, set()).add(case)
                if lemma:
                    forms.setdefault(group, {}).setdefault(word, Counter())[form] += n
    column = "lemma" if lemma else "word"
    rows: list[dict[str, Any]] = []
    cut_ties = False
    for group in sorted(counts, key=natural_key):
        ranked = sorted(counts[group].items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) > top:
            last = ranked[top - 1][1]
            kept = [kv for kv in ranked if kv[1] >= last]
            cut_ties = cut_ties or len(kept) > top
            ranked = kept
        rank, previous = 0, None
        for position, (key, n) in enumerate(ranked, start=1):
            if n != previous:
                rank, previous = position, n
            row: dict[str, Any] = {by: group} if by else {}
            row |= {"rank": rank, column: key, "count": n,
                    "per_1000": round(1000 * n / totals[group], 2) if totals[group] else None,
                    "cases": len(cases[group][key])}
            if lemma:
                seen = sorted(forms[group][key].items(), key=lambda kv: (-kv[1], kv[0]))
                row["forms"] = ", ".join(f for f, _ in seen)
            rows.append(row)
    columns = ([by] if by else []) + ["rank", column, "count", "per_1000", "cases"] + (["forms"] if lemma else [])
    df = pd.DataFrame(rows, columns=columns)
    what = "lemmas" if lemma else "words"
    df.attrs["title"] = f"Most used {what}" + (f" per {by}" if by else "")
    notes = [f"{sum(totals.values())} words in {len(turns)} turn(s); stop words left out of the ranking "
             f"({len(stops)} in the list), counted in per_1000"]
    if cut_ties:
        notes.append(f"words tied with the last of the top {top} are shown too")
    df.attrs["notes"] = notes
    if by:
        df.attrs["groups"] = [by]
    return df


class _Words:
    """What a token key stands for: (its form, if it is a word at all; the word or lemma counted,
    if it is not a stop word), worked out once per distinct key."""

    def __init__(self, nlp: Any, lemma: bool, in_context: bool, stops: frozenset[str]) -> None:
        self.strings = nlp.vocab.strings
        self.table = lemma_table(getattr(nlp, "lang", "nl")) if lemma and not in_context else None
        self.lemma, self.in_context, self.stops = lemma, in_context, stops
        self.seen: dict[Any, tuple[str | None, str | None]] = {}

    def read(self, key: Any) -> tuple[str | None, str | None]:
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = self._read(key)
        return found

    def _read(self, key: Any) -> tuple[str | None, str | None]:
        form = self.strings[key[0] if self.in_context else key]
        if len(form) < 2 or not WORD_RE.fullmatch(form):
            return None, None
        if not self.lemma:
            word = form
        elif self.in_context:
            word = (self.strings[key[1]] or form).lower()
        else:
            assert self.table is not None
            word = self.table.get(form, form).lower()
        return form, (None if form in self.stops or word in self.stops else word)
