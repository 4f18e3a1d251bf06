"""Who may call what: partner keys by scope, people by their session.

- Public reads (reference lists, postings) need nothing; a key or a session only widens what is seen.
- Benchmark reads are public too (the same figures as the explorer pages), but a partner key must carry
  ``benchmarks:read`` to be used for them: a write-only key is not a read key.
- Posting writes: a key with ``postings:write`` whose partner has a company, or a logged-in member of the company.
- Survey pushes: only a key with ``surveys:write`` (rows count for the partner's source).
"""

from rest_framework import exceptions, permissions

from portal.models import Scope

from .authentication import request_partner


def _require_scope(request, scope: str) -> bool:
    partner = request_partner(request)
    if partner is not None and not partner.has_scope(scope):
        raise exceptions.PermissionDenied(f"This API key lacks the scope {scope}.")
    return True


class BenchmarksRead(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return _require_scope(request, Scope.BENCHMARKS_READ)


class PostingsAccess(permissions.BasePermission):
    """Anyone reads; writing needs ``postings:write`` (and a company) on a key, or a logged-in session."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        partner = request_partner(request)
        if partner is not None:
            _require_scope(request, Scope.POSTINGS_WRITE)
            if partner.company_id is None or partner.user_id is None:
                raise exceptions.PermissionDenied("This API key's partner has no company to post for.")
            return True
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated("Send a partner API key with postings:write, or log in.")
        return True


class SurveysWrite(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        partner = request_partner(request)
        if partner is None:
            if request.user.is_authenticated:
                raise exceptions.PermissionDenied("Pushing pay data needs a partner API key with surveys:write.")
            raise exceptions.NotAuthenticated("Send a partner API key with surveys:write.")
        return _require_scope(request, Scope.SURVEYS_WRITE)
