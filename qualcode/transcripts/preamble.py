"""What comes before the first turn: a title, a metadata block, a service's meeting lines.

Real transcripts rarely start with a turn. A Word file opens with a heading ("Interview
klantmanager Zuidwoude, 12 maart 2025") and a block of ``key: value`` lines; a Teams download
opens with the meeting title, date and duration. That text is not speech, so it is not a
turn, but it is kept: it becomes the transcript's *header note* (stored, shown by
``transcripts show``, checked for personal data on ingest), and its ``key: value`` lines
become transcript attributes, typed like front matter (:func:`header_attributes`).

The rule: what is a metadata line and what is the first turn?
--------------------------------------------------------------
The difficulty is that a metadata line and a turn look alike: ``Interviewer: onderzoeker 2``
in a metadata block has the syntax of a turn by the interviewer. So, before the first turn,
for the plain-text and Word layouts:

A. **Header text.** A line without label syntax (a title, "Opname gedeeltelijk
   onverstaanbaar"), a Markdown heading or a Word Title/Heading paragraph is header text.
   So is a line whose label the label rules reject ("Let op: ...").
B. **Runs.** Consecutive ``key: value`` lines whose value is *short*: at most 10 words, not
   ending in ``?`` or ``!``, holding no sentence break (". " followed by a capital). The rows
   of a two-column Word table (key | value) are such lines too. A run ends at a blank line
   (an empty paragraph, or the end of a Word table), at a line that is not such a line, or at
   the first turn.
C. **Speaker keys.** A key is a speaker's label when it is an interviewer label, listed under
   ``speakers:``, a code (``R1``, ``INT``), starts another line of the file too, or belongs
   to a family of labels that do ("Respondent 3" next to "Respondent 1"). Any other key
   ("Gemeente", "Datum", "Team") is a *metadata key*.
D. **Metadata.** A run with a metadata key is metadata when there is a reason to expect a
   header: header text above it, a blank line closing it, a second metadata key in it, or
   a value that does not end like a sentence ("12 maart 2025", not "Goedemorgen."). Then,
   if a blank line closes the run, the whole run is metadata (so ``Interviewer: onderzoeker 2``
   among Gemeente/Team/Datum lines is metadata, not a turn); otherwise the run is metadata
   up to its last metadata key and the speaker-keyed lines right below it that do not end
   like a sentence and whose key has not been used yet in the run ("Datum: ..." /
   "Interviewer: Sanne" / "Respondent: KM4" / "Interviewer: Goedemorgen." starts the turns).
E. **The first turn** is the first line that is none of the above and that the label rules
   accept (:mod:`qualcode.transcripts.labels`; the first turn's label need not recur).

A header holds at most :data:`MAX_HEADER_LINES` non-blank lines. More text than that before
the first turn means the speaker labels were not recognised; the file is refused with "text
before the first speaker label", naming the line, instead of storing a whole interview as a
header.

Known limits: a block of only speaker keys ("Interviewer: Sanne" / "Respondent: KM3", both
labels that also start turns) is read as turns, since nothing tells it from two short turns;
put such lines in front matter or give the block a metadata key ("Datum: ..."). A speaker
who speaks once, only in the first line, with a short unpunctuated remark, is read as
metadata; list the label under ``speakers:``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from qualcode.errors import InputError
from qualcode.transcripts.frontmatter import RESERVED_KEYS, typed_scalar
from qualcode.transcripts.labels import LabelPolicy, SourceLine, is_code_label, label_family
from qualcode.transcripts.model import AttributeValue, ReadNote

MAX_HEADER_LINES = 20
MAX_VALUE_WORDS = 10

_SENTENCE_BREAK = re.compile(r"[.!?…] +[A-Z]")
_SENTENCE_END = (".", "?", "!", "…")
_KEY_CHARS = re.compile(r"[^a-z0-9_.-]+")


@dataclass
class Preamble:
    """The lines before the first turn, and where the turns start."""

    header: list[tuple[int, str]] = field(default_factory=list)
    metadata: list[tuple[int, str, str]] = field(default_factory=list)  # (line, key as written, value)
    first_turn: int = 0  # index into the lines given


def is_short_value(value: str) -> bool:
    """Rule B: a value, not a sentence."""
    words = value.split()
    return (
        0 < len(words) <= MAX_VALUE_WORDS
        and not value.rstrip().endswith(("?", "!"))
        and _SENTENCE_BREAK.search(value) is None
    )


def split_preamble(
    lines: Sequence[SourceLine], policy: LabelPolicy, file: object, *, unit: str = "line"
) -> Preamble:
    """Header text, metadata lines and the index of the first turn (rules A-E above)."""
    labels = policy.labels

    def speaker_key(label: str) -> bool:
        if labels.is_known(label) or is_code_label(label) or policy.counts[label] >= 2:
            return True
        return bool(policy.families.get(label_family(label), set()) - {label})

    def in_run(item: SourceLine) -> bool:
        c = item.candidate
        return bool(item.text) and not item.heading and c is not None and is_short_value(c.text)

    out = Preamble()
    seen_text = False
    i, n = 0, len(lines)
    while i < n:
        item = lines[i]
        if not item.text:
            i += 1
            continue
        if in_run(item):
            j = i
            while j < n and in_run(lines[j]):
                j += 1
            run = list(lines[i:j])
            closed_by_blank = j < n and not lines[j].text and any(x.text for x in lines[j:])
            values = [x.candidate.text if x.candidate is not None else "" for x in run]
            meta_at = [k for k, x in enumerate(run) if x.candidate and not speaker_key(x.candidate.label)]
            evidence = seen_text or closed_by_blank or len(meta_at) >= 2 or any(
                not values[k].rstrip().endswith(_SENTENCE_END) for k in meta_at
            )
            if meta_at and evidence:
                last = len(run) if closed_by_blank else _metadata_end(run, values, meta_at[-1])
                for x in run[:last]:
                    assert x.candidate is not None
                    out.header.append((x.line, x.text))
                    out.metadata.append((x.line, x.candidate.label, x.candidate.text))
                seen_text = True
                i += last
                continue
        cand = item.candidate
        if cand is not None and not item.heading and policy.accepts(cand, first=True):
            out.first_turn = i
            break
        out.header.append((item.line, item.text))
        seen_text = True
        i += 1
    else:
        out.first_turn = n
    if len(out.header) > MAX_HEADER_LINES and out.first_turn < n:
        where = "" if unit == "line" else f" (the line number counts {unit}s)"
        raise InputError(
            f"text before the first speaker label: {len(out.header)} lines before the first turn (line "
            f"{lines[out.first_turn].line}), more than a header of {MAX_HEADER_LINES} lines; a turn starts "
            f"with a label and a colon, e.g. 'R1: ...'{where}",
            file,  # type: ignore[arg-type]
            out.header[0][0],
        )
    return out


def _metadata_end(run: Sequence[SourceLine], values: Sequence[str], last_meta: int) -> int:
    """Where metadata ends in a run not closed by a blank line: after its last metadata key, and
    after the speaker-keyed lines right below it whose value does not end like a sentence and
    whose key is not used twice ("Interviewer: Sanne", "Respondent: KM4" listed under "Datum:",
    then "Interviewer: Goedemorgen." as the first turn)."""
    keys = [x.candidate.label.casefold() if x.candidate is not None else "" for x in run]
    end = last_meta + 1
    while end < len(run) and not values[end].rstrip().endswith(_SENTENCE_END) and keys[end] not in keys[:end]:
        end += 1
    return end


def attribute_key(key: str) -> str | None:
    """A metadata key as an attribute name: "Datum opname" -> "datum_opname", "Locatie/ruimte"
    -> "locatie_ruimte"; accents dropped. None when nothing usable is left."""
    plain = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii").casefold()
    name = _KEY_CHARS.sub("_", plain).strip("_.-")
    return name if name and name[0].isalpha() else None


def header_attributes(
    metadata: Sequence[tuple[int, str, str]], taken: Sequence[str] = ()
) -> tuple[dict[str, AttributeValue], list[ReadNote]]:
    """Typed transcript attributes from metadata lines, and notes on lines not used.

    ``taken``: keys the front matter already sets (front matter wins). Keys are case-folded
    with spaces as ``_`` (:func:`attribute_key`), values typed like front matter
    (:func:`qualcode.transcripts.frontmatter.typed_scalar`). ``id``, ``case`` and ``speakers``
    are not taken from a header: they name transcripts and cases and belong in front matter.
    """
    attrs: dict[str, AttributeValue] = {}
    notes: list[ReadNote] = []
    for line, raw_key, raw_value in metadata:
        key = attribute_key(raw_key)
        if key is None:
            notes.append(ReadNote("header", f"header line '{raw_key}: ...' is kept in the header note only: "
                                  f"'{raw_key}' cannot be an attribute name", line))
            continue
        if key in RESERVED_KEYS:
            notes.append(ReadNote("header", f"header line '{raw_key}: {raw_value}' is kept in the header note "
                                  f"only: set `{key}:` in front matter", line))
            continue
        if key in taken or key in attrs:
            notes.append(ReadNote("header", f"header line '{raw_key}: {raw_value}' is kept in the header note "
                                  f"only: attribute '{key}' is already set above", line))
            continue
        value = typed_scalar(raw_value)
        if value is not None:
            attrs[key] = value
    return attrs, notes
