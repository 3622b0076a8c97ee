"""Project settings in ``qualcode.toml`` and finding the project folder.

Why TOML: a researcher edits it by hand and puts it in git; ``tomllib`` is in the standard
library, so reading settings costs no import time.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.errors import InputError

CONFIG_NAME = "qualcode.toml"
DB_NAME = "qualcode.db"
DEFAULT_INTERVIEWER_LABELS = ["I", "INT", "Interviewer", "Onderzoeker", "Interviewster", "Q"]

CONFIG_TEMPLATE = """\
# qualcode project settings. Paths are relative to this file.
[project]
name = "{name}"
language = "nl"
codebook = "{codebook}"
typology = "{typology}"
unit = "turn"                       # default agreement unit: turn | sentence | char | segment
citation = "({{case}}, {{team}})"    # citation label template for quotes; any case attribute in braces

[ingest]
# Speaker labels of interviewers (case-insensitive; a trailing number is allowed: "Interviewer 2").
interviewer_labels = ["I", "INT", "Interviewer", "Onderzoeker", "Interviewster", "Q"]
# CSV with case attributes, keyed by case id in the first column; read on every ingest if present.
attributes = "{attributes}"
# CSV mapping speaker labels to case ids (columns transcript,label,case) for files without front
# matter (Word, Teams, Zoom, Otter); read on every ingest if present. Case "interviewer" marks an interviewer.
speakers = "{speakers}"

[anonymity]
# Names that must not appear in transcripts; each hit is reported on ingest.
people = []
municipalities = []
organisations = []

[spacy]
# Name an installed trained Dutch pipeline (e.g. "nl_core_news_sm") to use it instead of spacy.blank("nl").
model = ""
"""


@dataclass
class Config:
    """Settings of one project, with defaults for every key."""

    root: Path
    name: str = "qualcode-project"
    language: str = "nl"
    codebook: str = "codebooks/klantmanager.yaml"
    typology: str = "codebooks/klantmanager-typology.yaml"
    unit: str = "turn"
    citation: str = "({case}, {team})"
    interviewer_labels: list[str] = field(default_factory=lambda: list(DEFAULT_INTERVIEWER_LABELS))
    attributes: str = ""
    speakers: str = "transcripts/speakers.csv"
    anonymity: dict[str, list[str]] = field(default_factory=dict)
    spacy_model: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def path(self, relative: str) -> Path:
        """Resolve a path from the settings relative to the project root."""
        p = Path(relative)
        return p if p.is_absolute() else self.root / p

    @property
    def codebook_path(self) -> Path:
        return self.path(self.codebook)

    @property
    def typology_path(self) -> Path:
        return self.path(self.typology)


def load_config(root: Path) -> Config:
    """Read ``root/qualcode.toml``; a syntax error is reported with its line."""
    path = root / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no qualcode.toml here", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        msg = str(exc).split(" (at line")[0]
        raise InputError(f"invalid TOML: {msg}", file=path, line=line) from None
    project = raw.get("project", {})
    ingest = raw.get("ingest", {})
    cfg = Config(root=root, raw=raw)
    for key in ("name", "language", "codebook", "typology", "unit", "citation"):
        if key in project:
            setattr(cfg, key, str(project[key]))
    if "interviewer_labels" in ingest:
        labels = ingest["interviewer_labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise InputError("[ingest] interviewer_labels must be a list of strings", file=path)
        cfg.interviewer_labels = labels
    cfg.attributes = str(ingest.get("attributes", ""))
    cfg.speakers = str(ingest.get("speakers", cfg.speakers))
    anon = raw.get("anonymity", {})
    for key in ("people", "municipalities", "organisations"):
        value = anon.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise InputError(f"[anonymity] {key} must be a list of strings", file=path)
        cfg.anonymity[key] = value
    cfg.spacy_model = str(raw.get("spacy", {}).get("model", ""))
    return cfg


def find_project_root(start: Path | None = None) -> Path:
    """Nearest folder at or above ``start`` holding ``qualcode.toml`` (like git finds a repo)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise InputError(
        f"not inside a qualcode project (no {CONFIG_NAME} in {here} or any parent); "
        "run `qualcode init DIR` or pass --project DIR"
    )


def current_user() -> str:
    """Who is running the command, for the audit log (``QUALCODE_USER`` wins)."""
    user = os.environ.get("QUALCODE_USER")
    if user:
        return user
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"
