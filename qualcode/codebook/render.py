"""Show a codebook: a Markdown appendix, rows for table/json/csv, a rich tree.

``counts`` everywhere maps a code id to its number of codings (codings of that exact code);
rows and the tree also show the total including the code's descendants, since concrete codes
roll up to families.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import Code, Codebook
from qualcode.errors import InputError

if TYPE_CHECKING:
    from rich.tree import Tree

_WORDS = {
    "nl": {
        "codebook": "Codeboek",
        "definition": "Definitie",
        "include": "Toepassen als",
        "exclude": "Niet toepassen als",
        "examples": "Voorbeelden",
        "codings": "Coderingen",
        "grouping": "groeperingscode, wordt zelf niet toegekend",
        "version": "versie",
        "implies": "Telt ook als",
    },
    "en": {
        "codebook": "Codebook",
        "definition": "Definition",
        "include": "Apply when",
        "exclude": "Do not apply when",
        "examples": "Examples",
        "codings": "Codings",
        "grouping": "grouping code, not applied itself",
        "version": "version",
        "implies": "Rolls up to",
    },
}


def select_codes(cb: Codebook, prefix: str | None = None) -> list[Code]:
    """The codes under ``prefix`` (all codes if None), in tree order; InputError if none."""
    if not prefix:
        return list(cb.codes.values())
    codes = cb.descendants(prefix)
    if not codes:
        raise InputError(f"no code matches '{prefix}' in codebook '{cb.id}'")
    return codes


def total_counts(cb: Codebook, counts: dict[str, int]) -> dict[str, int]:
    """Per code: its own codings plus those of all its descendants."""
    totals = {code_id: 0 for code_id in cb.codes}
    for counted, n in counts.items():
        code_id: str | None = counted
        while code_id is not None and code_id in cb.codes:
            totals[code_id] += n
            code_id = cb.codes[code_id].parent
    return totals


def implies_text(code: Code) -> str:
    """A code's roll-ups as one line: ``logic.professional 0.8; discretion.coping 0.9`` (empty if none)."""
    return "; ".join(f"{i.code} {i.weight:g}" for i in code.implies)


def codebook_rows(
    cb: Codebook, prefix: str | None = None, counts: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """One flat row per code for table/json/csv output.

    Keys: id, parent, depth (0 for a family), label_nl, label_en, codable, indicators,
    blockers (how many), implies (the roll-ups: a list of {code, weight}), count (own codings) and
    count_total (with descendants); the counts are None when ``counts`` is None.
    """
    totals = total_counts(cb, counts) if counts is not None else None
    return [
        {
            "id": c.id,
            "parent": c.parent,
            "depth": c.depth,
            "label_nl": c.label.nl,
            "label_en": c.label.en,
            "codable": c.codable,
            "indicators": len(c.indicators),
            "blockers": len(c.blockers),
            "implies": [{"code": i.code, "weight": i.weight} for i in c.implies],
            "count": counts.get(c.id, 0) if counts is not None else None,
            "count_total": totals[c.id] if totals is not None else None,
        }
        for c in select_codes(cb, prefix)
    ]


def codebook_tree(
    cb: Codebook, prefix: str | None = None, counts: dict[str, int] | None = None, lang: str = "nl"
) -> Tree:
    """A ``rich.tree.Tree`` of the codes (under ``prefix``), with counts if given."""
    from rich.markup import escape
    from rich.tree import Tree

    codes = select_codes(cb, prefix)
    totals = total_counts(cb, counts) if counts is not None else None
    title = escape(cb.title or cb.id)
    root = Tree(f"[bold]{title}[/bold] [dim]{escape(cb.id)} {cb.hash[:12]}[/dim]")
    nodes: dict[str | None, Tree] = {}
    wanted = {c.id for c in codes}
    for code in codes:
        style = "bold" if code.codable else "bold dim"
        text = f"[{style}]{escape(code.id)}[/{style}]  {escape(code.label.get(lang))}"
        if totals is not None:
            own = counts.get(code.id, 0) if counts else 0
            total = totals[code.id]
            text += f"  [cyan]{own}[/cyan]" + (f" [dim](Σ {total})[/dim]" if total != own else "")
        if code.indicators:
            text += f"  [dim]{len(code.indicators)} ind.[/dim]"
        if code.implies:
            text += "  [magenta]→ " + escape(", ".join(f"{i.code} {i.weight:g}" for i in code.implies)) + "[/magenta]"
        parent = code.parent if code.parent in wanted else None
        nodes[code.id] = nodes.get(parent, root).add(text)
    return root


def codebook_to_markdown(
    cb: Codebook, counts: dict[str, int] | None = None, lang: str = "nl", prefix: str | None = None
) -> str:
    """A codebook appendix an author can paste: a heading per top-level family, then per code
    its id, labels, definition, include/exclude lists and examples as quotes."""
    words = _WORDS.get(lang, _WORDS["en"])
    other = "en" if lang == "nl" else "nl"
    codes = select_codes(cb, prefix)
    base_depth = min((c.depth for c in codes), default=0)
    out: list[str] = []
    title = cb.title or cb.id
    out.append(f"# {words['codebook']}: {title}")
    meta = f"`{cb.id}`" + (f", {words['version']} {cb.version}" if cb.version else "")
    out.append("")
    out.append(meta)
    if cb.description and not prefix:
        out += ["", cb.description.strip()]
    for code in codes:
        level = min(2 + code.depth - base_depth, 6)
        label = code.label.get(lang)
        second = code.label.get(other)
        heading = f"{'#' * level} {label}"
        if second and second != label:
            heading += f" ({second})"
        out += ["", heading, ""]
        line = f"`{code.id}`"
        if not code.codable:
            line += f" — {words['grouping']}"
        if counts is not None:
            line += f" — {words['codings']}: {counts.get(code.id, 0)}"
        out.append(line)
        if code.definition:
            out += ["", f"**{words['definition']}.** {_one_paragraph(code.definition)}"]
        if code.implies:
            rolls = ", ".join(f"`{i.code}` ({i.weight:g})" for i in code.implies)
            out += ["", f"**{words['implies']}:** {rolls}"]
        for key in ("include", "exclude"):
            items = getattr(code, key)
            if items:
                out += ["", f"**{words[key]}:**", ""]
                out += [f"- {_one_paragraph(item)}" for item in items]
        if code.examples:
            out += ["", f"**{words['examples']}:**"]
            for example in code.examples:
                out += ["", f"> {_one_paragraph(example)}"]
    return "\n".join(out).rstrip() + "\n"


def _one_paragraph(text: str) -> str:
    """Folded YAML text can hold newlines; a list item or quote wants one line."""
    return " ".join(text.split())
