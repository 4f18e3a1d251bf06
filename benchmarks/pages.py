"""View plumbing shared by every app's pages (next to ``benchmarks.forms``, since the apps sit above it)."""

from django.core.paginator import Page, Paginator


def page_of(request, items, per_page: int) -> Page:
    """The page of ``items`` that ``?page=`` asks for; a missing or invalid number gives the first or last page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def labelled(preview, form_class):
    """Name each of a preview's errors after its form field, so the message says which field to fix.

    ``preview.errors`` maps field names to messages; ``preview.error_items`` gets (name, "Label: message") pairs.
    """
    if preview is not None:
        fields = form_class.base_fields
        preview.error_items = [
            (name, f"{fields[name].label if name in fields else name}: {message}")
            for name, message in preview.errors.items()
        ]
    return preview
