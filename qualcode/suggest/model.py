"""The model engine: a multi-label text classifier trained on one coder's codings.

Unit: a respondent turn (fragment). A fragment is a positive example of code C when the coder has
an active coding of C on it (manual, imported or an accepted suggestion), a negative example
otherwise; only fragments of transcripts the coder coded at all count, so transcripts nobody has
looked at yet do not teach the model that "nothing applies". Codes with fewer than
``min_examples`` positive (or negative) fragments are skipped with a note.

Two classifiers sit behind one interface (sklearn estimator protocol: ``fit(texts, Y)``,
``predict_proba``, ``decision_function``), so ``cross_val_predict`` runs both the same way:

- ``sklearn``: TF-IDF of lower-cased text (word 1-2 grams + ``char_wb`` 3-5 grams, sublinear tf,
  idf, l2-normalised per block, stacked) and one binary
  ``LogisticRegression(class_weight="balanced", C=10, liblinear dual, tol=0.01)`` per code
  (one-vs-rest; C=10 against C=1: macro F1 0.48 against 0.45 with tuned thresholds on the
  sample set; tol 0.01 instead of 1e-4 gave identical F1 and halves the time on long turns);
- ``spacy``: ``textcat_multilabel`` with the bag-of-words architecture (``spacy.TextCatBOW.v3``,
  uni+bigrams, 2**16 hash buckets) trained from ``spacy.blank("nl")`` on lower-cased text,
  10 epochs, minibatches of 16, Adam learning rate 0.01 (with spaCy's default 0.001 the
  weights barely move in 10 epochs: micro F1 0.03 at a fixed 0.5 and 0.09 tuned on the sample
  set, against 0.15 and 0.18 with 0.01; 20 epochs did not help, spaCy's default 2**18 table
  gained about 0.01 F1 at 4x the training time).

Decision threshold: tuned per code, honestly. ``fit`` runs an inner 2-fold cross-validation on
its own training data, picks for each code the probability threshold (0.05 .. 0.95) with the best
F1 (middle of a plateau; a code never found gets the best pooled threshold) and then fits on all
of its data. The reported metrics come from an outer ``cross_val_predict`` (shuffled ``KFold``),
so every fragment is scored by a model *and thresholds* that never saw it. Why tune: with
5-30 examples per code and tens of thousands of features, balanced logistic regression gives
unseen positives probabilities well below 0.5 (at a fixed 0.5: precision 0.92, recall 0.18 on
the sample set). The stored *score* is the probability rescaled piecewise-linearly so that each
code's threshold maps to 0.5 (``to_score``): the engine suggests a code at score >= 0.5, scores
of different codes are comparable, and ``suggest --min-score`` above 0.5 asks for more
confidence. The evidence keeps the raw probability and the threshold.

Which kind is the default was decided by the numbers (``benchmarks/model_choice.py``: 5-fold CV,
3 shuffles, mean +- sd; a 2-core machine, CV folds in 2 processes). Data: (a) the sample
project's 391 respondent turns coded by a pseudo-coder who accepted every rules suggestion
scoring >= 0.5 (61 codes with >= 5 turns, 5-59 each); (b) a synthetic separable set (400 turns,
4 codes, 1-2 cue phrases per code in Dutch filler, a quarter of the turns with two codes)::

    data          kind     threshold  micro F1       macro F1       CV time  fit     predict
    sample/rules  sklearn  tuned      0.522 +- .002  0.446 +- .004   4.0 s   1.5 s   3,300 turns/s
    sample/rules  sklearn  0.5        0.300 +- .005  0.138 +- .014   1.6 s   0.6 s
    sample/rules  spacy    tuned      0.186 +- .008  0.095 +- .007  32.8 s  12.8 s   9,100 turns/s
    sample/rules  spacy    0.5        0.150 +- .018  0.084 +- .009  15.6 s   6.4 s
    synthetic     sklearn  tuned      1.000          1.000           1.1 s   0.3 s   8,200 turns/s
    synthetic     spacy    tuned      0.999 +- .001  0.999 +- .001   7.7 s   1.8 s  39,600 turns/s

Decision: ``sklearn`` is the default (``--kind auto``). Both learn the separable set, but on the
realistic set the spaCy bag-of-words model, which has no class weighting, finds few of the rarer
codes (35 of 61 codes never found, against 10 for sklearn) and its micro F1 is about a third of
sklearn's; it is also 8x slower to train. It predicts faster, which matters less: at 3,300 turns
a second sklearn scores the ~30,000 turns of a 1,000-transcript project in about 10 s.
``--kind spacy`` keeps the spaCy model available. The character n-grams earn their place
(sklearn, tuned, 2 shuffles): word+char micro/macro F1 0.514/0.439, words only 0.421/0.366,
characters only 0.453/0.452 (presumably because they match parts of Dutch compounds and
inflected forms). The figures in brackets here and above were measured while tuning, with 3
inner folds and tol 1e-4; the table is the final configuration. Training cost
(``model_choice.py --scale 100``): 4,036 turns, 89 codes, end to end 232 s (CV 158 s, final
fit 74 s); ``suggest --engine model`` on them 3 s. Cost grows with turns x codes.

Storage: one row in ``models`` per training run (kind in ``engine``, the CV report in
``metrics``). The blob is a zip with ``meta.json`` plus, for sklearn, the vocabularies, idf weights
and coefficients as a NumPy ``.npz`` (no pickle: a shared project database must not be able to
run code when a model is loaded, and the arrays survive scikit-learn upgrades); for spaCy, the
pipeline's own ``to_bytes()`` and its config. Training is a run (``train``) and can be undone.
"""

