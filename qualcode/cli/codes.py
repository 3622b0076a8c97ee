"""``qualcode codes add|delete|rename|merge|move``: change the codebook without losing codings.

Each command is one run: the codebook YAML is edited in place (comments and layout kept),
codings, suggestions and code memos follow, and ``qualcode runs undo RUN`` reverts all of it.
"""

from __future__ import annotations

import typer

from qualcode.cli.app import app, open_project
from qualcode.cli.printer import Format, print_json, print_text

codes_app = typer.Typer(
    help="Add, delete, rename, merge and move codes; codings, suggestions and memos follow (each an undoable run).",
    no_args_is_help=True,
)
app.add_typer(codes_app, name="codes")

_VERB = {"rename": "renamed", "merge": "merged", "move": "moved"}


def _report(change, fmt: Format) -> None:
    """What changed, as text lines (table) or the ``CodeChange`` as JSON."""
    if fmt == Format.json:
        print_json(change.to_dict())
        return
    if change.kind in ("add", "delete"):
        code = change.new or change.old
        lines = [f"{'added' if change.kind == 'add' else 'deleted'} {code} (run {change.run_id})"]
        if change.memos:
            lines.append(f"  memos:       {change.memos} memo(s) on the code deleted with it")
        lines.append(f"  files:       {', '.join(change.files)}")
        lines.append(f"  codebook:    {change.old_hash[:12]} -> {change.new_hash[:12]}")
        lines.append(f"undo with: qualcode runs undo {change.run_id}")
        print_text("\n".join(lines) + "\n")
        return
    arrow = "into" if change.kind == "merge" else "->"
    lines = [f"{_VERB[change.kind]} {change.old} {arrow} {change.new} (run {change.run_id})"]
    renamed = [(a, b) for a, b in change.ids.items() if a != b]
    if renamed:
        shown = ", ".join(f"{a} -> {b}" for a, b in renamed[:6]) + (", ..." if len(renamed) > 6 else "")
        lines.append(f"  codes:       {len(renamed)} id(s) changed: {shown}")
    codings = f"  codings:     {change.codings} updated"
    if change.duplicates:
        codings += f", {change.duplicates} duplicate(s) removed"
    lines.append(codings)
    suggestions = f"  suggestions: {change.suggestions} updated"
    if change.duplicate_suggestions:
        suggestions += f", {change.duplicate_suggestions} duplicate(s) removed"
    lines.append(suggestions)
    lines.append(f"  memos:       {change.memos} updated")
    lines.append(f"  files:       {', '.join(change.files)}")
    lines.append(f"  codebook:    {change.old_hash[:12]} -> {change.new_hash[:12]}")
    lines.append(f"undo with: qualcode runs undo {change.run_id}")
    print_text("\n".join(lines) + "\n")


_FORMAT = typer.Option(Format.table, "--format", "-f", help="table (a summary) or json.")


@codes_app.command("add")
def add_cli(
    code: str = typer.Argument(..., help="The new code's id: a dotted id (logic.street), or a segment with --parent."),
    label: str = typer.Option(..., "--label", help="Its (Dutch) label."),
    label_en: str = typer.Option(None, "--label-en", help="Its English label (default: the same as --label)."),
    parent: str = typer.Option(None, "--parent", help="The code it goes under (default: from the dotted id)."),
    definition: str = typer.Option(None, "--definition", help="When to apply it (required unless --grouping)."),
    example: list[str] = typer.Option(None, "--example", help="A (fictional or in-vivo) example quote; repeatable."),
    grouping: bool = typer.Option(False, "--grouping", help="A grouping code coders do not apply (codable: false)."),
    fmt: Format = _FORMAT,
) -> None:
    """Add a code to the codebook: the last child of its parent, written in the YAML file where
    the parent is (indented like that file; a `children:` list is made when the parent has none).

    Nothing else in the file changes. Undo with `qualcode runs undo RUN`.

    JSON: {kind, run_id, old, new, ids, codings, ..., files, old_hash, new_hash}.

    Examples:

      qualcode codes add logic.street --label "Straatniveau" --definition "Werk buiten kantoor, bij de klant thuis."

      qualcode codes add zelfredzaamheid --parent discretion --label Zelfredzaamheid --definition "Zelf doen."

      qualcode codes add context --label Context --grouping
    """
    with open_project() as project:
        change = project.add_code(code, label, label_en=label_en, parent=parent, definition=definition,
                                  examples=example or (), codable=not grouping)
    _report(change, fmt)


@codes_app.command("delete")
def delete_cli(
    code: str = typer.Argument(..., help="The code to take out of the codebook."),
    merge_into: str = typer.Option(None, "--merge-into",
                                   help="Merge it into this code instead (its codings, suggestions, memos go there)."),
    fmt: Format = _FORMAT,
) -> None:
    """Delete a code from the codebook YAML (with the comment lines above it).

    Refused while any coding or suggestion carries it, while codes lie under it, while another
    code requires it or the typology names it: that work would be left pointing at nothing.
    With --merge-into OTHER the code is merged into OTHER instead (as `codes merge`), so its
    codings are kept. Memos on a deleted code go with it; undo brings everything back.

    Examples:

      qualcode codes delete logic.street

      qualcode codes delete discretion.coping.parking --merge-into discretion.coping.creaming
    """
    with open_project() as project:
        change = project.delete_code(code, merge_into=merge_into)
    _report(change, fmt)


@codes_app.command("rename")
def rename_cli(
    old: str = typer.Argument(..., help="Current code id, e.g. logic.market."),
    new: str = typer.Argument(..., help="New full id, e.g. logic.markt (codes under it follow)."),
    fmt: Format = _FORMAT,
) -> None:
    """Rename a code and every code under it (logic.market.x becomes logic.markt.x).

    The id is changed in the codebook YAML (comments and layout stay), and every coding,
    suggestion and code memo follows. A new id under another existing parent moves the code too.

    JSON: {kind, run_id, old, new, ids, codings, duplicates, suggestions, duplicate_suggestions,
    memos, files, old_hash, new_hash}.

    Example:  qualcode codes rename logic.market logic.markt
    """
    with open_project() as project:
        change = project.rename_code(old, new)
    _report(change, fmt)


@codes_app.command("merge")
def merge_cli(
    source: str = typer.Argument(..., help="The code that disappears."),
    target: str = typer.Argument(..., help="The code that receives its codings and children."),
    fmt: Format = _FORMAT,
) -> None:
    """Merge SOURCE into TARGET: SOURCE's codings become TARGET's (a coding TARGET already has,
    same coder, transcript, start and end, is not duplicated), its suggestions and memos
    follow, its children move under TARGET, and SOURCE is removed from the YAML.

    TARGET must not lie inside SOURCE.

    Example:  qualcode codes merge discretion.coping.parking discretion.coping.creaming
    """
    with open_project() as project:
        change = project.merge_codes(source, target)
    _report(change, fmt)


@codes_app.command("move")
def move_cli(
    code: str = typer.Argument(..., help="The code to move (its subtree comes along)."),
    parent: str = typer.Argument(..., help="The new parent code, or - for the top level."),
    fmt: Format = _FORMAT,
) -> None:
    """Move a code and everything under it to a new parent; its id changes accordingly
    (moving logic.market under discretion makes it discretion.market).

    Examples:

      qualcode codes move logic.market discretion

      qualcode codes move discretion.coping -
    """
    with open_project() as project:
        change = project.move_code(code, parent)
    _report(change, fmt)
