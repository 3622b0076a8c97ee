"""Ingest: read transcript files, check anonymity, store them as one run.

Why all files are read and checked before anything is written: an ingest of ten files with
one malformed file must leave the project as it was (the whole ingest is one transaction).
Two exceptions, both reported (exit 1): files with anonymity findings are skipped unless
``allow_pii`` is set, and with ``skip_bad`` a file that cannot be read (or has an unusable or
duplicate id) is listed with ``file:line: problem`` and skipped while the rest is stored.

Lock and system files a folder of Word files collects (``~$x.docx``, ``.~lock.x.docx#``,
``.DS_Store``, ``Thumbs.db``, hidden files) are never transcripts: they are skipped with a
note (:func:`junk_reason`), never fatal, even when a shell glob names them.

Each transcript's speaker labels are mapped to cases by
:func:`qualcode.transcripts.speakers.plan_speakers` (front matter, the speakers file, the
interviewer labels...), and the reader's and the mapping's notes are reported as warnings
with file and line. Stored transcripts that were not part of this ingest are checked against
the names now listed under ``[anonymity]`` (a name added after they were ingested).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.anonymity.check import StoredFinding, check_stored, header_findings
from qualcode.anonymity.detect import SensitiveTerms, detect
from qualcode.config import Config
from qualcode.errors import InputError, QualcodeError
from qualcode.store import Store, now
from qualcode.transcripts import SUPPORTED_EXTENSIONS, ParsedTranscript, read_transcript
from qualcode.transcripts.anchoring import fragment_at, reanchor
from qualcode.transcripts.attributes import Typed, read_attributes_csv, to_stored
from qualcode.transcripts.speakers import SpeakerMap, SpeakerPlan, apply_plan, plan_speakers, read_speaker_map

_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
Progress = Callable[[int, int, str], None]  # (done, total, message)


@dataclass
class PiiFinding:
    file: str
    line: int | None
    column: int | None
    kind: str
    text: str


@dataclass
class FileResult:
    file: str
    transcript: str
    status: str  # "new" | "updated" | "unchanged" | "skipped" (anonymity findings) | "bad" (unreadable)
    turns: int = 0
    words: int = 0
    findings: list[PiiFinding] = field(default_factory=list)
    moved: int = 0
    orphaned: list[dict[str, Any]] = field(default_factory=list)
    layout: str = ""
    header: int = 0  # lines of header before the first turn
    problem: str = ""  # "file:line: problem" for a bad file


@dataclass
class IgnoredFile:
    """A lock, system or hidden file skipped without reading it."""

    file: str
    reason: str


@dataclass
class IngestReport:
    run_id: int | None
    files: list[FileResult]
    warnings: list[str] = field(default_factory=list)
    attributes_file: str | None = None
    attributes_changed: int = 0
    ignored: list[IgnoredFile] = field(default_factory=list)
    stored_findings: list[StoredFinding] = field(default_factory=list)

    @property
    def findings(self) -> list[PiiFinding]:
        return [f for r in self.files for f in r.findings]

    @property
    def skipped(self) -> list[FileResult]:
        return [r for r in self.files if r.status == "skipped"]

    @property
    def bad(self) -> list[FileResult]:
        return [r for r in self.files if r.status == "bad"]

    @property
    def orphaned(self) -> list[dict[str, Any]]:
        return [o for r in self.files for o in r.orphaned]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "files": [
                {
                    "file": r.file,
                    "transcript": r.transcript,
                    "status": r.status,
                    "layout": r.layout,
                    "header": r.header,
                    "turns": r.turns,
                    "words": r.words,
                    "moved": r.moved,
                    "orphaned": len(r.orphaned),
                    "findings": [f.__dict__ for f in r.findings],
                    "problem": r.problem,
                }
                for r in self.files
            ],
            "warnings": self.warnings,
            "attributes_file": self.attributes_file,
            "ignored": [i.__dict__ for i in self.ignored],
            "stored_findings": [f.to_dict() for f in self.stored_findings],
        }


def junk_reason(path: Path) -> str | None:
    """Why a file in a transcripts folder is not a transcript at all, or None.

    Why by name: Word keeps an owner file ``~$name.docx`` next to every open document, which
    ends in .docx but is not a zip; reading it would refuse the whole folder. Likewise
    LibreOffice's ``.~lock.name#``, macOS's ``.DS_Store`` and ``._name`` files, Windows'
    ``Thumbs.db``/``desktop.ini``, and any hidden file.
    """
    name = path.name
    if name.startswith("~$"):
        return "a Word lock file (Word keeps it while the document is open)"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "a LibreOffice lock file (kept while the document is open)"
    if name.startswith("._"):
        return "a macOS resource file"
    if name == ".DS_Store":
        return "a macOS folder file"
    if name.casefold() in ("thumbs.db", "ehthumbs.db", "desktop.ini"):
        return "a Windows folder file"
    if name.startswith("."):
        return "a hidden file"
    return None


def collect_paths(paths: Sequence[str | Path]) -> tuple[list[Path], list[IgnoredFile]]:
    """Expand folders to the transcript files inside them (sorted), and the files skipped.

    A file named explicitly must have a supported extension; inside a folder, other files
    (a cases.csv, notes) are ignored silently. Lock, system and hidden files
    (:func:`junk_reason`) are skipped with a note wherever they come from; hidden folders
    (``.git``) are not looked into.
    """

    out: list[Path] = []
    ignored: list[IgnoredFile] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError("no such file or folder", file=p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if not f.is_file() or any(part.startswith(".") for part in rel[:-1]):
                    continue
                reason = junk_reason(f)
                if reason is not None:
                    ignored.append(IgnoredFile(str(f), reason))
                elif f.suffix.lower() in SUPPORTED_EXTENSIONS:
                    out.append(f)
        elif (reason := junk_reason(p)) is not None:
            ignored.append(IgnoredFile(str(p), reason))
        else:
            if p.suffix.lower() not in SUPPORTED_EXTENSIONS:
                raise InputError(
                    f"unknown transcript extension {p.suffix or '(none)'!r}; "
                    f"supported: {', '.join(sorted(SUPPORTED_EXTENSIONS))}",
                    file=p,
                )
            out.append(p)
    seen: set[Path] = set()
    unique = []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(p)
    if not unique:
        skipped = f" (skipped: {', '.join(Path(i.file).name for i in ignored)})" if ignored else ""
        raise InputError("no transcript files found in " + ", ".join(str(p) for p in paths) + skipped)
    return unique, ignored


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def ingest(
    store: Store,
    config: Config,
    paths: Sequence[str | Path],
    *,
    attributes: str | Path | None = None,
    speakers: str | Path | None = None,
    allow_pii: bool = False,
    skip_bad: bool = False,
    user: str = "unknown",
    progress: Progress | None = None,
) -> IngestReport:
    """Read, check and store transcripts (and case attributes) as one run.

    ``speakers``: a speakers CSV (default ``[ingest] speakers`` if that file exists). With
    ``skip_bad``, files that cannot be read are reported in the result (status ``bad``) and
    the others are stored; without it the first such file raises :class:`InputError` and
    nothing is stored.
    """

    files, ignored = collect_paths(paths)
    speaker_map = speaker_map_of(config, speakers)
    total = 2 * len(files)
    bad: dict[Path, str] = {}
    parsed: dict[Path, ParsedTranscript] = {}
    for i, f in enumerate(files):
        if progress:
            progress(i, total, f"reading {f.name}")
        try:
            known = speaker_map.labels_for_file(f) if speaker_map else ()
            parsed[f] = read_transcript(f, interviewer_labels=config.interviewer_labels, speakers=known)
        except QualcodeError as exc:
            if not skip_bad:
                raise
            bad[f] = str(exc)
        except Exception as exc:  # noqa: BLE001  a reader bug on one odd file must not sink the other files
            if not skip_bad:
                raise
            bad[f] = f"{f}: could not be read (internal error {type(exc).__name__}: {exc}; please report)"

    by_id: dict[str, Path] = {}
    for f, p in parsed.items():
        try:
            _check_id(store, config, f, p, by_id)
        except InputError as exc:
            if not skip_bad:
                raise
            bad[f] = str(exc)
            continue
        by_id[p.id] = f
    good = [(f, parsed[f]) for f in files if f in parsed and f not in bad]

    csv_path: Path | None = None
    if attributes is not None:
        csv_path = Path(attributes)
    elif config.attributes and config.path(config.attributes).is_file():
        csv_path = config.path(config.attributes)
    csv_attrs = read_attributes_csv(csv_path) if csv_path else {}

    terms = SensitiveTerms.from_config(config.anonymity)
    results: list[FileResult] = []
    warnings: list[str] = []
    known_cases = store.case_ids() | set(csv_attrs) | (speaker_map.cases() if speaker_map else set())
    for _, p in good:
        known_cases.update(p.speakers.values())

    params = {
        "files": [_rel(f, config.root) for f in files],
        "allow_pii": allow_pii,
        "skip_bad": skip_bad,
        "attributes": str(csv_path) if csv_path else None,
        "speakers": speaker_map.file if speaker_map else None,
    }
    with store.run("ingest", user, params) as run_id:
        for i, (f, p) in enumerate(good):
            if progress:
                progress(len(files) + i, total, f"storing {p.id}")
            findings = [_locate(fd, p, f) for fd in detect(p.text, terms)] + [
                PiiFinding(str(f), fd.line, fd.column, fd.kind, fd.text) for fd in header_findings(p.header, terms)
            ]
            result = FileResult(file=_rel(f, config.root), transcript=p.id, status="new", findings=findings,
                                layout=p.layout, header=len(p.header))
            results.append(result)
            if findings and not allow_pii:
                result.status = "skipped"
                continue
            plan = plan_speakers(p, speaker_map, known_cases)
            warnings.extend(f"{_where(f, n.line)}: {n.message}" for n in [*p.notes, *plan.notes])
            _store_transcript(store, config, p, f, result, known_cases, run_id, bool(findings), plan=plan)
        changed = _apply_csv(store, csv_attrs)
        report = IngestReport(run_id, results, warnings, str(csv_path) if csv_path else None, changed, ignored)
        summary = {
            "new": sum(r.status == "new" for r in results),
            "updated": sum(r.status == "updated" for r in results),
            "unchanged": sum(r.status == "unchanged" for r in results),
            "skipped": sum(r.status == "skipped" for r in results),
            "bad": len(bad),
            "pii_findings": [f.__dict__ for f in report.findings],
            "orphaned": len(report.orphaned),
        }
        store.set_run_summary(run_id, summary)
    store.discard_run_if_empty(run_id)
    if store.conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
        report.run_id = None
    for f in files:
        if f in bad:
            report.files.append(FileResult(file=_rel(f, config.root), transcript=parsed[f].id if f in parsed else "",
                                           status="bad", problem=bad[f]))
    if terms.people or terms.municipalities or terms.organisations:
        this_ingest = {p.id for _, p in good}
        report.stored_findings = [
            x for x in check_stored(store, terms, names_only=True) if x.transcript not in this_ingest and not x.allowed
        ]
    return report


def speaker_map_of(config: Config, speakers: str | Path | None) -> SpeakerMap | None:
    """The speakers file named by ``--speakers``, else ``[ingest] speakers`` if it exists."""
    if speakers is not None:
        return read_speaker_map(speakers)
    if config.speakers and config.path(config.speakers).is_file():
        return read_speaker_map(config.path(config.speakers))
    return None


def _check_id(store: Store, config: Config, f: Path, p: ParsedTranscript, by_id: dict[str, Path]) -> None:
    if not _ID.match(p.id):
        raise InputError(
            f"transcript id {p.id!r} may only hold letters, digits and _ . - "
            "(fragment ids are <transcript>:<n>); rename the file or set `id:` in the front matter",
            file=f,
        )
    if p.id in by_id:
        raise InputError(f"duplicate transcript id {p.id!r}: also in {by_id[p.id]}", file=f)
    existing = store.transcript(p.id)
    if existing and existing["file"] != _rel(f, config.root):
        raise InputError(
            f"duplicate transcript id {p.id!r}: already ingested from {existing['file']}; "
            "give this file another `id:` in its front matter",
            file=f,
        )


def _where(f: Path, line: int | None) -> str:
    return f"{f}:{line}" if line else str(f)


def _locate(finding: Any, parsed: Any, file: Path) -> PiiFinding:
    """Turn a finding's offset in canonical text into a line in the source file."""
    line = None
    column = None
    for t in parsed.turns:
        if t.start <= finding.start < t.end or (finding.start < t.start and finding.end > t.start):
            before = parsed.text[t.start : max(t.start, finding.start)]
            line = t.line + before.count("\n")
            column = len(before) - (before.rfind("\n") + 1) + 1
            break
    return PiiFinding(str(file), line, column, finding.kind, finding.text)


