"""``qualcode codebook``: validate, show, export, import, diff and list stored versions."""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path

import typer

from qualcode.cli.app import app, open_project, state
from qualcode.cli.printer import Format, info, output_format, print_json, print_rows, print_text, show
from qualcode.codebook import load_codebook
from qualcode.codebook.diff import diff_codebooks, to_rows
from qualcode.codebook.load import read_codebook, sort_issues
from qualcode.codebook.model import Codebook
from qualcode.codebook.patterns import pattern_issues
from qualcode.codebook.render import codebook_rows, codebook_to_markdown, codebook_tree, implies_text
from qualcode.errors import InputError
from qualcode.refi.qdc import codebook_to_yaml, export_qdc, import_qdc
from qualcode.refi.taguette import read_codebook_csv, taguette_codebook_csv

codebook_app = typer.Typer(
    help="Codebooks: validate, show, export/import REFI-QDA (.qdc), diff versions.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")

_HEX = re.compile(r"^[0-9a-f]{4,64}$")


class Lang(str, Enum):
    nl = "nl"
    en = "en"


class ExportFormat(str, Enum):
    qdc = "qdc"
    yaml = "yaml"
    md = "md"
    taguette_csv = "taguette-csv"


_EXTENSIONS = {ExportFormat.qdc: "qdc", ExportFormat.yaml: "yaml", ExportFormat.md: "md",
               ExportFormat.taguette_csv: "csv"}


def _project_codebook_path() -> Path:
    with open_project() as project:
        return project.config.codebook_path


def _codebook_path(file: Path | None) -> Path:
    """FILE as given, or the project's codebook (``[project] codebook`` in qualcode.toml)."""
    return file if file is not None else _project_codebook_path()


def _project_or_none():
    """The project when the command runs inside one (or --project names one), else None."""
    try:
        return open_project()
    except InputError:
        if state.project_dir is not None:
            raise
        return None


# -- validate ---------------------------------------------------------------------------------
@codebook_app.command("validate")
def validate_cli(
    file: Path = typer.Argument(None, help="Codebook YAML (default: the project's codebook).", show_default=False),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (one line per issue) or json."),
) -> None:
    """Check a codebook: every error and warning with file:line:column.

    Checks unknown keys, duplicate ids (across includes), missing definitions, bad ids, labels,
    colors, weights, spaCy Matcher patterns and include cycles. Exit 0 when valid (warnings
    allowed), 1 when there are errors, 2 when the file cannot be read at all (e.g. a YAML
    syntax error).

    JSON: {file, valid, codes, errors, warnings, issues: [{file, line, column, message, severity}]}.

    Example:  qualcode codebook validate codebooks/klantmanager.yaml
    """

    path = _codebook_path(file)
    cb, issues = read_codebook(path)
    issues = sort_issues(issues + pattern_issues(cb), cb.files)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    if fmt == Format.json:
        data = {
            "file": str(path),
            "valid": not errors,
            "codes": len(cb.codes),
            "errors": len(errors),
            "warnings": len(warnings),
            "issues": [i.to_dict() for i in issues],
        }
        print_json(data)
    else:
        extra = f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
        if errors:
            verdict = f"invalid: {len(errors)} error{'s' if len(errors) != 1 else ''}{extra} in {path}"
        else:
            verdict = f"valid: {len(cb.codes)} codes{extra} ({path})"
        print_text("".join(f"{issue}\n" for issue in issues) + verdict + "\n")
    if errors:
        raise typer.Exit(1)


