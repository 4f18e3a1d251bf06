"""Load benchmark of GET /api/v1/benchmarks/ under gunicorn on PostgreSQL and Redis, beside a bare JsonResponse.

    .venv/bin/python bench/api.py [--observations 200000] [--rounds 3] [--duration 10] [--connections 32] [--workers 5]

Needs PostgreSQL (default postgres://postgres@127.0.0.1:5432, database bench_api, created if missing), Redis
(default redis://127.0.0.1:6379/3) and ``wrk`` (Debian: ``apt-get install wrk``). Loads synthetic observations,
rebuilds the cells, issues a partner key, starts gunicorn with this module as its settings and URLconf (so the bare
view exists only here, never in the portal's URLs) and runs wrk against:

* ``/bench/bare/`` — a Django view returning a small ``JsonResponse``: the floor of the same stack (middleware,
  gunicorn, Python);
* ``/bench/bare-cells/?domain=medicine`` — the same 25 cells read through the selector and returned as a
  ``JsonResponse``: what the API adds on top of the work itself;
* ``/api/v1/benchmarks/?domain=medicine`` with the partner key — key check, throttle in Redis, suppression-aware
  selector, pagination;
* the same anonymously (throttled per IP), and a conditional poll that is answered 304.

Runs every endpoint in turn, ``--rounds`` times, and prints requests/s and p95 latency of each run, their medians, and
the ratio API / bare of each round with its median (target ≥ 0.5, p95 ≤ 100 ms at 32 connections).
"""

import os

if __name__ != "__main__":
    # Imported by gunicorn as DJANGO_SETTINGS_MODULE=bench.api: the production settings, plain HTTP on loopback,
    # and this module as the URLconf too: the portal's URLs plus the bare view. Django imports settings before its
    # apps are ready, so the URL patterns are built on first use (PEP 562 module __getattr__).
    from portal.settings.production import *  # noqa: F403

    SECURE_SSL_REDIRECT = False
    ROOT_URLCONF = "bench.api"
    LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

    def bare(request):
        from django.http import JsonResponse

        return JsonResponse({"next": None, "previous": None, "results": [{"key": "bare", "p50": 25.0}]})

    def bare_cells(request):
        """The same cells as the API's first page, straight from the selector: no DRF, key, throttle or cache."""
        from django.http import JsonResponse

        from benchmarks.selectors import cells_ordered, present

        rows = cells_ordered(domain=request.GET.get("domain"))[:25]
        return JsonResponse({"next": None, "previous": None, "results": [present(row).as_dict() for row in rows]})

    def __getattr__(name: str):
        if name == "urlpatterns":
            from django.urls import include, path

            return [
                path("bench/bare/", bare),
                path("bench/bare-cells/", bare_cells),
                path("", include("portal.urls")),
            ]
        raise AttributeError(name)

