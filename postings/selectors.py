"""Reads of postings, applications and company workspaces for the pages. Each returns a QuerySet ready to render."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from benchmarks import charts
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.errors import ServiceError
from benchmarks.models import Domain
from benchmarks.normalisation import PayBand
from benchmarks.positioning import Position, position_rate
from benchmarks.selectors import PublishedCell
from benchmarks.trends import Trend, cell_trend

from .choices import ApplicationStatus, PostingStatus
from .filters import JobPostingFilterSet
from .models import Application, Company, JobPosting, Membership

BOARD_SORTS = {"newest": "-published_at", "rate": "-rate_max_usd"}


def board_filterset(*, params) -> JobPostingFilterSet:
    """The job board's filters over published postings, with everything a row of the list shows joined in."""
    postings = JobPosting.objects.published().select_related("company", "domain", "currency")
    return JobPostingFilterSet(data=params if params is not None else {}, queryset=postings)


def board_postings(*, params) -> tuple[JobPostingFilterSet, QuerySet]:
    """The filter set and the postings it selects, newest first unless ``sort`` asks otherwise. A filter that is not
    understood is left out (the filter set keeps its error, to show by the field) and the others still apply."""
    filterset = board_filterset(params=params)
    if filterset.is_valid():
        postings = filterset.qs
    else:
        understood = params.copy()
        for name in filterset.errors:
            understood.pop(name, None)
        rest = board_filterset(params=understood)
        postings = rest.qs if rest.is_valid() else rest.queryset.none()
    # The board offers two sorts, both descending (newest first, highest rate first); the shared FilterSet's
    # ascending spellings mean the same here, so a shared URL never shows the oldest or cheapest jobs first.
    sort = str((params or {}).get("sort", "")).lstrip("-")
    postings = postings.order_by(BOARD_SORTS.get(sort, BOARD_SORTS["newest"]), "-id")
    return filterset, postings


def latest_postings(*, limit: int = 6) -> QuerySet:
    return (
        JobPosting.objects.published().select_related("company", "domain", "currency").order_by("-published_at")[:limit]
    )


def posting_for_reader(*, pk: int, user) -> JobPosting:
    """A posting someone may open (published or ended, or managed by them); raises DoesNotExist otherwise."""
    return JobPosting.objects.readable_by(user).select_related("company", "domain", "currency").get(pk=pk)


def companies_for_user(*, user) -> QuerySet:
    return Company.objects.filter(memberships__user=user).order_by("name")


def company_for_member(*, slug: str, user) -> Company:
    """The company with ``slug`` if ``user`` is a member (staff: any); raises DoesNotExist otherwise."""
    companies = Company.objects.all() if user.is_staff else companies_for_user(user=user)
    return companies.get(slug=slug)


def company_postings(*, company: Company) -> QuerySet:
    """The company's postings with their domain, currency and counts of applications (open and all)."""
    return (
        JobPosting.objects.for_company(company)
        .select_related("domain", "currency", "company")
        .annotate(
            application_count=Count("applications", distinct=True),
            open_application_count=Count(
                "applications",
                filter=Q(applications__status__in=ApplicationStatus.open()),
                distinct=True,
            ),
        )
        .order_by("-updated_at", "-id")
    )


def company_postings_by_status(*, company: Company) -> list[tuple[str, str, list[JobPosting]]]:
    """(status value, label, postings) for each status, in the lifecycle's order, from one query."""
    groups: dict[str, list[JobPosting]] = {value: [] for value in PostingStatus.values}
    for posting in company_postings(company=company):
        groups[posting.status].append(posting)
    return [(status.value, status.label, groups[status.value]) for status in PostingStatus]


def company_posting(*, company: Company, pk: int) -> JobPosting:
    return JobPosting.objects.for_company(company).select_related("company", "domain", "currency").get(pk=pk)


def posting_applicants(*, posting: JobPosting) -> QuerySet:
    return (
        Application.objects.filter(posting=posting)
        .select_related("trainer__user", "trainer")
        .prefetch_related("trainer__domains")
        .order_by("-created_at", "-id")
    )


def applications_for_trainer(*, trainer) -> QuerySet:
    """A trainer's own applications, newest first, with the posting a row shows joined in."""
    return (
        Application.objects.filter(trainer=trainer)
        .select_related("posting__company", "posting__domain", "posting__currency")
        .order_by("-created_at", "-id")
    )


def company_application(*, company: Company, pk: int) -> Application:
    return Application.objects.for_company(company).select_related("posting", "trainer").get(pk=pk)


def company_members(*, company: Company) -> QuerySet:
    return Membership.objects.filter(company=company).select_related("user").order_by("role", "user__email")


# --- Where a band sits in the market ----------------------------------------------------------------------------

