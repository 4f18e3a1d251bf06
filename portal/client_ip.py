"""The client's address, for everything that counts or records per address: the API throttle, Axes' log-in
lock-out (its records and log lines), allauth's rate limits and emails.

``TRUSTED_PROXY_COUNT`` says how many proxies of ours stand in front of the app. Each appends the address it received
the request from to ``X-Forwarded-For``, so the entry that many places from the right is the client as our outermost
proxy saw it; everything left of it came from the client and is never believed. With fewer entries than proxies (a
request that reached an inner proxy directly), every entry was written by one of ours and the leftmost is the client;
without the header (a health check straight to the app server), or with an entry that is no address, ``REMOTE_ADDR``.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address in canonical form, or None if the request carries none (a Unix socket)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUSTED_PROXY_COUNT <= 0 or not forwarded:
        return remote
    entries = forwarded.split(",")
    return _address(entries[-min(settings.TRUSTED_PROXY_COUNT, len(entries))]) or remote


def _address(value: str) -> str | None:
    """``value`` as a canonical IPv4 or IPv6 address (a port some proxies add dropped), or None."""
    value = value.strip()
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
