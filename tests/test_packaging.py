"""Every subpackage must be listed in pyproject.toml, or a non-editable install would miss it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_all_subpackages_are_declared():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "qualcode").rglob("__init__.py")
    }
    assert found <= declared, f"add to pyproject packages: {sorted(found - declared)}"
    assert "qualcode.codebooks" in declared