from __future__ import annotations

import io
import json
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast

from qualcode.codebook.model import Codebook, is_under
from qualcode.errors import InputError
from qualcode.lazy import lazy_import
from qualcode.store import Store, now
from qualcode.suggest.evaluate import binary_metrics
from qualcode.suggest.rules import Suggestion

if TYPE_CHECKING:
    import numpy as np
    from spacy.pipeline import MultiLabel_TextCategorizer
else:
    np = lazy_import("numpy")

KINDS = ("sklearn", "spacy")
DEFAULT_KIND = "sklearn"  # decided by benchmarks/model_choice.py (see the module docstring)
THRESHOLD = 0.5  # on the score scale: each code's tuned probability threshold maps to 0.5
INNER_FOLDS = 2
PARALLEL_FROM = 20_000  # fragments x codes from which the CV folds run in parallel processes
MIN_FRAGMENTS = 10
FORMAT = "qualcode-model"
FORMAT_VERSION = 1

Progress = Callable[[int, int, str], None]


# -- training data ---------------------------------------------------------------------------
@dataclass
class Examples:
    """A coder's training examples: one per respondent turn of the transcripts the coder coded."""

    fragment_ids: list[str]
    texts: list[str]
    labels: list[set[str]]  # codes the coder applied to each fragment
    transcripts: list[str]

    def positives(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for codes in self.labels:
            for c in codes:
                counts[c] = counts.get(c, 0) + 1
        return counts


def collect_examples(store: Store, coder: str) -> Examples:
    """Fragments (respondent turns) of the transcripts ``coder`` coded, with the codes on each.

    A coding belongs to the fragment it was made on; a coding without a fragment id (made on a
    span of the transcript) belongs to every respondent turn it overlaps.
    """
    by_transcript: dict[str, list[dict[str, Any]]] = {}
    for c in store.query_codings(coders=[coder]):
        by_transcript.setdefault(c["transcript_id"], []).append(c)
    out = Examples([], [], [], [])
    for tid in sorted(by_transcript):
        text = store.transcript_text(tid)
        frags = store.fragments(tid, respondent_only=True)
        index = {f["id"]: i for i, f in enumerate(frags)}
        labels: list[set[str]] = [set() for _ in frags]
        for c in by_transcript[tid]:
            if c["fragment_id"] in index:
                labels[index[c["fragment_id"]]].add(c["code"])
            elif not c["fragment_id"]:
                for i, f in enumerate(frags):
                    if f["start"] < c["end"] and c["start"] < f["end"]:
                        labels[i].add(c["code"])
        for f, codes in zip(frags, labels):
            body = text[f["start"] : f["end"]]
            if not body.strip():
                continue
            out.fragment_ids.append(f["id"])
            out.texts.append(body)
            out.labels.append(codes)
            out.transcripts.append(tid)
    return out


def select_codes(
    examples: Examples, codebook: Codebook, min_examples: int
) -> tuple[list[str], list[dict[str, Any]]]:
    """Codes with enough positive and negative fragments, and the skipped ones with a note each."""
    n = len(examples.texts)
    kept: list[str] = []
    skipped: list[dict[str, Any]] = []
    for code, pos in sorted(examples.positives().items()):
        note = None
        if code not in codebook.codes:
            note = "not in the codebook (renamed or removed?)"
        elif not codebook.codes[code].codable:
            note = "a grouping code, not codable"
        elif pos < min_examples:
            note = f"only {pos} coded fragment{'s' if pos != 1 else ''}; needs at least {min_examples}"
        elif n - pos < min_examples:
            note = f"only {n - pos} fragment(s) without it; needs at least {min_examples} to learn from"
        if note:
            skipped.append({"code": code, "positives": pos, "note": note})
        else:
            kept.append(code)
    return kept, skipped


def label_matrix(examples: Examples, codes: Sequence[str]) -> np.ndarray:
    col = {c: j for j, c in enumerate(codes)}
    y = np.zeros((len(examples.labels), len(codes)), dtype=np.int8)
    for i, labels in enumerate(examples.labels):
        for c in labels:
            if c in col:
                y[i, col[c]] = 1
    return y


# -- classifier 1: TF-IDF + logistic regression ------------------------------------------------
WORD = {"analyzer": "word", "ngram_range": (1, 2), "max_features": 30_000}
CHAR = {"analyzer": "char_wb", "ngram_range": (3, 5), "max_features": 60_000}


def _count_vectorizer(spec: dict[str, Any], vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        lowercase=True,
        analyzer=spec["analyzer"],
        ngram_range=spec["ngram_range"],
        max_features=None if vocabulary is not None else spec["max_features"],
        vocabulary=vocabulary,
        dtype=np.float64,
    )


class LinearPredictor:
    """A fitted TF-IDF + logistic-regression model as plain arrays (what is stored).

    Features are computed here, not by a pickled ``TfidfVectorizer``: counts over a fixed
    vocabulary, ``1 + log(tf)``, times the idf weights, l2-normalised per block (word, char).
    """

    def __init__(self, vocabularies: list[list[str]], idfs: list[np.ndarray], coef: np.ndarray, intercept: np.ndarray):
        self.vocabularies = vocabularies
        self.idfs = idfs
        self.coef = coef  # codes x features (float32)
        self.intercept = intercept  # codes
        self._coef_t = np.ascontiguousarray(coef.T, dtype=np.float64)
        self._vectorizers = [
            _count_vectorizer(spec, {t: i for i, t in enumerate(vocab)})
            for spec, vocab in zip((WORD, CHAR), vocabularies)
        ]

    @staticmethod
    def features(vectorizers: Sequence[Any], idfs: Sequence[np.ndarray], texts: Sequence[str]) -> Any:
        import scipy.sparse as sp
        from sklearn.preprocessing import normalize

        blocks = []
        for vec, idf in zip(vectorizers, idfs):
            x = vec.transform(texts).tocsr()
            np.log(x.data, out=x.data)
            x.data += 1.0
            x = normalize(x @ sp.diags(idf), norm="l2", copy=False)
            blocks.append(x)
        return sp.hstack(blocks, format="csr")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, len(self.intercept)))
        z = self.features(self._vectorizers, self.idfs, texts) @ self._coef_t + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -35, 35)))

    def to_files(self) -> dict[str, bytes]:
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            word_vocab=np.array(self.vocabularies[0], dtype=str),
            char_vocab=np.array(self.vocabularies[1], dtype=str),
            word_idf=self.idfs[0],
            char_idf=self.idfs[1],
            coef=self.coef,
            intercept=self.intercept,
        )
        return {"linear.npz": buf.getvalue()}

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> LinearPredictor:
        with np.load(io.BytesIO(files["linear.npz"]), allow_pickle=False) as z:
            return cls(
                [z["word_vocab"].tolist(), z["char_vocab"].tolist()],
                [z["word_idf"], z["char_idf"]],
                z["coef"],
                z["intercept"],
            )


