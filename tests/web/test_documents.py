"""Document verification on the pages: the trainer's upload and what their surveys show, the staff view of a file,
and the admin's queue."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.documents import jpeg_bytes, pdf_bytes, png_bytes, reviewer, stored_files, upload
from tests.factories import StaffFactory, TrainerFactory, UserFactory, survey_fields
from trainers.choices import DocumentStatus, Verification
from trainers.models import PaySurvey, VerificationDocument
from trainers.services import survey_submit
from trainers.verification import survey_document_review, verification_document_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(trainer):
    return survey_submit(trainer=trainer, **survey_fields()).survey


def post_file(client, survey, data: bytes, name: str = "statement.pdf"):
    url = reverse("trainers:survey_document", args=[survey.pk])
    return client.post(url, {"file": upload(data, name=name)})


# --- The trainer ----------------------------------------------------------------------------------------------------


def test_a_trainer_uploads_a_statement_and_their_survey_reads_under_review(trainer_client, survey):
    page = trainer_client.get(reverse("trainers:surveys")).content.decode()
    assert "Verify with a document" in page
    response = post_file(trainer_client, survey, pdf_bytes())
    assert response.status_code == 302
    assert VerificationDocument.objects.get(survey=survey).is_pending
    page = trainer_client.get(reverse("trainers:surveys")).content.decode()
    assert "Document under review" in page
    assert "Verify with a document" not in page


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "statement.pdf", "The file is empty."),
        (b"MZ\x90\x00 not a statement", "statement.pdf", "not a PDF, PNG or JPEG (whatever its name says)"),
        (png_bytes()[:-12], "statement.png", "starts as a PNG but is damaged"),
        (b"%PDF-1.4\n" + b"x" * (5 * 1024 * 1024), "statement.pdf", "The file is 5.0 MB."),
    ],
    ids=["empty", "renamed", "malformed-png", "too-big"],
)
def test_a_refused_upload_says_why_on_the_field_and_stores_nothing(trainer_client, survey, data, name, says):
    before = stored_files()
    response = post_file(trainer_client, survey, data, name=name)
    assert response.status_code == 200  # the form again, not Django's 400 or a 413
    errors = response.context["form"].errors["file"]
    assert says in errors[0]
    assert "Upload a PDF, PNG or JPEG file of at most 5 MB" in errors[0]
    assert errors[0] in response.content.decode()
    assert not VerificationDocument.objects.exists()
    assert stored_files() == before


def test_a_post_without_a_file_asks_for_one(trainer_client, survey):
    response = trainer_client.post(reverse("trainers:survey_document", args=[survey.pk]), {})
    assert "Choose a file" in response.context["form"].errors["file"][0]


def test_the_trainer_sees_verified_or_the_reason_and_may_upload_again(trainer_client, survey):
    document = verification_document_upload(survey=survey, upload=upload(jpeg_bytes(), name="a.jpg"))
    survey_document_review(document=document, reviewer=reviewer(), verified=False, reason="The month is cut off.")
    page = trainer_client.get(reverse("trainers:surveys")).content.decode()
    assert "Not verified" in page and "The month is cut off." in page
    assert "Upload another document" in page
    post_file(trainer_client, survey, pdf_bytes())
    survey_document_review(document=survey.documents.pending_review().get(), reviewer=reviewer(), verified=True)
    for url in (reverse("trainers:surveys"), reverse("trainers:survey_edit", args=[survey.pk])):
        page = trainer_client.get(url).content.decode()
        assert '<span class="badge verified">Verified</span>' in page, url
        assert "Upload another document" not in page


def test_editing_a_verified_surveys_pay_says_a_new_document_is_needed(trainer_client, survey):
    from tests.factories import survey_form_data

    survey_document_review(
        document=verification_document_upload(survey=survey, upload=upload(pdf_bytes())),
        reviewer=reviewer(),
        verified=True,
    )
    response = trainer_client.post(
        reverse("trainers:survey_edit", args=[survey.pk]), survey_form_data(amount="31"), follow=True
    )
    assert "its document no longer verifies it" in response.content.decode()
    assert PaySurvey.objects.get(pk=survey.pk).verification == Verification.UNVERIFIED
    assert "Upload another document" in response.content.decode()


# --- The staff view of a file ---------------------------------------------------------------------------------------


@pytest.fixture
def document(survey):
    return verification_document_upload(survey=survey, upload=upload(pdf_bytes("Quokka payout")))


def test_a_reviewer_reads_the_file_inline_with_headers_that_keep_it_inert(client, document):
    client.force_login(reviewer())
    response = client.get(reverse("trainers:document_file", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes("Quokka payout")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["anonymous", "its trainer", "another trainer", "staff without the permission"])
def test_no_one_else_reads_the_file(client, document, who):
    users = {
        "its trainer": lambda: document.survey.trainer.user,
        "another trainer": lambda: TrainerFactory().user,
        "staff without the permission": lambda: UserFactory(is_staff=True),
    }
    if who in users:
        client.force_login(users[who]())
    response = client.get(reverse("trainers:document_file", args=[document.pk]))
    assert response.status_code == 404


def test_a_permission_without_staff_status_is_not_enough(client, document):
    user = UserFactory(is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="review_verificationdocument"))
    client.force_login(user)
    assert client.get(reverse("trainers:document_file", args=[document.pk])).status_code == 404


def test_a_reviewed_documents_file_is_gone(client, document, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survey_document_review(document=document, reviewer=reviewer(), verified=True)
    client.force_login(reviewer())
    assert client.get(reverse("trainers:document_file", args=[document.pk])).status_code == 404


def test_the_private_storage_has_no_public_url(settings, tmp_path):
    from trainers.storage import PrivateStorage

    with pytest.raises(ValueError, match="no public URL"):
        PrivateStorage(location=tmp_path).url("verification/x.pdf")
    assert "documents" in settings.STORAGES
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


# --- The admin queue ------------------------------------------------------------------------------------------------

CHANGELIST = "admin:trainers_verificationdocument_changelist"


def test_the_queue_opens_on_pending_documents_with_the_surveys_pay(client, document):
    reviewed = verification_document_upload(
        survey=survey_submit(trainer=TrainerFactory(display_name="Rex Reviewed"), **survey_fields()).survey,
        upload=upload(pdf_bytes()),
    )
    survey_document_review(document=reviewed, reviewer=reviewer(), verified=True)
    client.force_login(reviewer())
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "Tess Trainer" in page
    assert "20.00 USD/hour (20.00 USD/h)" in page  # the pay as reported, and in USD an hour
    assert reverse("trainers:document_file", args=[document.pk]) in page
    assert "Rex Reviewed" not in page
    assert "Rex Reviewed" in client.get(reverse(CHANGELIST) + "?queue=all").content.decode()


def test_the_verified_action_verifies_the_survey(client, document):
    client.force_login(reviewer())
    response = client.post(
        reverse(CHANGELIST), {"action": "mark_verified", "_selected_action": [document.pk]}, follow=True
    )
    assert "1 verification document verified" in response.content.decode()
    assert PaySurvey.objects.get(pk=document.survey_id).verification == Verification.DOCUMENT


def test_the_not_verified_action_asks_for_a_reason_first(client, document):
    client.force_login(reviewer())
    data = {"action": "mark_not_verified", "_selected_action": [document.pk]}
    asked = client.post(reverse(CHANGELIST), data)
    assert asked.status_code == 200 and "reason" in asked.content.decode()
    assert VerificationDocument.objects.get(pk=document.pk).is_pending
    client.post(reverse(CHANGELIST), data | {"apply_reason": "1", "reason": "Not this platform."})
    document.refresh_from_db()
    assert (document.status, document.reason) == (DocumentStatus.REFUSED, "Not this platform.")


def test_staff_without_the_permission_see_no_queue(client, document):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_the_admin_index_counts_the_documents_waiting(client, document):
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{reverse(CHANGELIST)}?queue=pending">Documents to verify</a></th><td><strong>1</strong>' in page
