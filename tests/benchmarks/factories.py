"""Small factories for benchmark-engine tests: domains, sources and observations, written straight to the tables.

``observations_seed`` writes many rows at once (bulk), for engine tests that compare against a numpy oracle; tests
of the write path go through ``benchmarks.services`` instead.
"""

import datetime
import itertools
import random
from decimal import Decimal

from django.utils import timezone

from benchmarks.choices import ObservationKind, SkillTier, SourceKind
from benchmarks.models import Domain, Observation, Platform, Source

_counter = itertools.count(1)


def this_month() -> datetime.date:
    return timezone.now().date().replace(day=1)


def domain_make(slug: str | None = None, *, position: int = 100) -> Domain:
    n = next(_counter)
    slug = slug or f"test-domain-{n}"
    return Domain.objects.create(slug=slug, name=slug.replace("-", " ").title(), position=position)


def source_make(slug: str | None = None, kind: str = SourceKind.IMPORT) -> Source:
    slug = slug or f"test-source-{next(_counter)}"
    return Source.objects.create(slug=slug, name=slug, kind=kind)


def observation_make(
    *,
    domain: Domain,
    hourly_usd: float | Decimal | str,
    tier: str = SkillTier.SKILLED,
    country: str = "US",
    kind: str = ObservationKind.REPORTED,
    contributor: str | None = None,
    source: Source | None = None,
    platform: Platform | None = None,
    period: datetime.date | None = None,
    party: str | None = None,
    counts_from: datetime.datetime | None = None,
    flagged: bool = False,
    verified: bool = False,
) -> Observation:
    """An observation written straight to the table; its party is its contributor unless given."""
    n = next(_counter)
    contributor = contributor or f"trainer:{n}"
    return Observation.objects.create(
        origin=f"test:{n}",
        kind=kind,
        domain=domain,
        tier=tier,
        country=country,
        period=period or this_month(),
        hourly_usd=Decimal(str(hourly_usd)),
        source=source or source_make(),
        platform=platform,
        contributor=contributor,
        party=contributor if party is None else party,
        counts_from=counts_from,
        flagged=flagged,
        verified=verified,
    )


def observations_seed(
    *,
    count: int,
    seed: int = 1,
    domains: list[Domain] | None = None,
    tiers: tuple[str, ...] = (SkillTier.ENTRY, SkillTier.SKILLED, SkillTier.EXPERT),
    countries: tuple[str, ...] = ("US", "IN", ""),
    contributors: int = 60,
    sources: int = 4,
) -> list[Observation]:
    """``count`` random observations over a few leaves, with repeated contributors, sources and platforms; about a
    third of them verified."""
    rng = random.Random(seed)
    verified = random.Random(seed + 1000)  # its own sequence: the other fields stay what they were before segments
    domains = domains or [domain_make(), domain_make()]
    source_rows = [source_make() for _ in range(sources)]
    platforms = [*Platform.objects.order_by("pk")[:3], None]
    month = this_month()
    rows = [
        Observation(
            origin=f"seed:{seed}:{i}",
            kind=rng.choice(ObservationKind.values),
            domain=rng.choice(domains),
            tier=rng.choice(tiers),
            country=rng.choice(countries),
            period=month,
            hourly_usd=Decimal(str(round(rng.lognormvariate(3.2, 0.6), 4))).quantize(Decimal("0.0001")),
            source=rng.choice(source_rows),
            platform=rng.choice(platforms),
            contributor=f"trainer:{rng.randrange(contributors)}",
        )
        for i in range(count)
    ]
    for row in rows:
        row.party = row.contributor
        row.verified = verified.random() < 0.35
    return Observation.objects.bulk_create(rows)
