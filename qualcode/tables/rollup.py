"""Codings counted together with the codes they imply (the codebook's ``implies:`` roll-ups).

Why: researchers code concrete acts (practice.sanctions.professional, aspect.client_orientation.tailoring)
and report abstract ones (logics). A table "logics per team" that ignores the concrete codings
under-counts every logic that was coded through its concrete forms. With roll-up, a coding also
counts for every code its code implies, directly or through a chain. The implication weights are
for suggestion scores; in counts a coding either implies a code or not.

A passage counts once per code: a fragment a coder coded with both practice.sanctions.professional and
logic.professional gives one logic.professional, not two; two concrete codes implying the same logic
on one fragment also give one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qualcode.codebook.model import Codebook

ROLLUP_NOTE = ("Inclusief opgetelde codes (implies in het codeboek): een codering telt ook voor de codes "
               "waartoe haar code optelt, per fragment en coder één keer.")


def with_rollups(codings: Sequence[Mapping[str, Any]], codebook: Codebook) -> list[dict[str, Any]]:
    """``codings`` plus, for each, a derived coding of every code its code implies (marked
    ``rolled_up_from``) unless the same coder already has that code on the same fragment (or span)."""
    out = [dict(c) for c in codings]
    have = {(c.get("coder"), _unit(c), c["code"]) for c in codings}
    for c in codings:
        for target in codebook.rollup_targets(c["code"]):
            key = (c.get("coder"), _unit(c), target)
            if key in have:
                continue
            have.add(key)
            out.append({**c, "code": target, "rolled_up_from": c["code"], "id": None, "origin": "rollup"})
    return out


def _unit(c: Mapping[str, Any]) -> Any:
    """The passage a coding is on: its fragment, else its transcript span."""
    return c.get("fragment") or (c.get("transcript"), c.get("start"), c.get("end"))