BAND_FIELDS = ("rate_min", "rate_max", "currency", "unit", "hours_per_week", "minutes_per_task", "project_hours")


@dataclass
class BandPosition:
    """A band normalised to USD an hour and placed in its closest published market cell, for pages to show.

    ``errors`` maps a form field to what is wrong with it; ``position`` is None when no cell on the fallback chain
    publishes figures (fewer than 5 contributors everywhere), and then nothing about the market is shown.
    """

    errors: dict[str, str] = field(default_factory=dict)
    min_usd: Decimal | None = None
    max_usd: Decimal | None = None
    position: Position | None = None
    needs: str = ""  # what is missing before the band can be positioned

    @property
    def cell(self) -> PublishedCell | None:
        return self.position.cell if self.position else None

    @property
    def below_p25(self) -> bool:
        """The top of the band is under the market's 25th percentile: most trainers in the cell earn more."""
        cell = self.cell
        return bool(cell and cell.p25 is not None and self.max_usd is not None and float(self.max_usd) < cell.p25)

    @property
    def band_lines(self) -> list[dict]:
        """The band's ends, to mark on a chart of the market."""
        if self.min_usd is None or self.max_usd is None:
            return []
        return [
            {"label": "Band minimum", "value": float(self.min_usd)},
            {"label": "Band maximum", "value": float(self.max_usd)},
        ]

    @property
    def chart(self) -> dict | None:
        cell = self.cell
        if cell is None or not self.band_lines:
            return None
        return charts.percentiles(cell, title=f"{cell.label} · {cell.kind_label}", lines=self.band_lines)

    @cached_property
    def trend(self) -> Trend | None:
        """The market cell's monthly history (the cell positioning used, both kinds), with the band marked on it."""
        cell = self.cell
        if cell is None:
            return None
        return cell_trend(
            domain=cell.domain, tier=cell.tier, country=cell.country, label=cell.label, lines=tuple(self.band_lines)
        )


def _domain_of(value) -> Domain | None:
    if isinstance(value, Domain):
        return value
    if value in (None, "") or "\x00" in str(value):  # no domain holds a NUL, and PostgreSQL refuses one in a query
        return None
    lookup = {"pk": value} if str(value).isascii() and str(value).isdigit() else {"slug": value}
    return Domain.objects.active().filter(**lookup).first()


def _normalise_band(result: BandPosition, data) -> None:
    """The band's ends in US dollars an hour on ``result``, or every field to fix in ``result.errors``."""
    for name, what in (("rate_min", "the band's minimum"), ("rate_max", "the band's maximum")):
        if data.get(name) in (None, ""):
            result.errors[name] = f"Enter {what}."
    if result.errors:
        return
    # Each end on its own, so that the preview names every field to fix; then the band rule.
    band, today = PayBand.from_data(data), timezone.now().date()
    for name, terms in (("min_usd", band.low), ("max_usd", band.high)):
        try:
            setattr(result, name, terms.normalise(at=today).hourly_usd)
        except ServiceError as error:
            result.errors.setdefault(error.field or terms.amount_field, error.text)
    if not result.errors:
        try:
            band.check_order()
        except ServiceError as error:
            result.errors[error.field or "rate_min"] = error.text


def band_position(data) -> BandPosition:
    """Normalise a band typed into the posting form (raw strings or a posting's values) and position it.

    Read-only: nothing is stored. The market is what trainers report they are paid; where no reported cell is
    published yet, advertised pay (other postings) is used instead, and the cell says which it is.
    """
    result = BandPosition()
    get = data.get
    _normalise_band(result, data)
    domain, tier = _domain_of(get("domain")), get("tier") or ""
    if domain is None and get("domain") not in (None, ""):
        result.errors["domain"] = "Choose one of the listed domains."
    if domain is None or tier not in SkillTier.values:
        result.needs = "Choose a domain and a skill tier to see where the band sits in the market."
    if result.errors or result.needs or domain is None or result.min_usd is None or result.max_usd is None:
        return result
    country = str(get("country") or "").upper()
    band = (result.min_usd, result.max_usd)
    for kind in (ObservationKind.REPORTED, ObservationKind.ADVERTISED):
        result.position = position_rate(domain=domain, tier=tier, country=country, kind=kind, band=band)
        if result.position is not None:
            break
    return result


def posting_position(posting: JobPosting) -> BandPosition:
    """Where a saved posting's band sits in the market."""
    result = BandPosition(min_usd=posting.rate_min_usd, max_usd=posting.rate_max_usd)
    band = (posting.rate_min_usd, posting.rate_max_usd)
    country = str(posting.country or "")
    for kind in (ObservationKind.REPORTED, ObservationKind.ADVERTISED):
        result.position = position_rate(domain=posting.domain, tier=posting.tier, country=country, kind=kind, band=band)
        if result.position is not None:
            break
    return result
