"""The demo's 24 months: periods, the drift story in the observations, headline cells that publish, calibration.

One default-sized ``seed_demo`` run (what ``make run`` seeds) is read once for the whole module and rolled back.
"""

import datetime
import math
import statistics
from dataclasses import dataclass, field

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from benchmarks.models import ALL, Observation
from benchmarks.selectors import cell_history
from portal.demo import seed_demo
from portal.demo.calibration import HISTORY_MONTHS
from portal.report import report_figures
from postings.models import JobPosting
from trainers.models import PaySurvey

pytestmark = pytest.mark.django_db  # the test database is set up for the module's fixture too

ANY = None
REPORTED, ADVERTISED = "reported", "advertised"
# The report's headline cells, (domain, tier, country) with None for "all", and the explorer's default (all, all, all).
HEADLINE = [
    (ANY, ANY, ANY),
    ("generalist", "entry", "US"),
    (ANY, "expert", ANY),
    (ANY, "top_expert", ANY),
    ("medicine", ANY, ANY),
    ("engineering", ANY, ANY),
    ("law", ANY, ANY),
]


@dataclass(frozen=True)
class Row:
    domain: str
    tier: str
    country: str
    kind: str
    period: datetime.date
    hourly_usd: float
    party: str
    counts_from: datetime.datetime | None

    def months_ago(self, today: datetime.date) -> int:
        return (today.year - self.period.year) * 12 + today.month - self.period.month

    def is_in(self, cell: tuple) -> bool:
        return all(
            want is ANY or want == have for want, have in zip(cell, (self.domain, self.tier, self.country), strict=True)
        )


@dataclass
class Demo:
    today: datetime.date
    rows: list[Row] = field(repr=False)
    survey_periods: list[datetime.date] = field(repr=False)
    posting_dates: list[datetime.date] = field(repr=False)
    figures: dict = field(repr=False)
    published_points: dict = field(repr=False)


class Rollback(Exception):
    pass


