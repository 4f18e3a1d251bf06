"""Write paths of document verification: a trainer uploads a payout statement for one survey, staff review it.

Pages and the admin change documents only through here. A document's file is deleted once it is reviewed (either
way) or its trainer's account is erased; the row stays as the record of the review. The reasoning is in
docs/decisions/0016-document-verification.md.
"""

import functools
import hashlib

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from benchmarks.errors import ServiceError, with_article

from .choices import DocumentStatus, Verification
from .documents import MAX_DOCUMENT_BYTES, document_kind
from .models import PaySurvey, VerificationDocument
from .services import sync_observations


def _read(upload: UploadedFile) -> bytes:
    """The upload's bytes; one past the limit is enough to refuse it, so a larger file is never read whole."""
    if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
        return upload.read(MAX_DOCUMENT_BYTES + 1)
    return b"".join(upload.chunks())


def _delete_file_after_commit(document: VerificationDocument) -> None:
    """Delete the document's file once the transaction commits (a rollback keeps the row and its file together)."""
    if document.file.name:
        transaction.on_commit(functools.partial(document.file.storage.delete, document.file.name))
        document.file.name = ""


def _refuse_upload(survey: PaySurvey) -> None:
    if not survey.is_editable:
        noun = with_article(survey.get_status_display().lower()).capitalize()
        raise ServiceError(f"{noun} survey cannot be verified.", field="file", code="transition")
    if survey.is_document_verified:
        raise ServiceError("This survey is already verified by a document.", field="file", code="transition")
    if survey.documents.pending_review().exists():
        raise ServiceError(
            "A document for this survey is already under review; you can upload another once it is reviewed.",
            field="file",
            code="transition",
        )


@transaction.atomic
def verification_document_upload(*, survey: PaySurvey, upload: UploadedFile | None) -> VerificationDocument:
    """Store a trainer's payout statement for review. A refused upload stores nothing: no file, no row."""
    survey = PaySurvey.objects.select_for_update().get(pk=survey.pk)
    _refuse_upload(survey)
    if upload is None:
        raise ServiceError("Choose a file: a PDF, PNG or JPEG of at most 5 MB.", field="file")
    data = _read(upload)
    kind = document_kind(data)
    document = VerificationDocument(
        survey=survey, content_type=kind.content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )
    document.file.save("upload", ContentFile(data), save=False)  # named by document_name, never as uploaded
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def survey_document_review(
    *, document: VerificationDocument, reviewer, verified: bool, reason: str = ""
) -> VerificationDocument:
    """Staff decide on a pending document: verified marks its survey document-verified (its observation follows),
    not verified needs a reason the trainer sees. Either way the file is deleted."""
    document = VerificationDocument.objects.select_for_update(of=("self",)).select_related("survey").get(pk=document.pk)
    if not document.is_pending:
        status = document.get_status_display().lower()
        raise ServiceError(f"This document was already reviewed ({status}).", code="transition")
    reason = (reason or "").strip()
    if not verified and not reason:
        raise ServiceError(
            "Give the reason the document does not verify the survey; the trainer sees it.", field="reason"
        )
    if verified:
        survey = (
            PaySurvey.objects.select_for_update(of=("self",)).select_related("trainer__user").get(pk=document.survey_id)
        )
        if not survey.is_editable:
            noun = with_article(survey.get_status_display().lower()).capitalize()
            raise ServiceError(f"{noun} survey cannot be verified.", code="transition")
        survey.verification = Verification.DOCUMENT
        survey.save(update_fields=["verification", "updated_at"])
        sync_observations([survey])
    document.status = DocumentStatus.VERIFIED if verified else DocumentStatus.REFUSED
    document.reason = reason
    document.reviewed_by, document.reviewed_at = reviewer, timezone.now()
    _delete_file_after_commit(document)
    document.save()
    return document


def verification_documents_erase(*, surveys) -> int:
    """Delete the files of these surveys' documents (an account's erasure); the rows go with the surveys.
    In the caller's transaction; returns how many files are deleted once it commits."""
    documents = list(VerificationDocument.objects.filter(survey__in=surveys).exclude(file=""))
    for document in documents:
        _delete_file_after_commit(document)
    VerificationDocument.objects.filter(pk__in=[d.pk for d in documents]).update(file="")
    return len(documents)
