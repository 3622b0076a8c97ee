"""The shared Typer app, global options, error handling and output rendering.

Why here: every command prints through the same functions, so formats (table, json, csv, md)
and tone are the same everywhere, JSON goes alone to stdout, and messages go to stderr.
Bad input raises :class:`qualcode.errors.QualcodeError`; the root group turns it into one
line on stderr and the exit code, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import typer
from typer.core import TyperGroup

from qualcode.errors import QualcodeError
from qualcode.errors import InputError
from qualcode.export.table import Table
from qualcode.export.table import cell_text
from qualcode.export.write import render_text, write_tables
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
            import os

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


def open_project():
    """Open the project named by --project, or the nearest one above the working folder."""

    return Project.open(state.project_dir)


# -- printing ------------------------------------------------------------------------------
_stderr_console = None
_stdout_console = None


def stderr_console():
    global _stderr_console
    if _stderr_console is None:
        from rich.console import Console

        _stderr_console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _stderr_console


def stdout_console():
    global _stdout_console
    if _stdout_console is None:
        from rich.console import Console

        # Off a terminal (pipes, make, CI) rich would assume 80 columns and fold every table;
        # tables only grow as wide as their content, so allow wide lines there.
        width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "0") or 0) or 200
        _stdout_console = Console(highlight=False, soft_wrap=False, width=width)
    return _stdout_console


def err(message: str, style: str | None = None) -> None:
    """A message for the person at the terminal (stderr)."""
    if style:
        stderr_console().print(message, style=style, markup=False)
    else:
        stderr_console().print(message, markup=False)


def info(message: str) -> None:
    if not state.quiet:
        err(message)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    tex = "tex"
    xlsx = "xlsx"
    docx = "docx"


def json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    if hasattr(value, "__dict__"):
        return value.__dict__
    return str(value)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_default)


def _cell(value: Any) -> str:
    """One way to print a value in every table (shared with the publication writers)."""

    return cell_text(value)


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def rows_to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(esc(_cell(r.get(c))) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: Format | str,
    *,
    out: Path | None = None,
    title: str | None = None,
    json_data: Any = None,
) -> None:
    """Print or write a table in the requested format.

    ``json_data`` overrides what JSON holds (defaults to ``rows``) so JSON can keep nested
    values (lists, attribute maps) that the flat formats render as text.
    """
    fmt = Format(fmt) if not isinstance(fmt, Format) else fmt
    if out is not None and fmt == Format.table:
        fmt = _format_from_suffix(out)
    if fmt in (Format.tex, Format.xlsx, Format.docx):

        table = Table(list(columns), [[r.get(c) for c in columns] for r in rows], title=title)
        if fmt == Format.tex and out is None:
            sys.stdout.write(render_text([table], "tex"))
            return
        if out is None:
            raise InputError(f"--format {fmt.value} writes a file: add --out FILE.{fmt.value}")
        write_tables([table], out, fmt.value)
        info(f"wrote {out}")
        return
    if fmt == Format.json:
        text = to_json(rows if json_data is None else json_data) + "\n"
    elif fmt == Format.csv:
        text = rows_to_csv(rows, columns)
    elif fmt == Format.md:
        text = (f"**{title}**\n\n" if title else "") + rows_to_markdown(rows, columns)
    else:
        from rich.table import Table as RichTable

        table = RichTable(title=title, show_lines=False, header_style="bold")
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*[_cell(r.get(c)) for c in columns])
        stdout_console().print(table)
        return
    write_out(text, out)


def write_out(text: str, out: Path | None) -> None:
    """Write ``text`` to ``--out`` (and say so on stderr) or to stdout."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        info(f"wrote {out}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _format_from_suffix(path: Path) -> Format:
    suffix = path.suffix.lower().lstrip(".")
    known = {f.value: f for f in Format if f != Format.table}
    if suffix not in known:

        raise InputError(f"cannot tell the format from {path.name!r}; add --format ({', '.join(known)})")
    return known[suffix]


class progress_bar:
    """Context manager giving a ``update(done, total, message)`` callback drawn as a rich bar on stderr.

    Silent with --quiet or when stderr is not a terminal (scripts, CI), so logs stay clean.
    """

    def __init__(self, description: str) -> None:
        self.description = description
        self._progress = None
        self._task = None

    def __enter__(self) -> Callable[[int, int, str], None]:
        if state.quiet or not sys.stderr.isatty():
            return lambda done, total, message: None
        from rich.progress import Progress

        self._progress = Progress(console=stderr_console(), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=None)

        def update(done: int, total: int, message: str) -> None:
            self._progress.update(self._task, completed=done, total=total, description=f"{self.description} {message}")

        return update

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def iter_progress(items: Iterable[Any], total: int, description: str) -> Iterable[Any]:
    """Wrap an iterable in a rich progress bar on stderr (none with --quiet or off a terminal)."""
    if state.quiet or not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress

    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
