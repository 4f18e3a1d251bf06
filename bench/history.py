"""Time the history backfill against a full rebuild in the same run, on PostgreSQL, with peak memory.

    .venv/bin/python bench/history.py --rows 1000000 [--months 30] [--database-url postgres://...] [--repeat 3]
        [--reload]

Without --database-url it creates (once) and uses the database ``history_bench`` on 127.0.0.1:5432. Observations are
generated as in ``rebuild.py`` but with periods spread over --months months (30). The load is skipped when the
database already holds exactly --rows observations, unless --reload. Each run times a full rebuild
(``engine.rebuild_all``) and then a backfill of the ``BENCHMARK_HISTORY_MONTHS`` (24) months
(``engine.backfill_history``). Targets: backfill / rebuild ≤ 3, peak RSS flat in the row count.
"""

import argparse
import statistics
import time

from common import DEFAULT_SERVER, create_database, django_setup, load_observations, observation_count, peak_rss_mb


def rebuild() -> float:
    from benchmarks import engine

    started = time.perf_counter()
    engine.rebuild_all(progress=lambda message: None)
    return time.perf_counter() - started


def backfill() -> tuple[float, int]:
    from benchmarks import engine

    started = time.perf_counter()
    written = engine.backfill_history()
    return time.perf_counter() - started, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=30, help="months the periods are spread over")
    parser.add_argument("--database-url", help="an existing PostgreSQL database (its observations are replaced)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="load fresh observations even if the count matches")
    args = parser.parse_args()

    url = args.database_url or f"{DEFAULT_SERVER}/history_bench"
    if not args.database_url:
        create_database(url)
    django_setup(url)
    if args.reload or observation_count() != args.rows:
        print(f"Loading {args.rows:,} synthetic observations over {args.months} months with COPY...", flush=True)
        print(f"  loaded in {load_observations(args.rows, months=args.months):.1f} s", flush=True)
    from django.conf import settings

    full, filled = [], []
    written = 0
    for run in range(args.repeat):
        full.append(rebuild())
        seconds, written = backfill()
        filled.append(seconds)
        print(f"  run {run + 1}: rebuild {full[-1]:.2f} s, backfill {filled[-1]:.2f} s", flush=True)
    full_s, filled_s = statistics.median(full), statistics.median(filled)
    print(f"observations:           {observation_count():,}")
    print(f"history points written: {written:,} ({settings.BENCHMARK_HISTORY_MONTHS} months)")
    print(f"full rebuild:           {full_s:.2f} s (median of {args.repeat})")
    print(f"history backfill:       {filled_s:.2f} s (median of {args.repeat})")
    print(f"ratio backfill/rebuild: {filled_s / full_s:.2f} (target <= 3)")
    print(f"peak RSS:               {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
