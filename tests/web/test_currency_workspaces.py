"""The display currency in the workspaces: a company's bands normalised to an hour, a trainer's normalised and
effective rates and the market figures beside them are shown in the chosen currency with the note; what a person
entered stays in the currency they entered it in."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from alerts.models import BandAlert
from benchmarks import engine
from benchmarks.choices import SkillTier
from benchmarks.models import Currency
from postings.services import application_submit
from tests.factories import domain, survey_fields, survey_form_data
from tests.web.conftest import file_surveys, publish
from trainers.models import PaySurvey
from trainers.services import survey_submit

pytestmark = pytest.mark.django_db

EUR_NOTE = "Shown in EUR at 0.9259 per USD (rate of 2020-01-01); computed in USD."
# The company's posting is 40–60 USD an hour: ÷ 1.08 = 37.037… and 55.555… → €37.04–€55.56.
BAND_EUR = "€37.04–€55.56"


def in_eur(usd) -> str:
    value = (Decimal(str(usd)) / Decimal("1.08")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"€{value:,.2f}"


def choose_eur(client) -> None:
    response = client.post(reverse("portal:currency"), {"currency": "EUR", "next": "/"})
    assert response.status_code == 302


@pytest.fixture
def posting(company, owner):
    return publish(company, by=owner)


def test_the_company_dashboard_shows_its_bands_in_the_chosen_currency(owner_client, company, posting):
    choose_eur(owner_client)
    content = owner_client.get(reverse("postings:company_dashboard", args=[company.slug])).content.decode()
    assert BAND_EUR in content and "EUR an hour" in content and EUR_NOTE in content
    assert "$40.00" not in content and "USD an hour" not in content


def test_the_company_dashboard_stays_in_us_dollars_without_a_note_until_one_is_chosen(owner_client, company, posting):
    content = owner_client.get(reverse("postings:company_dashboard", args=[company.slug])).content.decode()
    assert "$40.00–$60.00" in content and "USD an hour" in content and "computed in USD" not in content


def test_a_postings_management_page_keeps_the_band_as_entered_and_converts_its_hourly_figure(
    owner_client, company, posting
):
    choose_eur(owner_client)
    content = owner_client.get(reverse("postings:manage", args=[company.slug, posting.pk])).content.decode()
    assert "40.00–60.00 USD per hour" in content  # the band as the company entered it
    assert "In EUR an hour" in content and BAND_EUR in content and EUR_NOTE in content


def test_the_band_preview_shows_the_normalised_band_in_the_chosen_currency(owner_client, company):
    choose_eur(owner_client)
    data = {"domain": domain("medicine").pk, "tier": "expert", "country": "US", "rate_min": "40", "rate_max": "60",
            "currency": "USD", "unit": "hour"}  # fmt: skip
    content = owner_client.post(reverse("postings:preview", args=[company.slug]), data).content.decode()
    assert f'In EUR an hour: <span class="figure">{BAND_EUR}</span>' in content and EUR_NOTE in content


def test_a_band_alert_on_the_dashboard_is_in_the_chosen_currency(
    owner_client, company, owner, django_capture_on_commit_callbacks
):
    file_surveys(6, start=100, base=50, domain=domain("medicine"), tier=SkillTier.EXPERT)
    with django_capture_on_commit_callbacks(execute=True):
        publish(company, by=owner, rate_min=Decimal("50"), rate_max=Decimal("52"))
    with django_capture_on_commit_callbacks(execute=True):
        engine.rebuild_all()
    file_surveys(10, start=200, base=56, domain=domain("medicine"), tier=SkillTier.EXPERT)
    with django_capture_on_commit_callbacks(execute=True):
        engine.rebuild_all()
    alert = BandAlert.objects.get()
    choose_eur(owner_client)
    content = owner_client.get(reverse("postings:company_dashboard", args=[company.slug])).content.decode()
    alerts = content[content.index('id="band-alerts"') :]
    assert f"its band ({in_eur(50)}–{in_eur(52)} an hour)" in alerts
    assert f"middle half {in_eur(alert.p25)}–{in_eur(alert.p75)} when it moved" in alerts


def test_a_trainers_survey_list_converts_the_rates_and_keeps_what_they_entered(trainer_client, trainer):
    gbp = Currency.objects.get(code="GBP")
    survey = survey_submit(trainer=trainer, **survey_fields(amount=Decimal("20"), currency=gbp)).survey
    survey_submit(trainer=trainer, **survey_fields(amount=Decimal("30"), domain=domain("law"), unpaid_hours_per_week=10,
                                                   hours_per_week=30))  # fmt: skip
    unpaid = PaySurvey.objects.get(trainer=trainer, domain=domain("law"))
    choose_eur(trainer_client)
    content = trainer_client.get(reverse("trainers:surveys")).content.decode()
    assert "20.00 GBP" in content and "30.00 USD" in content  # as entered
    assert in_eur(survey.hourly_usd) in content and in_eur(unpaid.hourly_usd) in content
    assert in_eur(unpaid.effective_hourly_usd) in content and unpaid.effective_hourly_usd < unpaid.hourly_usd
    assert "EUR an hour" in content and EUR_NOTE in content
    assert "$30.00" not in content


def test_a_surveys_versions_show_its_hourly_rate_in_the_chosen_currency(trainer_client, trainer):
    survey = survey_submit(trainer=trainer, **survey_fields(amount=Decimal("20"))).survey
    choose_eur(trainer_client)
    content = trainer_client.get(reverse("trainers:survey_versions", args=[survey.pk])).content.decode()
    assert "20.00 USD" in content and in_eur(20) in content and EUR_NOTE in content and "$20.00" not in content


def test_the_survey_preview_shows_the_rate_and_its_market_in_the_chosen_currency(trainer_client, market):
    choose_eur(trainer_client)
    content = trainer_client.post(reverse("trainers:survey_preview"), survey_form_data(amount="25")).content.decode()
    assert f'id="preview-hourly">{in_eur(25)}<' in content and EUR_NOTE in content
    assert f"median {in_eur(25.5)}" in content  # the market's 20–31 USD an hour


def test_the_filed_before_notice_uses_the_chosen_currency_not_the_forms_currency_field(trainer_client, trainer):
    survey_submit(trainer=trainer, **survey_fields(amount=Decimal("20")))
    choose_eur(trainer_client)
    filing = {name: survey_form_data()[name] for name in ("period", "platform", "domain")}
    notice = trainer_client.get(reverse("trainers:survey_filed"), filing).content.decode()
    assert f"{in_eur(20)} an hour" in notice and EUR_NOTE in notice
    form = trainer_client.get(reverse("trainers:survey_create")).content.decode()
    # The notice asks for the three fields that name a filing, not the whole form (whose "currency" is the pay's).
    assert 'hx-include="#survey-form [name=period], #survey-form [name=platform], #survey-form [name=domain]"' in form


def test_my_applications_show_each_band_in_the_chosen_currency(trainer_client, trainer, company, posting):
    application_submit(posting=posting, trainer=trainer)
    choose_eur(trainer_client)
    content = trainer_client.get(reverse("trainers:applications")).content.decode()
    assert BAND_EUR in content and "EUR an hour" in content and EUR_NOTE in content
