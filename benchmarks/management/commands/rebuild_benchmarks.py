"""``python manage.py rebuild_benchmarks``: recompute and publish every benchmark cell now, with progress."""

import time

from django.core.management.base import BaseCommand

from benchmarks import engine


class Command(BaseCommand):
    help = "Recompute every benchmark cell from the observations in the rolling window and publish them at once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history", action="store_true", help="Also record (or overwrite) this month's history point."
        )

    def handle(self, *args, history: bool = False, **options):
        started = time.perf_counter()
        count = engine.rebuild_all(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Published {count} cells in {time.perf_counter() - started:.2f} s."))
        if history:
            points = engine.record_history()
            self.stdout.write(self.style.SUCCESS(f"Recorded {points} history points for this month."))
