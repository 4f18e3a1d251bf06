"""The alerts in the admin: read-only records of what was saved, matched, raised and sent (failures included)."""

from django.contrib import admin

from .models import BandAlert, BandPosition, Delivery, SavedSearch, SearchMatch


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "status", "to", "subject")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "error")
    date_hierarchy = "created_at"
    list_select_related = ("user",)


@admin.register(SavedSearch)
class SavedSearchAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "frequency", "active", "created_at")
    list_filter = ("frequency", "active")
    search_fields = ("name", "query", "user__email")
    list_select_related = ("user",)


@admin.register(SearchMatch)
class SearchMatchAdmin(ReadOnlyAdmin):
    list_display = ("search", "posting", "created_at", "handled_at")
    list_select_related = ("search", "posting__company")
    raw_id_fields = ("search", "posting", "delivery")


@admin.register(BandAlert)
class BandAlertAdmin(ReadOnlyAdmin):
    list_display = ("posting", "previous", "place", "cell_label", "created_at", "dismissed_at")
    list_filter = ("place",)
    list_select_related = ("posting__company",)


@admin.register(BandPosition)
class BandPositionAdmin(ReadOnlyAdmin):
    list_display = ("posting", "place", "cell_key", "checked_at")
    list_filter = ("place",)
    list_select_related = ("posting__company",)
