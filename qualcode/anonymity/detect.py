"""Checks that transcripts really are anonymised: what in a text still looks like personal data.

Why this module exists: every ingest runs :func:`detect` over a transcript's canonical text and
reports what still looks like personal data (file, line, column, kind, text), so a researcher
never stores or exports an identifiable interview by accident. Replacing the findings with
stable pseudonyms is :mod:`qualcode.anonymity.pseudonyms`; doing that to files on disk is
:mod:`qualcode.anonymity.files`.

Everything here is a pure function on text. Offsets are code-point offsets into the text given,
half-open ``[start, end)``; lines and columns are 1-based.

Precision matters as much as recall: interview text is full of numbers ("200 klanten", "2015",
"00:01:12", "40-50 per klantmanager"), so every numeric detector either validates a checksum
(BSN 11-proef, IBAN mod-97) or demands the exact shape and digit count (phone), or a context
(postcode, birth date, address). Decisions and known limits per detector:

* ``email``: ``local@domain.tld``.
* ``phone``: Dutch numbers starting with ``0`` (exactly 10 digits; area code of 3 or 4 digits, or
  ``06``), ``+31``/``0031`` (9 digits after the country code, an optional ``(0)`` trunk allowed),
  and ``0800``/``0900``/``0906``/``0909`` service numbers (4 or 7 digits after the prefix). Digits
  may be grouped with single spaces, hyphens, dots, slashes or ``(020)`` parentheses. Other
  countries' numbers are flagged only when written with ``+`` (8 to 15 digits) or ``00`` and a
  country code. Times (``10:30``), money (``0,50``), ranges and dates (``06-12-1980``) do not
  match. A run of 2-digit groups that happens to start with ``06`` and total 10 digits
  (``06 07 08 09 10``) is flagged; a 4-digit time range written ``0900-1700`` is too.
* ``bsn``: 9 digits written ``123456782``, ``1234.56.782``, ``123 456 782`` or ``123-456-782``,
  flagged only when they pass the 11-proef. 8-digit numbers (old sofinummers with the leading zero
  dropped) and ``123.456.782`` (which reads as an amount of money) are not checked.
* ``iban``: two letters, two check digits and the account part in the length the ISO 13616
  registry gives for that country, in any case, with or without spaces; flagged only when
  mod-97 holds. Text shaped like an IBAN whose check fails is reported as nothing, and also hides
  the digits inside it from the phone and BSN detectors.
* ``postcode``: ``1234 AB`` / ``1234AB`` (first digit 1-9, letters not SA, SD or SS, letters upper
  case) when followed by a house number (``1234 AB 12``, the number is part of the finding), by a
  capitalised place name (``1012 AB Amsterdam``; the place is *not* part of the finding, configure
  it as a municipality), when preceded by a house number (``Kerkstraat 12, 1234 AB``), or after the
  word ``postcode`` (then lower-case letters count too). A bare ``2015 EU`` is not flagged.
* ``birthdate``: a date (``12-03-1980``, ``12/3/1980``, ``12 maart 1980``, ``12 maart``,
  ``1980-03-12``) that starts within 40 characters after a cue (``geboren``, ``geb.``,
  ``geboortedatum``, ``geboortejaar``, ``geboortedag``, ``verjaardag``) in the same sentence; a
  year alone (19xx/20xx) counts within 25 characters after a cue other than ``verjaardag``, with
  no comma or semicolon in between. A date without a cue is not flagged.
* ``address``: a capitalised word ending in a street suffix (straat, laan, weg, plein, gracht,
  kade, dijk, singel, hof, park, steeg, pad, dreef, markt, boulevard, plantsoen, allee, wal,
  kanaal), optionally after capitalised words and name particles (``Van Woustraat``,
  ``Jan van Galenstraat``), or a suffix word followed by a particle and a name (``Laan van
  Meerdervoort``), or one such word alone (``Markt``, ``Plein``, ``Kade``...; not ``Straat``,
  ``Weg``, ``Pad`` or ``Park``), followed by a house number (``12``, ``12a``, ``12-II``, ``101-3``,
  ``12 bis``). Capitalised words right before the street name join the finding (``Burgemeester de
  Vlugtlaan 12``), except sentence-starting function words (``In``, ``De``, ``Ik``...). Street
  names written in lower case, and street names ending in other words (``Dam``, ``Lange
  Voorhout``), are not found; "Kerkstraat 12 klanten" is flagged.
* ``person`` / ``municipality`` / ``organisation``: the terms configured in ``qualcode.toml``
  ``[anonymity]``, matched case-insensitively as whole words (Unicode word boundaries: ``Ede``
  does not match inside ``Vrede``); a multi-word term matches across any run of white space.
  Inflected forms (``Jansens``) are not matched; a possessive ``Jansen's`` matches ``Jansen``.
  Names that are also ordinary words (``Bakker``, ``Visser``) match the ordinary word too.

Speed: all patterns are compiled at import; a 20,000-word transcript takes a few milliseconds.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from qualcode.errors import InputError

__all__ = [
    "KINDS",
    "Finding",
    "SensitiveTerms",
    "bsn_valid",
    "detect",
    "iban_valid",
    "resolve_overlaps",
]

# Kinds in order of specificity: when two findings of the same length overlap, the earlier kind
# wins (a validated IBAN says more than a phone-shaped run of digits inside it).
KINDS: tuple[str, ...] = (
    "iban",
    "bsn",
    "email",
    "phone",
    "birthdate",
    "address",
    "postcode",
    "person",
    "organisation",
    "municipality",
)
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}

_TERM_KINDS = {"people": "person", "municipalities": "municipality", "organisations": "organisation"}


@dataclass(frozen=True)
class Finding:
    """One piece of text that looks like personal data.

    ``start``/``end`` are code-point offsets into the text that was checked, so a finding can be
    replaced in place; ``line``/``column`` (1-based) are for the message a researcher reads.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    column: int


