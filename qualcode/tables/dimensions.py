"""Logics by dimension (the logics paper).

A cell counts RESPONDENTS, not fragments: the cases with at least one fragment coded with both the
logic (or a code under it) and the dimension (or a code under it). The stance split counts the
cases among them whose logic coding on such a fragment endorses, and those whose coding rejects,
the logic; a coding's stance is its own ``stance`` field or, failing that, a ``stance.*`` code on
the same fragment. A case can count in both. Optional quantifier words replace the number by the
word of the highest threshold the share of respondents reaches (share = cases / all respondents,
``total``); thresholds are the user's, e.g. ``alle=1.0,de meeste=0.5,sommigen=0.2,een enkeling=0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.errors import InputError
from qualcode.tables.frame import children, make_frame

if TYPE_CHECKING:
    import pandas as pd

STANCES = ("endorses", "rejects")
ZERO = "–"


def parse_words(spec: str | Mapping[str, float] | Sequence[tuple[str, float]] | None) -> list[tuple[str, float]]:
    """``"alle=1.0,de meeste=0.5"`` -> ``[("alle", 1.0), ("de meeste", 0.5)]``, highest threshold first."""
    if spec is None or spec == "":
        return []
    if isinstance(spec, str):
        items = []
        for part in spec.split(","):
            if not part.strip():
                continue
            word, sep, value = part.rpartition("=")
            if not sep or not word.strip():
                raise InputError(f"--words: {part.strip()!r} is not WORD=THRESHOLD (e.g. 'de meeste=0.5')")
            try:
                thr = float(value)
            except ValueError:
                raise InputError(f"--words: threshold {value!r} of {word.strip()!r} is not a number") from None
            items.append((word.strip(), thr))
    else:
        items = list(spec.items()) if isinstance(spec, Mapping) else [(w, float(t)) for w, t in spec]
    for word, thr in items:
        if not 0 <= thr <= 1:
            raise InputError(f"--words: threshold of {word!r} must be a share between 0 and 1, not {thr}")
    return sorted(items, key=lambda x: -x[1])


def quantifier(n: int, total: int, words: Sequence[tuple[str, float]]) -> str:
    """The word for ``n`` of ``total`` respondents (no word for 0)."""
    if n == 0 or not total:
        return ""
    share = n / total
    for word, thr in words:
        if share >= thr - 1e-9:
            return word
    return ""


def _top(code: str, prefix: str, tops: Sequence[str]) -> str | None:
    for t in tops:
        if is_under(code, t):
            return t
    return None


def dimension_counts(
    codings: Sequence[Mapping[str, Any]],
    codebook: Any,
    *,
    dimension_prefix: str = "dimension",
    logic_prefix: str = "logic",
) -> dict[tuple[str, str], dict[str, set[str]]]:
    """(dimension code, logic code) -> {"cases", "endorses", "rejects"} -> case ids."""
    dims = children(codebook, dimension_prefix)
    logics = children(codebook, logic_prefix)
    frag_dims: dict[str, set[str]] = {}
    frag_logics: dict[str, list[tuple[str, str | None, str]]] = {}
    frag_stance: dict[str, str] = {}
    for c in codings:
        f, case = c.get("fragment"), c.get("case")
        if not f or not case:
            continue
        d = _top(c["code"], dimension_prefix, dims)
        if d:
            frag_dims.setdefault(f, set()).add(d)
        lg = _top(c["code"], logic_prefix, logics)
        if lg:
            frag_logics.setdefault(f, []).append((lg, c.get("stance"), case))
        if is_under(c["code"], "stance") and c["code"] != "stance":
            frag_stance.setdefault(f, c["code"].split(".")[1])
    out: dict[tuple[str, str], dict[str, set[str]]] = {
        (d, lg): {"cases": set(), "endorses": set(), "rejects": set()} for d in dims for lg in logics
    }
    for f, found in frag_logics.items():
        for d in frag_dims.get(f, ()):
            for lg, stance, case in found:
                cell = out[(d, lg)]
                cell["cases"].add(case)
                stance = stance or frag_stance.get(f)
                if stance in STANCES:
                    cell[stance].add(case)
    return out


def dimensions(
    codings: Sequence[Mapping[str, Any]],
    codebook: Any,
    *,
    total: int,
    dimension_prefix: str = "dimension",
    logic_prefix: str = "logic",
    words: str | Mapping[str, float] | Sequence[tuple[str, float]] | None = None,
    long: bool = False,
    lang: str = "nl",
    coder: str | None = None,
) -> pd.DataFrame:
    """Wide (rows dimension labels, one column per logic label, cells like ``"3 (endorses 2,
    rejects 1)"`` or ``"sommigen (3; endorses 2, rejects 1)"``) or, with ``long``, one numeric row per
    (dimension, logic): ``dimension, logic, cases, endorses, rejects, share, word``."""
    word_list = parse_words(words)
    dims = children(codebook, dimension_prefix)
    logics = children(codebook, logic_prefix)
    if not dims or not logics:
        missing = dimension_prefix if not dims else logic_prefix
        raise InputError(f"the codebook has no codes under {missing!r}; name the prefixes to use")
    counts = dimension_counts(codings, codebook, dimension_prefix=dimension_prefix, logic_prefix=logic_prefix)
    notes = [
        "Cells count respondents (cases) with a fragment coded with both the logic and the dimension, not "
        f"fragments; endorses/rejects: respondents whose coding of the logic there has that stance. Share: of {total} "
        "respondents.",
        ("Words: " + ", ".join(f"{w} (share >= {t:g})" for w, t in word_list) + ".") if word_list else "",
        f"Coder: {coder}." if coder else "",
    ]
    if long:
        rows = []
        for d in dims:
            for lg in logics:
                cell = counts[(d, lg)]
                n = len(cell["cases"])
                rows.append([codebook.label_of(d, lang), codebook.label_of(lg, lang), n, len(cell["endorses"]),
                             len(cell["rejects"]), round(n / total, 4) if total else None,
                             quantifier(n, total, word_list) or None])
        return make_frame(rows, ["dimension", "logic", "cases", "endorses", "rejects", "share", "word"],
                          "Logica's per dimensie", notes)
    rows = []
    for d in dims:
        row: list[Any] = [codebook.label_of(d, lang)]
        for lg in logics:
            cell = counts[(d, lg)]
            n, e, r = len(cell["cases"]), len(cell["endorses"]), len(cell["rejects"])
            if n == 0:
                row.append(ZERO)
                continue
            split = ", ".join(x for x in (f"endorses {e}" if e else "", f"rejects {r}" if r else "") if x)
            if word_list:
                inner = "; ".join(x for x in (str(n), split) if x)
                row.append(f"{quantifier(n, total, word_list)} ({inner})")
            else:
                row.append(f"{n} ({split})" if split else str(n))
        rows.append(row)
    notes.append(f"{ZERO}: no respondent.")
    return make_frame(rows, ["dimension"] + [codebook.label_of(lg, lang) for lg in logics], "Logica's per dimensie",
                      notes)
