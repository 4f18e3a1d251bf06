"""Real-browser journeys around what already exists: filing the same month again, and an application to a posting
that has closed. The browser fixtures and helpers are those of ``test_browser``."""

import pytest
from playwright.sync_api import expect

from postings.choices import ApplicationStatus, PostingStatus
from postings.models import Application, JobPosting
from postings.services import application_submit
from tests.factories import PublishedPostingFactory, TrainerFactory, UserFactory
from tests.web.test_browser import PASSWORD, browser, log_in, page, shoot  # noqa: F401 (fixtures)
from trainers.models import PaySurvey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _trainer(email: str):
    user = UserFactory(email=email, username=email)
    user.set_password(PASSWORD)
    user.save()
    return TrainerFactory(user=user, display_name="Rhea Refiler")


def test_filing_a_month_again_shows_the_earlier_survey_and_offers_to_update_it(live_server, page):  # noqa: F811
    base = live_server.url
    trainer = _trainer("rhea@example.com")
    log_in(page, base, email="rhea@example.com", password=PASSWORD)

    def fill(amount: str) -> None:
        page.goto(f"{base}/me/surveys/new/")
        page.get_by_label("Platform").select_option(label="Outlier")
        page.get_by_label("Domain").select_option(label="Generalist")
        page.get_by_label("Amount").fill(amount)

    fill("25")
    page.get_by_label("Unpaid hours a week").fill("4")
    page.get_by_role("button", name="File survey").click()
    expect(page.locator(".message.success")).to_contain_text("is in the benchmarks")

    # Choosing the same platform, domain and month says so before anything is filed, and shows the earlier one.
    fill("30")
    notice = page.locator("#filed-before-notice")
    expect(notice).to_contain_text("You already filed a survey for Outlier")
    expect(notice).to_contain_text("Unpaid hours a week: 4")
    shoot(page, "trainer-survey-filed-before")
    # Filing without saying "replace" changes nothing.
    page.get_by_role("button", name="File survey").click()
    expect(page.locator("#filed-before-notice")).to_contain_text("Tick this to replace")
    assert PaySurvey.objects.get(trainer=trainer).amount == 25
    # "Update that survey instead" opens it with its answers, unpaid hours included.
    page.get_by_role("link", name="Update that survey instead").click()
    expect(page.get_by_role("heading", name="Edit pay survey")).to_be_visible()
    expect(page.get_by_label("Unpaid hours a week")).to_have_value("4.00")
    page.get_by_label("Amount").fill("30")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".message.success")).to_contain_text("was updated")
    survey = PaySurvey.objects.get(trainer=trainer)
    assert (survey.amount, survey.unpaid_hours_per_week) == (30, 4)
    # Its earlier versions are one click away.
    page.get_by_role("link", name="Versions").first.click()
    expect(page.locator("tbody tr")).to_have_count(2)


def test_an_application_to_a_closed_posting_reads_closed_and_opens_the_posting(live_server, page):  # noqa: F811
    base = live_server.url
    trainer = _trainer("cleo@example.com")
    posting = PublishedPostingFactory(title="Radiology ranking")
    application = application_submit(posting=posting, trainer=trainer)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SHORTLISTED)
    JobPosting.objects.filter(pk=posting.pk).update(status=PostingStatus.CLOSED)
    log_in(page, base, email="cleo@example.com", password=PASSWORD)

    page.goto(f"{base}/me/applications/")
    row = page.locator("tbody tr").first
    expect(row.locator(".badge")).to_have_text("Closed")
    row.get_by_role("link", name="Radiology ranking").click()
    expect(page.get_by_role("heading", name="Radiology ranking")).to_be_visible()
    expect(page.locator("#apply-heading + p")).to_have_text("This posting is closed and no longer takes applications.")


