"""DOCX via python-docx: a real Word table per Table (caption above, bold spans as bold runs)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qualcode.export.table import Table, bold_parts, cell_text


def write_docx(tables: Sequence[Table], path: Path) -> None:
    import docx

    document = docx.Document()
    for i, t in enumerate(tables):
        if i:
            document.add_paragraph()
        if t.title:
            document.add_paragraph(t.title, style="Caption" if "Caption" in [s.name for s in document.styles] else None)
        table = document.add_table(rows=1, cols=len(t.columns))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, t.columns):
            cell.text = ""
            cell.paragraphs[0].add_run(str(name)).bold = True
        for r in t.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, r):
                para = cell.paragraphs[0]
                for text, bold in bold_parts(cell_text(value)):
                    run = para.add_run(text)
                    run.bold = bold
        for n in t.notes:
            document.add_paragraph(n).runs[0].italic = True
    document.save(str(path))
