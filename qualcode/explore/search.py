"""``qualcode search``: words, phrases, lemmas or regular expressions in the turns, shown in
context (keyword in context), and counted per case or per case attribute.

Three ways to say what to find:

- words and phrases (the default): ``targets``, ``geen tijd``; case is ignored unless asked; a
  word matches whole words only, ``*`` stands for any letters (``uitstroom*``, ``*beleid``), and
  the words of a phrase follow each other with only white space between them;
- lemmas (``lemma=True``): every word is compared by its lemma from the project's spaCy pipeline
  (:func:`qualcode.language.nlp.get_nlp`), so ``klant`` finds "klanten" and ``lopen`` "liep" (as
  far as the pipeline knows the forms: the built-in Dutch lookup table lacks some, e.g. "zit");
- regular expressions (``regex=True``): Python's ``re`` syntax, over the turn's text.

A hit never crosses from one turn into the next: the unit searched is the turn, as in coding.
Why lemmas go through the pipeline and not a word list: a trained Dutch pipeline (``[spacy]
model``) lemmatises in context; with the built-in one (a lookup table) only turns that contain a
form of each word are run through spaCy, which gives the same hits much faster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.explore.turns import Turn, group_of
from qualcode.language.nlp import lemma_table
from qualcode.lazy import lazy_import
from qualcode.tables.frame import natural_key

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, int, str], None]
KWIC_COLUMNS = ["fragment", "case", "left", "hit", "right"]
MODES = ("words", "lemma", "regex")


@dataclass(frozen=True)
class Hit:
    """One place a search found: ``start``/``end`` are offsets in the transcript (as codings),
    ``left``/``right`` the context inside the turn (shortened at a word with …)."""

    fragment: str
    transcript: str
    case: str | None
    speaker: str
    interviewer: bool
    start: int
    end: int
    left: str
    hit: str
    right: str

    def to_dict(self) -> dict[str, Any]:
        return {"fragment": self.fragment, "transcript": self.transcript, "case": self.case,
                "speaker": self.speaker, "interviewer": self.interviewer, "start": self.start, "end": self.end,
                "left": self.left, "hit": self.hit, "right": self.right}


@dataclass(frozen=True)
class Query:
    """What to find: ``pattern`` read as ``mode`` (words, lemma or regex)."""

    pattern: str
    mode: str = "words"
    case_sensitive: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"search mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if not self.pattern.strip():
            raise InputError("give something to search for")


def word_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """A words-and-phrases pattern as a regular expression: whole words, ``*`` = any letters,
    white space between the words of a phrase."""
    words = []
    for word in pattern.split():
        parts = [re.escape(p) for p in word.split("*")]
        words.append(r"\w*".join(parts))
    body = r"\s+".join(words)
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if case_sensitive else re.IGNORECASE)


def user_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    try:
        return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise InputError(f"bad regular expression {pattern!r}: {exc.msg}{where}") from None


def find_hits(turns: Sequence[Turn], query: Query, *, nlp: Any = None, blank_pipeline: bool = True,
              context: int = 40, progress: Progress | None = None) -> list[Hit]:
    """Every hit of ``query`` in ``turns``, in turn order. ``nlp``: the project's pipeline (needed
    for lemmas); ``blank_pipeline``: it lemmatises by lookup (so turns without a form of each
    word can be skipped)."""
    if context < 0:
        raise InputError("--context must be 0 or more characters")
    spans: list[tuple[Turn, int, int]] = []
    if query.mode == "lemma":
        if nlp is None:
            raise InputError("a lemma search needs the project's spaCy pipeline")
        spans = _lemma_spans(turns, query, nlp, blank_pipeline, progress)
    else:
        rx = user_regex(query.pattern, query.case_sensitive) if query.mode == "regex" else word_regex(
            query.pattern, query.case_sensitive)
        for i, turn in enumerate(turns):
            spans += [(turn, m.start(), m.end()) for m in rx.finditer(turn.text) if m.end() > m.start()]
            if progress and i % 500 == 0:
                progress(i, len(turns), "turns")
    return [_hit(turn, s, e, context) for turn, s, e in spans]


def _hit(turn: Turn, s: int, e: int, width: int) -> Hit:
    left, right = context(turn.text, s, e, width)
    return Hit(turn.fragment, turn.transcript, turn.case, turn.speaker, turn.interviewer, turn.start + s,
               turn.start + e, left, " ".join(turn.text[s:e].split()), right)


def context(text: str, s: int, e: int, width: int) -> tuple[str, str]:
    """The ``width`` characters of ``text`` left and right of ``[s, e)``, on one line: a word cut
    at the edge is left out and the cut marked with …; the space next to the hit is kept."""
    a, b = max(0, s - width), min(len(text), e + width)
    left, right = text[a:s], text[e:b]
    if a > 0:
        if not text[a - 1].isspace():
            left = re.sub(r"^\S+", "", left)
        left = "…" + left.lstrip()
    if b < len(text):
        if not text[b].isspace():
            right = re.sub(r"\S+$", "", right)
        right = right.rstrip() + "…"
    flat_left = " ".join(left.split()) + (" " if left[-1:].isspace() and left.strip() else "")
    flat_right = (" " if right[:1].isspace() and right.strip() else "") + " ".join(right.split())
    return flat_left, flat_right


# -- lemmas ----------------------------------------------------------------------------------------
def _table_forms(lang: str, lemmas: Iterable[str] = (), prefixes: Iterable[str] = ()) -> dict[str, set[str]]:
    """One pass over the lookup table: for each lemma (lower case) the forms it maps to that
    lemma, and for each prefix the forms whose lemma starts with it. Why not a reverse index of
    the whole table: building one costs a second, a search needs a handful of lemmas."""
    exact, starts = set(lemmas), tuple(prefixes)
    out: dict[str, set[str]] = {k: set() for k in (*exact, *starts)}
    for form, lemma in lemma_table(lang).items():
        low = lemma.lower()
        if low in exact:
            out[low].add(form)
        for p in starts:
            if low.startswith(p):
                out[p].add(form)
    return out


def _lookup_forms(lemma: str, lang: str, mapped: set[str]) -> set[str]:
    """Every lower-case form whose lemma the lookup pipeline gives as ``lemma``: the forms the table
    maps to it (``mapped``), and ``lemma`` itself unless the table maps it to something else."""
    table = lemma_table(lang)
    return {f for f in mapped | {lemma} if table.get(f, f).lower() == lemma}


def _lemma_of(token: Any) -> str:
    return (token.lemma_ or token.lower_).lower()


def _lemma_spans(turns: Sequence[Turn], query: Query, nlp: Any, blank: bool,
                 progress: Progress | None) -> list[tuple[Turn, int, int]]:
    wanted = _star_words(query.pattern, nlp)
    if not wanted:
        raise InputError(f"no words to search for in {query.pattern!r}")
    candidates = list(turns)
    if blank:  # a token can only have lemma L if its text is a form the table maps to L (or L itself)
        lang = getattr(nlp, "lang", "nl")
        forms = _table_forms(lang, [w for w, p in wanted if not p], [w for w, p in wanted if p])
        needles = [sorted(forms[lemma] | {lemma}) for lemma, _ in wanted]
        candidates = [t for t in candidates if all(any(n in t.text.lower() for n in group) for group in needles)]
        if not any(prefix for _, prefix in wanted):
            return _lookup_spans(candidates, [_lookup_forms(w, lang, forms[w]) for w, _ in wanted], nlp, progress)
    out: list[tuple[Turn, int, int]] = []
    docs = nlp.pipe((t.text for t in candidates), batch_size=256)
    for i, (turn, doc) in enumerate(zip(candidates, docs, strict=True)):
        tokens = [t for t in doc if not t.is_space]
        j = 0
        while j + len(wanted) <= len(tokens):
            if all(_lemma_matches(tokens[j + k], lemma, prefix) for k, (lemma, prefix) in enumerate(wanted)):
                first, last = tokens[j], tokens[j + len(wanted) - 1]
                out.append((turn, first.idx, last.idx + len(last.text)))
                j += len(wanted)
            else:
                j += 1
        if progress and i % 200 == 0:
            progress(i, len(candidates), "turns")
    return out


def _lookup_spans(turns: Sequence[Turn], wanted: list[set[str]], nlp: Any,
                  progress: Progress | None) -> list[tuple[Turn, int, int]]:
    """The lookup pipeline's lemma hits without running it: a token has lemma L exactly when its
    lower-case form is one of :func:`_lookup_forms` (L) (``wanted``: those forms, word by word),
    so the tokenizer alone is run and the forms are compared as spaCy's string hashes, a whole
    turn at once."""
    np = lazy_import("numpy")
    strings = nlp.vocab.strings
    targets = [np.array(sorted(strings[f] for f in forms), dtype="uint64") for forms in wanted]
    n = len(wanted)
    out: list[tuple[Turn, int, int]] = []
    for i, (turn, doc) in enumerate(zip(turns, nlp.tokenizer.pipe((t.text for t in turns), batch_size=256),
                                        strict=True)):
        keep = np.flatnonzero(doc.to_array("IS_SPACE") == 0)  # phrases run over line breaks, as in words mode
        lows = doc.to_array("LOWER")[keep]
        m = len(lows) - n + 1
        if m <= 0:
            continue
        ok = np.ones(m, dtype=bool)
        for k, target in enumerate(targets):
            ok &= np.isin(lows[k:k + m], target)
        after = 0
        for j in np.flatnonzero(ok).tolist():
            if j < after:  # hits do not overlap
                continue
            first, last = doc[int(keep[j])], doc[int(keep[j + n - 1])]
            out.append((turn, first.idx, last.idx + len(last.text)))
            after = j + n
        if progress and i % 500 == 0:
            progress(i, len(turns), "turns")
    return out


def _star_words(pattern: str, nlp: Any) -> list[tuple[str, bool]]:
    """Pattern words with a ``*`` at the end are lemma prefixes; the others are lemmatised."""
    out = []
    for word in pattern.split():
        if word.endswith("*") and len(word) > 1:
            out.append((word[:-1].lower(), True))
        else:
            out += [(_lemma_of(t), False) for t in nlp(word) if not t.is_space]
    return out


def _lemma_matches(token: Any, lemma: str, prefix: bool) -> bool:
    found = _lemma_of(token)
    return found.startswith(lemma) or token.lower_.startswith(lemma) if prefix else found == lemma


# -- tables ----------------------------------------------------------------------------------------
def kwic_frame(hits: Sequence[Hit], query: Query, turns_searched: int) -> pd.DataFrame:
    """One row per hit: fragment, case, left context, hit, right context (plus transcript,
    speaker and the offsets); ``attrs`` title and a note on what was searched."""
    import pandas as pd

    columns = [*KWIC_COLUMNS, "transcript", "speaker", "start", "end"]
    df = pd.DataFrame([h.to_dict() for h in hits], columns=columns)
    df.attrs["title"] = f"Search: {query.pattern}"
    df.attrs["notes"] = [describe(query, len(hits), turns_searched)]
    return df


def describe(query: Query, hits: int, turns: int) -> str:
    how = {"words": "words and phrases", "lemma": "lemmas", "regex": "regular expression"}[query.mode]
    case = ", case-sensitive" if query.case_sensitive else ""
    return f"{hits} hit(s) of {query.pattern!r} ({how}{case}) in {turns} turn(s) searched"


def count_frame(hits: Sequence[Hit], turns: Sequence[Turn], by: str, case_values: Mapping[str, Mapping[str, Any]],
                query: Query, lang: str = "nl") -> pd.DataFrame:
    """Hits per case (``by="case"``) or per value of a case attribute, over every group that was
    searched (a group without hits shows 0): hits, turns with a hit, turns searched, the share of
    turns with a hit, and per attribute value the cases with a hit and the cases searched. A total
    row closes the table."""
    import pandas as pd

    groups: dict[str, dict[str, Any]] = {}

    def group(turn: Turn) -> dict[str, Any]:
        key = group_of(turn, by, case_values)
        return groups.setdefault(key, {"hits": 0, "hit_turns": set(), "turns": 0, "cases": set(), "hit_cases": set()})

    for turn in turns:
        g = group(turn)
        g["turns"] += 1
        g["cases"].add(turn.case)
    by_fragment = {t.fragment: t for t in turns}
    for h in hits:
        g = group(by_fragment[h.fragment])
        g["hits"] += 1
        g["hit_turns"].add(h.fragment)
        g["hit_cases"].add(h.case)
    rows = []
    for key in sorted(groups, key=natural_key):
        rows.append(_count_row(key, groups[key], by))
    total = {"hits": sum(g["hits"] for g in groups.values()),
             "hit_turns": set().union(*(g["hit_turns"] for g in groups.values())) if groups else set(),
             "turns": sum(g["turns"] for g in groups.values()),
             "cases": set().union(*(g["cases"] for g in groups.values())) if groups else set(),
             "hit_cases": set().union(*(g["hit_cases"] for g in groups.values())) if groups else set()}
    rows.append(_count_row("Totaal" if lang == "nl" else "Total", total, by))
    df = pd.DataFrame(rows)
    df.attrs["title"] = f"Search: {query.pattern}, per {by}"
    df.attrs["notes"] = [describe(query, len(hits), len(turns)),
                         "turns_with_hits / turns = share (%); a turn with several hits counts once"]
    return df


def _count_row(key: str, g: Mapping[str, Any], by: str) -> dict[str, Any]:
    turns, with_hits = g["turns"], len(g["hit_turns"])
    row: dict[str, Any] = {by: key, "hits": g["hits"], "turns_with_hits": with_hits, "turns": turns,
                           "share": round(100 * with_hits / turns, 1) if turns else None}
    if by != "case":
        row["cases_with_hits"] = len(g["hit_cases"])
        row["cases"] = len(g["cases"])
    return row



def hits_by_turn(hits: Iterable[Hit]) -> dict[str, list[Hit]]:
    out: dict[str, list[Hit]] = {}
    for h in hits:
        out.setdefault(h.fragment, []).append(h)
    return out
