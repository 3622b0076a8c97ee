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
                     progress: Progress | None = None) -> pd.DataFrame:
    """Per group (``by``: None for all turns, ``case``, or a case attribute): the ``top`` words
    (``lemma``: lemmas, with the forms seen) by count, with ties at the cut kept.

    Columns: [by], rank (1 for the most used; equal counts share a rank), word or lemma, count,
    per_1000 (per thousand words of the group), cases (cases of the group that used it), and for
    lemmas the forms seen, most frequent first.
    """
    import pandas as pd

    if top < 1:
        raise InputError("--top must be at least 1")
    stops = stop_words(nlp, extra_stop)
    counts: dict[str, Counter[str]] = {}
    cases: dict[str, dict[str, set[str]]] = {}
    forms: dict[str, dict[str, Counter[str]]] = {}
    totals: Counter[str] = Counter()
    texts = (t.text for t in turns)
    docs = nlp.pipe(texts, batch_size=256) if lemma else nlp.tokenizer.pipe(texts, batch_size=256)
    for i, (turn, doc) in enumerate(zip(turns, docs, strict=True)):
        group = group_of(turn, by, case_values)
        counter = counts.setdefault(group, Counter())
        users = cases.setdefault(group, {})
        for token in doc:
            low = token.lower_
            if not WORD_RE.fullmatch(low) or len(low) < 2:
                continue
            totals[group] += 1
            key = (token.lemma_ or low).lower() if lemma else low
            if low in stops or key in stops:
                continue
            counter[key] += 1
            users.setdefault(key, set()).add(turn.case or "")
            if lemma:
                forms.setdefault(group, {}).setdefault(key, Counter())[low] += 1
        if progress and i % 500 == 0:
            progress(i, len(turns), "turns")
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

