"""``qualcode export qdpx`` and ``qualcode import qdpx``: REFI-QDA project exchange.

Thin wrappers around :func:`qualcode.refi.qdpx_write.export_qdpx` and
:func:`qualcode.refi.qdpx_import.import_qdpx`, where the mapping is documented.
"""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.cli.app import open_project
from qualcode.cli.exchange import export_app, import_app
from qualcode.cli.printer import Format, err, info, print_json, print_rows
from qualcode.errors import InputError
from qualcode.refi.qdpx_import import import_qdpx
from qualcode.refi.qdpx_write import export_qdpx


def _listing(items: list[str], shown: int = 8) -> str:
    """``n: a, b, c ...``: a long list of ids stays one readable cell."""
    more = f", ... ({len(items) - shown} more)" if len(items) > shown else ""
    return f"{len(items)}: {', '.join(items[:shown])}{more}" if items else "0"


@export_app.command("qdpx")
def export_qdpx_cli(
    out: Path = typer.Option(..., "--out", "-o", help="The .qdpx file to write."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json (what was written)."),
) -> None:
    """Write the project as a REFI-QDA project (.qdpx) for ATLAS.ti, MAXQDA, NVivo, QDA Miner...

    Holds the transcripts' text, the codebook (nested codes), one user per coder, every
    coding as a selection with code-point offsets, cases with their attributes as variables,
    and memos as notes. Exporting the same project twice gives identical files.

    Example:  qualcode export qdpx --out exports/study.qdpx
    """
    if out.suffix.lower() != ".qdpx":
        raise InputError(f"--out must name a .qdpx file, not {out.name!r}")
    with open_project() as project:
        summary = export_qdpx(project, out)
    if fmt == Format.json:
        print_json(summary.to_dict())
    for w in summary.warnings:
        err(f"warning: {w}", style="yellow")
    info(f"wrote {out}: {summary.sources} source(s), {summary.codings} coding(s), {len(summary.users)} user(s), "
         f"{summary.cases} case(s), {summary.variables} variable(s), {summary.notes} note(s)")


@import_app.command("qdpx")
def import_qdpx_cli(
    file: Path = typer.Argument(..., help="A .qdpx file exported by a QDA tool (or by qualcode)."),
    prefix: str = typer.Option(None, "--prefix", help="Put this in front of every imported transcript id "
                               "(needed when the project already has transcripts with those ids)."),
    allow_pii: bool = typer.Option(False, "--allow-pii",
                                   help="Import sources even when the anonymity check finds something."),
    coder: str = typer.Option("imported", "--coder", help="Coder for codings that name no user."),
    use_codebook: bool = typer.Option(False, "--use-codebook",
                                      help="Make the imported codebook the project's codebook (qualcode.toml)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json (the import report)."),
) -> None:
    """Import a REFI-QDA project (.qdpx): sources as transcripts, codes, coders, codings, cases.

    Sources may be inline text or internal .txt/.docx files; positions counted in text with
    CRLF line ends are mapped so each coding covers the same words as in the other tool. A
    text whose first line is a speaker label ("R1: ...") is read as turns; any other text is
    one turn of speaker R. The codebook is written to codebooks/<file>.yaml. The import is one
    run: `qualcode runs undo RUN` removes it again. Nothing is imported if the file is unsafe
    (zip entries with '..' or absolute paths, XML with a DTD or entities) or malformed.

    A source's file is found in the archive whatever form its path has (internal://x.txt,
    x.txt, sources/x.txt, a GUID-named file, a Windows path). What the file references but
    does not hold (a source's text, a note, a case's selection) is listed and the command
    exits 1; the rest is imported.

    Examples:

      qualcode import qdpx atlas-export.qdpx

      qualcode import qdpx second-site.qdpx --prefix B_

      qualcode import qdpx qc-demo.qdpx --use-codebook
    """
    with open_project() as project:
        report = import_qdpx(project, file, prefix=prefix, allow_pii=allow_pii, default_coder=coder,
                             use_codebook=use_codebook)
    if fmt == Format.json:
        print_json(report.to_dict())
    else:
        rows = [{"what": k, "value": v} for k, v in (
            ("transcripts", _listing(report.transcripts)), ("codings", report.codings),
            ("coders", ", ".join(report.coders)), ("cases", len(report.cases)),
            ("attributes", report.attributes), ("memos", report.memos), ("codebook", report.codebook or ""))]
        print_rows(rows, ["what", "value"], Format.table, title=f"Import run {report.run_id}")
    for w in report.warnings:
        err(f"warning: {w}", style="yellow")
    info(f"run {report.run_id}: imported {len(report.transcripts)} transcript(s) and {report.codings} coding(s); "
         f"undo with `qualcode runs undo {report.run_id}`")
    for m in report.missing:
        err(f"not in the file: {m}", style="red")
    if report.missing:
        err(f"{file} references {len(report.missing)} thing(s) it does not hold (listed above); the rest was "
            "imported. Export it again from the other tool with its sources included, or ask its author.",
            style="red")
    if report.skipped:
        for s in report.skipped:
            kinds = ", ".join(sorted({f["kind"] for f in s["findings"]}))
            err(f"source {s['source']!r} not imported: the anonymity check found {kinds}", style="red")
        err("Fix those sources or pass --allow-pii.", style="red")
    if report.missing or report.skipped:
        raise typer.Exit(1)
