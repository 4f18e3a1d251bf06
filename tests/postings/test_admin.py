"""The postings admin moderates and edits through the services only, and says which changes it refused and why."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.models import Observation
from postings.choices import PostingStatus
from postings.models import Company, JobPosting, Membership
from postings.services import posting_create
from tests.factories import (
    CompanyFactory,
    DraftPostingFactory,
    InReviewPostingFactory,
    PublishedPostingFactory,
    UserFactory,
    domain,
    posting_fields,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:postings_jobposting_changelist"


def form_data(company, **overrides) -> dict:
    data = {
        "company": company.pk,
        "title": "Clinical reviewer",
        "description": "Rank medical answers.",
        "description_format": "plain",
        "domain": domain("medicine").pk,
        "tier": "expert",
        "credentials": "",
        "languages": "",
        "country": "US",
        "engagement": "part_time",
        "hours_per_week": "",
        "apply_url": "",
        "rate_min": "40",
        "rate_max": "60",
        "currency": "USD",
        "unit": "hour",
        "minutes_per_task": "",
        "project_hours": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def run_action(client, url_name: str, action: str, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(reverse(url_name), data, follow=True)


# --- posting forms ----------------------------------------------------------------------------------------------


def test_admin_add_creates_a_draft_through_posting_create(admin_client, admin_user):
    company = CompanyFactory()
    response = admin_client.post(
        reverse("admin:postings_jobposting_add"), form_data(company, rate_min="1600", rate_max="2400", unit="week")
    )
    assert response.status_code == 302
    posting = JobPosting.objects.get()
    assert posting.status == PostingStatus.DRAFT
    assert (posting.rate_min_usd, posting.rate_max_usd) == (Decimal("40"), Decimal("60"))
    assert posting.created_by == admin_user
    assert posting.history.first().history_user == admin_user


def test_admin_add_with_a_reversed_band_shows_the_error_and_stores_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:postings_jobposting_add"), form_data(CompanyFactory(), rate_min="90", rate_max="60")
    )
    assert response.status_code == 200
    assert "must not be above the maximum" in response.context["adminform"].form.errors["rate_min"][0]
    assert not JobPosting.objects.exists()


def test_admin_change_edits_a_draft_through_posting_update(admin_client, admin_user):
    company = CompanyFactory()
    posting = posting_create(company=company, by=admin_user, **posting_fields())
    response = admin_client.post(
        reverse("admin:postings_jobposting_change", args=[posting.pk]), form_data(company, rate_max="80")
    )
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.rate_max_usd == Decimal("80")


def test_a_posting_in_review_shows_its_fields_read_only(admin_client):
    posting = InReviewPostingFactory()
    response = admin_client.get(reverse("admin:postings_jobposting_change", args=[posting.pk]))
    fields = response.context["adminform"].form.fields
    for name in ("title", "rate_min", "status", "rate_min_usd", "rejection_reason"):
        assert name not in fields


def test_postings_cannot_be_deleted_from_the_admin(admin_client):
    posting = PublishedPostingFactory()
    assert admin_client.post(reverse("admin:postings_jobposting_delete", args=[posting.pk])).status_code == 403
    assert Observation.objects.filter(origin=posting.origin).exists()


# --- moderation actions -----------------------------------------------------------------------------------------


def test_approve_publishes_through_the_service_and_reports_a_refused_draft(admin_client):
    in_review, draft = InReviewPostingFactory(), DraftPostingFactory(title="Still a draft")
    response = run_action(admin_client, CHANGELIST, "approve", [in_review, draft])
    in_review.refresh_from_db()
    assert in_review.status == PostingStatus.PUBLISHED
    assert in_review.expires_at is not None
    assert Observation.objects.filter(origin=in_review.origin, kind="advertised").exists()
    shown = messages_of(response)
    assert "1 job posting approved and published." in shown
    assert f"{draft}: A draft posting cannot be approved." in shown


def test_reject_asks_for_the_reason_on_an_intermediate_page(admin_client):
    posting = InReviewPostingFactory()
    response = run_action(admin_client, CHANGELIST, "reject_with_reason", [posting])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page
    assert 'name="apply_reason"' in page
    posting.refresh_from_db()
    assert posting.status == PostingStatus.IN_REVIEW


def test_reject_with_a_reason_rejects_through_the_service_and_reports_refusals(admin_client):
    posting, published = InReviewPostingFactory(), PublishedPostingFactory(title="Live one")
    response = run_action(
        admin_client, CHANGELIST, "reject_with_reason", [posting, published], apply_reason="1", reason="Add the unit."
    )
    posting.refresh_from_db()
    assert posting.status == PostingStatus.REJECTED
    assert posting.rejection_reason == "Add the unit."
    shown = messages_of(response)
    assert "1 job posting rejected." in shown
    assert f"{published}: A published posting cannot be rejected." in shown
    published.refresh_from_db()
    assert published.status == PostingStatus.PUBLISHED


def test_postings_in_review_come_first_and_the_queue_filter_shows_only_them(admin_client):
    PublishedPostingFactory()
    waiting = InReviewPostingFactory()
    DraftPostingFactory()
    response = admin_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_list[0] == waiting
    queue = admin_client.get(reverse(CHANGELIST), {"queue": "pending"})
    assert list(queue.context["cl"].result_list) == [waiting]


def test_the_postings_changelist_runs_the_same_number_of_queries_for_more_rows(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse(CHANGELIST)).status_code == 200
        return len(ctx)

    InReviewPostingFactory()
    few = queries()
    InReviewPostingFactory.create_batch(6)
    assert queries() == few


# --- companies and memberships ----------------------------------------------------------------------------------


def test_verify_verifies_through_the_service_and_leaves_verified_ones_alone(admin_client, admin_user):
    pending, done = CompanyFactory(), CompanyFactory(verified=True)
    response = run_action(admin_client, "admin:postings_company_changelist", "verify", [pending, done])
    pending.refresh_from_db()
    assert pending.verified
    assert pending.verified_by == admin_user
    shown = messages_of(response)
    assert "1 company verified." in shown
    assert "1 already verified; left as they were." in shown


def test_admin_add_company_goes_through_company_create_with_its_owner(admin_client):
    owner = UserFactory(email="founder@example.com")
    response = admin_client.post(
        reverse("admin:postings_company_add"),
        {"name": "Helix Labs", "website": "", "description": "", "owner_email": "Founder@example.com"},
    )
    assert response.status_code == 302
    company = Company.objects.get(name="Helix Labs")
    assert company.slug == "helix-labs"
    assert Membership.objects.get(company=company).user == owner


def test_admin_add_company_with_an_unknown_owner_stores_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:postings_company_add"),
        {"name": "Ghost Co", "website": "", "description": "", "owner_email": "nobody@example.com"},
    )
    assert "No user has this email" in response.context["adminform"].form.errors["owner_email"][0]
    assert not Company.objects.exists()


def test_the_company_page_lists_its_members(admin_client):
    owner = UserFactory(username="the-owner")
    company = CompanyFactory(owner=owner)
    page = admin_client.get(reverse("admin:postings_company_change", args=[company.pk])).content.decode()
    assert "the-owner" in page


def test_admin_add_membership_goes_through_membership_add_and_refuses_a_second_seat(admin_client):
    company, recruiter = CompanyFactory(), UserFactory()
    url = reverse("admin:postings_membership_add")
    data = {"company": company.pk, "user": recruiter.pk, "role": "recruiter"}
    assert admin_client.post(url, data).status_code == 302
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Membership.objects.filter(company=company, user=recruiter).count() == 1
