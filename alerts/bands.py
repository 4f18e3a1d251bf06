"""Band alerts: after a recompute, where each published posting's band sits against its market cell's quartiles.

The cell is the one the posting's own page positions it in (``postings.selectors.posting_position``), read through
the suppression-aware selectors: a suppressed cell places nothing, records nothing and alerts nobody. The first
place a posting is seen in is recorded silently (the company saw it before publishing); an alert is raised each
time the recorded place changes, so one crossing alerts once, however many recomputes follow.
"""

from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from benchmarks.errors import ServiceError
from benchmarks.selectors import PublishedCell
from postings.choices import MembershipRole, PostingStatus
from postings.models import Company, JobPosting, Membership
from postings.selectors import posting_position
from postings.services import require_member

from . import mail
from .choices import BandPlace, DeliveryKind
from .models import BandAlert, BandPosition


class Placed(NamedTuple):
    place: BandPlace
    cell: PublishedCell
    p25: float
    p75: float


def band_place(posting: JobPosting, cells: dict | None = None) -> Placed | None:
    """Where the band sits against its cell's p25–p75, or None when no published cell places it.

    ``cells`` remembers the cell of each (domain, tier, country) across calls: it depends on those alone."""
    key = (posting.domain_id, posting.tier, str(posting.country or ""))
    if cells is not None and key in cells:
        cell = cells[key]
    else:
        cell = posting_position(posting).cell
        if cells is not None:
            cells[key] = cell
    if cell is None or cell.suppressed or cell.p25 is None or cell.p75 is None:
        return None
    p25, p75 = cell.p25, cell.p75
    if float(posting.rate_max_usd) < p25:
        return Placed(BandPlace.BELOW, cell, p25, p75)
    if float(posting.rate_min_usd) > p75:
        return Placed(BandPlace.ABOVE, cell, p25, p75)
    return Placed(BandPlace.WITHIN, cell, p25, p75)


@transaction.atomic
def band_check(*, posting: JobPosting, cells: dict | None = None) -> BandAlert | None:
    """Record where a published posting's band sits now; a new alert if that is a crossing, else None."""
    found = band_place(posting, cells)
    if found is None:
        return None
    place, cell, p25, p75 = found
    key = cell.key
    position, created = BandPosition.objects.select_for_update().get_or_create(
        posting=posting, defaults={"place": place, "cell_key": key}
    )
    if created or position.place == place:
        if position.cell_key != key:
            position.cell_key = key
            position.save(update_fields=["cell_key", "checked_at"])
        return None
    alert = BandAlert.objects.create(
        posting=posting, previous=position.place, place=place, cell_label=cell.label, p25=p25, p75=p75
    )
    position.place, position.cell_key = place, key
    position.save(update_fields=["place", "cell_key", "checked_at"])
    # An older alert of the same posting is out of date now: this one says where the band sits.
    BandAlert.objects.filter(posting=posting, dismissed_at=None).exclude(pk=alert.pk).update(
        dismissed_at=timezone.now()
    )
    return alert


def band_checks(*, domain_ids: list[int] | None = None) -> list[int]:
    """Check every published posting (of these domains); returns the ids of the alerts raised.

    Each cell is looked up once, and a posting whose recorded place holds is left alone without a write; a first
    place is recorded in bulk, and only a crossing goes through ``band_check`` (locked, in its own transaction)."""
    postings = JobPosting.objects.published().select_related("domain")
    if domain_ids is not None:
        postings = postings.filter(domain_id__in=domain_ids)
    postings = list(postings)
    recorded = dict(
        BandPosition.objects.filter(posting__in=[p.pk for p in postings]).values_list("posting_id", "place")
    )
    cells: dict = {}
    first, raised = [], []
    for posting in postings:
        found = band_place(posting, cells)
        if found is None or recorded.get(posting.pk) == found.place:
            continue
        if posting.pk not in recorded:
            first.append(BandPosition(posting=posting, place=found.place, cell_key=found.cell.key))
            continue
        alert = band_check(posting=posting, cells=cells)
        if alert is not None:
            raised.append(alert.pk)
    BandPosition.objects.bulk_create(first, ignore_conflicts=True)
    return raised


def open_alerts(*, company: Company) -> QuerySet:
    """The company's alerts not dismissed yet, on postings still published, newest first."""
    return (
        BandAlert.objects.filter(posting__company=company, posting__status=PostingStatus.PUBLISHED, dismissed_at=None)
        .select_related("posting")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def band_alert_dismiss(*, alert: BandAlert, by) -> BandAlert:
    """A member of the company dismisses an alert from the dashboard."""
    alert = BandAlert.objects.select_for_update().select_related("posting__company").get(pk=alert.pk)
    require_member(company=alert.posting.company, user=by)
    if alert.dismissed_at is not None:
        raise ServiceError("This alert was already dismissed.", code="transition")
    alert.dismissed_at, alert.dismissed_by = timezone.now(), by
    alert.save(update_fields=["dismissed_at", "dismissed_by"])
    return alert


def band_alert_send(*, alert_id: int) -> list[str]:
    """Email the alert to the company's owner(s); past the hourly limit it is recorded as deferred and stays on the
    dashboard. Returns the delivery statuses."""
    alert = BandAlert.objects.select_related("posting__company").filter(pk=alert_id, dismissed_at=None).first()
    if alert is None or alert.deliveries.exists():  # dismissed, or already sent by an earlier run of this task
        return []
    posting = alert.posting
    owners = Membership.objects.filter(company=posting.company, role=MembershipRole.OWNER).select_related("user")
    context = {
        "alert": alert,
        "posting": posting,
        "manage_url": mail.site_url(reverse("postings:manage", args=[posting.company.slug, posting.pk])),
        "dashboard_url": mail.site_url(reverse("postings:company_dashboard", args=[posting.company.slug])),
    }
    return [
        mail.deliver(
            user=membership.user,
            kind=DeliveryKind.BAND,
            subject=f"The market moved: “{posting.title}” is now {alert.place_label}",
            template="band_alert",
            context=context,
            band_alert=alert,
        ).status
        for membership in owners
    ]
