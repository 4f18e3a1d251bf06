"""The display currency on pages: the chooser, where it is remembered, ``?currency=`` and the "computed in USD" note."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from benchmarks.choices import SkillTier
from benchmarks.models import Currency
from portal.models import CurrencyPreference
from tests.factories import UserFactory, domain
from tests.web.conftest import publish

pytestmark = pytest.mark.django_db

EXPLORER = reverse("portal:explorer")
CHOOSE = reverse("portal:currency")
CELL = {"domain": "generalist", "tier": "skilled", "country": "US"}
EUR_NOTE = "Shown in EUR at 0.9259 per USD (rate of 2020-01-01); computed in USD."
# The market's generalist skilled US median is 25.50 USD an hour (20–31): 25.5 ÷ 1.08 = 23.611… → €23.61.
MEDIAN_EUR = "€23.61"


def choose(client, code: str, next_url: str = EXPLORER):
    return client.post(CHOOSE, {"currency": code, "next": next_url})


def test_the_chooser_lists_the_active_currencies_on_every_page(client):
    Currency.objects.filter(code="PLN").update(active=False)
    content = client.get(reverse("portal:home")).content.decode()
    assert 'action="/currency/"' in content and '<option value="EUR">' in content
    assert '<option value="USD" selected>' in content and 'value="PLN"' not in content


def test_pages_show_usd_with_no_note_until_a_currency_is_chosen(client, market):
    content = client.get(EXPLORER, CELL).content.decode()
    assert "$25.50" in content and "computed in USD" not in content


def test_a_chosen_currency_is_remembered_in_the_session(client, market):
    response = choose(client, "EUR", f"{EXPLORER}?domain=generalist&tier=skilled&country=US")
    assert (
        response.status_code == 302 and response["Location"] == f"{EXPLORER}?domain=generalist&tier=skilled&country=US"
    )
    content = client.get(EXPLORER, CELL).content.decode()
    assert MEDIAN_EUR in content and EUR_NOTE in content and "$25.50" not in content
    assert '<option value="EUR" selected>' in content
    assert not CurrencyPreference.objects.exists()  # a visitor's choice lives in the session only


def test_a_signed_in_persons_choice_follows_them_to_another_device(client, market):
    person = UserFactory(username="roamer")
    client.force_login(person)
    choose(client, "GBP")
    assert CurrencyPreference.objects.get(user=person).currency_id == "GBP"
    elsewhere = Client()
    elsewhere.force_login(person)
    assert "Shown in GBP at" in elsewhere.get(EXPLORER, CELL).content.decode()


def test_the_get_parameter_wins_for_that_request_only(client, market):
    choose(client, "GBP")
    shared = client.get(EXPLORER, {**CELL, "currency": "EUR"}).content.decode()
    assert MEDIAN_EUR in shared and EUR_NOTE in shared
    assert "Shown in GBP at" in client.get(EXPLORER, CELL).content.decode()


def test_choosing_again_drops_the_addresss_own_currency_parameter(client):
    response = choose(client, "GBP", f"{EXPLORER}?currency=EUR&domain=law")
    assert response["Location"] == f"{EXPLORER}?domain=law"


def test_an_inactive_currency_is_refused_and_nothing_is_remembered(client, market):
    Currency.objects.filter(code="GBP").update(active=False)
    response = choose(client, "GBP")
    assert response.status_code == 302
    page = client.get(EXPLORER, CELL).content.decode()
    assert "Currency: Choose a currency to show figures in from:" in page and "EUR" in page
    assert "$25.50" in page and "computed in USD" not in page
    assert "$25.50" in client.get(EXPLORER, {**CELL, "currency": "GBP"}).content.decode()  # ignored on a page


def test_the_return_address_stays_on_this_site(client):
    assert choose(client, "EUR", "https://elsewhere.example/").headers["Location"] == "/"


def test_a_currency_deactivated_after_it_was_chosen_falls_back_to_usd(client, market):
    choose(client, "EUR")
    Currency.objects.filter(code="EUR").update(active=False)
    assert "$25.50" in client.get(EXPLORER, CELL).content.decode()


def test_the_explorer_fragment_and_its_charts_are_converted(client, market):
    choose(client, "EUR")
    fragment = client.get(EXPLORER, CELL, HTTP_HX_REQUEST="true").content.decode()
    assert MEDIAN_EUR in fragment and EUR_NOTE in fragment
    assert '"currency": {"code": "EUR", "symbol": "\\u20ac"}' in fragment


def test_the_report_says_its_figures_are_converted_and_its_csv_stays_in_usd(client, market):
    choose(client, "EUR")
    page = client.get(reverse("portal:report")).content.decode()
    assert EUR_NOTE in page and "the CSV download is in US dollars" in page
    csv = client.get(reverse("portal:report_csv")).content.decode()
    assert "€" not in csv


def test_the_board_shows_bands_in_their_own_currency_and_the_display_currency(client, company, owner):
    publish(company, by=owner, currency=Currency.objects.get(code="GBP"), rate_min=Decimal("40"),
            rate_max=Decimal("50"))  # fmt: skip
    choose(client, "EUR", reverse("postings:board"))
    board = client.get(reverse("postings:board")).content.decode()
    # 40 GBP = 50.80 USD = €47.04; 50 GBP = 63.50 USD = €58.80
    assert "€47.04–€58.80" in board and "EUR an hour" in board and EUR_NOTE in board
    assert "40.00–50.00 GBP" in board


def test_a_posting_keeps_its_own_band_and_converts_its_usd_figures(client, company, owner, market):
    posting = publish(company, by=owner, rate_min=Decimal("27"), rate_max=Decimal("32.40"), domain=domain("generalist"),
                      tier=SkillTier.SKILLED)  # fmt: skip
    choose(client, "EUR")
    page = client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    assert "27.00–32.40 USD" in page  # as entered
    assert "In EUR an hour" in page and "€25.00–€30.00" in page
    market = page[page.index('id="market-heading"') :]
    assert EUR_NOTE in market and MEDIAN_EUR in market and "EUR an hour</th>" in market
