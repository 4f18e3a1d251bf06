"""Outlier screening: Tukey fences on log pay per (domain, tier), and every reported value re-screened against them.

The fences of a (domain, tier) come from the values, rounded to the cent, of all its reported observations in the
window that an admin has not rejected (a rejected survey has no observation), flagged ones included: quartiles are
robust to the outliers themselves, and a fence learned only from the values it kept could never heal from a narrow
start. Each time the fences are refreshed, the pair is re-screened: a flagged value now inside is released, an
accepted value now outside is flagged, and a value an admin accepted (``reviewed``) stays in. So after a rebuild
the flagged set is a function of the data alone, whatever order it arrived in (docs/decisions/0001). A live pass on
PostgreSQL reads the quartiles from the count state (decision 19), the rebuild from the observations.

The app that owns the screened rows (trainers: surveys) hears of every change through the dotted path in
``BENCHMARK_SCREENING_FOLLOWER``, called in the same transaction with {origin: flagged}.
"""

import datetime
import math
import time
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from ..choices import ObservationKind
from ..models import Domain, Observation, OutlierFence
from .cells import log_quartiles

Pair = tuple[int, str]  # (domain_id, tier)
Quartiles = tuple[int, float, float]  # (count, q1, q3) of log(hourly_usd)
Changes = dict[str, bool]  # origin -> flagged now
_CHUNK = 500


def tukey_fences(count: int, q1: float, q3: float) -> tuple[Decimal, Decimal] | None:
    """The (low, high) fences in US$ an hour from log quartiles, or None while the pair has too few values."""
    if count < settings.BENCHMARK_OUTLIER_MIN_OBSERVATIONS:
        return None
    k = settings.BENCHMARK_OUTLIER_K
    spread = q3 - q1
    return Decimal(str(math.exp(q1 - k * spread))), Decimal(str(math.exp(q3 + k * spread)))


def fences_refresh(
    *, since: datetime.date, quartiles_of: Callable[..., dict[Pair, Quartiles]], pairs: set[Pair] | None = None
) -> tuple[int, Changes, set[tuple]]:
    """Recompute and store the fences of ``pairs`` (every pair: None) from ``quartiles_of(since=, pairs=)``, then
    re-screen them.

    In the caller's transaction. Returns (pairs with fences, {origin: flagged} of the re-screened observations, the
    leaves those changes touch).
    """
    quartiles = quartiles_of(since=since, pairs=pairs)
    stale = OutlierFence.objects.all()
    if pairs is not None:
        match = Q(pk__in=[])
        for domain_id, tier in pairs:
            match |= Q(domain_id=domain_id, tier=tier)
        stale = stale.filter(match)
    stale.delete()
    now = timezone.now()
    OutlierFence.objects.bulk_create(
        [
            OutlierFence(domain_id=domain_id, tier=tier, observations=n, q1_log=q1, q3_log=q3, computed_at=now)
            for (domain_id, tier), (n, q1, q3) in quartiles.items()
        ],
        batch_size=2000,
    )
    changes: Changes = {}
    leaves: set[tuple] = set()
    for pair, values in quartiles.items():
        _rescreen(pair, tukey_fences(*values), since, changes, leaves)
    if changes and settings.BENCHMARK_SCREENING_FOLLOWER:
        import_string(settings.BENCHMARK_SCREENING_FOLLOWER)(changes)
    return len(quartiles), changes, leaves


def _rescreen(pair: Pair, fences, since: datetime.date, changes: Changes, leaves: set[tuple]) -> None:
    domain_id, tier = pair
    screened = Observation.objects.filter(
        kind=ObservationKind.REPORTED, domain_id=domain_id, tier=tier, period__gte=since, reviewed=False
    )
    outside = Q(pk__in=[]) if fences is None else Q(hourly_usd__lt=fences[0]) | Q(hourly_usd__gt=fences[1])
    for flag, rows in (
        (True, screened.filter(outside, flagged=False)),
        (False, screened.filter(~outside, flagged=True)),
    ):
        found = list(rows.values_list("pk", "origin", "country"))
        for start in range(0, len(found), _CHUNK):
            Observation.objects.filter(pk__in=[pk for pk, *_ in found[start : start + _CHUNK]]).update(
                flagged=flag, updated_at=timezone.now()
            )
        for _pk, origin, country in found:
            changes[origin] = flag
            leaves.add((domain_id, tier, country, ObservationKind.REPORTED))


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
