"""Discretion strategies per type, and the classification of discretion codes.

The classification of a ``discretion.*`` code comes from where it sits in the codebook: under
``discretion.client_differentiation`` it is professional inference, under
``discretion.coping.rule_bending`` rule bending, under ``discretion.coping.rationing`` rationing, and
so on (the longest matching prefix in :data:`STRATEGY_CLASSES` wins). A code outside that map is
classified by its own branch (the label of ``discretion.<branch>``), so a codebook that adds a
strategy still gets a sensible row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.tables.frame import make_frame, natural_key

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tables.typology import TypologyData

STRATEGY_CLASSES: dict[str, str] = {
    "discretion.client_differentiation": "professional inference",
    "discretion.coping.rule_bending": "rule bending",
    "discretion.coping.rationing": "rationing",
    "discretion.coping.rule_making": "rule making",
    "discretion.coping.stereotyping": "stereotyping",
    "discretion.coping": "coping",
}


def classify(code: str, codebook: Any = None, classes: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """The classification of a discretion code (see the module docstring)."""
    classes = STRATEGY_CLASSES if classes is None else classes
    matches = [k for k in classes if is_under(code, k)]
    if matches:
        return classes[max(matches, key=len)]
    branch = ".".join(code.split(".")[:2])
    label = codebook.label_of(branch, lang) if codebook is not None else branch.split(".")[-1]
    return label[:1].lower() + label[1:]


def class_order(classes: Mapping[str, str] | None = None) -> list[str]:
    """Classification words in the order of the map (unknown ones sort after them)."""
    return list(dict.fromkeys((STRATEGY_CLASSES if classes is None else classes).values()))


def strategies(
    data: TypologyData,
    codebook: Any,
    *,
    prefix: str = "discretion",
    classes: Mapping[str, str] | None = None,
    by_code: bool = False,
    lang: str | None = None,
) -> pd.DataFrame:
    """Discretion strategies coded for the cases of each type, with their classification.

    Default: one row per (type, classification): ``type, strategies, classification, cases,
    codings``; ``strategies`` lists the codes found (labels, codebook order), ``cases`` counts the
    type's respondents with at least one of them. ``by_code``: one row per (type, code) with the
    columns ``type, strategy, code, classification, cases, codings``. Cases without a type are left out (a
    note says how many and why).
    """
    lang = lang or data.lang
    order = {c: i for i, c in enumerate(codebook.codes)}
    corder = class_order(classes)
    types = data.type_of()
    rows: list[list[Any]] = []

    def sort_key(k: Any, items: list[dict[str, Any]]) -> tuple:
        cls = k[0] if by_code else k
        first = min(order.get(c["code"], len(order)) for c in items)
        return (corder.index(cls) if cls in corder else len(corder), first, natural_key(cls))

    for type_id in [t.id for t in data.typology.types]:
        hits = [
            c for c in data.codings
            if (case := c.get("case")) is not None and types.get(case) == type_id and is_under(c["code"], prefix)
        ]
        by: dict[Any, list[dict[str, Any]]] = {}
        for c in hits:
            cls = classify(c["code"], codebook, classes)
            key = (cls, c["code"]) if by_code else cls
            by.setdefault(key, []).append(c)
        for key, items in sorted(by.items(), key=lambda kv: sort_key(*kv)):
            n_cases = len({c["case"] for c in items})
            if by_code:
                cls, code = key
                rows.append([data.type_label(type_id), codebook.label_of(code, lang), code, cls, n_cases, len(items)])
            else:
                codes = sorted({c["code"] for c in items}, key=lambda x: (order.get(x, len(order)), x))
                rows.append([data.type_label(type_id), "; ".join(codebook.label_of(x, lang) for x in codes), key,
                             n_cases, len(items)])
    columns = (["type", "strategy", "code", "classification", "cases", "codings"] if by_code
               else ["type", "strategies", "classification", "cases", "codings"])
    notes = [
        f"Strategies: {prefix}.* codings of the cases of each type; classification from the code's place in the "
        "codebook (client_differentiation: professional inference; coping.rule_bending: rule bending; "
        "coping.rationing: rationing; other coping: coping). cases: respondents with such a coding.",
        data.abstain_note(),
    ]
    return make_frame(rows, columns, "Strategieën per type", notes + data.notes)
