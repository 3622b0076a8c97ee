"""Coder agreement with an explicit unit: codings -> reliability data -> coefficients side by side.

This module turns the codings of two or more coders into reliability data (one rating per unit
and coder) and hands them to :mod:`qualcode.agreement.stats`. What "a unit" is decides what the
numbers mean, so the unit is always explicit and the result carries a note for a methods section.

The unit builders (what a turn, sentence, character or segment unit is, and how codings become
ratings of it) are in :mod:`qualcode.agreement.units`, looked up by name; the compressed
reliability data in :mod:`qualcode.agreement.patterns`. This module checks the options, settles
the scope, selects each coder's spans, and assembles the entries, warnings and methods note.

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

Performance: see :mod:`qualcode.agreement.units` and :mod:`qualcode.agreement.patterns`; the
coefficients are computed from weighted rating patterns, which gives exactly the numbers of the
expanded matrix while the pooled ``overall`` of 100,000 turns x 60 codes costs kilobytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.agreement.patterns import PatternTable
from qualcode.agreement.stats import COEFFICIENT_NAMES, Coefficient, all_coefficients
from qualcode.agreement.units import UNIT_BUILDERS, UNITS, Corpus, Spans, UnitBuilder, UnitRatings
from qualcode.codebook.model import is_under
from qualcode.errors import InputError
from qualcode.lazy import lazy_import
from qualcode.store import Store

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from qualcode.codebook.model import Codebook
else:
    np = lazy_import("numpy")

__all__ = [
    "UNITS",
    "RATED_RULES",
    "SUGGESTION_SCOPES",
    "AgreementResult",
    "agreement",
    "check_coders",
    "rated_transcripts",
    "resolve_scope",
    "suggestion_engine",
]

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
class _RawSpans:
    """One coder's spans as read from the store: ``code`` indexes ``codes``, ``rowid`` is the
    transcript's rowid. Parsed from one string per code (see ``Store.coding_span_groups``)."""

    codes: list[str]
    code: np.ndarray
    rowid: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, groups: list[tuple[str, str]]) -> _RawSpans:
        codes = [g[0] for g in groups]
        parts = [np.fromstring(g[1], dtype=np.int64, sep=",").reshape(-1, 3) for g in groups]
        if not parts:
            z = np.zeros(0, dtype=np.int64)
            return cls([], z, z, z, z)
        flat = np.concatenate(parts)
        code = np.repeat(np.arange(len(codes), dtype=np.int64), [len(x) for x in parts])
        return cls(codes, code, flat[:, 0].copy(), flat[:, 1].copy(), flat[:, 2].copy())


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

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        df = pd.DataFrame(self.rows(), columns=self.columns())
        df.attrs.update({"unit": self.unit, "coders": list(self.coders), "note": self.note,
                         "settings": self.settings, "warnings": list(self.warnings)})
        return df


# --------------------------------------------------------------------------------------------
# Entries: counts and coefficients from a pattern table


def _coefficients(table: PatternTable, labels: Sequence[Any]) -> dict[str, Coefficient]:
    return all_coefficients(table.rating_data(labels))


def _coefficient_fields(coefs: dict[str, Coefficient]) -> tuple[dict[str, float | None], dict[str, str]]:
    values = {name: coefs[name].value for name in ENTRY_COEFFICIENTS}
    notes = {name: note for name in ENTRY_COEFFICIENTS if (note := coefs[name].note)}
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
# The methods note


def _methods_note(
    unit_sentence: str, coders: Sequence[str], rated: str, group: str | None, group_labels: Sequence[str] | None,
    suggestions: str, n_codes: int,
) -> str:
    who = ", ".join(coders)
    parts: list[str] = [unit_sentence]
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
# The steps of agreement(): options, scope, the coders' spans, entries, warnings


def _check_options(unit: str, overlap: float, codes: str | None, group: str | None, suggestions: str) -> UnitBuilder:
    """The builder of ``unit``, once the options that need no store are checked."""
    if unit not in UNIT_BUILDERS:
        raise InputError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if suggestions not in SUGGESTION_SCOPES:
        raise InputError(f"suggestions must be one of {', '.join(SUGGESTION_SCOPES)}, not {suggestions!r}")
    if not (0 < overlap <= 1):
        raise InputError(f"overlap must be above 0 and at most 1 (intersection over union), not {overlap}")
    if group and codes and codes != group:
        raise InputError("give --codes or --group, not both (--group PREFIX already limits the codes)")
    return UNIT_BUILDERS[unit]


