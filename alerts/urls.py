"""Saved searches in the trainer workspace, unsubscribe links, and band alerts on the company dashboard."""

from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("me/searches/", views.searches, name="searches"),
    path("me/searches/new/", views.search_create, name="search_create"),
    path("me/searches/<int:pk>/edit/", views.search_edit, name="search_edit"),
    path("me/searches/<int:pk>/delete/", views.search_delete, name="search_delete"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("company/<slug:slug>/alerts/<int:pk>/dismiss/", views.band_alert_dismiss, name="band_alert_dismiss"),
]
