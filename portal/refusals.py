"""Answers for requests the portal cannot serve as sent: a body too large (413) and the database out of reach (503).

Django answers ``RequestDataTooBig`` with a 400 and a lost database with a 500; both tell the client the wrong thing.
``RefusalMiddleware`` answers them when a view raises them (DRF views re-raise what they do not handle), and the
``handler400`` / ``handler500`` views below when a middleware does (reading a form for the CSRF check, loading a
session). Pages get a short HTML page, /api/ gets ``{"detail": ...}``. Nothing here touches the database, so the 503
is served while it is down; once it is back the next request is served as usual (connections are health-checked).
"""

import logging
import sys

import psycopg
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30  # a restarting or failing-over PostgreSQL is usually back within this
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
# Django wraps the driver's errors, except where it closes a server-side cursor (a ModelChoiceField's choices read
# with .iterator()): there psycopg's own error escapes unwrapped.
DATABASE_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
UNAVAILABLE = "The portal is temporarily unavailable; try again in a minute."


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _size(limit: int | None) -> str:
    if limit is None:
        return "no more"
    return f"{limit // 1_048_576} MB" if limit % 1_048_576 == 0 else f"{limit:,} bytes"


def too_large_message() -> str:
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return (
        f"The request is too large: the portal takes at most {_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} of form "
        f"or JSON data{f' and {fields:,} form fields' if fields else ''} at once. Send less in each request."
    )


def too_large(request: HttpRequest) -> HttpResponse:
    """413, naming the limit."""
    message = too_large_message()
    if _is_api(request):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(loader.render_to_string("413.html", {"message": message}), status=413)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, never cached."""
    if _is_api(request):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def refusal(request: HttpRequest, exception: BaseException | None) -> HttpResponse | None:
    """The 413 or 503 answering ``exception``, or None when it is neither."""
    if isinstance(exception, TOO_LARGE):
        request._mark_post_parse_error()  # as Django does: reading the body again would raise again
        return too_large(request)
    if isinstance(exception, DATABASE_DOWN):
        logger.warning("Database unavailable, answered 503 for %s: %s", request.path, exception)
        return unavailable(request)
    return None


class RefusalMiddleware:
    """A 413 or 503 instead of the 400 or 500 a view's too-large body or lost database would become."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return refusal(request, exception)


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html") -> HttpResponse:
    """``handler400``: a too-large body raised outside a view is a 413; anything else Django's 400."""
    return refusal(request, exception) or defaults.bad_request(request, exception, template_name)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: a lost database raised outside a view is a 503; anything else Django's 500."""
    return refusal(request, sys.exc_info()[1]) or defaults.server_error(request, template_name)
