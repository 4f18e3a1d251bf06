"""``seed_demo``: synthetic, labelled, deterministic demo data written through the services."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from benchmarks.models import BenchmarkCell, Observation, Source
from postings.choices import PostingStatus
from postings.models import Company, JobPosting
from trainers.models import PaySurvey

pytestmark = pytest.mark.django_db

SMALL = {"surveys": 60, "postings": 8}


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def fingerprints() -> tuple[list, list]:
    surveys = sorted(
        PaySurvey.objects.values_list(
            "trainer__user__username", "external_id", "source__slug", "platform__slug", "domain__slug", "tier",
            "country", "period", "amount", "currency", "unit", "minutes_per_task", "hours_per_week", "project_hours",
            "status",
        ),
        key=repr,
    )  # fmt: skip
    postings = sorted(
        JobPosting.objects.values_list(
            "company__name", "title", "domain__slug", "tier", "country", "rate_min", "rate_max", "currency", "unit",
            "status", "rejection_reason",
        ),
        key=repr,
    )  # fmt: skip
    return surveys, postings


class Rollback(Exception):
    pass


def fingerprints_of_a_run(**options) -> tuple[list, list]:
    """Seed, read the fingerprints, and roll the run back so that the next one starts from the same database."""
    try:
        with transaction.atomic():
            seed(**options)
            result = fingerprints()
            raise Rollback
    except Rollback:
        return result


def test_the_same_seed_gives_the_same_rows():
    first = fingerprints_of_a_run(seed=11)
    assert not PaySurvey.objects.exists()
    assert len(first[0]) >= 60
    assert len(first[1]) == 8
    assert fingerprints_of_a_run(seed=11) == first
    assert fingerprints_of_a_run(seed=12) != first


def test_seed_demo_prints_the_login_and_the_refused_rows():
    output = seed()
    assert "http://127.0.0.1:8000/admin/" in output
    assert "admin@example.com" in output
    assert "demo-admin-2025" in output
    assert "refused: 3 out-of-range rows" in output
    assert not PaySurvey.objects.filter(external_id__startswith="out-of-range").exists()


def test_seeding_a_seeded_database_changes_nothing():
    seed()
    before = fingerprints()
    output = seed(seed=99)
    assert "nothing was changed" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert fingerprints() == before


def test_the_demo_data_is_labelled_and_covers_every_status_domain_and_unit():
    seed(surveys=250, postings=14)
    assert Source.objects.filter(name="Synthetic demo data").exists()
    assert all(name.endswith("(demo)") for name in Company.objects.values_list("name", flat=True))
    assert set(JobPosting.objects.values_list("status", flat=True)) == set(PostingStatus.values)
    assert JobPosting.objects.filter(status=PostingStatus.REJECTED).exclude(rejection_reason="").exists()
    surveys = PaySurvey.objects.all()
    assert surveys.values("domain").distinct().count() == 10
    assert surveys.values("tier").distinct().count() == 4
    assert surveys.values("country").distinct().count() >= 12
    assert {"task", "day", "week", "month", "project"} <= set(surveys.values_list("unit", flat=True))
    assert surveys.exclude(currency="USD").exists()
    feed_rows = surveys.filter(trainer__isnull=True)
    assert feed_rows.exists()
    assert not feed_rows.filter(external_id="").exists()
    assert Source.objects.filter(kind__in=["partner", "import"]).count() >= 3
    assert {"accepted", "withdrawn", "rejected"} <= set(surveys.values_list("status", flat=True))
    # the benchmarks were rebuilt from what the services recorded
    reported = Observation.objects.filter(kind="reported")
    assert reported.count() == surveys.filter(status__in=["accepted", "flagged"]).count()
    assert reported.filter(flagged=True).count() == surveys.filter(status="flagged").count()
    assert BenchmarkCell.objects.exists()


def test_the_demo_has_document_verified_surveys_and_verified_companies_so_verified_only_figures_exist():
    seed(surveys=250, postings=14)
    trainers_surveys = PaySurvey.objects.filter(trainer__isnull=False, status="accepted")
    verified = trainers_surveys.filter(verification="document").count()
    assert 0.2 < verified / trainers_surveys.count() < 0.5
    assert not PaySurvey.objects.filter(trainer__isnull=True, verification="document").exists()
    assert Observation.objects.filter(kind="reported", verified=True).count() == verified
    assert Observation.objects.filter(kind="advertised", verified=True).exists()
    assert BenchmarkCell.objects.filter(segment="verified", independent__gte=5).exists()
    assert BenchmarkCell.objects.filter(platform__isnull=False, independent__gte=5).exists()
