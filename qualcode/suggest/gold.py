"""Scoring a suggestion engine against a gold set: texts (or fragments) with the codes they carry.

``qualcode evaluate --gold FILE`` runs an engine on every text of FILE (not on stored
suggestions) and says, per code and per family of sibling codes, whether the engine beats
guessing. The figures, and why each is there:

- **Items**: one row of FILE each; with a ``split`` column, ``--split dev|heldout`` keeps one
  half (tune on one, report the other).
- **Codes evaluated**: the codes that occur in the gold labels and the codable ancestors they
  imply (under ``--codes PREFIX``), each *rolled up*: an item carries code C when one of its
  labels is C or a descendant of C (a ``discretion.coping.rationing`` label counts for
  ``discretion.coping``), and the engine suggests C when it suggests C or a descendant, with
  the highest of those scores. Codes the
  engine suggests that no gold label uses are not scored (a note lists them): the gold set says
  nothing about them.
- **Per code**: precision, recall and F1 of "suggested with score >= min_score" against the
  label (the default threshold is the one ``qualcode suggest`` stores at), with support (items
  carrying the code). Precision is empty when the engine never suggested the code (0/0).
- **Families**: the evaluated codes that share a parent (``logic.*``, ``discretion.coping.*``).
  Their macro-F1 is the mean F1 of the family's codes; the overall macro-F1 is the mean over all
  evaluated codes.
- **Top-1**: on items with exactly one label in a family (single-logic quotes), is the family's
  highest-scoring code the right one? Scores below the threshold count too (it measures the
  ranking); an item where the engine scores no code of the family counts as wrong; a tie for
  first place earns 1/k (what a random tie-break earns on average).
- **Baselines, on the same lines**: *majority* (suggest the family's most frequent gold label on
  every item; ties go to the first code in codebook order) and *all-siblings* (suggest every
  code of the family on every item). Random top-1 is 1/(codes in the family), which is also the
  all-siblings top-1. Note that the majority label is read off the items being scored, which
  favours that baseline a little: it is a bar to clear, not a rival engine.
- **Verdict per family**: the engine's macro-F1 minus the stronger baseline's, with a 95%
  bootstrap interval over items (1,000 resamples, fixed seed): "beats" only when the whole
  interval is above zero, "does NOT beat" when the difference is zero or less, "not clearly"
  in between, so a lucky difference on a small gold set is not sold as progress.
- **Reliability (calibration)**: every (item, evaluated code) pair the engine scored, in score
  bins of 0.1: the mean score in the bin against the observed precision (share of those pairs
  whose item carries the code), plus the unscored pairs and how many of them carry the code
  (what the engine misses). ECE = mean |score - precision| weighted by pairs. Rule scores are
  not probabilities; the table shows how far they can be read as one.

:func:`evaluate_gold_file` is the entry point without a project (texts only); inside a project
:meth:`qualcode.project.Project.evaluate_gold` also accepts fragment ids. Both return a
:class:`GoldReport` (``.to_dict()`` is the JSON of ``qualcode evaluate --gold``; ``.frames()``
gives DataFrames).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.load import load_codebook
from qualcode.codebook.model import Codebook, is_under
from qualcode.codebook.resolve import check_prefix
from qualcode.codebook.shipped import shipped_codebook_path
from qualcode.errors import InputError, did_you_mean
from qualcode.lazy import lazy_import
from qualcode.recordfiles import csv_records, jsonl_records, read_utf8, select_split, sniff_delimiter
from qualcode.suggest.engines import get_engine
from qualcode.suggest.evaluate import binary_metrics

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_import("numpy")

DEFAULT_MIN_SCORE = 0.35  # what `qualcode suggest` stores by default
BINS = 10
BOOTSTRAP = 1000
SEED = 20261205
FEW = 10  # fewer items than this behind a figure: say so
TOP_LEVEL = "(top level)"
LABEL_COLUMNS = ("labels", "label")
TEXT_COLUMNS = ("text", "fragment")
_LABEL_SEP = re.compile(r"[;,]")

Progress = Callable[[int, int, str], None]


# -- reading a gold file ----------------------------------------------------------------------
@dataclass
class GoldItem:
    """One labelled row of a gold file: a text, or the id of a fragment of the current project."""

    line: int
    id: str
    labels: list[str]
    text: str | None = None
    fragment: str | None = None
    split: str | None = None


def read_gold(path: str | Path, codebook: Codebook) -> list[GoldItem]:
    """Every row of a CSV or JSONL gold file, checked: a missing column, an empty text, a label
    that is not a code of ``codebook`` stop with file:line and the problem.

    CSV: a header with ``labels`` and ``text`` or ``fragment`` (optional ``id``, ``split``);
    the delimiter is the header's (``,``, ``;`` or tab). Labels are a JSON list or code ids
    separated by ``;`` or ``,`` (an empty cell: the item carries none of the codes). JSONL: one
    object per line with the same keys; ``labels`` a list or such a string.
    """
    p = Path(path)
    raw = read_utf8(p, missing="gold file not found")
    kind = _gold_kind(p, raw)
    rows = _jsonl_rows(p, raw) if kind == "jsonl" else _csv_rows(p, raw)
    items = [_item(p, line, row, codebook) for line, row in rows]
    if not items:
        raise InputError("no items: the gold file has a header but no rows", file=p)
    seen: dict[str, int] = {}
    for it in items:
        if it.id in seen:
            raise InputError(f"duplicate id {it.id!r} (first on line {seen[it.id]})", file=p, line=it.line)
        seen[it.id] = it.line
    return items


def _gold_kind(path: Path, raw: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    return "jsonl" if raw.lstrip().startswith("{") else "csv"


def _jsonl_rows(path: Path, raw: str) -> list[tuple[int, dict[str, Any]]]:
    out = [(n, {str(k).strip().lower(): v for k, v in row.items()}) for n, row in jsonl_records(path, raw)]
    if not out:
        raise InputError("no items: the gold file is empty", file=path)
    return out


def _csv_rows(path: Path, raw: str) -> list[tuple[int, dict[str, Any]]]:
    delimiter = sniff_delimiter(raw)
    header: list[str] | None = None
    out = []
    for start, row in csv_records(path, raw, delimiter):
        if header is None:
            header = [c.strip().lower() for c in row]
            _check_columns(path, start, header)
            continue
        if len(row) > len(header):
            raise InputError(f"{len(row)} cells but the header has {len(header)} columns (a '{delimiter}' "
                             "inside a cell needs quotes)", file=path, line=start)
        out.append((start, dict(zip(header, row))))
    if header is None:
        raise InputError("no items: the gold file is empty", file=path)
    return out


def _check_columns(path: Path, line: int, columns: Sequence[str]) -> None:
    present = ", ".join(c for c in columns if c) or "none"
    if not any(c in columns for c in LABEL_COLUMNS):
        raise InputError(f"missing column 'labels' (columns: {present})", file=path, line=line)
    if not any(c in columns for c in TEXT_COLUMNS):
        raise InputError(f"missing column 'text' or 'fragment' (columns: {present})", file=path, line=line)


def _item(path: Path, line: int, row: dict[str, Any], codebook: Codebook) -> GoldItem:
    if not any(k in row for k in LABEL_COLUMNS) or not any(k in row for k in TEXT_COLUMNS):
        _check_columns(path, line, list(row))
    text = _string(row.get("text"), "text", path, line)
    fragment = _string(row.get("fragment"), "fragment", path, line)
    if not (fragment or "").strip() and not (text or "").strip():
        raise InputError("empty item: give a 'text' or a 'fragment' id", file=path, line=line)
    labels = _labels(row.get("labels", row.get("label")), path, line)
    for code in labels:
        if code not in codebook.codes:
            hint = did_you_mean(code, codebook.codes, fallback=f" in codebook '{codebook.id}'")
            raise InputError(f"unknown code {code!r}{hint}", file=path, line=line)
    split = _string(row.get("split"), "split", path, line)
    ident = _string(row.get("id"), "id", path, line)
    return GoldItem(
        line=line,
        id=(ident or "").strip() or f"line {line}",
        labels=labels,
        text=text if not (fragment or "").strip() else None,
        fragment=(fragment or "").strip() or None,
        split=(split or "").strip() or None,
    )


def _string(value: Any, name: str, path: Path, line: int) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name in ("id", "split"):
        return str(value)
    raise InputError(f"'{name}' must be text, not {type(value).__name__}", file=path, line=line)


def _labels(value: Any, path: Path, line: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        s = value.strip()
        if s.startswith("["):
            try:
                value = json.loads(s)
            except json.JSONDecodeError as exc:
                raise InputError(f"labels: not a valid JSON list ({exc.msg})", file=path, line=line) from None
        else:
            value = _LABEL_SEP.split(s)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("labels must be a list of code ids or a ';'-separated string", file=path, line=line)
    out: list[str] = []
    for v in value:
        v = v.strip()
        if v and v not in out:
            out.append(v)
    return out


def gold_texts(items: Sequence[GoldItem], fragment_text: Callable[[str], str | None] | None,
               source: str | Path) -> list[str]:
    """The text of every item: its own, or its fragment's through ``fragment_text`` (fragment id
    -> turn text, ``None`` for an unknown id). Without a lookup (no project) a fragment id is an
    error, as is an id the project does not know, each with the item's line."""
    out = []
    for it in items:
        if it.fragment is None:
            out.append(it.text or "")
            continue
        if fragment_text is None:
            raise InputError(f"fragment {it.fragment!r}: fragment ids need a project (run inside it or pass "
                             "--project DIR), or give the text instead", file=source, line=it.line)
        text = fragment_text(it.fragment)
        if text is None:
            raise InputError(f"unknown fragment {it.fragment!r} in this project (ids look like "
                             "<transcript>:<turn>; see `qualcode transcripts show ID`)", file=source, line=it.line)
        out.append(text)
    return out


