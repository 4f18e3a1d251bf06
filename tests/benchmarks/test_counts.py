"""The count state (PostgreSQL): kept by increments, it must equal a full computation after any sequence of writes."""

import datetime
import random
from decimal import Decimal
from unittest import mock

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection

from benchmarks import engine
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.engine import counts, packing, postgres
from benchmarks.engine.cells import row_cells
from benchmarks.models import (
    ALL,
    VERIFIED,
    BenchmarkCell,
    DirtyCell,
    Observation,
    OutlierFence,
    Platform,
    platform_segment,
)
from benchmarks.querysets import window_start

from .factories import domain_make, observation_make, observations_seed, source_make, this_month

pytestmark = pytest.mark.django_db


def test_cells_and_leaves_pack_into_integers_and_back():
    cells = [
        (None, ALL, ALL, ObservationKind.REPORTED, ""),
        (7, SkillTier.TOP_EXPERT, "US", ObservationKind.ADVERTISED, VERIFIED),
        (65_535, ALL, "", ObservationKind.ADVERTISED, ""),
        (3, SkillTier.ENTRY, ALL, ObservationKind.REPORTED, platform_segment(12)),
    ]
    assert [packing.unpack_cell(packing.pack_cell(cell)) for cell in cells] == cells
    assert len({packing.pack_cell(cell) for cell in cells}) == len(cells)
    leaf = (4, SkillTier.EXPERT, "IN", ObservationKind.REPORTED)
    packed = packing.pack_leaf(leaf, 9, verified=True)
    assert {packing.unpack_cell(cell) for cell in packing.leaf_cells(packed)} == set(row_cells(leaf, 9, True))
    assert packing.verified_cells(packing.pack_leaf(leaf, 9, verified=False)) == frozenset()


def test_an_id_too_big_for_its_bits_is_refused_rather_than_counted_in_another_cell():
    too_big_domain = (packing.MAX_DOMAIN_ID + 1, ALL, ALL, ObservationKind.REPORTED, "")
    with pytest.raises(ValueError, match="domain ids up to 65535"):
        packing.pack_cell(too_big_domain)
    leaf = (4, SkillTier.EXPERT, "IN", ObservationKind.REPORTED)
    with pytest.raises(ValueError, match="platform ids up to"):
        packing.pack_leaf(leaf, packing.MAX_PLATFORM_ID + 1, verified=True)
    with pytest.raises(ValueError, match="platform ids up to"):
        packing.pack_cell((*leaf, platform_segment(packing.MAX_PLATFORM_ID + 1)))
    top = (packing.MAX_DOMAIN_ID, ALL, ALL, ObservationKind.REPORTED, platform_segment(packing.MAX_PLATFORM_ID))
    assert packing.unpack_cell(packing.pack_cell(top)) == top


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the count state is PostgreSQL's (SQLite recomputes cells from the observations)")


def state_agrees() -> None:
    since = window_start()
    counts.apply(since=since)
    assert counts.differences(postgres.compute(since=since)) == []


def test_the_sql_packs_leaves_and_cells_as_python_does(on_postgresql):
    domain = domain_make()
    platform = Platform.objects.order_by("pk").first()
    row = observation_make(domain=domain, hourly_usd="33.335", country="", platform=platform, verified=True)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {packing.leaf_sql()} FROM benchmarks_observation o WHERE o.id = %s", [row.pk])
        assert cursor.fetchone()[0] == packing.pack_leaf((domain.pk, row.tier, "", row.kind), platform.pk, True)
        cursor.execute(f"SELECT c.cell FROM benchmarks_observation o {packing.cells_sql()} WHERE o.id = %s", [row.pk])
        from_sql = {cell for (cell,) in cursor.fetchall()}
    assert from_sql == set(
        packing.leaf_cells(packing.pack_leaf((domain.pk, row.tier, "", row.kind), platform.pk, True))
    )


def test_a_built_state_equals_the_full_computation(on_postgresql):
    observations_seed(count=400, seed=3)
    since = window_start()
    counts.build(since=since, stats=postgres.compute(since=since))
    assert counts.differences(postgres.compute(since=since)) == []
    assert counts.waiting() == 0


def test_the_build_writes_each_table_in_key_order_and_leaves_room_on_its_pages(on_postgresql):
    """A cell's counts lie together on disk, so a percentile's walk reads few pages; the room left on each page keeps
    a count's update on its page, and with it that order."""
    observations_seed(count=300, seed=5)
    since = window_start()
    counts.build(since=since, stats=postgres.compute(since=since))
    with connection.cursor() as cursor:
        for table, key in (("cellvalue", "cell, cents"), ("cellbucket", "cell, dollars"),
                           ("leafmember", "what, member, leaf")):  # fmt: skip
            cursor.execute(f"SELECT {key} FROM benchmarks_{table} ORDER BY ctid")
            stored = cursor.fetchall()
            assert len(stored) > 100
            assert stored == sorted(stored), table
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [f"benchmarks_{table}"])
            assert "fillfactor=80" in cursor.fetchone()[0]


