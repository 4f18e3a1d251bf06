from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from benchmarks import engine, selectors
from benchmarks.errors import ServiceError
from benchmarks.models import ALL, DirtyCell, Observation
from tests.factories import StaffFactory, TrainerFactory, domain, platform, survey_fields, this_month
from trainers.choices import SurveyStatus
from trainers.models import PaySurvey
from trainers.services import (
    survey_accept_flagged,
    survey_reject,
    survey_submit,
    survey_update,
    survey_withdraw,
)

pytestmark = pytest.mark.django_db


def submit(trainer, **overrides):
    return survey_submit(trainer=trainer, **survey_fields(**overrides)).survey


def test_survey_submit_stores_the_normalised_rate_and_its_observation():
    trainer = TrainerFactory()
    survey = submit(trainer, amount=Decimal("800"), unit="week", hours_per_week=Decimal("40"))
    assert survey.status == SurveyStatus.ACCEPTED
    assert survey.hourly_usd == Decimal("20")
    obs = Observation.objects.get(origin=survey.origin)
    assert obs.kind == "reported"
    assert obs.hourly_usd == Decimal("20")
    assert obs.contributor == f"trainer:{trainer.pk}"
    assert DirtyCell.objects.filter(domain=survey.domain, tier=survey.tier, country="US", kind="reported").exists()


def test_survey_submit_records_the_effective_rate_with_unpaid_hours():
    survey = submit(TrainerFactory(), hours_per_week=Decimal("30"), unpaid_hours_per_week=Decimal("10"))
    assert survey.effective_hourly_usd == Decimal("15")


def test_a_second_submission_for_the_same_platform_domain_and_month_updates_the_first():
    trainer = TrainerFactory()
    first = survey_submit(trainer=trainer, **survey_fields(amount=Decimal("20")))
    second = survey_submit(trainer=trainer, **survey_fields(amount=Decimal("25"), period=this_month().replace(day=15)))
    assert first.created and not second.created
    assert second.survey.pk == first.survey.pk
    assert PaySurvey.objects.count() == 1
    assert Observation.objects.get().hourly_usd == Decimal("25")


def test_survey_submit_refuses_an_out_of_range_rate_and_stores_nothing():
    with pytest.raises(ServiceError) as error:
        submit(TrainerFactory(), amount=Decimal("5000"))
    assert error.value.field == "amount"
    assert not PaySurvey.objects.exists()
    assert not Observation.objects.exists()


def test_survey_submit_refuses_a_future_month():
    with pytest.raises(ServiceError) as error:
        submit(TrainerFactory(), period=this_month() + relativedelta(months=1))
    assert error.value.field == "period"


def test_survey_submit_refuses_a_month_older_than_five_years():
    with pytest.raises(ServiceError) as error:
        submit(TrainerFactory(), period=this_month() - relativedelta(years=5, months=1))
    assert error.value.field == "period"


def test_survey_submit_flags_an_outlier_and_keeps_it_out_of_the_benchmarks():
    for n in range(25):
        submit(TrainerFactory(), amount=Decimal("20") + n % 5)
    survey = submit(TrainerFactory(), amount=Decimal("1900"))
    assert survey.status == SurveyStatus.FLAGGED
    # Its observation is kept for the outlier fences, flagged, and left out of every cell.
    assert Observation.objects.get(origin=survey.origin).flagged
    engine.rebuild_all()
    cell = selectors.cell_get(domain=survey.domain, tier=survey.tier, country=ALL)
    assert cell.observations == 25


def test_survey_accept_flagged_puts_the_survey_into_the_benchmarks():
    for n in range(25):
        submit(TrainerFactory(), amount=Decimal("20") + n % 5)
    survey = submit(TrainerFactory(), amount=Decimal("1900"))
    survey = survey_accept_flagged(survey=survey, reviewer=StaffFactory())
    assert survey.status == SurveyStatus.ACCEPTED
    assert survey.reviewed_by is not None
    observation = Observation.objects.get(origin=survey.origin)
    assert (observation.flagged, observation.reviewed) == (False, True)
    # An admin's decision stands: a rebuild's re-screening does not flag it again.
    engine.rebuild_all()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ACCEPTED
    assert not Observation.objects.get(origin=survey.origin).flagged


def test_survey_accept_flagged_refuses_an_accepted_survey():
    survey = submit(TrainerFactory())
    with pytest.raises(ServiceError, match="An accepted survey cannot be accepted"):
        survey_accept_flagged(survey=survey, reviewer=StaffFactory())


def test_survey_withdraw_takes_the_survey_out_of_the_benchmarks():
    survey = survey_withdraw(survey=submit(TrainerFactory()))
    assert survey.status == SurveyStatus.WITHDRAWN
    assert not Observation.objects.exists()


def test_survey_withdraw_refuses_a_withdrawn_survey():
    survey = survey_withdraw(survey=submit(TrainerFactory()))
    with pytest.raises(ServiceError, match="withdrawn survey cannot be withdrawn"):
        survey_withdraw(survey=survey)


def test_survey_reject_needs_a_reason():
    survey = submit(TrainerFactory())
    with pytest.raises(ServiceError) as error:
        survey_reject(survey=survey, reviewer=StaffFactory(), reason="  ")
    assert error.value.field == "reason"
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ACCEPTED


