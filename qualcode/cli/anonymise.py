"""``qualcode anonymise``: replace personal data in transcript files with stable pseudonyms."""

from __future__ import annotations

from pathlib import Path

import typer

from qualcode.anonymity.detect import SensitiveTerms
from qualcode.anonymity.files import anonymise_files
from qualcode.cli.app import app, state
from qualcode.cli.printer import Format, info, print_rows
from qualcode.config import find_project_root, load_config
from qualcode.errors import InputError


@app.command("anonymise")
def anonymise_cli(
    files: list[Path] = typer.Argument(..., help="Transcript files (.txt .md .vtt .srt .docx)."),
    key: Path = typer.Option(
        ..., "--key", "-k", help="Key CSV (kind,original,pseudonym); reused and extended. Keep it outside transcripts/."
    ),
    out_dir: Path = typer.Option(None, "--out-dir", "-o", help="Write pseudonymised copies here."),
    in_place: bool = typer.Option(False, "--in-place", help="Overwrite the files themselves."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only report what would be replaced."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json, csv or md."),
) -> None:
    """Replace e-mail addresses, phone numbers, BSNs, IBANs, postcodes, birth dates, addresses and
    the names listed in qualcode.toml with pseudonyms such as [PERSOON-1] and [GEMEENTE-1].

    The same original gets the same pseudonym in every file and every later run (the key file
    is read first and extended). Nothing is written unless every file could be processed.

    Examples:

      qualcode anonymise raw/int07.txt --key ../sleutel.csv --out-dir transcripts/

      qualcode anonymise transcripts/*.txt --key ../sleutel.csv --in-place
    """

    protected: list[Path] = []
    terms = SensitiveTerms()
    try:
        root = state.project_dir or find_project_root()
        config = load_config(Path(root))
        terms = SensitiveTerms.from_config(config.anonymity)
        protected.append(config.root / "transcripts")
    except InputError:
        pass  # outside a project: only the built-in detectors, no name list
    changes = anonymise_files(
        files, key, terms=terms, out_dir=out_dir, in_place=in_place, protected_dirs=protected, dry_run=dry_run
    )
    rows = [{"file": c.file, "output": c.output, "replaced": c.replaced, "kinds": c.kinds} for c in changes]
    print_rows(rows, ["file", "output", "replaced", "kinds"], fmt, json_data=rows)
    if not dry_run:
        info(f"key: {key}")
