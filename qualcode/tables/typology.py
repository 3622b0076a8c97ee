"""Assigning the cases of a project to the types of a typology (``qualcode typology``).

Why a module apart from :mod:`qualcode.codebook.typology`: that module reads a typology file
and holds the scoring rule (:func:`score_units`, :func:`decide`); this one applies the rule to a
coded project. It pools codings per case (or per team, ``level``), lets a researcher's manual
decision win (the case attribute ``qualcode.type``, set with ``qualcode cases set ID
qualcode.type=regisseur``), and keeps, per case, the reason and the weighted fragments that
support the assigned type and those that point elsewhere, because a typology in a paper must be
traceable to the interview passages behind it, and a case the evidence does not decide must say
so rather than be guessed.

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

from qualcode.codebook.typology import (
    ABSTAIN_IDS,
    MANUAL,
    NO_GROUP,
    Decision,
    FragmentWeight,
    TypeScore,
    Typology,
    decide,
    evidence_units,
    num,
    score_units,
)
from qualcode.errors import InputError
from qualcode.tables.frame import natural_key

if TYPE_CHECKING:
    import pandas as pd

# The manual type of a case. Why namespaced: a plain ``type`` is what researchers call their own
# attributes (the sample's transcripts say ``type: groepsinterview``); once inherited by a case or
# carried through a REFI-QDA round trip it was read as a manual type and every typology table
# failed. Names starting with ``qualcode.`` are reserved for qualcode's own attributes.
OVERRIDE_ATTR = "qualcode.type"
LEGACY_OVERRIDE_ATTR = "type"  # before schema 4; `Store` migrates values set with `cases set`
ASSIGNMENT_COLUMNS = ["case", "type", "type_label", "scores", "evidence", "contradicting", "manual", "reason",
                      "for", "against"]
SHOWN = 3  # strongest fragments for and against in a printed table


@dataclass
class Assignment:
    """The type of one case, why, and the fragments behind it.

    ``scores`` are those of the unit that was scored: the case itself, or with a ``level``
    attribute the pooled codings of its group (``group``). ``evidence`` and ``contradicting``
    are the case's own fragment ids for and against the assigned type (empty when it is
    undetermined), in text order, so the rows of one group together hold the group's evidence
    and every id can be traced to one respondent. ``support`` and ``against`` are the same
    fragments with their weights, strongest first; for an undetermined case they are those of
    ``candidate``, the best-scoring type, so a reader sees what was almost enough.
    ``reason`` says why (:func:`qualcode.codebook.typology.decide`), ``kind`` is its short word.
    """

    case: str
    type: str
    scores: dict[str, float]
    evidence: list[str] = field(default_factory=list)
    contradicting: list[str] = field(default_factory=list)
    manual: bool = False
    group: Any = None
    reason: str = ""
    kind: str = ""
    candidate: str | None = None
    support: list[FragmentWeight] = field(default_factory=list)
    against: list[FragmentWeight] = field(default_factory=list)
    needed: int = 0


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
        """Type ids in the typology's order, the abstain id last (only if a case has it)."""
        used = {a.type for a in self.assignments}
        return [t.id for t in self.typology.types] + [x for x in ABSTAIN_IDS if x in used]

    def codings_by_case(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for c in self.codings:
            if c.get("case"):
                out.setdefault(c["case"], []).append(c)
        return out

    def abstained(self) -> list[Assignment]:
        """The cases without a type (``undetermined`` / ``unclassified``), in case order."""
        return [a for a in self.assignments if a.type in ABSTAIN_IDS]

    def abstain_note(self, left_out: bool = True) -> str:
        """How many cases have no type and why, for the notes of every typology table: "3 case(s)
        undetermined (2 too little evidence, 1 within the margin): A1, B2, C3; the typology
        assignment gives each reason." Empty when every case has a type."""
        cases = self.abstained()
        if not cases:
            return ""
        kinds = Counter(a.kind for a in cases)
        why = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
        ids = [a.case for a in cases]
        shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        label = self.type_label(cases[0].type)
        return (f"{len(cases)} case(s) {label} ({why}): {shown}"
                + ("; left out of this table" if left_out else "") + "; `qualcode typology` gives each reason.")


ABSTAIN_LABELS = {"unclassified": ("niet ingedeeld", "unclassified"), "undetermined": ("onbepaald", "undetermined")}


def type_label(typology: Typology, type_id: str, lang: str = "nl") -> str:
    if type_id in ABSTAIN_LABELS:
        return ABSTAIN_LABELS[type_id][0 if lang == "nl" else 1]
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
        if text not in ids and text not in ABSTAIN_IDS:
            raise InputError(
                f"case {case}: {attr}={text!r} is not a type of typology {typology.id!r}; "
                f"use one of {', '.join(ids + [typology.abstain])} (or remove it: `qualcode cases set {case} {attr}=`)"
            )
        out[case] = typology.abstain if text in ABSTAIN_IDS else text
    return out


def assign_cases(
    typology: Typology,
    codings: Sequence[Mapping[str, Any]],
    case_ids: Iterable[str],
    *,
    manual: Mapping[str, str] | None = None,
    groups: Mapping[str, Any] | None = None,
    level: str = "group",
) -> list[Assignment]:
    """Assign every case in ``case_ids`` a type (:func:`qualcode.codebook.typology.decide`).

    ``codings`` are coding dicts (``code``, ``fragment``, ``case``, and for evidence weights
    ``stance`` and ``score``, the score of the suggestion a coding came from) of one coder.
    Without ``groups`` each case is scored on its own codings. With ``groups`` (case id -> group
    value, e.g. its team; ``level`` names it in reasons) the codings of all cases with the same
    value are pooled, the group is scored once and every case gets the group's type; a case
    without a group value abstains. A manual type (``manual``: case id -> type id, already
    checked) wins for its case; its reason keeps what the rule said.
    """
    manual = dict(manual or {})
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for c in codings:
        if c.get("case"):
            by_case.setdefault(c["case"], []).append(c)
    cases = list(case_ids)
    scored: dict[Any, tuple[dict[str, TypeScore], Decision]] = {}
    if groups is not None:
        pooled: dict[Any, list[Mapping[str, Any]]] = {}
        for case in cases:
            g = groups.get(case)
            if g is not None:
                pooled.setdefault(g, []).extend(by_case.get(case, []))
        for g, rows in pooled.items():
            per_type = score_units(typology, evidence_units(typology, rows))
            scored[g] = (per_type, decide(typology, per_type))
    out = []
    for case in cases:
        own = by_case.get(case, [])
        group = groups.get(case) if groups is not None else None
        if groups is None:
            per_type = score_units(typology, evidence_units(typology, own))
            decision = decide(typology, per_type)
        elif group is None:
            per_type, decision = {}, Decision(typology.abstain, f"no {level} attribute", NO_GROUP)
        else:
            per_type, decision = scored[group]
            decision = Decision(decision.type, f"{level} {group}: {decision.reason}", decision.kind,
                                decision.candidate)
        if case in manual:
            decision = Decision(manual[case], f"manual type ({decision.reason})", MANUAL,
                                manual[case] if manual[case] in per_type else decision.candidate)
        out.append(_assignment(case, decision, per_type, own, typology, group, manual=case in manual))
    return out


def _assignment(case: str, decision: Decision, per_type: Mapping[str, TypeScore], own: Sequence[Mapping[str, Any]],
                typology: Typology, group: Any, *, manual: bool) -> Assignment:
    """One case's row: the evidence of the type it got (or of the candidate), its own fragments only."""
    mine = {c["fragment"] for c in own if c.get("fragment")}
    shown = per_type.get(decision.type) or (per_type.get(decision.candidate) if decision.candidate else None)
    support = [fw for fw in shown.support if fw.fragment in mine] if shown else []
    against = [fw for fw in shown.against if fw.fragment in mine] if shown else []
    assigned = decision.type not in ABSTAIN_IDS
    evidence = sorted((fw.fragment for fw in support), key=fragment_key) if assigned else []
    contradicting = sorted((fw.fragment for fw in against), key=fragment_key) if assigned else []
    needed = typology.needed(shown.type) if shown else 0
    return Assignment(case, decision.type, {k: v.score for k, v in per_type.items()}, evidence, contradicting,
                      manual, group, decision.reason, decision.kind, decision.candidate, support, against, needed)


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
            notes.append(f"Without {level} ({typology.abstain}): {', '.join(missing)}.")
    ids = sorted(attrs, key=natural_key)
    assignments = assign_cases(typology, codings, ids, manual=manual, groups=groups, level=level)
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


def weighed(items: Sequence[FragmentWeight], limit: int | None = SHOWN, names: Mapping[str, str] | None = None
            ) -> str:
    """Fragments with their weights, strongest first: ``Bkw02_r1:8 (0.61), Bkw02_r1:2 (0.45 → regisseur)``;
    at most ``limit`` (then ``… (+n)``), so a cell names the evidence that counts most."""
    names = names or {}
    shown = list(items)[:limit] if limit else list(items)
    parts = []
    for fw in shown:
        to = ", ".join(names.get(p, p) for p in fw.points_to)
        parts.append(f"{fw.fragment} ({num(fw.weight)}" + (f" → {to}" if to else "") + ")")
    rest = len(items) - len(shown)
    return ", ".join(parts) + (f" … (+{rest})" if rest > 0 else "")


def scoring_note(typology: Typology) -> str:
    """How the scores and the decision were made, for the notes under an assignment table."""
    common = (f"a type needs at least {num(typology.min_score)} points and a lead of {num(typology.margin)} over "
              f"the runner-up, else {typology.abstain}.")
    if typology.format < 2:
        return ("Scores: sum of feature points minus 'against' points, counting codings; " + common
                + " evidence: fragments coded with a feature of the assigned type; contradicting: fragments coded "
                "with a feature of another type or an 'against' code of the assigned type.")
    stance = ", ".join(f"{k} {num(v)}" for k, v in typology.evidence.stance.items() if v != 1)
    source = "its suggestion's score (manual codings 1)" if typology.evidence.suggestion_score else "1"
    return ("Scores: sum of feature points minus 'against' points, counting each fragment once per feature, "
            f"weighted by {source}" + (f" and by stance ({stance})" if stance else "") + "; " + common
            + " A type also needs its minimum of supporting fragments and its required features. "
            "for / against: the strongest fragments for the type (for an undetermined case: the best-scoring "
            "one) and against it, with the points each brings (→ the type it points to; 'against': an against "
            "code of this type; 'stance rejects': a feature voiced with a rejecting stance).")


def assignment_frame(data: TypologyData) -> pd.DataFrame:
    """The assignment as a DataFrame: one row per case.

    Columns: case, [level attribute], type, type_label, scores (type id -> score), evidence and
    contradicting (fragment ids), manual, reason (why this type or none), for and against (the
    weighted fragments as dicts, strongest first). With a level the scores are the group's.
    """
    import pandas as pd

    level = data.level if data.level != "case" else None
    columns = ASSIGNMENT_COLUMNS[:1] + ([level] if level else []) + ASSIGNMENT_COLUMNS[1:]
    rows = []
    for a in data.assignments:
        row = {"case": a.case, "type": a.type, "type_label": data.type_label(a.type), "scores": a.scores,
               "evidence": a.evidence, "contradicting": a.contradicting, "manual": a.manual, "reason": a.reason,
               "for": [fw.as_dict() for fw in a.support], "against": [fw.as_dict() for fw in a.against]}
        if level:
            row[level] = a.group
        rows.append(row)
    df = pd.DataFrame(rows, columns=columns)
    df.attrs["title"] = f"{data.typology.label.get(data.lang) or data.typology.id}: indeling"
    df.attrs["notes"] = [n for n in [*data.notes, scoring_note(data.typology), data.abstain_note(left_out=False)] if n]
    return df


def assignment_json(data: TypologyData) -> list[dict[str, Any]]:
    """``qualcode typology --format json``: ``[{case, type, scores, evidence, contradicting, manual,
    reason, kind, candidate, supporting, needed, for, against}]``.

    ``evidence`` / ``contradicting``: fragment ids for and against the assigned type (empty when
    it abstains), in text order. ``for`` / ``against``: ``{fragment, weight, codes, [points_to]}``,
    strongest first, for the assigned type or else the ``candidate`` (the best-scoring type).
    ``supporting``: how many fragments support that type; ``needed``: its minimum.
    """
    out = []
    for a in data.assignments:
        rec: dict[str, Any] = {"case": a.case, "type": a.type, "scores": a.scores, "evidence": a.evidence,
                               "contradicting": a.contradicting, "manual": a.manual, "reason": a.reason,
                               "kind": a.kind, "candidate": a.candidate, "supporting": len(a.support),
                               "needed": a.needed, "for": [fw.as_dict() for fw in a.support],
                               "against": [fw.as_dict() for fw in a.against]}
        if data.level != "case":
            rec["level"] = data.level
            rec["group"] = a.group
        out.append(rec)
    return out
