"""Chart data for ``static/js/portal.js``: every chart on every page is described here, and nowhere else.

A page writes the dict with ``json_script`` and a ``<canvas data-chart="ID">``; the script draws it. Values are US
dollars an hour; ``None`` is a gap (a suppressed month, a missing end), never a zero. The shapes::

    {"type": "percentiles", "title", "points": [[10, 12.5], ...], "lines": [{"label", "value"}, ...]}
    {"type": "trend", "title", "labels": ["May 2026", ...],
     "bands": [{"label", "kind", "p25": [...], "p50": [...], "p75": [...]}, ...],
     "own": {"label", "points": [{"x": "May 2026", "y": 23.5}, ...]} | None, "lines": [...]}
    {"type": "ranges", "labels": [...], "series": [{"label", "ranges": [[low, high] | None, ...]}, ...]}
    {"type": "bars", "labels": [...], "series": [{"label", "values": [...]}, ...]}

``in_currency`` turns any of them into another display currency and adds ``"currency": {"code", "symbol"}``, which
the script puts on the value axis.
"""

import datetime

from .display import DisplayRate
from .selectors import PublishedCell
from .trends import Trend

__all__ = ["bars", "in_currency", "month_label", "percentiles", "ranges", "trend"]


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


def in_currency(data: dict | None, rate: DisplayRate) -> dict | None:
    """Chart data of any type with every value converted to ``rate``'s currency (``DisplayRate.convert``), saying
    which currency it is in; the bars' percentile ranks and the months stay as they are."""
    if data is None:
        return None

    shown = dict(data, currency={"code": rate.code, "symbol": rate.symbol})
    if rate.is_usd:
        return shown
    money = rate.number
    if "lines" in data:
        shown["lines"] = [dict(line, value=money(line["value"])) for line in data["lines"]]
    return shown | _values_in(data, money)


def _values_in(data: dict, money) -> dict:
    """The keys of chart ``data`` that hold values, converted by ``money``."""

    def each(values):
        return [money(value) for value in values]

    shown: dict = {}
    kind = data["type"]
    if kind == "percentiles":
        shown["points"] = [[rank, money(value)] for rank, value in data["points"]]
    elif kind == "trend":
        shown["bands"] = [band | {name: each(band[name]) for name in ("p25", "p50", "p75")} for band in data["bands"]]
        if data.get("own"):
            points = [dict(point, y=money(point["y"])) for point in data["own"]["points"]]
            shown["own"] = dict(data["own"], points=points)
    elif kind == "ranges":
        shown["series"] = [
            dict(series, ranges=[None if pair is None else each(pair) for pair in series["ranges"]])
            for series in data["series"]
        ]
    elif kind == "bars":
        shown["series"] = [dict(series, values=each(series["values"])) for series in data["series"]]
    return shown
