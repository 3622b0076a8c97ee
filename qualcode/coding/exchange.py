"""Exchange files for blind second coding: export one coder's codings, import them elsewhere.

A second coder works in their own copy of the project (same transcripts), exports their codings
and sends the file; the first project imports it. Formats follow the file's extension: ``.csv``
(UTF-8, a header row; ``,`` ``;`` or tab separated, so a spreadsheet can write it), ``.jsonl`` (one
JSON object a line) or ``.json`` (a JSON list, e.g. the output of ``qualcode codings --format json``).

Columns are the keys of ``qualcode codings --format json`` plus ``transcript_hash`` (the hash of the
transcript's canonical text the offsets refer to). For import only ``coder``, ``code`` and
``fragment`` are needed (``coder`` not even with ``--as NAME``); without ``start``/``end`` a coding
covers the whole turn, or the first occurrence of ``text`` in the turn if a text is given.

Import checks every row before changing anything (unknown transcript or fragment, a transcript
whose text changed since the export, unknown code, span outside the turn, text at the span that
differs, bad stance) and reports the first problems with their line numbers in one error; then it
adds the codings as one run ("import") that ``qualcode runs undo`` removes. A coding that already
exists (same coder, code and span) is skipped, so importing a file twice adds nothing. Imported
codings have origin "import"; ids, origins and statuses in the file are not carried over.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.resolve import resolve_code
from qualcode.coding.apply import check_stance, coding_record
from qualcode.errors import InputError
from qualcode.recordfiles import csv_records, jsonl_records, read_utf8
from qualcode.store import Store, now

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook

#: Columns of an exported file: the keys of `qualcode codings --format json`, plus the text hash.
EXPORT_COLUMNS = [
    "id", "coder", "code", "fragment", "transcript", "case", "start", "end", "text", "stance", "memo",
    "origin", "codebook_hash", "status", "transcript_hash",
]
REQUIRED = ("code", "fragment")
MAX_PROBLEMS = 15


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    raise InputError("exchange files are .csv, .jsonl or .json; cannot tell the format from the name", file=path)


# --------------------------------------------------------------------------------------------
# Export


def export_records(store: Store, coder: str) -> list[dict[str, Any]]:
    """A coder's active codings as exchange records (``EXPORT_COLUMNS``)."""

    hashes = store.transcript_hashes()
    return [
        {**coding_record(r), "transcript_hash": hashes.get(r["transcript_id"])}
        for r in store.query_codings(coders=[coder])
    ]


def export_codings(store: Store, coder: str, path: str | Path) -> int:
    """Write a coder's codings to ``path`` (CSV, JSONL or JSON by extension); returns how many."""
    path = Path(path)
    kind = _kind(path)
    if store.coder(coder) is None and not store.has_codings(coder):
        known = store.coder_names()
        raise InputError(f"unknown coder {coder!r}; known coders: {', '.join(known) or 'none yet'}")
    records = export_records(store, coder)
    if kind == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for r in records:
            w.writerow({k: "" if r.get(k) is None else r[k] for k in EXPORT_COLUMNS})
        text = buf.getvalue()
    elif kind == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(records)


