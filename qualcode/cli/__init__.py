"""Command line: ``qualcode``. Each command group lives in its own module under this package.

Importing a command module registers its commands on the shared app (:mod:`qualcode.cli.app`),
in the order below, which is the order ``qualcode --help`` lists them.
"""

from __future__ import annotations

import typer

from qualcode.cli import (  # noqa: F401  (imported to register their commands)
    project,
    ingest,
    anonymise,
    anonymity,
    transcripts,
    cases,
    suggest,
    coding,
    runs,
    review,
    codebook,
    codes,
    explore,
    matrix,
    report,
    typology,
    table,
    agreement,
    exchange,
    qdpx,
    highlights,
    quotes,
    model,
)
from qualcode.cli.app import app


def main() -> None:
    """Entry point of the ``qualcode`` script."""
    app()


def get_app() -> typer.Typer:
    """The Typer app with every command registered (for tests with CliRunner)."""
    return app
