"""The trainer workspace, under /me/."""

from django.urls import path

from . import views

app_name = "trainers"

urlpatterns = [
    path("me/profile/", views.profile, name="profile"),
    path("me/surveys/", views.surveys, name="surveys"),
    path("me/surveys/new/", views.survey_create, name="survey_create"),
    path("me/surveys/preview/", views.survey_preview, name="survey_preview"),
    path("me/surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("me/surveys/<int:pk>/withdraw/", views.survey_withdraw, name="survey_withdraw"),
    path("me/applications/", views.applications, name="applications"),
    path("me/applications/<int:pk>/withdraw/", views.application_withdraw_view, name="application_withdraw"),
    path("me/compare/", views.compare, name="compare"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/export.json", views.my_data_export, name="my_data_export"),
    path("me/data/delete/", views.my_data_delete, name="my_data_delete"),
]
