"""Write paths for trainers and pay surveys. Pages, API, admin and imports all change surveys through here."""

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from benchmarks.bulk import history_snapshot
from benchmarks.choices import ObservationKind
from benchmarks.engine.screening import FenceBook
from benchmarks.errors import ServiceError, assign_fields, validated, with_article
from benchmarks.models import Source
from benchmarks.normalisation import usd_rate
from benchmarks.services import observations_sync
from benchmarks.sources import survey_form_source

from .choices import SurveyStatus, Verification
from .models import PaySurvey, TrainerProfile

MAX_SURVEY_AGE_YEARS = 5

# The fields a survey is filed with; everything else on PaySurvey is derived or set by moderation.
SURVEY_FIELDS = (
    "period", "platform", "domain", "tier", "country", "task_type", "engagement", "amount", "currency", "unit",
    "hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week",
)  # fmt: skip
# What filing a survey may change on a stored one (a bulk update writes exactly these columns).
FILED_FIELDS = (
    *SURVEY_FIELDS, "hourly_usd", "effective_hourly_usd", "status", "status_reason", "verification", "reviewed_by",
    "reviewed_at", "updated_at",
)  # fmt: skip
# What a payout statement shows: changing any of these on a document-verified survey drops it back to the level of
# its account, and a new document can verify it again (docs/decisions/0016-document-verification.md).
DOCUMENTED_COLUMNS = (
    "platform_id", "period", "amount", "currency_id", "unit", "hours_per_week", "minutes_per_task", "project_hours",
)  # fmt: skip
FLAGGED_REASON = "Far outside the usual range for this domain and tier; an admin will review it."
# Checked by the service before model validation, which would check them again at a cost: foreign keys reach the
# services as objects read from the database (form choices, the ingestion's lookups), and model validation would ask
# the database whether each exists; the country is checked with one lookup (see _apply_fields). The database
# constraints still hold every foreign key.
CHECKED_BY_THE_SERVICE = ("trainer", "source", "platform", "domain", "currency", "reviewed_by", "country")


@dataclass(frozen=True)
class SurveyOutcome:
    survey: PaySurvey
    created: bool


@transaction.atomic
def trainer_profile_create(*, user, display_name: str, **fields) -> TrainerProfile:
    domains = fields.pop("domains", None)
    profile = TrainerProfile(user=user, display_name=display_name, **fields)
    validated(profile)
    profile.save()
    if domains is not None:
        profile.domains.set(domains)
    return profile


@transaction.atomic
def trainer_profile_update(*, profile: TrainerProfile, **fields) -> TrainerProfile:
    domains = fields.pop("domains", None)
    for name, value in fields.items():
        setattr(profile, name, value)
    validated(profile)
    profile.save()
    if domains is not None:
        profile.domains.set(domains)
    return profile


@functools.cache
def _oldest_month(today: datetime.date) -> datetime.date:
    return today.replace(day=1) - relativedelta(years=MAX_SURVEY_AGE_YEARS)


