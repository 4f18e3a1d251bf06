"""Band alerts: a market move that carries a published posting's band across a quartile of its cell tells the
company once, on its dashboard and by email; a suppressed cell tells nobody anything."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from alerts.choices import BandPlace, DeliveryStatus
from alerts.models import BandAlert, BandPosition, Delivery
from benchmarks import engine
from benchmarks.choices import SkillTier
from tests.factories import CompanyFactory, UserFactory, domain
from tests.web.conftest import file_surveys, publish

pytestmark = pytest.mark.django_db


def medicine_surveys(count: int, *, start: int, base: int) -> None:
    file_surveys(count, start=start, base=base, domain=domain("medicine"), tier=SkillTier.EXPERT)


def recompute(capture) -> None:
    with capture(execute=True):
        engine.rebuild_all()


@pytest.fixture
def posting(company, owner, django_capture_on_commit_callbacks):
    """A $50–52 expert medicine posting in the US, among six trainers paid 50–55 (p25 51.25, p75 53.75): within."""
    medicine_surveys(6, start=100, base=50)
    with django_capture_on_commit_callbacks(execute=True):
        posting = publish(company, by=owner, rate_min=Decimal("50"), rate_max=Decimal("52"))
    recompute(django_capture_on_commit_callbacks)
    assert BandPosition.objects.get(posting=posting).place == BandPlace.WITHIN
    return posting


def test_a_market_move_across_a_quartile_sends_exactly_one_band_alert(
    posting, owner, django_capture_on_commit_callbacks
):
    assert mail.outbox == [] and not BandAlert.objects.exists()  # where it started is recorded, not alerted

    medicine_surveys(10, start=200, base=56)  # the market rises: p25 (53.75) now above the band's top of 52
    recompute(django_capture_on_commit_callbacks)

    alert = BandAlert.objects.get()
    assert (alert.previous, alert.place) == (BandPlace.WITHIN, BandPlace.BELOW)
    assert alert.p25 == pytest.approx(53.75)
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "below the market's 25th percentile" in mail.outbox[0].subject
    assert f"/company/{posting.company.slug}/postings/{posting.pk}/" in mail.outbox[0].body
    assert mail.outbox[0].alternatives

    recompute(django_capture_on_commit_callbacks)  # the same crossing, seen again
    recompute(django_capture_on_commit_callbacks)
    assert BandAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_suppressed_cell_gives_no_alert_and_records_nothing(company, owner, django_capture_on_commit_callbacks):
    medicine_surveys(3, start=100, base=50)  # fewer than 5 contributors everywhere on the fallback chain
    with django_capture_on_commit_callbacks(execute=True):
        posting = publish(company, by=owner)
    recompute(django_capture_on_commit_callbacks)
    assert not BandPosition.objects.filter(posting=posting).exists()
    assert not BandAlert.objects.exists()
    assert mail.outbox == []


def test_band_alert_emails_past_the_hourly_limit_are_recorded_as_deferred(
    posting, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_EMAILS_PER_HOUR = 0
    medicine_surveys(10, start=200, base=56)
    recompute(django_capture_on_commit_callbacks)
    assert BandAlert.objects.count() == 1
    assert mail.outbox == []
    assert Delivery.objects.get().status == DeliveryStatus.DEFERRED


def test_the_dashboard_shows_an_open_alert_with_a_link_to_the_band_and_it_can_be_dismissed(
    posting, client, owner, django_capture_on_commit_callbacks
):
    medicine_surveys(10, start=200, base=56)
    recompute(django_capture_on_commit_callbacks)
    alert = BandAlert.objects.get()
    client.force_login(owner)
    dashboard = reverse("postings:company_dashboard", args=[posting.company.slug])
    page = client.get(dashboard).content.decode()
    assert 'id="band-alerts"' in page
    assert reverse("postings:manage", args=[posting.company.slug, posting.pk]) in page

    response = client.post(reverse("alerts:band_alert_dismiss", args=[posting.company.slug, alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.dismissed_by == owner
    assert 'id="band-alerts"' not in client.get(dashboard).content.decode()


def test_another_company_cannot_dismiss_an_alert(posting, client, django_capture_on_commit_callbacks):
    medicine_surveys(10, start=200, base=56)
    recompute(django_capture_on_commit_callbacks)
    alert = BandAlert.objects.get()
    rival = UserFactory(username="rival")
    CompanyFactory(owner=rival, slug="rival")
    client.force_login(rival)
    for slug in ("rival", posting.company.slug):
        assert client.post(reverse("alerts:band_alert_dismiss", args=[slug, alert.pk])).status_code == 404
    alert.refresh_from_db()
    assert alert.is_open


def test_moving_back_is_a_new_crossing_and_supersedes_the_open_alert(posting, django_capture_on_commit_callbacks):
    from benchmarks.models import Observation

    medicine_surveys(10, start=200, base=56)
    recompute(django_capture_on_commit_callbacks)
    Observation.objects.filter(hourly_usd__gte=Decimal("56")).delete()  # the high reports leave the window
    recompute(django_capture_on_commit_callbacks)
    first, second = BandAlert.objects.order_by("pk")
    assert (second.previous, second.place) == (BandPlace.BELOW, BandPlace.WITHIN)
    first.refresh_from_db()
    assert not first.is_open and second.is_open
    assert len(mail.outbox) == 2


def test_a_burst_of_recomputes_queues_one_band_check_per_domain(monkeypatch):
    from alerts import receivers, tasks

    queued = []
    monkeypatch.setattr(tasks.bands_check, "apply_async", lambda args, countdown: queued.append(args[0]))
    receivers.on_cells_recomputed(sender=None, domain_ids=[1, 2])
    receivers.on_cells_recomputed(sender=None, domain_ids=[2, 3])
    receivers.on_cells_recomputed(sender=None, domain_ids=[1, 3])
    receivers.on_cells_recomputed(sender=None, domain_ids=None)  # a full rebuild checks every posting
    assert queued == [[1, 2], [3], None]
