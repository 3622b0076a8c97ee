"""The speaker-label rules: when a line of a transcript starts a speaker turn.

Every line-based layout (.txt, .md, Word paragraphs, subtitle cues that say ``Name: text``)
uses these rules, so one transcript reads the same whatever the file type. The readers
themselves are :mod:`qualcode.transcripts.plain` (.txt/.md), :mod:`~qualcode.transcripts.docx`
and :mod:`~qualcode.transcripts.subtitles`; what comes before the first turn is
:mod:`~qualcode.transcripts.preamble`.

When is ``Something: text`` a speaker turn?
-------------------------------------------
Interview speech is full of colons ("Toen zei ik: nee."), and a transcript has no other
marker of a turn, so a line is a turn start only if all of these hold:

1. **Syntax.** The line (after an optional time stamp) starts with a candidate label of 1-40
   characters that begins with a letter, holds only letters, digits, spaces and ``._-``
   (and may end in a short note in brackets, as Teams writes "Klantmanager B (Guest)"), has
   at most 4 words, and is followed by a colon and then a space or the end of the line
   (``http://`` and ``10:30`` are therefore never labels). In .md, a leading ``- ``/``* ``
   bullet is ignored and ``**R1:**`` / ``**R1**:`` bold labels count.
2. **Known labels always win:** an interviewer label (``I``, ``INT``, ``Interviewer``,
   ``Interviewer 1``, ``I2`` ... case-insensitive, optional trailing number; and a display
   name that starts with one of three letters or more, "Onderzoeker Zuid") or a label
   listed under ``speakers:`` in the front matter.
3. **Shape.** Otherwise the first word must start with a capital (or be a code such as
   ``r1``) and the last word must not start with a lower-case letter. This admits
   "Mevrouw De Vries", "Anna van der Berg", "Respondent B" and rejects "Hij zei het zo",
   "Ik dacht", "Toen zei ik".
4. **Not a discourse word.** "Nou:", "Kijk:", "Bijvoorbeeld:", "NB:", "Let op:" ... are never
   labels (see ``_NOT_LABELS``).
5. **Strong shape or evidence.** A code (``R1``, ``P12``, ``r3``: 1-4 letters then 1-3
   digits), an all-capitals word of up to 5 letters (``INT``, ``R``, ``KM``), a bold label
   and a name opening a subtitle cue are accepted at once. (A docx table's speaker column or
   a vtt ``<v Name>`` tag declares the speaker outright and skips rules 3-5.) Any other
   candidate ("Jan", "Mevrouw Jansen", "Vraag") is a label only if the same label starts a
   line at least twice in the file, or it starts the first turn of the body. Why: every
   real speaker in an interview speaks more than once, while a sentence like "Kortom: ..."
   does not recur verbatim at a line start.
6. **Families.** A label that occurs once is still a label when it belongs to a family of
   labels that recur: "Respondent 3" next to a recurring "Respondent 1", "Klantmanager B
   (Guest)" next to "Klantmanager A" (same words but a trailing number, letter or note in
   brackets; see :func:`label_family`). A rare speaker is still a speaker.

Known limitation: a named speaker who speaks exactly once, not in the first turn, without a
family and not listed under ``speakers:``, is read as a continuation of the turn above. The
reader says so (a ``glued`` note naming the line, printed by ingest and marked by
``transcripts show``); list the label under ``speakers:`` or use a code label (R1, R2 ...).

Time stamps ``[00:01:12]``, ``(00:01:12)``, ``[01:12]`` or bare ``00:01:12`` (``h:mm:ss``,
optional ``.mmm``) directly before or after the label are dropped from the text and kept as
``meta["time_start"]`` ("hh:mm:ss" or "hh:mm:ss.mmm").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from qualcode.errors import InputError
from qualcode.transcripts.model import ReadNote

LabelKind = Literal["text", "bold", "cue", "column"]

MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 4

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_BARE_TIME = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_STAMP = rf"(?:\[{_TIME}\]|\({_TIME}\)|{_BARE_TIME})"
_LABEL_LINE = re.compile(
    rf"""
    (?:(?P<pre>{_STAMP})[ \t]+)?            # [00:01:12] R1: ...
    (?P<label>[^\W\d_][\w.\- \t]*?         # starts with a letter; no colon inside
      (?:[ \t]*\([^\W\d_][\w.\- ]{{0,19}}\))?)   # "Klantmanager B (Guest)": a note in brackets
    (?:[ \t]*(?P<mid>{_STAMP}))?            # R1 [00:01:12]: ...
    [ \t]*:(?:[ \t]+(?P<rest>.*)|$)
    """,
    re.VERBOSE,
)
_LABEL_HEAD_CHARS = 120  # a label (<= 40), two stamps and the white space between them
_LEADING_STAMP = re.compile(rf"(?P<stamp>{_STAMP})(?:[ \t]+|$)")
_LABEL_WORDS = re.compile(r"[^\W\d_][\w.\- ]*?(?: ?\([^\W\d_][\w.\- ]{0,19}\))?")
_PAREN_NOTE = re.compile(r" ?\([^()]*\)$")
_CODE_LABEL = re.compile(r"[^\W\d_]{1,4}\d{1,3}")
_MD_BULLET = re.compile(r"[-*+][ \t]+")
_MD_BOLD = re.compile(r"(?:\*\*|__)(?P<inner>[^*_]+?)(?:\*\*|__)(?P<after>.*)")
_MD_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_MD_RULE = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")

# Words that start a sentence with a colon in Dutch/English speech and notes; never labels
# (unless configured as interviewer labels or listed under `speakers:`).
_NOT_LABELS = frozenset(
    """
    nou kijk dus ja nee maar en want toen zoals bijvoorbeeld oftewel namelijk daarom
    dat dit het wat hij zij ik wij we jij je ze kortom eerst daarna vervolgens
    conclusie samenvatting opmerking noot nb ps ok oké okay
    so well yes no but and example note nota update edit tip
    """.split()
) | {"let op", "ten eerste", "ten tweede", "met andere woorden", "by the way"}


@dataclass
class SourceTurn:
    """A turn as found in the source file, before the canonical text is built."""

    speaker: str
    text: str
    line: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LabelCandidate:
    """A line start that has the syntax of a speaker label; :class:`LabelPolicy` decides."""

    label: str
    text: str
    time_start: str | None = None
    # How the label was marked: "text" (plain `R1:`), "bold" (bold in md/docx: no need to
    # recur, rule 5), "cue" (opens a subtitle cue in a file whose cues open with names: like
    # bold) or "column" (a table's speaker column or a vtt voice tag: always a label).
    kind: LabelKind = "text"


@dataclass(frozen=True)
class SourceLine:
    """One line (txt/md line, docx paragraph or table row) with its candidate.

    A blank line has ``text == ""``: it separates a metadata block from the turns (see
    :mod:`qualcode.transcripts.preamble`). ``heading`` marks a Markdown heading or rule, or a
    Word paragraph in a Title/Heading style: header text before the first turn.
    """

    line: int
    text: str
    candidate: LabelCandidate | None
    heading: bool = False


def normalise_label(label: str) -> str:
    """Collapse inner whitespace: "Interviewer  1" and "Interviewer 1" are one speaker."""
    return " ".join(label.split())


def parse_time_code(stamp: str) -> str:
    """``[1:12]``, ``(0:01:12)``, ``00:01:12,5`` -> ``"00:01:12"`` / ``"00:01:12.500"``."""
    core = stamp.strip("[]()")
    millis: str | None = None
    if "." in core or "," in core:
        core, millis = re.split(r"[.,]", core, maxsplit=1)
    parts = [int(p) for p in core.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    total = parts[0] * 3600 + parts[1] * 60 + parts[2]
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    out = f"{h:02d}:{m:02d}:{s:02d}"
    if millis is not None:
        out += f".{millis.ljust(3, '0')[:3]}"
    return out


def match_label(line: str, *, markdown: bool = False, bold_chars: int = 0) -> LabelCandidate | None:
    """The label candidate at the start of a stripped line, by syntax alone (rule 1).

    ``bold_chars``: how many leading characters of ``line`` are bold (docx); a label lying
    within them is a bold label.
    """
    if markdown:
        bullet = _MD_BULLET.match(line)
        if bullet:
            line = line[bullet.end() :]
        bold = _MD_BOLD.fullmatch(line)
        if bold:
            bold_chars = len(bold["inner"])
            line = bold["inner"] + bold["after"]
    # A label and its stamps fit in the first characters; matching only those keeps the pattern
    # linear on hostile lines (a line of 50,000 spaces took minutes on the whole line).
    head = line[:_LABEL_HEAD_CHARS]
    m = _LABEL_LINE.match(head)
    if m is None or not is_label_syntax(m["label"]):
        return None
    if m["rest"] is not None:
        rest = line[m.start("rest") :]
    elif m.end() == len(line):
        rest = ""
    elif line[m.end()] in " \t":  # the head ended right after the colon
        rest = line[m.end() :]
    else:
        return None
    kind: LabelKind = "bold" if bold_chars and m.end("label") <= bold_chars else "text"
    return label_candidate(m["label"], rest, stamp=m["pre"] or m["mid"], kind=kind)


def is_md_heading(line: str) -> bool:
    """A Markdown heading (``# Interview 3``) or rule (``---``, ``***``): not speech."""
    return bool(_MD_HEADING.match(line) or _MD_RULE.fullmatch(line))


def is_label_syntax(label: str) -> bool:
    """Rule 1 on the label itself: 1-40 characters, at most 4 words, no colon."""
    label = normalise_label(label)
    return (
        0 < len(label) <= MAX_LABEL_CHARS
        and len(label.split(" ")) <= MAX_LABEL_WORDS
        and _LABEL_WORDS.fullmatch(label) is not None
    )


def label_candidate(
    label: str, rest: str, *, stamp: str | None = None, kind: LabelKind = "text"
) -> LabelCandidate:
    """A candidate from a label and the text after it; a time stamp opening the text moves to meta."""
    text = rest.strip()
    if stamp is None:
        lead = _LEADING_STAMP.match(text)
        if lead:
            stamp = lead["stamp"]
            text = text[lead.end() :].strip()
    return LabelCandidate(
        label=normalise_label(label),
        text=text,
        time_start=parse_time_code(stamp) if stamp else None,
        kind=kind,
    )


def is_time_stamp(text: str) -> bool:
    """True if ``text`` is exactly one time stamp, e.g. a time column in a docx table."""
    return re.fullmatch(_STAMP, text.strip()) is not None


def is_interviewer_label(label: str, interviewer_labels: Sequence[str]) -> bool:
    """True for an interviewer label, case-insensitive, with an optional number: "I2", "Interviewer 1".

    A label whose first word is an interviewer label of three letters or more, followed by
    capitalised words, is one too: "Onderzoeker Zuid" and "Interviewer Anna" are the display
    names services such as Teams give a researcher. Short labels (``I``, ``Q``) do not
    extend that way ("I Jansen" stays a respondent), and "Onderzoeker zegt" has no label shape.
    """
    name = normalise_label(label)
    pattern = _interviewer_pattern(tuple(interviewer_labels))
    if pattern.fullmatch(name) is not None:
        return True
    first, _, rest = name.partition(" ")
    return bool(rest) and len(first) >= 3 and pattern.fullmatch(first) is not None and has_label_shape(name)


@lru_cache(maxsize=32)
def _interviewer_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(normalise_label(x)) for x in sorted(labels, key=len, reverse=True))
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(rf"(?:{alternatives})(?:[ ]?\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class SpeakerLabels:
    """Labels known before reading the body: interviewer labels, and speakers named in front
    matter or in the project's speakers file (known labels always start a turn, rule 2)."""

    interviewer: tuple[str, ...]
    speakers: tuple[str, ...] = ()

    def is_interviewer(self, label: str) -> bool:
        return is_interviewer_label(label, self.interviewer)

    def with_speakers(self, speakers: Sequence[str]) -> SpeakerLabels:
        """These labels and ``speakers`` (a file's front-matter ``speakers:``) as known labels."""
        return SpeakerLabels(self.interviewer, (*self.speakers, *speakers))

    def is_known(self, label: str) -> bool:
        folded = normalise_label(label).casefold()
        if self.is_interviewer(label):
            return True
        return any(normalise_label(s).casefold() == folded for s in self.speakers)


class LabelPolicy:
    """Decides which label candidates start a turn (rules 2-6 in the module docstring)."""

    def __init__(self, labels: SpeakerLabels, candidates: Sequence[LabelCandidate]) -> None:
        self.labels = labels
        self.counts = Counter(c.label for c in candidates)
        # Families of labels that recur (or are known): "Respondent 1" recurring makes a single
        # "Respondent 3" a label too (rule 6).
        self.families: dict[str, set[str]] = {}
        for label, count in self.counts.items():
            if count >= 2 or labels.is_known(label):
                self.families.setdefault(label_family(label), set()).add(label)

    def accepts(self, candidate: LabelCandidate, *, first: bool) -> bool:
        return self.rejection(candidate, first=first) is None

    def rejection(self, candidate: LabelCandidate, *, first: bool) -> str | None:
        """Why a candidate is not a label: ``"shape"`` (rules 3-4) or ``"once"`` (rule 5: a plain
        label that occurs once and has no family); None when it is a label."""
        label = candidate.label
        if candidate.kind == "column" or self.labels.is_known(label):
            return None
        if not has_label_shape(label) or label.casefold() in _NOT_LABELS:
            return "shape"
        if candidate.kind in ("bold", "cue") or is_code_label(label):
            return None
        if first or self.counts[label] >= 2 or self.families.get(label_family(label), set()) - {label}:
            return None
        return "once"


def label_base(label: str) -> str:
    """The label without a trailing note in brackets: "Klantmanager B (Guest)" -> "Klantmanager B"."""
    return _PAREN_NOTE.sub("", label).strip() or label


def label_family(label: str) -> str:
    """What a series of labels shares: "Respondent 3", "Respondent 1" -> "respondent";
    "Klantmanager B (Guest)" -> "klantmanager"; "R3" -> "r". Case-folded."""
    base = label_base(label)
    code = _CODE_LABEL.fullmatch(base)
    if code:
        return re.sub(r"\d+$", "", base).casefold()
    words = base.split(" ")
    if len(words) >= 2 and (words[-1].isdigit() or (len(words[-1]) == 1 and words[-1].isalpha())):
        words = words[:-1]
    return " ".join(words).casefold()


def has_label_shape(label: str) -> bool:
    """Rule 3: capitalised (or a code) first word, and a last word that is not lower case (a
    note in brackets at the end, "(Guest)", is not a word here)."""
    words = label_base(label).split(" ")
    if not (words[0][0].isupper() or _CODE_LABEL.fullmatch(words[0])):
        return False
    return len(words) == 1 or not words[-1][0].islower()


def is_code_label(label: str) -> bool:
    """Rule 5's strong shapes: ``R1``/``P12``/``r3``, or one all-capitals word of <= 5 letters."""
    if _CODE_LABEL.fullmatch(label):
        return True
    return label.isalpha() and label.isupper() and len(label) <= 5


def glued_message(label: str, onto: str) -> str:
    """What a ``glued`` note says: which label was not taken for a speaker, and how to make it one."""
    return (f"'{label}: ...' is read as part of the turn above ({onto}): the label '{label}' starts no other "
            f"line; if {label} is a speaker, list the label under `speakers:` or in the speakers file")


def build_turns(
    lines: Sequence[SourceLine],
    labels: SpeakerLabels,
    file: str | Path | None,
    *,
    unit: str = "line",
    notes: list[ReadNote] | None = None,
) -> list[SourceTurn]:
    """Group lines into turns: a label line starts one, other lines continue it.

    Turns whose text is empty (a bare ``R1:`` followed directly by another label) are
    dropped: an empty fragment cannot be coded. Blank lines are skipped. A line that looks
    like a label but occurs once (rule 5) continues the turn above; when ``notes`` is given,
    a ``glued`` note says so, naming the line (the turn number is filled in by the caller,
    who knows the final numbering: ``ReadNote.turns`` holds the index into the returned list + 1).
    """
    policy = LabelPolicy(labels, [x.candidate for x in lines if x.candidate is not None])
    turns: list[SourceTurn] = []
    parts: list[list[str]] = []
    glued: list[tuple[int, SourceLine]] = []
    for item in lines:
        if not item.text:
            continue
        cand = item.candidate
        why = policy.rejection(cand, first=not turns) if cand is not None else "none"
        if cand is not None and why is None:
            meta = {"time_start": cand.time_start} if cand.time_start else {}
            turns.append(SourceTurn(cand.label, "", item.line, meta))
            parts.append([cand.text] if cand.text else [])
        elif not turns:
            where = "" if unit == "line" else f" (the line number counts {unit}s)"
            raise InputError(
                f"text before the first speaker label; a turn starts with a label and a colon, "
                f"e.g. 'R1: ...'{where}",
                file,
                item.line,
            )
        else:
            parts[-1].append(item.text)
            if why == "once":
                glued.append((len(turns) - 1, item))
    for turn, texts in zip(turns, parts):
        turn.text = "\n".join(texts)
    kept = [i for i, t in enumerate(turns) if t.text]
    if notes is not None:
        number = {old: new for new, old in enumerate(kept, start=1)}
        for index, item in glued:
            assert item.candidate is not None
            label = item.candidate.label
            notes.append(ReadNote(
                "glued",
                glued_message(label, turns[index].speaker),
                item.line,
                (number[index],) if index in number else (),
            ))
    return [turns[i] for i in kept]
