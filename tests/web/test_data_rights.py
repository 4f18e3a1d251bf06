"""A person's data rights from the trainer workspace: download everything, delete the account."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from benchmarks.models import Observation
from tests.factories import survey_fields
from trainers.models import PaySurvey
from trainers.services import survey_submit

pytestmark = pytest.mark.django_db


def test_the_data_page_needs_a_log_in(client):
    response = client.get(reverse("trainers:my_data"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_trainer_downloads_their_own_data_as_json(trainer_client, trainer):
    survey_submit(trainer=trainer, **survey_fields())
    response = trainer_client.get(reverse("trainers:my_data_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Tess Trainer"
    assert len(data["surveys"]) == 1


def test_deleting_needs_the_email_typed_and_otherwise_changes_nothing(trainer_client, trainer):
    survey_submit(trainer=trainer, **survey_fields())
    response = trainer_client.post(reverse("trainers:my_data_delete"), {"confirm": "nope"}, follow=True)
    assert "Type your email address exactly" in response.content.decode()
    assert PaySurvey.objects.filter(trainer=trainer).exists()


def test_a_trainer_deletes_their_account_and_their_pay_leaves_the_benchmarks(trainer_client, trainer):
    survey_submit(trainer=trainer, **survey_fields())
    response = trainer_client.post(reverse("trainers:my_data_delete"), {"confirm": trainer.user.email.upper()})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=trainer.user_id).exists()
    assert not Observation.objects.exists()
    assert trainer_client.get(reverse("trainers:surveys")).status_code == 302  # logged out


def test_a_company_owner_cannot_erase_themselves_out_from_under_their_company(owner_client, owner):
    response = owner_client.post(reverse("trainers:my_data_delete"), {"confirm": owner.email}, follow=True)
    assert "Ask an admin to hand the company over" in response.content.decode()
    assert get_user_model().objects.filter(pk=owner.pk).exists()


def test_the_data_page_renders_for_a_trainer(trainer_client):
    response = trainer_client.get(reverse("trainers:my_data"))
    assert response.status_code == 200
    assert "Download my data (JSON)" in response.content.decode()
