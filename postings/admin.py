"""Admin for companies, memberships, job postings and applications: curation through ``postings.services`` only.

Postings are approved or rejected (with a reason, asked for on an intermediate page) by actions that call the
services; add and change forms call ``posting_create`` / ``posting_update`` while they validate. See
``benchmarks.admin_tools`` for the shared plumbing.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count

from benchmarks.admin_tools import (
    AuditedAdmin,
    PendingReviewFilter,
    ReviewQueueMixin,
    ServiceAdminMixin,
    ServiceModelForm,
    apply_to_each,
    ask_reason,
)
from benchmarks.forms import number_field_classes

from .choices import MembershipRole, PostingStatus
from .models import Application, Company, JobPosting, Membership
from .services import (
    EDITABLE_POSTING_STATUSES,
    POSTING_FIELDS,
    application_submit,
    company_create,
    company_update,
    company_verify,
    membership_add,
    posting_approve,
    posting_create,
    posting_reject,
    posting_update,
)

# --- Companies --------------------------------------------------------------------------------------------------


class CompanyAddForm(ServiceModelForm):
    owner_email = forms.EmailField(help_text="The email of an existing user, who becomes the company's owner.")

    class Meta:
        model = Company
        fields = ["name", "website", "description"]

    def clean_owner_email(self):
        email = self.cleaned_data["owner_email"]
        owner = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
        if owner is None:
            raise ValidationError("No user has this email; they need to sign up first.")
        return owner

    def make_change(self, data):
        return company_create(
            name=data["name"], owner=data["owner_email"], website=data["website"], description=data["description"]
        )


class CompanyChangeForm(ServiceModelForm):
    class Meta:
        model = Company
        fields = ["name", "website", "description"]

    def make_change(self, data):
        return company_update(company=self.instance, by=self.acting_user, **self.service_fields(self.Meta.fields))


class MembershipInline(admin.TabularInline):
    """The company's people, read-only here; add a member from the memberships list (it goes through
    ``membership_add``)."""

    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(ServiceAdminMixin, AuditedAdmin):
    list_display = ["name", "slug", "verified", "posting_count", "created_at"]
    list_filter = ["verified"]
    search_fields = ["name", "slug", "website"]
    actions = ["verify"]
    verification_fields = ["verified", "verified_at", "verified_by", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(posting_total=Count("postings"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CompanyAddForm if obj is None else CompanyChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["name", "website", "description", "owner_email"]})]
        return [
            (None, {"fields": ["name", "slug", "website", "description"]}),
            ("Verification (use the list's action)", {"fields": self.verification_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["slug", *self.verification_fields] if obj else []

    def get_inlines(self, request, obj):
        return [MembershipInline] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would take its postings out of the benchmarks without their service

    @admin.display(description="postings", ordering="posting_total")
    def posting_count(self, obj):
        return obj.posting_total

    @admin.action(description="Verify selected companies")
    def verify(self, request, queryset):
        already = queryset.filter(verified=True).count()
        if already:
            self.message_user(request, f"{already} already verified; left as they were.", messages.INFO)
        apply_to_each(
            self,
            request,
            queryset.filter(verified=False),
            lambda company: company_verify(company=company, by=request.user),
            done="verified",
        )


class MembershipForm(ServiceModelForm):
    class Meta:
        model = Membership
        fields = ["company", "user", "role"]

    def make_change(self, data):
        return membership_add(company=data["company"], user=data["user"], role=data["role"], by=self.acting_user)


@admin.register(Membership)
class MembershipAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["company", "user", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["company", "user"]
    search_fields = ["company__name", "user__email", "user__username"]
    autocomplete_fields = ["company"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["company", "user", "role", "created_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.role != MembershipRole.OWNER  # a company keeps its owner


# --- Job postings -----------------------------------------------------------------------------------------------


class JobPostingForm(ServiceModelForm):
    class Meta:
        model = JobPosting
        fields = ["company", *POSTING_FIELDS]
        field_classes = number_field_classes(JobPosting, POSTING_FIELDS)

    def make_change(self, data):
        fields = self.service_fields(POSTING_FIELDS)
        if self.instance.pk:
            return posting_update(posting=self.instance, by=self.acting_user, **fields)
        return posting_create(company=data["company"], by=self.acting_user, **fields)


@admin.register(JobPosting)
class JobPostingAdmin(ServiceAdminMixin, ReviewQueueMixin, AuditedAdmin):
    form = JobPostingForm
    list_display = [
        "title", "company", "cell", "band", "usd_band", "status", "submitted", "expires",
    ]  # fmt: skip
    list_filter = [PendingReviewFilter, "status", "tier", "domain", "company__verified", "engagement", "country"]
    list_select_related = ["company", "domain"]
    search_fields = ["title", "company__name", "description"]
    autocomplete_fields = ["company"]
    review_status = PostingStatus.IN_REVIEW
    queue_ordering = ["-submitted_at", "-created_at"]
    actions = ["approve", "reject_with_reason"]
    job_fields = [
        "title", "description", "description_format", "domain", "tier", "credentials", "languages", "country",
        "engagement", "hours_per_week", "apply_url",
    ]  # fmt: skip
    band_fields = ["rate_min", "rate_max", "currency", "unit", "minutes_per_task", "project_hours"]
    normalised_fields = ["rate_min_usd", "rate_max_usd"]
    moderation_fields = [
        "status", "rejection_reason", "created_by", "submitted_at", "published_at", "expires_at", "closed_at",
        "created_at", "updated_at",
    ]  # fmt: skip

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["company"]}),
            ("Job", {"fields": self.job_fields}),
            ("Rate band", {"fields": self.band_fields}),
        ]
        if obj:
            fieldsets += [
                ("Normalised band in USD an hour (computed by the service)", {"fields": self.normalised_fields}),
                ("Moderation (change it with the list's actions)", {"fields": self.moderation_fields}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        frozen = list(POSTING_FIELDS) if obj.status not in EDITABLE_POSTING_STATUSES else []
        return ["company", *frozen, *self.normalised_fields, *self.moderation_fields]

    def has_delete_permission(self, request, obj=None):
        return False  # a posting leaves the board and the benchmarks by being closed, expired or rejected

    @admin.display(description="band as posted", ordering="rate_min")
    def band(self, obj):
        return f"{obj.rate_min}–{obj.rate_max} {obj.currency_id}/{obj.unit}"

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj):
        return f"{obj.submitted_at:%d %b %Y}" if obj.submitted_at else "-"

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, obj):
        return f"{obj.expires_at:%d %b %Y}" if obj.expires_at else "-"

    @admin.display(description="USD an hour", ordering="rate_min_usd")
    def usd_band(self, obj):
        return f"{obj.rate_min_usd:.2f}–{obj.rate_max_usd:.2f}"

    @admin.action(description="Approve and publish selected postings")
    def approve(self, request, queryset):
        def publish(posting):
            return posting_approve(posting=posting, by=request.user)

        apply_to_each(self, request, queryset, publish, done="approved and published")

    @admin.action(description="Reject selected postings (asks for a reason)")
    def reject_with_reason(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            lambda p, reason: posting_reject(posting=p, by=request.user, reason=reason),
            prompt="Reject job postings; the company sees the reason and can edit and resubmit.",
            button="Reject postings",
            done="rejected",
        )


# --- Applications -----------------------------------------------------------------------------------------------


class ApplicationForm(ServiceModelForm):
    class Meta:
        model = Application
        fields = ["posting", "trainer", "cover_letter"]

    def make_change(self, data):
        return application_submit(posting=data["posting"], trainer=data["trainer"], cover_letter=data["cover_letter"])


@admin.register(Application)
class ApplicationAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = ApplicationForm
    list_display = ["trainer", "posting", "company", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["trainer", "posting__company"]
    search_fields = ["trainer__display_name", "posting__title", "posting__company__name"]
    autocomplete_fields = ["posting", "trainer"]
    fields = ["posting", "trainer", "cover_letter", "status", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else ["status", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # the trainer withdraws; the company shortlists, hires or rejects

    @admin.display(description="company", ordering="posting__company__name")
    def company(self, obj):
        return obj.posting.company
