"""postings/: the public board with its filters, partners' and members' writes through the posting services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from postings.choices import PostingStatus
from postings.models import JobPosting
from tests.factories import (
    CompanyFactory,
    DraftPostingFactory,
    PublishedPostingFactory,
    UserFactory,
    domain,
)

URL = "/api/v1/postings/"
pytestmark = pytest.mark.django_db

NEW = {
    "title": "Clinical reviewer",
    "description": "Rank medical answers.",
    "domain": "medicine",
    "tier": "expert",
    "country": "US",
    "rate_min": "40.00",
    "rate_max": "60.00",
    "currency": "USD",
    "unit": "hour",
}


def test_the_public_list_shows_only_published_postings(api, company):
    published = PublishedPostingFactory(company=company)
    DraftPostingFactory(company=company)
    response = api.get(URL)
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [published.pk]
    assert api.get(f"{URL}{published.pk}/").json()["company"] == company.slug


@pytest.mark.parametrize("reader", ["anonymous", "partner"])
def test_an_ended_posting_is_read_by_its_id_but_left_out_of_the_list(api, partner, other_company, reader):
    ended = PublishedPostingFactory(company=other_company)  # not the partner's own: those it always reads
    JobPosting.objects.filter(pk=ended.pk).update(status=PostingStatus.CLOSED)
    client = api if reader == "anonymous" else partner[1]
    assert client.get(f"{URL}{ended.pk}/").json()["status"] == "closed"
    assert ended.pk not in [p["id"] for p in client.get(URL).json()["results"]]


def test_the_board_filters_apply_to_the_api(api):
    medicine = PublishedPostingFactory(title="Radiology ranking")
    law = PublishedPostingFactory(title="Contract review", domain=domain("law"), tier="skilled", rate_min=10,
        rate_max=20, rate_min_usd=10, rate_max_usd=20)  # fmt: skip
    remote = PublishedPostingFactory(title="Remote", country="")

    def ids(**params):
        return {p["id"] for p in api.get(URL, params).json()["results"]}

    assert ids(domain="law") == {law.pk}
    assert ids(tier="skilled") == {law.pk}
    assert ids(q="radiology") == {medicine.pk}
    assert ids(min_usd=30) == {medicine.pk, remote.pk}
    assert ids(worldwide="true") == {remote.pk}
    assert ids(country="US") == {medicine.pk, law.pk, remote.pk}
    assert api.get(URL, {"domain": "astrology"}).status_code == 400


def test_cursor_pages_cover_every_posting_once_in_both_sorts(api):
    made = {PublishedPostingFactory(rate_max=40 + n, rate_max_usd=40 + n).pk for n in range(7)}
    for sort in ("newest", "rate", "-rate"):
        seen, response = [], api.get(URL, {"page_size": 3, "sort": sort})
        while True:
            seen += [p["id"] for p in response.json()["results"]]
            if not response.json()["next"]:
                break
            response = api.get(response.json()["next"])
        assert sorted(seen) == sorted(made), sort
    rates = [float(p["rate_max_usd"]) for p in api.get(URL, {"sort": "rate", "page_size": 10}).json()["results"]]
    assert rates == sorted(rates, reverse=True)


def test_list_query_count_does_not_grow_with_page_size(api):
    for n in range(12):
        PublishedPostingFactory(company=CompanyFactory(), title=f"Job {n}")
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(URL, {"page_size": size, "domain": "medicine"})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_partner_creates_a_draft_for_its_company_and_mass_assignment_is_ignored(partner, company):
    other = CompanyFactory()
    _, client = partner
    body = {
        **NEW,
        "status": "published",
        "company": other.slug,
        "rate_min_usd": "1",
        "published_at": "2020-01-01T00:00Z",
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    posting = JobPosting.objects.get(pk=response.json()["id"])
    assert posting.company == company
    assert posting.status == PostingStatus.DRAFT
    assert posting.rate_min_usd == 40 and posting.published_at is None
    assert response.json()["status"] == "draft"


def test_a_partner_edits_submits_and_cannot_edit_under_review(partner):
    _, client = partner
    pk = client.post(URL, NEW, format="json").json()["id"]
    response = client.patch(f"{URL}{pk}/", {"title": "Senior clinical reviewer", "status": "published"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Senior clinical reviewer" and response.json()["status"] == "draft"
    assert client.post(f"{URL}{pk}/submit/").json()["status"] == "in_review"
    assert client.patch(f"{URL}{pk}/", {"title": "x"}, format="json").status_code == 409
    assert client.post(f"{URL}{pk}/close/").status_code == 409


def test_a_partner_closes_its_published_posting(partner, company):
    _, client = partner
    posting = PublishedPostingFactory(company=company)
    response = client.post(f"{URL}{posting.pk}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_the_service_refusal_names_the_field(partner):
    _, client = partner
    response = client.post(URL, {**NEW, "rate_min": "90", "rate_max": "60"}, format="json")
    assert response.status_code == 400
    assert "rate_min" in response.json()


def test_another_partners_postings_are_404_to_write_and_their_drafts_404_to_read(partner, make_partner):
    _, client = partner
    _, rival = make_partner("Rival", company=CompanyFactory())
    rival_draft = rival.post(URL, NEW, format="json").json()["id"]
    rival_published = PublishedPostingFactory(company=JobPosting.objects.get(pk=rival_draft).company)
    assert client.get(f"{URL}{rival_draft}/").status_code == 404
    assert client.patch(f"{URL}{rival_draft}/", {"title": "Mine"}, format="json").status_code == 404
    assert client.post(f"{URL}{rival_draft}/submit/").status_code == 404
    assert client.get(f"{URL}{rival_published.pk}/").status_code == 200
    assert client.post(f"{URL}{rival_published.pk}/close/").status_code == 404
    assert rival.get(f"{URL}{rival_draft}/").status_code == 200


def test_a_partner_sees_its_own_drafts_in_the_list(partner):
    _, client = partner
    pk = client.post(URL, NEW, format="json").json()["id"]
    assert pk in [p["id"] for p in client.get(URL).json()["results"]]
    assert pk not in [p["id"] for p in APIClient().get(URL).json()["results"]]


def test_writing_needs_the_scope_a_company_and_credentials(make_partner, company, api):
    _, reader = make_partner("Reader", scopes="benchmarks:read", company=company)
    _, companyless = make_partner("No company", scopes="postings:write")
    assert reader.post(URL, NEW, format="json").status_code == 403
    assert companyless.post(URL, NEW, format="json").status_code == 403
    response = api.post(URL, NEW, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_the_company_owner_can_take_the_partners_seat_away(partner, company):
    from postings.models import Membership

    p, client = partner
    Membership.objects.filter(company=company, user=p.user).delete()
    assert client.post(URL, NEW, format="json").status_code == 403


def test_a_logged_in_member_writes_through_the_session_with_csrf(company):
    owner = company.memberships.get().user
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(URL, NEW, format="json").status_code == 403  # no CSRF token
    client.get("/api/v1/postings/")
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    response = client.post(URL, NEW, format="json", HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert response.status_code == 201, response.content
    assert response.json()["company"] == company.slug


def test_a_logged_in_user_sees_only_their_companies_drafts(company):
    mine = DraftPostingFactory(company=company)
    theirs = DraftPostingFactory(company=CompanyFactory())
    client = APIClient()
    client.force_login(company.memberships.get().user)
    ids = [p["id"] for p in client.get(URL).json()["results"]]
    assert mine.pk in ids and theirs.pk not in ids
    assert client.patch(f"{URL}{theirs.pk}/", {"title": "x"}, format="json").status_code == 404


def test_a_user_in_several_companies_names_one(company):
    owner = company.memberships.get().user
    second = CompanyFactory(owner=owner)
    client = APIClient()
    client.force_login(owner)
    assert client.post(URL, NEW, format="json").status_code == 400
    response = client.post(f"{URL}?company={second.slug}", NEW, format="json")
    assert response.status_code == 201 and response.json()["company"] == second.slug


def test_a_user_in_no_company_cannot_post():
    client = APIClient()
    client.force_login(UserFactory())
    assert client.post(URL, NEW, format="json").status_code == 403
