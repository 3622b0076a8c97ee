"""The one way in: ``Project.open(path)`` and its methods.

Why a single object: the CLI, notebooks and tests all call the same methods, and each CLI
command is a thin wrapper around one of them (sqlite-utils style). Methods that return
tables come in two forms: ``*_rows()`` gives plain dicts (cheap, used by the CLI so small
commands never import pandas) and the plain name gives a pandas DataFrame for analysts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.agreement.compute import SUGGESTION_SCOPES, AgreementResult, agreement, check_coders, suggestion_engine
from qualcode.agreement.consensus import ConsensusReport, consensus
from qualcode.agreement.disagreements import disagreements, disagreements_frame
from qualcode.agreement.progress import ProgressReport, coding_progress
from qualcode.anonymity.check import StoredFinding, check_stored
from qualcode.anonymity.detect import SensitiveTerms
from qualcode.codebook import load_codebook
from qualcode.codebook.edit import NewCode, new_code_id
from qualcode.codebook.load import codebook_files
from qualcode.codebook.model import Codebook, codebook_id_from_name, is_under
from qualcode.codebook.resolve import check_prefixes, parse_prefixes, resolve_code
from qualcode.codebook.shipped import EMPTY, empty_codebook, shipped_codebook_names, shipped_codebooks_dir
from qualcode.codebook.typology import load_typology
from qualcode.coding.apply import (
    BulkCoding,
    accept_suggestion,
    add_coding,
    add_memo,
    code_spans,
    coding_record,
    remove_codings,
)
from qualcode.coding.coders import check_coder_names, one_coder
from qualcode.coding.exchange import ImportReport, export_codings, import_codings
from qualcode.coding.ingest import IngestReport, Progress, ingest, speaker_map_of
from qualcode.coding.recode import CodeChange, add_code, delete_code, merge_codes, move_code, rename_code
from qualcode.coding.review import CodebookFile, ReviewSession
from qualcode.config import CONFIG_NAME, CONFIG_TEMPLATE, Config, current_user, find_project_root, load_config
from qualcode.errors import InputError
from qualcode.explore.search import Hit, Query, count_frame, describe, find_hits, kwic_frame
from qualcode.explore.turns import Turn, TurnFilter, check_group, select_turns
from qualcode.explore.words import word_frequencies
from qualcode.language.nlp import get_nlp
from qualcode.recordfiles import select_split
from qualcode.store import Store
from qualcode.suggest.engines import get_engine
from qualcode.suggest.evaluate import evaluate, evaluation_report
from qualcode.suggest.gold import GoldReport, evaluate_gold, gold_texts, read_gold
from qualcode.suggest.model import TrainResult, model_rows, train_model
from qualcode.suggest.run import explain as explain_suggestions
from qualcode.suggest.run import run_suggest, suggestion_record
from qualcode.tables.aspects import aspects
from qualcode.tables.context import context_features, context_numbers
from qualcode.tables.dimensions import dimensions
from qualcode.tables.frequencies import code_frequencies
from qualcode.tables.matrix import build_cooccurrence, build_matrix
from qualcode.tables.overview import data_overview, respondent_overview
from qualcode.tables.quotes import QuoteOptions, check_case_attrs, collect_quotes, quotes_frame
from qualcode.tables.rollup import ROLLUP_NOTE, with_rollups
from qualcode.tables.typology import (
    LEGACY_OVERRIDE_ATTR,
    OVERRIDE_ATTR,
    TypologyData,
    assignment_frame,
    gather,
    resolve_typology_path,
)
from qualcode.tables.typology_eval import TypologyEvaluation, evaluate_assignment, read_variants
from qualcode.tables.typology_tables import TypologyTableOptions, typology_table
from qualcode.transcripts.attributes import check_key, effective_case_attributes, from_stored, parse_value
from qualcode.transcripts.reader import SUPPORTED_EXTENSIONS, read_transcript
from qualcode.transcripts.sentences import split_sentences_batch
from qualcode.transcripts.speakers import plan_speakers

if TYPE_CHECKING:
    import pandas as pd


class Project:
    """A qualcode project folder: settings, transcripts, codebooks, exports and the database."""

    def __init__(self, root: Path, config: Config, store: Store) -> None:
        self.root = root
        self.config = config
        self.store = store
        self.user = current_user()
        self._codebooks: dict[str, Codebook] = {}

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path | None = None) -> Project:
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
    def init(cls, path: str | Path, name: str | None = None, copy_codebook: bool = True,
             codebook: str | Path = "klantmanager") -> Project:
        """Make a new project folder with settings, folders, a codebook and a database.

        ``codebook``: a shipped codebook by name (``klantmanager``, with its typology), ``empty``
        (a codebook without codes, to grow while coding: ``codes add``, or ``c`` in review), or a
        YAML codebook file, copied into ``codebooks/`` with the files it includes. It is read
        before anything is made (a file that cannot be read: InputError, nothing made); its
        validation problems are left for ``codebook validate`` and every command that loads it.
        ``copy_codebook=False`` points the settings at the shipped file or at FILE instead.
        """
        root = Path(path)
        if (root / CONFIG_NAME).exists():
            raise InputError(f"there is already a project here ({CONFIG_NAME} exists)", file=root)
        if root.exists() and not root.is_dir():
            raise InputError("exists and is not a folder", file=root)
        title = name or root.resolve().name
        shipped = shipped_codebooks_dir()
        copies: dict[Path, str] = {}  # file in the new project -> its text
        choice = str(codebook)
        typology = ""
        if choice == EMPTY:
            if not copy_codebook:
                raise InputError("--reference-codebook points at a shipped or existing codebook, not at 'empty'")
            codebook_setting = "codebooks/codebook.yaml"
            copies[root / codebook_setting] = empty_codebook(title, codebook_id_from_name(title))
        elif choice in shipped_codebook_names():
            main = shipped / f"{choice}.yaml"
            typology_file = shipped / f"{choice}-typology.yaml"
            if copy_codebook:
                for f in sorted(shipped.glob("*.yaml")):
                    copies[root / "codebooks" / f.name] = f.read_text(encoding="utf-8")
                codebook_setting = f"codebooks/{main.name}"
                typology = f"codebooks/{typology_file.name}" if typology_file.is_file() else ""
            else:
                codebook_setting = str(main)
                typology = str(typology_file) if typology_file.is_file() else ""
        else:
            files = codebook_files(choice, shipped_codebook_names())
            if copy_codebook:
                base = files[0].parent
                for f in files:
                    copies[root / "codebooks" / f.relative_to(base)] = f.read_text(encoding="utf-8")
                codebook_setting = f"codebooks/{files[0].name}"
            else:
                codebook_setting = str(files[0])
        for target, text in copies.items():
            if target.exists() and target.read_text(encoding="utf-8") != text:
                if choice in shipped_codebook_names():
                    continue  # a copy the user already has (and may have edited) is kept
                raise InputError("exists already with other content; move it away first", file=target)
        for sub in ("transcripts", "codebooks", "exports"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "exports" / ".gitkeep").touch()
        for target, text in copies.items():
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        (root / CONFIG_NAME).write_text(
            CONFIG_TEMPLATE.format(
                name=title,
                codebook=codebook_setting,
                typology=typology,
                attributes="transcripts/cases.csv",
                speakers="transcripts/speakers.csv",
            ),
            encoding="utf-8",
        )
        gitignore = root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("qualcode.db\nqualcode.db-*\n", encoding="utf-8")
        return cls.open(root)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        attributes: str | Path | None = None,
        speakers: str | Path | None = None,
        allow_pii: bool = False,
        skip_bad: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Read transcript files (and a case-attribute CSV) into the project as one run.

        ``speakers``: a CSV mapping speaker labels to cases (default ``[ingest] speakers``);
        ``skip_bad``: store the readable files and report the others (``IngestReport.bad``)
        instead of refusing the whole ingest.
        """

        return ingest(
            self.store, self.config, paths,
            attributes=attributes, speakers=speakers, allow_pii=allow_pii, skip_bad=skip_bad, user=self.user,
            progress=progress,
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
                    "layout": r["layout"],
                    "turns": r["turns"],
                    "words": r["words"],
                    "cases": sorted((r["cases"] or "").split(",")) if r["cases"] else [],
                    "attributes": attrs.get(r["id"], {}),
                }
            )
        return out

    def transcripts(self) -> pd.DataFrame:
        import pandas as pd

        rows = self.transcript_rows()
        return pd.DataFrame(rows, columns=["id", "file", "format", "layout", "turns", "words", "cases", "attributes"])

    def transcript(self, transcript_id: str) -> dict[str, Any]:
        """One transcript with its turns (fragments), attributes, the layout it was read as, its
        header and footer notes, and the reader's notes (each fragment lists the notes on it)."""
        t = self.store.transcript(transcript_id)
        if t is None:
            raise InputError(f"unknown transcript {transcript_id!r}; see `qualcode transcripts list`")
        frags = self.store.fragments(transcript_id)
        notes = json.loads(t["notes"])
        on_turn: dict[int, list[str]] = {}
        for note in notes:
            for n in note["turns"]:
                on_turn.setdefault(n, []).append(note["kind"])
        return {
            "id": t["id"],
            "file": t["file"],
            "format": t["format"],
            "layout": t["layout"],
            "text_hash": t["text_hash"],
            "attributes": self._attribute_map("transcript").get(t["id"], {}),
            "speakers": json.loads(t["speakers"]),
            "pii_allowed": bool(t["pii_allowed"]),
            "header": t["header"],
            "footer": t["footer"],
            "notes": notes,
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
                    "notes": on_turn.get(f["n"], []),
                }
                for f in frags
            ],
        }

    def speaker_report(self, target: str | Path, speakers: str | Path | None = None) -> dict[str, Any]:
        """``transcripts speakers``: the speaker labels of a file (read now, before or after
        ingest) or of a stored transcript, how many turns and words each has, and the case each
        was mapped to and by which rule (:mod:`qualcode.transcripts.speakers`), with the notes.

        A file is mapped as ingest would map it now: with ``speakers`` (default ``[ingest]
        speakers``) and the cases the project knows.
        """
        path = Path(target)
        if path.is_file() or path.suffix.lower() in SUPPORTED_EXTENSIONS:
            speaker_map = speaker_map_of(self.config, speakers)
            known_labels = speaker_map.labels_for_file(path) if speaker_map else ()
            parsed = read_transcript(path, interviewer_labels=self.config.interviewer_labels, speakers=known_labels)
            known = self.store.case_ids() | set(parsed.speakers.values())
            if speaker_map is not None:
                known |= speaker_map.cases()
            plan = plan_speakers(parsed, speaker_map, known)
            return {"transcript": parsed.id, "file": str(path), "layout": parsed.layout,
                    "speakers": [r.to_dict() for r in plan.rows],
                    "notes": [n.to_dict() for n in [*parsed.notes, *plan.notes]]}
        t = self.store.transcript(str(target))
        if t is None:
            raise InputError(f"no such file or transcript {str(target)!r}; see `qualcode transcripts list`")
        return {"transcript": t["id"], "file": t["file"], "layout": t["layout"],
                "speakers": json.loads(t["speaker_plan"]), "notes": json.loads(t["notes"])}

    def check_anonymity(self, *, names_only: bool = False, progress: Progress | None = None) -> list[StoredFinding]:
        """``anonymity check``: personal data in the stored transcripts (text and header notes),
        found with the current ``[anonymity]`` settings (see :mod:`qualcode.anonymity.check`)."""
        terms = SensitiveTerms.from_config(self.config.anonymity)
        return check_stored(self.store, terms, names_only=names_only, progress=progress)

    def sentences(self, transcript_id: str) -> list[dict[str, Any]]:
        """Sentences of the respondent turns of a transcript (the second coding unit)."""

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
        eff = self.case_attribute_details()
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

    def cases(self) -> pd.DataFrame:
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
        eff = self.case_attribute_details().get(case_id, {})
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

    def case_attribute_details(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every case's effective attributes: ``{case: {key: {value, type, source}}}`` (own
        attributes, plus the transcript attributes all its transcripts share; see
        :func:`qualcode.transcripts.attributes.effective_case_attributes`)."""
        return effective_case_attributes(self.store.attributes("transcript"), self.store.attributes("case"),
                                         self.store.case_transcript_links())

    # -- codebook ---------------------------------------------------------------------------
    def codebook(self, path: str | Path | None = None) -> Codebook:
        """The project's codebook (``[project] codebook``), loaded and validated once per Project."""
        key = str(path or self.config.codebook_path)
        if key not in self._codebooks:
            self._codebooks[key] = load_codebook(key)
        return self._codebooks[key]

    def reload_codebook(self) -> None:
        """Forget the loaded codebook(s): the next :meth:`codebook` reads the file again (after an edit)."""
        self._codebooks.clear()

    # -- suggestions and codings ----------------------------------------------------------------
    def suggest(
        self,
        transcripts: Sequence[str] | None = None,
        *,
        engine: str = "rules",
        codes: str | None = None,
        min_score: float = 0.35,
        processes: int = 1,
        model_coder: str | None = None,
        progress: Progress | None = None,
    ) -> tuple[int | None, list[dict[str, Any]]]:
        """Suggest codes for respondent fragments as one run; returns (run id, new suggestions)."""

        return run_suggest(
            self.store, self.codebook(), user=self.user, transcripts=transcripts, engine=engine, codes=codes,
            min_score=min_score, processes=processes, spacy_model=self.config.spacy_model,
            model_coder=model_coder, progress=progress,
        )

    def explain(self, fragment: str | None = None, *, text: str | None = None,
                codes: str | None = None) -> dict[str, Any]:
        """Every hit, modifier, roll-up and score behind the rule engine's suggestions for one
        fragment or a free text (``qualcode suggest --explain``); see :func:`qualcode.suggest.run.explain`."""

        return explain_suggestions(self.store, self.codebook(), fragment=fragment, text=text, codes=codes,
                                   spacy_model=self.config.spacy_model)

    def suggestion_rows(
        self,
        *,
        status: str | None = "open",
        engine: str | None = None,
        codes: str | None = None,
        transcripts: Sequence[str] | None = None,
        min_score: float | None = None,
    ) -> list[dict[str, Any]]:

        rows = self.store.query_suggestions(
            status=status, engine=engine, code_prefix=codes, transcript_ids=transcripts, min_score=min_score
        )
        return [suggestion_record(r) for r in rows]

    def suggestions(self, **kwargs: Any) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.suggestion_rows(**kwargs))

    def coding_rows(
        self,
        *,
        coders: Sequence[str] | None = None,
        codes: str | None = None,
        transcripts: Sequence[str] | None = None,
        status: str | None = "active",
    ) -> list[dict[str, Any]]:
        """``codings``: ``{id, coder, code, fragment, transcript, case, start, end, text, memo, origin}``."""

        rows = self.store.query_codings(coders=coders, code_prefix=codes, transcript_ids=transcripts, status=status)
        return [coding_record(r) for r in rows]

    def codings(self, **kwargs: Any) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.coding_rows(**kwargs))

    def code(
        self,
        fragment: str,
        codes: Sequence[str],
        *,
        coder: str,
        quote: str | None = None,
        span: tuple[int, int] | None = None,
        stance: str | None = None,
        memo: str | None = None,
    ) -> list[int]:
        """Apply codes to a fragment (or part of it) by hand; one run. Returns the coding ids."""

        cb = self.codebook()
        with self.store.run("code", self.user, {"fragment": fragment, "codes": list(codes), "coder": coder}, cb.hash):
            self.store.remember_codebook(cb.hash, cb.id, ",".join(cb.files), cb.to_dict())
            return [
                add_coding(self.store, cb, coder=coder, code=c, fragment_id=fragment, quote=quote, span=span,
                           stance=stance, memo=memo)
                for c in codes
            ]

    def uncode(self, fragment: str, codes: Sequence[str] | None = None, *, coder: str) -> int:
        """Remove a coder's codings (all, or the given codes) from a fragment; one run."""

        with self.store.run("uncode", self.user, {"fragment": fragment, "codes": list(codes or []), "coder": coder}):
            return remove_codings(self.store, coder=coder, fragment_id=fragment, codes=codes)

    def accept_all(
        self, *, coder: str, min_score: float = 0.0, engine: str | None = None, codes: str | None = None,
        transcripts: Sequence[str] | None = None,
    ) -> tuple[int | None, int]:
        """Accept every open suggestion (above ``min_score``) as codings of ``coder``; one run."""

        cb = self.codebook()
        rows = self.store.query_suggestions(status="open", engine=engine, code_prefix=codes,
                                            transcript_ids=transcripts, min_score=min_score)
        rows = [r for r in rows if r["code"] in cb.codes and cb.codes[r["code"]].codable]
        if not rows:
            return None, 0
        params = {"coder": coder, "min_score": min_score, "engine": engine, "codes": codes}
        with self.store.run("accept-all", self.user, params, cb.hash) as run_id:
            self.store.remember_codebook(cb.hash, cb.id, ",".join(cb.files), cb.to_dict())
            for r in rows:
                accept_suggestion(self.store, cb, r["id"], coder)
            self.store.set_run_summary(run_id, {"accepted": len(rows)})
        return run_id, len(rows)

    def review(self, coder: str, transcripts: Sequence[str] | None = None, *, blind: bool = False,
               min_score: float = 0.0, engine: str | None = None) -> ReviewSession:
        """A review session for ``coder`` over ``transcripts`` (default: all), resuming where the
        coder stopped: the library side of ``qualcode review`` (see :class:`ReviewSession`). A code
        made in the session (in-vivo coding) is written to the project's codebook file."""
        where = CodebookFile(self.config.codebook_path, self.root, self._typology_file())
        return ReviewSession(self.store, self.codebook(), coder, transcripts, blind=blind, min_score=min_score,
                             engine=engine, user=self.user, lang=self.config.language or "nl",
                             codebook_file=where, on_codebook_change=self.reload_codebook)

    def memo(self, target_kind: str, target_id: str | None, text: str, *, coder: str | None = None) -> int:
        """Add a memo to the project, a code, fragment, case, transcript or coding."""

        if target_kind == "code" and target_id:
            resolve_code(self.codebook(), target_id)
        elif target_kind == "fragment" and target_id and self.store.fragment(target_id) is None:
            raise InputError(f"unknown fragment {target_id!r}")
        elif target_kind == "case" and target_id and target_id not in self.store.case_ids():
            raise InputError(f"unknown case {target_id!r}")
        elif target_kind == "transcript" and target_id and self.store.transcript(target_id) is None:
            raise InputError(f"unknown transcript {target_id!r}")
        with self.store.run("memo", self.user, {"target": f"{target_kind}:{target_id or ''}"}):
            return add_memo(self.store, target_kind=target_kind, target_id=target_id, text=text, coder=coder)

    def memo_rows(self, target_kind: str | None = None, target_id: str | None = None) -> list[dict[str, Any]]:
        return self.store.query_memos(target_kind, target_id)

    # -- finding things: search and word frequencies (qualcode.explore) ------------------------------
    def turns(self, *, where: Sequence[str] = (), in_code: str | None = None, coded_by: str | None = None,
              transcripts: Sequence[str] | None = None, interviewer: bool = False) -> list[Turn]:
        """The turns a search or word count looks at: respondent turns (``interviewer=True``:
        interviewer turns too) of ``transcripts`` (default: all), of cases matching every
        ``where`` (``"gemeente=Havenstad"``; the same attribute twice: either value), with a
        coding under ``in_code`` and/or by ``coded_by`` (:mod:`qualcode.explore.turns`)."""
        chosen = TurnFilter(where=list(where), in_code=in_code, coded_by=coded_by,
                            transcripts=list(transcripts) if transcripts else None, interviewer=interviewer)
        return select_turns(self.store, self.codebook(), self.case_attribute_values(), chosen)

    def _nlp(self) -> Any:
        return get_nlp(self.config.spacy_model, self.config.language or "nl")

    def search_hits(self, pattern: str, *, lemma: bool = False, regex: bool = False, case_sensitive: bool = False,
                    context: int = 40, progress: Progress | None = None,
                    **filters: Any) -> tuple[Query, list[Turn], list[Hit]]:
        """(the query, the turns searched, the hits): see :meth:`search`."""
        if lemma and regex:
            raise InputError("--lemma and --regex are two ways to read the pattern: choose one")
        query = Query(pattern, "lemma" if lemma else "regex" if regex else "words", case_sensitive)
        turns = self.turns(**filters)
        nlp = self._nlp() if lemma else None
        hits = find_hits(turns, query, nlp=nlp, blank_pipeline=not self.config.spacy_model, context=context,
                         progress=progress)
        return query, turns, hits

    def search(self, pattern: str, *, lemma: bool = False, regex: bool = False, case_sensitive: bool = False,
               context: int = 40, counts: str | None = None, progress: Progress | None = None,
               **filters: Any) -> pd.DataFrame:
        """``qualcode search``: where ``pattern`` occurs in the turns, keyword in context: one row per
        hit with ``fragment, case, left, hit, right, transcript, speaker, start, end`` (offsets in
        the transcript, as codings have). ``pattern``: words and phrases (``*`` for any letters),
        lemmas (``lemma=True``) or a regular expression (``regex=True``); case is ignored unless
        ``case_sensitive``. ``counts="case"`` or a case attribute: hits, turns with hits and turns
        searched per group instead. Filters as :meth:`turns` (``where``, ``in_code``, ``coded_by``,
        ``transcripts``, ``interviewer``). See :mod:`qualcode.explore.search`."""
        values = self.case_attribute_values()
        if counts is not None:
            check_group(counts, values)
        query, turns, hits = self.search_hits(pattern, lemma=lemma, regex=regex, case_sensitive=case_sensitive,
                                              context=context, progress=progress, **filters)
        if counts is not None:
            return count_frame(hits, turns, counts, values, query, self.config.language or "nl")
        return kwic_frame(hits, query, len(turns))

    def code_search_hits(self, pattern: str, code: str, coder: str, *, whole_turn: bool = False,
                         lemma: bool = False, regex: bool = False, case_sensitive: bool = False, context: int = 40,
                         progress: Progress | None = None, **filters: Any) -> tuple[BulkCoding, pd.DataFrame]:
        """``qualcode search PATTERN --code CODE --coder NAME``: code every hit (or with
        ``whole_turn`` every turn with a hit) for ``coder`` as ONE run that ``runs undo`` takes
        back (:func:`qualcode.coding.apply.code_spans`; origin ``search``). Interviewer turns are
        refused. Returns what was done and the hits (as :meth:`search`)."""
        query, turns, hits = self.search_hits(pattern, lemma=lemma, regex=regex, case_sensitive=case_sensitive,
                                              context=context, progress=progress, **filters)
        if not hits:
            raise InputError(f"{describe(query, 0, len(turns))}: nothing to code")
        starts = {t.fragment: t for t in turns}
        if whole_turn:
            spans = [(f, 0, len(starts[f].text)) for f in dict.fromkeys(h.fragment for h in hits)]
        else:
            spans = [(h.fragment, h.start - starts[h.fragment].start, h.end - starts[h.fragment].start) for h in hits]
        params = {"pattern": pattern, "mode": query.mode, "whole_turn": whole_turn, "hits": len(hits)}
        done = code_spans(self.store, self.codebook(), coder=coder, code=code, spans=spans, kind="search-code",
                          params=params, user=self.user)
        return done, kwic_frame(hits, query, len(turns))

    def words(self, *, by: str | None = None, lemma: bool = False, top: int = 20, stop: Sequence[str] = (),
              progress: Progress | None = None, **filters: Any) -> pd.DataFrame:
        """``qualcode words``: the most used words (``lemma=True``: lemmas, with their forms) per
        group: ``by`` None (all turns), ``"case"`` or a case attribute. Stop words of the project
        language (spaCy's list, plus ``stop``) are left out. Columns: [by], rank, word|lemma,
        count, per_1000, cases[, forms]; ties at the ``top`` cut are kept. Filters as :meth:`turns`.
        See :mod:`qualcode.explore.words`."""
        values = self.case_attribute_values()
        check_group(by, values)
        turns = self.turns(**filters)
        return word_frequencies(turns, self._nlp(), values, by=by, lemma=lemma, top=top, extra_stop=stop,
                                blank_pipeline=not self.config.spacy_model, progress=progress)

    # -- coding progress ------------------------------------------------------------------------
    def progress_report(self, coders: Sequence[str] | None = None,
                        transcripts: Sequence[str] | None = None) -> ProgressReport:
        """``qualcode progress``: per coder and transcript the respondent turns reviewed, coded and
        open, per coder the totals, and per pair of coders the transcripts both coded (what
        agreement is computed on) and those only one did (:mod:`qualcode.agreement.progress`)."""
        return coding_progress(self.store, coders, transcripts)

    def progress(self, coders: Sequence[str] | None = None, transcripts: Sequence[str] | None = None) -> pd.DataFrame:
        """One row per coder and transcript: ``coder, transcript, turns, reviewed, coded, open,
        reviewed_pct``; ``attrs["coders"]`` and ``attrs["pairs"]`` hold the totals per coder and
        the pairs of coders (see :meth:`progress_report`)."""
        report = self.progress_report(coders, transcripts)
        df = report.frames()["transcripts"]
        df.attrs.update({"coders": report.coders, "pairs": report.pairs})
        return df

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
        try:
            return self.store.undo_run(run_id, self.user)
        finally:
            self.reload_codebook()  # an undone rename or merge restored the codebook file

    # -- citation tables and matrices (qualcode.tables.quotes, qualcode.tables.matrix) -------------------------
    def case_attribute_values(self) -> dict[str, dict[str, Any]]:
        """Every case id -> its effective attribute values (cases without attributes map to {})."""
        eff = self.case_attribute_details()
        return {cid: {k: v["value"] for k, v in eff.get(cid, {}).items()} for cid in sorted(self.store.case_ids())}

    def table_codings(self, coders: str | Sequence[str] | None, prefix: str | None = None) -> list[dict[str, Any]]:
        """Active codings for a table, after checking the coder names (a typo must not give an empty table)."""
        names = [coders] if isinstance(coders, str) else coders
        names = check_coder_names(names, self.store.coder_names())
        return self.coding_rows(coders=names, codes=prefix or None)

    def coders_in_use(self, wanted: Sequence[str] | None = None) -> list[str]:
        """Coders with at least one active coding (restricted to ``wanted``; unknown names refused)."""
        return sorted({r["coder"] for r in self.table_codings(list(wanted) if wanted else None)})

    def coder_codings(self, coder: str | None) -> tuple[str | None, list[dict[str, Any]]]:
        """One coder's codings of respondent fragments; without ``coder`` the only coder (with
        several, an error that names them: pooling would count agreed passages twice)."""
        rows = self.coding_rows(coders=[coder] if coder else None)
        chosen, rows = one_coder(rows, coder, (r["coder"] for r in self.coding_rows()) if coder and not rows else ())
        return chosen, [dict(r) for r in rows if r.get("case")]

    def quotes(
        self,
        codes: str | Sequence[str] | None = None,
        coders: str | Sequence[str] | None = None,
        case_attrs: Sequence[str] = ("gemeente", "team"),
        max_words: int | None = None,
        context: bool = False,
        group_by: str = "code",
    ) -> pd.DataFrame:
        """Citation table: one row per coded passage (per code; several coders of one span share a row).

        Columns: code, code_label, quote, citation, case, fragment, stance, coder, then one per
        ``case_attrs``. ``codes`` is a prefix or a list of prefixes; ``citation`` is filled from the
        ``[project] citation`` template; ``max_words`` shortens with ``(...)`` at word boundaries;
        ``context`` shows the whole turn with the coded part in ``**bold**``. Rows are sorted by code
        (codebook order) or by case (``group_by``). See :mod:`qualcode.tables.quotes`.
        """

        prefixes = parse_prefixes(codes)
        case_attrs = [a.strip() for a in ([case_attrs] if isinstance(case_attrs, str) else case_attrs) if a.strip()]
        rows = self.table_codings(coders, None)
        cb = self.codebook()
        check_prefixes(prefixes, cb, (r["code"] for r in rows))
        if prefixes:
            rows = [r for r in rows if any(is_under(r["code"], p) for p in prefixes)]
        turns: dict[str, tuple[int, str]] = {}
        if context:
            texts: dict[str, str] = {}
            for frag_id in {r["fragment"] for r in rows}:
                frag = self.store.fragment(frag_id)
                if frag is None:
                    continue
                tid = frag["transcript_id"]
                if tid not in texts:
                    texts[tid] = self.store.transcript_text(tid)
                turns[frag_id] = (frag["start"], texts[tid][frag["start"] : frag["end"]])
        case_values = self.case_attribute_values()
        check_case_attrs(case_attrs, {k for attrs in case_values.values() for k in attrs})
        options = QuoteOptions(citation=self.config.citation, case_attrs=case_attrs, max_words=max_words,
                               context=context, group_by=group_by, lang=self.config.language or "nl")
        records = collect_quotes(rows, codebook=cb, case_attributes=case_values, turns=turns, options=options)
        return quotes_frame(records, case_attrs)

    def matrix(
        self,
        rows: str | Sequence[str] = "case",
        cols: str = "logic",
        depth: int | None = None,
        count: str = "codings",
        normalize: str = "none",
        coders: str | Sequence[str] | None = None,
        labels: bool = False,
        rollup: bool = False,
    ) -> pd.DataFrame:
        """Case-by-code (``rows="case"``) or attribute-by-code (``rows=["gemeente", "team"]``) counts.

        Columns are the codes under the prefix ``cols`` (collapsed to ``depth`` levels below it),
        plus a Totaal column; the last row is Totaal. ``count``: codings, cases or words;
        ``normalize``: none, row or col (percentages of the row or column total). What the totals
        mean for each choice is in :mod:`qualcode.tables.matrix` and in ``df.attrs["notes"]``.
        ``rollup``: a coding also counts for the codes its code implies (``implies:`` in the
        codebook; see :mod:`qualcode.tables.rollup`), and the notes say so.
        """

        cb = self.codebook()
        codings = self.table_codings(coders, None if rollup else cols)
        if rollup:
            codings = with_rollups(codings, cb)
        df = build_matrix(codings, codebook=cb, case_attributes=self.case_attribute_values(),
                          rows=rows, cols=cols, depth=depth, count=count, normalize=normalize, labels=labels,
                          lang=self.config.language or "nl")
        if rollup:
            df.attrs["notes"] = [*df.attrs["notes"], ROLLUP_NOTE]
        return df

    def cooccurrence(
        self,
        codes: str = "logic",
        unit: str = "turn",
        coders: str | Sequence[str] | None = None,
        depth: int | None = None,
        labels: bool = False,
    ) -> pd.DataFrame:
        """Code x code: how many units (turns, or cases) have both codes; the diagonal: units with the code."""

        codings = self.table_codings(coders, codes)
        return build_cooccurrence(codings, codebook=self.codebook(), codes=codes, unit=unit, depth=depth,
                                  labels=labels, lang=self.config.language or "nl")

    # -- typology and the table shapes of papers (qualcode.tables) ----------------------------------
    def typology_data(
        self,
        typology_path: str | Path | None = None,
        coder: str | None = None,
        level: str | None = None,
        *,
        override_attr: str = OVERRIDE_ATTR,
        lang: str | None = None,
        suggestions: str = "open",
    ) -> TypologyData:
        """The typology (default ``[project] typology``), the assignment of every case and the
        coder's codings behind it: what every typology table is computed from (see
        :func:`qualcode.tables.typology.gather`). ``coder`` may be ``auto:ENGINE``: the engine's
        suggestions (``suggestions``: ``open``, or ``all`` with accepted and rejected ones) stand
        for codings, so a typology can be scored before anyone reviews (:meth:`typology_codings`)."""
        typology = load_typology(resolve_typology_path(typology_path, self.config.typology_path),
                                 codebook_loader=self.codebook)
        coder, codings = self.typology_codings(coder, suggestions)
        own = {a["owner_id"]: from_stored(a["value"], a["type"])
               for a in self.store.attributes("case") if a["key"] == override_attr}
        legacy = {a["owner_id"]: from_stored(a["value"], a["type"])
                  for a in self.store.attributes("case") if a["key"] == LEGACY_OVERRIDE_ATTR}
        return gather(typology, codings, self.case_attribute_values(), own, coder=coder, level=level,
                      override_attr=override_attr, lang=lang or self.config.language,
                      legacy_values=legacy if override_attr == OVERRIDE_ATTR else None)

    def typology_codings(self, coder: str | None, suggestions: str = "open") -> tuple[str | None, list[dict[str, Any]]]:
        """The codings a typology is scored from, each with the ``score`` of the suggestion it was
        accepted from (None for a manual or imported coding), so the typology can weigh a 0.36
        guess below a coder's own decision.

        ``auto:ENGINE`` (as in ``qualcode agree``): that engine's suggestions of respondent turns
        as codings (origin ``suggestion:ID``, their score and stance): ``open`` ones, or with
        ``suggestions="all"`` open, accepted and rejected ones (to evaluate the engine itself).
        """
        engine = suggestion_engine(coder) if coder else None
        if engine is None:
            coder, codings = self.coder_codings(coder)
            ids = {c["id"]: int(str(c["origin"]).split(":", 1)[1]) for c in codings
                   if str(c.get("origin") or "").startswith("suggestion:")}
            scores = self.store.suggestion_scores(ids.values())
            return coder, [{**c, "score": scores.get(ids[c["id"]]) if c["id"] in ids else None} for c in codings]
        if suggestions not in SUGGESTION_SCOPES:
            raise InputError(f"--suggestions must be one of {', '.join(SUGGESTION_SCOPES)}, not {suggestions!r}")
        check_coders(self.store, [str(coder)], minimum=1)
        statuses = ("open",) if suggestions == "open" else ("open", "accepted", "rejected")
        rows = [r for status in statuses for r in self.store.query_suggestions(status=status, engine=engine)]
        if not rows:
            raise InputError(f"{coder}: engine {engine!r} has no open suggestions left (all were reviewed); "
                             "use --suggestions all to score all of them, or name a coder")
        # plain fields only: the evidence JSON of every suggestion is not needed here
        return coder, [{"id": r["id"], "coder": coder, "code": r["code"], "fragment": r["fragment_id"],
                        "transcript": r["transcript_id"], "case": r["case_id"], "start": r["start"], "end": r["end"],
                        "text": "", "stance": r["stance"], "memo": None, "origin": f"suggestion:{r['id']}",
                        "score": r["score"], "status": r["status"]} for r in rows if r.get("case_id")]

    def typology(self, typology_path: str | Path | None = None, coder: str | None = None,
                 level: str | None = None, **options: Any) -> pd.DataFrame:
        """``qualcode typology``: one row per case with ``case, [level attribute], type, type_label,
        scores, evidence, contradicting, manual``. ``level``: ``"case"`` or a case attribute (e.g.
        ``"team"``) whose values pool the codings; a case attribute ``qualcode.type`` set by hand wins."""

        return assignment_frame(self.typology_data(typology_path, coder, level, **options))

    def typology_evaluation(self, path: str | Path, typology_path: str | Path | None = None,
                            coder: str | None = None, level: str | None = None, *,
                            split: str | None = None, suggestions: str = "open") -> TypologyEvaluation:
        """``qualcode typology --evaluate FILE``: the assignment (as :meth:`typology`) against the
        known variants in FILE (``case,variant[,split]``): accuracy, coverage, accuracy where
        assigned, per-variant recall and precision, confusion, majority baseline
        (:mod:`qualcode.tables.typology_eval`). ``coder`` may be ``auto:ENGINE`` (``suggestions``:
        open or all), to evaluate the typology on an engine's suggestions without accepting them."""
        data = self.typology_data(typology_path, coder, level, suggestions=suggestions)
        type_ids = [t.id for t in data.typology.types]
        known = select_split(read_variants(path, type_ids, sorted(self.store.case_ids())), split, path, "case")
        # An abstention may carry a reason (an ``undetermined`` type): shown per case when it does.
        details = {a.case: {"scores": a.scores, "manual": a.manual, **({"reason": a.reason} if a.reason else {})}
                   for a in data.assignments}
        result = evaluate_assignment(data.type_of(), known, type_ids, source=str(path), typology=data.typology.id,
                                     coder=data.coder, level=data.level, split=split, details=details)
        manual = sorted(k.case for k in known if details.get(k.case, {}).get("manual"))
        if manual:
            result.notes.append(f"{len(manual)} case(s) have a manual type (case attribute 'type'), compared as "
                                f"assigned: {', '.join(manual)}")
        return result

    def typology_tables(
        self,
        names: Sequence[str],
        typology_path: str | Path | None = None,
        coder: str | None = None,
        level: str | None = None,
        *,
        options: TypologyTableOptions | None = None,
        data: TypologyData | None = None,
    ) -> dict[str, pd.DataFrame]:
        """Typology tables by name (``assignment``, ``distribution``, ``profile``, ``strategies``,
        ``appendix``: :func:`qualcode.tables.typology_tables.typology_table`), from one assignment
        (``data``, else :meth:`typology_data`)."""
        data = data or self.typology_data(typology_path, coder, level)
        opts = options or TypologyTableOptions(citation=self.config.citation)
        turn = self.turn_lookup() if "appendix" in names else None
        return {name: typology_table(name, data, self.codebook(), opts, turn) for name in names}

    def _typology_table(self, name: str, typology_path: str | Path | None, coder: str | None, level: str | None,
                        options: dict[str, Any]) -> pd.DataFrame:
        opts = TypologyTableOptions(**({"citation": self.config.citation} | options))
        return self.typology_tables([name], typology_path, coder, level, options=opts)[name]

    def type_distribution(self, typology_path: str | Path | None = None, coder: str | None = None,
                          level: str | None = None, **options: Any) -> pd.DataFrame:
        """Respondents per type, municipality and team with id ranges (options:
        :class:`qualcode.tables.typology_tables.TypologyTableOptions`)."""
        return self._typology_table("distribution", typology_path, coder, level, options)

    def type_profile(self, typology_path: str | Path | None = None, coder: str | None = None,
                     level: str | None = None, **options: Any) -> pd.DataFrame:
        """Dominant pole per profile aspect and type, by majority rule (options such
        as ``majority=0.6`` and ``counts=True``)."""
        return self._typology_table("profile", typology_path, coder, level, options)

    def type_strategies(self, typology_path: str | Path | None = None, coder: str | None = None,
                        level: str | None = None, **options: Any) -> pd.DataFrame:
        """Discretion strategies per type and their classification (options such as
        ``by_code=True``)."""
        return self._typology_table("strategies", typology_path, coder, level, options)

    def type_context(self, attr: str = "caseload", typology_path: str | Path | None = None,
                     coder: str | None = None, level: str | None = None, **options: Any) -> pd.DataFrame:
        """A numeric attribute per team and per type, the type's value being the mean of its team
        means (:func:`qualcode.tables.context.context_numbers`)."""

        return context_numbers(self.typology_data(typology_path, coder, level), attr, **options)

    def type_features(self, features: Sequence[str], typology_path: str | Path | None = None,
                      coder: str | None = None, level: str | None = None, **options: Any) -> pd.DataFrame:
        """Yes/no team features per type as Ja / Nee / Deels (
        :func:`qualcode.tables.context.context_features`)."""

        return context_features(self.typology_data(typology_path, coder, level), list(features), **options)

    def type_appendix(self, typology_path: str | Path | None = None, coder: str | None = None,
                      level: str | None = None, **options: Any) -> pd.DataFrame:
        """Quotes that justify each type per team and feature, plus contradicting evidence
        (options such as ``max_quotes`` and ``max_words``)."""
        return self._typology_table("appendix", typology_path, coder, level, options)

    def turn_lookup(self) -> Callable[[str], tuple[int, str] | None]:
        """``fragment id -> (turn start, turn text)``, reading each transcript's text once."""
        texts: dict[str, str] = {}

        def turn(fragment_id: str) -> tuple[int, str] | None:
            f = self.store.fragment(fragment_id)
            if f is None:
                return None
            tid = f["transcript_id"]
            if tid not in texts:
                texts[tid] = self.store.transcript_text(tid)
            return f["start"], texts[tid][f["start"]:f["end"]]

        return turn

    def data_overview(self, **options: Any) -> pd.DataFrame:
        """Group and individual interviews, respondents (and observations) per team, with a total
        row (options: :func:`qualcode.tables.overview.data_overview`)."""

        attrs = {r["id"]: r["attributes"] for r in self.case_rows()}
        return data_overview(self.transcript_rows(), attrs, **options)

    def respondent_overview(self, **options: Any) -> pd.DataFrame:
        """Respondents per municipality x job title x client group, with totals (
        options: :func:`qualcode.tables.overview.respondent_overview`)."""

        return respondent_overview({r["id"]: r["attributes"] for r in self.case_rows()}, **options)

    def logics_by_dimension(self, coder: str | None = None, **options: Any) -> pd.DataFrame:
        """Respondents voicing each logic on each dimension, with the stance split and optional
        quantifier words (options: :func:`qualcode.tables.dimensions.dimensions`)."""

        coder, codings = self.coder_codings(coder)
        options.setdefault("total", len(self.store.case_ids()))
        options.setdefault("lang", self.config.language or "nl")
        return dimensions(codings, self.codebook(), coder=coder, **options)

    def aspects_by_group(self, group_attr: str, coder: str | None = None, **options: Any) -> pd.DataFrame:
        """Respondents per respondent group mentioning each aspect of professional practice, "niet
        genoemd" for none (options: :func:`qualcode.tables.aspects.aspects`)."""

        coder, codings = self.coder_codings(coder)
        attrs = {r["id"]: r["attributes"] for r in self.case_rows()}
        options.setdefault("lang", self.config.language or "nl")
        return aspects(codings, self.codebook(), attrs, group_attr=group_attr, coder=coder, **options)

    # -- agreement, disagreements, consensus, exchange files (issue 5) -------------------------------
    def agreement_report(self, coders: Sequence[str], **options: Any) -> AgreementResult:
        """Agreement per code and pooled as an :class:`qualcode.agreement.compute.AgreementResult` (``.to_dict()``
        is the JSON of ``qualcode agree``). Options: unit, overlap, codes, group, transcripts, rated,
        suggestions (see :func:`qualcode.agreement.compute.agreement`)."""

        return agreement(self.store, self.codebook(), coders, **options)

    def agreement(self, coders: Sequence[str], **options: Any) -> pd.DataFrame:
        """Agreement as a DataFrame, one row per code (and scope) plus overall; ``.attrs["note"]`` holds
        the methods note. ``Project.open(p).agreement(["anna", "bram"], unit="sentence")``."""
        return self.agreement_report(coders, **options).to_frame()

    def disagreement_rows(self, coders: Sequence[str], **options: Any) -> list[dict[str, Any]]:
        """Turns the coders coded differently: ``{fragment, transcript, case, text, codes, agreed, disputed,
        memos, codings}``. Options: codes, transcripts, rated, suggestions."""

        return disagreements(self.store, coders, **options)

    def disagreements(self, coders: Sequence[str], **options: Any) -> pd.DataFrame:

        return disagreements_frame(self.disagreement_rows(coders, **options), list(coders))

    def consensus(self, coders: Sequence[str], name: str, *, resolve: Any = None, **options: Any) -> ConsensusReport:
        """Make coder ``name`` from the agreed codings of ``coders`` (and disagreements resolved by
        ``resolve``; without it: agreed only); one run. Returns a ``ConsensusReport``."""

        return consensus(self.store, self.codebook(), coders=coders, name=name, user=self.user, resolve=resolve,
                         **options)

    def export_codings(self, coder: str, path: str | Path) -> int:
        """Write a coder's codings to an exchange file (.csv, .jsonl or .json); returns how many."""

        return export_codings(self.store, coder, path)

    def import_codings(self, path: str | Path, as_coder: str | None = None) -> ImportReport:
        """Import an exchange file (all rows checked first; one run; idempotent). Returns an ``ImportReport``."""

        return import_codings(self.store, self.codebook(), path, as_coder=as_coder, user=self.user)

    # -- frequencies ----------------------------------------------------------------------------
    def code_frequencies(self, coders: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Codings per code in codebook order: ``code, label, depth, codings`` (the code itself),
        ``incl_subcodes``, ``cases``, and one column per coder when several coded (the report's
        frequency table; see :func:`qualcode.tables.frequencies.code_frequencies`)."""
        rows = self.table_codings([coders] if isinstance(coders, str) else coders)
        return code_frequencies(rows, self.codebook(), self.config.language or "nl")

    # -- codebook changes that codings follow (qualcode.coding.recode) ----------------------------------
    def _recode(self, change: Callable[..., CodeChange], *args: Any, **options: Any) -> CodeChange:
        """Run a codebook change on the file as it is on disk now, then forget the cached codebook."""
        self.reload_codebook()
        try:
            return change(self.store, self.config.codebook_path, *args, root=self.root, user=self.user,
                          typology_path=self._typology_file(), **options)
        finally:
            self.reload_codebook()

    def _typology_file(self) -> Path | None:
        return self.config.typology_path if self.config.typology else None

    def add_code(self, code: str, label: str, *, label_en: str | None = None, parent: str | None = None,
                 definition: str | None = None, examples: Sequence[str] = (), codable: bool = True) -> CodeChange:
        """``codes add``: a new code in the codebook YAML, the last child of its parent (``code`` a
        full dotted id, or a segment under ``parent``), written in the file's own layout; one run
        that can be undone. A codable code needs a definition; ``codable=False`` makes a grouping code."""
        new = NewCode(new_code_id(code, parent), label, label_en or "", definition or "", list(examples), codable)
        return self._recode(add_code, new)

    def delete_code(self, code: str, *, merge_into: str | None = None) -> CodeChange:
        """``codes delete``: take a code out of the codebook; refused while codings or suggestions
        carry it or codes lie under it, unless ``merge_into`` names the code that takes them over
        (then it is :meth:`merge_codes`). One run that can be undone."""
        return self._recode(delete_code, code, merge_into=merge_into)

    def rename_code(self, old: str, new: str) -> CodeChange:
        """``codes rename``: give a code (and its subtree) a new id; YAML, codings, suggestions
        and code memos follow in one run that can be undone."""
        return self._recode(rename_code, old, new)

    def merge_codes(self, source: str, target: str) -> CodeChange:
        """``codes merge``: ``source``'s codings (without duplicates), suggestions, memos and
        children go to ``target``; ``source`` leaves the codebook. One run."""
        return self._recode(merge_codes, source, target)

    def move_code(self, code: str, new_parent: str | None) -> CodeChange:
        """``codes move``: put a code and its subtree under ``new_parent`` (``None``/``"-"``: top
        level). One run."""
        return self._recode(move_code, code, new_parent)

    # -- the model engine and evaluation of suggesters (issue 4) --------------------------------
    def train(self, coder: str, *, min_examples: int = 5, folds: int = 5, kind: str = "auto",
              progress: Progress | None = None) -> TrainResult:
        """``qualcode train``: learn a classifier from ``coder``'s codings (unit: respondent turn),
        cross-validate it per code and store it as one run. Returns a ``TrainResult``; codes with
        fewer than ``min_examples`` coded turns are in ``.skipped`` with a note."""

        return train_model(self.store, self.codebook(), coder, min_examples=min_examples, folds=folds, kind=kind,
                           user=self.user, progress=progress)

    def model_rows(self, coder: str | None = None) -> list[dict[str, Any]]:
        """Stored models, newest first: ``{id, coder, kind, created_at, codes, skipped, fragments, micro_f1}``."""

        return model_rows(self.store, coder)

    def evaluation_report(self, coder: str, engine: str = "rules", *, codes: str | None = None,
                          manual_only: bool = False, min_score: float | None = None) -> dict[str, Any]:
        """``qualcode evaluate --format json``: what was compared (unit, reference, suggestion
        statuses, transcripts), per-code rows, the pooled row and notes."""

        return evaluation_report(self.store, self.codebook(), coder, engine, codes, manual_only=manual_only,
                                 min_score=min_score)

    def evaluate(self, coder: str, engine: str = "rules", *, codes: str | None = None,
                 manual_only: bool = False, min_score: float | None = None) -> list[dict[str, Any]]:
        """An engine's suggestions against ``coder``'s codings per code at turn level (tp, fp, fn,
        tn, precision, recall, F1, Cohen's kappa), then a pooled row (code ``(pooled)``)."""

        return evaluate(self.store, self.codebook(), coder, engine, codes, manual_only=manual_only,
                        min_score=min_score)

    def evaluate_gold(self, path: str | Path, *, engine: str = "rules", split: str | None = None,
                      codes: str | None = None, min_score: float | None = None,
                      codebook: str | Path | None = None, model_coder: str | None = None,
                      progress: Progress | None = None) -> GoldReport:
        """``qualcode evaluate --gold FILE`` in a project: run ``engine`` on the gold items (texts,
        or fragment ids of this project) and score it per code and family, with the majority and
        all-siblings baselines, top-1 and calibration (:mod:`qualcode.suggest.gold`)."""
        cb = self.codebook(codebook)
        items = select_split(read_gold(path, cb), split, path)
        turn = self.turn_lookup()
        texts = gold_texts(items, lambda fid: (found[1] if (found := turn(fid)) else None), path)
        eng = get_engine(engine, cb, spacy_model=self.config.spacy_model, store=self.store, coder=model_coder)
        return evaluate_gold(items, texts, cb, eng, engine_name=engine, source=path, split=split, codes=codes,
                             min_score=min_score, progress=progress)

