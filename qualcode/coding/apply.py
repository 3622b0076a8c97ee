"""Codings: applying codes to fragments, by hand or by accepting suggestions, and memos.

Why one module: the review screen, ``qualcode code``, ``accept-all`` and imports all create
codings; they share the same checks (known code, codable, span inside the fragment, stance
word) and the same de-duplication, so a coding means the same whichever way it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.codebook.model import Codebook
from qualcode.codebook.resolve import resolve_code
from qualcode.errors import InputError
from qualcode.store import Store, now

STANCES = ("endorses", "rejects", "distances", "describes")
MEMO_TARGETS = ("project", "code", "fragment", "case", "transcript", "coding")


@dataclass(frozen=True)
class Span:
    start: int  # absolute offsets in the transcript's canonical text
    end: int


def check_stance(stance: str | None) -> str | None:
    if stance is None or stance == "":
        return None
    s = stance.removeprefix("stance.")
    if s not in STANCES:
        raise InputError(f"unknown stance {stance!r}; use one of {', '.join(STANCES)}")
    return s


def resolve_span(
    store: Store, fragment_id: str, *, quote: str | None = None, span: tuple[int, int] | None = None
) -> tuple[dict[str, Any], Span, str]:
    """The fragment row, the absolute span and the covered text for a coding.

    ``span`` is relative to the fragment's text (what a person sees); ``quote`` must occur in the
    fragment (its first occurrence is used). Without either, the whole turn is coded.
    """
    frag = store.fragment(fragment_id)
    if frag is None:
        raise InputError(f"unknown fragment {fragment_id!r}; fragment ids look like <transcript>:<n>")
    text = store.transcript_text(frag["transcript_id"])
    body = text[frag["start"] : frag["end"]]
    if quote is not None and span is not None:
        raise InputError("give --quote or --span, not both")
    if quote is not None:
        i = body.find(quote)
        if i < 0:
            raise InputError(f"quote {quote!r} does not occur in fragment {fragment_id}")
        s, e = i, i + len(quote)
    elif span is not None:
        s, e = span
        if not (0 <= s < e <= len(body)):
            raise InputError(f"span {s}:{e} is outside fragment {fragment_id} (its text has {len(body)} characters)")
    else:
        s, e = 0, len(body)
    return frag, Span(frag["start"] + s, frag["start"] + e), body[s:e]


def add_coding(
    store: Store,
    codebook: Codebook,
    *,
    coder: str,
    code: str,
    fragment_id: str,
    quote: str | None = None,
    span: tuple[int, int] | None = None,
    stance: str | None = None,
    memo: str | None = None,
    origin: str = "manual",
    suggestion_id: int | None = None,
) -> int:
    """Apply ``code`` to (part of) a fragment. Returns the coding id; an identical coding is reused."""
    resolve_code(codebook, code, codable=True)
    stance = check_stance(stance)
    frag, sp, covered = resolve_span(store, fragment_id, quote=quote, span=span)
    existing = store.conn.execute(
        'SELECT id FROM codings WHERE coder = ? AND code = ? AND transcript_id = ? AND start = ? AND "end" = ? '
        "AND status = 'active'",
        (coder, code, frag["transcript_id"], sp.start, sp.end),
    ).fetchone()
    if existing:
        changes: dict[str, Any] = {}
        if stance:
            changes["stance"] = stance
        if memo:
            changes["memo"] = memo
        if changes:
            store.update("codings", {"id": existing[0]}, changes)
        return int(existing[0])
    store.ensure_coder(coder)
    return int(
        store.insert(
            "codings",
            {
                "coder": coder,
                "code": code,
                "transcript_id": frag["transcript_id"],
                "fragment_id": fragment_id,
                "start": sp.start,
                "end": sp.end,
                "text": covered,
                "stance": stance,
                "memo": memo,
                "origin": origin,
                "suggestion_id": suggestion_id,
                "run_id": store.run_id,
                "codebook_hash": codebook.hash,
                "created_at": now(),
                "status": "active",
            },
        )
        or 0
    )


@dataclass
class BulkCoding:
    """What :func:`code_spans` did: the run (None when every coding existed already), how many
    spans were asked for, how many codings it made and how many were there already."""

    run_id: int | None
    code: str
    coder: str
    spans: int
    created: int
    existing: int

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "code": self.code, "coder": self.coder, "spans": self.spans,
                "created": self.created, "existing": self.existing}


def code_spans(store: Store, codebook: Codebook, *, coder: str, code: str, spans: Sequence[tuple[str, int, int]],
               kind: str, params: dict[str, Any], user: str, origin: str = "search") -> BulkCoding:
    """Apply ``code`` for ``coder`` to every ``(fragment, start, end)`` (offsets in the fragment's
    text) as ONE run of ``kind``, so ``runs undo`` takes them all back (``qualcode search --code``).

    Everything is checked first: the code must be codable and no span may lie in an interviewer
    turn (interviewer turns are context, never coded). A coding the coder already has (same code
    and span) is counted in ``existing`` and not made twice; a run that makes nothing is dropped.
    """
    resolve_code(codebook, code, codable=True)
    if not coder.strip():
        raise InputError("give a coder name (--coder NAME)")
    frags: dict[str, dict[str, Any]] = {}
    for fragment_id, start, end in spans:
        frag = frags.get(fragment_id) or store.fragment(fragment_id)
        if frag is None:
            raise InputError(f"unknown fragment {fragment_id!r}")
        if frag["is_interviewer"]:
            raise InputError(f"{fragment_id} is an interviewer turn: interviewer turns are not coded "
                             "(search without --interviewer to code respondent turns only)")
        if not 0 <= start < end <= frag["end"] - frag["start"]:
            raise InputError(f"span {start}:{end} is outside fragment {fragment_id}")
        frags[fragment_id] = frag
    unique = list(dict.fromkeys(spans))
    created = existing = 0
    with store.run(kind, user, {"coder": coder, "code": code, **params}, codebook.hash) as run_id:
        for fragment_id, start, end in unique:
            frag = frags[fragment_id]
            a, b = frag["start"] + start, frag["start"] + end
            if store.find_coding(coder, code, frag["transcript_id"], a, b) is not None:
                existing += 1
                continue
            add_coding(store, codebook, coder=coder, code=code, fragment_id=fragment_id, span=(start, end),
                       origin=origin)
            created += 1
        if created:
            store.remember_codebook(codebook.hash, codebook.id, ",".join(codebook.files), codebook.to_dict())
        store.set_run_summary(run_id, {"spans": len(unique), "created": created, "existing": existing})
        store.discard_run_if_empty(run_id)
    return BulkCoding(run_id if created else None, code, coder, len(unique), created, existing)


def accept_suggestion(
    store: Store,
    codebook: Codebook,
    suggestion_id: int,
    coder: str,
    *,
    code: str | None = None,
    stance: str | None = None,
    span: tuple[int, int] | None = None,
) -> int:
    """Turn a suggestion into a coding of ``coder`` (optionally with another code, stance or span)."""
    s = store.get("suggestions", {"id": suggestion_id})
    if s is None:
        raise InputError(f"unknown suggestion {suggestion_id}")
    frag = store.fragment(s["fragment_id"])
    assert frag is not None  # callers pass open suggestions; re-ingest orphans those whose turn went away
    rel = span if span is not None else (s["start"] - frag["start"], s["end"] - frag["start"])
    cid = add_coding(
        store,
        codebook,
        coder=coder,
        code=code or s["code"],
        fragment_id=s["fragment_id"],
        span=rel,
        stance=stance if stance is not None else s["stance"],
        origin="suggestion",
        suggestion_id=suggestion_id,
    )
    store.update("suggestions", {"id": suggestion_id}, {"status": "accepted", "decided_by": coder, "decided_at": now()})
    return cid


def reject_suggestion(store: Store, suggestion_id: int, coder: str) -> None:
    if store.get("suggestions", {"id": suggestion_id}) is None:
        raise InputError(f"unknown suggestion {suggestion_id}")
    store.update("suggestions", {"id": suggestion_id}, {"status": "rejected", "decided_by": coder, "decided_at": now()})


def remove_codings(store: Store, *, coder: str, fragment_id: str, codes: Sequence[str] | None = None) -> int:
    """Remove a coder's codings on a fragment (all, or only the given codes). Returns how many."""
    rows = store.query_codings(coders=[coder], fragment_id=fragment_id)
    n = 0
    for r in rows:
        if codes and r["code"] not in codes:
            continue
        store.delete("codings", {"id": r["id"]})
        n += 1
    if n == 0:
        what = f"codes {', '.join(codes)}" if codes else "codings"
        raise InputError(f"coder {coder!r} has no {what} on fragment {fragment_id}")
    return n


def add_memo(store: Store, *, target_kind: str, target_id: str | None, text: str, coder: str | None) -> int:
    if target_kind not in MEMO_TARGETS:
        raise InputError(f"memo target must be one of {', '.join(MEMO_TARGETS)}")
    if not text.strip():
        raise InputError("empty memo")
    return int(
        store.insert(
            "memos",
            {"target_kind": target_kind, "target_id": target_id, "coder": coder, "text": text,
             "created_at": now(), "run_id": store.run_id},
        )
        or 0
    )


def coding_record(row: dict[str, Any]) -> dict[str, Any]:
    """A coding as scripts see it (``qualcode codings --format json``, exchange files)."""
    origin = row["origin"]
    if origin == "suggestion" and row.get("suggestion_id"):
        origin = f"suggestion:{row['suggestion_id']}"
    return {
        "id": row["id"],
        "coder": row["coder"],
        "code": row["code"],
        "fragment": row["fragment_id"],
        "transcript": row["transcript_id"],
        "case": row.get("case_id"),
        "start": row["start"],
        "end": row["end"],
        "text": row["text"],
        "stance": row["stance"],
        "memo": row["memo"],
        "origin": origin,
        "codebook_hash": row["codebook_hash"],
        "status": row["status"],
    }