def _group_codes(codebook: Codebook | None, group: str | None) -> list[str]:
    """The codable codes under ``group``: every one is a category of the nominal variable, used or not."""
    if not group or codebook is None:
        return []
    if group not in codebook.codes:
        raise InputError(f"unknown code {group!r} for --group; see `qualcode codebook show`")
    return [c.id for c in codebook.descendants(group) if c.codable]


def _rated_by_spans(
    store: Store, coders: Sequence[str], raws: list[_RawSpans], rowids: dict[str, int]
) -> dict[str, set[str]]:
    """Transcripts each coder rated, read off the spans already fetched (an engine: its suggestions).

    Why from the spans: they hold the codings of every code, which is what "rated" means, and
    asking the store again per coder would read them twice.
    """
    by_rowid = {r: t for t, r in rowids.items()}
    rated: dict[str, set[str]] = {}
    for c, raw in zip(coders, raws):
        engine = suggestion_engine(c)
        if engine:
            rated[c] = store.suggested_transcripts(engine)
        else:
            rated[c] = {by_rowid[r] for r in np.unique(raw.rowid).tolist()}
    return rated


@dataclass
class _Selected:
    """The coders' spans that take part: in scope, under the prefix, overlapping respondent turns."""

    codes: list[str]  # the code list, in codebook order; ``Spans.code`` indexes it
    spans: list[Spans]  # one per coder
    used: set[str]  # codes at least one coder applied in scope
    warnings: list[str]


