"""Admin for trainers and pay surveys, and the admin plumbing every app's admin uses to change data through services.

The admin never saves a survey, a posting or a company itself. Add and change forms call the service while they
validate (``ServiceModelForm``), so a refusal is shown as a form error and nothing is stored; status changes are
admin actions that call one service per selected object and report each refusal (``apply_to_each``); actions that
need a reason ask for it on an intermediate page first (``ask_reason``).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Value, When
from django.template import engines
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from benchmarks.forms import number_field_classes

from .choices import SurveyStatus
from .data_rights import trainer_account_delete
from .models import PaySurvey, TrainerProfile
from .services import (
    SURVEY_FIELDS,
    survey_accept_flagged,
    survey_reject,
    survey_submit,
    survey_update,
    trainer_profile_create,
    trainer_profile_update,
)

# --- Plumbing shared with the other apps' admins ----------------------------------------------------------------


class ServiceModelForm(forms.ModelForm):
    """A model form whose only write is a service call made during validation.

    A refused change (``ServiceError`` or any ``ValidationError`` the service raises) becomes a form error on the
    field it names; the service's own transaction has rolled back, so nothing is stored. ``save()`` returns the
    object the service saved. An unchanged change form calls nothing, so "Save" never re-screens a row by itself.
    """

    acting_user = None  # set per request by ServiceAdminMixin.get_form

    def call_service(self, data: dict):
        """Create or change the object through its service and return it."""
        raise NotImplementedError

    def service_fields(self, names) -> dict:
        """The submitted values of those of ``names`` that this form edits."""
        return {name: self.cleaned_data[name] for name in names if name in self.fields}

    def _post_clean(self):
        # Replaces ModelForm's construct_instance + full_clean: the service validates the whole object.
        if self._errors or (self.instance.pk and not self.has_changed()):
            return
        try:
            self.instance = self.call_service(self.cleaned_data)
        except ValidationError as error:
            self.add_refusal(error)

    def add_refusal(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def save(self, commit=True):
        self.save_m2m = lambda: None  # the service set many-to-many fields already
        return self.instance


class ServiceAdminMixin:
    """A ModelAdmin whose forms are ``ServiceModelForm``s: the form has saved through the service already."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user  # a fresh class per request (modelform_factory)
        return form

    def save_model(self, request, obj, form, change):
        pass  # saved by the service during form validation


class AuditedAdmin(SimpleHistoryAdmin):
    """History is shown but never reverted: a revert would write the row without its service."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Reverting is disabled; change the object through its form or actions.")
        return super().history_form_view(request, object_id, version_id, extra_context)


def refusal_text(error: ValidationError) -> str:
    return getattr(error, "text", None) or " ".join(error.messages)


def apply_to_each(modeladmin, request, queryset, call: Callable, *, done: str) -> None:
    """Call ``call(obj)`` for each selected object in its own transaction; report successes and each refusal."""
    succeeded = 0
    for obj in queryset:
        try:
            call(obj)
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {refusal_text(error)}", messages.WARNING)
        else:
            succeeded += 1
    if succeeded:
        noun = modeladmin.model._meta.verbose_name if succeeded == 1 else modeladmin.model._meta.verbose_name_plural
        modeladmin.message_user(request, f"{succeeded} {noun} {done}.", messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=300,
        help_text="Shown to the person who submitted it.",
    )


REASON_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}
{% block content %}
<form method="post">{% csrf_token %}
  <p>{{ prompt }}</p>
  <ul>{% for obj in queryset %}<li>{{ obj }}</li>{% endfor %}</ul>
  {{ form.as_p }}
  {% for obj in queryset %}<input type="hidden" name="{{ checkbox_name }}" value="{{ obj.pk }}">{% endfor %}
  <input type="hidden" name="action" value="{{ action }}">
  <input type="submit" name="apply_reason" value="{{ button }}">
  <a href="" class="button cancel-link">Cancel</a>
</form>
{% endblock %}"""
)


def ask_reason(modeladmin, request, queryset, call: Callable, *, prompt: str, button: str, done: str):
    """An action in two steps: a page asking for the reason, then ``call(obj, reason)`` for each selected object."""
    form = ReasonForm(request.POST if "apply_reason" in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        apply_to_each(modeladmin, request, queryset, lambda obj: call(obj, reason), done=done)
        return None  # back to the changelist
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": prompt,
        "prompt": f"{prompt} The reason applies to each of these {queryset.count()}:",
        "queryset": queryset,
        "form": form,
        "action": request.POST.get("action", ""),
        "button": button,
        "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, REASON_PAGE, context)


class PendingReviewFilter(admin.SimpleListFilter):
    """The admins' queue: rows whose queryset says they await review (``pending_review()``)."""

    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("pending", "Awaiting review")]

    def queryset(self, request, queryset):
        return queryset.pending_review() if self.value() == "pending" else queryset


class ReviewQueueMixin:
    """Rows awaiting review (status ``review_status``) sort first in the changelist, then by ``queue_ordering``."""

    review_status: str
    queue_ordering: list[str]

    def get_ordering(self, request):
        awaiting = Case(When(status=self.review_status, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [awaiting.asc(), *self.queue_ordering]


# --- Trainers ---------------------------------------------------------------------------------------------------


class TrainerProfileForm(ServiceModelForm):
    class Meta:
        model = TrainerProfile
        fields = ["user", "display_name", "headline", "domains", "tier", "credentials", "languages", "country"]

    def call_service(self, data):
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

    def call_service(self, data):
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
        "id", "period_month", "trainer", "platform", "domain", "tier", "country", "pay", "hourly_usd",
        "effective_hourly_usd", "status", "source",
    ]  # fmt: skip
    list_display_links = ["id", "period_month"]
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


class ErasingUserAdmin(UserAdmin):
    """Deleting a person in the admin erases them the way they can erase themselves (``trainer_account_delete``):
    their surveys leave the benchmarks first, instead of vanishing by cascade and leaving their data points behind.
    """

    def get_deleted_objects(self, objs, request):
        # Surveys and applications cannot be deleted one by one in the admin (their benchmark data would be left
        # behind); erasing their owner is the sanctioned way, so their own delete permission is not asked for.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        trainer_account_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            trainer_account_delete(user=user)


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, ErasingUserAdmin)
