"""The one error type services raise when they refuse a change.

It is a ``ValidationError`` so that forms, serializers and the admin show it the way they show any invalid input:
with the field it concerns (when there is one) and a sentence saying what would be accepted.
"""

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A refused change: invalid input or a transition the current state does not allow."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        self.field = field
        if field:
            super().__init__({field: [ValidationError(message, code=code)]})
        else:
            super().__init__(message, code=code)
        self.text = message

    def __str__(self) -> str:
        return f"{self.field}: {self.text}" if self.field else self.text


def validated(instance, **kwargs):
    """Run the model's own validation (fields, ``clean()``, constraints), refusing as a ``ServiceError``."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        if isinstance(error, ServiceError):
            raise
        if not hasattr(error, "error_dict"):
            raise ServiceError(" ".join(error.messages)) from error
        field, messages = next(iter(error.message_dict.items()))
        refusal = ServiceError(" ".join(messages), field=None if field == "__all__" else field)
        if refusal.field:
            refusal.error_dict = error.error_dict  # keep every field's errors for forms and serializers
        raise refusal from error
    return instance


def with_article(phrase: str) -> str:
    """'an accepted survey', 'a draft posting': the indefinite article a refusal message starts with."""
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def assign_fields(instance, fields: dict, *, allowed, noun: str) -> None:
    """Set ``fields`` on ``instance``, refusing any name a service does not take (nothing is set then)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(f"Unknown {noun} field(s): {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(instance, name, value)
