"""Re-derive (print, never write) the dev/heldout split of the typology gold set.

The split in variants.csv was drawn once with this procedure; running this script must print
the same `split` column. Units are a group-interview transcript (all its respondents) or an
individual respondent. With random.Random(20261205), 20000 draws assign each unit (in sorted
transcript-id order) to dev with p = 0.5. A draw is admissible if exactly 20 respondents are
in dev and every variant is split as evenly as possible (|dev - heldout| <= 1). The admissible
draw with the smallest cost wins (the first one on ties); cost = sum over (variant, evidence)
strata of |dev - heldout| + sum over evidence levels of |dev - heldout|.

Usage: python draw_split.py   (from any directory; needs PyYAML)
"""
import collections
import csv
import pathlib
import random

import yaml

HERE = pathlib.Path(__file__).resolve().parent


def transcript_of_case() -> dict[str, str]:
    out = {}
    for p in sorted((HERE / "transcripts").glob("*.txt")):
        lines = p.read_text(encoding="utf-8").split("\n")
        fm = yaml.safe_load("\n".join(lines[1 : lines.index("---", 1)]))
        speakers = fm.get("speakers") or {}
        for case in list(speakers.values()) or [fm["id"]]:
            out[case] = fm["id"]
    return out


def main() -> None:
    rows = list(csv.DictReader(open(HERE / "variants.csv", encoding="utf-8")))
    tr = transcript_of_case()
    units = collections.defaultdict(list)
    for r in rows:
        units[tr[r["case"]]].append(r["case"])
    info = {r["case"]: (r["variant"], r["evidence"]) for r in rows}
    keys = sorted(units)
    variants = sorted({v for v, _ in info.values()})
    evidence = sorted({e for _, e in info.values()})
    rng = random.Random(20261205)
    best = None
    for attempt in range(20000):
        assign = {k: ("dev" if rng.random() < 0.5 else "heldout") for k in keys}
        split = {c: assign[k] for k in keys for c in units[k]}
        if sum(s == "dev" for s in split.values()) != 20:
            continue

        def diff(pred, split=split):
            d = sum(1 for c, s in split.items() if pred(*info[c]) and s == "dev")
            h = sum(1 for c, s in split.items() if pred(*info[c]) and s == "heldout")
            return abs(d - h)

        if any(diff(lambda v, e, w=w: v == w) > 1 for w in variants):
            continue
        cost = sum(diff(lambda v, e, w=w, x=x: v == w and e == x) for w in variants for x in evidence)
        cost += sum(diff(lambda v, e, x=x: e == x) for x in evidence)
        if best is None or cost < best[0]:
            best = (cost, attempt, split)
    cost, attempt, split = best
    print(f"# draw {attempt}, cost {cost}")
    same = all(split[r["case"]] == r["split"] for r in rows)
    for r in rows:
        print(f"{r['case']},{split[r['case']]}")
    print(f"# identical to variants.csv: {same}")


if __name__ == "__main__":
    main()
