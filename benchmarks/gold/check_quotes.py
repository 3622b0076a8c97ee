"""Check benchmarks/gold/quotes.jsonl and print its counts table (markdown).

    python3 benchmarks/gold/check_quotes.py

Checks: valid JSON per line, the eight fields, unique ids, only the nine allowed labels, every
discretion.coping.* child with its parent, client_differentiation with logic.professional, stance only
for labelled codes, word counts 15-120, the `manager` tag matching the role, the `no_keywords` tag
matching a conservative scan for the indicator words of the codebook brief, surface cues for some
tags, the label distribution, at least 12 quotes per phenomenon, and the exact 50/50 split.
Exit status 1 on any error or failed check. tests/test_gold.py runs :func:`problems` so the file
stays valid when someone edits it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parent / "quotes.jsonl"

# Conservative scan for the indicator words listed in the codebook brief, plus a few closely related
# definition words, matched on stems so that inflections and compounds also count.
PATTERNS = [
    # bureaucratic
    r"regel", r"\bwet", r"participatiewet", r"bijstandswet", r"kader", r"protocol", r"voorschrift", r"control",
    r"handha", r"fraude", r"sanct", r"afstemming", r"\bkort", r"gekort", r"boete", r"rechtmatig", r"rechtsgelijk",
    r"verplicht", r"plicht", r"verantwoord", r"registr", r"dossier", r"zorgvuldig", r"voorspelba",
    # professional
    r"maatwerk", r"afweg", r"inschat", r"per klant", r"elke klant", r"coach", r"begeleid", r"motiv", r"stimul",
    r"vertrouw", r"welzijn", r"doelmatig", r"intervisie", r"reflect", r"vakkennis", r"ervaring", r"lijntjes",
    r"oprek", r"\brek\w*\b.{0,30}\bop\b", r"afwijk", r"afgeweken", r"\bwijk\w*\b.{0,40}\baf\b", r"diagnos",
    r"casu", r"meekijk", r"sparr",
    # market
    r"target", r"cijfer", r"aantal", r"productie", r"prestatie", r"afreken", r"afgerekend", r"reken\w*\b.{0,30}\baf\b",
    r"effici", r"\bkost", r"kosten", r"inkoop", r"inkopen", r"ingekocht", r"\bkop\w*\b.{0,40}\bin\b",
    r"re-integratiebedrijf", r"aanbested", r"scor", r"meetba", r"tevreden", r"keuzevrij", r"uitstroom",
    # coping
    r"geen tijd", r"te druk", r"caseload", r"\d+\s*klanten", r"honderd\w* klanten", r"liggen", r"piep",
    r"uitpik", r"\bpik\w*\b.{0,30}\buit\b", r"selecte", r"werklast", r"werkdruk", r"er vanaf",
]
RX = [re.compile(p, re.I) for p in PATTERNS]

ALLOWED = {"logic.bureaucratic", "logic.professional", "logic.market", "discretion.coping",
           "discretion.coping.rule_bending", "discretion.coping.rationing", "discretion.coping.rule_making",
           "discretion.coping.stereotyping", "discretion.client_differentiation"}
PHEN = ["indirect_reason", "explicit_reason", "contrast", "negation", "compound", "inflection", "hedging",
        "group_turn", "manager", "plain_rule", "topic_only", "polysemy", "no_keywords"]
ROLES = {"klantmanager", "werkcoach", "consulent", "trajectregisseur", "teammanager", "beleidsadviseur"}
STANCES = {"endorses", "rejects", "distances", "describes"}
KEYS = {"id", "text", "labels", "stance", "role", "phenomena", "split", "note"}

# A tag that names a surface phenomenon must have a cue for it in the text.
CUES = {
    "explicit_reason": r"\b(omdat|want|daarom|dus|anders|zodat|vanwege|doordat|daardoor)\b",
    "negation": r"\b(niet|geen|nooit|niks|niets|nergens|nee|niemand|zonder|weiger\w*)\b",
    "contrast": r"\b(maar|terwijl|in plaats van|juist|toch|ook al|alleen|in de praktijk|in werkelijkheid|"
                r"niet zozeer|andersom)\b|, niet\b",
    "hedging": r"\b(misschien|een beetje|ik denk|denk ik|eigenlijk|soms|meestal|geloof ik|wat|idealiter|zo'n)\b",
}


def hits(text: str) -> list[str]:
    """The indicator stems found in ``text``."""
    t = text.lower()
    return [p.pattern for p in RX if p.search(t)]


def read(path: Path = PATH) -> tuple[list[dict[str, Any]], list[str]]:
    """The records, and errors for lines that are not JSON."""
    recs, errors = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            recs.append(json.loads(line))
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: invalid JSON {e}")
    return recs, errors


def record_problems(r: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(errors, warnings) of one record."""
    errors: list[str] = []
    warns: list[str] = []
    i = r.get("id")
    if set(r) != KEYS:
        return [f"{i}: keys {set(r) ^ KEYS}"], []
    labels = r["labels"]
    if len(set(labels)) != len(labels):
        errors.append(f"{i}: duplicate label")
    for lab in labels:
        if lab not in ALLOWED:
            errors.append(f"{i}: label {lab}")
        if lab.startswith("discretion.coping.") and "discretion.coping" not in labels:
            errors.append(f"{i}: child without parent")
    if "discretion.client_differentiation" in labels:
        if "logic.professional" not in labels:
            errors.append(f"{i}: client differentiation without professional")
        if "discretion.coping" in labels:
            warns.append(f"{i}: client differentiation and coping together")
    for k, v in r["stance"].items():
        if k not in labels:
            errors.append(f"{i}: stance for unlabelled {k}")
        if v not in STANCES:
            errors.append(f"{i}: stance value {v}")
        if v == "endorses":
            errors.append(f"{i}: explicit endorses (should be omitted)")
    if r["role"] not in ROLES:
        errors.append(f"{i}: role {r['role']}")
    if r["split"] not in ("dev", "heldout"):
        errors.append(f"{i}: split")
    tags = set(r["phenomena"])
    errors += [f"{i}: phenomenon {p}" for p in r["phenomena"] if p not in PHEN]
    words = len(r["text"].split())
    if not 15 <= words <= 120:
        errors.append(f"{i}: {words} words")
    if ("manager" in tags) != (r["role"] in ("teammanager", "beleidsadviseur")):
        errors.append(f"{i}: manager tag/role mismatch")
    if ("no_keywords" in tags) != (not hits(r["text"])):
        errors.append(f"{i}: no_keywords tag does not match scan {hits(r['text'])}")
    text = r["text"].lower()
    errors += [f"{i}: {tag} without cue" for tag, cue in CUES.items() if tag in tags and not re.search(cue, text)]
    if "explicit_reason" in tags and "indirect_reason" in tags:
        warns.append(f"{i}: both explicit and indirect")
    return errors, warns


