"""Partner API keys: ``Authorization: Api-Key <key>``. Only a key's prefix and SHA-512 hash are stored."""

from django.contrib.auth.models import AnonymousUser
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
        prefix, _, _ = key.partition(".")
        api_key = (
            PartnerAPIKey.objects.select_related("partner", "partner__company", "partner__source")
            .filter(prefix=prefix, revoked=False)
            .first()
        )
        if api_key is None or not api_key.is_valid(key) or api_key.has_expired or not api_key.partner.active:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        return AnonymousUser(), api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 when credentials are missing.
        return KEYWORD


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
