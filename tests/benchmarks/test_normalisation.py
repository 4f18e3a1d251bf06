import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.choices import PayUnit
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, ExchangeRate
from benchmarks.normalisation import (
    NormalisedPay,
    PayBand,
    PayTerms,
    RateBook,
    effective_rate,
    hours_per_unit,
    normalise_pay,
    usd_rate,
)

PERIOD = datetime.date(2026, 6, 1)
pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("1"), max_value=Decimal("500"), places=2)
weeks = st.decimals(min_value=Decimal("1"), max_value=Decimal("80"), places=1)
hypothesis_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def hourly(**kwargs) -> Decimal:
    return normalise_pay(currency="USD", period=PERIOD, **kwargs).hourly_usd


def test_a_forty_hour_week_at_800_dollars_is_twenty_an_hour():
    assert hourly(amount=800, unit=PayUnit.WEEK, hours_per_week=40) == Decimal("20")


def test_a_week_without_hours_assumes_forty():
    assert hours_per_unit(PayUnit.WEEK) == Decimal("40")


def test_a_day_is_eight_hours_unless_the_week_is_given():
    assert hours_per_unit(PayUnit.DAY) == Decimal("8")
    assert hours_per_unit(PayUnit.DAY, hours_per_week=30) == Decimal("6")


def test_month_and_year_follow_the_week():
    assert hours_per_unit(PayUnit.MONTH, hours_per_week=40) == Decimal("40") * 52 / 12
    assert hours_per_unit(PayUnit.YEAR, hours_per_week=20) == Decimal("1040")


def test_a_task_needs_its_minutes():
    with pytest.raises(ServiceError) as error:
        hours_per_unit(PayUnit.TASK)
    assert error.value.field == "minutes_per_task"
    assert hourly(amount=5, unit=PayUnit.TASK, minutes_per_task=15) == Decimal("20")


def test_a_project_needs_its_total_hours():
    with pytest.raises(ServiceError) as error:
        hours_per_unit(PayUnit.PROJECT)
    assert error.value.field == "project_hours"
    assert hourly(amount=1000, unit=PayUnit.PROJECT, project_hours=50) == Decimal("20")


@hypothesis_settings
@given(amount=amounts, week=weeks)
def test_units_agree_with_each_other(amount, week):
    """The same pay stated per hour, week, month or year normalises to the same hourly rate."""
    per_hour = hourly(amount=amount, unit=PayUnit.HOUR)
    assert hourly(amount=amount * week, unit=PayUnit.WEEK, hours_per_week=week) == per_hour
    assert hourly(amount=amount * week * 52, unit=PayUnit.YEAR, hours_per_week=week) == per_hour
    monthly = hourly(amount=amount * week * 52 / 12, unit=PayUnit.MONTH, hours_per_week=week)
    assert abs(monthly - per_hour) <= Decimal("0.0001")


@hypothesis_settings
@given(amount=amounts, rate=st.decimals(min_value=Decimal("0.05"), max_value=Decimal("3"), places=4))
def test_currency_conversion_round_trips(amount, rate):
    """An amount in a foreign currency, converted back at the same rate, gives the original dollars."""
    Currency.objects.get_or_create(code="XTS", defaults={"name": "Test currency"})
    ExchangeRate.objects.update_or_create(
        currency_id="XTS", valid_from=datetime.date(2000, 1, 1), defaults={"usd_per_unit": rate}
    )
    local_amount = amount / rate
    usd = normalise_pay(amount=local_amount, currency="XTS", unit=PayUnit.HOUR, period=PERIOD).hourly_usd
    assert abs(usd - amount) <= Decimal("0.0001")


def test_the_rate_valid_at_the_pay_period_is_used():
    ExchangeRate.objects.create(currency_id="EUR", valid_from=datetime.date(2026, 3, 1), usd_per_unit=Decimal("1.20"))
    assert usd_rate("EUR", datetime.date(2026, 2, 1)) == Decimal("1.08")
    assert usd_rate("EUR", datetime.date(2026, 3, 1)) == Decimal("1.20")


