"""Writes to the benchmark engine: other apps hand in their pay data here as observations and nowhere else, and the
recompute each write asks for is queued here. Sources and platforms are in ``benchmarks.sources``, the outlier fences
read at filing time in ``benchmarks.engine.screening``."""

import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .bulk import insert_many
from .choices import ObservationKind, SkillTier, SourceKind
from .models import (
    DirtyCell,
    Domain,
    Observation,
    Platform,
    Source,
)

logger = logging.getLogger(__name__)

Leaf = tuple[int, str, str, str]  # (domain_id, tier, country, kind)


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


def history_months_changed(*, periods: Iterable[datetime.date]) -> None:
    """Observations of these periods were written in bulk (an import): once the caller's transaction commits, rewrite
    the history points of every month of the horizon whose window holds one of them."""
    from .engine.history import touched_months
    from .tasks import history_request

    history_request(touched_months(periods))


def _enqueue_bulk_recompute() -> None:
    from .tasks import recompute_request

    recompute_request(bulk=True)


def _enqueue_recompute() -> None:
    from .tasks import recompute_request

    recompute_request()


_KINDS, _TIERS = frozenset(ObservationKind.values), frozenset(SkillTier.values)
OBSERVATION_FIELDS = (
    "kind", "domain", "tier", "country", "period", "hourly_usd", "source", "contributor", "platform", "party",
    "counts_from", "flagged", "reviewed", "verified",
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
    if isinstance(account, datetime.datetime):
        return contributor, account
    if account is None:
        return "", None
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
    verified: bool = False,
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
        "verified": verified,
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

    Takes origin, kind, domain, tier, country, period, hourly_usd, source, contributor, platform and ``verified``
    (backed by proof); and, for reported pay, ``account`` (see ``independent_party``), ``flagged`` and ``reviewed``.
    """
    return observations_sync(upserts=[values])[values["origin"]]


def observation_remove(*, origin: str) -> None:
    """Remove the observation standing for ``origin``, if any, and mark its leaf dirty."""
    observations_sync(removals=[origin])
