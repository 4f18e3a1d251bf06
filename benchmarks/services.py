"""Writes to the benchmark engine. Other apps hand in their pay data here and nowhere else."""

import datetime
import logging
import math
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from .choices import ObservationKind, SkillTier, SourceKind
from .engine.cells import log_quartiles
from .models import (
    DirtyCell,
    Domain,
    Observation,
    OutlierFence,
    Platform,
    PlatformAlias,
    Source,
    normalise_alias,
)

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
    # Insert only, never upsert: a recompute holds the rows it took until it commits, and an upsert of one of them
    # would make this write wait for it.
    DirtyCell.objects.bulk_create(rows)
    # One recompute per transaction is enough: it takes every dirty leaf (an import marks thousands in one go).
    # A callback registered in a savepoint that rolled back is gone from this list, so it is registered again.
    if not any(
        callback is _enqueue_recompute for _sids, callback, _robust in transaction.get_connection().run_on_commit
    ):
        # robust=True: with the broker down the change is still committed and listed dirty; the sweep recomputes it.
        transaction.on_commit(_enqueue_recompute, robust=True)


def _enqueue_recompute() -> None:
    from .tasks import recompute_dirty_cells

    recompute_dirty_cells.delay()


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
    """Tukey fences (k from settings) on log(hourly_usd) of reported pay in (domain, tier), or None if too few.

    Read from the quartiles the engine keeps in ``OutlierFence`` (refreshed with the cells), so a large import asks
    one indexed row per submission. A pair the engine has not computed yet is computed from the observations.
    """
    fence = (
        OutlierFence.objects.filter(domain=domain, tier=tier).values_list("observations", "q1_log", "q3_log").first()
    )
    if fence is None:
        fence = log_quartiles(
            Observation.objects.in_window()
            .filter(kind=ObservationKind.REPORTED, domain=domain, tier=tier)
            .values_list("hourly_usd", flat=True)
        )
    count, q1, q3 = fence
    if count < settings.BENCHMARK_OUTLIER_MIN_OBSERVATIONS:
        return None
    k = settings.BENCHMARK_OUTLIER_K
    spread = q3 - q1
    return Decimal(str(math.exp(q1 - k * spread))), Decimal(str(math.exp(q3 + k * spread)))


def is_outlier(*, domain: Domain, tier: str, hourly_usd: Decimal) -> bool:
    """Whether a rate falls outside the fences of its (domain, tier); never, while the pair has too few data."""
    fences = outlier_fences(domain=domain, tier=tier)
    return fences is not None and not fences[0] <= hourly_usd <= fences[1]
