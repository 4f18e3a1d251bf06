"""Trends on the pages: explorer, report findings, posting page and preview, a trainer's pay over time."""

import json
import re

import pytest
from django.urls import reverse

from benchmarks import engine
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.trends import months_back
from tests.benchmarks.factories import this_month
from tests.benchmarks.history_factories import history_make
from tests.factories import domain, survey_fields
from tests.web.conftest import publish
from trainers.services import survey_submit

pytestmark = pytest.mark.django_db

EXPLORER = "/benchmarks/"
CELL = {"domain": "generalist", "tier": "skilled", "country": "US", "kind": "reported"}
MEDICINE_EXPERT_US = {"tier": SkillTier.EXPERT, "country": "US"}


def chart_data(content: str, chart_id: str) -> dict:
    """The chart data a page hands the script in ``<script type="application/json" id=...>``."""
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', content, re.S)
    assert found, f"no chart data {chart_id}"
    return json.loads(found.group(1))


def test_the_explorer_draws_both_kinds_with_suppressed_months_as_gaps(client, market):
    generalist = domain("generalist")
    history_make(domain=generalist, tier="skilled", country="US", medians=[24.0, None, 25.5])
    history_make(domain=generalist, tier="skilled", country="US", kind=ObservationKind.ADVERTISED, medians=[30.0])
    content = client.get(EXPLORER, CELL).content.decode()
    chart = chart_data(content, "trend-chart")
    assert [band["p50"] for band in chart["bands"]] == [[24.0, None, 25.5], [None, None, 30.0]]
    table = content[content.index('id="trend-chart-table"') :]
    assert "fewer than 5 contributors" in table
    assert "Reported (pay surveys)" in table and "Advertised (job postings)" in table
    assert "$23.00" in table and "$25.50" in table and "no data" in table
    assert f"Median up 6 % since {months_back(this_month(), 2):%B %Y}" in content


def test_the_report_gives_each_finding_its_last_12_months_and_a_sentence(client, market):
    history_make(domain=domain("generalist"), tier=SkillTier.ENTRY, country="US", medians=[12.0, 12.5, 13.0])
    response = client.get(reverse("portal:report"))
    content = response.content.decode()
    findings = response.context["findings"]
    assert [finding["key"] for finding in findings] == [
        "entry-generalist-us", "upper-expert", "upper-top_expert", "range-medicine", "range-engineering", "range-law",
    ]  # fmt: skip
    assert f"Median up 8 % since {months_back(this_month(), 2):%B %Y}" in content
    assert content.count("no trend yet") >= 11  # the other finding's kinds, and the entry finding's advertised pay
    assert chart_data(content, "finding-entry-generalist-us")["bands"][0]["p50"] == [12.0, 12.5, 13.0]
    assert 'id="finding-entry-generalist-us-table"' in content


def test_the_report_trend_is_computed_from_the_data(client, market):
    engine.record_history(month=months_back(this_month(), 1))
    engine.record_history()
    findings = client.get(reverse("portal:report")).context["findings"]
    assert findings[0]["trend"].change() == "no trend yet"  # no entry-level generalist data


def test_a_posting_page_shows_its_market_cells_trend_with_the_band(client, company, owner, medicine_market):
    posting = publish(company, by=owner)
    history_make(domain=domain("medicine"), **MEDICINE_EXPERT_US, medians=[50.0, None, 52.0])
    content = client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    chart = chart_data(content, "posting-chart-trend")
    assert chart["bands"][0]["p50"] == [50.0, None, 52.0]
    assert [line["value"] for line in chart["lines"]] == [40.0, 60.0]
    assert "The market over the last 24 months" in content


def test_the_company_preview_shows_the_trend_of_the_cell_positioning_fell_back_to(
    owner_client, company, medicine_market
):
    history_make(domain=domain("medicine"), tier=SkillTier.EXPERT, medians=[49.0, 51.0])  # all countries
    data = {
        "domain": domain("medicine").pk, "tier": "expert", "country": "GB", "rate_min": "40", "rate_max": "60",
        "currency": "USD", "unit": "hour", "title": "t", "description": "d", "engagement": "part_time",
    }  # fmt: skip
    content = owner_client.post(reverse("postings:preview", args=[company.slug]), data).content.decode()
    chart = chart_data(content, "preview-chart-trend")
    assert chart["title"] == "Medicine · Expert · All countries"
    assert chart["bands"][0]["p50"] == [49.0, 51.0]


def test_how_my_pay_compares_draws_my_effective_rate_against_the_cells_band(trainer_client, trainer, market):
    history_make(domain=domain("generalist"), tier="skilled", country="US", medians=[24.0, 25.5])
    survey_submit(trainer=trainer, **survey_fields(amount=40, unpaid_hours_per_week=10, hours_per_week=30))
    content = trainer_client.get(reverse("trainers:compare")).content.decode()
    chart = chart_data(content, "pay-trend-chart-1")
    assert chart["own"]["label"] == "Your effective rate"
    assert chart["own"]["points"] == [{"x": f"{this_month():%b %Y}", "y": 30.0}]  # 40 × 30 / (30 + 10)
    assert [band["label"] for band in chart["bands"]] == ["Reported"]
    assert chart["bands"][0]["p50"] == [24.0, 25.5]
    assert "$30.00" in content[content.index('id="pay-trend-chart-1-table"') :]


def test_my_rates_over_time_are_not_shown_to_another_trainer(client, trainer, other_trainer, market):
    survey_submit(trainer=trainer, **survey_fields(amount=77))
    client.force_login(other_trainer.user)
    content = client.get(reverse("trainers:compare")).content.decode()
    assert "$77.00" not in content and "pay-trend-chart" not in content
