"""Document verification's services: an upload stores a document or nothing, a review verifies a survey or says why
not, and the file is deleted once it is reviewed."""

from decimal import Decimal

import pytest
from django.core.files.storage import storages

from benchmarks.errors import ServiceError
from tests.documents import pdf_bytes, png_bytes, reviewer, stored_files, upload
from tests.factories import TrainerFactory, survey_fields
from trainers.choices import DocumentStatus, Verification
from trainers.models import PaySurvey, VerificationDocument
from trainers.services import survey_submit, survey_update, survey_withdraw
from trainers.verification import survey_document_review, verification_document_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return survey_submit(trainer=TrainerFactory(), **survey_fields()).survey


def uploaded(survey, data: bytes = b"") -> VerificationDocument:
    return verification_document_upload(survey=survey, upload=upload(data or pdf_bytes()))


def test_an_upload_is_stored_privately_under_a_random_name_with_its_checksum(survey):
    data = png_bytes()
    document = verification_document_upload(survey=survey, upload=upload(data, name="my payslip.pdf"))
    assert document.status == DocumentStatus.PENDING
    assert (document.content_type, document.size) == ("image/png", len(data))
    assert document.file.name.startswith("verification/") and document.file.name.endswith(".png")
    assert "payslip" not in document.file.name
    assert len(document.sha256) == 64
    assert storages["documents"].open(document.file.name).read() == data


@pytest.mark.parametrize(
    "data",
    [b"", b"plain text renamed to .pdf", png_bytes()[:-12], b"%PDF-1.4\n" + b"x" * (5 * 1024 * 1024)],
    ids=["empty", "wrong-type", "malformed-png", "too-big"],
)
def test_a_refused_upload_stores_no_file_and_no_row(survey, data):
    before = stored_files()
    with pytest.raises(ServiceError) as caught:
        verification_document_upload(survey=survey, upload=upload(data))
    assert caught.value.field == "file"
    assert stored_files() == before
    assert not VerificationDocument.objects.exists()


def test_a_missing_file_is_refused(survey):
    with pytest.raises(ServiceError, match="Choose a file"):
        verification_document_upload(survey=survey, upload=None)


def test_one_document_waits_for_review_per_survey(survey):
    uploaded(survey)
    before = stored_files()
    with pytest.raises(ServiceError, match="already under review"):
        uploaded(survey)
    assert stored_files() == before
    assert VerificationDocument.objects.count() == 1


def test_a_withdrawn_survey_takes_no_document(survey):
    survey_withdraw(survey=survey)
    with pytest.raises(ServiceError, match="withdrawn survey cannot be verified"):
        uploaded(survey)


def test_verified_marks_the_survey_document_verified_and_deletes_the_file(survey, django_capture_on_commit_callbacks):
    document = uploaded(survey)
    name = document.file.name
    staff = reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = survey_document_review(document=document, reviewer=staff, verified=True)
    assert reviewed.status == DocumentStatus.VERIFIED
    assert (reviewed.reviewed_by, reviewed.reviewed_at is not None) == (staff, True)
    assert PaySurvey.objects.get(pk=survey.pk).verification == Verification.DOCUMENT
    assert not storages["documents"].exists(name)
    assert VerificationDocument.objects.get(pk=document.pk).file.name == ""  # the row stays as the record


def test_not_verified_needs_a_reason(survey):
    document = uploaded(survey)
    with pytest.raises(ServiceError) as caught:
        survey_document_review(document=document, reviewer=reviewer(), verified=False, reason="  ")
    assert caught.value.field == "reason"
    assert VerificationDocument.objects.get(pk=document.pk).is_pending


def test_not_verified_keeps_the_survey_as_it_was_and_deletes_the_file(survey, django_capture_on_commit_callbacks):
    document = uploaded(survey)
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        survey_document_review(document=document, reviewer=reviewer(), verified=False, reason="Another month's pay.")
    document.refresh_from_db()
    assert (document.status, document.reason) == (DocumentStatus.REFUSED, "Another month's pay.")
    assert PaySurvey.objects.get(pk=survey.pk).verification == Verification.UNVERIFIED
    assert not storages["documents"].exists(name)
    uploaded(survey)  # the trainer may try again with another document


def test_a_document_is_reviewed_once(survey):
    document = uploaded(survey)
    survey_document_review(document=document, reviewer=reviewer(), verified=True)
    with pytest.raises(ServiceError, match="already reviewed"):
        survey_document_review(document=document, reviewer=reviewer(), verified=False, reason="Changed my mind.")


def test_a_verified_survey_takes_no_further_document(survey):
    survey_document_review(document=uploaded(survey), reviewer=reviewer(), verified=True)
    with pytest.raises(ServiceError, match="already verified"):
        uploaded(survey)


def test_a_survey_withdrawn_while_its_document_waits_cannot_be_verified_but_can_be_refused(survey):
    document = uploaded(survey)
    survey_withdraw(survey=survey)
    with pytest.raises(ServiceError, match="withdrawn survey cannot be verified"):
        survey_document_review(document=document, reviewer=reviewer(), verified=True)
    survey_document_review(document=document, reviewer=reviewer(), verified=False, reason="Survey withdrawn.")


def fields_of(survey: PaySurvey, **changes) -> dict:
    return survey_fields(**{"period": survey.period, "platform": survey.platform, "domain": survey.domain} | changes)


@pytest.mark.parametrize(
    "change", [{"amount": Decimal("35")}, {"unit": "day"}, {"hours_per_week": Decimal("30")}], ids=str
)
def test_changing_a_verified_surveys_pay_drops_it_back_to_unverified(survey, change):
    survey_document_review(document=uploaded(survey), reviewer=reviewer(), verified=True)
    updated = survey_update(survey=PaySurvey.objects.get(pk=survey.pk), **fields_of(survey, **change))
    assert updated.verification == Verification.UNVERIFIED
    uploaded(updated)  # and a new document may verify it again


def test_refiling_a_verified_survey_with_other_pay_drops_it_back_too(survey):
    survey_document_review(document=uploaded(survey), reviewer=reviewer(), verified=True)
    refiled = survey_submit(trainer=survey.trainer, **fields_of(survey, amount=Decimal("40"))).survey
    assert refiled.pk == survey.pk
    assert refiled.verification == Verification.UNVERIFIED


def test_changing_what_the_document_does_not_show_keeps_the_verification(survey):
    survey_document_review(document=uploaded(survey), reviewer=reviewer(), verified=True)
    same_pay = fields_of(survey, task_type="sft_writing", unpaid_hours_per_week=Decimal("3"))
    updated = survey_update(survey=PaySurvey.objects.get(pk=survey.pk), **same_pay)
    assert updated.verification == Verification.DOCUMENT
