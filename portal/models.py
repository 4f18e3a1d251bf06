"""Partners of the REST API, their keys, and the answers kept for idempotent batch pushes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from benchmarks.models import Currency, Source
from postings.models import Company


class Scope(models.TextChoices):
    BENCHMARKS_READ = "benchmarks:read", "Read benchmarks"
    POSTINGS_WRITE = "postings:write", "Write the company's job postings"
    SURVEYS_WRITE = "surveys:write", "Push pay surveys as the partner's source"


def parse_scopes(text: str) -> list[str]:
    """Scopes from a comma-separated string, refusing unknown ones with the list of known ones."""
    scopes = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError(
            {"scopes": f"Unknown scope(s): {', '.join(unknown)}. Choose from: {', '.join(Scope.values)}."}
        )
    return sorted(set(scopes), key=Scope.values.index)


class Partner(models.Model):
    """A platform, research group or HR tool that uses the API with keys.

    Its rows carry ``source``; its postings belong to ``company``. ``user`` is the partner's service account, a
    recruiter of the company, so that posting services apply the same membership rule to partners as to people:
    the company's owner can take the seat away.
    """

    name = models.CharField(max_length=120, unique=True)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="partners")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="partners")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="partner"
    )
    scopes = models.CharField(
        max_length=200, blank=True, help_text=f"Comma-separated, from: {', '.join(Scope.values)}."
    )
    active = models.BooleanField(default=True, help_text="An inactive partner's keys are refused.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.scopes = ",".join(parse_scopes(self.scopes))

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list


class PartnerAPIKey(AbstractAPIKey):
    """One of a partner's keys. Only its prefix and a SHA-512 hash are stored; the key is shown once."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner API key"
        verbose_name_plural = "partner API keys"


class IdempotencyRecord(models.Model):
    """The answer given to a partner's push under an ``Idempotency-Key``, replayed when the key comes again.

    ``request_hash`` tells a retry (same body) from a mistake (same key, different body).
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="idempotency_one_per_partner_key"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key}"


class CurrencyPreference(models.Model):
    """The currency a person chose to see figures in, wherever they sign in (a visitor's choice lives in the
    session). Figures are still computed in US dollars: see ``benchmarks.display``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="currency_preference"
    )
    currency = models.ForeignKey(Currency, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.currency_id}"
