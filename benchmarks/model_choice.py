"""Which classifier should `qualcode train` use by default? Decide by the numbers.

Cross-validates both model kinds (``sklearn``: TF-IDF + logistic regression; ``spacy``:
``textcat_multilabel`` bag of words) on two data sets and prints micro/macro F1 and times:

1. the sample project (``transcripts/``) coded by a pseudo-coder who accepted every rules
   suggestion scoring at least ``--accept-min`` (the labels a keyword coder would give; codes with
   at least 5 fragments are kept, as `qualcode train` does);
2. a synthetic separable set: Dutch filler sentences plus two or three cue words per code,
   a quarter of the turns carrying two codes.

Each is cross-validated with ``--folds`` folds over ``--repeats`` shuffles (mean and spread
reported). Each kind runs twice: with per-code thresholds tuned by an inner 3-fold CV inside
every training fold (what `qualcode train` does) and with a fixed probability threshold of 0.5.
Also times a fit on all data and prediction.

    .venv/bin/python benchmarks/model_choice.py [--folds 5] [--repeats 3] [--accept-min 0.5]
    .venv/bin/python benchmarks/model_choice.py --scale 100   # time `train` end to end on a
                                                             # generated corpus of 100 transcripts
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from qualcode.project import Project  # noqa: E402
from qualcode.suggest.model import (  # noqa: E402
    KINDS,
    collect_examples,
    cross_validated_scores,
    label_matrix,
    make_classifier,
    score_table,
    select_codes,
)

FILLER = (
    "ik denk dat het wel meevalt eigenlijk",
    "dat merk je gewoon in de praktijk",
    "we hebben het daar vaak over in het team",
    "nou ja het is niet altijd makkelijk",
    "je moet er wel tijd voor nemen",
    "dat verschilt per week hoor",
    "zo gaat het nu eenmaal bij ons",
    "ik zou het niet anders willen",
    "dat vind ik wel belangrijk om te zeggen",
    "de collega's zien dat ook zo",
)
CUES = {
    "synthetic.rules": ["de wet schrijft voor", "volgens de regels", "het protocol zegt", "verplicht controleren"],
    "synthetic.client": ["per klant kijken", "maatwerk leveren", "wat past bij hem", "iedere klant is anders"],
    "synthetic.targets": [
        "de uitstroomcijfers", "onze targets halen", "het percentage plaatsingen", "de prestatie-indicatoren",
    ],
    "synthetic.workload": ["geen tijd meer", "de caseload is te hoog", "het werk stapelt zich op", "te veel dossiers"],
}


def synthetic(n: int = 400, seed: int = 0) -> tuple[list[str], np.ndarray, list[str]]:
    rng = random.Random(seed)
    codes = sorted(CUES)
    texts, rows = [], []
    for i in range(n):
        chosen = [codes[i % len(codes)]]
        if rng.random() < 0.25:
            chosen.append(rng.choice([c for c in codes if c not in chosen]))
        parts = rng.sample(FILLER, 3)
        for c in chosen:
            for cue in rng.sample(CUES[c], rng.choice((1, 2))):
                parts.insert(rng.randrange(len(parts) + 1), cue)
        texts.append(", ".join(parts).capitalize() + ".")
        rows.append([int(c in chosen) for c in codes])
    return texts, np.array(rows, dtype=np.int8), codes


def sample_project(tmp: Path, accept_min: float, min_examples: int = 5) -> tuple[list[str], np.ndarray, list[str]]:
    root = tmp / "sample"
    project = Project.init(root)
    for f in (HERE.parent / "transcripts").iterdir():
        shutil.copy(f, root / "transcripts" / f.name)
    project.ingest([root / "transcripts"])
    project.suggest(engine="rules", min_score=0.0)
    project.accept_all(coder="pseudo", min_score=accept_min, engine="rules")
    examples = collect_examples(project.store, "pseudo")
    codes, _skipped = select_codes(examples, project.codebook(), min_examples)
    y = label_matrix(examples, codes)
    project.close()
    return examples.texts, y, codes


def bench(name: str, texts: list[str], y: np.ndarray, codes: list[str], folds: int, repeats: int) -> list[dict]:
    rows = []
    for kind in KINDS:
        for tune in (True, False):
            micro, macro, secs = [], [], []
            per_code = None
            for seed in range(repeats):
                t = time.perf_counter()
                scores = cross_validated_scores(kind, texts, y, folds=folds, seed=seed, tune=tune)
                secs.append(time.perf_counter() - t)
                table = score_table(codes, y, scores)
                micro.append(table["micro"]["f1"] or 0.0)
                macro.append(table["macro"]["f1"] or 0.0)
                per_code = per_code or table["codes"]
            t = time.perf_counter()
            clf = make_classifier(kind, tune=tune).fit(texts, y)
            fit = time.perf_counter() - t
            many = texts * max(1, 5000 // len(texts))
            t = time.perf_counter()
            clf.decision_function(many)
            rate = len(many) / (time.perf_counter() - t)
            rows.append({
                "data": name, "kind": kind, "threshold": "tuned" if tune else "0.5", "fragments": len(texts),
                "codes": len(codes), "micro_f1": float(np.mean(micro)), "micro_sd": float(np.std(micro)),
                "macro_f1": float(np.mean(macro)), "macro_sd": float(np.std(macro)),
                "cv_s": float(np.mean(secs)), "fit_s": fit, "predict_per_s": rate,
                "zero_recall_codes": sum(1 for r in per_code if not r["recall"]),
            })
            print(f"  {name} {kind} threshold={rows[-1]['threshold']}: micro {rows[-1]['micro_f1']:.3f} "
                  f"macro {rows[-1]['macro_f1']:.3f}", file=sys.stderr, flush=True)
    return rows


def scale(n_transcripts: int, accept_min: float, kind: str = "sklearn") -> None:
    """Time ``train`` (CV + final fit + store) and ``suggest --engine model`` on a generated corpus."""
    from corpus import write_corpus

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "scale"
        project = Project.init(root)
        words = write_corpus(root / "transcripts", n_transcripts=n_transcripts, words_each=5000)
        project.ingest([root / "transcripts"])
        project.suggest(engine="rules", min_score=accept_min)
        project.accept_all(coder="pseudo", min_score=accept_min, engine="rules")
        turns = len(project.store.fragments(respondent_only=True))
        t = time.perf_counter()
        result = project.train("pseudo", kind=kind)
        train_s = time.perf_counter() - t
        t = time.perf_counter()
        _, records = project.suggest(engine="model", model_coder="pseudo")
        suggest_s = time.perf_counter() - t
        print(f"{n_transcripts} transcripts, {words:,} words, {turns:,} respondent turns, {len(result.codes)} codes: "
              f"train {train_s:.1f} s (CV {result.cv_seconds:.1f} s, fit {result.fit_seconds:.1f} s), "
              f"micro F1 {result.micro['f1']}, macro F1 {result.macro['f1']}; "
              f"suggest --engine model {suggest_s:.1f} s ({len(records):,} suggestions)")
        project.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--accept-min", type=float, default=0.5, help="pseudo-coder accepts rules suggestions >= this")
    ap.add_argument("--scale", type=int, default=0, help="only time train on a generated corpus of N transcripts")
    args = ap.parse_args()
    if args.scale:
        sys.path.insert(0, str(HERE))
        scale(args.scale, args.accept_min)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        texts, y, codes = sample_project(Path(tmp), args.accept_min)
        results += bench(f"sample/rules>={args.accept_min}", texts, y, codes, args.folds, args.repeats)
    texts, y, codes = synthetic()
    results += bench("synthetic", texts, y, codes, args.folds, args.repeats)

    head = (f"{'data':<22}{'kind':<9}{'thresh':<7}{'frags':>6}{'codes':>6}{'micro F1':>15}{'macro F1':>15}"
            f"{'CV s':>7}{'fit s':>7}{'pred/s':>9}{'R=0':>5}")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['data']:<22}{r['kind']:<9}{r['threshold']:<7}{r['fragments']:>6}{r['codes']:>6}"
              f"{r['micro_f1']:>9.3f}±{r['micro_sd']:.3f}{r['macro_f1']:>9.3f}±{r['macro_sd']:.3f}"
              f"{r['cv_s']:>7.2f}{r['fit_s']:>7.2f}{r['predict_per_s']:>9.0f}{r['zero_recall_codes']:>5}")
    print("R=0: codes never found (recall 0) in the first shuffle's cross-validation.")
    real = [r for r in results if r["data"].startswith("sample")]
    best = max(real, key=lambda r: (round(r["macro_f1"], 3), r["micro_f1"]))
    print(f"better on the sample project (macro F1, then micro F1): {best['kind']} with threshold {best['threshold']}")


if __name__ == "__main__":
    main()