def read_demo() -> Demo:
    observations = Observation.objects.filter(flagged=False).values_list(
        "domain__slug", "tier", "country", "kind", "period", "hourly_usd", "party", "counts_from"
    )
    published = JobPosting.objects.filter(published_at__isnull=False).values_list("published_at", flat=True)
    return Demo(
        today=timezone.now().date(),
        rows=[Row(*values[:5], float(values[5]), *values[6:]) for values in observations],
        survey_periods=list(PaySurvey.objects.values_list("period", flat=True)),
        posting_dates=[moment.date() for moment in published],
        figures=report_figures(),
        published_points={
            (cell, kind): sum(
                not point.suppressed
                for point in cell_history(domain=cell[0] or ALL, tier=cell[1] or ALL, country=cell[2] or ALL, kind=kind)
            )
            for cell in HEADLINE
            for kind in (REPORTED, ADVERTISED)
        },
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Demo:
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                seed_demo(seed=2025, surveys=3000, postings=400, say=lambda _message: None)
                result = read_demo()
                raise Rollback
        except Rollback:
            return result


def median(rows: list[Row]) -> float:
    assert len(rows) >= 5
    return statistics.median(row.hourly_usd for row in rows)


def rise(demo: Demo, rows: list[Row]) -> float:
    """Log change of the median from 18-23 months ago to the last 6 months."""
    recent = [row for row in rows if row.months_ago(demo.today) < 6]
    old = [row for row in rows if row.months_ago(demo.today) >= 18]
    return math.log(median(recent) / median(old))


def test_periods_span_the_last_24_months_and_none_is_in_the_future(demo):
    first_month = demo.today.replace(day=1) - relativedelta(months=HISTORY_MONTHS - 1)
    months = {period.replace(day=1) for period in demo.survey_periods}
    assert min(months) == first_month
    assert max(demo.survey_periods) <= demo.today
    assert len(months) == HISTORY_MONTHS
    posting_months = {day.replace(day=1) for day in demo.posting_dates}
    assert min(posting_months) == first_month
    assert max(demo.posting_dates) <= demo.today
    advertised = {row.period.replace(day=1) for row in demo.rows if row.kind == ADVERTISED}
    assert len(advertised) == HISTORY_MONTHS


def test_specialists_pay_rises_faster_than_entry_level_generalists(demo):
    reported = [row for row in demo.rows if row.kind == REPORTED]
    medicine_experts = [row for row in reported if row.domain == "medicine" and row.tier in ("expert", "top_expert")]
    # in one country: the mix of countries moves the median of entry-level pay more than its trend does
    us_generalists = [row for row in reported if (row.domain, row.tier, row.country) == ("generalist", "entry", "US")]
    assert rise(demo, medicine_experts) > 0.12
    assert rise(demo, medicine_experts) > rise(demo, us_generalists) + 0.1
    recent_us = [row for row in us_generalists if row.months_ago(demo.today) < 12]
    assert 12.5 <= median(recent_us) <= 15.5


def test_engineering_advertised_bands_pull_ahead_of_reported_pay(demo):
    def gap(months: range) -> float:
        engineering = [row for row in demo.rows if row.domain == "engineering" and row.months_ago(demo.today) in months]
        advertised = [row for row in engineering if row.kind == ADVERTISED]
        return math.log(median(advertised) / median([row for row in engineering if row.kind == REPORTED]))

    old, recent = gap(range(12, 24)), gap(range(6))
    assert recent > 0.15
    assert recent > old + 0.15


def test_december_and_january_pay_less(demo):
    reported = [row for row in demo.rows if row.kind == REPORTED and row.domain == "generalist"]
    dip = [row for row in reported if row.period.month in (12, 1)]
    around = [row for row in reported if row.period.month in (10, 11, 2, 3)]
    assert median(dip) < 0.95 * median(around)


def test_every_headline_cell_publishes_in_each_window_of_the_last_year(demo):
    """Each of the last 12 month-ends' windows (the methodology's 12 months up to it) has at least 5 independent
    contributors in every headline cell of both kinds, 10 in the reported domain ranges (their p10-p90); an account
    counts only if it counted by that month's end."""
    minimum, tails = settings.BENCHMARK_MIN_CONTRIBUTORS, settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS
    window = settings.BENCHMARK_WINDOW_MONTHS
    for ago in range(12):
        end = demo.today.replace(day=1) - relativedelta(months=ago - 1)
        start = end - relativedelta(months=window)
        end_moment = timezone.make_aware(datetime.datetime(end.year, end.month, 1))
        rows = [
            row
            for row in demo.rows
            if start <= row.period < end and row.party and (row.counts_from is None or row.counts_from <= end_moment)
        ]
        for cell in HEADLINE:
            for kind in (REPORTED, ADVERTISED):
                parties = {row.party for row in rows if row.kind == kind and row.is_in(cell)}
                needed = tails if kind == REPORTED and cell[0] in ("medicine", "engineering", "law") else minimum
                assert len(parties) >= needed, (cell, kind, ago, len(parties))


def test_a_fresh_demo_shows_every_headline_cell_with_at_least_12_monthly_points(demo):
    """What the trend charts draw on a fresh ``make run``: seeding backfills the history from the periods."""
    short = {key: count for key, count in demo.published_points.items() if count < 12}
    assert short == {}


def test_the_current_window_keeps_the_studys_figures(demo):
    figures = demo.figures
    entry = figures["entry_generalist_us"]["reported"]
    assert 12.0 <= entry["p25"] <= 13.0
    assert 15.0 <= entry["p75"] <= 16.0
    experts = {row["tier"]: row["reported"] for row in figures["expert_upper_range"]}
    assert experts["expert"]["p90"] > 100
    assert experts["top_expert"]["p75"] > 140
    ranges = {row["domain"]: row["reported"] for row in figures["domain_ranges"]}
    assert 55 <= ranges["medicine"]["p10"] <= 75
    assert ranges["medicine"]["p90"] >= 180
    for domain in ("engineering", "law"):
        assert 75 <= ranges[domain]["p10"] <= 95
        assert ranges[domain]["p90"] >= 150
    pairs = [figures["totals"]["by_kind"], figures["entry_generalist_us"], *figures["expert_upper_range"]]
    for pair in [*pairs, *figures["domain_ranges"]]:
        assert not pair[REPORTED]["suppressed"]
        assert not pair[ADVERTISED]["suppressed"]
