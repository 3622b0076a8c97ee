"""Pseudonymising transcript files on disk with a reversible key.

Why a separate module from :mod:`qualcode.anonymity.detect`: that module finds personal data in a
string; this one applies it to files (plain text and .docx), keeps the key outside
``transcripts/`` so it never travels with the data, and writes every file atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.anonymity.detect import detect
from qualcode.anonymity.pseudonyms import PseudonymKey, anonymise
from qualcode.atomic import write_bytes
from qualcode.errors import InputError
from qualcode.transcripts.decode import decode_bytes

TEXT_SUFFIXES = {".txt", ".md", ".vtt", ".srt"}


@dataclass
class FileChange:
    file: str
    output: str
    replaced: int
    kinds: dict[str, int] = field(default_factory=dict)


def anonymise_files(
    files: Sequence[Path],
    key_path: Path,
    *,
    terms,
    out_dir: Path | None = None,
    in_place: bool = False,
    protected_dirs: Sequence[Path] = (),
    dry_run: bool = False,
) -> list[FileChange]:
    """Replace findings in each file with stable pseudonyms and save the key.

    The key must not lie inside any of ``protected_dirs`` (the project's ``transcripts/``), so the
    reversible mapping is never ingested or shared with the data by accident.
    """

    if not in_place and out_dir is None and not dry_run:
        raise InputError("say where the pseudonymised files go: --out-dir DIR or --in-place")
    kp = key_path.resolve()
    for d in protected_dirs:
        if d.exists() and (kp == d.resolve() or d.resolve() in kp.parents):
            raise InputError(f"the key must be kept outside {d} (it reverses the pseudonyms)", file=key_path)
    key = PseudonymKey.load(key_path, missing_ok=True)
    changes: list[FileChange] = []
    outputs: list[tuple[Path, bytes]] = []
    for f in files:
        if not f.is_file():
            raise InputError("no such file", file=f)
        suffix = f.suffix.lower()
        target = f if in_place else (out_dir / f.name if out_dir else f)
        if suffix in TEXT_SUFFIXES:
            text = decode_bytes(f.read_bytes(), f)
            found = detect(text, terms)
            new = anonymise(text, found, key)
            data = new.encode("utf-8")
        elif suffix == ".docx":
            found, data = _anonymise_docx(f, terms, key)
        else:
            raise InputError(
                f"cannot pseudonymise {suffix or 'files without extension'}; use .txt .md .vtt .srt .docx", file=f
            )
        kinds: dict[str, int] = {}
        for fd_ in found:
            kinds[fd_.kind] = kinds.get(fd_.kind, 0) + 1
        changes.append(FileChange(str(f), str(target), len(found), kinds))
        outputs.append((target, data))
    if not dry_run:
        for target, data in outputs:  # only after every file was processed without error
            write_bytes(target, data)
        key.save(key_path)
    return changes


def _anonymise_docx(path: Path, terms, key) -> tuple[list, bytes]:
    """Pseudonymise a .docx paragraph by paragraph (a changed paragraph keeps its first run's style)."""
    import io
    import zipfile


    try:
        import docx  # python-docx

        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"not a readable .docx file ({exc})", file=path) from None
    all_found = []
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for p in paragraphs:
        found = detect(p.text, terms)
        if not found:
            continue
        all_found.extend(found)
        new = anonymise(p.text, found, key)
        runs = p.runs
        if runs:
            runs[0].text = new
            for r in runs[1:]:
                r.text = ""
        else:
            p.add_run(new)
    buf = io.BytesIO()
    document.save(buf)
    return all_found, buf.getvalue()
