"""Citation tables: coded passages as quotes with a respondent label, for papers.

Why a module of its own: authors cite interview passages with a label that lets a reader trace
every quote ("(Adm01_r3, Klantenteam)"), shortened to what the argument needs, and sometimes the
whole turn with the coded part in bold so the context stays visible. The functions here work on
plain data (coding dicts, case attributes, turn texts); :meth:`qualcode.project.Project.quotes`
gathers that data from the project and returns the DataFrame, and :func:`quote_tables` turns the
DataFrame into :class:`qualcode.export.Table` objects for every output format.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.export.table import Table, cell_text, table_from_frame
from qualcode.tables.frame import UNKNOWN, natural_key

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.codebook.model import Codebook
    from qualcode.export.table import Table

ELLIPSIS = "(...)"
BASE_COLUMNS = ["code", "code_label", "quote", "citation", "case", "fragment", "stance", "coder"]
GROUP_BY = ("code", "case")

_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")


# -- text helpers ---------------------------------------------------------------------------
def squash(text: str) -> str:
    """Runs of white space (line breaks of continued turns, double spaces) as one space.

    Why: a quote in a table cell reads as one paragraph; the canonical text keeps line breaks.
    """
    return _SPACE.sub(" ", text)


def count_words(text: str) -> int:
    """Words as ingest counts them: white-space separated tokens."""
    return len(text.split())


def shorten(text: str, max_words: int | None) -> str:
    """``text`` cut to ``max_words`` words with ``(...)`` in the middle, never inside a word.

    Keeps the first ``ceil(max_words / 2)`` and the last ``floor(max_words / 2)`` words, because a
    quote's opening sets the topic and its end usually carries the point. The text between the
    kept words is replaced by `` (...) ``; the kept parts keep their original spacing.
    """
    text = squash(text).strip()
    if max_words is None:
        return text
    if max_words < 1:
        raise InputError(f"--max-words must be at least 1, not {max_words}")
    words = list(_WORD.finditer(text))
    if len(words) <= max_words:
        return text
    head = (max_words + 1) // 2
    tail = max_words - head
    first = text[: words[head - 1].end()]
    if tail == 0:
        return f"{first} {ELLIPSIS}"
    return f"{first} {ELLIPSIS} {text[words[-tail].start():]}"


def _first_words(text: str, n: int) -> str:
    """The first ``n`` words of ``text`` (squashed), with `` (...)`` when something was cut."""
    words = list(_WORD.finditer(text))
    if n <= 0:
        return f" {ELLIPSIS}" if words else ""
    if len(words) <= n:
        return text.rstrip()
    return text[: words[n - 1].end()] + f" {ELLIPSIS}"


def _last_words(text: str, n: int) -> str:
    """The last ``n`` words of ``text`` (squashed), with ``(...) `` when something was cut."""
    words = list(_WORD.finditer(text))
    if n <= 0:
        return f"{ELLIPSIS} " if words else ""
    if len(words) <= n:
        return text.lstrip()
    return f"{ELLIPSIS} " + text[words[-n].start():]


def _bold(text: str) -> str:
    """``**text**`` with surrounding white space kept outside the markers (Markdown needs that)."""
    m = re.fullmatch(r"(\s*)(.*?)(\s*)", text, flags=re.S)
    assert m is not None
    lead, body, trail = m.groups()
    return f"{lead}**{body}**{trail}" if body else text


def in_context(turn: str, start: int, end: int, max_words: int | None = None) -> str:
    """The whole turn with ``turn[start:end]`` (the coded part) in ``**bold**``.

    With ``max_words`` the coded part is shortened like a quote when it alone is too long, and
    otherwise the remaining word budget goes to the context nearest the coded part (half before,
    half after; a side that needs less leaves the rest to the other), cut at word boundaries and
    marked with ``(...)``. The coded part itself is never cut to make room for context.
    """
    start, end = max(0, start), min(len(turn), end)
    before, coded, after = squash(turn[:start]), squash(turn[start:end]), squash(turn[end:])
    if max_words is not None:
        if max_words < 1:
            raise InputError(f"--max-words must be at least 1, not {max_words}")
        n_coded = count_words(coded)
        if n_coded >= max_words:
            lead = " " if coded[:1].isspace() else ""
            trail = " " if coded[-1:].isspace() else ""
            coded = lead + shorten(coded, max_words) + trail
            before, after = _last_words(before, 0), _first_words(after, 0)
        else:
            budget = max_words - n_coded
            nb, na = count_words(before), count_words(after)
            take_b = min(nb, budget // 2)
            take_a = min(na, budget - take_b)
            take_b = min(nb, budget - take_a)
            before, after = _last_words(before, take_b), _first_words(after, take_a)
    return (before + _bold(coded) + after).strip()


# -- citation labels ------------------------------------------------------------------------
_EMPTY_FIELD_CLEANUPS = [
    (re.compile(r"\(\s*[,;/–-]\s*"), "("),      # "(, Team Een)" -> "(Team Een)"
    (re.compile(r"\s*[,;/–-]\s*\)"), ")"),      # "(T01_r1, )" -> "(T01_r1)"
    (re.compile(r"([,;])(\s*[,;])+"), r"\1"),   # "a, , b" -> "a, b"
    (re.compile(r"\(\s*\)"), ""),               # "()" -> ""
    (re.compile(r"\s{2,}"), " "),
]


def _label_value(value: Any, spec: str) -> str:
    if value is None:
        return ""
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            pass

    if hasattr(value, "isoformat"):
        return value.isoformat()
    return cell_text(value)


def citation_label(template: str, values: Mapping[str, Any]) -> str:
    """Fill a citation template such as ``({case}, {team})`` from a case's values.

    Any case attribute may appear in braces, plus ``case``, ``fragment``, ``transcript``, ``code``
    and ``coder``. A name the case does not have becomes empty (never a KeyError: one respondent
    without a team must not break a whole table), and the separator left dangling next to it is
    dropped, so ``({case}, {team})`` gives ``(T01_r1)`` rather than ``(T01_r1, )``.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InputError(f"citation template {template!r} is not valid: {exc}") from None
    out: list[str] = []
    empty_field = False
    for literal, name, spec, _conv in parsed:
        out.append(literal)
        if name is None:
            continue
        text = _label_value(values.get(name.strip()), spec or "")
        empty_field = empty_field or text == ""
        out.append(text)
    label = "".join(out)
    if empty_field:
        for pattern, repl in _EMPTY_FIELD_CLEANUPS:
            label = pattern.sub(repl, label)
        label = label.strip()
    return label


