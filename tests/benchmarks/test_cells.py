"""The arithmetic shared by both engines, without a database."""

import math
import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.engine.cells import (
    FRACTIONS,
    PLATFORMS,
    ancestors,
    compute_cells,
    leaf_cells,
    log_quartiles,
    percentile_cont,
    rest,
)
from benchmarks.models import ALL, cell_key


@given(st.lists(st.floats(min_value=0.5, max_value=2000, allow_nan=False), min_size=1, max_size=200))
def test_percentile_cont_is_numpys_linear_method(values):
    ordered = sorted(values)
    expected = np.percentile(np.array(values), [f * 100 for f in FRACTIONS], method="linear")
    got = [percentile_cont(ordered, f) for f in FRACTIONS]
    assert got == pytest.approx(list(expected), rel=1e-12, abs=1e-12)


def test_percentile_cont_of_one_to_ten_matches_the_textbook_type_7_values():
    assert [percentile_cont(list(range(1, 11)), f) for f in FRACTIONS] == pytest.approx([1.9, 3.25, 5.5, 7.75, 9.1])


def test_a_leaf_feeds_its_eight_ancestors():
    cells = ancestors((3, "expert", "US", "reported"))
    assert len(set(cells)) == 8
    assert (3, "expert", "US", "reported", "") in cells
    assert (None, ALL, ALL, "reported", "") in cells
    assert (3, ALL, "US", "reported", "") in cells


def test_a_reported_leaf_changes_its_verified_cells_and_every_platforms_four_cells():
    cells = leaf_cells((3, "expert", "US", "reported"))
    assert len(set(cells)) == 20
    assert (None, ALL, ALL, "reported", "verified") in cells
    assert {cell for cell in cells if cell[4] == PLATFORMS} == {
        (3, "expert", ALL, "reported", PLATFORMS),
        (3, ALL, ALL, "reported", PLATFORMS),
        (None, "expert", ALL, "reported", PLATFORMS),
        (None, ALL, ALL, "reported", PLATFORMS),
    }
    assert not any(cell[4] == PLATFORMS for cell in leaf_cells((3, "expert", "US", "advertised")))


def test_the_cells_of_every_observation_keep_their_keys_and_segments_get_their_own():
    assert (
        cell_key(3, "expert", "US", "reported") == cell_key(3, "expert", "US", "reported", "") == "3|expert|US|reported"
    )
    assert cell_key(None, ALL, ALL, "reported", "platform:7") == "*|*|*|reported|platform:7"


def test_worldwide_is_a_country_of_its_own_not_all_countries():
    assert cell_key(3, "expert", "", "advertised") != cell_key(3, "expert", ALL, "advertised")
    assert (3, "expert", "", "advertised", "") in ancestors((3, "expert", "", "advertised"))


def test_compute_cells_counts_distinct_contributors_sources_and_known_platforms():
    rows = [
        (1, "entry", "US", "reported", 10.0, "trainer:1", 1, None, False, "trainer:1"),
        (1, "entry", "US", "reported", 20.0, "trainer:1", 1, 7, True, "trainer:1"),
        (1, "entry", "US", "reported", 30.0, "trainer:2", 2, 7, False, ""),  # an account that does not count yet
        (1, "entry", "IN", "reported", 40.0, "trainer:3", 2, 8, True, "trainer:3"),
    ]
    cells = compute_cells(rows)
    leaf = cells[(1, "entry", "US", "reported", "")]
    assert (leaf.contributors, leaf.observations, leaf.sources, leaf.platforms, leaf.verified) == (2, 3, 2, 1, 1)
    assert leaf.independent == 1
    assert leaf.percentiles[2] == 20.0
    everything = cells[(None, ALL, ALL, "reported", "")]
    assert (everything.contributors, everything.observations, everything.platforms, everything.verified) == (3, 4, 2, 2)


def test_compute_cells_gives_verified_cells_and_platform_cells_of_reported_pay_over_all_countries():
    rows = [
        (1, "entry", "US", "reported", 10.0, "trainer:1", 1, 7, True, "trainer:1"),
        (1, "entry", "IN", "reported", 20.0, "trainer:2", 1, 7, False, "trainer:2"),
        (1, "entry", "US", "advertised", 30.0, "company:1", 2, 7, True, "company:1"),
    ]
    cells = compute_cells(rows)
    verified = cells[(1, "entry", "US", "reported", "verified")]
    assert (verified.contributors, verified.observations, verified.verified) == (1, 1, 1)
    platform = cells[(1, "entry", ALL, "reported", "platform:7")]
    assert (platform.contributors, platform.observations, platform.verified) == (2, 2, 1)
    assert (1, "entry", "US", "reported", "platform:7") not in cells  # platforms are published over all countries
    assert not any(cell[3] == "advertised" and cell[4].startswith("platform:") for cell in cells)
    assert (1, "entry", "US", "advertised", "verified") in cells
    everyone_on_7 = (None, ALL, ALL, "reported", "platform:7")
    assert rest(everyone_on_7, cells[everyone_on_7], cells) == (0, 0)  # every reported value is on platform 7
    verified_entry = (1, "entry", ALL, "reported", "verified")
    assert rest(verified_entry, cells[verified_entry], cells) == (1, 1)


def test_compute_cells_only_computes_the_wanted_cells():
    rows = [
        (1, "entry", "US", "reported", 10.0, "t", 1, 7, False, "t"),
        (2, "entry", "US", "reported", 11.0, "u", 1, None, False, "u"),
    ]
    wanted = {
        (1, "entry", "US", "reported", ""),
        (None, ALL, ALL, "reported", ""),
        (1, ALL, ALL, "reported", PLATFORMS),
    }
    assert set(compute_cells(rows, wanted)) == {
        (1, "entry", "US", "reported", ""),
        (None, ALL, ALL, "reported", ""),
        (1, ALL, ALL, "reported", "platform:7"),
    }


def test_log_quartiles_are_quartiles_of_the_logarithms_of_the_values_to_the_cent():
    values = [random.Random(4).lognormvariate(3, 1) for _ in range(50)]
    n, q1, q3 = log_quartiles(values)
    logs = np.log(np.round(values, 2))
    assert n == 50
    assert q1 == pytest.approx(np.percentile(logs, 25), rel=1e-12)
    assert q3 == pytest.approx(np.percentile(logs, 75), rel=1e-12)
    assert log_quartiles([Decimal("12.3449")] * 3)[1] == math.log(12.34)
    assert log_quartiles([Decimal("12.345")] * 3)[1] == math.log(12.35)  # half up, as PostgreSQL's round
    assert log_quartiles([Decimal("0.004")] * 3)[1] == math.log(0.01)  # never the logarithm of nothing
    assert math.isnan(log_quartiles([])[1])