def test_the_review_queues_open_from_the_admin_index_and_fit_at_1366_px(live_server, page):  # noqa: F811
    from django.contrib.auth import get_user_model

    from tests.factories import DraftPostingFactory, survey_fields
    from trainers.choices import SurveyStatus
    from trainers.services import survey_submit

    admin_user = get_user_model().objects.create_superuser("root-admin", "root@example.com", PASSWORD)
    assert admin_user.is_superuser
    posting = DraftPostingFactory(title="A job waiting for review")
    JobPosting.objects.filter(pk=posting.pk).update(status=PostingStatus.IN_REVIEW)
    survey = survey_submit(trainer=_trainer("flo@example.com"), **survey_fields()).survey
    reason = "Far outside the usual range for this domain and tier; an admin will review it."
    PaySurvey.objects.filter(pk=survey.pk).update(status=SurveyStatus.FLAGGED, status_reason=reason)

    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "root-admin")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for link, shown in (("Flagged surveys to review", reason), ("Postings in review", "A job waiting for review")):
        page.goto(f"{base}/admin/")
        page.locator("#moderation-queues").get_by_role("link", name=link).click()
        expect(page.locator("#result_list")).to_contain_text(shown)
        fits = page.evaluate("(r => r.scrollWidth <= r.clientWidth)(document.querySelector('#changelist .results'))")
        assert fits, f"{link}: the queue's columns overflow at 1,366 px"


def test_the_api_docs_run_under_the_portals_csp(live_server, page):  # noqa: F811
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Trainer Pay Portal")
    # The page fixture fails the test on any console error, a CSP violation included.


def test_a_bad_minimum_on_the_board_is_marked_and_the_other_filters_keep_working(live_server, page):  # noqa: F811
    from tests.factories import domain

    PublishedPostingFactory(title="Radiology ranking")
    PublishedPostingFactory(title="Contract review", domain=domain("law"))
    page.goto(f"{live_server.url}/jobs/")
    expect(page.locator(".job-list li")).to_have_count(2)
    page.get_by_label("Minimum USD an hour").fill("-5")
    expect(page.locator("#error-min_usd")).to_have_text("Ensure this value is greater than or equal to 0.")
    page.get_by_role("combobox", name="Domain").select_option(label="Law")
    expect(page.locator(".job-list li")).to_have_count(1)
    expect(page.locator(".job-list")).to_contain_text("Contract review")
    page.get_by_label("Minimum USD an hour").fill("1")
    expect(page.locator("#error-min_usd")).to_be_empty()


def test_the_percentiles_beside_a_posting_fit_their_column_at_1366_px(live_server, page):  # noqa: F811
    from benchmarks.choices import SkillTier
    from tests.factories import domain
    from tests.web.conftest import file_surveys

    file_surveys(12, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)
    posting = PublishedPostingFactory(rate_min=60, rate_max=80, rate_min_usd=60, rate_max_usd=80)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/jobs/{posting.pk}/")
    table = page.locator("table.percentiles")
    expect(table).to_contain_text("p90")
    assert page.evaluate(
        "(t => t.scrollWidth <= t.clientWidth)(document.querySelector('table.percentiles').parentElement)"
    )


@pytest.mark.parametrize("form", ["survey", "posting"])
def test_on_a_phone_the_live_preview_stays_in_view_while_the_amount_is_typed(live_server, page, form):  # noqa: F811
    from tests.factories import CompanyFactory

    if form == "survey":
        _trainer("pia@example.com")
        url, field = "/me/surveys/new/", "Amount"
    else:
        owner = UserFactory(email="olly@example.com", username="olly@example.com")
        owner.set_password(PASSWORD)
        owner.save()
        company = CompanyFactory(owner=owner)
        url, field = f"/company/{company.slug}/postings/new/", "Band minimum"
    log_in(page, live_server.url, email="pia@example.com" if form == "survey" else "olly@example.com",
           password=PASSWORD)  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{url}")
    page.get_by_label(field, exact=False).first.fill("25")
    box = page.locator(".grid-2 > .preview").bounding_box()
    assert box is not None
    assert 0 <= box["y"] < 844, box  # on screen, not a thousand pixels further down
    assert box["height"] <= 844 / 3 + 1
