"""Re-anchoring codings when a transcript's text changes.

Why by covered text: offsets mean nothing once a transcript is edited, but the words a coder
marked usually survive. A coding is never moved silently: each result says whether the span
was kept, moved (and among how many candidate places), or could not be placed (orphaned).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    status: str  # "kept" | "moved" | "orphaned"
    start: int
    end: int
    candidates: int = 1  # places in the new text where the covered text occurs


def reanchor(old_text: str, new_text: str, start: int, end: int, covered: str) -> Anchor:
    """Find where ``covered`` (the text at ``old_text[start:end]``) now is in ``new_text``.

    Kept when the same text is still at the same offsets. Otherwise every occurrence of the
    covered text is a candidate and the one whose relative position in the transcript is
    nearest the old one wins; with no occurrence the coding is orphaned.
    """
    if not covered:
        return Anchor("orphaned", start, end, 0)
    if new_text[start:end] == covered:
        return Anchor("kept", start, end)
    hits = _occurrences(new_text, covered)
    if not hits:
        return Anchor("orphaned", start, end, 0)
    # Compare positions relative to the text length, so text inserted earlier does not mislead.
    target = start / max(len(old_text), 1) * len(new_text)
    best = min(hits, key=lambda h: abs(h - target))
    return Anchor("moved", best, best + len(covered), len(hits))


def _occurrences(text: str, needle: str) -> list[int]:
    out: list[int] = []
    i = text.find(needle)
    while i != -1:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def fragment_at(starts: list[int], ids: list[str], offset: int) -> str | None:
    """Id of the fragment whose span starts at or before ``offset`` (fragments sorted by start)."""
    i = bisect.bisect_right(starts, offset) - 1
    return ids[i] if i >= 0 else None
