"""The company workspace: dashboard, drafting with the live positioning preview, review cycle, applicants, team."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from postings.choices import ApplicationStatus, MembershipRole, PostingStatus
from postings.models import Application, Invitation, JobPosting, Membership
from postings.services import application_submit, posting_approve, posting_reject, posting_submit
from tests.factories import (
    DraftPostingFactory,
    InReviewPostingFactory,
    PublishedPostingFactory,
    TrainerFactory,
    UserFactory,
    domain,
    usd,
)
from tests.web.conftest import count_queries

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "title": "Clinical reviewer",
        "description": "Rank medical answers.",
        "description_format": "plain",
        "domain": domain("medicine").pk,
        "tier": "expert",
        "country": "US",
        "engagement": "part_time",
        "rate_min": "40",
        "rate_max": "60",
        "currency": "USD",
        "unit": "hour",
    }
    data.update(overrides)
    return data


def url(name: str, company, *args) -> str:
    return reverse(f"postings:{name}", args=[company.slug, *args])


# --- Who may see what ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["company_dashboard", "create", "preview", "team"], ids=lambda name: name)
def test_anonymous_people_are_sent_to_log_in(client, company, name):
    response = client.get(url(name, company))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_company_home_needs_a_login(client):
    assert client.get(reverse("postings:company_home"))["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["company_dashboard", "create", "team"])
def test_another_companys_workspace_is_not_found(owner_client, other_company, name):
    assert owner_client.get(url(name, other_company)).status_code == 404


@pytest.mark.parametrize("name", ["manage", "edit", "applicants"])
def test_another_companys_posting_is_not_found_even_under_ones_own_slug(owner_client, company, other_company, name):
    theirs = DraftPostingFactory(company=other_company)
    assert owner_client.get(url(name, company, theirs.pk)).status_code == 404
    assert owner_client.get(url(name, other_company, theirs.pk)).status_code == 404


@pytest.mark.parametrize("name", ["submit", "close"])
def test_another_companys_posting_cannot_be_submitted_or_closed(owner_client, company, other_company, name):
    theirs = DraftPostingFactory(company=other_company)
    assert owner_client.post(url(name, company, theirs.pk)).status_code == 404
    assert JobPosting.objects.get(pk=theirs.pk).status == PostingStatus.DRAFT


def test_another_companys_application_cannot_be_moved(owner_client, company, other_company):
    theirs = PublishedPostingFactory(company=other_company)
    application = application_submit(posting=theirs, trainer=TrainerFactory())
    response = owner_client.post(url("application_move", company, application.pk, "hire"))
    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_a_trainer_without_a_company_is_told_so(trainer_client):
    response = trainer_client.get(reverse("postings:company_home"), follow=True)
    assert "not a member of any company" in response.content.decode()


def test_the_company_home_leads_to_ones_company(owner_client, company):
    assert owner_client.get(reverse("postings:company_home"))["Location"] == url("company_dashboard", company)


# --- Dashboard ----------------------------------------------------------------------------------------------------


def test_the_dashboard_groups_the_companys_postings_by_status(owner_client, company, other_company):
    DraftPostingFactory(company=company, title="My draft")
    posting_reject(posting=InReviewPostingFactory(company=company, title="Sent back"), by=None, reason="Too vague.")
    PublishedPostingFactory(company=company, title="Live one")
    DraftPostingFactory(company=other_company, title="Not mine")
    response = owner_client.get(url("company_dashboard", company))
    groups = {status: [p.title for p in postings] for status, _, postings in response.context["groups"]}
    assert groups["draft"] == ["My draft"]
    assert groups["rejected"] == ["Sent back"]
    assert groups["published"] == ["Live one"]
    content = response.content.decode()
    assert "Not mine" not in content
    assert "Returned: Too vague." in content


def test_the_dashboard_runs_the_same_number_of_queries_for_any_number_of_postings(owner_client, company):
    posting = PublishedPostingFactory(company=company)
    application_submit(posting=posting, trainer=TrainerFactory())
    few = count_queries(owner_client, url("company_dashboard", company))
    for _ in range(8):
        application_submit(posting=PublishedPostingFactory(company=company), trainer=TrainerFactory())
    DraftPostingFactory.create_batch(4, company=company)
    many = count_queries(owner_client, url("company_dashboard", company))
    # session, user, company, its postings with counts, the company switcher, the owner check, nav (profile, seats),
    # its open band alerts, the display currencies
    assert (few, many) == (10, 10)


# --- Drafting, preview, review ------------------------------------------------------------------------------------


def test_a_member_drafts_a_posting(owner_client, company, owner):
    response = owner_client.post(url("create", company), form_data())
    posting = JobPosting.objects.get()
    assert response["Location"] == url("manage", company, posting.pk)
    assert (posting.company, posting.status, posting.created_by) == (company, PostingStatus.DRAFT, owner)
    assert posting.rate_min_usd == Decimal("40")
    assert "saved as a draft" in owner_client.get(response["Location"]).content.decode()


def test_a_refused_band_is_shown_on_its_field(owner_client, company):
    response = owner_client.post(url("create", company), form_data(rate_min="70", rate_max="60"))
    assert response.status_code == 200
    assert response.context["form"].errors["rate_min"] == ["The minimum rate must not be above the maximum rate."]
    too_high = owner_client.post(url("create", company), form_data(rate_min="4000", rate_max="5000"))
    assert "accepted rates are between" in too_high.context["form"].errors["rate_min"][0]
    per_task = owner_client.post(url("create", company), form_data(unit="task"))
    assert per_task.context["form"].errors["minutes_per_task"]
    assert not JobPosting.objects.exists()


def test_the_preview_normalises_the_band_and_positions_it_in_the_market(owner_client, company, medicine_market):
    data = form_data(rate_min="8000", rate_max="9600", unit="month", currency="USD")
    content = owner_client.post(url("preview", company), data).content.decode()
    assert "$46.15–$55.38" in content  # a month is 40 h × 52 / 12 = 173.33 hours
    assert "Medicine · Expert · United States of America" in content
    assert "percentile" in content
    assert 'data-chart="preview-chart"' in content
    assert "Below the market" not in content


def test_the_preview_warns_when_the_top_of_the_band_is_under_the_market_p25(owner_client, company, medicine_market):
    content = owner_client.post(url("preview", company), form_data(rate_min="30", rate_max="45")).content.decode()
    assert "Below the market" in content
    assert "$51.25" in content  # the cell's p25


def test_the_preview_falls_back_to_a_wider_cell_and_says_so(owner_client, company, medicine_market):
    content = owner_client.post(url("preview", company), form_data(country="IN")).content.decode()
    assert "Medicine · Expert · All countries" in content
    assert "widened to all countries" in content


def test_the_preview_shows_nothing_of_a_suppressed_market(owner_client, company, market):
    content = owner_client.post(url("preview", company), form_data(domain=domain("law").pk)).content.decode()
    assert "fewer than 5 contributors" in content
    assert "percentile" not in content


def test_the_preview_names_the_field_of_each_error(owner_client, company):
    content = owner_client.post(url("preview", company), form_data(rate_min="", unit="project")).content.decode()
    assert "Band minimum: Enter the band&#x27;s minimum." in content
    content = owner_client.post(url("preview", company), form_data(unit="project")).content.decode()
    assert "Project hours: Pay per project needs the project&#x27;s total hours." in content
    assert 'href="#id_project_hours"' in content


def test_the_preview_of_another_company_is_not_found(owner_client, other_company):
    assert owner_client.post(url("preview", other_company), form_data()).status_code == 404


def test_a_draft_is_edited_submitted_returned_with_a_reason_and_resubmitted(owner_client, company, owner):
    posting = DraftPostingFactory(company=company)
    response = owner_client.post(url("edit", company, posting.pk), form_data(title="Better title"))
    assert response.status_code == 302
    assert JobPosting.objects.get(pk=posting.pk).title == "Better title"
    owner_client.post(url("submit", company, posting.pk))
    assert JobPosting.objects.get(pk=posting.pk).status == PostingStatus.IN_REVIEW
    posting_reject(posting=posting, by=None, reason="Say how many hours a week.")
    page = owner_client.get(url("manage", company, posting.pk)).content.decode()
    assert "Say how many hours a week." in page
    assert "Submit again for review" in page
    edit_page = owner_client.get(url("edit", company, posting.pk)).content.decode()
    assert "Say how many hours a week." in edit_page
    owner_client.post(url("edit", company, posting.pk), form_data(hours_per_week="20"))
    response = owner_client.post(url("submit", company, posting.pk), follow=True)
    assert "sent for review" in response.content.decode()
    assert JobPosting.objects.get(pk=posting.pk).status == PostingStatus.IN_REVIEW


def test_a_posting_under_review_cannot_be_edited(owner_client, company):
    posting = InReviewPostingFactory(company=company)
    response = owner_client.get(url("edit", company, posting.pk), follow=True)
    assert "cannot be edited" in response.content.decode()


def test_submitting_twice_is_refused_with_a_message(owner_client, company):
    posting = InReviewPostingFactory(company=company)
    response = owner_client.post(url("submit", company, posting.pk), follow=True)
    assert "cannot be submitted for review" in response.content.decode()


def test_a_published_posting_is_closed(owner_client, company, owner):
    posting = DraftPostingFactory(company=company)
    posting_submit(posting=posting, by=owner)
    posting_approve(posting=posting, by=None)
    response = owner_client.post(url("close", company, posting.pk), follow=True)
    assert "is closed" in response.content.decode()
    assert JobPosting.objects.get(pk=posting.pk).status == PostingStatus.CLOSED


# --- Applicants ---------------------------------------------------------------------------------------------------


def test_applicants_are_listed_and_moved_along(owner_client, company):
    posting = PublishedPostingFactory(company=company)
    trainer = TrainerFactory(display_name="Ada Applicant")
    application = application_submit(posting=posting, trainer=trainer, cover_letter="Hello")
    content = owner_client.get(url("applicants", company, posting.pk)).content.decode()
    assert "Ada Applicant" in content
    assert "Hello" in content
    owner_client.post(url("application_move", company, application.pk, "shortlist"))
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SHORTLISTED
    response = owner_client.post(url("application_move", company, application.pk, "hire"), follow=True)
    assert "Ada Applicant hired" in response.content.decode()
    refused = owner_client.post(url("application_move", company, application.pk, "reject"), follow=True)
    assert "cannot be moved" in refused.content.decode()
    assert owner_client.post(url("application_move", company, application.pk, "explode")).status_code == 404


def test_the_applicants_page_runs_the_same_number_of_queries_for_any_number_of_applicants(owner_client, company):
    posting = PublishedPostingFactory(company=company)
    applicants_url = url("applicants", company, posting.pk)
    trainer = TrainerFactory()
    trainer.domains.set([domain("medicine"), domain("law")])
    application_submit(posting=posting, trainer=trainer)
    few = count_queries(owner_client, applicants_url)
    for _ in range(6):
        other = TrainerFactory()
        other.domains.set([domain("generalist")])
        application_submit(posting=posting, trainer=other)
    many = count_queries(owner_client, applicants_url)
    # session, user, company, posting, count, page of applications, their domains (one prefetch), nav (2), the
    # display currencies
    assert (few, many) == (10, 10)


# --- Team ---------------------------------------------------------------------------------------------------------


def test_the_owner_invites_a_recruiter_who_accepts_with_the_invited_email(client, owner, company):
    client.force_login(owner)
    response = client.post(url("team", company), {"email": "Rita@Example.com"}, follow=True)
    assert "Invitation sent to rita@example.com" in response.content.decode()
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    path = link.split("testserver", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_digest not in link  # only the token travels; the digest stays in the database

    rita = UserFactory(username="rita", email="rita@example.com")
    client.force_login(rita)
    assert "Accept and join" in client.get(path).content.decode()
    response = client.post(path)
    assert response["Location"] == url("company_dashboard", company)
    assert Membership.objects.get(company=company, user=rita).role == MembershipRole.RECRUITER
    assert client.get(path).status_code == 404  # a used link stops working


def test_an_invitation_is_not_accepted_by_someone_with_another_email(client, owner, company):
    from postings.invitations import invitation_create

    issued = invitation_create(company=company, email="rita@example.com", by=owner)
    mallory = UserFactory(username="mallory", email="mallory@example.com")
    client.force_login(mallory)
    path = reverse("postings:invitation", args=[issued.token])
    assert "Log in with rita@example.com" in client.get(path).content.decode()
    response = client.post(path, follow=True)
    assert "This invitation is for rita@example.com" in response.content.decode()
    assert not Membership.objects.filter(user=mallory).exists()


def test_an_unknown_invitation_link_is_not_found(owner_client):
    assert owner_client.get(reverse("postings:invitation", args=["not-a-token"])).status_code == 404


def test_a_recruiter_cannot_invite_or_revoke(client, owner, company):
    from postings.invitations import invitation_create
    from postings.services import membership_add

    recruiter = UserFactory(username="recruiter")
    membership_add(company=company, user=recruiter, by=owner)
    pending = invitation_create(company=company, email="someone@example.com", by=owner).invitation
    client.force_login(recruiter)
    assert "Only the company" in client.get(url("team", company)).content.decode()
    assert client.post(url("team", company), {"email": "x@example.com"}).status_code == 403
    assert client.post(url("invitation_revoke", company, pending.pk)).status_code == 403
    assert Invitation.objects.count() == 1


def test_the_owner_revokes_a_pending_invitation(owner_client, owner, company):
    from postings.invitations import invitation_create

    pending = invitation_create(company=company, email="someone@example.com", by=owner).invitation
    response = owner_client.post(url("invitation_revoke", company, pending.pk), follow=True)
    assert "was revoked" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_is_refused_on_the_email_field(owner_client, owner, company):
    response = owner_client.post(url("team", company), {"email": owner.email})
    assert "already a member" in response.context["form"].errors["email"][0]


def test_a_band_in_another_currency_is_normalised_when_saved(owner_client, company):
    owner_client.post(url("create", company), form_data(currency="EUR", rate_min="100", rate_max="100", unit="day"))
    posting = JobPosting.objects.get()
    assert posting.currency_id == "EUR"
    assert posting.rate_min_usd == Decimal("13.5000")  # 100 EUR × 1.08 / 8 hours
    assert usd().code == "USD"
