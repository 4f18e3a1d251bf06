"""Writes to the benchmark engine. Other apps hand in their pay data here and nowhere else."""

import datetime
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.utils import timezone

from .bulk import insert_many
from .choices import ObservationKind, SkillTier, SourceKind
from .engine.cells import log_quartiles
from .engine.screening import tukey_fences
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


@transaction.atomic
def source_set_trusted(*, source: Source, trusted: bool) -> Source:
    """An admin vouches for a partner feed (its rows count one by one toward the threshold) or takes that back.

    The parties of its stored observations follow at once, and the cells they are in are recomputed.
    """
    source = Source.objects.select_for_update().get(pk=source.pk)
    if source.trusted == trusted:
        return source
    source.trusted = trusted
    source.save(update_fields=["trusted"])
    rows = Observation.objects.filter(source=source, counts_from__isnull=True).exclude(party="")
    if source.kind == SourceKind.PARTNER:
        rows.update(party=F("contributor") if trusted else Value(f"source:{source.pk}"))
    cells_mark_dirty(leaves=rows.values_list("domain_id", "tier", "country", "kind").distinct())
    return source


def survey_form_source() -> Source:
    slug, name = SURVEY_FORM_SOURCE
    return source_get_or_create(slug=slug, name=name, kind=SourceKind.SURVEY_FORM)


def platform_resolve(text: str) -> Platform | None:
    """The platform a free-text name or URL means, through its slug, name or aliases; None when unknown."""
    return platforms_resolve([text])[text]


def platforms_resolve(texts: Iterable[str]) -> dict[str, Platform | None]:
    """``platform_resolve`` of many texts at once, in three queries: {text: platform or None}.

    A text is matched, in this order, by its normalised form against the slugs, by itself (trimmed, any case)
    against the names, and by its normalised form against the aliases.
    """
    found: dict[str, Platform | None] = dict.fromkeys(texts)
    # No name holds a NUL byte, and PostgreSQL refuses one in a query.
    keys = {text: key for text in found if "\x00" not in (text or "") and (key := normalise_alias(text or ""))}
    by_slug = {p.slug: p for p in Platform.objects.filter(slug__in=set(keys.values()))}
    for text, key in keys.items():
        found[text] = by_slug.get(key)
    unnamed = [text for text in keys if found[text] is None]
    if unnamed:
        names = Q()
        for text in unnamed:
            names |= Q(name__iexact=text.strip())
        candidates = list(Platform.objects.filter(names))  # ordered by name, as .first() of each would be
        for text in unnamed:
            wanted = text.strip().casefold()
            found[text] = next((p for p in candidates if p.name.casefold() == wanted), None)
    aliased = {keys[text] for text in keys if found[text] is None}
    if aliased:
        aliases = PlatformAlias.objects.select_related("platform").filter(alias__in=aliased)
        by_alias = {alias.alias: alias.platform for alias in aliases}
        for text in keys:
            if found[text] is None:
                found[text] = by_alias.get(keys[text])
    return found


def _leaf(obs: Observation) -> Leaf:
    return (obs.domain_id, obs.tier, obs.country, obs.kind)


def cells_mark_dirty(*, leaves: Iterable[Leaf]) -> None:
    """List leaves as dirty in the caller's transaction and ask for a recompute once it commits."""
    rows = [DirtyCell(domain_id=d, tier=t, country=c, kind=k) for d, t, c, k in set(leaves)]
    if not rows:
        return
    # Insert only, never upsert: a recompute holds the rows it took until it commits, and an upsert of one of them
    # would make this write wait for it.
    insert_many(DirtyCell, rows)
    if not _recompute_deferred.get():
        # Every marking asks; the commit's first callback enqueues the recompute, which takes every dirty leaf, and
        # the others find it queued (benchmarks.tasks.recompute_request). robust=True: with the broker down the
        # change is still committed and listed dirty; the sweep recomputes it.
        transaction.on_commit(_enqueue_recompute, robust=True)


_recompute_deferred: ContextVar[bool] = ContextVar("recompute_deferred", default=False)


