from decimal import Decimal

import pytest

from benchmarks.choices import PayUnit
from benchmarks.normalisation import PayTerms
from trainers.choices import SurveyStatus
from trainers.models import PaySurvey


@pytest.mark.parametrize(
    ("status", "editable"),
    [
        (SurveyStatus.ACCEPTED, True),
        (SurveyStatus.FLAGGED, True),
        (SurveyStatus.REJECTED, False),
        (SurveyStatus.WITHDRAWN, False),
    ],
)
def test_a_survey_is_editable_while_it_counts_or_awaits_review(status, editable):
    assert PaySurvey(status=status).is_editable is editable
    assert (status in SurveyStatus.editable()) is editable


def test_a_survey_states_its_pay_as_pay_terms():
    survey = PaySurvey(
        amount=Decimal("600"),
        currency_id="EUR",
        unit=PayUnit.WEEK,
        hours_per_week=Decimal("30"),
        unpaid_hours_per_week=Decimal("5"),
    )
    assert survey.pay_terms == PayTerms(
        amount=Decimal("600"),
        currency="EUR",
        unit=PayUnit.WEEK,
        hours_per_week=Decimal("30"),
        unpaid_hours_per_week=Decimal("5"),
    )
