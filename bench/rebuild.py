"""Time a full benchmark rebuild against the bare GROUPING SETS query on PostgreSQL, with peak memory.

    .venv/bin/python bench/rebuild.py --rows 1000000 [--database-url postgres://...] [--repeat 3] [--reload]

Without --database-url it creates (once) and uses the database ``bench_benchmarks`` on 127.0.0.1:5432. The load is
skipped when the database already holds exactly --rows observations, unless --reload. Targets: rebuild / bare SQL
≤ 1.5, peak RSS of this process < 300 MB.
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


def rebuild() -> float:
    from benchmarks import engine

    started = time.perf_counter()
    engine.rebuild_all(progress=lambda message: None)
    return time.perf_counter() - started


def recompute_one_leaf() -> float:
    """A live recompute: one dirty leaf, its eight ancestors (the all-everything cell reads every row of its kind)."""
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
    args = parser.parse_args()

    url, owned = database_url(args.database_url)
    if owned:
        create_database(url)
    django_setup(url)
    if args.reload or observation_count() != args.rows:
        print(f"Loading {args.rows:,} synthetic observations with COPY...", flush=True)
        print(f"  loaded in {load_observations(args.rows):.1f} s", flush=True)
    from benchmarks.models import BenchmarkCell

    bare, full, leaf = [], [], []
    for run in range(args.repeat):
        bare.append(bare_sql())
        full.append(rebuild())
        leaf.append(recompute_one_leaf())
        print(
            f"  run {run + 1}: bare SQL {bare[-1]:.2f} s, rebuild {full[-1]:.2f} s, one-leaf recompute {leaf[-1]:.3f} s"
        )
    bare_s, full_s = statistics.median(bare), statistics.median(full)
    print(f"observations:           {observation_count():,}")
    print(f"cells published:        {BenchmarkCell.objects.count():,}")
    print(f"bare GROUPING SETS SQL: {bare_s:.2f} s (median of {args.repeat})")
    print(f"full rebuild:           {full_s:.2f} s (median of {args.repeat})")
    print(f"ratio rebuild / bare:   {full_s / bare_s:.2f} (target <= 1.5)")
    print(f"one-leaf recompute:     {statistics.median(leaf):.3f} s (median)")
    print(f"peak RSS:               {peak_rss_mb():.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