def survey_period(value: datetime.date | None, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the pay month, refusing months in the future or more than five years back."""
    if value is None:
        raise ServiceError("Choose the month the pay is for.", field="period")
    today = today or timezone.now().date()
    month = value.replace(day=1)
    if month > today.replace(day=1):
        raise ServiceError("The pay month cannot be in the future.", field="period")
    oldest = _oldest_month(today)
    if month < oldest:
        raise ServiceError(f"The pay month must be {oldest:%B %Y} or later (at most five years ago).", field="period")
    return month


def _apply_fields(survey: PaySurvey, fields: dict, *, rates=usd_rate) -> None:
    assign_fields(survey, fields, allowed=SURVEY_FIELDS, noun="survey")
    survey.period = survey_period(survey.period)
    # The raw code, not the field's Country object (building one costs more than all the checks here together).
    country = str(fields["country"] if "country" in fields else survey.__dict__.get("country") or "").upper()
    if country not in countries:  # a dictionary lookup; the field's own check walks every country's name
        raise ServiceError("Choose the country you work from (an ISO 3166-1 alpha-2 code, e.g. US).", field="country")
    survey.country = country
    if not survey.domain.active:
        raise ServiceError(f"The domain {survey.domain} is no longer offered; choose another.", field="domain")
    pay = survey.pay_terms.normalise(at=survey.period, rates=rates)
    survey.hourly_usd = pay.hourly_usd
    survey.effective_hourly_usd = pay.effective_hourly_usd


def account_counts_from(trainer: TrainerProfile) -> datetime.datetime | None:
    """When a trainer's surveys start counting toward the suppression threshold: once the account's email is verified
    and the account is ``BENCHMARK_ACCOUNT_MIN_AGE_DAYS`` old; None while its email is unverified (never yet)."""
    user = trainer.user
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return None
    return user.date_joined + datetime.timedelta(days=settings.BENCHMARK_ACCOUNT_MIN_AGE_DAYS)


def _observation_change(survey: PaySurvey, accounts: dict) -> tuple[dict | None, str | None]:
    """(observation values to upsert, origin to remove): an accepted or flagged survey has one observation (a flagged
    one is left out of the cells but counts for the outlier fences); a rejected or withdrawn one has none.
    ``accounts``: ``account_counts_from`` of the surveys' trainers, by trainer id."""
    if not survey.is_editable:
        return None, survey.origin
    values = {
        "origin": survey.origin,
        "kind": ObservationKind.REPORTED,
        "domain": survey.domain,
        "tier": survey.tier,
        "country": survey.__dict__["country"],  # the code itself, as _apply_fields stored it
        "period": survey.period,
        "hourly_usd": survey.hourly_usd,
        "source": survey.source,
        "contributor": survey.contributor,
        "platform": survey.platform,
        "flagged": survey.status == SurveyStatus.FLAGGED,
        "reviewed": survey.status == SurveyStatus.ACCEPTED and survey.reviewed_at is not None,
        # Imported and pushed rows have no trainer: never verified, whatever their file says.
        "verified": survey.trainer_id is not None and survey.verification == Verification.DOCUMENT,
    }
    if survey.trainer_id:
        values["account"] = accounts[survey.trainer_id]
    return values, None


def sync_observations(surveys: Sequence[PaySurvey], *, created: bool = False) -> None:
    """Bring the observations of saved surveys in line with their status, in a fixed number of queries.

    ``created``: the surveys were created in this transaction, so none has an observation yet.
    """
    trainers = {survey.trainer.pk: survey.trainer for survey in surveys if survey.trainer is not None}
    accounts = {pk: account_counts_from(trainer) for pk, trainer in trainers.items()}  # one look-up a trainer
    changes = [_observation_change(survey, accounts) for survey in surveys]
    observations_sync(
        upserts=[values for values, _ in changes if values],
        removals=[] if created else [origin for _, origin in changes if origin],
        unseen=created,
    )


def _sync_observation(survey: PaySurvey) -> None:
    sync_observations([survey])


def _screen(survey: PaySurvey, *, fences: FenceBook | None = None) -> None:
    """Accept the survey, or flag it for review when it is an outlier in its (domain, tier) today.

    A new filing needs a new review: an admin's earlier decision on other answers no longer stands. Later
    re-screening against fences from all the data may release or flag it (``surveys_follow_screening``).
    """
    survey.reviewed_by, survey.reviewed_at = None, None
    fences = fences or FenceBook()
    if fences.is_outlier(domain=survey.domain, tier=survey.tier, hourly_usd=survey.hourly_usd):
        survey.status = SurveyStatus.FLAGGED
        survey.status_reason = FLAGGED_REASON
    else:
        survey.status = SurveyStatus.ACCEPTED
        survey.status_reason = ""


def _refuse_duplicate(survey: PaySurvey) -> None:
    """An edit may not turn a survey into a second one for the same platform, domain and month."""
    clash = PaySurvey.objects.filter(
        trainer=survey.trainer_id, platform=survey.platform_id, domain=survey.domain_id, period=survey.period
    ).exclude(pk=survey.pk)
    if survey.trainer_id and clash.exists():
        raise ServiceError(
            "You already have a survey for this platform, domain and month; edit that one instead.", field="period"
        )


def _existing(*, trainer, source, external_id, platform, domain, period) -> PaySurvey | None:
    surveys = PaySurvey.objects.select_for_update()
    if trainer is not None:
        return surveys.filter(trainer=trainer, platform=platform, domain=domain, period=period).first()
    if external_id:
        return surveys.filter(source=source, external_id=external_id).first()
    return None


def refuse_rejected(existing: PaySurvey | None) -> None:
    if existing is not None and existing.status == SurveyStatus.REJECTED:
        raise ServiceError(
            f"Your survey for this platform, domain and month was rejected by an admin: {existing.status_reason}"
        )


def _documented(survey: PaySurvey) -> tuple:
    return tuple(getattr(survey, column) for column in DOCUMENTED_COLUMNS)


def prepare_filing(survey: PaySurvey, fields: dict, *, rates=usd_rate, fences: FenceBook | None = None) -> None:
    """Set a survey's answers, normalise its pay, screen it and validate it, in memory (the caller saves it)."""
    documented = _documented(survey) if survey.verification == Verification.DOCUMENT else None
    _apply_fields(survey, fields, rates=rates)
    if documented is not None and _documented(survey) != documented:
        survey.verification = Verification.UNVERIFIED  # the document no longer shows this pay
    _screen(survey, fences=fences)
    # The checks above already refused what the table constraints guard; skipping their per-constraint queries
    # halves the cost of a survey (bulk imports), and the database still enforces every one of them.
    # Uniqueness is the table constraints' (and the key lookups' above): model validation has none of its own to add.
    validated(survey, validate_constraints=False, validate_unique=False, exclude=CHECKED_BY_THE_SERVICE)


@transaction.atomic
def survey_submit(
    *, trainer: TrainerProfile | None, source: Source | None = None, external_id: str = "", **fields
) -> SurveyOutcome:
    """File a survey. A second one for the same trainer, platform, domain and month updates the first.

    Rows without a trainer (partner feeds, imports) are matched on (source, external_id) instead.
    """
    source = source or survey_form_source()
    fields["period"] = survey_period(fields.get("period"))
    existing = _existing(
        trainer=trainer, source=source, external_id=external_id,
        platform=fields.get("platform"), domain=fields.get("domain"), period=fields["period"],
    )  # fmt: skip
    refuse_rejected(existing)
    survey = existing or PaySurvey(trainer=trainer, source=source, external_id=external_id)
    prepare_filing(survey, fields)
    survey.save()
    _sync_observation(survey)
    return SurveyOutcome(survey=survey, created=existing is None)


@transaction.atomic
def survey_update(*, survey: PaySurvey, **fields) -> PaySurvey:
    """Change a survey's answers; it is screened again and its observation follows."""
    survey = PaySurvey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_editable:
        raise ServiceError(
            f"{with_article(survey.get_status_display().lower()).capitalize()} survey cannot be edited.",
            code="transition",
        )
    prepare_filing(survey, fields)
    _refuse_duplicate(survey)
    survey.save()
    _sync_observation(survey)
    return survey


def _transition(survey: PaySurvey, *, allowed: tuple, to: str, verb: str, reviewer=None, reason: str = "") -> PaySurvey:
    survey = PaySurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status not in allowed:
        raise ServiceError(
            f"{with_article(survey.get_status_display().lower()).capitalize()} survey cannot be {verb}.",
            code="transition",
        )
    survey.status = to
    survey.status_reason = reason
    if reviewer is not None:
        survey.reviewed_by = reviewer
        survey.reviewed_at = timezone.now()
    survey.save()
    _sync_observation(survey)
    return survey


@transaction.atomic
def survey_withdraw(*, survey: PaySurvey) -> PaySurvey:
    """The trainer takes a survey back: it leaves the benchmarks."""
    return _transition(survey, allowed=SurveyStatus.editable(), to=SurveyStatus.WITHDRAWN, verb="withdrawn")


@transaction.atomic
def survey_accept_flagged(*, survey: PaySurvey, reviewer) -> PaySurvey:
    """An admin accepts a flagged survey: it enters the benchmarks."""
    return _transition(
        survey, allowed=(SurveyStatus.FLAGGED,), to=SurveyStatus.ACCEPTED, verb="accepted", reviewer=reviewer
    )


@transaction.atomic
def survey_reject(*, survey: PaySurvey, reviewer, reason: str) -> PaySurvey:
    """An admin rejects a survey with a reason the trainer sees: it leaves the benchmarks."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Give the reason the survey is rejected; the trainer sees it.", field="reason")
    return _transition(
        survey,
        allowed=SurveyStatus.editable(),
        to=SurveyStatus.REJECTED,
        verb="rejected",
        reviewer=reviewer,
        reason=reason,
    )


def surveys_follow_screening(changes: dict[str, bool]) -> int:
    """Surveys follow the engine's re-screening ({origin: flagged}): released ones are accepted, newly flagged ones
    wait for review. Only statuses the screening owns change (an admin's decision stands). In the caller's
    transaction; returns how many surveys changed. Named by ``BENCHMARK_SCREENING_FOLLOWER``."""
    changed = 0
    for flagged, (status, reason, before) in {
        True: (SurveyStatus.FLAGGED, FLAGGED_REASON, SurveyStatus.ACCEPTED),
        False: (SurveyStatus.ACCEPTED, "", SurveyStatus.FLAGGED),
    }.items():
        ids = [
            pk
            for origin, now in changes.items()
            if now == flagged and (pk := PaySurvey.pk_of_origin(origin)) is not None
        ]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = PaySurvey.objects.filter(pk__in=chunk, status=before, reviewed_at__isnull=True)
            touched = list(rows.values_list("pk", flat=True))
            changed += rows.update(status=status, status_reason=reason, updated_at=timezone.now())
            history_snapshot(PaySurvey, touched, history_type="~")
    return changed


@transaction.atomic
def trainer_standing_refresh(*, user) -> int:
    """A trainer's account changed standing (its email was verified): its surveys' observations follow, so they
    count toward the suppression threshold from the right time. Returns how many surveys were refreshed."""
    surveys = list(
        PaySurvey.objects.select_for_update()
        .select_related("trainer__user", "domain", "source", "platform")
        .filter(trainer__user=user, status__in=SurveyStatus.editable())
    )
    sync_observations(surveys)
    return len(surveys)
