"""``qualcode init``: make a project folder."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import app
from qualcode.cli.printer import info
from qualcode.project import Project


@app.command("init")
def init_cli(
    directory: Path = typer.Argument(..., help="Folder for the new project (created if missing)."),
    name: str = typer.Option(None, "--name", help="Project name (default: the folder name)."),
    codebook: str = typer.Option(
        "klantmanager", "--codebook", "-c",
        help="klantmanager (the shipped codebook and its typology), empty (no codes yet: grow it while "
             "coding), or a YAML codebook file to copy in (with the files it includes).",
    ),
    reference_codebook: bool = typer.Option(
        False, "--reference-codebook", help="Point to the codebook where it is instead of copying it into codebooks/."
    ),
) -> None:
    """Make a project: qualcode.toml, transcripts/, codebooks/, exports/, qualcode.db.

    A codebook file is read first: one that is not a codebook at all is refused and nothing is
    made. Problems that can be fixed later (a code without a definition) are listed after the
    project is made (exit 1); `qualcode codebook validate` lists them again.

    Examples:

      qualcode init mystudy

      qualcode init mystudy --codebook empty

      qualcode init mystudy --codebook ~/codeboeken/armoede.yaml
    """

    with Project.init(directory, name=name, copy_codebook=not reference_codebook, codebook=codebook) as project:
        info(f"made project {project.config.name!r} in {project.root} (codebook {project.config.codebook})")
        info("next: put transcripts in transcripts/ and run `qualcode ingest transcripts/`")
        codes = len(project.codebook())  # a codebook with errors is listed here (exit 1); the project stays
        if not codes:
            info("the codebook has no codes yet: add them with `qualcode codes add`, or press c in `qualcode review`")
