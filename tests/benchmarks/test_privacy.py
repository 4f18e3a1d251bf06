"""The differencing check: no published rollup, less its published children, pins down a suppressed cell's count.

An independent attacker works from what the public sees (bands, "fewer than 5", "withheld") and, for every
published rollup and each of its partitions, enumerates the counts each suppressed child could have. It shares no
code with ``benchmarks.privacy``: it enumerates (a max-plus knapsack over the children) where the check reasons.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import engine, selectors
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.engine.cells import compute_cells
from benchmarks.models import ALL, BenchmarkCell, CellHistory, Observation, cell_key
from benchmarks.privacy import CellCounts, refresh_withheld_counts, withheld_count_keys

from .factories import domain_make, observation_make, source_make, this_month

pytestmark = pytest.mark.django_db

MINIMUM = 5
IMPOSSIBLE = -(10**9)


# --- The attacker -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What the public sees of one cell."""

    domain: str
    tier: str
    country: str
    kind: str
    suppressed: bool
    contributors: tuple[int, int] | None  # the band; None when suppressed or withheld
    observations: tuple[int, int] | None

    @property
    def withheld(self) -> bool:
        return not self.suppressed and self.contributors is None


def parse_band(text: str) -> tuple[int, int]:
    low, high = text.replace(",", "").split("–")
    return int(low), int(high)


def seen(cell: selectors.PublishedCell) -> Seen:
    published = not cell.suppressed and not cell.counts_withheld
    return Seen(
        cell.domain,
        cell.tier,
        cell.country,
        cell.kind,
        cell.suppressed,
        parse_band(cell.contributors_band) if published else None,
        parse_band(cell.observations_band) if published else None,
    )


def child_pairs(child: Seen, contributors_max: int, observations_max: int) -> list[tuple[int, int, int]]:
    """The (contributors, observations) a child may have, as (contributor values, lowest and highest observations)."""
    if child.suppressed:
        low, high, o_low, o_high = 1, MINIMUM - 1, 1, observations_max
    elif child.withheld:
        low, high, o_low, o_high = MINIMUM, contributors_max, MINIMUM, observations_max
    else:
        (low, high), (o_low, o_high) = child.contributors, child.observations
    return [(c, max(c, o_low), min(o_high, observations_max)) for c in range(low, min(high, contributors_max) + 1)]


def most_contributors(child: Seen, contributors_max: int, observations_max: int) -> np.ndarray:
    """For each number of observations, the most contributors the child can have with it (IMPOSSIBLE if none)."""
    best = np.full(observations_max + 1, IMPOSSIBLE, dtype=np.int64)
    for c, o_low, o_high in child_pairs(child, contributors_max, observations_max):
        if o_low <= o_high:
            best[o_low : o_high + 1] = np.maximum(best[o_low : o_high + 1], c)
    return best