@dataclass
class SensitiveTerms:
    """Names that must not appear in a transcript: respondents, municipalities, organisations.

    Why configured rather than detected: names of people and places cannot be told from ordinary
    words reliably without a model, but the researcher knows exactly which ones occur in the study.
    """

    people: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None, file: str | Path | None = None) -> SensitiveTerms:
        """Read the ``[anonymity]`` table of ``qualcode.toml``.

        Accepts the table itself or the whole parsed config (then its ``anonymity`` key is used).
        A key that is not a list of strings raises :class:`InputError` naming ``file``.
        """
        if not config:
            return cls()
        table = config.get("anonymity", config)
        if not isinstance(table, Mapping):
            raise InputError("[anonymity] must be a table", file)
        values: dict[str, list[str]] = {}
        for key in _TERM_KINDS:
            raw = table.get(key, [])
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
                raise InputError(f"[anonymity] {key} must be a list of strings", file)
            values[key] = [t.strip() for t in raw if t.strip()]
        return cls(**values)

    def by_kind(self) -> dict[str, tuple[str, ...]]:
        """The terms per finding kind (``person``, ``municipality``, ``organisation``)."""
        return {
            "person": tuple(self.people),
            "municipality": tuple(self.municipalities),
            "organisation": tuple(self.organisations),
        }


# --------------------------------------------------------------------------------------------
# Validators


def bsn_valid(digits: str) -> bool:
    """The 11-proef for a 9-digit BSN: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11, not all zeros."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


# ISO 13616 registry: country code -> IBAN length.
_IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(iban: str) -> bool:
    """ISO 13616 check: known country, the registry's length, and mod-97 == 1 (spaces ignored)."""
    s = re.sub(r"\s+", "", iban).upper()
    if not s.isascii() or not s.isalnum() or _IBAN_LENGTHS.get(s[:2]) != len(s) or not s[2:4].isdigit():
        return False
    if not s[4:].isalnum():
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


# --------------------------------------------------------------------------------------------
# Regexes (compiled once at import; detect() only runs them)

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}(?![\w-])")

# Speed note: Python's re only skips ahead quickly when a pattern starts with a character or a
# class, so the patterns below consume their first character and check what precedes it with a
# lookbehind afterwards, instead of starting with a lookbehind.

# A phone candidate: starts with "+digits", "0" or "(0", then digit groups joined by one separator.
# The candidate is greedy; _phone_prefix_ok() picks the part with the right number of digits.
_PH_SEP = r"(?:[ .\-/]|[ ]-[ ])"
_PHONE_CANDIDATE = re.compile(
    r"[+(0](?<![\w+@.,/\-][+(0])"
    r"(?:(?<=\+)\d+|(?<=\()0\d*\)|(?<=0)\d*)"
    rf"(?:{_PH_SEP}?\(0\)|{_PH_SEP}?\(\d+\)|(?<=\))\d+|{_PH_SEP}\d+)*"
)
_DIGIT_GROUP = re.compile(r"\d+")
_DATE_SHAPE = re.compile(r"\(?\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}(?!\d)")
_SERVICE_PREFIXES = ("0800", "0900", "0906", "0909")

