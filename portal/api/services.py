"""Write paths for partners and their keys: the admin and the create_partner_key command both go through here."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from benchmarks.choices import SourceKind
from benchmarks.errors import ServiceError, assign_fields
from benchmarks.models import Source
from benchmarks.sources import source_get_or_create
from portal.models import IdempotencyRecord, Partner, PartnerAPIKey, parse_scopes
from postings.choices import MembershipRole
from postings.models import Company, Membership
from postings.services import membership_add, membership_remove
from trainers.ingestion import ingest_rows

# Who acts when an admin command (not a person in the admin) gives a partner its company seat.
SYSTEM = SimpleNamespace(is_staff=True, is_authenticated=False, pk=None)


def _partner_source(name: str) -> Source:
    return source_get_or_create(
        slug=f"partner-{slugify(name)[:60]}", name=f"{name} (partner feed)", kind=SourceKind.PARTNER
    )


def _service_user(partner: Partner):
    """The partner's account: it cannot log in (no usable password), it only holds the company seat."""
    if partner.user_id:
        return partner.user
    user = get_user_model().objects.create_user(
        username=f"partner-{partner.pk}-{slugify(partner.name)[:40]}", email="", password=None, is_active=True
    )
    partner.user = user
    partner.save(update_fields=["user"])
    return user


def _seat(partner: Partner, *, by) -> None:
    """Give the partner's account a recruiter seat in its company, so posting services accept it as a member."""
    if partner.company is None:
        return
    user = _service_user(partner)
    if not Membership.objects.filter(company=partner.company, user=user).exists():
        membership_add(company=partner.company, user=user, role=MembershipRole.RECRUITER, by=by)


@transaction.atomic
def partner_create(
    *, name: str, scopes: str, company: Company | None = None, source: Source | None = None, by=SYSTEM
) -> Partner:
    """A partner with its scopes; its rows carry ``source`` (a new partner-feed source when none is given)."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Give the partner a name.", field="name")
    if Partner.objects.filter(name=name).exists():
        raise ServiceError(f"There is already a partner called {name}.", field="name")
    partner = Partner(name=name, scopes=",".join(parse_scopes(scopes)), company=company)
    partner.source = source or _partner_source(name)
    partner.full_clean()
    partner.save()
    _seat(partner, by=by)
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, by=SYSTEM, **fields) -> Partner:
    """Change a partner's name, scopes, company, source or active flag; a new company gets the seat."""
    previous_company_id = Partner.objects.filter(pk=partner.pk).values_list("company_id", flat=True).first()
    assign_fields(partner, fields, allowed={"name", "scopes", "company", "source", "active"}, noun="partner")
    partner.full_clean()
    partner.save()
    if partner.user_id and previous_company_id and previous_company_id != partner.company_id:
        # The partner's seat in its former company goes with it.
        membership_remove(company=Company.objects.get(pk=previous_company_id), user=partner.user, by=by)
    _seat(partner, by=by)
    return partner


def partner_key_issue(
    *, partner: Partner, name: str = "", expiry_date: datetime.datetime | None = None
) -> tuple[PartnerAPIKey, str]:
    """A new key for the partner. The returned key text is the only time it is seen: only its hash is kept."""
    if not partner.active:
        raise ServiceError("This partner is inactive; activate it before issuing a key.", code="transition")
    key, text = PartnerAPIKey.objects.create_key(
        partner=partner, name=(name or partner.name)[:50], expiry_date=expiry_date
    )
    return cast(PartnerAPIKey, key), text  # the manager is typed for any API key model


def partner_key_update(*, key: PartnerAPIKey, name: str, expiry_date: datetime.datetime | None) -> PartnerAPIKey:
    """Rename a key or change when it expires; its secret and partner never change."""
    key.name, key.expiry_date = (name or key.partner.name)[:50], expiry_date
    key.save(update_fields=["name", "expiry_date"])
    return key


def partner_key_revoke(*, key: PartnerAPIKey) -> PartnerAPIKey:
    """Revoke a key for good; requests with it are refused from now on."""
    if not key.revoked:
        key.revoked = True
        key.save(update_fields=["revoked"])
    return key


def idempotency_records_prune(*, now=None) -> int:
    """Forget the answers to pushes older than ``API_IDEMPOTENCY_DAYS``; returns how many were deleted.

    A key sent again after that is filed again, which stores nothing twice: rows are matched on their source and
    ``external_id`` (or content hash) whatever the key.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.API_IDEMPOTENCY_DAYS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@dataclass(frozen=True)
class PushAnswer:
    """What a pushed batch is answered: the body, its status, and whether it replays an earlier answer."""

    body: dict
    status: int
    replayed: bool = False


def surveys_push(*, partner: Partner, key: str, body: dict, rows: list[dict]) -> PushAnswer:
    """File a partner's pushed rows as its source's surveys, once per ``Idempotency-Key``.

    The same key with the same body replays the first answer; with another body it is refused (422). Rows go through
    ``ingest_rows``, the import's path, so each is accepted, flagged or rejected with the survey form's rules.
    """
    key = (key or "").strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise ServiceError("Send an Idempotency-Key header (1–255 characters).", field="Idempotency-Key")
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    record = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
    if record is not None:
        return _replay(record, digest)
    try:
        with transaction.atomic():
            # Created first: a concurrent request with the same key waits on this row, then replays our answer.
            record = IdempotencyRecord.objects.create(
                partner=partner, key=key, request_hash=digest, status_code=200, response={}
            )
            results: list = []
            summary = ingest_rows(enumerate(rows), source=partner.source, on_row=results.append)
            record.response = {
                "summary": summary.as_dict(),
                "rows": [
                    {"index": r.line, "status": r.status, "reason": r.reason, "external_id": r.external_id,
                     "unchanged": r.unchanged}
                    for r in results
                ],
            }  # fmt: skip
            record.save(update_fields=["response"])
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
        if record is None:
            raise
        return _replay(record, digest)
    return PushAnswer(record.response, 200)


def _replay(record: IdempotencyRecord, digest: str) -> PushAnswer:
    if record.request_hash != digest:
        return PushAnswer(
            {"detail": "This Idempotency-Key was already used with a different body; use a new key."}, 422
        )
    return PushAnswer(record.response, record.status_code, replayed=True)
