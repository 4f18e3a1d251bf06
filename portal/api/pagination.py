"""Cursor pagination for every list: opaque ``cursor`` links, ``page_size`` up to 100, no COUNT query.

DRF's cursor pagination over an ordered queryset, stable under inserts: a row appearing or vanishing between two
requests neither repeats nor skips the others.
"""

from rest_framework.pagination import CursorPagination

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
