"""surveys/batch/: partner pushes with an Idempotency-Key, every row through the survey service."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory, this_month
from trainers.choices import SurveyStatus
from trainers.models import PaySurvey

URL = "/api/v1/surveys/batch/"
pytestmark = pytest.mark.django_db


def row(**overrides) -> dict:
    values = {
        "period": this_month().strftime("%Y-%m"),
        "platform": "outlier.ai",
        "domain": "generalist",
        "skill_tier": "entry",
        "country": "US",
        "currency": "USD",
        "amount": "15",
        "unit": "hour",
    }
    values.update(overrides)
    return values


def push(client, rows, key="batch-1"):
    return client.post(URL, {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_each_row_is_answered_accepted_or_rejected_with_a_reason(partner):
    p, client = partner
    response = push(client, [row(external_id="a"), row(platform="nowhere"), row(amount="0.01", external_id="c")])
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["status"] for r in body["rows"]] == ["accepted", "rejected", "rejected"]
    assert "platform" in body["rows"][1]["reason"]
    assert "amount" in body["rows"][2]["reason"]
    assert body["summary"] == {"rows": 3, "accepted": 1, "flagged": 0, "rejected": 2, "unchanged": 0, "dry_run": False}
    survey = PaySurvey.objects.get()
    assert survey.source == p.source and survey.trainer is None and survey.platform.slug == "outlier"


def test_an_outlier_row_is_flagged(partner):
    _, client = partner
    rows = [row(amount=str(18 + n % 5), external_id=f"n{n}") for n in range(25)]
    assert push(client, rows, key="base").status_code == 200
    response = push(client, [row(amount="1500", external_id="big")], key="outlier")
    [result] = response.json()["rows"]
    assert result["status"] == "flagged" and result["reason"]
    assert PaySurvey.objects.get(external_id="big").status == SurveyStatus.FLAGGED


def test_the_same_key_returns_the_same_answer_and_stores_nothing_twice(partner):
    _, client = partner
    rows = [row(external_id="a"), row(amount="16")]
    first = push(client, rows)
    count = PaySurvey.objects.count()
    second = push(client, rows)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert PaySurvey.objects.count() == count == 2


def test_the_same_key_with_another_body_is_422(partner):
    _, client = partner
    push(client, [row(external_id="a")])
    assert push(client, [row(external_id="b")]).status_code == 422
    assert not PaySurvey.objects.filter(external_id="b").exists()


def test_a_new_key_with_the_same_rows_changes_nothing(partner):
    _, client = partner
    push(client, [row(external_id="a"), row(amount="17")], key="one")
    before = list(PaySurvey.objects.values_list("pk", "updated_at"))
    again = push(client, [row(external_id="a"), row(amount="17")], key="two").json()
    assert [r["unchanged"] for r in again["rows"]] == [True, True]
    assert list(PaySurvey.objects.values_list("pk", "updated_at")) == before


def test_a_row_with_the_same_external_id_updates_the_first(partner):
    _, client = partner
    push(client, [row(external_id="a", amount="15")], key="one")
    push(client, [row(external_id="a", amount="18")], key="two")
    assert PaySurvey.objects.get().amount == Decimal("18")


def test_the_idempotency_key_is_required(partner):
    _, client = partner
    response = client.post(URL, {"rows": [row()]}, format="json")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


def test_more_than_1000_rows_or_unknown_columns_are_refused_whole(partner):
    _, client = partner
    assert push(client, [row()] * 1001).status_code == 400
    response = push(client, [row(), {**row(), "salary": "10"}], key="cols")
    assert response.status_code == 400
    assert PaySurvey.objects.count() == 0


def test_pushing_needs_a_key_with_surveys_write(make_partner, api):
    _, reader = make_partner("Reader", scopes="benchmarks:read")
    assert push(reader, [row()]).status_code == 403
    assert push(api, [row()]).status_code == 401
    session = APIClient()
    session.force_login(UserFactory())
    assert push(session, [row()]).status_code == 403
    assert PaySurvey.objects.count() == 0


def test_two_partners_may_use_the_same_idempotency_key(partner, make_partner):
    _, first = partner
    _, second = make_partner("Second")
    push(first, [row(external_id="a")], key="same")
    response = push(second, [row(external_id="a")], key="same")
    assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert PaySurvey.objects.count() == 2


def test_answers_are_forgotten_after_the_retention_and_a_late_retry_stores_nothing_twice(partner, settings):
    from portal.api.services import idempotency_records_prune
    from portal.models import IdempotencyRecord

    _, client = partner
    rows = [row(external_id="a"), row(amount="16")]
    push(client, rows, key="old")
    push(client, rows, key="recent")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - datetime.timedelta(days=8))
    settings.API_IDEMPOTENCY_DAYS = 7

    assert idempotency_records_prune() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
    retry = push(client, rows, key="old")
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry
    assert retry.json()["summary"]["unchanged"] == 2
    assert PaySurvey.objects.count() == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 101, "no more than 100 characters"),
        ("a\x00b", "Null characters"),
        ("\ud800", "Surrogate characters"),
        (True, "Not a valid string"),
        (["15"], "Not a valid string"),
    ],
)
def test_other_values_go_through_the_fields_and_name_the_column(partner, value, message):
    _, client = partner
    body = json.dumps({"rows": [row(), row(amount=value)]})  # escaped as \uXXXX: a lone surrogate reaches the server
    response = client.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="odd")
    assert response.status_code == 400
    assert message in response.json()["rows"]["1"]["amount"][0]
    assert PaySurvey.objects.count() == 0


def test_numbers_and_non_ascii_text_are_read_as_by_the_fields(partner):
    _, client = partner
    response = push(client, [row(amount=15, hours_per_week=20.5, external_id="ü-1")])
    assert response.json()["rows"][0]["status"] == "accepted"
    survey = PaySurvey.objects.get()
    assert (survey.amount, survey.external_id) == (Decimal("15"), "ü-1")


def test_a_row_repeating_an_earlier_rows_external_id_wins_and_its_answer_says_so(partner):
    _, client = partner
    body = push(client, [row(external_id="twice"), row(amount="16", external_id="twice")]).json()
    assert [r["reason"] for r in body["rows"]] == [
        "",
        "external_id 'twice' was also on row 0; the last valid row with it is the one kept.",
    ]
    assert PaySurvey.objects.get().amount == 16
