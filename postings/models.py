"""Companies that hire trainers, their job postings and the applications those receive."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from benchmarks.choices import Engagement, PayUnit, SkillTier
from benchmarks.models import Domain, PayTermsFields
from benchmarks.normalisation import PayBand

from .choices import ApplicationStatus, DescriptionFormat, MembershipRole, PostingStatus
from .querysets import ApplicationQuerySet, JobPostingQuerySet


class Company(models.Model):
    """An organisation that posts AI-trainer jobs. Admins verify that it is who it says it is."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="companies")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"], m2m_fields=[])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name

    @property
    def source_slug(self) -> str:
        return f"company-{self.pk}"


class Membership(models.Model):
    """A person's seat in a company: its owner, or a recruiter the owner invited."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=MembershipRole.choices, default=MembershipRole.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="membership_one_per_company_user"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.company}"


class JobPosting(PayTermsFields):
    """An AI-trainer job with a rate band, moderated before it is published.

    draft → in_review → published → closed | expired, or in_review → rejected (with a reason the company sees);
    a rejected posting can be edited and submitted again. The band is stored as entered and normalised to USD/h.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="postings")
    title = models.CharField(max_length=140)
    description = models.TextField()
    description_format = models.CharField(
        max_length=10, choices=DescriptionFormat.choices, default=DescriptionFormat.PLAIN
    )
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="postings")
    tier = models.CharField(max_length=12, choices=SkillTier.choices)
    credentials = models.CharField(max_length=200, blank=True, help_text="Required credentials, e.g. MD, JD, PhD.")
    languages = models.CharField(max_length=200, blank=True, help_text="Comma-separated, e.g. English, Spanish.")
    country = CountryField(blank=True, help_text="Leave empty for a job open worldwide.")
    engagement = models.CharField(max_length=20, choices=Engagement.choices, default=Engagement.FREELANCE)
    rate_min = models.DecimalField(max_digits=14, decimal_places=2)
    rate_max = models.DecimalField(max_digits=14, decimal_places=2)
    # currency, unit, hours_per_week, minutes_per_task and project_hours: from PayTermsFields
    rate_min_usd = models.DecimalField(max_digits=12, decimal_places=4, editable=False)
    rate_max_usd = models.DecimalField(max_digits=12, decimal_places=4, editable=False)
    apply_url = models.URLField(blank=True, help_text="Leave empty to receive applications on the portal.")
    status = models.CharField(max_length=12, choices=PostingStatus.choices, default=PostingStatus.DRAFT)
    rejection_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = JobPostingQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="posting_status_published"),
            models.Index(fields=["status", "expires_at"], name="posting_status_expires"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rate_min__gt=Decimal("0")), name="posting_rate_min_positive"),
            models.CheckConstraint(condition=Q(rate_min__lte=F("rate_max")), name="posting_band_min_le_max"),
            models.CheckConstraint(condition=Q(rate_min_usd__lte=F("rate_max_usd")), name="posting_usd_band_ordered"),
            models.CheckConstraint(condition=Q(status__in=PostingStatus.values), name="posting_status_valid"),
            models.CheckConstraint(condition=Q(tier__in=SkillTier.values), name="posting_tier_valid"),
            models.CheckConstraint(condition=Q(unit__in=PayUnit.values), name="posting_unit_valid"),
            models.CheckConstraint(
                condition=~Q(status=PostingStatus.REJECTED) | ~Q(rejection_reason=""),
                name="posting_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=PostingStatus.PUBLISHED) | Q(published_at__isnull=False, expires_at__isnull=False),
                name="posting_published_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.company})"

    @property
    def origin(self) -> str:
        return f"posting:{self.pk}"

    @property
    def pay_band(self) -> PayBand:
        return PayBand(
            self.terms_for(self.rate_min, amount_field="rate_min"),
            self.terms_for(self.rate_max, amount_field="rate_max"),
        )

    @property
    def rate_mid_usd(self) -> Decimal:
        return (self.rate_min_usd + self.rate_max_usd) / 2


class Application(models.Model):
    """A trainer's application to a posting that takes applications on the portal."""

    posting = models.ForeignKey(JobPosting, on_delete=models.CASCADE, related_name="applications")
    trainer = models.ForeignKey("trainers.TrainerProfile", on_delete=models.CASCADE, related_name="applications")
    cover_letter = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "trainer"], name="application_one_per_trainer_posting"),
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.trainer} → {self.posting}"

    @property
    def is_open(self) -> bool:
        return self.status in ApplicationStatus.open()

    @property
    def status_shown(self) -> tuple[str, str]:
        """(status, label) its trainer sees: an undecided application to a posting that has ended reads as the
        posting's end ("Closed", "Expired"), not as a step that will never come."""
        if self.is_open and self.posting.status in PostingStatus.ended():
            return self.posting.status, self.posting.get_status_display()
        return self.status, self.get_status_display()

    @property
    def can_be_shortlisted(self) -> bool:
        return self.status in ApplicationStatus.shortlistable()


class Invitation(models.Model):
    """An owner's invitation for a teammate to join the company as a recruiter.

    The link carries a random token; only its SHA-256 digest is stored, so a leaked database cannot accept
    invitations. It is accepted by a logged-in person whose account email is the invited one.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_company_email",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="invitation_accepted_has_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.company}"
