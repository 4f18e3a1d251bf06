"""Form plumbing shared by every app's pages: forms validate and render, services decide."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .errors import ServiceError
from .normalisation import parse_number


class ServiceErrorFormMixin:
    """Show a service's refusal on the field it names (or above the form), worded as the service worded it."""

    fields: dict
    add_error: Callable[..., None]

    def add_service_error(self, error: ServiceError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.text)


class NumberField(forms.DecimalField):
    """A decimal as the portal reads numbers people type (``parse_number``), not as ``Decimal()`` would."""

    def to_python(self, value):
        if isinstance(value, str):
            try:
                parse_number(value, field="")
            except ServiceError as error:
                raise ValidationError(error.text, code="invalid") from None
        return super().to_python(value)


def number_field_classes(model: type[models.Model], names) -> dict:
    """``Meta.field_classes`` reading each decimal column among ``names`` as a ``NumberField``."""
    return {name: NumberField for name in names if isinstance(model._meta.get_field(name), models.DecimalField)}
