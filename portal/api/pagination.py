"""Cursor pagination for every list: opaque ``cursor`` links, ``page_size`` up to 100, no COUNT query.

Database lists use DRF's cursor pagination (stable under inserts). Benchmark cells come from the selectors as a
sorted list; ``ListCursorPagination`` pages such a list with a cursor that names the last item seen, so a cell
appearing or vanishing between two requests neither repeats nor skips the others.
"""

import base64
import binascii
import json
from collections import OrderedDict

from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class PortalCursorPagination(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"


class PostingCursorPagination(PortalCursorPagination):
    """Newest first (by publication, or creation for drafts), or highest rate first with ``sort=rate``.

    As on the job board, ``newest`` and ``-newest`` (``rate`` and ``-rate``) mean the same: newest and highest first.
    """

    sorts = {"newest": ("-board_time", "-id"), "rate": ("-rate_max_usd", "-id")}

    def get_ordering(self, request, queryset, view):
        sort = str(request.query_params.get("sort", "")).lstrip("-")
        return self.sorts.get(sort, self.sorts["newest"])


class ListCursorPagination(BasePagination):
    """Pages an already sorted Python list; ``key`` names an item uniquely."""

    page_size = PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def _page_size(self, request) -> int:
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except (TypeError, ValueError):
            return self.page_size
        return min(max(size, 1), self.max_page_size)

    @staticmethod
    def _decode(text: str) -> dict:
        try:
            data = json.loads(base64.urlsafe_b64decode(text.encode()).decode())
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise NotFound("Invalid cursor.") from None
        if not isinstance(data, dict) or not isinstance(data.get("o", 0), int):
            raise NotFound("Invalid cursor.")
        return data

    @staticmethod
    def _encode(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()

    def paginate_list(self, items: list, request, key) -> list:
        self.request, self.size = request, self._page_size(request)
        keys = [key(item) for item in items]
        start = 0
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            data = self._decode(cursor)
            offset = max(int(data.get("o", 0)), 0)
            if "after" in data:
                start = keys.index(data["after"]) + 1 if data["after"] in keys else offset
            elif "before" in data:
                start = max(keys.index(data["before"]) - self.size, 0) if data["before"] in keys else offset
            else:
                start = offset
        start = min(start, len(items))
        page = items[start : start + self.size]
        self.next_cursor = (
            self._encode({"after": keys[start + len(page) - 1], "o": start + len(page)})
            if page and start + len(page) < len(items)
            else None
        )
        self.previous_cursor = (
            self._encode({"before": keys[start], "o": max(start - self.size, 0)}) if start > 0 else None
        )
        return page

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data, **extra) -> Response:
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.next_cursor)),
                    ("previous", self._link(self.previous_cursor)),
                    *extra.items(),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return PortalCursorPagination().get_paginated_response_schema(schema)

    def get_schema_operation_parameters(self, view):
        return PortalCursorPagination().get_schema_operation_parameters(view)