def test_a_currency_without_rates_is_refused_naming_the_field():
    Currency.objects.create(code="XXX", name="No rates")
    with pytest.raises(ServiceError) as error:
        normalise_pay(amount=10, currency="XXX", unit=PayUnit.HOUR, period=PERIOD)
    assert error.value.field == "currency"


@pytest.mark.parametrize(
    ("amount", "unit", "extra"),
    [
        (Decimal("0.40"), PayUnit.HOUR, {}),
        (Decimal("2500"), PayUnit.HOUR, {}),
        (Decimal("1"), PayUnit.MONTH, {}),
        (Decimal("100"), PayUnit.TASK, {"minutes_per_task": 1}),
    ],
)
def test_out_of_range_results_are_refused_with_a_message(amount, unit, extra):
    with pytest.raises(ServiceError) as error:
        normalise_pay(amount=amount, currency="USD", unit=unit, period=PERIOD, **extra)
    assert error.value.field == "amount"
    assert "between $0.50 and $2,000 an hour" in error.value.text


@pytest.mark.parametrize("amount", ["-5", "0", "NaN", "Infinity", "abc", ""])
def test_non_positive_or_non_numeric_amounts_are_refused(amount):
    with pytest.raises(ServiceError) as error:
        normalise_pay(amount=amount, currency="USD", unit=PayUnit.HOUR, period=PERIOD)
    assert error.value.field == "amount"


@hypothesis_settings
@given(rate=amounts, paid=weeks, unpaid=st.decimals(min_value=Decimal("0.5"), max_value=Decimal("40"), places=1))
def test_unpaid_hours_lower_the_effective_rate_in_proportion(rate, paid, unpaid):
    effective = effective_rate(rate, hours_per_week=paid, unpaid_hours_per_week=unpaid)
    assert effective < rate
    assert abs(effective - rate * paid / (paid + unpaid)) <= Decimal("0.0001")


def test_no_unpaid_hours_leaves_the_rate_alone():
    assert effective_rate(Decimal("20"), hours_per_week=30, unpaid_hours_per_week=0) == Decimal("20")


# --- PayTerms and PayBand -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (PayTerms(amount="20", currency="USD", unit=PayUnit.HOUR), Decimal("20")),
        (PayTerms(amount="5", currency="USD", unit=PayUnit.TASK, minutes_per_task="15"), Decimal("20")),
        (PayTerms(amount="160", currency="USD", unit=PayUnit.DAY), Decimal("20")),
        (PayTerms(amount="120", currency="USD", unit=PayUnit.DAY, hours_per_week="30"), Decimal("20")),
        (PayTerms(amount="800", currency="USD", unit=PayUnit.WEEK), Decimal("20")),
        (PayTerms(amount="600", currency="USD", unit=PayUnit.WEEK, hours_per_week="30"), Decimal("20")),
        (PayTerms(amount="3466.67", currency="USD", unit=PayUnit.MONTH), Decimal("20.0000")),
        (PayTerms(amount="41600", currency="USD", unit=PayUnit.YEAR), Decimal("20")),
        (PayTerms(amount="20800", currency="USD", unit=PayUnit.YEAR, hours_per_week=20), Decimal("20")),
        (PayTerms(amount="1000", currency="USD", unit=PayUnit.PROJECT, project_hours="50"), Decimal("20")),
    ],
    ids=[
        "hour",
        "task",
        "day",
        "day-of-a-30-hour-week",
        "week",
        "30-hour-week",
        "month",
        "year",
        "half-time-year",
        "project",
    ],
)
def test_pay_terms_normalise_each_unit_to_dollars_an_hour(terms, expected):
    assert terms.normalise(at=PERIOD).hourly_usd == expected