_BSN = re.compile(
    r"\d(?<![\w.,\-]\d)(?:"
    r"\d{8}(?![\w]|[.,\-]\d)"  # 123456782
    r"|\d{3}\.\d{2}\.\d{3}(?![\w]|[.,\-]\d)"  # 1234.56.782
    r"|(?<!\d \d)\d{2} \d{3} \d{3}(?![\w]|[.,\-]\d| \d)"  # 123 456 782
    r"|\d{2}-\d{3}-\d{3}(?![\w]|[.,\-]\d)"  # 123-456-782
    r")"
)

_IBAN_ANCHOR = re.compile(r"[0-9]{2}(?<=[A-Za-z]{2}[0-9]{2})")  # the check digits after two letters
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){8,30}(?![A-Za-z0-9])")

_POSTCODE = re.compile(
    r"[1-9](?<!\w[1-9])(?<!\d[.,][1-9])\d{3}(?P<space>[ \u00a0]?)(?P<letters>[A-Za-z]{2})(?!\w)"
)
_HOUSE_NUMBER = r"\d{1,5}(?:bis|[a-zA-Z]{1,2}|-(?:\d{1,4}|[IVX]{1,4}|[a-zA-Z]{1,3}))?"
_PC_NUMBER_AFTER = re.compile(rf"[ \t\u00a0]+{_HOUSE_NUMBER}(?!\w|[.,:\-/]\d)")
_PC_PLACE_AFTER = re.compile(
    r"(?:[ \t\u00a0]+|,[ \t\u00a0]*)(?:['’]s-|['’]t[ \t]|Den[ \t]|De[ \t])?[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]"
)
_PC_NUMBER_BEFORE = re.compile(rf"(?<![\w.,:\-/]){_HOUSE_NUMBER},?[ \t\u00a0]+\Z")
_PC_CUE_BEFORE = re.compile(r"(?<!\w)postcode[ \t]*(?::[ \t]*|is[ \t]+|[ \t])\Z", re.IGNORECASE)

_MONTHS = (
    r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    r"|jan|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec"
)
_BIRTH_CUE_TEXT = r"(?:geboren|geb\.|geboorte(?:datum|jaar|dag)|verjaardag)(?!\w)"
_BIRTH_CUE_LOWER = re.compile(_BIRTH_CUE_TEXT)  # run on text.lower(): far faster than IGNORECASE
_BIRTH_CUE = re.compile(_BIRTH_CUE_TEXT, re.IGNORECASE)
_DATE = re.compile(
    r"(?<![\w.\-/])(?:"
    r"(?P<d1>\d{1,2})(?P<sep>[-/.])(?P<m1>\d{1,2})(?P=sep)(?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
    rf"|(?P<d3>\d{{1,2}})(?:e|ste|de)?[ \t\u00a0]+(?P<m3>{_MONTHS})(?!\w)\.?(?:[ \t\u00a0]+(?P<y3>(?:19|20)\d{{2}}))?"
    r"|(?P<y4>(?:19|20)\d{2})"
    r")(?![\w]|[.\-/]\d)",
    re.IGNORECASE,
)
# A sentence ends at a newline, or at . ! ? before a capital letter or the end (so "mrt. 1980" does not).
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'‘“(]?[A-ZÀ-ÖØ-Þ]|\s*\Z)|\n")
_BIRTH_WINDOW = 40
_BIRTH_YEAR_WINDOW = 25

