"""JSON: a list of records for one table, or {title: records} for several."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from qualcode.export.table import Table


def _default(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def tables_to_json(tables: Sequence[Table]) -> str:
    if len(tables) == 1:
        data: Any = tables[0].records()
    else:
        data = {t.title or t.sheet or f"table{i + 1}": t.records() for i, t in enumerate(tables)}
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"
