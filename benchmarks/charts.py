"""Chart data for ``static/js/portal.js``: every chart on every page is described here, and nowhere else.

A page writes the dict with ``json_script`` and a ``<canvas data-chart="ID">``; the script draws it. Values are US
dollars an hour; ``None`` is a gap (a suppressed month, a missing end), never a zero. The shapes::

    {"type": "percentiles", "title", "points": [[10, 12.5], ...], "lines": [{"label", "value"}, ...]}
    {"type": "trend", "title", "labels": ["May 2026", ...],
     "bands": [{"label", "kind", "p25": [...], "p50": [...], "p75": [...]}, ...],
     "own": {"label", "points": [{"x": "May 2026", "y": 23.5}, ...]} | None, "lines": [...]}
    {"type": "ranges", "labels": [...], "series": [{"label", "ranges": [[low, high] | None, ...]}, ...]}
    {"type": "bars", "labels": [...], "series": [{"label", "values": [...]}, ...]}
"""

import datetime

from .selectors import PublishedCell
from .trends import Trend

__all__ = ["bars", "month_label", "percentiles", "ranges", "trend"]


def month_label(month: datetime.date) -> str:
    """The label of a month on every trend chart: "May 2026"."""
    return month.strftime("%b %Y")


def percentiles(cell: PublishedCell | None, *, title: str | None = None, lines: list | None = None) -> dict | None:
    """A cell's published percentiles as bars, with ``lines`` marked across them; None when there is nothing."""
    if cell is None or cell.suppressed:
        return None
    return {
        "type": "percentiles",
        "title": cell.label if title is None else title,
        "points": cell.percentile_points,
        "lines": lines or [],
    }


def trend(data: Trend | None, *, title: str | None = None) -> dict | None:
    """A trend: for each kind the median as a line inside its p25–p75 band, a month a label; None without data."""
    if data is None or not data.has_data:
        return None
    rows = data.rows
    labels = [month_label(row.month) for row in rows]
    bands = []
    for index, kind in enumerate(data.kinds):
        points = [row.points[index] for row in rows]
        band: dict[str, object] = {"label": str(kind).capitalize(), "kind": kind}  # short: legends are small
        for name in ("p25", "p50", "p75"):
            band[name] = [getattr(point, name) if point is not None else None for point in points]
        bands.append(band)
    own = None
    if data.own:
        own_points = [{"x": month_label(row.month), "y": value} for row in rows for value in row.own]
        own = {"label": data.own_label, "points": own_points}
    return {
        "type": "trend",
        "title": data.label if title is None else title,
        "labels": labels,
        "bands": bands,
        "own": own,
        "lines": list(data.lines),
    }


def ranges(labels: list[str], series: list[tuple[str, list]]) -> dict:
    """Horizontal bars from low to high: ``series`` is [(label, [[low, high] | None, ...]), ...]."""
    return {
        "type": "ranges",
        "labels": labels,
        "series": [{"label": label, "ranges": values} for label, values in series],
    }


def bars(labels: list[str], series: list[tuple[str, list]]) -> dict:
    """Grouped bars: ``series`` is [(label, [value | None, ...]), ...]."""
    return {
        "type": "bars",
        "labels": labels,
        "series": [{"label": label, "values": values} for label, values in series],
    }
