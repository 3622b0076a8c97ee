"""Shared fixtures: small projects written by the tests themselves."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.language.nlp import get_nlp
from qualcode.project import Project
from qualcode.suggest.rules import RuleEngine

GROUP = """\
---
id: T01_g1
date: 2025-03-11
gemeente: Zeedorp
team: Team Een
speakers:
  R1: T01_r1
  R2: T01_r2
---
I: Hoe ziet een werkdag eruit?
R1: [00:00:41] Ik begin met de mail. Daarna bel ik klanten, omdat de wet zegt dat ik moet controleren.
R2: (anderen: ja) Bij mij is dat anders: ik kijk per klant wat past, elke klant is anders.
   Dat is maatwerk.
I: En de targets?
R1: Die targets vind ik onzin, daar heb ik niks aan.
R2: Ik heb gewoon geen tijd voor intervisie, want de caseload is te hoog.
"""

SINGLE = """\
---
date: 2025-04-02
gemeente: Zeedorp
team: Team Twee
---
I: Wat doe je met sancties?
R: Een sanctie gebruik ik als middel om hem wakker te schudden, zodat hij weer gaat bewegen.
I: En als iemand fraude pleegt?
R: Dan houd ik me aan de regels, zo is het beleid.
"""

CODEBOOK = """\
codebook:
  id: test
  title: Test codebook
rules:
  reason_cues: [omdat, want, daarom, zodat]
  negative_evaluation: [onzin, "niks aan"]
  distancing: ["zo is het beleid"]
codes:
  - id: logic
    label: {nl: Logica, en: Logic}
    codable: false
    children:
      - id: bureaucratic
        label: {nl: Bureaucratisch, en: Bureaucratic}
        definition: Regels en wetten als reden.
        indicators:
          - {phrase: "de wet zegt", weight: 0.6}
          - {lemma: controleren, weight: 0.3}
          - {phrase: "regels", weight: 0.3}
          - {phrase: "sanctie*", weight: 0.3, reason: false}
        blockers:
          - {phrase: "als middel", scope: sentence}
      - id: professional
        label: {nl: Professioneel, en: Professional}
        definition: Eigen oordeel over de klant.
        indicators:
          - {phrase: "per klant", weight: 0.6}
          - {phrase: "elke klant is anders", weight: 0.7}
          - {phrase: "maatwerk", weight: 0.5}
          - {phrase: "als middel", weight: 0.6}
      - id: market
        label: {nl: Markt, en: Market}
        definition: Cijfers en targets.
        indicators:
          - {phrase: "target*", weight: 0.5}
        blockers: ["klantmanager*"]
  - id: discretion
    label: {nl: Beslisruimte, en: Discretion}
    codable: false
    children:
      - id: coping
        label: {nl: Coping, en: Coping}
        definition: Afwijken door werkdruk.
        indicators:
          - {pattern: [{LOWER: geen}, {LOWER: tijd}], weight: 0.7, name: geen-tijd}
"""

CASES = "case,functie,caseload:number\nT01_r1,klantmanager,180\nT01_r2,werkcoach,60\nT02_r1,klantmanager,300\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped():
    """The rule engine on the shipped default codebook (one per test module: building it takes a moment)."""
    return RuleEngine(load_codebook(Path(__file__).resolve().parent.parent / "codebooks" / "klantmanager.yaml"),
                      get_nlp())


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """An initialised project with two transcripts and a cases.csv (not yet ingested)."""
    root = tmp_path / "study"
    Project.init(root).close()
    write(root / "codebooks" / "test.yaml", CODEBOOK)
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager.yaml", "codebooks/test.yaml"))
    write(root / "transcripts" / "T01_g1.txt", GROUP)
    write(root / "transcripts" / "T02_r1.txt", SINGLE)
    write(root / "transcripts" / "cases.csv", CASES)
    return root


@pytest.fixture
def project(project_dir: Path):
    p = Project.open(project_dir)
    yield p
    p.close()


@pytest.fixture
def ingested(project):
    project.ingest([project.root / "transcripts"])
    return project


def cli(*args: str, cwd: Path | None = None):
    """Run the qualcode CLI in-process (Typer's runner), optionally from another folder."""
    import os

    from typer.testing import CliRunner

    from qualcode.cli import get_app

    old = Path.cwd()
    if cwd:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(get_app(), list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