def logics(r: dict[str, Any]) -> int:
    return sum(lab.startswith("logic.") for lab in r["labels"])


def distribution_checks(recs: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """The intended mix of the set (labels, phenomena, split)."""
    n = len(recs)
    lab = Counter(x for r in recs for x in r["labels"])
    phen = Counter(p for r in recs for p in r["phenomena"])
    nlog = Counter(logics(r) for r in recs)
    empty = sum(1 for r in recs if not r["labels"])
    split = Counter(r["split"] for r in recs)
    return [
        ("at least 220 quotes", n >= 220),
        ("logic.bureaucratic ~35% (30-40%)", 0.30 <= lab["logic.bureaucratic"] / n <= 0.40),
        ("logic.professional ~45% (40-50%)", 0.40 <= lab["logic.professional"] / n <= 0.50),
        ("logic.market ~25% (20-30%)", 0.20 <= lab["logic.market"] / n <= 0.30),
        ("discretion.coping ~30% (25-35%)", 0.25 <= lab["discretion.coping"] / n <= 0.35),
        ("empty ~10% (7-13%)", 0.07 <= empty / n <= 0.13),
        (">= 90 with exactly one logic", nlog[1] >= 90),
        (">= 40 with two or more logics", sum(v for k, v in nlog.items() if k >= 2) >= 40),
        ("each phenomenon >= 12", all(phen[p] >= 12 for p in PHEN)),
        ("no_keywords >= 30%", phen["no_keywords"] >= 0.30 * n),
        ("split exactly 50/50", split["dev"] == split["heldout"] == n // 2 and n % 2 == 0),
    ]


def problems(path: Path = PATH) -> tuple[list[str], list[str], list[tuple[str, bool]]]:
    """(errors, warnings, distribution checks) of the whole file."""
    recs, errors = read(path)
    warns: list[str] = []
    ids = [r.get("id") for r in recs]
    if len(set(ids)) != len(ids):
        errors.append("duplicate ids")
    for r in recs:
        e, w = record_problems(r)
        errors += e
        warns += w
    return errors, warns, distribution_checks(recs) if recs else []


def counts_table(recs: list[dict[str, Any]]) -> list[str]:
    """The markdown counts table of README.md."""
    n = len(recs)
    by = {s: [r for r in recs if r["split"] == s] for s in ("dev", "heldout")}

    def row(name: str, f: Callable[[dict[str, Any]], Any]) -> str:
        a = sum(1 for r in recs if f(r))
        d = sum(1 for r in by["dev"] if f(r))
        h = sum(1 for r in by["heldout"] if f(r))
        return f"| {name} | {a} | {100 * a / n:.1f}% | {d} | {h} |"

    out = ["", "| | all | % of all | dev | heldout |", "|---|---:|---:|---:|---:|", row("quotes", lambda r: True)]
    out.append("| **labels** | | | | |")
    for lab in sorted(ALLOWED, key=lambda x: (x.count("."), x)):
        out.append(row(f"`{lab}`", lambda r, lab=lab: lab in r["labels"]))
    out.append(row("no label (empty list)", lambda r: not r["labels"]))
    out.append(row("exactly one logic", lambda r: logics(r) == 1))
    out.append(row("two or more logics", lambda r: logics(r) >= 2))
    out.append(row("coping without a logic", lambda r: r["labels"] and not logics(r)))
    out.append("| **stance** | | | | |")
    for code, value in sorted({(k, v) for r in recs for k, v in r["stance"].items()}):
        out.append(row(f"`{code}`: {value}", lambda r, c=code, v=value: r["stance"].get(c) == v))
    out.append("| **phenomena** | | | | |")
    for p in PHEN:
        out.append(row(f"`{p}`", lambda r, p=p: p in r["phenomena"]))
    out.append("| **roles** | | | | |")
    for ro in sorted(ROLES):
        out.append(row(ro, lambda r, ro=ro: r["role"] == ro))
    wc = sorted(len(r["text"].split()) for r in recs)
    out.append(f"\nwords per quote: min {wc[0]}, median {wc[len(wc) // 2]}, max {wc[-1]}; "
               f"{sum(25 <= x <= 70 for x in wc)} of {n} have 25-70 words")
    return out


def main() -> int:
    errors, warns, checks = problems()
    for e in errors:
        print("ERROR", e)
    for w in warns:
        print("warn", w)
    for name, ok in checks:
        print("OK  " if ok else "FAIL", name)
    recs, _ = read()
    print("\n".join(counts_table(recs)))
    return 1 if errors or not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
