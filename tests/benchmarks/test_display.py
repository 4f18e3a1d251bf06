"""The display currency: figures computed in USD, shown in another currency at its current rate, to the cent."""

import datetime
from decimal import Decimal

import pytest

from benchmarks import charts
from benchmarks.display import USD, DisplayRate, display_rate, display_rates
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, ExchangeRate

pytestmark = pytest.mark.django_db

EUR = DisplayRate(code="EUR", name="Euro", usd_per_unit=Decimal("1.08"), rate_date=datetime.date(2020, 1, 1))


def test_conversion_divides_by_the_rate_in_decimal_and_rounds_half_up_to_the_cent():
    assert EUR.convert(Decimal("15.50")) == Decimal("14.35")  # 14.3518…
    assert EUR.convert(12.5) == Decimal("11.57")  # 11.5740…, from the float's decimal text, not its binary value
    assert EUR.convert("0.27") == Decimal("0.25")  # exactly
    assert EUR.convert(Decimal("1.0854")) == Decimal("1.01")  # 1.005 exactly: half up, not half to even (1.00)
    assert EUR.convert(None) is None


def test_figures_are_written_with_symbol_or_code_and_thousands_separators():
    inr = DisplayRate(code="INR", name="Indian rupee", usd_per_unit=Decimal("0.012"), rate_date=None)
    kes = DisplayRate(code="KES", name="Kenyan shilling", usd_per_unit=Decimal("0.0077"), rate_date=None)
    assert EUR.format(Decimal("1234.5")) == "€1,143.06"
    assert inr.format(Decimal("12.50")) == "₹1,041.67"
    assert kes.format(Decimal("10")) == "1,298.70 KES"
    assert USD.format(Decimal("1234.5")) == "$1,234.50"
    assert EUR.format(None) == "–"


def test_the_note_names_the_currency_the_rate_per_usd_and_its_date():
    assert EUR.note() == "Shown in EUR at 0.9259 per USD (rate of 2020-01-01); computed in USD."
    assert USD.note() == ""


def test_display_rate_takes_the_newest_rate_valid_today():
    ExchangeRate.objects.create(currency_id="EUR", valid_from=datetime.date(2026, 1, 1), usd_per_unit=Decimal("1.25"))
    ExchangeRate.objects.create(currency_id="EUR", valid_from=datetime.date(2099, 1, 1), usd_per_unit=Decimal("2"))
    rate = display_rate("eur", on=datetime.date(2026, 6, 1))
    assert (rate.code, rate.usd_per_unit, rate.rate_date) == ("EUR", Decimal("1.25"), datetime.date(2026, 1, 1))
    assert rate.convert(Decimal("10")) == Decimal("8.00")


@pytest.mark.parametrize("code", ["XYZ", "", "EURO", "E\x00R"])
def test_an_unknown_code_is_refused_naming_the_field_and_the_accepted_codes(code):
    with pytest.raises(ServiceError) as refused:
        display_rate(code)
    assert refused.value.field == "currency"
    assert "EUR, GBP" in refused.value.text and "USD" in refused.value.text


def test_an_inactive_currency_is_neither_offered_nor_accepted():
    Currency.objects.filter(code="GBP").update(active=False)
    assert "GBP" not in [rate.code for rate in display_rates()]
    with pytest.raises(ServiceError, match="EUR"):
        display_rate("GBP")


def test_a_currency_whose_only_rates_lie_ahead_cannot_be_shown_yet():
    Currency.objects.create(code="CHF", name="Swiss franc")
    ExchangeRate.objects.create(currency_id="CHF", valid_from=datetime.date(2099, 1, 1), usd_per_unit=Decimal("1.1"))
    assert "CHF" not in [rate.code for rate in display_rates()]


def test_the_offered_currencies_are_sorted_by_code_usd_among_them():
    codes = [rate.code for rate in display_rates()]
    assert codes == sorted(codes) and "USD" in codes and "EUR" in codes


def test_a_cells_percentiles_are_converted_and_its_counts_left_alone():
    cell = {"p10": None, "p25": 10.8, "p50": 21.6, "p75": 32.4, "p90": None, "contributors": 10}
    assert EUR.convert_cell(cell) == cell | {"p25": 10.0, "p50": 20.0, "p75": 30.0, "currency": "EUR"}
    assert USD.convert_cell(cell) == cell | {"currency": "USD"}


def test_every_chart_type_is_converted_and_says_its_currency():
    percentiles = {"type": "percentiles", "title": "t", "points": [[10, 10.8], [50, 21.6]], "lines": [
        {"label": "Band", "value": 32.4}]}  # fmt: skip
    shown = charts.in_currency(percentiles, EUR)
    assert shown["points"] == [[10, 10.0], [50, 20.0]] and shown["lines"][0]["value"] == 30.0
    assert shown["currency"] == {"code": "EUR", "symbol": "€"}
    trend = {"type": "trend", "title": "t", "labels": ["May 2026"], "lines": [],
             "bands": [{"label": "Reported", "kind": "reported", "p25": [10.8], "p50": [None], "p75": [32.4]}],
             "own": {"label": "You", "points": [{"x": "May 2026", "y": 21.6}]}}  # fmt: skip
    shown = charts.in_currency(trend, EUR)
    assert shown["bands"][0]["p25"] == [10.0] and shown["bands"][0]["p50"] == [None]
    assert shown["own"]["points"] == [{"x": "May 2026", "y": 20.0}]
    ranges = charts.ranges(["Law"], [("p10–p90", [[10.8, 21.6], None])])
    assert charts.in_currency(ranges, EUR)["series"][0]["ranges"] == [[10.0, 20.0], None]
    bars = charts.bars(["Law"], [("Median", [21.6, None])])
    assert charts.in_currency(bars, EUR)["series"][0]["values"] == [20.0, None]
    assert charts.in_currency(bars, USD) == bars | {"currency": {"code": "USD", "symbol": "$"}}
    assert charts.in_currency(None, EUR) is None
