"""Typed attributes of cases and transcripts: text, number, date, boolean.

Why typed: tables average numbers (caseload per team), sort dates and split on yes/no
features; storing everything as text would push guessing into every analysis. Values are
stored as text plus a type and turned back into Python values on the way out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from qualcode.errors import InputError
from qualcode.recordfiles import csv_records
from qualcode.transcripts.decode import decode_bytes

TYPES = ("text", "number", "date", "boolean")
_TRUE = {"true", "ja", "yes", "waar", "j", "y"}
_FALSE = {"false", "nee", "no", "onwaar", "n"}
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+[.,]\d+|\d+\.|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Typed:
    """A value as stored: its text form and its type."""

    value: str | None
    type: str


def to_stored(value: Any) -> Typed:
    """Python value (from YAML front matter or code) -> stored text and type."""
    if value is None:
        return Typed(None, "text")
    if isinstance(value, bool):
        return Typed("true" if value else "false", "boolean")
    if isinstance(value, (int, float)):
        return Typed(_number_text(value), "number")
    if isinstance(value, datetime):
        return Typed(value.date().isoformat(), "date")
    if isinstance(value, date):
        return Typed(value.isoformat(), "date")
    return Typed(str(value), "text")


def from_stored(value: str | None, type_: str) -> Any:
    """Stored text and type -> Python value (bool, int/float, date or str)."""
    if value is None:
        return None
    if type_ == "boolean":
        return value == "true"
    if type_ == "number":
        f = float(value)
        return int(f) if f.is_integer() and "." not in value else f
    if type_ == "date":
        return date.fromisoformat(value)
    return value


def parse_value(text: str, type_: str | None = None) -> Typed:
    """A value typed by a person (CSV cell, ``cases set key=value``) -> stored form.

    Without ``type_`` the type is inferred: yes/no words are boolean, plain numbers (also with a
    decimal comma) are numbers, ISO dates are dates, anything else is text.
    """
    s = text.strip()
    if s == "":
        return Typed(None, type_ or "text")
    if type_ is None:
        type_ = infer_type(s)
    if type_ == "text":
        return Typed(s, "text")
    if type_ == "boolean":
        low = s.lower()
        if low in _TRUE:
            return Typed("true", "boolean")
        if low in _FALSE:
            return Typed("false", "boolean")
        raise ValueError(f"{s!r} is not a yes/no value (ja/nee, true/false)")
    if type_ == "number":
        if _INT.match(s):
            return Typed(str(int(s)), "number")
        if _FLOAT.match(s):
            return Typed(_number_text(float(s.replace(",", "."))), "number")
        raise ValueError(f"{s!r} is not a number")
    if type_ == "date":
        try:
            return Typed(date.fromisoformat(s).isoformat(), "date")
        except ValueError:
            raise ValueError(f"{s!r} is not a date (use YYYY-MM-DD)") from None
    raise ValueError(f"unknown attribute type {type_!r}; use one of {', '.join(TYPES)}")


def infer_type(s: str) -> str:
    low = s.strip().lower()
    if low in _TRUE | _FALSE:
        return "boolean"
    if _INT.match(low) or _FLOAT.match(low):
        return "number"
    if _DATE.match(low):
        try:
            date.fromisoformat(low)
            return "date"
        except ValueError:
            return "text"
    return "text"


def _number_text(value: float | int) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def check_key(key: str, file: str | Path | None = None, line: int | None = None) -> str:
    """Attribute names must be simple so that templates like ``{team}`` can use them."""
    if not _KEY.match(key):
        raise InputError(
            f"attribute name {key!r} is not allowed (letters, digits, _ . -; starting with a letter)",
            file=file,
            line=line,
        )
    return key


def read_csv_rows(path: str | Path, what: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a CSV a person keeps (attributes, speakers), with the line each starts on.

    Decoded like a transcript (UTF-8 with or without BOM, UTF-16, cp1252: these files come out of
    Excel), then read by :func:`qualcode.recordfiles.csv_records` (delimiter sniffed from the
    header: ``,`` ``;`` or tab; a broken record is bad input at its line). ``what`` names the file.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError:
        raise InputError(f"{what} not found", file=p) from None
    return list(csv_records(p, decode_bytes(raw, p)))


def read_attributes_csv(path: Path) -> dict[str, dict[str, Typed]]:
    """Read a CSV of case attributes keyed by case id (first column).

    A header may fix a column's type with ``name:type`` (``caseload:number``); otherwise the type
    is inferred per column from all its non-empty cells, so one odd cell makes the column text
    rather than silently mixing types. Semicolon-separated files (Dutch Excel) are detected.
    """
    numbered = read_csv_rows(path, "attributes file")
    rows = [r for _, r in numbered]
    if not rows:
        raise InputError("attributes file is empty", file=path, line=1)
    header = [h.strip() for h in rows[0]]
    if len(header) < 2:
        raise InputError("attributes file needs a case id column and at least one attribute column", file=path, line=1)
    names: list[str] = []
    forced: list[str | None] = []
    for h in header[1:]:
        name, _, type_ = h.partition(":")
        name = check_key(name.strip(), path, 1)
        if type_ and type_.strip() not in TYPES:
            raise InputError(
                f"unknown type {type_!r} in column {h!r}; use one of {', '.join(TYPES)}", file=path, line=1
            )
        names.append(name)
        forced.append(type_.strip() or None)
    if len(set(names)) != len(names):
        raise InputError("duplicate column names in header", file=path, line=1)
    body = rows[1:]
    types: list[str] = []
    for j, f in enumerate(forced):
        if f:
            types.append(f)
            continue
        cells = [r[j + 1].strip() for r in body if len(r) > j + 1 and r[j + 1].strip()]
        kinds = {infer_type(c) for c in cells}
        types.append(kinds.pop() if len(kinds) == 1 else "text")
    out: dict[str, dict[str, Typed]] = {}
    for i, r in numbered[1:]:
        if len(r) > len(header):
            raise InputError(f"row has {len(r)} cells but the header has {len(header)}", file=path, line=i)
        case_id = r[0].strip()
        if not case_id:
            raise InputError("empty case id in the first column", file=path, line=i)
        if case_id in out:
            raise InputError(f"case {case_id!r} appears twice", file=path, line=i)
        values: dict[str, Typed] = {}
        for j, name in enumerate(names):
            cell = r[j + 1] if len(r) > j + 1 else ""
            try:
                values[name] = parse_value(cell, types[j])
            except ValueError as exc:
                raise InputError(f"column {name!r}: {exc}", file=path, line=i) from None
        out[case_id] = values
    return out


def effective_case_attributes(
    transcript_attributes: Iterable[Mapping[str, Any]],
    case_attributes: Iterable[Mapping[str, Any]],
    links: Iterable[tuple[str, str]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """A case's own attributes, plus transcript attributes that all its transcripts share.

    Why: a group interview's front matter (gemeente, team) describes every respondent in it,
    but a value that differs between a case's transcripts (a date) says nothing about the case.
    The inputs are stored attribute rows (``owner_id, key, value, type, source``) and the
    (case, transcript) pairs; the result maps case id -> key -> ``{value, type, source}``.
    """
    out: dict[str, dict[str, dict[str, Any]]] = {}
    tattrs: dict[str, dict[str, tuple[Any, str]]] = {}
    for a in transcript_attributes:
        tattrs.setdefault(a["owner_id"], {})[a["key"]] = (from_stored(a["value"], a["type"]), a["type"])
    per_case: dict[str, list[str]] = {}
    for case_id, tid in links:
        per_case.setdefault(case_id, []).append(tid)
    for case_id, tids in per_case.items():
        common: dict[str, tuple[Any, str]] | None = None
        for tid in tids:
            cur = tattrs.get(tid, {})
            common = dict(cur) if common is None else {k: v for k, v in common.items() if cur.get(k) == v}
        for key, (value, type_) in (common or {}).items():
            out.setdefault(case_id, {})[key] = {"value": value, "type": type_, "source": "transcript"}
    for a in case_attributes:
        out.setdefault(a["owner_id"], {})[a["key"]] = {
            "value": from_stored(a["value"], a["type"]),
            "type": a["type"],
            "source": a["source"],
        }
    return out

