"""Turning a service's refusal into the HTTP answer a client expects, and the error responses of the schema."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status

from benchmarks.errors import ServiceError

from .serializers import ErrorSerializer, ValidationErrorSerializer


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object is not in a state that allows this."
    default_code = "conflict"


def _code(exc: ServiceError) -> str | None:
    if hasattr(exc, "error_dict"):
        return next((e.code for errors in exc.error_dict.values() for e in errors), None)
    return exc.code


def call_service(function, **kwargs):
    """Call a service: a refused permission is 403, a refused transition 409, anything else invalid 400."""
    try:
        return function(**kwargs)
    except ServiceError as exc:
        code = _code(exc)
        if code == "permission":
            raise exceptions.PermissionDenied(exc.text) from None
        if code == "transition":
            raise Conflict(exc.text) from None
        raise exceptions.ValidationError({exc.field or "non_field_errors": [exc.text]}) from None
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from None
        raise exceptions.ValidationError({"non_field_errors": exc.messages}) from None


ERROR = ErrorSerializer
R400 = OpenApiResponse(ValidationErrorSerializer, description="Invalid input: `{field: [messages]}`.")
R401 = OpenApiResponse(ERROR, description="No credentials, or an invalid, revoked or expired API key.")
R403 = OpenApiResponse(ERROR, description="The API key lacks the scope, or the caller may not act on this.")
R404 = OpenApiResponse(ERROR, description="No such object (or it belongs to someone else), or an invalid cursor.")
R409 = OpenApiResponse(ERROR, description="The object's status does not allow this (e.g. editing a published posting).")
R429 = OpenApiResponse(ERROR, description="Too many requests; the `Retry-After` header says how many seconds to wait.")
