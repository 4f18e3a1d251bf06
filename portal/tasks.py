"""Scheduled work of the portal itself."""

from celery import shared_task

from .api.services import idempotency_records_prune


@shared_task(ignore_result=True)
def prune_idempotency_records() -> int:
    """Nightly: forget the answers to partner pushes past API_IDEMPOTENCY_DAYS."""
    return idempotency_records_prune()