def add(total: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Max-plus convolution: the most contributors of the children so far plus one more, for each total."""
    x = np.arange(len(total))[:, None]
    o = np.nonzero(child > IMPOSSIBLE)[0][None, :]
    before = total[np.maximum(x - o, 0)]
    sums = np.where((x >= o) & (before > IMPOSSIBLE), before + child[o], IMPOSSIBLE)
    return sums.max(axis=1, initial=IMPOSSIBLE)


def feasible(parent: Seen, children: list[Seen], index: int) -> tuple[set[int], set[int]]:
    """Every contributor and observation count of ``children[index]`` consistent with what the public sees.

    Constraints: the parent's observations are the sum of its children's; its contributors are at least the largest
    child's and at most their sum; no cell has more contributors than observations.
    """
    (cp_low, cp_high), (op_low, op_high) = parent.contributors, parent.observations
    contributors, observations = set(), set()
    for cp in range(cp_low, cp_high + 1):
        rest = np.full(op_high + 1, IMPOSSIBLE, dtype=np.int64)
        rest[0] = 0
        for j, child in enumerate(children):
            if j != index:
                rest = add(rest, most_contributors(child, cp, op_high))
        for op in range(max(op_low, cp), op_high + 1):
            for u, v_low, v_high in child_pairs(children[index], cp, op):
                v = np.arange(v_low, v_high + 1)
                possible = v[rest[op - v] + u >= cp]  # the others can make up the rest of both sums
                if possible.size:
                    contributors.add(u)
                    observations.update(possible.tolist())
    return contributors, observations


def partitions(cells: list[Seen]) -> list[tuple[Seen, list[Seen]]]:
    """Every published rollup with published counts, with the children of each of its partitions."""
    found = []
    for parent in cells:
        if parent.contributors is None:
            continue
        for dimension in ("domain", "tier", "country"):
            if getattr(parent, dimension) != ALL:
                continue
            others = [d for d in ("domain", "tier", "country", "kind") if d != dimension]
            children = [
                cell
                for cell in cells
                if getattr(cell, dimension) != ALL and all(getattr(cell, d) == getattr(parent, d) for d in others)
            ]
            if children:
                found.append((parent, children))
    return found


def pins(cells: list[Seen]) -> list[tuple[Seen, Seen, set[int], set[int]]]:
    """Every suppressed child whose contributors or observations the public view leaves at one value (or none)."""
    found = []
    for parent, children in partitions(cells):
        for index, child in enumerate(children):
            if child.suppressed:
                contributors, observations = feasible(parent, children, index)
                if len(contributors) <= 1 or len(observations) <= 1:
                    found.append((parent, child, contributors, observations))
    return found


def public_view(counts: list[CellCounts], withheld: set[str]) -> list[Seen]:
    """What the public sees of raw counts, the way the selectors publish them (for tests without a database)."""

    def band(n: int) -> tuple[int, int]:
        return n - n % 5, n - n % 5 + 4

    return [
        Seen(
            ALL if c.domain_id is None else str(c.domain_id),
            c.tier,
            c.country,
            c.kind,
            c.contributors < MINIMUM,
            band(c.contributors) if c.contributors >= MINIMUM and c.cell_key not in withheld else None,
            band(c.observations) if c.contributors >= MINIMUM and c.cell_key not in withheld else None,
        )
        for c in counts
    ]


# --- Hand-built partitions ----------------------------------------------------------------------------------------

COUNTRIES = ("US", "IN", "GB", "DE", "FR", "BR", "JP", "MX", "CA", "AU", "NG")


def country_partition(parent: tuple[int, int], children: list[tuple[int, int]]) -> list[CellCounts]:
    """A rollup (domain 1, expert, all countries) and its children by country, as (contributors, observations)."""
    cells = [CellCounts("parent", 1, "expert", ALL, "reported", *parent)]
    for country, (contributors, observations) in zip(COUNTRIES, children, strict=False):
        cells.append(CellCounts(f"child-{country}", 1, "expert", country, "reported", contributors, observations))
    return cells


def test_four_siblings_at_the_top_of_their_bands_would_pin_a_suppressed_fifth_so_the_rollup_is_withheld():
    # 60 contributors ("60–64") less four children of 14 ("10–14") leaves at least 4 for the fifth: exactly 4.
    cells = country_partition((60, 60), [(14, 14)] * 4 + [(4, 4)])
    assert withheld_count_keys(cells, minimum=MINIMUM) == {"parent"}
    [(_parent, child, contributors, _observations)] = pins(public_view(cells, set()))
    assert (child.country, contributors) == ("FR", {4})  # the attacker does pin it while the counts are published
    assert not pins(public_view(cells, {"parent"}))


def test_four_suppressed_siblings_left_four_observations_between_them_would_each_be_pinned_at_one():
    # 9 observations ("5–9") less a published child's 5 ("5–9") leave at most 4 for four suppressed children.
    cells = country_partition((9, 9), [(5, 5)] + [(1, 1)] * 4)
    assert withheld_count_keys(cells, minimum=MINIMUM) == {"parent"}
    found = pins(public_view(cells, set()))
    assert len(found) == 4
    assert all(contributors == observations == {1} for _parent, _child, contributors, observations in found)
    assert not pins(public_view(cells, {"parent"}))


def test_two_suppressed_children_would_be_pinned_together_at_four_each():
    # 50 contributors ("50–54") less three children of 14 leave at least 8 for two children of at most 4.
    cells = country_partition((50, 50), [(14, 14)] * 3 + [(4, 4), (4, 4)])
    assert withheld_count_keys(cells, minimum=MINIMUM) == {"parent"}
    assert len(pins(public_view(cells, set()))) == 2


def test_a_partition_with_room_to_spare_keeps_its_bands():
    cells = country_partition((20, 24), [(12, 14), (5, 7), (3, 3)])
    assert withheld_count_keys(cells, minimum=MINIMUM) == set()
    assert not pins(public_view(cells, set()))


def test_one_sibling_short_of_the_top_of_its_band_keeps_the_bands():
    # 14 + 14 + 14 + 13 + 4 = 59 ("55–59"): the fifth child has 3 or 4 as far as anyone can tell.
    cells = country_partition((59, 59), [(14, 14)] * 3 + [(13, 13), (4, 4)])
    assert withheld_count_keys(cells, minimum=MINIMUM) == set()
    assert not pins(public_view(cells, set()))


def test_a_suppressed_rollup_is_never_withheld_it_publishes_nothing():
    assert withheld_count_keys(country_partition((4, 4), [(1, 1)] * 4), minimum=MINIMUM) == set()


def test_the_threshold_is_the_setting_unless_given(settings):
    cells = country_partition((60, 60), [(14, 14)] * 4 + [(4, 4)])
    settings.BENCHMARK_MIN_CONTRIBUTORS = 4  # the fifth child is published now: nothing to protect
    assert withheld_count_keys(cells) == set()


@pytest.mark.parametrize("dimension", ["domain", "country"])
def test_domain_and_country_partitions_are_checked(dimension):
    """Five children of 14, 14, 14, 14 and 4 contributors under a rollup of 60, along the domain or the country."""
    if dimension == "domain":
        parent = CellCounts("parent", None, "expert", "US", "reported", 60, 60)
        children = [(d, "expert", "US") for d in (1, 2, 3, 4, 5)]
    else:
        parent = CellCounts("parent", 1, "expert", ALL, "reported", 60, 60)
        children = [(1, "expert", c) for c in ("US", "IN", "GB", "DE", "")]  # "" (worldwide) is a country here
    cells = [parent]
    for n, (child, contributors) in enumerate(zip(children, [14, 14, 14, 14, 4], strict=True)):
        cells.append(CellCounts(f"child-{n}", *child, "reported", contributors, contributors))
    assert withheld_count_keys(cells, minimum=MINIMUM) == {"parent"}


def test_the_tier_partition_is_checked_and_counts_that_cannot_add_up_are_withheld():
    """Four tiers cannot line up five bands; but published numbers from different moments that add up to nothing
    possible give nothing away only if they are withheld too."""
    tiers = [("entry", 14), ("skilled", 14), ("expert", 14), ("top_expert", 18)]
    cells = [CellCounts("parent", 1, ALL, "US", "reported", 60, 60)]
    cells += [CellCounts(tier, 1, tier, "US", "reported", n, n) for tier, n in tiers]
    assert withheld_count_keys(cells, minimum=MINIMUM) == set()
    cells[-1] = CellCounts("top_expert", 1, "top_expert", "US", "reported", 4, 4)  # 14 × 3 + 4 = 46, not 60
    assert withheld_count_keys(cells, minimum=MINIMUM) == {"parent"}


def test_one_pass_is_enough_a_withheld_rollup_pins_nothing_as_a_child_of_its_own_rollup():
    """(1, expert, *) is withheld; in the tier partition of (1, *, *) it then shows "withheld" instead of a band,
    which only widens what its suppressed siblings could be: nothing new is pinned there, nor anywhere."""
    expert = country_partition((60, 60), [(14, 14)] * 4 + [(4, 4)])
    others = [
        CellCounts("all-tiers", 1, ALL, ALL, "reported", 67, 67),
        CellCounts("entry", 1, "entry", ALL, "reported", 3, 3),
        CellCounts("skilled", 1, "skilled", ALL, "reported", 4, 4),
    ]
    cells = expert + others
    withheld = withheld_count_keys(cells, minimum=MINIMUM)
    assert withheld == {"parent"}
    assert not pins(public_view(cells, withheld))


# --- Random partitions, without a database ------------------------------------------------------------------------

TOPS = (4, 9, 14, 19)
"""Counts at the top of their band (or of "fewer than 5"): five of them side by side add up to a band's bottom."""


@st.composite
def partition(draw) -> list[CellCounts]:
    """A rollup and 2–7 children along one dimension, with consistent counts: observations add up, contributors lie
    between the largest child's and their sum. Half of them are built to line up: every child at the top of its
    band, no contributor shared, then maybe one count nudged off the alignment."""
    dimension = draw(st.sampled_from(["domain", "country"]))
    aligned = draw(st.booleans())
    size = draw(st.sampled_from([5, 5, 5, 4, 6]) if aligned else st.integers(2, 7))
    children = []
    for n in range(size):
        contributors = draw(st.sampled_from(TOPS) if aligned else st.one_of(st.integers(1, 4), st.integers(5, 30)))
        observations = contributors + draw(st.one_of(st.just(0), st.integers(0, 9)))
        place = (n + 1, "expert", "US") if dimension == "domain" else (1, "expert", COUNTRIES[n])
        children.append(CellCounts(f"child-{n}", *place, "reported", contributors, observations))
    total = sum(child.contributors for child in children)
    largest = max(child.contributors for child in children)
    # No contributor shared, or some (always when not aligned; once in a while when aligned, to nudge it off).
    shared = st.sampled_from([total, total, total, total - 1]) if aligned else st.integers(largest, total)
    contributors = max(draw(shared), largest)
    observations = sum(child.observations for child in children)
    parent = (None, "expert", "US") if dimension == "domain" else (1, "expert", ALL)
    return [CellCounts("parent", *parent, "reported", contributors, observations), *children]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(partition())
def test_a_rollup_is_withheld_exactly_when_the_attacker_could_pin_one_of_its_children(cells):
    view = public_view(cells, set())
    for index, child in enumerate(cells[1:]):
        # The attacker is sound: a suppressed child's true counts are always among its answers.
        if child.contributors < MINIMUM <= cells[0].contributors:
            contributors, observations = feasible(view[0], view[1:], index)
            assert child.contributors in contributors and child.observations in observations
    withheld = withheld_count_keys(cells, minimum=MINIMUM)
    assert bool(withheld) == bool(pins(public_view(cells, set())))
    assert not pins(public_view(cells, withheld))


# Leaves of two domains, two tiers and five countries: partitions of up to five children, where bands can line up.
GRID = [(d, t, c) for d in (1, 2) for t in ("skilled", "expert") for c in ("US", "IN", "GB", "DE", "")]

leaf = st.tuples(
    # contributors: none (no leaf), 1–12, often at the top of a band
    st.one_of(st.just(0), st.sampled_from([4, 9]), st.sampled_from([4, 9]), st.integers(1, 12)),
    st.one_of(st.just(0), st.integers(0, 2)),  # of whom shared with other leaves
    st.one_of(st.just(0), st.integers(0, 12)),  # observations beyond one each
)
leaves = st.lists(leaf, min_size=len(GRID), max_size=len(GRID)).map(
    lambda drawn: [
        (*place, n, min(shared, n), extra) for place, (n, shared, extra) in zip(GRID, drawn, strict=True) if n
    ]
)


def rows_of(drawn) -> list[tuple[int, str, str, str, int]]:
    """(domain, tier, country, contributor, observation number) of every observation the drawn leaves hold."""
    rows = []
    for domain, tier, country, contributors, shared, extra in drawn:
        names = [f"shared-{i}" if i < shared else f"{domain}{tier}{country}-{i}" for i in range(contributors)]
        for i, name in enumerate(names):
            rows.extend((domain, tier, country, name, n) for n in range(1 + (extra if i == 0 else 0)))
    return rows


def counts_of(drawn) -> list[CellCounts]:
    rows = [
        (domain, tier, country, "reported", 10.0, name, 1, None, False, name)
        for domain, tier, country, name, _ in rows_of(drawn)
    ]
    return [
        CellCounts(cell_key(*cell), *cell[:4], stats.contributors, stats.observations)
        for cell, stats in compute_cells(rows).items()
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leaves)
def test_over_every_cell_the_withheld_rollups_are_those_the_attacker_could_difference(drawn):
    counts = counts_of(drawn)
    withheld = withheld_count_keys(counts, minimum=MINIMUM)
    # With every published cell showing its bands, the attacker pins a child of exactly the withheld rollups...
    keys = {(ALL if c.domain_id is None else str(c.domain_id), c.tier, c.country): c.cell_key for c in counts}
    pinned = {keys[(parent.domain, parent.tier, parent.country)] for parent, *_ in pins(public_view(counts, set()))}
    assert pinned == withheld
    # ...and once they are withheld it pins nothing, even with the withheld rollups' places among the children.
    assert not pins(public_view(counts, withheld))


# --- The real engine, the stored flag and what every surface shows -------------------------------------------------


def build(drawn, *, domains) -> None:
    """Observations for the drawn leaves, written in bulk, then every cell rebuilt and the withheld flags refreshed."""
    source = source_make()
    month = this_month()
    Observation.objects.bulk_create(
        Observation(
            origin=f"diff:{domain}:{tier}:{country}:{name}:{n}",
            kind=ObservationKind.REPORTED,
            domain=domains[domain - 1],
            tier=tier,
            country=country,
            period=month,
            hourly_usd=Decimal(10 + n + len(name)),
            source=source,
            contributor=name,
        )
        for domain, tier, country, name, n in rows_of(drawn)
    )
    engine.rebuild_all()
    refresh_withheld_counts()


def assert_no_exact_counts(cells: list[selectors.PublishedCell]) -> None:
    for cell in cells:
        for count in (cell.contributors, cell.observations):
            assert count is None or count % 5 == 0, cell
        if cell.suppressed:
            assert cell.contributors_band is None and cell.contributors_display == "fewer than 5"
        elif cell.counts_withheld:
            assert (cell.contributors, cell.observations) == (None, None)
            assert cell.contributors_band == cell.observations_band == cell.contributors_display == "withheld"
        else:
            assert parse_band(cell.contributors_band) == (cell.contributors, cell.contributors + 4)
            assert parse_band(cell.observations_band) == (cell.observations, cell.observations + 4)
            assert cell.contributors_display == cell.contributors_band


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leaves)
def test_no_published_rollup_lets_an_attacker_pin_a_suppressed_count(drawn):
    with transaction.atomic():
        build(drawn, domains=[domain_make() for _ in range(5)])
        published = selectors.cells_published()  # what the public sees, and nothing else
        assert_no_exact_counts(published)
        assert not pins([seen(cell) for cell in published])
        transaction.set_rollback(True)


