"""Taguette's files: its codebook CSV (read and written) and its highlights export (read).

Taguette (a web application for qualitative coding) exchanges codebooks as REFI-QDA QDC or
as CSV, but imports only CSV; its tags are flat and name their hierarchy with dots or
slashes (:mod:`qualcode.refi.tagpaths`). Its QDC is read by :func:`qualcode.refi.qdc.import_qdc`.

Codebook CSV (what Taguette's "Import codebook" reads: ``taguette/import_codebook.py``): a
header row naming a column ``tag`` (or ``name`` or ``path``) and optionally ``description``;
other columns (Taguette's own export adds ``number of highlights`` and ``number of
documents``) are ignored. qualcode writes ``tag,description``: one row per codable code,
the tag being the code id (``logic.bureaucratic``, so Taguette shows the hierarchy and a
round trip gives the same ids) and the description its definition (its label when it has
none). Codes that are not codable are left out: every Taguette tag can be applied, and the
dotted names keep their place in the tree. The file is UTF-8 with a byte-order mark (Taguette
guesses the encoding with chardet, which the mark makes certain) and CRLF line ends.

Highlights export (``all_tags.csv`` or ``.xlsx``, columns ``id, document, tag, content``, one
row per highlight and tag) has no positions, no coder and no file names: only the
document's name in Taguette and the snippet's plain text. :func:`import_highlights` finds
each snippet in a transcript (:func:`qualcode.refi.offsets.locate_snippet`: white space not
counted) and codes, as one coder, the respondent turns it covers (a snippet across a
paragraph break gives one coding per turn, each on that turn's words). Rows it cannot place
are reported with their line and why (no such document or code, not found, found more than
once, no tag), never guessed; the rest is one run that ``qualcode runs undo`` removes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import Codebook, RuleSettings, codebook_id_from_name
from qualcode.errors import InputError
from qualcode.recordfiles import csv_records
from qualcode.refi.offsets import Squeezed, locate_snippet
from qualcode.refi.qdpx_import import transcript_id_for
from qualcode.refi.tagpaths import Tag, codebook_from_tags, tag_code_id
from qualcode.store import now
from qualcode.transcripts.decode import decode_bytes

if TYPE_CHECKING:
    from qualcode.project import Project

__all__ = ["HighlightRow", "HighlightsImport", "import_highlights", "read_codebook_csv", "read_highlights",
           "taguette_codebook_csv"]

HIGHLIGHT_COLUMNS = ("id", "document", "tag", "content")
MAX_ROWS = 1_000_000
Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------------------
# codebook CSV
# --------------------------------------------------------------------------------------


def taguette_codebook_csv(cb: Codebook) -> bytes:
    """``cb`` as a codebook CSV that Taguette imports (see the module docstring)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["tag", "description"])
    rows = 0
    for code in cb.codes.values():
        if not code.codable:
            continue
        description = " ".join(code.definition.split()) or code.label.get(cb.language) or code.segment
        writer.writerow([code.id, description])
        rows += 1
    if rows == 0:
        raise InputError(f"codebook '{cb.id}' has no codable codes; Taguette needs at least one tag")
    return buf.getvalue().encode("utf-8-sig")


def _text_of(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=path) from None
    return decode_bytes(data, path)


def read_codebook_csv(path: str | Path, *, language: str = "nl") -> Codebook:
    """A codebook from a tag CSV (Taguette's codebook export, or one written for its import):
    the hierarchy from the tag names (:mod:`qualcode.refi.tagpaths`), descriptions as definitions."""
    path = Path(path)
    rows = list(csv_records(path, _text_of(path)))
    if not rows:
        raise InputError("empty file: expected a header row with a 'tag' column", file=path, line=1)
    header = [h.strip().lower() for h in rows[0][1]]
    names = [h for h in ("tag", "name", "path") if h in header]
    if len(names) != 1:
        found = ", ".join(repr(h) for h in header) or "nothing"
        why = "several of" if names else "none of"
        raise InputError(f"the header has {why} the columns 'tag', 'name', 'path' (one names the tag; found "
                         f"{found})", file=path, line=1)
    col, desc = header.index(names[0]), header.index("description") if "description" in header else None
    tags: list[Tag] = []
    for line, cells in rows[1:]:
        name = cells[col].strip() if col < len(cells) else ""
        if not name:
            raise InputError("empty tag name", file=path, line=line)
        description = cells[desc].strip() if desc is not None and desc < len(cells) else ""
        tags.append(Tag(name, description, line))
    lang = language if language in ("nl", "en") else "nl"
    cb = Codebook(id=codebook_id_from_name(path.stem), title=path.stem, language=lang, rules=RuleSettings(),
                  files=[str(path)])
    codebook_from_tags(tags, cb, source_file=str(path))
    return cb


# --------------------------------------------------------------------------------------
# highlights export
# --------------------------------------------------------------------------------------


