"""All SQL lives here: the project database (SQLite), its migrations, runs and undo.

Why one module: the rest of qualcode talks to storage through these functions only, so a
shared server database can be added later without touching commands or analyses.

Every change made inside a run is written to a journal (table, key, before, after). Undoing a
run replays its journal backwards after checking that no later run changed the same rows, so
any bulk step (ingest, suggest, accept-all, import, rename, merge) can be undone as a whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qualcode.atomic import write_text
from qualcode.errors import InputError

SCHEMA_VERSION = 4

# Numbered migrations (sqlite-utils style): index i upgrades user_version i -> i+1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        user TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        codebook_hash TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        undone_by INTEGER,
        summary TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
        before TEXT,
        after TEXT
    );
    CREATE INDEX journal_run ON journal(run_id);
    CREATE INDEX journal_row ON journal(tbl, row_key);
    CREATE TABLE coders (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'human',
        created_at TEXT NOT NULL,
        note TEXT
    );
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    CREATE TABLE attributes (
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('case', 'transcript')),
        owner_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean')),
        source TEXT NOT NULL,
        PRIMARY KEY (owner_kind, owner_id, key)
    );
    CREATE TABLE transcripts (
        id TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        format TEXT NOT NULL,
        text TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        source_hash TEXT NOT NULL,
        default_case TEXT,
        speakers TEXT NOT NULL DEFAULT '{}',
        pii_allowed INTEGER NOT NULL DEFAULT 0,
        ingested_at TEXT NOT NULL,
        run_id INTEGER
    );
    CREATE TABLE fragments (
        id TEXT PRIMARY KEY,
        transcript_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        speaker TEXT NOT NULL,
        is_interviewer INTEGER NOT NULL,
        case_id TEXT,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        line INTEGER,
        words INTEGER NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        UNIQUE (transcript_id, n)
    );
    CREATE INDEX fragments_case ON fragments(case_id);
    CREATE TABLE codebooks (
        hash TEXT PRIMARY KEY,
        codebook_id TEXT,
        path TEXT,
        content TEXT NOT NULL,
        loaded_at TEXT NOT NULL
    );
    CREATE TABLE codings (
        id INTEGER PRIMARY KEY,
        coder TEXT NOT NULL,
        code TEXT NOT NULL,
        transcript_id TEXT NOT NULL,
        fragment_id TEXT,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        stance TEXT,
        memo TEXT,
        origin TEXT NOT NULL,
        suggestion_id INTEGER,
        run_id INTEGER,
        codebook_hash TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'orphaned'))
    );
    CREATE INDEX codings_coder ON codings(coder, code);
    CREATE INDEX codings_transcript ON codings(transcript_id);
    CREATE TABLE suggestions (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        engine TEXT NOT NULL,
        code TEXT NOT NULL,
        transcript_id TEXT NOT NULL,
        fragment_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL DEFAULT '[]',
        stance TEXT,
        status TEXT NOT NULL DEFAULT 'open'
            CHECK (status IN ('open', 'accepted', 'rejected', 'orphaned')),
        decided_by TEXT,
        decided_at TEXT,
        codebook_hash TEXT
    );
    CREATE INDEX suggestions_fragment ON suggestions(fragment_id);
    CREATE INDEX suggestions_status ON suggestions(status, engine);
    CREATE TABLE memos (
        id INTEGER PRIMARY KEY,
        target_kind TEXT NOT NULL
            CHECK (target_kind IN ('project', 'code', 'fragment', 'case', 'transcript', 'coding')),
        target_id TEXT,
        coder TEXT,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        run_id INTEGER
    );
    CREATE TABLE review_positions (
        coder TEXT NOT NULL,
        scope TEXT NOT NULL,
        fragment_id TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (coder, scope)
    );
    CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        coder TEXT NOT NULL,
        engine TEXT NOT NULL,
        created_at TEXT NOT NULL,
        codebook_hash TEXT,
        metrics TEXT NOT NULL DEFAULT '{}',
        blob BLOB NOT NULL,
        run_id INTEGER
    );
    """,
    # 2: look-ups the review screen makes per key press
    """
    CREATE INDEX codings_fragment ON codings(fragment_id);
    CREATE INDEX memos_target ON memos(target_kind, target_id);
    """,
    # 3: what the reader found around the turns: the layout it recognised, the header before the
    # first turn and a service's footer lines (not speech, kept), its notes on doubtful speaker
    # labels (JSON list) and how each label was mapped to a case (JSON list)
    """
    ALTER TABLE transcripts ADD COLUMN layout TEXT NOT NULL DEFAULT '';
    ALTER TABLE transcripts ADD COLUMN header TEXT NOT NULL DEFAULT '';
    ALTER TABLE transcripts ADD COLUMN footer TEXT NOT NULL DEFAULT '';
    ALTER TABLE transcripts ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE transcripts ADD COLUMN speaker_plan TEXT NOT NULL DEFAULT '[]';
    """,
    # 4: the manual type of a case moved from the attribute `type` to the reserved `qualcode.type`
    # (qualcode.tables.typology.OVERRIDE_ATTR). Values set by hand (`cases set`, source 'manual')
    # move, with the journal entries that refer to them so undo still finds them; `type` values
    # from a CSV, front matter or an import stay what they always were meant to be: an attribute.
    """
    UPDATE journal SET
        row_key = replace(row_key, '{"key": "type", ', '{"key": "qualcode.type", '),
        before = replace(before, '{"key": "type", ', '{"key": "qualcode.type", '),
        after = replace(after, '{"key": "type", ', '{"key": "qualcode.type", ')
    WHERE tbl = 'attributes'
      AND json_extract(row_key, '$.owner_kind') = 'case' AND json_extract(row_key, '$.key') = 'type'
      AND EXISTS (SELECT 1 FROM attributes a WHERE a.owner_kind = 'case' AND a.key = 'type'
                  AND a.source = 'manual' AND a.owner_id = json_extract(journal.row_key, '$.owner_id'))
      AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.owner_kind = 'case' AND a.key = 'qualcode.type'
                      AND a.owner_id = json_extract(journal.row_key, '$.owner_id'));
    UPDATE attributes SET key = 'qualcode.type'
    WHERE owner_kind = 'case' AND key = 'type' AND source = 'manual'
      AND NOT EXISTS (SELECT 1 FROM attributes a WHERE a.owner_kind = 'case' AND a.key = 'qualcode.type'
                      AND a.owner_id = attributes.owner_id);
    """,
]

