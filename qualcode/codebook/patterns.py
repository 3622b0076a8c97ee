"""The check that needs spaCy: each ``pattern`` indicator or blocker must be valid Matcher syntax.

spaCy is imported inside :func:`pattern_issues` so that loading a codebook stays fast.
"""

from __future__ import annotations

from typing import Any, cast

from qualcode.codebook.model import Codebook, Indicator, Issue


def _all_patterns(cb: Codebook) -> list[tuple[str, Indicator]]:
    out = []
    for code in cb.codes.values():
        for ind in [*code.indicators, *code.blockers]:
            if ind.kind == "pattern":
                out.append((code.id, ind))
    for name in ("negative_evaluation", "distancing"):
        for ind in getattr(cb.rules, name):
            if ind.kind == "pattern":
                out.append((f"rules.{name}", ind))
    return out


def pattern_issues(cb: Codebook) -> list[Issue]:
    """One error per ``pattern`` that spaCy's Matcher (validate=True) rejects."""
    patterns = _all_patterns(cb)
    if not patterns:
        return []
    import spacy
    from spacy.matcher import Matcher

    matcher = Matcher(spacy.blank("nl").vocab, validate=True)
    issues = []
    for n, (owner, ind) in enumerate(patterns):
        try:
            matcher.add(f"p{n}", [cast("list[dict[str, Any]]", ind.value)])  # kind "pattern": a token list
        except Exception as exc:  # spaCy raises MatchPatternError, ValueError, KeyError...
            message = f"invalid spaCy Matcher pattern in {owner}: {_explain(exc)}"
            issues.append(Issue(ind.file, ind.line, ind.column, message))
    return issues


def _explain(exc: Exception) -> str:
    """spaCy's message, shortened: `token 0, LOWR: Extra inputs are not permitted`."""
    text = str(exc)
    details = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- [pattern -> ") and "]" in line:
            where, _, what = line[len("- [pattern -> ") :].partition("]")
            parts = where.split(" -> ")
            place = f"token {parts[0]}" + (f", {parts[1]}" if len(parts) > 1 else "")
            details.append(f"{place}: {what.strip()}")
    if details:
        return "; ".join(details)
    return text.splitlines()[0] if text else type(exc).__name__