class _MultiLabel:
    """The interface both kinds share (``fit``, ``predict_proba``, ``decision_function``, ``predict``).

    ``fit`` learns a per-code decision threshold by an inner cross-validation on the training
    data only (``tune=True``), then fits the model on all of it. ``predict_proba`` gives raw
    probabilities; ``decision_function`` gives the *score*: the probability rescaled so that the
    code's threshold maps to 0.5 (what ``suggest`` stores and ``--min-score`` filters on).
    """

    tune: bool
    inner_folds: int
    seed: int

    def _fit_predictor(self, texts: list[str], y: np.ndarray) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, texts: Sequence[str], y: np.ndarray) -> _MultiLabel:
        texts = list(texts)
        y = np.asarray(y)
        self.thresholds_ = self._tuned_thresholds(texts, y) if self.tune else np.full(y.shape[1], THRESHOLD)
        self.predictor_ = self._fit_predictor(texts, y)
        self.classes_ = np.arange(y.shape[1])
        return self

    def _tuned_thresholds(self, texts: list[str], y: np.ndarray) -> np.ndarray:
        from sklearn.model_selection import KFold

        folds = min(self.inner_folds, len(texts))
        if folds < 2:
            return np.full(y.shape[1], THRESHOLD)
        proba = np.zeros(y.shape)
        for a, b in KFold(folds, shuffle=True, random_state=self.seed + 1).split(texts):
            fitted = self._fit_predictor([texts[i] for i in a], y[a])
            proba[b] = fitted.predict_proba([texts[i] for i in b])
        return tune_thresholds(proba, y)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.predictor_.predict_proba(list(texts))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        return to_score(self.predict_proba(texts), self.thresholds_)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return (self.decision_function(texts) >= THRESHOLD).astype(int)


