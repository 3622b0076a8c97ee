"""The HTML report (qualcode.report, ``qualcode report``): one self-contained page.

The fixture is the tiny project of conftest.py (test codebook: logic.bureaucratic /
professional / market, discretion.coping), coded here by hand so every number can be checked:

  fragment      case     anna                                   bram
  T01_g1:2      T01_r1   logic.bureaucratic "... controleren"   logic.bureaucratic (whole turn)
  T01_g1:3      T01_r2   logic.professional "... maatwerk"      logic.market (whole turn)
  T01_g1:5      T01_r1   logic.market, stance rejects
  T01_g1:6      T01_r2   discretion.coping
  T02_r1:4      T02_r1   logic.bureaucratic (whole turn)

A small typology (regelvolger: logic.bureaucratic w2, against logic.professional; professioneel:
logic.professional w2) gives anna's cases: T01_r1 regelvolger (2), T01_r2 professioneel (2 vs
-1), T02_r1 regelvolger (2).

No browser is needed here; `make report-screenshot` renders the page in headless Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from qualcode.cli import get_app
from qualcode.project import Project
from qualcode.report.html import NotAvailable, blues
from qualcode.report.page import SECTIONS, build_report, render_section, write_report
from qualcode.report.sections import ReportOptions, Section
from qualcode.report.svg import Bar, bar_chart_svg
from qualcode.tables.quotes import pick_top_quotes
from qualcode.tables.typology_tables import fragment_list

TYPOLOGY = """\
typology:
  id: test-types
  label: {nl: Testtypen, en: Test types}
  codebook: test.yaml
  min_score: 1.0
  margin: 0.5
types:
  - id: regelvolger
    label: {nl: Regelvolger, en: Rule follower}
    features:
      - {code: logic.bureaucratic, weight: 2}
    against: [logic.professional]
  - id: professioneel
    label: {nl: Professioneel type, en: Professional type}
    features:
      - {code: logic.professional, weight: 2}
profile:
  aspects:
    - id: logic
      label: {nl: Logica, en: Logic}
      poles: {bureaucratic: logic.bureaucratic, professional: logic.professional}
"""

HEADINGS = ["Project summary", "Codebook", "Code frequencies", "Cases by code", "Agreement between coders",
            "Typology", "Top quotes per code"]


# -- a small HTML reader --------------------------------------------------------------------------
class Page(HTMLParser):
    """What the tests look at: every tag with its attributes, h2 texts, ids, table cells by table id,
    and the text inside each <section>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.h2: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.sections: dict[str, str] = {}
        self._h2: list[str] | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._section: str | None = None
        self._stack: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "h2":
            self._h2 = []
        if tag == "section":
            self._section = a.get("id")
            self.sections[self._section] = ""
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        if tag == "tr" and self._table:
            self.tables[self._table].append([])
        if tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h2" and self._h2 is not None:
            self.h2.append("".join(self._h2).strip())
            self._h2 = None
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "table":
            self._table = None
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._h2 is not None:
            self._h2.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._section:
            self.sections[self._section] += data

    def rows(self, table_id: str) -> dict[str, list[str]]:
        """Body rows keyed by their first cell (the header row is skipped)."""
        return {r[0]: r for r in self.tables[table_id][1:] if r}


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture
def coded(ingested: Project) -> Project:
    """The conftest project coded by anna (see the module docstring)."""
    p = ingested
    p.code("T01_g1:2", ["logic.bureaucratic"], coder="anna", quote="de wet zegt dat ik moet controleren")
    p.code("T01_g1:3", ["logic.professional"], coder="anna", quote="ik kijk per klant wat past, elke klant is anders")
    p.code("T01_g1:5", ["logic.market"], coder="anna", quote="Die targets vind ik onzin", stance="rejects")
    p.code("T01_g1:6", ["discretion.coping"], coder="anna")
    p.code("T02_r1:4", ["logic.bureaucratic"], coder="anna")
    return p


@pytest.fixture
def two_coders(coded: Project) -> Project:
    coded.code("T01_g1:2", ["logic.bureaucratic"], coder="bram")
    coded.code("T01_g1:3", ["logic.market"], coder="bram")
    return coded


