from django.db import models


class Frequency(models.TextChoices):
    INSTANT = "instant", "Instantly, one email a job"
    DAILY = "daily", "Daily, one digest"


class BandPlace(models.TextChoices):
    """Where a band sits against its market cell's middle half (p25–p75)."""

    BELOW = "below", "below the market's 25th percentile"
    WITHIN = "within", "within the market's middle half (25th–75th percentile)"
    ABOVE = "above", "above the market's 75th percentile"


class DeliveryKind(models.TextChoices):
    INSTANT = "instant", "Saved search, one job"
    DIGEST = "digest", "Saved search, daily digest"
    BAND = "band", "Band alert"

    @classmethod
    def rate_limited(cls) -> tuple["DeliveryKind", ...]:
        """The kinds counted against, and held back by, ALERT_EMAILS_PER_HOUR (a digest is already one a day)."""
        return (cls.INSTANT, cls.BAND)


class DeliveryStatus(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DEFERRED = "deferred", "Deferred (hourly limit)"
    SKIPPED = "skipped", "Skipped (no verified address)"
