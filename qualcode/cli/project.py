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
    reference_codebook: bool = typer.Option(
        False, "--reference-codebook", help="Point to the shipped codebook instead of copying it into codebooks/."
    ),
) -> None:
    """Make a project: qualcode.toml, transcripts/, codebooks/ (default codebook), exports/, qualcode.db.

    Example:  qualcode init mystudy
    """

    with Project.init(directory, name=name, copy_codebook=not reference_codebook) as project:
        info(f"made project {project.config.name!r} in {project.root}")
        info("next: put transcripts in transcripts/ and run `qualcode ingest transcripts/`")
