"""Real-browser journey of document verification: a trainer uploads a payout statement, a reviewer opens it and
marks it verified in the admin's queue, and the trainer's survey reads "Verified". The browser fixtures and helpers
are those of ``test_browser``."""

import pytest
from playwright.sync_api import expect

from tests.documents import pdf_bytes, reviewer
from tests.factories import TrainerFactory, UserFactory, survey_fields
from tests.web.test_browser import PASSWORD, browser, log_in, page, shoot  # noqa: F401 (fixtures)
from trainers.choices import Verification
from trainers.models import PaySurvey
from trainers.services import survey_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_upload_then_staff_review_then_the_trainer_sees_verified(live_server, browser, page, tmp_path):  # noqa: F811
    base = live_server.url
    user = UserFactory(email="vera@example.com", username="vera@example.com")
    user.set_password(PASSWORD)
    user.save()
    survey = survey_submit(trainer=TrainerFactory(user=user, display_name="Vera Verifier"), **survey_fields()).survey
    staff = reviewer(username="rita-reviewer")
    staff.set_password(PASSWORD)
    staff.save()
    statement = tmp_path / "my-outlier-payout.pdf"
    statement.write_bytes(pdf_bytes("Outlier payout statement"))

    # The trainer uploads a statement for their survey; a text file named .pdf is refused first.
    log_in(page, base, email="vera@example.com", password=PASSWORD)
    page.goto(f"{base}/me/surveys/")
    page.get_by_role("link", name="Verify with a document").click()
    fake = tmp_path / "not-really.pdf"
    fake.write_bytes(b"just some text")
    page.get_by_label("Payout statement or invoice").set_input_files(fake)
    page.get_by_role("button", name="Upload document").click()
    expect(page.locator(".errorlist")).to_contain_text("not a PDF, PNG or JPEG")
    shoot(page, "trainer-survey-document-refused")
    page.get_by_label("Payout statement or invoice").set_input_files(statement)
    page.get_by_role("button", name="Upload document").click()
    expect(page.locator(".message.success")).to_contain_text("staff will review it")
    expect(page.locator("tbody tr .verification")).to_have_text("Document under review")

    # A reviewer finds it from the admin index, reads the file, and marks it verified.
    staff_context = browser.new_context()
    admin = staff_context.new_page()
    admin.goto(f"{base}/admin/login/")
    admin.fill("#id_username", "rita-reviewer")
    admin.fill("#id_password", PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    queues = admin.locator("#moderation-queues")
    expect(queues.get_by_role("row", name="Documents to verify")).to_contain_text("1")
    queues.get_by_role("link", name="Documents to verify").click()
    row = admin.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Vera Verifier")
    href = row.get_by_role("link", name="Open PDF").get_attribute("href")
    document = admin.request.get(f"{base}{href}")  # with the reviewer's session
    assert document.ok and document.body() == pdf_bytes("Outlier payout statement")
    assert document.headers["cache-control"] == "private, no-store"
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option("mark_verified")
    admin.get_by_role("button", name="Go").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 verification document verified")
    expect(admin.locator("#result_list tbody tr")).to_have_count(0)  # the queue is empty again
    assert admin.request.get(f"{base}{href}").status == 404  # its file was deleted with the review
    staff_context.close()

    # The trainer sees the survey verified, and nothing left to upload.
    page.goto(f"{base}/me/surveys/")
    expect(page.locator("tbody tr .badge.verified")).to_have_text("Verified")
    expect(page.get_by_role("link", name="Verify with a document")).to_have_count(0)
    assert PaySurvey.objects.get(pk=survey.pk).verification == Verification.DOCUMENT
    shoot(page, "trainer-survey-verified")
