"""Where a rate or a rate band sits in the live market: its percentile rank in the closest published cell.

``position_rate(*, domain, tier, country, kind="reported", rate=None, band=None) -> Position | None``

The cell is the first *published* (not suppressed) one of (domain, tier, country) → (domain, tier, all) →
(domain, all, all); ``Position.fallback`` says how far it had to go and ``Position.cell`` which cell it used. The rank
interpolates linearly between the cell's published percentiles (p10–p90, or p25–p75 when the tails are suppressed);
a rate beyond them is reported at the outermost published percentile with ``beyond="below"`` or ``"above"``, since
nothing published says how far beyond it is. For a band, ``percentile`` is the rank of its midpoint (the value a
posting contributes to the benchmarks) and ``band_percentiles`` the ranks of its ends.
"""

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from django_countries import countries

from .choices import ObservationKind
from .models import ALL, Domain
from .selectors import PublishedCell, cell_get

__all__ = ["FALLBACK_LEVELS", "Position", "percentile_rank", "position_rate"]

FALLBACK_LEVELS = ("exact", "all countries", "all tiers and countries")
"""What ``Position.fallback`` means: 0 the requested cell, 1 (domain, tier, all), 2 (domain, all, all)."""

Number = float | Decimal | int


@dataclass(frozen=True)
class Rank:
    """A percentile rank, and whether the value lay below or above every published percentile."""

    percentile: float
    beyond: str | None  # None, "below" or "above"


def percentile_phrase(value: float, beyond: str | None = None) -> str:
    """37.4 → "the 37th percentile"; with beyond="below" → "below the 10th percentile"."""
    number = round(float(value))
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    phrase = f"the {number}{suffix} percentile"
    return f"{beyond} {phrase}" if beyond in ("below", "above") else phrase


@dataclass(frozen=True)
class Position:
    """The answer of ``position_rate``."""

    cell: PublishedCell
    fallback: int  # index into FALLBACK_LEVELS
    percentile: float  # rank of the rate, or of the band's midpoint
    beyond: str | None
    band_percentiles: tuple[float, float] | None
    band_beyond: tuple[str | None, str | None] | None

    @property
    def fallback_label(self) -> str:
        return FALLBACK_LEVELS[self.fallback]

    @property
    def band_phrase(self) -> str:
        """Where a band lies: "runs from the 20th percentile to the 60th percentile", or, with both ends beyond
        the same published end, "lies entirely above the 90th percentile"."""
        if self.band_percentiles is None or self.band_beyond is None:
            return ""
        (low, high), (low_beyond, high_beyond) = self.band_percentiles, self.band_beyond
        if low_beyond is not None and low_beyond == high_beyond:
            return f"lies entirely {percentile_phrase(low, low_beyond)}"
        return f"runs from {percentile_phrase(low, low_beyond)} to {percentile_phrase(high, high_beyond)}"

    def as_dict(self) -> dict:
        return {
            "cell": self.cell.as_dict(),
            "cell_label": self.cell.label,
            "fallback": self.fallback_label,
            "percentile": round(self.percentile, 1),
            "beyond": self.beyond,
            "band_percentiles": [round(p, 1) for p in self.band_percentiles] if self.band_percentiles else None,
            "band_beyond": list(self.band_beyond) if self.band_beyond else None,
        }


def percentile_rank(value: Number, points: list[tuple[int, float]]) -> Rank:
    """Rank of ``value`` among published (percentile, value) points, interpolated linearly between them."""
    value = float(value)
    if not points:
        raise ValueError("a rank needs at least one published percentile")
    (low_rank, low_value), (high_rank, high_value) = points[0], points[-1]
    if value < low_value:
        return Rank(low_rank, "below")
    if value > high_value:
        return Rank(high_rank, "above")
    equal = [rank for rank, v in points if v == value]
    if equal:  # on a plateau of equal percentiles the middle of the plateau is the fair answer
        return Rank(sum(equal) / len(equal), None)
    for (rank_a, value_a), (rank_b, value_b) in pairwise(points):
        if value_a < value < value_b:
            return Rank(rank_a + (rank_b - rank_a) * (value - value_a) / (value_b - value_a), None)
    raise AssertionError("unreachable: the value lies within the points")  # pragma: no cover


def _candidates(tier: str, country: str) -> list[tuple[str, str]]:
    chain = [(tier, country), (tier, ALL), (ALL, ALL)]
    if country not in ("", ALL) and country not in countries:
        chain = chain[1:]  # no cell has it, so it is not looked up (PostgreSQL refuses a NUL byte in a query)
    return [step for index, step in enumerate(chain) if step not in chain[:index]]


def position_rate(
    *,
    domain: Domain | str,
    tier: str,
    country: str,
    kind: str = ObservationKind.REPORTED,
    rate: Number | None = None,
    band: tuple[Number, Number] | None = None,
) -> Position | None:
    """Percentile rank of a rate (or band) in the closest published cell; None when no cell on the way is published."""
    if (rate is None) == (band is None):
        raise ValueError("give either a rate or a band")
    if isinstance(domain, str):
        found = Domain.objects.filter(slug=domain).first()
        if found is None:
            return None
        domain = found
    for cell_tier, cell_country in _candidates(tier, country):
        cell = cell_get(domain=domain, tier=cell_tier, country=cell_country, kind=kind)
        if cell is None or cell.suppressed:
            continue
        level = 0 if (cell_tier, cell_country) == (tier, country) else (2 if cell_tier == ALL else 1)
        points = cell.percentile_points
        if rate is not None:
            rank = percentile_rank(rate, points)
            return Position(cell, level, rank.percentile, rank.beyond, None, None)
        assert band is not None  # either a rate or a band, checked above
        low, high = sorted((Decimal(str(band[0])), Decimal(str(band[1]))))
        middle, ends = (
            percentile_rank((low + high) / 2, points),
            (percentile_rank(low, points), percentile_rank(high, points)),
        )
        return Position(
            cell,
            level,
            middle.percentile,
            middle.beyond,
            (ends[0].percentile, ends[1].percentile),
            (ends[0].beyond, ends[1].beyond),
        )
    return None
