"""The pages of pay by platform and verified figures in a real browser, at 1,366 and 375 px: the platform list, a
platform's page (published and suppressed), the explorer's table by platform and its "Verified data only" toggle (with
and without JavaScript), the verified-only report, a trainer's document upload and the staff queue. Each page fits
its window (tables scroll inside their box), shows its key figures, raises no console error under the CSP, and is
screenshotted into test-output/screenshots/. The browser fixtures are those of ``test_browser``."""

import pytest
from playwright.sync_api import Page, expect

from benchmarks import engine
from tests.documents import pdf_bytes, reviewer, upload
from tests.factories import TrainerFactory, UserFactory, platform, survey_fields
from tests.web.conftest import file_surveys
from tests.web.test_browser import (  # noqa: F401 - fixtures used by name
    PASSWORD,
    SCREENSHOTS,
    browser,
    log_in,
    page,
)
from trainers.choices import Verification
from trainers.services import survey_submit, sync_observations
from trainers.verification import verification_document_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
EXPLORER = "/benchmarks/?domain=generalist&tier=skilled&country=US"


def platform_market() -> None:
    """Outlier (20–31 USD/h) and DataAnnotation (30–41) publish generalist skilled US pay, half of each verified;
    Mercor has three contributors only, so its page says why it shows nothing."""
    outlier = file_surveys(12)
    annotation = file_surveys(12, start=20, base=30, platform=platform("dataannotation"))
    file_surveys(3, start=40, platform=platform("mercor"))
    verified = outlier[:6] + annotation[:6]
    for survey in verified:
        survey.verification = Verification.DOCUMENT
        survey.save(update_fields=["verification"])
    sync_observations(verified)
    engine.rebuild_all()
    engine.backfill_history()


def fits(shown: Page) -> None:
    """Nothing is wider than the window: a wide table scrolls inside its box (.table-wrap, the admin's .results)."""
    width = shown.evaluate("window.innerWidth")
    assert shown.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = shown.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => !e.closest('.table-wrap, #changelist .results'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""
    )
    assert not overflowing, overflowing