def leaf_of(domain, contributors: int, *, country: str, tier: str = SkillTier.EXPERT, first: int = 0) -> None:
    source = source_make()
    for c in range(first, first + contributors):
        observation_make(
            domain=domain, hourly_usd=20 + c, tier=tier, country=country, contributor=f"c{c}", source=source
        )


@pytest.fixture
def aligned(db):
    """Four countries of 14 contributors and a fifth of 4, in one domain: (domain, expert, *) has 60 ("60–64")."""
    domain = domain_make()
    for n, country in enumerate(["US", "IN", "GB", "DE"]):
        leaf_of(domain, 14, country=country, first=100 * n)
    leaf_of(domain, 4, country="FR", first=1000)
    engine.rebuild_all()
    return domain


def test_the_attacker_pins_the_aligned_cell_until_the_refresh_withholds_its_rollup(aligned):
    BenchmarkCell.objects.update(counts_withheld=False)  # the cells as they would be published without the check
    before = [seen(cell) for cell in selectors.cells_published()]
    assert {(parent.tier, parent.country, child.country) for parent, child, *_ in pins(before)} >= {
        ("expert", ALL, "FR")
    }
    refresh_withheld_counts()
    published = selectors.cells_published()
    assert not pins([seen(cell) for cell in published])
    rollup = selectors.cell_get(domain=aligned, tier=SkillTier.EXPERT, country=ALL)
    assert rollup.counts_withheld and not rollup.suppressed
    assert rollup.contributors is None and rollup.observations is None
    assert rollup.contributors_display == rollup.contributors_band == rollup.observations_band == "withheld"
    assert rollup.p50 is not None and rollup.p10 is not None  # its percentiles are still published
    us = selectors.cell_get(domain=aligned, tier=SkillTier.EXPERT, country="US")
    assert (us.contributors, us.contributors_band, us.counts_withheld) == (10, "10–14", False)


