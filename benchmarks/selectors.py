"""The one read path to benchmark cells: every page, API endpoint, CSV, report and admin export reads them here.

Cells are stored raw and published through ``present``, which applies the privacy rules so no surface can forget
them: fewer than ``BENCHMARK_MIN_CONTRIBUTORS`` independent contributors publish nothing ("fewer than 5"), p10 and
p90 need ``BENCHMARK_MIN_CONTRIBUTORS_TAILS``, counts are bands of 5 or "withheld" (docs/decisions/0002 and 0006).
Percentiles are US dollars an hour, rounded to the cent. Naming cells: ``domain`` is a ``Domain``, its slug or
``ALL``; ``tier`` a ``SkillTier`` value or ``ALL``; ``country`` an ISO code, ``""`` (worldwide postings) or ``ALL``;
``kind`` "reported" or "advertised"; in filters ``None`` means any; ``segment`` "" (every observation, the default),
``VERIFIED`` or a platform's (``segment_for``). ``cells_ordered`` and ``cell_history_ordered`` give raw rows in the
published order for lists paged in the database; ``cells_published``, ``cell_get`` and ``cell_history`` give published
ones. A segment's cell is published only when the rest of its whole cell is empty or is itself above the thresholds
(docs/decisions/0015-segments.md).
"""

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    DateField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, Ord, Substr
from django.utils import translation
from django_countries import countries

from .choices import SKILL_TIER_ORDER, ObservationKind, SkillTier
from .models import (
    ALL,
    VERIFIED,
    BenchmarkCell,
    CellHistory,
    CellStats,
    Domain,
    cell_key,
)
from .privacy import COUNT_BAND, count_band

__all__ = [
    "ALL",
    "VERIFIED",
    "HistoryPoint",
    "PublishedCell",
    "cell_get",
    "cell_history",
    "cell_history_ordered",
    "cells_last_updated",
    "cells_ordered",
    "cells_published",
    "countries_published",
    "fewer_than_minimum",
    "present",
    "published_q",
    "verified_share",
]

DomainArg = Domain | str | None


@dataclass(frozen=True)
class PublishedCell:
    """A cell as every surface may show it: suppression already applied."""

    key: str
    domain: str  # slug, or ALL
    domain_name: str
    tier: str  # SkillTier value, or ALL
    tier_label: str
    country: str  # ISO code, "" (worldwide), or ALL
    country_label: str
    kind: str
    kind_label: str
    segment: str  # "" (every observation), "verified" or "platform:<id>"
    segment_label: str  # "", "Verified only" or the platform's name
    platform: str  # the platform's slug, or ""
    suppressed: bool  # fewer than BENCHMARK_MIN_CONTRIBUTORS: no statistics at all
    tails_suppressed: bool  # fewer than BENCHMARK_MIN_CONTRIBUTORS_TAILS: no p10 / p90
    counts_withheld: bool  # published percentiles, but no contributor or observation counts (differencing check)
    contributors_display: str  # the band ("10–14"), "fewer than 5" or "withheld"
    contributors: int | None  # the band's lower bound
    contributors_band: str | None  # "10–14" or "withheld"; None when suppressed
    observations: int | None  # the band's lower bound
    observations_band: str | None  # "10–14" or "withheld"; None when suppressed
    sources: int | None
    platforms: int | None
    verified_share: int | None  # percent of contributors verified, to the nearest 10; None where counts are not shown
    p10: float | None
    p25: float | None
    p50: float | None
    p75: float | None
    p90: float | None
    computed_at: datetime.datetime | None

    @property
    def label(self) -> str:
        """ "Medicine · Expert · United States", "All domains · All tiers · All countries"; a segment's name first."""
        label = f"{self.domain_name} · {self.tier_label} · {self.country_label}"
        return f"{self.segment_label} · {label}" if self.segment_label else label

    @property
    def why_not_published(self) -> str:
        """Why a suppressed cell shows no figures, in words; "" for a published one."""
        if not self.suppressed:
            return ""
        if self.contributors_display == fewer_than_minimum():
            return f"{self.contributors_display} contributors"
        return f"{self.contributors_display}, whose figures a subtraction would show"

    @property
    def percentile_points(self) -> list[tuple[int, float]]:
        """The published (percentile, US$ an hour) pairs, lowest first; empty when suppressed."""
        points = [(10, self.p10), (25, self.p25), (50, self.p50), (75, self.p75), (90, self.p90)]
        return [(rank, value) for rank, value in points if value is not None]

    def as_dict(self) -> dict:
        # The fields are plain values, so a shallow copy will do; dataclasses.asdict deep-copies each one.
        return dict(vars(self))


