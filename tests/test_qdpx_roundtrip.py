"""Issue 14, item 12: a REFI-QDA round trip keeps a project's data and every table.

The study of test_typology.py (a group interview, ten individual ones, a typology, a manual
type, case attributes from a CSV and the transcript attribute ``type: groepsinterview`` that
every case inherits) gets a second coder and memos, is exported, imported into a fresh
project and exported again. Every table of the paper, the agreement and the second export
must be what they were. Before the override was namespaced, the transcript attribute ``type``
came back as a case attribute and every typology table refused to run (exit 2).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from test_typology import build_study

from qualcode.project import Project
from qualcode.refi.qdpx_import import import_qdpx
from qualcode.refi.qdpx_write import export_qdpx, qde_schema_errors
from qualcode.store import Store
from qualcode.tables.typology import OVERRIDE_ATTR

XSD = Path(__file__).parent / "data" / "refi-qda" / "Project.xsd"


def _second_coder_and_memos(project: Project, frags: dict[tuple[str, int], str]) -> None:
    """Bob codes part of the material (agreement needs two coders); memos on every kind of target."""
    for (case, i), codes in {("A01_r1", 0): ["variant.coach"], ("A01_r2", 0): ["variant.admin"],
                             ("B02_r1", 0): ["variant.programmes"], ("C04_r1", 0): ["variant.admin"],
                             ("C04_r2", 1): ["variant.admin"], ("D05_r1", 0): ["variant.programmes"]}.items():
        project.code(frags[(case, i)], codes, coder="bob")
    project.code(frags[("A01_r3", 1)], ["logic.market"], coder="bob", stance="rejects", memo="twijfel")
    project.memo("project", None, "Eerste ronde.", coder="ann")
    project.memo("case", "A01_r2", "Sprak weinig.", coder="ann")
    project.memo("fragment", frags[("B02_r1", 1)], "Rantsoeneren, of toch niet?", coder="bob")
    project.memo("code", "variant.coach", "Ruim opgevat.", coder="bob")
    project.set_case_attributes("A01_r5", {OVERRIDE_ATTR: "regisseur"})


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """(the original project, the project made by importing its export, first export, second export)."""
    base = tmp_path_factory.mktemp("roundtrip")
    original, frags = build_study(base / "study")
    _second_coder_and_memos(original, frags)
    first = base / "study.qdpx"
    export_qdpx(original, first)
    # the same team's fresh project: its own settings (name, typology, citation), no transcripts yet
    fresh_root = base / "fresh"
    Project.init(fresh_root).close()
    shutil.copy(original.root / "qualcode.toml", fresh_root / "qualcode.toml")
    shutil.copy(original.root / "codebooks" / "typ.yaml", fresh_root / "codebooks" / "typ.yaml")
    fresh = Project.open(fresh_root)
    report = import_qdpx(fresh, first, use_codebook=True)
    assert report.missing == [] and report.skipped == []
    fresh.close()
    fresh = Project.open(fresh_root)  # qualcode.toml now names the imported codebook
    second = base / "again.qdpx"
    export_qdpx(fresh, second)
    yield original, fresh, first, second
    original.close()
    fresh.close()


def _same_frame(a, b) -> None:
    import pandas as pd

    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b)  # values, dtypes, index and columns; NaN equals NaN
    assert a.attrs == b.attrs  # title, notes


def test_the_second_export_is_the_first(pair) -> None:
    original, fresh, first, second = pair
    assert fresh.config.codebook_path.name == "study.yaml" and fresh.config.codebook_path.parent.name == "codebooks"
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
        assert qde_schema_errors(b.read("project.qde"), XSD) == []


TABLES = [
    ("typology", lambda p: p.typology(coder="ann")),
    ("typology by team", lambda p: p.typology(coder="ann", level="team")),
    ("distribution", lambda p: p.type_distribution(coder="ann")),
    ("profile", lambda p: p.type_profile(coder="ann", counts=True)),
    ("strategies", lambda p: p.type_strategies(coder="ann")),
    ("context", lambda p: p.type_context("caseload", coder="ann")),
    ("features", lambda p: p.type_features(["specialisatie"], coder="ann")),
    ("appendix", lambda p: p.type_appendix(coder="ann")),
    ("data overview", lambda p: p.data_overview()),
    ("respondents", lambda p: p.respondent_overview()),
    ("dimensions", lambda p: p.logics_by_dimension(coder="ann")),
    ("aspects", lambda p: p.aspects_by_group("klantgroep", coder="ann")),
    ("matrix", lambda p: p.matrix(rows=["gemeente", "team"], cols="variant", coders="ann")),
    ("case matrix", lambda p: p.matrix(cols="variant", coders=["ann", "bob"], count="cases")),
    ("cooccurrence", lambda p: p.cooccurrence(codes="variant", coders="ann")),
    ("quotes", lambda p: p.quotes(codes="variant", coders="ann", max_words=12)),
    ("frequencies", lambda p: p.code_frequencies()),
    ("cases", lambda p: p.cases()),
    ("agreement", lambda p: p.agreement(["ann", "bob"], codes="variant")),
    ("disagreements", lambda p: p.disagreements(["ann", "bob"], codes="variant")),
]


@pytest.mark.parametrize("name,table", TABLES, ids=[t[0] for t in TABLES])
def test_every_table_is_the_same_after_the_round_trip(pair, name, table) -> None:
    original, fresh, _, _ = pair
    _same_frame(table(original), table(fresh))


def test_agreement_numbers_are_the_same(pair) -> None:
    original, fresh, _, _ = pair
    a = original.agreement_report(["ann", "bob"], codes="variant").to_dict()
    b = fresh.agreement_report(["ann", "bob"], codes="variant").to_dict()
    assert a == b
    pooled = a["overall"]
    assert pooled["units"] > 0 and pooled["both"] > 0  # a comparison with something in it


def test_transcript_attributes_stay_on_transcripts(pair) -> None:
    original, fresh, _, _ = pair
    # the kind of interview is the group transcript's attribute; no case owns a `type` of its own
    assert fresh.transcript("A01_g1")["attributes"]["type"] == "groepsinterview"
    assert [a for a in fresh.store.attributes("case") if a["key"] == "type"] == []
    assert fresh.case("A01_r1")["attribute_details"]["type"]["source"] == "transcript"
    # own case attributes (CSV, manual type) come back as the case's own
    own = {(a["owner_id"], a["key"]): a["value"] for a in fresh.store.attributes("case")}
    assert own[("A01_r5", OVERRIDE_ATTR)] == "regisseur" and own[("C04_r1", "caseload")] == "ca. 200"
    def attributes(p: Project) -> dict[str, dict]:  # an empty CSV cell is no value; REFI has no empty value
        return {r["id"]: {k: v for k, v in r["attributes"].items() if v is not None} for r in p.case_rows()}

    assert attributes(fresh) == attributes(original)
    by_case = {r["case"]: r for r in fresh.typology(coder="ann").to_dict("records")}
    assert (by_case["A01_r5"]["type"], by_case["A01_r5"]["manual"]) == ("regisseur", True)
    assert sum(r["manual"] for r in by_case.values()) == 1


def test_a_plain_type_attribute_is_not_a_manual_type(tmp_path) -> None:
    """Reserved names are not reachable by accident: a case attribute ``type`` (from a CSV or
    another tool) is an attribute; the typology notes it when it looks like a type id."""
    project, _ = build_study(tmp_path / "study")
    project.set_case_attributes("C04_r3", {"type": "regiseur"})  # a typo would have been exit 2
    project.set_case_attributes("D05_r1", {"type": "regisseur"})
    df = project.typology(coder="ann")
    rows = {r["case"]: r for r in df.to_dict("records")}
    assert rows["D05_r1"]["type"] == "interventionist" and not rows["D05_r1"]["manual"]
    assert any("Case attribute 'type' holds a type id for D05_r1 but is not a manual type any more" in n
               for n in df.attrs["notes"])
    project.close()


def test_old_manual_types_are_migrated(tmp_path) -> None:
    """A project from before schema 4: the manual type set with `cases set` moves to
    ``qualcode.type``, undo still reverts it; a ``type`` column from the CSV stays as it is."""
    project, _ = build_study(tmp_path / "study")
    run = project.set_case_attributes("A01_r5", {"type": "regisseur"})
    project.store.set_attribute("case", "B02_r1", "type", "administrateur", "text", "csv")
    project.store.conn.commit()
    project.close()
    db = tmp_path / "study" / "qualcode.db"
    store = Store(db)
    store.conn.execute("UPDATE attributes SET key = 'type' WHERE key = ?", (OVERRIDE_ATTR,))
    store.conn.execute("UPDATE journal SET row_key = replace(row_key, '\"qualcode.type\"', '\"type\"'), "
                       "before = replace(before, '\"qualcode.type\"', '\"type\"'), "
                       "after = replace(after, '\"qualcode.type\"', '\"type\"')")
    store.conn.execute("PRAGMA user_version = 3")  # the schema before migration 4 moved the manual type
    store.conn.commit()
    store.close()
    project = Project.open(tmp_path / "study")
    own = {(a["owner_id"], a["key"]): (a["value"], a["source"]) for a in project.store.attributes("case")}
    assert own[("A01_r5", OVERRIDE_ATTR)] == ("regisseur", "manual") and ("A01_r5", "type") not in own
    assert own[("B02_r1", "type")] == ("administrateur", "csv") and ("B02_r1", OVERRIDE_ATTR) not in own
    rows = {r["case"]: r for r in project.typology(coder="ann").to_dict("records")}
    assert (rows["A01_r5"]["type"], rows["A01_r5"]["manual"]) == ("regisseur", True)
    project.undo(run)
    assert [a for a in project.store.attributes("case", "A01_r5") if a["key"] in (OVERRIDE_ATTR, "type")] == []
    project.close()


def test_export_lists_transcript_attributes_on_sources(pair) -> None:
    """The kind of interview travels on the source (a REFI ``VariableValue`` of the TextSource)."""
    import xml.etree.ElementTree as ET

    _, _, first, _ = pair
    q = "{urn:QDA-XML:project:1.0}"
    with zipfile.ZipFile(first) as zf:
        root = ET.parse(io.BytesIO(zf.read("project.qde"))).getroot()
    names = {v.get("guid"): v.get("name") for v in root.iter(f"{q}Variable")}
    src = next(s for s in root.iter(f"{q}TextSource") if s.get("name") == "A01_g1")
    values = {names[v.find(f"{q}VariableRef").get("targetGUID")]: v[1].text for v in src.findall(f"{q}VariableValue")}
    assert values["type"] == "groepsinterview"


def test_the_bundled_sample_round_trips_byte_for_byte(tmp_path) -> None:
    """The sample project (two group interviews, the shipped codebook and typology): export,
    import into a fresh project, export again gives the same bytes, and agreement and the
    typology by team are the same."""
    repo = Path(__file__).resolve().parent.parent
    sample = tmp_path / "sample"
    sample.mkdir()
    shutil.copy(repo / "qualcode.toml", sample)
    shutil.copytree(repo / "transcripts", sample / "transcripts")
    shutil.copytree(repo / "codebooks", sample / "codebooks")
    original = Project.open(sample)
    original.ingest([sample / "transcripts"])
    original.import_codings(sample / "transcripts" / "codings-coder-b.csv")
    for row in original.coding_rows(coders=["coder_b"])[::3]:  # a second coder agrees on a third
        original.code(row["fragment"], [row["code"]], coder="anna")
    original.set_case_attributes("Hvs02_r1", {OVERRIDE_ATTR: "regisseur"})
    first = tmp_path / "first.qdpx"
    export_qdpx(original, first)
    fresh_root = tmp_path / "fresh"
    Project.init(fresh_root).close()
    shutil.copy(sample / "qualcode.toml", fresh_root)
    with Project.open(fresh_root) as fresh:
        import_qdpx(fresh, first, use_codebook=True)
    with Project.open(fresh_root) as fresh:
        second = tmp_path / "second.qdpx"
        export_qdpx(fresh, second)
        assert second.read_bytes() == first.read_bytes()
        for p in (original, fresh):
            assert p.transcript("Hvs01_g1")["attributes"]["type"] == "groepsinterview"
        a = original.agreement_report(["anna", "coder_b"], codes="logic").to_dict()
        assert a == fresh.agreement_report(["anna", "coder_b"], codes="logic").to_dict()
        _same_frame(original.type_distribution(coder="coder_b", level="team"),
                    fresh.type_distribution(coder="coder_b", level="team"))
    original.close()