# -- collecting quotes ----------------------------------------------------------------------
@dataclass
class QuoteOptions:
    """What :func:`collect_quotes` makes of the codings."""

    citation: str = "({case}, {team})"
    case_attrs: Sequence[str] = ("gemeente", "team")
    max_words: int | None = None
    context: bool = False
    group_by: str = "code"
    lang: str = "nl"


def code_order(codebook: Codebook) -> Callable[[str], tuple[int, str]]:
    """Sort key: codebook tree order, unknown (imported) codes after them by id."""
    index = {c: i for i, c in enumerate(codebook.codes)}
    return lambda code: (index.get(code, len(index)), code)


def collect_quotes(
    codings: Sequence[Mapping[str, Any]],
    *,
    codebook: Codebook,
    case_attributes: Mapping[str, Mapping[str, Any]],
    turns: Mapping[str, tuple[int, str]] | None = None,
    options: QuoteOptions | None = None,
) -> list[dict[str, Any]]:
    """Quote records (the rows of :meth:`Project.quotes`) from coding dicts.

    ``codings`` are ``coding_rows()`` dicts; ``case_attributes`` maps case id to its attributes;
    ``turns`` maps fragment id to ``(turn start offset, turn text)`` and is needed for ``context``.
    Codings of the same code on the same span by several coders become one quote, with the
    coders (and their stances, when they differ) listed, so a citation table never repeats
    itself because two people coded the same passage.
    """
    opts = options or QuoteOptions()
    if opts.group_by not in GROUP_BY:
        raise InputError(f"group quotes by one of {', '.join(GROUP_BY)}, not {opts.group_by!r}")
    merged: dict[tuple, dict[str, Any]] = {}
    for c in codings:
        key = (c["code"], c["transcript"], c["start"], c["end"])
        m = merged.get(key)
        if m is None:
            merged[key] = m = {"coding": c, "coders": [], "stances": []}
        if c["coder"] not in m["coders"]:
            m["coders"].append(c["coder"])
        if c.get("stance") and c["stance"] not in m["stances"]:
            m["stances"].append(c["stance"])
    records = []
    for m in merged.values():
        c = m["coding"]
        case = c.get("case")
        attrs = dict(case_attributes.get(case, {})) if case else {}
        turn = (turns or {}).get(c["fragment"])
        if opts.context and turn is not None:
            turn_start, turn_text = turn
            quote = in_context(turn_text, c["start"] - turn_start, c["end"] - turn_start, opts.max_words)
        else:
            quote = shorten(c["text"] or "", opts.max_words)
        values = {**attrs, "case": case, "fragment": c["fragment"], "transcript": c["transcript"],
                  "code": c["code"], "coder": ", ".join(sorted(m["coders"]))}
        record = {
            "code": c["code"],
            "code_label": codebook.label_of(c["code"], opts.lang),
            "quote": quote,
            "citation": citation_label(opts.citation, values),
            "case": case,
            "fragment": c["fragment"],
            "stance": ", ".join(m["stances"]) or None,
            "coder": ", ".join(sorted(m["coders"])),
        }
        for a in opts.case_attrs:
            if a not in record:
                record[a] = attrs.get(a)
        record["_sort"] = (c["transcript"], c["start"], c["end"])
        records.append(record)
    order = code_order(codebook)
    if opts.group_by == "code":
        records.sort(key=lambda r: (order(r["code"]), natural_key(r["_sort"][0]), r["_sort"][1:]))
    else:
        records.sort(key=lambda r: (natural_key(r["case"]), natural_key(r["_sort"][0]), r["_sort"][1:],
                                    order(r["code"])))
    for r in records:
        del r["_sort"]
    return records


