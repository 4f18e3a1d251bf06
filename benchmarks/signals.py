"""What the engine tells the apps above it, which it may not import: cells were published.

``cells_recomputed`` is sent after the publishing transaction commits, with ``domain_ids``: the domains whose cells
changed, or None when every cell was rebuilt. A receiver that fails is logged and fails nothing else.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

cells_recomputed = Signal()


def announce_on_commit(*, domain_ids: set[int] | None) -> None:
    """Send ``cells_recomputed`` once the current transaction commits."""

    def send() -> None:
        ids = None if domain_ids is None else sorted(domain_ids)
        for receiver, result in cells_recomputed.send_robust(sender=__name__, domain_ids=ids):
            if isinstance(result, Exception):
                logger.error("A receiver of cells_recomputed failed: %r", receiver, exc_info=result)

    transaction.on_commit(send)
