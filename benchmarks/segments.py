"""Reads of segment cells: one platform's reported pay, or verified observations only, published through the same
rules as every cell (``benchmarks.selectors.present``)."""

from django.db.models import QuerySet

from .choices import ObservationKind
from .models import ALL, VERIFIED, BenchmarkCell, Platform, platform_segment
from .selectors import DomainArg, PublishedCell, cells_published, domain_filter, present, published_q

__all__ = ["platform_cells", "platform_rows", "platforms_published", "segment_for"]


def segment_for(*, platform: Platform | None = None, verified: bool = False) -> str:
    """The segment a reader asks for: one platform's cells, the verified-only ones, or every observation's ("")."""
    if platform is not None:
        return platform_segment(platform.pk)
    return VERIFIED if verified else ""


def platforms_published() -> QuerySet[Platform]:
    """The platforms with at least one published cell (reported pay over all countries), by name."""
    ids = BenchmarkCell.objects.filter(published_q(), platform__isnull=False).values("platform_id")
    return Platform.objects.filter(pk__in=ids).order_by("name")


def platform_cells(platform: Platform, *, domain: DomainArg = None, tier: str | None = None) -> list[PublishedCell]:
    """A platform's cells (reported pay, all countries) by domain × tier, all domains and all tiers first, in the
    published order; suppressed ones included, to say so."""
    return cells_published(
        domain=domain, tier=tier, country=ALL, kind=ObservationKind.REPORTED, segment=platform_segment(platform.pk)
    )


def platform_rows(*, domain: DomainArg = ALL, tier: str = ALL) -> list[PublishedCell]:
    """Every platform's published cell of one (domain, tier) over all countries, by platform name: the explorer's
    "by platform" table."""
    found = (
        BenchmarkCell.objects.select_related("domain", "platform")
        .filter(published_q(), platform__isnull=False, tier=tier, country=ALL, kind=ObservationKind.REPORTED)
        .filter(**domain_filter(domain))
        .order_by("platform__name")
    )
    return [present(row) for row in found]
