"""``python manage.py seed_demo [--seed N] [--surveys N] [--postings N]``: synthetic, deterministic demo data.

Every row goes through the services (see ``portal.demo``). Seeding is one transaction; a database that holds the
demo data already (the source "Synthetic demo data" exists) is left as it is, so running the command twice is safe.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from portal.demo import seed_demo

ADMIN_URL = "http://127.0.0.1:8000/admin/"
SITE_URL = "http://127.0.0.1:8000/accounts/login/"


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic demo data (labelled as such) through the services, rebuild the "
        "benchmarks and print how to sign in. Same seed, same rows; a database seeded already is left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025).")
        parser.add_argument("--surveys", type=int, default=3000, help="Pay surveys to file (default 3000).")
        parser.add_argument("--postings", type=int, default=400, help="Job postings to create (default 400).")

    def handle(self, *args, seed: int, surveys: int, postings: int, **options):
        if surveys < 10 or postings < 6:
            raise CommandError("Ask for at least 10 surveys and 6 postings, so that every status is represented.")
        started = time.perf_counter()
        report = seed_demo(seed=seed, surveys=surveys, postings=postings, say=self.stdout.write)
        if report.skipped:
            self.stdout.write(
                self.style.WARNING(
                    'Demo data is present already (source "Synthetic demo data"); nothing was changed. '
                    "Start from an empty database to seed again."
                )
            )
        else:
            counts = ", ".join(f"{name}: {value}" for name, value in sorted(report.counts.items()))
            self.stdout.write(f"Seeded with --seed {seed}: {counts}.")
            self.stdout.write(f"refused: {report.refused} out-of-range rows (never stored)")
            self.stdout.write(f"flagged for admin review: {report.flagged} outliers")
            self.stdout.write(f"benchmark cells published: {report.cells}")
            self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s."))
        self.stdout.write(
            f"\nSign in to the admin at {ADMIN_URL} (username and password), or to the site at {SITE_URL}"
        )
        self.stdout.write("(email and password):")
        for login in report.logins:
            password = login.password or "(an existing user: password unchanged)"
            self.stdout.write(f"  {login.role:<14} username {login.username:<13} email {login.email:<20} {password}")
