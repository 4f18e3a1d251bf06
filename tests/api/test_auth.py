"""Partner keys: hashed at rest, refused when wrong, revoked, expired or inactive; throttling per key and per IP."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api.services import partner_key_issue, partner_key_revoke, partner_update
from portal.api.throttling import PortalRateThrottle
from portal.models import Partner, PartnerAPIKey

pytestmark = pytest.mark.django_db
URL = "/api/v1/benchmarks/"


def test_a_key_is_stored_only_as_a_hash(partner):
    p, client = partner
    stored = PartnerAPIKey.objects.get(partner=p)
    assert client.key.split(".")[1] not in stored.hashed_key
    assert stored.hashed_key.startswith("sha512$$")


def test_a_valid_key_authenticates(partner):
    assert partner[1].get(URL).status_code == 200


@pytest.mark.parametrize("header", ["Api-Key nonsense", "Api-Key abc.def", "Api-Key "])
def test_a_wrong_key_is_401(api, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_is_401(partner):
    p, client = partner
    partner_key_revoke(key=PartnerAPIKey.objects.get(partner=p))
    assert client.get(URL).status_code == 401


def test_an_expired_key_is_401(partner):
    p, client = partner
    PartnerAPIKey.objects.filter(partner=p).update(expiry_date=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(URL).status_code == 401


def test_an_inactive_partners_key_is_401(partner):
    p, client = partner
    partner_update(partner=p, active=False)
    assert client.get(URL).status_code == 401


def test_create_partner_key_prints_a_working_key_once(company, capsys):
    call_command("create_partner_key", "Feedly", "--scopes", "benchmarks:read,surveys:write", "--company", company.slug)
    key = capsys.readouterr().out.strip()
    partner = Partner.objects.get(name="Feedly")
    assert partner.scope_list == ["benchmarks:read", "surveys:write"]
    assert partner.company == company and partner.source.kind == "partner"
    assert company.memberships.filter(user=partner.user).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get(URL).status_code == 200
    assert not PartnerAPIKey.objects.filter(hashed_key__contains=key.split(".")[1]).exists()


def test_create_partner_key_refuses_unknown_scopes():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_partner_key", "Feedly", "--scopes", "benchmarks:write")


def test_a_second_key_for_the_same_partner_also_works(partner):
    p, _ = partner
    _, key = partner_key_issue(partner=p)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get(URL).status_code == 200


@pytest.fixture
def tight_rates(monkeypatch):
    monkeypatch.setattr(PortalRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "partner": "3/min", "user": "2/min"})


def test_anonymous_clients_are_throttled_per_ip_with_retry_after(api, tight_rates):
    assert [api.get(URL).status_code for _ in range(2)] == [200, 200]
    refused = api.get(URL)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    other_ip = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other_ip.get(URL).status_code == 200


def test_a_made_up_x_forwarded_for_buys_an_anonymous_client_no_fresh_allowance(api, tight_rates):
    codes = [api.get(URL, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_behind_one_trusted_proxy_anonymous_clients_are_throttled_by_their_own_address(tight_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    via_proxy = APIClient(REMOTE_ADDR="10.0.0.1")
    assert [via_proxy.get(URL, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code for _ in range(2)] == [200, 200]
    # An entry the client wrote itself, left of the proxy's, changes nothing.
    assert via_proxy.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5").status_code == 429
    assert via_proxy.get(URL, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_partners_are_throttled_per_key_apart_from_anonymous_traffic(partner, api, tight_rates):
    _, client = partner
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(URL).status_code == 429
    assert api.get(URL).status_code == 200


def _revoke_elsewhere(p):
    """A revocation made by another process: this one gets no signal."""
    PartnerAPIKey.objects.filter(partner=p).update(revoked=True)


def test_a_key_revoked_elsewhere_stops_reads_within_the_cache_time_and_writes_at_once(partner, monkeypatch):
    from portal.api import authentication

    p, client = partner
    now = [1000.0]
    monkeypatch.setattr(authentication.time, "monotonic", lambda: now[0])
    assert client.get(URL).status_code == 200  # verified, and remembered for reads
    _revoke_elsewhere(p)
    assert client.get(URL).status_code == 200
    assert client.post("/api/v1/surveys/batch/", {"rows": []}, format="json").status_code == 401
    now[0] += 5
    assert client.get(URL).status_code == 401


def test_without_the_key_cache_every_read_checks_the_database(partner, settings):
    settings.API_KEY_CACHE_SECONDS = 0
    p, client = partner
    assert client.get(URL).status_code == 200
    _revoke_elsewhere(p)
    assert client.get(URL).status_code == 401


def test_an_expiry_is_checked_on_every_request_even_for_a_remembered_key(partner, monkeypatch):
    _, client = partner
    assert client.get(URL).status_code == 200
    monkeypatch.setattr(PartnerAPIKey, "has_expired", property(lambda key: True))
    assert client.get(URL).status_code == 401


def test_moving_a_partner_to_another_company_takes_its_seat_out_of_the_first(partner):
    from tests.factories import CompanyFactory, UserFactory

    p, _client = partner
    first = p.company
    second = CompanyFactory(owner=UserFactory(username="second-owner"))
    partner_update(partner=p, company=second)
    assert not first.memberships.filter(user=p.user).exists()
    assert second.memberships.filter(user=p.user).exists()
    assert first.memberships.filter(role="owner").exists()  # the owner's seat stays