# --------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportReport:
    run_id: int | None
    file: str
    rows: int
    imported: int
    skipped: int  # already present (same coder, code and span), or repeated in the file
    coders: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def read_rows(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) for every record of an exchange file; empty CSV cells become ``None``."""
    path = Path(path)
    kind = _kind(path)
    text = read_utf8(path)
    if kind == "csv":
        return list(_csv_rows(path, text))
    if kind == "jsonl":
        return jsonl_records(path, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise InputError("a .json exchange file must be a list of objects", file=path)
    return [(i, d) for i, d in enumerate(data, start=1)]


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    records = csv_records(path, text)
    first = next(records, None)
    if first is None:
        return
    header = [h.strip().lower() for h in first[1]]
    for start_line, cells in records:
        if len(cells) > len(header):
            raise InputError(f"{len(cells)} cells but the header names {len(header)} columns", file=path,
                             line=start_line)
        yield start_line, {h: (c if c.strip() != "" else None) for h, c in zip(header, cells)}


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    try:
        f = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{what} must be a whole number, not {value!r}") from None
    if f != int(f):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    return int(f)


def _str(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value)
    return s if s.strip() else None


def _short(text: str, n: int = 40) -> str:
    text = text.replace("\n", " ")
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def import_codings(
    store: Store,
    codebook: Codebook,
    path: str | Path,
    *,
    as_coder: str | None = None,
    user: str = "unknown",
) -> ImportReport:
    """Validate every row of an exchange file, then add the codings as one run (see module doc)."""

    path = Path(path)
    rows = read_rows(path)
    as_coder = _str(as_coder)
    if as_coder is not None:
        as_coder = as_coder.strip()
    _check_columns(rows, as_coder, path)
    checker = _RowChecker(store, codebook, as_coder, store.transcript_hashes())
    problems = _Problems()
    planned: list[tuple[int, dict[str, Any]]] = []
    for line, raw in rows:
        try:
            planned.append((line, checker.coding(raw)))
        except _RowProblem as exc:
            problems.add(line, str(exc))
    problems.raise_if_any(path)
    new_rows = _new_codings(store, codebook, planned)
    coders = sorted({r["coder"] for r in new_rows})
    report = ImportReport(None, str(path), len(rows), len(new_rows), len(planned) - len(new_rows), coders)
    if not new_rows:
        return report
    params = {"file": str(path), "as": as_coder, "rows": len(rows)}
    with store.run("import", user, params, codebook.hash) as run_id:
        store.remember_codebook(codebook.hash, codebook.id, ",".join(codebook.files), codebook.to_dict())
        for c in coders:
            store.ensure_coder(c, note=f"imported from {path.name}")
        for r in new_rows:
            r["run_id"] = run_id
        store.insert_many("codings", new_rows)
        store.set_run_summary(run_id, {"imported": len(new_rows), "skipped": report.skipped, "coders": coders})
    report.run_id = run_id
    return report


def _check_columns(rows: list[tuple[int, dict[str, Any]]], as_coder: str | None, path: Path) -> None:
    """Refuse a file without the columns every row needs (coder may come from ``--as``)."""
    if not rows:
        return
    columns = set().union(*(r.keys() for _, r in rows))
    missing = [c for c in REQUIRED if c not in columns] + ([] if as_coder or "coder" in columns else ["coder"])
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)} (an exchange file needs coder, code and fragment; "
            "coder may be left out with --as NAME)",
            file=path,
        )


class _RowProblem(Exception):
    """What is wrong with one row: collected with its line number, so one error lists them all."""


@dataclass
class _Problems:
    """The problems found so far: the first ``MAX_PROBLEMS`` in full, the rest counted."""

    messages: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_PROBLEMS:
            self.messages.append(f"line {line}: {message}")

    def raise_if_any(self, path: Path) -> None:
        if self.count:
            more = f"\n  ... and {self.count - len(self.messages)} more" if self.count > len(self.messages) else ""
            raise InputError(
                f"{self.count} problem(s); nothing imported:\n  " + "\n  ".join(self.messages) + more, file=path
            )


@dataclass
class _RowChecker:
    """Turns one row into a coding to add, or raises :class:`_RowProblem` saying why it cannot.

    Fragments and transcript texts are looked up once per file, not once per row.
    """

    store: Store
    codebook: Codebook
    as_coder: str | None
    hashes: dict[str, str]  # transcript id -> hash of its canonical text
    fragments: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def coding(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The coding a row stands for, checked in the order a reader fixes a row: who, where, what, which text."""
        row = {str(k).strip().lower(): v for k, v in raw.items()}
        coder = self.coder(row)
        tid, fid, frag = self.fragment(row)
        code, stance = self.code_and_stance(row)
        s, e, covered = self.span(row, tid, fid, frag)
        return {
            "coder": coder, "code": code, "transcript_id": tid, "fragment_id": fid, "start": s, "end": e,
            "text": covered, "stance": stance, "memo": _str(row.get("memo")),
        }

    def coder(self, row: dict[str, Any]) -> str:
        coder = self.as_coder or _str(row.get("coder"))
        if coder is None:
            raise _RowProblem("no coder (fill the coder column or use --as NAME)")
        coder = coder.strip()
        if coder.startswith("auto:"):
            raise _RowProblem(f"coder {coder!r}: names starting with 'auto:' are reserved for suggestion engines")
        return coder

    def fragment(self, row: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """(transcript id, fragment id, fragment): known, and in a transcript whose text has not changed."""
        fid = _str(row.get("fragment"))
        if fid is None:
            raise _RowProblem("no fragment (ids look like <transcript>:<n>)")
        fid = fid.strip()
        tid, sep, n = fid.rpartition(":")
        if not sep or not tid:
            raise _RowProblem(f"fragment {fid!r} is not of the form <transcript>:<n>")
        if tid not in self.hashes:
            raise _RowProblem(f"unknown transcript {tid!r} (fragment {fid}); import into a project with the same "
                              "transcripts")
        given_tid = _str(row.get("transcript"))
        if given_tid is not None and given_tid.strip() != tid:
            raise _RowProblem(f"fragment {fid} is not in transcript {given_tid.strip()!r}")
        if fid not in self.fragments:
            self.fragments[fid] = self.store.fragment(fid)
        frag = self.fragments[fid]
        if frag is None:
            raise _RowProblem(f"unknown fragment {fid!r}: transcript {tid} has no turn {n}")
        given_hash = _str(row.get("transcript_hash"))
        if given_hash is not None and given_hash.strip() != self.hashes[tid]:
            raise _RowProblem(f"transcript {tid} has changed since the export (its text hash differs); the offsets "
                              "no longer fit: re-export from a project with the same transcript text")
        return tid, fid, frag

    def code_and_stance(self, row: dict[str, Any]) -> tuple[str, str | None]:
        code = _str(row.get("code"))
        if code is None:
            raise _RowProblem("no code")
        try:
            resolve_code(self.codebook, code.strip(), codable=True)
            stance = check_stance(_str(row.get("stance")))
        except InputError as exc:
            raise _RowProblem(str(exc)) from None
        return code.strip(), stance

    def span(self, row: dict[str, Any], tid: str, fid: str, frag: dict[str, Any]) -> tuple[int, int, str]:
        """(start, end, covered text): the given span, else the first occurrence of the given
        text in the turn, else the whole turn; a given text must be what the span covers."""
        if tid not in self.texts:
            self.texts[tid] = self.store.transcript_text(tid)
        body = self.texts[tid][frag["start"] : frag["end"]]
        given_text = _str(row.get("text"))
        if given_text is not None:
            given_text = unicodedata.normalize("NFC", given_text.replace("\r\n", "\n"))
        s_raw, e_raw = row.get("start"), row.get("end")
        s_raw = None if _str(s_raw) is None else s_raw
        e_raw = None if _str(e_raw) is None else e_raw
        if (s_raw is None) != (e_raw is None):
            raise _RowProblem("give both start and end, or neither (the whole turn)")
        if s_raw is not None:
            try:
                s, e = _int(s_raw, "start"), _int(e_raw, "end")
            except ValueError as exc:
                raise _RowProblem(str(exc)) from None
            if not (frag["start"] <= s < e <= frag["end"]):
                raise _RowProblem(f"span {s}:{e} is out of range: fragment {fid} spans {frag['start']}:{frag['end']} "
                                  "(offsets are code points in the transcript's text)")
            covered = self.texts[tid][s:e]
            if given_text is not None and given_text != covered:
                raise _RowProblem(f"text at {s}:{e} differs: the file has {_short(given_text)}, the transcript "
                                  f"{_short(covered)}")
            return s, e, covered
        if given_text is not None:
            i = body.find(given_text)
            if i < 0:
                raise _RowProblem(f"text {_short(given_text)} does not occur in fragment {fid}")
            return frag["start"] + i, frag["start"] + i + len(given_text), given_text
        return frag["start"], frag["end"], body


def _new_codings(store: Store, codebook: Codebook, planned: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The planned codings the coder does not have yet (same code and span), each once, as rows to insert."""
    existing: dict[str, set[tuple[str, str, int, int]]] = {}
    new_rows: list[dict[str, Any]] = []
    stamp = now()
    for _, r in planned:
        keys = existing.setdefault(r["coder"], store.coding_keys(r["coder"]))
        key = (r["code"], r["transcript_id"], r["start"], r["end"])
        if key in keys:
            continue
        keys.add(key)
        new_rows.append({**r, "origin": "import", "suggestion_id": None, "run_id": None,
                         "codebook_hash": codebook.hash, "created_at": stamp, "status": "active"})
    return new_rows
