"""``qualcode import highlights``: another tool's highlights (Taguette) as one coder's codings.

A thin wrapper around :func:`qualcode.refi.taguette.import_highlights`, where the matching of
documents, tags and snippet text is documented.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from qualcode.cli.app import open_project
from qualcode.cli.exchange import import_app
from qualcode.cli.printer import Format, err, info, print_json, print_rows, progress_bar
from qualcode.errors import InputError
from qualcode.refi.taguette import import_highlights


class HighlightsFormat(str, Enum):
    taguette = "taguette"


def _mapping(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        doc, sep, tid = pair.rpartition("=")
        if not sep or not doc.strip() or not tid.strip():
            raise InputError(f"--map {pair!r}: expected 'DOCUMENT NAME=TRANSCRIPT ID'")
        out[doc.strip()] = tid.strip()
    return out


@import_app.command("highlights")
def import_highlights_cli(
    file: Path = typer.Argument(..., help="The highlights export (.csv or .xlsx)."),
    coder: str = typer.Option(..., "--coder", help="Whose highlights these are (the export names no coder)."),
    tool: HighlightsFormat = typer.Option(HighlightsFormat.taguette, "--format",
                                          help="The tool that wrote FILE: taguette (its 'all tags' highlights "
                                               "export: id, document, tag, content)."),
    maps: list[str] = typer.Option([], "--map", help="'DOCUMENT=TRANSCRIPT': the transcript a document name "
                                                     "stands for (repeat for several)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON on stdout "
                                                       "({run_id, file, coder, rows, imported, present, highlights, "
                                                       "problems: [{line, id, document, tag, problem}]})."),
) -> None:
    """Import highlights exported by Taguette as one coder's codings, in one undoable run.

    Taguette's export has no positions, only each highlight's document name, tag and text. The
    document is matched to a transcript (--map, else the same id or name, ignoring case,
    accents, punctuation and the file extension); the tag to a code (the code id itself, or
    the tag's path split on '.' and '/', as `codebook import` reads Taguette's codebook); the
    text is found in the transcript with white space not counted (Taguette turns a paragraph
    break into a space). A highlight over several turns gives one coding per respondent turn.
    Rows that cannot be placed (no such document or code, text not found or found more than
    once) are listed with their line and nothing is guessed; the command then exits 1.
    Importing the same file twice adds nothing.

    Examples:

      qualcode import highlights all_tags.csv --format taguette --coder anna

      qualcode import highlights all_tags.xlsx --coder anna --map "Interview Zuid 01=Zdw01_r1"
    """
    mapping = _mapping(maps)
    with open_project() as project, progress_bar("placing highlights") as update:
        report = import_highlights(project, file, coder=coder, documents=mapping, progress=update)
    if as_json:
        print_json(report.to_dict())
    elif report.problems:
        print_rows(report.problems, ["line", "id", "document", "tag", "problem"], Format.table,
                   title=f"Not imported from {file.name}")
    if report.run_id is not None:
        info(f"run {report.run_id}: {report.imported} coding(s) of {report.coder} from {report.highlights} of "
             f"{report.rows} row(s); undo with `qualcode runs undo {report.run_id}`")
    else:
        info(f"nothing new imported from {file} ({report.present} coding(s) already present)")
    if report.present and report.run_id is not None:
        info(f"{report.present} coding(s) were already present")
    if report.problems:
        err(f"{len(report.problems)} of {report.rows} row(s) not imported (listed above with the reason)", style="red")
        raise typer.Exit(1)
