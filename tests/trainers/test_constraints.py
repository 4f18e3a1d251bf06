"""The database itself refuses bad survey rows, whatever code path writes them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from benchmarks.sources import survey_form_source
from tests.factories import TrainerFactory, domain, platform, this_month, usd
from trainers.models import PaySurvey

pytestmark = pytest.mark.django_db


def raw_survey(**overrides) -> PaySurvey:
    values = {
        "trainer": None,
        "source": survey_form_source(),
        "period": this_month(),
        "platform": platform(),
        "domain": domain(),
        "tier": "skilled",
        "country": "US",
        "amount": Decimal("20"),
        "currency": usd(),
        "unit": "hour",
        "hourly_usd": Decimal("20"),
        "effective_hourly_usd": Decimal("20"),
    }
    values.update(overrides)
    return PaySurvey(**values)


def refused(**overrides) -> bool:
    try:
        with transaction.atomic():
            raw_survey(**overrides).save()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": Decimal("0")},
        {"amount": Decimal("-1")},
        {"hourly_usd": Decimal("0.10")},
        {"hourly_usd": Decimal("2500")},
        {"period": this_month().replace(day=2)},
        {"unit": "task", "minutes_per_task": None},
        {"unit": "project", "project_hours": None},
        {"hours_per_week": Decimal("200")},
        {"unpaid_hours_per_week": Decimal("-1")},
        {"status": "approved"},
        {"tier": "guru"},
        {"unit": "fortnight"},
    ],
)
def test_the_database_refuses_a_bad_survey_row(overrides):
    assert refused(**overrides)
    assert not PaySurvey.objects.exists()


def test_a_good_raw_row_is_stored():
    assert not refused()


def test_the_database_keeps_one_survey_per_trainer_platform_domain_and_month():
    trainer = TrainerFactory()
    raw_survey(trainer=trainer).save()
    assert refused(trainer=trainer)


def test_the_database_keeps_one_row_per_source_external_id():
    raw_survey(external_id="abc").save()
    assert refused(external_id="abc")
    assert not refused(external_id="")