@pytest.fixture
def typed(coded: Project) -> Project:
    """The coded project with its own typology file named in qualcode.toml."""
    root = coded.root
    (root / "codebooks" / "typ.yaml").write_text(TYPOLOGY, encoding="utf-8")
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager-typology.yaml", "codebooks/typ.yaml"))
    coded.close()
    p = Project.open(root)
    yield p
    p.close()


def page_of(project: Project, **options) -> tuple[str, Page]:
    text = build_report(project, ReportOptions(**options))
    return text, Page(text)


# -- the page as a whole ----------------------------------------------------------------------------
def test_page_is_one_self_contained_file(typed):
    text, page = page_of(typed)
    assert text.startswith("<!DOCTYPE html>")
    refs = [(tag, k, v) for tag, a in page.tags for k, v in a.items() if k in ("src", "href", "xlink:href")]
    assert refs, "the table of contents links to the sections"
    for tag, key, value in refs:
        assert value and (value.startswith("#") or value.startswith("data:")), (tag, key, value)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "iframe", "img", "object", "embed"}
    assert "style" in tags
    assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text
    # every internal link points at an element of the page
    for _, _, value in refs:
        if value.startswith("#"):
            assert value[1:] in page.ids, value
    assert "internal error" not in text


def test_sections_in_order_with_a_table_of_contents(typed):
    _, page = page_of(typed)
    assert page.h2 == [f"{i}. {h}" for i, h in enumerate(HEADINGS, start=1)]
    toc = [a["href"] for tag, a in page.tags if tag == "a" and a.get("href", "").startswith("#")]
    assert toc[: len(SECTIONS)] == [f"#{s.id}" for s in SECTIONS]


def test_inline_svg_charts(typed):
    text, page = page_of(typed)
    svgs = [a for tag, a in page.tags if tag == "svg"]
    assert len(svgs) >= 2  # code frequencies (bars) and the case-by-family heatmap
    assert all("viewbox" in a for a in svgs)  # scalable to the column (html.parser lowercases names)
    assert 'aria-label="Codings per code (including subcodes)"' in text
    assert 'aria-label="Heatmap of cases by code family"' in text
    assert "<metadata>" not in text


# -- sections ----------------------------------------------------------------------------------------
def test_summary_counts(coded):
    _, page = page_of(coded)
    words = sum(t["words"] for t in coded.transcript_rows())
    stats = re.findall(r"([\d\u202f]+)\s*(Transcripts|Cases|Words|Turns|Codings|Coders)", page.sections["summary"])
    got: dict[str, str] = {}
    for v, k in stats:  # the stat cards come first
        got.setdefault(k, v.replace("\u202f", ""))
    assert got["Transcripts"] == "2" and got["Cases"] == "3" and got["Codings"] == "5" and got["Coders"] == "1"
    assert got["Words"] == str(words)
    assert "anna: 5" in page.sections["summary"]


def test_codebook_tree_has_every_code_and_definition(coded):
    text, page = page_of(coded)
    cb = coded.codebook()
    for code in cb.codes.values():
        assert code.id in page.sections["codebook"]
        if code.definition:
            assert code.definition in page.sections["codebook"]
    for code in cb.codes.values():
        if code.parent is not None:
            assert f"code-{code.id.replace('.', '-')}" in page.ids
    assert text.count('<details class="family"') >= len(cb.roots())


def test_code_frequencies_by_hand(coded):
    df = coded.code_frequencies()
    rows = {r["code"]: r for r in df.to_dict("records")}
    assert list(rows) == ["logic", "logic.bureaucratic", "logic.professional", "logic.market", "discretion",
                          "discretion.coping"]
    assert (rows["logic"]["codings"], rows["logic"]["incl_subcodes"], rows["logic"]["cases"]) == (0, 4, 3)
    assert (rows["logic.bureaucratic"]["codings"], rows["logic.bureaucratic"]["cases"]) == (2, 2)
    assert (rows["discretion.coping"]["incl_subcodes"], rows["discretion.coping"]["cases"]) == (1, 1)
    assert df.attrs["unused"] == []
    assert "anna" not in df.columns  # one coder: no coder columns
    _, page = page_of(coded)
    table = page.rows("frequency-table")
    bureaucratic = next(r for k, r in table.items() if "logic.bureaucratic" in k)
    assert bureaucratic[1:] == ["2", "2", "2"]


