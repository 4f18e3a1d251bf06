"""Root URLs: site pages, each app's pages, accounts, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from trainers import urls as trainer_urls

from . import platforms, views, workspace

app_name = "portal"

# Raised outside a view, a too-large body is still a 413 and a lost database a 503 (see portal.refusals).
handler400 = "portal.refusals.bad_request"
handler500 = "portal.refusals.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("benchmarks/", views.explorer, name="explorer"),
    path("report/", views.report, name="report"),
    path("report/report.csv", views.report_download, name="report_csv"),
    path("currency/", views.currency_choose_view, name="currency"),
    path("platforms/", platforms.platform_list, name="platforms"),
    path("platforms/<slug:slug>/", platforms.platform_detail, name="platform"),
]

# The trainer workspace's pages that span trainers and postings, in the same namespace as the rest of it.
trainer_workspace = [
    *trainer_urls.urlpatterns,
    path("me/applications/", workspace.applications, name="applications"),
    path("me/applications/<int:pk>/withdraw/", workspace.application_withdraw_view, name="application_withdraw"),
    path("me/data/", workspace.my_data, name="my_data"),
    path("me/data/export.json", workspace.my_data_export, name="my_data_export"),
    path("me/data/delete/", workspace.my_data_delete, name="my_data_delete"),
]

urlpatterns = [
    # First: the API takes most requests, and Django tries the patterns in order (each miss costs a little).
    path("api/", include("portal.api.urls")),
    path("", include((urlpatterns, "portal"))),
    path("", include("postings.urls")),
    path("", include("alerts.urls")),
    path("", include((trainer_workspace, trainer_urls.app_name))),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]
