"""Ingest: read transcript files, check anonymity, store them as one run.

Why all files are read and checked before anything is written: an ingest of ten files with
one malformed file must leave the project as it was (the whole ingest is one transaction).
Files with anonymity findings are the exception: they are skipped and reported (exit 1)
unless ``allow_pii`` is set, and the clean files are stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.anonymity.detect import SensitiveTerms, detect
from qualcode.config import Config
from qualcode.errors import InputError
from qualcode.store import Store, now
from qualcode.transcripts import SUPPORTED_EXTENSIONS, read_transcript
from qualcode.transcripts.anchoring import fragment_at, reanchor
from qualcode.transcripts.attributes import Typed, read_attributes_csv, to_stored

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
    status: str  # "new" | "updated" | "unchanged" | "skipped" (anonymity findings)
    turns: int = 0
    words: int = 0
    findings: list[PiiFinding] = field(default_factory=list)
    moved: int = 0
    orphaned: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class IngestReport:
    run_id: int | None
    files: list[FileResult]
    warnings: list[str] = field(default_factory=list)
    attributes_file: str | None = None
    attributes_changed: int = 0

    @property
    def findings(self) -> list[PiiFinding]:
        return [f for r in self.files for f in r.findings]

    @property
    def skipped(self) -> list[FileResult]:
        return [r for r in self.files if r.status == "skipped"]

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
                    "turns": r.turns,
                    "words": r.words,
                    "moved": r.moved,
                    "orphaned": len(r.orphaned),
                    "findings": [f.__dict__ for f in r.findings],
                }
                for r in self.files
            ],
            "warnings": self.warnings,
            "attributes_file": self.attributes_file,
        }


def collect_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Expand folders to the transcript files inside them (sorted, hidden files skipped).

    A file named explicitly must have a supported extension; inside a folder, other files
    (a cases.csv, notes) are ignored.
    """

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise InputError("no such file or folder", file=p)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUPPORTED_EXTENSIONS
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            out.extend(found)
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
        raise InputError("no transcript files found in " + ", ".join(str(p) for p in paths))
    return unique


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
    allow_pii: bool = False,
    user: str = "unknown",
    progress: Progress | None = None,
) -> IngestReport:
    """Read, check and store transcripts (and case attributes) as one run."""

    files = collect_paths(paths)
    parsed = []
    total = 2 * len(files)
    for i, f in enumerate(files):
        if progress:
            progress(i, total, f"reading {f.name}")
        parsed.append(read_transcript(f, interviewer_labels=config.interviewer_labels))

    by_id: dict[str, Path] = {}
    for f, p in zip(files, parsed):
        if not _ID.match(p.id):
            raise InputError(
                f"transcript id {p.id!r} may only hold letters, digits and _ . - "
                "(fragment ids are <transcript>:<n>); rename the file or set `id:` in the front matter",
                file=f,
            )
        if p.id in by_id:
            raise InputError(f"duplicate transcript id {p.id!r}: also in {by_id[p.id]}", file=f)
        by_id[p.id] = f
        existing = store.transcript(p.id)
        if existing and existing["file"] != _rel(f, config.root):
            raise InputError(
                f"duplicate transcript id {p.id!r}: already ingested from {existing['file']}; "
                "give this file another `id:` in its front matter",
                file=f,
            )

    csv_path: Path | None = None
    if attributes is not None:
        csv_path = Path(attributes)
    elif config.attributes and config.path(config.attributes).is_file():
        csv_path = config.path(config.attributes)
    csv_attrs = read_attributes_csv(csv_path) if csv_path else {}

    terms = SensitiveTerms.from_config(config.anonymity)
    results: list[FileResult] = []
    warnings: list[str] = []
    known_cases = store.case_ids() | set(csv_attrs)
    for p in parsed:
        known_cases.update(p.speakers.values())

    params = {
        "files": [_rel(f, config.root) for f in files],
        "allow_pii": allow_pii,
        "attributes": str(csv_path) if csv_path else None,
    }
    with store.run("ingest", user, params) as run_id:
        for i, (f, p) in enumerate(zip(files, parsed)):
            if progress:
                progress(len(files) + i, total, f"storing {p.id}")
            findings = [_locate(fd, p, f) for fd in detect(p.text, terms)]
            result = FileResult(file=_rel(f, config.root), transcript=p.id, status="new", findings=findings)
            results.append(result)
            if findings and not allow_pii:
                result.status = "skipped"
                continue
            warnings.extend(_speaker_warnings(p, f))
            _store_transcript(store, config, p, f, result, known_cases, run_id, bool(findings))
        changed = _apply_csv(store, csv_attrs)
        report = IngestReport(run_id, results, warnings, str(csv_path) if csv_path else None, changed)
        summary = {
            "new": sum(r.status == "new" for r in results),
            "updated": sum(r.status == "updated" for r in results),
            "unchanged": sum(r.status == "unchanged" for r in results),
            "skipped": sum(r.status == "skipped" for r in results),
            "pii_findings": [f.__dict__ for f in report.findings],
            "orphaned": len(report.orphaned),
        }
        store.set_run_summary(run_id, summary)
    store.discard_run_if_empty(run_id)
    if store.conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
        report.run_id = None
    return report


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


def _speaker_warnings(p: Any, f: Path) -> list[str]:
    if not p.speakers:
        return []
    labels = {t.speaker for t in p.turns if not t.is_interviewer}
    out = [f"{f}: speaker {label!r} is not in `speakers:`" for label in sorted(labels - set(p.speakers))]
    out += [
        f"{f}: `speakers:` names {label!r} but no turn has that label" for label in sorted(set(p.speakers) - labels)
    ]
    return out


def _case_of(turn: Any, p: Any, known: set[str]) -> str | None:
    if turn.is_interviewer:
        return None
    if turn.speaker in p.speakers:
        return p.speakers[turn.speaker]
    if turn.speaker in known:
        return turn.speaker
    return p.case or p.id


def _store_transcript(
    store: Store, config: Config, p: Any, f: Path, result: FileResult, known: set[str], run_id: int, pii: bool
) -> None:
    existing = store.transcript(p.id)
    attrs = {k: to_stored(v) for k, v in p.attributes.items()}
    if existing is not None:
        same_text = existing["text_hash"] == p.text_hash
        old_attrs = {a["key"]: Typed(a["value"], a["type"]) for a in store.attributes("transcript", p.id)}
        if same_text and existing["source_hash"] == p.source_hash and old_attrs == attrs:
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
    }
    store.upsert("transcripts", row)
    fragments = []
    for t in p.turns:
        case = _case_of(t, p, known)
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
