"""Coder agreement with an explicit unit: codings -> reliability data -> coefficients side by side.

This module turns the codings of two or more coders into reliability data (one rating per unit
and coder) and hands them to :mod:`qualcode.agreement.stats`. What "a unit" is decides what the
numbers mean, so the unit is always explicit and the result carries a note for a methods section.

Units (``unit=``):

* ``turn``: a respondent turn (fragment). A coder applied a code to a turn when one of their
  codings of that code overlaps the turn (codings sit inside one turn, so: the turn it was made on).
* ``sentence``: a sentence of a respondent turn (the rule-based sentencizer of
  :mod:`qualcode.transcripts.sentences`); a coding covers every sentence it overlaps.
* ``char``: every character of the respondent turns. Reported twice: over all characters, and
  (``coded_only``) over only the characters at least one coder coded with that code, since text
  nobody coded otherwise dominates the figures ("neither" agreement).
* ``segment``: MAXQDA-style matching, two coders only. Per code and transcript, a coding of A and
  one of B are paired one-to-one when their overlap, intersection over union of the character
  spans, is at least ``overlap`` (greedy, highest overlap first). Each pair is one unit coded by
  both; each coding left unpaired is one unit coded by its coder only. There are no "neither"
  units, so ``units = pairs + unpaired codings``.

Missing versus "not coded" (``rated=``): a rating is *missing* when the coder did not look at the
unit, and *False* when the coder looked and did not apply the code. With ``rated="coded"`` (the
default) a transcript counts as rated by a coder when the coder has at least one active coding in
it, of any code (for ``auto:ENGINE``: at least one suggestion of that engine); every unit of a
transcript a coder did not rate is missing for that coder. With ``rated="all"`` every coder counts
as having rated every transcript in scope. Krippendorff's alpha and Gwet's AC1 use whatever ratings
a unit has; Cohen's and Fleiss' kappa drop units with a missing rating (with a note). The scope is
``transcripts=`` if given, else the transcripts at least two of the coders rated (a transcript only
one coder coded holds no pair of ratings; it is left out with a warning); with ``rated="all"`` the
transcripts any of them coded.

Codes: each code is a binary variable (applied / not applied) over the units. A row is reported
for each code that at least one coder applied in scope (in codebook order); a code nobody applied
carries no information and would only add "neither" units. ``overall`` pools the codes by
stacking their units (a unit x code cell is one rating), not by averaging coefficients.

Groups (``group=PREFIX``): the codable codes under PREFIX are one nominal variable whose values
are those codes plus ``none`` (the coder applied no code of the group to the unit). A coder who
applied two or more codes of the group to one unit gets the value ``multiple`` there, a category
of its own (added only when it occurs, with a note saying how often): it disagrees with every
single code, so double coding is neither hidden nor silently resolved. ``codes`` then holds the
binary rows of the group's codes and ``overall`` the nominal variable (``kind: "nominal"``).

Pseudo-coders: ``auto:rules`` / ``auto:model`` stand for an engine's suggestions (all of open,
accepted and rejected with ``suggestions="all"``; only open ones with ``"open"``).

Performance: reliability data are built with numpy from coding spans (bincount over interval
boundaries, no Python loop over units x codes) and compressed to their distinct rating patterns
with counts (at most ``3**coders`` per binary code). The coefficients are computed from those
weighted patterns, which gives exactly the numbers of the expanded matrix (tallies are sums over
units) while the pooled ``overall`` of 100,000 turns x 60 codes costs kilobytes, not gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Sequence


from qualcode.agreement.stats import COEFFICIENT_NAMES, Coefficient, RatingData, _Tallies, _tally, all_coefficients
from qualcode.codebook.model import is_under
from qualcode.errors import InputError
from qualcode.store import Store
from qualcode.transcripts.sentences import split_sentences_batch
from qualcode.lazy import lazy_import

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.codebook.model import Codebook

np = lazy_import("numpy")

__all__ = [
    "UNITS",
    "RATED_RULES",
    "SUGGESTION_SCOPES",
    "AgreementResult",
    "WeightedRatingData",
    "agreement",
    "check_coders",
    "rated_transcripts",
    "resolve_scope",
    "suggestion_engine",
]

UNITS: tuple[str, ...] = ("turn", "sentence", "char", "segment")
RATED_RULES: tuple[str, ...] = ("coded", "all")
SUGGESTION_SCOPES: tuple[str, ...] = ("all", "open")
AUTO_PREFIX = "auto:"
NONE_VALUE = "none"
MULTIPLE_VALUE = "multiple"
BINARY = (False, True)

# Order of keys in a code entry (the documented JSON contract first, then extras).
COUNT_KEYS = ("units", "complete", "both", "only", "neither", "partial")
ENTRY_COEFFICIENTS = (
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
    "fleiss_kappa",
)
assert set(ENTRY_COEFFICIENTS) == set(COEFFICIENT_NAMES)


# --------------------------------------------------------------------------------------------
# Weighted reliability data


@dataclass(frozen=True, eq=False)
class WeightedRatingData(RatingData):
    """A :class:`RatingData` whose row ``i`` stands for ``weights[i]`` identical units.

    Why: every coefficient in :mod:`qualcode.agreement.stats` is a function of tallies that are
    sums over units, so the tallies of a compressed matrix are the weighted sums of the tallies of
    its rows. Each distinct row is tallied by ``agreement_stats`` itself and scaled, so the
    numbers are those of the expanded matrix (tests check this against the expanded matrix).
    """

    weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_units(self) -> int:
        return int(self.weights.sum())

    @cached_property
    def tallies(self) -> _Tallies:
        m, q = self.n_coders, self.q
        empty = _tally(np.zeros((0, m), dtype=np.int64), q)
        units, values, pairs = empty.units.copy(), empty.values.copy(), empty.pairs.copy()
        for row, w in zip(self.codes, self.weights.tolist()):
            if not w:
                continue
            t = _tally(row[None, :], q)
            units += w * t.units
            values += w * t.values
            pairs += w * t.pairs
        return _Tallies(units, values, pairs)


@dataclass
class PatternTable:
    """Distinct rating patterns (``k x coders``, category indices, ``-1`` = missing) and counts."""

    patterns: np.ndarray
    counts: np.ndarray

    @classmethod
    def empty(cls, m: int) -> "PatternTable":
        return cls(np.zeros((0, m), dtype=np.int64), np.zeros(0, dtype=np.int64))

    @classmethod
    def from_ratings(cls, codes: np.ndarray, q: int, weights: np.ndarray | None = None) -> "PatternTable":
        """Compress a ``units x coders`` matrix of category indices (-1 missing) to patterns."""
        codes = np.asarray(codes, dtype=np.int64)
        n, m = codes.shape
        if n == 0:
            return cls.empty(m)
        base = q + 1
        if base**m <= 1 << 22:
            radix = base ** np.arange(m, dtype=np.int64)
            ids = (codes + 1) @ radix
            counts = np.bincount(ids, weights=weights, minlength=base**m)
            nz = np.flatnonzero(counts)
            patterns = (nz[:, None] // radix[None, :]) % base - 1
            return cls(patterns.astype(np.int64), np.rint(counts[nz]).astype(np.int64))
        uniq, inv = np.unique(codes, axis=0, return_inverse=True)
        counts = np.bincount(inv.reshape(-1), weights=weights, minlength=len(uniq))
        keep = counts > 0
        return cls(uniq[keep].astype(np.int64), np.rint(counts[keep]).astype(np.int64))

    @classmethod
    def concat(cls, tables: Sequence["PatternTable"], m: int, q: int) -> "PatternTable":
        """Pool tables (stack their units) into one."""
        if not tables:
            return cls.empty(m)
        pats = np.concatenate([t.patterns for t in tables])
        counts = np.concatenate([t.counts for t in tables]).astype(np.float64)
        return cls.from_ratings(pats, q, counts)

    def select(self, mask: np.ndarray) -> "PatternTable":
        return PatternTable(self.patterns[mask], self.counts[mask])

    @property
    def units(self) -> int:
        return int(self.counts.sum())

    def rating_data(self, labels: Sequence[Any]) -> WeightedRatingData:
        return WeightedRatingData(
            codes=self.patterns, labels=tuple(labels), categories_given=True, weights=self.counts
        )


# --------------------------------------------------------------------------------------------
# Coders, scope


def suggestion_engine(coder: str) -> str | None:
    """``"rules"`` for the pseudo-coder ``auto:rules``; ``None`` for a human coder."""
    return coder[len(AUTO_PREFIX):] if coder.startswith(AUTO_PREFIX) else None


def check_coders(store: Store, coders: Sequence[str], minimum: int = 2) -> list[str]:
    """The coders, checked: at least ``minimum``, no repeats, each known (or an engine with suggestions)."""
    coders = [c.strip() for c in coders]
    if len(coders) < minimum:
        raise InputError(f"name at least {minimum} coders (--coder A --coder B)")
    seen: set[str] = set()
    for c in coders:
        if not c:
            raise InputError("empty coder name")
        if c in seen:
            raise InputError(f"coder {c!r} named twice")
        seen.add(c)
        engine = suggestion_engine(c)
        if engine is not None:
            if not store.suggested_transcripts(engine):
                raise InputError(
                    f"{c}: engine {engine!r} has made no suggestions; run `qualcode suggest --engine {engine}` first"
                )
        elif store.coder(c) is None and not store.has_codings(c):
            known = [n for n in store.coder_names()]
            raise InputError(f"unknown coder {c!r}; known coders: {', '.join(known) or 'none yet'}")
    return coders


def rated_transcripts(store: Store, coder: str) -> set[str]:
    """Transcripts a coder counts as having rated: those with at least one coding (or suggestion)."""
    engine = suggestion_engine(coder)
    return store.suggested_transcripts(engine) if engine else store.coded_transcripts(coder)


def resolve_scope(
    store: Store,
    coders: Sequence[str],
    transcripts: Sequence[str] | None,
    rated: str,
    known_rated: dict[str, set[str]] | None = None,
) -> tuple[list[str], dict[str, set[str]]]:
    """(transcripts in scope, sorted; transcripts each coder rated) under the ``rated`` rule.

    Scope: ``transcripts`` if given; else with ``rated="coded"`` the transcripts at least two of
    the coders rated (a transcript only one coder coded holds no pair of ratings: it would only
    add units with one rating), with ``rated="all"`` the transcripts any of them coded.
    ``known_rated``: each coder's rated transcripts when the caller has them already.
    """
    if rated not in RATED_RULES:
        raise InputError(f"rated must be one of {', '.join(RATED_RULES)}, not {rated!r}")
    known = set(store.transcript_lengths())
    if known_rated is None:
        known_rated = {c: rated_transcripts(store, c) for c in coders}
    rated_sets = {c: set(known_rated[c]) & known for c in coders}
    if transcripts:
        unknown = [t for t in transcripts if t not in known]
        if unknown:
            raise InputError(f"unknown transcript(s): {', '.join(unknown)}; see `qualcode transcripts list`")
        scope = sorted(set(transcripts))
    elif rated == "all":
        scope = sorted(set().union(*rated_sets.values()))
    else:
        scope = sorted(t for t in set().union(*rated_sets.values()) if sum(t in s for s in rated_sets.values()) >= 2)
    if not scope:
        raise InputError(
            f"nothing to compare: no transcript was coded by at least two of {', '.join(coders)} "
            "(name transcripts with --transcript, or see `qualcode codings`)"
        )
    if rated == "all":
        rated_sets = {c: set(scope) for c in coders}
    else:
        rated_sets = {c: s & set(scope) for c, s in rated_sets.items()}
    return scope, rated_sets


def left_out(rated_sets: dict[str, set[str]], scope: Sequence[str]) -> dict[str, list[str]]:
    """Transcripts outside the scope that a coder rated: {coder: [transcripts]} (for a warning)."""
    inside = set(scope)
    return {c: sorted(s - inside) for c, s in rated_sets.items() if s - inside}


def coder_span_groups(store: Store, coder: str, suggestions: str) -> list[tuple[str, str]]:
    """A coder's codings (or an engine's suggestions) as ``(code, "t,start,end,...")`` groups."""
    engine = suggestion_engine(coder)
    if engine is None:
        return store.coding_span_groups(coder)
    statuses = ("open",) if suggestions == "open" else ("open", "accepted", "rejected")
    return store.suggestion_span_groups(engine, statuses)


@dataclass
class _Corpus:
    """Respondent turns of the transcripts in scope, in one global coordinate space.

    Transcript ``i`` starts at ``offsets[i]`` (its length + 1 after the previous one), so spans of
    all transcripts can be searched with one ``searchsorted``.
    """

    transcripts: list[str]
    offsets: np.ndarray
    frag_ids: list[str]
    frag_t: np.ndarray
    frag_start: np.ndarray
    frag_end: np.ndarray
    rated: np.ndarray  # coders x transcripts, bool

    @classmethod
    def build(cls, store: Store, scope: list[str], coders: Sequence[str], rated_sets: dict[str, set[str]]) -> "_Corpus":
        lengths = store.transcript_lengths()
        tindex = {t: i for i, t in enumerate(scope)}
        offsets = np.zeros(len(scope), dtype=np.int64)
        if scope:
            offsets[1:] = np.cumsum([lengths[t] + 1 for t in scope[:-1]])
        rows = [r for r in store.respondent_spans() if r[1] in tindex]
        t = np.fromiter((tindex[r[1]] for r in rows), dtype=np.int64, count=len(rows))
        start = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows)) + offsets[t]
        end = np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows)) + offsets[t]
        order = np.argsort(start, kind="stable")
        rated = np.array([[tid in rated_sets[c] for tid in scope] for c in coders], dtype=bool).reshape(
            len(coders), len(scope)
        )
        return cls(scope, offsets, [rows[i][0] for i in order], t[order], start[order], end[order], rated)

    @property
    def n_frags(self) -> int:
        return int(self.frag_start.size)

    def fragment_of(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the respondent turn containing each global position, whether one does)."""
        j = np.searchsorted(self.frag_end, pos, side="right")
        jc = np.minimum(j, max(self.n_frags - 1, 0))
        inside = (j < self.n_frags) & (self.frag_start[jc] <= pos) if self.n_frags else np.zeros(pos.shape, bool)
        return jc, inside


