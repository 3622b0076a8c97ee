"""The one printer: every message, table and file a command puts out goes through here.

Why one: formats (table, json, csv, md, tex, xlsx, docx) and tone are the same in every command,
``--quiet`` silences the same chatter everywhere, results go to stdout (or ``--out``) and
messages to stderr, so ``--format json`` output is a JSON document and nothing else. Tables
are rendered by the publication writers of :mod:`qualcode.export` (the same Markdown, CSV and
LaTeX a paper gets); on a terminal they are drawn with rich.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError
from qualcode.export.table import Table, bold_parts, cell_text
from qualcode.export.write import format_for, render_text, write_tables
from qualcode.tables.frame import frame_table

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.text import Text


class Format(str, Enum):
    """What ``--format`` takes; ``table`` draws on the terminal, the others are writer formats."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    tex = "tex"
    xlsx = "xlsx"
    docx = "docx"


FILE_FORMATS = (Format.xlsx, Format.docx)
GROUPED = (Format.table, Format.md, Format.tex, Format.docx)  # formats where repeated group cells are blanked


@dataclass
class PrinterSettings:
    """Set once from the global options (``--quiet``)."""

    quiet: bool = False


settings = PrinterSettings()
_consoles: dict[str, Console] = {}


# -- consoles and messages --------------------------------------------------------------------
def stderr_console() -> Console:
    if "err" not in _consoles:
        from rich.console import Console

        _consoles["err"] = Console(stderr=True, highlight=False, soft_wrap=True)
    return _consoles["err"]


def stdout_console() -> Console:
    if "out" not in _consoles:
        from rich.console import Console

        # Off a terminal (pipes, make, CI) rich would assume 80 columns and fold every table;
        # tables only grow as wide as their content, so allow wide lines there.
        width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "0") or 0) or 200
        _consoles["out"] = Console(highlight=False, soft_wrap=False, width=width)
    return _consoles["out"]


def err(message: str, style: str | None = None) -> None:
    """A message for the person at the terminal (stderr), always shown."""
    stderr_console().print(message, style=style, markup=False)


def info(message: str) -> None:
    """Chatter on stderr (what was written, counts); silent with ``--quiet``."""
    if not settings.quiet:
        err(message)


def ask(prompt: str) -> str:
    """Ask on stderr and read one line of stdin (works when stdin is a pipe); "" at end of input."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    return sys.stdin.readline()


def line(text: str = "", *, style: str | None = None) -> None:
    """A line of results on stdout (a note under a table, a heading)."""
    stdout_console().print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def show(renderable: Any) -> None:
    """A rich renderable (a tree, styled text) on stdout."""
    stdout_console().print(renderable)


# -- JSON and text -------------------------------------------------------------------------
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


def print_json(data: Any, out: Path | None = None) -> None:
    """A JSON document, alone on stdout (or in ``--out``)."""
    print_text(to_json(data) + "\n", out)


def print_text(text: str, out: Path | None = None) -> None:
    """Write ``text`` to ``--out`` (and say so on stderr) or to stdout."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        info(f"wrote {out}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def output_format(fmt: Format | str, out: Path | None) -> Format:
    """The format to write: ``--format``, or with ``--out`` and the default, the file's extension."""
    fmt = Format(fmt)
    if out is not None and fmt == Format.table:
        return Format(format_for(out))
    return fmt


# -- tables --------------------------------------------------------------------------------
def rich_cell(value: Any) -> Text:
    """A cell for rich: ``**bold**`` spans as bold text, values as the export writers show them."""
    from rich.text import Text

    text = Text()
    for part, bold in bold_parts(cell_text(value)):
        text.append(part, style="bold" if bold else None)
    return text


def _draw(tables: Sequence[Table], console: Console | None = None) -> None:
    from rich.table import Table as RichTable

    console = console or stdout_console()
    for t in tables:
        rt = RichTable(title=t.title, header_style="bold", title_justify="left")
        for i, c in enumerate(t.columns):
            numeric = bool(t.rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in t.rows)
            rt.add_column(str(c), overflow="fold", justify="right" if numeric else "left")
        for r in t.rows:
            rt.add_row(*[rich_cell(v) for v in r])
        console.print(rt)
        for n in t.notes:
            console.print(n, style="dim", markup=False, highlight=False)


