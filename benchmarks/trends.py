"""A cell's trend as pages show it: its monthly history points, by kind, month by month.

Reads only ``benchmarks.selectors.cell_history_ordered`` and ``present``, so suppression and count bands apply to
every point: a suppressed month is a gap (no figures), never a zero. ``benchmarks.charts.trend`` draws a ``Trend``;
the template include ``includes/trend.html`` shows it as a chart with a table of the same points beneath.
"""

import datetime
import functools
import operator
from dataclasses import dataclass, field
from typing import cast

from django.utils import timezone

from .choices import ObservationKind
from .models import ALL, Domain
from .selectors import HistoryPoint, cell_history_ordered, present

__all__ = ["BOTH_KINDS", "HISTORY_MONTHS", "Trend", "TrendRow", "cell_trend", "month_span", "months_back"]

BOTH_KINDS = (ObservationKind.REPORTED, ObservationKind.ADVERTISED)
HISTORY_MONTHS = 24  # what a page shows unless it asks for fewer
CHANGE_MONTHS = 12  # the change sentence compares the first and last published points of this many months


def months_back(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months before ``month``."""
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_span(months) -> list[datetime.date]:
    """Every month from the earliest of ``months`` to the latest, so that a missing month shows as a gap."""
    months = sorted({month.replace(day=1) for month in months})
    if not months:
        return []
    first, last = months[0], months[-1]
    count = (last.year - first.year) * 12 + last.month - first.month
    return [months_back(last, count - step) for step in range(count + 1)]


@dataclass(frozen=True)
class TrendRow:
    """One month of a trend: the point of each kind (None where the cell had no data), and the person's own pay."""

    month: datetime.date
    points: list[HistoryPoint | None]
    own: list[float]


@dataclass(frozen=True)
class Trend:
    """A cell's monthly history over a window, for each of ``kinds``.

    ``own`` holds a person's own pay by month (their surveys, shown to them only); ``lines`` are values to mark on
    the chart (a posting's band ends), as ``{"label": ..., "value": US$ an hour}``.
    """

    label: str
    kinds: tuple[str, ...]
    points: dict[str, dict[datetime.date, HistoryPoint]]
    since: datetime.date
    last_months: int  # the window: the months from ``since`` to this one
    own: dict[datetime.date, list[float]] = field(default_factory=dict)
    own_label: str = "Your pay"
    lines: tuple[dict, ...] = ()

    @property
    def months(self) -> list[datetime.date]:
        """Every month from the first with a point (or own pay) to the last."""
        return month_span([month for kind in self.kinds for month in self.points[kind]] + list(self.own))

    @property
    def kind_labels(self) -> list[str]:
        return [ObservationKind(kind).label for kind in self.kinds]

    @property
    def rows(self) -> list[TrendRow]:
        """The table beneath the chart: one row a month, oldest first."""
        return [
            TrendRow(
                month=month,
                points=[self.points[kind].get(month) for kind in self.kinds],
                own=self.own.get(month, []),
            )
            for month in self.months
        ]

    def published(self, kind: str) -> list[HistoryPoint]:
        """The kind's points that publish figures, oldest first."""
        return [point for _month, point in sorted(self.points[kind].items()) if not point.suppressed]

    @property
    def has_published(self) -> bool:
        return any(self.published(kind) for kind in self.kinds)

    @property
    def has_data(self) -> bool:
        return bool(self.own) or any(self.points[kind] for kind in self.kinds)

    def change(self, kind: str = ObservationKind.REPORTED) -> str:
        """ "Median up 4 % since May 2026": the first and last published medians of the last 12 months; "no trend
        yet" with fewer than two."""
        start = months_back(timezone.now().date().replace(day=1), CHANGE_MONTHS - 1)
        points = [point for point in self.published(kind) if point.month >= start and point.p50 is not None]
        if len(points) < 2:
            return "no trend yet"
        first, last = points[0], points[-1]
        assert first.p50 is not None and last.p50 is not None  # published points have a median
        percent = round((last.p50 - first.p50) / first.p50 * 100)
        since = first.month.strftime("%B %Y")
        if percent == 0:
            return f"Median unchanged since {since}"
        return f"Median {'up' if percent > 0 else 'down'} {abs(percent)} % since {since}"

    @property
    def changes(self) -> list[tuple[str, str]]:
        """(kind label, change sentence) for each kind."""
        return [(ObservationKind(kind).label, self.change(kind)) for kind in self.kinds]


def cell_trend(
    *,
    domain: Domain | str = ALL,
    tier: str = ALL,
    country: str = ALL,
    kinds: tuple[str, ...] = BOTH_KINDS,
    segment: str = "",
    months: int = HISTORY_MONTHS,
    label: str = "",
    own: dict[datetime.date, list[float]] | None = None,
    lines: tuple[dict, ...] = (),
) -> Trend:
    """The published history of one (domain, tier, country) of a segment (default: every observation's) over the
    last ``months`` calendar months, by kind."""
    since = months_back(timezone.now().date().replace(day=1), months - 1)
    if isinstance(domain, str) and domain != ALL:
        domain = Domain.objects.filter(slug=domain).first() or "-"  # looked up once for every kind; "-" names no cell
    # One query for every kind, the calendar window in it (the selector's "newest N rows" is not the same window).
    rows = functools.reduce(
        operator.or_,
        (cell_history_ordered(domain=domain, tier=tier, country=country, kind=kind, segment=segment) for kind in kinds),
    ).filter(month__gte=since)
    points: dict[str, dict[datetime.date, HistoryPoint]] = {kind: {} for kind in kinds}
    for row in rows:
        points[row.kind][row.month] = cast(HistoryPoint, present(row))
    if not label:
        label = next((point.label for kind in kinds for point in points[kind].values()), "")
    kept_own = {month: values for month, values in (own or {}).items() if month >= since}
    return Trend(
        label=label,
        kinds=tuple(kinds),
        points=points,
        since=since,
        last_months=months,
        own=kept_own,
        lines=tuple(lines),
    )
