"""The arithmetic shared by both engines, without a database."""

import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.engine.cells import FRACTIONS, ancestors, compute_cells, log_quartiles, percentile_cont
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
    assert (3, "expert", "US", "reported") in cells
    assert (None, ALL, ALL, "reported") in cells
    assert (3, ALL, "US", "reported") in cells


def test_worldwide_is_a_country_of_its_own_not_all_countries():
    assert cell_key(3, "expert", "", "advertised") != cell_key(3, "expert", ALL, "advertised")
    assert (3, "expert", "", "advertised") in ancestors((3, "expert", "", "advertised"))


def test_compute_cells_counts_distinct_contributors_sources_and_known_platforms():
    rows = [
        (1, "entry", "US", "reported", 10.0, "trainer:1", 1, None, "trainer:1"),
        (1, "entry", "US", "reported", 20.0, "trainer:1", 1, 7, "trainer:1"),
        (1, "entry", "US", "reported", 30.0, "trainer:2", 2, 7, ""),  # an account that does not count yet
        (1, "entry", "IN", "reported", 40.0, "trainer:3", 2, 8, "trainer:3"),
    ]
    cells = compute_cells(rows)
    leaf = cells[(1, "entry", "US", "reported")]
    assert (leaf.contributors, leaf.observations, leaf.sources, leaf.platforms) == (2, 3, 2, 1)
    assert leaf.independent == 1
    assert leaf.percentiles[2] == 20.0
    everything = cells[(None, ALL, ALL, "reported")]
    assert (everything.contributors, everything.observations, everything.platforms) == (3, 4, 2)


def test_compute_cells_only_computes_the_wanted_cells():
    rows = [
        (1, "entry", "US", "reported", 10.0, "t", 1, None, "t"),
        (2, "entry", "US", "reported", 11.0, "u", 1, None, "u"),
    ]
    wanted = {(1, "entry", "US", "reported"), (None, ALL, ALL, "reported")}
    assert set(compute_cells(rows, wanted)) == wanted


def test_log_quartiles_are_quartiles_of_the_logarithms():
    values = [random.Random(4).lognormvariate(3, 1) for _ in range(50)]
    n, q1, q3 = log_quartiles(values)
    logs = np.log(values)
    assert n == 50
    assert q1 == pytest.approx(np.percentile(logs, 25))
    assert q3 == pytest.approx(np.percentile(logs, 75))
    assert math.isnan(log_quartiles([])[1])
