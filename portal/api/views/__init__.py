"""Views of the REST API under /api/v1/, one module per resource. Thin: a queryset or a selector, a serializer, a
service call."""

from .benchmarks import BenchmarkHistory, BenchmarkList, BenchmarkPosition, Report
from .common import not_found
from .postings import PostingViewSet
from .reference import CurrencyViewSet, DomainViewSet, PlatformViewSet, TierList, UnitList
from .surveys import SurveyBatch

__all__ = [
    "BenchmarkHistory", "BenchmarkList", "BenchmarkPosition", "CurrencyViewSet", "DomainViewSet", "PlatformViewSet",
    "PostingViewSet", "Report", "SurveyBatch", "TierList", "UnitList", "not_found",
]  # fmt: skip
