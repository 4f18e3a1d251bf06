"""Benchmark cells, their history, positioning and the report."""

import hashlib

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.display import USD, display_rate
from benchmarks.errors import ServiceError
from benchmarks.freshness import cells_version_with, version_time
from benchmarks.normalisation import PayBand, PayTerms
from benchmarks.positioning import position_rate
from benchmarks.segments import segment_for
from benchmarks.selectors import cell_history_ordered, cells_ordered, present
from portal.report import report_figures

from .. import benchmark_serializers as s
from ..display import CurrencyQuery, report_in_currency
from ..errors import call_service
from ..pagination import PortalCursorPagination
from ..permissions import BenchmarksRead
from ..renderers import CSVRenderer
from .common import BENCHMARKS_AUTH, CONDITIONAL_PARAMS, FORMAT_PARAM, R304, _errors


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _BenchmarkBase(APIView):
    permission_classes = [BenchmarksRead]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @property
    def wants_csv(self) -> bool:
        return getattr(self.request.accepted_renderer, "format", "") == "csv"

    @staticmethod
    def download(response, name: str):
        """The response (a DRF ``Response`` or rendered bytes) as the file ``name``.csv."""
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


# How long a process serves an answer again without asking the shared cache for the cells' version: a publish reaches
# every process within this time (what it buys: bench/README.md, "What each kept piece buys").
PROCESS_SECONDS = 0.1


def _shown_rate(request) -> str:
    """The display rate an answer is converted at, for its cache key and ETag: a new rate is a new answer."""
    code = request.query_params.get("currency")
    if not code:
        return "USD"
    try:
        rate = display_rate(code)
    except ServiceError:
        return "refused"  # the answer is a 400, never kept
    return f"{rate.code}:{rate.usd_per_unit}:{rate.rate_date}"


def _lookup(request) -> tuple[int | None, str, tuple | None]:
    """(the cells' version, the cache key of this URL's answer, the answer kept there if it is of this version):
    once per request (the ETag, the date and the answer all need it). An answer this process served less than
    ``PROCESS_SECONDS`` ago is served again with its version; otherwise one round trip to the shared cache."""
    if not hasattr(request, "benchmarks_lookup"):
        parts = [
            settings.BENCHMARK_MIN_CONTRIBUTORS,
            settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS,
            request.accepted_media_type,
            request.get_host(),
            request.get_full_path(),
            _shown_rate(request),
        ]
        key = "api:benchmarks:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
        recent = caches["process"].get(key)
        if recent is not None:
            request.benchmarks_lookup = (recent[0], key, recent)
            return request.benchmarks_lookup
        version, found = cells_version_with([key])
        kept = found.get(key)
        if kept is not None and kept[0] == version:
            caches["process"].set(key, kept, PROCESS_SECONDS)
        else:
            kept = None
        request.benchmarks_lookup = (version, key, kept)
    return request.benchmarks_lookup


def _benchmarks_etag(request, *args, **kwargs) -> str:
    """Everything a benchmarks/ answer depends on: the cells' version, and what the answer's key names (the
    thresholds, the media type, the host, the URL and the display rate)."""
    version, key, _kept = _lookup(request)
    return '"' + hashlib.sha256(f"{version}|{key}".encode()).hexdigest()[:32] + '"'


def _benchmarks_last_modified(request, *args, **kwargs):
    version = _lookup(request)[0]
    return version_time(version) if version else None


class BenchmarkCursorPagination(PortalCursorPagination):
    """Pages the cells in the database, in their published order (``benchmarks.selectors.cells_ordered``)."""

    ordering = "sort_key"

    def get_paginated_response(self, data, **extra) -> Response:
        body = {"next": self.get_next_link(), "previous": self.get_previous_link(), **extra, "results": data}
        return Response(body)


class HistoryCursorPagination(BenchmarkCursorPagination):
    ordering = "month"