GRID_STEPS = [round(0.05 * i, 2) for i in range(1, 20)]  # candidate probability thresholds 0.05 .. 0.95


def tune_thresholds(proba: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per code, the threshold on ``GRID_STEPS`` with the best F1 on held-out probabilities.

    Ties (a plateau of equal F1) take the middle of the plateau, which leaves the most margin
    on both sides. A code never found at any threshold gets the threshold that is best for all
    codes pooled.
    """
    grid = np.array(GRID_STEPS)

    def best(truth: np.ndarray, p: np.ndarray) -> tuple[float, float]:
        t = truth.astype(bool)[:, None]
        pred = p[:, None] >= grid[None, :]
        tp = np.count_nonzero(pred & t, axis=0)
        wrong = np.count_nonzero(pred ^ t, axis=0)  # fp + fn
        f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + wrong, 1), 0.0)
        top = np.flatnonzero(np.isclose(f1, f1.max()))
        return float(grid[top[len(top) // 2]]), float(f1.max())

    pooled, _ = best(y.ravel(), proba.ravel())
    out = np.full(y.shape[1], pooled)
    for j in range(y.shape[1]):
        t, f = best(y[:, j], proba[:, j])
        if f > 0:
            out[j] = t
    return out


def to_score(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Rescale probabilities piecewise-linearly so that each code's threshold becomes 0.5.

    ``p < t`` -> ``0.5 p / t``; ``p >= t`` -> ``0.5 + 0.5 (p - t) / (1 - t)``. Monotone, keeps 0
    and 1, and makes scores of different codes comparable ("0.5 = the point where the model says
    yes"), whatever threshold each code needed.
    """
    t = np.clip(np.asarray(thresholds, dtype=float), 1e-6, 1 - 1e-6)
    p = np.asarray(proba, dtype=float)
    return np.where(p < t, 0.5 * p / t, 0.5 + 0.5 * (p - t) / (1.0 - t))


class TfidfLogReg(_MultiLabel):
    """One-vs-rest logistic regression (balanced classes) over word + character TF-IDF."""

    def __init__(self, C: float = 10.0, tol: float = 1e-2, tune: bool = True, inner_folds: int = INNER_FOLDS,
                 seed: int = 0) -> None:
        self.C = C
        self.tol = tol
        self.tune = tune
        self.inner_folds = inner_folds
        self.seed = seed

    def _fit_predictor(self, texts: list[str], y: np.ndarray) -> LinearPredictor:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression

        vocabularies, idfs, vectorizers = [], [], []
        n = len(texts)
        for spec in (WORD, CHAR):
            vec = _count_vectorizer(spec)
            counts = vec.fit_transform(texts).tocsc()
            df = np.diff(counts.indptr)  # documents per term (CSC column lengths)
            vocab = vec.get_feature_names_out().tolist()
            idfs.append(np.log((1.0 + n) / (1.0 + df)) + 1.0)
            vocabularies.append(vocab)
            vectorizers.append(_count_vectorizer(spec, {t: i for i, t in enumerate(vocab)}))
        x = LinearPredictor.features(vectorizers, idfs, texts)
        coef = np.zeros((y.shape[1], x.shape[1]), dtype=np.float32)
        intercept = np.zeros(y.shape[1])

        def fit_code(j: int) -> None:
            col = y[:, j]
            if col.min() == col.max():  # a fold without positives (or negatives): a constant model
                intercept[j] = 10.0 if col[0] else -10.0
                return
            # dual: far faster than the primal when there are more features than fragments
            lr = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear", dual=True, tol=self.tol,
                                    max_iter=1000, random_state=self.seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                lr.fit(x, col)
            coef[j] = lr.coef_[0]
            intercept[j] = lr.intercept_[0]

        # Sequential on purpose: scikit-learn's liblinear wrapper keeps global state (threads crash it).
        for j in range(y.shape[1]):
            fit_code(j)
        return LinearPredictor(vocabularies, idfs, coef, intercept)


# -- classifier 2: spaCy textcat_multilabel (bag of words) ----------------------------------------
def _spacy_pipeline(labels: Sequence[str], ngram_size: int, length: int) -> Any:
    import spacy

    nlp = spacy.blank("nl")
    pipe = nlp.add_pipe(
        "textcat_multilabel",
        config={
            "threshold": THRESHOLD,
            "model": {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": False,
                "ngram_size": ngram_size,
                "no_output_layer": False,
                "length": length,
            },
        },
    )
    textcat = cast("MultiLabel_TextCategorizer", pipe)  # add_pipe() is typed as returning a plain callable
    for label in labels:
        textcat.add_label(label)
    return nlp


class SpacyPredictor:
    """A trained spaCy pipeline; texts are lower-cased (the BOW model reads ORTH)."""

    def __init__(self, nlp: Any, labels: Sequence[str]) -> None:
        self.nlp = nlp
        self.labels = list(labels)

    def predict_proba(self, texts: Sequence[str], batch_size: int = 256) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels)))
        for i, doc in enumerate(self.nlp.pipe((t.lower() for t in texts), batch_size=batch_size)):
            out[i] = [doc.cats.get(label, 0.0) for label in self.labels]
        return out

    def to_files(self) -> dict[str, bytes]:
        return {"config.cfg": self.nlp.config.to_str().encode("utf-8"), "nlp.bin": self.nlp.to_bytes()}

    @classmethod
    def from_files(cls, files: dict[str, bytes], labels: Sequence[str]) -> SpacyPredictor:
        from spacy.util import get_lang_class, load_config_from_str

        config = load_config_from_str(files["config.cfg"].decode("utf-8"))
        nlp = get_lang_class(config["nlp"]["lang"]).from_config(config)
        nlp.from_bytes(files["nlp.bin"])
        return cls(nlp, labels)


