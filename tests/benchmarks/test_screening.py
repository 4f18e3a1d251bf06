"""Outlier screening: fences from every value an admin has not rejected, re-screening, and figures that depend on
the data alone, never on the order it arrived in."""

import itertools
import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import engine
from benchmarks.engine import portable
from benchmarks.models import BenchmarkCell, Observation, OutlierFence
from benchmarks.querysets import window_start
from tests.factories import StaffFactory, TrainerFactory, survey_fields, this_month
from trainers.choices import SurveyStatus
from trainers.ingestion import ingest_rows
from trainers.models import PaySurvey
from trainers.services import survey_accept_flagged, survey_reject, survey_submit

pytestmark = pytest.mark.django_db

_rng = random.Random(61395)
# Two (domain, tier) pairs of real-looking pay: a tight cluster, a long honest tail, and a few true outliers.
VALUES = {
    ("generalist", "skilled"): [
        *(round(15 + _rng.random(), 2) for _ in range(24)),
        *(round(_rng.lognormvariate(3.0, 0.45), 2) for _ in range(26)),
        0.6,
        1500,
    ],
    ("medicine", "expert"): [*(round(_rng.lognormvariate(4.4, 0.3), 2) for _ in range(28)), 1900, 1.2],
}
ROWS = [
    {
        "external_id": f"{domain}-{tier}-{n}",
        "period": this_month().strftime("%Y-%m"),
        "platform": "Outlier",
        "domain": domain,
        "skill_tier": tier,
        "country": "US" if n % 3 else "GB",
        "currency": "USD",
        "amount": str(value),
        "unit": "hour",
    }
    for (domain, tier), values in VALUES.items()
    for n, value in enumerate(values)
]


def _expected_flagged() -> set[str]:
    """The methodology, stated with numpy: Tukey fences (k = 3) on log pay from every value of the pair."""
    flagged = set()
    for (domain, tier), values in VALUES.items():
        logs = np.log(np.array(values, dtype=float))
        q1, q3 = np.percentile(logs, [25, 75], method="linear")
        low, high = q1 - 3 * (q3 - q1), q3 + 3 * (q3 - q1)
        flagged |= {f"{domain}-{tier}-{n}" for n, value in enumerate(logs) if not low <= value <= high}
    return flagged


FLAGGED = _expected_flagged()


def _import(rows, source, *, rescreen=False) -> None:
    ingest_rows(enumerate(rows, start=1), source=source, rescreen=rescreen)


def _outcome() -> tuple[dict, dict]:
    """(every stored cell's numbers, every row's status), keyed so that two databases can be compared."""
    cells = {}
    for cell in BenchmarkCell.objects.select_related("domain"):
        key = cell.cell_key.split("|", 1)[1] + f"|{cell.domain.slug if cell.domain else '*'}"
        percentiles = (cell.p10, cell.p25, cell.p50, cell.p75, cell.p90)
        counts = (cell.contributors, cell.independent, cell.observations, cell.sources, cell.platforms)
        cells[key] = (*counts, *(round(p, 6) for p in percentiles))
    statuses = dict(PaySurvey.objects.values_list("external_id", "status"))
    return cells, statuses


def _clear() -> None:
    PaySurvey.objects.all().delete()
    Observation.objects.all().delete()
    BenchmarkCell.objects.all().delete()
    OutlierFence.objects.all().delete()


@pytest.fixture
def source():
    from benchmarks.choices import SourceKind
    from benchmarks.sources import source_get_or_create

    return source_get_or_create(slug="real-file", name="A real file", kind=SourceKind.IMPORT)


def test_values_sorted_low_first_are_not_judged_against_the_narrow_fence_of_the_first_rows(source):
    # The first 20 rows of a file sorted by pay are the lowest: a fence learned from them alone flags most of the rest.
    _import(sorted(ROWS, key=lambda row: float(row["amount"])), source)
    engine.rebuild_all()
    flagged = set(PaySurvey.objects.filter(status=SurveyStatus.FLAGGED).values_list("external_id", flat=True))
    assert flagged == FLAGGED
    assert {"generalist-skilled-50", "generalist-skilled-51", "medicine-expert-28", "medicine-expert-29"} <= FLAGGED