def random_writes(rng: random.Random, rows: list[Observation], domains, sources, platforms, steps: int) -> None:
    """Inserts, moves, re-pricings, flags, verifications and removals, one at a time, as the services make them."""
    future = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
    for _ in range(steps):
        action = rng.random()
        if action < 0.4 or not rows:
            rows.append(observation_make(
                domain=rng.choice(domains), hourly_usd=Decimal(rng.randrange(500, 20000)) / 100 + Decimal("0.0049"),
                tier=rng.choice([SkillTier.ENTRY, SkillTier.EXPERT]), country=rng.choice(["US", "IN", ""]),
                kind=rng.choice(ObservationKind.values), contributor=f"trainer:{rng.randrange(12)}",
                source=rng.choice(sources), platform=rng.choice(platforms), verified=rng.random() < 0.3,
                party=rng.choice(["", None, "source:1"]), counts_from=rng.choice([None, None, future]),
            ))  # fmt: skip
            continue
        row = rng.choice(rows)
        if action < 0.55:
            row.hourly_usd = Decimal(rng.randrange(500, 20000)) / 100
        elif action < 0.65:
            row.domain = rng.choice(domains)
        elif action < 0.72:
            row.flagged = row.kind == ObservationKind.REPORTED and not row.flagged
        elif action < 0.8:
            row.verified = not row.verified
        elif action < 0.85:
            row.period = this_month() - relativedelta(months=rng.randrange(14))
        elif action < 0.9:
            row.counts_from = None if row.counts_from else future
        else:
            row.delete()
            rows.remove(row)
            continue
        row.save()


def state_built_for_writes(*, count: int, seed: int, writes_seed: int):
    """A state built over ``count`` seeded observations of two domains; returns the domains and a function that makes
    that many random writes after it."""
    rng = random.Random(writes_seed)
    domains = [domain_make(), domain_make()]
    sources = [source_make() for _ in range(3)]
    platforms = [*Platform.objects.order_by("pk")[:3], None]
    rows = observations_seed(count=count, seed=seed, domains=domains)
    since = window_start()
    counts.build(since=since, stats=postgres.compute(since=since))
    return domains, lambda steps: random_writes(rng, rows, domains, sources, platforms, steps=steps)


def test_any_sequence_of_writes_leaves_the_state_equal_to_a_full_computation(on_postgresql):
    _domains, write = state_built_for_writes(count=150, seed=5, writes_seed=11)
    for _ in range(6):
        write(40)
        state_agrees()


def test_a_bulk_update_is_one_set_of_deltas(on_postgresql):
    rows = observations_seed(count=200, seed=8)
    since = window_start()
    counts.build(since=since, stats=postgres.compute(since=since))
    Observation.objects.filter(pk__in=[row.pk for row in rows[::3]]).update(verified=True)
    Observation.objects.filter(pk__in=[row.pk for row in rows[1::4]]).delete()
    Observation.objects.filter(pk__in=[row.pk for row in rows[::5]]).update(reviewed=True)  # no cell reads it
    state_agrees()


def test_the_month_that_leaves_the_window_leaves_the_state_at_once(on_postgresql):
    domain = domain_make()
    old, new = this_month() - relativedelta(months=12), this_month()
    for i in range(6):
        observation_make(domain=domain, hourly_usd=10 + i, period=old, contributor=f"trainer:old:{i}")
        observation_make(domain=domain, hourly_usd=30 + i, period=new, contributor=f"trainer:new:{i}")
    counts.build(since=old, stats=postgres.compute(since=old))
    moved = Observation.objects.filter(period=old).first()
    moved.hourly_usd = Decimal("12.5")
    moved.save()  # a delta of the leaving month, still waiting when the month leaves
    later = old + relativedelta(months=1)
    changed = counts.apply(since=later)
    assert counts.differences(postgres.compute(since=later)) == []
    assert (domain.pk, ALL, ALL, ObservationKind.REPORTED, "") in changed


def test_a_party_counts_from_its_date_on(on_postgresql):
    domain = domain_make()
    future = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    row = observation_make(domain=domain, hourly_usd=20, contributor="trainer:new", counts_from=future)
    observation_make(domain=domain, hourly_usd=21, contributor="trainer:old")
    since = window_start()
    counts.build(since=since, stats=postgres.compute(since=since))
    cell = (domain.pk, ALL, ALL, ObservationKind.REPORTED, "")
    assert counts.read([cell])[cell].independent == 1
    with connection.cursor() as cursor:  # three days later: the row and the pending party both say it has come
        cursor.execute("SET LOCAL session_replication_role = replica")  # as if time had passed: no delta
        cursor.execute("UPDATE benchmarks_observation SET counts_from = now() - interval '1 hour' WHERE id = %s",
                       [row.pk])  # fmt: skip
        cursor.execute("UPDATE benchmarks_pendingparty SET counts_from = now() - interval '1 hour'")
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert cell in counts.apply(since=since)
    assert counts.read([cell])[cell].independent == 2
    state_agrees()


