"""Outlier fences and the dirty marking of the write services."""

import math
from decimal import Decimal
from unittest import mock

import numpy as np
import pytest
from django.db import transaction

from benchmarks import engine, tasks
from benchmarks.choices import ObservationKind, SkillTier
from benchmarks.engine.screening import FenceBook
from benchmarks.models import DirtyCell, OutlierFence
from benchmarks.services import cells_mark_dirty, observation_upsert

from .factories import domain_make, observation_make, source_make, this_month

pytestmark = pytest.mark.django_db


def reported(domain, rates, *, tier=SkillTier.SKILLED):
    source = source_make()
    for rate in rates:
        observation_make(domain=domain, hourly_usd=rate, tier=tier, source=source)


def test_fewer_than_twenty_observations_flag_nothing():
    domain = domain_make()
    reported(domain, [20] * 19)
    assert FenceBook().fences(domain=domain, tier=SkillTier.SKILLED) is None
    assert not FenceBook().is_outlier(domain=domain, tier=SkillTier.SKILLED, hourly_usd=Decimal("1900"))


def test_fences_are_tukey_k3_on_the_logarithm():
    domain = domain_make()
    rates = [10 + i for i in range(20)]
    reported(domain, rates)
    logs = np.log(rates)
    q1, q3 = np.percentile(logs, [25, 75])
    low, high = FenceBook().fences(domain=domain, tier=SkillTier.SKILLED)
    assert float(low) == pytest.approx(math.exp(q1 - 3 * (q3 - q1)))
    assert float(high) == pytest.approx(math.exp(q3 + 3 * (q3 - q1)))
    assert FenceBook().is_outlier(domain=domain, tier=SkillTier.SKILLED, hourly_usd=Decimal("400"))
    assert FenceBook().is_outlier(domain=domain, tier=SkillTier.SKILLED, hourly_usd=Decimal("0.60"))
    assert not FenceBook().is_outlier(domain=domain, tier=SkillTier.SKILLED, hourly_usd=Decimal("45"))


def test_fences_only_look_at_reported_pay_of_the_same_domain_and_tier():
    domain = domain_make()
    reported(domain, [10 + i for i in range(19)])
    reported(domain, [500] * 5, tier=SkillTier.EXPERT)
    observation_make(domain=domain, hourly_usd=500, kind=ObservationKind.ADVERTISED)
    assert FenceBook().fences(domain=domain, tier=SkillTier.SKILLED) is None


def test_fences_come_from_the_engines_table_once_it_has_computed_them(settings):
    domain = domain_make()
    reported(domain, [10 + i for i in range(25)])
    engine.rebuild_all()
    live = FenceBook().fences(domain=domain, tier=SkillTier.SKILLED)
    OutlierFence.objects.filter(domain=domain).update(q1_log=math.log(1), q3_log=math.log(2))
    assert FenceBook().fences(domain=domain, tier=SkillTier.SKILLED) != live  # read from the table, not recomputed
    settings.BENCHMARK_OUTLIER_K = 1.0
    _low, high = FenceBook().fences(domain=domain, tier=SkillTier.SKILLED)
    assert float(high) == pytest.approx(4)  # k is applied when read


def test_the_engine_and_the_live_fallback_agree():
    domain = domain_make()
    reported(domain, [5 * 1.1**i for i in range(30)])
    fallback = FenceBook().fences(domain=domain, tier=SkillTier.SKILLED)
    engine.rebuild_all()
    assert [float(x) for x in FenceBook().fences(domain=domain, tier=SkillTier.SKILLED)] == pytest.approx(
        [float(x) for x in fallback], rel=1e-9
    )


def test_a_recompute_refreshes_the_fences_of_dirty_reported_leaves():
    domain, source = domain_make(), source_make()
    for i in range(21):
        observation_upsert(
            origin=f"s{i}", kind=ObservationKind.REPORTED, domain=domain, tier=SkillTier.ENTRY, country="US",
            period=this_month(), hourly_usd=Decimal(10 + i), source=source, contributor=f"t{i}",
        )  # fmt: skip
    engine.recompute_dirty()
    assert OutlierFence.objects.get(domain=domain, tier=SkillTier.ENTRY).observations == 21


def test_a_moved_observation_marks_its_old_and_its_new_leaf():
    domain, source = domain_make(), source_make()
    fields = {"kind": "reported", "domain": domain, "tier": "entry", "period": this_month(), "source": source}
    observation_upsert(origin="m", country="US", hourly_usd=Decimal(10), contributor="t", **fields)
    engine.recompute_dirty()
    observation_upsert(origin="m", country="IN", hourly_usd=Decimal(10), contributor="t", **fields)
    assert set(DirtyCell.objects.values_list("country", flat=True)) == {"US", "IN"}


def test_one_transaction_enqueues_one_recompute_however_many_leaves_it_marks(django_capture_on_commit_callbacks):
    domain = domain_make()
    with (
        mock.patch.object(tasks.recompute_dirty_cells, "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for country in ("US", "IN", "GB"):
            cells_mark_dirty(leaves=[(domain.pk, "entry", country, "reported")])
    assert enqueue.call_count == 1
    assert DirtyCell.objects.count() == 3


def test_a_rolled_back_savepoint_does_not_lose_the_recompute_of_a_later_write(django_capture_on_commit_callbacks):
    domain = domain_make()
    with (
        mock.patch.object(tasks.recompute_dirty_cells, "apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        try:
            with transaction.atomic():
                cells_mark_dirty(leaves=[(domain.pk, "entry", "US", "reported")])
                raise RuntimeError("row refused")
        except RuntimeError:
            pass
        cells_mark_dirty(leaves=[(domain.pk, "entry", "IN", "reported")])
    assert enqueue.call_count == 1


def test_a_fence_book_reads_each_pair_once_until_it_is_older_than_its_max_age(django_assert_num_queries):
    domain = domain_make()
    reported(domain, [10 + i for i in range(25)])
    engine.rebuild_all()
    book = FenceBook(max_age=3600)
    with django_assert_num_queries(1):  # every published fence in one query, then nothing more
        first = book.fences(domain=domain, tier=SkillTier.SKILLED)
        for _ in range(50):
            assert book.fences(domain=domain, tier=SkillTier.SKILLED) == first
    OutlierFence.objects.filter(domain=domain).update(q1_log=math.log(1), q3_log=math.log(2))
    assert book.fences(domain=domain, tier=SkillTier.SKILLED) == first  # still within its max age
    assert FenceBook(max_age=0).fences(domain=domain, tier=SkillTier.SKILLED) != first  # an expired book re-reads