# -- the figures --------------------------------------------------------------------------------
def evaluated_codes(labels: Sequence[Collection[str]], codebook: Codebook, prefix: str | None = None) -> list[str]:
    """The codes that occur in the gold labels, and the codable ancestors they imply (a
    ``discretion.coping.rationing`` label implies ``discretion.coping``; a grouping node such as
    ``logic`` is implied by nothing), under ``prefix``, in codebook order."""
    used = {c for ls in labels for c in ls}
    for code in list(used):
        parent = codebook.codes[code].parent if code in codebook.codes else None
        while parent is not None and parent in codebook.codes:
            if codebook.codes[parent].codable:
                used.add(parent)
            parent = codebook.codes[parent].parent
    return [c for c in codebook.codes if c in used and (not prefix or is_under(c, prefix))]


def family_of(code: str) -> str:
    """A code's family: its parent id (``logic`` for ``logic.market``), or the top level."""
    return code.rsplit(".", 1)[0] if "." in code else TOP_LEVEL


def gold_metrics(
    labels: Sequence[Collection[str]],
    scores: Sequence[Mapping[str, float]],
    codes: Sequence[str],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    bins: int = BINS,
    bootstrap: int = BOOTSTRAP,
    seed: int = SEED,
) -> dict[str, Any]:
    """All figures for gold ``labels`` (per item) against engine ``scores`` (per item, code ->
    score), over ``codes`` rolled up (see the module docstring). Plain data: ``{codes,
    families, overall, calibration, verdicts}``."""
    n = len(labels)
    truth = np.array([[any(is_under(lab, c) for lab in ls) for c in codes] for ls in labels], dtype=bool)
    truth = truth.reshape(n, len(codes))
    score = np.array([[max((s for k, s in sc.items() if is_under(k, c)), default=0.0) for c in codes]
                      for sc in scores], dtype=float).reshape(n, len(codes))
    predicted = (score >= min_score) & (score > 0)
    families: dict[str, list[int]] = {}
    for j, c in enumerate(codes):
        families.setdefault(family_of(c), []).append(j)
    rng = np.random.default_rng(seed)
    resample = rng.integers(0, n, size=(bootstrap, n)) if bootstrap and n else None

    code_rows: list[dict[str, Any]] = []
    family_rows: list[dict[str, Any]] = []
    verdicts: list[str] = []
    baseline_f1: dict[str, dict[str, float]] = {"majority": {}, "all_siblings": {}}
    for fam, idx in families.items():
        support = truth[:, idx].sum(axis=0)
        majority_j = idx[int(np.argmax(support))]  # first code in codebook order on ties
        always = np.ones(n, dtype=bool)
        never = np.zeros(n, dtype=bool)
        rows = []
        for j in idx:
            m = binary_metrics(truth[:, j], predicted[:, j])
            maj = binary_metrics(truth[:, j], always if j == majority_j else never)
            alls = binary_metrics(truth[:, j], always)
            rows.append({
                "code": codes[j], "family": fam, "support": m["tp"] + m["fn"], "predicted": m["tp"] + m["fp"],
                **{k: m[k] for k in ("tp", "fp", "fn", "tn")},
                **_prf(m),
                "majority": _prf(maj),
                "all_siblings": _prf(alls),
            })
            baseline_f1["majority"][codes[j]] = maj["f1"] or 0.0
            baseline_f1["all_siblings"][codes[j]] = alls["f1"] or 0.0
        code_rows.extend(rows)
        macro = _mean([r["f1"] for r in rows])
        maj_macro = _mean([r["majority"]["f1"] for r in rows])
        all_macro = _mean([r["all_siblings"]["f1"] for r in rows])
        top1 = _top1(truth[:, idx], score[:, idx], [codes[j] for j in idx], codes[majority_j])
        stronger = "all_siblings" if all_macro >= maj_macro else "majority"
        base_pred = always[:, None] if stronger == "all_siblings" else np.column_stack(
            [always if j == majority_j else never for j in idx])
        base_pred = np.broadcast_to(base_pred, (n, len(idx)))
        diff = macro - (all_macro if stronger == "all_siblings" else maj_macro)
        low, high = _bootstrap_interval(truth[:, idx], predicted[:, idx], base_pred, resample)
        row = {
            "family": fam,
            "codes": [codes[j] for j in idx],
            "items": n,
            "labelled": int(truth[:, idx].any(axis=1).sum()),
            "macro_f1": _r(macro),
            "top1": top1["engine"],
            "majority": {"code": codes[majority_j], "macro_f1": _r(maj_macro), "top1": top1["majority"]},
            "all_siblings": {"macro_f1": _r(all_macro), "top1": top1["random"]},
            "random_top1": top1["random"],
            "comparison": {"baseline": stronger, "difference": _r(diff), "low": _r(low), "high": _r(high)},
        }
        row["verdict"] = _verdict(row)
        family_rows.append(row)
        verdicts.append(row["verdict"])

    overall = {
        "codes": len(codes),
        "items": n,
        "macro_f1": _r(_mean([r["f1"] for r in code_rows])),
        "majority_macro_f1": _r(_mean(list(baseline_f1["majority"].values()))),
        "all_siblings_macro_f1": _r(_mean(list(baseline_f1["all_siblings"].values()))),
    }
    return {
        "codes": code_rows,
        "families": family_rows,
        "overall": overall,
        "calibration": calibration(truth, score, bins),
        "verdicts": verdicts,
    }


