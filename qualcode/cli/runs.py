"""``qualcode runs``: the audit log of bulk steps, and undo."""

from __future__ import annotations

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, info, print_rows

runs_app = typer.Typer(help="The audit log: every bulk step is a run that can be undone.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
def runs_list_cli(fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md.")) -> None:
    """List runs (ingest, suggest, accept-all, import, rename, merge, undo...).

    Example:  qualcode runs list --format json
    """
    with open_project() as project:
        rows = project.run_rows()
    cols = ["id", "kind", "started_at", "user", "status", "undone_by", "changes"]
    print_rows(rows, cols, fmt, title="Runs", json_data=rows)


@runs_app.command("undo")
def runs_undo_cli(run: int = typer.Argument(..., help="Id of the run to undo (see `qualcode runs list`).")) -> None:
    """Undo a whole run. Refused when a later run changed the same rows (undo that one first).

    Example:  qualcode runs undo 3
    """
    with open_project() as project:
        undo_id = project.undo(run)
    info(f"undid run {run} (as run {undo_id})")
