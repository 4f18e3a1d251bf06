"""Deleting a user in the admin erases them the way they can erase themselves."""

import pytest
from django.contrib.auth import get_user_model

from benchmarks.models import Observation
from tests.factories import StaffFactory, TrainerFactory, survey_fields
from trainers.services import survey_submit

pytestmark = pytest.mark.django_db


def test_deleting_a_user_in_the_admin_takes_their_surveys_out_of_the_benchmarks(client):
    trainer = TrainerFactory()
    survey_submit(trainer=trainer, **survey_fields())
    client.force_login(StaffFactory())
    url = f"/admin/auth/user/{trainer.user_id}/delete/"
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=trainer.user_id).exists()
    assert not Observation.objects.exists()
