"""Reading the record files users hand to qualcode (CSV with a header, JSON Lines), with the line of
every record, so that a bad row is reported as file:line: problem.

Why one module: exchange files of codings, gold files of labelled quotes and files of known
variants are all such files; they must decode, sniff the delimiter and report broken records the
same way (a NUL byte or an unclosed quote is bad input with a line, never a traceback).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from qualcode.errors import InputError


def read_utf8(path: Path, missing: str = "no such file") -> str:
    """The text of ``path`` (UTF-8, a BOM allowed); ``missing`` is the message when it is not a file."""
    if not path.is_file():
        raise InputError(missing, file=path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8",
                         file=path) from None


def jsonl_records(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, object) for every non-blank line; a line that is not a JSON object stops with its line."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=path, line=n) from None
        if not isinstance(obj, dict):
            raise InputError("each line must be a JSON object", file=path, line=n)
        out.append((n, obj))
    return out


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of ``,`` ``;`` and tab (``,`` when none)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    best = max(",;\t", key=first.count)
    return best if first.count(best) else ","


def csv_records(path: Path, text: str, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of every non-blank record, the header included; a broken record (a NUL
    byte, a cell over the size limit, an unclosed quote) is an InputError at its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"unreadable CSV: {exc}", file=path, line=line) from None
        start, line = line, reader.line_num + 1
        if any(c.strip() for c in cells):
            yield start, cells


class HasSplit(Protocol):
    split: str | None


Row = TypeVar("Row", bound=HasSplit)


def select_split(rows: Sequence[Row], split: str | None, source: str | Path, what: str = "item") -> list[Row]:
    """The rows of one half of a file with a ``split`` column (``dev``, ``heldout``); ``None`` or
    ``"all"``: every row. A split no row has, or a file without the column, is refused: a typo must
    not silently score nothing or everything."""
    if split is None or split == "all":
        return list(rows)
    present = sorted({r.split for r in rows if r.split})
    if not present:
        raise InputError(f"--split {split}: the file has no 'split' column (use --split all)", file=source)
    chosen = [r for r in rows if r.split == split]
    if not chosen:
        raise InputError(f"--split {split}: no {what} has that split (splits in the file: {', '.join(present)})",
                         file=source)
    return chosen