def notice_table(table: Table) -> None:
    """A table for the person at the terminal rather than for the results (stderr): findings to act on."""
    _draw([table], stderr_console())


def stored_findings_notice(findings: Sequence[Any], title: str) -> None:
    """Personal data found in stored transcripts (``StoredFinding``), and how to get it out: the
    stored text is a copy of the file, so the file is fixed and ingested again."""
    columns = ["transcript", "file", "fragment", "line", "column", "kind", "text", "allowed"]
    notice_table(Table(columns, [[getattr(f, c) for c in columns] for f in findings], title=title))
    files = sorted({f.file for f in findings if not f.allowed})
    if files:
        err("Fix these files and ingest them again; the stored text changes with them (codings follow):",
            style="yellow")
        for file in files:
            err(f"  qualcode anonymise {file} --key ../sleutel.csv --in-place && qualcode ingest {file}")


def print_tables(
    tables: Sequence[Table],
    fmt: Format | str,
    out: Path | None = None,
    *,
    json_data: Any = None,
    default_out: Path | None = None,
) -> Path | None:
    """Print or write tables in the requested format; returns the file written, if any.

    ``--out`` without ``--format`` takes the format from the extension. xlsx and docx are file
    formats: without ``--out`` they go to ``default_out`` or the command asks for ``--out``.
    ``json_data`` replaces the JSON rendering of the tables (a stable list for scripts).
    """
    kind = output_format(fmt, out)
    if kind in FILE_FORMATS:
        target = out or default_out
        if target is None:
            raise InputError(f"--format {kind.value} writes a file: add --out FILE.{kind.value}")
        write_tables(tables, target, kind.value)
        info(f"wrote {target}")
        return target
    if kind == Format.table:
        _draw(tables)
        return None
    if kind == Format.json and json_data is not None:
        text = to_json(json_data) + "\n"
    else:
        text = render_text(tables, kind.value)
    print_text(text, out)
    if kind == Format.csv:  # CSV has no place for notes: the reader still gets them
        for t in tables:
            for n in t.notes:
                info(n)
    return out


def print_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: Format | str,
    *,
    out: Path | None = None,
    title: str | None = None,
    notes: Sequence[str] = (),
    json_data: Any = None,
) -> Path | None:
    """Records as one table. ``json_data`` overrides what JSON holds (default: the records
    themselves, so JSON keeps nested values that the flat formats render as text)."""
    table = Table(list(columns), [[r.get(c) for c in columns] for r in rows], title=title, notes=list(notes))
    return print_tables([table], fmt, out, json_data=json_data if json_data is not None else list(rows))


def print_frames(
    frames: Sequence[pd.DataFrame],
    fmt: Format | str,
    out: Path | None = None,
    *,
    groups: Sequence[str] = (),
    sheets: Sequence[str | None] = (),
    index: bool = False,
    json_data: Any = None,
) -> Path | None:
    """DataFrames of :mod:`qualcode.tables` (title and notes in ``df.attrs``) as tables; the leading
    group columns (``df.attrs["groups"]``, else ``groups``) print their value only where it changes,
    in the formats that show a grouping."""
    kind = output_format(fmt, out)
    names = list(sheets) + [None] * (len(frames) - len(sheets))
    tables = [frame_table(df.reset_index() if index else df,
                          group_columns=df.attrs.get("groups", groups) if kind in GROUPED else (), sheet=names[i])
              for i, df in enumerate(frames)]
    if kind == Format.json and json_data is None:
        json_data = tables[0].records() if len(tables) == 1 else {t.sheet or t.title: t.records() for t in tables}
    return print_tables(tables, fmt, out, json_data=json_data)


# -- progress ------------------------------------------------------------------------------
class progress_bar:
    """Context manager giving a ``update(done, total, message)`` callback drawn as a rich bar on stderr.

    Silent with --quiet or when stderr is not a terminal (scripts, CI), so logs stay clean.
    """

    def __init__(self, description: str) -> None:
        self.description = description
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[int, int, str], None]:
        if settings.quiet or not sys.stderr.isatty():
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
