"""Job board and company workspace pages."""

from django.urls import path

from . import views

app_name = "postings"

urlpatterns = [
    path("jobs/", views.board, name="board"),
    path("jobs/<int:pk>/", views.detail, name="detail"),
    path("jobs/<int:pk>/apply/", views.apply, name="apply"),
    path("company/", views.company_home, name="company_home"),
    path("company/<slug:slug>/", views.company_dashboard, name="company_dashboard"),
    path("company/<slug:slug>/postings/new/", views.posting_create, name="create"),
    path("company/<slug:slug>/postings/preview/", views.posting_preview, name="preview"),
    path("company/<slug:slug>/postings/<int:pk>/", views.posting_manage, name="manage"),
    path("company/<slug:slug>/postings/<int:pk>/edit/", views.posting_edit, name="edit"),
    path("company/<slug:slug>/postings/<int:pk>/submit/", views.posting_submit, name="submit"),
    path("company/<slug:slug>/postings/<int:pk>/close/", views.posting_close, name="close"),
    path("company/<slug:slug>/postings/<int:pk>/applicants/", views.applicants, name="applicants"),
    path(
        "company/<slug:slug>/applications/<int:pk>/<slug:action>/",
        views.application_move,
        name="application_move",
    ),
    path("company/<slug:slug>/team/", views.team, name="team"),
    path("company/<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
