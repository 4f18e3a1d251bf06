"""Pay normalisation: any amount, currency and unit to US dollars an hour. The only place this arithmetic lives.

    hourly_usd = amount × usd_rate(currency, at the pay period) / hours_per_unit
    effective  = hourly_usd × paid / (paid + unpaid)        (paid, unpaid: hours a week)

Hours a unit: hour 1; task minutes_per_task / 60; day 8, or hours_per_week / 5 when the week is given;
week hours_per_week (default 40); month week × 52 / 12; year week × 52; project project_hours.

Surveys, postings, forms, the API and the import hand their pay over as one ``PayTerms`` (a band as a ``PayBand``).
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .choices import PayUnit
from .errors import ServiceError

MIN_HOURLY_USD = Decimal("0.50")
MAX_HOURLY_USD = Decimal("2000")
DEFAULT_HOURS_PER_WEEK = Decimal("40")
DEFAULT_HOURS_PER_DAY = Decimal("8")
WEEKS_PER_YEAR = Decimal("52")
MONTHS_PER_YEAR = Decimal("12")
MAX_HOURS_PER_WEEK = Decimal("168")
FOUR_PLACES = Decimal("0.0001")
# The range of numbers the survey and posting columns hold (two decimals; 14, 7 and 8 digits). Anything outside is
# refused here, naming its field, before it can overflow the arithmetic below or fail when stored.
SMALLEST_NUMBER = Decimal("0.01")
LARGEST_AMOUNT = Decimal("999999999999.99")
LARGEST_MINUTES_PER_TASK = Decimal("99999.99")
LARGEST_PROJECT_HOURS = Decimal("999999.99")
# The terms of pay besides amount, currency and unit, each optional (see PayTerms).
TERMS_FIELDS = ("hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week")
BAND_ORDER_MESSAGE = "The minimum rate must not be above the maximum rate."
# A number as a form, a query, a file or a model gives it.
Typed = Decimal | int | float | str | None


# How every number typed into a form or filed in a row is written: ASCII digits with at most one decimal point, spaces
# around it allowed. Decimal() alone also reads other scripts' digits ("５", "١٥"), digit grouping ("1_000"), signs
# and exponents, which nobody writes as pay and a spreadsheet would not read back.
NUMBER_TEXT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
NUMBER_HELP = "in the digits 0–9 with at most one decimal point, e.g. 1500 or 15.50"


def parse_number(text: str, *, field: str, what: str = "a number") -> Decimal | None:
    """A number written as text, by the portal's one rule (``NUMBER_TEXT``); None when blank.

    Refused as a ``ServiceError`` naming ``field``: forms, serializers and the import read numbers through it.
    """
    text = text.strip()
    if not text:
        return None
    if not NUMBER_TEXT.fullmatch(text):
        raise ServiceError(f"Enter {what} {NUMBER_HELP}.", field=field)
    return Decimal(text)


@dataclass(frozen=True)
class NormalisedPay:
    hourly_usd: Decimal
    effective_hourly_usd: Decimal
    usd_rate: Decimal


def _positive(value, field: str, what: str, largest: Decimal = LARGEST_AMOUNT) -> Decimal | None:
    if isinstance(value, str):
        value = parse_number(value, field=field, what=what)
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ServiceError(f"Enter {what} as a number.", field=field) from None
    if not number.is_finite() or number <= 0:
        raise ServiceError(f"Enter {what} as a number greater than zero.", field=field)
    if not SMALLEST_NUMBER <= number <= largest:
        raise ServiceError(f"Enter {what} as a number from {SMALLEST_NUMBER} to {largest:,}.", field=field)
    return number


def hours_per_unit(
    unit: str,
    *,
    hours_per_week=None,
    minutes_per_task=None,
    project_hours=None,
) -> Decimal:
    """How many working hours one unit of pay stands for."""
    week = _positive(hours_per_week, "hours_per_week", "hours a week")
    if week is not None and week > MAX_HOURS_PER_WEEK:
        raise ServiceError("A week has at most 168 hours.", field="hours_per_week")
    if unit in (PayUnit.TASK, PayUnit.PROJECT):
        return _hours_of_a_piece(unit, minutes_per_task=minutes_per_task, project_hours=project_hours)
    if unit == PayUnit.HOUR:
        return Decimal(1)
    if unit == PayUnit.DAY:
        return week / 5 if week is not None else DEFAULT_HOURS_PER_DAY
    week = week if week is not None else DEFAULT_HOURS_PER_WEEK
    if unit == PayUnit.WEEK:
        return week
    if unit == PayUnit.MONTH:
        return week * WEEKS_PER_YEAR / MONTHS_PER_YEAR
    if unit == PayUnit.YEAR:
        return week * WEEKS_PER_YEAR
    raise ServiceError(f"Choose a unit: {', '.join(PayUnit.values)}.", field="unit")


def _hours_of_a_piece(unit: str, *, minutes_per_task, project_hours) -> Decimal:
    """The hours one task or one project takes, which pay by the piece must say."""
    if unit == PayUnit.TASK:
        minutes = _positive(
            minutes_per_task, "minutes_per_task", "the minutes one task takes", largest=LARGEST_MINUTES_PER_TASK
        )
        if minutes is None:
            raise ServiceError("Pay per task needs the minutes one task takes.", field="minutes_per_task")
        return minutes / Decimal(60)
    total = _positive(project_hours, "project_hours", "the project's total hours", largest=LARGEST_PROJECT_HOURS)
    if total is None:
        raise ServiceError("Pay per project needs the project's total hours.", field="project_hours")
    return total


def usd_rate(currency_code: str, at: datetime.date) -> Decimal:
    """US dollars per unit of the currency, from the newest rate valid on ``at`` (or the oldest known rate)."""
    return RateBook()(currency_code, at)


class RateBook:
    """``usd_rate`` with each currency's rates read once: a batch of thousands of amounts asks once per currency.

    The rule: the newest rate valid on the date, else the oldest known rate; a currency without rates is refused.
    """

    def __init__(self):
        self._tables: dict[str, list[tuple[datetime.date, Decimal]]] = {}

    def __call__(self, currency_code: str, at: datetime.date) -> Decimal:
        from .models import ExchangeRate

        code = (currency_code or "").upper()
        if code == "USD":
            return Decimal(1)
        if not (len(code) == 3 and code.isascii() and code.isalpha()):
            # Not a currency code at all: refused before it reaches a query (PostgreSQL refuses a NUL byte in one).
            raise ServiceError(
                "Choose a currency by its three-letter ISO 4217 code, e.g. USD or EUR.", field="currency"
            )
        if code not in self._tables:
            rates = ExchangeRate.objects.filter(currency_id=code).order_by("valid_from")
            self._tables[code] = list(rates.values_list("valid_from", "usd_per_unit"))
        table = self._tables[code]
        if not table:
            raise ServiceError(f"There is no exchange rate for {code}; choose another.", field="currency")
        valid = [rate for valid_from, rate in table if valid_from <= at]
        return valid[-1] if valid else table[0][1]


def effective_rate(hourly_usd: Decimal, *, hours_per_week=None, unpaid_hours_per_week=None) -> Decimal:
    """The hourly rate once unpaid hours (onboarding, unpaid review, time caps) are spread over the paid ones."""
    unpaid = (
        _positive(unpaid_hours_per_week, "unpaid_hours_per_week", "unpaid hours a week")
        if unpaid_hours_per_week not in (None, "", 0, Decimal(0))
        else None
    )
    if unpaid is None:
        return hourly_usd
    paid = _positive(hours_per_week, "hours_per_week", "hours a week") or DEFAULT_HOURS_PER_WEEK
    if paid + unpaid > MAX_HOURS_PER_WEEK:
        raise ServiceError(
            "Paid and unpaid hours together exceed the 168 hours of a week.", field="unpaid_hours_per_week"
        )
    return (hourly_usd * paid / (paid + unpaid)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def _amount(amount, field: str) -> Decimal:
    value = _positive(amount, field, "the amount")
    if value is None:
        raise ServiceError("Enter the amount you are paid.", field=field)
    return value


def normalise_pay(
    *,
    amount,
    currency: str,
    unit: str,
    period: datetime.date,
    hours_per_week=None,
    minutes_per_task=None,
    project_hours=None,
    unpaid_hours_per_week=None,
    amount_field: str = "amount",
    rates: Callable[[str, datetime.date], Decimal] = usd_rate,
) -> NormalisedPay:
    """Normalise one amount, refusing results outside $0.50–$2,000 an hour with a message naming ``amount_field``.

    ``rates`` looks up US dollars per unit of a currency at a date (a ``RateBook`` for batches).
    """
    value = _amount(amount, amount_field)
    rate = rates(currency, period)
    hours = hours_per_unit(
        unit, hours_per_week=hours_per_week, minutes_per_task=minutes_per_task, project_hours=project_hours
    )
    hourly = (value * rate / hours).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    if not MIN_HOURLY_USD <= hourly <= MAX_HOURLY_USD:
        raise ServiceError(
            f"This works out at ${hourly:,.2f} an hour; accepted rates are between "
            f"${MIN_HOURLY_USD:,.2f} and ${MAX_HOURLY_USD:,.0f} an hour. Check the amount, unit and currency.",
            field=amount_field,
        )
    effective = effective_rate(hourly, hours_per_week=hours_per_week, unpaid_hours_per_week=unpaid_hours_per_week)
    return NormalisedPay(hourly_usd=hourly, effective_hourly_usd=effective, usd_rate=rate)


@dataclass(frozen=True)
class PayTerms:
    """An amount of pay and the terms it is paid on: what every surface hands to the normalisation.

    Values are as typed (text, numbers or ``Decimal``); ``normalise`` checks them and refuses with a message naming
    the field. ``amount_field`` is the field the amount was typed into ("rate_min", "band_max", ...).
    """

    amount: Typed
    currency: str
    unit: str
    hours_per_week: Typed = None
    minutes_per_task: Typed = None
    project_hours: Typed = None
    unpaid_hours_per_week: Typed = None
    amount_field: str = "amount"

    @classmethod
    def from_data(cls, data, *, amount_field: str = "amount") -> "PayTerms":
        """The terms as a form, a query or a model's values give them: an empty optional term is None, and currency
        and unit default to USD an hour."""
        get = data.get
        return cls(
            amount=get(amount_field),
            currency=str(get("currency") or "USD"),
            unit=get("unit") or PayUnit.HOUR,
            amount_field=amount_field,
            **{name: None if get(name) in (None, "") else get(name) for name in TERMS_FIELDS},
        )

    def normalise(
        self, *, at: datetime.date, rates: Callable[[str, datetime.date], Decimal] = usd_rate
    ) -> NormalisedPay:
        """US dollars an hour (and the effective rate) at the pay period ``at``: see ``normalise_pay``."""
        return normalise_pay(
            amount=self.amount,
            currency=self.currency,
            unit=self.unit,
            period=at,
            hours_per_week=self.hours_per_week,
            minutes_per_task=self.minutes_per_task,
            project_hours=self.project_hours,
            unpaid_hours_per_week=self.unpaid_hours_per_week,
            amount_field=self.amount_field,
            rates=rates,
        )

    def amount_value(self) -> Decimal:
        """The amount as a number, refused as ``normalise`` refuses it."""
        return _amount(self.amount, self.amount_field)


@dataclass(frozen=True)
class PayBand:
    """A rate band: two amounts on the same terms, the minimum not above the maximum (the one home of that rule)."""

    low: PayTerms
    high: PayTerms

    @classmethod
    def from_data(cls, data, *, low_field: str = "rate_min", high_field: str = "rate_max") -> "PayBand":
        return cls(PayTerms.from_data(data, amount_field=low_field), PayTerms.from_data(data, amount_field=high_field))

    @property
    def ends(self) -> tuple[PayTerms, PayTerms]:
        return self.low, self.high

    def check_order(self) -> None:
        """Refuse a minimum above the maximum, naming the minimum's field; call it once both amounts are valid."""
        if self.low.amount_value() > self.high.amount_value():
            raise ServiceError(BAND_ORDER_MESSAGE, field=self.low.amount_field)

    def normalise(
        self, *, at: datetime.date, rates: Callable[[str, datetime.date], Decimal] = usd_rate
    ) -> tuple[NormalisedPay, NormalisedPay]:
        """Both ends normalised (the minimum's refusal first), then their order checked."""
        low, high = self.low.normalise(at=at, rates=rates), self.high.normalise(at=at, rates=rates)
        self.check_order()
        return low, high
