"""Suggesters: rule-based (codebook indicators) and model-based (trained on a coder's codings).

Suggestions are stored with their evidence and never count as codings until a coder accepts
them. :func:`run_suggest` is what ``qualcode suggest`` and ``Project.suggest`` call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from qualcode.codebook.model import Codebook
from qualcode.errors import InputError
from qualcode.language.nlp import get_nlp
from qualcode.store import Store
from qualcode.suggest.engines import engine_names, get_engine
from qualcode.suggest.rules import RuleEngine

ENGINES = ("rules", "model", "all")
ALL = ("rules", "model")  # what `--engine all` runs


def run_suggest(
    store: Store,
    codebook: Codebook,
    *,
    user: str,
    transcripts: Sequence[str] | None = None,
    engine: str = "rules",
    codes: str | None = None,
    min_score: float = 0.35,
    processes: int = 1,
    spacy_model: str = "",
    model_coder: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[int | None, list[dict[str, Any]]]:
    """Make suggestions for respondent fragments and store them as one run.

    Returns the run id (None when nothing new was suggested) and the new suggestions as records
    (``{id, fragment, transcript, case, start, end, code, score, engine, evidence, stance}``).
    Fragments that already carry the same (engine, code) suggestion, in any status, are skipped,
    so running suggest twice adds nothing and earlier decisions stand.
    """
    if engine != "all" and engine not in engine_names():
        raise InputError(f"unknown engine {engine!r}; use one of {', '.join([*engine_names(), 'all'])}")
    if codes and not any(c == codes or c.startswith(codes + ".") for c in codebook.codes):
        raise InputError(f"no code in the codebook starts with {codes!r}")
    known = {r["id"] for r in store.transcript_summaries()}
    for t in transcripts or []:
        if t not in known:
            raise InputError(f"unknown transcript {t!r}; see `qualcode transcripts list`")
    frags = [f for f in store.fragments(respondent_only=True) if not transcripts or f["transcript_id"] in transcripts]
    texts_by_tid: dict[str, str] = {}
    for f in frags:
        if f["transcript_id"] not in texts_by_tid:
            texts_by_tid[f["transcript_id"]] = store.transcript_text(f["transcript_id"])
    texts = [texts_by_tid[f["transcript_id"]][f["start"] : f["end"]] for f in frags]

    engines: list[tuple[str, Any]] = [
        (name, get_engine(name, codebook, codes=codes, spacy_model=spacy_model, store=store, coder=model_coder))
        for name in (ALL if engine == "all" else (engine,))
    ]

    records: list[dict[str, Any]] = []
    params = {"engine": engine, "codes": codes, "min_score": min_score, "transcripts": list(transcripts or []),
              "processes": processes}
    with store.run("suggest", user, params, codebook.hash) as run_id:
        store.remember_codebook(codebook.hash, codebook.id, ",".join(codebook.files), codebook.to_dict())
        cb_hash = codebook.hash
        pending: list[dict[str, Any]] = []
        cases: list[str | None] = []
        for name, eng in engines:
            seen = store.existing_suggestion_keys(name)
            total = len(frags)
            for i, (frag, found) in enumerate(zip(frags, eng.suggest_texts(texts, n_process=processes))):
                if progress and i % 50 == 0:
                    progress(i, total, f"{name}: {frag['id']}")
                for s in found:
                    if s.score < min_score or (frag["id"], s.code) in seen:
                        continue
                    pending.append({
                        "run_id": run_id,
                        "engine": name,
                        "code": s.code,
                        "transcript_id": frag["transcript_id"],
                        "fragment_id": frag["id"],
                        "start": frag["start"] + s.start,
                        "end": frag["start"] + s.end,
                        "score": s.score,
                        "evidence": json.dumps(s.evidence, ensure_ascii=False),
                        "stance": s.stance,
                        "status": "open",
                        "codebook_hash": cb_hash,
                    })
                    cases.append(frag["case_id"])
                if len(pending) >= 5000:
                    _flush(store, pending, cases, records)
            _flush(store, pending, cases, records)
        store.set_run_summary(run_id, {"suggestions": len(records), "fragments": len(frags)})
    if not records:
        store.discard_run_if_empty(run_id)
        return None, []
    return run_id, records


def explain(
    store: Store,
    codebook: Codebook,
    *,
    fragment: str | None = None,
    text: str | None = None,
    codes: str | None = None,
    spacy_model: str = "",
) -> dict[str, Any]:
    """Why the rule engine suggests what it suggests for one fragment (by id) or a free text:
    every hit with its weight and modifiers (reason, negation, foil, compound, blocked, condition),
    the pieces of evidence and roll-ups per code and each code's score. Nothing is stored.

    Returns :meth:`RuleEngine.explain`'s record plus ``fragment`` (the id, or None for free text)."""
    if (fragment is None) == (text is None):
        raise InputError("give either a fragment id or a text to explain")
    if codes and not any(c == codes or c.startswith(codes + ".") for c in codebook.codes):
        raise InputError(f"no code in the codebook starts with {codes!r}")
    if fragment is not None:
        frag = store.fragment(fragment)
        if frag is None:
            raise InputError(f"unknown fragment {fragment!r}; fragment ids look like <transcript>:<n> "
                             "(see `qualcode codings` or the review screen)")
        text = store.transcript_text(frag["transcript_id"])[frag["start"] : frag["end"]]
    assert text is not None
    engine = RuleEngine(codebook, get_nlp(spacy_model), codes)
    trace = engine.explain(engine.nlp(text))
    trace["fragment"] = fragment
    return trace


def _flush(store: Store, pending: list[dict[str, Any]], cases: list[str | None], records: list[dict[str, Any]]) -> None:
    """Store a batch of suggestions at once and turn them into records; empties the batch."""
    ids = store.insert_many("suggestions", pending)
    for sid, row, case in zip(ids, pending, cases):
        records.append(suggestion_record({**row, "id": sid, "case_id": case}))
    pending.clear()
    cases.clear()


def suggestion_record(row: dict[str, Any]) -> dict[str, Any]:
    """A suggestion as scripts see it (``qualcode suggest --format json``)."""
    evidence = row["evidence"]
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    return {
        "id": row["id"],
        "fragment": row["fragment_id"],
        "transcript": row["transcript_id"],
        "case": row.get("case_id"),
        "start": row["start"],
        "end": row["end"],
        "code": row["code"],
        "score": row["score"],
        "engine": row["engine"],
        "evidence": evidence,
        "stance": row.get("stance"),
        "status": row.get("status", "open"),
    }


def summarise(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counts per code: suggestions, distinct fragments and cases, mean score, proposed rejections."""
    by_code: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_code.setdefault(r["code"], []).append(r)
    out = []
    for code in sorted(by_code):
        rs = by_code[code]
        out.append(
            {
                "code": code,
                "suggestions": len(rs),
                "fragments": len({r["fragment"] for r in rs}),
                "cases": len({r["case"] for r in rs if r["case"]}),
                "mean_score": round(sum(r["score"] for r in rs) / len(rs), 3),
                "rejects": sum(r.get("stance") == "rejects" for r in rs),
            }
        )
    return out
