"""Root URLs: site pages, each app's pages, accounts, the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
]

urlpatterns = [
    path("", include((urlpatterns, "portal"))),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("portal.api.urls")),
]
