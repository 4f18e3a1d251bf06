"""Views of the REST API under /api/v1/. Thin: a queryset or a selector, a serializer, a service call."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import condition
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.choices import PayUnit, SkillTier
from benchmarks.freshness import cells_version_with, version_time
from benchmarks.models import Currency, Domain, Platform
from benchmarks.normalisation import PayBand, PayTerms
from benchmarks.positioning import position_rate
from benchmarks.selectors import cell_history_ordered, cells_ordered, present
from portal.report import report_figures
from postings.choices import PostingStatus
from postings.filters import JobPostingFilterSet
from postings.models import Company, JobPosting
from postings.services import posting_close, posting_create, posting_submit, posting_update
from trainers.ingestion import COLUMNS

from . import serializers as s
from .authentication import request_partner
from .errors import R400, R401, R403, R404, R409, R429, call_service
from .pagination import PortalCursorPagination, PostingCursorPagination
from .permissions import BenchmarksRead, PostingsAccess, SurveysWrite
from .renderers import CSVRenderer
from .services import surveys_push

PUBLIC = "Public: no key needed (anonymous clients are throttled per IP address)."
BENCHMARKS_AUTH = (
    "Public, like the explorer pages: no key needed (anonymous clients are throttled per IP address). A partner key "
    "sent here must carry `benchmarks:read` (else 403) and gets the partner rate. Suppression applies: a cell with "
    f"fewer than {settings.BENCHMARK_MIN_CONTRIBUTORS} independent contributors publishes no statistics, p10/p90 "
    f"need {settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS} (an untrusted partner feed counts as one, a trainer account "
    "once verified and a few days old); contributor and observation counts are bands of 5 (`10–14`), "
    "withheld (`counts_withheld`) where a subtraction could otherwise pin down a suppressed cell's count."
)
FORMAT_PARAM = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="`csv` for a CSV table of every matching row (no paging); or send `Accept: text/csv`.",
)
CONDITIONAL_PARAMS = [
    OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, description="An ETag from an earlier answer."),
    OpenApiParameter(
        "If-Modified-Since", str, OpenApiParameter.HEADER, description="A Last-Modified date from an earlier answer."
    ),
]
R304 = OpenApiResponse(description="Not modified since the ETag / date sent: poll again later.")


def _errors(*codes: int) -> dict:
    table = {400: R400, 401: R401, 403: R403, 404: R404, 409: R409, 429: R429}
    return {code: table[code] for code in codes}


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    """A JSON 404 for unknown paths under /api/v1/; a path missing its final slash is redirected to it."""
    path = request.path_info
    if not path.endswith("/") and request.method in ("GET", "HEAD"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(path + "/" + (f"?{query}" if query else ""))
    raise exceptions.NotFound("No such endpoint; see /api/v1/schema/.")


# --- Reference lists --------------------------------------------------------------------------------------------


def _ordered(field: str) -> type:
    return type(f"CursorBy{field.title()}", (PortalCursorPagination,), {"ordering": field})


class _ReferenceList(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    filter_backends: list = []


@extend_schema_view(list=extend_schema(summary="Domains", description=f"Active domains. {PUBLIC}", responses={
    200: s.DomainSerializer(many=True), **_errors(404, 429)}))  # fmt: skip
class DomainViewSet(_ReferenceList):
    queryset = Domain.objects.active()
    serializer_class = s.DomainSerializer
    pagination_class = _ordered("slug")


@extend_schema_view(list=extend_schema(summary="Platforms", description=f"Platforms with their aliases. {PUBLIC}",
    responses={200: s.PlatformSerializer(many=True), **_errors(404, 429)}))  # fmt: skip
class PlatformViewSet(_ReferenceList):
    queryset = Platform.objects.active().prefetch_related("aliases")
    serializer_class = s.PlatformSerializer
    pagination_class = _ordered("slug")


@extend_schema_view(list=extend_schema(summary="Currencies", description=f"Currencies the portal converts. {PUBLIC}",
    responses={200: s.CurrencySerializer(many=True), **_errors(404, 429)}))  # fmt: skip
class CurrencyViewSet(_ReferenceList):
    queryset = Currency.objects.filter(active=True)
    serializer_class = s.CurrencySerializer
    pagination_class = _ordered("code")


class _ChoiceList(APIView):
    """A fixed vocabulary, whole, in the same envelope as every list (it never has a next page)."""

    permission_classes = [AllowAny]
    choices: type = SkillTier

    def get(self, request):
        results = [{"value": value, "label": str(label)} for value, label in self.choices.choices]
        return Response({"next": None, "previous": None, "results": results})


class ChoicePageSerializer(s._PageSerializer):
    results = s.ChoiceSerializer(many=True)


class TierList(_ChoiceList):
    choices = SkillTier

    @extend_schema(summary="Skill tiers", description=f"The fixed, ordered skill tiers. {PUBLIC}",
        responses={200: ChoicePageSerializer, **_errors(429)})  # fmt: skip
    def get(self, request):
        return super().get(request)


class UnitList(_ChoiceList):
    choices = PayUnit

    @extend_schema(summary="Pay units", description=f"The units pay can be given in. {PUBLIC}",
        responses={200: ChoicePageSerializer, **_errors(429)})  # fmt: skip
    def get(self, request):
        return super().get(request)


# --- Benchmarks -------------------------------------------------------------------------------------------------


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


def _lookup(request) -> tuple[int | None, str, tuple | None]:
    """(the cells' version, the cache key of this URL's answer, the answer kept there if it is of this version):
    one round trip to the cache, once per request (the ETag, the date and the answer all need it)."""
    if not hasattr(request, "benchmarks_lookup"):
        parts = [
            settings.BENCHMARK_MIN_CONTRIBUTORS,
            settings.BENCHMARK_MIN_CONTRIBUTORS_TAILS,
            request.accepted_media_type,
            request.get_host(),
            request.get_full_path(),
        ]
        key = "api:benchmarks:" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
        version, found = cells_version_with([key])
        kept = found.get(key)
        request.benchmarks_lookup = (version, key, kept if kept is not None and kept[0] == version else None)
    return request.benchmarks_lookup


def _benchmarks_etag(request, *args, **kwargs) -> str:
    """Everything a benchmarks/ answer depends on: the cells' version, and what the answer's key names (the
    thresholds, the media type, the host and the URL)."""
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


class HistoryCursorPagination(PortalCursorPagination):
    ordering = "month"


class BenchmarkList(_BenchmarkBase):
    """Published benchmark cells, suppression applied by the selector; conditional GET with ETag / Last-Modified.

    Answers are kept rendered in the cache, one per URL (and media type, host and thresholds), with the cells'
    version they were built from: one read of the cache gets the version and the answer, and an answer of another
    version is built again."""

    ANSWER_SECONDS = 300

    @extend_schema(
        summary="Benchmark cells",
        description=(
            "Cells of (domain | all) × (tier | all) × (country | all) × kind, in US dollars an hour: contributors "
            "and observations (in bands of 5), sources, platforms and p10–p90. Min, max and means are never "
            "published. Answers carry `ETag` and `Last-Modified`; send them back (`If-None-Match`, "
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
        response = HttpResponse(answer[2], content_type=answer[1])
        return self.download(response, "benchmarks") if self.wants_csv else response

    def _answer(self, request) -> list | dict:
        filters = _query(s.BenchmarkListQuerySerializer, request)
        rows = cells_ordered(
            domain=filters.get("domain"), tier=filters.get("tier"), country=filters.get("country"),
            kind=filters.get("kind"), include_suppressed=filters["include_suppressed"],
        )  # fmt: skip
        if self.wants_csv:
            return s.BenchmarkCellSerializer([present(row).as_dict() for row in rows], many=True).data
        paginator = BenchmarkCursorPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        cells = s.BenchmarkCellSerializer([present(row).as_dict() for row in page], many=True).data
        return paginator.get_paginated_response(cells, last_updated=_benchmarks_last_modified(request)).data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304):
            response["Vary"] = "Accept, Authorization, Cookie"
            response["Cache-Control"] = "no-cache"
        return response


class BenchmarkHistory(_BenchmarkBase):
    @extend_schema(
        summary="A cell's monthly history",
        description=(
            "One cell's monthly history points, oldest first, suppressed like the current cells. Omitted filters "
            f"name the all-values cell (all domains, all tiers, all countries, reported pay). {BENCHMARKS_AUTH}"
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
        rows = cell_history_ordered(domain=q["domain"], tier=q["tier"], country=q["country"], kind=q["kind"],
            months=q.get("months"))  # fmt: skip
        if self.wants_csv:
            points = s.HistoryPointSerializer([present(row).as_dict() for row in rows], many=True).data
            return self.download(Response(points), "benchmark-history")
        paginator = HistoryCursorPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            s.HistoryPointSerializer([present(row).as_dict() for row in page], many=True).data
        )


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
            f"data points, sources and when they were last updated. {BENCHMARKS_AUTH}"
        ),
        responses={200: OpenApiTypes.OBJECT, **_errors(401, 403, 429)},
    )
    def get(self, request):
        return Response(report_figures())


# --- Postings ---------------------------------------------------------------------------------------------------

POSTINGS_AUTH = (
    "Reading is public (published postings); a partner key with a company, or a logged-in member, also sees the "
    "company's own drafts and postings under review. Writing needs a partner key with `postings:write` whose "
    "partner has a company, or a logged-in member of the company (session with CSRF token). `status`, `company` "
    "and the USD band are read-only: values sent for them are ignored."
)
COMPANY_PARAM = OpenApiParameter(
    "company",
    str,
    description="Session users in several companies: the slug of the company to post for. Ignored for partner keys.",
)


@extend_schema_view(
    list=extend_schema(summary="Job postings", description=f"The job board, with its filters. {POSTINGS_AUTH}",
        responses={200: s.PostingSerializer(many=True), **_errors(400, 401, 404, 429)}),
    retrieve=extend_schema(summary="A job posting", description=POSTINGS_AUTH,
        responses={200: s.PostingSerializer, **_errors(401, 404, 429)}),
    create=extend_schema(summary="Create a draft posting", description=POSTINGS_AUTH, parameters=[COMPANY_PARAM],
        responses={201: s.PostingSerializer, **_errors(400, 401, 403, 429)}),
    update=extend_schema(summary="Edit a draft or rejected posting", description=POSTINGS_AUTH,
        responses={200: s.PostingSerializer, **_errors(400, 401, 403, 404, 409, 429)}),
    partial_update=extend_schema(summary="Edit some fields of a draft or rejected posting",
        description=POSTINGS_AUTH, responses={200: s.PostingSerializer, **_errors(400, 401, 403, 404, 409, 429)}),
    submit=extend_schema(summary="Submit a posting for review", description=POSTINGS_AUTH, request=None,
        responses={200: s.PostingSerializer, **_errors(401, 403, 404, 409, 429)}),
    close=extend_schema(summary="Close a published posting", description=POSTINGS_AUTH, request=None,
        responses={200: s.PostingSerializer, **_errors(401, 403, 404, 409, 429)}),
)  # fmt: skip
class PostingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    serializer_class = s.PostingSerializer
    permission_classes = [PostingsAccess]
    pagination_class = PostingCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = JobPostingFilterSet
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        postings = JobPosting.objects.select_related("company", "domain", "currency").annotate(
            board_time=Coalesce("published_at", "created_at")
        )
        partner, user = request_partner(self.request), self.request.user
        if self.action in ("list", "retrieve"):
            if partner is not None:
                own = Q(company_id=partner.company_id) if partner.company_id else Q(pk__in=[])
                return postings.filter(Q(status=PostingStatus.PUBLISHED) | own)
            return postings.visible_to(user)
        if partner is not None:
            return postings.for_company(partner.company)
        return postings.for_user(user)

    def filter_queryset(self, queryset):
        # Writes and single postings are found by id alone: the board's filters only narrow the list.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _actor(self):
        partner = request_partner(self.request)
        return partner.user if partner is not None else self.request.user

    def _company(self) -> Company:
        partner = request_partner(self.request)
        if partner is not None:
            return partner.company
        user = self.request.user
        companies = Company.objects.all() if user.is_staff else Company.objects.filter(memberships__user=user)
        slug = self.request.query_params.get("company")
        if slug:
            return get_object_or_404(companies, slug=slug)
        found = list(companies[:2])
        if not found:
            raise exceptions.PermissionDenied("You are not a member of any company.")
        if len(found) > 1:
            raise exceptions.ValidationError({"company": ["You belong to several companies; add ?company=<slug>."]})
        return found[0]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        posting = call_service(posting_create, company=self._company(), by=self._actor(), **serializer.validated_data)
        return Response(self._fresh(posting), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        posting = self.get_object()
        serializer = self.get_serializer(posting, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        posting = call_service(posting_update, posting=posting, by=self._actor(), **serializer.validated_data)
        return Response(self._fresh(posting))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        posting = call_service(posting_submit, posting=self.get_object(), by=self._actor())
        return Response(self._fresh(posting))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        posting = call_service(posting_close, posting=self.get_object(), by=self._actor())
        return Response(self._fresh(posting))

    def _fresh(self, posting: JobPosting) -> dict:
        posting = JobPosting.objects.select_related("company", "domain", "currency").get(pk=posting.pk)
        return self.get_serializer(posting).data


# --- Surveys batch ----------------------------------------------------------------------------------------------

IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Any unique string up to 255 characters. Sending the same key again returns the first answer and "
    "stores nothing twice; the same key with a different body is refused (422).",
)


class SurveyBatch(APIView):
    permission_classes = [SurveysWrite]

    @extend_schema(
        summary="Push a batch of pay surveys",
        description=(
            "Up to 1,000 rows with the columns of the CSV import (" + ", ".join(COLUMNS) + "), stored as the "
            "partner's source. Each row goes through the same checks as the survey form: normalisation limits "
            "($0.50–$2,000 an hour), outlier flagging, one survey per (source, external_id). The answer lists every "
            "row as accepted, flagged (an outlier awaiting review) or rejected with the reason. Needs a partner key "
            "with `surveys:write`."
        ),
        parameters=[IDEMPOTENCY_PARAM],
        request=s.SurveyBatchSerializer,
        responses={
            200: s.SurveyBatchResultSerializer,
            **_errors(400, 401, 403, 429),
            422: OpenApiResponse(s.ErrorSerializer, description="The Idempotency-Key was used with another body."),
        },
        examples=[
            OpenApiExample(
                "Two rows",
                request_only=True,
                value={"rows": [
                    {"period": "2025-03", "platform": "Outlier", "domain": "generalist", "skill_tier": "entry",
                     "country": "US", "currency": "USD", "amount": "15", "unit": "hour", "external_id": "r-1"},
                    {"period": "2025-03", "platform": "mercor.com", "domain": "law", "skill_tier": "expert",
                     "country": "GB", "currency": "GBP", "amount": "600", "unit": "day", "external_id": "r-2"},
                ]},
            ),
        ],
    )  # fmt: skip
    def post(self, request):
        serializer = s.SurveyBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = call_service(
            surveys_push,
            partner=request_partner(request),
            key=request.headers.get("Idempotency-Key") or "",
            body=request.data,
            rows=serializer.validated_data["rows"],
        )
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response
