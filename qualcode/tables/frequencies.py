"""Code frequencies: codings per code in codebook order, with subcodes and cases (the report's table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import Codebook

if TYPE_CHECKING:
    import pandas as pd


def code_frequencies(rows: Sequence[Mapping[str, Any]], codebook: Codebook, lang: str = "nl") -> pd.DataFrame:
    """Codings per code in codebook order: direct codings, codings including subcodes, cases.

    ``rows`` are coding records (``code``, ``coder``, ``case``) of the coders to count.
    Every code that has codings itself or below it gets a row (families too, so a reader sees
    how a family's total is made up); with several coders, one column per coder (direct
    codings). Codes coded but not in the codebook (imported) come last. ``df.attrs["unused"]``
    lists the codable codes nobody used.
    """
    import pandas as pd

    cb = codebook
    coder_list = sorted({r["coder"] for r in rows})
    ids = list(cb.codes) + sorted({r["code"] for r in rows} - set(cb.codes))
    direct: dict[str, int] = {}
    per_coder: dict[tuple[str, str], int] = {}
    below: dict[str, int] = {}  # codings of the code and every code under it
    cases: dict[str, set[str]] = {}
    for r in rows:
        code = r["code"]
        direct[code] = direct.get(code, 0) + 1
        per_coder[(code, r["coder"])] = per_coder.get((code, r["coder"]), 0) + 1
        parts = code.split(".")
        for k in range(1, len(parts) + 1):  # the code and each of its ancestors by dotted path
            prefix = ".".join(parts[:k])
            below[prefix] = below.get(prefix, 0) + 1
            if r.get("case"):
                cases.setdefault(prefix, set()).add(r["case"])
    records = []
    for code in ids:
        if not below.get(code):
            continue
        rec = {"code": code, "label": cb.label_of(code, lang), "depth": code.count("."),
               "codings": direct.get(code, 0), "incl_subcodes": below[code], "cases": len(cases.get(code, ()))}
        if len(coder_list) > 1:
            for c in coder_list:
                rec[c] = per_coder.get((code, c), 0)
        records.append(rec)
    columns = ["code", "label", "depth", "codings", "incl_subcodes", "cases"]
    columns += coder_list if len(coder_list) > 1 else []
    df = pd.DataFrame(records, columns=columns)
    df.attrs["title"] = "Code frequencies"
    df.attrs["notes"] = ["codings: codings of the code itself; incl_subcodes: with all codes below it; "
                         "cases: distinct cases with the code or a code below it."
                         + (" Coder columns: codings of the code itself per coder." if len(coder_list) > 1 else "")]
    df.attrs["unused"] = [c.id for c in cb.codes.values() if c.codable and c.id not in direct]
    return df
