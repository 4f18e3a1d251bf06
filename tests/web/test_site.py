"""Site-wide pages: home, dashboard, the benchmark explorer, the live report and its CSV, error pages."""

import csv
import io
import json

import pytest
from django.urls import reverse

from benchmarks import engine
from benchmarks.choices import SkillTier
from portal.report import report_figures
from tests.factories import domain
from tests.web.conftest import file_surveys, publish

pytestmark = pytest.mark.django_db

EXPLORER = "/benchmarks/"
CELL = {"domain": "generalist", "tier": "skilled", "country": "US", "kind": "reported"}


def test_home_shows_live_numbers_and_latest_postings(client, market, company, owner):
    publish(company, by=owner, title="Fresh job")
    content = client.get("/").content.decode()
    assert "Fresh job" in content
    assert "$25.50" in content  # median of 20..31 reported across all cells
    assert "10–14 trainers" in content  # twelve, published as a band
    assert '10–14</span><span class="label">data points from 1 source' in content


def test_home_with_no_data_publishes_nothing(client):
    content = client.get("/").content.decode()
    assert "fewer than 5 contributors so far" in content
    assert "No jobs are published yet." in content


def test_the_dashboard_sends_each_person_to_their_workspace(client, trainer, owner, company, staff):
    client.force_login(trainer.user)
    assert client.get("/dashboard/")["Location"] == reverse("trainers:surveys")
    client.force_login(owner)
    assert client.get("/dashboard/")["Location"] == reverse("postings:company_dashboard", args=[company.slug])
    client.force_login(staff)
    assert client.get("/dashboard/")["Location"] == reverse("admin:index")


