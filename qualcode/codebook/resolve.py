"""Resolving the code ids and code prefixes a user types, with "did you mean" for typos.

Why one module: a typo in a code must stop every command the same way (a misspelt prefix would
otherwise give an empty table or a wrong count that looks like a finding).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qualcode.codebook.model import Codebook, is_under
from qualcode.errors import InputError, did_you_mean

SEE_CODEBOOK = "; see `qualcode codebook show`"


def resolve_code(codebook: Codebook, code: str, *, codable: bool = False, where: bool = False) -> str:
    """``code`` if the codebook has it, else InputError with the nearest ids as a hint.

    ``codable``: refuse a grouping node too (a coding needs a codable code). ``where``: name the
    codebook in the message (for codebook edits, where several files may be involved).
    """
    if code not in codebook.codes:
        place = f" in codebook '{codebook.id}'" if where else ""
        raise InputError(f"unknown code '{code}'{place}{did_you_mean(code, codebook.codes, fallback=SEE_CODEBOOK)}")
    if codable and not codebook.codes[code].codable:
        raise InputError(f"code {code!r} is a grouping node and cannot be applied; use one of its children")
    return code


def parse_prefixes(codes: str | Sequence[str] | None) -> list[str]:
    """``"logic,discretion"`` or ``["logic"]`` as a list of prefixes (empty: every code)."""
    if codes is None:
        return []
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    return [c.strip() for c in items if c and c.strip()]


def no_code_under(prefix: str, codebook: Codebook) -> InputError:
    """The error for a prefix under which there is nothing to count."""
    return InputError(f"no code under {prefix!r}{did_you_mean(prefix, codebook.codes, fallback=SEE_CODEBOOK)}")


def check_prefix(prefix: str, codebook: Codebook, used_codes: Iterable[str] = ()) -> str:
    """A prefix that names no code in the codebook and no coded code is a typo: say so."""
    used = list(used_codes)
    if not any(is_under(c, prefix) for c in codebook.codes) and not any(is_under(c, prefix) for c in used):
        raise no_code_under(prefix, codebook)
    return prefix


def check_prefixes(prefixes: Sequence[str], codebook: Codebook, used_codes: Iterable[str] = ()) -> list[str]:
    """Each prefix checked by :func:`check_prefix`."""
    used = list(used_codes)
    return [check_prefix(p, codebook, used) for p in prefixes]
