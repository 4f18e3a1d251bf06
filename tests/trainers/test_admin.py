"""The trainers admin changes surveys only through the services: forms call them, status changes are actions."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.models import Observation
from tests.factories import TrainerFactory, UserFactory, domain, survey_fields, survey_form_data, this_month
from trainers.choices import SurveyStatus
from trainers.models import PaySurvey, TrainerProfile
from trainers.services import survey_submit, survey_withdraw

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:trainers_paysurvey_changelist"


def submit(trainer=None, **overrides) -> PaySurvey:
    return survey_submit(trainer=trainer or TrainerFactory(), **survey_fields(**overrides)).survey


def flagged_survey() -> PaySurvey:
    """An outlier among 25 ordinary rates of its (domain, tier): the service flags it."""
    for n in range(25):
        submit(amount=Decimal("20") + n % 5)
    survey = submit(amount=Decimal("1900"))
    assert survey.status == SurveyStatus.FLAGGED
    return survey


def form_data(**overrides) -> dict:
    """The survey form as the admin's change page posts it: the trainer's fields plus the admin's own."""
    admin_fields = {
        "trainer": "", "source": "", "external_id": "", "period": this_month().isoformat(), "hours_per_week": "",
        "minutes_per_task": "", "project_hours": "", "unpaid_hours_per_week": "", "_save": "Save",
    }  # fmt: skip
    return survey_form_data(**{**admin_fields, **overrides})


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def run_action(client, action: str, surveys, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [s.pk for s in surveys], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


# --- forms ------------------------------------------------------------------------------------------------------


def test_admin_add_files_the_survey_through_survey_submit(admin_client):
    trainer = TrainerFactory()
    response = admin_client.post(
        reverse("admin:trainers_paysurvey_add"),
        form_data(trainer=trainer.pk, amount="1000", unit="week", hours_per_week="40"),
    )
    assert response.status_code == 302
    survey = PaySurvey.objects.get()
    assert survey.trainer == trainer
    assert survey.hourly_usd == Decimal("25")
    assert survey.source.slug == "portal-survey-form"  # the service's default source
    assert Observation.objects.get(origin=survey.origin).hourly_usd == Decimal("25")
    assert survey.history.first().history_user.username == "admin"  # curation is audited


def test_admin_add_with_an_out_of_range_amount_shows_the_error_and_stores_nothing(admin_client):
    response = admin_client.post(reverse("admin:trainers_paysurvey_add"), form_data(amount="5000"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "accepted rates are between" in errors["amount"][0]
    assert not PaySurvey.objects.exists()
    assert not Observation.objects.exists()


def test_admin_add_shows_a_refusal_without_a_field_as_a_form_error(admin_client):
    future = (this_month() + datetime.timedelta(days=40)).isoformat()
    response = admin_client.post(reverse("admin:trainers_paysurvey_add"), form_data(period=future))
    assert "cannot be in the future" in response.context["adminform"].form.errors["period"][0]
    assert not PaySurvey.objects.exists()


def test_admin_change_goes_through_survey_update(admin_client):
    survey = submit()
    url = reverse("admin:trainers_paysurvey_change", args=[survey.pk])
    response = admin_client.post(url, form_data(amount="30"))
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.hourly_usd == Decimal("30")
    assert Observation.objects.get(origin=survey.origin).hourly_usd == Decimal("30")


def test_the_change_form_keeps_status_and_normalised_rates_read_only(admin_client):
    survey = submit()
    response = admin_client.get(reverse("admin:trainers_paysurvey_change", args=[survey.pk]))
    fields = response.context["adminform"].form.fields
    assert "amount" in fields
    for name in ("status", "status_reason", "hourly_usd", "effective_hourly_usd", "trainer", "source"):
        assert name not in fields
    admin_client.post(
        reverse("admin:trainers_paysurvey_change", args=[survey.pk]), form_data(amount="20", status="rejected")
    )
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ACCEPTED


def test_a_withdrawn_survey_cannot_be_edited_in_the_admin(admin_client):
    survey = survey_withdraw(survey=submit())
    response = admin_client.get(reverse("admin:trainers_paysurvey_change", args=[survey.pk]))
    assert "amount" not in response.context["adminform"].form.fields


def test_surveys_cannot_be_deleted_or_reverted_from_the_admin(admin_client):
    survey = submit()
    response = admin_client.post(reverse("admin:trainers_paysurvey_delete", args=[survey.pk]))
    assert response.status_code == 403
    version = survey.history.first()
    url = reverse("admin:trainers_paysurvey_simple_history", args=[survey.pk, version.history_id])
    assert admin_client.post(url, form_data(amount="40")).status_code == 403
    assert PaySurvey.objects.get().hourly_usd == Decimal("20")


# --- actions ----------------------------------------------------------------------------------------------------


def test_accept_flagged_accepts_through_the_service_and_reports_each_refusal(admin_client, admin_user):
    outlier = flagged_survey()
    ordinary = PaySurvey.objects.filter(status=SurveyStatus.ACCEPTED).first()
    response = run_action(admin_client, "accept_flagged", [outlier, ordinary])
    outlier.refresh_from_db()
    assert outlier.status == SurveyStatus.ACCEPTED
    assert outlier.reviewed_by == admin_user
    assert Observation.objects.filter(origin=outlier.origin).exists()
    shown = messages_of(response)
    assert "1 pay survey accepted." in shown
    assert any(text.startswith(f"{ordinary}: ") and "survey cannot be accepted" in text for text in shown)


def test_reject_asks_for_a_reason_before_changing_anything(admin_client):
    survey = submit()
    response = run_action(admin_client, "reject_with_reason", [survey])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page
    survey.refresh_from_db()
    assert str(survey) in page
    assert survey.status == SurveyStatus.ACCEPTED


def test_reject_with_a_reason_rejects_each_survey_through_the_service(admin_client, admin_user):
    survey, withdrawn = submit(), survey_withdraw(survey=submit())
    response = run_action(
        admin_client, "reject_with_reason", [survey, withdrawn], apply_reason="1", reason="Duplicate account."
    )
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.REJECTED
    assert survey.status_reason == "Duplicate account."
    assert survey.reviewed_by == admin_user
    assert not Observation.objects.filter(origin=survey.origin).exists()
    shown = messages_of(response)
    assert "1 pay survey rejected." in shown
    assert f"{withdrawn}: A withdrawn survey cannot be rejected." in shown


def test_reject_with_an_empty_reason_asks_again(admin_client):
    survey = submit()
    response = run_action(admin_client, "reject_with_reason", [survey], apply_reason="1", reason="  ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ACCEPTED


# --- the review queue and the changelist ------------------------------------------------------------------------


def test_flagged_surveys_come_first_and_the_queue_filter_shows_only_them(admin_client):
    outlier = flagged_survey()
    response = admin_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_list[0] == outlier
    queue = admin_client.get(reverse(CHANGELIST), {"queue": "pending"})
    assert list(queue.context["cl"].result_list) == [outlier]


def test_the_changelist_runs_the_same_number_of_queries_for_more_rows(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse(CHANGELIST)).status_code == 200
        return len(ctx)

    submit()
    few = queries()
    for _ in range(8):
        submit()
    assert queries() == few


# --- trainer profiles -------------------------------------------------------------------------------------------


def test_admin_adds_a_trainer_profile_through_the_service(admin_client):
    user = UserFactory()
    response = admin_client.post(
        reverse("admin:trainers_trainerprofile_add"),
        {"user": user.pk, "display_name": "Ada", "tier": "expert", "domains": [domain("law").pk], "country": "GB"},
    )
    assert response.status_code == 302
    profile = TrainerProfile.objects.get(user=user)
    assert list(profile.domains.values_list("slug", flat=True)) == ["law"]