@contextmanager
def recompute_deferred() -> Iterator[None]:
    """One recompute for a whole bulk write (an import, a pushed batch) instead of one after each commit in it.

    Inside, writes still list their leaves dirty in their own transactions, but enqueue nothing; on the way out one
    recompute is enqueued, after the caller's transaction commits if there is one, with a countdown
    (``benchmarks.tasks.bulk_countdown``) so that batches pushed one after another share a pass. A long import's
    leaves are also taken by the minute sweep meanwhile. Without this, each 1,000-row commit had the worker
    recompute nearly every domain cell from the whole table, back to back, and the two halved each other's speed.
    """
    token = _recompute_deferred.set(True)
    try:
        yield
    finally:
        _recompute_deferred.reset(token)
        # robust=True: with the broker down the change is still committed and listed dirty; the sweep recomputes it.
        transaction.on_commit(_enqueue_bulk_recompute, robust=True)


def _enqueue_bulk_recompute() -> None:
    from .tasks import recompute_request

    recompute_request(bulk=True)


def _enqueue_recompute() -> None:
    from .tasks import recompute_request

    recompute_request()


_KINDS, _TIERS = frozenset(ObservationKind.values), frozenset(SkillTier.values)
OBSERVATION_FIELDS = (
    "kind", "domain", "tier", "country", "period", "hourly_usd", "source", "contributor", "platform", "party",
    "counts_from", "flagged", "reviewed",
)  # fmt: skip

ACCOUNT = object()
"""``independent_party(account=...)`` default: the contributor is no portal account (a company, an imported row)."""


def independent_party(
    *, source: Source, contributor: str, account: object | datetime.datetime | None = ACCOUNT
) -> tuple[str, datetime.datetime | None]:
    """(party, counts_from): whom an observation counts for toward the suppression threshold, and from when.

    The threshold counts only contributors one party cannot manufacture (see docs/decisions/0002):

    * an untrusted partner feed counts as one party, however many rows it pushes;
    * a trusted partner feed, an admin's import and a company count row by row, or company by company;
    * a portal account counts from ``account`` on (when its email is verified and it is old enough; the trainers
      app decides), and not at all while ``account`` is None.
    """
    if account is not ACCOUNT:
        return (contributor, account) if account is not None else ("", None)
    if source.kind == SourceKind.PARTNER and not source.trusted:
        return f"source:{source.pk}", None
    return contributor, None


def _observation_values(
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
    account: object | datetime.datetime | None = ACCOUNT,
    flagged: bool = False,
    reviewed: bool = False,
) -> dict:
    if kind not in _KINDS or tier not in _TIERS:
        raise ValueError(f"bad observation kind {kind!r} or tier {tier!r}")
    party, counts_from = independent_party(source=source, contributor=contributor, account=account)
    return {
        "origin": origin,
        "kind": kind,
        "domain": domain,
        "tier": tier,
        "country": country or "",
        "period": period.replace(day=1),
        "hourly_usd": hourly_usd,
        "source": source,
        "contributor": contributor,
        "platform": platform,
        "party": party,
        "counts_from": counts_from,
        "flagged": flagged and not reviewed,
        "reviewed": reviewed,
    }


@transaction.atomic
def observations_sync(
    *, upserts: Iterable[dict] = (), removals: Iterable[str] = (), unseen: bool = False
) -> dict[str, Observation]:
    """Create or update many observations and remove others, marking every old and new leaf dirty once.

    ``upserts`` are dicts of ``observation_upsert``'s arguments; ``removals`` are origins (unknown ones are
    ignored). ``unseen=True`` says no upserted origin can have an observation yet (its row was created in this
    transaction), which skips looking them up. A fixed number of queries whatever the number of rows. Returns the
    upserted observations by origin.
    """
    wanted = {values["origin"]: values for values in (_observation_values(**v) for v in upserts)}
    removals = set(removals) - set(wanted)
    looked_up = [*removals] if unseen else [*wanted, *removals]
    current = (
        {obs.origin: obs for obs in Observation.objects.select_for_update().filter(origin__in=looked_up).order_by("pk")}
        if looked_up
        else {}
    )
    leaves = [_leaf(current[origin]) for origin in [*wanted, *removals] if origin in current]
    created, updated = [], []
    now = timezone.now()
    for origin, values in wanted.items():
        obs = current.get(origin)
        if obs is None:
            created.append(Observation(**values))
            continue
        for name in OBSERVATION_FIELDS:
            setattr(obs, name, values[name])
        obs.updated_at = now
        updated.append(obs)
    insert_many(Observation, created)
    if updated:
        Observation.objects.bulk_update(updated, [*OBSERVATION_FIELDS, "updated_at"])
    gone = [current[origin].pk for origin in removals if origin in current]
    if gone:
        Observation.objects.filter(pk__in=gone).delete()
    cells_mark_dirty(leaves=[*leaves, *(_leaf(obs) for obs in [*created, *updated])])
    return {obs.origin: obs for obs in [*created, *updated]}


