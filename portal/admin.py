"""Admin for API partners and their keys (create, list, revoke), the CSV upload of pay surveys, and users.

Keys are shown once, in a message, when issued; only their hash is stored. The upload page runs the same
ingestion service as ``import_surveys`` and ``surveys/batch/``. Deleting a user erases them (``portal.data_rights``).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from benchmarks.choices import SourceKind
from benchmarks.models import Source
from benchmarks.sources import source_get_or_create
from trainers.ingestion import ACCEPTED, COLUMNS, MAX_FILE_BYTES, IngestionError, RowResult, ingest_csv

from .api.services import partner_create, partner_key_issue, partner_key_revoke, partner_key_update, partner_update
from .data_rights import trainer_account_delete
from .models import IdempotencyRecord, Partner, PartnerAPIKey, Scope

SHOWN_PROBLEMS = 200  # rows listed on the result page; the summary counts them all


class PartnerForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(
        choices=Scope.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Scopes"
    )

    class Meta:
        model = Partner
        fields = ["name", "company", "source", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].required = False
        self.fields["source"].help_text = "Leave empty to create a partner-feed source named after the partner."
        if self.instance.pk:
            self.fields["scope_choices"].initial = self.instance.scope_list


class PartnerAPIKeyInline(admin.TabularInline):
    model = PartnerAPIKey
    fields = ["prefix", "name", "created", "expiry_date", "revoked"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ["name", "company", "source", "scopes", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["scopes", "user", "created_at"]
    inlines = [PartnerAPIKeyInline]
    actions = ["issue_key"]

    def save_model(self, request, obj, form, change):
        scopes = ",".join(form.cleaned_data.get("scope_choices") or [])
        data = form.cleaned_data
        if change:
            partner_update(
                partner=obj, by=request.user, name=data["name"], company=data["company"],
                source=data["source"] or obj.source, active=data["active"], scopes=scopes,
            )  # fmt: skip
        else:
            created = partner_create(
                name=data["name"], scopes=scopes, company=data["company"], source=data["source"], by=request.user
            )
            obj.pk = created.pk
            obj.refresh_from_db()

    @admin.action(description="Issue a new API key (shown once)")
    def issue_key(self, request, queryset):
        for partner in queryset:
            try:
                _, key = partner_key_issue(partner=partner)
            except ValidationError as exc:
                self.message_user(request, f"{partner}: {'; '.join(exc.messages)}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"API key for {partner}: {key} — store it now; it is not shown again.",
                messages.WARNING,
            )

    def get_urls(self):
        extra = [
            path(
                "import-surveys/",
                self.admin_site.admin_view(self.import_surveys_view),
                name="portal_import_surveys",
            )
        ]
        return extra + super().get_urls()

    def import_surveys_view(self, request: HttpRequest):
        if not request.user.has_perm("trainers.add_paysurvey"):
            messages.error(request, "You need permission to add pay surveys to import them.")
            return redirect(reverse("admin:index"))
        form = SurveyImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import pay surveys (CSV)",
            "form": form,
            "columns": ",".join(COLUMNS),
            "max_mb": MAX_FILE_BYTES // 1_048_576,
        }
        if request.method == "POST" and form.is_valid():
            problems: list[RowResult] = []

            def on_row(result: RowResult) -> None:
                if (result.status != ACCEPTED or result.reason) and len(problems) < SHOWN_PROBLEMS:
                    problems.append(result)

            try:
                summary = ingest_csv(
                    form.cleaned_data["file"],
                    source=form.chosen_source,  # called once the file is read through; a dry run rolls it back
                    dry_run=form.cleaned_data["dry_run"],
                    on_row=on_row,
                )
            except IngestionError as exc:
                form.add_error("file", f"{exc} Nothing was imported.")
            else:
                context.update({"summary": summary, "problems": problems, "shown": SHOWN_PROBLEMS})
                (messages.info if summary.dry_run else messages.success)(request, summary.line())
        return TemplateResponse(request, "admin/portal/import_surveys.html", context)


class SurveyImportForm(forms.Form):
    file = forms.FileField(help_text="UTF-8 CSV with a header row.")
    source = forms.ModelChoiceField(
        Source.objects.all(), required=False, help_text="The source the rows count for; or name a new one below."
    )
    new_source = forms.CharField(max_length=120, required=False, label="Or a new source named")
    dry_run = forms.BooleanField(required=False, help_text="Check and screen every row; store nothing.")

    def clean(self):
        data = super().clean()
        if not data.get("source") and not (data.get("new_source") or "").strip():
            raise ValidationError("Choose a source, or name a new one.")
        if data.get("new_source") and not slugify(data["new_source"]):
            self.add_error("new_source", "Give the source a name with letters or digits.")
        return data

    def chosen_source(self) -> Source:
        """The source chosen, or the new one named (made now: call it only once the file is found whole)."""
        if self.cleaned_data.get("source"):
            return self.cleaned_data["source"]
        name = self.cleaned_data["new_source"].strip()
        return source_get_or_create(slug=slugify(name)[:80], name=name, kind=SourceKind.IMPORT)


@admin.register(PartnerAPIKey)
class PartnerAPIKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "partner", "created", "expiry_date", "revoked"]
    list_filter = ["revoked", "partner"]
    search_fields = ["name", "prefix", "partner__name"]
    list_select_related = ["partner"]
    fields = ["partner", "name", "expiry_date", "prefix", "revoked", "created"]
    readonly_fields = ["prefix", "revoked", "created"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "partner"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            partner_key_update(key=obj, name=obj.name, expiry_date=obj.expiry_date)
            return
        key_obj, key = partner_key_issue(partner=obj.partner, name=obj.name, expiry_date=obj.expiry_date)
        obj.pk, obj.prefix, obj.hashed_key = key_obj.pk, key_obj.prefix, key_obj.hashed_key
        self.message_user(
            request, f"API key for {obj.partner}: {key} — store it now; it is not shown again.", messages.WARNING
        )

    @admin.action(description="Revoke the selected keys (cannot be undone)")
    def revoke(self, request, queryset):
        for key in queryset:
            partner_key_revoke(key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: a revoked key stays listed, so its use can still be traced


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "partner", "status_code", "created_at"]
    list_filter = ["partner"]
    search_fields = ["key"]
    list_select_related = ["partner"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
# The queues' columns need the width the navigation sidebar would take at 1,366 px; the index lists every model.
admin.site.enable_nav_sidebar = False
admin.site.site_header = "Trainer Pay Portal administration"
admin.site.site_title = "Trainer Pay Portal admin"

admin.site.unregister(User)
admin.site.register(User, ErasingUserAdmin)
