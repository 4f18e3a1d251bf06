from django.db import models


class SurveyStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    FLAGGED = "flagged", "Flagged for review"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @classmethod
    def editable(cls) -> tuple["SurveyStatus", ...]:
        """A survey in these counts (or awaits review): its trainer may still edit or withdraw it."""
        return (cls.ACCEPTED, cls.FLAGGED)


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    EMAIL = "email", "Work email"
    DOCUMENT = "document", "Document"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Under review"
    VERIFIED = "verified", "Verified"
    REFUSED = "refused", "Not verified"
