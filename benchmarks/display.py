"""Display currency: figures are computed in US dollars an hour and only shown in another currency, at its current
rate. The one place that arithmetic lives (docs/decisions/0017-display-currency.md).

    shown = hourly_usd ÷ usd_per_unit      (Decimal, rounded half up to the cent)

A currency can be shown when it is active and has a rate valid today; USD always can.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .errors import ServiceError
from .models import Currency, ExchangeRate

CENT = Decimal("0.01")
PERCENTILES = ("p10", "p25", "p50", "p75", "p90")
# A symbol where one is unambiguous; other currencies are written with their code ("1,250.00 KES").
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "PHP": "₱", "NGN": "₦", "BRL": "R$"}


@dataclass(frozen=True)
class DisplayRate:
    """A currency to show figures in, and the rate it is shown at: ``usd_per_unit`` US dollars buy one unit."""

    code: str
    name: str
    usd_per_unit: Decimal
    rate_date: datetime.date | None

    @property
    def is_usd(self) -> bool:
        return self.code == "USD"

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.code, "")

    @property
    def per_usd(self) -> Decimal:
        """Units of this currency one US dollar buys, to four places (for saying which rate was used)."""
        return (Decimal(1) / self.usd_per_unit).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def convert(self, usd) -> Decimal | None:
        """A US-dollar figure in this currency, to the cent; None (a withheld figure) stays None."""
        if usd is None or usd == "":
            return None
        try:
            value = Decimal(str(usd))
        except InvalidOperation:
            return None
        return (value / self.usd_per_unit).quantize(CENT, rounding=ROUND_HALF_UP)

    def number(self, usd) -> float | None:
        """``convert`` as a JSON number (chart data, API answers)."""
        value = self.convert(usd)
        return None if value is None else float(value)

    def format(self, usd) -> str:
        """12.5 USD → "€11.57" (EUR at 1.08), "1,041.67 INR"; None → "–"."""
        value = self.convert(usd)
        if value is None:
            return "–"
        if self.symbol:
            return f"{self.symbol}{value:,.2f}"
        return f"{value:,.2f} {self.code}"

    def convert_cell(self, cell: dict) -> dict:
        """A cell's dict (``PublishedCell.as_dict``) with its percentiles in this currency, as JSON numbers."""
        if self.is_usd:
            return cell | {"currency": self.code}
        shown = {name: self.number(cell[name]) for name in PERCENTILES if name in cell}
        return cell | shown | {"currency": self.code}

    def as_dict(self) -> dict:
        """What an answer says about the currency it is in."""
        return {"currency": self.code, "rate": float(1 / self.usd_per_unit), "rate_date": self.rate_date}

    def note(self) -> str:
        """The sentence every page showing converted figures carries near them; empty in US dollars."""
        if self.is_usd:
            return ""
        rate = f"{self.per_usd.normalize():f} per USD (rate of {self.rate_date:%Y-%m-%d})"
        return f"Shown in {self.code} at {rate}; computed in USD."


USD = DisplayRate(code="USD", name="US dollar", usd_per_unit=Decimal(1), rate_date=None)


def _current(on: datetime.date | None):
    """Active currencies, each annotated with its newest rate valid on ``on`` (today) and that rate's date."""
    valid = ExchangeRate.objects.filter(currency=OuterRef("pk"), valid_from__lte=on or timezone.now().date())
    newest = valid.order_by("-valid_from")
    return (
        Currency.objects.filter(active=True)
        .annotate(rate=Subquery(newest.values("usd_per_unit")[:1]), rate_date=Subquery(newest.values("valid_from")[:1]))
        .filter(rate__isnull=False)
        .order_by("code")
    )


def _as_rate(row) -> DisplayRate:
    if row.code == "USD":
        return USD
    return DisplayRate(code=row.code, name=row.name, usd_per_unit=row.rate, rate_date=row.rate_date)


def display_rates(*, on: datetime.date | None = None) -> list[DisplayRate]:
    """Every currency figures can be shown in today, by code (one query)."""
    rates = [_as_rate(row) for row in _current(on)]
    return rates if any(rate.is_usd for rate in rates) else [USD, *rates]


def display_rate(code, *, on: datetime.date | None = None) -> DisplayRate:
    """The currency ``code`` at its current rate, refused (naming the field ``currency`` and the accepted codes)
    when it is unknown, inactive or has no rate valid today."""
    code = str(code or "").strip().upper()
    if code == "USD":
        return USD
    if len(code) == 3 and code.isascii() and code.isalpha():
        row = _current(on).filter(code=code).first()
        if row is not None:
            return _as_rate(row)
    accepted = ", ".join(rate.code for rate in display_rates(on=on))
    raise ServiceError(f"Choose a currency to show figures in from: {accepted}.", field="currency")
