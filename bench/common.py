"""Shared set-up of the benchmark scripts: a PostgreSQL database of synthetic observations, loaded with COPY.

Not part of the portal: run from the repository root with the project's virtualenv (see bench/README.md).
"""

import datetime
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from dateutil.relativedelta import relativedelta

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "bench_benchmarks"

COUNTRIES = ["US", "GB", "CA", "AU", "IN", "PH", "KE", "NG", "BR", "MX", "PL", "DE", "FR", "ES", "IT", "NL", "SE",
             "JP", "KR", "ZA", "EG", "PK", "BD", "VN", "ID", "AR", "CO", "CL", "PE", "TR", "UA", "RO", "PT", "IE",
             "NZ", "SG", "MY", "TH", "IL", "AE"]  # fmt: skip
TIERS = ["entry", "skilled", "expert", "top_expert"]
TIER_MEDIAN = {"entry": 14.0, "skilled": 25.0, "expert": 55.0, "top_expert": 110.0}


def database_url(given: str | None) -> tuple[str, bool]:
    """The database to use and whether this script owns it (creates and may drop it)."""
    if given:
        return given, False
    return f"{DEFAULT_SERVER}/{DEFAULT_DATABASE}", True


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str, *, redis_url: str = "") -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_observations(rows: int, *, seed: int = 1, chunk: int = 100_000, months: int = 12) -> float:
    """Replace every observation (and cell) with ``rows`` synthetic ones, their periods spread evenly over the last
    ``months`` months, by COPY; returns seconds taken."""
    from django.db import connection, transaction

    from benchmarks.models import (
        BenchmarkCell,
        CountState,
        DirtyCell,
        Domain,
        Observation,
        ObservationDelta,
        OutlierFence,
        Platform,
        Source,
    )

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    domain_ids = list(Domain.objects.values_list("pk", flat=True))
    platform_ids = list(Platform.objects.values_list("pk", flat=True))
    sources = [
        Source.objects.get_or_create(slug=f"bench-{i}", defaults={"name": f"Bench feed {i}", "kind": "partner"})[0].pk
        for i in range(200)
    ]
    today = datetime.date.today().replace(day=1)
    periods = [today - relativedelta(months=m) for m in range(months)]
    domain_factor = {d: 1 + 0.15 * i for i, d in enumerate(domain_ids)}
    with transaction.atomic():
        for model in (BenchmarkCell, DirtyCell, OutlierFence, CountState, ObservationDelta):
            model.objects.all().delete()  # without a count state, the next pass or rebuild builds it from the rows
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Observation._meta.db_table}")
            cursor.execute("SET LOCAL session_replication_role = replica")  # a load lists no deltas
            columns = (
                "origin, kind, domain_id, tier, country, period, hourly_usd, source_id, platform_id, contributor, "
                "party, flagged, reviewed, verified, updated_at"
            )
            now = datetime.datetime.now(datetime.UTC)
            with cursor.cursor.copy(f"COPY {Observation._meta.db_table} ({columns}) FROM STDIN") as copy:
                for start in range(0, rows, chunk):
                    n = min(chunk, rows - start)
                    advertised = rng.random(n) < 0.3
                    domain = rng.choice(domain_ids, n)
                    tier = rng.choice(len(TIERS), n, p=[0.35, 0.35, 0.2, 0.1])
                    country = rng.choice(len(COUNTRIES) + 1, n)
                    month = rng.choice(len(periods), n)
                    noise = rng.lognormal(0, 0.45, n)
                    source = rng.choice(sources, n)
                    platform = rng.choice(len(platform_ids) + 1, n)
                    trainer = rng.integers(0, 150_000, n)
                    company = rng.integers(0, 3_000, n)
                    verified = rng.random(n) < 0.2  # drawn last: the other columns stay what they were
                    for i in range(n):
                        t = TIERS[tier[i]]
                        rate = round(TIER_MEDIAN[t] * domain_factor[domain[i]] * noise[i], 4)
                        c = country[i]
                        who = f"company:{company[i]}" if advertised[i] else f"trainer:{trainer[i]}"
                        copy.write_row((
                            f"bench:{start + i}", "advertised" if advertised[i] else "reported", int(domain[i]), t,
                            COUNTRIES[c] if c < len(COUNTRIES) else ("" if advertised[i] else "US"),
                            periods[month[i]], min(max(rate, 0.5), 2000), int(source[i]),
                            platform_ids[platform[i]] if platform[i] < len(platform_ids) else None,
                            who, who, False, False, bool(verified[i]), now,
                        ))  # fmt: skip
    # Outside the transaction (VACUUM cannot run in one). A table just loaded has no visibility map yet, so the
    # index-only scans of the live fast pass would read the heap as well: on a million rows that took live p95 from
    # 0.8 s to 3.1 s. Autovacuum sets the map within minutes of a load in production; the benchmarks measure that.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Observation._meta.db_table}")
    return time.perf_counter() - started


def observation_count() -> int:
    from benchmarks.models import Observation

    return Observation.objects.count()


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
