"""Store: migrations, journaled runs, undo, atomic failure."""

from __future__ import annotations

import pytest

from qualcode.errors import InputError
from qualcode.store import SCHEMA_VERSION, Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "q.db")
    yield s
    s.close()


def test_schema_has_every_table_later_issues_need(store):
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "journal", "coders", "cases", "attributes", "transcripts", "fragments", "codebooks",
            "codings", "suggestions", "memos", "review_positions", "models"} <= tables
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_reopening_does_not_migrate_twice(tmp_path):
    Store(tmp_path / "q.db").close()
    s = Store(tmp_path / "q.db")
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    s.close()


def test_newer_schema_is_refused(tmp_path):
    s = Store(tmp_path / "q.db")
    s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    s.close()
    with pytest.raises(InputError, match="newer than this qualcode"):
        Store(tmp_path / "q.db")


def test_run_is_atomic_on_error(store):
    with pytest.raises(RuntimeError):
        with store.run("test", "ann"):
            store.insert("cases", {"id": "c1", "created_at": "t"})
            raise RuntimeError("boom")
    assert store.count("cases") == 0
    assert store.count("runs") == 0


def test_undo_reverts_insert_update_delete(store):
    with store.run("setup", "ann"):
        store.insert("cases", {"id": "c1", "created_at": "t"})
        store.insert("cases", {"id": "c2", "created_at": "t"})
        store.set_attribute("case", "c1", "team", "01", "text", "csv")
    with store.run("change", "ann") as rid:
        store.insert("cases", {"id": "c3", "created_at": "t"})
        store.set_attribute("case", "c1", "team", "02", "text", "manual")
        store.delete("cases", {"id": "c2"})
    assert store.case_ids() == {"c1", "c3"}
    undo = store.undo_run(rid, "ann")
    assert store.case_ids() == {"c1", "c2"}
    assert store.attributes("case", "c1")[0]["value"] == "01"
    assert store.attributes("case", "c1")[0]["source"] == "csv"
    run = store.get_run(rid)
    assert run.status == "undone" and run.undone_by == undo
    with pytest.raises(InputError, match="already undone"):
        store.undo_run(rid, "ann")


def test_undo_refuses_when_a_later_run_touched_the_same_rows(store):
    with store.run("one", "ann") as r1:
        store.insert("cases", {"id": "c1", "created_at": "t"})
    with store.run("two", "ann") as r2:
        store.set_attribute("case", "c1", "team", "01", "text", "manual")
        store.update("cases", {"id": "c1"}, {"created_at": "later"})
    with pytest.raises(InputError, match=f"later run\\(s\\) {r2}"):
        store.undo_run(r1, "ann")
    store.undo_run(r2, "ann")
    store.undo_run(r1, "ann")
    assert store.case_ids() == set()


def test_undo_of_unknown_run(store):
    with pytest.raises(InputError, match="no run with id 99"):
        store.undo_run(99, "ann")


def test_unchanged_update_writes_no_journal(store):
    with store.run("one", "ann"):
        store.insert("cases", {"id": "c1", "created_at": "t"})
    with store.run("two", "ann") as r2:
        store.update("cases", {"id": "c1"}, {"created_at": "t"})
    store.discard_run_if_empty(r2)
    assert [r.kind for r in store.list_runs()] == ["one"]


def test_files_written_in_a_run_are_restored_by_undo(store, tmp_path):
    f = tmp_path / "cb.yaml"
    f.write_text("old\n", encoding="utf-8")
    with store.run("rename", "ann") as rid:
        store.insert("cases", {"id": "c1", "created_at": "t"})
        store.write_file(f, "new\n")
        assert f.read_text() == "old\n"  # written only when the run commits
    assert f.read_text() == "new\n"
    store.undo_run(rid, "ann")
    assert f.read_text() == "old\n" and store.case_ids() == set()


def test_failed_run_does_not_write_files(store, tmp_path):
    f = tmp_path / "cb.yaml"
    f.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with store.run("rename", "ann"):
            store.write_file(f, "new\n")
            raise RuntimeError("boom")
    assert f.read_text() == "old\n"


def test_undo_refuses_when_the_file_was_edited_since(store, tmp_path):
    f = tmp_path / "cb.yaml"
    f.write_text("old\n", encoding="utf-8")
    with store.run("rename", "ann") as rid:
        store.write_file(f, "new\n")
    f.write_text("new and edited by hand\n", encoding="utf-8")
    with pytest.raises(InputError, match="was edited after run"):
        store.undo_run(rid, "ann")
    assert f.read_text() == "new and edited by hand\n"


def test_insert_many_assigns_ids_and_undo_removes_them(store):
    row = {"run_id": 1, "engine": "rules", "code": "a", "transcript_id": "t", "fragment_id": "t:1",
           "start": 0, "end": 1, "score": 0.5}
    with store.run("seed", "ann"):
        first = store.insert("suggestions", row)
    with store.run("suggest", "ann") as rid:
        ids = store.insert_many("suggestions", [dict(row, code=c) for c in ("b", "c", "d")])
    assert ids == [first + 1, first + 2, first + 3]
    assert [r["code"] for r in store.query_suggestions()] == ["a", "b", "c", "d"]
    store.undo_run(rid, "ann")
    assert [r["code"] for r in store.query_suggestions()] == ["a"]


def test_version_1_database_is_migrated_to_the_current_schema(tmp_path):
    import sqlite3

    from qualcode.store import MIGRATIONS, _split_sql

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    for statement in _split_sql(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    s = Store(db)
    names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"codings_fragment", "memos_target"} <= names
    assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    s.close()


def test_version_2_transcripts_get_the_reading_columns_with_defaults(tmp_path):
    """Migration 3 (issue 14): a transcript stored before layouts and header notes existed reads
    as layout '', no header or footer, no notes, no speaker plan."""
    import sqlite3

    from qualcode.store import MIGRATIONS, _split_sql

    db = tmp_path / "v2.db"
    conn = sqlite3.connect(db)
    for script in MIGRATIONS[:2]:
        for statement in _split_sql(script):
            conn.execute(statement)
    conn.execute(
        "INSERT INTO transcripts (id, file, format, text, text_hash, source_hash, ingested_at) "
        "VALUES ('T1', 't1.txt', 'txt', 'R: ja\n', 'h', 'h', '2025-01-01')"
    )
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    s = Store(db)
    row = s.transcript("T1")
    assert row is not None
    assert (row["layout"], row["header"], row["footer"], row["notes"], row["speaker_plan"]) == ("", "", "", "[]", "[]")
    s.close()
