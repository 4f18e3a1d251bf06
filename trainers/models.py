"""Trainers and the pay they report."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from benchmarks.choices import Engagement, PayUnit, SkillTier, TaskType
from benchmarks.models import Domain, PayTermsFields, Platform, Source
from benchmarks.normalisation import PayTerms

from .choices import DocumentStatus, SurveyStatus, Verification
from .documents import KINDS
from .querysets import PaySurveyQuerySet, VerificationDocumentQuerySet


class TrainerProfile(models.Model):
    """A person who trains AI models: what they know, where they work from, what they hold."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profile")
    display_name = models.CharField(max_length=80)
    headline = models.CharField(max_length=140, blank=True)
    domains = models.ManyToManyField(Domain, blank=True, related_name="trainers")
    tier = models.CharField(max_length=12, choices=SkillTier.choices, default=SkillTier.ENTRY)
    credentials = models.CharField(max_length=200, blank=True, help_text="Degrees and licences, e.g. MD, JD, PhD, PE.")
    languages = models.CharField(max_length=200, blank=True, help_text="Comma-separated, e.g. English, Spanish.")
    country = CountryField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class PaySurvey(PayTermsFields):
    """What one platform actually paid one trainer for one month of work.

    A survey filed on the portal belongs to a trainer; a row imported or pushed by a partner has no trainer and is
    identified by its source and ``external_id``. Only accepted surveys feed the benchmarks.
    """

    trainer = models.ForeignKey(TrainerProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="surveys")
    external_id = models.CharField(max_length=100, blank=True)
    period = models.DateField(help_text="The month the pay is for (stored as its first day).")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="surveys")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="surveys")
    tier = models.CharField(max_length=12, choices=SkillTier.choices)
    country = CountryField()
    task_type = models.CharField(max_length=20, choices=TaskType.choices, default=TaskType.OTHER)
    engagement = models.CharField(max_length=20, choices=Engagement.choices, default=Engagement.FREELANCE)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # currency, unit, hours_per_week, minutes_per_task and project_hours: from PayTermsFields
    unpaid_hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    hourly_usd = models.DecimalField(max_digits=12, decimal_places=4, editable=False)
    effective_hourly_usd = models.DecimalField(max_digits=12, decimal_places=4, editable=False)
    status = models.CharField(max_length=12, choices=SurveyStatus.choices, default=SurveyStatus.ACCEPTED)
    status_reason = models.CharField(max_length=300, blank=True)
    verification = models.CharField(max_length=12, choices=Verification.choices, default=Verification.UNVERIFIED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # History is read by survey (its id) and by date only: indexes on its foreign keys would be written with every
    # survey a partner pushes or a file imports and never read.
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        no_db_index=["trainer", "source", "platform", "domain", "currency", "reviewed_by"],
    )
    objects = PaySurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-id"]
        indexes = [models.Index(fields=["status", "period"], name="survey_status_period")]
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "platform", "domain", "period"],
                condition=Q(trainer__isnull=False),
                name="survey_one_per_trainer_platform_domain_period",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""), name="survey_unique_external_id"
            ),
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="survey_amount_positive"),
            models.CheckConstraint(condition=Q(period__day=1), name="survey_period_first_of_month"),
            models.CheckConstraint(
                condition=Q(hourly_usd__gte=Decimal("0.5"), hourly_usd__lte=Decimal("2000")),
                name="survey_hourly_usd_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(unit=PayUnit.TASK) | Q(minutes_per_task__isnull=False, minutes_per_task__gt=0),
                name="survey_task_needs_minutes",
            ),
            models.CheckConstraint(
                condition=~Q(unit=PayUnit.PROJECT) | Q(project_hours__isnull=False, project_hours__gt=0),
                name="survey_project_needs_hours",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True) | Q(hours_per_week__gt=0, hours_per_week__lte=168),
                name="survey_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(unpaid_hours_per_week__isnull=True) | Q(unpaid_hours_per_week__gte=0),
                name="survey_unpaid_hours_not_negative",
            ),
            models.CheckConstraint(condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"),
            models.CheckConstraint(condition=Q(tier__in=SkillTier.values), name="survey_tier_valid"),
            models.CheckConstraint(condition=Q(unit__in=PayUnit.values), name="survey_unit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.domain} {self.period:%Y-%m}: {self.amount} {self.currency_id}/{self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in SurveyStatus.editable()

    @property
    def pay_terms(self) -> PayTerms:
        return self.terms_for(self.amount, unpaid_hours_per_week=self.unpaid_hours_per_week)

    @property
    def origin(self) -> str:
        return f"survey:{self.pk}"

    @staticmethod
    def pk_of_origin(origin: str) -> int | None:
        """The id of the survey an observation's ``origin`` names; None when it names something else."""
        kind, _, pk = origin.partition(":")
        return int(pk) if kind == "survey" else None

    @property
    def is_document_verified(self) -> bool:
        return self.verification == Verification.DOCUMENT

    @property
    def latest_document(self) -> "VerificationDocument | None":
        """The newest verification document (prefetch ``documents`` when listing surveys)."""
        return next(iter(self.documents.all()), None)

    @property
    def takes_document(self) -> bool:
        """Whether its trainer may upload a document for it now (``verification_document_upload`` says why not)."""
        latest = self.latest_document
        return self.is_editable and not self.is_document_verified and not (latest and latest.is_pending)

    @property
    def contributor(self) -> str:
        return f"trainer:{self.trainer_id}" if self.trainer_id else f"row:{self.pk}"


def private_documents():
    """The storage of verification documents: its own alias in ``STORAGES``, under a root no URL serves."""
    return storages["documents"]


def document_name(instance: "VerificationDocument", filename: str) -> str:
    """A random name: the uploaded one is never stored (it is the trainer's, and could say anything)."""
    return f"verification/{uuid.uuid4().hex}.{instance.extension}"


class VerificationDocument(models.Model):
    """A payout statement or invoice a trainer uploaded to have one survey verified.

    The file lives in private storage until a staff member reviews it, then it is deleted; the row stays as the
    record of the review. One document per survey may wait for review at a time.
    """

    survey = models.ForeignKey(PaySurvey, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(storage=private_documents, upload_to=document_name, max_length=200, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = VerificationDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        permissions = [("review_verificationdocument", "Can read and review verification documents")]
        constraints = [
            models.UniqueConstraint(
                fields=["survey"], condition=Q(status=DocumentStatus.PENDING), name="document_one_pending_per_survey"
            ),
            models.CheckConstraint(condition=Q(status__in=DocumentStatus.values), name="document_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=DocumentStatus.REFUSED) | ~Q(reason=""), name="document_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status=DocumentStatus.PENDING) | Q(reviewed_at__isnull=False),
                name="document_review_has_date",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_size_positive"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk} for {self.survey}"

    @property
    def extension(self) -> str:
        return KINDS[self.content_type].extension

    @property
    def is_pending(self) -> bool:
        return self.status == DocumentStatus.PENDING

    @property
    def is_refused(self) -> bool:
        return self.status == DocumentStatus.REFUSED