class BenchmarkList(_BenchmarkBase):
    """Published benchmark cells, suppression applied by the selector; conditional GET with ETag / Last-Modified.

    Answers are kept rendered in the cache, one per URL (and media type, host, thresholds and display rate), with
    the cells' version they were built from: one read of the cache gets the version and the answer, and an answer
    of another version is built again."""

    ANSWER_SECONDS = 300
    csv_columns = tuple(s.BenchmarkCellSerializer().fields)

    @extend_schema(
        summary="Benchmark cells",
        description=(
            "Cells of (domain | all) × (tier | all) × (country | all) × kind, in US dollars an hour (or `currency`): "
            "contributors and observations (in bands of 5), sources, platforms, the verified share and p10–p90. Min, "
            "max and means are never published. `platform=<slug>` gives one platform's reported pay by domain and "
            "tier (all countries); `verified=true` the same cells from verified data only. A platform's or "
            "verified-only cell is suppressed too when the rest of its whole cell has fewer than the minimum "
            "contributors. Answers carry `ETag` and `Last-Modified`; send them back (`If-None-Match`, "
            f"`If-Modified-Since`) to get 304 while nothing changed. {BENCHMARKS_AUTH}"
        ),
        parameters=[s.BenchmarkListQuerySerializer, FORMAT_PARAM, *CONDITIONAL_PARAMS],
        responses={
            (200, "application/json"): s.BenchmarkPageSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            304: R304,
            **_errors(400, 401, 403, 404, 429),
        },
    )
    @method_decorator(condition(etag_func=_benchmarks_etag, last_modified_func=_benchmarks_last_modified))
    def get(self, request):
        renderer = request.accepted_renderer
        if isinstance(renderer, BrowsableAPIRenderer):  # a person browsing: rendered fresh, never kept
            return Response(self._answer(request))
        version, key, answer = _lookup(request)
        if answer is None:
            content = renderer.render(self._answer(request), request.accepted_media_type, self.get_renderer_context())
            charset = f"; charset={renderer.charset}" if renderer.charset else ""
            answer = (version, renderer.media_type + charset, content)
            cache.set(key, answer, self.ANSWER_SECONDS)
            caches["process"].set(key, answer, PROCESS_SECONDS)
        response = HttpResponse(answer[2], content_type=answer[1])
        return self.download(response, "benchmarks") if self.wants_csv else response

    def _answer(self, request) -> list | dict:
        filters = _query(s.BenchmarkListQuerySerializer, request)
        rate = filters.get("currency", USD)
        rows = cells_ordered(
            domain=filters.get("domain"), tier=filters.get("tier"), country=filters.get("country"),
            kind=filters.get("kind"), include_suppressed=filters["include_suppressed"],
            segment=segment_for(platform=filters.get("platform"), verified=filters["verified"]),
        )  # fmt: skip
        if self.wants_csv:
            return s.BenchmarkCellSerializer(
                [rate.convert_cell(present(row).as_dict()) for row in rows], many=True
            ).data
        paginator = BenchmarkCursorPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        cells = s.BenchmarkCellSerializer([rate.convert_cell(present(row).as_dict()) for row in page], many=True).data
        last_updated = _benchmarks_last_modified(request)
        return paginator.get_paginated_response(cells, last_updated=last_updated, **rate.as_dict()).data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304):
            response["Vary"] = "Accept, Authorization, Cookie"
            response["Cache-Control"] = "no-cache"
        return response


