import json
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model

from benchmarks.models import DirtyCell, Observation
from portal.data_rights import trainer_account_delete, trainer_data_export
from postings.choices import ApplicationStatus
from postings.models import Application
from postings.services import application_submit
from tests.factories import PublishedPostingFactory, TrainerFactory, UserFactory, platform, survey_fields
from trainers.models import PaySurvey, TrainerProfile
from trainers.services import survey_submit

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_account_profile_surveys_and_applications():
    trainer = TrainerFactory(display_name="Ada")
    survey_submit(trainer=trainer, **survey_fields(amount=Decimal("21.50")))
    application_submit(posting=PublishedPostingFactory(), trainer=trainer, cover_letter="Hello")
    data = trainer_data_export(user=trainer.user)
    json.dumps(data)  # JSON-ready as it is
    assert data["account"]["email"] == trainer.user.email
    assert data["profile"]["display_name"] == "Ada"
    assert [s["amount"] for s in data["surveys"]] == ["21.50"]
    assert data["applications"][0]["cover_letter"] == "Hello"


def test_the_export_holds_only_that_persons_data():
    mine, theirs = TrainerFactory(), TrainerFactory()
    survey_submit(trainer=theirs, **survey_fields())
    assert trainer_data_export(user=mine.user)["surveys"] == []


def test_deleting_an_account_takes_its_surveys_out_of_the_benchmarks_and_leaves_nothing_personal():
    trainer, other = TrainerFactory(), TrainerFactory()
    survey = survey_submit(trainer=trainer, **survey_fields()).survey
    survey_submit(trainer=other, **survey_fields(amount=Decimal("30")))
    posting = PublishedPostingFactory()
    application_submit(posting=posting, trainer=trainer)
    DirtyCell.objects.all().delete()

    trainer_account_delete(user=trainer.user)

    assert not get_user_model().objects.filter(pk=trainer.user_id).exists()
    assert not TrainerProfile.objects.filter(pk=trainer.pk).exists()
    assert not PaySurvey.objects.filter(pk=survey.pk).exists()
    assert not PaySurvey.history.filter(id=survey.pk).exists()
    assert not Observation.objects.filter(origin=survey.origin).exists()
    assert not Application.objects.filter(posting=posting).exists()
    assert DirtyCell.objects.filter(kind="reported").exists()
    assert Observation.objects.filter(contributor=f"trainer:{other.pk}").exists()


def test_deleting_an_account_removes_its_log_in_records_whatever_the_case_of_its_email():
    trainer = TrainerFactory(user=UserFactory(username="Tess", email="Tess@Example.com"))
    seen = {"ip_address": "192.0.2.10", "user_agent": "test", "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(username="tess@example.com", get_data="", post_data="", failures_since_start=2, **seen)
    AccessLog.objects.create(username="Tess", **seen)
    trainer_account_delete(user=trainer.user)
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()


def test_open_applications_are_withdrawn_before_the_account_goes(django_capture_on_commit_callbacks):
    trainer = TrainerFactory()
    application = application_submit(posting=PublishedPostingFactory(), trainer=trainer)
    statuses = []
    from django.db.models.signals import pre_delete

    def record(sender, instance, **kwargs):
        statuses.append(Application.objects.get(pk=instance.pk).status)

    pre_delete.connect(record, sender=Application)
    try:
        trainer_account_delete(user=trainer.user)
    finally:
        pre_delete.disconnect(record, sender=Application)
    assert statuses == [ApplicationStatus.WITHDRAWN]
    assert not Application.objects.filter(pk=application.pk).exists()


def test_deleting_an_account_deletes_its_verification_documents_files(django_capture_on_commit_callbacks):
    from django.core.files.storage import storages

    from tests.documents import pdf_bytes, png_bytes, reviewer, upload
    from trainers.models import VerificationDocument
    from trainers.verification import survey_document_review, verification_document_upload

    trainer = TrainerFactory()
    first = survey_submit(trainer=trainer, **survey_fields()).survey
    second = survey_submit(trainer=trainer, **survey_fields(platform=platform("mercor"))).survey
    pending = verification_document_upload(survey=first, upload=upload(pdf_bytes()))
    refused = verification_document_upload(survey=second, upload=upload(png_bytes()))
    survey_document_review(document=refused, reviewer=reviewer(), verified=False, reason="Blurred.")
    other = verification_document_upload(
        survey=survey_submit(trainer=TrainerFactory(), **survey_fields()).survey, upload=upload(pdf_bytes())
    )
    exported = trainer_data_export(user=trainer.user)["verification_documents"]
    assert sorted(row["status"] for row in exported) == ["pending", "refused"]

    with django_capture_on_commit_callbacks(execute=True):
        trainer_account_delete(user=trainer.user)
    storage = storages["documents"]
    assert not storage.exists(pending.file.name)
    assert storage.exists(other.file.name)  # someone else's stays
    assert list(VerificationDocument.objects.all()) == [other]
