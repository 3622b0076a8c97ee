"""Resolving the coder names a user types: known names only, and one coder where tables need one.

Why one module: ``--coder Anna`` for ``anna``, or a coder who never coded, must stop every
command with the same message instead of giving an empty table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from qualcode.errors import InputError, did_you_mean

_Row = TypeVar("_Row", bound=Mapping[str, Any])


def check_coder_names(coders: Sequence[str] | None, known: Iterable[str]) -> list[str] | None:
    """Unknown coder names are refused (a typo would otherwise give an empty table)."""
    if not coders:
        return None
    known_set = set(known)
    unknown = [c for c in coders if c not in known_set]
    if unknown:
        names = ", ".join(sorted(known_set)) or "none yet"
        raise InputError(f"unknown coder {unknown[0]!r}{did_you_mean(unknown[0], known_set)}; "
                         f"coders in this project: {names}")
    return list(coders)


def one_coder(rows: Sequence[_Row], coder: str | None, all_coders: Iterable[str]) -> tuple[str | None, list[_Row]]:
    """The codings of one coder (``rows`` are already those of ``coder`` when one is named).

    Why insist on one coder: pooling two coders' codings would count every agreed passage twice.
    Without ``coder`` the project's only coder is used; with several, the caller must choose.
    """
    coders = sorted({r["coder"] for r in rows})
    if coder and not rows:
        known = sorted(set(all_coders))
        raise InputError(f"coder {coder!r} has no codings" + (f"; coders: {', '.join(known)}" if known else ""))
    if not coder and len(coders) > 1:
        raise InputError(f"codings of several coders ({', '.join(coders)}): name one with --coder")
    return (coder or (coders[0] if coders else None)), list(rows)