def quotes_frame(records: Sequence[Mapping[str, Any]], case_attrs: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    columns = BASE_COLUMNS + [a for a in case_attrs if a not in BASE_COLUMNS]
    df = pd.DataFrame(list(records), columns=columns, dtype=object)
    return df.where(df.notna(), None)  # missing stances and attributes as None, not NaN


DEFAULT_CASE_ATTRS = ("gemeente", "team")


def check_case_attrs(case_attrs: Sequence[str], known: Iterable[str]) -> None:
    """An attribute no case has is a typo, unless it is one of the defaults (a project without
    teams still gets a quotes table, with an empty team column)."""
    known_set = set(known)
    for a in case_attrs:
        if a not in known_set and a not in DEFAULT_CASE_ATTRS:
            shown = ", ".join(sorted(known_set)) or "none"
            raise InputError(f"no case has an attribute {a!r}; case attributes: {shown}")


# -- tables for the writers -----------------------------------------------------------------
GROUP_COLUMNS = {"code": ["quote", "citation", "fragment", "stance", "coder"],
                 "case": ["code", "code_label", "quote", "fragment", "stance", "coder"]}


def _records(df: pd.DataFrame, columns: Sequence[str]) -> list[list[Any]]:

    return table_from_frame(df[list(columns)]).rows


def quote_tables(
    df: pd.DataFrame,
    *,
    group_by: str = "code",
    layout: str = "groups",
    case_attrs: Sequence[str] = (),
    family_labels: Mapping[str, str] | None = None,
) -> list[Table]:
    """The quotes DataFrame as tables for :func:`qualcode.export.write_tables`.

    ``layout``:
      - ``groups``: one table per code (caption: code label and path) or per case (caption: case
        id and its attributes), with only the columns a reader needs (md, tex, docx, terminal);
      - ``families``: one table per top-level code family with every column, each its own XLSX
        sheet named after the family, so a spreadsheet stays browsable with hundreds of quotes;
      - ``flat``: one table with every column (csv, json: what scripts read).
    """

    all_columns = list(df.columns)
    if layout == "flat":
        return [Table(all_columns, _records(df, all_columns), title="Citaten")]
    if layout == "families":
        tables = []
        families = df["code"].map(lambda c: str(c).split(".")[0])
        for fam in dict.fromkeys(families):
            part = df[families == fam]
            label = (family_labels or {}).get(fam, fam)
            tables.append(Table(all_columns, _records(part, all_columns), title=label, sheet=fam))
        return tables
    if layout != "groups":
        raise ValueError(f"unknown layout {layout!r}")
    if group_by not in GROUP_BY:
        raise InputError(f"group quotes by one of {', '.join(GROUP_BY)}, not {group_by!r}")
    columns = GROUP_COLUMNS[group_by]
    tables = []
    keys = df[group_by].map(lambda v: UNKNOWN if v is None or v != v else v)
    for key in dict.fromkeys(keys):
        part = df[keys == key]
        if group_by == "code":
            title = f"{part['code_label'].iloc[0]} ({key})"
        else:
            attrs = [str(part[a].iloc[0]) for a in case_attrs if a in part and part[a].iloc[0] is not None
                     and part[a].iloc[0] == part[a].iloc[0]]
            title = f"{key} ({', '.join(attrs)})" if attrs else str(key)
        tables.append(Table(columns, _records(part, columns), title=title, sheet=str(key)))
    return tables


def _n_coders(value: Any) -> int:
    return len([c for c in str(value or "").split(",") if c.strip()])


def pick_top_quotes(df: pd.DataFrame, n: int, max_words: int | None = None) -> pd.DataFrame:
    """The ``n`` quotes of one code a reader should see first.

    Order of preference: passages more coders agree on; then quotes of a readable length (12 words
    up to ``max_words``, shortened ones count as too long); then document order. Quotes from
    cases not yet shown come before a second quote from the same case, so the selection shows
    the spread of respondents rather than one talkative one.
    """
    if df.empty:
        return df
    def key(i: int) -> tuple:
        row = df.iloc[i]
        quote = str(row["quote"])
        words = count_words(quote)
        readable = 12 <= words and ELLIPSIS not in quote and (max_words is None or words <= max_words)
        return (-_n_coders(row.get("coder")), 0 if readable else 1, i)

    order = sorted(range(len(df)), key=key)
    chosen: list[int] = []
    seen: set[Any] = set()
    for i in order:
        case = df.iloc[i]["case"]
        if case not in seen:
            chosen.append(i)
            seen.add(case)
        if len(chosen) == n:
            break
    for i in order:
        if len(chosen) >= n:
            break
        if i not in chosen:
            chosen.append(i)
    return df.iloc[sorted(chosen, key=order.index)]
