"""Write paths for companies, postings and applications. Pages, API and admin change them through here only."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from benchmarks.choices import ObservationKind, SourceKind
from benchmarks.errors import ServiceError, assign_fields, validated, with_article
from benchmarks.services import observation_remove, observation_upsert
from benchmarks.sources import source_get_or_create

from .choices import ApplicationStatus, MembershipRole, PostingStatus
from .models import Application, Company, JobPosting, Membership
from .signals import posting_published

POSTING_FIELDS = (
    "title", "description", "description_format", "domain", "tier", "credentials", "languages", "country",
    "engagement", "hours_per_week", "rate_min", "rate_max", "currency", "unit", "minutes_per_task",
    "project_hours", "apply_url",
)  # fmt: skip
EDITABLE_POSTING_STATUSES = (PostingStatus.DRAFT, PostingStatus.REJECTED)
SUBMITTABLE_POSTING_STATUSES = (PostingStatus.DRAFT, PostingStatus.REJECTED)


# --- Companies --------------------------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "company"
    slug, n = base, 1
    while Company.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def company_create(*, name: str, owner, website: str = "", description: str = "") -> Company:
    """Create a company with ``owner`` as its owner."""
    company = Company(name=(name or "").strip(), website=website, description=description)
    company.slug = _unique_slug(company.name)
    validated(company)
    company.save()
    Membership.objects.create(company=company, user=owner, role=MembershipRole.OWNER)
    return company


@transaction.atomic
def company_update(*, company: Company, by, **fields) -> Company:
    """The owner (or staff) changes the company's name, website or description; its slug stays."""
    require_member(company=company, user=by, owner=True)
    assign_fields(company, fields, allowed={"name", "website", "description"}, noun="company")
    company.name = (company.name or "").strip()
    validated(company)
    company.save()
    return company


@transaction.atomic
def company_verify(*, company: Company, by) -> Company:
    """Staff vouch for a company: its published postings' advertised pay counts as verified from now on."""
    company.verified = True
    company.verified_at = timezone.now()
    company.verified_by = by
    company.save(update_fields=["verified", "verified_at", "verified_by"])
    for posting in company.postings.filter(status=PostingStatus.PUBLISHED).select_related("domain"):
        posting.company = company
        _sync_observation(posting)
    return company


