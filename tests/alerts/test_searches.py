"""Saved job searches: validated by the board's own filters, each matching job emailed once, one-click unsubscribe."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail, signing
from django.urls import reverse

from alerts.choices import DeliveryStatus
from alerts.models import Delivery, SavedSearch, SearchMatch
from alerts.searches import saved_search_create, saved_search_unsubscribe, unsubscribe_token
from alerts.tasks import searches_match_posting, searches_send_digests
from benchmarks.errors import ServiceError
from tests.factories import InReviewPostingFactory, NewUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def save(user=None, frequency="instant", **params) -> SavedSearch:
    return saved_search_create(user=user or UserFactory(), params=params, frequency=frequency)


def approve_in_admin(client, posting, capture) -> None:
    data = {"action": "approve", ACTION_CHECKBOX_NAME: [posting.pk]}
    with capture(execute=True):
        response = client.post(reverse("admin:postings_jobposting_changelist"), data, follow=True)
    assert response.status_code == 200


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_posting_approved_in_the_admin_emails_each_matching_search_exactly_once(
    admin_client, django_capture_on_commit_callbacks
):
    by_domain = save(UserFactory(username="doctor"), domain="medicine", min_usd="50")
    by_country = save(UserFactory(username="american"), tier="expert", country="US")
    save(UserFactory(username="lawyer"), domain="law")  # does not match
    save(UserFactory(username="rich"), domain="medicine", min_usd="100")  # does not match: the band tops at 60
    unverified = NewUserFactory(username="fresh")
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    save(unverified, domain="medicine")
    save(UserFactory(username="daily"), frequency="daily", domain="medicine")  # waits for the digest
    posting = InReviewPostingFactory(title="Oncology answer reviewer")

    approve_in_admin(admin_client, posting, django_capture_on_commit_callbacks)

    assert recipients() == sorted([by_domain.user.email, by_country.user.email])
    message = mail.outbox[0]
    assert "Oncology answer reviewer" in message.subject
    assert f"/jobs/{posting.pk}/" in message.body
    assert message.alternatives and "Oncology answer reviewer" in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert Delivery.objects.filter(status=DeliveryStatus.SKIPPED, user=unverified).count() == 1

    searches_match_posting(posting.pk)  # a retried task sends nothing twice
    assert len(mail.outbox) == 2

    searches_send_digests()
    assert mail.outbox[-1].to == ["daily@example.com"]
    assert len(mail.outbox) == 3
    assert "1 new job for" in mail.outbox[-1].subject
    searches_send_digests()  # the next day's run has nothing new
    assert len(mail.outbox) == 3
    assert SearchMatch.objects.filter(posting=posting).count() == 4


def test_instant_emails_past_the_hourly_limit_wait_for_the_digest(settings, django_capture_on_commit_callbacks):
    settings.ALERT_EMAILS_PER_HOUR = 1
    search = save(domain="medicine")
    first, second = InReviewPostingFactory(title="First"), InReviewPostingFactory(title="Second")
    for posting in (first, second):
        with django_capture_on_commit_callbacks(execute=True):
            from postings.services import posting_approve

            posting_approve(posting=posting, by=None)
    assert [m.subject for m in mail.outbox] == [f"New job for “{search}”: First"]
    assert Delivery.objects.filter(status=DeliveryStatus.DEFERRED).count() == 1
    searches_send_digests()
    assert len(mail.outbox) == 2
    assert "Second" in mail.outbox[-1].body and "First" not in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"min_usd": "-5"}, "min_usd", "greater than or equal to 0"),
        ({"domain": "astrology"}, "domain", "valid choice"),
        ({"tier": "wizard"}, "tier", "valid choice"),
        ({"country": "XX"}, "country", "valid choice"),
        ({"min_usd": "lots"}, "min_usd", "number"),
    ],
)
def test_an_impossible_filter_is_refused_with_its_field_named(params, field, words):
    with pytest.raises(ServiceError) as refused:
        save(**params)
    assert refused.value.field == field
    assert words in refused.value.text
    assert not SavedSearch.objects.exists()


def test_a_frequency_other_than_instant_or_daily_is_refused():
    with pytest.raises(ServiceError) as refused:
        save(frequency="hourly", domain="medicine")
    assert refused.value.field == "frequency"


def test_a_search_is_stored_as_its_validated_query():
    search = save(domain="medicine", min_usd="40.50", worldwide="true", q="  ", sort="rate")
    assert search.query == "domain=medicine&worldwide=true&min_usd=40.5"
    assert search.domain.slug == "medicine"  # only the postings of its domain are matched against it
    assert save(tier="expert").domain is None
    assert search.name == "Medicine · open worldwide · at least 40.5 USD an hour"


def test_the_signed_link_unsubscribes_and_nothing_more_is_sent(client, django_capture_on_commit_callbacks):
    search = save(domain="medicine")
    url = reverse("alerts:unsubscribe", args=[unsubscribe_token(search)])
    assert client.get(url).status_code == 200  # a link scanner's GET changes nothing
    search.refresh_from_db()
    assert search.active
    response = client.post(url)  # the mail client's one-click POST, without a CSRF token
    assert response.status_code == 200
    search.refresh_from_db()
    assert not search.active
    with django_capture_on_commit_callbacks(execute=True):
        from postings.services import posting_approve

        posting_approve(posting=InReviewPostingFactory(), by=None)
    assert mail.outbox == []


def test_a_tampered_or_foreign_unsubscribe_link_changes_nothing_and_says_so(client):
    search, other = save(domain="medicine"), save(domain="law")
    token = unsubscribe_token(search)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    unsalted = signing.dumps({"search": search.pk, "user": search.user_id}, compress=True)
    crossed = signing.dumps({"search": search.pk, "user": other.user_id}, salt="alerts.unsubscribe", compress=True)
    for bad in (tampered, unsalted, crossed, "nonsense"):
        response = client.post(reverse("alerts:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "not valid, so nothing was changed" in response.content.decode()
        with pytest.raises(ServiceError):
            saved_search_unsubscribe(token=bad)
    assert SavedSearch.objects.filter(active=True).count() == 2


def test_a_persons_saved_searches_and_alert_emails_are_in_their_export_and_go_with_their_account(
    django_capture_on_commit_callbacks,
):
    from portal.data_rights import trainer_account_delete, trainer_data_export
    from postings.services import posting_approve

    user = UserFactory(username="leaving")
    save(user, domain="medicine")
    with django_capture_on_commit_callbacks(execute=True):
        posting_approve(posting=InReviewPostingFactory(), by=None)
    exported = trainer_data_export(user=user)
    assert [s["query"] for s in exported["saved_searches"]] == ["domain=medicine"]
    assert [e["to"] for e in exported["alert_emails"]] == ["leaving@example.com"]
    trainer_account_delete(user=user)
    assert not SavedSearch.objects.exists()
    assert not Delivery.objects.filter(to="leaving@example.com").exists()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "domain=medicine",
        "domain=law",
        "tier=expert&country=US",
        "country=GB",
        "worldwide=true",
        "worldwide=false",
        "min_usd=60",
        "min_usd=60.01",
        "q=oncology",
        "q=nothing+like+it",
        "engagement=freelance",
        "engagement=part_time",
        "domain=medicine&tier=expert&country=US&min_usd=40&worldwide=false&q=reviewer",
    ],
)
def test_a_stored_query_matches_exactly_what_the_board_lists(query):
    from django.http import QueryDict

    from alerts.searches import Matcher
    from postings.selectors import board_postings
    from tests.factories import PublishedPostingFactory

    posting = PublishedPostingFactory(title="Oncology reviewer")
    listed = posting in board_postings(params=QueryDict(query))[1]
    assert Matcher(posting).matches(query) == listed
