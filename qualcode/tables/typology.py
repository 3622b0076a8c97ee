"""Assigning the cases of a project to the types of a typology (``qualcode typology``).

Why a module apart from :mod:`qualcode.codebook.typology`: that module reads a typology file
and holds the scoring rule (:func:`score_case`, :func:`assign`); this one applies the rule to a
coded project. It pools codings per case (or per team, ``level``), lets a researcher's manual
decision win (the case attribute ``qualcode.type``, set with ``qualcode cases set ID
qualcode.type=regisseur``), and
keeps, per case, the fragments that support the assigned type and those that point elsewhere,
because a typology in a paper must be traceable to the interview passages behind it.

Everything here works on plain data (coding dicts, attribute dicts); :meth:`Project.typology_data`
gathers that data from a project and calls :func:`gather`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import is_under
from qualcode.codebook.typology import UNCLASSIFIED, TypeDef, Typology, assign, score_case
from qualcode.errors import InputError
from qualcode.tables.frame import natural_key

if TYPE_CHECKING:
    import pandas as pd

# The manual type of a case. Why namespaced: a plain ``type`` is what researchers call their own
# attributes (the sample's transcripts say ``type: groepsinterview``); once inherited by a case or
# carried through a REFI-QDA round trip it was read as a manual type and every typology table
# failed. Names starting with ``qualcode.`` are reserved for qualcode's own attributes.
OVERRIDE_ATTR = "qualcode.type"
LEGACY_OVERRIDE_ATTR = "type"  # before schema 3; `Store` migrates values set with `cases set`
ASSIGNMENT_COLUMNS = ["case", "type", "type_label", "scores", "evidence", "contradicting", "manual"]


@dataclass
class Assignment:
    """The type of one case, with the fragments behind it.

    ``scores`` are those of the unit that was scored: the case itself, or with a ``level``
    attribute the pooled codings of its group (``group``). ``evidence`` and ``contradicting``
    are always the case's own fragment ids, so the rows of one group together hold the
    group's evidence and every id can be traced to one respondent.
    """

    case: str
    type: str
    scores: dict[str, float]
    evidence: list[str] = field(default_factory=list)
    contradicting: list[str] = field(default_factory=list)
    manual: bool = False
    group: Any = None


@dataclass
class Contradiction:
    """A coding that points away from a case's type: to ``points_to`` (another type's feature)
    or, with ``points_to == "against"``, to a code the type itself lists under ``against``."""

    coding: Mapping[str, Any]
    points_to: list[str]


@dataclass
class TypologyData:
    """What the typology tables need: the typology, the assignment and the data behind it."""

    typology: Typology
    assignments: list[Assignment]
    codings: list[dict[str, Any]]
    case_attributes: dict[str, dict[str, Any]]
    coder: str | None
    level: str = "case"
    lang: str = "nl"
    notes: list[str] = field(default_factory=list)

    def type_of(self) -> dict[str, str]:
        return {a.case: a.type for a in self.assignments}

    def type_label(self, type_id: str) -> str:
        return type_label(self.typology, type_id, self.lang)

    def type_order(self) -> list[str]:
        """Type ids in the typology's order, ``unclassified`` last (only if a case has it)."""
        used = {a.type for a in self.assignments}
        return [t.id for t in self.typology.types] + ([UNCLASSIFIED] if UNCLASSIFIED in used else [])

    def codings_by_case(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for c in self.codings:
            if c.get("case"):
                out.setdefault(c["case"], []).append(c)
        return out


def type_label(typology: Typology, type_id: str, lang: str = "nl") -> str:
    if type_id == UNCLASSIFIED:
        return "niet ingedeeld" if lang == "nl" else "unclassified"
    try:
        return typology.type(type_id).label.get(lang) or type_id
    except StopIteration:
        return type_id


# -- fragments ---------------------------------------------------------------------------------
_FRAGMENT = re.compile(r"^(.*):(\d+)$")


def fragment_key(fragment_id: str) -> tuple:
    """Sort fragment ids by transcript (naturally) and turn number: ``T:2`` before ``T:10``."""
    m = _FRAGMENT.match(fragment_id)
    if not m:
        return (natural_key(fragment_id), 0)
    return (natural_key(m.group(1)), int(m.group(2)))


def _fragments(codings: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({c["fragment"] for c in codings if c.get("fragment")}, key=fragment_key)


# -- evidence ----------------------------------------------------------------------------------
def supports(typedef: TypeDef, code: str) -> bool:
    """True if a coding of ``code`` counts toward one of the type's features."""
    return any(is_under(code, f.code) for f in typedef.features)


def contradictions(typology: Typology, type_id: str, codings: Iterable[Mapping[str, Any]]) -> list[Contradiction]:
    """Codings that point away from ``type_id``.

    A coding contradicts when its code is under one of the type's ``against`` entries, or under a
    feature of another type that is not also a feature of this type (a code that two types share,
    such as client differentiation, supports both and contradicts neither).
    """
    if type_id == UNCLASSIFIED:
        return []
    own = typology.type(type_id)
    out = []
    for c in codings:
        code = c["code"]
        points: list[str] = []
        if any(is_under(code, f.code) for f in own.against):
            points.append("against")
        if not supports(own, code):
            points += [t.id for t in typology.types if t.id != type_id and supports(t, code)]
        if points:
            out.append(Contradiction(c, points))
    return out


def evidence_for(typology: Typology, type_id: str, codings: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(supporting fragment ids, contradicting fragment ids) of ``codings`` for ``type_id``.

    An unclassified case has no type to support or contradict: both lists are empty and its
    scores say why it fits none.
    """
    if type_id == UNCLASSIFIED:
        return [], []
    own = typology.type(type_id)
    support = _fragments(c for c in codings if supports(own, c["code"]))
    against = _fragments(x.coding for x in contradictions(typology, type_id, codings))
    return support, against


# -- assignment --------------------------------------------------------------------------------
def check_manual(typology: Typology, manual: Mapping[str, Any], attr: str = OVERRIDE_ATTR) -> dict[str, str]:
    """Manual types by case, each checked against the typology's type ids.

    Why strict: a typo in ``cases set X qualcode.type=regiseur`` would otherwise silently drop the case
    from its type in every table.
    """
    ids = [t.id for t in typology.types]
    out = {}
    for case, value in manual.items():
        if value is None or value == "":
            continue
        text = str(value).strip()
        if text not in ids and text != UNCLASSIFIED:
            raise InputError(
                f"case {case}: {attr}={text!r} is not a type of typology {typology.id!r}; "
                f"use one of {', '.join(ids + [UNCLASSIFIED])} (or remove it: `qualcode cases set {case} {attr}=`)"
            )
        out[case] = text
    return out


def assign_cases(
    typology: Typology,
    codings: Sequence[Mapping[str, Any]],
    case_ids: Iterable[str],
    *,
    manual: Mapping[str, str] | None = None,
    groups: Mapping[str, Any] | None = None,
) -> list[Assignment]:
    """Assign every case in ``case_ids`` a type.

    ``codings`` are coding dicts (``code``, ``fragment``, ``case``) of one coder. Without
    ``groups`` each case is scored on its own codings. With ``groups`` (case id -> group value,
    e.g. its team) the codings of all cases with the same value are pooled, the group is scored
    once and every case gets the group's type; a case without a group value is unclassified.
    A manual type (``manual``: case id -> type id, already checked) wins for its case.
    """
    manual = dict(manual or {})
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for c in codings:
        if c.get("case"):
            by_case.setdefault(c["case"], []).append(c)
    cases = list(case_ids)
    scored: dict[Any, tuple[dict[str, float], str]] = {}
    if groups is not None:
        pooled: dict[Any, Counter] = {}
        for case in cases:
            g = groups.get(case)
            if g is None:
                continue
            pooled.setdefault(g, Counter()).update(c["code"] for c in by_case.get(case, []))
        for g, counts in pooled.items():
            scores = score_case(typology, dict(counts))
            scored[g] = (scores, assign(scores, typology))
    out = []
    for case in cases:
        own = by_case.get(case, [])
        group = groups.get(case) if groups is not None else None
        if groups is None:
            scores = score_case(typology, dict(Counter(c["code"] for c in own)))
            type_id = assign(scores, typology)
        elif group is None:
            scores, type_id = {}, UNCLASSIFIED
        else:
            scores, type_id = scored[group]
        is_manual = case in manual
        if is_manual:
            type_id = manual[case]
        support, against = evidence_for(typology, type_id, own)
        out.append(Assignment(case, type_id, dict(scores), support, against, is_manual, group))
    return out


def resolve_typology_path(path: str | Path | None, default: Path) -> Path:
    p = Path(path) if path else default
    if not p.is_file():
        hint = "" if path else " (the project's [project] typology setting)"
        raise InputError(f"typology file not found{hint}", file=p)
    return p


def gather(
    typology: Typology,
    codings: list[dict[str, Any]],
    case_attributes: dict[str, dict[str, Any]],
    override_values: Mapping[str, Any],
    *,
    coder: str | None = None,
    level: str | None = None,
    override_attr: str = OVERRIDE_ATTR,
    lang: str = "nl",
    legacy_values: Mapping[str, Any] | None = None,
) -> TypologyData:
    """Assign every case a type from one coder's codings.

    ``level``: ``"case"`` (default: the typology's ``level``) or a case attribute such as
    ``team`` whose values pool codings. The manual override is the case's OWN attribute
    ``override_attr`` (``override_values``: case id -> value, set with ``qualcode cases set`` or
    the attributes CSV); a transcript attribute of the same name is not a type and is ignored.
    ``legacy_values``: the cases' own attribute ``type`` (the override's name before it was
    namespaced); a value there that is a type id gets a note saying it is no longer used, so
    a project whose attributes CSV still has a ``type`` column learns why its manual types left.
    """
    attrs = {case: dict(a) for case, a in case_attributes.items()}
    manual = check_manual(typology, {k: v for k, v in override_values.items() if k in attrs}, override_attr)
    level = level or typology.level or "case"
    groups = None
    notes: list[str] = []
    if level != "case":
        groups = {case: a.get(level) for case, a in attrs.items()}
        if all(v is None for v in groups.values()):
            raise InputError(f"--level {level}: no case has the attribute {level!r}; see `qualcode cases list`")
        missing = sorted((c for c, v in groups.items() if v is None), key=natural_key)
        if missing:
            notes.append(f"Without {level} (unclassified): {', '.join(missing)}.")
    ids = sorted(attrs, key=natural_key)
    assignments = assign_cases(typology, codings, ids, manual=manual, groups=groups)
    ids_of_types = {t.id for t in typology.types}
    stale = sorted((c for c, v in (legacy_values or {}).items()
                    if c in attrs and c not in manual and str(v).strip() in ids_of_types), key=natural_key)
    if stale:
        notes.append(f"Case attribute '{LEGACY_OVERRIDE_ATTR}' holds a type id for {', '.join(stale)} but is not a "
                     f"manual type any more; the manual type is '{override_attr}' (`qualcode cases set CASE "
                     f"{override_attr}=TYPE`, or rename the column in the attributes CSV).")
    if manual:
        notes.append("Manual types (case attribute '" + override_attr + "'): "
                     + ", ".join(f"{c}={t}" for c, t in sorted(manual.items(), key=lambda kv: natural_key(kv[0])))
                     + ".")
    return TypologyData(typology, assignments, codings, attrs, coder, level, lang, notes)


def assignment_frame(data: TypologyData) -> pd.DataFrame:
    """The assignment as a DataFrame: one row per case.

    Columns: case, [level attribute], type, type_label, scores (type id -> score), evidence and
    contradicting (fragment ids), manual. With a level the scores are the group's.
    """
    import pandas as pd

    level = data.level if data.level != "case" else None
    columns = ASSIGNMENT_COLUMNS[:1] + ([level] if level else []) + ASSIGNMENT_COLUMNS[1:]
    rows = []
    for a in data.assignments:
        row = {"case": a.case, "type": a.type, "type_label": data.type_label(a.type), "scores": a.scores,
               "evidence": a.evidence, "contradicting": a.contradicting, "manual": a.manual}
        if level:
            row[level] = a.group
        rows.append(row)
    df = pd.DataFrame(rows, columns=columns)
    df.attrs["title"] = f"{data.typology.label.get(data.lang) or data.typology.id}: indeling"
    df.attrs["notes"] = list(data.notes) + [
        f"Scores: sum of feature points minus 'against' points; a type needs at least {data.typology.min_score:g} "
        f"and a lead of {data.typology.margin:g} over the runner-up, else unclassified. "
        "evidence: fragments coded with a feature of the assigned type; contradicting: fragments coded with a "
        "feature of another type or an 'against' code of the assigned type."
    ]
    return df


def assignment_json(data: TypologyData) -> list[dict[str, Any]]:
    """``qualcode typology --format json``: ``[{case, type, scores, evidence, contradicting, manual}]``."""
    out = []
    for a in data.assignments:
        rec: dict[str, Any] = {"case": a.case, "type": a.type, "scores": a.scores, "evidence": a.evidence,
                               "contradicting": a.contradicting, "manual": a.manual}
        if data.level != "case":
            rec["level"] = data.level
            rec["group"] = a.group
        out.append(rec)
    return out