def _store_transcript(
    store: Store,
    config: Config,
    p: Any,
    f: Path,
    result: FileResult,
    known: set[str],
    run_id: int,
    pii: bool,
    *,
    plan: SpeakerPlan | None = None,
) -> None:
    """Store one transcript, its fragments (with their cases from ``plan``, by default the
    mapping without a speakers file) and attributes; re-anchor codings if its text changed."""
    plan = plan or plan_speakers(p, None, known)
    apply_plan(p, plan)
    existing = store.transcript(p.id)
    attrs = {k: to_stored(v) for k, v in p.attributes.items()}
    reading = {
        "layout": p.layout,
        "header": "\n".join(t for _, t in p.header),
        "footer": "\n".join(t for _, t in p.footer),
        "notes": json.dumps([n.to_dict() for n in [*p.notes, *plan.notes]], ensure_ascii=False),
        "speaker_plan": json.dumps([r.to_dict() for r in plan.rows], ensure_ascii=False),
    }
    if existing is not None:
        same_text = existing["text_hash"] == p.text_hash
        old_attrs = {a["key"]: Typed(a["value"], a["type"]) for a in store.attributes("transcript", p.id)}
        same_reading = all(existing.get(k) == v for k, v in reading.items())
        if same_text and existing["source_hash"] == p.source_hash and old_attrs == attrs and same_reading:
            result.status = "unchanged"
            result.turns = store.conn.execute(
                "SELECT count(*) FROM fragments WHERE transcript_id = ?", (p.id,)
            ).fetchone()[0]
            result.words = p.words
            return
        result.status = "updated"
    row = {
        "id": p.id,
        "file": _rel(f, config.root),
        "format": p.format,
        "text": p.text,
        "text_hash": p.text_hash,
        "source_hash": p.source_hash,
        "default_case": p.case or p.id,
        "speakers": json.dumps(p.speakers, ensure_ascii=False, sort_keys=True),
        "pii_allowed": int(pii),
        "ingested_at": now(),
        "run_id": run_id,
        **reading,
    }
    store.upsert("transcripts", row)
    fragments = []
    for t in p.turns:
        case = plan.case(t.speaker)
        if case:
            store.ensure_case(case)
        fragments.append(
            {
                "id": f"{p.id}:{t.n}",
                "transcript_id": p.id,
                "n": t.n,
                "speaker": t.speaker,
                "is_interviewer": int(t.is_interviewer),
                "case_id": case,
                "start": t.start,
                "end": t.end,
                "line": t.line,
                "words": len(t.text.split()),
                "meta": json.dumps(t.meta, ensure_ascii=False, sort_keys=True),
            }
        )
    if existing is None or existing["text_hash"] != p.text_hash:
        store.replace_fragments(p.id, fragments)
    else:  # same text, other attributes or speaker mapping: keep fragment rows, update cases
        for fr in fragments:
            store.upsert("fragments", fr)
    for key in {a["key"] for a in store.attributes("transcript", p.id)} - set(attrs):
        store.delete_attribute("transcript", p.id, key)
    for key, typed in attrs.items():
        store.set_attribute("transcript", p.id, key, typed.value, typed.type, "frontmatter")
    result.turns = len(fragments)
    result.words = p.words
    if existing is not None and existing["text_hash"] != p.text_hash:
        _reanchor_all(store, existing["text"], p.text, p.id, fragments, result)


