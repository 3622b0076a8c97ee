"""Word (.docx) transcripts.

A docx maps onto the plain format: each paragraph is a line. A turn starts with

* a plain ``R1: text`` paragraph (the plain-text label rules apply),
* a bold label at the paragraph start: ``R1`` or ``R1:`` in bold, then the text (a bold
  label need not recur in the file, see :mod:`qualcode.transcripts.labels`), or
* a table row: two columns (speaker | text), or three with a time column first
  (time | speaker | text), as transcription services export. An empty speaker cell continues
  the previous turn; a first row whose speaker cell reads "Spreker"/"Speaker"/"Naam"... is a
  header and skipped, or
* a transcription service's block line (Teams: "Petra de Vries   0:03", then the text in
  the next paragraph; see :mod:`qualcode.transcripts.services`).

Front matter may be given as the leading paragraphs between two ``---`` paragraphs. What
comes before the first turn (a Title or Heading paragraph, a metadata block, a metadata table
of two columns) is the header (:mod:`qualcode.transcripts.preamble`); an empty paragraph and
the end of a table separate blocks there. Page headers and footers are not read: they hold
running titles and page numbers, not the interview. The layout is reported as ``word`` (plain
labels), ``word-bold`` (bold labels), ``word-table`` (a speaker column) or the service's.

Line numbers in errors and in ``Turn.line`` count blocks: each paragraph is one, each table
row is one. Word shows no line numbers, so this is the closest thing a user can count.
python-docx is imported lazily: it is slow to import and only docx files need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import InputError
from qualcode.transcripts.body import BodyRead, read_body
from qualcode.transcripts.decode import canonicalise
from qualcode.transcripts.frontmatter import FrontMatter, split_front_matter_lines
from qualcode.transcripts.labels import (
    MAX_LABEL_CHARS,
    LabelCandidate,
    SourceLine,
    SpeakerLabels,
    is_label_syntax,
    is_time_stamp,
    label_candidate,
    match_label,
)

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

_HEADER_WORDS = frozenset({"spreker", "speaker", "naam", "name", "wie", "persoon", "deelnemer"})
_HEADING_STYLES = ("title", "subtitle", "heading", "kop", "titel", "ondertitel")
_UNIT = "paragraphs and table row"


@dataclass(frozen=True)
class _Block:
    """A paragraph's text lines or a table row's cells, numbered as the user would count."""

    number: int
    lines: tuple[str, ...] = ()
    bold_prefix: str = ""
    cells: tuple[str, ...] | None = None  # set for a table row
    first_row: bool = False
    last_row: bool = False
    heading: bool = False  # a paragraph in a Title/Heading style


def read_docx(path: Path, file: str | Path | None, known: SpeakerLabels) -> tuple[FrontMatter, BodyRead]:
    """Read a .docx transcript into front matter and body (``known``: as for .txt)."""
    blocks = list(_blocks(_open(path, file)))
    front = _front_matter(blocks, file)
    labels = known.with_speakers(tuple(front.speakers))
    items: list[SourceLine] = []
    for block in blocks:
        if block.number <= front.end_line:
            continue
        if block.cells is None:
            items.extend(_paragraph_lines(block))
            continue
        item = _row_line(block, file)
        if item is not None:
            items.append(item)
        if block.last_row:  # the end of a table separates a metadata table from the turns
            items.append(SourceLine(block.number, "", None))
    body = read_body(items, labels, file, layout="word", unit=_UNIT)
    if body.layout == "word":
        body.layout = _word_layout(items, body)
    return front, body


def _word_layout(items: list[SourceLine], body: BodyRead) -> str:
    """``word-table`` when most turns come from a speaker column, ``word-bold`` from bold labels."""
    starts = {t.line for t in body.turns}
    kinds: list[str] = [x.candidate.kind for x in items if x.line in starts and x.candidate is not None]
    for kind, name in (("column", "word-table"), ("bold", "word-bold")):
        if kinds and kinds.count(kind) * 2 > len(kinds):
            return name
    return "word"


def _open(path: Path, file: str | Path | None):  # -> docx.document.Document
    import docx

    try:
        return docx.Document(str(path))
    # A damaged package fails in many ways (BadZipFile, KeyError for a missing part, lxml
    # syntax errors, PackageNotFoundError); for the user they all mean the same thing.
    except Exception as err:  # noqa: BLE001
        raise InputError(
            f"not a readable .docx file: it is damaged or not a Word document ({type(err).__name__})", file
        ) from None


def _blocks(document) -> Iterator[_Block]:
    from docx.table import Table

    number = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = list(_rows(item))
            for i, cells in enumerate(rows):
                number += 1
                yield _Block(number, cells=cells, first_row=i == 0, last_row=i == len(rows) - 1)
        else:
            number += 1
            text = canonicalise(item.text)
            yield _Block(number, lines=tuple(text.split("\n")), bold_prefix=canonicalise(_bold_prefix(item)),
                         heading=_is_heading(item))


def _is_heading(paragraph: Paragraph) -> bool:
    """A paragraph in a Title, Subtitle or Heading style (also in Dutch Word: "Kop 1", "Titel")."""
    try:
        name = (paragraph.style.name if paragraph.style is not None else "") or ""
    except (KeyError, ValueError):  # a style id missing from styles.xml
        return False
    return name.casefold().startswith(_HEADING_STYLES)


def _rows(table: Table) -> Iterator[tuple[str, ...]]:
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is last:  # a merged cell is repeated once per grid column it spans
                continue
            last = cell._tc
            cells.append(canonicalise(cell.text))
        yield tuple(cells)


def _bold_prefix(paragraph: Paragraph) -> str:
    """Text of the bold runs that open the paragraph (empty if it does not open bold)."""
    out: list[str] = []
    for run in paragraph.runs:
        if not run.text:
            continue
        bold = run.bold
        if bold is None and run.style is not None:
            bold = run.style.font.bold
        if not bold:
            break
        out.append(run.text)
    prefix = "".join(out)
    return prefix if paragraph.text.startswith(prefix) else ""


def _front_matter(blocks: list[_Block], file: str | Path | None) -> FrontMatter:
    lines: list[tuple[int, str]] = []
    for block in blocks:
        if block.cells is not None:
            break
        lines.extend((block.number, line) for line in block.lines)
    front, _ = split_front_matter_lines(lines, file)
    return front


def _paragraph_lines(block: _Block) -> Iterator[SourceLine]:
    bold = block.bold_prefix.lstrip()
    if not any(raw.strip() for raw in block.lines):
        yield SourceLine(block.number, "", None)  # an empty paragraph: a blank line
        return
    for i, raw in enumerate(block.lines):
        line = raw.strip()
        if not line:
            continue
        if i == 0 and bold.strip():
            candidate = match_label(line, bold_chars=len(bold.rstrip())) or _colonless_bold(line, bold)
        else:
            candidate = match_label(line)
        yield SourceLine(block.number, line, candidate, block.heading)


def _colonless_bold(line: str, bold: str) -> LabelCandidate | None:
    """``**R1** Ik begin ...``: a bold label without a colon, followed by the text."""
    label = bold.strip()
    rest = line[len(bold.rstrip()) :]
    if not is_label_syntax(label) or not rest[:1].isspace() or not rest.strip():
        return None
    return label_candidate(label, rest, kind="bold")


def _row_line(block: _Block, file: str | Path | None) -> SourceLine | None:
    cells = block.cells or ()
    stamp = None
    if len(cells) == 3 and is_time_stamp(cells[0]):
        stamp, cells = cells[0].strip(), cells[1:]
    if len(cells) != 2:
        raise InputError(
            f"a table with {len(block.cells or ())} columns; transcript tables have 2 "
            "(speaker | text) or 3 (time | speaker | text)",
            file,
            block.number,
        )
    speaker = " ".join(cells[0].split()).rstrip(":").strip()
    text = "\n".join(x.strip() for x in cells[1].split("\n") if x.strip())
    if block.first_row and speaker.casefold() in _HEADER_WORDS:
        return None
    if not text:
        return None
    if not speaker:
        return SourceLine(block.number, text, None)
    if len(speaker) > MAX_LABEL_CHARS:
        raise InputError(
            f"speaker cell '{speaker[:50]}' is longer than {MAX_LABEL_CHARS} characters", file, block.number
        )
    return SourceLine(block.number, text, label_candidate(speaker, text, stamp=stamp, kind="column"))