def test_the_refresh_is_one_read_and_at_most_two_updates(aligned):
    with CaptureQueriesContext(connection) as queries:
        assert refresh_withheld_counts() >= 1
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements.count("SELECT") == 1
    assert statements.count("UPDATE") <= 2
    assert set(statements) <= {"SELECT", "UPDATE", "SAVEPOINT", "RELEASE"}


def test_the_refresh_clears_a_flag_the_data_no_longer_needs(aligned):
    refresh_withheld_counts()
    key = cell_key(aligned.pk, SkillTier.EXPERT, ALL, ObservationKind.REPORTED)
    assert BenchmarkCell.objects.get(cell_key=key).counts_withheld
    leaf_of(aligned, 3, country="FR", first=2000)  # France now has 7: published, nothing left to pin
    engine.rebuild_all()
    BenchmarkCell.objects.filter(cell_key=key).update(counts_withheld=True)  # as the rebuild left it before a refresh
    assert refresh_withheld_counts() == 0
    assert not BenchmarkCell.objects.filter(counts_withheld=True).exists()


def test_history_points_are_banded_and_withheld_like_the_cells(aligned):
    month = this_month()
    engine.record_history(month=month)
    refresh_withheld_counts(month=month)
    key = cell_key(aligned.pk, SkillTier.EXPERT, ALL, ObservationKind.REPORTED)
    assert CellHistory.objects.get(cell_key=key, month=month).counts_withheld
    [point] = selectors.cell_history(domain=aligned, tier=SkillTier.EXPERT, country=ALL)
    assert point.counts_withheld and point.contributors_display == "withheld" and point.p50 is not None
    [us] = selectors.cell_history(domain=aligned, tier=SkillTier.EXPERT, country="US")
    assert (us.contributors_display, us.observations) == ("10–14", 10)