# -- show -------------------------------------------------------------------------------------
@codebook_app.command("show")
def show_cli(
    file: Path = typer.Argument(None, help="Codebook YAML (default: the project's codebook).", show_default=False),
    code: str = typer.Option(None, "--code", "-c", help="Only this code and the codes under it."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (a tree), md (appendix), json or csv."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of labels and headings: nl or en."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """Show the code tree; inside a project with the number of active codings per code.

    md gives a codebook appendix (a heading per code, definition, include/exclude, examples)
    to paste into a paper.

    Roll-ups (`implies:`, the abstract codes a code counts towards) show as "→ code weight" in
    the tree, "Telt ook als / Rolls up to" in md and an implies column in csv/json.

    JSON: a list of {id, parent, depth, label_nl, label_en, codable, definition, indicators,
    blockers, implies: [{code, weight}], count, count_total}; count is the code's own active
    codings, count_total adds the codes under it (both null outside a project).

    Examples:

      qualcode codebook show --code logic

      qualcode codebook show --format md --lang en --out exports/codebook.md
    """

    project = _project_or_none() if file is not None else open_project()
    try:
        cb = load_codebook(file if file is not None else project.config.codebook_path)
        counts = project.store.code_counts() if project is not None else None
    finally:
        if project is not None:
            project.close()
    fmt = output_format(fmt, out)
    if fmt == Format.table:
        show(codebook_tree(cb, code, counts, lang=lang.value))
        return
    if fmt == Format.md:
        print_text(codebook_to_markdown(cb, counts, lang=lang.value, prefix=code), out)
        return
    rows = codebook_rows(cb, code, counts)
    for row in rows:
        row["definition"] = cb.codes[row["id"]].definition
    table_rows = [{**r, "implies": implies_text(cb.codes[r["id"]])} for r in rows]
    cols = ["id", f"label_{lang.value}", "codable", "indicators", "implies", "count", "count_total"]
    if counts is None:
        cols = cols[:-2]
    print_rows(table_rows, cols, fmt, out=out, title=cb.title or cb.id, json_data=rows)


# -- export / import ----------------------------------------------------------------------------
@codebook_app.command("export")
def export_cli(
    file: Path = typer.Argument(None, help="Codebook YAML (default: the project's codebook).", show_default=False),
    fmt: ExportFormat = typer.Option(ExportFormat.qdc, "--format", "-f",
                                     help="qdc (REFI-QDA), taguette-csv (Taguette's codebook import), yaml or md."),
    out: Path = typer.Option(
        None, "--out", "-o", help="Output file (default: exports/<codebook id>.<format> in the project)."
    ),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the md appendix."),
) -> None:
    """Export the codebook: a REFI-QDA codebook (.qdc) for other QDA tools, a CSV for Taguette's
    "Import codebook", one flat YAML file (includes merged in), or a Markdown appendix.

    QDC export is deterministic (code GUIDs are uuid5 of the code id, no time stamps), so a
    re-export of an unchanged codebook is byte-identical. The Taguette CSV has a row per
    codable code: the code id as tag (Taguette shows the dotted hierarchy) and the definition
    as description.

    Examples:

      qualcode codebook export --format qdc

      qualcode codebook export --format taguette-csv --out exports/taguette-codebook.csv

      qualcode codebook export --format md --lang en --out appendix.md
    """

    path = _codebook_path(file)
    cb = load_codebook(path)
    if out is None:
        project = _project_or_none()
        if project is None:
            raise InputError("outside a project there is no exports/ folder: add --out FILE")
        with project:
            out = project.root / "exports" / f"{cb.id}.{_EXTENSIONS[fmt]}"
    if any(out.resolve() == Path(f).resolve() for f in cb.files):
        raise InputError("refusing to overwrite the codebook itself; choose another --out", file=out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == ExportFormat.qdc:
        export_qdc(cb, out)
    elif fmt == ExportFormat.taguette_csv:
        out.write_bytes(taguette_codebook_csv(cb))
        tags = sum(1 for c in cb.codes.values() if c.codable)
        info(f"wrote {out} ({tags} tags: the codable codes of codebook {cb.id} {cb.hash[:12]}); in Taguette: "
             "Project > Import codebook")
        return
    elif fmt == ExportFormat.yaml:
        header = f"Codebook '{cb.id}' exported by qualcode from {path} (includes merged in)."
        out.write_text(codebook_to_yaml(cb, header=header), encoding="utf-8")
    else:
        out.write_text(codebook_to_markdown(cb, lang=lang.value), encoding="utf-8")
    info(f"wrote {out} ({len(cb.codes)} codes, codebook {cb.id} {cb.hash[:12]})")


@codebook_app.command("import")
def import_cli(
    file: Path = typer.Argument(..., help="A REFI-QDA codebook (.qdc) or project (.qde) file, or a tag CSV "
                                          "(Taguette's codebook export)."),
    out: Path = typer.Option(
        None, "--out", "-o", help="YAML file to write (default: codebooks/<name>.yaml in the project)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
    lang: Lang = typer.Option(Lang.nl, "--lang", help="Language of the code names in the file: nl or en."),
    split_names: bool = typer.Option(None, "--split-names/--keep-names",
                                     help="Build the hierarchy from names split on '.' and '/' (default: for a "
                                          "CSV and for a QDC Taguette wrote)."),
) -> None:
    """Import a codebook from another QDA tool (REFI-QDA .qdc, the codebook in a .qde, or a tag
    CSV such as Taguette's codebook export) as YAML.

    Ids come from qualcode's own [id: ...] markers when present, otherwise from the names
    (ASCII-folded slugs under their parent). Taguette's tags are flat and name their place
    in the hierarchy: 'logic.bureaucratic' and 'logic/professional' become the codes
    logic.bureaucratic and logic.professional under a parent logic that is not codable (it
    was no tag); a CSV's descriptions become definitions. Codes imported without a description get an empty
    definition: the YAML loads, and `codebook validate` lists them until definitions are written.
    Files with a DTD or entity declarations are refused (exit 2), and so is an existing --out
    unless --force.

    Examples:

      qualcode codebook import atlas-export.qdc --out codebooks/atlas.yaml

      qualcode codebook import codebook.csv --out codebooks/taguette.yaml
    """

    if file.suffix.lower() == ".csv":
        if split_names is False:
            raise InputError("a tag CSV has no nesting: its hierarchy is in the names (leave out --keep-names)")
        cb = read_codebook_csv(file, language=lang.value)
    else:
        cb = import_qdc(file, language=lang.value, split_names=split_names)
    if out is None:
        project = _project_or_none()
        if project is None:
            raise InputError("outside a project: add --out codebooks/NAME.yaml")
        with project:
            out = project.root / "codebooks" / f"{cb.id}.yaml"
    if out.exists() and not force:
        raise InputError("exists; add --force to overwrite it", file=out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("--out must be a .yaml file", file=out)
    kind = "tag CSV" if file.suffix.lower() == ".csv" else "REFI-QDA codebook"
    header = f"Imported by qualcode from {file.name} ({kind})."
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(codebook_to_yaml(cb, header=header), encoding="utf-8")
    _, issues = read_codebook(out)
    undefined = [c.id for c in cb.codes.values() if c.codable and not c.definition]
    info(f"wrote {out} ({len(cb.codes)} codes)")
    if undefined:
        sample = ", ".join(undefined[:5]) + (", ..." if len(undefined) > 5 else "")
        info(
            f"hint: {len(undefined)} codable code(s) have no definition yet ({sample}); write them in {out}, "
            f"then run `qualcode codebook validate {out}`"
        )
    other = [i for i in issues if i.severity == "error" and "no definition" not in i.message]
    for issue in other:
        info(str(issue))


# -- diff, versions -----------------------------------------------------------------------------
def _resolve(ref: str):
    """A codebook from a file path or from a stored version's hash prefix (``codebook versions``)."""

    path = Path(ref)
    if path.is_file():
        return load_codebook(path), str(path)
    if not _HEX.match(ref.lower()):
        raise InputError(f"{ref!r} is neither a file nor a codebook hash prefix (see `qualcode codebook versions`)")
    project = _project_or_none()
    if project is None:
        raise InputError(f"{ref!r} is not a file; hash prefixes of stored versions need a project")
    with project:
        row = project.store.codebook_version(ref.lower())
    if row is None:
        raise InputError(f"no file {ref!r} and no stored codebook version with hash {ref!r}; "
                         "see `qualcode codebook versions`")
    return Codebook.from_dict(json.loads(row["content"])), f"{row['codebook_id']}@{row['hash'][:12]}"


@codebook_app.command("diff")
def diff_cli(
    a: str = typer.Argument(..., metavar="A", help="Old version: a YAML file or a stored version's hash prefix."),
    b: str = typer.Argument(..., metavar="B", help="New version: a YAML file or a stored version's hash prefix."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of printing."),
) -> None:
    """What changed between two codebook versions: added, removed, renamed and moved codes, and
    changed fields (label, definition, include, exclude, examples, codable, indicators,
    blockers, color, rules).

    Every coding and suggestion records the hash of the codebook version it was made with;
    `qualcode codebook versions` lists the stored versions.

    JSON: a list of {kind, code, new_code, field, old, new}.

    Examples:

      qualcode codebook diff codebooks/v1.yaml codebooks/klantmanager.yaml

      qualcode codebook diff 3f2a9c 81be04 --format json
    """

    old_cb, old_name = _resolve(a)
    new_cb, new_name = _resolve(b)
    rows = to_rows(diff_codebooks(old_cb, new_cb))
    if not rows:
        info(f"no differences between {old_name} and {new_name}")
        if fmt == Format.table and out is None:
            return
    cols = ["kind", "code", "new_code", "field", "old", "new"]
    print_rows(rows, cols, fmt, out=out, title=f"{old_name} → {new_name}", json_data=rows)


@codebook_app.command("versions")
def versions_cli(
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
) -> None:
    """List the codebook versions stored in the project (each coding and suggestion records one).

    JSON: a list of {hash, codebook_id, path, loaded_at, codings, suggestions}.

    Example:  qualcode codebook versions
    """
    with open_project() as project:
        rows = project.store.codebook_versions()
    for r in rows:
        r["short"] = r["hash"][:12]
    print_rows(rows, ["short", "codebook_id", "loaded_at", "codings", "suggestions"], fmt, title="Codebook versions",
         json_data=rows)
