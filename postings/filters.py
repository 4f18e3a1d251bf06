"""The job board's filters, shared by the /jobs/ page and the postings API so the two cannot drift."""

import django_filters
from django.db.models import Q
from django_countries import countries

from benchmarks.choices import Engagement, SkillTier
from benchmarks.models import Domain

from .models import JobPosting


class JobPostingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    domain = django_filters.ModelChoiceFilter(
        field_name="domain", to_field_name="slug", queryset=Domain.objects.active(), label="Domain",
        empty_label="Any domain",
    )  # fmt: skip
    domain_id = django_filters.ModelChoiceFilter(field_name="domain", queryset=Domain.objects.all(), label="Domain id")
    tier = django_filters.ChoiceFilter(choices=SkillTier.choices, label="Skill tier", empty_label="Any tier")
    country = django_filters.ChoiceFilter(
        choices=list(countries), method="filter_country", label="Country", empty_label="Any country"
    )
    worldwide = django_filters.BooleanFilter(method="filter_worldwide", label="Open worldwide")
    min_usd = django_filters.NumberFilter(
        field_name="rate_max_usd", lookup_expr="gte", label="Minimum USD an hour", min_value=0
    )
    engagement = django_filters.ChoiceFilter(
        choices=Engagement.choices, label="Engagement", empty_label="Any engagement"
    )
    sort = django_filters.OrderingFilter(
        fields=(("published_at", "newest"), ("rate_max_usd", "rate")),
        field_labels={"published_at": "Newest", "rate_max_usd": "Highest rate"},
        label="Sort",
    )

    class Meta:
        model = JobPosting
        fields = ["q", "domain", "domain_id", "tier", "country", "worldwide", "min_usd", "engagement"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(company__name__icontains=value)
        )

    def filter_country(self, queryset, name, value):
        """A country's jobs include those open worldwide: a trainer there can take them too."""
        return queryset.filter(Q(country=value) | Q(country="")) if value else queryset

    def filter_worldwide(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(country="") if value else queryset.exclude(country="")
