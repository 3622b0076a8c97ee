"""Pseudonymisation: each finding replaced by a stable pseudonym from a key kept next to the project.

Why this module exists: :func:`qualcode.anonymity.detect.detect` finds what looks like personal
data; :func:`anonymise` replaces each finding with a pseudonym from a :class:`PseudonymKey`, so
the same person is ``[PERSOON-3]`` in every transcript and in every run, and the researcher can
look up (and keep private) who is who.

Everything here is a pure function on text, except :meth:`PseudonymKey.load` and
:meth:`PseudonymKey.save`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.anonymity.detect import KINDS, Finding, resolve_overlaps
from qualcode.atomic import write_text
from qualcode.errors import InputError

__all__ = ["PSEUDONYM_LABELS", "PseudonymKey", "anonymise", "normalise_original", "replacements"]

PSEUDONYM_LABELS: dict[str, str] = {
    "person": "PERSOON",
    "municipality": "GEMEENTE",
    "organisation": "ORGANISATIE",
    "email": "E-MAIL",
    "phone": "TELEFOON",
    "bsn": "BSN",
    "iban": "IBAN",
    "postcode": "POSTCODE",
    "birthdate": "GEBOORTEDATUM",
    "address": "ADRES",
}

_WS = re.compile(r"\s+")
_PSEUDONYM_NUMBER = re.compile(r"\[(?P<label>[A-Z][A-Z\-]*)-(?P<n>\d+)\]")


def normalise_original(kind: str, original: str) -> str:
    """The form under which an original is looked up in a key.

    Case-folded with white space collapsed, so "Jansen" and "JANSEN" share one pseudonym; for
    numbers (phone, BSN, IBAN, postcode) all spacing and punctuation is dropped, and a phone
    number is brought to its national form, so "+31 6 1234 5678" and "06-12345678" share one too.
    """
    s = unicodedata.normalize("NFC", original).replace("’", "'").replace("‘", "'")
    s = _WS.sub(" ", s).strip().casefold()
    if kind == "phone":
        s = s.replace("(0)", "")
        plus = s.startswith("+")
        digits = re.sub(r"\D", "", s)
        if plus:
            digits = "00" + digits
        if digits.startswith("0031"):
            digits = "0" + digits[4:].removeprefix("0")
        return digits
    if kind in ("bsn", "iban", "postcode"):
        return re.sub(r"[\s.\-]", "", s)
    return s


@dataclass
class PseudonymKey:
    """Which pseudonym stands for which original, per kind; kept as a CSV next to the project.

    Why a key file: the same respondent must get the same pseudonym in every transcript and in
    every later run, and the researcher must be able to look up (and keep private) who is who.
    New pseudonyms continue from the highest number already used for their kind.
    """

    # (kind, normalised original) -> (original as first seen, pseudonym)
    entries: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def get(self, kind: str, original: str) -> str | None:
        """The pseudonym for ``original``, or ``None`` if it has none yet."""
        entry = self.entries.get((kind, normalise_original(kind, original)))
        return entry[1] if entry else None

    def pseudonym(self, kind: str, original: str) -> str:
        """The pseudonym for ``original``, assigning the next free ``[LABEL-n]`` if it is new."""
        if kind not in PSEUDONYM_LABELS:
            raise ValueError(f"unknown kind {kind!r}")
        k = (kind, normalise_original(kind, original))
        entry = self.entries.get(k)
        if entry is None:
            entry = (original, f"[{PSEUDONYM_LABELS[kind]}-{self.next_number(kind)}]")
            self.entries[k] = entry
        return entry[1]

    def next_number(self, kind: str) -> int:
        """One more than the highest ``[LABEL-n]`` number used for ``kind``."""
        label = PSEUDONYM_LABELS[kind]
        highest = 0
        for (k, _), (_, pseudonym) in self.entries.items():
            if k != kind:
                continue
            m = _PSEUDONYM_NUMBER.fullmatch(pseudonym)
            if m and m.group("label") == label:
                highest = max(highest, int(m.group("n")))
        return highest + 1

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def load(cls, path: str | Path, *, missing_ok: bool = False) -> PseudonymKey:
        """Read a key CSV (``kind,original,pseudonym``, UTF-8).

        A malformed file raises :class:`InputError` with file and line: wrong header or column
        count, empty fields, an unknown kind, one original with two pseudonyms, or one pseudonym
        for two originals of a kind (which would merge two people).
        """
        path = Path(path)
        key = cls()
        if not path.exists():
            if missing_ok:
                return key
            raise InputError("pseudonym key file not found", path)
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                header_seen = False
                used: dict[tuple[str, str], str] = {}
                for row in reader:
                    line = reader.line_num
                    if not row or all(not c.strip() for c in row):
                        continue
                    if not header_seen:
                        if [c.strip().lower() for c in row] != ["kind", "original", "pseudonym"]:
                            raise InputError("key file must start with the header kind,original,pseudonym", path, line)
                        header_seen = True
                        continue
                    if len(row) != 3:
                        raise InputError(f"expected 3 columns (kind,original,pseudonym), found {len(row)}", path, line)
                    kind, original, pseudonym = (c.strip() for c in row)
                    if kind not in PSEUDONYM_LABELS:
                        known = ", ".join(PSEUDONYM_LABELS)
                        raise InputError(f"unknown kind {kind!r} (known: {known})", path, line)
                    if not original or not pseudonym:
                        raise InputError("original and pseudonym must not be empty", path, line)
                    k = (kind, normalise_original(kind, original))
                    if k in key.entries and key.entries[k][1] != pseudonym:
                        raise InputError(
                            f"{original!r} has two pseudonyms: {key.entries[k][1]} and {pseudonym}", path, line
                        )
                    other = used.get((kind, pseudonym))
                    if other is not None and other != k[1]:
                        raise InputError(f"pseudonym {pseudonym} is used for two different originals", path, line)
                    used[(kind, pseudonym)] = k[1]
                    key.entries.setdefault(k, (original, pseudonym))
        except UnicodeDecodeError as exc:
            raise InputError(f"key file is not UTF-8 ({exc.reason})", path) from exc
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path, reader.line_num) from exc
        return key

    def save(self, path: str | Path) -> None:
        """Write the key as CSV, atomically, so a crash never leaves half a key behind."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)

        def order(item: tuple[tuple[str, str], tuple[str, str]]) -> tuple[int, int, str, str]:
            (kind, norm), (_, pseudonym) = item
            m = _PSEUDONYM_NUMBER.fullmatch(pseudonym)
            kind_rank = KINDS.index(kind) if kind in KINDS else len(KINDS)
            return (kind_rank, int(m.group("n")) if m else 1 << 30, pseudonym, norm)


        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["kind", "original", "pseudonym"])
        for (kind, _), (original, pseudonym) in sorted(self.entries.items(), key=order):
            writer.writerow([kind, original, pseudonym])
        write_text(path, buf.getvalue())


