"""Codebooks: the YAML format (docs/codebook-format.md), validation, rendering, REFI-QDA
exchange, diffs and typologies.

Only the light parts are imported here; spaCy is imported by the pattern check alone and
rich by the tree renderer alone.
"""

from __future__ import annotations

from qualcode.codebook.load import CodebookInvalid, load_codebook, read_codebook
from qualcode.codebook.model import Code, Codebook, Indicator, Issue, Label, RuleSettings, is_under
from qualcode.codebook.validate import validate_codebook

__all__ = [
    "Code",
    "Codebook",
    "CodebookInvalid",
    "Indicator",
    "Issue",
    "Label",
    "RuleSettings",
    "is_under",
    "load_codebook",
    "read_codebook",
    "validate_codebook",
]
