"""surveys_submit_many: the bulk form of survey_submit files rows exactly as survey_submit would, in bulk writes."""

import random
from decimal import Decimal
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from benchmarks.engine import rebuild_all
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, DirtyCell, Observation, Source
from tests.factories import TrainerFactory, domain, platform, survey_fields, this_month
from trainers.bulk import surveys_submit_many
from trainers.choices import SurveyStatus
from trainers.models import PaySurvey
from trainers.services import survey_reject, survey_submit, survey_withdraw

pytestmark = pytest.mark.django_db

COMPARED = (
    "external_id", "period", "platform_id", "domain_id", "tier", "country", "task_type", "engagement", "amount",
    "currency_id", "unit", "hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week",
    "hourly_usd", "effective_hourly_usd", "status", "status_reason",
)  # fmt: skip


def make_source(slug: str) -> Source:
    return Source.objects.create(slug=slug, name=slug, kind="partner")


def mixed_rows(seed: int, count: int = 150) -> list[tuple[str, dict]]:
    """Good rows, outliers, refusals of every kind, repeated keys and rows without a key."""
    rng = random.Random(seed)
    eur = Currency.objects.get(code="EUR")
    rows = []
    for _ in range(count):
        fields = survey_fields(
            amount=Decimal(rng.choice(["14", "18.5", "22", "25", "31"])),
            domain=domain(rng.choice(["generalist", "medicine"])),
            tier=rng.choice(["entry", "skilled"]),
            country=rng.choice(["US", "GB", "IN"]),
            platform=platform(rng.choice(["outlier", "mercor"])),
        )
        trouble = rng.random()
        if trouble < 0.06:
            fields["amount"] = Decimal("1900")  # an outlier: flagged
        elif trouble < 0.10:
            fields["amount"] = Decimal("0.01")  # under $0.50 an hour: refused on amount
        elif trouble < 0.14:
            fields["unit"] = "task"  # without its minutes: refused on minutes_per_task
        elif trouble < 0.18:
            fields["period"] = this_month() + relativedelta(months=2)  # the future: refused on period
        elif trouble < 0.22:
            fields.update(currency=eur, amount=Decimal("800"), unit="week", hours_per_week=Decimal("40"))
        elif trouble < 0.25:
            fields["colour"] = "blue"  # a field surveys do not have
        key = "" if rng.random() < 0.1 else f"k{rng.randrange(count * 2 // 3)}"  # some keys repeat
        rows.append((key, fields))
    return rows


@pytest.fixture
def fences():
    """Enough accepted pay for outlier fences, published by the engine as in production."""
    for n in range(30):
        for slug in ("generalist", "medicine"):
            for tier in ("entry", "skilled"):
                survey_submit(trainer=TrainerFactory(), **survey_fields(
                    domain=domain(slug), tier=tier, amount=Decimal("18") + n % 7,
                ))  # fmt: skip
    rebuild_all()


def one_by_one(source: Source, rows) -> list:
    results = []
    for key, fields in rows:
        try:
            results.append(survey_submit(trainer=None, source=source, external_id=key, **dict(fields)))
        except ServiceError as error:
            results.append(error)
    return results


def outcome(result) -> tuple:
    if isinstance(result, ServiceError):
        return ("refused", result.field, result.text)
    return (result.survey.status, result.survey.status_reason, result.created)


def stored(source: Source) -> list[tuple]:
    return sorted(tuple(str(v) for v in row) for row in PaySurvey.objects.filter(source=source).values_list(*COMPARED))


def observed(source: Source) -> list[tuple]:
    fields = ("kind", "domain", "tier", "country", "period", "hourly_usd", "platform")
    return sorted(tuple(str(v) for v in row) for row in Observation.objects.filter(source=source).values_list(*fields))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_filing_gives_the_same_outcomes_surveys_and_observations_as_one_by_one(fences, seed):
    rows = mixed_rows(seed)
    single, bulk = make_source("single"), make_source("bulk")

    expected = one_by_one(single, rows)
    got = surveys_submit_many(source=bulk, rows=rows)

    assert [outcome(r) for r in got] == [outcome(r) for r in expected]
    assert {"accepted", "flagged", "refused"} <= {outcome(r)[0] for r in got}
    assert stored(bulk) == stored(single)
    assert observed(bulk) == observed(single)
    # Filing the same rows again over what is stored: still the same as one by one.
    assert [outcome(r) for r in surveys_submit_many(source=bulk, rows=rows)] == [
        outcome(r) for r in one_by_one(single, rows)
    ]
    assert stored(bulk) == stored(single)
    assert observed(bulk) == observed(single)


