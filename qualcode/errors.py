"""Errors that reach the user as one clear message.

Why a small hierarchy: the CLI maps these to exit codes without a traceback.
``InputError`` is bad input or usage (exit 2); ``ProblemFound`` means the command ran and
found a problem it reports, such as an invalid codebook (exit 1).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """Where a problem is: file, and optionally 1-based line and column."""

    file: str | Path | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [str(self.file) if self.file is not None else "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class QualcodeError(Exception):
    """Base class: a message for the user, with an optional location."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = Location(file, line, column) if file is not None or line is not None else None

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class InputError(QualcodeError):
    """Bad input or usage: a malformed file, unknown id, missing path. Exit code 2."""

    exit_code = 2


class ProblemFound(QualcodeError):
    """The command ran and found problems it reports (e.g. validation). Exit code 1."""

    exit_code = 1


def did_you_mean(value: str, choices: Iterable[str], *, fallback: str = "") -> str:
    """A hint for a typo: ``"; did you mean a, b?"`` with the nearest choices, else ``fallback``.

    One helper so every "unknown X" message reads the same way.
    """
    close = difflib.get_close_matches(value, list(choices), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else fallback
