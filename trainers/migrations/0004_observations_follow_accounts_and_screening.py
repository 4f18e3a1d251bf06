"""Trainer observations count from the account's standing; flagged surveys get their (left-out) observation."""

import datetime

from django.conf import settings
from django.db import migrations


def forwards(apps, schema_editor):
    PaySurvey = apps.get_model("trainers", "PaySurvey")
    Observation = apps.get_model("benchmarks", "Observation")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Source = apps.get_model("benchmarks", "Source")
    pooled = set(Source.objects.filter(kind="partner", trusted=False).values_list("pk", flat=True))
    verified = set(EmailAddress.objects.filter(verified=True).values_list("user_id", flat=True))
    age = datetime.timedelta(days=settings.BENCHMARK_ACCOUNT_MIN_AGE_DAYS)
    surveys = PaySurvey.objects.filter(status__in=["accepted", "flagged"]).select_related("trainer__user")
    for survey in surveys.iterator(chunk_size=2000):
        origin = f"survey:{survey.pk}"
        values = {
            "flagged": survey.status == "flagged",
            "reviewed": survey.status == "accepted" and survey.reviewed_at is not None,
        }
        if survey.trainer_id:
            user = survey.trainer.user
            standing = user.pk in verified
            values["party"] = f"trainer:{survey.trainer_id}" if standing else ""
            values["counts_from"] = user.date_joined + age if standing else None
        if survey.status == "flagged":
            Observation.objects.update_or_create(
                origin=origin,
                defaults={
                    **values,
                    "kind": "reported",
                    "domain_id": survey.domain_id,
                    "tier": survey.tier,
                    "country": survey.country,
                    "period": survey.period,
                    "hourly_usd": survey.hourly_usd,
                    "source_id": survey.source_id,
                    "platform_id": survey.platform_id,
                    "contributor": f"trainer:{survey.trainer_id}" if survey.trainer_id else f"row:{survey.pk}",
                    "party": values.get(
                        "party", f"source:{survey.source_id}" if survey.source_id in pooled else f"row:{survey.pk}"
                    ),
                },
            )
        else:
            Observation.objects.filter(origin=origin).update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("trainers", "0003_history_without_foreign_key_indexes"),
        ("benchmarks", "0008_screening_and_independent_parties"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
