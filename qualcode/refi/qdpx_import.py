"""REFI-QDA project import (``.qdpx``): projects exported by other QDA tools, or by qualcode.

Everything is read and checked before anything is written (:mod:`qualcode.refi.qdpx_read`,
which also says how sources, variables and the codebook are read, and
:mod:`qualcode.refi.offsets`, how selection positions map onto canonical text), and the whole
import is one run ("import") that ``qualcode runs undo`` removes again, the written codebook
file included. This module is the storing half: content -> transcripts, codings, cases,
attributes, memos and a codebook file in the project.

Transcript id: the source's name without a document extension (``.txt``, ``.docx``...),
ASCII-folded, other characters than letters, digits, ``_ . -`` turned into ``_``; a second
source with the same id gets ``_2``. ``prefix`` is put in front of every id. An id that the
project already has is refused (nothing imported) unless a prefix makes the ids new.

Cases. ``<Case name>`` (else its GUID) is the case id; its ``<VariableValue>``s become case
attributes (source "import"), its ``<Description>`` a case memo. Which turns belong to which
case: a case that references selections (``<SelectionRef>``) owns the respondent turns they
overlap; the other turns follow the ``[case: X]`` / ``[speaker: L = C]`` marker lines in the
source's ``<Description>`` (qualcode's export writes them); without markers, a source that
exactly one case references by ``<SourceRef>`` belongs to that case; else the transcript
rules apply (a speaker label that names a case, otherwise the transcript id).

Variables. Source values become transcript attributes, case values case attributes, except
a case value that equals what the case inherits from its transcripts anyway (the value all
of them share): that one stays a transcript attribute only (see
:meth:`_Importer.store_case_attributes`).

Users and codings. Each ``<User>`` is a coder named by its ``name`` (else its GUID). A
coding's coder is its ``creatingUser``, else its selection's, else ``default_coder``.
Codings keep their code, span, covered text, creation time (else the import time), the
stance from a ``[stance: ...]`` marker, and as memo the selection's description and the
notes referenced by the selection and coding. Codings on a whole source (no selection) are
skipped with a warning: qualcode codes spans. A selection's ends that fall outside every
turn (the newline after qc's last line) are moved onto the turn's words.

What is missing. Whatever the file references but does not hold (a source's text, a note's
file, a case's ``SourceRef``/``SelectionRef``, a ``NoteRef``; see :mod:`qualcode.refi.qdpx_read`)
is listed in :attr:`QdpxImport.missing` and the command exits 1; what could be read is still
imported as the one run. When not one source could be read, :class:`ProblemFound` (exit 1) is
raised before anything is written.

Codebook. The codebook read from ``<CodeBook>`` is written to ``codebooks/<qdpx file
stem>.yaml`` (``-2``, ``-3``... when a different file has that name) and used to validate the
codings: every ``CodeRef`` must name a code in it, and a code that carries codings is made
codable (a warning says so). The codings are stored with that codebook's hash. The project's
configured codebook stays as it is unless ``use_codebook`` is set, which points
``qualcode.toml`` at the imported one (also undone with the run).

Notes. Notes referenced from the project (or from nothing we import) become project memos,
from a ``<Code>`` code memos, from a ``<TextSource>`` transcript memos (or fragment memos for
qualcode's own "memo on fragment ..." notes), from a selection or coding the coding's memo.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.anonymity.detect import Finding, SensitiveTerms, detect
from qualcode.coding.apply import add_memo, check_stance
from qualcode.coding.ingest import FileResult, _store_transcript
from qualcode.config import CONFIG_NAME
from qualcode.errors import InputError, ProblemFound
from qualcode.refi.qdc import codebook_to_yaml
from qualcode.refi.qdpx_read import QDE_NAME, QdpxContent, Selection, Source, read_qdpx, split_markers
from qualcode.store import now
from qualcode.transcripts.attributes import effective_case_attributes, from_stored
from qualcode.transcripts.model import ParsedTranscript

if TYPE_CHECKING:
    from qualcode.project import Project

__all__ = ["QdpxImport", "import_qdpx", "transcript_id_for"]

_DOC_EXTENSIONS = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".md", ".htm", ".html")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]+")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_FRAGMENT_NOTE = re.compile(r"^memo on fragment (?P<tid>.+):(?P<n>\d+)$")


# --------------------------------------------------------------------------------------
# storing
# --------------------------------------------------------------------------------------


@dataclass
class QdpxImport:
    """What an import did (CLI message, JSON, tests)."""

    run_id: int | None
    transcripts: list[str] = field(default_factory=list)
    codings: int = 0
    coders: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    attributes: int = 0
    memos: int = 0
    codebook: str | None = None
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # referenced in the file but not in it: exit 1

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("run_id", "transcripts", "codings", "coders", "cases", "attributes",
                                              "memos", "codebook", "skipped", "warnings", "missing")}


def transcript_id_for(name: str) -> str:
    """A transcript id from a source name (see the module docstring)."""
    base = name.strip()
    if base.lower().endswith(_DOC_EXTENSIONS):
        base = base[: base.rfind(".")]
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    return _SAFE_ID.sub("_", folded).strip("_.-") or "source"


def _join(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _fragment_for(turns: list[Any], tid: str, start: int, end: int) -> str:
    """The fragment a span belongs to: most overlap (respondent turns first), else the nearest."""
    best, best_key = None, None
    for t in turns:
        overlap = min(end, t.end) - max(start, t.start)
        distance = 0 if overlap > 0 else min(abs(start - t.end), abs(t.start - end))
        key = (overlap <= 0, -overlap if overlap > 0 else distance, t.is_interviewer, t.n)
        if best_key is None or key < best_key:
            best, best_key = t, key
    assert best is not None  # a source text (build_source_text) has at least one turn
    return f"{tid}:{best.n}"


def _within_turns(turns: list[Any], span: tuple[int, int] | None) -> tuple[int, int] | None:
    """``span`` with its ends moved onto turn text (None if it covers none).

    Why: a tool that codes whole lines (qc) ends a selection after the line's ``\\n``, and
    the last line's newline lies outside every turn. A coding is about the words: its ends
    belong on them, as they always are for a coding made in qualcode (which this leaves as
    it is, so a round trip keeps every span).
    """
    if span is None:
        return None
    start, end = span  # turns are in text order
    first = next((t for t in turns if t.end > start), None)
    last = next((t for t in reversed(turns) if t.start < end), None)
    if first is None or last is None:
        return None
    start, end = max(start, first.start), min(end, last.end)
    return (start, end) if end > start else None


def _codebook_target(project: Project, cb_id: str, text: str) -> Path:
    folder = project.root / "codebooks"
    n = 1
    while True:
        target = folder / (f"{cb_id}.yaml" if n == 1 else f"{cb_id}-{n}.yaml")
        if not target.exists() or target.read_text(encoding="utf-8") == text:
            return target
        n += 1


def import_qdpx(
    project: Project,
    path: str | Path,
    *,
    prefix: str | None = None,
    allow_pii: bool = False,
    default_coder: str = "imported",
    use_codebook: bool = False,
) -> QdpxImport:
    """Import a REFI-QDA project into ``project`` as one run (see the module docstring)."""
    if prefix is not None and not _ID.match(prefix):
        raise InputError(f"prefix {prefix!r} may only hold letters, digits and _ . -")
    config = project.config
    content = read_qdpx(path, interviewer_labels=config.interviewer_labels, language=config.language)
    importer = _Importer(project, content, str(path), default_coder)
    if content.sources and not importer.importable and content.missing:
        raise ProblemFound("nothing imported: " + "; ".join(content.missing[:10])
                           + (f"; and {len(content.missing) - 10} more" if len(content.missing) > 10 else ""),
                           file=str(path))
    importer.check(prefix)
    params = {"file": str(path), "prefix": prefix, "allow_pii": allow_pii, "use_codebook": use_codebook}
    cb = content.codebook
    with project.store.run("import", project.user, params, cb.hash if cb is not None else None) as run_id:
        importer.report.run_id = run_id
        importer.store_codebook(use_codebook)
        importer.store_coders_and_cases()
        for src in importer.importable:
            importer.store_source(src, allow_pii)
        importer.assign_selection_cases()
        importer.store_case_attributes()
        importer.store_remaining_notes()
        r = importer.report
        project.store.set_run_summary(run_id, {"transcripts": len(r.transcripts), "codings": r.codings,
                                               "skipped": len(r.skipped)})
    return importer.report


class _Importer:
    """The storing half of an import: every step runs inside the one "import" run."""

    def __init__(self, project: Project, content: QdpxContent, display: str, default_coder: str) -> None:
        self.project = project
        self.store = project.store
        self.content = content
        self.display = display
        self.default_coder = default_coder
        self.report = QdpxImport(run_id=None, warnings=list(content.warnings), missing=list(content.missing))
        self.importable = [s for s in content.sources if s.text is not None]
        self.coders: set[str] = set()

    def coder_of(self, *guids: str | None) -> str:
        """A user's name (its GUID when it has none or is not listed), else the default coder."""
        for g in guids:
            if g:
                return self.content.users.get(g, g)
        return self.default_coder

    def note_coder(self, user: str | None) -> str | None:
        return self.coder_of(user) if user else None

    def memo(self, kind: str, target: str | None, text: str, coder: str | None) -> None:

        add_memo(self.store, target_kind=kind, target_id=target, text=text, coder=coder)
        self.report.memos += 1

    # -- before the run: ids and codes ---------------------------------------------------------
    def check(self, prefix: str | None) -> None:
        """Transcript ids, clashes with the project, and codes: all before anything is written."""
        self.assign_transcript_ids(prefix)
        self.refuse_existing_ids(prefix)
        self.check_codes()

    def assign_transcript_ids(self, prefix: str | None) -> None:
        """Each source's transcript id (see :func:`transcript_id_for`), ``_2``... for repeats."""
        used: set[str] = set()
        for src in self.content.sources:
            base = (prefix or "") + transcript_id_for(src.name)
            tid, n = base, 2
            while tid in used:
                tid, n = f"{base}_{n}", n + 1
            used.add(tid)
            src.transcript_id = tid

    def refuse_existing_ids(self, prefix: str | None) -> None:
        """Refuse the import when a transcript id is taken: nothing is overwritten."""
        clashes = sorted(s.transcript_id for s in self.importable if self.store.transcript(s.transcript_id))
        if clashes:
            hint = ("choose another --prefix" if prefix
                    else "import with --prefix P to give the imported transcripts other ids")
            shown = ", ".join(clashes[:10]) + (f" and {len(clashes) - 10} more" if len(clashes) > 10 else "")
            raise InputError(f"transcript(s) {shown} already exist in this project; {hint}", file=self.display)

    def check_codes(self) -> None:
        """Every coding names a code in the codebook; a code with codings is made codable."""
        coded: set[str] = set()
        for src in self.importable:
            for sel in src.selections:
                for c in sel.codings:
                    if c["code"] not in self.content.code_guids:
                        raise InputError(f"<Coding> refers to code {c['code']!r}, which is not in the codebook",
                                         file=f"{self.display}!{QDE_NAME}", line=c["line"])
                    coded.add(self.content.code_guids[c["code"]])
        cb = self.content.codebook
        for code_id in sorted(coded):
            if cb is not None and not cb.codes[code_id].codable:
                cb.codes[code_id].codable = True
                self.report.warnings.append(f"code {code_id!r} is not codable in the QDPX but has codings; "
                                            "made codable")

    # -- inside the run -----------------------------------------------------------------------
    def store_codebook(self, use_codebook: bool) -> None:

        cb = self.content.codebook
        if cb is None:
            return
        root = self.project.root
        header = (f"Imported from {Path(self.display).name} (REFI-QDA project \"{self.content.name}\") "
                  "by `qualcode import qdpx`.")
        text = codebook_to_yaml(cb, header=header)
        target = _codebook_target(self.project, cb.id, text)
        cb.files = [str(target)]
        if not target.exists():
            self.store.write_file(target, text)  # journaled: undo removes the file again
        self.report.codebook = target.relative_to(root).as_posix()
        self.store.remember_codebook(cb.hash, cb.id, self.report.codebook, cb.to_dict())
        if use_codebook:
            _point_config_at(self.project, self.report.codebook)
        undefined = [c.id for c in cb.codes.values() if c.codable and not c.definition]
        if undefined:  # qualcode requires a definition for every codable code; most tools have none
            shown = ", ".join(undefined[:5]) + (", ..." if len(undefined) > 5 else "")
            self.report.warnings.append(
                f"{self.report.codebook}: {len(undefined)} codable code(s) have no definition yet ({shown}); "
                f"write them before using this codebook, then run `qualcode codebook validate {self.report.codebook}`")

    def store_coders_and_cases(self) -> None:
        for name in sorted(set(self.content.users.values())):
            self.store.ensure_coder(name)
            self.coders.add(name)
        for case in self.content.cases:
            self.store.ensure_case(case.name)
            if case.description:
                self.memo("case", case.name, case.description, None)
        self.report.cases = [c.name for c in self.content.cases]

    def store_case_attributes(self) -> None:
        """Each case's variable values as its own attributes, except those it inherits anyway.

        Why after the sources: qualcode's export (and case-based tools) repeat a transcript's
        attributes on its cases. Stored on the case as well, a transcript attribute ``type:
        groepsinterview`` would become a case attribute; so a value that equals what the case
        inherits from its transcripts (the value all of them share) stays on the transcripts.
        """
        inherited = effective_case_attributes(self.store.attributes("transcript"), [],
                                              self.store.case_transcript_links())
        for case in self.content.cases:
            mine = inherited.get(case.name, {})
            for key, (value, type_) in sorted(case.values.items()):
                if value is None:
                    continue
                same = mine.get(key)
                if same is not None and same["type"] == type_ and same["value"] == from_stored(value, type_):
                    continue
                self.store.set_attribute("case", case.name, key, value, type_, "import")
                self.report.attributes += 1

    def default_case(self, src: Source) -> str | None:
        """``[case: X]``, else front matter ``case:``, else the one case that references the
        whole source (and no selections)."""
        st = src.text
        assert st is not None
        if src.markers.get("case") or st.front.case:
            return src.markers.get("case") or st.front.case
        cases = [c for c in self.content.cases if src.guid in c.sources]
        if len(cases) == 1 and not cases[0].selections:
            return cases[0].name
        return None

    def store_source(self, src: Source, allow_pii: bool) -> None:
        """One source as a transcript (ingest's storage path), its attributes, notes and codings."""
        st = src.text
        assert st is not None
        findings = detect(st.canonical, SensitiveTerms.from_config(self.project.config.anonymity))
        if findings and not allow_pii:
            self.report.skipped.append({"source": src.name, "transcript": src.transcript_id, "findings": [
                {"kind": f.kind, "text": f.text, "line": f.line} for f in findings]})
            return
        self.store_transcript(src, findings)
        self.store_source_attributes(src)
        self.store_source_notes(src)
        for sel in src.selections:
            self.store_selection(src, sel)

    def store_transcript(self, src: Source, findings: list[Finding]) -> None:
        """The source's canonical text and turns, stored the way ingest stores a transcript."""
        st = src.text
        assert st is not None
        tid = src.transcript_id
        known = self.store.case_ids() | {c.name for c in self.content.cases}
        speakers = {**st.front.speakers, **src.markers.get("speakers", {})}
        known.update(speakers.values())
        parsed = ParsedTranscript(
            id=tid, file=f"{self.display}#{src.name}", format="qdpx", text=st.canonical, turns=st.turns,
            attributes=dict(st.front.attributes), speakers=speakers, case=self.default_case(src),
            source_hash=hashlib.sha256(src.original.encode("utf-8")).hexdigest(),
        )
        result = FileResult(file=parsed.file, transcript=tid, status="new")
        _store_transcript(self.store, self.project.config, parsed, Path(parsed.file), result, known,
                          self.report.run_id or 0, bool(findings))
        self.report.transcripts.append(tid)

    def store_source_attributes(self, src: Source) -> None:
        for key, (value, type_) in sorted(src.values.items()):
            if value is not None:
                self.store.set_attribute("transcript", src.transcript_id, key, value, type_, "import")
                self.report.attributes += 1

    def store_source_notes(self, src: Source) -> None:
        """The description as a transcript memo; the source's notes as transcript memos, or as
        fragment memos when they are qualcode's own "memo on fragment" notes."""
        tid = src.transcript_id
        if src.description:
            self.memo("transcript", tid, src.description, None)
        for g in src.notes:
            note = self.content.notes.pop(g, None)
            if note is None:
                continue
            m = _FRAGMENT_NOTE.match(note[0])
            fragment = f"{tid}:{m['n']}" if m and m["tid"] == src.name else None
            if fragment and self.store.fragment(fragment) is not None:
                self.memo("fragment", fragment, note[1], self.note_coder(note[2]))
            else:
                self.memo("transcript", tid, note[1], self.note_coder(note[2]))

    def store_selection(self, src: Source, sel: Selection) -> None:
        """A selection's codings on the canonical span it maps to (skipped with a warning if none)."""
        st = src.text
        assert st is not None
        if not sel.codings:
            return
        span = _within_turns(st.turns, st.text_map.span(sel.start, sel.end))
        if span is None:
            self.report.warnings.append(
                f"source {src.name!r}: selection {sel.start}-{sel.end} covers no text that qualcode keeps "
                "(only blank lines or a time stamp); its codings were skipped")
            return
        description, markers = split_markers(sel.description)
        stance = self.stance_of(markers)
        notes = self.content.notes
        sel_notes = [notes[g][1] for g in sel.notes if g in notes]
        for c in sel.codings:
            memo = _join(description, *sel_notes, *(notes[g][1] for g in c["notes"] if g in notes))
            self.store_coding(src, c, self.coder_of(c["user"], sel.user), span, stance, memo)
        for g in [*sel.notes, *(g for c in sel.codings for g in c["notes"])]:
            notes.pop(g, None)
        self.report.coders = sorted(self.coders)

    def stance_of(self, markers: dict[str, Any]) -> str | None:
        """The ``[stance: ...]`` marker's stance; an unknown one is ignored with a warning."""
        if not markers.get("stance"):
            return None
        try:
            return check_stance(markers["stance"])
        except InputError:
            self.report.warnings.append(f"unknown stance {markers['stance']!r} ignored")
            return None

    def store_coding(self, src: Source, c: dict[str, Any], coder: str, span: tuple[int, int], stance: str | None,
                     memo: str) -> None:
        """One coding, unless the coder has the same coding already (a selection listed twice)."""
        st = src.text
        assert st is not None
        start, end = span
        tid = src.transcript_id
        code = self.content.code_guids[c["code"]]
        cb = self.content.codebook
        self.store.ensure_coder(coder)
        self.coders.add(coder)
        if self.store.find_coding(coder, code, tid, start, end) is not None:
            return  # the same coding twice: one is enough
        self.store.insert("codings", {
            "coder": coder, "code": code, "transcript_id": tid,
            "fragment_id": _fragment_for(st.turns, tid, start, end),
            "start": start, "end": end, "text": st.canonical[start:end], "stance": stance,
            "memo": memo or None, "origin": "import", "suggestion_id": None, "run_id": self.report.run_id,
            "codebook_hash": cb.hash if cb is not None else None,
            "created_at": (c["created"] or "").strip() or now(), "status": "active",
        })
        self.report.codings += 1

    def assign_selection_cases(self) -> None:
        """A case that references selections owns the respondent turns they overlap."""
        owners = {sel.guid: (src, sel) for src in self.importable for sel in src.selections}
        for case in self.content.cases:
            for g in case.selections:
                src, sel = owners.get(g, (None, None))
                if src is None or sel is None or src.text is None or src.transcript_id not in self.report.transcripts:
                    continue
                span = src.text.text_map.span(sel.start, sel.end)
                if span is None:
                    continue
                for t in src.text.turns:
                    if not t.is_interviewer and min(span[1], t.end) > max(span[0], t.start):
                        self.store.update("fragments", {"id": f"{src.transcript_id}:{t.n}"}, {"case_id": case.name})

    def store_remaining_notes(self) -> None:
        """Notes on codes; notes on the project or on nothing we import become project memos."""
        notes = self.content.notes
        if self.content.codebook is not None:
            for code_id, refs in self.content.code_notes.items():
                for g in refs:
                    note = notes.pop(g, None)
                    if note:
                        self.memo("code", code_id, note[1], self.note_coder(note[2]))
        for g in [*self.content.project_notes, *sorted(notes)]:
            note = notes.pop(g, None)
            if note:
                self.memo("project", None, note[1], self.note_coder(note[2]))
        self.report.coders = sorted(self.coders)


def _point_config_at(project: Project, codebook: str) -> None:
    """Set ``[project] codebook`` in qualcode.toml to the imported codebook (journaled file write)."""

    path = project.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'(?m)^(codebook\s*=\s*)"[^"\n]*"', lambda m: f'{m.group(1)}"{codebook}"', text, count=1)
    if n != 1:
        raise InputError("cannot find the `codebook = \"...\"` line to point it at the imported codebook", file=path)
    project.store.write_file(path, new)
