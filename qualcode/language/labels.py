"""The words tables, notes and the report print, in one place.

Why one place: a table in a Dutch paper must not mix Dutch captions with English headers, and
the same coefficient must carry the same name in the terminal, the paper and the report.
"""

from __future__ import annotations

# Agreement coefficients: their names are the same in Dutch and English papers.
COEFFICIENT_HEADERS = {
    "percent_agreement": "% agree",
    "cohen_kappa": "Cohen κ",
    "fleiss_kappa": "Fleiss κ",
    "krippendorff_alpha": "Kripp. α",
    "gwet_ac1": "Gwet AC1",
    "brennan_prediger": "B-P κ",
}