def test_the_dashboard_offers_a_choice_to_someone_with_neither_role(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", "nobody@example.com", "x"))
    assert "Create trainer profile" in client.get("/dashboard/").content.decode()


# --- Explorer -----------------------------------------------------------------------------------------------------


def test_a_suppressed_cell_says_fewer_than_5_and_shows_nothing_else(client):
    file_surveys(4)
    engine.rebuild_all()
    response = client.get(EXPLORER, CELL)
    content = response.content.decode()
    assert "Fewer than 5 contributors: no figures are published" in content
    assert 'id="cell-median"' not in content
    assert "$2" not in content  # none of the four rates (20–23) nor a percentile of them leaks
    assert response.context["chart"] is None


def test_a_published_cell_shows_percentiles_contributors_and_a_chart(client, market):
    response = client.get(EXPLORER, CELL)
    content = response.content.decode()
    assert '<span class="figure" id="cell-median">$25.50</span>' in content
    assert '<span class="figure" id="cell-contributors">10–14</span>' in content  # twelve, as a band
    assert "contributors · 10–14 data points · 1 source" in content
    chart = response.context["chart"]
    assert chart["type"] == "percentiles"
    assert [rank for rank, _ in chart["points"]] == [10, 25, 50, 75, 90]
    assert 'data-chart="cell-chart"' in content


def test_tails_need_ten_contributors(client, medicine_market):
    response = client.get(EXPLORER, {"domain": "medicine", "tier": "expert", "country": "US"})
    assert [rank for rank, _ in response.context["chart"]["points"]] == [25, 50, 75]
    assert "p10 and p90 are published once a cell has 10 contributors" in response.content.decode()


def test_the_tails_threshold_shown_follows_the_setting(client, medicine_market, settings):
    settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS = 11
    response = client.get(EXPLORER, {"domain": "medicine", "tier": "expert", "country": "US"})
    assert "p10 and p90 are published once a cell has 11 contributors" in response.content.decode()


def test_the_tier_table_shows_each_tier_and_hides_suppressed_ones(client, market):
    file_surveys(3, start=50, tier=SkillTier.EXPERT)
    engine.rebuild_all()
    response = client.get(EXPLORER, {"domain": "generalist", "country": "US"})
    tiers = {cell.tier: cell for cell in response.context["tiers"]}
    assert tiers["skilled"].p50 == 25.5
    assert tiers["expert"].suppressed
    assert "Not published: fewer than 5 contributors" in response.content.decode()


def test_an_empty_explorer_shows_the_all_cell_and_htmx_gets_a_fragment(client, market):
    response = client.get(EXPLORER)
    assert response.context["cell"].label == "All domains · All tiers · All countries"
    fragment = client.get(EXPLORER, CELL, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b"cell-median" in fragment.content


def test_the_trend_comes_from_the_monthly_history(client, market):
    assert not client.get(EXPLORER, CELL).context["trend"].has_data
    engine.record_history()
    response = client.get(EXPLORER, CELL)
    reported = response.context["trend"].published("reported")
    assert [point.p50 for point in reported] == [25.5]
    assert b'id="trend-chart-table"' in response.content


def test_the_explorer_runs_a_fixed_number_of_queries(client, market):
    from tests.web.conftest import count_queries

    few = count_queries(client, EXPLORER + "?domain=generalist")
    file_surveys(8, start=200, domain=domain("law"), tier=SkillTier.EXPERT)
    engine.rebuild_all()
    engine.record_history()
    many = count_queries(client, EXPLORER + "?domain=generalist")
    assert few == many


# --- Report -------------------------------------------------------------------------------------------------------


def test_report_figures_come_from_the_cells_and_obey_suppression(market, medicine_market, company, owner):
    figures = report_figures()
    json.dumps(figures)  # serialisable as it is, for the API
    reported = figures["totals"]["by_kind"]["reported"]
    assert (reported["contributors"], reported["contributors_display"]) == (15, "15–19")  # eighteen, as a band
    assert figures["totals"]["by_kind"]["advertised"]["suppressed"]
    # the suppressed advertised count is left out, not added; the reported band is the total's range
    assert (figures["totals"]["data_points"], figures["totals"]["data_points_display"]) == (15, "15–19")
    assert figures["totals"]["partial"]
    medicine = next(entry for entry in figures["domain_ranges"] if entry["domain"] == "medicine")
    assert medicine["reported"]["p25"] == 51.25
    assert medicine["reported"]["p10"] is None  # six contributors: tails suppressed
    law = next(entry for entry in figures["domain_ranges"] if entry["domain"] == "law")
    assert law["reported"]["suppressed"]
    assert law["reported"]["p50"] is None
    assert figures["entry_generalist_us"]["reported"]["suppressed"]
    assert figures["min_contributors"] == 5


def test_report_figures_follow_the_data(market):
    before = report_figures()["totals"]["by_kind"]["reported"]["p50"]
    file_surveys(5, start=300, base=90)
    engine.rebuild_all()
    assert report_figures()["totals"]["by_kind"]["reported"]["p50"] > before


def test_the_report_page_restates_the_findings(client, market, medicine_market):
    content = client.get("/report/").content.decode()
    assert "$12.50 – $15.50" in content  # the 2025 figure, for comparison
    assert "p10–p90 need 10 contributors; middle half $51.25 – $53.75" in content
    assert 'id="methodology"' in content
    assert 'data-chart="ranges-chart"' in content


def test_the_csv_download_obeys_suppression(client, market, medicine_market):
    response = client.get("/report/report.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    law = next(row for row in rows if row["section"] == "domain_ranges" and row["label"].startswith("Law"))
    assert law["contributors"] == "fewer than 5"
    assert law["p50"] == law["observations"] == ""
    medicine = next(row for row in rows if row["section"] == "domain_ranges" and row["label"].startswith("Medicine"))
    assert (medicine["contributors"], medicine["observations"]) == ("5–9", "5–9")  # six, as a band
    assert (medicine["p25"], medicine["p10"]) == ("51.25", "")


# --- Error pages --------------------------------------------------------------------------------------------------


def test_unknown_pages_use_the_site_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_the_403_and_500_templates_render(rf):
    from django.template.loader import render_to_string

    assert "You are not allowed" in render_to_string("403.html", {"exception": "Nope"}, request=rf.get("/"))
    assert "Something went wrong" in render_to_string("500.html")


def test_home_runs_the_same_number_of_queries_for_any_number_of_postings(client, company):
    from tests.factories import PublishedPostingFactory
    from tests.web.conftest import count_queries

    PublishedPostingFactory(company=company)
    few = count_queries(client, "/")
    PublishedPostingFactory.create_batch(7, company=company)
    many = count_queries(client, "/")
    assert few == many


def test_the_explorer_offers_the_countries_with_published_figures_first(client, market):
    content = client.get(EXPLORER).content.decode()
    first = content.index('<optgroup label="With published figures">')
    rest = content.index('<optgroup label="No published figures yet">')
    assert first < content.index('value="US"') < rest  # the market fixture publishes US cells
    assert rest < content.index('value="FR"')  # no figures for France