def test_the_live_pass_publishes_every_cell_of_a_write_from_the_state(on_postgresql):
    domain = domain_make()
    observations_seed(count=120, seed=2, domains=[domain])
    engine.rebuild_all()
    observation = observation_make(domain=domain, hourly_usd=77, country="IN", verified=True,
                                   platform=Platform.objects.order_by("pk").first())  # fmt: skip
    DirtyCell.objects.create(domain_id=domain.pk, tier=observation.tier, country="IN", kind=observation.kind)
    engine.recompute_domains()
    published = {cell.cell_key: cell.observations for cell in BenchmarkCell.objects.all()}
    engine.rebuild_all()
    assert published == {cell.cell_key: cell.observations for cell in BenchmarkCell.objects.all()}


def test_the_rebuild_repairs_a_state_that_drifted(on_postgresql):
    observations_seed(count=100, seed=4)
    engine.rebuild_all()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE benchmarks_cellcount SET contributors = contributors + 1")
    with mock.patch.object(engine, "logger") as logger:
        engine.rebuild_all()
    assert "disagreed with the full computation" in logger.error.call_args.args[0]
    since = window_start()
    assert counts.differences(postgres.compute(since=since)) == []


def test_a_window_that_grew_builds_the_state_again(on_postgresql):
    domain = domain_make()
    old = observation_make(domain=domain, hourly_usd=15, period=this_month() - relativedelta(months=3))
    counts.build(since=this_month(), stats=postgres.compute(since=this_month()))  # a state of a shorter window
    DirtyCell.objects.create(domain_id=domain.pk, tier=old.tier, country=old.country, kind=old.kind)
    engine.recompute_domains()
    assert counts.exists(since=window_start())
    cell = (domain.pk, ALL, ALL, ObservationKind.REPORTED, "")
    assert counts.read([cell])[cell].observations == 1
    assert BenchmarkCell.objects.get(cell_key=f"{domain.pk}|{ALL}|{ALL}|reported").observations == 1


def test_a_pairs_fences_from_the_state_equal_those_from_its_observations_with_deltas_still_waiting(on_postgresql):
    """The state holds a pair's values that are not flagged as of the last pass; the fences add the deltas still
    waiting and the flagged values, so they equal the quartiles of the observations themselves at any moment."""
    domains, write = state_built_for_writes(count=500, seed=6, writes_seed=21)
    since = window_start()
    pairs = {(domain.pk, tier) for domain in domains for tier in SkillTier.values}
    for step in range(8):
        write(25)
        assert counts.waiting() > 0
        expected = postgres.fences(since=since, pairs=pairs)
        assert counts.fences(since=since, pairs=pairs) == expected
        assert {pair for pair, (n, _q1, _q3) in expected.items() if n >= 20}, "some pair has fences to compare"
        if step % 3 == 2:
            counts.apply(since=since)
            assert counts.fences(since=since, pairs=pairs) == expected


def test_the_rollup_pass_takes_its_fences_from_the_state(on_postgresql):
    domain = domain_make()
    observations_seed(count=120, seed=9, domains=[domain])
    engine.rebuild_all()
    row = observation_make(domain=domain, hourly_usd="18.004", tier=SkillTier.ENTRY)
    DirtyCell.objects.create(domain_id=domain.pk, tier=row.tier, country=row.country, kind=row.kind)
    with mock.patch.object(postgres, "fences", side_effect=AssertionError("read every value of the pair")):
        engine.recompute_dirty()
    fence = OutlierFence.objects.get(domain=domain, tier=SkillTier.ENTRY)
    n, q1, q3 = postgres.fences(since=window_start(), pairs={(domain.pk, SkillTier.ENTRY)})[(domain.pk, row.tier)]
    assert (fence.observations, fence.q1_log, fence.q3_log) == (n, q1, q3)


def test_a_state_that_still_holds_a_month_that_left_is_not_asked_for_fences(on_postgresql):
    domain = domain_make()
    old, new = this_month() - relativedelta(months=12), this_month()
    for i in range(12):
        observation_make(domain=domain, hourly_usd=10 + i, period=old, tier=SkillTier.ENTRY)
        observation_make(domain=domain, hourly_usd=40 + i, period=new, tier=SkillTier.ENTRY)
    counts.build(since=old, stats=postgres.compute(since=old))
    later = old + relativedelta(months=1)
    assert counts.holds(since=old) and not counts.holds(since=later)
    pair = (domain.pk, SkillTier.ENTRY)
    with mock.patch.object(counts, "fences", side_effect=AssertionError("counted the month that left")):
        assert engine._live_fences(since=later, pairs={pair}) == postgres.fences(since=later, pairs={pair})
    assert engine._live_fences(since=later, pairs={pair})[pair][0] == 12
