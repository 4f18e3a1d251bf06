"""Form plumbing shared by every app's pages: forms validate and render, services decide."""

from .errors import ServiceError


class ServiceErrorFormMixin:
    """Show a service's refusal on the field it names (or above the form), worded as the service worded it."""

    def add_service_error(self, error: ServiceError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.text)
