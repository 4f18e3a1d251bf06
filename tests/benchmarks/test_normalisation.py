import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.choices import PayUnit
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, ExchangeRate
from benchmarks.normalisation import effective_rate, hours_per_unit, normalise_pay, usd_rate

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
