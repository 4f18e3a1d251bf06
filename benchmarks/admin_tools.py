"""Admin plumbing every app's admin uses to change data through services.

The admin never saves a survey, a posting or a company itself. Add and change forms try the service while they
validate, in a transaction that is rolled back (``ServiceModelForm``), so a refusal is shown as a form error; the
admin's ``save_model`` then calls it for real (``ServiceAdminMixin``); status changes are
admin actions that call one service per selected object and report each refusal (``apply_to_each``); actions that
need a reason ask for it on an intermediate page first (``ask_reason``). It lives in the bottom layer so that the
admins of every app above can share it.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.template import engines
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin


class ServiceModelForm(forms.ModelForm):
    """A model form validated by its service, which the admin's ``save_model`` then calls to write.

    Validation tries the service in a transaction it rolls back: a refused change (``ServiceError`` or any
    ``ValidationError`` the service raises) becomes a form error on the field it names, and an accepted one leaves
    nothing behind, so ``is_valid()`` writes nothing (an inline that fails afterwards stores nothing either). An
    unchanged change form calls nothing, so "Save" never re-screens a row by itself.
    """

    acting_user = None  # set per request by ServiceAdminMixin.get_form

    def make_change(self, data: dict):
        """Create or change the object through its service and return it."""
        raise NotImplementedError

    def service_fields(self, names) -> dict:
        """The submitted values of those of ``names`` that this form edits."""
        return {name: self.cleaned_data[name] for name in names if name in self.fields}

    @property
    def calls_service(self) -> bool:
        return not self.errors and not (self.instance.pk and not self.has_changed())

    def _post_clean(self):
        # Replaces ModelForm's construct_instance + full_clean: the service validates the whole object.
        if not self.calls_service:
            return
        try:
            with transaction.atomic():
                self.make_change(self.cleaned_data)
                transaction.set_rollback(True)  # a trial: the admin's save_model makes the change
        except ValidationError as error:
            self.add_refusal(error)

    def save_through_service(self):
        """Make the change through the service (once the form and its inlines are valid); the saved object."""
        if self.calls_service:
            self.instance = self.make_change(self.cleaned_data)
        return self.instance

    def add_refusal(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def save(self, commit=True):
        return self.instance

    def save_m2m(self) -> None:
        """Nothing to do: the service sets many-to-many fields itself."""


class ServiceAdminMixin(admin.ModelAdmin):
    """A ModelAdmin whose forms are ``ServiceModelForm``s: ``save_model`` writes through the form's service."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A fresh class per request (modelform_factory); typed as any ModelForm, ours are ServiceModelForms.
        form.acting_user = request.user  # type: ignore[attr-defined]
        return form

    def save_model(self, request, obj, form, change):
        saved = form.save_through_service()
        if saved is not obj:  # the admin goes on with ``obj`` (its log entry and redirect need the saved row)
            obj.__dict__.update(saved.__dict__)


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

    @admin.display(description="domain · tier · country", ordering="domain__position")
    def cell(self, obj):
        """The queue's rows (surveys, postings) each belong to a cell: one column for its domain, tier and country,
        so the key columns fit at 1,366 px."""
        return f"{obj.domain} · {obj.get_tier_display()} · {obj.country or 'worldwide'}"

    def get_ordering(self, request):
        awaiting = Case(When(status=self.review_status, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [awaiting.asc(), *self.queue_ordering]
