"""What the pages say matches the rules: labels of conditionally required fields, grouped amounts, readable badges."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import survey_form_data
from trainers.models import PaySurvey

pytestmark = pytest.mark.django_db


def test_sign_up_does_not_call_the_company_name_optional(client):
    content = client.get(reverse("account_signup")).content.decode()
    label = re.search(r'<label for="id_company_name">(.*?)</label>', content).group(1)
    assert "(optional)" not in label
    assert "needed if you hire trainers" in label


@pytest.mark.parametrize("form", ["survey", "posting"])
def test_per_task_and_per_project_fields_say_when_they_are_needed(form, client, trainer, owner, company):
    client.force_login(trainer.user if form == "survey" else owner)
    url = reverse("trainers:survey_create") if form == "survey" else reverse("postings:create", args=[company.slug])
    content = client.get(url).content.decode()
    for field, words in (
        ("minutes_per_task", "needed for pay per task"),
        ("project_hours", "needed for pay per project"),
    ):
        label = re.search(rf'<label for="id_{field}">(.*?)</label>', content).group(1)
        assert words in label
        assert "(optional)" not in label


def test_workspace_amounts_have_thousands_separators(trainer_client, trainer):
    trainer_client.post(reverse("trainers:survey_create"), survey_form_data(amount="1500", unit="week"))
    assert PaySurvey.objects.filter(trainer=trainer).exists()
    assert "1,500.00 USD" in trainer_client.get(reverse("trainers:surveys")).content.decode()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_status_badges_meet_the_contrast_minimum():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    for tone in ("good", "warn", "bad"):
        ink, paper = _luminance(colours[tone]), _luminance(colours[f"{tone}-soft"])
        ratio = (max(ink, paper) + 0.05) / (min(ink, paper) + 0.05)
        assert ratio >= 4.5, f"--{tone} on --{tone}-soft: {ratio:.2f}:1"


def test_the_home_pages_last_cards_speak_to_who_is_signed_in(client, trainer, owner, company):
    anonymous = client.get("/").content.decode()
    assert "Train AI?" in anonymous
    assert "Hire trainers?" in anonymous
    client.force_login(trainer.user)
    as_trainer = client.get("/").content.decode()
    assert "Your pay" in as_trainer
    assert "Hire trainers?" not in as_trainer
    assert reverse("trainers:compare") in as_trainer
    client.force_login(owner)
    as_company = client.get("/").content.decode()
    assert "Train AI?" not in as_company
    assert reverse("postings:create", args=[company.slug]) in as_company
