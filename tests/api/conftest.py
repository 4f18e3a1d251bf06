"""Fixtures of the API tests: partners with keys, clients that send them, and a market with published cells."""

import pytest
from rest_framework.test import APIClient

from benchmarks import engine
from portal.api.services import partner_create, partner_key_issue
from portal.models import Scope
from tests.factories import CompanyFactory, UserFactory, survey_fields
from trainers.services import survey_submit

ALL_SCOPES = ",".join(Scope.values)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def make_partner(db):
    """make_partner(name, scopes=..., company=...) -> (partner, APIClient sending its key)."""

    def make(name: str = "Acme Feed", *, scopes: str = ALL_SCOPES, company=None):
        partner = partner_create(name=name, scopes=scopes, company=company)
        _, key = partner_key_issue(partner=partner)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        client.key = key
        return partner, client

    return make


@pytest.fixture
def company(db):
    return CompanyFactory(owner=UserFactory(username="owner"))


@pytest.fixture
def partner(make_partner, company):
    return make_partner("Acme Feed", company=company)


@pytest.fixture
def market(db):
    """Published cells: 12 trainers in generalist/entry/US (tails published), 3 in law/expert/GB (suppressed)."""
    from tests.factories import domain as domain_of

    for n in range(12):
        user = UserFactory(username=f"gen{n}")
        trainer = _trainer(user, "US")
        survey_submit(trainer=trainer, **survey_fields(tier="entry", amount=12 + n, country="US"))
    for n in range(3):
        trainer = _trainer(UserFactory(username=f"law{n}"), "GB")
        survey_submit(
            trainer=trainer, **survey_fields(domain=domain_of("law"), tier="expert", amount=150 + n, country="GB")
        )
    engine.rebuild_all()


def _trainer(user, country):
    from tests.factories import TrainerFactory

    return TrainerFactory(user=user, country=country)
