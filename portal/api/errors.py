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


def error_text(data) -> str:
    """An error answer as one line of text (a CSV cell): ``field: message; field: message``, or the sentence itself.

    DRF's errors are ``{"detail": sentence}``, ``{field: [messages]}`` (nested for lists and nested serializers:
    ``rows.0.tier``) or a list of messages; their ``ErrorDetail`` strings are written as the plain text they are.
    """
    parts: list[str] = []

    def walk(value, path: tuple) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, path if key in ("detail", "non_field_errors") else (*path, str(key)))
        elif isinstance(value, list) and not any(isinstance(child, dict | list) for child in value):
            walk(" ".join(str(message) for message in value), path)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*path, str(index)))
        else:
            parts.append(f"{'.'.join(path)}: {value}" if path else str(value))

    walk(data, ())
    return "; ".join(parts)


ERROR = ErrorSerializer
R400 = OpenApiResponse(ValidationErrorSerializer, description="Invalid input: `{field: [messages]}`.")
R401 = OpenApiResponse(ERROR, description="No credentials, or an invalid, revoked or expired API key.")
R403 = OpenApiResponse(ERROR, description="The API key lacks the scope, or the caller may not act on this.")
R404 = OpenApiResponse(ERROR, description="No such object (or it belongs to someone else), or an invalid cursor.")
R409 = OpenApiResponse(ERROR, description="The object's status does not allow this (e.g. editing a published posting).")
R429 = OpenApiResponse(ERROR, description="Too many requests; the `Retry-After` header says how many seconds to wait.")
