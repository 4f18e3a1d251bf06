"""The ``currency=`` parameter of the benchmark endpoints: figures computed in US dollars, shown in another active
currency at its current rate (``benchmarks.display``), the answer saying which."""

from rest_framework import serializers

from benchmarks.display import PERCENTILES, DisplayRate, display_rate
from benchmarks.errors import ServiceError

CURRENCY_HELP = (
    "Show p10–p90 in this active currency (ISO 4217 code, see /api/v1/currencies/) at its current rate; default "
    "USD. Percentiles are computed in US dollars and converted to the cent; the answer says `currency`, `rate` "
    "(units of it per US dollar) and `rate_date`. An unknown or inactive code is refused with the accepted ones."
)


class CurrencyQuery(serializers.Serializer):
    """Adds ``currency`` to a query serializer; its validated value is a ``DisplayRate``."""

    currency = serializers.CharField(required=False, max_length=10, help_text=CURRENCY_HELP)

    def validate_currency(self, value: str) -> DisplayRate:
        try:
            return display_rate(value)
        except ServiceError as error:
            raise serializers.ValidationError(error.text) from None


class CurrencyAnswer(serializers.Serializer):
    """What a page of figures says about the currency they are in."""

    currency = serializers.CharField(help_text="ISO 4217 code of the figures (USD unless `currency=` was given).")
    rate = serializers.FloatField(help_text="Units of `currency` one US dollar buys (1 for USD).")
    rate_date = serializers.DateField(allow_null=True, help_text="From when the rate is valid; null for USD.")


def report_in_currency(figures, rate: DisplayRate):
    """The report's figures (``portal.report.report_figures``) with every cell's percentiles in ``rate``'s currency,
    each cell saying its ``currency``: any dict carrying the percentiles is a cell, so a section added to the report
    is converted too. The 2025 study's published ranges are quoted text and stay in US dollars."""
    if isinstance(figures, list):
        return [report_in_currency(item, rate) for item in figures]
    if not isinstance(figures, dict):
        return figures
    if all(name in figures for name in PERCENTILES):
        return rate.convert_cell(figures)
    return {name: report_in_currency(value, rate) for name, value in figures.items()}
