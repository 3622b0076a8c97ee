"""Case-by-code and attribute-by-code matrices, and code co-occurrence.

Why: the first table of most qualitative papers says how often each code occurs per respondent,
team or municipality ("logics by municipality and team"); a co-occurrence table says which codes
go together in the same turn. Both are counts over codings, so they live together here, as pure
functions over coding dicts, case attributes and the codebook.
:meth:`qualcode.project.Project.matrix` and :meth:`~qualcode.project.Project.cooccurrence`
gather the data and return the DataFrames; the CLI renders them and ``qualcode.export.plots`` draws them.

What the totals mean (also in ``df.attrs["notes"]``, which the CLI prints under the table):

- ``count="codings"``: cells count codings (two coders coding the same passage count twice;
  filter with ``coders``); the Totaal row and column are sums.
- ``count="words"``: cells sum the words of the coded passages; totals are sums.
- ``count="cases"``: cells count distinct cases with at least one such coding; the totals count
  distinct cases too (a respondent with two codes counts once in the Totaal column), so totals
  are generally smaller than the sum of their cells.
- ``normalize="row"``: every cell is a percentage of its row's Totaal (so with codings or words
  each row sums to 100 and the Totaal column is 100, or 0 for an empty row); the Totaal row holds
  each column's share of the grand total.
- ``normalize="col"``: the same by column: every cell is a percentage of its column's Totaal,
  the Totaal column holds each row's share of the grand total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.codebook.resolve import no_code_under
from qualcode.errors import InputError
from qualcode.tables.frame import UNKNOWN, natural_key
from qualcode.tables.quotes import count_words

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.codebook.model import Codebook

TOTAL = "Totaal"
COUNTS = ("codings", "cases", "words")
NORMALIZE = ("none", "row", "col")
UNITS = ("turn", "case")


def parse_rows(rows: str | Sequence[str]) -> list[str] | None:
    """``"case"`` -> None (one row per case); ``"gemeente,team"`` or a list -> attribute names."""
    items = rows.split(",") if isinstance(rows, str) else list(rows)
    items = [r.strip() for r in items if r and r.strip()]
    if not items:
        raise InputError("--rows needs `case` or one or more case attributes (gemeente,team)")
    if items == ["case"]:
        return None
    if "case" in items:
        raise InputError("--rows case cannot be combined with attributes; use `case` alone or attributes")
    return items


def check_choice(value: str, choices: Sequence[str], what: str) -> str:
    if value not in choices:
        raise InputError(f"{what} must be one of {', '.join(choices)}, not {value!r}")
    return value


def collapse(code: str, prefix: str, depth: int | None) -> str:
    """``code`` cut to ``depth`` levels below ``prefix`` (a descendant counts for its ancestor)."""
    if depth is None:
        return code
    keep = (len(prefix.split(".")) if prefix else 0) + depth
    parts = code.split(".")
    return ".".join(parts[:keep]) if len(parts) > keep else code


def code_columns(codebook: Codebook, prefix: str, depth: int | None, used: Iterable[str]) -> list[str]:
    """The columns for codes under ``prefix``: every codable code (tree order) and every coded code
    the codebook does not know (imported ones, by id), collapsed to ``depth``; zeros included so a
    code nobody used is visible as such."""
    if depth is not None and depth < 1:
        raise InputError(f"--depth must be 1 or more (levels below the prefix), not {depth}")
    known = [c.id for c in codebook.descendants(prefix) if c.codable] if prefix else \
        [c.id for c in codebook.codes.values() if c.codable]
    extra = sorted({c for c in used if is_under(c, prefix) and c not in codebook.codes})
    if not known and not extra:
        raise no_code_under(prefix, codebook)
    return list(dict.fromkeys(collapse(c, prefix, depth) for c in known + extra))


def _label_columns(columns: Sequence[str], codebook: Codebook, lang: str) -> dict[str, str]:
    """Code id -> label, falling back to ``label (id)`` where two codes share a label."""
    labels = {c: codebook.label_of(c, lang) for c in columns}
    counts: dict[str, int] = {}
    for v in labels.values():
        counts[v] = counts.get(v, 0) + 1
    return {c: (v if counts[v] == 1 else f"{v} ({c})") for c, v in labels.items()}


def _row_key(case: str | None, attrs: Mapping[str, Any], names: list[str] | None) -> tuple:
    if names is None:
        return (case if case is not None else UNKNOWN,)
    return tuple(UNKNOWN if attrs.get(n) is None else attrs.get(n) for n in names)


def build_matrix(
    codings: Sequence[Mapping[str, Any]],
    *,
    codebook: Codebook,
    case_attributes: Mapping[str, Mapping[str, Any]],
    rows: str | Sequence[str] = "case",
    cols: str = "logic",
    depth: int | None = None,
    count: str = "codings",
    normalize: str = "none",
    labels: bool = False,
    lang: str = "nl",
) -> pd.DataFrame:
    """Rows (cases or attribute combinations) x codes under ``cols``, with a Totaal row and column.

    ``codings`` are ``coding_rows()`` dicts; ``case_attributes`` maps every case id to its
    attributes (its keys are the row universe, so cases and teams without codings show zeros).
    See the module docstring for what the totals and percentages mean.
    """
    import pandas as pd

    check_choice(count, COUNTS, "--count")
    check_choice(normalize, NORMALIZE, "--normalize")
    names = parse_rows(rows)
    _check_row_attributes(names, case_attributes)
    prefix = cols.strip()
    codings = [c for c in codings if is_under(c["code"], prefix)]
    columns = code_columns(codebook, prefix, depth, (c["code"] for c in codings))

    tally = _tally_cells(codings, case_attributes, names, prefix, depth, count, columns)
    ordered = sorted(tally.row_keys, key=lambda k: tuple(natural_key(v) for v in k))
    data, totals = _table_rows(ordered, columns, tally.cells, count)
    data = _normalized(data, totals, normalize)

    keys = ordered + [(TOTAL,) + ("",) * (len(names or [None]) - 1)]
    header = list(columns)
    if labels:
        mapping = _label_columns(columns, codebook, lang)
        header = [mapping[c] for c in columns]
    df = pd.DataFrame(data, index=_row_index(keys, names), columns=header + [TOTAL])
    notes = [_totals_note(count, normalize)]
    if tally.no_case:
        notes.append(f"{tally.no_case} codering(en) zonder case staan in de rij {UNKNOWN}"
                     if count != "cases" else f"{tally.no_case} codering(en) zonder case zijn niet geteld")
    df.attrs["notes"] = notes
    df.attrs["count"] = count
    df.attrs["normalize"] = normalize
    return df


def _check_row_attributes(names: list[str] | None, case_attributes: Mapping[str, Mapping[str, Any]]) -> None:
    """Refuse a row attribute no case has (a typo would otherwise give one row of ``onbekend``)."""
    if names is None:
        return
    known_attrs = {k for attrs in case_attributes.values() for k in attrs}
    for n in names:
        if n not in known_attrs:
            shown = ", ".join(sorted(known_attrs)) or "none"
            raise InputError(f"no case has an attribute {n!r}; case attributes: {shown}")


@dataclass
class _Tally:
    """The cells before totals: ``cells[row key][column]`` is a count (codings, words) or the set
    of cases (cases); ``row_keys`` every row, coded or not; ``no_case`` codings without a case."""

    cells: dict[tuple, dict[str, Any]]
    row_keys: set[tuple]
    no_case: int


def _tally_cells(
    codings: Sequence[Mapping[str, Any]], case_attributes: Mapping[str, Mapping[str, Any]], names: list[str] | None,
    prefix: str, depth: int | None, count: str, columns: list[str],
) -> _Tally:
    """Count each coding in its row and (collapsed) column. A grouping code coded directly
    (imported data) gets a column of its own: it is appended to ``columns``."""
    row_keys = {_row_key(case, attrs, names) for case, attrs in case_attributes.items()}
    cells: dict[tuple, dict[str, Any]] = {}
    no_case = 0
    for c in codings:
        case = c.get("case")
        if case is None:
            no_case += 1
            if count == "cases":
                continue
        key = _row_key(case, case_attributes.get(case, {}) if case else {}, names)
        row_keys.add(key)
        col = collapse(c["code"], prefix, depth)
        if col not in columns:  # a grouping code coded directly (imported data): its own column
            columns.append(col)
        row = cells.setdefault(key, {})
        if count == "codings":
            row[col] = row.get(col, 0) + 1
        elif count == "words":
            row[col] = row.get(col, 0) + count_words(c.get("text") or "")
        else:
            row.setdefault(col, set()).add(case)
    return _Tally(cells, row_keys, no_case)


def _table_rows(
    ordered: list[tuple], columns: list[str], cells: dict[tuple, dict[str, Any]], count: str
) -> tuple[list[list[float]], list[float]]:
    """(rows with their Totaal, then the Totaal row; the Totaal row alone). With ``cases`` the
    totals count distinct cases, not the sum of the cells."""
    data: list[list[float]] = []
    totals: list[float]
    if count == "cases":
        for key in ordered:
            sets = [cells.get(key, {}).get(col, set()) for col in columns]
            counts: list[float] = [len(s) for s in sets]
            data.append(counts + [len(set().union(*sets))])
        col_sets = [set().union(*(cells.get(k, {}).get(col, set()) for k in ordered)) for col in columns]
        totals = [len(s) for s in (*col_sets, set().union(*col_sets))]
    else:
        for key in ordered:
            vals: list[float] = [cells.get(key, {}).get(col, 0) for col in columns]
            data.append(vals + [sum(vals)])
        totals = [sum(r[i] for r in data) for i in range(len(columns) + 1)]
    data.append(totals)
    return data, totals


def _normalized(data: list[list[float]], totals: list[float], normalize: str) -> list[list[float]]:
    if normalize == "row":
        return [[_pct(v, r[-1]) for v in r] for r in data]
    if normalize == "col":
        return [[_pct(v, totals[i]) for i, v in enumerate(r)] for r in data]
    return data


def _row_index(keys: list[tuple], names: list[str] | None) -> pd.Index:
    """One level named ``case`` or after the one attribute; a MultiIndex for two or more."""
    import pandas as pd

    if names is None:
        return pd.Index([k[0] for k in keys], name="case")
    if len(names) == 1:
        return pd.Index([k[0] for k in keys], name=names[0])
    return pd.MultiIndex.from_tuples(keys, names=names)


def _pct(value: float, total: float) -> float:
    return 100.0 * value / total if total else 0.0


def _totals_note(count: str, normalize: str) -> str:
    what = {"codings": "aantal coderingen", "words": "aantal woorden in gecodeerde passages",
            "cases": "aantal cases (respondenten) met de code"}[count]
    totals = ("Totaal telt verschillende cases, niet de som van de cellen" if count == "cases"
              else "Totaal is de som")
    if normalize == "row":
        return f"Cellen: % van het rijtotaal ({what}); {totals}; de rij Totaal geeft het aandeel per kolom."
    if normalize == "col":
        return f"Cellen: % van het kolomtotaal ({what}); {totals}; de kolom Totaal geeft het aandeel per rij."
    return f"Cellen: {what}; {totals}."


def build_cooccurrence(
    codings: Sequence[Mapping[str, Any]],
    *,
    codebook: Codebook,
    codes: str = "logic",
    unit: str = "turn",
    depth: int | None = None,
    labels: bool = False,
    lang: str = "nl",
) -> pd.DataFrame:
    """Code x code: the number of units (turns, or cases) where both codes are applied.

    The diagonal is the number of units with that code. A unit counts once per pair however many
    codings (or coders) it has, so the table is symmetric and reads as "in how many turns do these
    two codes go together".
    """
    import pandas as pd

    check_choice(unit, UNITS, "--unit")
    prefix = codes.strip()
    codings = [c for c in codings if is_under(c["code"], prefix)]
    columns = code_columns(codebook, prefix, depth, (c["code"] for c in codings))
    units: dict[Any, set[str]] = {}
    skipped = 0
    for c in codings:
        key = c["fragment"] if unit == "turn" else c.get("case")
        if key is None:
            skipped += 1
            continue
        units.setdefault(key, set()).add(collapse(c["code"], prefix, depth))
    for present in units.values():
        for code in present:
            if code not in columns:
                columns.append(code)
    index = {c: i for i, c in enumerate(columns)}
    data = [[0] * len(columns) for _ in columns]
    for present in units.values():
        for a in present:
            for b in present:
                data[index[a]][index[b]] += 1
    header = list(columns)
    if labels:
        mapping = _label_columns(columns, codebook, lang)
        header = [mapping[c] for c in columns]
    df = pd.DataFrame(data, index=pd.Index(header, name="code"), columns=header)
    unit_word = {"turn": "beurten (turns)", "case": "cases"}[unit]
    notes = [f"Cellen: aantal {unit_word} met beide codes; de diagonaal: {unit_word} met die code."]
    if skipped:
        notes.append(f"{skipped} codering(en) zonder case zijn niet geteld")
    df.attrs["notes"] = notes
    df.attrs["unit"] = unit
    return df
