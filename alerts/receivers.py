"""Where the alerts hear of the apps below them: a published posting, and published cells.

Enqueueing is done after the commit and never fails the writer: with the broker down, the posting stays published
and the cells recomputed (a missed band check is made at the next recompute, or the nightly rebuild).
"""

import logging
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from benchmarks.signals import cells_recomputed
from postings.signals import posting_published

logger = logging.getLogger(__name__)


def _enqueue(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not enqueue %s%r.", task.name, args, exc_info=True)
        raise


def on_posting_published(sender, posting, **kwargs) -> None:
    from .tasks import searches_match_posting

    transaction.on_commit(partial(_enqueue, searches_match_posting, posting.pk), robust=True)


def on_cells_recomputed(sender, domain_ids, **kwargs) -> None:
    """Queue a band check of the recomputed domains, unless one is queued for them and not started yet: under a
    stream of writes, one check a domain every ALERT_BAND_CHECK_DELAY_SECONDS rather than one a write."""
    from .tasks import bands_check, bands_queued_key

    delay = settings.ALERT_BAND_CHECK_DELAY_SECONDS
    if domain_ids is not None:
        domain_ids = [d for d in domain_ids if cache.add(bands_queued_key(d), "queued", int(delay) + 60)]
        if not domain_ids:
            return
    try:
        bands_check.apply_async(args=[domain_ids], countdown=delay)
    except Exception:
        cache.delete_many([bands_queued_key(d) for d in domain_ids or []])
        logger.warning("Could not enqueue the band check of domains %r.", domain_ids, exc_info=True)
        raise


def connect() -> None:
    posting_published.connect(on_posting_published, dispatch_uid="alerts.on_posting_published")
    cells_recomputed.connect(on_cells_recomputed, dispatch_uid="alerts.on_cells_recomputed")
