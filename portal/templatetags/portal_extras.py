"""Small presentation filters shared by the portal's templates."""

import datetime

from django import template
from django.conf import settings

from benchmarks import charts, positioning
from benchmarks.selectors import fewer_than_minimum
from portal import admin_overview

register = template.Library()


@register.filter
def percentile_phrase(value, beyond=None) -> str:
    """37.4 → "the 37th percentile"; with beyond="below" → "below the 10th percentile"."""
    if value is None or value == "":
        return ""
    return positioning.percentile_phrase(value, beyond)


@register.filter
def usd(value) -> str:
    """12.5 → "$12.50"; None → "–"."""
    if value is None or value == "":
        return "–"
    return f"${float(value):,.2f}"


@register.filter
def from_iso(value):
    """An ISO 8601 string (as in ``report_figures``) back to a datetime, for the ``date`` filter."""
    if not value:
        return None
    return datetime.datetime.fromisoformat(str(value))


@register.filter
def contributors_phrase(cell) -> str:
    """A published cell's contributors in words: "10–14 contributors", "fewer than 5 contributors" or
    "contributor count withheld" (a report cell is a dict, a selector's cell an object: both work)."""

    def field(name):
        return cell.get(name) if isinstance(cell, dict) else getattr(cell, name, None)

    if not cell or field("suppressed"):
        return f"{fewer_than_minimum()} contributors"
    if field("counts_withheld"):
        return "contributor count withheld"
    return f"{field('contributors_display')} contributors"


@register.filter
def cell_range(cell, ends: str) -> str:
    """A report cell's range between two percentiles ("p25,p75"), saying why an end is missing."""
    if not cell or cell.get("suppressed"):
        return f"{fewer_than_minimum()} contributors"
    low, high = ends.split(",")
    low_value, high_value = cell.get(low), cell.get(high)
    if low_value is not None and high_value is not None:
        return f"{usd(low_value)} – {usd(high_value)}"
    tails = settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS
    if low_value is None and high_value is None:
        return f"{low}–{high} need {tails} contributors; middle half {usd(cell.get('p25'))} – {usd(cell.get('p75'))}"
    if low_value is None:
        return f"up to {usd(high_value)} ({low} needs {tails} contributors)"
    return f"from {usd(low_value)} ({high} needs {tails} contributors)"


@register.simple_tag
def moderation_queues(user) -> list:
    """The admin index's "Waiting for review" box (``portal.admin_overview``)."""
    return admin_overview.moderation_queues(user)


@register.filter
def trend_chart(trend):
    """A ``benchmarks.trends.Trend`` as chart data for ``json_script`` (None when it has no points)."""
    return charts.trend(trend)
