"""Alert emails: to a verified address only, at most ALERT_EMAILS_PER_HOUR a person, each recorded as a Delivery.

Rendered from ``templates/alerts/email/<name>.txt`` and ``.html``. Callers decide what a held-back email becomes: a
saved search's job waits for the digest, a band alert stays on the dashboard (its delivery is recorded as deferred).
"""

import datetime
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .choices import DeliveryKind, DeliveryStatus
from .models import BandAlert, Delivery, SavedSearch

logger = logging.getLogger(__name__)


def verified_address(user) -> str | None:
    """The person's verified address (the primary one first), None when none is verified."""
    found = (
        EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "id").values_list("email").first()
    )
    return found[0] if found else None


def over_hourly_limit(user) -> bool:
    since = timezone.now() - datetime.timedelta(hours=1)
    sent = Delivery.objects.filter(
        user=user, status=DeliveryStatus.SENT, kind__in=DeliveryKind.rate_limited(), created_at__gte=since
    ).count()
    return sent >= settings.ALERT_EMAILS_PER_HOUR


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def deliver(
    *,
    user,
    kind: DeliveryKind,
    subject: str,
    template: str,
    context: dict,
    headers: dict | None = None,
    search: SavedSearch | None = None,
    band_alert: BandAlert | None = None,
) -> Delivery:
    """Send one alert email to ``user`` if it may go, and record how it went (sent, skipped, deferred or failed)."""
    record = Delivery(user=user, kind=kind, subject=subject[:200], search=search, band_alert=band_alert)
    address = verified_address(user)
    if address is None:
        record.status = DeliveryStatus.SKIPPED
    elif kind in DeliveryKind.rate_limited() and over_hourly_limit(user):
        record.to, record.status = address, DeliveryStatus.DEFERRED
    else:
        record.to = address
        context = {**context, "site_url": settings.SITE_URL.rstrip("/"), "user": user}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"alerts/email/{template}.txt", context),
            to=[address],
            headers=headers or {},
        )
        message.attach_alternative(render_to_string(f"alerts/email/{template}.html", context), "text/html")
        try:
            message.send()
        except Exception as error:
            logger.warning("Alert email to user %s failed.", user.pk, exc_info=True)
            record.status, record.error = DeliveryStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
        else:
            record.status = DeliveryStatus.SENT
    record.save()
    return record
