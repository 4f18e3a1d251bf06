"""Content negotiation: DRF's own, with a short cut for what nearly every API client sends.

A request with no ``Accept`` header, ``*/*`` or ``application/json``, and no ``format`` parameter, gets the view's
first renderer when that is JSON, exactly as DRF's negotiation would choose it: (JSON, "application/json"). Every
other request (a browser's Accept list, ``text/csv``, ``?format=csv``, a format suffix, anything percent-encoded in
the query string) goes through DRF's parsing of the Accept list. The short cut saves that parsing on the API's most
frequent requests, polls of ``benchmarks/``.
"""

from rest_framework.negotiation import DefaultContentNegotiation

JSON = "application/json"
PLAIN_ACCEPTS = frozenset({"*/*", JSON})


class PortalContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        meta = request.META
        query = meta.get("QUERY_STRING", "")
        override = self.settings.URL_FORMAT_OVERRIDE
        if (
            format_suffix is None
            and meta.get("HTTP_ACCEPT", "*/*") in PLAIN_ACCEPTS
            and (override is None or override not in query)
            and "%" not in query
            and renderers
            and renderers[0].media_type == JSON
        ):
            return renderers[0], JSON
        return super().select_renderer(request, renderers, format_suffix)