# Primary-key columns per table, for journaling and undo.
KEYS: dict[str, tuple[str, ...]] = {
    "coders": ("name",),
    "cases": ("id",),
    "attributes": ("owner_kind", "owner_id", "key"),
    "transcripts": ("id",),
    "fragments": ("id",),
    "codebooks": ("hash",),
    "codings": ("id",),
    "suggestions": ("id",),
    "memos": ("id",),
    "review_positions": ("coder", "scope"),
    "models": ("id",),
}


FILE_TABLE = "file"  # journal entries for project files (not a database table)


def now() -> str:
    """UTC time stamp, ISO 8601 to the second: sortable and readable in exports."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _q(name: str) -> str:
    return f'"{name}"'


@dataclass
class Run:
    id: int
    kind: str
    started_at: str
    finished_at: str | None
    user: str
    params: dict[str, Any]
    codebook_hash: str | None
    status: str
    undone_by: int | None
    summary: dict[str, Any]


class Store:
    """A connection to one project database with journaled writes.

    Writes go through :meth:`insert`, :meth:`update` and :meth:`delete`; inside :meth:`run`
    they are journaled and the whole run is one transaction, so a failing command leaves the
    database as it was.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA journal_mode = WAL")  # crash-safe, readers don't block the writer
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.run_id: int | None = None
        self._in_tx = False
        self._pending_files: list[tuple[Path, str | None]] = []
        self.migrate()

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(
                f"database schema version {version} is newer than this qualcode ({SCHEMA_VERSION}); upgrade qualcode",
                file=self.path,
            )
        for i in range(version, SCHEMA_VERSION):
            self.conn.execute("BEGIN IMMEDIATE")
            for statement in _split_sql(MIGRATIONS[i]):
                self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {i + 1}")
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    # -- transactions and runs ------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic transaction; nested calls join the outer one."""
        if self._in_tx:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_tx = False

    @contextmanager
    def run(
        self, kind: str, user: str, params: dict[str, Any] | None = None, codebook_hash: str | None = None
    ) -> Iterator[int]:
        """A journaled bulk step. Yields the run id; everything inside is one transaction."""
        if self.run_id is not None:
            yield self.run_id  # nested: part of the outer run
            return
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO runs (kind, started_at, user, params, codebook_hash) VALUES (?, ?, ?, ?, ?)",
                (kind, now(), user, _dumps(params or {}), codebook_hash),
            )
            run_id = cur.lastrowid
            assert run_id is not None  # set by every INSERT into a rowid table
            self.run_id = run_id
            try:
                yield self.run_id
                self.conn.execute(
                    "UPDATE runs SET status = 'done', finished_at = ? WHERE id = ?", (now(), self.run_id)
                )
                self._flush_files()
            finally:
                self.run_id = None
                self._pending_files = []

    def set_run_summary(self, run_id: int, summary: dict[str, Any]) -> None:
        self.conn.execute("UPDATE runs SET summary = ? WHERE id = ?", (_dumps(summary), run_id))

    def discard_run_if_empty(self, run_id: int) -> None:
        """Drop a run that changed nothing (e.g. re-ingesting unchanged files), keeping the log useful."""
        n = self.conn.execute("SELECT count(*) FROM journal WHERE run_id = ?", (run_id,)).fetchone()[0]
        if n == 0:
            self.conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    def list_runs(self, include_undone: bool = True) -> list[Run]:
        sql = "SELECT * FROM runs"
        if not include_undone:
            sql += " WHERE status != 'undone'"
        rows = self.conn.execute(sql + " ORDER BY id").fetchall()
        counts = dict(self.conn.execute("SELECT run_id, count(*) FROM journal GROUP BY run_id").fetchall())
        out = []
        for r in rows:
            run = _run_from_row(r)
            run.summary.setdefault("changes", counts.get(run.id, 0))
            out.append(run)
        return out

    def get_run(self, run_id: int) -> Run:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise InputError(f"no run with id {run_id}; see `qualcode runs list`")
        return _run_from_row(row)

    def undo_run(self, run_id: int, user: str) -> int:
        """Revert every change of a run, newest first. Returns the id of the undo run.

        Refuses when a later run (not undone) changed the same rows: undo that one first.
        """
        run = self.get_run(run_id)
        if run.status == "undone":
            raise InputError(f"run {run_id} ({run.kind}) was already undone by run {run.undone_by}")
        if run.kind == "undo":
            raise InputError(f"run {run_id} is an undo; it cannot itself be undone")
        entries = self.conn.execute(
            "SELECT * FROM journal WHERE run_id = ? ORDER BY id DESC", (run_id,)
        ).fetchall()
        later = self.conn.execute(
            """SELECT DISTINCT j.run_id FROM journal j JOIN runs r ON r.id = j.run_id
               WHERE r.status != 'undone' AND r.kind != 'undo' AND j.run_id > ?
                 AND EXISTS (SELECT 1 FROM journal k WHERE k.run_id = ? AND k.tbl = j.tbl AND k.row_key = j.row_key)
               ORDER BY j.run_id""",
            (run_id, run_id),
        ).fetchall()
        if later:
            ids = ", ".join(str(r[0]) for r in later)
            raise InputError(
                f"run {run_id} cannot be undone: later run(s) {ids} changed the same rows; undo those first"
            )
        with self.run("undo", user, {"run": run_id}) as undo_id:
            for e in entries:
                table, key = e["tbl"], json.loads(e["row_key"])
                if table == FILE_TABLE:
                    p = Path(key["path"])
                    current = _exact_text(p) if p.exists() else None
                    if current != e["after"]:
                        raise InputError(
                            f"{p} was edited after run {run_id}; undo refused so those edits are not lost"
                        )
                    self.conn.execute(
                        "INSERT INTO journal (run_id, tbl, row_key, op, before, after) "
                        "VALUES (?, ?, ?, 'update', ?, ?)",
                        (undo_id, FILE_TABLE, e["row_key"], e["after"], e["before"]),
                    )
                    self._pending_files.append((p, e["before"]))
                elif e["op"] == "insert":
                    self.delete(table, key)
                elif e["op"] == "delete":
                    self.insert(table, json.loads(e["before"]))
                else:
                    self.update(table, key, json.loads(e["before"]))
            self.conn.execute("UPDATE runs SET status = 'undone', undone_by = ? WHERE id = ?", (undo_id, run_id))
        return undo_id

    # -- files changed by a run (codebooks edited by rename/merge/move) ---------------------
    def write_file(self, path: Path | str, text: str) -> None:
        """Write a project file as part of the current run, journaling its old content for undo.

        Why deferred: the file is written only when the run's database work has succeeded, just
        before COMMIT, so a failing run leaves both the database and the file as they were.
        """
        if self.run_id is None:
            raise RuntimeError("write_file needs a run")
        p = Path(path).resolve()
        before = _exact_text(p) if p.exists() else None
        self.conn.execute(
            "INSERT INTO journal (run_id, tbl, row_key, op, before, after) VALUES (?, ?, ?, 'update', ?, ?)",
            (self.run_id, FILE_TABLE, _dumps({"path": str(p)}), before, text),
        )
        self._pending_files.append((p, text))

    def _flush_files(self) -> None:
        pending, self._pending_files = self._pending_files, []
        for p, text in pending:
            if text is None:
                p.unlink(missing_ok=True)
            else:
                write_text(p, text)

    # -- journaled primitive writes ------------------------------------------------------
    def _journal(self, table: str, key: dict[str, Any], op: str, before: dict | None, after: dict | None) -> None:
        if self.run_id is None:
            return
        self.conn.execute(
            "INSERT INTO journal (run_id, tbl, row_key, op, before, after) VALUES (?, ?, ?, ?, ?, ?)",
            (self.run_id, table, _dumps(key), op, _dumps(before) if before else None, _dumps(after) if after else None),
        )

    def _key_of(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in KEYS[table]}

    def get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        where = " AND ".join(f"{_q(k)} = ?" for k in key)
        row = self.conn.execute(f"SELECT * FROM {table} WHERE {where}", tuple(key.values())).fetchone()
        return dict(row) if row else None

    def insert(self, table: str, row: dict[str, Any]) -> int | None:
        cols = ", ".join(_q(c) for c in row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))
        full = dict(row)
        if KEYS[table] == ("id",) and "id" not in full:
            full["id"] = cur.lastrowid
        self._journal(table, self._key_of(table, full), "insert", None, full)
        return cur.lastrowid

    def insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert many rows of one shape with ``executemany``; returns their ids.

        Why: suggest stores hundreds of thousands of rows; one statement per row plus a JSON
        journal entry each was the slowest part of the command. Ids are assigned here (inside
        the run's IMMEDIATE transaction no other writer can interleave), and the journal keeps
        only the keys of inserted rows, which is all undo needs to delete them.
        """
        if not rows:
            return []
        cols = list(rows[0])
        integer_id = KEYS[table] == ("id",) and "id" not in cols
        ids: list[int] = []
        if integer_id:
            start = int(self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1
            ids = list(range(start, start + len(rows)))
            cols = ["id", *cols]
            values = [(i, *(r[c] for c in cols[1:])) for i, r in zip(ids, rows)]
        else:
            values = [tuple(r[c] for c in cols) for r in rows]
        marks = ", ".join("?" for _ in cols)
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) VALUES ({marks})", values)
        if self.run_id is not None:
            keys = KEYS[table]
            if integer_id:
                key_json = [_dumps({"id": i}) for i in ids]
            else:
                key_json = [_dumps({k: r[k] for k in keys}) for r in rows]
            self.conn.executemany(
                "INSERT INTO journal (run_id, tbl, row_key, op) VALUES (?, ?, ?, 'insert')",
                [(self.run_id, table, k) for k in key_json],
            )
        return ids

    def update(self, table: str, key: dict[str, Any], changes: dict[str, Any]) -> None:
        before = self.get(table, key)
        if before is None:
            raise KeyError(f"{table} {key} not found")
        changes = {k: v for k, v in changes.items() if before.get(k) != v}
        if not changes:
            return
        sets = ", ".join(f"{_q(c)} = ?" for c in changes)
        where = " AND ".join(f"{_q(k)} = ?" for k in key)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*changes.values(), *key.values()))
        after = {**before, **changes}
        self._journal(table, key, "update", before, after)

    def delete(self, table: str, key: dict[str, Any]) -> None:
        before = self.get(table, key)
        if before is None:
            return
        where = " AND ".join(f"{_q(k)} = ?" for k in key)
        self.conn.execute(f"DELETE FROM {table} WHERE {where}", tuple(key.values()))
        self._journal(table, key, "delete", before, None)

    def upsert(self, table: str, row: dict[str, Any]) -> None:
        key = self._key_of(table, row)
        if self.get(table, key) is None:
            self.insert(table, row)
        else:
            self.update(table, key, {k: v for k, v in row.items() if k not in key})

    # -- queries: transcripts, fragments, cases, attributes ----------------------------------
    def transcript(self, transcript_id: str) -> dict[str, Any] | None:
        return self.get("transcripts", {"id": transcript_id})

    def transcript_summaries(self) -> list[dict[str, Any]]:
        """One row per transcript with counts of respondent turns and words, and its cases."""
        rows = self.conn.execute(
            """SELECT t.id, t.file, t.format, t.layout, t.text_hash,
                      count(f.id) AS turns,
                      coalesce(sum(CASE WHEN f.is_interviewer THEN 0 ELSE f.words END), 0) AS words,
                      group_concat(DISTINCT CASE WHEN f.is_interviewer THEN NULL ELSE f.case_id END) AS cases
               FROM transcripts t LEFT JOIN fragments f ON f.transcript_id = t.id
               GROUP BY t.id ORDER BY t.id"""
        ).fetchall()
        return [dict(r) for r in rows]

    def transcript_texts(self) -> list[dict[str, Any]]:
        """Every stored transcript's ``id, file, text, header, pii_allowed``: what an anonymity
        check of the stored material reads."""
        rows = self.conn.execute("SELECT id, file, text, header, pii_allowed FROM transcripts ORDER BY id")
        return [dict(r) for r in rows.fetchall()]

    def fragment_lines(self, transcript_id: str) -> list[tuple[int, int, int | None, int]]:
        """``(start, end, line, n)`` of every fragment of a transcript, in order: where a
        position in the canonical text is in the source file."""
        rows = self.conn.execute(
            'SELECT start, "end", line, n FROM fragments WHERE transcript_id = ? ORDER BY n', (transcript_id,)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows.fetchall()]

    def fragments(self, transcript_id: str | None = None, respondent_only: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM fragments"
        where, args = [], []
        if transcript_id is not None:
            where.append("transcript_id = ?")
            args.append(transcript_id)
        if respondent_only:
            where.append("is_interviewer = 0")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY transcript_id, n"
        return [dict(r) for r in self.conn.execute(sql, args).fetchall()]

    def fragment(self, fragment_id: str) -> dict[str, Any] | None:
        return self.get("fragments", {"id": fragment_id})

    def replace_fragments(self, transcript_id: str, rows: Iterable[dict[str, Any]]) -> None:
        for old in self.conn.execute(
            "SELECT id FROM fragments WHERE transcript_id = ? ORDER BY n", (transcript_id,)
        ).fetchall():
            self.delete("fragments", {"id": old["id"]})
        for row in rows:
            self.insert("fragments", row)

    def case_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM cases").fetchall()}

    def ensure_case(self, case_id: str) -> None:
        if self.get("cases", {"id": case_id}) is None:
            self.insert("cases", {"id": case_id, "created_at": now()})

    def case_summaries(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            """SELECT c.id,
                      count(DISTINCT f.transcript_id) AS transcripts,
                      count(f.id) AS turns,
                      coalesce(sum(f.words), 0) AS words
               FROM cases c LEFT JOIN fragments f ON f.case_id = c.id AND f.is_interviewer = 0
               GROUP BY c.id ORDER BY c.id"""
        ).fetchall()
        return [dict(r) for r in rows]

    def transcripts_of_case(self, case_id: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT transcript_id FROM fragments WHERE case_id = ? ORDER BY transcript_id", (case_id,)
        ).fetchall()
        return [r[0] for r in rows]

    def case_transcript_links(self) -> list[tuple[str, str]]:
        """Every (case id, transcript id) pair with at least one turn of the case in the transcript."""
        rows = self.conn.execute("SELECT DISTINCT case_id, transcript_id FROM fragments WHERE case_id IS NOT NULL")
        return [(r[0], r[1]) for r in rows.fetchall()]

    def attributes(self, owner_kind: str, owner_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM attributes WHERE owner_kind = ?"
        args: list[Any] = [owner_kind]
        if owner_id is not None:
            sql += " AND owner_id = ?"
            args.append(owner_id)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY owner_id, key", args).fetchall()]

    def set_attribute(
        self, owner_kind: str, owner_id: str, key: str, value: str | None, type_: str, source: str
    ) -> None:
        self.upsert(
            "attributes",
            {
                "owner_kind": owner_kind,
                "owner_id": owner_id,
                "key": key,
                "value": value,
                "type": type_,
                "source": source,
            },
        )

    def delete_attribute(self, owner_kind: str, owner_id: str, key: str) -> None:
        self.delete("attributes", {"owner_kind": owner_kind, "owner_id": owner_id, "key": key})

    # -- codings and suggestions ------------------------------------------------------------
    def codings_of_transcript(self, transcript_id: str, status: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM codings WHERE transcript_id = ?"
        args: list[Any] = [transcript_id]
        if status:
            sql += " AND status = ?"
            args.append(status)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", args).fetchall()]

    def suggestions_of_transcript(self, transcript_id: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT * FROM suggestions WHERE transcript_id = ? ORDER BY id", (transcript_id,)
            ).fetchall()
        ]

    def orphaned_codings(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM codings WHERE status = 'orphaned' ORDER BY id")]

    # -- coders, codebooks -----------------------------------------------------------------
    def ensure_coder(self, name: str, kind: str = "human", note: str | None = None) -> None:
        if self.get("coders", {"name": name}) is None:
            self.insert("coders", {"name": name, "kind": kind, "created_at": now(), "note": note})

    def coder_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM coders ORDER BY name")]

    def remember_codebook(self, hash_: str, codebook_id: str, path: str, content: dict[str, Any]) -> None:
        """Keep every codebook version that codings or suggestions were made with (for diff and audit)."""
        if self.get("codebooks", {"hash": hash_}) is None:
            self.insert(
                "codebooks",
                {
                    "hash": hash_,
                    "codebook_id": codebook_id,
                    "path": path,
                    "content": _dumps(content),
                    "loaded_at": now(),
                },
            )

    def codebook_version(self, hash_prefix: str) -> dict[str, Any] | None:
        rows = self.conn.execute("SELECT * FROM codebooks WHERE hash LIKE ?", (hash_prefix + "%",)).fetchall()
        if len(rows) > 1:
            raise InputError(f"codebook hash prefix {hash_prefix!r} is ambiguous")
        return dict(rows[0]) if rows else None

    # -- suggestions -----------------------------------------------------------------------
    def existing_suggestion_keys(self, engine: str) -> set[tuple[str, str]]:
        """(fragment, code) pairs the engine already suggested (any status): re-running adds no duplicates."""
        rows = self.conn.execute(
            "SELECT fragment_id, code FROM suggestions WHERE engine = ? AND status != 'orphaned'", (engine,)
        )
        return {(r[0], r[1]) for r in rows}

    def query_suggestions(
        self,
        *,
        status: str | None = None,
        engine: str | None = None,
        code_prefix: str | None = None,
        transcript_ids: Sequence[str] | None = None,
        fragment_id: str | None = None,
        min_score: float | None = None,
        run_id: int | None = None,
    ) -> list[dict[str, Any]]:
        sql = ["SELECT s.*, f.case_id AS case_id FROM suggestions s LEFT JOIN fragments f ON f.id = s.fragment_id"]
        where, args = _filters(
            prefix_col="s.code",
            code_prefix=code_prefix,
            transcript_col="s.transcript_id",
            transcript_ids=transcript_ids,
        )
        equal_to = (("s.status", status), ("s.engine", engine), ("s.fragment_id", fragment_id), ("s.run_id", run_id))
        for col, value in equal_to:
            if value is not None:
                where.append(f"{col} = ?")
                args.append(value)
        if min_score is not None:
            where.append("s.score >= ?")
            args.append(min_score)
        if where:
            sql.append("WHERE " + " AND ".join(where))
        sql.append("ORDER BY s.transcript_id, f.n, s.score DESC, s.code")
        return [dict(r) for r in self.conn.execute(" ".join(sql), args)]

    # -- codings ---------------------------------------------------------------------------
    def query_codings(
        self,
        *,
        coders: Sequence[str] | None = None,
        code_prefix: str | None = None,
        transcript_ids: Sequence[str] | None = None,
        fragment_id: str | None = None,
        status: str | None = "active",
    ) -> list[dict[str, Any]]:
        sql = [
            "SELECT c.*, f.case_id AS case_id, f.n AS fragment_n "
            "FROM codings c LEFT JOIN fragments f ON f.id = c.fragment_id"
        ]
        where, args = _filters(
            prefix_col="c.code",
            code_prefix=code_prefix,
            transcript_col="c.transcript_id",
            transcript_ids=transcript_ids,
        )
        if coders:
            where.append(f"c.coder IN ({','.join('?' for _ in coders)})")
            args.extend(coders)
        if fragment_id is not None:
            where.append("c.fragment_id = ?")
            args.append(fragment_id)
        if status is not None:
            where.append("c.status = ?")
            args.append(status)
        if where:
            sql.append("WHERE " + " AND ".join(where))
        sql.append("ORDER BY c.transcript_id, c.start, c.code, c.coder, c.id")
        return [dict(r) for r in self.conn.execute(" ".join(sql), args)]

    def code_counts(self, coder: str | None = None) -> dict[str, int]:
        sql = "SELECT code, count(*) FROM codings WHERE status = 'active'"
        args: list[Any] = []
        if coder:
            sql += " AND coder = ?"
            args.append(coder)
        return dict(self.conn.execute(sql + " GROUP BY code", args).fetchall())

    def code_usage(self, code: str) -> dict[str, Any]:
        """What carries exactly this code: codings per coder (active and orphaned) and suggestions
        (any status), so a code is never deleted out from under them."""
        codings = dict(self.conn.execute("SELECT coder, count(*) FROM codings WHERE code = ? GROUP BY coder",
                                         (code,)).fetchall())
        suggestions = self.conn.execute("SELECT count(*) FROM suggestions WHERE code = ?", (code,)).fetchone()[0]
        return {"codings": codings, "suggestions": int(suggestions)}

    def codes_in_use(self) -> set[str]:
        rows = self.conn.execute("SELECT DISTINCT code FROM codings UNION SELECT DISTINCT code FROM suggestions")
        return {r[0] for r in rows}

    # -- memos, review positions -----------------------------------------------------------
    def query_memos(self, target_kind: str | None = None, target_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM memos", []
        where = []
        if target_kind:
            where.append("target_kind = ?")
            args.append(target_kind)
        if target_id:
            where.append("target_id = ?")
            args.append(target_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    def review_position(self, coder: str, scope: str) -> str | None:
        row = self.get("review_positions", {"coder": coder, "scope": scope})
        return row["fragment_id"] if row else None

    def set_review_position(self, coder: str, scope: str, fragment_id: str) -> None:
        """Where a coder is in review; not journaled (it is a bookmark, not data to undo)."""
        self.conn.execute(
            "INSERT INTO review_positions (coder, scope, fragment_id, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (coder, scope) DO UPDATE SET "
            "fragment_id = excluded.fragment_id, updated_at = excluded.updated_at",
            (coder, scope, fragment_id, now()),
        )

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    # -- review (per-fragment reads, all on indexes: the next turn shows within 50 ms) -------
    def review_queue(self, transcript_ids: Sequence[str] | None = None) -> list[str]:
        """Ids of the respondent turns to review: by transcript (in the given order, else by id), then n."""
        if not transcript_ids:
            rows = self.conn.execute("SELECT id FROM fragments WHERE is_interviewer = 0 ORDER BY transcript_id, n")
            return [r[0] for r in rows]
        out: list[str] = []
        for tid in transcript_ids:
            rows = self.conn.execute(
                "SELECT id FROM fragments WHERE transcript_id = ? AND is_interviewer = 0 ORDER BY n", (tid,)
            )
            out.extend(r[0] for r in rows)
        return out

    def fragment_at(self, transcript_id: str, n: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT * FROM fragments WHERE transcript_id = ? AND n = ?", (transcript_id, n)
        ).fetchone()
        return dict(row) if row else None

    def next_respondent_fragment(self, transcript_id: str, n: int) -> str | None:
        """The first respondent turn at or after turn ``n`` of a transcript."""
        row = self.conn.execute(
            "SELECT id FROM fragments WHERE transcript_id = ? AND n >= ? AND is_interviewer = 0 ORDER BY n LIMIT 1",
            (transcript_id, n),
        ).fetchone()
        return row[0] if row else None

    def transcript_text(self, transcript_id: str) -> str:
        row = self.conn.execute("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).fetchone()
        return row[0] if row else ""

    def fragment_codings(self, transcript_id: str, fragment_id: str, coder: str | None = None) -> list[dict[str, Any]]:
        """Active codings on one fragment (through the transcript index, not a scan of a coder's codings)."""
        sql = "SELECT * FROM codings WHERE transcript_id = ? AND fragment_id = ? AND status = 'active'"
        args: list[Any] = [transcript_id, fragment_id]
        if coder is not None:
            sql += " AND coder = ?"
            args.append(coder)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY coder, start, id", args)]

    def find_coding(self, coder: str, code: str, transcript_id: str, start: int, end: int) -> int | None:
        """Id of the active coding with exactly this coder, code and span, if any."""
        row = self.conn.execute(
            'SELECT id FROM codings WHERE transcript_id = ? AND coder = ? AND code = ? AND start = ? AND "end" = ? '
            "AND status = 'active'",
            (transcript_id, coder, code, start, end),
        ).fetchone()
        return int(row[0]) if row else None

    def count_open_suggestions(
        self, transcript_ids: Sequence[str] | None = None, *, min_score: float | None = None, engine: str | None = None
    ) -> int:
        sql = "SELECT count(*) FROM suggestions WHERE status = 'open'"
        args: list[Any] = []
        if transcript_ids:
            sql += f" AND transcript_id IN ({','.join('?' for _ in transcript_ids)})"
            args.extend(transcript_ids)
        if min_score:
            sql += " AND score >= ?"
            args.append(min_score)
        if engine:
            sql += " AND engine = ?"
            args.append(engine)
        return int(self.conn.execute(sql, args).fetchone()[0])

    # -- agreement, exchange and consensus (issue 5): lean reads that scale to 100k turns ---------
    # Why tuples and not dicts: agreement reads every respondent turn and every coding of two or
    # three coders; plain tuples keep that under a second for large projects.
    def _tuples(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.row_factory = None  # plain tuples: hashable, comparable, cheaper than sqlite3.Row
        return cur.execute(sql, args).fetchall()

    def respondent_spans(self) -> list[tuple[str, str, int, int]]:
        """``(fragment id, transcript id, start, end)`` of every respondent turn, by transcript and n."""
        return self._tuples(
            'SELECT id, transcript_id, start, "end" FROM fragments WHERE is_interviewer = 0 ORDER BY transcript_id, n'
        )

    def transcript_lengths(self) -> dict[str, int]:
        """Length in code points of each transcript's canonical text (SQLite counts characters)."""
        return dict(self.conn.execute("SELECT id, length(text) FROM transcripts").fetchall())

    def transcript_hashes(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, text_hash FROM transcripts").fetchall())

    def coding_spans(self, coder: str, code_prefix: str | None = None) -> list[tuple[str, str, int, int]]:
        """``(code, transcript id, start, end)`` of a coder's active codings (under a code prefix)."""
        where, args = _filters(prefix_col="code", code_prefix=code_prefix, transcript_col="transcript_id",
                               transcript_ids=None)
        sql = "SELECT code, transcript_id, start, \"end\" FROM codings WHERE coder = ? AND status = 'active'"
        if where:
            sql += " AND " + " AND ".join(where)
        return self._tuples(sql, [coder, *args])

    def coding_span_groups(self, coder: str) -> list[tuple[str, str]]:
        """A coder's active codings grouped by code: ``(code, "t,start,end,t,start,end,...")``.

        ``t`` is the transcript's rowid (see :meth:`transcript_rowids`). Why this shape: agreement
        reads every coding of a coder; one string per code, built by SQLite along the (coder, code)
        index, parses into arrays in one call instead of creating Python objects per coding.
        """
        return self._tuples(
            "SELECT c.code, group_concat(t.rowid || ',' || c.start || ',' || c.\"end\") FROM codings c "
            "JOIN transcripts t ON t.id = c.transcript_id WHERE c.coder = ? AND c.status = 'active' GROUP BY c.code",
            (coder,),
        )

    def suggestion_span_groups(self, engine: str, statuses: Sequence[str]) -> list[tuple[str, str]]:
        """An engine's suggestions with the given statuses, grouped like :meth:`coding_span_groups`."""
        return self._tuples(
            "SELECT s.code, group_concat(t.rowid || ',' || s.start || ',' || s.\"end\") FROM suggestions s "
            f"JOIN transcripts t ON t.id = s.transcript_id WHERE s.engine = ? "
            f"AND s.status IN ({','.join('?' for _ in statuses)}) GROUP BY s.code",
            (engine, *statuses),
        )

    def transcript_rowids(self) -> dict[str, int]:
        return dict(self._tuples("SELECT id, rowid FROM transcripts"))

    def coded_transcripts(self, coder: str) -> set[str]:
        """Transcripts in which a coder has at least one active coding (of any code)."""
        rows = self.conn.execute(
            "SELECT DISTINCT transcript_id FROM codings WHERE coder = ? AND status = 'active'", (coder,)
        )
        return {r[0] for r in rows}

    def suggestion_scores(self, ids: Iterable[int]) -> dict[int, float]:
        """Suggestion id -> score, for the ids that exist (the typology weighs accepted suggestions by it)."""
        wanted = sorted({int(i) for i in ids})
        out: dict[int, float] = {}
        for start in range(0, len(wanted), 900):  # SQLite's limit on bound parameters
            chunk = wanted[start:start + 900]
            rows = self.conn.execute(
                f"SELECT id, score FROM suggestions WHERE id IN ({','.join('?' for _ in chunk)})", chunk
            )
            out.update({r[0]: float(r[1]) for r in rows})
        return out

    def suggested_transcripts(self, engine: str) -> set[str]:
        """Transcripts in which an engine made at least one (not orphaned) suggestion."""
        rows = self.conn.execute(
            "SELECT DISTINCT transcript_id FROM suggestions WHERE engine = ? AND status != 'orphaned'", (engine,)
        )
        return {r[0] for r in rows}

    # -- coding progress (`qualcode progress`) -------------------------------------------------
    def coded_fragments(self) -> list[tuple[str, str]]:
        """``(coder, fragment id)`` of every turn with an active coding, once per coder."""
        return self._tuples("SELECT DISTINCT coder, fragment_id FROM codings WHERE status = 'active' "
                            "AND fragment_id IS NOT NULL")

    def decided_fragments(self) -> list[tuple[str, str]]:
        """``(coder, fragment id)`` of every turn where a coder accepted or rejected a suggestion."""
        return self._tuples("SELECT DISTINCT decided_by, fragment_id FROM suggestions "
                            "WHERE status IN ('accepted', 'rejected') AND decided_by IS NOT NULL")

    def review_positions(self) -> list[tuple[str, str, str]]:
        """``(coder, scope, fragment id)``: where each coder's review of each scope stands."""
        return self._tuples("SELECT coder, scope, fragment_id FROM review_positions ORDER BY coder, scope")

    def coder(self, name: str) -> dict[str, Any] | None:
        return self.get("coders", {"name": name})

    def has_codings(self, coder: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM codings WHERE coder = ? AND status = 'active' LIMIT 1", (coder,))
        return row.fetchone() is not None

    def coding_keys(self, coder: str) -> set[tuple[str, str, int, int]]:
        """``(code, transcript id, start, end)`` of a coder's active codings: what makes imports idempotent."""
        return set(self.coding_spans(coder))


    # -- trained models (issue 4: `qualcode train`, `suggest --engine model`) -------------------
    def save_model(self, row: dict[str, Any]) -> int:
        """Store a trained model; returns its id. Inside a run only its key is journaled.

        Why not :meth:`insert`: that journals the whole row as JSON, and the blob (megabytes of
        model bytes) would be copied into the journal as text; undo only needs the key.
        """
        return self.insert_many("models", [row])[0]

    def latest_model(self, coder: str | None = None) -> dict[str, Any] | None:
        """The newest stored model (of one coder, or of any coder), blob included."""
        sql, args = "SELECT * FROM models", []
        if coder is not None:
            sql += " WHERE coder = ?"
            args.append(coder)
        row = self.conn.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return dict(row) if row else None

    def list_models(self, coder: str | None = None) -> list[dict[str, Any]]:
        """Stored models without their blobs, newest first."""
        sql = "SELECT id, coder, engine, created_at, codebook_hash, metrics, run_id, length(blob) AS size FROM models"
        args: list[Any] = []
        if coder is not None:
            sql += " WHERE coder = ?"
            args.append(coder)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id DESC", args)]

    # -- codebook changes (issue 3: `qualcode codes rename|merge|move`, `codebook diff`) -----------
    def find_suggestion(self, engine: str, code: str, fragment_id: str, start: int, end: int) -> int | None:
        """Id of the open suggestion with exactly this engine, code, fragment and span, if any."""
        row = self.conn.execute(
            'SELECT id FROM suggestions WHERE fragment_id = ? AND engine = ? AND code = ? AND start = ? '
            'AND "end" = ? AND status = \'open\' ORDER BY id LIMIT 1',
            (fragment_id, engine, code, start, end),
        ).fetchone()
        return int(row[0]) if row else None

    def codebook_versions(self) -> list[dict[str, Any]]:
        """Stored codebook versions (without their content), oldest first, with how many active
        codings and suggestions were made with each."""
        rows = self.conn.execute(
            """SELECT b.hash, b.codebook_id, b.path, b.loaded_at,
                      (SELECT count(*) FROM codings c
                       WHERE c.codebook_hash = b.hash AND c.status = 'active') AS codings,
                      (SELECT count(*) FROM suggestions s WHERE s.codebook_hash = b.hash) AS suggestions
               FROM codebooks b ORDER BY b.loaded_at, b.rowid"""
        ).fetchall()
        return [dict(r) for r in rows]


def _filters(
    *, prefix_col: str, code_prefix: str | None, transcript_col: str, transcript_ids: Sequence[str] | None
) -> tuple[list[str], list[Any]]:
    """WHERE parts for a code prefix (dotted-path aware) and a list of transcripts."""
    where: list[str] = []
    args: list[Any] = []
    if code_prefix:
        where.append(f"({prefix_col} = ? OR {prefix_col} LIKE ? ESCAPE '\\')")
        args += [code_prefix, code_prefix.replace("_", "\\_").replace("%", "\\%") + ".%"]
    if transcript_ids:
        where.append(f"{transcript_col} IN ({','.join('?' for _ in transcript_ids)})")
        args.extend(transcript_ids)
    return where, args


def _run_from_row(r: sqlite3.Row) -> Run:
    return Run(
        id=r["id"],
        kind=r["kind"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
        user=r["user"],
        params=json.loads(r["params"] or "{}"),
        codebook_hash=r["codebook_hash"],
        status=r["status"],
        undone_by=r["undone_by"],
        summary=json.loads(r["summary"] or "{}"),
    )


def _exact_text(path: Path) -> str:
    """A file's text as it is, line ends included (``read_text`` would turn CRLF into LF, so undo
    would restore another file than the one there was, or refuse as if it had been edited)."""
    return path.read_bytes().decode("utf-8")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
