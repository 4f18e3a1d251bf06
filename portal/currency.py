"""The display currency of a request: ``?currency=`` for that request, else the session's choice, else US dollars.
Choosing one remembers it in the session and, when signed in, on the person, whose choice is put back into the
session at each sign-in (so a page never looks it up)."""

from urllib.parse import urlsplit, urlunsplit

from django.http import QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from benchmarks.display import USD, DisplayRate, display_rate, display_rates

from .models import CurrencyPreference

PARAM = "currency"
SESSION_KEY = "display_currency"


def _known(code, rates: list[DisplayRate]) -> DisplayRate | None:
    code = str(code or "").strip().upper()
    return next((rate for rate in rates if rate.code == code), None)


def display_currency(request) -> DisplayRate:
    """The currency this request's figures are shown in; a code no longer offered falls back to the next choice."""
    if not hasattr(request, "_display_currency"):
        request._display_currency = _resolve(request)
    return request._display_currency


def _resolve(request) -> DisplayRate:
    asked = request.GET.get(PARAM)
    session = getattr(request, "session", None)
    remembered = session.get(SESSION_KEY) if session is not None else None
    if not asked and remembered in (None, "USD"):
        return USD  # no query: most requests
    rates = display_currencies(request)
    return _known(asked, rates) or _known(remembered, rates) or USD


def display_currencies(request) -> list[DisplayRate]:
    """The currencies the chooser offers (read once per request)."""
    if not hasattr(request, "_display_currencies"):
        request._display_currencies = display_rates()
    return request._display_currencies


def currency_choose(*, session, user, code: str) -> DisplayRate:
    """Remember ``code`` as the display currency: in ``session``, and on ``user`` when signed in. Refused (naming
    the field ``currency`` and what is accepted) for a currency that cannot be shown."""
    rate = display_rate(code)
    session[SESSION_KEY] = rate.code
    if user is not None and user.is_authenticated:
        CurrencyPreference.objects.update_or_create(user=user, defaults={"currency_id": rate.code})
    return rate


def currency_restore(sender, request, user, **kwargs) -> None:
    """On sign-in (``user_logged_in``): the person's chosen currency becomes the session's."""
    code = CurrencyPreference.objects.filter(user=user).values_list("currency_id", flat=True).first()
    if code and request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = code


def return_address(request, target: str | None) -> str:
    """Where to go after choosing: ``target`` if it is on this site, without its own ``currency=`` (which would
    otherwise win over the choice just made); else the home page."""
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return "/"
    parts = urlsplit(target)
    query = QueryDict(parts.query, mutable=True)
    query.pop(PARAM, None)
    return urlunsplit(("", "", parts.path or "/", query.urlencode(), ""))
