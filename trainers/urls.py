"""The trainer workspace, under /me/, and the staff view of verification documents. ``portal.urls`` adds the pages
that span trainers and postings."""

from django.urls import path

from . import views

app_name = "trainers"

urlpatterns = [
    path("me/profile/", views.profile, name="profile"),
    path("me/surveys/", views.surveys, name="surveys"),
    path("me/surveys/new/", views.survey_create, name="survey_create"),
    path("me/surveys/preview/", views.survey_preview, name="survey_preview"),
    path("me/surveys/filed/", views.survey_filed, name="survey_filed"),
    path("me/surveys/<int:pk>/versions/", views.survey_versions, name="survey_versions"),
    path("me/surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("me/surveys/<int:pk>/withdraw/", views.survey_withdraw, name="survey_withdraw"),
    path("me/surveys/<int:pk>/document/", views.survey_document, name="survey_document"),
    path("staff/documents/<int:pk>/", views.document_file, name="document_file"),
    path("me/compare/", views.compare, name="compare"),
]
