"""Time a full benchmark rebuild against one sort of the window's values and the bare GROUPING SETS query, with
peak memory.

    .venv/bin/python bench/rebuild.py --rows 1000000 [--database-url postgres://...] [--repeat 3] [--reload] [--parts]

Without --database-url it creates (once) and uses the database ``bench_benchmarks`` on 127.0.0.1:5432. The load is
skipped when the database already holds exactly --rows observations, unless --reload. Each round times: one sort of
every value in the window (``percentile_cont`` over the table in one group, the floor of any exact computation), the
bare query, a full rebuild (which also holds the count state to its figures), a build of the count state alone, and
a one-leaf live pass. Targets: rebuild / one sort ≤ 4, peak RSS of this process < 300 MB. With --parts, one more
rebuild is timed step by step (the statement, the state check, fences and re-screening, publishing, the rest).
"""

import argparse
import statistics
import time

from common import create_database, database_url, django_setup, load_observations, observation_count, peak_rss_mb


def bare_sql() -> float:
    """The CUBE query alone, rows fetched, in a transaction with the engine's work_mem: the floor for a rebuild."""
    from django.db import connection, transaction

    from benchmarks.engine import postgres
    from benchmarks.querysets import window_start

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        postgres.tune_transaction()
        cursor.execute(postgres.CUBE_SQL, [window_start()] * postgres.CUBE_SQL.count("%s"))
        cursor.fetchall()
    return time.perf_counter() - started


def one_sort() -> float:
    """``percentile_cont`` over every value of the window in one group, rows fetched: one sort of the values."""
    from django.db import connection, transaction

    from benchmarks.engine import postgres
    from benchmarks.querysets import window_start

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        postgres.tune_transaction()
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY round(hourly_usd, 2)::float8) "
            "FROM benchmarks_observation WHERE period >= %s AND NOT flagged",
            [window_start()],
        )
        cursor.fetchall()
    return time.perf_counter() - started


def state_build() -> float:
    """The count state built from the observations, with the cells' counts of one full computation (not timed)."""
    from django.db import transaction

    from benchmarks.engine import counts, postgres
    from benchmarks.querysets import window_start

    stats = postgres.compute(since=window_start())
    started = time.perf_counter()
    with transaction.atomic():
        postgres.tune_transaction()
        counts.build(since=window_start(), stats=stats)
    return time.perf_counter() - started


def rebuild() -> float:
    from benchmarks import engine

    started = time.perf_counter()
    engine.rebuild_all(progress=lambda message: None)
    return time.perf_counter() - started


def rebuild_by_part() -> tuple[float, dict[str, float]]:
    """One more rebuild, with the engine's steps wrapped in timers: its seconds, and the seconds of each step."""
    from contextlib import ExitStack
    from unittest import mock

    from benchmarks import engine
    from benchmarks.engine import postgres
    from benchmarks.models import BenchmarkCell

    parts: dict[str, float] = {}

    def timed(name, function):
        def step(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - started

        return step

    steps = (
        (postgres, "compute", "the grouping-sets statement"),
        (engine, "_check_counts", "the state check (apply, then every cell read and compared)"),
        (engine, "fences_refresh", "every pair's fences from the observations, and re-screening"),
        (BenchmarkCell.objects, "bulk_create", "publishing the cells (bulk insert)"),
        (engine, "refresh_withheld_counts", "the withheld-count flags"),
    )
    with ExitStack() as stack:
        for owner, attribute, name in steps:
            stack.enter_context(mock.patch.object(owner, attribute, timed(name, getattr(owner, attribute))))
        seconds = rebuild()
    return seconds, parts


def recompute_one_leaf() -> float:
    """A live pass for one dirty leaf: on PostgreSQL its cells read from the count state."""
    from benchmarks import engine
    from benchmarks.models import DirtyCell, Observation

    leaf = Observation.objects.filter(kind="reported").values("domain_id", "tier", "country", "kind").first()
    DirtyCell.objects.create(**leaf)
    started = time.perf_counter()
    engine.recompute_dirty()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an existing PostgreSQL database (its observations are replaced)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="load fresh observations even if the count matches")
    parser.add_argument("--parts", action="store_true", help="then one more rebuild, timed step by step")
    args = parser.parse_args()

    url, owned = database_url(args.database_url)
    if owned:
        create_database(url)
    django_setup(url)
    if args.reload or observation_count() != args.rows:
        print(f"Loading {args.rows:,} synthetic observations with COPY...", flush=True)
        print(f"  loaded in {load_observations(args.rows):.1f} s", flush=True)
    from benchmarks.models import BenchmarkCell

    sort, bare, full, build, leaf = [], [], [], [], []
    for run in range(args.repeat):
        sort.append(one_sort())
        bare.append(bare_sql())
        full.append(rebuild())
        build.append(state_build())
        leaf.append(recompute_one_leaf())
        print(f"  run {run + 1}: one sort {sort[-1]:.2f} s, bare SQL {bare[-1]:.2f} s, rebuild {full[-1]:.2f} s, "
              f"state build {build[-1]:.2f} s, one-leaf pass {leaf[-1]:.3f} s")  # fmt: skip
    sort_s, bare_s, full_s = statistics.median(sort), statistics.median(bare), statistics.median(full)
    print(f"observations:           {observation_count():,}")
    print(f"cells published:        {BenchmarkCell.objects.count():,}")
    print(f"one sort of the values: {sort_s:.2f} s (median of {args.repeat})")
    print(f"bare GROUPING SETS SQL: {bare_s:.2f} s (median of {args.repeat})")
    print(f"full rebuild:           {full_s:.2f} s (median of {args.repeat})")
    print(f"count state build:      {statistics.median(build):.2f} s (median of {args.repeat})")
    print(f"ratio rebuild / sort:   {full_s / sort_s:.2f} (target <= 4)")
    print(f"ratio rebuild / bare:   {full_s / bare_s:.2f}")
    print(f"one-leaf live pass:     {statistics.median(leaf):.3f} s (median)")
    print(f"peak RSS:               {peak_rss_mb():.0f} MB (target < 300 MB)")
    if args.parts:
        sort_s = one_sort()
        seconds, parts = rebuild_by_part()
        print(f"one rebuild by step, against one sort of {sort_s:.2f} s measured just before it:")
        for name, part in [
            *sorted(parts.items(), key=lambda item: -item[1]),
            ("the rest", seconds - sum(parts.values())),
        ]:
            print(f"  {part:7.2f} s {part / sort_s:6.1f} x  {name}")
        print(f"  {seconds:7.2f} s {seconds / sort_s:6.1f} x  the whole rebuild")


if __name__ == "__main__":
    main()
