"""The live passes in one process, statement by statement, and the outlier fences from the state against SQL.

    .venv/bin/python bench/passes.py [--database-url postgres://...] [--rounds 8] [--writes 20] [--pairs 15]

Uses a database of bench/rebuild.py or bench/live.py as it is (``bench_benchmarks`` by default; it loads nothing, and
builds the count state only if there is none). Each round files --writes surveys through
``trainers.services.survey_submit``, with the enqueued recompute switched off, then runs the fast pass and the rollup
pass here. Prints each pass's seconds, the statements the fast passes spent most time in, and then the quartiles of
--pairs random (domain, tier) pairs twice: from the observations (``postgres.fences``) and from the count state
(``counts.fences``), with whether they are equal. The surveys stay in the database, as live.py's do.
"""

import argparse
import datetime
import random
import re
import statistics
import time
import uuid
from collections import defaultdict
from decimal import Decimal

from common import database_url, django_setup, observation_count

TIERS = ("entry", "skilled", "expert", "top_expert")


def statement_timer(spent: dict[str, float], calls: dict[str, int]):
    """A ``connection.execute_wrapper`` adding each statement's seconds under its first 90 characters."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = re.sub(r"\s+", " ", sql).strip()[:90]
            spent[key] += time.perf_counter() - started
            calls[key] += 1

    return wrapper


def file_surveys(count: int, rng: random.Random, run: str, round_number: int) -> None:
    from benchmarks.models import Currency, Domain, Platform
    from benchmarks.sources import source_get_or_create
    from trainers.services import survey_submit

    domains, platforms = list(Domain.objects.all()), list(Platform.objects.all())
    usd = Currency.objects.get(code="USD")
    source = source_get_or_create(slug="bench-passes", name="Bench passes", kind="partner")
    for number in range(count):
        survey_submit(
            trainer=None, source=source, external_id=f"passes:{run}:{round_number}:{number}",
            period=datetime.date.today().replace(day=1), platform=rng.choice(platforms), domain=rng.choice(domains),
            tier=rng.choice(TIERS), country=rng.choice(["US", "GB", "IN", "PH", "DE"]), currency=usd,
            amount=Decimal(str(round(rng.lognormvariate(3.3, 0.5), 2))), unit="hour",
        )  # fmt: skip


def passes(rounds: int, writes: int) -> None:
    from django.db import connection

    from benchmarks import engine, tasks

    # This script runs the passes itself: the recompute that writes and re-screening enqueue is switched off.
    engine._enqueue_recompute = lambda: None
    tasks.recompute_request = lambda *args, **kwargs: None
    rng, run = random.Random(3), uuid.uuid4().hex[:6]
    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    fast, rollup = [], []
    for round_number in range(rounds):
        file_surveys(writes, rng, run, round_number)
        with connection.execute_wrapper(statement_timer(spent, calls)):
            started = time.perf_counter()
            engine.recompute_domains()
            fast.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.recompute_rollups()
        rollup.append(time.perf_counter() - started)
    print(f"fast passes:   {' '.join(f'{s:.3f}' for s in fast)} s (median {statistics.median(fast):.3f} s)")
    print(f"rollup passes: {' '.join(f'{s:.3f}' for s in rollup)} s (median {statistics.median(rollup):.3f} s)")
    print(f"the fast passes' statements, most time first (seconds over {rounds} passes, calls):")
    for key, seconds in sorted(spent.items(), key=lambda item: -item[1])[:10]:
        print(f"  {seconds:7.3f} {calls[key]:5d}  {key}")


def fences(count: int) -> None:
    from django.db import transaction

    from benchmarks.engine import counts, postgres
    from benchmarks.models import Observation
    from benchmarks.querysets import window_start

    since = window_start()
    pairs = sorted(set(Observation.objects.filter(kind="reported").values_list("domain_id", "tier")))
    if not counts.holds(since=since):
        print("no count state for this window: run bench/rebuild.py or bench/live.py on this database first")
        return
    rng = random.Random(1)
    for attempt in (1, 2):
        chosen = set(rng.sample(pairs, min(count, len(pairs))))
        with transaction.atomic():
            postgres.tune_transaction()
            started = time.perf_counter()
            from_rows = postgres.fences(since=since, pairs=chosen)
            rows_seconds = time.perf_counter() - started
            started = time.perf_counter()
            from_state = counts.fences(since=since, pairs=chosen)
            state_seconds = time.perf_counter() - started
        print(f"fences of {len(chosen)} pairs ({attempt}): from the observations {rows_seconds:.3f} s, from the state "
              f"{state_seconds:.3f} s, equal: {from_rows == from_state}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database holding observations (default: bench's own)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--writes", type=int, default=20, help="surveys filed before each pass")
    parser.add_argument("--pairs", type=int, default=15, help="(domain, tier) pairs whose fences are compared")
    args = parser.parse_args()
    url, _owned = database_url(args.database_url)
    django_setup(url)
    print(f"observations: {observation_count():,}")
    passes(args.rounds, args.writes)
    fences(args.pairs)


if __name__ == "__main__":
    main()