class SpacyTextcat(_MultiLabel):
    """spaCy ``textcat_multilabel`` (``TextCatBOW.v3``) trained from ``spacy.blank("nl")``."""

    def __init__(self, epochs: int = 10, ngram_size: int = 2, length: int = 2**16, dropout: float = 0.0,
                 batch_size: int = 16, learn_rate: float = 0.01, tune: bool = True, inner_folds: int = INNER_FOLDS,
                 seed: int = 0) -> None:
        self.epochs = epochs
        self.learn_rate = learn_rate
        self.ngram_size = ngram_size
        self.length = length
        self.dropout = dropout
        self.batch_size = batch_size
        self.tune = tune
        self.inner_folds = inner_folds
        self.seed = seed

    def _fit_predictor(self, texts: list[str], y: np.ndarray) -> SpacyPredictor:
        import random

        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        labels = [f"c{j}" for j in range(y.shape[1])]
        fix_random_seed(self.seed)
        nlp = _spacy_pipeline(labels, self.ngram_size, self.length)
        examples = [
            Example.from_dict(nlp.make_doc(t.lower()), {"cats": {lab: float(v) for lab, v in zip(labels, row)}})
            for t, row in zip(texts, y)
        ]
        optimizer = nlp.initialize(lambda: examples)
        optimizer.learn_rate = self.learn_rate
        rng = random.Random(self.seed)
        for _ in range(self.epochs):
            rng.shuffle(examples)
            for batch in minibatch(examples, size=self.batch_size):
                nlp.update(batch, sgd=optimizer, drop=self.dropout, losses={})
        return SpacyPredictor(nlp, labels)