@dataclass
class _RawSpans:
    """One coder's spans as read from the store: ``code`` indexes ``codes``, ``rowid`` is the
    transcript's rowid. Parsed from one string per code (see ``Store.coding_span_groups``)."""

    codes: list[str]
    code: np.ndarray
    rowid: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, groups: list[tuple[str, str]]) -> "_RawSpans":
        codes = [g[0] for g in groups]
        parts = [np.fromstring(g[1], dtype=np.int64, sep=",").reshape(-1, 3) for g in groups]
        if not parts:
            z = np.zeros(0, dtype=np.int64)
            return cls([], z, z, z, z)
        flat = np.concatenate(parts)
        code = np.repeat(np.arange(len(codes), dtype=np.int64), [len(x) for x in parts])
        return cls(codes, code, flat[:, 0].copy(), flat[:, 1].copy(), flat[:, 2].copy())


@dataclass
class _Spans:
    """One coder's coding spans in global coordinates; ``code`` indexes the code list."""

    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    t: np.ndarray

    def of(self, mask: np.ndarray) -> "_Spans":
        return _Spans(self.code[mask], self.start[mask], self.end[mask], self.t[mask])


# --------------------------------------------------------------------------------------------
# Result


@dataclass
class AgreementResult:
    """Agreement per code and pooled, with what the unit and coefficients mean.

    :meth:`to_dict` is the JSON of ``qualcode agree --format json``; :meth:`rows` the flat rows of
    the table/CSV forms; :meth:`to_frame` a DataFrame of those rows (``.attrs["note"]`` holds the
    methods note).
    """

    unit: str
    coders: list[str]
    codes: list[dict[str, Any]]
    overall: dict[str, Any]
    note: str
    settings: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "coders": list(self.coders),
            "codes": self.codes,
            "overall": self.overall,
            "note": self.note,
            "settings": self.settings,
            "warnings": list(self.warnings),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per code (and per scope for ``char``), then the overall row(s)."""
        out: list[dict[str, Any]] = []
        for entry in [*self.codes, self.overall]:
            out.append(self._flat(entry, "all" if self.unit == "char" else self.unit))
            if "coded_only" in entry:
                out.append(self._flat({**entry["coded_only"], "code": entry["code"]}, "coded_only"))
        return out

    def _flat(self, entry: dict[str, Any], scope: str) -> dict[str, Any]:
        row: dict[str, Any] = {"code": entry["code"], "scope": scope, "units": entry["units"]}
        row["complete"] = entry.get("complete")
        row["both"] = entry.get("both")
        for c in self.coders:
            row[f"only {c}"] = (entry.get("only") or {}).get(c)
        row["neither"] = entry.get("neither")
        if len(self.coders) > 2:
            row["partial"] = entry.get("partial")
        for name in ENTRY_COEFFICIENTS:
            row[name] = entry.get(name)
        row["notes"] = "; ".join(f"{k}: {v}" for k, v in (entry.get("notes") or {}).items())
        return row

    def columns(self) -> list[str]:
        cols = ["code", "scope", "units", "complete", "both", *[f"only {c}" for c in self.coders], "neither"]
        if len(self.coders) > 2:
            cols.append("partial")
        return [*cols, *ENTRY_COEFFICIENTS, "notes"]

    def to_frame(self) -> "pd.DataFrame":
        import pandas as pd

        df = pd.DataFrame(self.rows(), columns=self.columns())
        df.attrs.update({"unit": self.unit, "coders": list(self.coders), "note": self.note,
                         "settings": self.settings, "warnings": list(self.warnings)})
        return df


# --------------------------------------------------------------------------------------------
# Entries: counts and coefficients from a pattern table


def _coefficients(table: PatternTable, labels: Sequence[Any]) -> dict[str, Coefficient]:
    return all_coefficients(table.rating_data(labels))


def _coefficient_fields(coefs: dict[str, Coefficient]) -> tuple[dict[str, Any], dict[str, str]]:
    values = {name: coefs[name].value for name in ENTRY_COEFFICIENTS}
    notes = {name: coefs[name].note for name in ENTRY_COEFFICIENTS if coefs[name].note}
    for name in ENTRY_COEFFICIENTS:
        if coefs[name].value is None and name not in notes:  # never a silent null
            notes[name] = "undefined for these data"
    return values, notes


def _binary_entry(code: str, table: PatternTable, coders: Sequence[str], unit_word: str) -> dict[str, Any]:
    p, w = table.patterns, table.counts
    m = len(coders)
    complete = (p >= 0).all(axis=1) if p.size else np.zeros(0, bool)
    ones = (p == 1).sum(axis=1)
    units = int(w.sum())
    n_complete = int(w[complete].sum())
    entry: dict[str, Any] = {
        "code": code,
        "units": units,
        "complete": n_complete,
        "both": int(w[complete & (ones == m)].sum()),
        "only": {c: int(w[complete & (ones == 1) & (p[:, j] == 1)].sum()) for j, c in enumerate(coders)},
        "neither": int(w[complete & (ones == 0)].sum()),
        "partial": int(w[complete & (ones > 1) & (ones < m)].sum()),
    }
    values, notes = _coefficient_fields(_coefficients(table, BINARY))
    entry.update(values)
    if units > n_complete:
        notes = {
            "units": f"{units - n_complete} of {units} {unit_word} lack a rating from at least one coder "
            "(a transcript that coder did not code); counts are over the other units",
            **notes,
        }
    entry["notes"] = notes
    return entry


def _nominal_entry(
    group: str, table: PatternTable, coders: Sequence[str], labels: Sequence[str], unit_word: str
) -> dict[str, Any]:
    p, w = table.patterns, table.counts
    m = len(coders)
    none_i = labels.index(NONE_VALUE)
    complete = (p >= 0).all(axis=1) if p.size else np.zeros(0, bool)
    same = (p == p[:, :1]).all(axis=1) if p.size else np.zeros(0, bool)
    applied = (p >= 0) & (p != none_i)
    n_applied = applied.sum(axis=1)
    units = int(w.sum())
    n_complete = int(w[complete].sum())
    entry: dict[str, Any] = {
        "code": group,
        "kind": "nominal",
        "categories": list(labels),
        "units": units,
        "complete": n_complete,
        "agree": int(w[complete & same].sum()),
        "both": int(w[complete & same & (n_applied == m)].sum()),
        "only": {c: int(w[complete & (n_applied == 1) & applied[:, j]].sum()) for j, c in enumerate(coders)},
        "neither": int(w[complete & (n_applied == 0)].sum()),
        "different": int(w[complete & ~same & (n_applied == m)].sum()),
    }
    entry["partial"] = n_complete - entry["agree"] - sum(entry["only"].values()) - entry["different"]
    if m == 2:
        conf: dict[str, dict[str, int]] = {a: {b: 0 for b in labels} for a in labels}
        for row, cnt in zip(p[complete].tolist(), w[complete].tolist()):
            conf[labels[row[0]]][labels[row[1]]] += int(cnt)
        entry["confusion"] = conf
    values, notes = _coefficient_fields(_coefficients(table, labels))
    entry.update(values)
    extra: dict[str, str] = {}
    if MULTIPLE_VALUE in labels:
        mi = labels.index(MULTIPLE_VALUE)
        cells = int(((p == mi).sum(axis=1) * w).sum())
        extra["group"] = (
            f"{cells} rating(s) where a coder applied more than one code of {group} to one unit are the "
            f"value '{MULTIPLE_VALUE}', a category of its own"
        )
    if units > n_complete:
        extra["units"] = f"{units - n_complete} of {units} {unit_word} lack a rating from at least one coder"
    entry["notes"] = {**extra, **notes}
    return entry


def _pooled_entry(tables: list[PatternTable], coders: Sequence[str], n_codes: int, unit_word: str) -> dict[str, Any]:
    pooled = PatternTable.concat(tables, len(coders), 2)
    entry = _binary_entry("(all codes)", pooled, coders, f"{unit_word} x code cells")
    rest = {k: v for k, v in entry.items() if k != "code"}
    entry = {"code": "(all codes)", "kind": "pooled", "codes": n_codes, **rest}
    if n_codes == 0:
        entry["notes"] = {"codes": "no coder applied any code in scope", **entry["notes"]}
    return entry


def _with_coded_only(entry: dict[str, Any], coded: dict[str, Any]) -> dict[str, Any]:
    coded = {k: v for k, v in coded.items() if k not in ("code", "kind", "codes", "categories")}
    entry["coded_only"] = coded
    return entry


# --------------------------------------------------------------------------------------------
# Building reliability data per unit


def _presence(ustart: np.ndarray, uend: np.ndarray, spans: _Spans, k: int) -> np.ndarray:
    """``units x k`` booleans: does a span of code ``j`` overlap unit ``i``?

    Units are sorted, non-overlapping intervals. Each span covers the run of units ``lo..hi``
    found by two ``searchsorted`` calls; the runs are expanded with ``repeat`` (a turn-level coding
    covers one turn, a sentence-level one a few) and scattered in one assignment, so there is no
    Python loop over units or codes.
    """
    n = ustart.size
    pres = np.zeros((n, k), dtype=bool)
    if n == 0 or k == 0 or spans.code.size == 0:
        return pres
    lo = np.searchsorted(uend, spans.start, side="right")  # first unit ending after the span starts
    hi = np.searchsorted(ustart, spans.end, side="left") - 1  # last unit starting before it ends
    ok = lo <= hi
    lo, hi, code = lo[ok], hi[ok], spans.code[ok]
    counts = hi - lo + 1
    if counts.size and int(counts.max()) == 1:
        pres[lo, code] = True
        return pres
    first = np.cumsum(counts) - counts
    idx = np.repeat(lo - first, counts) + np.arange(int(counts.sum()), dtype=np.int64)
    pres[idx, np.repeat(code, counts)] = True
    return pres


def _sentence_units(store: Store, corpus: _Corpus) -> tuple[np.ndarray, np.ndarray, np.ndarray]:

    texts: list[str] = []
    cache: dict[int, str] = {}
    for j in range(corpus.n_frags):
        ti = int(corpus.frag_t[j])
        if ti not in cache:
            cache.clear()
            cache[ti] = store.transcript_text(corpus.transcripts[ti])
        off = int(corpus.offsets[ti])
        texts.append(cache[ti][int(corpus.frag_start[j]) - off : int(corpus.frag_end[j]) - off])
    starts: list[int] = []
    ends: list[int] = []
    ts: list[int] = []
    for j, sents in enumerate(split_sentences_batch(texts)):
        base = int(corpus.frag_start[j])
        for s, e in sents:
            starts.append(base + s)
            ends.append(base + e)
            ts.append(int(corpus.frag_t[j]))
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), np.array(ts, dtype=np.int64)


def _binary_ratings(pres: list[np.ndarray], rated_units: list[np.ndarray], j: int) -> np.ndarray:
    return np.stack([np.where(r, p[:, j], -1) for p, r in zip(pres, rated_units)], axis=1).astype(np.int64)


def _nominal_values(pres: np.ndarray, none_i: int, multiple_i: int) -> np.ndarray:
    """Category index per unit from a ``units x group codes`` presence matrix."""
    count = pres.sum(axis=1)
    return np.where(count == 0, none_i, np.where(count == 1, pres.argmax(axis=1), multiple_i)).astype(np.int64)


def _interval_tables(
    ustart: np.ndarray, uend: np.ndarray, ut: np.ndarray, corpus: _Corpus, spans: list[_Spans], n_codes: int
) -> list[PatternTable]:
    pres = [_presence(ustart, uend, s, n_codes) for s in spans]
    rated_units = [corpus.rated[c][ut] for c in range(len(spans))]
    return [PatternTable.from_ratings(_binary_ratings(pres, rated_units, j), 2) for j in range(n_codes)]


def _interval_group_table(
    ustart: np.ndarray, uend: np.ndarray, ut: np.ndarray, corpus: _Corpus, spans: list[_Spans], n_codes: int
) -> tuple[PatternTable, bool]:
    pres = [_presence(ustart, uend, s, n_codes) for s in spans]
    rated_units = [corpus.rated[c][ut] for c in range(len(spans))]
    multiple = any(bool((p.sum(axis=1)[r] > 1).any()) for p, r in zip(pres, rated_units))
    cols = [np.where(r, _nominal_values(p, n_codes, n_codes + 1), -1) for p, r in zip(pres, rated_units)]
    ratings = np.stack(cols, axis=1) if cols else np.zeros((ustart.size, 0), np.int64)
    return PatternTable.from_ratings(ratings, n_codes + 2), multiple


def _expand_runs(lo: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs ``lo[i] .. lo[i] + counts[i] - 1``: (run number of each element, element index)."""
    first = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    return owner, np.repeat(lo - first, counts) + np.arange(int(counts.sum()), dtype=np.int64)


