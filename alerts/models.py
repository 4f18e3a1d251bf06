"""Saved job searches and what they matched, band positions and alerts, and every email sent for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import BandPlace, DeliveryKind, DeliveryStatus, Frequency


class SavedSearch(models.Model):
    """A job-board filter a person saved, stored as the query its validation produced, and how often to email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=120, blank=True)
    query = models.CharField(max_length=1000, blank=True, help_text="The validated board filter, as a query string.")
    # The filter's domain again (None: any), so that a posting is matched only against the searches that can list it.
    domain = models.ForeignKey(
        "benchmarks.Domain", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    active = models.BooleanField(default=True, help_text="Off once unsubscribed: nothing is matched or sent.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "saved searches"
        constraints = [
            models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="savedsearch_frequency_valid"),
        ]

    def __str__(self) -> str:
        return self.name or f"Search {self.pk}"


class Delivery(models.Model):
    """One email the alerts sent, or tried to: to whom, what, and how it went."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to = models.EmailField(blank=True)
    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    subject = models.CharField(max_length=200)
    error = models.TextField(blank=True)
    search = models.ForeignKey(SavedSearch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    band_alert = models.ForeignKey(
        "BandAlert", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["user", "status", "created_at"], name="delivery_user_status_created")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DeliveryKind.values), name="delivery_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to or self.user}: {self.get_status_display()}"


class SearchMatch(models.Model):
    """A published posting a saved search matched: recorded once, handled (sent or skipped) once."""

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    posting = models.ForeignKey("postings.JobPosting", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="matches")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "search matches"
        constraints = [models.UniqueConstraint(fields=["search", "posting"], name="searchmatch_once_per_posting")]

    def __str__(self) -> str:
        return f"{self.search} → posting {self.posting_id}"


class BandPosition(models.Model):
    """Where a published posting's band last sat in its market cell; an alert is raised when this changes."""

    posting = models.OneToOneField(
        "postings.JobPosting", on_delete=models.CASCADE, primary_key=True, related_name="band_position"
    )
    place = models.CharField(max_length=10, choices=BandPlace.choices)
    cell_key = models.CharField(max_length=80)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(place__in=BandPlace.values), name="bandposition_place_valid")]

    def __str__(self) -> str:
        return f"posting {self.posting_id}: {self.place}"


class BandAlert(models.Model):
    """The market moved so that a posting's band crossed a quartile of its cell. Open until dismissed."""

    posting = models.ForeignKey("postings.JobPosting", on_delete=models.CASCADE, related_name="band_alerts")
    previous = models.CharField(max_length=10, choices=BandPlace.choices)
    place = models.CharField(max_length=10, choices=BandPlace.choices)
    cell_label = models.CharField(max_length=200)
    p25 = models.FloatField()
    p75 = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(previous=models.F("place")), name="bandalert_is_a_crossing"),
            models.CheckConstraint(
                condition=Q(previous__in=BandPlace.values, place__in=BandPlace.values), name="bandalert_places_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posting}: {self.previous} → {self.place}"

    @property
    def is_open(self) -> bool:
        return self.dismissed_at is None

    @property
    def place_label(self) -> str:
        return BandPlace(self.place).label

    @property
    def previous_label(self) -> str:
        return BandPlace(self.previous).label
