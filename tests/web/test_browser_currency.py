"""Choosing the display currency in a real browser, on a phone: the explorer's figures and chart follow it. Reuses
the browser fixtures of ``test_browser``."""

import pytest
from playwright.sync_api import expect

from benchmarks import engine
from tests.web.conftest import file_surveys
from tests.web.test_browser import SCREENSHOTS, browser, page  # noqa: F401 - fixtures used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE_375 = {"width": 375, "height": 812}


def test_a_visitor_chooses_euros_on_the_explorer_on_a_phone(live_server, page):  # noqa: F811
    file_surveys(12)  # generalist skilled US, 20–31 USD an hour: median 25.50 USD = €23.61 at 1.08
    engine.rebuild_all()
    page.set_viewport_size(PHONE_375)
    page.goto(f"{live_server.url}/benchmarks/")
    page.locator("#id_domain").select_option("generalist")
    page.locator("#id_tier").select_option("skilled")
    page.locator("#id_country").select_option("US")
    expect(page.locator("#cell-median")).to_have_text("$25.50")  # htmx has moved the address since the page loaded
    chooser = page.get_by_label("Show pay in")
    chooser.scroll_into_view_if_needed()
    chooser.select_option("EUR")
    page.locator("form.currency-chooser").get_by_role("button", name="Show").click()
    expect(page.locator("#cell-median")).to_have_text("€23.61")  # the same cell, in euros
    expect(page.get_by_text("Shown in EUR at 0.9259 per USD (rate of 2020-01-01); computed in USD.")).to_be_visible()
    expect(page.locator("canvas[data-chart='cell-chart'][data-drawn='true']")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    page.reload()
    expect(page.locator("#cell-median")).to_have_text("€23.61")  # remembered in the session
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "explorer-eur-phone.png", full_page=True)


DESKTOP_1366 = {"width": 1366, "height": 900}
WIDTHS = {"1366": DESKTOP_1366, "375": PHONE_375}
EUR_NOTE = "Shown in EUR at 0.9259 per USD (rate of 2020-01-01); computed in USD."


def _fits(shown, width: int) -> None:
    """The page is no wider than the window, and the percentile table (where there is one) fits its box."""
    assert shown.evaluate("document.documentElement.scrollWidth") <= width
    if shown.locator("table.percentiles").count():
        assert shown.evaluate(
            "(t => t.scrollWidth <= t.clientWidth)(document.querySelector('table.percentiles').parentElement)"
        )


def test_the_explorer_and_a_posting_in_euros_at_desktop_and_phone_width(live_server, page):  # noqa: F811
    from benchmarks.choices import SkillTier
    from tests.factories import PublishedPostingFactory, domain

    file_surveys(12)  # generalist skilled US: median 25.50 USD = €23.61
    file_surveys(12, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)
    engine.rebuild_all()
    posting = PublishedPostingFactory(rate_min=60, rate_max=80, rate_min_usd=60, rate_max_usd=80)
    explorer = f"{live_server.url}/benchmarks/?domain=generalist&tier=skilled&country=US&currency=EUR"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto(explorer)
        expect(page.locator("#cell-median")).to_have_text("€23.61")
        expect(page.get_by_text(EUR_NOTE).first).to_be_visible()
        expect(page.locator("canvas[data-chart='cell-chart'][data-drawn='true']")).to_have_count(1)
        _fits(page, size["width"])
        page.screenshot(path=SCREENSHOTS / f"explorer-eur-{name}.png", full_page=True)

        page.goto(f"{live_server.url}/jobs/{posting.pk}/?currency=EUR")
        expect(page.locator("dl.facts")).to_contain_text("In EUR an hour")
        expect(page.locator("dl.facts")).to_contain_text("€55.56–€74.07")  # 60–80 USD ÷ 1.08
        expect(page.locator("table.percentiles")).to_contain_text("p90")
        expect(page.locator("table.percentiles")).to_contain_text("EUR an hour")
        expect(page.get_by_text(EUR_NOTE).first).to_be_visible()
        _fits(page, size["width"])
        page.screenshot(path=SCREENSHOTS / f"posting-eur-{name}.png", full_page=True)