def test_code_frequencies_per_coder(two_coders):
    df = two_coders.code_frequencies()
    rows = {r["code"]: r for r in df.to_dict("records")}
    assert (rows["logic.market"]["anna"], rows["logic.market"]["bram"]) == (1, 1)
    assert (rows["logic.bureaucratic"]["anna"], rows["logic.bureaucratic"]["bram"]) == (2, 1)
    assert two_coders.code_frequencies(["bram"])["codings"].sum() == 2


def test_heatmap_per_family(coded):
    _, page = page_of(coded)
    logic = page.rows("heat-logic")
    assert logic["T01_r1"][1:] == ["1", "0", "1", "2"]  # bureaucratic, professional, market, Totaal
    assert logic["T02_r1"][1:] == ["1", "0", "0", "1"]
    assert logic["Totaal"][1:] == ["2", "1", "1", "4"]


def test_quotes_with_citation_label(coded):
    coded.set_case_attributes("T01_r1", {"team": "Team <Een> & Co"})
    text, page = page_of(coded)
    quotes = page.sections["quotes"]
    assert "Die targets vind ik onzin" in quotes
    assert "(T01_r1, Team <Een> & Co)" in quotes  # the parsed text
    assert "Team &lt;Een&gt; &amp; Co" in text and "Team <Een>" not in text  # escaped in the source
    assert "stance: rejects" in quotes
    assert "T01_g1:5" in quotes


def test_agreement_only_with_two_coders(coded):
    _, page = page_of(coded)
    assert "agreement-table" not in page.tables
    assert "not available: agreement needs two coders; 1 coder (anna)" in page.sections["agreement"]


def test_agreement_table_with_two_coders(two_coders):
    _, page = page_of(two_coders)
    assert "not available" not in page.sections["agreement"]
    header = page.tables["agreement-table"][0]
    rows = page.rows("agreement-table")
    bureaucratic = next(r for k, r in rows.items() if "logic.bureaucratic" in k)
    market = next(r for k, r in rows.items() if "logic.market" in k)
    cols = {name: i for i, name in enumerate(header)}
    assert [bureaucratic[cols[c]] for c in ("both", "only anna", "only bram")] == ["1", "0", "0"]
    assert [market[cols[c]] for c in ("both", "only anna", "only bram")] == ["0", "1", "1"]
    assert "Krippendorff's alpha per code" in page.sections["agreement"]


def test_agreement_of_chosen_coders_only(two_coders):
    _, page = page_of(two_coders, coders=["anna"])
    assert "agreement-table" not in page.tables


def test_typology_tables(typed):
    _, page = page_of(typed)
    section = page.sections["typology"]
    assert "not available" not in section
    assignment = page.rows("typology-assignment-table")
    assert assignment["T01_r1"][1] == "Regelvolger"
    assert assignment["T01_r2"][1] == "Professioneel type"
    assert assignment["T02_r1"][1] == "Regelvolger"
    for table in ("typology-distribution-table", "typology-profile-table", "typology-strategies-table"):
        assert table in page.tables
    distribution = page.tables["typology-distribution-table"]
    assert any("T01_r2" in " ".join(r) for r in distribution)


def test_typology_per_coder_with_two_coders(typed):
    typed.code("T01_g1:3", ["logic.professional"], coder="bram")
    _, page = page_of(typed)
    assert "typology-anna-assignment-table" in page.tables
    assert "typology-bram-assignment-table" in page.tables
    assert page.rows("typology-bram-assignment-table")["T01_r2"][1] == "Professioneel type"


def test_no_typology_file_is_not_available(coded):
    toml = coded.root / "qualcode.toml"
    toml.write_text(toml.read_text().replace("codebooks/klantmanager-typology.yaml", "codebooks/none.yaml"))
    p = Project.open(coded.root)
    try:
        _, page = page_of(p)
    finally:
        p.close()
    assert "not available: no typology file (codebooks/none.yaml" in page.sections["typology"]


