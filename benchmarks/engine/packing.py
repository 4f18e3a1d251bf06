"""Cells and leaves as 64-bit integers, the keys of the count state (``benchmarks.engine.counts``).

A packed cell is ``domain << 47 | tier << 44 | country << 27 | kind << 26 | segment``: domain id (0 for all), tier
(0 for all, then 1–4 in ``SKILL_TIER_ORDER``), country (0 for all, 1 for "" (worldwide), else its two characters'
codes), kind (0 reported, 1 advertised) and segment (0 every observation, 1 verified, 2 + platform id). A packed
*finest leaf* is where one observation's distinct keys are counted: its leaf with the segment bits holding
``platform id * 2 + verified``. ``leaf_sql`` writes the same finest leaf in SQL, for the state's full build.
"""

from functools import lru_cache

from ..choices import SKILL_TIER_ORDER, ObservationKind
from ..models import ALL, PLATFORM_PREFIX, VERIFIED, platform_segment
from .cells import PATTERNS, CellId, Leaf, row_cells

_DOMAIN, _TIER, _COUNTRY, _KIND = 47, 44, 27, 26
_SEGMENT_MASK = (1 << _KIND) - 1
_TIERS = {tier: code for code, tier in enumerate(SKILL_TIER_ORDER, start=1)}
_TIER_NAMES = {code: tier for tier, code in _TIERS.items()}
_KINDS = {ObservationKind.REPORTED.value: 0, ObservationKind.ADVERTISED.value: 1}
_KIND_NAMES = {code: kind for kind, code in _KINDS.items()}
MAX_DOMAIN_ID = (1 << 16) - 1
MAX_PLATFORM_ID = (1 << (_KIND - 1)) - 1
"""The largest ids the bits hold: a bigger one would run into the next field and count in someone else's cell."""


def _checked(domain_id: int | None, platform_id: int | None) -> None:
    if not 0 <= (domain_id or 0) <= MAX_DOMAIN_ID or not 0 <= (platform_id or 0) <= MAX_PLATFORM_ID:
        raise ValueError(
            f"The count state packs domain ids up to {MAX_DOMAIN_ID} and platform ids up to {MAX_PLATFORM_ID}; "
            f"got domain {domain_id}, platform {platform_id}."
        )


def _country(country: str) -> int:
    if country == ALL:
        return 0
    if country == "":
        return 1
    return ord(country[0]) * 256 + ord(country[1])


def _country_name(code: int) -> str:
    if code <= 1:
        return ALL if code == 0 else ""
    return chr(code // 256) + chr(code % 256)


def _base(domain_id: int | None, tier: str, country: str, kind: str) -> int:
    _checked(domain_id, None)
    return (
        (domain_id or 0) << _DOMAIN
        | _TIERS.get(tier, 0) << _TIER
        | _country(country) << _COUNTRY
        | _KINDS[kind] << _KIND
    )


def pack_cell(cell: CellId) -> int:
    domain_id, tier, country, kind, segment = cell
    if segment == "":
        code = 0
    elif segment == VERIFIED:
        code = 1
    else:
        platform_id = int(segment.removeprefix(PLATFORM_PREFIX))
        _checked(None, platform_id)
        code = 2 + platform_id
    return _base(domain_id, tier, country, kind) | code


def unpack_cell(packed: int) -> CellId:
    domain_id = packed >> _DOMAIN
    code = packed & _SEGMENT_MASK
    segment = "" if code == 0 else VERIFIED if code == 1 else platform_segment(code - 2)
    return (
        domain_id or None,
        _TIER_NAMES.get((packed >> _TIER) & 0b111, ALL),
        _country_name((packed >> _COUNTRY) & 0x1FFFF),
        _KIND_NAMES[(packed >> _KIND) & 1],
        segment,
    )


def pack_leaf(leaf: Leaf, platform_id: int | None, verified: bool) -> int:
    """The finest leaf of an observation: its leaf, platform and whether it is verified."""
    _checked(None, platform_id)
    return _base(*leaf) | (platform_id or 0) << 1 | int(verified)


@lru_cache(maxsize=65_536)
def leaf_cells(packed_leaf: int) -> frozenset[int]:
    """The packed cells an observation of this finest leaf counts in (``cells.row_cells``)."""
    domain_id, tier, country, kind, _segment = unpack_cell(packed_leaf & ~_SEGMENT_MASK)
    code = packed_leaf & _SEGMENT_MASK
    platform_id = (code >> 1) or None
    cells = row_cells((domain_id or 0, tier, country, kind), platform_id, bool(code & 1))
    return frozenset(pack_cell(cell) for cell in cells)


@lru_cache(maxsize=65_536)
def verified_cells(packed_leaf: int) -> frozenset[int]:
    """The packed cells in which an observation of this finest leaf counts as a verified contributor: all of its
    cells when the leaf is verified, none otherwise."""
    return leaf_cells(packed_leaf) if packed_leaf & 1 else frozenset()


def _tier_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{tier}' THEN {code}" for tier, code in _TIERS.items())
    return f"(CASE {column} {cases} ELSE 0 END)::bigint"


def base_sql(alias: str = "o") -> str:
    """The packed leaf (segment bits 0) of an observation row, in SQL."""
    country = (
        f"(CASE WHEN {alias}.country = '' THEN 1 "
        f"ELSE ascii(substr({alias}.country, 1, 1)) * 256 + ascii(substr({alias}.country, 2, 1)) END)::bigint"
    )
    kind = f"(CASE {alias}.kind WHEN '{ObservationKind.ADVERTISED.value}' THEN 1 ELSE 0 END)::bigint"
    return (
        f"(({alias}.domain_id::bigint << {_DOMAIN}) | ({_tier_sql(f'{alias}.tier')} << {_TIER}) "
        f"| ({country} << {_COUNTRY}) | ({kind} << {_KIND}))"
    )


def leaf_sql(alias: str = "o") -> str:
    """The packed finest leaf of an observation row, in SQL (``pack_leaf``)."""
    return f"({base_sql(alias)} | (coalesce({alias}.platform_id, 0)::bigint << 1) | {alias}.verified::int::bigint)"


def _mask(keep_domain: bool, keep_tier: bool, keep_country: bool) -> int:
    mask = 1 << _KIND
    if keep_domain:
        mask |= MAX_DOMAIN_ID << _DOMAIN
    if keep_tier:
        mask |= 0b111 << _TIER
    if keep_country:
        mask |= 0x1FFFF << _COUNTRY
    return mask


def cells_sql(alias: str = "o") -> str:
    """A ``CROSS JOIN LATERAL`` giving ``c.cell``, every packed cell an observation row counts in (``row_cells``)."""
    shapes = [(_mask(*pattern), 0) for pattern in PATTERNS] + [(_mask(*pattern), 1) for pattern in PATTERNS]
    shapes += [
        (_mask(keep_domain, keep_tier, False), 2) for keep_domain in (True, False) for keep_tier in (True, False)
    ]
    values = ", ".join(f"({mask}::bigint, {segment})" for mask, segment in shapes)
    reported = ObservationKind.REPORTED.value
    return f"""CROSS JOIN LATERAL (
        SELECT ({base_sql(alias)} & s.mask) | CASE s.segment WHEN 2 THEN 2 + {alias}.platform_id ELSE s.segment END
        FROM (VALUES {values}) AS s (mask, segment)
        WHERE s.segment = 0 OR (s.segment = 1 AND {alias}.verified)
           OR (s.segment = 2 AND {alias}.kind = '{reported}' AND {alias}.platform_id IS NOT NULL)
    ) AS c (cell)"""  # noqa: S608 (only constants are formatted in)
