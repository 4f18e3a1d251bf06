"""The REST API, versioned under /api/v1/; the OpenAPI schema at /api/v1/schema/ and its docs at /api/docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("domains", views.DomainViewSet, basename="domain")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("currencies", views.CurrencyViewSet, basename="currency")
router.register("postings", views.PostingViewSet, basename="posting")

v1 = [
    path("tiers/", views.TierList.as_view(), name="tiers"),
    path("units/", views.UnitList.as_view(), name="units"),
    path("benchmarks/", views.BenchmarkList.as_view(), name="benchmarks"),
    path("benchmarks/history/", views.BenchmarkHistory.as_view(), name="benchmark-history"),
    path("benchmarks/position/", views.BenchmarkPosition.as_view(), name="benchmark-position"),
    path("report/", views.Report.as_view(), name="report"),
    path("surveys/batch/", views.SurveyBatch.as_view(), name="survey-batch"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ answers in JSON, as the API does, not with the site's HTML 404 page. Not ".*":
    # the dot stops at a line break, and a path holding one (%0A) fell through to the HTML page.
    re_path(r"^[\s\S]*", views.not_found),
]

urlpatterns = [
    path("v1/", include(v1)),
    # Swagger UI from drf-spectacular-sidecar (no CDN); the split view serves its script as a file, for the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
