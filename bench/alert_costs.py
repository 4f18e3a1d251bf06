"""What the alerts cost: matching one published posting against N saved searches, and one band check over the
published postings of a domain (and of every domain, after a rebuild).

    .venv/bin/python bench/alert_costs.py [--searches 2000] [--postings 2000] [--rows 200000] [--database-url ...]

Uses (and creates) the PostgreSQL database ``alerts_bench`` unless given one: its observations are replaced by
``--rows`` synthetic ones (bench/common.py) and every cell rebuilt; then ``--searches`` saved searches with random
filters and ``--postings`` published postings (10 domains, 4 tiers, 5 countries) are written directly. Prints the
median seconds and the number of queries of each step. No email is sent.
"""

import argparse
import datetime
import random
import statistics
import time
from decimal import Decimal

from common import create_database, django_setup, load_observations

COUNTRIES = ["US", "GB", "IN", "PH", ""]


def timed(step, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            step()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries


def seed(searches: int, postings: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from alerts.models import BandAlert, BandPosition, SavedSearch
    from alerts.searches import search_filter
    from benchmarks.models import Currency, Domain
    from postings.models import Company, JobPosting

    rng = random.Random(7)
    SavedSearch.objects.all().delete()
    BandAlert.objects.all().delete()
    BandPosition.objects.all().delete()
    JobPosting.objects.filter(company__slug="alerts-bench").delete()
    user_model = get_user_model()
    users = [user_model.objects.get_or_create(username=f"alerts-bench-{i}")[0] for i in range(200)]
    slugs = list(Domain.objects.values_list("slug", flat=True))
    rows = []
    for _ in range(searches):
        params = {"domain": rng.choice(slugs), "min_usd": str(rng.choice([0, 20, 40, 80]))}
        if rng.random() < 0.5:
            params["tier"] = rng.choice(["entry", "skilled", "expert", "top_expert"])
        if rng.random() < 0.5:
            params["country"] = rng.choice(COUNTRIES[:-1])
        query, domain = search_filter(params)
        rows.append(SavedSearch(user=rng.choice(users), query=query, domain=domain, frequency="instant", name="b"))
    SavedSearch.objects.bulk_create(rows, batch_size=1000)
    company, _ = Company.objects.get_or_create(slug="alerts-bench", defaults={"name": "Alerts bench"})
    usd, domains, now = Currency.objects.get(code="USD"), list(Domain.objects.all()), timezone.now()
    jobs = []
    for i in range(postings):
        low = Decimal(rng.randint(10, 120))
        jobs.append(
            JobPosting(
                company=company,
                title=f"Bench job {i}",
                description="-",
                domain=domains[i % len(domains)],
                tier=rng.choice(["entry", "skilled", "expert", "top_expert"]),
                country=rng.choice(COUNTRIES),
                rate_min=low,
                rate_max=low + 10,
                rate_min_usd=low,
                rate_max_usd=low + 10,
                currency=usd,
                unit="hour",
                status="published",
                published_at=now,
                expires_at=now + datetime.timedelta(days=60),
            )
        )
    JobPosting.objects.bulk_create(jobs, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=2000)
    parser.add_argument("--postings", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/alerts_bench")
    args = parser.parse_args()
    create_database(args.database_url)
    django_setup(args.database_url)

    from alerts import bands, searches
    from alerts.models import SearchMatch
    from benchmarks import engine
    from postings.models import JobPosting

    print(f"Loading {args.rows:,} observations and rebuilding the cells...")
    load_observations(args.rows)
    engine.rebuild_all(progress=lambda _text: None)
    seed(args.searches, args.postings)
    posting = JobPosting.objects.filter(company__slug="alerts-bench").order_by("pk").first()
    domain_id = posting.domain_id
    in_domain = JobPosting.objects.published().filter(domain_id=domain_id).count()

    def match() -> None:
        SearchMatch.objects.filter(posting=posting).delete()
        searches.matches_record(posting_id=posting.pk)

    seconds, queries = timed(match, args.repeat)
    print(f"match one posting against {args.searches:,} saved searches: {seconds:.3f} s, {queries} queries")
    seconds, queries = timed(lambda: bands.band_checks(domain_ids=[domain_id]), args.repeat)
    print(f"band check of one domain ({in_domain:,} published postings): {seconds:.3f} s, {queries} queries")
    total = JobPosting.objects.published().count()
    seconds, queries = timed(lambda: bands.band_checks(domain_ids=None), 1)
    print(f"band check of every domain ({total:,} published postings): {seconds:.3f} s, {queries} queries")


if __name__ == "__main__":
    main()
