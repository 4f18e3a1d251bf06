"""Shared parts of the API's views: the schema's common parameters and answers, and the JSON 404."""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from ..errors import R400, R401, R403, R404, R409, R429

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
