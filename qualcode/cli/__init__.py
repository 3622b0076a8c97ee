"""Command line: ``qualcode``. Each command group lives in its own module under this package."""

from __future__ import annotations


def _register() -> None:
    # Importing a module registers its commands on the shared app.
    from qualcode.cli import project, ingest, anonymise, transcripts, cases, suggest, coding, runs  # noqa: F401
    from qualcode.cli import review  # noqa: F401
    from qualcode.cli import codebook, codes  # noqa: F401  (codebook ..., codes rename|merge|move)
    from qualcode.cli import matrix  # noqa: F401  (matrix, cooccur)
    from qualcode.cli import report  # noqa: F401  (report)
    from qualcode.cli import typology, table  # noqa: F401  (typology, table NAME)
    from qualcode.cli import agreement, exchange  # noqa: F401  (agree, disagreements, consensus; export/import groups)
    from qualcode.cli import qdpx  # noqa: F401  (export qdpx, import qdpx)
    from qualcode.cli import quotes  # noqa: F401  (export quotes)
    from qualcode.cli import model  # noqa: F401  (train, evaluate)


def main() -> None:
    """Entry point of the ``qualcode`` script."""
    from qualcode.cli.app import app

    _register()
    app()


def get_app():
    """The Typer app with every command registered (for tests with CliRunner)."""
    from qualcode.cli.app import app

    _register()
    return app
