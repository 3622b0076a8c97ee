"""``qualcode codebook validate``: every problem in a codebook, with file, line and column.

Structural checks happen while loading (:mod:`qualcode.codebook.load`); this module adds the
pattern check of :mod:`qualcode.codebook.patterns`.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.codebook.load import read_codebook, sort_issues
from qualcode.codebook.model import Issue
from qualcode.codebook.patterns import pattern_issues

__all__ = ["Issue", "pattern_issues", "validate_codebook"]


def validate_codebook(path: str | Path) -> list[Issue]:
    """All issues (errors and warnings) in the codebook at ``path``, sorted by place.

    Raises :class:`~qualcode.errors.InputError` when the file cannot be loaded at all (YAML
    syntax error, missing include, include cycle, not a mapping): that is exit 2, not a list.
    """
    cb, issues = read_codebook(path)
    return sort_issues(issues + pattern_issues(cb), cb.files)
