"""The saved-search journey in a real browser: save a filter from the job board, find it in the workspace, edit it,
delete it. Reuses the browser fixtures of ``test_browser``."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from alerts.models import BandAlert, SavedSearch
from benchmarks import engine
from benchmarks.choices import SkillTier
from tests.factories import CompanyFactory, TrainerFactory, UserFactory, domain
from tests.web.conftest import file_surveys, publish
from tests.web.test_browser import browser, log_in, page, shoot  # noqa: F401 - fixtures used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_trainer_saves_a_board_search_then_edits_and_deletes_it(live_server, page):  # noqa: F811
    base = live_server.url
    TrainerFactory(user=UserFactory(username="sam"), display_name="Sam Saver")
    log_in(page, base, email="sam@example.com", password="correct horse battery staple")

    page.goto(f"{base}/jobs/")
    page.get_by_label("Domain").select_option(label="Medicine")
    expect(page).to_have_url(re.compile(r"domain=medicine"))
    page.get_by_label("Minimum USD an hour").fill("45")
    expect(page).to_have_url(re.compile(r"min_usd=45"))
    page.get_by_role("link", name="Save this search").click()

    expect(page.get_by_role("heading", name="Save this search")).to_be_visible()
    expect(page.get_by_label("Domain")).to_have_value("medicine")
    expect(page.get_by_label("Minimum USD an hour")).to_have_value("45")
    shoot(page, "save-search")
    page.get_by_label("Instantly, one email a job").check()
    page.get_by_role("button", name="Save search").click()

    expect(page.locator(".message.success")).to_contain_text("saved")
    table = page.locator("#saved-searches")
    expect(table).to_contain_text("Medicine · at least 45 USD an hour")
    expect(table).to_contain_text("Instantly")
    shoot(page, "saved-searches")

    # A filter that cannot be is refused with its field named, and nothing changes.
    page.get_by_role("link", name=re.compile(r"^Edit")).click()
    page.get_by_label("Minimum USD an hour").fill("-5")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("form#search-form")).to_contain_text("greater than or equal to 0")
    assert SavedSearch.objects.get().query == "domain=medicine&min_usd=45"

    page.get_by_label("Minimum USD an hour").fill("60")
    page.get_by_label("Skill tier").select_option("expert")
    page.get_by_label("Daily, one digest").check()
    page.get_by_label("Name").fill("Senior medicine")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".message.success")).to_contain_text("updated")
    expect(table).to_contain_text("Senior medicine")
    expect(table).to_contain_text("Medicine · Expert · at least 60 USD an hour")
    expect(table).to_contain_text("Daily")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete Senior medicine").click()
    expect(page.locator(".message.success")).to_contain_text("deleted")
    expect(page.locator("#saved-searches")).to_have_count(0)
    assert not SavedSearch.objects.exists()


def test_a_company_sees_a_band_alert_on_its_dashboard_and_dismisses_it(live_server, page):  # noqa: F811
    base = live_server.url
    owner = UserFactory(username="olga")
    company = CompanyFactory(owner=owner, name="Acme Labs", slug="acme-labs")
    medicine = {"domain": domain("medicine"), "tier": SkillTier.EXPERT}
    file_surveys(6, start=100, base=50, **medicine)
    posting = publish(company, by=owner, rate_min=Decimal("50"), rate_max=Decimal("52"), title="Triage reviewer")
    engine.rebuild_all()  # where the band sits is recorded: within the middle half
    file_surveys(10, start=200, base=56, **medicine)  # the market rises past the band's top
    engine.rebuild_all()
    assert BandAlert.objects.filter(posting=posting).count() == 1

    log_in(page, base, email="olga@example.com", password="correct horse battery staple")
    page.goto(f"{base}/company/acme-labs/")
    alerts = page.locator("#band-alerts")
    expect(alerts).to_contain_text("Triage reviewer")
    expect(alerts).to_contain_text("below the market's 25th percentile")
    shoot(page, "band-alert")
    page.get_by_role("button", name="Dismiss the alert on Triage reviewer").click()
    expect(page.locator(".message.success")).to_contain_text("dismissed")
    expect(page.locator("#band-alerts")).to_have_count(0)
    page.goto(f"{base}/company/acme-labs/postings/{posting.pk}/")
    expect(page.get_by_role("heading", name="Triage reviewer")).to_be_visible()
