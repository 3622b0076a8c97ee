"""Re-anchoring codings by their covered text."""

from qualcode.transcripts.anchoring import fragment_at, reanchor


def test_kept_when_text_unchanged_at_offsets():
    a = reanchor("abc def", "abc def ghi", 4, 7, "def")
    assert (a.status, a.start, a.end) == ("kept", 4, 7)


def test_moved_after_insertion_before_span():
    old = "R: we hebben geen tijd voor intervisie"
    new = "R: eerlijk gezegd, we hebben geen tijd voor intervisie"
    s = old.index("geen tijd")
    a = reanchor(old, new, s, s + 9, "geen tijd")
    assert a.status == "moved"
    assert new[a.start : a.end] == "geen tijd"
    assert a.candidates == 1


def test_ambiguous_picks_nearest_relative_position_and_reports_candidates():
    old = "ja. x. ja. y. ja."
    new = "nou ja. x. ja. y. ja."
    a = reanchor(old, new, 7, 9, "ja")
    assert a.status == "moved" and a.candidates == 3
    assert a.start == new.index("ja", 9)


def test_orphaned_when_text_is_gone():
    a = reanchor("de wet zegt dat", "het beleid zegt dat", 3, 6, "wet")
    assert a.status == "orphaned" and a.candidates == 0


def test_fragment_at():
    assert fragment_at([0, 10, 20], ["t:1", "t:2", "t:3"], 15) == "t:2"
    assert fragment_at([5], ["t:1"], 2) is None