def _clip_to_turns(corpus: _Corpus, spans: _Spans) -> _Spans:
    """The pieces of each span that lie inside respondent turns (one piece per turn it overlaps)."""
    lo = np.searchsorted(corpus.frag_end, spans.start, side="right")
    hi = np.searchsorted(corpus.frag_start, spans.end, side="left") - 1
    counts = np.maximum(hi - lo + 1, 0)
    owner, j = _expand_runs(lo, counts)
    s = np.maximum(spans.start[owner], corpus.frag_start[j])
    e = np.minimum(spans.end[owner], corpus.frag_end[j])
    keep = s < e
    return _Spans(spans.code[owner][keep], s[keep], e[keep], corpus.frag_t[j][keep])


def _coverage(points: np.ndarray, spans: _Spans) -> np.ndarray:
    """For each run ``[points[i], points[i+1])``: is it covered by one of the spans?"""
    size = points.size + 1
    cnt = np.bincount(np.searchsorted(points, spans.start), minlength=size) - np.bincount(
        np.searchsorted(points, spans.end), minlength=size
    )
    return np.cumsum(cnt)[: max(points.size - 1, 0)] > 0


def _covered_runs(corpus: _Corpus, pieces: list[_Spans]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Elementary character runs covered by at least one piece: within a run every character has
    the same ratings. Returns (boundary points, mask of covered runs, their lengths, transcripts)."""
    points = np.unique(np.concatenate([np.zeros(0, np.int64), *[p.start for p in pieces], *[p.end for p in pieces]]))
    if points.size < 2:
        z = np.zeros(0, dtype=np.int64)
        return points, np.zeros(0, bool), z, z
    covered = np.zeros(points.size - 1, dtype=bool)
    for p in pieces:
        covered |= _coverage(points, p)
    run_start = points[:-1][covered]
    j, _ = corpus.fragment_of(run_start)  # pieces lie inside respondent turns, so runs do too
    return points, covered, np.diff(points)[covered], corpus.frag_t[j]


def _char_rest(corpus: _Corpus, run_len: np.ndarray, run_t: np.ndarray, value: int) -> tuple[np.ndarray, np.ndarray]:
    """Ratings and weights for the respondent characters outside every covered run: per transcript,
    ``value`` ("not applied" / "none") from each coder who rated it, missing from the others."""
    n_t = len(corpus.transcripts)
    total = np.bincount(corpus.frag_t, weights=corpus.frag_end - corpus.frag_start, minlength=n_t)
    covered = np.bincount(run_t, weights=run_len, minlength=n_t) if run_len.size else np.zeros(n_t)
    rest = total - covered
    ratings = np.where(corpus.rated.T, value, -1).astype(np.int64)  # transcripts x coders
    keep = rest > 0
    return ratings[keep], rest[keep]


def _char_tables(corpus: _Corpus, spans: list[_Spans], n_codes: int) -> list[tuple[PatternTable, PatternTable]]:
    """Per code: (table over all respondent characters, table over characters someone coded).

    Only the character runs some coder covered are built explicitly; all other characters of a
    transcript share one rating pattern and are added with their count, so the cost grows with
    the number of codings, not of characters.
    """
    clipped = [_clip_to_turns(corpus, s) for s in spans]
    out = []
    for k in range(n_codes):
        pieces = [p.of(p.code == k) for p in clipped]
        points, covered, lengths, t = _covered_runs(corpus, pieces)
        cols = []
        for c, p in enumerate(pieces):
            cov = _coverage(points, p)[covered] if covered.size else np.zeros(0, bool)
            cols.append(np.where(cov, 1, np.where(corpus.rated[c][t], 0, -1)))
        coded = np.stack(cols, axis=1).astype(np.int64) if cols else np.zeros((0, 0), np.int64)
        rest, rest_w = _char_rest(corpus, lengths, t, 0)
        w = lengths.astype(np.float64)
        out.append((PatternTable.from_ratings(np.concatenate([coded, rest]), 2, np.concatenate([w, rest_w])),
                    PatternTable.from_ratings(coded, 2, w)))
    return out


def _char_group_tables(corpus: _Corpus, spans: list[_Spans], n_codes: int) -> tuple[PatternTable, PatternTable, bool]:
    clipped = [_clip_to_turns(corpus, s) for s in spans]
    points, covered, lengths, t = _covered_runs(corpus, clipped)
    none_i, multiple_i = n_codes, n_codes + 1
    cols = []
    multiple = False
    for c, p in enumerate(clipped):
        pres = np.zeros((lengths.size, n_codes), dtype=bool)
        for k in range(n_codes):
            if covered.size:
                pres[:, k] = _coverage(points, p.of(p.code == k))[covered]
        rated = corpus.rated[c][t]
        multiple |= bool((pres.sum(axis=1)[rated] > 1).any())
        cols.append(np.where(rated, _nominal_values(pres, none_i, multiple_i), -1))
    coded = np.stack(cols, axis=1).astype(np.int64)
    rest, rest_w = _char_rest(corpus, lengths, t, none_i)
    w = lengths.astype(np.float64)
    return (PatternTable.from_ratings(np.concatenate([coded, rest]), n_codes + 2, np.concatenate([w, rest_w])),
            PatternTable.from_ratings(coded, n_codes + 2, w), multiple)


def _pairs(a: np.ndarray, b: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one pairs of spans (rows ``start, end``, global coordinates) with IoU >= threshold.

    Candidates come from ``searchsorted`` windows: IoU >= t needs ``len(b) <= len(a) / t`` and
    overlap, so ``b.start`` lies in ``(a.start - len(a) / t, a.end)``. Pairs without a rival are
    taken as they are; the few contested ones greedily, highest overlap first. Returns the
    matched flags of ``a`` and of ``b``.
    """
    ma, mb = np.zeros(len(a), dtype=bool), np.zeros(len(b), dtype=bool)
    if not len(a) or not len(b):
        return ma, mb
    order = np.argsort(b[:, 0], kind="stable")
    bs, be = b[order, 0], b[order, 1]
    la = a[:, 1] - a[:, 0]
    lo = np.searchsorted(bs, a[:, 0] - la / threshold, side="right")
    hi = np.searchsorted(bs, a[:, 1], side="left")
    ai, bj = _expand_runs(lo, np.maximum(hi - lo, 0))
    inter = np.minimum(a[ai, 1], be[bj]) - np.maximum(a[ai, 0], bs[bj])
    union = la[ai] + (be[bj] - bs[bj]) - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    ok = (inter > 0) & (iou >= threshold - 1e-12)
    ai, bj, iou = ai[ok], bj[ok], iou[ok]
    contested = (np.bincount(ai, minlength=len(a))[ai] > 1) | (np.bincount(bj, minlength=len(b))[bj] > 1)
    ma[ai[~contested]] = True
    mb[order[bj[~contested]]] = True
    rank = np.argsort(-iou[contested], kind="stable")
    for i, j in zip(ai[contested][rank].tolist(), bj[contested][rank].tolist()):
        if not ma[i] and not mb[order[j]]:
            ma[i] = True
            mb[order[j]] = True
    return ma, mb


def _segment_tables(corpus: _Corpus, spans: list[_Spans], n_codes: int, overlap: float) -> list[PatternTable]:
    """Two coders: per code, pairs (1,1), unpaired codings (1,0)/(0,1), or (1,-1)/(-1,1) when the
    other coder did not rate that transcript. Identical codings of one coder count once."""
    out = []
    for k in range(n_codes):
        rows = []
        for s in spans:
            sub = s.of(s.code == k)
            rows.append(np.unique(np.stack([sub.start, sub.end, sub.t], axis=1), axis=0))
        a, b = rows
        ma, mb = _pairs(a[:, :2], b[:, :2], overlap)
        ra, rb = corpus.rated[0], corpus.rated[1]
        una, unb = a[~ma], b[~mb]
        ratings = np.concatenate([
            np.ones((int(ma.sum()), 2), dtype=np.int64),
            np.stack([np.ones(len(una), np.int64), np.where(rb[una[:, 2]], 0, -1)], axis=1),
            np.stack([np.where(ra[unb[:, 2]], 0, -1), np.ones(len(unb), np.int64)], axis=1),
        ])
        out.append(PatternTable.from_ratings(ratings, 2))
    return out


# --------------------------------------------------------------------------------------------
# The methods note


def _methods_note(
    unit: str, coders: Sequence[str], rated: str, n_transcripts: int, units_total: int, overlap: float,
    group: str | None, group_labels: Sequence[str] | None, suggestions: str, n_codes: int,
) -> str:
    who = ", ".join(coders)
    parts: list[str] = []
    if unit == "turn":
        parts.append(
            f"Unit: the respondent turn ({units_total} turns in {n_transcripts} transcripts). A coder applied a "
            "code to a turn when they coded any part of it."
        )
    elif unit == "sentence":
        parts.append(
            f"Unit: the sentence of a respondent turn ({units_total} sentences in {n_transcripts} transcripts, "
            "split by a rule-based sentencizer). A coder applied a code to a sentence when one of their codings "
            "overlaps it by at least one character."
        )
    elif unit == "char":
        parts.append(
            f"Unit: the character of the respondent turns ({units_total} characters in {n_transcripts} "
            "transcripts). Figures are given over all characters and, separately (coded_only), over only the "
            "characters at least one coder coded with that code; over all characters, text nobody coded counts "
            "as agreement and inflates the figures."
        )
    else:
        parts.append(
            f"Unit: the coded segment (MAXQDA-style, {n_transcripts} transcripts). Per code and transcript, a "
            f"coding of {coders[0]} and one of {coders[1]} are paired one-to-one when their overlap "
            f"(intersection over union of the character spans) is at least {overlap:g}, highest overlap first. "
            "Each pair is one unit coded by both, each unpaired coding one unit coded by one coder only; there "
            "are no units coded by neither, so percent agreement is pairs / (pairs + unpaired codings), and "
            "coefficients that estimate chance from the coders' margins (kappa, alpha, AC1) are computed on "
            "this table without a 'neither' cell and are therefore low; report percent agreement."
        )
    if group:
        parts.append(
            f"The codes under {group} are treated as one nominal variable with the values "
            f"{', '.join(group_labels or [])} ('{NONE_VALUE}': no code of the group; '{MULTIPLE_VALUE}', if "
            "present: more than one code of the group on one unit, kept as a category of its own). The rows per "
            "code show each code as a binary variable."
        )
    else:
        parts.append(
            f"Each code is a binary variable (applied or not) over the units; {n_codes} code(s) that at least one "
            "coder applied are reported. 'overall' pools all codes by stacking their unit x code ratings (not by "
            "averaging the coefficients)."
        )
    if rated == "coded":
        parts.append(
            "A transcript counts as rated by a coder when the coder has at least one coding in it; in a "
            "transcript a coder did not rate, that coder's ratings are missing rather than 'not applied'. "
            "Transcripts only one coder rated are left out."
        )
    else:
        parts.append("Every coder is taken to have read every transcript in scope: no code means 'not applied'.")
    autos = [c for c in coders if suggestion_engine(c)]
    if autos:
        which = "open, accepted and rejected" if suggestions == "all" else "open"
        parts.append(f"{', '.join(autos)} stands for the {which} suggestions of that engine.")
    parts.append(
        f"Coders: {who}. Percent agreement is the share of agreeing coder pairs per unit. Cohen's kappa (two "
        "coders) corrects for chance with each coder's own margins, Fleiss' kappa with the pooled margins (Scott's "
        "pi for two coders); both drop units with a missing rating. Krippendorff's alpha (nominal) allows missing "
        "ratings. Gwet's AC1 and Brennan-Prediger (chance agreement 1/q) depend less on how often a code is used: "
        "for rare codes kappa and alpha can be low despite high raw agreement (the kappa paradox). A coefficient "
        "that is undefined for the data (e.g. no variance) is reported as undefined, never as 0."
    )
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# The entry point


def agreement(
    store: Store,
    codebook: "Codebook | None",
    coders: Sequence[str],
    *,
    unit: str = "turn",
    overlap: float = 0.9,
    codes: str | None = None,
    group: str | None = None,
    transcripts: Sequence[str] | None = None,
    rated: str = "coded",
    suggestions: str = "all",
) -> AgreementResult:
    """Agreement between ``coders`` per code and pooled, with unit ``unit`` (see module docstring).

    ``codes``: only codes under this prefix. ``group``: the codes under this prefix as one nominal
    variable. ``transcripts``: only these. ``rated``: "coded" or "all" (the missing-data rule).
    ``suggestions``: for ``auto:ENGINE`` coders, "all" or "open" suggestions.
    """
    if unit not in UNITS:
        raise InputError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if suggestions not in SUGGESTION_SCOPES:
        raise InputError(f"suggestions must be one of {', '.join(SUGGESTION_SCOPES)}, not {suggestions!r}")
    if not (0 < overlap <= 1):
        raise InputError(f"overlap must be above 0 and at most 1 (intersection over union), not {overlap}")
    if group and codes and codes != group:
        raise InputError("give --codes or --group, not both (--group PREFIX already limits the codes)")
    coders = check_coders(store, coders)
    if unit == "segment" and len(coders) != 2:
        raise InputError("--unit segment pairs the codings of exactly two coders; use turn, sentence or char for more")
    if unit == "segment" and group:
        raise InputError("--group needs a unit every coder rates (turn, sentence or char), not segment")
    order = {c: i for i, c in enumerate(codebook.codes)} if codebook is not None else {}
    group_codes: list[str] = []
    if group:
        if codebook is not None:
            if group not in codebook.codes:
                raise InputError(f"unknown code {group!r} for --group; see `qualcode codebook show`")
            group_codes = [c.id for c in codebook.descendants(group) if c.codable]
    prefix = group or codes
    # Every coder's spans of all codes, fetched once: which transcripts a coder rated depends on
    # codings of any code; the code prefix is applied afterwards.
    raws = [_RawSpans.of(coder_span_groups(store, c, suggestions)) for c in coders]
    rowids = store.transcript_rowids()
    by_rowid = {r: t for t, r in rowids.items()}
    known_rated = {
        c: (store.suggested_transcripts(suggestion_engine(c)) if suggestion_engine(c)
            else {by_rowid[r] for r in np.unique(raw.rowid).tolist()})
        for c, raw in zip(coders, raws)
    }
    scope, rated_sets = resolve_scope(store, coders, transcripts, rated, known_rated=known_rated)
    known = set(rowids)
    outside = left_out({c: s & known for c, s in known_rated.items()}, scope)
    corpus = _Corpus.build(store, scope, coders, rated_sets)
    if corpus.n_frags == 0:
        raise InputError(f"no respondent turns in {', '.join(scope[:5])}: nothing to compare")
    tindex = {t: i for i, t in enumerate(scope)}

    # coding spans of each coder: in scope, under the prefix, overlapping respondent turns
    warnings: list[str] = []
    selected: list[tuple[_RawSpans, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    used: set[str] = set()
    t_lut = np.full(max(rowids.values(), default=0) + 1, -1, dtype=np.int64)
    for tid, i in tindex.items():
        t_lut[rowids[tid]] = i
    for c, raw in zip(coders, raws):
        code_ok = np.array([is_under(x, prefix or "") for x in raw.codes], dtype=bool)
        t = t_lut[raw.rowid]
        keep = (t >= 0) & code_ok[raw.code] if raw.code.size else np.zeros(0, bool)
        t = t[keep]
        s = raw.start[keep] + corpus.offsets[t]
        e = raw.end[keep] + corpus.offsets[t]
        j, _ = corpus.fragment_of(s)  # the first respondent turn ending after the coding starts
        ok = (np.searchsorted(corpus.frag_end, s, side="right") < corpus.n_frags) & (corpus.frag_start[j] < e)
        if (~ok).any():
            warnings.append(f"{int((~ok).sum())} coding(s) of {c} outside respondent turns ignored")
        code = raw.code[keep][ok]
        used.update(raw.codes[i] for i in np.unique(code).tolist())
        selected.append((raw, code, s[ok], e[ok], t[ok]))
    code_list = sorted(used | set(group_codes), key=lambda x: (order.get(x, len(order)), x))
    cindex = {code: i for i, code in enumerate(code_list)}
    spans: list[_Spans] = []
    for raw, code, s, e, t in selected:
        lut = np.array([cindex.get(x, -1) for x in raw.codes], dtype=np.int64)
        spans.append(_Spans(lut[code] if code.size else code, s, e, t))
    k = len(code_list)
    unit_word = {"turn": "turns", "sentence": "sentences", "char": "characters", "segment": "segments"}[unit]
    label = (lambda c: codebook.label_of(c)) if codebook is not None else (lambda c: c)

    entries: list[dict[str, Any]] = []
    tables: list[PatternTable] = []
    overall: dict[str, Any]
    group_labels: list[str] | None = None
    if unit in ("turn", "sentence"):
        if unit == "turn":
            ustart, uend, ut = corpus.frag_start, corpus.frag_end, corpus.frag_t
        else:
            ustart, uend, ut = _sentence_units(store, corpus)
        units_total = int(ustart.size)
        tables = _interval_tables(ustart, uend, ut, corpus, spans, k)
        entries = [_binary_entry(c, t, coders, unit_word) for c, t in zip(code_list, tables)]
        if group:
            gtable, multiple = _interval_group_table(ustart, uend, ut, corpus, spans, k)
            group_labels = [*code_list, NONE_VALUE] + ([MULTIPLE_VALUE] if multiple else [])
            overall = _nominal_entry(group, gtable, coders, group_labels, unit_word)
        else:
            overall = _pooled_entry(tables, coders, k, unit_word)
    elif unit == "char":
        units_total = int((corpus.frag_end - corpus.frag_start).sum())
        pairs = _char_tables(corpus, spans, k)
        tables = [a for a, _ in pairs]
        entries = [
            _with_coded_only(_binary_entry(c, a, coders, unit_word), _binary_entry(c, b, coders, unit_word))
            for c, (a, b) in zip(code_list, pairs)
        ]
        if group:
            g_all, g_coded, multiple = _char_group_tables(corpus, spans, k)
            group_labels = [*code_list, NONE_VALUE] + ([MULTIPLE_VALUE] if multiple else [])
            overall = _with_coded_only(
                _nominal_entry(group, g_all, coders, group_labels, unit_word),
                _nominal_entry(group, g_coded, coders, group_labels, unit_word),
            )
        else:
            overall = _with_coded_only(
                _pooled_entry(tables, coders, k, unit_word), _pooled_entry([b for _, b in pairs], coders, k, unit_word)
            )
    else:  # segment
        tables = _segment_tables(corpus, spans, k, overlap)
        entries = [_binary_entry(c, t, coders, unit_word) for c, t in zip(code_list, tables)]
        units_total = sum(t.units for t in tables)
        overall = _pooled_entry(tables, coders, k, unit_word)
        for e in [*entries, overall]:
            e["notes"] = {"unit": "no 'neither' units exist at segment level; see the note", **e["notes"]}
    if group:  # the nominal variable's categories are all the group's codes; rows only for codes in use
        entries = [e for e in entries if e["code"] in used]
    for e in entries:
        e["label"] = label(e["code"])
    # Key order: the contract's keys first.
    entries = [_ordered(e) for e in entries]
    overall = _ordered(overall)
    for c in coders:
        missing = [t for t in scope if t not in rated_sets[c]]
        if missing and rated == "coded":
            warnings.append(f"{c} has no codings in {_shown(missing)}: ratings there are missing")
    for c, ts in outside.items():
        why = "not among the transcripts named" if transcripts else "no other coder coded them"
        warnings.append(f"left out ({why}): {_shown(ts)}, coded by {c}")
    note = _methods_note(unit, coders, rated, len(scope), units_total, overlap, group, group_labels, suggestions, k)
    settings: dict[str, Any] = {
        "rated": rated,
        "transcripts": scope,
        "codes": codes,
        "group": group,
        "units_total": units_total,
    }
    if unit == "segment":
        settings["overlap"] = overlap
    if any(suggestion_engine(c) for c in coders):
        settings["suggestions"] = suggestions
    return AgreementResult(unit, list(coders), entries, overall, note, settings, warnings)


def _shown(ids: list[str]) -> str:
    return ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def _ordered(entry: dict[str, Any]) -> dict[str, Any]:
    head = ["code", "label", "kind", "codes", "categories", *COUNT_KEYS, "agree", "different", "confusion",
            *ENTRY_COEFFICIENTS, "notes", "coded_only"]
    out = {key: entry[key] for key in head if key in entry}
    out.update({key: v for key, v in entry.items() if key not in out})
    if "coded_only" in out:
        out["coded_only"] = _ordered(out["coded_only"])
    return out
