"""Write paths for trainers and pay surveys. Pages, API, admin and imports all change surveys through here."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from benchmarks.choices import ObservationKind
from benchmarks.errors import ServiceError, assign_fields, validated, with_article
from benchmarks.models import Source
from benchmarks.normalisation import normalise_pay
from benchmarks.services import is_outlier, observation_remove, observation_upsert, survey_form_source

from .choices import SurveyStatus
from .models import PaySurvey, TrainerProfile

MAX_SURVEY_AGE_YEARS = 5

# The fields a survey is filed with; everything else on PaySurvey is derived or set by moderation.
SURVEY_FIELDS = (
    "period", "platform", "domain", "tier", "country", "task_type", "engagement", "amount", "currency", "unit",
    "hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week",
)  # fmt: skip
EDITABLE_STATUSES = (SurveyStatus.ACCEPTED, SurveyStatus.FLAGGED)


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


def survey_period(value: datetime.date, *, today: datetime.date | None = None) -> datetime.date:
    """The first day of the pay month, refusing months in the future or more than five years back."""
    if value is None:
        raise ServiceError("Choose the month the pay is for.", field="period")
    today = today or timezone.now().date()
    month = value.replace(day=1)
    if month > today.replace(day=1):
        raise ServiceError("The pay month cannot be in the future.", field="period")
    oldest = today.replace(day=1) - relativedelta(years=MAX_SURVEY_AGE_YEARS)
    if month < oldest:
        raise ServiceError(f"The pay month must be {oldest:%B %Y} or later (at most five years ago).", field="period")
    return month


def _apply_fields(survey: PaySurvey, fields: dict) -> None:
    assign_fields(survey, fields, allowed=SURVEY_FIELDS, noun="survey")
    survey.period = survey_period(survey.period)
    if not survey.domain.active:
        raise ServiceError(f"The domain {survey.domain} is no longer offered; choose another.", field="domain")
    pay = normalise_pay(
        amount=survey.amount,
        currency=survey.currency_id,
        unit=survey.unit,
        period=survey.period,
        hours_per_week=survey.hours_per_week,
        minutes_per_task=survey.minutes_per_task,
        project_hours=survey.project_hours,
        unpaid_hours_per_week=survey.unpaid_hours_per_week,
    )
    survey.hourly_usd = pay.hourly_usd
    survey.effective_hourly_usd = pay.effective_hourly_usd


def _sync_observation(survey: PaySurvey) -> None:
    """An accepted survey has exactly one observation; any other status has none."""
    if survey.status == SurveyStatus.ACCEPTED:
        observation_upsert(
            origin=survey.origin,
            kind=ObservationKind.REPORTED,
            domain=survey.domain,
            tier=survey.tier,
            country=str(survey.country),
            period=survey.period,
            hourly_usd=survey.hourly_usd,
            source=survey.source,
            contributor=survey.contributor,
            platform=survey.platform,
        )
    else:
        observation_remove(origin=survey.origin)


def _screen(survey: PaySurvey) -> None:
    """Accept the survey, or flag it for review when it is an outlier in its (domain, tier)."""
    if is_outlier(domain=survey.domain, tier=survey.tier, hourly_usd=survey.hourly_usd):
        survey.status = SurveyStatus.FLAGGED
        survey.status_reason = "Far outside the usual range for this domain and tier; an admin will review it."
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


@transaction.atomic
def survey_submit(
    *, trainer: TrainerProfile | None, source: Source | None = None, external_id: str = "", **fields
) -> SurveyOutcome:
    """File a survey. A second one for the same trainer, platform, domain and month updates the first.

    Rows without a trainer (partner feeds, imports) are matched on (source, external_id) instead.
    """
    source = source or survey_form_source()
    period = survey_period(fields.get("period"))
    fields["period"] = period
    existing = _existing(
        trainer=trainer, source=source, external_id=external_id,
        platform=fields.get("platform"), domain=fields.get("domain"), period=period,
    )  # fmt: skip
    if existing is not None and existing.status == SurveyStatus.REJECTED:
        raise ServiceError(
            f"Your survey for this platform, domain and month was rejected by an admin: {existing.status_reason}"
        )
    survey = existing or PaySurvey(trainer=trainer, source=source, external_id=external_id)
    _apply_fields(survey, fields)
    _screen(survey)
    # The checks above already refused what the table constraints guard; skipping their per-constraint queries
    # halves the cost of a survey (bulk imports), and the database still enforces every one of them.
    validated(survey, validate_constraints=False)
    survey.save()
    _sync_observation(survey)
    return SurveyOutcome(survey=survey, created=existing is None)


@transaction.atomic
def survey_update(*, survey: PaySurvey, **fields) -> PaySurvey:
    """Change a survey's answers; it is screened again and its observation follows."""
    survey = PaySurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status not in EDITABLE_STATUSES:
        raise ServiceError(
            f"{with_article(survey.get_status_display().lower()).capitalize()} survey cannot be edited.",
            code="transition",
        )
    _apply_fields(survey, fields)
    _refuse_duplicate(survey)
    _screen(survey)
    # The checks above already refused what the table constraints guard; skipping their per-constraint queries
    # halves the cost of a survey (bulk imports), and the database still enforces every one of them.
    validated(survey, validate_constraints=False)
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
    return _transition(survey, allowed=EDITABLE_STATUSES, to=SurveyStatus.WITHDRAWN, verb="withdrawn")


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
        survey, allowed=EDITABLE_STATUSES, to=SurveyStatus.REJECTED, verb="rejected", reviewer=reviewer, reason=reason
    )
