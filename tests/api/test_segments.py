"""benchmarks/ and benchmarks/history/ with platform=<slug> and verified=true: the segment cells, their rules and
errors that name the field."""

import pytest

from benchmarks import engine
from trainers.choices import Verification
from trainers.models import PaySurvey
from trainers.services import sync_observations

URL = "/api/v1/benchmarks/"
HISTORY = "/api/v1/benchmarks/history/"
pytestmark = pytest.mark.django_db


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_platforms_cells_are_its_reported_pay_by_domain_and_tier_over_all_countries(api, market):
    cells = _results(api.get(URL, {"platform": "outlier", "page_size": 100}))
    assert cells
    assert {(c["segment"], c["platform"], c["kind"], c["country"]) for c in cells} == {
        (cells[0]["segment"], "outlier", "reported", "*")
    }
    assert cells[0]["segment"].startswith("platform:")
    generalist = next(c for c in cells if (c["domain"], c["tier"]) == ("generalist", "entry"))
    assert (generalist["contributors_band"], generalist["p50"], generalist["segment_label"]) == (
        "10–14",
        17.5,
        "Outlier",
    )
    law = next(c for c in cells if (c["domain"], c["tier"]) == ("law", "expert"))
    assert law["suppressed"] and law["p50"] is None and law["contributors"] is None


def test_without_a_segment_the_cells_of_every_observation_come_as_before(api, market):
    cells = _results(api.get(URL, {"page_size": 100}))
    assert {c["segment"] for c in cells} == {""}


def test_verified_only_cells_appear_once_surveys_are_document_verified(api, market):
    assert _results(api.get(URL, {"verified": "true"})) == []
    surveys = list(PaySurvey.objects.filter(domain__slug="generalist"))
    for survey in surveys:
        survey.verification = Verification.DOCUMENT
    PaySurvey.objects.bulk_update(surveys, ["verification"])
    sync_observations(surveys)
    engine.rebuild_all()
    [cell] = _results(api.get(URL, {"verified": "true", "domain": "generalist", "tier": "entry", "country": "US"}))
    assert (cell["segment"], cell["segment_label"], cell["p50"], cell["verified_share"]) == (
        "verified", "Verified only", 17.5, 100
    )  # fmt: skip
    [whole] = _results(api.get(URL, {"domain": "*", "tier": "*", "country": "*"}))
    assert whole["verified_share"] == 80  # 12 of 15
    [everyone] = _results(api.get(URL, {"verified": "true", "domain": "*", "tier": "*", "country": "*"}))
    assert everyone["suppressed"]  # the 3 unverified law trainers could be read off by subtraction
    assert everyone["contributors_display"] == "not shown: fewer than 5 outside it"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"platform": "nowhere"}, "platform", "Unknown platform 'nowhere'; see /api/v1/platforms/."),
        ({"verified": "maybe"}, "verified", 'Use "true" or "false".'),
        ({"platform": "outlier", "verified": "true"}, "verified", "not published per platform"),
        ({"platform": "outlier", "country": "US"}, "country", "over all countries"),
        ({"platform": "outlier", "kind": "advertised"}, "kind", "reported pay"),
    ],
)
@pytest.mark.parametrize("url", [URL, HISTORY])
def test_a_bad_segment_is_a_400_naming_its_field(api, market, url, params, field, message):
    response = api.get(url, params)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_a_platforms_history_has_monthly_points(api, market):
    engine.backfill_history()
    points = _results(api.get(HISTORY, {"platform": "outlier", "domain": "generalist", "tier": "entry"}))
    assert points and points[-1]["segment_label"] == "Outlier"
    assert points[-1]["p50"] == 17.5


def test_the_schema_documents_the_segment_filters(api):
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    for path in ("/api/v1/benchmarks/", "/api/v1/benchmarks/history/"):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"platform", "verified"} <= names
