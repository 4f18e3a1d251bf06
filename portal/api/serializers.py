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

from .display import CurrencyAnswer, CurrencyQuery

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


# --- Benchmarks -------------------------------------------------------------------------------------------------

ALL_HELP = '"*" for the all-values cells'


class BenchmarkQuerySerializer(CurrencyQuery):
    """Filters of the benchmark endpoints; an omitted filter matches any value."""

    domain = serializers.CharField(required=False, max_length=40, help_text=f"Domain slug, or {ALL_HELP}.")
    tier = serializers.ChoiceField(
        choices=[*SkillTier.values, "*"], required=False, help_text=f"Skill tier, or {ALL_HELP}."
    )
    country = serializers.CharField(
        required=False,
        max_length=9,
        help_text=f'ISO 3166-1 alpha-2 code, "worldwide" for postings open worldwide, or {ALL_HELP}.',
    )
    kind = serializers.ChoiceField(
        choices=["reported", "advertised"], required=False, help_text="reported (pay surveys) or advertised (postings)."
    )

    def validate_domain(self, value: str) -> str:
        if value != "*" and not Domain.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"Unknown domain {value!r}; see /api/v1/domains/.")
        return value

    def validate_country(self, value: str) -> str:
        if value == "*":
            return value
        if value.lower() == "worldwide":
            return ""
        if value.upper() not in countries:
            raise serializers.ValidationError('Use an ISO 3166-1 alpha-2 code (e.g. US), "worldwide" or "*".')
        return value.upper()


class BenchmarkListQuerySerializer(BenchmarkQuerySerializer):
    include_suppressed = serializers.BooleanField(
        required=False,
        default=True,
        help_text="List cells with fewer than the minimum contributors (without any statistics). Default true.",
    )


class HistoryQuerySerializer(BenchmarkQuerySerializer):
    domain = serializers.CharField(required=False, default="*", max_length=40, help_text=f"Domain slug, or {ALL_HELP}.")
    tier = serializers.ChoiceField(
        choices=[*SkillTier.values, "*"], required=False, default="*", help_text=f"Skill tier, or {ALL_HELP}."
    )
    country = serializers.CharField(
        required=False,
        default="*",
        max_length=9,
        help_text=f'ISO 3166-1 alpha-2 code, "worldwide" or {ALL_HELP} (default).',
    )
    kind = serializers.ChoiceField(choices=["reported", "advertised"], required=False, default="reported")
    months = serializers.IntegerField(required=False, min_value=1, max_value=120, help_text="Only the newest N months.")


class PositionQuerySerializer(serializers.Serializer):
    """A rate, or a band (``band_min`` and ``band_max``), in a currency and unit (default USD an hour)."""

    domain = SlugRelatedField(slug_field="slug", queryset=Domain.objects.all(), help_text="Domain slug.")
    tier = serializers.ChoiceField(choices=SkillTier.values)
    country = serializers.CharField(
        required=False, default="*", max_length=9, help_text='ISO 3166-1 alpha-2 code or "*" (default).'
    )
    kind = serializers.ChoiceField(choices=["reported", "advertised"], required=False, default="reported")
    rate = DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    band_min = DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    band_max = DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = SlugRelatedField(
        slug_field="code", queryset=Currency.objects.filter(active=True), required=False, help_text="Default USD."
    )
    unit = serializers.ChoiceField(choices=PayUnit.values, required=False, default="hour")
    hours_per_week = DecimalField(max_digits=5, decimal_places=2, min_value=0, required=False)
    minutes_per_task = DecimalField(max_digits=7, decimal_places=2, min_value=0, required=False)
    project_hours = DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False)

    def validate_country(self, value: str) -> str:
        if value == "*":
            return value
        if value.upper() not in countries:
            raise serializers.ValidationError('Use an ISO 3166-1 alpha-2 code (e.g. US) or "*".')
        return value.upper()

    def validate(self, attrs):
        has_rate = attrs.get("rate") is not None
        has_band = attrs.get("band_min") is not None or attrs.get("band_max") is not None
        if has_rate == has_band:
            raise serializers.ValidationError("Give either rate, or band_min and band_max.")
        if has_band and (attrs.get("band_min") is None or attrs.get("band_max") is None):
            raise serializers.ValidationError("A band needs both band_min and band_max.")
        return attrs


