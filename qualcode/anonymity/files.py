"""Pseudonymising transcript files on disk with a reversible key.

Why a separate module from :mod:`qualcode.anonymity.detect`: that module finds personal data in a
string; this one applies it to files (plain text and .docx), keeps the key outside
``transcripts/`` so it never travels with the data, and writes every file atomically.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.anonymity.detect import Finding, SensitiveTerms, detect
from qualcode.anonymity.pseudonyms import PseudonymKey, anonymise, replacements
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


def _anonymise_docx(path: Path, terms: SensitiveTerms, key: PseudonymKey) -> tuple[list[Finding], bytes]:
    """Pseudonymise a .docx inside its runs, so that every run keeps its formatting.

    Why inside runs: Word stores a paragraph as runs, each with its own formatting (a bold
    speaker label, an italic word). Replacing the paragraph's text would put the whole
    paragraph into one run's formatting (a bold label made the whole answer bold). Here the
    paragraph's text is the text of its ``w:t`` elements in order (tabs and line breaks count
    as white space between them), findings are located in that text, and each is replaced where
    it stands: in the ``w:t`` where it starts, and a finding spanning several runs ("Jan" bold,
    "sen" not) leaves the first run holding the pseudonym and the others trimmed.

    Read: the body (paragraphs in tables, nested tables and text boxes included, text in
    hyperlinks, tracked insertions and content controls too) and every section's page headers
    and footers. Not read: comments, footnotes, field codes and hyperlink targets.
    """
    import io
    import zipfile

    try:
        import docx  # python-docx

        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"not a readable .docx file ({exc})", file=path) from None
    all_found: list[Finding] = []
    for root in _docx_roots(document):
        for paragraph in root.iter(_W + "p"):
            pieces = list(_pieces(paragraph))
            text = "".join(t for _, t in pieces)
            found = detect(text, terms)
            if found:
                all_found.extend(found)
                _replace_in_pieces(pieces, replacements(text, found, key))
    buf = io.BytesIO()
    document.save(buf)
    return all_found, buf.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SKIPPED = {_W + "pPr", _W + "rPr", _W + "p", _W + "instrText", _W + "delText"}
_BREAKS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n"}


def _docx_roots(document: Any) -> list[Any]:
    """The body and each distinct header/footer part (linked ones are the same part, read once)."""
    roots = [document.element.body]
    seen: set[int] = set()
    for section in document.sections:
        for hf in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                   section.even_page_header, section.even_page_footer):
            if hf.is_linked_to_previous:
                continue
            element = hf._element
            if id(element) not in seen:
                seen.add(id(element))
                roots.append(element)
    return roots


def _pieces(paragraph: Any) -> Iterator[tuple[Any, str]]:
    """``(w:t element or None, text)`` of one paragraph in reading order; tabs and breaks are
    pieces without an element (they are kept). Nested paragraphs (text boxes) are their own."""
    for child in paragraph:
        yield from _walk(child)


def _walk(element: Any) -> Iterator[tuple[Any, str]]:
    tag = element.tag
    if tag == _W + "t":
        yield element, element.text or ""
    elif tag in _BREAKS:
        yield None, _BREAKS[tag]
    elif tag not in _SKIPPED:
        for child in element:
            yield from _walk(child)


def _replace_in_pieces(pieces: list[tuple[Any, str]], spans: list[tuple[int, int, str]]) -> None:
    """Replace ``[start, end)`` spans of the joined text by their pseudonyms, right to left: the
    pseudonym goes into the piece where the span starts, the rest of the span is cut from the
    pieces it covers (tabs and breaks inside a span stay)."""
    texts = [t for _, t in pieces]
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t)
    for start, end, pseudonym in reversed(spans):
        first = True
        for i, (element, _) in enumerate(pieces):
            lo, hi = starts[i], starts[i] + len(pieces[i][1])
            if element is None or hi <= start or lo >= end or lo == hi:
                continue
            a, b = max(start, lo) - lo, min(end, hi) - lo
            texts[i] = texts[i][:a] + (pseudonym if first else "") + texts[i][b:]
            first = False
    for (element, old), new in zip(pieces, texts):
        if element is not None and new != old:
            element.text = new
            if new != new.strip():
                element.set(_XML_SPACE, "preserve")