def anonymise(text: str, findings: Iterable[Finding], key: PseudonymKey) -> str:
    """``text`` with every finding replaced by its pseudonym from ``key`` (which is extended).

    Pseudonyms are assigned in reading order, so the first person mentioned is the lowest new
    number; replacement runs right to left so the offsets of the remaining findings stay valid.
    Findings must come from this ``text`` (their ``text`` must match), else ``ValueError``.
    """
    parts: list[str] = []
    pos = len(text)
    for start, end, pseudonym in reversed(replacements(text, findings, key)):
        parts.append(text[end:pos])
        parts.append(pseudonym)
        pos = start
    parts.append(text[:pos])
    return "".join(reversed(parts))


def replacements(text: str, findings: Iterable[Finding], key: PseudonymKey) -> list[tuple[int, int, str]]:
    """``(start, end, pseudonym)`` for each finding in ``text``, without overlaps, in reading
    order (pseudonyms assigned in that order; ``key`` is extended). For a caller that replaces
    inside a structure of its own, such as the runs of a Word paragraph."""
    items = list(findings)
    for f in items:
        if text[f.start : f.end] != f.text:
            raise ValueError(f"finding {f.text!r} at {f.start} does not match the text")
    spans = resolve_overlaps((f.kind, f.start, f.end) for f in items)
    return [(start, end, key.pseudonym(kind, text[start:end])) for kind, start, end in spans]