def at_both_widths(shown: Page, url: str, name: str, check) -> None:
    """Open ``url`` at desktop and phone width, run ``check``, make sure it fits, and take a full-page screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for suffix, size in WIDTHS.items():
        shown.set_viewport_size(size)
        shown.goto(url)
        check(shown)
        fits(shown)
        shown.screenshot(path=SCREENSHOTS / f"{name}-{suffix}.png", full_page=True)


def test_the_platform_pages_explorer_and_report_at_desktop_and_phone_width(live_server, page):  # noqa: F811
    platform_market()
    base = live_server.url

    def platform_list(shown):
        table = shown.locator("#platforms-table")
        expect(table.get_by_role("link")).to_have_text(["DataAnnotation", "Outlier"])
        expect(table.get_by_role("row", name="Outlier")).to_contain_text("$25.50")
        expect(table.get_by_role("row", name="DataAnnotation")).to_contain_text("$35.50")
        expect(table).not_to_contain_text("Mercor")

    at_both_widths(page, f"{base}/platforms/", "platforms", platform_list)

    def outlier(shown):
        expect(shown.get_by_role("heading", level=1)).to_have_text("Outlier")
        expect(shown.locator("#platform-median")).to_have_text("$25.50")
        expect(shown.locator("#platform-contributors")).to_have_text("10–14")
        expect(shown.locator("#platform-verified")).to_have_text("50 %")
        expect(shown.locator("#platform-domains")).to_contain_text("Generalist")
        expect(shown.locator("canvas[data-chart='platform-trend'][data-drawn='true']")).to_have_count(1)

    at_both_widths(page, f"{base}/platforms/outlier/", "platform", outlier)

    def mercor(shown):
        expect(shown.locator("#platform-suppressed")).to_contain_text("Not enough contributors yet")
        expect(shown.locator("#platform-stats")).to_have_count(0)
        expect(shown.locator("main")).not_to_contain_text("$")
        expect(
            shown.locator("#platform-suppressed").get_by_role("link", name="the platforms with published figures")
        ).to_be_visible()

    at_both_widths(page, f"{base}/platforms/mercor/", "platform-suppressed", mercor)

    def explorer(shown):
        expect(shown.locator("#cell-median")).to_have_text("$30.00")  # all three platforms together
        expect(shown.locator("#cell-verified")).to_have_text("40 %")  # 12 of 27 contributors, to the nearest 10 %
        table = shown.locator("#platforms-table")
        expect(table.get_by_role("link")).to_have_text(["DataAnnotation", "Outlier"])
        expect(table.get_by_role("row", name="Outlier")).to_contain_text("$25.50")

    at_both_widths(page, f"{base}{EXPLORER}", "explorer-platforms", explorer)

    def explorer_verified(shown):
        expect(shown.locator("#id_verified")).to_be_checked()
        expect(shown.locator("#cell-heading")).to_contain_text("verified data only")
        expect(shown.locator("#cell-median")).to_have_text("$27.50")  # 20–25 and 30–35 verified
        expect(shown.locator("#cell-verified")).to_have_text("100 %")
        expect(shown.locator("#platforms-table")).to_have_count(0)  # platforms are not split by verification...
        expect(shown.locator("#platforms-unavailable")).to_contain_text("untick “Verified data only”")  # ...said so

    at_both_widths(page, f"{base}{EXPLORER}&verified=on", "explorer-verified", explorer_verified)

    def report_verified(shown):
        expect(shown.locator("#report-verified")).to_be_checked()
        expect(shown.locator("#report-segment")).to_contain_text("verified data only")
        expect(shown.get_by_role("link", name="Download CSV")).to_have_attribute(
            "href", "/report/report.csv?verified=1"
        )

    at_both_widths(page, f"{base}/report/?verified=1", "report-verified", report_verified)

    # From the explorer's table to the platform's page, from one of its rows back to the explorer's comparison,
    # and on to every platform.
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(f"{base}{EXPLORER}")
    page.locator("#platforms-table").get_by_role("link", name="Outlier").click()
    expect(page.locator("#platform-median")).to_have_text("$25.50")
    page.locator("#platform-domain-tiers").get_by_role("link", name="Generalist · Skilled").click()
    expect(page.locator("#id_domain")).to_have_value("generalist")
    expect(page.locator("#id_tier")).to_have_value("skilled")
    expect(page.locator("#platforms-table").get_by_role("link")).to_have_text(["DataAnnotation", "Outlier"])
    page.get_by_role("link", name="Every platform").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay by platform")


def test_the_verified_toggle_moves_the_explorer_with_and_without_javascript(live_server, browser, page):  # noqa: F811
    platform_market()
    base = live_server.url

    # With JavaScript, ticking the box moves the results and the address in place.
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(f"{base}{EXPLORER}")
    expect(page.locator("#cell-median")).to_have_text("$30.00")
    page.get_by_label("Verified data only").check()
    expect(page.locator("#cell-median")).to_have_text("$27.50")
    expect(page.locator("#cell-heading")).to_contain_text("verified data only")
    assert "verified=on" in page.url

    # Without it, the form is a plain GET: choose, tick, press Show.
    context = browser.new_context(java_script_enabled=False, viewport=WIDTHS["phone"])
    plain = context.new_page()
    plain.goto(f"{base}/benchmarks/")
    plain.locator("#id_domain").select_option("generalist")
    plain.locator("#id_tier").select_option("skilled")
    plain.locator("#id_country").select_option("US")
    plain.get_by_label("Verified data only").check()
    plain.locator("form.filters").get_by_role("button", name="Show").click()
    expect(plain.locator("#cell-median")).to_have_text("$27.50")
    expect(plain.locator("#id_verified")).to_be_checked()
    fits(plain)
    plain.locator("#id_verified").uncheck()
    plain.locator("form.filters").get_by_role("button", name="Show").click()
    expect(plain.locator("#cell-median")).to_have_text("$30.00")
    context.close()


def test_the_document_upload_page_and_the_staff_queue_at_desktop_and_phone_width(live_server, browser, page):  # noqa: F811
    base = live_server.url
    user = UserFactory(email="uma@example.com", username="uma@example.com")
    user.set_password(PASSWORD)
    user.save()
    trainer = TrainerFactory(user=user, display_name="Uma Uploader")
    waiting = survey_submit(trainer=trainer, **survey_fields()).survey
    verification_document_upload(
        survey=waiting, upload=upload(pdf_bytes("Outlier payout"), name="uma-outlier-payout.pdf")
    )
    fresh = survey_submit(trainer=trainer, **survey_fields(platform=platform("mercor"))).survey
    staff = reviewer(username="rafa-reviewer")
    staff.set_password(PASSWORD)
    staff.save()

    log_in(page, base, email="uma@example.com", password=PASSWORD)

    def upload_page(shown):
        expect(shown.get_by_role("heading", name="Verify your survey with a document")).to_be_visible()
        expect(shown.get_by_label("Payout statement or invoice")).to_be_visible()
        expect(shown.get_by_role("button", name="Upload document")).to_be_visible()

    at_both_widths(page, f"{base}/me/surveys/{fresh.pk}/document/", "survey-document", upload_page)

    staff_context = browser.new_context()
    admin = staff_context.new_page()
    admin.goto(f"{base}/admin/login/")
    admin.fill("#id_username", "rafa-reviewer")
    admin.fill("#id_password", PASSWORD)
    admin.get_by_role("button", name="Log in").click()

    def queue(shown):
        row = shown.locator("#result_list tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Uma Uploader")
        expect(row.get_by_role("link", name="Open PDF")).to_be_attached()
        if shown.viewport_size["width"] >= 1366:  # every column of the queue in view, Open PDF included
            assert shown.evaluate(
                "(r => r.scrollWidth <= r.clientWidth)(document.querySelector('#changelist .results'))"
            )

    at_both_widths(admin, f"{base}/admin/trainers/verificationdocument/", "admin-documents", queue)
    staff_context.close()
