"""The appendix that justifies each type assignment.

Per type, per team (with its respondent id range), per distinguishing feature of the type (the
type's features in the typology's order, those coded for the team's cases): up to ``max_quotes``
short quotes, each the coded passage in **bold** inside its turn (shortened to ``max_words``
around it), the strongest evidence first and from different respondents first, with the weight
the fragment brings to the type; then one line on the evidence against: the fragments of these
cases that point to another type, to an ``against`` code of this type or voice a feature with a
rejecting stance, strongest first with their weights. Cases without a type (``undetermined``)
close the table: one row per case with the reason and the strongest fragments for and against
the type that came closest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.codebook.typology import Feature, FragmentWeight, coding_weight, num
from qualcode.tables.frame import display, make_frame, natural_key
from qualcode.tables.ids import THROUGH, id_ranges
from qualcode.tables.quotes import citation_label, in_context, shorten
from qualcode.tables.typology import weighed

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.tables.typology import TypologyData

CONTRA = "contradicting evidence"
REASON = "reason"
NONE = "none"
MAX_LISTED = 6


def _pick(codings: Sequence[Mapping[str, Any]], n: int,
          weight: Callable[[Mapping[str, Any]], float] | None = None) -> list[Mapping[str, Any]]:
    """Up to ``n`` codings, one per respondent in turn (natural case order), each respondent's
    strongest first (by ``weight``), then in text order."""
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    order = sorted(codings, key=lambda c: (-(weight(c) if weight else 0.0), natural_key(c["transcript"]),
                                           c["start"], c["end"]))
    for c in order:
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


def feature_label(f: Feature, codebook: Any, lang: str) -> str:
    """A feature as the appendix names it: the code's label, ``a / b`` (any of), ``a + b`` (all of)."""
    joiner = " + " if f.mode == "all_of" else " / "
    return joiner.join(codebook.label_of(c, lang) for c in f.codes)


def against_line(items: Sequence[FragmentWeight], codebook: Any, type_label: Callable[[str], str], lang: str,
                 limit: int = MAX_LISTED) -> str:
    """``2 fragment(s), strongest first: A01_r5:2 (Zelf coachen → Interventionist: 2); ...`` or ``none``."""
    if not items:
        return NONE
    ranked = sorted(items, key=lambda fw: (-fw.weight, natural_key(fw.fragment)))
    shown = []
    for fw in ranked[:limit]:
        to = ", ".join(p if p in ("against",) or p.startswith("stance") else type_label(p) for p in fw.points_to)
        labels = ", ".join(codebook.label_of(c, lang) for c in fw.codes)
        shown.append(f"{fw.fragment} ({labels} → {to}: {num(fw.weight)})")
    more = [f"and {len(ranked) - limit} more"] if len(ranked) > limit else []
    return f"{len(ranked)} fragment(s), strongest first: " + "; ".join(shown + more)


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
    """Columns: ``type, <team>, feature, quote, citation, fragment, weight``.

    ``turn(fragment_id)`` gives ``(start offset of the turn, turn text)`` so a quote can show the
    coded part in bold inside its turn; when it gives None the coded text alone is quoted.
    ``weight``: the points the quoted fragment brings to the type (all its features together).
    """

    lang = lang or data.lang
    typ = data.typology
    by_case = data.codings_by_case()
    assignment = {a.case: a for a in data.assignments}
    rules = typ.evidence

    def weight(c: Mapping[str, Any]) -> float:
        return coding_weight(c, rules)[0] if typ.format >= 2 else 1.0

    def quote_of(hit: Mapping[str, Any]) -> str:
        tt = turn(hit["fragment"])
        if tt is not None:
            start, text = tt
            return in_context(text, hit["start"] - start, hit["end"] - start, max_words)
        return "**" + shorten(hit["text"] or "", max_words) + "**"

    def cite(case: str, hit: Mapping[str, Any] | None = None) -> str:
        values = {**data.case_attributes.get(case, {}), "case": case}
        if hit is not None:
            values |= {"fragment": hit["fragment"], "transcript": hit["transcript"], "code": hit["code"]}
        return citation_label(citation, values)

    def teams_of(cases: list[str]) -> list[tuple[str, list[str]]]:
        teams: dict[Any, list[str]] = {}
        for c in cases:
            teams.setdefault(data.case_attributes.get(c, {}).get(team_attr), []).append(c)
        return [(f"{display(team)} ({id_ranges(sorted(teams[team], key=natural_key), through)})",
                 sorted(teams[team], key=natural_key)) for team in sorted(teams, key=natural_key)]

    rows = []
    for t in typ.types:
        cases = [a.case for a in data.assignments if a.type == t.id]
        for team_cell, ids in teams_of(cases):
            codings = [c for case in ids for c in by_case.get(case, []) if weight(c) > 0]
            points = {fw.fragment: fw.weight for case in ids for fw in assignment[case].support}
            for f in t.features:
                hits = [c for c in codings if f.matches(c["code"])]
                for hit in _pick(hits, max_quotes, weight):
                    rows.append([data.type_label(t.id), team_cell, feature_label(f, codebook, lang), quote_of(hit),
                                 cite(hit["case"], hit), hit["fragment"], points.get(hit["fragment"], "")])
            against = [fw for case in ids for fw in assignment[case].against]
            rows.append([data.type_label(t.id), team_cell, CONTRA,
                         against_line(against, codebook, data.type_label, lang), "", "", ""])
    for team_cell, ids in teams_of([a.case for a in data.abstained()]):
        for case in ids:
            a = assignment[case]
            text = a.reason
            if a.candidate and (a.support or a.against):
                text += (f". For {data.type_label(a.candidate)}: {weighed(a.support) or NONE}"
                         f"; against: {weighed(a.against, names={p: data.type_label(p) for p in a.scores}) or NONE}")
            rows.append([data.type_label(a.type), team_cell, REASON, text, cite(case), "", ""])
    notes = [
        f"Per type and team, up to {max_quotes} quote(s) per feature of the type, the strongest evidence first and "
        "from different respondents first; the coded part in bold; weight: the points the fragment brings to the "
        "type." + (f" Quotes shortened to {max_words} words around it." if max_words else ""),
        f"'{CONTRA}': fragments of these respondents under a feature of another type (→ that type), under an "
        "'against' code of this type (→ against) or voicing a feature with a rejecting stance, strongest first, "
        "with the points each brings.",
        data.abstain_note(left_out=False),
    ]
    return make_frame(rows, ["type", team_attr, "feature", "quote", "citation", "fragment", "weight"],
                      "Verantwoording van de typering", notes + data.notes)
