"""Writes to the benchmark engine. Other apps hand in their pay data here and nowhere else."""

import datetime
import logging
import math
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from .choices import ObservationKind, SkillTier, SourceKind
from .models import DirtyCell, Domain, Observation, Platform, PlatformAlias, Source, normalise_alias

logger = logging.getLogger(__name__)

Leaf = tuple[int, str, str, str]  # (domain_id, tier, country, kind)

SURVEY_FORM_SOURCE = ("portal-survey-form", "Portal survey form")


def source_get_or_create(*, slug: str, name: str, kind: str) -> Source:
    if kind not in SourceKind.values:
        raise ValueError(f"unknown source kind {kind!r}")
    source, _ = Source.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
    return source


def survey_form_source() -> Source:
    slug, name = SURVEY_FORM_SOURCE
    return source_get_or_create(slug=slug, name=name, kind=SourceKind.SURVEY_FORM)


def platform_resolve(text: str) -> Platform | None:
    """The platform a free-text name or URL means, through its slug, name or aliases; None when unknown."""
    key = normalise_alias(text or "")
    if not key:
        return None
    platform = Platform.objects.filter(slug=key).first() or Platform.objects.filter(name__iexact=text.strip()).first()
    if platform is None:
        alias = PlatformAlias.objects.select_related("platform").filter(alias=key).first()
        platform = alias.platform if alias else None
    return platform


def _leaf(obs: Observation) -> Leaf:
    return (obs.domain_id, obs.tier, obs.country, obs.kind)


def cells_mark_dirty(*, leaves: Iterable[Leaf]) -> None:
    """List leaves as dirty in the caller's transaction and ask for a recompute once it commits."""
    rows = [DirtyCell(domain_id=d, tier=t, country=c, kind=k) for d, t, c, k in set(leaves)]
    if not rows:
        return
    DirtyCell.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["domain", "tier", "country", "kind"],
        update_fields=["marked_at"],
    )
    from .tasks import recompute_dirty_cells

    # robust=True: with the broker down the change is still committed and listed dirty; the sweep recomputes it.
    transaction.on_commit(recompute_dirty_cells.delay, robust=True)


@transaction.atomic
def observation_upsert(
    *,
    origin: str,
    kind: str,
    domain: Domain,
    tier: str,
    country: str,
    period: datetime.date,
    hourly_usd: Decimal,
    source: Source,
    contributor: str,
    platform: Platform | None = None,
) -> Observation:
    """Create or update the observation standing for ``origin``, marking old and new leaves dirty."""
    if kind not in ObservationKind.values or tier not in SkillTier.values:
        raise ValueError(f"bad observation kind {kind!r} or tier {tier!r}")
    previous = Observation.objects.select_for_update().filter(origin=origin).first()
    values = {
        "kind": kind,
        "domain": domain,
        "tier": tier,
        "country": country or "",
        "period": period.replace(day=1),
        "hourly_usd": hourly_usd,
        "source": source,
        "contributor": contributor,
        "platform": platform,
    }
    leaves = [_leaf(previous)] if previous else []
    if previous:
        for name, value in values.items():
            setattr(previous, name, value)
        previous.save()
        obs = previous
    else:
        obs = Observation.objects.create(origin=origin, **values)
    cells_mark_dirty(leaves=[*leaves, _leaf(obs)])
    return obs


@transaction.atomic
def observation_remove(*, origin: str) -> None:
    """Remove the observation standing for ``origin``, if any, and mark its leaf dirty."""
    obs = Observation.objects.filter(origin=origin).first()
    if obs is None:
        return
    leaf = _leaf(obs)
    obs.delete()
    cells_mark_dirty(leaves=[leaf])


def outlier_fences(*, domain: Domain, tier: str) -> tuple[Decimal, Decimal] | None:
    """Tukey fences (k from settings) on log(hourly_usd) of reported pay in (domain, tier), or None if too few."""
    values = sorted(
        math.log(float(v))
        for v in Observation.objects.in_window()
        .filter(kind=ObservationKind.REPORTED, domain=domain, tier=tier)
        .values_list("hourly_usd", flat=True)
    )
    if len(values) < settings.BENCHMARK_OUTLIER_MIN_OBSERVATIONS:
        return None
    q1, q3 = _linear_percentile(values, 0.25), _linear_percentile(values, 0.75)
    k = settings.BENCHMARK_OUTLIER_K
    spread = q3 - q1
    return Decimal(str(math.exp(q1 - k * spread))), Decimal(str(math.exp(q3 + k * spread)))


def is_outlier(*, domain: Domain, tier: str, hourly_usd: Decimal) -> bool:
    fences = outlier_fences(domain=domain, tier=tier)
    return fences is not None and not fences[0] <= hourly_usd <= fences[1]


def _linear_percentile(sorted_values: list[float], fraction: float) -> float:
    """Percentile by linear interpolation between closest ranks (PostgreSQL percentile_cont, numpy 'linear')."""
    position = (len(sorted_values) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)
