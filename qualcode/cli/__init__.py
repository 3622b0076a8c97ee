"""Command line: ``qualcode``. Each command group lives in its own module under this package."""

from __future__ import annotations


def _register() -> None:
    # Importing a module registers its commands on the shared app.
    from qualcode.cli import project, ingest, anonymise, transcripts, cases, suggest, coding, runs  # noqa: F401
    from qualcode.cli import review  # noqa: F401


def main() -> None:
    """Entry point of the ``qualcode`` script."""
    from qualcode.cli._app import app

    _register()
    app()


def get_app():
    """The Typer app with every command registered (for tests with CliRunner)."""
    from qualcode.cli._app import app

    _register()
    return app
