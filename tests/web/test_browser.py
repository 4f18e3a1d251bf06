"""Real-browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server runs in a thread of this process while Playwright's sync API runs an event loop here too, so Django's
async-safety guard must be relaxed for these tests only (set below, before any test runs). Tasks run eagerly after
each commit, as in ``make run`` without Redis, so the benchmarks move as soon as a survey or posting is saved.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

from benchmarks.choices import SkillTier
from postings.choices import PostingStatus
from postings.models import JobPosting
from postings.services import posting_approve
from tests.factories import StaffFactory, TrainerFactory, UserFactory, domain
from tests.web.conftest import file_surveys

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "a-long-test-password-42"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser():
    """One Chromium per test, started after the test database is set up and stopped before it is flushed.

    Playwright's sync API runs an event loop in this thread, and while it runs Django hands out other connection
    objects (its connections are context-local). Starting and stopping the browser inside the test keeps the
    transactional test case's own set-up and flush (with its serialized rollback) on the usual connections.
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
        connections.close_all()  # the connections opened while the loop ran, before the database is flushed


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()
    # A CSP violation or a script error shows up here: the pages must run with script-src/style-src 'self' only.
    assert not errors, errors


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot at desktop width and one at phone width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def sign_up(page: Page, base: str, *, email: str, name: str, role: str, company: str = "") -> None:
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("I hire trainers" if role == "company" else "I train AI").check()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill(name)
    if company:
        page.get_by_label("Company name").fill(company)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()


def log_in(page: Page, base: str, *, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_trainer_signs_up_files_a_survey_and_moves_the_explorer(live_server, page):
    base = live_server.url
    file_surveys(4)  # four other trainers already report generalist skilled US pay: not enough to publish
    cell_url = f"{base}/benchmarks/?domain=generalist&tier=skilled&country=US&kind=reported"

    page.goto(cell_url)
    expect(page.locator("#cell-suppressed")).to_contain_text("Fewer than 5 contributors")
    expect(page.locator("#cell-median")).to_have_count(0)

    sign_up(page, base, email="tess@example.com", name="Tess Trainer", role="trainer")
    expect(page.get_by_role("heading", name="My pay surveys")).to_be_visible()

    page.get_by_role("link", name="File a pay survey").first.click()
    expect(page.get_by_role("heading", name="File a pay survey")).to_be_visible()
    page.get_by_label("Platform").select_option(label="Outlier")
    page.get_by_label("Domain").select_option(label="Generalist")
    page.get_by_label("Skill tier").select_option("skilled")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Paid", exact=True).select_option("week")
    page.get_by_label("Paid hours a week (optional)", exact=True).fill("20")
    page.get_by_label("Amount").fill("500")
    # The live preview normalises as the amount is typed: 500 a week for 20 hours is 25 an hour.
    expect(page.locator("#preview-hourly")).to_have_text("$25.00")
    page.get_by_label("Unpaid hours a week").fill("5")
    expect(page.locator("#preview-effective")).to_have_text("$20.00")
    # A refused rate is explained next to the preview, naming the field.
    page.get_by_label("Amount").fill("0.01")
    expect(page.locator("#preview")).to_contain_text("Amount:")
    page.get_by_label("Amount").fill("500")
    expect(page.locator("#preview-hourly")).to_have_text("$25.00")
    shoot(page, "trainer-survey-form")
    page.get_by_role("button", name="File survey").click()

    expect(page.locator(".message.success")).to_contain_text("is in the benchmarks")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Outlier")
    expect(row).to_contain_text("$25.00")
    expect(row).to_contain_text("Accepted")
    shoot(page, "trainer-my-surveys")

    # Her value is in, but a brand-new account does not count toward the threshold: the cell stays suppressed.
    page.goto(cell_url)
    expect(page.locator("#cell-suppressed")).to_be_visible()
    # Once her email is confirmed and her account is a few days old, she counts: five independent contributors.
    establish(email="tess@example.com")

    # The cell publishes its median (20, 21, 22, 23 and 25) and its counts, as bands.
    page.goto(cell_url)
    expect(page.locator("#cell-median")).to_have_text("$22.00")
    expect(page.locator("#cell-contributors")).to_have_text("5–9")
    expect(page.locator("canvas[data-chart='cell-chart'][data-drawn='true']")).to_have_count(1)
    shoot(page, "explorer")

    # The explorer updates in place (htmx) when a choice changes, and the URL can be shared.
    page.get_by_role("combobox", name="Skill tier").select_option("expert")
    expect(page).to_have_url(re.compile(r"tier=expert"))
    expect(page.locator("#cell-heading")).to_contain_text("No data for this choice")

    page.goto(f"{base}/me/compare/")
    expect(page.locator("#comparisons tbody")).to_contain_text("percentile")
    shoot(page, "trainer-compare")


def establish(*, email: str) -> None:
    """What time and the confirmation link do to a new account: joined days ago, its email confirmed."""
    import datetime

    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    user = get_user_model().objects.get(email=email)
    user.date_joined = timezone.now() - datetime.timedelta(days=settings.BENCHMARK_ACCOUNT_MIN_AGE_DAYS + 1)
    user.save(update_fields=["date_joined"])
    address, _ = EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True})
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)


