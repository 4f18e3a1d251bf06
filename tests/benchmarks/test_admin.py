"""The benchmarks admin: pages open, raw data stays with superusers, "Rebuild now" enqueues a rebuild."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from benchmarks import engine
from benchmarks.models import BenchmarkCell

from .factories import domain_make, observation_make, source_make, this_month

pytestmark = pytest.mark.django_db

MODELS = ["domain", "currency", "exchangerate", "platform", "source", "observation", "dirtycell", "benchmarkcell",
          "cellhistory", "outlierfence"]  # fmt: skip


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user("staff", "staff@example.com", "pw", is_staff=True)
    for codename in ["view_benchmarkcell", "view_observation", "rebuild_benchmarks"]:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


@pytest.mark.parametrize("model", MODELS)
def test_every_benchmarks_page_opens_for_a_superuser(admin_client, model):
    observation_make(domain=domain_make(), hourly_usd=10)
    engine.rebuild_all()
    engine.record_history()
    assert admin_client.get(reverse(f"admin:benchmarks_{model}_changelist")).status_code == 200


def test_staff_see_suppressed_cells_as_suppressed(client, staff):
    observation_make(domain=domain_make(), hourly_usd=12.34)
    engine.rebuild_all()
    page = client.get(reverse("admin:benchmarks_benchmarkcell_changelist")).content.decode()
    assert "fewer than 5" in page
    assert "12.34" not in page


def test_raw_observations_are_for_superusers_only(client, staff):
    assert client.get(reverse("admin:benchmarks_observation_changelist")).status_code == 403


def test_rebuild_now_button_enqueues_a_rebuild(client, staff):
    observation_make(domain=domain_make(), hourly_usd=10)
    page = client.get(reverse("admin:benchmarks_benchmarkcell_changelist")).content.decode()
    assert "Rebuild now" in page
    response = client.post(reverse("admin:benchmarks_benchmarkcell_rebuild"))
    assert response.status_code == 302
    assert BenchmarkCell.objects.count() == 8  # tasks run eagerly in tests


def test_rebuild_needs_a_post(client, staff):
    observation_make(domain=domain_make(), hourly_usd=10)
    client.get(reverse("admin:benchmarks_benchmarkcell_rebuild"))
    assert not BenchmarkCell.objects.exists()


def test_the_rebuild_action_works_too(admin_client):
    observation_make(domain=domain_make(), hourly_usd=10)
    engine.rebuild_all()
    cell = BenchmarkCell.objects.first()
    admin_client.post(
        reverse("admin:benchmarks_benchmarkcell_changelist"),
        {"action": "rebuild_now", "_selected_action": [cell.pk]},
    )
    assert BenchmarkCell.objects.count() == 8


def test_trusting_a_partner_feed_in_the_admin_counts_its_rows_one_by_one(admin_client):
    from benchmarks.choices import SourceKind
    from benchmarks.models import DirtyCell, Observation, Source
    from benchmarks.services import observation_upsert

    feed = source_make("survey-office", kind=SourceKind.PARTNER)
    where = domain_make()
    for n in range(5):
        observation_upsert(
            origin=f"row:{n}", kind="reported", domain=where, tier="expert", country="US", period=this_month(),
            hourly_usd=20 + n, source=feed, contributor=f"row:{n}",
        )  # fmt: skip
    assert set(Observation.objects.values_list("party", flat=True)) == {f"source:{feed.pk}"}
    url = reverse("admin:benchmarks_source_changelist")
    response = admin_client.post(url, {"action": "trust", "_selected_action": [feed.pk]}, follow=True)
    assert "now count row by row" in response.content.decode()
    assert Source.objects.get(pk=feed.pk).trusted
    assert set(Observation.objects.values_list("party", flat=True)) == {f"row:{n}" for n in range(5)}
    assert DirtyCell.objects.filter(domain=where).exists()
    engine.rebuild_all()
    assert BenchmarkCell.objects.get(cell_key=f"{where.pk}|expert|US|reported").independent == 5
    admin_client.post(url, {"action": "distrust", "_selected_action": [feed.pk]})
    engine.rebuild_all()
    assert BenchmarkCell.objects.get(cell_key=f"{where.pk}|expert|US|reported").independent == 1