def make_classifier(kind: str, seed: int = 0, **params: Any) -> _MultiLabel:
    kind = resolve_kind(kind)
    cls = TfidfLogReg if kind == "sklearn" else SpacyTextcat
    return cls(seed=seed, **params)


def resolve_kind(kind: str) -> str:
    if kind == "auto":
        return DEFAULT_KIND
    if kind not in KINDS:
        raise InputError(f"unknown model kind {kind!r}; use auto, {' or '.join(KINDS)}")
    return kind


# -- cross-validation and metrics -------------------------------------------------------------
def cross_validated_scores(
    kind: str, texts: Sequence[str], y: np.ndarray, folds: int = 5, seed: int = 0, n_jobs: int | None = None,
    **params: Any,
) -> np.ndarray:
    """Out-of-fold scores (over a shuffled ``KFold``); >= 0.5 means "suggested".

    Every fragment is scored once, by a model (and thresholds) fitted without it. Why KFold and
    not StratifiedKFold: the labels are multi-label; stratifying on one code would unbalance the
    others. Folds run in parallel processes (one per core) once the data is big enough to pay
    for starting them (``PARALLEL_FROM``).
    """
    import os

    from joblib import Parallel, delayed
    from sklearn.model_selection import KFold

    if n_jobs is None:
        n_jobs = min(folds, os.cpu_count() or 1) if len(texts) * y.shape[1] >= PARALLEL_FROM else 1
    texts = list(texts)
    splits = list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(texts))
    fold_scores = Parallel(n_jobs=n_jobs)(
        delayed(_fold_scores)(kind, seed, params, texts, y, train, test) for train, test in splits
    )
    scores = np.zeros(y.shape, dtype=float)
    for (_, test), part in zip(splits, fold_scores):
        scores[test] = part
    return scores


