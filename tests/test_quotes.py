"""Citation tables: shortening, citation labels, bold context, merging coders, table layouts.

The coded fixture (built by :func:`build_coded_project`, shared with test_matrix.py and
test_cli_tables.py) has three transcripts, four cases in two municipalities and three teams, and
eleven hand-made codings; every expected value below was counted by hand from it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from qualcode.errors import InputError
from qualcode.project import Project
from qualcode.tables.quotes import citation_label, in_context, quote_tables, shorten

CODEBOOK = """\
codebook:
  id: tables
  title: Codebook for table tests
codes:
  - id: logic
    label: {nl: Logica, en: Logic}
    codable: false
    children:
      - id: bureaucratic
        label: {nl: Bureaucratisch, en: Bureaucratic}
        definition: Regels.
      - id: professional
        label: {nl: Professioneel, en: Professional}
        definition: Eigen oordeel.
        children:
          - id: client
            label: {nl: Klantgericht, en: Client-centred}
            definition: De klant centraal.
          - id: judgement
            label: {nl: Oordeel, en: Judgement}
            definition: Eigen afweging.
      - id: market
        label: {nl: Markt, en: Market}
        definition: Targets.
  - id: discretion
    label: {nl: Beslisruimte, en: Discretion}
    codable: false
    children:
      - id: coping
        label: {nl: Coping, en: Coping}
        definition: Werkdruk.
      - id: inference
        label: {nl: Professionele afweging, en: Professional inference}
        definition: Uitzondering met reden.
"""

GROUP = """\
---
id: A01_g1
gemeente: Amstel
team: Team A
speakers:
  R1: A01_r1
  R2: A01_r2