def test_no_surface_shows_an_exact_count(client, aligned):
    refresh_withheld_counts()
    assert_no_exact_counts(selectors.cells_published())
    api = client.get("/api/v1/benchmarks/", {"domain": aligned.slug, "page_size": 100}).json()["results"]
    withheld = next(cell for cell in api if cell["tier"] == "expert" and cell["country"] == ALL)
    assert (withheld["contributors"], withheld["contributors_band"], withheld["counts_withheld"]) == (
        None,
        "withheld",
        True,
    )
    us = next(cell for cell in api if cell["tier"] == "expert" and cell["country"] == "US")
    assert (us["contributors"], us["contributors_band"], us["observations_band"]) == (10, "10–14", "10–14")
    answer = client.get("/api/v1/benchmarks/", {"domain": aligned.slug, "format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(answer)))
    assert len(rows) == len(api)
    for row in rows:
        for name in ("contributors", "observations"):
            assert row[name] == "" or int(row[name]) % 5 == 0, row
        assert row["contributors_band"] in ("", "withheld", "10–14", "15–19", "5–9"), row
    page = client.get("/benchmarks/", {"domain": aligned.slug, "tier": "expert", "country": "US"}).content.decode()
    assert '<span class="figure" id="cell-contributors">10–14</span>' in page
    assert "10–14 data points" in page
    page = client.get("/benchmarks/", {"domain": aligned.slug, "tier": "expert", "country": "*"}).content.decode()
    assert '<span class="figure" id="cell-contributors">withheld</span>' in page
    # The all-cell is withheld too (its country partition lines up the same way): no total of data points anywhere.
    totals = client.get("/api/v1/report/").json()["totals"]
    assert (totals["data_points"], totals["data_points_display"], totals["by_kind"]["reported"]["observations"]) == (
        None,
        None,
        None,
    )
    for url in ("/", "/report/"):
        assert "data points: count withheld" in client.get(url).content.decode()
