import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from benchmarks.errors import ServiceError
from benchmarks.models import Currency, Observation
from postings.choices import ApplicationStatus, MembershipRole, PostingStatus
from postings.models import Application, Company, JobPosting, Membership
from postings.services import (
    application_hire,
    application_reject,
    application_shortlist,
    application_submit,
    application_withdraw,
    applications_withdraw_for_trainer,
    company_create,
    company_verify,
    membership_add,
    posting_approve,
    posting_close,
    posting_create,
    posting_expire,
    posting_reject,
    posting_submit,
    posting_update,
    postings_expire_due,
)
from tests.factories import (
    CompanyFactory,
    InReviewPostingFactory,
    PublishedPostingFactory,
    StaffFactory,
    TrainerFactory,
    UserFactory,
    posting_fields,
)

pytestmark = pytest.mark.django_db


def owner_of(company: Company):
    return Membership.objects.get(company=company, role=MembershipRole.OWNER).user


def draft(company=None, **overrides) -> JobPosting:
    company = company or CompanyFactory()
    return posting_create(company=company, by=owner_of(company), **posting_fields(**overrides))


# --- companies ---------------------------------------------------------------------------------------------------


def test_company_create_makes_the_creator_its_owner():
    user = UserFactory()
    company = company_create(name="Acme Labs", owner=user)
    assert company.slug == "acme-labs"
    assert owner_of(company) == user
    assert company_create(name="Acme Labs", owner=UserFactory()).slug == "acme-labs-2"


def test_company_create_refuses_an_empty_name():
    with pytest.raises(ServiceError):
        company_create(name="  ", owner=UserFactory())
    assert not Company.objects.exists()


def test_company_verify_records_who_and_when():
    admin = StaffFactory()
    company = company_verify(company=CompanyFactory(), by=admin)
    assert company.verified and company.verified_by == admin and company.verified_at


def test_membership_add_is_for_the_owner_only():
    company = CompanyFactory()
    recruiter = UserFactory()
    membership_add(company=company, user=recruiter, by=owner_of(company))
    with pytest.raises(ServiceError, match="owner"):
        membership_add(company=company, user=UserFactory(), by=recruiter)
    with pytest.raises(ServiceError, match="already a member"):
        membership_add(company=company, user=recruiter, by=owner_of(company))


# --- postings ----------------------------------------------------------------------------------------------------


def test_posting_create_stores_a_draft_with_its_band_normalised():
    posting = draft(rate_min=Decimal("3200"), rate_max=Decimal("4000"), unit="month", hours_per_week=Decimal("40"))
    assert posting.status == PostingStatus.DRAFT
    assert posting.rate_min_usd == (Decimal("3200") * 12 / (40 * 52)).quantize(Decimal("0.0001"))
    assert not Observation.objects.exists()


def test_posting_create_refuses_a_band_whose_minimum_is_above_its_maximum():
    with pytest.raises(ServiceError) as error:
        draft(rate_min=Decimal("80"), rate_max=Decimal("40"))
    assert error.value.field == "rate_min"
    assert not JobPosting.objects.exists()


def test_posting_create_refuses_an_absurd_band_naming_the_field():
    with pytest.raises(ServiceError) as error:
        draft(rate_max=Decimal("90000"))
    assert error.value.field == "rate_max"


def test_posting_create_refuses_someone_outside_the_company():
    with pytest.raises(ServiceError, match="members"):
        posting_create(company=CompanyFactory(), by=UserFactory(), **posting_fields())


def test_posting_create_converts_the_band_from_local_currency():
    posting = draft(currency=Currency.objects.get(code="GBP"), rate_min=Decimal("40"), rate_max=Decimal("60"))
    assert posting.rate_min_usd == Decimal("50.8000")


def test_posting_submit_sends_a_draft_to_review():
    posting = draft()
    posting = posting_submit(posting=posting, by=owner_of(posting.company))
    assert posting.status == PostingStatus.IN_REVIEW
    assert posting.submitted_at


def test_posting_submit_refuses_a_published_posting():
    posting = PublishedPostingFactory()
    with pytest.raises(ServiceError, match="published posting cannot be submitted"):
        posting_submit(posting=posting, by=owner_of(posting.company))


