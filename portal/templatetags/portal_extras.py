"""Small presentation filters shared by the portal's templates."""

import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from benchmarks import charts, positioning
from benchmarks.display import USD, DisplayRate
from benchmarks.selectors import ALL, fewer_than_minimum
from portal import admin_overview

register = template.Library()


@register.filter
def percentile_phrase(value, beyond=None) -> str:
    """37.4 → "the 37th percentile"; with beyond="below" → "below the 10th percentile"."""
    if value is None or value == "":
        return ""
    return positioning.percentile_phrase(value, beyond)


def _shown_in(context) -> DisplayRate:
    """The page's display currency (``portal.currency``), US dollars where none is set (an email, say)."""
    return context.get("display_currency") or USD


@register.simple_tag(takes_context=True)
def money(context, value) -> str:
    """A US-dollar figure in the page's display currency: "$12.50", "€11.57", "1,041.67 INR"; None → "–"."""
    return _shown_in(context).format(value)


@register.simple_tag(takes_context=True)
def currency_note(context) -> str:
    """ "Shown in EUR at 0.9259 per USD (rate of 2025-01-01); computed in USD." beside converted figures."""
    note = _shown_in(context).note()
    return format_html('<p class="small muted currency-note">{}</p>', note) if note else ""


@register.filter
def in_currency(chart, rate=None):
    """Chart data (``benchmarks.charts``) in the display currency, its axis labelled with it."""
    return charts.in_currency(chart, rate or USD)


@register.filter
def explorer_url(cell) -> str:
    """The explorer's address of a cell's domain and tier, all countries: where every platform is compared."""
    choice = {"domain": cell.domain, "tier": cell.tier}
    return f"{reverse('portal:explorer')}?{urlencode({k: '' if v == ALL else v for k, v in choice.items()})}"


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


@register.simple_tag(takes_context=True)
def cell_range(context, cell, ends: str) -> str:
    """A report cell's range between two percentiles ("p25,p75") in the page's display currency, saying why an end
    is missing."""
    money = _shown_in(context).format
    if not cell or cell.get("suppressed"):
        return f"{fewer_than_minimum()} contributors"
    low, high = ends.split(",")
    low_value, high_value = cell.get(low), cell.get(high)
    if low_value is not None and high_value is not None:
        return f"{money(low_value)} – {money(high_value)}"
    tails = settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS
    if low_value is None and high_value is None:
        middle = f"{money(cell.get('p25'))} – {money(cell.get('p75'))}"
        return f"{low}–{high} need {tails} contributors; middle half {middle}"
    if low_value is None:
        return f"up to {money(high_value)} ({low} needs {tails} contributors)"
    return f"from {money(low_value)} ({high} needs {tails} contributors)"


@register.simple_tag
def moderation_queues(user) -> list:
    """The admin index's "Waiting for review" box (``portal.admin_overview``)."""
    return admin_overview.moderation_queues(user)


@register.filter
def trend_chart(trend, rate=None):
    """A ``benchmarks.trends.Trend`` as chart data for ``json_script``, in ``rate``'s currency (None when it has no
    points)."""
    return charts.in_currency(charts.trend(trend), rate or USD)
