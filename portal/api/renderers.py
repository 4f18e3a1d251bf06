"""CSV output for the benchmark tables (``?format=csv`` or ``Accept: text/csv``)."""

import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts (or a dict with ``results``) as CSV with a header row; other data as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        if not isinstance(data, list):
            # Errors (401, 403, 429, 400) keep their message: one "detail" column.
            data = [{"detail": data.get("detail", data) if isinstance(data, dict) else data}]
        buffer = io.StringIO()
        header: list[str] = []
        for row in data:
            for name in row:
                if name not in header:
                    header.append(name)
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(data)
        return buffer.getvalue().encode(self.charset)