_STREET_SUFFIXES = (
    "straatje|straatweg|straat|laantje|laan|weg|pleintje|plein|gracht|kade|dijk|singel|hof|park"
    "|steeg|pad|dreef|markt|boulevard|plantsoen|allee|burgwal|wal|kanaal"
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_CAP_WORD = rf"[{_UPPER}][\w'’\-]*"
# A street is a capitalised word ending in a suffix, or one of these words alone ("Markt 1");
# Straat, Weg, Pad and Park alone are left out: too often ordinary words at a sentence start.
_BARE_STREET = r"(?:Markt|Plein|Kade|Dijk|Singel|Gracht|Hof|Dreef|Plantsoen|Boulevard|Wal|Steeg|Laan|Allee)"
_STREET_WORD = rf"(?:[{_UPPER}][\w'’\-]*?(?:{_STREET_SUFFIXES})|{_BARE_STREET})(?![\w'’\-])"
_LEAD_WORD = (
    r"(?:Straat|Laan|Weg|Plein|Gracht|Kade|Dijk|Singel|Hof|Park|Steeg|Pad|Dreef|Markt|Boulevard"
    r"|Plantsoen|Allee|Wal)"
)
_PARTICLE = r"(?:van|de|der|den|het|['’]t|ter|ten|te|la|le|du|op|aan|in|bij|over|naar)"
# Capitalised function words that start sentences; never the first word of a street name.
_NOT_STREET_START = (
    r"(?:In|Op|Aan|Bij|Naar|Over|Uit|Via|Vanaf|Langs|Tot|Achter|Voor|Na|Om|Met|Door|Tegen|Naast|Tussen"
    r"|De|Het|Een|Die|Dat|Dit|Deze|En|Of|Maar|Dus|Als|Toen|Nu|Ja|Nee|Ik|Je|Jij|We|Wij|Hij|Zij|Ze|U"
    r"|Er|Daar|Hier|Waar|Wat|Wie|Hoe|Ook|Echt|Gewoon|Zo|Nou)(?![\w'’\-])"
)
_NUMBER_AFTER_SPACE = re.compile(r"[ \t\u00a0]\d")
_SUFFIX_BEFORE_NUMBER = re.compile(
    rf"(?:{_STREET_SUFFIXES}|[{_UPPER}]\w*)[ \t\u00a0]+(?:(?:nr\.?|nummer)[ \t]*)?\Z"
)
_ADDRESS = re.compile(
    rf"(?<![\w'’\-])(?:"
    rf"{_LEAD_WORD}[ \t]+{_PARTICLE}(?:[ \t]+(?:de|der|den|het|['’]t))?[ \t]+{_CAP_WORD}(?:[ \t]+{_CAP_WORD})?"
    rf"|(?:(?!{_NOT_STREET_START}){_CAP_WORD}[ \t]+"
    rf"(?:(?:van|de|der|den|het|['’]t|ter|ten|la|le|du)[ \t]+|{_CAP_WORD}[ \t]+){{0,3}})?"
    rf"{_STREET_WORD}"
    r")"
    r"[ \t\u00a0]+(?:(?:nr\.?|nummer)[ \t]*)?"
    rf"{_HOUSE_NUMBER}(?:[ \t](?:bis|hs|huis|bg|boven)(?!\w)|[ \t]?[A-Z](?!\w))?"
    r"(?!\w|[.,:]\d|[\-/]\d)"
)


_WORD_CHAR = re.compile(r"\w")


@lru_cache(maxsize=64)
def _term_pattern(terms: tuple[str, ...], lowered: bool) -> re.Pattern[str] | None:
    """One alternation per kind, longest term first, so "Den Haag" wins over "Den" at a position.

    With ``lowered`` the terms are lower-cased and the pattern is case-sensitive, for running on
    ``text.lower()`` (several times faster than IGNORECASE); it has no leading lookbehind either,
    so the caller checks the character before a match. Otherwise the pattern is complete.
    """
    parts: dict[str, str] = {}
    for term in terms:
        words = unicodedata.normalize("NFC", term).split()
        if not words:
            continue
        if lowered:
            words = [w.lower() for w in words]
        escaped = r"\s+".join(re.escape(w) for w in words)
        escaped = re.sub("['’‘]", "['’‘]", escaped)  # straight and curly apostrophes alike
        parts.setdefault(" ".join(words).casefold(), escaped)
    if not parts:
        return None
    ordered = sorted(parts.items(), key=lambda kv: (-len(kv[0]), kv[0]))
    body = "(?:" + "|".join(p for _, p in ordered) + r")(?!\w)"
    return re.compile(body) if lowered else re.compile(r"(?<!\w)" + body, re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Detectors: each yields (kind, start, end)

_Span = tuple[str, int, int]


def _detect_email(text: str) -> Iterable[_Span]:
    # Run the pattern only around each "@" (a local part has at most 64 characters, a domain 255).
    at = text.find("@")
    while at != -1:
        m = _EMAIL.search(text, max(0, at - 64), at + 256)
        while m is not None and m.end() <= at:
            m = _EMAIL.search(text, m.end(), at + 256)
        if m is not None and m.start() < at:
            yield "email", m.start(), m.end()
            at = text.find("@", m.end())
        else:
            at = text.find("@", at + 1)


def _phone_prefix_ok(cand: str, groups: list[re.Match[str]], n: int) -> bool:
    """Whether the first ``n`` digit groups of a candidate form a whole phone number."""
    digits = "".join(g.group() for g in groups[:n])
    first = groups[0].group()
    prefix_text = cand[: groups[n - 1].end()]
    if prefix_text.startswith("+") or digits.startswith("00"):
        rest = digits if prefix_text.startswith("+") else digits[2:]  # country code onwards
        if rest.startswith("31"):
            national = rest[2:]
            return (len(national) == 9 and national[0] != "0") or (
                len(national) == 10 and national[0] == "0" and national[1] != "0"
            )
        if not rest or rest[0] == "0":
            return False
        return 8 <= len(rest) <= 15
    if len(digits) < 2 or digits[0] != "0" or digits[1] == "0":
        return False
    if _DATE_SHAPE.match(prefix_text):
        return False
    if digits[:4] in _SERVICE_PREFIXES:
        return len(digits) in (8, 11) and (len(first) == 4 or n == 1)
    if len(digits) != 10:
        return False
    return n == 1 or first == "06" or 3 <= len(first) <= 4


def _detect_phone(text: str) -> Iterable[_Span]:
    pos = 0
    while True:
        m = _PHONE_CANDIDATE.search(text, pos)
        if m is None:
            return
        cand = m.group()
        groups = list(_DIGIT_GROUP.finditer(cand))
        best = 0
        for n in range(len(groups), 0, -1):
            if _phone_prefix_ok(cand, groups, n):
                best = n
                break
        if best:
            end = m.start() + groups[best - 1].end()
            if end < m.end() and cand[groups[best - 1].end()] == ")":
                end += 1
            yield "phone", m.start(), end
            pos = end
        else:
            pos = m.start() + 1


def _detect_bsn(text: str) -> Iterable[_Span]:
    for m in _BSN.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if bsn_valid(digits):
            yield "bsn", m.start(), m.end()


def _iban_spans(text: str) -> tuple[list[_Span], list[tuple[int, int]]]:
    """Valid IBANs, and the spans of IBAN-shaped text (valid or not) that hide digits inside them."""
    found: list[_Span] = []
    shaped: list[tuple[int, int]] = []
    pos = 0
    while (anchor := _IBAN_ANCHOR.search(text, pos)) is not None:
        pos = anchor.end()
        m = _IBAN_CANDIDATE.match(text, anchor.start() - 2)
        if m is None:
            continue
        raw = m.group()
        length = _IBAN_LENGTHS.get(raw[:2].upper())
        if length is None:
            continue
        # take exactly `length` alphanumerics; the rest must start at a group boundary
        count = 0
        cut = len(raw)
        for i, ch in enumerate(raw):
            if ch != " ":
                count += 1
                if count == length:
                    cut = i + 1
                    break
        if count < length or (cut < len(raw) and raw[cut] != " "):
            continue
        shaped.append((m.start(), m.start() + cut))
        if iban_valid(raw[:cut]):
            found.append(("iban", m.start(), m.start() + cut))
        pos = m.start() + cut
    return found, shaped


def _detect_postcode(text: str) -> Iterable[_Span]:
    for m in _POSTCODE.finditer(text):
        letters = m.group("letters")
        if letters.upper() in ("SA", "SD", "SS"):
            continue
        start, end = m.start(), m.end()
        cue = _PC_CUE_BEFORE.search(text, max(0, start - 16), start) is not None
        if not letters.isupper() and not cue:
            continue
        after_nr = _PC_NUMBER_AFTER.match(text, end)
        if after_nr is not None:
            yield "postcode", start, after_nr.end()
            continue
        if (
            cue
            or _PC_PLACE_AFTER.match(text, end) is not None
            or _PC_NUMBER_BEFORE.search(text, max(0, start - 16), start) is not None
        ):
            yield "postcode", start, end


def _date_ok(m: re.Match[str]) -> bool:
    """Plausible day and month; four-digit years 1900-2099."""
    day = m.group("d1") or m.group("d2") or m.group("d3")
    month = m.group("m1") or m.group("m2")
    if day is not None and not 1 <= int(day) <= 31:
        return False
    if month is not None and not 1 <= int(month) <= 12:
        return False
    year = m.group("y1")
    return not (year is not None and len(year) == 4 and not 1900 <= int(year) <= 2099)


def _detect_birthdate(text: str, lower: str | None) -> Iterable[_Span]:
    cues = _BIRTH_CUE_LOWER.finditer(lower) if lower is not None else _BIRTH_CUE.finditer(text)
    for cue in cues:
        if cue.start() and _WORD_CHAR.match(text, cue.start() - 1):
            continue
        begin = cue.end()
        stop = _SENTENCE_END.search(text, begin)
        limit = stop.start() if stop is not None else len(text)
        year_alone_ok = not cue.group().lower().startswith("verjaardag")
        pos = begin
        while True:
            m = _DATE.search(text, pos, min(limit, begin + _BIRTH_WINDOW + 20))
            if m is None or m.start() > begin + _BIRTH_WINDOW:
                break
            pos = m.end()
            if m.group("y4") is not None:
                between = text[begin : m.start()]
                if not year_alone_ok or m.start() - begin > _BIRTH_YEAR_WINDOW or re.search(r"[,;]", between):
                    continue
            elif not _date_ok(m):
                continue
            yield "birthdate", m.start(), m.end()
            break


_ADDRESS_LOOKBACK = 120  # longest street name (with prefix words) an address can start before its number


def _detect_address(text: str) -> Iterable[_Span]:
    # Prefilter: a number after white space that follows a street suffix or a capitalised word;
    # the full address pattern then only runs on a window ending just after that number.
    done = 0
    for hit in _NUMBER_AFTER_SPACE.finditer(text):
        number_at = hit.start() + 1
        if number_at < done or _SUFFIX_BEFORE_NUMBER.search(text, max(0, number_at - 60), number_at) is None:
            continue
        for m in _ADDRESS.finditer(text, max(done, number_at - _ADDRESS_LOOKBACK), min(len(text), number_at + 24)):
            if m.start() < number_at <= m.end():
                yield "address", m.start(), m.end()
                done = m.end()
                break


def _detect_terms(text: str, terms: SensitiveTerms, lower: str | None) -> Iterable[_Span]:
    for kind, words in terms.by_kind().items():
        pattern = _term_pattern(words, lower is not None)
        if pattern is None:
            continue
        for m in pattern.finditer(lower if lower is not None else text):
            if lower is not None and m.start() and _WORD_CHAR.match(text, m.start() - 1):
                continue
            yield kind, m.start(), m.end()


# --------------------------------------------------------------------------------------------
# Public API


def resolve_overlaps(spans: Iterable[_Span]) -> list[_Span]:
    """Keep the longest span where spans overlap; at equal length the more specific kind."""
    ordered = sorted(set(spans), key=lambda s: (-(s[2] - s[1]), _PRIORITY.get(s[0], len(KINDS)), s[1]))
    kept_starts: list[int] = []
    kept: list[_Span] = []
    for span in ordered:
        _, start, end = span
        i = bisect.bisect_left(kept_starts, start)
        if i > 0 and kept[i - 1][2] > start:
            continue
        if i < len(kept) and kept[i][1] < end:
            continue
        kept_starts.insert(i, start)
        kept.insert(i, span)
    return kept


def detect(
    text: str, terms: SensitiveTerms | None = None, *, line_offset: int = 0, names_only: bool = False
) -> list[Finding]:
    """Everything in ``text`` that looks like personal data, sorted by start, without overlaps.

    ``line_offset`` is added to every line number, for text that starts further down a file (a
    transcript body after its front matter). ``names_only``: only the configured ``terms``
    (people, municipalities, organisations), the part a settings change can make new; several
    times faster, for checking every stored transcript on each ingest.
    """
    # Case-insensitive searches run on one lower-cased copy; only when lowering keeps every offset
    # (it does not for a few characters such as "İ") do they fall back to IGNORECASE patterns.
    lowered = text.lower()
    lower: str | None = lowered if len(lowered) == len(text) else None
    spans: list[_Span] = []
    if not names_only:
        ibans, iban_shaped = _iban_spans(text)
        numeric: list[_Span] = [*_detect_phone(text), *_detect_bsn(text)]
        if iban_shaped:
            # digits inside an IBAN-shaped string (valid or not) are account digits, not a phone or BSN
            numeric = [s for s in numeric if not any(a <= s[1] and s[2] <= b for a, b in iban_shaped)]
        spans += [
            *ibans,
            *numeric,
            *_detect_email(text),
            *_detect_postcode(text),
            *_detect_birthdate(text, lower),
            *_detect_address(text),
        ]
    if terms is not None:
        spans.extend(_detect_terms(text, terms, lower))
    findings = []
    line, line_start, pos = line_offset + 1, 0, 0
    for kind, start, end in resolve_overlaps(spans):  # sorted by start
        newlines = text.count("\n", pos, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", pos, start) + 1
        pos = start
        findings.append(Finding(kind, text[start:end], start, end, line, start - line_start + 1))
    return findings
