"""How well a typology assignment matches known variants (``qualcode typology --evaluate FILE``).

FILE is a CSV ``case,variant[,split]`` (more columns are ignored): the variant a researcher (or
the author of a gold set) knows each case has. The figures, and why:

- **accuracy overall**: cases assigned their variant / cases in FILE. A case the typology leaves
  without a type (``unclassified``, or an explicit ``undetermined`` with a reason) counts as
  wrong here, so abstaining is never free;
- **coverage**: the share of cases that got one of the typology's types;
- **accuracy where assigned**: right / assigned, what a reader can expect of a type the tool
  does give. Together with coverage it shows whether abstaining buys precision;
- **majority baseline**: every case gets the most common variant of FILE (first in typology order
  on a tie); its accuracy is the bar a typology must clear to be better than guessing;
- **per variant**: recall (cases of the variant assigned it) and precision (cases assigned the
  variant that have it), and a **confusion table** (rows: the known variant, columns: what the
  typology said, including the values that are not a type).

Anything the assignment holds that is not a type id of the typology counts as "not assigned", so
new kinds of abstention need no change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError, did_you_mean
from qualcode.lazy import lazy_import
from qualcode.recordfiles import csv_records, read_utf8

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_import("numpy")

BOOTSTRAP = 1000
SEED = 20261205


@dataclass
class KnownVariant:
    """One row of a variants file."""

    line: int
    case: str
    variant: str
    split: str | None = None


def read_variants(path: str | Path, type_ids: Sequence[str],
                  case_ids: Sequence[str] | None = None) -> list[KnownVariant]:
    """The rows of a ``case,variant[,split]`` CSV, checked: missing columns, an empty cell, a
    variant that is not a type of the typology, a case the project does not have (when
    ``case_ids`` is given) or a case listed twice stop with file:line and the problem."""
    p = Path(path)
    raw = read_utf8(p, missing="variants file not found")
    header: list[str] | None = None
    out: list[KnownVariant] = []
    seen: dict[str, int] = {}
    known = set(case_ids) if case_ids is not None else None
    for start, row in csv_records(p, raw):
        if header is None:
            header = [c.strip().lower() for c in row]
            for col in ("case", "variant"):
                if col not in header:
                    raise InputError(f"missing column '{col}' (columns: {', '.join(header)}); the file needs "
                                     "case,variant[,split]", file=p, line=start)
            continue
        rec = dict(zip(header, (c.strip() for c in row)))
        case, variant, split = rec.get("case", ""), rec.get("variant", ""), rec.get("split") or None
        if not case or not variant:
            raise InputError(f"empty {'case' if not case else 'variant'}", file=p, line=start)
        if variant not in type_ids:
            raise InputError(f"unknown variant {variant!r}; the typology's types are {', '.join(type_ids)}"
                             f"{did_you_mean(variant, type_ids)}", file=p, line=start)
        if known is not None and case not in known:
            raise InputError(f"unknown case {case!r} in this project{did_you_mean(case, known, fallback='')}; "
                             "see `qualcode cases list`", file=p, line=start)
        if case in seen:
            raise InputError(f"case {case!r} is listed twice (first on line {seen[case]})", file=p, line=start)
        seen[case] = start
        out.append(KnownVariant(start, case, variant, split))
    if header is None or not out:
        raise InputError("no cases: the file needs a header case,variant[,split] and one row per case", file=p)
    return out


@dataclass
class TypologyEvaluation:
    """The figures of ``typology --evaluate``; ``to_dict()`` is its JSON."""

    source: str
    typology: str
    coder: str | None
    level: str
    split: str
    cases: int
    assigned: int
    correct: int
    accuracy: float
    coverage: float
    accuracy_assigned: float | None
    majority: dict[str, Any]
    difference: dict[str, float | None]
    variants: list[dict[str, Any]]
    confusion: dict[str, dict[str, int]]
    columns: list[str]
    per_case: list[dict[str, Any]]
    verdict: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_assignment(
    assigned: Mapping[str, str],
    known: Sequence[KnownVariant],
    type_ids: Sequence[str],
    *,
    source: str | Path,
    typology: str,
    coder: str | None = None,
    level: str = "case",
    split: str | None = None,
    details: Mapping[str, Mapping[str, Any]] | None = None,
) -> TypologyEvaluation:
    """Compare ``assigned`` (case -> type id or a non-type such as ``unclassified``) with the
    ``known`` variants. ``details``: extra per-case fields to show (scores, a reason)."""
    n = len(known)
    got = {k.case: assigned.get(k.case, "unclassified") for k in known}
    is_type = {k.case: got[k.case] in type_ids for k in known}
    right = [k for k in known if got[k.case] == k.variant]
    n_assigned = sum(is_type.values())
    counts = {t: sum(k.variant == t for k in known) for t in type_ids}
    majority = max(type_ids, key=lambda t: counts[t])  # first in typology order on a tie
    majority_acc = counts[majority] / n
    variants = []
    for t in type_ids:
        gold_t = counts[t]
        said_t = sum(got[k.case] == t for k in known)
        ok = sum(k.variant == t and got[k.case] == t for k in known)
        variants.append({"variant": t, "cases": gold_t, "assigned": said_t, "correct": ok,
                         "recall": _r(ok / gold_t) if gold_t else None,
                         "precision": _r(ok / said_t) if said_t else None})
    others = sorted({v for v in got.values() if v not in type_ids})
    columns = [*type_ids, *others]
    confusion = {t: {c: sum(k.variant == t and got[k.case] == c for k in known) for c in columns}
                 for t in type_ids}
    accuracy = len(right) / n
    result = TypologyEvaluation(
        source=str(source), typology=typology, coder=coder, level=level, split=split or "all", cases=n,
        assigned=n_assigned, correct=len(right), accuracy=_r(accuracy) or 0.0, coverage=_r(n_assigned / n) or 0.0,
        accuracy_assigned=_r(len(right) / n_assigned) if n_assigned else None,
        majority={"variant": majority, "accuracy": _r(majority_acc)},
        difference=_difference([got[k.case] == k.variant for k in known], [k.variant == majority for k in known]),
        variants=variants, confusion=confusion, columns=columns,
        per_case=[{"case": k.case, "variant": k.variant, "assigned": got[k.case], "correct": got[k.case] == k.variant,
                   **dict((details or {}).get(k.case, {}))} for k in known],
        verdict="",
    )
    result.verdict = _verdict(result)
    result.notes = [
        f"{n} case(s) with a known variant; a case without a type ({', '.join(others) or 'unclassified'}) counts "
        "as wrong in the overall accuracy; majority baseline: every case gets the most common known variant "
        f"({majority}, read off this file)",
    ]
    if n < 30:
        result.notes.append(f"only {n} cases: one case moves accuracy by {1 / n:.2f}; read the figures as rough")
    return result


def _difference(typology: Sequence[bool], baseline: Sequence[bool]) -> dict[str, float | None]:
    """Accuracy of the typology minus the baseline's, with a 95% bootstrap interval over cases."""
    t = np.asarray(typology, dtype=float)
    b = np.asarray(baseline, dtype=float)
    idx = np.random.default_rng(SEED).integers(0, len(t), size=(BOOTSTRAP, len(t)))
    diffs = t[idx].mean(axis=1) - b[idx].mean(axis=1)
    return {"value": _r(float(t.mean() - b.mean())), "low": _r(float(np.percentile(diffs, 2.5))),
            "high": _r(float(np.percentile(diffs, 97.5)))}


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _verdict(ev: TypologyEvaluation) -> str:
    base = ev.majority["accuracy"]
    head = (f"typology: accuracy {ev.accuracy:.2f} ({ev.correct}/{ev.cases}), coverage {ev.coverage:.2f}, "
            f"accuracy where assigned {ev.accuracy_assigned:.2f}" if ev.accuracy_assigned is not None else
            f"typology: accuracy {ev.accuracy:.2f} ({ev.correct}/{ev.cases}), coverage {ev.coverage:.2f}")
    d, low, high = ev.difference["value"] or 0.0, ev.difference["low"], ev.difference["high"]
    who = f"everyone-gets-{ev.majority['variant']} ({base:.2f})"
    if d <= 0:
        return f"{head}: does NOT beat {who}; difference {d:+.2f}."
    interval = f"95% interval {low:+.2f} to {high:+.2f} over cases"
    if low is not None and low > 0:
        return f"{head}: beats {who} by {d:+.2f} ({interval})."
    return f"{head}: does not clearly beat {who}: {d:+.2f} ({interval})."