@dataclass(frozen=True)
class HistoryPoint(PublishedCell):
    """A cell's published statistics as recorded for one month."""

    month: datetime.date


@functools.lru_cache(maxsize=2048)
def _country_name(code: str, language: str | None) -> str:
    """A country's name in the active language, remembered: django-countries translates its whole list on each
    lookup, which made the names most of the cost of presenting a page of cells."""
    return str(countries.name(code) or code)


def _segment_label(row: CellStats) -> str:
    if row.segment == VERIFIED:
        return "Verified only"
    return row.platform.name if row.platform is not None else ""


def _labels(row: CellStats) -> dict:
    if row.domain is None:
        domain, domain_name = ALL, "All domains"
    else:
        domain, domain_name = row.domain.slug, row.domain.name
    if row.country == ALL:
        country_label = "All countries"
    elif row.country == "":
        country_label = "Worldwide (remote)"
    else:
        country_label = _country_name(row.country, translation.get_language())
    return {
        "key": row.cell_key,
        "domain": domain,
        "domain_name": domain_name,
        "tier": row.tier,
        "tier_label": "All tiers" if row.tier == ALL else SkillTier(row.tier).label,
        "country": row.country,
        "country_label": country_label,
        "kind": row.kind,
        "kind_label": ObservationKind(row.kind).label,
        "segment": row.segment,
        "segment_label": _segment_label(row),
        "platform": row.platform.slug if row.platform is not None else "",
    }


