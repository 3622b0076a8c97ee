"""The shared Typer app, the global options and error handling.

Bad input raises :class:`qualcode.errors.QualcodeError`; the root group turns it into one line
on stderr and the exit code, never a traceback. Everything a command prints goes through
:mod:`qualcode.cli.printer`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from qualcode.cli import printer
from qualcode.cli.printer import err
from qualcode.config import find_project_root
from qualcode.errors import InputError, QualcodeError
from qualcode.project import Project


class SafeGroup(TyperGroup):
    """Root group: QualcodeError -> message on stderr + exit code; no traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except QualcodeError as exc:
            err(str(exc), style="red")
            raise typer.Exit(exc.exit_code) from None
        except UnicodeDecodeError as exc:  # last line of defence for odd encodings
            err(f"cannot decode input: {exc}", style="red")
            raise typer.Exit(2) from None
        except Exception as exc:  # a bug: say so briefly; QUALCODE_DEBUG=1 shows the traceback
            # Typer/Click's own control flow (exit codes, usage errors, abort) passes through.
            if os.environ.get("QUALCODE_DEBUG") or type(exc).__module__.split(".")[0] in ("typer", "click"):
                raise
            err(f"internal error: {type(exc).__name__}: {exc} (set QUALCODE_DEBUG=1 for details; please report)",
                style="red")
            raise typer.Exit(1) from None

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # keep the order commands were registered in


app = typer.Typer(
    cls=SafeGroup,
    name="qualcode",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


@dataclass
class State:
    """The global options: which project, and whether to keep quiet."""

    project_dir: Path | None = None
    quiet: bool = False


state = State()


@app.callback()
def main_options(
    project: Path = typer.Option(
        None, "--project", "-p", help="Project folder (default: nearest parent with qualcode.toml).", show_default=False
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or chatter on stderr."),
) -> None:
    """qualcode: code interview transcripts from the terminal, compare coders, publish tables.

    A typical session:

      qualcode init mystudy && cd mystudy

      qualcode ingest transcripts/

      qualcode suggest && qualcode review --coder anna

      qualcode agree --coder anna --coder bram

      qualcode export quotes --code logic --out exports/citaten.docx

    Exit codes: 0 ok, 1 a problem was found and reported, 2 bad input (nothing changed).
    """
    state.project_dir = project
    state.quiet = quiet
    printer.settings.quiet = quiet


def open_project() -> Project:
    """Open the project named by --project, or the nearest one above the working folder."""
    return Project.open(state.project_dir)


def find_project() -> Project | None:
    """The project named by --project or found above the working folder; ``None`` outside any
    project (for commands that also work without one, such as ``evaluate --gold`` on texts)."""
    if state.project_dir is not None:
        return Project.open(state.project_dir)
    try:
        root = find_project_root()
    except InputError:
        return None
    return Project.open(root)
