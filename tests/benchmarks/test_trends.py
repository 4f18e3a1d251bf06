"""benchmarks.trends and benchmarks.charts: a cell's months as pages show them, suppression kept."""

import datetime

import pytest

from benchmarks import charts
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.trends import cell_trend, month_span, months_back
from tests.benchmarks.factories import domain_make, this_month
from tests.benchmarks.history_factories import history_make

pytestmark = pytest.mark.django_db

ADVERTISED = ObservationKind.ADVERTISED


def test_months_back_crosses_years():
    assert months_back(datetime.date(2026, 2, 1), 3) == datetime.date(2025, 11, 1)
    assert months_back(datetime.date(2026, 2, 1), 0) == datetime.date(2026, 2, 1)


def test_month_span_fills_the_missing_months():
    span = month_span([datetime.date(2026, 1, 1), datetime.date(2025, 11, 15)])
    assert span == [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    assert month_span([]) == []


def test_a_suppressed_month_is_a_gap_in_the_chart_and_says_fewer_than_5_in_the_table():
    law = domain_make("law-x")
    history_make(domain=law, medians=[40.0, None, 44.0])
    trend = cell_trend(domain=law)
    chart = charts.trend(trend)
    reported = chart["bands"][0]
    assert reported["p50"] == [40.0, None, 44.0]  # a gap, never a zero
    assert reported["p25"] == [39.0, None, 43.0]
    middle = trend.rows[1].points[0]
    assert middle.suppressed and middle.contributors_display == "fewer than 5"
    assert middle.p50 is None


def test_both_kinds_line_up_by_month_and_a_month_without_a_row_is_no_data():
    law = domain_make("law-y")
    history_make(domain=law, medians=[40.0, 42.0, 44.0])
    history_make(domain=law, medians=[50.0], kind=ADVERTISED)
    trend = cell_trend(domain=law)
    assert [row.points[1] for row in trend.rows][:2] == [None, None]
    assert charts.trend(trend)["bands"][1]["p50"] == [None, None, 50.0]
    assert charts.trend(trend)["labels"][-1] == this_month().strftime("%b %Y")


@pytest.mark.parametrize(
    ("medians", "sentence"),
    [
        ([50.0, 51.0, 52.0], "Median up 4 % since {first}"),
        ([50.0, None, 48.0], "Median down 4 % since {first}"),
        ([50.0, 50.1], "Median unchanged since {first}"),
        ([None, 50.0], "no trend yet"),
        ([], "no trend yet"),
    ],
)
def test_the_change_sentence_compares_the_first_and_last_published_medians(medians, sentence):
    law = domain_make("law-z")
    history_make(domain=law, medians=medians)
    first = months_back(this_month(), len(medians) - 1).strftime("%B %Y")
    assert cell_trend(domain=law).change() == sentence.format(first=first)


def test_the_change_sentence_reads_only_the_last_12_months():
    law = domain_make("law-w")
    history_make(domain=law, medians=[10.0, *[50.0] * 11, 55.0])  # the first point is 12 months back
    assert cell_trend(domain=law).change() == f"Median up 10 % since {months_back(this_month(), 11):%B %Y}"


def test_a_trend_keeps_only_its_calendar_window():
    law = domain_make("law-v")
    history_make(domain=law, medians=[30.0, 31.0, 32.0, 33.0])
    trend = cell_trend(domain=law, months=2)
    assert [point.p50 for point in trend.published("reported")] == [32.0, 33.0]


def test_own_pay_and_band_lines_go_into_the_chart():
    law = domain_make("law-u")
    history_make(domain=law, tier=SkillTier.EXPERT, country="US", medians=[60.0, 61.0])
    month = this_month()
    trend = cell_trend(
        domain=law, tier=SkillTier.EXPERT, country="US", kinds=(ObservationKind.REPORTED,),
        own={month: [58.0, 70.0]}, lines=({"label": "Band minimum", "value": 55.0},),
    )  # fmt: skip
    chart = charts.trend(trend)
    assert chart["own"]["points"] == [{"x": f"{month:%b %Y}", "y": 58.0}, {"x": f"{month:%b %Y}", "y": 70.0}]
    assert chart["lines"] == [{"label": "Band minimum", "value": 55.0}]
    assert len(chart["bands"]) == 1
    assert trend.label == "Law U · Expert · United States of America"


def test_a_cell_without_history_has_no_chart():
    assert charts.trend(cell_trend(domain=domain_make("law-t"))) is None
