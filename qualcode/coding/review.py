"""The review session: going through respondent turns one by one, deciding on suggestions.

Why a plain state machine: the terminal screen (``qualcode/cli/review.py``) only turns keys into
calls on :class:`ReviewSession` and draws :class:`FragmentView`; everything that changes data
lives here, so it is tested without a terminal and a notebook could drive it too.

Each decision (accept, reject, add a code, set a stance, narrow, memo, make a new code) is its
own small run (kind ``review``), committed at once: a crash loses nothing, ``undo_last`` undoes
the session's last decision through the same journal as ``qualcode runs undo``.

In-vivo coding: :meth:`ReviewSession.create_code` adds a code to the codebook YAML and codes the
turn (or the chosen words) with it in one run, with those words as the code's first example;
the session carries on with the new codebook, so the code can be used at once. The position is a bookmark
(``review_positions``, not journaled) written after every move, so a new session resumes there.

Performance: the queue (fragment ids only) is read once; everything shown for a fragment is
read with a few indexed queries when the coder arrives there, never whole tables per key.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.codebook.edit import ID_RE, NewCode, new_code_id, plan_add
from qualcode.codebook.load import load_codebook
from qualcode.codebook.model import Codebook, slugify
from qualcode.coding.apply import STANCES, accept_suggestion, add_coding, add_memo, check_stance, reject_suggestion
from qualcode.coding.recode import apply_codebook_edit
from qualcode.errors import InputError
from qualcode.store import Store

# An example quote longer than this many words is cut (with "(...)") when it becomes a code's example.
EXAMPLE_WORDS = 60

# One-letter stances (the screen's ``s`` key): e/r/d/b.
STANCE_KEYS = {"e": "endorses", "r": "rejects", "d": "distances", "b": "describes"}
assert set(STANCE_KEYS.values()) == set(STANCES)


def parse_stance(value: str | None) -> str | None:
    """``e``/``r``/``d``/``b``, a full stance word, or empty/``-`` to clear (None)."""
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("", "-", "none"):
        return None
    if v in STANCE_KEYS:
        return STANCE_KEYS[v]
    return check_stance(v)


# -- what the screen shows -------------------------------------------------------------------
@dataclass(frozen=True)
class CodeInfo:
    """A code as a coder needs it while deciding: label and the codebook's guidance."""

    id: str
    label: str
    label_en: str
    definition: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One indicator hit; ``start``/``end`` are offsets in the fragment text (None if unknown)."""

    indicator: str
    words: str
    start: int | None
    end: int | None
    weight: float | None = None
    reason_cue: str | None = None


@dataclass(frozen=True)
class SuggestionView:
    id: int
    number: int  # 1-based position on the screen (the key that accepts it)
    code: str
    label: str
    score: float
    engine: str
    stance: str | None
    start: int  # relative to the fragment text
    end: int
    evidence: tuple[Evidence, ...]
    info: CodeInfo


@dataclass(frozen=True)
class CodingView:
    id: int
    coder: str
    code: str
    label: str
    start: int  # relative to the fragment text
    end: int
    text: str
    stance: str | None
    memo: str | None
    origin: str
    whole: bool  # covers the whole turn


@dataclass(frozen=True)
class Turn:
    id: str
    speaker: str
    text: str
    interviewer: bool


@dataclass(frozen=True)
class FragmentView:
    """Everything the screen shows for one respondent turn."""

    id: str
    transcript: str
    n: int
    position: int  # 1-based place in the queue
    total: int
    case: str | None
    speaker: str
    text: str
    previous: Turn | None
    suggestions: tuple[SuggestionView, ...]
    codings: tuple[CodingView, ...]  # this coder's
    other_codings: tuple[CodingView, ...]  # other coders' (always empty when blind)
    memos: tuple[str, ...]
    blind: bool

    def highlights(self) -> list[tuple[int, int]]:
        """Merged, sorted evidence spans (fragment offsets) of the open suggestions."""
        spans = sorted(
            (e.start, e.end) for s in self.suggestions for e in s.evidence if e.start is not None and e.end is not None
        )
        merged: list[tuple[int, int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        return merged


@dataclass(frozen=True)
class CodeHit:
    """A search_codes result: higher ``rank`` first (tier*1000 + fuzzy score)."""

    id: str
    label: str
    rank: float


@dataclass(frozen=True)
class CodebookFile:
    """Where the session's codebook is written, so a code made while reviewing lands there
    (the project's codebook file, its folder, and its typology, which a new code leaves alone)."""

    path: Path
    root: Path
    typology: Path | None = None


@dataclass(frozen=True)
class NewCodePlan:
    """What :meth:`ReviewSession.create_code` would make: shown before the coder confirms."""

    id: str
    label: str
    quote: str | None  # the words to code (None: the whole turn)


@dataclass(frozen=True)
class Decision:
    run_id: int
    fragment: str
    action: str
    detail: str


# -- code search ---------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower case, accents off, separators (``._-``) as spaces: "Cliëntgericht" -> "clientgericht"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[._\-/()]+", " ", folded).split())


@dataclass
class _Entry:
    id: str
    label: str
    fields: list[str]  # folded: id, last segment, nl label, en label
    words: list[str]
    order: int


class CodeIndex:
    """Fuzzy search over codable codes' ids and labels (every code's with ``codable_only=False``:
    a new code may go under a grouping code).

    Ranking: exact match of an id, segment or label > a field starting with the query >
    every query word starting a word of the code > every query word inside the code > a
    fuzzy (rapidfuzz WRatio) match; ties by fuzzy score, then shallower codes, then tree order.
    """

    def __init__(self, codebook: Codebook, lang: str = "nl", *, codable_only: bool = True) -> None:
        self.entries: list[_Entry] = []
        for order, code in enumerate(codebook.codes.values()):
            if codable_only and not code.codable:
                continue
            fields = [_fold(code.id), _fold(code.segment), _fold(code.label.nl), _fold(code.label.en)]
            fields = [f for f in fields if f]
            words = sorted({w for f in fields for w in f.split()})
            self.entries.append(_Entry(code.id, code.label.get(lang), fields, words, order))

    def search(self, query: str, limit: int = 8) -> list[CodeHit]:
        from rapidfuzz import fuzz

        q = _fold(query)
        if not q:
            return []
        tokens = q.split()
        scored = []
        for e in self.entries:
            fuzzy = max(fuzz.WRatio(q, f) for f in e.fields)
            if any(f == q for f in e.fields):
                tier = 5
            elif any(f.startswith(q) for f in e.fields):
                tier = 4
            elif all(any(w.startswith(t) for w in e.words) for t in tokens):
                tier = 3
            elif all(any(t in f for f in e.fields) for t in tokens):
                tier = 2
            elif fuzzy >= 70:
                tier = 1
            else:
                continue
            scored.append((-(tier * 1000 + fuzzy), e.id.count("."), e.order, e))
        scored.sort(key=lambda x: x[:3])
        return [CodeHit(e.id, e.label, -neg) for neg, _, _, e in scored[:limit]]


def _short_slug(name: str, limit: int = 40) -> str:
    """An id segment from a name, at most ``limit`` characters, cut between words: an in-vivo name
    may be a whole phrase ("je moet ze een beetje achter de broek zitten")."""
    slug = slugify(name)
    if len(slug) <= limit:
        return slug
    cut = slug[:limit + 1].rsplit("_", 1)[0]
    return cut if len(cut) >= limit // 2 else slug[:limit].rstrip("_")


# -- the session ---------------------------------------------------------------------------
class ReviewSession:
    """One coder going through the respondent turns of some transcripts (or all).

    Moves: :meth:`next`, :meth:`prev`, :meth:`skip`, :meth:`jump`, :meth:`quit`. Decisions,
    each saved at once as a run: :meth:`accept`, :meth:`reject`, :meth:`add_code`,
    :meth:`set_stance`, :meth:`narrow`, :meth:`memo`; :meth:`undo_last` undoes the last one.
    ``blind=True`` (a second coder) shows no suggestions and no other coders' codings, and
    refuses to accept or reject suggestions.
    """

    def __init__(
        self,
        store: Store,
        codebook: Codebook,
        coder: str,
        transcripts: Sequence[str] | None = None,
        blind: bool = False,
        min_score: float = 0.0,
        engine: str | None = None,
        *,
        user: str,
        lang: str = "nl",
        codebook_file: CodebookFile | None = None,
        on_codebook_change: Callable[[], None] | None = None,
    ) -> None:
        coder = (coder or "").strip()
        if not coder:
            raise InputError("give a coder name (--coder NAME)")
        self.store = store
        self.user = user
        self.coder = coder
        self.blind = blind
        self.min_score = min_score
        self.engine = engine
        self.codebook = codebook
        self.lang = lang or "nl"
        selected = list(dict.fromkeys(transcripts or []))
        for t in selected:
            if self.store.transcript(t) is None:
                raise InputError(f"unknown transcript {t!r}; see `qualcode transcripts list`")
        self.transcripts = selected or None
        self.scope = ",".join(sorted(selected)) if selected else "all"
        self._queue = self.store.review_queue(selected or None)
        if not self._queue:
            what = "these transcripts have" if selected else "the project has"
            raise InputError(f"nothing to review: {what} no respondent turns; run `qualcode ingest` first")
        self._index = {fid: i for i, fid in enumerate(self._queue)}
        saved = self.store.review_position(coder, self.scope)
        self._pos = self._index.get(saved, 0) if saved else 0
        self.resumed = saved is not None and saved in self._index
        self.decisions: list[Decision] = []
        self.at_end = False  # set when next() is asked for past the last turn
        self._view: FragmentView | None = None
        self._text: tuple[str, str] | None = None  # (transcript id, canonical text) of the last one read
        self._infos: dict[str, CodeInfo] = {}
        self._code_index: CodeIndex | None = None
        self._parent_index: CodeIndex | None = None
        self.codebook_file = codebook_file
        self._on_codebook_change = on_codebook_change
        self._last_coding: dict[str, int] = {}  # fragment -> coding id touched last in this session
        self.finished = False

    # -- where we are ---------------------------------------------------------------------
    @property
    def position(self) -> int:
        """0-based index in the queue."""
        return self._pos

    @property
    def total(self) -> int:
        return len(self._queue)

    @property
    def fragment_id(self) -> str:
        return self._queue[self._pos]

    @property
    def queue(self) -> list[str]:
        return list(self._queue)

    def view(self) -> FragmentView:
        """The current fragment as the screen shows it (read once per arrival or change)."""
        if self._view is None:
            self._view = self._load(self.fragment_id)
        return self._view

    def refresh(self) -> FragmentView:
        self._view = None
        return self.view()

    def open_suggestions_left(self) -> int:
        """Open suggestions left in the reviewed transcripts (0 when blind: none are shown)."""
        if self.blind:
            return 0
        return self.store.count_open_suggestions(self.transcripts, min_score=self.min_score, engine=self.engine)

    # -- moves ----------------------------------------------------------------------------
    def _move(self, i: int) -> None:
        self._pos = i
        self._view = None
        self.store.set_review_position(self.coder, self.scope, self._queue[i])

    def next(self) -> bool:
        """Go to the next turn; False (and ``at_end``) when this is the last one."""
        if self._pos + 1 >= len(self._queue):
            self.at_end = True
            self.store.set_review_position(self.coder, self.scope, self.fragment_id)
            return False
        self.at_end = False
        self._move(self._pos + 1)
        return True

    def skip(self) -> bool:
        """Leave this turn's suggestions open and go on."""
        return self.next()

    def prev(self) -> bool:
        self.at_end = False
        if self._pos == 0:
            return False
        self._move(self._pos - 1)
        return True

    def jump(self, fragment_id: str) -> str:
        """Go to a fragment: a full id, or ``n`` for turn n of the current transcript.

        An interviewer turn lands on the respondent turn after it (interviewer turns are context).
        """
        target = fragment_id.strip()
        if target.isdigit():
            target = f"{self.view().transcript}:{target}"
        if target not in self._index:
            frag = self.store.fragment(target)
            if frag is None:
                raise InputError(f"unknown fragment {target!r}; fragment ids look like <transcript>:<n>")
            if self.transcripts and frag["transcript_id"] not in self.transcripts:
                raise InputError(f"fragment {target} is not in the transcripts under review")
            after = self.store.next_respondent_fragment(frag["transcript_id"], frag["n"])
            if after is None or after not in self._index:
                raise InputError(f"fragment {target} is an interviewer turn with no respondent turn after it")
            target = after
        self.at_end = False
        self._move(self._index[target])
        return target

    def quit(self) -> None:
        """Save the position; the next session for this coder and scope starts here."""
        self.store.set_review_position(self.coder, self.scope, self.fragment_id)
        self.finished = True

    # -- decisions ------------------------------------------------------------------------
    def _decide(self, action: str, detail: str, params: dict[str, Any], fn) -> Any:
        """Run ``fn`` as its own review run (one transaction), and remember it for undo_last."""
        cb = self.codebook
        fid = self.fragment_id
        run_params = {"coder": self.coder, "action": action, "fragment": fid, **params}
        with self.store.run("review", self.user, run_params, cb.hash) as run_id:
            if self.store.get("codebooks", {"hash": cb.hash}) is None:
                self.store.remember_codebook(cb.hash, cb.id, ",".join(cb.files), cb.to_dict())
            result = fn()
        self.decisions.append(Decision(run_id, fid, action, detail))
        self._view = None
        return result

    def _suggestion(self, s: SuggestionView | int | None) -> dict[str, Any]:
        if self.blind:
            raise InputError("blind review: suggestions are hidden, so they cannot be accepted or rejected")
        if s is None:
            open_ = self.view().suggestions
            if not open_:
                raise InputError("no open suggestions on this turn")
            s = open_[0]
        sid = s.id if isinstance(s, SuggestionView) else int(s)
        row = self.store.get("suggestions", {"id": sid})
        if row is None:
            raise InputError(f"unknown suggestion {sid}")
        if row["status"] != "open":
            raise InputError(f"suggestion {sid} ({row['code']}) is already {row['status']}")
        return row

    def suggestion_at(self, number: int) -> SuggestionView:
        """The open suggestion shown as ``number`` (1-based) on the current turn."""
        sugg = self.view().suggestions
        if not 1 <= number <= len(sugg):
            raise InputError(f"no suggestion {number} on this turn" + (f" (1-{len(sugg)})" if sugg else ""))
        return sugg[number - 1]

    def accept(self, suggestion: SuggestionView | int | None = None, *, stance: str | None = None) -> int:
        """Accept a suggestion (default: the first open one) as this coder's coding; returns its id."""
        row = self._suggestion(suggestion)
        st = parse_stance(stance) if stance else None

        def do() -> int:
            return accept_suggestion(self.store, self.codebook, row["id"], self.coder, stance=st)

        cid = self._decide("accept", f"accepted {row['code']}", {"suggestion": row["id"], "code": row["code"]}, do)
        self._last_coding[self.fragment_id] = cid
        return cid

    def reject(self, suggestion: SuggestionView | int | None = None) -> int:
        """Reject a suggestion (default: the first open one); returns its id."""
        row = self._suggestion(suggestion)
        self._decide(
            "reject", f"rejected {row['code']}", {"suggestion": row["id"], "code": row["code"]},
            lambda: reject_suggestion(self.store, row["id"], self.coder),
        )
        return int(row["id"])

    def add_code(
        self,
        code: str,
        stance: str | None = None,
        span: tuple[int, int] | None = None,
        *,
        quote: str | None = None,
        memo: str | None = None,
    ) -> int:
        """Apply ``code`` (an exact id; see :meth:`search_codes`) to the turn or part of it."""
        st = parse_stance(stance)
        fid = self.fragment_id

        def do() -> int:
            return add_coding(self.store, self.codebook, coder=self.coder, code=code, fragment_id=fid, quote=quote,
                              span=span, stance=st, memo=memo)

        cid = self._decide("add", f"coded {code}", {"code": code, "span": list(span) if span else None}, do)
        self._last_coding[fid] = cid
        return cid

    def last_coding(self) -> CodingView | None:
        """The coding ``s`` and ``n`` act on: the one touched last here, else the newest on this turn."""
        codings = self.view().codings
        if not codings:
            return None
        last = self._last_coding.get(self.fragment_id)
        for c in codings:
            if c.id == last:
                return c
        return max(codings, key=lambda c: c.id)

    def _own_coding(self, coding: CodingView | int | None) -> dict[str, Any]:
        if coding is None:
            c = self.last_coding()
            if c is None:
                raise InputError("no coding of yours on this turn yet")
            coding = c
        cid = coding.id if isinstance(coding, CodingView) else int(coding)
        row = self.store.get("codings", {"id": cid})
        if row is None or row["status"] != "active":
            raise InputError(f"unknown coding {cid}")
        if row["coder"] != self.coder:
            raise InputError(f"coding {cid} belongs to {row['coder']}, not {self.coder}")
        return row

    def set_stance(self, coding: CodingView | int | None, stance: str | None) -> int:
        """Set (or with None/"-" clear) the stance of one of this coder's codings."""
        row = self._own_coding(coding)
        st = parse_stance(stance)
        self._decide(
            "stance", f"stance {st or 'cleared'} on {row['code']}", {"coding": row["id"], "stance": st},
            lambda: self.store.update("codings", {"id": row["id"]}, {"stance": st}),
        )
        self._last_coding[self.fragment_id] = row["id"]
        return int(row["id"])

    def narrow(self, target: CodingView | SuggestionView | int | None, start: int, end: int) -> int:
        """Narrow a coding (or accept a suggestion with) the span ``[start, end)`` of the turn's text.

        ``target``: a coding of this coder (view or id; None: :meth:`last_coding`), or a
        suggestion, which is then accepted with that span. Returns the coding id.
        """
        if isinstance(target, SuggestionView):
            row = self._suggestion(target)
            self._check_span(row["fragment_id"], start, end)

            def accept() -> int:
                return accept_suggestion(self.store, self.codebook, row["id"], self.coder, span=(start, end))

            cid = self._decide("narrow", f"accepted {row['code']} (narrowed)",
                               {"suggestion": row["id"], "span": [start, end]}, accept)
            self._last_coding[self.fragment_id] = cid
            return cid
        row = self._own_coding(target)
        frag, text = self._check_span(row["fragment_id"], start, end)
        a, b = frag["start"] + start, frag["start"] + end
        dup = self.store.find_coding(row["coder"], row["code"], row["transcript_id"], a, b)
        if dup is not None and dup != row["id"]:
            raise InputError(f"you already coded exactly that text with {row['code']} (coding {dup})")
        self._decide(
            "narrow", f"narrowed {row['code']}", {"coding": row["id"], "span": [start, end]},
            lambda: self.store.update("codings", {"id": row["id"]}, {"start": a, "end": b, "text": text[start:end]}),
        )
        self._last_coding[self.fragment_id] = row["id"]
        return int(row["id"])

    def narrow_quote(self, target: CodingView | SuggestionView | int | None, quote: str) -> int:
        """:meth:`narrow` to the first occurrence of ``quote`` in the turn's text."""
        text = self.view().text
        q = quote.strip()
        i = text.find(q) if q else -1
        if i < 0:
            raise InputError(f"{quote!r} does not occur in this turn")
        return self.narrow(target, i, i + len(q))

    def _check_span(self, fragment_id: str, start: int, end: int) -> tuple[dict[str, Any], str]:
        frag = self.store.fragment(fragment_id)
        assert frag is not None  # the fragment of an active coding or open suggestion
        text = self._transcript_text(frag["transcript_id"])[frag["start"] : frag["end"]]
        if not (0 <= start < end <= len(text)):
            raise InputError(f"span {start}:{end} is outside the turn (its text has {len(text)} characters)")
        return frag, text

    def memo(self, text: str) -> int:
        """A memo on the current turn, by this coder."""
        fid = self.fragment_id
        if not text.strip():
            raise InputError("empty memo")
        return self._decide(
            "memo", "memo added", {},
            lambda: add_memo(self.store, target_kind="fragment", target_id=fid, text=text.strip(), coder=self.coder),
        )

    def undo_last(self) -> Decision:
        """Undo this session's last decision (its run) and go back to the turn it was made on."""
        if not self.decisions:
            raise InputError("nothing to undo in this session")
        d = self.decisions[-1]
        self.store.undo_run(d.run_id, self.user)
        self.decisions.pop()
        if d.action == "new-code" and self.codebook_file is not None:
            self._use_codebook(load_codebook(self.codebook_file.path))  # the undo restored the file
        self._last_coding.pop(d.fragment, None)
        if d.fragment in self._index:
            self.at_end = False
            self._move(self._index[d.fragment])
        self._view = None
        return d

    # -- codes ----------------------------------------------------------------------------
    def search_codes(self, query: str, limit: int = 8) -> list[CodeHit]:
        """Fuzzy search over codable codes' ids and nl/en labels, best first."""
        if self._code_index is None:
            self._code_index = CodeIndex(self.codebook, self.lang)
        return self._code_index.search(query, limit)

    def resolve_code(self, text: str, hits: Sequence[CodeHit] | None = None) -> str:
        """What the screen's code prompt means: an exact id, ``N`` (the Nth of ``hits``),
        ``QUERY N`` (the Nth hit for QUERY) or ``QUERY`` (its top hit)."""
        t = text.strip()
        if not t:
            raise InputError("type part of a code id or label")
        return self._pick_code(t, hits, self.search_codes)

    def _pick_code(self, t: str, hits: Sequence[CodeHit] | None, search: Callable[[str], list[CodeHit]],
                   hint: str = "") -> str:
        """An exact id, ``N`` (the Nth of ``hits``), ``QUERY N`` or ``QUERY``, found with ``search``."""
        if t in self.codebook.codes:
            return t
        if t.isdigit() and hits:
            n = int(t)
            if not 1 <= n <= len(hits):
                raise InputError(f"no code {n} in the list")
            return hits[n - 1].id
        m = re.fullmatch(r"(.*\S)\s+(\d)", t)
        query, n = (m.group(1), int(m.group(2))) if m else (t, 1)
        found = search(query)
        if not found:
            raise InputError(f"no code matches {query!r}{hint}")
        if not 1 <= n <= len(found):
            raise InputError(f"only {len(found)} code(s) match {query!r}")
        return found[n - 1].id

    # -- new codes while coding (in-vivo coding) ------------------------------------------
    def search_parents(self, query: str, limit: int = 8) -> list[CodeHit]:
        """Fuzzy search over every code (grouping codes too): where a new code may go."""
        if self._parent_index is None:
            self._parent_index = CodeIndex(self.codebook, self.lang, codable_only=False)
        return self._parent_index.search(query, limit)

    def resolve_parent(self, text: str | None, hits: Sequence[CodeHit] | None = None) -> str | None:
        """The parent prompt's answer: empty or ``-`` for the top level, else as :meth:`resolve_code`
        over every code (an exact id, ``N`` of ``hits``, ``QUERY N`` or ``QUERY``)."""
        t = (text or "").strip()
        if t in ("", "-"):
            return None
        return self._pick_code(t, hits, self.search_parents, " (Enter alone puts the new code at the top level)")

    def plan_new_code(self, name: str, parent: str | None = None, words: str | None = None) -> NewCodePlan:
        """The id, label and words of a code named ``name`` (what the coder typed: a label such as
        "Achter de broek zitten", or an id such as ``zelfredzaamheid`` or ``logic.street``) under
        ``parent``. ``words``: the words of the turn to code; None: ``name`` itself when the turn
        says it (in-vivo: the respondent's own words), else the whole turn."""
        raw = " ".join(name.split())
        if not any(ch.isalnum() for ch in raw):
            raise InputError("type a name for the new code (letters or digits)")
        if ID_RE.match(raw):  # typed as an id
            code_id = new_code_id(raw, parent)
            segment = code_id.rsplit(".", 1)[-1]
            label = segment.replace("_", " ").capitalize()
        else:
            code_id = new_code_id(_short_slug(raw), parent)
            label = raw[:1].upper() + raw[1:]
        if code_id in self.codebook.codes:
            raise InputError(f"there is already a code {code_id} ({self.codebook.label_of(code_id, self.lang)}); "
                             f"code with it: c {code_id}")
        text = self.view().text
        if words is not None and words.strip():
            quote = self._find_words(text, words.strip())
            if quote is None:
                raise InputError(f"{words.strip()!r} does not occur in this turn")
        else:
            quote = self._find_words(text, raw)  # None: the whole turn
        return NewCodePlan(code_id, label, quote)

    @staticmethod
    def _find_words(text: str, words: str) -> str | None:
        """``words`` as written in ``text`` (case and spacing of the turn), or None."""
        pattern = r"\s+".join(re.escape(w) for w in words.split())
        m = re.search(pattern, text, re.IGNORECASE) if pattern else None
        return m.group(0) if m else None

    def create_code(self, name: str, parent: str | None = None, *, words: str | None = None,
                    definition: str | None = None, label_en: str | None = None) -> int:
        """Make a new code and code this turn with it, in ONE run (``u`` takes back both): the code
        goes into the codebook YAML under ``parent`` (see :meth:`plan_new_code` for its id, label
        and the words coded), with the coded words as its first example (cut at
        :data:`EXAMPLE_WORDS` words). Without a ``definition`` it gets one that says it still
        needs one, so `codebook validate` keeps passing and the coder can find it later. The
        session goes on with the new codebook. Returns the coding id."""
        if self.codebook_file is None:
            raise InputError("this review session cannot change the codebook (no codebook file)")
        plan = self.plan_new_code(name, parent, words)
        fid = self.fragment_id
        example = plan.quote if plan.quote is not None else self.view().text
        cut = example.split()
        example = " ".join(cut[:EXAMPLE_WORDS]) + (" (...)" if len(cut) > EXAMPLE_WORDS else "")
        text = (definition or "").strip() or f"TODO: define this in-vivo code (made while coding {fid})."
        new = NewCode(plan.id, plan.label, label_en or "", text, [example])
        edit = plan_add(load_codebook(self.codebook_file.path), new, root=self.codebook_file.root)
        where = self.codebook_file

        def do() -> int:
            apply_codebook_edit(self.store, edit, root=where.root, user=self.user)
            return add_coding(self.store, edit.after, coder=self.coder, code=plan.id, fragment_id=fid,
                              quote=plan.quote)

        cid = self._decide("new-code", f"new code {plan.id}", {"code": plan.id, "quote": plan.quote}, do)
        self._use_codebook(edit.after)
        self._last_coding[fid] = cid
        return cid

    def _use_codebook(self, codebook: Codebook) -> None:
        """Go on with ``codebook`` (after a new code, or an undo that took one back)."""
        self.codebook = codebook
        self._code_index = self._parent_index = None
        self._infos = {}
        self._view = None
        if self._on_codebook_change is not None:
            self._on_codebook_change()

    def code_info(self, code_id: str) -> CodeInfo:
        info = self._infos.get(code_id)
        if info is None:
            c = self.codebook.codes.get(code_id)
            if c is None:
                info = CodeInfo(code_id, code_id, code_id)
            else:
                info = CodeInfo(c.id, c.label.get(self.lang), c.label.get("en"), c.definition, tuple(c.include),
                                tuple(c.exclude), tuple(c.examples))
            self._infos[code_id] = info
        return info

    # -- loading one fragment -------------------------------------------------------------
    def _transcript_text(self, transcript_id: str) -> str:
        if self._text is None or self._text[0] != transcript_id:
            self._text = (transcript_id, self.store.transcript_text(transcript_id))
        return self._text[1]

    def _load(self, fragment_id: str) -> FragmentView:
        st = self.store
        frag = st.fragment(fragment_id)
        if frag is None:  # re-ingested under our feet
            raise InputError(f"fragment {fragment_id} no longer exists; restart the review")
        full = self._transcript_text(frag["transcript_id"])
        base, text = frag["start"], full[frag["start"] : frag["end"]]
        previous = None
        if frag["n"] > 1:
            p = st.fragment_at(frag["transcript_id"], frag["n"] - 1)
            if p is not None:
                previous = Turn(p["id"], p["speaker"], full[p["start"] : p["end"]], bool(p["is_interviewer"]))
        suggestions: list[SuggestionView] = []
        if not self.blind:
            rows = st.query_suggestions(status="open", fragment_id=fragment_id, engine=self.engine,
                                        min_score=self.min_score or None)
            for i, r in enumerate(rows, start=1):
                suggestions.append(self._suggestion_view(r, i, base, text))
        mine: list[CodingView] = []
        others: list[CodingView] = []
        for r in st.fragment_codings(frag["transcript_id"], fragment_id, None if not self.blind else self.coder):
            view = CodingView(
                id=r["id"], coder=r["coder"], code=r["code"], label=self.code_info(r["code"]).label,
                start=r["start"] - base, end=r["end"] - base, text=r["text"], stance=r["stance"], memo=r["memo"],
                origin=r["origin"], whole=(r["start"] == frag["start"] and r["end"] == frag["end"]),
            )
            (mine if r["coder"] == self.coder else others).append(view)
        memos = [m["text"] for m in st.query_memos("fragment", fragment_id)
                 if not self.blind or m["coder"] in (None, self.coder)]
        return FragmentView(
            id=fragment_id, transcript=frag["transcript_id"], n=frag["n"], position=self._pos + 1,
            total=len(self._queue), case=frag["case_id"], speaker=frag["speaker"], text=text, previous=previous,
            suggestions=tuple(suggestions), codings=tuple(mine), other_codings=tuple(others), memos=tuple(memos),
            blind=self.blind,
        )

    def _suggestion_view(self, r: dict[str, Any], number: int, base: int, text: str) -> SuggestionView:
        raw = r["evidence"]
        items = json.loads(raw) if isinstance(raw, str) else (raw or [])
        evidence = []
        for e in items:
            if not isinstance(e, dict) or "words" not in e:
                continue
            s, t = e.get("start"), e.get("end")
            words = str(e.get("words", ""))
            if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t <= len(text) and text[s:t] == words):
                i = text.find(words) if words else -1  # offsets stale (text changed): find the words again
                s, t = (i, i + len(words)) if i >= 0 else (None, None)
            evidence.append(Evidence(str(e.get("indicator", "")), words, s, t, e.get("weight"), e.get("reason_cue")))
        return SuggestionView(
            id=r["id"], number=number, code=r["code"], label=self.code_info(r["code"]).label, score=float(r["score"]),
            engine=r["engine"], stance=r["stance"], start=max(0, r["start"] - base),
            end=min(len(text), r["end"] - base), evidence=tuple(evidence), info=self.code_info(r["code"]),
        )