def observation_upsert(**values) -> Observation:
    """Create or update the observation standing for ``values["origin"]``, marking old and new leaves dirty.

    Takes origin, kind, domain, tier, country, period, hourly_usd, source, contributor and platform; and, for
    reported pay, ``account`` (see ``independent_party``), ``flagged`` and ``reviewed``.
    """
    return observations_sync(upserts=[values])[values["origin"]]


def observation_remove(*, origin: str) -> None:
    """Remove the observation standing for ``origin``, if any, and mark its leaf dirty."""
    observations_sync(removals=[origin])


def outlier_fences(*, domain: Domain, tier: str) -> tuple[Decimal, Decimal] | None:
    """Tukey fences (k from settings) on log(hourly_usd) of reported pay in (domain, tier), or None if too few."""
    return FenceBook().fences(domain=domain, tier=tier)


class FenceBook:
    """Outlier fences of every (domain, tier), read once: a batch of thousands of surveys asks one query.

    Read from the quartiles the engine keeps in ``OutlierFence`` (refreshed with the all-domains cells). A pair the
    engine has not computed yet is computed from its observations. A book kept for a long import forgets what it
    read after ``max_age`` seconds (default: the rollup interval, the age of the engine's own fences at worst), so
    fences computed from a growing import follow it as the engine's would.
    """

    def __init__(self, *, max_age: float | None = None):
        self.max_age = float(getattr(settings, "BENCHMARK_ROLLUP_INTERVAL_SECONDS", 30)) if max_age is None else max_age
        self._read_at: float | None = None
        self._published: dict[tuple[int, str], tuple[int, float, float]] = {}
        self._fences: dict[tuple[int, str], tuple[Decimal, Decimal] | None] = {}

    def fences(self, *, domain: Domain, tier: str) -> tuple[Decimal, Decimal] | None:
        if self._read_at is None or time.monotonic() - self._read_at > self.max_age:
            rows = OutlierFence.objects.values_list("domain_id", "tier", "observations", "q1_log", "q3_log")
            self._published = {(d, t): (n, q1, q3) for d, t, n, q1, q3 in rows}
            self._fences = {}
            self._read_at = time.monotonic()
        key = (domain.pk, tier)
        if key not in self._fences:
            fence = self._published.get(key) or log_quartiles(
                Observation.objects.in_window()
                .filter(kind=ObservationKind.REPORTED, domain=domain, tier=tier)
                .values_list("hourly_usd", flat=True)
            )
            self._fences[key] = tukey_fences(*fence)
        return self._fences[key]

    def is_outlier(self, *, domain: Domain, tier: str, hourly_usd: Decimal) -> bool:
        """Whether a rate falls outside the fences of its (domain, tier); never, while the pair has too few data."""
        fences = self.fences(domain=domain, tier=tier)
        return fences is not None and not fences[0] <= hourly_usd <= fences[1]


def is_outlier(*, domain: Domain, tier: str, hourly_usd: Decimal) -> bool:
    """Whether a rate falls outside the fences of its (domain, tier); never, while the pair has too few data."""
    return FenceBook().is_outlier(domain=domain, tier=tier, hourly_usd=hourly_usd)