class BenchmarkHistory(_BenchmarkBase):
    """Every monthly point of one cell, oldest first: paged by cursor in JSON, all at once in CSV."""

    csv_columns = tuple(s.HistoryPointSerializer().fields)

    @extend_schema(
        summary="A cell's monthly history",
        description=(
            "Every monthly history point of one cell, oldest first (`months` keeps only the newest N). A point is "
            f"the cell as published over the {settings.BENCHMARK_WINDOW_MONTHS}-month window ending with its "
            "`month`, computed from the pay periods of the observations, suppressed and banded like the current "
            "cells: a month under the minimum contributors has no statistics. JSON is paged by cursor (`next`); "
            "`?format=csv` gives every point in one file, with a header row even when there are none. Omitted "
            "filters name the all-values cell (all domains, all tiers, all countries, reported pay). "
            "`platform=<slug>` gives a platform's cell, `verified=true` the verified-only one. "
            f"{BENCHMARKS_AUTH}"
        ),
        parameters=[s.HistoryQuerySerializer, FORMAT_PARAM],
        responses={
            (200, "application/json"): s.HistoryPageSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **_errors(400, 401, 403, 404, 429),
        },
    )
    def get(self, request):
        q = _query(s.HistoryQuerySerializer, request)
        rate = q.get("currency", USD)
        segment = segment_for(platform=q.get("platform"), verified=q["verified"])
        rows = cell_history_ordered(domain=q["domain"], tier=q["tier"], country=q["country"], kind=q["kind"],
            segment=segment, months=q.get("months"))  # fmt: skip
        if self.wants_csv:
            points = s.HistoryPointSerializer(
                [rate.convert_cell(present(row).as_dict()) for row in rows], many=True
            ).data
            return self.download(Response(points), "benchmark-history")
        paginator = HistoryCursorPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        points = s.HistoryPointSerializer([rate.convert_cell(present(row).as_dict()) for row in page], many=True).data
        return paginator.get_paginated_response(points, **rate.as_dict())


class BenchmarkPosition(_BenchmarkBase):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        summary="Position a rate or band",
        description=(
            "The percentile rank of a rate (or of a band's midpoint, with the ranks of its ends) in the closest "
            "published cell: (domain, tier, country), else (domain, tier, all countries), else (domain, all tiers, "
            "all countries); `fallback` says which. Amounts are converted from `currency` and `unit` (default USD "
            f"an hour) as the portal normalises pay. 404 when no cell on the way is published. {BENCHMARKS_AUTH}"
        ),
        parameters=[s.PositionQuerySerializer],
        responses={200: s.PositionSerializer, **_errors(400, 401, 403, 404, 429)},
    )
    def get(self, request):
        q = _query(s.PositionQuerySerializer, request)
        terms = q | {"currency": q["currency"].code if q.get("currency") else "USD"}
        today = timezone.now().date()
        where = {"domain": q["domain"], "tier": q["tier"], "country": q["country"], "kind": q["kind"]}
        if q.get("rate") is not None:
            hourly = call_service(PayTerms.from_data(terms, amount_field="rate").normalise, at=today).hourly_usd
            position, shown = position_rate(**where, rate=hourly), hourly
        else:
            # Each end normalised, not the band rule: positioning takes the ends in either order.
            band = PayBand.from_data(terms, low_field="band_min", high_field="band_max")
            low = call_service(band.low.normalise, at=today).hourly_usd
            high = call_service(band.high.normalise, at=today).hourly_usd
            position, shown = position_rate(**where, band=(low, high)), (low + high) / 2
        if position is None:
            raise exceptions.NotFound("No published benchmark for this domain yet (too few contributors).")
        return Response({"hourly_usd": round(float(shown), 2), **position.as_dict()})


class Report(APIView):
    permission_classes = [BenchmarksRead]

    @extend_schema(
        summary="The live report",
        description=(
            "The figures of /report/: the 2025 study's findings restated with today's cells (suppression applied), "
            "data points, sources and when they were last updated. Percentiles are US dollars an hour, or `currency` "
            "at its current rate: the answer says `currency`, `rate` (units of it per US dollar) and `rate_date` "
            "(null for USD), and so does each cell (`currency`); `published_2025` quotes the study, in US dollars. "
            f"{BENCHMARKS_AUTH}"
        ),
        parameters=[CurrencyQuery],
        responses={200: OpenApiTypes.OBJECT, **_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        rate = _query(CurrencyQuery, request).get("currency", USD)
        return Response(report_in_currency(report_figures(), rate) | rate.as_dict())
