"""Turn a transcript file's bytes into canonical text (NFC, LF line ends).

Why this is its own step: transcripts arrive from Word, transcription services and old
Windows machines, so the same interview can be UTF-8, UTF-16 or Windows-1252. Offsets of
every coding are code points into the canonical text, so decoding must be deterministic and
must never guess silently in a way that turns "é" into "Ã©" (that would move every offset).

Rules, in order:

1. A byte order mark decides: UTF-8 (BOM dropped), UTF-16 LE or BE.
2. Without a BOM, bytes that look binary (a NUL byte, or more than 5% control characters
   other than tab, LF, CR and form feed) are refused: "binary file, not a transcript".
3. Valid UTF-8 is UTF-8.
4. Otherwise Windows-1252, but only if every byte is defined in cp1252 *and* the file holds
   no well-formed UTF-8 multi-byte sequence. A file that does hold one is UTF-8 with a stray
   byte (a mixed-encoding file); reading it as cp1252 would turn its "é" into "Ã©", so it is
   refused at the first bad byte instead.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from qualcode.errors import InputError

# Control characters that do not occur in text files (tab, LF, FF and CR do).
_BINARY_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}
_BINARY_RATIO = 0.05
_SAMPLE = 8192

# A well-formed UTF-8 sequence of two or three bytes. In real cp1252 Dutch/English text these
# byte pairs ("Ã©", "Ã«", "â€™") practically never occur, so seeing one means "UTF-8".
_UTF8_MULTIBYTE = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}")


def canonicalise(s: str) -> str:
    """NFC and LF line ends: the canonical form all offsets refer to.

    Why NFC: a decomposed "é" (e + combining accent) and a composed one must give the same
    text, hash and offsets, whatever editor produced the file.
    """
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", s)


def decode_bytes(data: bytes, file: str | Path | None) -> str:
    """Decode a transcript file's raw bytes to canonical text, or raise :class:`InputError`."""
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[len(codecs.BOM_UTF8) :], "utf-8", file)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16", file)
    else:
        if _looks_binary(data):
            raise InputError("binary file, not a transcript", file)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            text = _decode_cp1252(data, err, file)
    if _looks_binary_text(text):
        raise InputError("binary file, not a transcript", file)
    return canonicalise(text.lstrip("\ufeff"))


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    sample = data[:_SAMPLE]
    if not sample:
        return False
    controls = sum(1 for b in sample if b in _BINARY_CONTROLS)
    return controls / len(sample) > _BINARY_RATIO


def _looks_binary_text(text: str) -> bool:
    """The same test after decoding, for UTF-16 input (where NUL bytes are normal)."""
    if "\x00" in text:
        return True
    sample = text[:_SAMPLE]
    if not sample:
        return False
    controls = sum(1 for c in sample if ord(c) in _BINARY_CONTROLS)
    return controls / len(sample) > _BINARY_RATIO


def _decode(data: bytes, encoding: str, file: str | Path | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line, column = _position(data, err.start, encoding)
        bad = data[err.start : err.end].hex(" ").upper()
        raise InputError(
            f"cannot decode as {encoding.upper()}: bad byte(s) {bad} ({err.reason}) at column {column}",
            file,
            line,
        ) from None


def _decode_cp1252(data: bytes, utf8_err: UnicodeDecodeError, file: str | Path | None) -> str:
    mixed = _UTF8_MULTIBYTE.search(data) is not None
    if not mixed:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    line, column = _position(data, utf8_err.start, "utf-8")
    byte = data[utf8_err.start]
    why = (
        "the file mixes UTF-8 with another encoding"
        if mixed
        else "it is neither UTF-8 nor Windows-1252"
    )
    raise InputError(
        f"cannot decode: byte 0x{byte:02X} at column {column} is not valid UTF-8 and {why}; "
        "save the file as UTF-8",
        file,
        line,
    )


def _position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset; the prefix decodes cleanly."""
    prefix = data[:offset].decode(encoding, errors="replace")
    prefix = prefix.replace("\r\n", "\n").replace("\r", "\n")
    line = prefix.count("\n") + 1
    column = len(prefix) - (prefix.rfind("\n") + 1) + 1
    return line, column
