"""Trend charts in a real browser: drawn under the CSP, their tables beside them, no overflow on a phone or a laptop."""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from benchmarks import engine
from benchmarks.choices import ObservationKind, SkillTier
from tests.benchmarks.history_factories import history_make
from tests.factories import domain, survey_fields
from tests.web.conftest import file_surveys, publish
from tests.web.test_browser import SCREENSHOTS, browser, page  # noqa: F401 (fixtures)
from trainers.services import survey_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"phone": 375, "laptop": 1366}


def check_widths(tab: Page, name: str) -> None:
    """At each width: every chart drawn, nothing wider than the window, and a screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        tab.set_viewport_size({"width": width, "height": 900})
        tab.reload()
        drawn = tab.locator("canvas[data-chart][data-drawn='true']")
        expect(drawn).to_have_count(tab.locator("canvas[data-chart]").count())
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide at {width}px"
        tab.screenshot(path=SCREENSHOTS / f"trend-{name}-{label}.png", full_page=True)


def market_with_history():
    """Published generalist and medicine cells, and six months of history for both with a suppressed month."""
    file_surveys(12)
    file_surveys(6, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)
    engine.rebuild_all()
    generalist, medicine = domain("generalist"), domain("medicine")
    history_make(domain=generalist, tier="skilled", country="US", medians=[22.0, 23.0, None, 24.0, 25.0, 25.5])
    history_make(domain=generalist, tier="skilled", country="US", kind=ObservationKind.ADVERTISED, medians=[30.0] * 3)
    history_make(domain=medicine, tier=SkillTier.EXPERT, country="US", medians=[50.0, 51.0, 52.5])
    history_make(domain=medicine, medians=[48.0, 49.0, 52.0])
    history_make(domain=generalist, tier=SkillTier.ENTRY, country="US", medians=[12.0, 12.5, 13.0])


def test_the_explorer_and_the_report_draw_their_trends(live_server, page):  # noqa: F811
    market_with_history()
    page.goto(f"{live_server.url}/benchmarks/?domain=generalist&tier=skilled&country=US")
    expect(page.locator("canvas[data-chart='trend-chart'][data-drawn='true']")).to_have_count(1)
    table = page.locator("#trend-chart-table")
    expect(table.get_by_role("row")).to_have_count(2 + 6)  # two header rows, six months
    expect(table.get_by_text("fewer than 5 contributors")).to_have_count(1)
    expect(page.get_by_text("Median up 16 % since")).to_be_visible()
    check_widths(page, "explorer")
    page.select_option("#id_domain", "medicine")  # htmx swaps the results in, and the trend is drawn again
    expect(page.locator("#cell-heading")).to_contain_text("No data")
    page.select_option("#id_tier", "expert")
    expect(page.locator("#cell-heading")).to_contain_text("Medicine · Expert")
    expect(page.locator("canvas[data-chart='trend-chart'][data-drawn='true']")).to_have_count(1)

    page.goto(f"{live_server.url}/report/")
    expect(page.locator("section.finding")).to_have_count(6)
    expect(page.locator("canvas[data-chart='finding-entry-generalist-us'][data-drawn='true']")).to_have_count(1)
    expect(page.locator("#finding-range-medicine-table")).to_contain_text("$52.00")
    expect(page.locator("section.finding").first).to_contain_text("Median up 8 % since")
    check_widths(page, "report")


def test_the_posting_page_preview_and_my_pay_show_their_trends(live_server, page, company, owner, trainer):  # noqa: F811
    market_with_history()
    posting = publish(company, by=owner)
    page.goto(f"{live_server.url}/jobs/{posting.pk}/")
    expect(page.locator("canvas[data-chart='posting-chart-trend'][data-drawn='true']")).to_have_count(1)
    expect(page.locator("#posting-chart-trend-table")).to_contain_text("$52.50")
    check_widths(page, "posting")

    survey_submit(trainer=trainer, **survey_fields(amount=27))
    browser_login = Client()
    browser_login.force_login(trainer.user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": browser_login.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/me/compare/")
    expect(page.locator("canvas[data-chart='pay-trend-chart-1'][data-drawn='true']")).to_have_count(1)
    expect(page.locator("#pay-trend-chart-1-table")).to_contain_text("$27.00")
    check_widths(page, "compare")

    browser_login.force_login(owner)
    page.context.add_cookies(
        [{"name": "sessionid", "value": browser_login.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/company/{company.slug}/postings/new/")
    page.get_by_label("Domain").select_option(label="Medicine")
    page.get_by_label("Skill tier").select_option("expert")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Band minimum").fill("40")
    page.get_by_label("Band maximum").fill("60")
    expect(page.locator("canvas[data-chart='preview-chart-trend'][data-drawn='true']")).to_have_count(1)
    expect(page.locator("#preview-chart-trend-table")).to_contain_text("$51.00")
