"""Where the codebooks shipped with qualcode are: the repository's ``codebooks/`` in a source
checkout, the package data ``qualcode.codebooks`` in an installation.

Why here and not in :mod:`qualcode.project`: ``qualcode init`` copies them into a project, and
commands that work without a project (``qualcode evaluate --gold``) use the default codebook
directly; both find it the same way.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_CODEBOOK = "klantmanager.yaml"
DEFAULT_TYPOLOGY = "klantmanager-typology.yaml"
EMPTY = "empty"

# What `qualcode init --codebook empty` writes: a valid codebook without codes, to grow while coding.
EMPTY_CODEBOOK = """\
# The codebook of {title}. It starts empty: grow it while you code, e.g.
#   qualcode codes add logic --label "Institutionele logica" --grouping
#   qualcode codes add logic.market --label Marktlogica --definition "Cijfers en targets als reden."
# or press c in `qualcode review` and type a name that is not a code yet (in-vivo coding).
# Each addition is a run that `qualcode runs undo` takes back. Format: docs/codebook-format.md.
codebook:
  id: {id}
  title: {title_yaml}
  version: "0.1"
  language: {language}
codes: []
"""


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


def shipped_codebook_names() -> list[str]:
    """Names ``qualcode init --codebook`` takes for the shipped codebooks (file stems, typologies left out)."""
    return sorted(p.stem for p in shipped_codebooks_dir().glob("*.yaml") if not p.stem.endswith("-typology"))


def empty_codebook(title: str, codebook_id: str, language: str = "nl") -> str:
    """The YAML of an empty codebook (``qualcode init --codebook empty``): it loads and validates."""
    title_yaml = yaml.safe_dump(title, allow_unicode=True, width=1_000_000).removesuffix("\n...\n").strip()
    return EMPTY_CODEBOOK.format(title=" ".join(title.split()), id=codebook_id, title_yaml=title_yaml,
                                 language=language)
