"""A suppressed cell stays suppressed when someone pads it with rows or accounts they made up.

The threshold counts independent contributors only: an untrusted partner feed counts once however many rows it
pushes, and a trainer account counts once its email is verified and it is a few days old.
"""

import datetime
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.utils import timezone

from benchmarks import engine
from benchmarks.models import Observation
from benchmarks.sources import source_set_trusted
from tests.factories import NewTrainerFactory, TrainerFactory, domain, survey_fields, this_month
from trainers.services import survey_submit

URL = "/api/v1/benchmarks/"
pytestmark = pytest.mark.django_db


def cell(api, country: str) -> dict:
    response = api.get(URL, {"domain": "generalist", "tier": "expert", "country": country, "kind": "reported"})
    assert response.status_code == 200
    [found] = response.json()["results"]
    return found


def file(trainer, country: str, amount) -> None:
    fields = survey_fields(domain=domain("generalist"), tier="expert", country=country, amount=Decimal(str(amount)))
    survey_submit(trainer=trainer, **fields)


def push(client, country: str, amounts, key: str):
    rows = [
        {
            "period": this_month().strftime("%Y-%m"),
            "platform": "Outlier",
            "domain": "generalist",
            "skill_tier": "expert",
            "country": country,
            "currency": "USD",
            "amount": str(amount),
            "unit": "hour",
            "external_id": f"{key}-{n}",
        }
        for n, amount in enumerate(amounts)
    ]
    response = client.post("/api/v1/surveys/batch/", {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 200, response.content
    assert [row["status"] for row in response.json()["rows"]] == ["accepted"] * len(rows)


def test_a_partner_pushing_four_rows_cannot_open_a_cell_with_one_real_trainer(api, partner):
    _, client = partner
    file(TrainerFactory(), "GB", 24.35)
    push(client, "GB", [10, 11, 80, 90], key="pad")
    engine.rebuild_all()
    padded = cell(api, "GB")
    assert padded["suppressed"] is True
    assert padded["p50"] is None and padded["contributors_display"] == "fewer than 5"


def test_a_trusted_partner_feeds_rows_count_one_by_one(api, partner):
    feed, client = partner
    file(TrainerFactory(), "GB", 24.35)
    push(client, "GB", [10, 11, 80, 90], key="survey-office")
    source_set_trusted(source=feed.source, trusted=True)
    engine.recompute_dirty()
    opened = cell(api, "GB")
    assert opened["suppressed"] is False
    assert opened["p50"] == 24.35


def test_four_fresh_accounts_cannot_open_a_cell_with_one_real_trainer(api):
    file(TrainerFactory(), "PL", 24.35)
    for amount in (10, 11, 80, 90):
        file(NewTrainerFactory(), "PL", amount)
    engine.rebuild_all()
    assert cell(api, "PL")["suppressed"] is True


def verified_trainer(*, days_old: int):
    trainer = NewTrainerFactory(user__date_joined=timezone.now() - datetime.timedelta(days=days_old))
    EmailAddress.objects.create(user=trainer.user, email=trainer.user.email, verified=True, primary=True)
    return trainer


def test_verified_accounts_count_only_once_they_are_a_few_days_old(api, django_capture_on_commit_callbacks):
    file(TrainerFactory(), "PL", 24.35)
    for amount in (10, 11, 80, 90):
        file(verified_trainer(days_old=2), "PL", amount)
    with django_capture_on_commit_callbacks(execute=True):  # a published rebuild moves the API's cached answers on
        engine.rebuild_all()
    assert cell(api, "PL")["suppressed"] is True  # verified, but two days old: they count from day three
    for amount in (12, 13, 70, 75):
        file(verified_trainer(days_old=4), "PL", amount)
    with django_capture_on_commit_callbacks(execute=True):
        engine.rebuild_all()
    assert cell(api, "PL")["suppressed"] is False


def test_a_trainer_who_confirms_an_email_starts_counting_after_the_minimum_age():
    trainer = NewTrainerFactory()
    file(trainer, "US", 30)
    observation = Observation.objects.get()
    assert (observation.party, observation.counts_from) == ("", None)
    address = EmailAddress.objects.create(user=trainer.user, email=trainer.user.email, verified=True, primary=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    observation.refresh_from_db()
    assert observation.party == f"trainer:{trainer.pk}"
    assert observation.counts_from == trainer.user.date_joined + datetime.timedelta(days=3)


def test_the_statistics_still_use_every_accepted_value(api):
    for amount in (20, 21, 22, 23, 24):
        file(TrainerFactory(), "PL", amount)
    for amount in (100, 100, 100, 100, 100):
        file(NewTrainerFactory(), "PL", amount)
    engine.rebuild_all()
    published = cell(api, "PL")
    assert published["suppressed"] is False
    assert published["p50"] == 62.0  # (24 + 100) / 2: the newcomers' pay is in the figures, not in the threshold
    assert published["contributors_band"] == "10–14"