def test_posting_approve_publishes_with_an_expiry_and_an_advertised_observation():
    posting = posting_approve(posting=InReviewPostingFactory(), by=StaffFactory())
    assert posting.status == PostingStatus.PUBLISHED
    assert posting.expires_at - posting.published_at == datetime.timedelta(days=60)
    obs = Observation.objects.get(origin=posting.origin)
    assert obs.kind == "advertised"
    assert obs.hourly_usd == Decimal("50")
    assert obs.contributor == f"company:{posting.company_id}"
    assert obs.source.slug == f"company-{posting.company_id}"


def test_a_posting_walked_through_review_at_a_past_date_is_advertised_in_that_month():
    posting, staff = draft(), StaffFactory()
    when = timezone.now() - datetime.timedelta(days=400)
    posting = posting_submit(posting=posting, by=owner_of(posting.company), now=when)
    posting = posting_approve(posting=posting, by=staff, now=when + datetime.timedelta(hours=2))
    assert posting.submitted_at == when
    assert posting.published_at == when + datetime.timedelta(hours=2)
    assert posting.expires_at - posting.published_at == datetime.timedelta(days=60)
    assert Observation.objects.get(origin=posting.origin).period == posting.published_at.date().replace(day=1)
    closed = posting_close(posting=posting, by=owner_of(posting.company), now=when + datetime.timedelta(days=9))
    assert closed.closed_at == when + datetime.timedelta(days=9)
    assert not Observation.objects.exists()


def test_posting_approve_refuses_a_draft():
    with pytest.raises(ServiceError, match="draft posting cannot be approved"):
        posting_approve(posting=draft(), by=StaffFactory())


def test_posting_reject_needs_a_reason_and_the_company_sees_it():
    posting = InReviewPostingFactory()
    with pytest.raises(ServiceError) as error:
        posting_reject(posting=posting, by=StaffFactory(), reason="")
    assert error.value.field == "reason"
    posting = posting_reject(posting=posting, by=StaffFactory(), reason="Band is not in a valid currency")
    assert posting.status == PostingStatus.REJECTED
    assert posting.rejection_reason == "Band is not in a valid currency"


def test_a_rejected_posting_can_be_edited_and_resubmitted():
    posting = posting_reject(posting=InReviewPostingFactory(), by=StaffFactory(), reason="Title is vague")
    owner = owner_of(posting.company)
    posting = posting_update(posting=posting, by=owner, title="Board-certified cardiologist reviewer")
    posting = posting_submit(posting=posting, by=owner)
    assert posting.status == PostingStatus.IN_REVIEW
    posting = posting_approve(posting=posting, by=StaffFactory())
    assert posting.rejection_reason == ""


def test_posting_update_refuses_a_published_posting():
    posting = PublishedPostingFactory()
    with pytest.raises(ServiceError, match="published posting cannot be edited"):
        posting_update(posting=posting, by=owner_of(posting.company), title="New")


def test_posting_update_refuses_bad_input_and_changes_nothing():
    posting = draft()
    with pytest.raises(ServiceError):
        posting_update(posting=posting, by=owner_of(posting.company), rate_min=Decimal("100"), rate_max=Decimal("10"))
    posting.refresh_from_db()
    assert posting.rate_min == Decimal("40")


def test_posting_close_takes_it_out_of_the_benchmarks():
    posting = PublishedPostingFactory()
    posting = posting_close(posting=posting, by=owner_of(posting.company))
    assert posting.status == PostingStatus.CLOSED
    assert not Observation.objects.exists()


def test_posting_close_refuses_a_draft_and_strangers():
    with pytest.raises(ServiceError, match="draft posting cannot be closed"):
        posting = draft()
        posting_close(posting=posting, by=owner_of(posting.company))
    published = PublishedPostingFactory()
    with pytest.raises(ServiceError, match="members"):
        posting_close(posting=published, by=UserFactory())


def test_posting_expire_only_after_the_expiry_date():
    posting = PublishedPostingFactory()
    with pytest.raises(ServiceError):
        posting_expire(posting=posting)
    posting = posting_expire(posting=posting, now=posting.expires_at + datetime.timedelta(seconds=1))
    assert posting.status == PostingStatus.EXPIRED
    assert not Observation.objects.exists()


def test_postings_expire_due_expires_only_the_overdue_ones():
    old, fresh = PublishedPostingFactory(), PublishedPostingFactory()
    JobPosting.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert postings_expire_due() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (PostingStatus.EXPIRED, PostingStatus.PUBLISHED)


# --- applications ------------------------------------------------------------------------------------------------