def test_survey_reject_removes_the_observation_and_keeps_the_reason():
    survey = survey_reject(survey=submit(TrainerFactory()), reviewer=StaffFactory(), reason="Screenshot did not match")
    assert survey.status == SurveyStatus.REJECTED
    assert survey.status_reason == "Screenshot did not match"
    assert not Observation.objects.exists()


def test_a_rejected_survey_cannot_be_resubmitted_over():
    trainer = TrainerFactory()
    survey_reject(survey=submit(trainer), reviewer=StaffFactory(), reason="Duplicate account")
    with pytest.raises(ServiceError, match="rejected by an admin"):
        submit(trainer, amount=Decimal("30"))


def test_a_withdrawn_survey_comes_back_when_submitted_again():
    trainer = TrainerFactory()
    survey_withdraw(survey=submit(trainer))
    survey = submit(trainer, amount=Decimal("30"))
    assert survey.status == SurveyStatus.ACCEPTED
    assert Observation.objects.get().hourly_usd == Decimal("30")


def test_survey_update_moves_the_observation_to_the_new_cell():
    survey = submit(TrainerFactory())
    survey_update(survey=survey, domain=domain("law"), amount=Decimal("90"))
    obs = Observation.objects.get()
    assert (obs.domain.slug, obs.hourly_usd) == ("law", Decimal("90"))
    marked = set(DirtyCell.objects.values_list("domain__slug", flat=True))
    assert marked == {"generalist", "law"}


def test_survey_update_refuses_a_withdrawn_survey():
    survey = survey_withdraw(survey=submit(TrainerFactory()))
    with pytest.raises(ServiceError, match="cannot be edited"):
        survey_update(survey=survey, amount=Decimal("30"))


def test_survey_update_refuses_bad_input_and_changes_nothing():
    survey = submit(TrainerFactory())
    with pytest.raises(ServiceError):
        survey_update(survey=survey, amount=Decimal("-3"))
    survey.refresh_from_db()
    assert survey.amount == Decimal("20")
    assert Observation.objects.get().hourly_usd == Decimal("20")


def test_partner_rows_are_matched_on_source_and_external_id():
    from benchmarks.sources import source_get_or_create

    source = source_get_or_create(slug="feed", name="Feed", kind="partner")
    first = survey_submit(trainer=None, source=source, external_id="r1", **survey_fields())
    again = survey_submit(trainer=None, source=source, external_id="r1", **survey_fields(amount=Decimal("22")))
    assert first.survey.pk == again.survey.pk
    assert Observation.objects.get().contributor == f"row:{first.survey.pk}"


def test_survey_submit_converts_local_currency_at_the_pay_period():
    from benchmarks.models import Currency

    survey = submit(TrainerFactory(), amount=Decimal("1000"), currency=Currency.objects.get(code="INR"))
    assert survey.hourly_usd == Decimal("12.0000")


def test_platform_aliases_resolve_to_one_platform():
    from benchmarks.sources import platforms_resolve

    def platform_resolve(text):
        return platforms_resolve([text])[text]

    assert platform_resolve("outlier.ai") == platform("outlier")
    assert platform_resolve("https://www.outlier.ai/") == platform("outlier")
    assert platform_resolve("Outlier") == platform("outlier")
    assert platform_resolve("no such platform") is None


def test_many_platform_names_resolve_as_one_by_one_in_three_queries(django_assert_num_queries):
    from benchmarks.models import Platform, PlatformAlias
    from benchmarks.sources import platforms_resolve

    def platform_resolve(text):
        return platforms_resolve([text])[text]

    PlatformAlias.objects.create(platform=platform("mercor"), alias="mercor-talent")
    Platform.objects.create(slug="neither", name="Label Works")  # found by its name only
    texts = ["outlier.ai", "https://www.outlier.ai/", "Outlier", " MERCOR ", "Mercor Talent", "label works",
             "no such platform", "", "a\x00b"]  # fmt: skip
    with django_assert_num_queries(3):
        found = platforms_resolve(texts)
    assert found == {text: platform_resolve(text) for text in texts}
    assert found["label works"].slug == "neither" and found["Mercor Talent"] == platform("mercor")
    assert [found[t] for t in ("no such platform", "", "a\x00b")] == [None, None, None]


def test_survey_update_refuses_to_become_a_second_survey_for_the_same_key():
    trainer = TrainerFactory()
    submit(trainer)
    other = submit(trainer, domain=domain("law"))
    with pytest.raises(ServiceError) as error:
        survey_update(survey=other, domain=domain("generalist"))
    assert error.value.field == "period"
    other.refresh_from_db()
    assert other.domain.slug == "law"


def test_a_document_verified_survey_carries_the_flag_to_its_observation_and_an_unverified_one_does_not():
    from trainers.choices import Verification
    from trainers.services import _sync_observation

    survey = submit(TrainerFactory())
    assert Observation.objects.get(origin=survey.origin).verified is False
    survey.verification = Verification.EMAIL
    survey.save(update_fields=["verification"])
    _sync_observation(survey)
    assert Observation.objects.get(origin=survey.origin).verified is False
    survey.verification = Verification.DOCUMENT
    survey.save(update_fields=["verification"])
    _sync_observation(survey)
    assert Observation.objects.get(origin=survey.origin).verified is True


def test_an_imported_row_is_never_verified_whatever_its_survey_says():
    from trainers.choices import Verification
    from trainers.services import sync_observations

    survey = submit(TrainerFactory())
    survey.trainer = None
    survey.verification = Verification.DOCUMENT
    sync_observations([survey])
    assert Observation.objects.get(origin=survey.origin).verified is False