def _r(v: float | None, digits: int = 4) -> float | None:
    return None if v is None else round(float(v), digits)


def _prf(m: Mapping[str, Any]) -> dict[str, float | None]:
    return {k: _r(m[k]) for k in ("precision", "recall", "f1")}


def _mean(values: Sequence[float | None]) -> float:
    """Mean F1 (an undefined F1, only possible for a code nobody labelled or suggested, counts 0)."""
    return float(np.mean([v or 0.0 for v in values])) if values else 0.0


def _top1(truth: np.ndarray, score: np.ndarray, codes: Sequence[str], majority: str) -> dict[str, Any]:
    """Top-1 on the items with exactly one of the family's codes: the engine (ties share the
    credit), the majority label and random (1/k). ``None`` for a family of one code."""
    k = len(codes)
    if k < 2:
        return {"engine": None, "majority": None, "random": None}
    single = np.nonzero(truth.sum(axis=1) == 1)[0]
    credit = 0.0
    answered = 0
    hits_majority = 0
    for i in single:
        right = int(np.nonzero(truth[i])[0][0])
        best = score[i].max()
        if best > 0:
            answered += 1
            top = np.nonzero(np.isclose(score[i], best))[0]
            credit += (1.0 / len(top)) if right in top else 0.0
        hits_majority += codes[right] == majority
    m = len(single)
    return {
        "engine": {"items": m, "correct": _r(credit), "accuracy": _r(credit / m) if m else None,
                   "answered": answered},
        "majority": _r(hits_majority / m) if m else None,
        "random": _r(1.0 / k),
    }


