"""Read a ``.qdpx`` with pyrefiqda (a REFI-QDA parser written by others) and print what it got.

Run with the Python of the side environment that has pyrefiqda (``make tools-env``):
``.tools-venv/pyrefiqda/bin/python tests/tools/pyrefiqda_dump.py PROJECT.qdpx EXTRACT_DIR``.
Used by tests/test_tools_live.py to check that qualcode's export reads in another parser:
users, the code tree, each source's text (through pyrefiqda's own ``resolve_source_path``),
every selection with its codings, and the cases with their source and selection references.
Prints one JSON document on stdout.
"""

from __future__ import annotations

import json
import sys

from pyrefiqda import RefiProject


def codes(items, parent):
    out = []
    for c in items:
        out.append({"guid": c.guid, "name": c.name, "parent": parent, "codable": c.is_codable,
                    "description": c.description})
        out += codes(c.code, c.guid)
    return out


def main() -> None:
    path, extract = sys.argv[1], sys.argv[2]
    project = RefiProject.load(path, extract_dir=extract)
    sources = []
    for s in project.sources.text_source if project.sources else []:
        with open(RefiProject.resolve_source_path(s.plain_text_path, extract), encoding="utf-8", newline="") as fh:
            text = fh.read()
        sources.append({
            "guid": s.guid, "name": s.name, "text": text,
            "selections": [{"guid": sel.guid, "start": sel.start_position, "end": sel.end_position,
                            "user": sel.creating_user,
                            "codings": [{"code": c.code_ref.target_guid, "user": c.creating_user} for c in sel.coding]}
                           for sel in s.plain_text_selection],
        })
    cases = [{"name": c.name, "sources": [r.target_guid for r in c.source_ref],
              "selections": [r.target_guid for r in c.selection_ref]}
             for c in (project.cases.case if project.cases else [])]
    users = {u.guid: u.name for u in (project.users.user if project.users else [])}
    print(json.dumps({"users": users, "codes": codes(project.code_book.codes.code, None) if project.code_book else [],
                      "sources": sources, "cases": cases}, ensure_ascii=False))


if __name__ == "__main__":
    main()
