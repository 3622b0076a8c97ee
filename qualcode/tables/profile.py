"""The type profile: per aspect of the service process, the dominant typing of
each type's coded justifications.

Rule (also in the table's notes): for one aspect and one type, count the codings of the type's
cases under each pole code of the aspect (a coding under two nested pole codes counts for the more
specific one). If the largest pole holds MORE than ``majority`` (default 60%) of those codings, the
cell is that pole; otherwise (a tie or a near tie such as 3:2) it is "mixed". No codings: "–".
Poles on discretion codes are named by their strategy classification ("professional inference",
"coping"), and a coping cell lists the coping forms found in it: "coping (rule bending, rationing)".
With ``counts`` every cell ends in the pole counts: the dominant pole first, then the others in
the order the typology lists them ("professional (7:2)"); for "mixed" all in the typology's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.tables.frame import make_frame
from qualcode.tables.strategies import class_order, classify

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tables.typology import TypologyData

MAJORITY = 0.6
MIXED = "mixed"
EMPTY = "–"


def _pole_of(code: str, poles: dict[str, str]) -> str | None:
    matches = [p for p, pc in poles.items() if is_under(code, pc)]
    if not matches:
        return None
    return max(matches, key=lambda p: len(poles[p]))


def pole_label(pole: str, pole_code: str, codebook: Any = None, discretion_prefix: str = "discretion") -> str:
    """How a cell names a pole: its name, or for a discretion code its strategy classification."""
    if is_under(pole_code, discretion_prefix):
        return classify(pole_code, codebook)
    return pole


def profile_cell(counts: dict[str, int], labels: dict[str, str], *, majority: float = MAJORITY,
                 show_counts: bool = False, mixed: str = MIXED, empty: str = EMPTY,
                 forms: dict[str, list[str]] | None = None) -> str:
    """One cell from the codings per pole (``counts`` in the typology's pole order)."""
    total = sum(counts.values())
    if total == 0:
        return empty
    poles = list(counts)
    top = max(poles, key=lambda p: counts[p])  # first in pole order on a tie
    if counts[top] / total > majority + 1e-12:
        label = labels[top]
        extra = [f for f in (forms or {}).get(top, []) if f != label]
        if extra:
            label += f" ({', '.join(extra)})"
        order = [top] + [p for p in poles if p != top]
    else:
        label, order = mixed, poles
    if show_counts:
        label += " (" + ":".join(str(counts[p]) for p in order) + ")"
    return label


def profile(
    data: TypologyData,
    codebook: Any = None,
    *,
    majority: float = MAJORITY,
    counts: bool = False,
    mixed: str = MIXED,
    empty: str = EMPTY,
    lang: str | None = None,
) -> pd.DataFrame:
    """Rows: the typology's profile aspects (labels); columns: ``aspect`` and one per type (label)."""
    lang = lang or data.lang
    typ = data.typology
    types = data.type_of()
    corder = class_order()
    columns = ["aspect"] + [data.type_label(t.id) for t in typ.types]
    rows = []
    for aspect in typ.profile:
        labels = {p: pole_label(p, code, codebook) for p, code in aspect.poles.items()}
        row: list[Any] = [aspect.label.get(lang) or aspect.id]
        for t in typ.types:
            per_pole = {p: 0 for p in aspect.poles}
            forms: dict[str, list[str]] = {}
            for c in data.codings:
                case = c.get("case")
                if case is None or types.get(case) != t.id:
                    continue
                pole = _pole_of(c["code"], aspect.poles)
                if pole is None:
                    continue
                per_pole[pole] += 1
                if is_under(aspect.poles[pole], "discretion"):
                    cls = classify(c["code"], codebook)
                    if cls not in forms.setdefault(pole, []):
                        forms[pole].append(cls)
            for p in forms:
                forms[p].sort(key=lambda x: corder.index(x) if x in corder else len(corder))
            row.append(profile_cell(per_pole, labels, majority=majority, show_counts=counts, mixed=mixed,
                                    empty=empty, forms=forms))
        rows.append(row)
    orders = [":".join(a.poles) for a in typ.profile]
    common = max(orders, key=orders.count) if orders else ""  # first on a tie
    others = [f"{a.label.get(lang) or a.id}: {o}" for a, o in zip(typ.profile, orders) if o != common]
    pole_names = common + (f" ({'; '.join(others)})" if others else "")
    notes = [
        f"Cell: the pole that holds more than {majority:.0%} of the type's coded justifications on the aspect; "
        f"otherwise '{mixed}'; '{empty}': nothing coded.",
        (f"Counts: dominant pole first, then the others in the order {pole_names}; for '{mixed}' all in "
         "that order.") if counts else "",
        data.abstain_note(),
    ]
    return make_frame(rows, columns, "Typeprofiel", notes + data.notes)
