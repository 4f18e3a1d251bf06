"""Scheduled work for postings."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def expire_postings() -> int:
    return services.postings_expire_due()
