"""The database itself refuses bad postings, memberships and applications."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from postings.models import Application, JobPosting, Membership
from tests.factories import CompanyFactory, DraftPostingFactory, PublishedPostingFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "overrides",
    [
        {"rate_min": Decimal("50"), "rate_max": Decimal("40")},
        {"rate_min": Decimal("0")},
        {"rate_min_usd": Decimal("70"), "rate_max_usd": Decimal("60")},
        {"status": "rejected", "rejection_reason": ""},
        {"status": "published", "published_at": None},
        {"status": "approved"},
        {"tier": "guru"},
    ],
)
def test_the_database_refuses_a_bad_posting(overrides):
    assert refused(lambda: DraftPostingFactory(**overrides))
    assert not JobPosting.objects.exists()


def test_the_database_keeps_one_application_per_trainer_and_posting():
    posting, trainer = PublishedPostingFactory(), TrainerFactory()
    Application.objects.create(posting=posting, trainer=trainer)
    assert refused(lambda: Application.objects.create(posting=posting, trainer=trainer))


def test_the_database_keeps_one_membership_per_company_and_user():
    company, user = CompanyFactory(), UserFactory()
    Membership.objects.create(company=company, user=user)
    assert refused(lambda: Membership.objects.create(company=company, user=user))
    assert refused(lambda: Membership.objects.create(company=CompanyFactory(), user=UserFactory(), role="boss"))
