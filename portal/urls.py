"""Root URLs: site pages, each app's pages, accounts, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from . import views

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
]

urlpatterns = [
    # First: the API takes most requests, and Django tries the patterns in order (each miss costs a little).
    path("api/", include("portal.api.urls")),
    path("", include((urlpatterns, "portal"))),
    path("", include("postings.urls")),
    path("", include("trainers.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]