@dataclass
class HighlightRow:
    """One row of a highlights export: a highlight with one of its tags."""

    line: int  # the file's line (CSV) or row (XLSX) where the row starts
    id: str
    document: str
    tag: str
    content: str


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_map(header: list[str], path: Path) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    missing = [c for c in HIGHLIGHT_COLUMNS if c not in names]
    if missing:
        raise InputError(f"not a Taguette highlights export: no column {', '.join(map(repr, missing))} (expected "
                         f"{', '.join(HIGHLIGHT_COLUMNS)})", file=path, line=1)
    return {c: names.index(c) for c in HIGHLIGHT_COLUMNS}


def _rows(cells: list[Any], cols: dict[str, int], line: int) -> HighlightRow:
    get = lambda c: _cell(cells[cols[c]]) if cols[c] < len(cells) else ""  # noqa: E731
    return HighlightRow(line, get("id").strip(), get("document").strip(), get("tag").strip(), get("content"))


def read_highlights(path: str | Path) -> list[HighlightRow]:
    """The rows of a Taguette highlights export (``.csv`` or ``.xlsx``), blank rows left out."""
    path = Path(path)
    out: list[HighlightRow] = []
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        if not path.is_file():
            raise InputError("no such file", file=path)
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in many ways
            raise InputError(f"not a readable .xlsx file ({type(exc).__name__})", file=path) from None
        try:
            sheet = book["highlights"] if "highlights" in book.sheetnames else book.worksheets[0]
            it = sheet.iter_rows(values_only=True)
            header = next(it, None)
            if header is None:
                raise InputError("empty workbook: expected a header row", file=path, line=1)
            cols = _header_map([_cell(h) for h in header], path)
            for n, cells in enumerate(it, start=2):
                if n > MAX_ROWS:
                    raise InputError(f"more than {MAX_ROWS} rows", file=path)
                if any(_cell(c).strip() for c in cells):
                    out.append(_rows(list(cells), cols, n))
        finally:
            book.close()
        return out
    if path.suffix.lower() not in (".csv", ".txt"):
        raise InputError("a Taguette highlights export is .csv or .xlsx", file=path)
    records = csv_records(path, _text_of(path))
    first = next(records, None)
    if first is None:
        raise InputError("empty file: expected a header row", file=path, line=1)
    cols = _header_map(first[1], path)
    for line, cells in records:
        if len(out) >= MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} rows", file=path)
        out.append(_rows(cells, cols, line))
    return out


@dataclass
class HighlightsImport:
    """What an import of highlights did (CLI message, JSON, tests)."""

    run_id: int | None
    file: str
    coder: str
    rows: int
    imported: int = 0  # codings added
    present: int = 0  # codings the coder already had (importing twice adds nothing)
    highlights: int = 0  # rows placed in a transcript
    problems: list[dict[str, Any]] = field(default_factory=list)  # {line, id, document, tag, problem}

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _key(name: str) -> str:
    """A document or transcript name compared loosely: accents, case, punctuation and a
    document extension do not count."""
    base = name.strip()
    if re.search(r"\.(txt|docx?|odt|rtf|pdf|html?|md|vtt|srt)$", base, re.I):
        base = base[: base.rfind(".")]
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


class _Documents:
    """Taguette document names -> transcript ids: ``--map`` first, then the transcript id,
    the id a QDPX import would give (:func:`transcript_id_for`), then the loose key of the
    transcript id or its file name."""

    def __init__(self, transcripts: list[dict[str, Any]], mapping: Mapping[str, str]) -> None:
        self.ids = {t["id"] for t in transcripts}
        self.mapping = dict(mapping)
        self.loose: dict[str, set[str]] = {}
        for t in transcripts:
            stem = re.split(r"[\\/#]", t["file"] or "")[-1]
            for name in {t["id"], stem}:
                if name:
                    self.loose.setdefault(_key(name), set()).add(t["id"])

    def find(self, name: str) -> tuple[str | None, str | None]:
        """(transcript id, None) or (None, why not)."""
        if name in self.mapping:
            return self.mapping[name], None
        if name in self.ids:
            return name, None
        if transcript_id_for(name) in self.ids:
            return transcript_id_for(name), None
        found = sorted(self.loose.get(_key(name), set()))
        if len(found) == 1:
            return found[0], None
        if found:
            return None, f"document {name!r} matches several transcripts ({', '.join(found)}); use --map"
        return None, f"document {name!r} matches no transcript"


def _code_for(tag: str, cb: Codebook) -> tuple[str | None, str | None]:
    """(code id, None) or (None, why not): the tag as a code id, else as tag path."""
    if not tag:
        return None, "the highlight has no tag"
    code_id = tag if tag in cb.codes else tag_code_id(tag)
    if code_id not in cb.codes:
        return None, (f"tag {tag!r} is not a code in the codebook (as {code_id!r}); import Taguette's codebook "
                      "first (`qualcode codebook import codebook.qdc`)")
    if not cb.codes[code_id].codable:
        return None, f"code {code_id!r} (tag {tag!r}) is not codable"
    return code_id, None


