"""Serializers of the benchmark endpoints: their filters (a segment among them) and the published cells."""

from django_countries import countries
from rest_framework import serializers

from benchmarks.choices import PayUnit, SkillTier
from benchmarks.models import Currency, Domain, Platform

from .display import CurrencyAnswer, CurrencyQuery
from .serializers import DecimalField, SlugRelatedField, _PageSerializer

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


class SegmentQuerySerializer(serializers.Serializer):
    """Which observations a cell counts: every one (default), one platform's reported pay, or verified ones only."""

    platform = SlugRelatedField(
        slug_field="slug",
        queryset=Platform.objects.all(),
        required=False,
        help_text="A platform's slug (see /api/v1/platforms/): that platform's reported pay, by domain and tier, "
        'over all countries. Its cells have kind "reported" and country "*".',
        error_messages={"does_not_exist": "Unknown platform {value!r}; see /api/v1/platforms/."},
    )
    verified = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: figures from verified data only (document-verified surveys, verified companies' postings), "
        "under the same rules. Default false.",
        error_messages={"invalid": 'Use "true" or "false".'},
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("platform") is None:
            return attrs
        if attrs.get("verified"):
            raise serializers.ValidationError(
                {"verified": "Verified-only figures are not published per platform; leave out platform or verified."}
            )
        if attrs.get("kind") not in (None, "reported"):
            raise serializers.ValidationError({"kind": 'A platform\'s figures are reported pay: use "reported".'})
        if attrs.get("country") not in (None, "*"):
            raise serializers.ValidationError(
                {"country": 'A platform\'s figures are published over all countries: use "*" or leave it out.'}
            )
        return attrs


class BenchmarkListQuerySerializer(SegmentQuerySerializer, BenchmarkQuerySerializer):
    include_suppressed = serializers.BooleanField(
        required=False,
        default=True,
        help_text="List cells with fewer than the minimum contributors (without any statistics). Default true.",
    )


class HistoryQuerySerializer(SegmentQuerySerializer, BenchmarkQuerySerializer):
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
    segment = serializers.CharField(
        help_text='Which observations it counts: "" every one, "verified" verified ones only, "platform:<id>" one '
        "platform's reported pay."
    )
    segment_label = serializers.CharField(help_text='"", "Verified only" or the platform\'s name.')
    platform = serializers.CharField(help_text="The platform's slug for a platform's cell, else \"\".")
    suppressed = serializers.BooleanField(
        help_text="Fewer than the minimum contributors (for a segment's cell, or in the rest of its whole cell): no "
        "statistics published."
    )
    tails_suppressed = serializers.BooleanField(help_text="Too few contributors for p10 and p90.")
    counts_withheld = serializers.BooleanField(
        help_text="Contributors and observations withheld: their bands, subtracted from this cell, would pin down a "
        "suppressed cell's count. Percentiles are still published."
    )
    contributors_display = serializers.CharField(
        help_text='The band ("10–14"), "fewer than 5", "withheld", or for a segment\'s cell held back because the '
        'rest of its whole cell is too small, "not shown: fewer than 5 outside it".'
    )
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
    verified_share = serializers.IntegerField(
        allow_null=True,
        help_text="Percent of its contributors with verified data, to the nearest 10; null where counts are not "
        "published.",
    )
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
