"""``currency=`` on benchmarks/ and history/: percentiles computed in USD, converted to the cent, the answer saying
its currency, rate and rate date; a refused code names the field and the accepted codes; answers kept per rate."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from benchmarks.models import Currency, ExchangeRate
from tests.benchmarks.history_factories import history_make
from tests.factories import domain

pytestmark = pytest.mark.django_db

URL = "/api/v1/benchmarks/"
HISTORY = "/api/v1/benchmarks/history/"
CELL = {"domain": "generalist", "tier": "entry", "country": "US", "kind": "reported"}
PERCENTILES = ("p10", "p25", "p50", "p75", "p90")


def in_eur(usd, rate: str = "1.08") -> float:
    return float((Decimal(str(usd)) / Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def only_cell(response) -> dict:
    assert response.status_code == 200, response.content
    (cell,) = response.json()["results"]
    return cell


def test_percentiles_are_converted_to_the_cent_and_the_answer_says_so(api, market):
    usd = only_cell(api.get(URL, CELL))
    answer = api.get(URL, {**CELL, "currency": "EUR"})
    eur = only_cell(answer)
    assert all(usd[name] is not None for name in PERCENTILES)
    assert {name: eur[name] for name in PERCENTILES} == {name: in_eur(usd[name]) for name in PERCENTILES}
    assert (usd["currency"], eur["currency"]) == ("USD", "EUR")
    assert eur["contributors_display"] == usd["contributors_display"]  # counts are not money
    body = answer.json()
    assert body["currency"] == "EUR" and body["rate_date"] == "2020-01-01"
    assert body["rate"] == pytest.approx(1 / 1.08)


def test_a_usd_answer_says_its_currency_too(api, market):
    body = api.get(URL, CELL).json()
    assert (body["currency"], body["rate"], body["rate_date"]) == ("USD", 1.0, None)


@pytest.mark.parametrize("code", ["XYZ", "PLN"])
def test_an_unknown_or_inactive_currency_is_a_400_naming_the_field_and_the_accepted_codes(api, market, code):
    Currency.objects.filter(code="PLN").update(active=False)
    response = api.get(URL, {**CELL, "currency": code})
    assert response.status_code == 400
    message = " ".join(response.json()["currency"])
    assert "EUR" in message and "GBP" in message and "USD" in message and "PLN" not in message


def test_the_kept_answer_is_per_currency_and_per_rate(api, market):
    eur = only_cell(api.get(URL, {**CELL, "currency": "EUR"}))
    assert only_cell(api.get(URL, CELL))["currency"] == "USD"  # not the EUR answer kept under another key
    gbp = only_cell(api.get(URL, {**CELL, "currency": "GBP"}))
    assert gbp["p50"] != eur["p50"]
    ExchangeRate.objects.create(currency_id="EUR", valid_from=datetime.date.today(), usd_per_unit=Decimal("1.25"))
    again = api.get(URL, {**CELL, "currency": "EUR"})
    assert only_cell(again)["p50"] == in_eur(only_cell(api.get(URL, CELL))["p50"], "1.25")
    assert again.json()["rate_date"] == datetime.date.today().isoformat()


def test_the_etag_changes_with_the_currency(api, market):
    usd = api.get(URL, CELL)
    eur = api.get(URL, {**CELL, "currency": "EUR"})
    assert usd["ETag"] != eur["ETag"]
    assert api.get(URL, {**CELL, "currency": "EUR"}, HTTP_IF_NONE_MATCH=eur["ETag"]).status_code == 304


def test_the_csv_carries_the_currency_of_each_row(api, market):
    response = api.get(URL, {**CELL, "currency": "EUR", "format": "csv"})
    header, row = response.content.decode().splitlines()[:2]
    assert "currency" in header.split(",") and ",EUR," in row


def test_history_points_are_converted_and_the_page_says_its_currency(api):
    history_make(domain=domain("law"), medians=[40.0, None, 43.21])
    law = {"domain": "law"}
    usd = api.get(HISTORY, law).json()
    eur = api.get(HISTORY, {**law, "currency": "EUR"}).json()
    assert (eur["currency"], eur["rate_date"]) == ("EUR", "2020-01-01")
    assert any(point["p50"] is not None for point in usd["results"])
    assert [point["p50"] for point in eur["results"]] == [
        None if point["p50"] is None else in_eur(point["p50"]) for point in usd["results"]
    ]
    assert api.get(HISTORY, {**CELL, "currency": "nope"}).status_code == 400


def test_the_schema_documents_the_parameter_and_the_answers_fields(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"] for p in schema["paths"]["/api/v1/benchmarks/"]["get"]["parameters"]}
    assert "currency" in parameters
    page = schema["components"]["schemas"]["BenchmarkPage"]["properties"]
    assert {"currency", "rate", "rate_date"} <= set(page)


REPORT = "/api/v1/report/"


def test_the_reports_percentiles_are_converted_and_the_answer_and_each_cell_say_so(api, market):
    usd = api.get(REPORT).json()
    answer = api.get(REPORT, {"currency": "EUR"})
    assert answer.status_code == 200, answer.content
    eur = answer.json()
    assert (eur["currency"], eur["rate_date"]) == ("EUR", "2020-01-01") and eur["rate"] == pytest.approx(1 / 1.08)
    assert (usd["currency"], usd["rate"], usd["rate_date"]) == ("USD", 1.0, None)
    before, after = usd["entry_generalist_us"]["reported"], eur["entry_generalist_us"]["reported"]
    assert all(before[name] is not None for name in PERCENTILES)
    assert {name: after[name] for name in PERCENTILES} == {name: in_eur(before[name]) for name in PERCENTILES}
    assert (before["currency"], after["currency"]) == ("USD", "EUR")
    assert after["contributors_display"] == before["contributors_display"]
    total = eur["totals"]["by_kind"]["reported"]
    assert total["currency"] == "EUR" and total["p50"] == in_eur(usd["totals"]["by_kind"]["reported"]["p50"])
    assert all(row["reported"]["currency"] == "EUR" for row in eur["advertised_vs_reported"])
    # The study's own published figures are quoted as published, in US dollars.
    assert eur["entry_generalist_us"]["published_2025"] == usd["entry_generalist_us"]["published_2025"]


def test_the_report_in_another_currency_still_hides_suppressed_cells(api, market):
    body = api.get(REPORT, {"currency": "GBP"}).json()
    law = next(row for row in body["domain_ranges"] if row["domain"] == "law")["reported"]
    assert law["suppressed"] and law["p50"] is None and law["currency"] == "GBP"


def test_the_report_follows_a_new_rate_at_once(api, market):
    api.get(REPORT, {"currency": "EUR"})
    ExchangeRate.objects.create(currency_id="EUR", valid_from=datetime.date.today(), usd_per_unit=Decimal("1.25"))
    usd = api.get(REPORT).json()["entry_generalist_us"]["reported"]["p50"]
    eur = api.get(REPORT, {"currency": "EUR"}).json()
    assert eur["entry_generalist_us"]["reported"]["p50"] == in_eur(usd, "1.25")
    assert eur["rate_date"] == datetime.date.today().isoformat()


@pytest.mark.parametrize("code", ["XYZ", "PLN", "eu"])
def test_the_report_refuses_an_unknown_or_inactive_currency_naming_the_field_and_the_accepted_codes(api, market, code):
    Currency.objects.filter(code="PLN").update(active=False)
    response = api.get(REPORT, {"currency": code})
    assert response.status_code == 400
    message = " ".join(response.json()["currency"])
    assert "EUR" in message and "USD" in message and "PLN" not in message


def test_the_schema_documents_the_reports_currency(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/report/"]["get"]
    assert "currency" in {p["name"] for p in operation["parameters"]}
    assert all(name in operation["description"] for name in ("`currency`", "`rate`", "`rate_date`"))
    assert "400" in operation["responses"]
