from django.db import models


class SurveyStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    FLAGGED = "flagged", "Flagged for review"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    EMAIL = "email", "Work email"
    DOCUMENT = "document", "Document"
