"""Quality of the suggester and the typology on our own gold sets: the table of issue 12.

    make eval              # the held-out half (report these)
    make eval SPLIT=dev    # the development half (tune on this one only)

Quotes (benchmarks/gold/quotes.jsonl): the rules engine, the shipped codebook and the default
threshold of `qualcode suggest`, through the same function as `qualcode evaluate --gold`.
Typology (benchmarks/gold/typology/): a temporary project made from its transcripts and cases.csv,
`suggest`, every suggestion accepted as coder `auto` (what `review --accept-all` does), then the
same function as `qualcode typology --coder auto --evaluate variants.csv`.

Every figure is printed with its trivial baseline beside it and the target of the issue; the
figures also go to benchmarks/results/eval-latest.json (eval-latest-dev.json for the dev half),
with the commit they were measured on.
`make bench` imports :func:`quality` to print macro-F1 next to the engine's speed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from qualcode.project import Project  # noqa: E402  (the repository on sys.path first)
from qualcode.suggest.gold import evaluate_gold_file  # noqa: E402

GOLD = HERE / "gold"
QUOTES = GOLD / "quotes.jsonl"
TYPOLOGY = GOLD / "typology"
RESULTS = HERE / "results" / "eval-latest.json"


def quotes(split: str) -> dict[str, Any]:
    """The gold-quote report of the rules engine (default threshold) as JSON-ready data."""
    return evaluate_gold_file(QUOTES, split=split).to_dict()


def typology(split: str) -> dict[str, Any]:
    """Typology accuracy on the gold respondents: a fresh project, suggest, accept all, evaluate."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "typology-gold"
        Project.init(root).close()
        for f in sorted((TYPOLOGY / "transcripts").glob("*.txt")):
            shutil.copyfile(f, root / "transcripts" / f.name)
        shutil.copyfile(TYPOLOGY / "cases.csv", root / "transcripts" / "cases.csv")
        with Project.open(root) as project:
            project.ingest([root / "transcripts"])
            project.suggest()
            project.accept_all(coder="auto")
            return project.typology_evaluation(TYPOLOGY / "variants.csv", coder="auto", split=split).to_dict()


def quality(split: str = "heldout") -> dict[str, Any]:
    """The figures of the issue's table for one split, each with its baseline."""
    q = quotes(split)
    logic = next(f for f in q["families"] if f["family"] == "logic")
    code = {c["code"]: c for c in q["codes"]}
    prof, coping = code["logic.professional"], code["discretion.coping"]
    t = typology(split)
    return {
        "split": split,
        "quotes": q["items"],
        "logic_macro_f1": logic["macro_f1"],
        "logic_macro_f1_all_logics": logic["all_siblings"]["macro_f1"],
        "logic_macro_f1_majority": logic["majority"]["macro_f1"],
        "professional_recall": prof["recall"],
        "professional_precision": prof["precision"],
        "top1_single_logic": logic["top1"]["accuracy"],
        "top1_single_logic_items": logic["top1"]["items"],
        "top1_random": logic["random_top1"],
        "top1_majority": logic["majority"]["top1"],
        "coping_recall": coping["recall"],
        "coping_precision": coping["precision"],
        "coping_always_precision": coping["all_siblings"]["precision"],
        "typology_accuracy": t["accuracy"],
        "typology_accuracy_assigned": t["accuracy_assigned"],
        "typology_coverage": t["coverage"],
        "typology_majority": t["majority"]["accuracy"],
        "typology_cases": t["cases"],
        "verdicts": [*q["verdicts"], t["verdict"]],
        "reports": {"quotes": q, "typology": t},
    }


def f2(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


Check = Callable[[dict[str, Any]], bool]
ROWS: list[tuple[str, Callable[[dict[str, Any]], str], Callable[[dict[str, Any]], str], str, Check]] = [
    ("logic macro-F1, rules engine, default threshold",
     lambda r: f2(r["logic_macro_f1"]),
     lambda r: f"{f2(r['logic_macro_f1_all_logics'])} (all three logics on every quote)",
     ">= 0.65, and >= 0.15 above that baseline",
     lambda r: r["logic_macro_f1"] >= 0.65 and r["logic_macro_f1"] - r["logic_macro_f1_all_logics"] >= 0.15),
    ("professional-logic recall",
     lambda r: f"{f2(r['professional_recall'])} (precision {f2(r['professional_precision'])})",
     lambda r: "-",
     ">= 0.55 at precision >= 0.6",
     lambda r: (r["professional_recall"] or 0) >= 0.55 and (r["professional_precision"] or 0) >= 0.6),
    ("top-1 logic on single-logic quotes",
     lambda r: f"{f2(r['top1_single_logic'])} ({r['top1_single_logic_items']} quotes)",
     lambda r: f"{f2(r['top1_random'])} (random; majority label {f2(r['top1_majority'])})",
     ">= 0.55",
     lambda r: (r["top1_single_logic"] or 0) >= 0.55),
    ("coping recall",
     lambda r: f"{f2(r['coping_recall'])} (precision {f2(r['coping_precision'])})",
     lambda r: f"- (always coping: precision {f2(r['coping_always_precision'])})",
     ">= 0.65",
     lambda r: (r["coping_recall"] or 0) >= 0.65),
    ("typology: respondents assigned their variant",
     lambda r: (f"{f2(r['typology_accuracy'])} (coverage {f2(r['typology_coverage'])}, "
                f"{f2(r['typology_accuracy_assigned'])} of those assigned; {r['typology_cases']} respondents)"),
     lambda r: f"{f2(r['typology_majority'])} (everyone gets the most common variant)",
     ">= 0.70 overall; >= 0.85 where it assigns, at >= 75% coverage",
     lambda r: (r["typology_accuracy"] >= 0.70 and (r["typology_accuracy_assigned"] or 0) >= 0.85
                and r["typology_coverage"] >= 0.75)),
]


def table(r: dict[str, Any]) -> str:
    """The issue's table as Markdown, one line per figure, with the baseline and the target."""
    head = f"| measure | qualcode ({r['split']}) | trivial baseline | target for issue 12 | met |"
    lines = [head, "|---|---|---|---|---|"]
    for name, value, base, target, ok in ROWS:
        lines.append(f"| {name} | {value(r)} | {base(r)} | {target} | {'yes' if ok(r) else 'no'} |")
    return "\n".join(lines)


def commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return (out.stdout.strip() + ("+changes" if dirty else "")) or None
    except OSError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="heldout", choices=["heldout", "dev", "all"])
    ap.add_argument("--out", type=Path, default=None,
                    help="JSON file for the figures (default: results/eval-latest.json, -dev.json for dev)")
    args = ap.parse_args()
    if args.out is None:
        args.out = RESULTS if args.split == "heldout" else RESULTS.with_name(f"eval-latest-{args.split}.json")
    t0 = time.perf_counter()
    r = quality(args.split)
    r["commit"] = commit()
    r["seconds"] = round(time.perf_counter() - t0, 1)
    print(f"Quality on the {args.split} half of benchmarks/gold ({r['quotes']} quotes, {r['typology_cases']} "
          f"respondents; commit {r['commit']})\n")
    print(table(r))
    print()
    for v in r["verdicts"]:
        print(v)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} "
          f"({r['seconds']} s)")


if __name__ == "__main__":
    main()
