"""Admin for the benchmark vocabulary (curated) and the engine's tables (read-only, with a "Rebuild now" button).

Cells shown to staff who are not superusers go through ``selectors.present``: suppressed figures stay hidden in the
admin as everywhere else. Raw observations are individual pay data, so only superusers may browse them.
"""

import logging

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse

from . import selectors
from .models import (
    STAT_FIELDS,
    BenchmarkCell,
    CellHistory,
    Currency,
    DirtyCell,
    Domain,
    ExchangeRate,
    Observation,
    OutlierFence,
    Platform,
    PlatformAlias,
    Source,
)
from .sources import source_set_trusted

logger = logging.getLogger(__name__)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services and the engine: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class SuperuserOnlyAdmin(ReadOnlyAdmin):
    """Raw, unsuppressed data: superusers only."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active", "position"]
    list_editable = ["active", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ExchangeRateInline(admin.TabularInline):
    model = ExchangeRate
    extra = 1
    ordering = ["-valid_from"]


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    inlines = [ExchangeRateInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "valid_from", "usd_per_unit", "note"]
    list_filter = ["currency"]
    date_hierarchy = "valid_from"


class PlatformAliasInline(admin.TabularInline):
    model = PlatformAlias
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website", "active"]
    list_filter = ["active"]
    search_fields = ["name", "slug", "aliases__alias"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlatformAliasInline]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Sources; trust is changed only by the actions, which recount the parties of the source's stored rows."""

    list_display = ["name", "slug", "kind", "trusted", "created_at"]
    list_filter = ["kind", "trusted"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["trusted"]
    actions = ["trust", "distrust"]

    def _set_trusted(self, request: HttpRequest, queryset, trusted: bool) -> None:
        for source in queryset:
            source_set_trusted(source=source, trusted=trusted)
        verb = "now count row by row" if trusted else "now count as one contributor each"
        self.message_user(request, f"{queryset.count()} source(s) {verb}; their cells are being recomputed.")

    @admin.action(description="Trust: count the selected partner feeds' rows one by one toward the thresholds")
    def trust(self, request: HttpRequest, queryset) -> None:
        self._set_trusted(request, queryset, True)

    @admin.action(description="Stop trusting: count each selected partner feed as one contributor")
    def distrust(self, request: HttpRequest, queryset) -> None:
        self._set_trusted(request, queryset, False)


@admin.register(Observation)
class ObservationAdmin(SuperuserOnlyAdmin):
    list_display = [
        "origin", "kind", "domain", "tier", "country", "period", "hourly_usd", "source", "platform", "party",
        "flagged", "reviewed",
    ]  # fmt: skip
    list_filter = ["kind", "tier", "domain", "source__kind", "flagged", "reviewed", "period"]
    list_select_related = ["domain", "source", "platform"]
    search_fields = ["origin", "contributor"]
    date_hierarchy = "period"


@admin.register(DirtyCell)
class DirtyCellAdmin(ReadOnlyAdmin):
    """The recompute backlog: normally empty within seconds; rows that stay mean no worker is consuming tasks."""

    list_display = ["domain", "tier", "country", "kind", "marked_at"]
    list_select_related = ["domain"]
    list_filter = ["kind", "tier"]


@admin.register(OutlierFence)
class OutlierFenceAdmin(ReadOnlyAdmin):
    list_display = ["domain", "tier", "observations", "q1_log", "q3_log", "computed_at"]
    list_select_related = ["domain"]
    list_filter = ["tier", "domain"]


def _published(field: str, description: str):
    """A changelist column showing the published (suppressed) value of a cell to staff who are not superusers."""

    @admin.display(description=description)
    def column(row):
        value = getattr(selectors.present(row), field)
        return "—" if value is None else value

    column.__name__ = f"published_{field}"
    return column


class CellAdminMixin:
    """Superusers see the raw numbers; other staff see what every public surface shows."""

    cell_columns: list[str]
    time_column: str

    def get_list_display(self, request: HttpRequest):
        if request.user.is_superuser:
            return [*self.cell_columns, *STAT_FIELDS, "counts_withheld", self.time_column]
        raw_only = ("contributors", "independent", "observations", "verified", "rest_independent", "rest_observations")
        rest = [*(field for field in STAT_FIELDS if field not in raw_only), "verified_share"]
        published = [_published("observations_band", "observations"), *[_published(f, f) for f in rest]]
        return [*self.cell_columns, "contributors_display", *published]

    def get_fields(self, request: HttpRequest, obj=None):
        return self.get_list_display(request) if request.user.is_superuser else self.cell_columns

    @admin.display(description="contributors")
    def contributors_display(self, row) -> str:
        return selectors.present(row).contributors_display


@admin.register(BenchmarkCell)
class BenchmarkCellAdmin(CellAdminMixin, ReadOnlyAdmin):
    cell_columns = ["cell_key", "domain", "tier", "country", "kind", "segment"]
    time_column = "computed_at"
    list_filter = ["kind", "tier", ("domain", admin.RelatedOnlyFieldListFilter), "country"]
    list_select_related = ["domain", "platform"]
    search_fields = ["cell_key"]
    actions = ["rebuild_now"]
    change_list_template = "admin/benchmarks/benchmarkcell/change_list.html"

    def has_rebuild_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("benchmarks.rebuild_benchmarks")

    def get_urls(self):
        rebuild = self.admin_site.admin_view(self.rebuild_view)
        return [path("rebuild/", rebuild, name="benchmarks_benchmarkcell_rebuild"), *super().get_urls()]

    def rebuild_view(self, request: HttpRequest):
        """The "Rebuild now" button: POST only, for staff allowed to rebuild."""
        if request.method == "POST" and self.has_rebuild_permission(request):
            self._enqueue_rebuild(request)
        else:
            self.message_user(request, "Rebuilding needs a POST by staff allowed to rebuild.", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:benchmarks_benchmarkcell_changelist"))

    @admin.action(description="Rebuild every cell now (the selection does not matter)", permissions=["rebuild"])
    def rebuild_now(self, request: HttpRequest, queryset) -> None:
        self._enqueue_rebuild(request)

    def _enqueue_rebuild(self, request: HttpRequest) -> None:
        from .tasks import rebuild_all_cells

        try:
            rebuild_all_cells.delay()
        except Exception:  # the broker is down: say so rather than fail the page
            logger.exception("Could not enqueue a benchmark rebuild")
            self.message_user(
                request, "Could not reach the task queue; the nightly rebuild will still run.", messages.ERROR
            )
            return
        self.message_user(request, "A rebuild of every benchmark cell is on its way.", messages.SUCCESS)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "can_rebuild": self.has_rebuild_permission(request)}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(CellHistory)
class CellHistoryAdmin(CellAdminMixin, ReadOnlyAdmin):
    cell_columns = ["cell_key", "month", "domain", "tier", "country", "kind", "segment"]
    time_column = "recorded_at"
    list_filter = ["month", "kind", "tier", ("domain", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["domain", "platform"]
    search_fields = ["cell_key"]
    date_hierarchy = "month"
