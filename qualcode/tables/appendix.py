"""The appendix that justifies each type assignment.

Per type, per team (with its respondent id range), per distinguishing feature of the type (the
type's features in the typology's order, those coded for the team's cases): up to ``max_quotes``
short quotes, each the coded passage in **bold** inside its turn (shortened to ``max_words``
around it), taken from different respondents first; then one line on contradicting evidence: the
fragments of these cases that point to another type or to an ``against`` code of this type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.tables.frame import display, make_frame, natural_key
from qualcode.tables.ids import THROUGH, id_ranges
from qualcode.tables.quotes import citation_label, in_context, shorten
from qualcode.tables.typology import contradictions

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tables.typology import TypologyData

CONTRA = "contradicting evidence"
NONE = "none"
MAX_LISTED = 6


def _pick(codings: Sequence[Mapping[str, Any]], n: int) -> list[Mapping[str, Any]]:
    """Up to ``n`` codings, one per respondent in turn (natural case order), each respondent's in text order."""
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for c in sorted(codings, key=lambda c: (natural_key(c["transcript"]), c["start"], c["end"])):
        by_case.setdefault(c["case"], []).append(c)
    queues = [by_case[k] for k in sorted(by_case, key=natural_key)]
    out: list[Mapping[str, Any]] = []
    seen: set[tuple] = set()
    while len(out) < n and any(queues):
        for q in queues:
            while q:
                c = q.pop(0)
                key = (c["fragment"], c["start"], c["end"])
                if key not in seen:
                    seen.add(key)
                    out.append(c)
                    break
            if len(out) >= n:
                break
    return out


def appendix(
    data: TypologyData,
    codebook: Any,
    turn: Callable[[str], tuple[int, str] | None],
    *,
    team_attr: str = "team",
    citation: str = "({case}, {team})",
    max_quotes: int = 3,
    max_words: int | None = 40,
    through: str = THROUGH,
    lang: str | None = None,
) -> pd.DataFrame:
    """Columns: ``type, <team>, feature, quote, citation, fragment``.

    ``turn(fragment_id)`` gives ``(start offset of the turn, turn text)`` so a quote can show the
    coded part in bold inside its turn; when it gives None the coded text alone is quoted.
    """

    lang = lang or data.lang
    types = data.type_of()
    by_case = data.codings_by_case()
    rows = []
    for t in data.typology.types:
        cases = [c for c, tid in types.items() if tid == t.id]
        teams: dict[Any, list[str]] = {}
        for c in cases:
            teams.setdefault(data.case_attributes.get(c, {}).get(team_attr), []).append(c)
        for team in sorted(teams, key=natural_key):
            ids = sorted(teams[team], key=natural_key)
            team_cell = f"{display(team)} ({id_ranges(ids, through)})"
            codings = [c for case in ids for c in by_case.get(case, [])]
            for f in t.features:
                hits = [c for c in codings if is_under(c["code"], f.code)]
                for hit in _pick(hits, max_quotes):
                    tt = turn(hit["fragment"])
                    if tt is not None:
                        start, text = tt
                        quote = in_context(text, hit["start"] - start, hit["end"] - start, max_words)
                    else:
                        quote = "**" + shorten(hit["text"] or "", max_words) + "**"
                    values = {**data.case_attributes.get(hit["case"], {}), "case": hit["case"],
                              "fragment": hit["fragment"], "transcript": hit["transcript"], "code": hit["code"]}
                    rows.append([data.type_label(t.id), team_cell, codebook.label_of(f.code, lang), quote,
                                 citation_label(citation, values), hit["fragment"]])
            contra = contradictions(data.typology, t.id, codings)
            if not contra:
                line = NONE
            else:
                items = []
                for x in sorted(contra, key=lambda x: (natural_key(x.coding["transcript"]), x.coding["start"])):
                    to = ", ".join("against" if p == "against" else data.type_label(p) for p in x.points_to)
                    items.append(f"{x.coding['fragment']} ({codebook.label_of(x.coding['code'], lang)} → {to})")
                frags = len({x.coding["fragment"] for x in contra})
                more = [f"and {len(items) - MAX_LISTED} more"] if len(items) > MAX_LISTED else []
                shown = items[:MAX_LISTED] + more
                line = f"{len(contra)} coding(s) in {frags} fragment(s): " + "; ".join(shown)
            rows.append([data.type_label(t.id), team_cell, CONTRA, line, "", ""])
    types_known = {t.id for t in data.typology.types}
    n_uncl = sum(1 for v in types.values() if v not in types_known)
    notes = [
        f"Per type and team, up to {max_quotes} quote(s) per feature of the type, from different respondents first; "
        "the coded part in bold." + (f" Quotes shortened to {max_words} words around it." if max_words else ""),
        f"'{CONTRA}': codings of these respondents under a feature of another type (→ that type) or under an "
        "'against' code of this type (→ against).",
        f"{n_uncl} unclassified case(s) left out." if n_uncl else "",
    ]
    return make_frame(rows, ["type", team_attr, "feature", "quote", "citation", "fragment"],
                      "Verantwoording van de typering", notes + data.notes)
