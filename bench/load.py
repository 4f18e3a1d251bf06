"""Load and faults against the production stack: gunicorn + Celery worker + beat + PostgreSQL + Redis, on this machine.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--fault none|redis|worker|postgres]
                                   [--fault-at 20] [--fault-for 15] [--port 8765] [--redis-port 6391]
                                   [--database bench_load]

It makes a database of its own (--database, dropped and made anew) and starts a Redis of its own on --redis-port
(stopped at the end; a Redis other programs use is never touched), migrates, seeds a small demo, issues a partner
key, starts the stack with the production settings, then runs --clients threads for --seconds: each files a
one-row survey batch (``/api/v1/surveys/batch/`` under an Idempotency-Key), reads benchmarks (``/api/v1/benchmarks/``)
or browses the job board (``/jobs/``). With --fault it stops that Redis, kills the worker with SIGKILL, or restarts
PostgreSQL at --fault-at seconds, for --fault-for seconds, then brings it back.

Afterwards it waits for the dirty-cell backlog to drain (the periodic sweep runs every minute) and checks what must
hold: every survey the API accepted is in the database exactly once, and the published cells equal a full rebuild
from scratch. It prints requests, errors, p50/p95/max latency per kind, requests slower than 2 s, the catch-up time
and both checks; the exit status is 1 when a check fails. A worker or beat that exits on its own is restarted, as a
production supervisor does, and counted: any such exit fails the run too.
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from common import DEFAULT_SERVER, ROOT, create_database

DATABASE = "bench_load"
REDIS_PORT = 6391  # a port of its own: the fault stops this Redis, never one that other programs use
DOMAINS = ["generalist", "medicine", "law", "engineering", "software", "mathematics", "finance", "sciences"]
TIERS = ["entry", "skilled", "expert", "top_expert"]
COUNTRIES = ["US", "GB", "IN", "PH", "CA", "DE"]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def drop_and_create(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{DEFAULT_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    url = f"{DEFAULT_SERVER}/{name}"
    create_database(url)
    return url


class PrivateRedis:
    """A redis-server of the script's own on ``port``, without persistence, that the Redis fault stops and starts."""

    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, check=False)
        return done.stdout.strip() == "PONG"

    def start(self) -> None:
        if self.ping():
            raise SystemExit(f"something already answers on port {self.port}; choose another --redis-port")
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - the process keeps it for its lifetime
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.ping():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"redis-server did not start on port {self.port}; see {self.workdir / 'redis.log'}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Stack:
    """gunicorn, a Celery worker and beat, each a process of its own, with the production settings."""

    def __init__(self, env: dict, port: int, workdir: Path):
        self.env, self.port, self.workdir = env, port, workdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.exits: Counter = Counter()  # exits on their own, by process name
        self._stopping = True

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the process keeps it for its lifetime
        self.procs[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_web(self) -> None:
        self._start(
            "web",
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--threads",
                "8",
                "--timeout",
                "30",
            ],
        )

    def start_worker(self) -> None:
        self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
        )

    def start_beat(self) -> None:
        schedule = self.workdir / "beat-schedule"
        self._start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(schedule),
            ],
        )

    def supervise(self, log: list) -> None:
        """Restart the worker or beat when it exits on its own, as a supervisor does in production, and count it.

        Neither should exit on a fault (Celery 5.7.0's worker did while Redis was down, see
        docs/decisions/0003-celery-worker-redis-outage.md); restarting keeps the run's other checks meaningful when one
        does. A process killed on purpose (``kill``) is no longer listed here, so it is left down."""

        def run():
            while not self._stopping:
                for name, start in (("worker", self.start_worker), ("beat", self.start_beat)):
                    proc = self.procs.get(name)
                    if proc is not None and proc.poll() is not None:
                        self.exits[name] += 1
                        log.append(f"{time.strftime('%X')} {name} exited ({proc.returncode}); restarted")
                        start()
                time.sleep(1)

        self._stopping = False
        threading.Thread(target=run, daemon=True).start()

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        self._stopping = True
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def wait_for_http(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/domains/")
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the web server did not come up; see its log")


SLOW_STARTS: list[float] = []  # when each request slower than 2 s started (time.monotonic())


class Client(threading.Thread):
    """One simulated client: a fixed mix of survey pushes, benchmark reads and job-board pages."""

    def __init__(self, n: int, port: int, key: str, until: float, results: dict, accepted: list, lock):
        super().__init__(daemon=True)
        self.n, self.port, self.key, self.until = n, port, key, until
        self.results, self.accepted, self.lock = results, accepted, lock

    def request(self, kind: str, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        started = time.monotonic()
        status, data = 0, b""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            status, data = response.status, response.read()
            conn.close()
        except OSError as error:
            status, data = -1, str(error).encode()
        elapsed = time.monotonic() - started
        with self.lock:
            self.results[kind].append((elapsed, status))
            if elapsed > 2:
                SLOW_STARTS.append(started)
        return status, data

    def run(self) -> None:
        import random

        rng = random.Random(self.n)
        auth = {"Authorization": f"Api-Key {self.key}"}
        i = 0
        while time.monotonic() < self.until:
            i += 1
            roll = rng.random()
            if roll < 0.4:
                external_id = f"load-{self.n}-{i}-{uuid.uuid4().hex[:6]}"
                row = {
                    "period": time.strftime("%Y-%m"),
                    "platform": rng.choice(["Outlier", "mercor.com", "Appen"]),
                    "domain": rng.choice(DOMAINS),
                    "skill_tier": rng.choice(TIERS),
                    "country": rng.choice(COUNTRIES),
                    "currency": "USD",
                    "amount": f"{rng.lognormvariate(3.2, 0.35):.2f}",
                    "unit": "hour",
                    "external_id": external_id,
                }
                headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": external_id}
                status, data = self.request(
                    "survey", "POST", "/api/v1/surveys/batch/", json.dumps({"rows": [row]}), headers
                )
                if status == 200:
                    rows = json.loads(data)["rows"]
                    if rows and rows[0]["status"] in ("accepted", "flagged"):
                        with self.lock:
                            self.accepted.append(external_id)
            elif roll < 0.7:
                domain = rng.choice(DOMAINS)
                self.request("benchmarks", "GET", f"/api/v1/benchmarks/?domain={domain}", headers=auth)
            else:
                self.request("jobs", "GET", f"/jobs/?page={rng.randint(1, 3)}&sort=-rate")


def inject(fault: str, at: float, duration: float, stack: Stack, redis: PrivateRedis, log: list) -> threading.Thread:
    def run():
        time.sleep(at)
        log.append(f"{time.strftime('%X')} fault: {fault} for {duration:.0f} s")
        if fault == "redis":
            redis.stop()
            time.sleep(duration)
            redis.start()
        elif fault == "worker":
            stack.kill("worker")
            time.sleep(duration)
            stack.start_worker()
        elif fault == "postgres":
            version = sorted(os.listdir("/etc/postgresql"))[0]
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"], check=True
            )
        log.append(f"{time.strftime('%X')} fault over: {fault}")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def cells_snapshot() -> dict:
    from benchmarks.models import BenchmarkCell

    fields = ["contributors", "observations", "sources", "platforms", "p10", "p25", "p50", "p75", "p90"]
    return {row["cell_key"]: tuple(row[f] for f in fields) for row in BenchmarkCell.objects.values("cell_key", *fields)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fault", choices=["none", "redis", "worker", "postgres"], default="none")
    parser.add_argument("--fault-at", type=float, default=20)
    parser.add_argument("--fault-for", type=float, default=15)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-port", type=int, default=REDIS_PORT, help="port of the script's own Redis")
    parser.add_argument("--database", default=DATABASE, help="PostgreSQL database to drop and make anew")
    parser.add_argument("--drain-timeout", type=float, default=180, help="seconds to wait for the backlog")
    args = parser.parse_args()

    url = drop_and_create(args.database)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    redis = PrivateRedis(args.redis_port, workdir)
    redis.start()
    try:
        return run(args, url, redis, workdir)
    finally:
        redis.stop()


def run(args: argparse.Namespace, url: str, redis: PrivateRedis, workdir: Path) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": url,
        "REDIS_URL": redis.url,
        "LOG_LEVEL": "WARNING",
        # Load from one address must measure the portal, not the anonymous throttle.
        "API_THROTTLE_ANON": "1000000/min",
        "API_THROTTLE_PARTNER": "1000000/min",
    }
    os.environ.update(env)
    manage = [sys.executable, "manage.py"]
    print("Preparing the database (migrate, seed_demo, collectstatic, partner key)...", flush=True)
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_demo", "--surveys", "800", "--postings", "80"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    key = subprocess.run(
        [*manage, "create_partner_key", "Load test", "--scopes", "benchmarks:read,surveys:write"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    stack = Stack(env, args.port, workdir)
    fault_log: list[str] = []
    try:
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        stack.supervise(fault_log)
        wait_for_http(args.port)
        time.sleep(3)  # let the worker connect to the broker before the clock starts
        print(f"Load: {args.clients} clients for {args.seconds:.0f} s, fault: {args.fault}", flush=True)
        results: dict[str, list] = defaultdict(list)
        accepted: list[str] = []
        lock = threading.Lock()
        load_start = time.monotonic()
        until = load_start + args.seconds
        clients = [Client(n, args.port, key, until, results, accepted, lock) for n in range(args.clients)]
        fault = None
        if args.fault != "none":
            fault = inject(args.fault, args.fault_at, args.fault_for, stack, redis, fault_log)
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        if fault is not None:
            fault.join()
        load_over = time.monotonic()
        drained = drain(args.drain_timeout)
        catch_up = time.monotonic() - load_over
    finally:
        stack.stop()

    from django.db import connection

    from benchmarks import engine
    from trainers.models import PaySurvey

    connection.close()
    stored = dict(
        PaySurvey.objects.filter(external_id__in=accepted)
        .values_list("external_id")
        .annotate(n=django.db.models.Count("id"))
    )
    lost = [e for e in accepted if e not in stored]
    duplicated = [e for e, n in stored.items() if n != 1]
    published = cells_snapshot()
    engine.rebuild_all()
    rebuilt = cells_snapshot()
    differing = sorted(k for k in set(published) | set(rebuilt) if published.get(k) != rebuilt.get(k))

    print("\n".join(fault_log))
    total = sum(len(v) for v in results.values())
    errors = sum(1 for v in results.values() for _, status in v if status < 0 or status >= 500)
    slow = sum(1 for v in results.values() for elapsed, _ in v if elapsed > 2)
    by_status = Counter(status for v in results.values() for _, status in v if status < 0 or status >= 500)
    print(
        f"\nrequests {total:,} in {args.seconds:.0f} s ({total / args.seconds:,.0f}/s); errors (5xx or no answer) "
        f"{errors}; slower than 2 s {slow}"
    )
    if SLOW_STARTS:
        buckets = Counter(int((started - load_start) // 10) * 10 for started in SLOW_STARTS)
        print("requests slower than 2 s by when they started (s into the load): "
              + ", ".join(f"{b}–{b + 10}: {n}" for b, n in sorted(buckets.items())))  # fmt: skip
    if by_status:
        print("errors by status (-1: no answer): " + ", ".join(f"{k}: {n}" for k, n in sorted(by_status.items())))
    print(f"{'kind':<12}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind, values in sorted(results.items()):
        times = [elapsed * 1000 for elapsed, _ in values]
        errs = sum(1 for _, status in values if status < 0 or status >= 500)
        print(
            f"{kind:<12}{len(values):>10,}{errs:>8}{percentile(times, 0.5):>9.0f}{percentile(times, 0.95):>9.0f}"
            f"{max(times, default=0):>9.0f}"
        )
    print(
        f"\nsurveys accepted by the API: {len(accepted):,}; lost: {len(lost)}; stored more than once: {len(duplicated)}"
    )
    print(f"backlog drained: {'yes' if drained else 'NO'} ({catch_up:.0f} s after the load ended)")
    print(
        f"published cells equal a full rebuild: {'yes' if not differing else 'NO'} ({len(rebuilt):,} cells, "
        f"{len(differing)} differ)"
    )
    exits = ", ".join(f"{name} {n}" for name, n in sorted(stack.exits.items())) or "none"
    print(f"processes that exited on their own (and were restarted): {exits}")
    print(f"logs: {workdir}")
    return 0 if drained and not lost and not duplicated and not differing and not stack.exits else 1


def drain(timeout: float) -> bool:
    """Wait until no dirty cell is left (two looks in a row), or the timeout."""
    from django.db import OperationalError, connection

    from benchmarks.models import DirtyCell

    deadline = time.monotonic() + timeout
    clean_looks = 0
    while time.monotonic() < deadline:
        try:
            clean_looks = clean_looks + 1 if not DirtyCell.objects.exists() else 0
        except OperationalError:
            connection.close()
            clean_looks = 0
        if clean_looks >= 2:
            return True
        time.sleep(2)
    return False


if __name__ == "__main__":
    raise SystemExit(main())
