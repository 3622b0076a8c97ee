"""The one way in: ``Project.open(path)`` and its methods.

Why a single object: the CLI, notebooks and tests all call the same methods, and each CLI
command is a thin wrapper around one of them (sqlite-utils style). Methods that return
tables come in two forms: ``*_rows()`` gives plain dicts (cheap, used by the CLI so small
commands never import pandas) and the plain name gives a pandas DataFrame for analysts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from qualcode.attributes import check_key, from_stored, parse_value
from qualcode.config import CONFIG_NAME, CONFIG_TEMPLATE, Config, current_user, find_project_root, load_config
from qualcode.errors import InputError
from qualcode.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.ingest import IngestReport, Progress


def shipped_codebooks_dir() -> Path:
    """Folder of the codebooks shipped with qualcode (repo ``codebooks/``, installed as package data)."""
    from importlib.resources import files

    return Path(str(files("qualcode.codebooks")))


class Project:
    """A qualcode project folder: settings, transcripts, codebooks, exports and the database."""

    def __init__(self, root: Path, config: Config, store: Store) -> None:
        self.root = root
        self.config = config
        self.store = store
        self.user = current_user()

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None) -> "Project":
        """Open the project at ``path`` or the nearest parent folder with ``qualcode.toml``."""
        if path is not None:
            p = Path(path)
            if not p.exists():
                raise InputError("no such project folder", file=p)
            if not (p / CONFIG_NAME).is_file():
                raise InputError(f"not a qualcode project (no {CONFIG_NAME}); run `qualcode init {p}`", file=p)
            root = p.resolve()
        else:
            root = find_project_root()
        config = load_config(root)
        return cls(root, config, Store(config.db_path))

    @classmethod
    def init(cls, path: str | Path, name: str | None = None, copy_codebook: bool = True) -> "Project":
        """Make a new project folder with settings, folders, the default codebook and a database."""
        root = Path(path)
        if (root / CONFIG_NAME).exists():
            raise InputError(f"there is already a project here ({CONFIG_NAME} exists)", file=root)
        if root.exists() and not root.is_dir():
            raise InputError("exists and is not a folder", file=root)
        for sub in ("transcripts", "codebooks", "exports"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "exports" / ".gitkeep").touch()
        shipped = shipped_codebooks_dir()
        if copy_codebook:
            for f in sorted(shipped.glob("*.yaml")):
                target = root / "codebooks" / f.name
                if not target.exists():
                    shutil.copyfile(f, target)
            codebook, typology = "codebooks/klantmanager.yaml", "codebooks/klantmanager-typology.yaml"
        else:
            codebook = str(shipped / "klantmanager.yaml")
            typology = str(shipped / "klantmanager-typology.yaml")
        (root / CONFIG_NAME).write_text(
            CONFIG_TEMPLATE.format(
                name=name or root.resolve().name,
                codebook=codebook,
                typology=typology,
                attributes="transcripts/cases.csv",
            ),
            encoding="utf-8",
        )
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("qualcode.db\nqualcode.db-*\n", encoding="utf-8")
        return cls.open(root)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        attributes: str | Path | None = None,
        allow_pii: bool = False,
        progress: "Progress | None" = None,
    ) -> "IngestReport":
        """Read transcript files (and a case-attribute CSV) into the project as one run."""
        from qualcode.ingest import ingest

        return ingest(
            self.store, self.config, paths, attributes=attributes, allow_pii=allow_pii, user=self.user, progress=progress
        )

    # -- transcripts ------------------------------------------------------------------------
    def transcript_rows(self) -> list[dict[str, Any]]:
        """``transcripts list``: ``{id, file, turns, words, cases, attributes}`` per transcript."""
        attrs = self._attribute_map("transcript")
        out = []
        for r in self.store.transcript_summaries():
            out.append(
                {
                    "id": r["id"],
                    "file": r["file"],
                    "format": r["format"],
                    "turns": r["turns"],
                    "words": r["words"],
                    "cases": sorted((r["cases"] or "").split(",")) if r["cases"] else [],
                    "attributes": attrs.get(r["id"], {}),
                }
            )
        return out

    def transcripts(self) -> "pd.DataFrame":
        import pandas as pd

        rows = self.transcript_rows()
        return pd.DataFrame(rows, columns=["id", "file", "format", "turns", "words", "cases", "attributes"])

    def transcript(self, transcript_id: str) -> dict[str, Any]:
        """One transcript with its turns (fragments) and attributes."""
        t = self.store.transcript(transcript_id)
        if t is None:
            raise InputError(f"unknown transcript {transcript_id!r}; see `qualcode transcripts list`")
        frags = self.store.fragments(transcript_id)
        return {
            "id": t["id"],
            "file": t["file"],
            "format": t["format"],
            "text_hash": t["text_hash"],
            "attributes": self._attribute_map("transcript").get(t["id"], {}),
            "speakers": json.loads(t["speakers"]),
            "pii_allowed": bool(t["pii_allowed"]),
            "fragments": [
                {
                    "id": f["id"],
                    "n": f["n"],
                    "speaker": f["speaker"],
                    "interviewer": bool(f["is_interviewer"]),
                    "case": f["case_id"],
                    "start": f["start"],
                    "end": f["end"],
                    "line": f["line"],
                    "words": f["words"],
                    "text": t["text"][f["start"] : f["end"]],
                    "meta": json.loads(f["meta"]),
                }
                for f in frags
            ],
        }

    def sentences(self, transcript_id: str) -> list[dict[str, Any]]:
        """Sentences of the respondent turns of a transcript (the second coding unit)."""
        from qualcode.transcripts.sentences import split_sentences_batch

        t = self.transcript(transcript_id)
        frags = [f for f in t["fragments"] if not f["interviewer"]]
        spans = split_sentences_batch([f["text"] for f in frags])
        out = []
        for f, sents in zip(frags, spans):
            for i, (s, e) in enumerate(sents, start=1):
                out.append(
                    {
                        "fragment": f["id"],
                        "n": i,
                        "start": f["start"] + s,
                        "end": f["start"] + e,
                        "text": f["text"][s:e],
                    }
                )
        return out

    # -- cases ------------------------------------------------------------------------------
    def case_rows(self) -> list[dict[str, Any]]:
        """``cases list``: ``{id, transcripts, turns, words, attributes}`` per case."""
        eff = self._effective_case_attributes()
        return [
            {
                "id": r["id"],
                "transcripts": self.store.transcripts_of_case(r["id"]),
                "turns": r["turns"],
                "words": r["words"],
                "attributes": {k: v["value"] for k, v in eff.get(r["id"], {}).items()},
            }
            for r in self.store.case_summaries()
        ]

    def cases(self) -> "pd.DataFrame":
        """One row per case, one column per attribute (typed values)."""
        import pandas as pd

        rows = []
        for r in self.case_rows():
            rows.append({"case": r["id"], "transcripts": len(r["transcripts"]), "turns": r["turns"],
                         "words": r["words"], **r["attributes"]})
        return pd.DataFrame(rows)

    def case(self, case_id: str) -> dict[str, Any]:
        """One case with its attributes (value, type and where each came from)."""
        if case_id not in self.store.case_ids():
            raise InputError(f"unknown case {case_id!r}; see `qualcode cases list`")
        row = next(r for r in self.store.case_summaries() if r["id"] == case_id)
        eff = self._effective_case_attributes().get(case_id, {})
        return {
            "id": case_id,
            "transcripts": self.store.transcripts_of_case(case_id),
            "turns": row["turns"],
            "words": row["words"],
            "attributes": {k: v["value"] for k, v in eff.items()},
            "attribute_details": eff,
        }

    def set_case_attributes(self, case_id: str, values: dict[str, str], types: dict[str, str] | None = None) -> int:
        """Set attributes of a case by hand (``cases set ID key=value``); a run that can be undone.

        An empty value removes the attribute. Manual values win over the attributes CSV.
        """
        if case_id not in self.store.case_ids():
            raise InputError(f"unknown case {case_id!r}; see `qualcode cases list`")
        parsed = {}
        for key, raw in values.items():
            check_key(key)
            try:
                parsed[key] = parse_value(raw, (types or {}).get(key))
            except ValueError as exc:
                raise InputError(f"{key}: {exc}") from None
        with self.store.run("cases-set", self.user, {"case": case_id, "values": values}) as run_id:
            for key, typed in parsed.items():
                if typed.value is None:
                    self.store.delete_attribute("case", case_id, key)
                else:
                    self.store.set_attribute("case", case_id, key, typed.value, typed.type, "manual")
        return run_id

    def _attribute_map(self, owner_kind: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for a in self.store.attributes(owner_kind):
            out.setdefault(a["owner_id"], {})[a["key"]] = from_stored(a["value"], a["type"])
        return out

    def _effective_case_attributes(self) -> dict[str, dict[str, dict[str, Any]]]:
        """A case's own attributes, plus transcript attributes that all its transcripts share.

        Why: a group interview's front matter (gemeente, team) describes every respondent in it,
        but a value that differs between a case's transcripts (a date) says nothing about the case.
        """
        out: dict[str, dict[str, dict[str, Any]]] = {}
        tattrs: dict[str, dict[str, tuple[Any, str]]] = {}
        for a in self.store.attributes("transcript"):
            tattrs.setdefault(a["owner_id"], {})[a["key"]] = (from_stored(a["value"], a["type"]), a["type"])
        links = self.store.conn.execute(
            "SELECT DISTINCT case_id, transcript_id FROM fragments WHERE case_id IS NOT NULL"
        ).fetchall()
        per_case: dict[str, list[str]] = {}
        for case_id, tid in links:
            per_case.setdefault(case_id, []).append(tid)
        for case_id, tids in per_case.items():
            common: dict[str, tuple[Any, str]] | None = None
            for tid in tids:
                cur = tattrs.get(tid, {})
                common = dict(cur) if common is None else {k: v for k, v in common.items() if cur.get(k) == v}
            for key, (value, type_) in (common or {}).items():
                out.setdefault(case_id, {})[key] = {"value": value, "type": type_, "source": "transcript"}
        for a in self.store.attributes("case"):
            out.setdefault(a["owner_id"], {})[a["key"]] = {
                "value": from_stored(a["value"], a["type"]),
                "type": a["type"],
                "source": a["source"],
            }
        return out

    # -- runs -------------------------------------------------------------------------------
    def run_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "started_at": r.started_at,
                "user": r.user,
                "status": r.status,
                "undone_by": r.undone_by,
                "changes": r.summary.get("changes", 0),
                "params": r.params,
                "summary": {k: v for k, v in r.summary.items() if k != "changes"},
            }
            for r in self.store.list_runs()
        ]

    def undo(self, run_id: int) -> int:
        """Undo a whole run (ingest, suggest, accept-all, import, rename, merge...)."""
        return self.store.undo_run(run_id, self.user)
