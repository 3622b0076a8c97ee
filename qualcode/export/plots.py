"""Pictures of tables: annotated heatmaps of matrices and co-occurrence tables.

Why matplotlib's object API (``Figure``) rather than ``pyplot``: no global state and no display
backend, so drawing works the same in a terminal without a screen, in tests and inside the HTML
report, and two plots never share a figure by accident. matplotlib is imported only when a
picture is drawn, so the rest of qualcode starts fast.

The Totaal row and column of a matrix are left out of the picture by default: they would take
the top of the colour scale and flatten every other cell.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

TOTAL = "Totaal"
FORMATS = ("png", "svg")


def _label(key: Any) -> str:
    if isinstance(key, tuple):
        return " / ".join(str(k) for k in key if str(k) != "")
    return str(key)


def _drop_totals(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in df.columns if c != TOTAL]
    keep = [not (k == TOTAL or (isinstance(k, tuple) and k and k[0] == TOTAL)) for k in df.index]
    return df.loc[keep, cols]


def _annotation(value: float, integral: bool) -> str:
    if integral:
        return str(int(round(value)))
    return f"{value:.1f}"


def heatmap_figure(df: pd.DataFrame, title: str | None = None, *, drop_totals: bool = True,
                   cmap: str = "Blues"):
    """A matplotlib ``Figure`` with the table as an annotated heatmap (rows x columns)."""
    import numpy as np
    from matplotlib.figure import Figure

    if drop_totals:
        df = _drop_totals(df)
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise InputError("nothing to plot: the table has no rows or no columns")
    values = df.to_numpy(dtype=float)
    values = np.nan_to_num(values)
    integral = bool(np.all(np.equal(np.mod(values, 1), 0)))
    rows = [_label(k) for k in df.index]
    cols = [_label(c) for c in df.columns]
    width = min(24.0, 2.0 + 0.9 * len(cols) + 0.08 * max(len(r) for r in rows))
    height = min(30.0, 1.6 + 0.45 * len(rows) + 0.06 * max(len(c) for c in cols))
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    vmax = float(values.max()) if values.size else 0.0
    image = ax.imshow(values, cmap=cmap, aspect="auto", vmin=0, vmax=vmax or 1)
    ax.set_xticks(range(len(cols)), labels=cols, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            dark = vmax and v > 0.6 * vmax
            ax.text(j, i, _annotation(v, integral), ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    fig.colorbar(image, ax=ax, shrink=0.8)
    if title:
        ax.set_title(title)
    if df.index.name or (hasattr(df.index, "names") and any(df.index.names)):
        ax.set_ylabel(" / ".join(str(n) for n in df.index.names if n))
    return fig


def heatmap(df: pd.DataFrame, path: str | Path, title: str | None = None, *, drop_totals: bool = True) -> Path:
    """Write the table as an annotated heatmap; PNG or SVG by the file's extension."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"--plot draws PNG or SVG: give a file ending in .png or .svg, not {path.name!r}")
    fig = heatmap_figure(df, title, drop_totals=drop_totals)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(fig, path, fmt)
    return path


def heatmap_svg(df: pd.DataFrame, title: str | None = None, *, drop_totals: bool = True) -> str:
    """The heatmap as inline SVG text (``<svg ...>...</svg>``) for a self-contained HTML page.

    Text stays text (``svg.fonttype = none``), so the page is small and searchable; the XML
    prologue is dropped because an ``<svg>`` element inside HTML must not carry one.
    """
    fig = heatmap_figure(df, title, drop_totals=drop_totals)
    buf = io.StringIO()
    # A salt per title keeps element ids of several plots on one page apart.
    _save(fig, buf, "svg", salt=f"qualcode-{title or ''}")
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _save(fig: Any, target: Any, fmt: str, salt: str = "qualcode") -> None:
    import matplotlib

    # Deterministic output (no date, fixed ids) so exports can be committed and compared.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": "qualcode"}
        fig.savefig(target, format=fmt, dpi=150, metadata=metadata)

