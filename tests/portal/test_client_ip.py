"""The client's address behind TRUSTED_PROXY_COUNT proxies, and every part of the portal that asks for it."""

import pytest
from allauth.account.adapter import get_adapter
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from portal.api.throttling import PortalRateThrottle
from portal.client_ip import client_ip

PROXY = "10.0.0.1"


def request(forwarded: str | None = None, remote: str = PROXY):
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return RequestFactory().get("/", **meta)


@pytest.fixture
def proxies(settings):
    def trust(count: int) -> None:
        settings.TRUSTED_PROXY_COUNT = count

    return trust


def test_without_trusted_proxies_x_forwarded_for_is_ignored(proxies):
    proxies(0)
    assert client_ip(request("203.0.113.5")) == PROXY


def test_behind_one_trusted_proxy_the_client_is_the_rightmost_entry(proxies):
    proxies(1)
    assert client_ip(request("203.0.113.5")) == "203.0.113.5"
    assert client_ip(request("198.51.100.1, 192.0.2.7,203.0.113.5")) == "203.0.113.5"


def test_behind_two_trusted_proxies_the_client_is_the_second_entry_from_the_right(proxies):
    proxies(2)
    assert client_ip(request("198.51.100.1, 203.0.113.5, 10.0.0.2")) == "203.0.113.5"


def test_a_header_shorter_than_the_proxy_chain_gives_its_leftmost_entry(proxies):
    proxies(3)
    assert client_ip(request("203.0.113.5, 10.0.0.2")) == "203.0.113.5"


@pytest.mark.parametrize("forwarded", [None, "", "unknown", "203.0.113.5, not-an-address"])
def test_without_the_header_or_with_no_address_in_it_the_client_is_the_peer(proxies, forwarded):
    proxies(1)
    assert client_ip(request(forwarded)) == PROXY


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [("192.0.2.1:8080", "192.0.2.1"), ("[2001:DB8::1]:443", "2001:db8::1"), (" 2001:0db8:0:0::1 ", "2001:db8::1")],
)
def test_an_address_is_canonical_and_loses_a_port(proxies, forwarded, expected):
    proxies(1)
    assert client_ip(request(forwarded)) == expected


def test_no_usable_address_at_all_is_none(proxies):
    proxies(0)
    assert client_ip(request(remote="")) is None


def test_the_lock_out_allauth_and_the_api_throttle_all_see_the_same_client(proxies):
    proxies(1)
    forged = request("198.51.100.1, 203.0.113.5")
    assert get_client_ip_address(forged) == "203.0.113.5"
    assert get_adapter(forged).get_client_ip(forged) == "203.0.113.5"
    assert PortalRateThrottle().get_ident(forged) == "203.0.113.5"
