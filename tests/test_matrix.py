"""Matrices, co-occurrence and heatmaps on the hand-counted fixture of test_quotes.py.

Codings (anna unless noted; words in brackets):
  A01_r1 (Amstel, Team A): bureaucratic x2 (anna + bram, 7 words each), market (5)
  A01_r2 (Amstel, Team A): professional.client (whole turn, 17), professional.judgement (4), coping (9)
  A02_r1 (Amstel, Team B): professional (2), bureaucratic (7)
  B01_r1 (Berg, Team C):   professional.client (4), market (5), inference (5)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_quotes import build_coded_project

from qualcode.errors import InputError
from qualcode.tables.matrix import TOTAL, collapse

BUR, PROF, CLIENT, JUDG, MARKET = ("logic.bureaucratic", "logic.professional", "logic.professional.client",
                                   "logic.professional.judgement", "logic.market")


@pytest.fixture
def coded(tmp_path: Path):
    p = build_coded_project(tmp_path / "tables")
    yield p
    p.close()


def rows_of(df) -> dict:
    """{row label: [cells...]} with MultiIndex labels joined by '/'."""
    out = {}
    for key, values in zip(df.index, df.to_numpy().tolist()):
        label = "/".join(str(k) for k in key if k != "") if isinstance(key, tuple) else key
        out[label] = [round(v, 2) if isinstance(v, float) else v for v in values]
    return out


def test_collapse():
    assert collapse("logic.professional.client", "logic", 1) == "logic.professional"
    assert collapse("logic.professional.client", "logic", 2) == "logic.professional.client"
    assert collapse("logic.professional.client", "", 1) == "logic"
    assert collapse("logic.market", "logic", None) == "logic.market"


def test_matrix_by_case_every_code(coded):
    df = coded.matrix(rows="case", cols="logic")
    assert list(df.columns) == [BUR, PROF, CLIENT, JUDG, MARKET, TOTAL]
    assert df.index.name == "case"
    assert rows_of(df) == {
        "A01_r1": [2, 0, 0, 0, 1, 3],
        "A01_r2": [0, 0, 1, 1, 0, 2],
        "A02_r1": [1, 1, 0, 0, 0, 2],
        "B01_r1": [0, 0, 1, 0, 1, 2],
        TOTAL: [3, 1, 2, 1, 2, 9],
    }
    assert list(df.index)[-1] == TOTAL


def test_matrix_depth_collapses_descendants_into_ancestors(coded):
    df = coded.matrix(cols="logic", depth=1)
    assert list(df.columns) == [BUR, PROF, MARKET, TOTAL]
    assert rows_of(df) == {
        "A01_r1": [2, 0, 1, 3],
        "A01_r2": [0, 2, 0, 2],
        "A02_r1": [1, 1, 0, 2],
        "B01_r1": [0, 1, 1, 2],
        TOTAL: [3, 4, 2, 9],
    }
    families = coded.matrix(cols="", depth=1)
    assert list(families.columns) == ["logic", "discretion", TOTAL]
    assert rows_of(families)[TOTAL] == [9, 2, 11]


def test_matrix_by_gemeente_and_team_one_coder(coded):
    df = coded.matrix(rows=["gemeente", "team"], cols="logic", depth=1, coders=["anna"])
    assert list(df.index.names) == ["gemeente", "team"]
    assert rows_of(df) == {
        "Amstel/Team A": [1, 2, 1, 4],
        "Amstel/Team B": [1, 1, 0, 2],
        "Berg/Team C": [0, 1, 1, 2],
        TOTAL: [2, 4, 2, 8],
    }
    assert list(df.index)[-1] == (TOTAL, "")
    # a comma string works too, and a single attribute gives a plain index
    assert rows_of(coded.matrix(rows="gemeente,team", cols="logic", depth=1, coders="anna")) == rows_of(df)
    assert coded.matrix(rows="gemeente", cols="logic").index.name == "gemeente"


def test_matrix_count_cases_totals_are_distinct_cases(coded):
    df = coded.matrix(rows="gemeente,team", cols="logic", depth=1, count="cases")
    assert rows_of(df) == {
        "Amstel/Team A": [1, 1, 1, 2],
        "Amstel/Team B": [1, 1, 0, 1],
        "Berg/Team C": [0, 1, 1, 1],
        TOTAL: [2, 3, 2, 4],
    }
    by_gemeente = coded.matrix(rows="gemeente", cols="logic", depth=1, count="cases")
    assert rows_of(by_gemeente) == {"Amstel": [2, 2, 1, 3], "Berg": [0, 1, 1, 1], TOTAL: [2, 3, 2, 4]}
    assert "verschillende cases" in by_gemeente.attrs["notes"][0]


def test_matrix_count_words(coded):
    df = coded.matrix(cols="logic", depth=1, count="words", coders=["anna"])
    assert rows_of(df) == {
        "A01_r1": [7, 0, 5, 12],
        "A01_r2": [0, 21, 0, 21],
        "A02_r1": [7, 2, 0, 9],
        "B01_r1": [0, 4, 5, 9],
        TOTAL: [14, 27, 10, 51],
    }


def test_matrix_normalize_row_sums_to_100(coded):
    df = coded.matrix(cols="logic", depth=1, normalize="row")
    assert rows_of(df) == {
        "A01_r1": [66.67, 0.0, 33.33, 100.0],
        "A01_r2": [0.0, 100.0, 0.0, 100.0],
        "A02_r1": [50.0, 50.0, 0.0, 100.0],
        "B01_r1": [0.0, 50.0, 50.0, 100.0],
        TOTAL: [33.33, 44.44, 22.22, 100.0],
    }
    for values in df.drop(columns=TOTAL).to_numpy():
        assert sum(values) == pytest.approx(100.0)


def test_matrix_normalize_col(coded):
    df = coded.matrix(cols="logic", depth=1, normalize="col")
    got = rows_of(df)
    assert got["A01_r1"] == [66.67, 0.0, 50.0, 33.33]
    assert got[TOTAL] == [100.0, 100.0, 100.0, 100.0]
    for col in [BUR, PROF, MARKET]:
        assert df[col].iloc[:-1].sum() == pytest.approx(100.0)


def test_matrix_zero_rows_and_labels(coded):
    # bram coded only A01_r1: the other cases are still rows, with zeros
    df = coded.matrix(cols="logic", depth=1, coders="bram", labels=True)
    assert list(df.columns) == ["Bureaucratisch", "Professioneel", "Markt", TOTAL]
    assert rows_of(df) == {"A01_r1": [1, 0, 0, 1], "A01_r2": [0, 0, 0, 0], "A02_r1": [0, 0, 0, 0],
                           "B01_r1": [0, 0, 0, 0], TOTAL: [1, 0, 0, 1]}
    assert rows_of(coded.matrix(cols="logic", depth=1, coders="bram", normalize="row"))["A01_r2"] == [0, 0, 0, 0]


def test_matrix_bad_input(coded):
    with pytest.raises(InputError, match="no case has an attribute 'teem'"):
        coded.matrix(rows="teem")
    with pytest.raises(InputError, match="no code under 'logics'"):
        coded.matrix(cols="logics")
    with pytest.raises(InputError, match="unknown coder"):
        coded.matrix(coders=["carla"])
    with pytest.raises(InputError):
        coded.matrix(count="turns")
    with pytest.raises(InputError):
        coded.matrix(normalize="total")
    with pytest.raises(InputError):
        coded.matrix(depth=0)
    with pytest.raises(InputError):
        coded.matrix(rows="case,team")


# -- co-occurrence ----------------------------------------------------------------------------
def test_cooccurrence_per_turn(coded):
    df = coded.cooccurrence(codes="logic")
    assert list(df.columns) == [BUR, PROF, CLIENT, JUDG, MARKET]
    assert rows_of(df) == {
        BUR: [2, 0, 0, 0, 0],
        PROF: [0, 1, 0, 0, 0],
        CLIENT: [0, 0, 2, 1, 0],
        JUDG: [0, 0, 1, 1, 0],
        MARKET: [0, 0, 0, 0, 2],
    }
    collapsed = coded.cooccurrence(codes="logic", depth=1)
    assert rows_of(collapsed) == {BUR: [2, 0, 0], PROF: [0, 3, 0], MARKET: [0, 0, 2]}


def test_cooccurrence_families_per_turn_and_per_case(coded):
    turns = coded.cooccurrence(codes="", depth=1)
    assert rows_of(turns) == {"logic": [7, 1], "discretion": [1, 2]}
    cases = coded.cooccurrence(codes="", depth=1, unit="case")
    assert rows_of(cases) == {"logic": [4, 2], "discretion": [2, 2]}
    # two coders on one turn count that turn once
    assert coded.cooccurrence(codes="logic.bureaucratic").iloc[0, 0] == 2
    with pytest.raises(InputError):
        coded.cooccurrence(unit="sentence")


# -- heatmaps -------------------------------------------------------------------------------
def test_heatmap_png_and_svg(coded, tmp_path):
    from qualcode.export.plots import heatmap, heatmap_svg

    df = coded.matrix(rows="gemeente,team", cols="logic", depth=1)
    png = heatmap(df, tmp_path / "m.png", "Logica per team")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = heatmap(df, tmp_path / "m.svg", "Logica per team")
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "Logica per team" in text
    inline = heatmap_svg(coded.cooccurrence(codes="logic"), "Samen")
    assert inline.startswith("<svg") and inline.rstrip().endswith("</svg>")
    assert "Samen" in inline and "logic.market" in inline
    # the Totaal row and column are not drawn
    assert TOTAL not in heatmap_svg(df, "t")
    with pytest.raises(InputError):
        heatmap(df, tmp_path / "m.gif")


def test_matrix_rollup_counts_implied_codes_once_per_fragment(coded):
    """discretion.inference implies logic.professional: with --rollup, B01_r1's inference coding on
    turn 4 adds a logic.professional there; on A02_r1 turn 2, already coded logic.professional,
    an inference coding adds nothing (one passage counts once per code)."""
    cb_path = coded.root / "codebooks" / "tables.yaml"
    text = cb_path.read_text(encoding="utf-8")
    text = text.replace("      - id: inference\n", "      - id: inference\n        implies: [logic.professional]\n")
    cb_path.write_text(text, encoding="utf-8")
    coded.reload_codebook()
    coded.code("A02_r1:2", ["discretion.inference"], coder="anna")
    plain = rows_of(coded.matrix(rows="case", cols="logic"))
    rolled_df = coded.matrix(rows="case", cols="logic", rollup=True)
    rolled = rows_of(rolled_df)
    assert plain["B01_r1"] == [0, 0, 1, 0, 1, 2]
    assert rolled["B01_r1"] == [0, 1, 1, 0, 1, 3]
    assert rolled["A02_r1"] == plain["A02_r1"] == [1, 1, 0, 0, 0, 2]
    assert rolled[TOTAL] == [3, 2, 2, 1, 2, 10]
    assert any("opgetelde codes" in n for n in rolled_df.attrs["notes"])
    assert not any("opgetelde codes" in n for n in coded.matrix(rows="case", cols="logic").attrs["notes"])


def test_cli_matrix_rollup_note(coded):
    from conftest import cli

    cb_path = coded.root / "codebooks" / "tables.yaml"
    text = cb_path.read_text(encoding="utf-8")
    cb_path.write_text(text.replace("      - id: inference\n",
                                    "      - id: inference\n        implies: [logic.professional]\n"), encoding="utf-8")
    res = cli("matrix", "--rows", "case", "--cols", "logic", "--rollup", "--format", "md", cwd=coded.root)
    assert res.exit_code == 0, res.output
    assert "Inclusief opgetelde codes" in res.stdout