def test_a_company_posts_a_job_that_a_trainer_applies_to(live_server, page, browser):
    base = live_server.url
    file_surveys(6, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)  # p25–p75 published
    applicant = TrainerFactory(user=UserFactory(username="ada", email="ada@example.com"), display_name="Ada Applicant")
    staff = StaffFactory(username="admin")

    sign_up(page, base, email="hr@acme.example", name="Hana Hiring", role="company", company="Acme Labs")
    expect(page.get_by_role("heading", name="Acme Labs")).to_be_visible()
    page.get_by_role("link", name="New posting").first.click()

    page.get_by_label("Title").fill("Clinical answer reviewer")
    page.get_by_label("Description", exact=True).fill("Rank **medical** answers.\n\n<script>alert(1)</script>")
    page.get_by_label("Description format").select_option("markdown")
    page.get_by_label("Domain").select_option(label="Medicine")
    page.get_by_label("Skill tier").select_option("expert")
    page.get_by_label("Country").select_option("US")
    page.get_by_label("Band minimum").fill("40")
    page.get_by_label("Band maximum").fill("45")
    # The positioning preview: the band in USD/h, its percentiles in the market cell, a warning under p25.
    preview = page.locator("#preview")
    expect(preview).to_contain_text("$40.00–$45.00")
    expect(preview).to_contain_text("Medicine · Expert · United States")
    expect(preview).to_contain_text("Below the market")
    page.get_by_label("Band maximum").fill("60")
    expect(preview).to_contain_text("$40.00–$60.00")
    expect(preview).not_to_contain_text("Below the market")
    expect(preview).to_contain_text("above the 75th percentile")
    expect(page.locator("canvas[data-chart='preview-chart'][data-drawn='true']")).to_have_count(1)
    page.get_by_label("Band minimum").fill("70")
    expect(preview).to_contain_text("Band minimum: The minimum rate must not be above the maximum rate.")
    page.get_by_label("Band minimum").fill("40")
    expect(preview).to_contain_text("$40.00–$60.00")
    shoot(page, "company-posting-form")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".message.success")).to_contain_text("saved as a draft")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message.success")).to_contain_text("sent for review")
    expect(page.locator(".badge.in_review")).to_be_visible()

    posting = JobPosting.objects.get(title="Clinical answer reviewer")
    posting_approve(posting=posting, by=staff)  # an admin approves it
    assert JobPosting.objects.get(pk=posting.pk).status == PostingStatus.PUBLISHED
    page.reload()
    expect(page.locator(".badge.published")).to_be_visible()
    page.goto(f"{base}/company/")
    shoot(page, "company-dashboard")

    # A trainer finds it on the board (filters update the list in place) and applies.
    trainer_page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(trainer_page, base, email="ada@example.com", password="correct horse battery staple")
    trainer_page.goto(f"{base}/jobs/")
    trainer_page.get_by_label("Domain").select_option(label="Medicine")
    expect(trainer_page).to_have_url(re.compile(r"domain=medicine"))
    trainer_page.get_by_role("link", name="Clinical answer reviewer").click()
    detail = trainer_page.locator("main")
    expect(detail).to_contain_text("40.00–60.00 USD per hour")
    expect(detail.locator("strong", has_text="medical")).to_have_count(1)  # Markdown rendered
    expect(detail).not_to_contain_text("<script>")  # raw HTML dropped by nh3
    expect(detail).to_contain_text("Medicine · Expert · United States")
    shoot(trainer_page, "posting-detail")
    trainer_page.get_by_label("Why you are a good fit").fill("Board-certified internist.")
    trainer_page.get_by_role("button", name="Send application").click()
    expect(trainer_page.locator(".message.success")).to_contain_text("You applied")
    trainer_page.goto(f"{base}/me/applications/")
    expect(trainer_page.locator("tbody")).to_contain_text("Clinical answer reviewer")
    trainer_page.context.close()

    page.goto(f"{base}/company/acme-labs/postings/{posting.pk}/applicants/")
    expect(page.locator("tbody")).to_contain_text(applicant.display_name)
    page.get_by_role("button", name="Shortlist Ada Applicant").click()
    expect(page.locator(".message.success")).to_contain_text("shortlisted")
    shoot(page, "company-applicants")


def test_public_pages_on_desktop_and_phone(live_server, page):
    """A tour of the public pages with data, for the screenshots and for script errors under the CSP."""
    base = live_server.url
    file_surveys(12)
    file_surveys(6, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="The market right now")).to_be_visible()
    shoot(page, "home")
    page.goto(f"{base}/report/")
    expect(page.locator("canvas[data-chart='medians-chart'][data-drawn='true']")).to_have_count(1)
    shoot(page, "report")
    page.goto(f"{base}/jobs/")
    shoot(page, "jobs")
    page.goto(f"{base}/accounts/signup/")
    shoot(page, "signup")
    page.goto(f"{base}/jobs/999999/")
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    page.console_errors.clear()  # the browser logs the 404 response itself
