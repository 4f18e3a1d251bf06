"""Where the alerts hear of the apps below them: a published posting, and published cells.

Enqueueing is done after the commit and never fails the writer: with the broker down, the posting stays published
and the cells recomputed (a missed band check is made at the next recompute, or the nightly rebuild).
"""

import logging
from functools import partial

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
    from .tasks import bands_check

    if domain_ids is None or domain_ids:
        _enqueue(bands_check, domain_ids)


def connect() -> None:
    posting_published.connect(on_posting_published, dispatch_uid="alerts.on_posting_published")
    cells_recomputed.connect(on_cells_recomputed, dispatch_uid="alerts.on_cells_recomputed")
