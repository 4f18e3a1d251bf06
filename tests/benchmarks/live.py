"""Helpers for tests that run the engine in another process: a real Celery worker, or a process that is killed.

Those processes must open the test database, so they get its URL; the in-memory SQLite test database cannot be
shared, which is the only reason such a test may skip (CI runs on PostgreSQL, where nothing skips).
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.test import override_settings

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]


def shared_database_url() -> str | None:
    """A URL another process can open the current test database with; None for in-memory SQLite."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        return None if "memory" in name else f"sqlite:///{name}"
    user, password = settings.get("USER") or "", settings.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.local", "DATABASE_URL": database_url, **extra})
    return env


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen


@contextmanager
def celery_worker(database_url: str, redis_url: str) -> Iterator[Worker]:
    """A real ``celery -A portal worker`` on a queue of its own."""
    queue = f"test-benchmarks-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue,
               "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=process_env(database_url, REDIS_URL=redis_url),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        yield Worker(queue, process)
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        sys.stdout.write(output[-4000:])  # shown by pytest when the test fails


class RedisServer:
    """A ``redis-server`` of the test's own, on a free port, that the test may stop and start again: stopping the
    Redis that REDIS_URL names would break every other process using it."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=2)

    def start(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(self._answers, timeout=10):
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def _answers(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def celery_producer(*, broker_url: str, queue: str | None = None) -> Iterator[None]:
    """Make this process publish tasks to ``broker_url`` (and ``queue``) instead of running them eagerly."""
    from benchmarks.tasks import recompute_dirty_cells, recompute_rollup_cells

    live_tasks = (recompute_dirty_cells, recompute_rollup_cells)
    # The names the app reads from Django's settings (namespace CELERY): Celery before 5.7 lets them win over
    # the lower-case ones, so setting those would leave tasks running eagerly here, with no worker involved.
    saved = {key: app.conf[key] for key in ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL")}
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker_url)
    reset_broker_connections()
    if queue:
        for task in live_tasks:
            task.queue, task._exec_options = queue, None
    # As in production, the web process and the worker share one Redis for the broker and the cache (the worker
    # clears the "recompute queued" key this process sets).
    shared_cache = {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": broker_url,
                    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}  # fmt: skip
    try:
        with override_settings(CACHES={"default": shared_cache}):
            yield
    finally:
        app.conf.update(**saved)
        reset_broker_connections()
        for task in live_tasks:
            task.queue, task._exec_options = None, None


def reset_broker_connections() -> None:
    """Drop this process's pooled broker connections, so the next publish opens a fresh one."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps producer pools in a registry of its own; a closed one left there breaks every later .delay().
    pools.reset()


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
