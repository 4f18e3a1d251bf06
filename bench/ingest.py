"""Ingestion benchmark: 100,000 pay-survey rows through ``import_surveys`` and through ``surveys/batch/``.

    .venv/bin/python bench/ingest.py [--rows 100000] [--small 10000] [--batch-rows 1000] [--no-worker]
        [--worker-log FILE]

Needs PostgreSQL (default postgres://postgres@127.0.0.1:5432, database bench_ingest, created if missing) and Redis
(default redis://127.0.0.1:6379/4, used as the Celery broker: recompute messages are queued, as in production, and
the database is flushed at the end). Writes a synthetic CSV (2 % broken rows, some outliers, half without
external_id), then measures:

* ``import_surveys`` on a small file and on the full file, in a child process: rows/s and peak resident memory (the
  two peaks should be close: memory is flat in file size), then the full file again (every row unchanged);
* ``surveys/batch/`` under gunicorn: the same rows in 1,000-row requests with an Idempotency-Key each, one client
  after another, and the peak memory of the gunicorn workers.
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import create_database  # noqa: E402

COLUMNS = (
    "period", "platform", "domain", "skill_tier", "country", "currency", "amount", "unit", "hours_per_week",
    "minutes_per_task", "project_hours", "unpaid_hours_per_week", "task_type", "engagement", "external_id",
)  # fmt: skip
PLATFORMS = ["Outlier", "outlier.ai", "Mercor", "mercor.com", "DataAnnotation", "data annotation", "Remotasks",
             "Alignerr", "Appen", "TELUS Digital", "Surge AI", "Turing", "Prolific", "Toloka"]  # fmt: skip
DOMAINS = ["generalist", "medicine", "law", "engineering", "software", "mathematics", "finance", "sciences",
           "writing", "languages"]  # fmt: skip
TIERS = {"entry": 14.0, "skilled": 25.0, "expert": 55.0, "top_expert": 110.0}
COUNTRIES = [("US", "USD", 1.0), ("GB", "GBP", 1.27), ("IN", "INR", 0.012), ("PH", "PHP", 0.0175),
             ("DE", "EUR", 1.08), ("CA", "CAD", 0.73), ("KE", "KES", 0.0077), ("BR", "BRL", 0.18)]  # fmt: skip


def rows(count: int, *, seed: int = 7):
    """Deterministic synthetic rows: realistic pay in local currencies and several units, with a few broken ones."""
    rng = random.Random(seed)
    today = datetime.date.today().replace(day=1)
    months = [(today - datetime.timedelta(days=31 * m)).strftime("%Y-%m") for m in range(12)]
    for n in range(count):
        tier = rng.choice(list(TIERS))
        country, currency, usd = rng.choice(COUNTRIES)
        hourly = TIERS[tier] * rng.lognormvariate(0, 0.35) * (20 if rng.random() < 0.003 else 1)
        unit = rng.choices(["hour", "task", "week", "month"], weights=[70, 15, 10, 5])[0]
        row = dict.fromkeys(COLUMNS, "")
        row.update(period=rng.choice(months), platform=rng.choice(PLATFORMS), domain=rng.choice(DOMAINS),
            skill_tier=tier, country=country, currency=currency, unit=unit,
            task_type=rng.choice(["ranking", "sft_writing", "evaluation", ""]),
            engagement=rng.choice(["freelance", "part_time", ""]))  # fmt: skip
        hours = 1.0
        if unit == "task":
            row["minutes_per_task"] = str(rng.choice([5, 10, 15, 30]))
            hours = float(row["minutes_per_task"]) / 60
        elif unit in ("week", "month"):
            row["hours_per_week"] = str(rng.choice([10, 20, 40]))
            hours = float(row["hours_per_week"]) * (1 if unit == "week" else 52 / 12)
        row["amount"] = f"{hourly * hours / usd:.2f}"
        if rng.random() < 0.5:
            row["external_id"] = f"ext-{n}"
        else:
            row["hours_per_week"] = row["hours_per_week"] or str(10 + n % 31)  # rows without an id differ by content
        if rng.random() < 0.02:
            row[rng.choice(["domain", "period", "amount", "platform"])] = rng.choice(
                ["?", "astrology", "-5", "nowhere"]
            )
        yield row


def write_csv(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(count))


def run_import(path: Path, env: dict, source: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MB of the child, summary line) of one import_surveys run in a child process."""
    code = (
        "import resource, sys, subprocess;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "sys.stdout.write(r.stdout[-400:]); sys.stderr.write(r.stderr[-2000:]);"
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024);"
        "sys.exit(r.returncode)"
    )
    command = [sys.executable, "-c", code, sys.executable, str(ROOT / "manage.py"), "import_surveys", str(path),
               "--source", source, "-v0"]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or "PEAK" not in result.stdout:
        raise RuntimeError(result.stderr)
    lines = result.stdout.strip().splitlines()
    peak = float(lines[-1].split()[1])
    return seconds, peak, lines[-2] if len(lines) > 1 else ""


