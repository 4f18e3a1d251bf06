"""Fixtures of the web tests: people in each role, a market with published cells, clients logged in as them."""

from decimal import Decimal

import pytest

from benchmarks import engine
from benchmarks.choices import SkillTier
from postings.services import posting_approve, posting_create, posting_submit
from tests.factories import TrainerFactory, UserFactory, domain, posting_fields
from tests.factories import survey_fields as base_survey_fields
from trainers.services import survey_submit


def file_surveys(count: int, *, start: int = 0, base: int = 20, **overrides) -> list:
    """``count`` new trainers each file one survey, paid ``base``, ``base`` + 1, ... USD an hour."""
    surveys = []
    for i, n in enumerate(range(start, start + count)):
        trainer = TrainerFactory(user=UserFactory(username=f"contributor{n}"))
        fields = base_survey_fields(amount=Decimal(base + i), **overrides)
        surveys.append(survey_submit(trainer=trainer, **fields).survey)
    return surveys


def publish(company, *, by, **overrides):
    posting = posting_create(company=company, by=by, **posting_fields(**overrides))
    posting_submit(posting=posting, by=by)
    return posting_approve(posting=posting, by=None)


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


@pytest.fixture
def owner_client(client, owner, company):
    client.force_login(owner)
    return client


@pytest.fixture
def market(db):
    """Twelve trainers report generalist skilled US pay (20–31 USD/h) and cells are rebuilt: p10–p90 published."""
    surveys = file_surveys(12)
    engine.rebuild_all()
    return surveys


@pytest.fixture
def medicine_market(db):
    """Six trainers report expert medicine pay in the US (50–55 USD/h): p25–p75 published, tails suppressed."""
    surveys = file_surveys(6, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)
    engine.rebuild_all()
    return surveys


def count_queries(client, url: str) -> int:
    """How many queries one GET of ``url`` runs (the response must be 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)