def test_every_observation_points_at_its_survey_and_counts_as_its_row():
    source = make_source("feed")
    surveys_submit_many(source=source, rows=[(f"r{n}", survey_fields()) for n in range(5)])
    for survey in PaySurvey.objects.filter(source=source):
        obs = Observation.objects.get(origin=f"survey:{survey.pk}")
        assert obs.contributor == f"row:{survey.pk}"
        assert obs.hourly_usd == survey.hourly_usd


def test_the_number_of_queries_does_not_grow_with_the_rows():
    source = make_source("feed")
    surveys_submit_many(source=source, rows=[("warm-up", survey_fields())])
    # Both sizes above insert_many's COPY threshold, so both take the same path on PostgreSQL.
    small = [(f"s{n}", survey_fields(amount=Decimal(15 + n % 9))) for n in range(120)]
    large = [(f"l{n}", survey_fields(amount=Decimal(15 + n % 9), tier="entry")) for n in range(600)]

    with CaptureQueriesContext(connection) as few:
        surveys_submit_many(source=source, rows=small)
    with CaptureQueriesContext(connection) as many:
        surveys_submit_many(source=source, rows=large)

    def split(queries):
        inserts = [q for q in queries if q["sql"].startswith("INSERT")]
        return len(queries) - len(inserts), len(inserts)

    # The same statements whatever the number of rows; only SQLite splits a bulk insert into a few statements
    # (it takes at most 999 parameters a statement).
    assert split(many.captured_queries)[0] == split(few.captured_queries)[0]
    assert split(many.captured_queries)[1] <= 600 // 10
    assert PaySurvey.objects.filter(source=source).count() == 721


def test_a_refused_row_changes_nothing_and_the_others_are_stored():
    source = make_source("feed")
    surveys_submit_many(source=source, rows=[("a", survey_fields(amount=Decimal("20")))])
    before = PaySurvey.objects.get(external_id="a")
    results = surveys_submit_many(
        source=source,
        rows=[("a", survey_fields(amount=Decimal("-3"))), ("b", survey_fields()), ("a", survey_fields(unit="x"))],
    )
    assert isinstance(results[0], ServiceError) and results[0].field == "amount"
    assert results[1].survey.status == SurveyStatus.ACCEPTED
    assert isinstance(results[2], ServiceError) and results[2].field == "unit"
    after = PaySurvey.objects.get(external_id="a")
    assert (after.amount, after.hourly_usd, after.updated_at) == (before.amount, before.hourly_usd, before.updated_at)
    assert Observation.objects.filter(origin=after.origin).get().hourly_usd == Decimal("20")


def test_rejected_rows_stay_rejected_and_withdrawn_rows_come_back(admin_user):
    source = make_source("feed")
    surveys_submit_many(source=source, rows=[("r", survey_fields()), ("w", survey_fields())])
    survey_reject(survey=PaySurvey.objects.get(external_id="r"), reviewer=admin_user, reason="Duplicate of a row")
    survey_withdraw(survey=PaySurvey.objects.get(external_id="w"))

    results = surveys_submit_many(source=source, rows=[("r", survey_fields()), ("w", survey_fields())])

    assert isinstance(results[0], ServiceError) and "Duplicate of a row" in results[0].text
    assert PaySurvey.objects.get(external_id="r").status == SurveyStatus.REJECTED
    assert results[1].survey.status == SurveyStatus.ACCEPTED and not results[1].created
    assert Observation.objects.filter(origin=f"survey:{results[1].survey.pk}").exists()


def test_bulk_filing_leaves_an_audit_trail_and_marks_the_leaves_dirty():
    source = make_source("feed")
    DirtyCell.objects.all().delete()
    surveys_submit_many(source=source, rows=[("a", survey_fields()), ("b", survey_fields(country="GB"))])
    surveys_submit_many(source=source, rows=[("a", survey_fields(amount=Decimal("30")))])
    survey = PaySurvey.objects.get(external_id="a")
    assert [h.history_type for h in survey.history.order_by("history_date")] == ["+", "~"]
    assert {(d.country, d.tier) for d in DirtyCell.objects.all()} == {("US", "skilled"), ("GB", "skilled")}


def test_a_key_stored_meanwhile_by_another_writer_files_the_batch_row_by_row():
    source = make_source("feed")
    rows = [("a", survey_fields()), ("b", survey_fields(amount=Decimal("-1")))]
    with mock.patch("trainers.bulk.insert_many", side_effect=IntegrityError("duplicate key")):
        results = surveys_submit_many(source=source, rows=rows)
    assert results[0].survey.pk is not None and results[0].survey.status == SurveyStatus.ACCEPTED
    assert isinstance(results[1], ServiceError) and results[1].field == "amount"
    assert PaySurvey.objects.filter(source=source).count() == 1