def test_pay_terms_normalise_to_what_normalise_pay_returns():
    terms = PayTerms(amount="700", currency="EUR", unit=PayUnit.WEEK, hours_per_week="35", unpaid_hours_per_week="5")
    expected = normalise_pay(
        amount="700", currency="EUR", unit=PayUnit.WEEK, period=PERIOD, hours_per_week="35", unpaid_hours_per_week="5"
    )
    pay = terms.normalise(at=PERIOD)
    assert pay == expected
    assert isinstance(pay, NormalisedPay)
    assert pay.effective_hourly_usd < pay.hourly_usd


def test_pay_terms_normalise_with_a_rate_book():
    assert PayTerms(amount="10", currency="EUR", unit=PayUnit.HOUR).normalise(at=PERIOD, rates=RateBook()) == PayTerms(
        amount="10", currency="EUR", unit=PayUnit.HOUR
    ).normalise(at=PERIOD)


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (PayTerms(amount="5", currency="USD", unit=PayUnit.TASK), "minutes_per_task"),
        (PayTerms(amount="1000", currency="USD", unit=PayUnit.PROJECT), "project_hours"),
        (PayTerms(amount="", currency="USD", unit=PayUnit.HOUR), "amount"),
        (PayTerms(amount="0.10", currency="USD", unit=PayUnit.HOUR, amount_field="rate"), "rate"),
        (PayTerms(amount="20", currency="USD", unit="fortnight"), "unit"),
    ],
)
def test_pay_terms_are_refused_naming_the_field(terms, field):
    with pytest.raises(ServiceError) as error:
        terms.normalise(at=PERIOD)
    assert error.value.field == field


def test_pay_terms_from_form_data_treat_blanks_as_missing_and_default_to_usd_an_hour():
    terms = PayTerms.from_data({"amount": "25", "hours_per_week": "", "minutes_per_task": None})
    assert terms == PayTerms(amount="25", currency="USD", unit=PayUnit.HOUR)
    assert terms.normalise(at=PERIOD).hourly_usd == Decimal("25")


def test_pay_terms_from_data_read_the_named_amount():
    terms = PayTerms.from_data({"band_max": "30", "unit": "week", "currency": "EUR"}, amount_field="band_max")
    assert (terms.amount, terms.amount_field, terms.unit, terms.currency) == ("30", "band_max", "week", "EUR")


def test_pay_terms_are_a_frozen_value():
    terms = PayTerms(amount="20", currency="USD", unit=PayUnit.HOUR)
    with pytest.raises(AttributeError):
        terms.amount = "30"
    assert terms == PayTerms(amount="20", currency="USD", unit=PayUnit.HOUR)


def test_a_band_normalises_both_ends():
    band = PayBand.from_data({"rate_min": "640", "rate_max": "800", "unit": "week", "hours_per_week": "32"})
    low, high = band.normalise(at=PERIOD)
    assert (low.hourly_usd, high.hourly_usd) == (Decimal("20"), Decimal("25"))


def test_a_band_whose_minimum_is_above_its_maximum_is_refused_naming_the_minimum():
    band = PayBand.from_data({"rate_min": "30", "rate_max": "20"})
    with pytest.raises(ServiceError) as error:
        band.normalise(at=PERIOD)
    assert error.value.field == "rate_min"
    assert error.value.text == "The minimum rate must not be above the maximum rate."


def test_a_band_of_one_rate_is_accepted():
    low, high = PayBand.from_data({"rate_min": "20", "rate_max": "20.00"}).normalise(at=PERIOD)
    assert low == high


def test_a_band_names_the_fields_it_was_typed_into():
    band = PayBand.from_data({"band_min": "30", "band_max": "20"}, low_field="band_min", high_field="band_max")
    with pytest.raises(ServiceError) as error:
        band.check_order()
    assert error.value.field == "band_min"


def test_a_band_refuses_an_invalid_minimum_before_its_order():
    band = PayBand.from_data({"rate_min": "-5", "rate_max": "abc"})
    with pytest.raises(ServiceError) as error:
        band.normalise(at=PERIOD)
    assert error.value.field == "rate_min"
