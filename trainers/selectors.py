"""Reads for the trainer workspace: a trainer's own surveys, and where their pay sits."""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django_countries import countries

from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.errors import ServiceError
from benchmarks.models import Domain
from benchmarks.normalisation import PayTerms
from benchmarks.positioning import Position, percentile_rank, position_rate
from benchmarks.trends import Trend, cell_trend

from .choices import SurveyStatus
from .models import PaySurvey, TrainerProfile

PREVIEW_FIELDS = ("amount", "currency", "unit", "hours_per_week", "minutes_per_task", "project_hours")


def profile_for_user(*, user) -> TrainerProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return TrainerProfile.objects.filter(user=user).first()


def surveys_for_trainer(*, profile: TrainerProfile) -> QuerySet:
    """The trainer's surveys, newest month first, with what a row shows joined in."""
    return (
        PaySurvey.objects.filter(trainer=profile)
        .select_related("platform", "domain", "currency")
        .order_by("-period", "-id")
    )


def survey_for_trainer(*, profile: TrainerProfile, pk: int) -> PaySurvey:
    """One of the trainer's own surveys; raises DoesNotExist for anyone else's."""
    return surveys_for_trainer(profile=profile).get(pk=pk)


def survey_filed(*, profile: TrainerProfile, platform, domain, period) -> PaySurvey | None:
    """The trainer's survey for this platform, domain and month, if one is filed: filing again replaces it."""
    return surveys_for_trainer(profile=profile).filter(platform=platform, domain=domain, period=period).first()


def survey_versions(*, survey: PaySurvey) -> QuerySet:
    """Every recorded version of one survey, newest first (show it only to its trainer and admins)."""
    return survey.history.select_related("currency").order_by("-history_date", "-history_id")


@dataclass
class SurveyComparison:
    survey: PaySurvey
    position: Position | None


def survey_comparisons(*, profile: TrainerProfile) -> list[SurveyComparison]:
    """Each accepted survey positioned in its reported-pay cell, newest first.

    The positioning service picks the cell once per (domain, tier, country); further surveys in the same place are
    ranked against that cell, so the queries grow with the cells a trainer works in, not with their surveys.
    """
    anchors: dict[tuple, Position | None] = {}
    comparisons = []
    for survey in surveys_for_trainer(profile=profile).filter(status=SurveyStatus.ACCEPTED):
        key = (survey.domain_id, survey.tier, str(survey.country))
        if key not in anchors:
            anchors[key] = position = position_rate(
                domain=survey.domain, tier=survey.tier, country=key[2], rate=survey.hourly_usd
            )
        elif (anchor := anchors[key]) is None:
            position = None
        else:
            rank = percentile_rank(survey.hourly_usd, anchor.cell.percentile_points)
            position = Position(anchor.cell, anchor.fallback, rank.percentile, rank.beyond, None, None)
        comparisons.append(SurveyComparison(survey=survey, position=position))
    return comparisons


def pay_trends(*, comparisons: list[SurveyComparison]) -> list[Trend]:
    """A trainer's own effective hourly rate by month against the reported p25–p75 band of the cell each survey was
    compared with (the positioning's cell, or the exact cell where none is published): one trend a cell.

    The trainer's own rates go only to their own pages; the cell's figures come through the suppression-aware
    selectors, so a month under the minimum stays a gap.
    """
    groups: dict[tuple, dict] = {}
    for comparison in comparisons:
        survey = comparison.survey
        if comparison.position is not None:
            cell = comparison.position.cell
            where = {"domain": cell.domain, "tier": cell.tier, "country": cell.country}
        else:
            where = {"domain": survey.domain.slug, "tier": survey.tier, "country": str(survey.country)}
        key = (str(where["domain"]), where["tier"], where["country"])
        group = groups.setdefault(key, {"where": where, "own": {}})
        group["own"].setdefault(survey.period.replace(day=1), []).append(float(survey.effective_hourly_usd))
    trends = []
    for group in groups.values():
        own = {month: sorted(values) for month, values in group["own"].items()}
        trend = cell_trend(**group["where"], kinds=(ObservationKind.REPORTED,), own=own)
        trends.append(
            replace(trend, own_label="Your effective rate", label=trend.label or _cell_label(**group["where"]))
        )
    return trends


def _cell_label(*, domain: str, tier: str, country: str) -> str:
    """The label of a cell with no history at all, from the survey's own domain, tier and country."""
    name = Domain.objects.filter(slug=domain).values_list("name", flat=True).first() or domain
    country_name = countries.name(country) if country else "Worldwide (remote)"
    return f"{name} · {SkillTier(tier).label} · {country_name}"


@dataclass
class PayPreview:
    """A survey's pay as the form stands: normalised and effective USD an hour, and where it sits."""

    errors: dict[str, str] = field(default_factory=dict)
    hourly_usd: Decimal | None = None
    effective_hourly_usd: Decimal | None = None
    position: Position | None = None

    @property
    def has_unpaid(self) -> bool:
        return self.effective_hourly_usd is not None and self.effective_hourly_usd != self.hourly_usd


def pay_preview(data) -> PayPreview:
    """Normalise the pay typed into the survey form (nothing is stored) and position it among reported pay."""
    result = PayPreview()
    get = data.get
    if get("amount") in (None, ""):
        result.errors["amount"] = "Enter the amount you are paid."
        return result
    period = timezone.now().date()
    try:
        pay = PayTerms.from_data(data).normalise(at=period)
    except ServiceError as error:
        result.errors[error.field or "amount"] = error.text
        return result
    result.hourly_usd, result.effective_hourly_usd = pay.hourly_usd, pay.effective_hourly_usd
    domain_value, tier = get("domain"), get("tier") or ""
    domain = Domain.objects.active().filter(pk=domain_value).first() if str(domain_value or "").isdigit() else None
    if domain is not None and tier in SkillTier.values:
        result.position = position_rate(
            domain=domain, tier=tier, country=str(get("country") or "").upper(), rate=pay.hourly_usd
        )
    return result