def test_the_end_of_an_import_converges_every_status_it_touched(source):
    summary = ingest_rows(
        enumerate(sorted(ROWS, key=lambda row: float(row["amount"])), 1), source=source, rescreen=True
    )
    flagged = set(PaySurvey.objects.filter(status=SurveyStatus.FLAGGED).values_list("external_id", flat=True))
    assert flagged == FLAGGED
    assert summary.flagged_after == len(FLAGGED)
    assert f"{len(FLAGGED)} of the {len(ROWS)} filed rows are flagged" in summary.line()


@pytest.fixture(params=["database", "portable"])
def computed_by(request, monkeypatch):
    """Both engines: the database's own (SQL on PostgreSQL) and the Python one, on the same database."""
    if request.param == "portable":
        monkeypatch.setattr(engine, "_backend", lambda name=None: portable)
    return request.param


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(len(ROWS))), cuts=st.lists(st.integers(1, len(ROWS) - 1), max_size=3))
def test_any_order_in_any_number_of_files_gives_the_same_cells_and_statuses(source, computed_by, order, cuts):
    _clear()
    _import(ROWS, source)
    engine.rebuild_all()
    expected = _outcome()
    _clear()
    shuffled = [ROWS[i] for i in order]
    bounds = [0, *sorted(set(cuts)), len(shuffled)]
    for start, end in itertools.pairwise(bounds):
        _import(shuffled[start:end], source, rescreen=bool(start % 2))
        engine.recompute_dirty()  # the live passes between files: fences refreshed and re-screened as data grows
    engine.rebuild_all()
    assert _outcome() == expected


def _market(values) -> list[PaySurvey]:
    return [survey_submit(trainer=TrainerFactory(), **survey_fields(amount=Decimal(str(v)))).survey for v in values]


def test_a_flagged_value_is_released_when_the_data_shows_it_is_ordinary():
    _market([20 + n % 5 for n in range(25)])
    [high] = _market([300])
    assert high.status == SurveyStatus.FLAGGED
    _market([280 + n for n in range(30)])  # the market turns out to be wide
    engine.rebuild_all()
    high.refresh_from_db()
    assert (high.status, high.status_reason) == (SurveyStatus.ACCEPTED, "")
    assert not Observation.objects.get(origin=high.origin).flagged
    assert high.history.first().status == SurveyStatus.ACCEPTED  # the change is in the survey's history


def test_an_accepted_value_is_flagged_when_the_fences_close_in_on_it():
    [wide] = _market([90])
    _market([20 + n % 5 for n in range(40)])
    wide.refresh_from_db()
    assert wide.status == SurveyStatus.ACCEPTED  # too few values to screen when it was filed
    engine.rebuild_all()
    wide.refresh_from_db()
    assert wide.status == SurveyStatus.FLAGGED
    cell = BenchmarkCell.objects.get(cell_key__startswith=f"{wide.domain_id}|skilled|US|")
    assert cell.observations == 40


def test_an_admins_decision_stands_through_re_screening():
    _market([20 + n % 5 for n in range(25)])
    kept, thrown = _market([900, 800])
    kept = survey_accept_flagged(survey=kept, reviewer=StaffFactory())
    thrown = survey_reject(survey=thrown, reviewer=StaffFactory(), reason="A typo: per day, not per hour.")
    engine.rebuild_all()
    kept.refresh_from_db()
    thrown.refresh_from_db()
    assert (kept.status, thrown.status) == (SurveyStatus.ACCEPTED, SurveyStatus.REJECTED)
    assert not Observation.objects.filter(origin=thrown.origin).exists()  # a rejected value feeds no fence
    fence = OutlierFence.objects.get(domain=kept.domain, tier=kept.tier)
    assert fence.observations == 26


def test_the_fences_count_flagged_values_too():
    _market([20 + n % 5 for n in range(25)])
    _market([1900])
    engine.rebuild_all()
    fence = OutlierFence.objects.get()
    assert fence.observations == 26
    assert Observation.objects.filter(flagged=True).count() == 1


def test_a_pairs_fences_are_the_same_asked_alone_as_with_every_pair(source):
    _import(ROWS, source)
    backend, since = engine._backend(), window_start()
    every = backend.fences(since=since)
    pairs = sorted(set(Observation.objects.values_list("domain_id", "tier")))
    assert set(every) == set(pairs) and len(pairs) == 2
    empty = (pairs[0][0], "top_expert")  # a pair without values has no fences
    assert backend.fences(since=since, pairs={pairs[0], empty}) == {pairs[0]: every[pairs[0]]}
    assert backend.fences(since=since, pairs=set()) == {}
