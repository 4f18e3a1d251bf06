"""Partner API keys: ``Authorization: Api-Key <key>``. Only a key's prefix and SHA-512 hash are stored.

A key verified for a read (GET, HEAD, OPTIONS) is remembered by the process for ``API_KEY_CACHE_SECONDS`` (5), so a
partner polling benchmarks does not cost a database query each time. So revoking a key, or deactivating or changing
its partner, takes effect at once in the process that made the change and within those seconds in the others, for
reads; writes always check the key against the database. Expiry is checked on every request.
"""

import hashlib
import threading
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models.signals import post_delete, post_save
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from portal.models import Partner, PartnerAPIKey

KEYWORD = "Api-Key"


class PartnerAPIKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates a partner by its key: ``request.user`` stays anonymous, ``request.auth`` is the key.

    A request without the header falls through to the session; a wrong, revoked or expired key, or an inactive
    partner's, is refused with 401 rather than treated as anonymous.
    """

    parser = KeyParser()

    def authenticate(self, request):
        key = self.parser.get(request)
        if key is None:
            return None
        reading = request.method in ("GET", "HEAD", "OPTIONS")
        api_key = _recently_verified(key) if reading else None
        if api_key is None:
            prefix, _, _ = key.partition(".")
            api_key = (
                PartnerAPIKey.objects.select_related("partner", "partner__company", "partner__source")
                .filter(prefix=prefix, revoked=False)
                .first()
            )
            if api_key is None or not api_key.is_valid(key) or not api_key.partner.active:
                raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
            if reading:
                _remember(key, api_key)
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        return AnonymousUser(), api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 when credentials are missing.
        return KEYWORD


_verified: dict[bytes, tuple[float, PartnerAPIKey]] = {}
_verified_lock = threading.Lock()


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _recently_verified(key: str) -> PartnerAPIKey | None:
    found = _verified.get(_digest(key))
    if found is None or found[0] <= time.monotonic():
        return None
    return found[1]


def _remember(key: str, api_key: PartnerAPIKey) -> None:
    seconds = settings.API_KEY_CACHE_SECONDS
    if seconds > 0:
        with _verified_lock:
            if len(_verified) > 10_000:  # keys are few; this only bounds a flood of distinct valid keys
                _verified.clear()
            _verified[_digest(key)] = (time.monotonic() + seconds, api_key)


def forget_verified_keys(**_) -> None:
    """Drop every remembered key: on any change to a key or a partner (a revocation, a deactivation, new scopes)."""
    with _verified_lock:
        _verified.clear()


for _model in (Partner, PartnerAPIKey):
    post_save.connect(forget_verified_keys, sender=_model, dispatch_uid=f"forget-keys-save-{_model.__name__}")
    post_delete.connect(forget_verified_keys, sender=_model, dispatch_uid=f"forget-keys-delete-{_model.__name__}")


def request_partner(request) -> Partner | None:
    """The partner whose key authenticated the request, or None (a session or an anonymous request)."""
    auth = getattr(request, "auth", None)
    return auth.partner if isinstance(auth, PartnerAPIKey) else None


class PartnerAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerAPIKeyAuthentication
    name = "PartnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A partner key, sent as `Authorization: Api-Key <key>`. Issue one with "
                "`python manage.py create_partner_key NAME --scopes benchmarks:read,postings:write,surveys:write` "
                "or in the admin. Scopes: `benchmarks:read`, `postings:write`, `surveys:write`."
            ),
        }