def post_batches(base: str, key: str, path: Path, batch_rows: int) -> tuple[float, int, dict]:
    totals: dict = {}
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        batch, number, sent = [], 0, 0
        for row in reader:
            batch.append({name: value for name, value in row.items() if value != ""})
            if len(batch) == batch_rows:
                summary = _post(base, key, batch, f"bench-{number}")
                number, sent, batch = number + 1, sent + len(batch), []
                for name, value in summary.items():
                    totals[name] = totals.get(name, 0) + (value if isinstance(value, int) else 0)
        if batch:
            summary = _post(base, key, batch, f"bench-{number}")
            sent += len(batch)
            for name, value in summary.items():
                totals[name] = totals.get(name, 0) + (value if isinstance(value, int) else 0)
    return time.perf_counter() - started, sent, totals


def _post(base: str, key: str, batch: list, idempotency_key: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/api/v1/surveys/batch/",
        data=json.dumps({"rows": batch}).encode(),
        headers={
            "Authorization": f"Api-Key {key}",
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())["summary"]


def worker_peaks(master_pid: int) -> float:
    """Peak resident memory (MB) of the largest gunicorn worker, from /proc."""
    peaks = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        lines = Path(f"/proc/{child}/status").read_text().splitlines()
        peaks.extend(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:"))
    return max(peaks, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_ingest")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--batch-rows", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18766)
    parser.add_argument("--no-worker", action="store_true", help="no Celery worker recomputing cells meanwhile")
    parser.add_argument("--worker-log", help="write the worker's log, with each pass and its duration, to this file")
    args = parser.parse_args()

    _reset_database(args.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env, check=True)
    # As in production, a Celery worker recomputes the cells (and the outlier fences) the imports mark dirty; on a
    # two-core machine it competes with the import for the cores. --no-worker measures the ingestion alone (the
    # recomputes queue up in Redis and are flushed at the end).
    worker = None
    if not args.no_worker:
        logging = ["--logfile", args.worker_log, "--loglevel", "INFO"] if args.worker_log else ["--loglevel", "WARNING"]
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "portal", "worker", "--concurrency", "1", *logging],
            env={**env, "LOG_LEVEL": "INFO"} if args.worker_log else env, cwd=ROOT,
        )  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    small, full = workdir / "small.csv", workdir / "full.csv"
    write_csv(small, args.small)
    write_csv(full, args.rows)
    print(f"Files: {args.small:,} rows ({small.stat().st_size / 1e6:.1f} MB), "
          f"{args.rows:,} rows ({full.stat().st_size / 1e6:.1f} MB)\n")  # fmt: skip

    print("import_surveys")
    for label, path, source in (
        (f"{args.small:,} rows", small, "bench-small"),
        (f"{args.rows:,} rows", full, "bench-full"),
        (f"{args.rows:,} rows again", full, "bench-full"),
    ):
        seconds, peak, line = run_import(path, env, source)
        count = args.small if path == small else args.rows
        print(f"  {label:24} {seconds:7.1f} s  {count / seconds:8,.0f} rows/s  peak RSS {peak:6.0f} MB   {line}")

    print("\nsurveys/batch/ (gunicorn, 1 client, sequential requests)")
    import django

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "LOG_LEVEL")})
    django.setup()
    from portal.api.services import partner_create, partner_key_issue

    partner = partner_create(name=f"Bench feed {secrets.token_hex(3)}", scopes="surveys:write")
    _, key = partner_key_issue(partner=partner)
    gunicorn_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.api", "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": "http://127.0.0.1", "API_THROTTLE_PARTNER": "1000000/min",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": str(20 * 1024 * 1024)}  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--bind",
         f"127.0.0.1:{args.port}", "--workers", "2", "--timeout", "600", "--log-level", "warning",
         "--chdir", str(ROOT)],
        env=gunicorn_env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for(base)
        seconds, sent, totals = post_batches(base, key, full, args.batch_rows)
        print(f"  {sent:,} rows in {args.batch_rows}-row requests: {seconds:7.1f} s  {sent / seconds:8,.0f} rows/s  "
              f"peak worker RSS {worker_peaks(server.pid):6.0f} MB   {totals}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        _flush_redis(args.redis_url)
    print(f"\n(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


def _wait_for(base: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/api/v1/tiers/", timeout=1)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _reset_database(url: str) -> None:
    """A fresh database each run, so the first import is a first import."""
    import psycopg

    create_database(url)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _flush_redis(url: str) -> None:
    """Drop the recompute messages the runs queued in the bench's own Redis database (no worker consumed them)."""
    import redis

    redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    main()