def _select_spans(
    coders: Sequence[str], raws: list[_RawSpans], corpus: Corpus, rowids: dict[str, int], prefix: str | None,
    group_codes: list[str], codebook: Codebook | None,
) -> _Selected:
    """Each coder's spans in scope and under ``prefix``, in the corpus's global coordinates.

    A coding that overlaps no respondent turn is dropped with a warning. The code list holds the
    codes someone applied plus, for a group, all of its codes, in codebook order.
    """
    order = {c: i for i, c in enumerate(codebook.codes)} if codebook is not None else {}
    warnings: list[str] = []
    selected: list[tuple[_RawSpans, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    used: set[str] = set()
    t_lut = np.full(max(rowids.values(), default=0) + 1, -1, dtype=np.int64)
    for i, tid in enumerate(corpus.transcripts):
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
    spans: list[Spans] = []
    for raw, code, s, e, t in selected:
        lut = np.array([cindex.get(x, -1) for x in raw.codes], dtype=np.int64)
        spans.append(Spans(lut[code] if code.size else code, s, e, t))
    return _Selected(code_list, spans, used, warnings)


def _code_entries(
    code_list: list[str], data: UnitRatings, coders: Sequence[str], unit_word: str
) -> list[dict[str, Any]]:
    """One binary entry per code (with its ``coded_only`` twin where the unit has one)."""
    if data.codes_coded is None:
        return [_binary_entry(c, t, coders, unit_word) for c, t in zip(code_list, data.codes)]
    return [
        _with_coded_only(_binary_entry(c, a, coders, unit_word), _binary_entry(c, b, coders, unit_word))
        for c, a, b in zip(code_list, data.codes, data.codes_coded)
    ]


def _overall_entry(
    group: str | None, group_labels: list[str] | None, data: UnitRatings, coders: Sequence[str], n_codes: int,
    unit_word: str,
) -> dict[str, Any]:
    """The group's nominal variable, or else all codes pooled (with ``coded_only`` where the unit has one)."""
    if group:
        assert data.group is not None and group_labels is not None
        overall = _nominal_entry(group, data.group, coders, group_labels, unit_word)
        if data.group_coded is None:
            return overall
        return _with_coded_only(overall, _nominal_entry(group, data.group_coded, coders, group_labels, unit_word))
    overall = _pooled_entry(data.codes, coders, n_codes, unit_word)
    if data.codes_coded is None:
        return overall
    return _with_coded_only(overall, _pooled_entry(data.codes_coded, coders, n_codes, unit_word))


def _scope_warnings(
    coders: Sequence[str], scope: list[str], rated_sets: dict[str, set[str]], rated: str,
    outside: dict[str, list[str]], transcripts: Sequence[str] | None,
) -> list[str]:
    """Which ratings are missing and which coded transcripts were left out, so neither goes unseen."""
    warnings: list[str] = []
    for c in coders:
        missing = [t for t in scope if t not in rated_sets[c]]
        if missing and rated == "coded":
            warnings.append(f"{c} has no codings in {_shown(missing)}: ratings there are missing")
    for c, ts in outside.items():
        why = "not among the transcripts named" if transcripts else "no other coder coded them"
        warnings.append(f"left out ({why}): {_shown(ts)}, coded by {c}")
    return warnings


def _settings(
    unit: str, coders: Sequence[str], rated: str, scope: list[str], codes: str | None, group: str | None,
    units_total: int, overlap: float, suggestions: str,
) -> dict[str, Any]:
    """The settings the result was computed with (only those that apply to this unit and these coders)."""
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
    return settings


# --------------------------------------------------------------------------------------------
# The entry point


def agreement(
    store: Store,
    codebook: Codebook | None,
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
    """Agreement between ``coders`` per code and pooled, with unit ``unit`` (see module docstring
    and :mod:`qualcode.agreement.units`).

    ``codes``: only codes under this prefix. ``group``: the codes under this prefix as one nominal
    variable. ``transcripts``: only these. ``rated``: "coded" or "all" (the missing-data rule).
    ``suggestions``: for ``auto:ENGINE`` coders, "all" or "open" suggestions.
    """
    builder = _check_options(unit, overlap, codes, group, suggestions)
    coders = check_coders(store, coders)
    builder.check(coders, group)
    group_codes = _group_codes(codebook, group)
    # Every coder's spans of all codes, fetched once: which transcripts a coder rated depends on
    # codings of any code; the code prefix is applied afterwards.
    raws = [_RawSpans.of(coder_span_groups(store, c, suggestions)) for c in coders]
    rowids = store.transcript_rowids()
    known_rated = _rated_by_spans(store, coders, raws, rowids)
    scope, rated_sets = resolve_scope(store, coders, transcripts, rated, known_rated=known_rated)
    known = set(rowids)
    outside = left_out({c: s & known for c, s in known_rated.items()}, scope)
    corpus = Corpus.build(store, scope, coders, rated_sets)
    if corpus.n_frags == 0:
        raise InputError(f"no respondent turns in {', '.join(scope[:5])}: nothing to compare")
    sel = _select_spans(coders, raws, corpus, rowids, group or codes, group_codes, codebook)
    k = len(sel.codes)

    data = builder.ratings(store, corpus, sel.spans, k, group=bool(group), overlap=overlap)
    group_labels = [*sel.codes, NONE_VALUE] + ([MULTIPLE_VALUE] if data.multiple else []) if group else None
    entries = _code_entries(sel.codes, data, coders, builder.word)
    overall = _overall_entry(group, group_labels, data, coders, k, builder.word)
    if builder.entry_note:
        for e in [*entries, overall]:
            e["notes"] = {"unit": builder.entry_note, **e["notes"]}
    if group:  # the nominal variable's categories are all the group's codes; rows only for codes in use
        entries = [e for e in entries if e["code"] in sel.used]
    for e in entries:
        e["label"] = codebook.label_of(e["code"]) if codebook is not None else e["code"]
    # Key order: the contract's keys first.
    entries = [_ordered(e) for e in entries]
    overall = _ordered(overall)

    warnings = [*sel.warnings, *_scope_warnings(coders, scope, rated_sets, rated, outside, transcripts)]
    unit_sentence = builder.describe(
        units_total=data.units_total, n_transcripts=len(scope), coders=coders, overlap=overlap
    )
    note = _methods_note(unit_sentence, coders, rated, group, group_labels, suggestions, k)
    settings = _settings(unit, coders, rated, scope, codes, group, data.units_total, overlap, suggestions)
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