else:
    import argparse
    import re
    import secrets
    import statistics
    import subprocess
    import sys
    import tempfile
    import time
    import urllib.request
    from pathlib import Path

    ROOT = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(ROOT))
    from bench.common import create_database, django_setup, load_observations

    BARE = "bare JsonResponse"
    WRK_SCRIPT = """
    done = function(summary, latency, requests)
      io.write(string.format("RESULT %f %f %d %d\\n", summary.requests / (summary.duration / 1e6),
        latency:percentile(95) / 1000, summary.requests,
        summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
        + summary.errors.timeout))
    end
    """

    def wrk(url: str, *, duration: int, connections: int, headers: dict) -> tuple[float, float, int, int]:
        """(requests/s, p95 ms, requests, errors) of one wrk run."""
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script.name, "--timeout", "10s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
        os.unlink(script.name)
        match = re.search(r"RESULT (\S+) (\S+) (\d+) (\d+)", output)
        if not match:
            raise RuntimeError(f"wrk printed no result:\n{output}")
        return float(match[1]), float(match[2]), int(match[3]), int(match[4])

    def main() -> None:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
        parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
        parser.add_argument("--observations", type=int, default=200_000)
        parser.add_argument("--duration", type=int, default=10)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--connections", type=int, default=32)
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
        parser.add_argument("--port", type=int, default=18765)
        args = parser.parse_args()

        create_database(args.database_url)
        django_setup(args.database_url, redis_url=args.redis_url)
        from benchmarks import engine
        from benchmarks.models import BenchmarkCell
        from portal.api.services import partner_create, partner_key_issue
        from portal.models import Partner

        print(f"Loading {args.observations:,} observations and rebuilding the cells ...", flush=True)
        load_observations(args.observations)
        engine.rebuild_all()
        print(f"{BenchmarkCell.objects.count():,} cells.", flush=True)
        partner = Partner.objects.filter(name="Bench partner").first() or partner_create(
            name="Bench partner", scopes="benchmarks:read"
        )
        _, key = partner_key_issue(partner=partner)

        import socket

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", args.port)) == 0:
                raise SystemExit(f"Port {args.port} is in use (another server?); choose one with --port.")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.api",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            # Rates high enough that nothing is refused, so every request still pays for the throttle's bookkeeping.
            "API_THROTTLE_PARTNER": "100000000/min",
            "API_THROTTLE_ANON": "100000000/min",
            "PYTHONPATH": str(ROOT),
        }
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi:application", "--bind",
             f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--log-level", "warning", "--chdir", str(ROOT)],
            env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{args.port}"
        try:
            for _ in range(300):  # gunicorn boots slowly on a busy machine
                try:
                    urllib.request.urlopen(f"{base}/bench/bare/", timeout=1)  # noqa: S310 (loopback)
                    break
                except OSError:
                    time.sleep(0.2)
            api_url = f"{base}/api/v1/benchmarks/?domain=medicine"
            request = urllib.request.Request(api_url, headers={"Authorization": f"Api-Key {key}"})  # noqa: S310
            with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback)
                etag = response.headers["ETag"]
            keyed = {"Authorization": f"Api-Key {key}"}
            runs = [
                (BARE, f"{base}/bench/bare/", {}),
                ("bare JsonResponse of the same cells", f"{base}/bench/bare-cells/?domain=medicine", {}),
                ("benchmarks/ with a partner key", api_url, keyed),
                ("benchmarks/ anonymous", api_url, {}),
                ("benchmarks/ conditional poll (304)", api_url, {**keyed, "If-None-Match": etag}),
            ]
            print(
                f"\nwrk: {args.rounds} rounds of {args.duration}s a run, {args.connections} connections, "
                f"gunicorn {args.workers} sync workers"
            )
            for _label, url, headers in runs:  # warm-up: every worker imports, connects and fills its caches
                wrk(url, duration=3, connections=args.connections, headers=headers)
            # Rounds of every endpoint in turn: a drift of the machine's speed (other processes, CPU frequency)
            # then hits the bare view and the API alike, and each round gives its own ratio.
            results: dict[str, list] = {label: [] for label, _, _ in runs}
            for number in range(1, args.rounds + 1):
                for label, url, headers in runs:
                    results[label].append(wrk(url, duration=args.duration, connections=args.connections,
                                              headers=headers))  # fmt: skip
                    rps, p95, count, errors = results[label][-1]
                    print(f"  round {number}  {label:40} {rps:9,.0f} req/s   p95 {p95:7.2f} ms   "
                          f"({count:,} requests, {errors} errors)")  # fmt: skip
            print("\nmedian of the rounds:")
            for label, _, _ in runs:
                rps = statistics.median(r[0] for r in results[label])
                p95 = statistics.median(r[1] for r in results[label])
                print(f"{label:40} {rps:9,.0f} req/s   p95 {p95:7.2f} ms")

            def ratios(label: str, baseline: str) -> str:
                each = [a[0] / b[0] for a, b in zip(results[label], results[baseline], strict=True)]
                return f"{statistics.median(each):.2f} (rounds: {', '.join(f'{r:.2f}' for r in each)})"

            print(f"\nratio benchmarks/ (partner key) / bare: {ratios('benchmarks/ with a partner key', BARE)}"
                  " (target >= 0.5, p95 <= 100 ms)")  # fmt: skip
            print(f"ratio benchmarks/ (anonymous) / bare:   {ratios('benchmarks/ anonymous', BARE)}")
            print(f"ratio benchmarks/ (304 poll) / bare:    {ratios('benchmarks/ conditional poll (304)', BARE)}")
            print(f"ratio benchmarks/ (partner key) / bare JsonResponse of the same cells: "
                  f"{ratios('benchmarks/ with a partner key', 'bare JsonResponse of the same cells')}")  # fmt: skip
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=10)

    main()
