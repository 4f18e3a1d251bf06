"""Celery tasks of the alerts: thin, they take ids and call one service each. Each is safe to run twice."""

import logging

from celery import shared_task
from django.core.cache import cache

from . import bands, searches

logger = logging.getLogger(__name__)

# Matching one posting runs the board's filter once per saved search; a minute means a stuck database.
MATCH_TIME_LIMIT = 60
# One email: an SMTP server that takes longer is treated as failed, and the match waits for the digest.
SEND_TIME_LIMIT = 30
# A check positions every published posting of the recomputed domains, a few queries each.
CHECK_TIME_LIMIT = 5 * 60
# Every digest of the day, one email per search.
DIGEST_TIME_LIMIT = 10 * 60


@shared_task(ignore_result=True, soft_time_limit=MATCH_TIME_LIMIT - 5, time_limit=MATCH_TIME_LIMIT)
def searches_match_posting(posting_id: int) -> int:
    """After a posting is published: record its matches, then email each instant one in a task of its own."""
    pending = searches.matches_record(posting_id=posting_id)
    for match_id in pending:
        search_send_instant.delay(match_id)
    return len(pending)


@shared_task(ignore_result=True, soft_time_limit=SEND_TIME_LIMIT - 5, time_limit=SEND_TIME_LIMIT)
def search_send_instant(match_id: int) -> str | None:
    return searches.match_send_instant(match_id=match_id)


@shared_task(ignore_result=True, soft_time_limit=DIGEST_TIME_LIMIT - 30, time_limit=DIGEST_TIME_LIMIT)
def searches_send_digests() -> int:
    """Daily (Celery beat): one digest per search with pending matches; returns how many were looked at."""
    if not cache.add("alerts:lock:digests", "locked", DIGEST_TIME_LIMIT):
        logger.info("The digests are already being sent; skipping this run.")
        return 0
    try:
        searches.matches_record_recent()  # what a lost message missed goes out now, in the digest
        ids = searches.searches_with_pending()
        for search_id in ids:
            searches.search_send_digest(search_id=search_id)
        return len(ids)
    finally:
        cache.delete("alerts:lock:digests")


def bands_queued_key(domain_id: int) -> str:
    return f"alerts:bands-queued:{domain_id}"


@shared_task(ignore_result=True, soft_time_limit=CHECK_TIME_LIMIT - 10, time_limit=CHECK_TIME_LIMIT)
def bands_check(domain_ids: list[int] | None = None) -> int:
    """After a recompute: raise the band alerts of the postings whose cells moved, and email each."""
    if domain_ids:  # a recompute from now on queues a check of its own
        cache.delete_many([bands_queued_key(d) for d in domain_ids])
    raised = bands.band_checks(domain_ids=domain_ids)
    for alert_id in raised:
        band_alert_send.delay(alert_id)
    return len(raised)


@shared_task(ignore_result=True, soft_time_limit=SEND_TIME_LIMIT - 5, time_limit=SEND_TIME_LIMIT)
def band_alert_send(alert_id: int) -> list[str]:
    return bands.band_alert_send(alert_id=alert_id)
