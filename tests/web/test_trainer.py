"""The trainer workspace: profile, filing and editing pay surveys with the live preview, applications, comparison."""

import pytest
from django.urls import reverse

from benchmarks import engine
from postings.choices import ApplicationStatus, PostingStatus
from postings.models import Application, JobPosting
from postings.services import application_submit
from tests.factories import PublishedPostingFactory, StaffFactory, domain, platform, survey_fields, survey_form_data
from tests.web.conftest import count_queries
from trainers.choices import SurveyStatus
from trainers.models import PaySurvey, TrainerProfile
from trainers.services import survey_reject, survey_submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["profile", "surveys", "survey_create", "survey_preview", "applications", "compare"])
def test_anonymous_people_are_sent_to_log_in(client, name):
    response = client.get(reverse(f"trainers:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_someone_without_a_profile_is_asked_to_create_one(owner_client):
    response = owner_client.get(reverse("trainers:surveys"))
    assert response["Location"] == reverse("trainers:profile")


def test_a_profile_is_created_then_edited(owner_client, owner):
    data = {"display_name": "Olga", "tier": "expert", "country": "DE", "domains": [domain("law").pk]}
    response = owner_client.post(reverse("trainers:profile"), data)
    assert response["Location"] == reverse("trainers:surveys")
    profile = TrainerProfile.objects.get(user=owner)
    assert [d.slug for d in profile.domains.all()] == ["law"]
    owner_client.post(reverse("trainers:profile"), data | {"headline": "Lawyer", "domains": []})
    profile.refresh_from_db()
    assert profile.headline == "Lawyer"
    assert not profile.domains.exists()


def test_a_trainer_files_a_survey_and_sees_it_in_my_surveys(trainer_client, trainer):
    response = trainer_client.post(reverse("trainers:survey_create"), survey_form_data(amount="1000", unit="week"))
    assert response["Location"] == reverse("trainers:surveys")
    survey = PaySurvey.objects.get(trainer=trainer)
    assert (survey.hourly_usd, survey.status) == (25, SurveyStatus.ACCEPTED)
    page = trainer_client.get(response["Location"]).content.decode()
    assert "is in the benchmarks" in page
    assert "$25.00" in page
    assert "Accepted" in page


def test_filing_the_same_platform_domain_and_month_again_shows_the_earlier_survey_first(trainer_client, trainer):
    trainer_client.post(
        reverse("trainers:survey_create"),
        survey_form_data(amount="20", unpaid_hours_per_week="6", task_type="red_teaming"),
    )
    earlier = PaySurvey.objects.get(trainer=trainer)
    response = trainer_client.post(reverse("trainers:survey_create"), survey_form_data(amount="30"))
    assert response.status_code == 200  # nothing replaced yet
    content = response.content.decode()
    assert "You already filed a survey for" in content
    assert "Unpaid hours a week: 6" in content
    assert reverse("trainers:survey_edit", args=[earlier.pk]) in content
    assert "Tick this to replace your earlier survey" in " ".join(response.context["form"].errors["replace"])
    earlier.refresh_from_db()
    assert (earlier.amount, earlier.unpaid_hours_per_week) == (20, 6)
    response = trainer_client.post(
        reverse("trainers:survey_create"), survey_form_data(amount="30", replace="on"), follow=True
    )
    assert "already filed" in response.content.decode()
    earlier.refresh_from_db()
    assert (earlier.amount, earlier.unpaid_hours_per_week) == (30, None)


def test_the_form_says_as_one_picks_them_that_a_platform_domain_and_month_are_filed(trainer_client, trainer):
    url = reverse("trainers:survey_filed")
    assert trainer_client.get(url, survey_form_data()).content.decode().strip() == ""
    trainer_client.post(reverse("trainers:survey_create"), survey_form_data(amount="20"))
    assert "You already filed a survey for" in trainer_client.get(url, survey_form_data()).content.decode()
    other_month = survey_form_data(period="2025-01")
    assert "You already filed" not in trainer_client.get(url, other_month).content.decode()
    assert trainer_client.get(url, {"period": "nonsense"}).status_code == 200


def test_a_trainer_sees_the_earlier_versions_of_their_own_survey_only(trainer_client, trainer, other_trainer):
    trainer_client.post(reverse("trainers:survey_create"), survey_form_data(amount="20", task_type="red_teaming"))
    survey = PaySurvey.objects.get(trainer=trainer)
    trainer_client.post(reverse("trainers:survey_edit", args=[survey.pk]), survey_form_data(amount="30"))
    content = trainer_client.get(reverse("trainers:survey_versions", args=[survey.pk])).content.decode()
    assert content.index("30.00 USD") < content.index("20.00 USD")  # newest first
    assert "Red-teaming" in content
    theirs = survey_submit(trainer=other_trainer, **survey_fields())
    assert trainer_client.get(reverse("trainers:survey_versions", args=[theirs.survey.pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"amount": "5000"}, "amount", "accepted rates are between"),
        ({"unit": "task"}, "minutes_per_task", "needs the minutes one task takes"),
        ({"unit": "project"}, "project_hours", "needs the project's total hours"),
        ({"period": "2000-01"}, "period", "at most five years ago"),
        ({"unpaid_hours_per_week": "200"}, "unpaid_hours_per_week", "168 hours"),
        ({"amount": ""}, "amount", "required"),
    ],
)
def test_a_refused_survey_shows_the_reason_on_its_field(trainer_client, overrides, field, words):
    response = trainer_client.post(reverse("trainers:survey_create"), survey_form_data(**overrides))
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert not PaySurvey.objects.exists()


def test_the_preview_shows_normalised_and_effective_pay(trainer_client):
    data = {"amount": "800", "currency": "USD", "unit": "week", "hours_per_week": "40", "unpaid_hours_per_week": "10"}
    content = trainer_client.post(reverse("trainers:survey_preview"), data).content.decode()
    assert '<span class="figure" id="preview-hourly">$20.00</span>' in content
    assert '<span class="figure" id="preview-effective">$16.00</span>' in content


def test_the_preview_names_the_field_of_an_error(trainer_client):
    content = trainer_client.post(reverse("trainers:survey_preview"), {"amount": "3", "unit": "task"}).content.decode()
    assert "Minutes per task: Pay per task needs the minutes one task takes." in content
    assert 'href="#id_minutes_per_task"' in content


def test_the_preview_positions_the_rate_only_in_a_published_cell(trainer_client, market):
    data = {
        "amount": "25",
        "unit": "hour",
        "currency": "USD",
        "domain": domain().pk,
        "tier": "skilled",
        "country": "US",
    }
    content = trainer_client.post(reverse("trainers:survey_preview"), data).content.decode()
    assert "percentile of reported pay in <strong>Generalist · Skilled · United States of America</strong>" in content
    content = trainer_client.post(reverse("trainers:survey_preview"), data | {"domain": domain("law").pk}).content
    assert b"fewer than 5 contributors" in content


def test_a_survey_is_edited_and_withdrawn(trainer_client, trainer):
    survey = survey_submit(trainer=trainer, **survey_fields()).survey
    edit = reverse("trainers:survey_edit", args=[survey.pk])
    assert 'value="20.00"' in trainer_client.get(edit).content.decode()
    trainer_client.post(edit, survey_form_data(amount="22"))
    assert PaySurvey.objects.get(pk=survey.pk).amount == 22
    response = trainer_client.post(reverse("trainers:survey_withdraw", args=[survey.pk]), follow=True)
    assert "withdrawn" in response.content.decode()
    assert PaySurvey.objects.get(pk=survey.pk).status == SurveyStatus.WITHDRAWN
    assert "cannot be edited" in trainer_client.get(edit, follow=True).content.decode()


def test_a_rejected_survey_shows_why(trainer_client, trainer):
    survey = survey_submit(trainer=trainer, **survey_fields()).survey
    survey_reject(survey=survey, reviewer=StaffFactory(), reason="The platform does not pay per week.")
    content = trainer_client.get(reverse("trainers:surveys")).content.decode()
    assert "Rejected" in content
    assert "The platform does not pay per week." in content


def test_another_trainers_survey_is_not_found(trainer_client, other_trainer):
    theirs = survey_submit(trainer=other_trainer, **survey_fields()).survey
    assert trainer_client.get(reverse("trainers:survey_edit", args=[theirs.pk])).status_code == 404
    assert trainer_client.post(reverse("trainers:survey_edit", args=[theirs.pk]), survey_form_data()).status_code == 404
    assert trainer_client.post(reverse("trainers:survey_withdraw", args=[theirs.pk])).status_code == 404
    assert PaySurvey.objects.get(pk=theirs.pk).status == SurveyStatus.ACCEPTED
    assert b"Outlier" not in trainer_client.get(reverse("trainers:surveys")).content


def test_my_surveys_runs_the_same_number_of_queries_for_any_number_of_surveys(trainer_client, trainer):
    survey_submit(trainer=trainer, **survey_fields())
    few = count_queries(trainer_client, reverse("trainers:surveys"))
    for slug in ["mercor", "appen", "turing", "toloka", "surge", "prolific"]:
        survey_submit(trainer=trainer, **survey_fields(platform=platform(slug)))
    many = count_queries(trainer_client, reverse("trainers:surveys"))
    # session, user, profile, count, page (platform, domain, currency joined), its verification documents, nav
    # (profile, company seats), the display currencies
    assert (few, many) == (9, 9)


# --- Applications -------------------------------------------------------------------------------------------------


def test_my_applications_lists_and_withdraws_ones_own(trainer_client, trainer, other_trainer, company):
    posting = PublishedPostingFactory(company=company, title="Mine")
    mine = application_submit(posting=posting, trainer=trainer)
    theirs = application_submit(posting=PublishedPostingFactory(company=company, title="Theirs"), trainer=other_trainer)
    content = trainer_client.get(reverse("trainers:applications")).content.decode()
    assert "Mine" in content
    assert "Theirs" not in content
    assert trainer_client.post(reverse("trainers:application_withdraw", args=[theirs.pk])).status_code == 404
    response = trainer_client.post(reverse("trainers:application_withdraw", args=[mine.pk]), follow=True)
    assert "was withdrawn" in response.content.decode()
    assert Application.objects.get(pk=mine.pk).status == ApplicationStatus.WITHDRAWN
    assert Application.objects.get(pk=theirs.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("end", [PostingStatus.CLOSED, PostingStatus.EXPIRED])
def test_an_undecided_application_to_an_ended_posting_reads_as_its_end(trainer_client, trainer, company, end):
    posting = PublishedPostingFactory(company=company, title="Ended job")
    application = application_submit(posting=posting, trainer=trainer)
    application.status = ApplicationStatus.SHORTLISTED
    application.save()
    JobPosting.objects.filter(pk=posting.pk).update(status=end)
    content = trainer_client.get(reverse("trainers:applications")).content.decode()
    assert f'<span class="badge {end}">{end.label}</span>' in content
    assert "Shortlisted" not in content
    page = trainer_client.get(reverse("postings:detail", args=[posting.pk]))
    assert page.status_code == 200
    assert f"This posting is {end.label.lower()} and no longer takes applications." in page.content.decode()


def test_a_decided_application_keeps_its_own_status_after_the_posting_ends(trainer_client, trainer, company):
    posting = PublishedPostingFactory(company=company)
    application = application_submit(posting=posting, trainer=trainer)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.HIRED)
    JobPosting.objects.filter(pk=posting.pk).update(status=PostingStatus.CLOSED)
    content = trainer_client.get(reverse("trainers:applications")).content.decode()
    assert '<span class="badge hired">Hired</span>' in content


def test_my_applications_runs_the_same_number_of_queries_for_any_number(trainer_client, trainer, company):
    application_submit(posting=PublishedPostingFactory(company=company), trainer=trainer)
    few = count_queries(trainer_client, reverse("trainers:applications"))
    for _ in range(5):
        application_submit(posting=PublishedPostingFactory(company=company), trainer=trainer)
    many = count_queries(trainer_client, reverse("trainers:applications"))
    assert (few, many) == (8, 8)  # the display currencies' query included


# --- How my pay compares ------------------------------------------------------------------------------------------


def test_how_my_pay_compares_positions_each_accepted_survey(trainer_client, trainer, market):
    survey_submit(trainer=trainer, **survey_fields(amount=40))
    survey_submit(trainer=trainer, **survey_fields(amount=10, platform=platform("mercor")))
    survey_submit(trainer=trainer, **survey_fields(domain=domain("law")))
    engine.rebuild_all()
    content = trainer_client.get(reverse("trainers:compare")).content.decode()
    assert "Above the 90th percentile" in content
    assert "Below the 10th percentile" in content
    assert "Generalist · Skilled · United States of America" in content
    assert "Fewer than 5 contributors in every matching cell" in content


def test_how_my_pay_compares_looks_each_cell_up_once(trainer_client, trainer, market):
    survey_submit(trainer=trainer, **survey_fields(amount=40))
    engine.rebuild_all()
    few = count_queries(trainer_client, reverse("trainers:compare"))
    for slug in ["mercor", "appen", "turing", "toloka"]:
        survey_submit(trainer=trainer, **survey_fields(platform=platform(slug)))
    many = count_queries(trainer_client, reverse("trainers:compare"))
    assert few == many


def test_another_trainer_cannot_see_my_surveys_in_their_comparison(client, trainer, other_trainer):
    survey_submit(trainer=trainer, **survey_fields())
    client.force_login(other_trainer.user)
    assert b"Outlier" not in client.get(reverse("trainers:compare")).content