def _f1_columns(truth: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """F1 per column of boolean matrices stacked on a leading resample axis: (..., n, codes) -> (..., codes)."""
    tp = (truth & pred).sum(axis=-2)
    fp = (~truth & pred).sum(axis=-2)
    fn = (truth & ~pred).sum(axis=-2)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def _bootstrap_interval(truth: np.ndarray, pred: np.ndarray, base: np.ndarray,
                        resample: np.ndarray | None) -> tuple[float | None, float | None]:
    """95% percentile interval of macro-F1(engine) - macro-F1(baseline) over resampled items."""
    if resample is None:
        return None, None
    base = np.asarray(base)
    # In chunks of resamples: (resamples x items x codes) booleans at once would need gigabytes for a
    # gold file of 100,000 items.
    step = max(1, 4_000_000 // max(1, truth.size))
    diffs = []
    for i in range(0, len(resample), step):
        idx = resample[i : i + step]
        t = truth[idx]
        diffs.append(_f1_columns(t, pred[idx]).mean(axis=-1) - _f1_columns(t, base[idx]).mean(axis=-1))
    diff = np.concatenate(diffs)
    return float(np.percentile(diff, 2.5)), float(np.percentile(diff, 97.5))


BASELINE_NAMES = {"all_siblings": "all-siblings", "majority": "majority"}


def _verdict(fam: Mapping[str, Any]) -> str:
    """One line a user reads at a glance: does the engine beat guessing on this family?"""
    cmp = fam["comparison"]
    base = BASELINE_NAMES[cmp["baseline"]]
    if len(fam["codes"]) == 1:
        base += " (always suggest it)"
    base_f1 = fam["all_siblings"]["macro_f1"] if cmp["baseline"] == "all_siblings" else fam["majority"]["macro_f1"]
    d = cmp["difference"]
    interval = f"95% interval {cmp['low']:+.2f} to {cmp['high']:+.2f}" if cmp["low"] is not None else "no interval"
    head = f"{fam['family']}: macro-F1 {fam['macro_f1']:.2f} vs {base_f1:.2f}"
    if d <= 0:
        text = f"{head}: does NOT beat the {base} baseline ({d:+.2f})"
    elif cmp["low"] is not None and cmp["low"] > 0:
        text = f"{head}: beats the {base} baseline by {d:+.2f} macro-F1 ({interval})"
    else:
        text = f"{head}: does not clearly beat the {base} baseline ({d:+.2f}, {interval})"
    top1 = fam["top1"]
    if top1 and top1["items"]:
        guess = max(fam["random_top1"], fam["majority"]["top1"] or 0.0)
        which = "random" if fam["random_top1"] >= (fam["majority"]["top1"] or 0.0) else "majority"
        better = "better than" if top1["accuracy"] > guess else "NOT better than"
        text += (f"; top-1 {top1['accuracy']:.2f} on {top1['items']} single-label items, {better} "
                 f"guessing ({which} {guess:.2f})")
    return text + "."


def calibration(truth: np.ndarray, score: np.ndarray, bins: int = BINS) -> dict[str, Any]:
    """Score bins of width 1/bins over the scored (item, code) pairs: pairs, mean score,
    observed precision; the unscored pairs and the share of them that carry the code; ECE."""
    t, s = truth.ravel(), score.ravel()
    scored = s > 0
    which = np.minimum(np.floor(np.round(s * bins, 9)).astype(int), bins - 1)
    rows = []
    ece = 0.0
    total = int(scored.sum())
    for b in range(bins):
        in_bin = scored & (which == b)
        k = int(in_bin.sum())
        if not k:
            continue
        mean, prec = float(s[in_bin].mean()), float(t[in_bin].mean())
        ece += k / total * abs(mean - prec)
        rows.append({"bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "low": _r(b / bins), "high": _r((b + 1) / bins),
                     "pairs": k, "mean_score": _r(mean), "precision": _r(prec), "positives": int(t[in_bin].sum())})
    unscored = ~scored
    return {
        "bins": rows,
        "unscored": {"pairs": int(unscored.sum()), "positives": int(t[unscored].sum()),
                     "positive_share": _r(float(t[unscored].mean())) if unscored.any() else None},
        "scored_pairs": total,
        "ece": _r(ece) if total else None,
    }


# -- running an engine ----------------------------------------------------------------------------
@dataclass
class GoldReport:
    """Everything ``qualcode evaluate --gold`` shows; ``to_dict()`` is its JSON."""

    source: str
    engine: str
    codebook: str
    split: str
    items: int
    min_score: float
    codes_prefix: str | None
    codes: list[dict[str, Any]]
    families: list[dict[str, Any]]
    overall: dict[str, Any]
    calibration: dict[str, Any]
    verdicts: list[str]
    not_evaluated: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def family(self, name: str) -> dict[str, Any]:
        """The figures of one family (``"logic"``)."""
        for f in self.families:
            if f["family"] == name:
                return f
        raise KeyError(name)

    def code(self, code: str) -> dict[str, Any]:
        for r in self.codes:
            if r["code"] == code:
                return r
        raise KeyError(code)

    def frames(self) -> dict[str, pd.DataFrame]:
        """``codes``, ``families`` and ``calibration`` as DataFrames (baselines as flat columns)."""
        import pandas as pd

        codes = pd.json_normalize(self.codes, sep="_")
        families = pd.json_normalize(self.families, sep="_")
        bins = pd.DataFrame(self.calibration["bins"])
        return {"codes": codes, "families": families, "calibration": bins}


def score_texts(engine: Any, texts: Sequence[str], progress: Progress | None = None) -> list[dict[str, float]]:
    """Per text, code -> the engine's highest score for it (every suggestion, whatever its score)."""
    out: list[dict[str, float]] = []
    total = len(texts)
    for i, found in enumerate(engine.suggest_texts(list(texts))):
        if progress and i % 25 == 0:
            progress(i, total, f"{i}/{total}")
        best: dict[str, float] = {}
        for s in found:
            best[s.code] = max(best.get(s.code, 0.0), float(s.score))
        out.append(best)
    if progress:
        progress(total, total, "done")
    return out


def evaluate_gold(
    items: Sequence[GoldItem],
    texts: Sequence[str],
    codebook: Codebook,
    engine: Any,
    *,
    engine_name: str,
    source: str | Path,
    split: str | None = None,
    codes: str | None = None,
    min_score: float | None = None,
    progress: Progress | None = None,
) -> GoldReport:
    """Run ``engine`` on ``texts`` (one per item) and score it against the items' labels."""
    import time

    threshold = DEFAULT_MIN_SCORE if min_score is None else min_score
    if not 0 <= threshold <= 1:
        raise InputError(f"--min-score {threshold}: give a score between 0 and 1")
    if codes:
        check_prefix(codes, codebook)
    labels = [it.labels for it in items]
    evaluated = evaluated_codes(labels, codebook, codes)
    if not evaluated:
        where = f" under {codes!r}" if codes else ""
        raise InputError(f"no gold label{where} in the items evaluated: nothing to score", file=source)
    t0 = time.perf_counter()
    scores = score_texts(engine, texts, progress)
    seconds = time.perf_counter() - t0
    figures = gold_metrics(labels, scores, evaluated, min_score=threshold)
    extra: dict[str, int] = {}
    for sc in scores:
        for code, s in sc.items():
            if s >= threshold and (not codes or is_under(code, codes)) and not any(is_under(code, e)
                                                                                 for e in evaluated):
                extra[code] = extra.get(code, 0) + 1
    not_evaluated = [{"code": c, "items": k} for c, k in sorted(extra.items(), key=lambda kv: (-kv[1], kv[0]))]
    return GoldReport(
        source=str(source), engine=engine_name, codebook=codebook.id, split=split or "all", items=len(items),
        min_score=threshold, codes_prefix=codes, **figures, not_evaluated=not_evaluated,
        notes=_notes(figures, not_evaluated, len(items), threshold, engine_name), seconds=round(seconds, 3),
    )


def _notes(figures: Mapping[str, Any], not_evaluated: Sequence[Mapping[str, Any]], n: int,
           threshold: float, engine_name: str) -> list[str]:
    notes = [
        f"{n} item(s); suggested = engine score >= {threshold:g}; codes rolled up (a label or suggestion of a "
        "descendant counts for its ancestor); baselines: majority = the family's most frequent label on every "
        "item, all-siblings = every code of the family on every item (top-1: random = 1/codes)",
    ]
    few = [f"{r['code']} ({r['support']})" for r in figures["codes"] if r["support"] < FEW]
    if few:
        notes.append(f"few labelled items behind these figures, read them as rough: {', '.join(few)}")
    if not_evaluated:
        shown = ", ".join(f"{r['code']} ({r['items']})" for r in not_evaluated[:8])
        more = f" and {len(not_evaluated) - 8} more" if len(not_evaluated) > 8 else ""
        notes.append(f"also suggested, not scored (no gold label uses them): {shown}{more}")
    if engine_name == "model":
        notes.append("caveat: the model learned from a coder's codings; gold fragments it was trained on are "
                     "scored in-sample and flatter it (use fragments it has not seen, or the cross-validated "
                     "table of `qualcode train`)")
    return notes


def evaluate_gold_file(
    path: str | Path,
    *,
    codebook: Codebook | str | Path | None = None,
    engine: str = "rules",
    split: str | None = None,
    codes: str | None = None,
    min_score: float | None = None,
    spacy_model: str = "",
    progress: Progress | None = None,
) -> GoldReport:
    """``qualcode evaluate --gold FILE`` without a project: FILE holds texts (fragment ids need a
    project, :meth:`qualcode.project.Project.evaluate_gold`). ``codebook``: a Codebook, a YAML
    path, or ``None`` for the shipped default codebook."""
    if codebook is None:
        codebook = shipped_codebook_path()
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    items = select_split(read_gold(path, cb), split, path)
    texts = gold_texts(items, None, path)
    eng = get_engine(engine, cb, spacy_model=spacy_model)
    return evaluate_gold(items, texts, cb, eng, engine_name=engine, source=path, split=split, codes=codes,
                         min_score=min_score, progress=progress)
