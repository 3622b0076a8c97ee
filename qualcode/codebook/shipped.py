"""Where the codebooks shipped with qualcode are: the repository's ``codebooks/`` in a source
checkout, the package data ``qualcode.codebooks`` in an installation.

Why here and not in :mod:`qualcode.project`: ``qualcode init`` copies them into a project, and
commands that work without a project (``qualcode evaluate --gold``) use the default codebook
directly; both find it the same way.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_CODEBOOK = "klantmanager.yaml"
DEFAULT_TYPOLOGY = "klantmanager-typology.yaml"


def shipped_codebooks_dir() -> Path:
    """Folder of the codebooks shipped with qualcode (repo ``codebooks/``, installed as package data)."""
    from importlib.resources import files

    try:
        installed = Path(str(files("qualcode.codebooks")))
        if (installed / DEFAULT_CODEBOOK).is_file():
            return installed
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent.parent / "codebooks"  # a source checkout / editable install


def shipped_codebook_path() -> Path:
    """The default codebook (the one ``qualcode init`` puts in a new project)."""
    return shipped_codebooks_dir() / DEFAULT_CODEBOOK
