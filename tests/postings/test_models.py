from decimal import Decimal

import pytest

from benchmarks.choices import PayUnit
from benchmarks.normalisation import PayBand, PayTerms
from postings.choices import ApplicationStatus
from postings.models import Application, JobPosting


@pytest.mark.parametrize(
    ("status", "is_open", "shortlistable"),
    [
        (ApplicationStatus.SUBMITTED, True, True),
        (ApplicationStatus.SHORTLISTED, True, False),
        (ApplicationStatus.HIRED, False, False),
        (ApplicationStatus.REJECTED, False, False),
        (ApplicationStatus.WITHDRAWN, False, False),
    ],
)
def test_an_application_is_open_until_it_is_decided(status, is_open, shortlistable):
    application = Application(status=status)
    assert application.is_open is is_open
    assert application.can_be_shortlisted is shortlistable


def test_a_posting_states_its_band_as_a_pay_band():
    posting = JobPosting(
        rate_min=Decimal("100"), rate_max=Decimal("150"), currency_id="USD", unit=PayUnit.TASK, minutes_per_task=30
    )
    terms = {"currency": "USD", "unit": PayUnit.TASK, "minutes_per_task": 30}
    assert posting.pay_band == PayBand(
        PayTerms(amount=Decimal("100"), amount_field="rate_min", **terms),
        PayTerms(amount=Decimal("150"), amount_field="rate_max", **terms),
    )
