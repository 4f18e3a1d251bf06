"""Chainable read rules for the benchmark vocabulary."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils import timezone


def window_start(today: datetime.date | None = None) -> datetime.date:
    """First month inside the rolling window: with a 12-month window in November 2026, December 2025."""
    today = today or timezone.now().date()
    first = today.replace(day=1)
    return first - relativedelta(months=settings.BENCHMARK_WINDOW_MONTHS - 1)


class DomainQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class PlatformQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ObservationQuerySet(models.QuerySet):
    def in_window(self, today: datetime.date | None = None):
        return self.filter(period__gte=window_start(today))