def _fold_scores(kind: str, seed: int, params: dict[str, Any], texts: list[str], y: np.ndarray,
                 train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """One fold: a fresh classifier fitted on ``train``, scores for ``test``."""
    clf = make_classifier(kind, seed, **params)
    clf.fit([texts[i] for i in train], y[train])
    return clf.decision_function([texts[i] for i in test])


def score_table(
    codes: Sequence[str], y: np.ndarray, scores: np.ndarray, threshold: float = THRESHOLD
) -> dict[str, Any]:
    """Per-code metrics at ``threshold`` plus micro (pooled counts) and macro (mean per code) rows.

    Macro averages count an undefined precision (nothing suggested) as 0, like scikit-learn's
    ``zero_division=0``.
    """
    pred = scores >= threshold
    rows = []
    for j, code in enumerate(codes):
        rows.append({"code": code, "positives": int(y[:, j].sum()), **_rounded(binary_metrics(y[:, j], pred[:, j]))})
    micro = _rounded(binary_metrics(y.ravel(), pred.ravel()))
    macro = {
        k: round(float(np.mean([r[k] or 0.0 for r in rows])), 4) if rows else None
        for k in ("precision", "recall", "f1")
    }
    return {"codes": rows, "micro": micro, "macro": macro}


def _rounded(m: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()}


# -- training ---------------------------------------------------------------------------------
@dataclass
class TrainResult:
    """What ``qualcode train`` reports: cross-validated metrics per code, skipped codes, the model id."""

    model_id: int
    run_id: int
    coder: str
    kind: str
    fragments: int
    transcripts: int
    folds: int
    codes: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    micro: dict[str, Any]
    macro: dict[str, Any]
    cv_seconds: float
    fit_seconds: float
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_model(
    store: Store,
    codebook: Codebook,
    coder: str,
    *,
    min_examples: int = 5,
    folds: int = 5,
    kind: str = "auto",
    user: str | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> TrainResult:
    """Train a classifier on ``coder``'s codings, cross-validate it and store it as one run.

    Raises :class:`InputError` when the coder has no codings, the coded transcripts hold fewer
    than ``MIN_FRAGMENTS`` respondent turns, or no code has ``min_examples`` coded turns.
    """
    requested = kind
    kind = resolve_kind(kind)
    if min_examples < 1:
        raise InputError(f"--min-examples must be at least 1, not {min_examples}")
    if folds < 2:
        raise InputError(f"--folds must be at least 2 (cross-validation), not {folds}")
    if not store.query_codings(coders=[coder]):
        known = ", ".join(store.coder_names()) or "none yet"
        raise InputError(f"coder {coder!r} has no codings to learn from (coders: {known})")
    examples = collect_examples(store, coder)
    n = len(examples.texts)
    n_tr = len(set(examples.transcripts))
    if n < MIN_FRAGMENTS:
        raise InputError(
            f"too little data to train: the {n_tr} transcript(s) coder {coder!r} coded have {n} respondent "
            f"turn(s); at least {MIN_FRAGMENTS} are needed (code more transcripts)"
        )
    if folds > n:
        raise InputError(f"--folds {folds} is more than the {n} fragments to learn from")
    codes, skipped = select_codes(examples, codebook, min_examples)
    if not codes:
        best = max(examples.positives().items(), key=lambda kv: kv[1], default=None)
        most = f"; the most used is {best[0]} on {best[1]} fragment(s)" if best else ""
        raise InputError(
            f"too little data to train: no code has at least {min_examples} coded fragments among coder "
            f"{coder!r}'s {n} fragments{most} (code more, or lower --min-examples)"
        )
    y = label_matrix(examples, codes)

    if progress:
        progress(0, 2, f"cross-validating {kind} ({folds} folds, {len(codes)} codes, {n} fragments)")
    t0 = time.perf_counter()
    oof = cross_validated_scores(kind, examples.texts, y, folds=folds, seed=seed)
    cv_seconds = time.perf_counter() - t0
    scores = score_table(codes, y, oof)
    if progress:
        progress(1, 2, f"training {kind} on all {n} fragments")
    t0 = time.perf_counter()
    clf = make_classifier(kind, seed).fit(examples.texts, y)
    fit_seconds = time.perf_counter() - t0
    for row, t in zip(scores["codes"], clf.thresholds_):
        row["threshold"] = round(float(t), 4)  # the threshold the stored model uses for this code

    notes = [
        f"unit: respondent turn; examples: every respondent turn of the {n_tr} transcript(s) coder {coder!r} coded",
        f"metrics: {folds}-fold cross-validation (shuffled KFold); each fold's model tunes its per-code "
        f"thresholds by an inner {INNER_FOLDS}-fold cross-validation on its own training part only",
    ]
    if requested == "auto":
        notes.append(f"kind auto = {DEFAULT_KIND} (it measured better; see benchmarks/model_choice.py)")
    if skipped:
        notes.append(f"{len(skipped)} code(s) skipped (too few examples, or not codable): see skipped")
    positives = {r["code"]: r["positives"] for r in scores["codes"]}
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kind": kind,
        "coder": coder,
        "codes": codes,
        "thresholds": [round(float(t), 4) for t in clf.thresholds_],
        "positives": [positives[c] for c in codes],
        "cv_f1": [r["f1"] for r in scores["codes"]],
        "fragments": n,
        "created_at": now(),
    }
    blob = _pack(meta, clf.predictor_.to_files())
    params = {"coder": coder, "kind": kind, "min_examples": min_examples, "folds": folds}
    with store.run("train", user or coder, params, codebook.hash) as run_id:
        store.remember_codebook(codebook.hash, codebook.id, ",".join(codebook.files), codebook.to_dict())
        store.ensure_coder(coder)
        result = TrainResult(
            model_id=0, run_id=run_id, coder=coder, kind=kind, fragments=n, transcripts=n_tr, folds=folds,
            codes=scores["codes"], skipped=skipped, micro=scores["micro"],
            macro=scores["macro"], cv_seconds=round(cv_seconds, 3), fit_seconds=round(fit_seconds, 3), notes=notes,
        )
        model_id = store.save_model(
            {
                "coder": coder,
                "engine": kind,
                "created_at": meta["created_at"],
                "codebook_hash": codebook.hash,
                "metrics": json.dumps({k: v for k, v in result.to_dict().items() if k != "model_id"},
                                      ensure_ascii=False),
                "blob": blob,
                "run_id": run_id,
            }
        )
        result.model_id = model_id
        store.set_run_summary(run_id, {"model": model_id, "codes": len(codes), "skipped": len(skipped),
                                       "micro_f1": scores["micro"]["f1"]})
    if progress:
        progress(2, 2, "done")
    return result


def _pack(meta: dict[str, Any], files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("meta.json", json.dumps(meta, ensure_ascii=False))
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _unpack(blob: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            files = {name: z.read(name) for name in z.namelist()}
        meta = json.loads(files.pop("meta.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise InputError("the stored model is unreadable; retrain it with `qualcode train`") from None
    if meta.get("format") != FORMAT or meta.get("version", 0) > FORMAT_VERSION:
        raise InputError("the stored model was made by a newer qualcode; upgrade or retrain")
    return meta, files


# -- suggesting -------------------------------------------------------------------------------
class ModelEngine:
    """A stored model as a suggestion engine (``suggest --engine model``)."""

    engine_name = "model"

    def __init__(self, model_id: int, meta: dict[str, Any], predictor: Any, output: Sequence[bool],
                 run_id: int | None = None) -> None:
        self.model_id = model_id
        self.run_id = run_id  # the train run: unique even if an undone model's id is reused
        self.meta = meta
        self.kind = meta["kind"]
        self.coder = meta["coder"]
        self.codes: list[str] = list(meta["codes"])
        self.thresholds = np.asarray(meta["thresholds"], dtype=float)
        self.predictor = predictor
        self.output = np.asarray(output, dtype=bool)

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities and scores (probability rescaled so each code's threshold is 0.5)."""
        proba = self.predictor.predict_proba(list(texts))
        return proba, to_score(proba, self.thresholds)

    def suggest_texts(
        self, texts: Sequence[str], batch_size: int = 256, n_process: int = 1
    ) -> Iterator[list[Suggestion]]:
        """Per text, the codes whose score reaches 0.5 (their probability reaches the code's threshold).

        ``n_process`` is accepted for the engine interface; prediction is one sparse matrix
        product per batch (thousands of turns a second), so it runs in this process.
        """
        del n_process
        texts = list(texts)
        for i in range(0, len(texts), batch_size):
            batch = texts[i : i + batch_size]
            proba, scores = self.scores(batch)
            for text, prow, srow in zip(batch, proba, scores):
                if not text.strip():
                    yield []
                    continue
                hits = np.nonzero((srow >= THRESHOLD) & self.output)[0]
                out = [self._suggestion(int(j), float(prow[j]), float(srow[j]), len(text)) for j in hits]
                out.sort(key=lambda s: (-s.score, s.code))
                yield out

    def _suggestion(self, j: int, p: float, score: float, length: int) -> Suggestion:
        return Suggestion(
            code=self.codes[j],
            score=round(score, 4),
            start=0,
            end=length,
            evidence=[
                {
                    "model": self.model_id,
                    "train_run": self.run_id,
                    "kind": "model",
                    "classifier": self.kind,
                    "coder": self.coder,
                    "probability": round(p, 4),
                    "threshold": float(self.thresholds[j]),
                    "trained_on": int(self.meta["positives"][j]),
                    "cv_f1": self.meta["cv_f1"][j],
                }
            ],
        )


def load_model_engine(
    store: Store, codebook: Codebook, coder: str | None = None, codes: str | None = None
) -> ModelEngine:
    """The newest model of ``coder`` (or of any coder) as an engine; only codes still codable in
    the codebook (and under ``codes``) are suggested."""
    row = store.latest_model(coder)
    if row is None:
        if coder is None:
            raise InputError("no trained model; run `qualcode train --coder NAME`")
        raise InputError(f"no trained model for coder {coder!r}; run `qualcode train --coder {coder}`")
    meta, files = _unpack(row["blob"])
    if meta["kind"] == "sklearn":
        predictor: Any = LinearPredictor.from_files(files)
    elif meta["kind"] == "spacy":
        predictor = SpacyPredictor.from_files(files, [f"c{j}" for j in range(len(meta["codes"]))])
    else:
        raise InputError(f"stored model {row['id']} has unknown kind {meta['kind']!r}; retrain it")
    output = [
        c in codebook.codes and codebook.codes[c].codable and (not codes or is_under(c, codes)) for c in meta["codes"]
    ]
    return ModelEngine(int(row["id"]), meta, predictor, output, row["run_id"])


def model_rows(store: Store, coder: str | None = None) -> list[dict[str, Any]]:
    """Stored models (newest first) with their cross-validated micro F1 and code count."""
    out = []
    for r in store.list_models(coder):
        m = json.loads(r["metrics"] or "{}")
        out.append({
            "id": r["id"], "coder": r["coder"], "kind": r["engine"], "created_at": r["created_at"],
            "codes": len(m.get("codes", [])), "skipped": len(m.get("skipped", [])),
            "fragments": m.get("fragments"), "micro_f1": (m.get("micro") or {}).get("f1"), "size": r["size"],
        })
    return out