def _reanchor_all(store: Store, old: str, new: str, tid: str, fragments: list[dict], result: FileResult) -> None:
    starts = [fr["start"] for fr in fragments]
    ids = [fr["id"] for fr in fragments]
    for c in store.codings_of_transcript(tid):
        a = reanchor(old, new, c["start"], c["end"], c["text"])
        if a.status == "orphaned":
            store.update("codings", {"id": c["id"]}, {"status": "orphaned"})
            result.orphaned.append(
                {
                    "coding": c["id"],
                    "coder": c["coder"],
                    "code": c["code"],
                    "fragment": c["fragment_id"],
                    "text": c["text"],
                }
            )
        else:
            if a.status == "moved":
                result.moved += 1
            store.update(
                "codings",
                {"id": c["id"]},
                {"start": a.start, "end": a.end, "fragment_id": fragment_at(starts, ids, a.start), "status": "active"},
            )
    for s in store.suggestions_of_transcript(tid):
        covered = old[s["start"] : s["end"]]
        a = reanchor(old, new, s["start"], s["end"], covered)
        if a.status == "orphaned":
            store.update("suggestions", {"id": s["id"]}, {"status": "orphaned"})
        else:
            store.update(
                "suggestions",
                {"id": s["id"]},
                {"start": a.start, "end": a.end, "fragment_id": fragment_at(starts, ids, a.start)},
            )


def _apply_csv(store: Store, csv_attrs: dict[str, dict[str, Typed]]) -> int:
    changed = 0
    for case_id, values in csv_attrs.items():
        store.ensure_case(case_id)
        current = {a["key"]: a for a in store.attributes("case", case_id)}
        for key, typed in values.items():
            cur = current.get(key)
            if cur and cur["source"] == "manual":
                continue  # a value set by hand (`cases set`) wins over the file
            if cur and cur["value"] == typed.value and cur["type"] == typed.type:
                continue
            store.set_attribute("case", case_id, key, typed.value, typed.type, "csv")
            changed += 1
    return changed