def _cents(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


WITHHELD = "withheld"


def fewer_than_minimum() -> str:
    """What a suppressed cell says of its contributors on every surface: "fewer than 5"."""
    return f"fewer than {settings.BENCHMARK_MIN_CONTRIBUTORS}"


def rest_too_small() -> str:
    """What a segment's cell says when it is held back because the rest of its whole cell is too small to show."""
    return f"not shown: fewer than {settings.BENCHMARK_MIN_CONTRIBUTORS} outside it"


def _publishes(independent: int, rest_independent: int, rest_observations: int, minimum: int) -> bool:
    """The suppression rule: enough independent contributors, and for a segment's cell, a rest of its whole cell
    that is empty or enough on its own (so subtracting the two cells shows nothing of a smaller group)."""
    return independent >= minimum and (rest_observations == 0 or rest_independent >= minimum)


def published_q() -> Q:
    """``_publishes`` at the main threshold, in SQL."""
    minimum = settings.BENCHMARK_MIN_CONTRIBUTORS
    return Q(independent__gte=minimum) & (Q(rest_observations=0) | Q(rest_independent__gte=minimum))


VERIFIED_SHARE_STEP = 10


def verified_share(row: CellStats) -> int | None:
    """The share of a cell's contributors with a verified observation, in percent, to the nearest 10 (a share is
    never shown finer, so with a count band it cannot pin the verified contributors down); None when the cell shows
    no counts."""
    if row.contributors == 0 or row.counts_withheld:
        return None
    share = 100 * row.verified / row.contributors
    return int(VERIFIED_SHARE_STEP * round(share / VERIFIED_SHARE_STEP))


def _band_label(n: int) -> str:
    """The published band of a count: 12 → "10–14"."""
    low = count_band(n)
    return f"{low:,}–{low + COUNT_BAND - 1:,}"


def _counts(row: CellStats) -> dict:
    if row.counts_withheld:
        return {
            "counts_withheld": True,
            "contributors_display": WITHHELD,
            **dict.fromkeys(["contributors", "observations"]),
            **dict.fromkeys(["contributors_band", "observations_band"], WITHHELD),
        }
    return {
        "counts_withheld": False,
        "contributors_display": _band_label(row.contributors),
        "contributors": count_band(row.contributors),
        "contributors_band": _band_label(row.contributors),
        "observations": count_band(row.observations),
        "observations_band": _band_label(row.observations),
    }


def _statistics(row: CellStats) -> dict:
    minimum, tails_minimum = settings.BENCHMARK_MIN_CONTRIBUTORS, settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS
    rest = (row.rest_independent, row.rest_observations)
    suppressed = not _publishes(row.independent, *rest, minimum)
    tails_suppressed = not _publishes(row.independent, *rest, tails_minimum)
    if suppressed:
        return {
            "suppressed": True,
            "tails_suppressed": True,
            "counts_withheld": False,
            "contributors_display": fewer_than_minimum() if row.independent < minimum else rest_too_small(),
            **dict.fromkeys(["contributors", "contributors_band", "observations", "observations_band"]),
            **dict.fromkeys(["sources", "platforms", "verified_share"]),
            **dict.fromkeys(["p10", "p25", "p50", "p75", "p90"]),
        }
    return {
        "suppressed": False,
        "tails_suppressed": tails_suppressed,
        **_counts(row),
        "sources": row.sources,
        "platforms": row.platforms,
        "verified_share": verified_share(row),
        "p10": None if tails_suppressed else _cents(row.p10),
        "p25": _cents(row.p25),
        "p50": _cents(row.p50),
        "p75": _cents(row.p75),
        "p90": None if tails_suppressed else _cents(row.p90),
    }


def present(row: BenchmarkCell | CellHistory) -> PublishedCell:
    """The published form of a raw cell or history row (its domain should be select_related)."""
    if isinstance(row, CellHistory):
        return _point(row)
    return PublishedCell(**_labels(row), **_statistics(row), computed_at=row.computed_at)


def _point(row: CellHistory) -> HistoryPoint:
    return HistoryPoint(**_labels(row), **_statistics(row), computed_at=row.recorded_at, month=row.month)


def _rank(field: str, values: list[str]) -> Case:
    """0 for the first value, 1 for the next, ...: an order that is not the values' alphabetical one, in SQL."""
    return Case(*(When(**{field: value}, then=rank) for rank, value in enumerate(values)), default=len(values))


def _letter(position: int) -> Combinable:
    return Ord(Substr("country", position, 1)) - 64  # A = 1 ... Z = 26


def _sort_key() -> ExpressionWrapper:
    """The documented order as one integer, so that the database sorts and pages the cells (a cursor names the last
    key it saw): all domains first, then by domain position (ties by id); all tiers, then tier order; all
    countries, worldwide, then the countries by code; advertised before reported."""
    domain = Case(When(domain__isnull=True, then=0), default=F("domain__position") + 1)
    domain_id = Coalesce("domain_id", 0)
    tier = _rank("tier", [ALL, *SKILL_TIER_ORDER])
    country = Case(When(country=ALL, then=0), When(country="", then=1), default=2 + 32 * _letter(1) + _letter(2))
    kind = _rank("kind", [ObservationKind.ADVERTISED, ObservationKind.REPORTED])
    # Widths: domain position < 2**16, domain id < 2**16, tier < 8, country < 1024, kind < 2; 46 bits in all.
    key = (((Cast(domain, BigIntegerField()) * 65536 + domain_id) * 8 + tier) * 1024 + country) * 2 + kind
    return ExpressionWrapper(key, output_field=BigIntegerField())


def domain_filter(domain: DomainArg) -> dict:
    if domain is None:
        return {}
    if domain == ALL:
        return {"domain__isnull": True}
    if isinstance(domain, Domain):
        return {"domain": domain}
    return {"domain__slug": domain}


def cells_ordered(
    *,
    domain: DomainArg = None,
    tier: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    segment: str = "",
    include_suppressed: bool = True,
) -> QuerySet[BenchmarkCell]:
    """Raw cells of one segment matching the filters (``None`` = any value, ``ALL`` = the all-values cells), in the
    published order (``sort_key``). Present each row with ``present`` before showing it: for a paginated list."""
    rows = BenchmarkCell.objects.select_related("domain", "platform").filter(segment=segment, **domain_filter(domain))
    if tier is not None:
        rows = rows.filter(tier=tier)
    if country is not None:
        rows = rows.filter(country=country if country == ALL else country.upper())
    if kind is not None:
        rows = rows.filter(kind=kind)
    if not include_suppressed:
        rows = rows.filter(published_q())  # what present() calls suppressed
    return rows.annotate(sort_key=_sort_key()).order_by("sort_key")


def cells_published(**filters) -> list[PublishedCell]:
    """Published cells matching the filters of ``cells_ordered``, in its order."""
    return [present(row) for row in cells_ordered(**filters)]


def countries_published() -> list[str]:
    """Codes of the countries some published (not suppressed) cell is about, in code order."""
    rows = BenchmarkCell.objects.filter(published_q(), segment="").exclude(country__in=[ALL, ""])
    return sorted(set(rows.values_list("country", flat=True)))


def _key_of(domain: DomainArg, tier: str, country: str, kind: str, segment: str = "") -> str | None:
    if domain is None or domain == ALL:
        domain_id = None
    elif isinstance(domain, Domain):
        domain_id = domain.pk
    else:
        domain_id = Domain.objects.filter(slug=domain).values_list("pk", flat=True).first()
        if domain_id is None:
            return None
    return cell_key(domain_id, tier, country if country == ALL else country.upper(), kind, segment)


def cell_get(
    *,
    domain: DomainArg = ALL,
    tier: str = ALL,
    country: str = ALL,
    kind: str = ObservationKind.REPORTED,
    segment: str = "",
) -> PublishedCell | None:
    """One published cell (``domain=None`` is taken as all domains), or None when it has no data."""
    key = _key_of(domain, tier, country, kind, segment)
    row = BenchmarkCell.objects.select_related("domain", "platform").filter(cell_key=key).first() if key else None
    return present(row) if row else None


def cell_history_ordered(
    *,
    domain: DomainArg = ALL,
    tier: str = ALL,
    country: str = ALL,
    kind: str = ObservationKind.REPORTED,
    segment: str = "",
    months: int | None = None,
) -> QuerySet[CellHistory]:
    """A cell's raw monthly history rows, oldest first; only the newest ``months`` of them when given. Present each
    row with ``present`` before showing it: for a paginated list."""
    key = _key_of(domain, tier, country, kind, segment)
    rows = CellHistory.objects.select_related("domain", "platform").filter(cell_key=key or "").order_by("month")
    if months is not None:
        newest = CellHistory.objects.filter(cell_key=key or "").order_by("-month").values("month")
        oldest_kept = Subquery(newest[months - 1 : months], output_field=DateField())
        rows = rows.filter(month__gte=Coalesce(oldest_kept, Value(datetime.date.min)))  # fewer months: all of them
    return rows


def cell_history(**filters) -> list[HistoryPoint]:
    """A cell's monthly history points, as ``cell_history_ordered`` finds them."""
    return [_point(row) for row in cell_history_ordered(**filters)]


def cells_last_updated() -> datetime.datetime | None:
    """When the most recently computed cell was computed; None before the first computation."""
    return BenchmarkCell.objects.aggregate(last=Max("computed_at"))["last"]