def import_highlights(
    project: Project,
    path: str | Path,
    *,
    coder: str,
    documents: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> HighlightsImport:
    """Code each highlight of a Taguette highlights export where its text is, as ``coder``;
    one run for everything that could be placed, the rest in ``.problems`` (module docstring)."""
    path = Path(path)
    coder = coder.strip()
    if not coder:
        raise InputError("--coder is required: Taguette's export names no coder")
    rows = read_highlights(path)
    cb = project.codebook()
    store = project.store
    mapping = dict(documents or {})
    unknown = sorted(t for t in set(mapping.values()) if store.transcript(t) is None)
    if unknown:
        raise InputError(f"--map names transcript(s) {', '.join(unknown)}, which this project does not have; "
                         "see `qualcode transcripts list`")
    docs = _Documents(store.transcript_summaries(), mapping)
    report = HighlightsImport(None, str(path), coder, len(rows))
    texts: dict[str, Squeezed] = {}
    turns: dict[str, list[dict[str, Any]]] = {}
    planned: dict[tuple[str, str, int, int], dict[str, Any]] = {}
    hints: dict[str, str] = {}
    for i, row in enumerate(rows, start=1):
        if progress:
            progress(i, len(rows), row.document)
        problem = None
        tid, problem = docs.find(row.document)
        if tid is None and problem and problem.endswith("matches no transcript"):
            if row.document not in hints:  # once per document: the search reads every transcript
                hints[row.document] = _where_else(store, texts, row)
            problem += hints[row.document]
        code, code_problem = _code_for(row.tag, cb)
        problem = problem or code_problem
        if problem is None and not row.content.strip():
            problem = "the highlight has no text"
        if problem is None:
            assert tid is not None and code is not None
            if tid not in texts:
                texts[tid] = Squeezed.of(store.transcript_text(tid))
                turns[tid] = store.fragments(tid)
            found = locate_snippet(texts[tid], row.content)
            if not found:
                problem = f"its text is not in transcript {tid}"
            elif len(found) > 1:
                where = ", ".join(f"{tid}:{_turn_at(turns[tid], s)}" for s, _ in found[:5])
                problem = f"its text occurs {len(found)} times in transcript {tid} (turns {where}); code it by hand"
            elif not (pieces := _pieces(turns[tid], *found[0])):
                problem = f"its text in transcript {tid} is no turn's words (a speaker label?)"
            else:
                for frag, start, end in pieces:
                    planned.setdefault((code, tid, start, end), {"fragment_id": frag, "line": row.line})
                report.highlights += 1
        if problem:
            report.problems.append({"line": row.line, "id": row.id, "document": row.document, "tag": row.tag,
                                    "problem": problem})
    existing = store.coding_keys(coder)
    new = {k: v for k, v in planned.items() if k not in existing}
    report.present = len(planned) - len(new)
    if not new:
        return report
    params = {"file": str(path), "format": "taguette", "coder": coder, "rows": len(rows), "map": mapping}
    stamp = now()
    with store.run("import", project.user, params, cb.hash) as run_id:
        store.remember_codebook(cb.hash, cb.id, ",".join(cb.files), cb.to_dict())
        store.ensure_coder(coder, note=f"imported from {path.name} (Taguette)")
        text_of = {tid: store.transcript_text(tid) for tid in {k[1] for k in new}}
        store.insert_many("codings", [
            {"coder": coder, "code": code, "transcript_id": tid, "fragment_id": v["fragment_id"], "start": start,
             "end": end, "text": text_of[tid][start:end], "stance": None, "memo": None, "origin": "import",
             "suggestion_id": None, "run_id": run_id, "codebook_hash": cb.hash, "created_at": stamp,
             "status": "active"}
            for (code, tid, start, end), v in sorted(new.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))])
        store.set_run_summary(run_id, {"imported": len(new), "present": report.present,
                                       "not imported": len(report.problems)})
    report.run_id, report.imported = run_id, len(new)
    return report


def _where_else(store: Any, texts: dict[str, Squeezed], row: HighlightRow) -> str:
    """A hint for a document that matches no transcript: the one transcript holding its text."""
    holders = []
    for t in store.transcript_summaries():
        if t["id"] not in texts:
            texts[t["id"]] = Squeezed.of(store.transcript_text(t["id"]))
        if locate_snippet(texts[t["id"]], row.content):
            holders.append(t["id"])
    if len(holders) == 1:
        return f"; its text is in transcript {holders[0]}: add --map '{row.document}={holders[0]}'"
    return f"; use --map '{row.document}=TRANSCRIPT'"


def _turn_at(turns: list[dict[str, Any]], pos: int) -> int:
    return next((t["n"] for t in turns if t["start"] <= pos < t["end"]),
                min(turns, key=lambda t: abs(t["start"] - pos))["n"] if turns else 0)


def _pieces(turns: list[dict[str, Any]], start: int, end: int) -> list[tuple[str, int, int]]:
    """(fragment id, start, end) for each turn the span covers words of: respondent turns, or
    the interviewer's when the span lies in interviewer turns only."""
    pieces = [(t, max(start, t["start"]), min(end, t["end"])) for t in turns
              if min(end, t["end"]) > max(start, t["start"])]
    respondent = [p for p in pieces if not p[0]["is_interviewer"]]
    return [(t["id"], s, e) for t, s, e in (respondent or pieces)]