---
I: Vraag een?
R1: De wet zegt dat ik moet controleren, dus dat doe ik ook elke week weer.
R2: Ik kijk per klant wat past, want elke klant is anders en dat vraagt maatwerk van ons.
I: En de targets?
R1: Die targets vind ik onzin, daar heb ik niks aan.
R2: Geen tijd voor intervisie, de caseload is te hoog.
"""

SINGLE_A = """\
---
id: A02_r1
gemeente: Amstel
team: Team B
---
I: Vraag?
R: Een sanctie gebruik ik als middel om hem wakker te schudden.
I: En verder?
R: Dan houd ik me aan de regels, zo is het beleid.
"""

SINGLE_B = """\
---
id: B01_r1
gemeente: Berg
team: Team C
---
I: Vraag?
R: Ik kijk naar de persoon en wat die nodig heeft, niet naar het formulier.
I: En targets?
R: De targets halen we nooit, dus ik maak soms een uitzondering.
"""


def build_coded_project(root: Path) -> Project:
    """Init, ingest and code the fixture project at ``root``; the caller closes it."""
    Project.init(root).close()
    for name, text in {"codebooks/tables.yaml": CODEBOOK, "transcripts/A01_g1.txt": GROUP,
                       "transcripts/A02_r1.txt": SINGLE_A, "transcripts/B01_r1.txt": SINGLE_B}.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    toml = root / "qualcode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("codebooks/klantmanager.yaml", "codebooks/tables.yaml"),
                    encoding="utf-8")
    p = Project.open(root)
    p.ingest([root / "transcripts"])
    p.code("A01_g1:2", ["logic.bureaucratic"], coder="anna", quote="De wet zegt dat ik moet controleren")
    p.code("A01_g1:2", ["logic.bureaucratic"], coder="bram", quote="De wet zegt dat ik moet controleren",
           stance="describes")
    p.code("A01_g1:3", ["logic.professional.client"], coder="anna")
    p.code("A01_g1:3", ["logic.professional.judgement"], coder="anna", quote="elke klant is anders")
    p.code("A01_g1:5", ["logic.market"], coder="anna", quote="Die targets vind ik onzin", stance="rejects")
    p.code("A01_g1:6", ["discretion.coping"], coder="anna")
    p.code("A02_r1:2", ["logic.professional"], coder="anna", quote="als middel")
    p.code("A02_r1:4", ["logic.bureaucratic"], coder="anna", quote="Dan houd ik me aan de regels", stance="distances")
    p.code("B01_r1:2", ["logic.professional.client"], coder="anna", quote="wat die nodig heeft")
    p.code("B01_r1:4", ["logic.market"], coder="anna", quote="De targets halen we nooit")
    p.code("B01_r1:4", ["discretion.inference"], coder="anna", quote="ik maak soms een uitzondering")
    return p


@pytest.fixture
def coded(tmp_path: Path):
    p = build_coded_project(tmp_path / "tables")
    yield p
    p.close()


# -- shortening -----------------------------------------------------------------------------
def test_shorten_keeps_beginning_and_end_at_word_boundaries():
    text = "een twee drie vier vijf zes zeven"
    assert shorten(text, 4) == "een twee (...) zes zeven"
    assert shorten(text, 5) == "een twee drie (...) zes zeven"
    assert shorten(text, 1) == "een (...)"
    assert shorten(text, 7) == text and shorten(text, None) == text


def test_shorten_never_cuts_inside_a_word_and_squashes_white_space():
    text = "Ik kijk per klant wat past,\n   want elke klant is anders."
    short = shorten(text, 4)
    assert short == "Ik kijk (...) is anders."
    original = text.split()
    assert all(w in original for w in short.split() if w != "(...)")
    assert shorten("a  b\n c", None) == "a b c"


def test_shorten_refuses_zero_words():
    with pytest.raises(InputError):
        shorten("een twee", 0)


# -- citation labels ------------------------------------------------------------------------
def test_citation_label_fills_any_attribute_and_tolerates_missing_ones():
    assert citation_label("({case}, {team})", {"case": "A01_r1", "team": "Team A"}) == "(A01_r1, Team A)"
    assert citation_label("({case}, {team})", {"case": "A01_r1"}) == "(A01_r1)"
    assert citation_label("({team}, {case})", {"case": "A01_r1", "team": None}) == "(A01_r1)"
    assert citation_label("{case} ({functie}; {gemeente})", {"case": "X", "gemeente": "Berg"}) == "X (Berg)"
    assert citation_label("({functie})", {"case": "X"}) == ""
    assert citation_label("{case}, caseload {caseload:.0f}", {"case": "X", "caseload": 180.4}) == "X, caseload 180"
    assert citation_label("{case} ({vast})", {"case": "X", "vast": True}) == "X (ja)"


def test_citation_template_syntax_error_is_input_error():
    with pytest.raises(InputError):
        citation_label("({case", {"case": "X"})


# -- bold context -----------------------------------------------------------------------------
TURN = "Ik kijk per klant wat past, want elke klant is anders en dat vraagt maatwerk van ons."


def test_in_context_bolds_the_coded_part():
    s = TURN.index("elke")
    assert in_context(TURN, s, s + len("elke klant is anders")) == (
        "Ik kijk per klant wat past, want **elke klant is anders** en dat vraagt maatwerk van ons.")
    assert in_context(TURN, 0, len(TURN)) == f"**{TURN}**"


def test_in_context_with_max_words_trims_context_around_the_coded_part():
    s = TURN.index("elke")
    e = s + len("elke klant is anders")
    assert in_context(TURN, s, e, 8) == "(...) past, want **elke klant is anders** en dat (...)"
    # a side with fewer words than its half leaves the budget to the other side
    assert in_context(TURN, 0, len("Ik kijk"), 5) == "**Ik kijk** per klant wat (...)"
    # the coded part alone is too long: it is shortened and the context is cut
    assert in_context(TURN, s, len(TURN), 4) == "(...) **elke klant (...) van ons.**"


# -- Project.quotes -----------------------------------------------------------------------------
def test_quotes_columns_order_and_merged_coders(coded):
    df = coded.quotes()
    assert list(df.columns) == ["code", "code_label", "quote", "citation", "case", "fragment", "stance", "coder",
                                "gemeente", "team"]
    assert list(zip(df["code"], df["fragment"])) == [
        ("logic.bureaucratic", "A01_g1:2"),
        ("logic.bureaucratic", "A02_r1:4"),
        ("logic.professional", "A02_r1:2"),
        ("logic.professional.client", "A01_g1:3"),
        ("logic.professional.client", "B01_r1:2"),
        ("logic.professional.judgement", "A01_g1:3"),
        ("logic.market", "A01_g1:5"),
        ("logic.market", "B01_r1:4"),
        ("discretion.coping", "A01_g1:6"),
        ("discretion.inference", "B01_r1:4"),
    ]
    first = df.iloc[0].to_dict()
    assert first == {
        "code": "logic.bureaucratic", "code_label": "Bureaucratisch", "quote": "De wet zegt dat ik moet controleren",
        "citation": "(A01_r1, Team A)", "case": "A01_r1", "fragment": "A01_g1:2", "stance": "describes",
        "coder": "anna, bram", "gemeente": "Amstel", "team": "Team A",
    }
    assert df.iloc[2]["stance"] is None
    assert df.iloc[3]["quote"] == TURN  # a whole-turn coding quotes the turn


def test_quotes_filters_by_code_prefixes_and_coder(coded):
    assert list(coded.quotes(codes="logic.professional")["fragment"]) == ["A02_r1:2", "A01_g1:3", "B01_r1:2",
                                                                         "A01_g1:3"]
    assert list(coded.quotes(codes=["logic.market", "discretion"])["code"]) == [
        "logic.market", "logic.market", "discretion.coping", "discretion.inference"]
    bram = coded.quotes(coders="bram")
    assert len(bram) == 1 and bram.iloc[0]["coder"] == "bram" and bram.iloc[0]["stance"] == "describes"


def test_quotes_max_words_and_context(coded):
    df = coded.quotes(codes="logic.professional.client", max_words=6)
    assert df.iloc[0]["quote"] == "Ik kijk per (...) maatwerk van ons."
    df = coded.quotes(codes="logic.professional.judgement", context=True)
    assert df.iloc[0]["quote"] == ("Ik kijk per klant wat past, want **elke klant is anders** "
                                   "en dat vraagt maatwerk van ons.")
    df = coded.quotes(codes="logic.market", context=True, max_words=7)
    assert list(df["quote"]) == ["**Die targets vind ik onzin**, daar (...)",
                                 "**De targets halen we nooit**, dus (...)"]


def test_quotes_group_by_case(coded):
    df = coded.quotes(group_by="case")
    assert list(zip(df["case"], df["code"])) == [
        ("A01_r1", "logic.bureaucratic"), ("A01_r1", "logic.market"),
        ("A01_r2", "logic.professional.client"), ("A01_r2", "logic.professional.judgement"),
        ("A01_r2", "discretion.coping"),
        ("A02_r1", "logic.professional"), ("A02_r1", "logic.bureaucratic"),
        ("B01_r1", "logic.professional.client"), ("B01_r1", "logic.market"), ("B01_r1", "discretion.inference"),
    ]


def test_quotes_citation_template_from_config_and_case_attributes(coded):
    coded.set_case_attributes("A01_r1", {"functie": "klantmanager"})
    coded.config.citation = "{case} ({functie}, {gemeente})"
    df = coded.quotes(codes="logic.bureaucratic", case_attrs=["functie"])
    assert list(df.columns)[-1] == "functie"
    assert list(df["citation"]) == ["A01_r1 (klantmanager, Amstel)", "A02_r1 (Amstel)"]
    assert list(df["functie"]) == ["klantmanager", None]


def test_quotes_bad_input(coded):
    with pytest.raises(InputError, match="no code under 'logics'"):
        coded.quotes(codes="logics")
    with pytest.raises(InputError, match="unknown coder 'carla'"):
        coded.quotes(coders=["carla"])
    with pytest.raises(InputError, match="no case has an attribute 'teem'"):
        coded.quotes(case_attrs=["teem"])
    with pytest.raises(InputError):
        coded.quotes(group_by="team")


def test_default_case_attributes_may_be_missing(tmp_path):
    p = build_coded_project(tmp_path / "p")
    try:
        p.config.citation = "({case}, {afdeling})"
        df = p.quotes(codes="logic.market", case_attrs=("gemeente", "team"))
        assert list(df["citation"]) == ["(A01_r1)", "(B01_r1)"]
    finally:
        p.close()


# -- tables for the writers ---------------------------------------------------------------------
def test_quote_tables_layouts(coded):
    df = coded.quotes()
    groups = quote_tables(df, group_by="code")
    assert [t.title for t in groups] == [
        "Bureaucratisch (logic.bureaucratic)", "Professioneel (logic.professional)",
        "Klantgericht (logic.professional.client)", "Oordeel (logic.professional.judgement)",
        "Markt (logic.market)", "Coping (discretion.coping)", "Professionele afweging (discretion.inference)",
    ]
    assert groups[0].columns == ["quote", "citation", "fragment", "stance", "coder"]
    assert groups[0].rows[1] == ["Dan houd ik me aan de regels", "(A02_r1, Team B)", "A02_r1:4", "distances", "anna"]
    by_case = quote_tables(coded.quotes(group_by="case"), group_by="case", case_attrs=["gemeente", "team"])
    assert [t.title for t in by_case] == ["A01_r1 (Amstel, Team A)", "A01_r2 (Amstel, Team A)",
                                          "A02_r1 (Amstel, Team B)", "B01_r1 (Berg, Team C)"]
    families = quote_tables(df, layout="families", family_labels={"logic": "Logica"})
    assert [(t.sheet, t.title, len(t.rows)) for t in families] == [("logic", "Logica", 8),
                                                                     ("discretion", "discretion", 2)]
    flat = quote_tables(df, layout="flat")
    assert len(flat) == 1 and len(flat[0].rows) == 10


def test_quotes_xlsx_one_sheet_per_family(coded, tmp_path):
    from openpyxl import load_workbook

    from qualcode.export.write import write_tables

    path = write_tables(quote_tables(coded.quotes(), layout="families"), tmp_path / "q.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["logic", "discretion"]
    ws = wb["discretion"]
    assert [c.value for c in ws[1]] == ["code", "code_label", "quote", "citation", "case", "fragment", "stance",
                                        "coder", "gemeente", "team"]
    assert [c.value for c in ws[2]] == ["discretion.coping", "Coping",
                                        "Geen tijd voor intervisie, de caseload is te hoog.", "(A01_r2, Team A)",
                                        "A01_r2", "A01_g1:6", None, "anna", "Amstel", "Team A"]
    assert ws.max_row == 3


def test_quotes_docx_word_table_per_code_with_bold_context(coded, tmp_path):
    import docx

    from qualcode.export.write import write_tables

    df = coded.quotes(codes="logic.professional", context=True)
    path = write_tables(quote_tables(df, group_by="code"), tmp_path / "q.docx")
    d = docx.Document(str(path))
    assert len(d.tables) == 3
    captions = [p.text for p in d.paragraphs if p.text]
    assert captions == ["Professioneel (logic.professional)", "Klantgericht (logic.professional.client)",
                        "Oordeel (logic.professional.judgement)"]
    cell = d.tables[2].rows[1].cells[0]
    assert cell.text == TURN
    bold = [r.text for r in cell.paragraphs[0].runs if r.bold]
    assert bold == ["elke klant is anders"]
    assert [c.text for c in d.tables[1].rows[2].cells] == [
        "Ik kijk naar de persoon en **wat die nodig heeft**, niet naar het formulier.".replace("**", ""),
        "(B01_r1, Team C)", "B01_r1:2", "", "anna"]