def test_project_without_codings_still_gives_a_page(ingested):
    text, page = page_of(ingested)
    assert page.h2 == [f"{i}. {h}" for i, h in enumerate(HEADINGS, start=1)]
    for sid in ("frequencies", "heatmap", "quotes", "typology"):
        assert "not available: no codings yet" in page.sections[sid], sid
    assert "agreement needs two coders; 0 coders" in page.sections["agreement"]
    assert "internal error" not in text


# -- failing sections ---------------------------------------------------------------------------------
def test_a_failing_section_says_why(coded, monkeypatch):
    def missing(project, options):
        raise NotAvailable("nothing here")

    def broken(project, options):
        raise RuntimeError("boom")

    monkeypatch.delenv("QUALCODE_DEBUG", raising=False)
    r = render_section(coded, Section("x", "X", missing), ReportOptions())
    assert not r.available and r.body == '<p class="na">not available: nothing here</p>'
    r = render_section(coded, Section("y", "Y", broken), ReportOptions())
    assert not r.available and "internal error (RuntimeError: boom)" in r.body
    monkeypatch.setenv("QUALCODE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        render_section(coded, Section("y", "Y", broken), ReportOptions())


# -- small parts ----------------------------------------------------------------------------------------
def test_pick_top_quotes_prefers_agreement_length_and_spread():
    import pandas as pd

    long = " ".join(["woord"] * 14)
    df = pd.DataFrame([
        {"quote": "kort", "case": "A", "coder": "anna"},
        {"quote": long, "case": "A", "coder": "anna"},
        {"quote": long + " twee", "case": "A", "coder": "anna, bram"},
        {"quote": long + " b", "case": "B", "coder": "anna"},
        {"quote": "ook kort", "case": "C", "coder": "anna"},
    ])
    top = pick_top_quotes(df, 3, max_words=60)
    # agreed first; then a readable quote from a new case; then the short one from the third case
    assert list(top.index) == [2, 3, 4]
    assert list(pick_top_quotes(df, 1).index) == [2]
    assert len(pick_top_quotes(df, 10)) == 5


def test_fragment_list_groups_by_transcript():
    assert fragment_list(["T1:10", "T1:2", "T2:1"]) == "T1: 2, 10; T2: 1"
    assert fragment_list([f"T1:{i}" for i in range(1, 11)], limit=3) == "T1: 1, 2, 3 … (+7)"
    assert fragment_list([]) == ""


def test_colour_scale_and_bars():
    assert blues(0) == "#f7fbff" and blues(1) == "#08306b" and blues(2) == "#08306b"
    svg = bar_chart_svg([Bar("a <b>", 2, group="G & H"), Bar("c", 4, text="4.0")], "T")
    assert svg.startswith("<svg") and "a &lt;b&gt;" in svg and "G &amp; H" in svg and ">4.0<" in svg
    with pytest.raises(NotAvailable):
        bar_chart_svg([], "T")


def test_write_report_default_path_and_suffix(coded):
    from qualcode.errors import InputError

    path = write_report(coded)
    assert path == coded.root / "exports" / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(InputError):
        write_report(coded, coded.root / "exports" / "report.pdf")
    with pytest.raises(InputError):
        ReportOptions(top_quotes=0)


def test_report_is_deterministic(coded):
    assert build_report(coded) == build_report(coded)


# -- command line ---------------------------------------------------------------------------------------
def test_cli_writes_the_report(coded, tmp_path):
    runner = CliRunner()
    app = get_app()
    out = tmp_path / "r" / "report.html"
    result = runner.invoke(app, ["--project", str(coded.root), "report", "--out", str(out), "--top", "1"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Top quotes per code" in text and "Die targets vind ik onzin" in text
    result = runner.invoke(app, ["--project", str(coded.root), "report"])
    assert result.exit_code == 0, result.output
    assert (coded.root / "exports" / "report.html").is_file()


def test_cli_bad_input_exits_2(coded, tmp_path):
    runner = CliRunner()
    app = get_app()
    base = ["--project", str(coded.root), "report"]
    for args in (["--coder", "nobody"], ["--out", str(tmp_path / "r.txt")], ["--top", "0"]):
        result = runner.invoke(app, base + args)
        assert result.exit_code == 2, (args, result.output)
