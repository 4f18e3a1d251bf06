"""A trainer's rights over their data: a copy of everything we hold about them, and erasure.

Erasure takes their surveys out of the benchmarks first (so the cells are recomputed without them), withdraws
their open applications, deletes the files of their verification documents, then deletes the account with everything
that hangs off it, including the audit copies of their surveys, the log-in records kept against their address and the
record of alert emails sent to it.
"""

import datetime
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.db import transaction

from alerts.models import Delivery, SavedSearch
from benchmarks.services import observation_remove
from postings.models import Application, Membership
from postings.services import applications_withdraw_for_trainer
from trainers.models import PaySurvey, TrainerProfile, VerificationDocument
from trainers.verification import verification_documents_erase

SURVEY_EXPORT_FIELDS = (
    "id", "period", "platform__name", "domain__name", "tier", "country", "task_type", "engagement", "amount",
    "currency_id", "unit", "hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week",
    "hourly_usd", "effective_hourly_usd", "status", "status_reason", "verification", "created_at", "updated_at",
)  # fmt: skip


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _rows(queryset, fields) -> list[dict]:
    return [{key: _plain(value) for key, value in row.items()} for row in queryset.values(*fields)]


def trainer_data_export(*, user) -> dict:
    """Everything the portal holds about this person, as JSON-ready data."""
    profile = TrainerProfile.objects.filter(user=user).prefetch_related("domains").first()
    data = {
        "account": {"username": user.get_username(), "email": user.email, "date_joined": _plain(user.date_joined)},
        "profile": None,
        "surveys": [],
        "applications": [],
        "verification_documents": [],
        "memberships": _rows(Membership.objects.filter(user=user), ("company__name", "role", "created_at")),
        "saved_searches": _rows(
            SavedSearch.objects.filter(user=user), ("id", "name", "query", "frequency", "active", "created_at")
        ),
        "alert_emails": _rows(Delivery.objects.filter(user=user), ("kind", "status", "to", "subject", "created_at")),
    }
    if profile is not None:
        data["profile"] = {
            "display_name": profile.display_name,
            "headline": profile.headline,
            "domains": [d.name for d in profile.domains.all()],
            "tier": profile.tier,
            "credentials": profile.credentials,
            "languages": profile.languages,
            "country": str(profile.country),
            "created_at": _plain(profile.created_at),
        }
        data["surveys"] = _rows(PaySurvey.objects.filter(trainer=profile), SURVEY_EXPORT_FIELDS)
        data["verification_documents"] = _rows(
            VerificationDocument.objects.filter(survey__trainer=profile),
            ("survey_id", "content_type", "size", "sha256", "uploaded_at", "status", "reason", "reviewed_at"),
        )
        data["applications"] = _rows(
            Application.objects.filter(trainer=profile),
            ("id", "posting__title", "posting__company__name", "status", "cover_letter", "created_at"),
        )
    return data


@transaction.atomic
def trainer_account_delete(*, user) -> None:
    """Erase a person: their pay data leaves the benchmarks, applications are withdrawn, the account is deleted."""
    profile = TrainerProfile.objects.filter(user=user).first()
    survey_ids = list(PaySurvey.objects.filter(trainer=profile).values_list("pk", flat=True)) if profile else []
    if profile is not None:
        for pk in survey_ids:
            observation_remove(origin=f"survey:{pk}")
        applications_withdraw_for_trainer(trainer=profile)
        verification_documents_erase(surveys=survey_ids)  # the files; their rows go with the surveys
    # Axes' failure records hold the name as typed, lower-cased (portal.lockout); its access log the account's username.
    names = {name for given in (user.get_username(), user.email) for name in (given, given.lower())} - {""}
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=names).delete()
    Delivery.objects.filter(user=user).delete()  # their address would outlive the account otherwise
    get_user_model().objects.filter(pk=user.pk).delete()
    # After the delete: deleting the surveys itself writes one last audit copy of each.
    PaySurvey.history.filter(id__in=survey_ids).delete()
