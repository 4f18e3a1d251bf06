"""Serializers of the REST API. They validate shapes and render; every change goes through a service."""

from django.db import models
from django_countries import countries
from rest_framework import serializers

from benchmarks.choices import Engagement, PayUnit, SkillTier, TaskType
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, Domain, Platform
from benchmarks.normalisation import parse_number
from postings.choices import DescriptionFormat
from postings.models import JobPosting
from trainers.ingestion import COLUMNS, MAX_FIELD_CHARS, REQUIRED_COLUMNS

MAX_BATCH_ROWS = 1000


class _RefusesNul:
    """A looked-up value holding a NUL byte is refused as invalid: PostgreSQL would refuse the query outright."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
        return super().to_internal_value(data)


class SlugRelatedField(_RefusesNul, serializers.SlugRelatedField):
    pass


class PrimaryKeyRelatedField(_RefusesNul, serializers.PrimaryKeyRelatedField):
    pass


class DecimalField(serializers.DecimalField):
    """A number sent as text is read by the portal's one rule (``parse_number``); JSON numbers are numbers already."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                parse_number(data, field=self.field_name)
            except ServiceError as error:
                raise serializers.ValidationError(error.text, code="invalid") from None
        return super().to_internal_value(data)


# --- Errors (for the schema) ------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


class ValidationErrorSerializer(serializers.Serializer):
    """``{field: [messages]}``; errors that concern no one field are under ``non_field_errors``."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


# --- Reference lists --------------------------------------------------------------------------------------------


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["slug", "name", "description"]


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class PlatformSerializer(serializers.ModelSerializer):
    aliases = serializers.SerializerMethodField()

    class Meta:
        model = Platform
        fields = ["slug", "name", "website", "aliases"]

    def get_aliases(self, platform: Platform) -> list[str]:
        return [alias.alias for alias in platform.aliases.all()]


class CurrencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Currency
        fields = ["code", "name"]


# --- Postings ---------------------------------------------------------------------------------------------------


class PostingSerializer(serializers.ModelSerializer):
    """A job posting. ``status``, ``company`` and the normalised band are read-only: sent values are ignored."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: DecimalField,
    }
    company = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)
    domain = SlugRelatedField(
        slug_field="slug", queryset=Domain.objects.active(), help_text="A domain slug (see /api/v1/domains/)."
    )
    currency = PrimaryKeyRelatedField(
        queryset=Currency.objects.filter(active=True), help_text="An ISO 4217 code (see /api/v1/currencies/)."
    )
    country = serializers.ChoiceField(
        choices=[("", "Worldwide"), *countries],
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code; empty for a job open worldwide.",
    )
    tier = serializers.ChoiceField(choices=SkillTier.choices)
    unit = serializers.ChoiceField(choices=PayUnit.choices, required=False)
    engagement = serializers.ChoiceField(choices=Engagement.choices, required=False)
    description_format = serializers.ChoiceField(choices=DescriptionFormat.choices, required=False)
    rate_min_usd = serializers.DecimalField(
        max_digits=12, decimal_places=4, read_only=True, help_text="Band minimum in US dollars an hour."
    )
    rate_max_usd = serializers.DecimalField(
        max_digits=12, decimal_places=4, read_only=True, help_text="Band maximum in US dollars an hour."
    )

    class Meta:
        model = JobPosting
        fields = [
            "id", "company", "company_name", "title", "description", "description_format", "domain", "tier",
            "credentials", "languages", "country", "engagement", "hours_per_week", "rate_min", "rate_max",
            "currency", "unit", "minutes_per_task", "project_hours", "rate_min_usd", "rate_max_usd", "apply_url",
            "status", "rejection_reason", "published_at", "expires_at", "closed_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "status", "rejection_reason", "published_at", "expires_at", "closed_at", "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {
            "rate_min": {"min_value": 0},
            "rate_max": {"min_value": 0},
            "hours_per_week": {"min_value": 0},
            "minutes_per_task": {"min_value": 0},
            "project_hours": {"min_value": 0},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["country"] = str(instance.country or "")
        return data


# --- Surveys batch ----------------------------------------------------------------------------------------------


def _column(name: str) -> serializers.CharField:
    required = name in REQUIRED_COLUMNS
    return serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=MAX_FIELD_CHARS,
        help_text=("Required." if required else "Optional.") + " " + COLUMN_HELP[name],
    )


COLUMN_HELP = {
    "period": "Month of pay, YYYY-MM; not in the future, at most five years back.",
    "platform": "Platform name, website or alias (see /api/v1/platforms/).",
    "domain": "Domain slug (see /api/v1/domains/).",
    "skill_tier": "entry, skilled, expert or top_expert.",
    "country": "ISO 3166-1 alpha-2 code of where the trainer works.",
    "currency": "ISO 4217 code (see /api/v1/currencies/).",
    "amount": "Amount paid per unit, a number.",
    "unit": "hour, task, day, week, month, year or project.",
    "hours_per_week": "Hours worked a week (week, month, year and day pay; default 40).",
    "minutes_per_task": "Minutes one task takes (required for task pay).",
    "project_hours": "Total hours of the project (required for project pay).",
    "unpaid_hours_per_week": "Unpaid hours a week (onboarding, unpaid review); lowers the effective rate.",
    "task_type": f"One of {', '.join(TaskType.values)}; default other.",
    "engagement": f"One of {', '.join(Engagement.values)}; default freelance.",
    "external_id": "Your id for the row; sending it again updates that row. Without one, identical rows count once.",
}


class _SurveyRowBase(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(name) for name in set(data) - set(COLUMNS))
            if unknown:
                raise serializers.ValidationError(
                    {"non_field_errors": [f"Unknown column(s): {', '.join(unknown)}. Expected: {', '.join(COLUMNS)}."]}
                )
        return super().to_internal_value(data)


# One pay survey, with the columns of the CSV import. Values are checked row by row by the ingestion service.
SurveyRowSerializer = type(
    "SurveyRowSerializer",
    (_SurveyRowBase,),
    {"__doc__": "One pay survey with the columns of the CSV import.", **{name: _column(name) for name in COLUMNS}},
)


class SurveyBatchSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=SurveyRowSerializer(), min_length=1, max_length=MAX_BATCH_ROWS, help_text="Up to 1,000 rows."
    )


class SurveyRowResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the row in `rows`, from 0.")
    status = serializers.ChoiceField(choices=["accepted", "flagged", "rejected"])
    reason = serializers.CharField(help_text="Why the row was rejected or flagged; empty when accepted.")
    external_id = serializers.CharField(help_text="The row's id: as sent, or a hash of its content.")
    unchanged = serializers.BooleanField(help_text="The same row was stored before; nothing changed.")


class SurveyBatchSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    accepted = serializers.IntegerField()
    flagged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class SurveyBatchResultSerializer(serializers.Serializer):
    summary = SurveyBatchSummarySerializer()
    rows = SurveyRowResultSerializer(many=True)


class _PageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