def membership_role(*, company: Company, user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(company=company, user=user).values_list("role", flat=True).first()


def require_member(*, company: Company, user, owner: bool = False) -> None:
    """Refuse anyone who is not a member (or, with ``owner``, the owner) of the company. Staff may act for any."""
    if getattr(user, "is_staff", False):
        return
    role = membership_role(company=company, user=user)
    if role is None or (owner and role != MembershipRole.OWNER):
        raise ServiceError(
            "Only the company's owner can do this." if owner else "Only members of the company can do this.",
            code="permission",
        )


@transaction.atomic
def membership_add(*, company: Company, user, role: str = MembershipRole.RECRUITER, by) -> Membership:
    """The owner adds a teammate (a recruiter by default)."""
    require_member(company=company, user=by, owner=True)
    if Membership.objects.filter(company=company, user=user).exists():
        raise ServiceError(f"{user} is already a member of {company}.", field="email")
    membership = Membership(company=company, user=user, role=role)
    validated(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, company: Company, user, by) -> bool:
    """The owner (or staff) takes a member out of the company; the owner's own seat cannot go. Whether one was
    removed."""
    require_member(company=company, user=by, owner=True)
    membership = Membership.objects.filter(company=company, user=user).first()
    if membership is None:
        return False
    if membership.role == MembershipRole.OWNER:
        raise ServiceError(f"{user} owns {company}; the owner's seat cannot be removed.", code="transition")
    membership.delete()
    return True


# --- Postings ---------------------------------------------------------------------------------------------------


def _apply_posting_fields(posting: JobPosting, fields: dict) -> None:
    assign_fields(posting, fields, allowed=POSTING_FIELDS, noun="posting")
    low, high = posting.pay_band.normalise(at=timezone.now().date())
    posting.rate_min_usd, posting.rate_max_usd = low.hourly_usd, high.hourly_usd


@transaction.atomic
def posting_create(*, company: Company, by, **fields) -> JobPosting:
    """A new posting, as a draft."""
    require_member(company=company, user=by)
    posting = JobPosting(company=company, created_by=by if by and by.is_authenticated else None)
    _apply_posting_fields(posting, fields)
    validated(posting)
    posting.save()
    return posting


def _locked(posting: JobPosting) -> JobPosting:
    return JobPosting.objects.select_for_update().select_related("company").get(pk=posting.pk)


def _refuse(posting: JobPosting, verb: str):
    raise ServiceError(
        f"{with_article(posting.get_status_display().lower()).capitalize()} posting cannot be {verb}.",
        code="transition",
    )


@transaction.atomic
def posting_update(*, posting: JobPosting, by, **fields) -> JobPosting:
    """Edit a draft or rejected posting (a published one is closed and posted anew instead)."""
    posting = _locked(posting)
    require_member(company=posting.company, user=by)
    if posting.status not in EDITABLE_POSTING_STATUSES:
        _refuse(posting, "edited")
    _apply_posting_fields(posting, fields)
    validated(posting)
    posting.save()
    return posting


@transaction.atomic
def posting_submit(*, posting: JobPosting, by, now: datetime.datetime | None = None) -> JobPosting:
    """Send a draft (or a rejected posting, once edited) to the admins for review (at ``now``, default now)."""
    posting = _locked(posting)
    require_member(company=posting.company, user=by)
    if posting.status not in SUBMITTABLE_POSTING_STATUSES:
        _refuse(posting, "submitted for review")
    posting.status = PostingStatus.IN_REVIEW
    posting.submitted_at = now or timezone.now()
    posting.save()
    return posting


def _sync_observation(posting: JobPosting) -> None:
    """A published posting has one advertised observation (its band's midpoint); any other status has none."""
    if posting.status != PostingStatus.PUBLISHED:
        observation_remove(origin=posting.origin)
        return
    company = posting.company
    source = source_get_or_create(slug=company.source_slug, name=f"{company.name} postings", kind=SourceKind.COMPANY)
    observation_upsert(
        origin=posting.origin,
        kind=ObservationKind.ADVERTISED,
        domain=posting.domain,
        tier=posting.tier,
        country=str(posting.country or ""),
        period=(posting.published_at or timezone.now()).date(),
        hourly_usd=posting.rate_mid_usd,
        source=source,
        contributor=f"company:{company.pk}",
        verified=company.verified,
    )


@transaction.atomic
def posting_approve(*, posting: JobPosting, by, now: datetime.datetime | None = None) -> JobPosting:
    """An admin publishes a posting under review; it expires after the configured lifetime.

    ``now``: when it is published (default now); its advertised observation falls in that month."""
    posting = _locked(posting)
    if posting.status != PostingStatus.IN_REVIEW:
        _refuse(posting, "approved")
    now = now or timezone.now()
    posting.status = PostingStatus.PUBLISHED
    posting.rejection_reason = ""
    posting.published_at = now
    posting.expires_at = now + datetime.timedelta(days=settings.POSTING_LIFETIME_DAYS)
    posting.save()
    _sync_observation(posting)
    posting_published.send(sender=JobPosting, posting=posting)
    return posting


@transaction.atomic
def posting_reject(*, posting: JobPosting, by, reason: str) -> JobPosting:
    """An admin sends a posting back with a reason the company sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason the posting is rejected; the company sees it.", field="reason")
    posting = _locked(posting)
    if posting.status != PostingStatus.IN_REVIEW:
        _refuse(posting, "rejected")
    posting.status = PostingStatus.REJECTED
    posting.rejection_reason = reason
    posting.save()
    return posting


@transaction.atomic
def posting_close(*, posting: JobPosting, by, now: datetime.datetime | None = None) -> JobPosting:
    """The company closes a published posting (at ``now``, default now); it leaves the board and the benchmarks."""
    posting = _locked(posting)
    require_member(company=posting.company, user=by)
    if posting.status != PostingStatus.PUBLISHED:
        _refuse(posting, "closed")
    posting.status = PostingStatus.CLOSED
    posting.closed_at = now or timezone.now()
    posting.save()
    _sync_observation(posting)
    return posting


@transaction.atomic
def posting_expire(*, posting: JobPosting, now: datetime.datetime | None = None) -> JobPosting:
    """A published posting past its expiry date expires."""
    now = now or timezone.now()
    posting = _locked(posting)
    if posting.status != PostingStatus.PUBLISHED or posting.expires_at is None or posting.expires_at > now:
        _refuse(posting, "expired yet")
    posting.status = PostingStatus.EXPIRED
    posting.save()
    _sync_observation(posting)
    return posting


def postings_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Expire every published posting whose date has passed; each in its own transaction. Returns how many."""
    now = now or timezone.now()
    due = JobPosting.objects.published().filter(expires_at__lte=now).values_list("pk", flat=True)
    count = 0
    for pk in list(due):
        try:
            posting_expire(posting=JobPosting(pk=pk), now=now)
            count += 1
        except ServiceError:
            continue  # closed or extended meanwhile
    return count


# --- Applications -----------------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(*, posting: JobPosting, trainer, cover_letter: str = "") -> Application:
    """A trainer applies on the portal to a published posting that takes applications here."""
    posting = JobPosting.objects.select_for_update().get(pk=posting.pk)
    if posting.status != PostingStatus.PUBLISHED:
        raise ServiceError("This posting is not open for applications.", code="transition")
    if posting.apply_url:
        raise ServiceError("This company takes applications on its own site; use the apply link.", code="transition")
    if Application.objects.filter(posting=posting, trainer=trainer).exists():
        raise ServiceError("You have already applied to this posting.", code="duplicate")
    application = Application(posting=posting, trainer=trainer, cover_letter=cover_letter)
    validated(application)
    application.save()
    return application


_APPLICATION_MOVES = {
    # action: (statuses it may start from, status it leads to, who may do it)
    "shortlist": (ApplicationStatus.shortlistable(), ApplicationStatus.SHORTLISTED, "company"),
    "hire": (ApplicationStatus.open(), ApplicationStatus.HIRED, "company"),
    "reject": (ApplicationStatus.open(), ApplicationStatus.REJECTED, "company"),
    "withdraw": (ApplicationStatus.open(), ApplicationStatus.WITHDRAWN, "trainer"),
}


@transaction.atomic
def application_move(*, application: Application, action: str, by) -> Application:
    """Move an application along its workflow: the company shortlists, hires or rejects; the trainer withdraws."""
    if action not in _APPLICATION_MOVES:
        raise ServiceError(f"Choose an action: {', '.join(_APPLICATION_MOVES)}.", field="action")
    allowed, to, actor = _APPLICATION_MOVES[action]
    application = (
        Application.objects.select_for_update().select_related("posting__company", "trainer").get(pk=application.pk)
    )
    if actor == "company":
        require_member(company=application.posting.company, user=by)
    elif application.trainer.user_id != getattr(by, "pk", None) and not getattr(by, "is_staff", False):
        raise ServiceError("Only the trainer who applied can withdraw an application.", code="permission")
    if application.status not in allowed:
        raise ServiceError(
            f"{with_article(application.get_status_display().lower()).capitalize()} application cannot be moved "
            f"to {to.label.lower()}.",
            code="transition",
        )
    application.status = to
    application.save(update_fields=["status", "updated_at"])
    return application


def application_shortlist(*, application: Application, by) -> Application:
    return application_move(application=application, action="shortlist", by=by)


def application_hire(*, application: Application, by) -> Application:
    return application_move(application=application, action="hire", by=by)


def application_reject(*, application: Application, by) -> Application:
    return application_move(application=application, action="reject", by=by)


def application_withdraw(*, application: Application, by) -> Application:
    return application_move(application=application, action="withdraw", by=by)


@transaction.atomic
def applications_withdraw_for_trainer(*, trainer) -> int:
    """Withdraw each of a trainer's open applications, as the trainer (their account is being erased); how many."""
    open_applications = list(
        Application.objects.filter(trainer=trainer, status__in=ApplicationStatus.open()).order_by("pk")
    )
    for application in open_applications:
        application_withdraw(application=application, by=trainer.user)
    return len(open_applications)
