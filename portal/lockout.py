"""Log-in lock-out: Axes counts failures per log-in name and address together, and per address alone with a looser
limit, so that one guesser shuts neither the accounts it names from elsewhere nor everyone else behind its address.

A name is counted whether or not an account has it, and a locked name gets Axes' one answer (429), so the lock-out
does not tell which accounts exist.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

# The fields the log-in forms post the name in: allauth's (an email here) and the admin's.
LOGIN_FORM_FIELDS = ("login", "username")


def login_name(request, credentials: dict | None = None) -> str | None:
    """The name a log-in attempt is for (``AXES_USERNAME_CALLABLE``): what the form posted, else the credentials' (a
    re-authentication posts only a password). Lower-cased, so that A@x.com and a@x.com are one account to count."""
    posted = getattr(request, "POST", None) or {}
    for source, fields in ((posted, LOGIN_FORM_FIELDS), (credentials or {}, ("email", "username"))):
        for field in fields:
            value = source.get(field)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()[:255]  # AccessAttempt.username holds 255 characters
    return None


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a limit for an address alone.

    ``AXES_LOCKOUT_PARAMETERS`` counts failures per (name, address) against ``AXES_FAILURE_LIMIT``; Axes has one limit
    for every parameter it counts, so the address alone is counted here, against ``AXES_IP_FAILURE_LIMIT``. A
    successful log-in still clears only its own name's failures, so an account of one's own cannot wipe the count.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))  # every name at the address is locked
        return failures


def address_failures(request) -> int:
    """Failed log-ins from the request's address, any name, within the cool-off."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
