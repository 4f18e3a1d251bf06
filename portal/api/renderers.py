"""CSV output for the benchmark tables (``?format=csv`` or ``Accept: text/csv``)."""

from rest_framework.renderers import BaseRenderer

from portal.csvfiles import csv_text

from .errors import error_text


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts (or a dict with ``results``) as CSV with a header row; an error as one cell.

    The header is the view's ``csv_columns`` (so an empty table still names its columns), then any other keys."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if not isinstance(data, list) or (response is not None and response.exception):
            # Errors (400, 401, 403, 404, 429) keep their message, in words: one "detail" column.
            data = [{"detail": error_text(data)}]
        view = (renderer_context or {}).get("view")
        header: list[str] = [] if data and "detail" in data[0] else list(getattr(view, "csv_columns", ()))
        for row in data:
            for name in row:
                if name not in header:
                    header.append(name)
        return csv_text(data, header).encode(self.charset)
