"""Admin for trainers and pay surveys, changed only through ``trainers.services``.

Verification documents are reviewed with the queue's actions, through ``trainers.verification``. Forms and actions use
the shared plumbing of ``benchmarks.admin_tools``; deleting a person is in ``portal.admin``.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

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

from .choices import SurveyStatus
from .models import PaySurvey, TrainerProfile, VerificationDocument
from .services import (
    SURVEY_FIELDS,
    survey_accept_flagged,
    survey_reject,
    survey_submit,
    survey_update,
    trainer_profile_create,
    trainer_profile_update,
)
from .verification import survey_document_review

# --- Trainers ---------------------------------------------------------------------------------------------------


class TrainerProfileForm(ServiceModelForm):
    class Meta:
        model = TrainerProfile
        fields = ["user", "display_name", "headline", "domains", "tier", "credentials", "languages", "country"]

    def make_change(self, data):
        fields = self.service_fields(
            ["display_name", "headline", "domains", "tier", "credentials", "languages", "country"]
        )
        if self.instance.pk:
            return trainer_profile_update(profile=self.instance, **fields)
        return trainer_profile_create(user=data["user"], **fields)


@admin.register(TrainerProfile)
class TrainerProfileAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = TrainerProfileForm
    list_display = ["display_name", "user", "tier", "country", "survey_count", "created_at"]
    list_filter = ["tier", "domains", "country"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__email", "user__username", "credentials"]
    raw_id_fields = ["user"]
    filter_horizontal = ["domains"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(survey_total=Count("surveys"))

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "user"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would take the trainer's surveys out of the benchmarks without their service

    @admin.display(description="surveys", ordering="survey_total")
    def survey_count(self, obj):
        return obj.survey_total


# --- Pay surveys ------------------------------------------------------------------------------------------------


class PaySurveyForm(ServiceModelForm):
    class Meta:
        model = PaySurvey
        fields = ["trainer", "source", "external_id", *SURVEY_FIELDS]
        field_classes = number_field_classes(PaySurvey, SURVEY_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].required = False
            self.fields["source"].help_text = "Leave empty for the portal survey form."

    def make_change(self, data):
        fields = self.service_fields(SURVEY_FIELDS)
        if self.instance.pk:
            return survey_update(survey=self.instance, **fields)
        outcome = survey_submit(
            trainer=data.get("trainer"), source=data.get("source"), external_id=data.get("external_id", ""), **fields
        )
        return outcome.survey


@admin.register(PaySurvey)
class PaySurveyAdmin(ServiceAdminMixin, ReviewQueueMixin, AuditedAdmin):
    form = PaySurveyForm
    list_display = [
        "period_month", "trainer", "platform", "cell", "pay", "usd_an_hour", "status", "reason",
    ]  # fmt: skip
    list_display_links = ["period_month"]
    list_filter = [
        PendingReviewFilter, "status", "tier", "domain", "platform", "verification", "unit", "source__kind", "country",
    ]  # fmt: skip
    list_select_related = ["trainer", "platform", "domain", "source"]
    search_fields = ["trainer__display_name", "trainer__user__email", "external_id", "source__name", "platform__name"]
    autocomplete_fields = ["trainer"]
    date_hierarchy = "period"
    review_status = SurveyStatus.FLAGGED
    queue_ordering = ["-period", "-id"]
    actions = ["accept_flagged", "reject_with_reason"]
    list_per_page = 50
    identity_fields = ["trainer", "source", "external_id"]
    review_fields = [
        "status", "status_reason", "verification", "reviewed_by", "reviewed_at", "created_at", "updated_at",
    ]  # fmt: skip
    normalised_fields = ["hourly_usd", "effective_hourly_usd"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("Who and where from", {"fields": self.identity_fields}),
            ("Pay as reported", {"fields": list(SURVEY_FIELDS)}),
        ]
        if obj:
            fieldsets += [
                ("Normalised (computed by the service)", {"fields": self.normalised_fields}),
                ("Review (change it with the list's actions)", {"fields": self.review_fields}),
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        frozen = list(SURVEY_FIELDS) if not obj.is_editable else []
        return [*self.identity_fields, *frozen, *self.normalised_fields, *self.review_fields]

    def has_delete_permission(self, request, obj=None):
        return False  # a withdrawn or rejected survey leaves the benchmarks through its service, not by deletion

    @admin.display(description="month", ordering="period")
    def period_month(self, obj):
        return f"{obj.period:%Y-%m}"

    @admin.display(description="USD an hour", ordering="hourly_usd")
    def usd_an_hour(self, obj):
        return f"{obj.hourly_usd:.2f}" if obj.hourly_usd is not None else "-"

    @admin.display(description="why", ordering="status_reason")
    def reason(self, obj):
        return Truncator(obj.status_reason).chars(80)

    @admin.display(description="pay as reported", ordering="amount")
    def pay(self, obj):
        return f"{obj.amount} {obj.currency_id}/{obj.unit}"

    @admin.action(description="Accept selected flagged surveys into the benchmarks")
    def accept_flagged(self, request, queryset):
        apply_to_each(
            self, request, queryset, lambda s: survey_accept_flagged(survey=s, reviewer=request.user), done="accepted"
        )

    @admin.action(description="Reject selected surveys (asks for a reason)")
    def reject_with_reason(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            lambda s, reason: survey_reject(survey=s, reviewer=request.user, reason=reason),
            prompt="Reject pay surveys.",
            button="Reject surveys",
            done="rejected",
        )


# --- Verification documents -------------------------------------------------------------------------------------


class DocumentQueueFilter(admin.SimpleListFilter):
    """The document queue opens on what awaits review; "All documents" shows the reviewed ones (their record) too."""

    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("pending", "Awaiting review"), ("all", "All documents")]

    def queryset(self, request, queryset):
        return queryset if self.value() == "all" else queryset.pending_review()

    def choices(self, changelist):
        current = self.value() or "pending"
        for value, label in self.lookup_choices:
            query = changelist.get_query_string({self.parameter_name: value})
            yield {"selected": current == value, "query_string": query, "display": label}


@admin.register(VerificationDocument)
class VerificationDocumentAdmin(admin.ModelAdmin):
    """The staff queue of payout statements: open each one, compare it with the survey, mark it verified or not."""

    list_display = ["uploaded_at", "trainer", "platform", "domain", "month", "pay", "status", "document"]
    list_filter = [DocumentQueueFilter, "status"]
    list_select_related = ["survey__trainer", "survey__platform", "survey__domain"]
    search_fields = ["survey__trainer__display_name", "survey__trainer__user__email", "sha256"]
    ordering = ["uploaded_at", "id"]  # the oldest waits longest
    actions = ["mark_verified", "mark_not_verified"]
    fields = [
        "survey", "document", "content_type", "size", "sha256", "uploaded_at", "status", "reason", "reviewed_by",
        "reviewed_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # trainers upload documents on their own surveys

    def has_change_permission(self, request, obj=None):
        return False  # reviewed with the list's actions, through survey_document_review

    def has_delete_permission(self, request, obj=None):
        return False  # the row is the record of the review; its file is deleted by the review

    def has_view_permission(self, request, obj=None):
        return self.has_review_permission(request) or super().has_view_permission(request, obj)

    def has_review_permission(self, request):
        return request.user.has_perm("trainers.review_verificationdocument")

    @admin.display(description="trainer", ordering="survey__trainer__display_name")
    def trainer(self, obj):
        return obj.survey.trainer or obj.survey.source

    @admin.display(description="platform", ordering="survey__platform__name")
    def platform(self, obj):
        return obj.survey.platform

    @admin.display(description="domain", ordering="survey__domain__position")
    def domain(self, obj):
        return f"{obj.survey.domain} · {obj.survey.get_tier_display()}"

    @admin.display(description="month", ordering="survey__period")
    def month(self, obj):
        return f"{obj.survey.period:%Y-%m}"

    @admin.display(description="pay as reported", ordering="survey__amount")
    def pay(self, obj):
        survey = obj.survey
        return f"{survey.amount} {survey.currency_id}/{survey.unit} ({survey.hourly_usd:.2f} USD/h)"

    @admin.display(description="document")
    def document(self, obj):
        if not obj.file:
            return "deleted after review"
        url = reverse("trainers:document_file", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Open {}</a>', url, obj.extension.upper())

    @admin.action(description="Verified: the document shows the survey's pay", permissions=["review"])
    def mark_verified(self, request, queryset):
        apply_to_each(
            self,
            request,
            queryset,
            lambda d: survey_document_review(document=d, reviewer=request.user, verified=True),
            done="verified",
        )

    @admin.action(description="Not verified (asks for a reason)", permissions=["review"])
    def mark_not_verified(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            lambda d, reason: survey_document_review(document=d, reviewer=request.user, verified=False, reason=reason),
            prompt="These documents do not verify their surveys.",
            button="Not verified",
            done="marked not verified",
        )