class BenchmarkCellSerializer(serializers.Serializer):
    """A published cell. Suppressed cells (fewer than the minimum contributors) carry no statistics at all; counts
    are published in bands of 5, or withheld where a subtraction could otherwise pin down a suppressed cell's."""

    key = serializers.CharField()
    domain = serializers.CharField(help_text='Domain slug, or "*" for all domains.')
    domain_name = serializers.CharField()
    tier = serializers.CharField(help_text='Skill tier, or "*" for all tiers.')
    tier_label = serializers.CharField()
    country = serializers.CharField(help_text='ISO code, "" for postings open worldwide, or "*" for all countries.')
    country_label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["reported", "advertised"])
    kind_label = serializers.CharField()
    suppressed = serializers.BooleanField(help_text="Fewer than the minimum contributors: no statistics published.")
    tails_suppressed = serializers.BooleanField(help_text="Too few contributors for p10 and p90.")
    counts_withheld = serializers.BooleanField(
        help_text="Contributors and observations withheld: their bands, subtracted from this cell, would pin down a "
        "suppressed cell's count. Percentiles are still published."
    )
    contributors_display = serializers.CharField(help_text='The band ("10–14"), "fewer than 5" or "withheld".')
    contributors = serializers.IntegerField(
        allow_null=True,
        help_text="Lower bound of the band of distinct contributors (12 → 10); null when not published.",
    )
    contributors_band = serializers.CharField(allow_null=True, help_text='"10–14", or "withheld".')
    observations = serializers.IntegerField(
        allow_null=True, help_text="Lower bound of the band of data points (12 → 10); null when not published."
    )
    observations_band = serializers.CharField(allow_null=True, help_text='"10–14", or "withheld".')
    sources = serializers.IntegerField(
        allow_null=True, help_text="Distinct sources, exact (organisations, not people)."
    )
    platforms = serializers.IntegerField(allow_null=True, help_text="Distinct platforms, exact.")
    currency = serializers.CharField(default="USD", help_text="The currency of p10–p90 (an hour), ISO 4217.")
    p10 = serializers.FloatField(allow_null=True, help_text="An hour, in `currency`.")
    p25 = serializers.FloatField(allow_null=True, help_text="An hour, in `currency`.")
    p50 = serializers.FloatField(allow_null=True, help_text="An hour, in `currency` (median).")
    p75 = serializers.FloatField(allow_null=True, help_text="An hour, in `currency`.")
    p90 = serializers.FloatField(allow_null=True, help_text="An hour, in `currency`.")
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When these statistics were computed (for a history point: when it was recorded)."
    )


class HistoryPointSerializer(BenchmarkCellSerializer):
    """One monthly point of a cell: the cell as the methodology publishes it over the rolling window (12 months by
    default) ending with ``month``, from the observations whose pay period falls in that window. Suppression and
    count bands apply to each point as to the current cells: a suppressed month has no statistics (a gap in a chart,
    never a zero)."""

    month = serializers.DateField(
        help_text="First day of the month the point is for; the point covers the window of months ending with it."
    )


class _PageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class BenchmarkPageSerializer(_PageSerializer, CurrencyAnswer):
    last_updated = serializers.DateTimeField(allow_null=True, help_text="When the newest cell was computed.")
    results = BenchmarkCellSerializer(many=True)


class HistoryPageSerializer(_PageSerializer, CurrencyAnswer):
    results = HistoryPointSerializer(many=True)


class PositionSerializer(serializers.Serializer):
    hourly_usd = serializers.FloatField(help_text="The rate (or band midpoint) in US dollars an hour.")
    cell = BenchmarkCellSerializer(help_text="The published cell the rank was read from.")
    cell_label = serializers.CharField()
    fallback = serializers.ChoiceField(
        choices=["exact", "all countries", "all tiers and countries"], help_text="How far the lookup fell back."
    )
    percentile = serializers.FloatField(help_text="Percentile rank of the rate (or the band's midpoint), 10–90.")
    beyond = serializers.ChoiceField(choices=["below", "above"], allow_null=True)
    band_percentiles = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    band_beyond = serializers.ListField(child=serializers.CharField(allow_null=True), allow_null=True)