def test_application_submit_once_per_trainer_and_posting():
    posting, trainer = PublishedPostingFactory(), TrainerFactory()
    application = application_submit(posting=posting, trainer=trainer, cover_letter="Board certified.")
    assert application.status == ApplicationStatus.SUBMITTED
    with pytest.raises(ServiceError, match="already applied"):
        application_submit(posting=posting, trainer=trainer)


def test_application_submit_refuses_a_posting_that_is_not_published():
    with pytest.raises(ServiceError, match="not open"):
        application_submit(posting=draft(), trainer=TrainerFactory())


def test_application_submit_refuses_a_posting_with_an_external_apply_link():
    posting = PublishedPostingFactory(apply_url="https://jobs.example.com/1")
    with pytest.raises(ServiceError, match="own site"):
        application_submit(posting=posting, trainer=TrainerFactory())


def test_the_company_shortlists_then_hires():
    posting = PublishedPostingFactory()
    owner = owner_of(posting.company)
    application = application_submit(posting=posting, trainer=TrainerFactory())
    application = application_shortlist(application=application, by=owner)
    assert application.status == ApplicationStatus.SHORTLISTED
    application = application_hire(application=application, by=owner)
    assert application.status == ApplicationStatus.HIRED
    with pytest.raises(ServiceError, match="hired application cannot be moved to rejected"):
        application_reject(application=application, by=owner)


def test_only_the_company_moves_an_application_and_only_the_trainer_withdraws_it():
    posting = PublishedPostingFactory()
    trainer = TrainerFactory()
    application = application_submit(posting=posting, trainer=trainer)
    with pytest.raises(ServiceError, match="members"):
        application_shortlist(application=application, by=trainer.user)
    with pytest.raises(ServiceError, match="trainer who applied"):
        application_withdraw(application=application, by=owner_of(posting.company))
    application = application_withdraw(application=application, by=trainer.user)
    assert application.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ServiceError, match="withdrawn application cannot be moved to shortlisted"):
        application_shortlist(application=application, by=owner_of(posting.company))


def test_applications_withdraw_for_trainer_withdraws_only_that_trainers_open_applications():
    trainer, other = TrainerFactory(), TrainerFactory()
    submitted = application_submit(posting=PublishedPostingFactory(), trainer=trainer)
    shortlisted = application_submit(posting=PublishedPostingFactory(), trainer=trainer)
    hired = application_submit(posting=PublishedPostingFactory(), trainer=trainer)
    theirs = application_submit(posting=PublishedPostingFactory(), trainer=other)
    application_shortlist(application=shortlisted, by=owner_of(shortlisted.posting.company))
    application_hire(application=hired, by=owner_of(hired.posting.company))

    assert applications_withdraw_for_trainer(trainer=trainer) == 2

    statuses = {a.pk: a.status for a in Application.objects.all()}
    assert statuses[submitted.pk] == statuses[shortlisted.pk] == ApplicationStatus.WITHDRAWN
    assert statuses[hired.pk] == ApplicationStatus.HIRED
    assert statuses[theirs.pk] == ApplicationStatus.SUBMITTED


def test_membership_remove_takes_a_recruiter_out_but_never_the_owner():
    from postings.services import membership_add, membership_remove

    owner, recruiter = UserFactory(username="own"), UserFactory(username="rec")
    company = CompanyFactory(owner=owner)
    membership_add(company=company, user=recruiter, by=owner)
    with pytest.raises(ServiceError):
        membership_remove(company=company, user=recruiter, by=recruiter)  # only the owner may
    assert membership_remove(company=company, user=recruiter, by=owner)
    assert not company.memberships.filter(user=recruiter).exists()
    with pytest.raises(ServiceError):
        membership_remove(company=company, user=owner, by=owner)
    assert membership_remove(company=company, user=recruiter, by=owner) is False


def test_verifying_a_company_makes_its_published_postings_verified_observations():
    posting = PublishedPostingFactory()
    draft_posting = InReviewPostingFactory(company=posting.company)
    assert Observation.objects.get(origin=posting.origin).verified is False
    company_verify(company=posting.company, by=StaffFactory())
    assert Observation.objects.get(origin=posting.origin).verified is True
    assert not Observation.objects.filter(origin=draft_posting.origin).exists()


def test_a_verified_companys_new_posting_is_verified_when_published():
    company = CompanyFactory()
    company_verify(company=company, by=StaffFactory())
    posting = posting_approve(posting=InReviewPostingFactory(company=company), by=StaffFactory())
    assert Observation.objects.get(origin=posting.origin).verified is True
