"""``python manage.py rebuild_benchmarks``: recompute and publish every benchmark cell now, with progress."""

import time

from django.core.management.base import BaseCommand

from benchmarks import engine
from benchmarks.engine import history


class Command(BaseCommand):
    help = (
        "Recompute every benchmark cell from the observations in the rolling window and publish them at once, then "
        "rewrite the history points of the last BENCHMARK_HISTORY_MONTHS months from the observations' periods."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--history", action="store_true", help="Accepted for older scripts: the history is always rewritten."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = engine.rebuild_all(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Published {count} cells in {time.perf_counter() - started:.2f} s."))
        started = time.perf_counter()
        months = history.horizon()
        self.stdout.write(f"Rewriting the history points of {months[0]:%Y-%m} to {months[-1]:%Y-%m}...")
        points = engine.backfill_history(months=months)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recorded {points} history points over {len(months)} months in {time.perf_counter() - started:.2f} s."
            )
        )
