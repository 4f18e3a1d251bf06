"""benchmarks/history/: every point of a cell, in JSON pages and in one CSV, described in the schema."""

import csv
import io

import pytest

from portal.api.benchmark_serializers import HistoryPointSerializer
from tests.benchmarks.history_factories import history_make
from tests.factories import domain

pytestmark = pytest.mark.django_db

URL = "/api/v1/benchmarks/history/"


def test_every_point_comes_back_in_json_pages_and_in_one_csv(api):
    history_make(domain=domain("law"), medians=[40.0 + n for n in range(30)])
    months, url = [], URL + "?domain=law"
    while url:
        body = api.get(url).json()
        months += [point["month"] for point in body["results"]]
        url = body["next"]
    assert len(months) == 30 and months == sorted(months)
    rows = list(csv.DictReader(io.StringIO(api.get(URL, {"domain": "law", "format": "csv"}).content.decode())))
    assert [row["month"] for row in rows] == months
    assert rows[-1]["p50"] == "69.0"


def test_a_suppressed_month_has_no_statistics(api):
    history_make(domain=domain("law"), medians=[40.0, None])
    last = api.get(URL, {"domain": "law"}).json()["results"][-1]
    assert last["suppressed"] and last["contributors_display"] == "fewer than 5"
    assert [last[name] for name in ("p10", "p25", "p50", "p75", "p90", "contributors")] == [None] * 6


@pytest.mark.parametrize("url", [URL, "/api/v1/benchmarks/"])
def test_an_empty_csv_still_has_its_header_row(api, url):
    response = api.get(url, {"domain": "law", "format": "csv"})
    assert response.status_code == 200
    header = response.content.decode().splitlines()
    assert len(header) == 1
    assert header[0].split(",")[:3] == ["key", "domain", "domain_name"]
    if url == URL:
        assert header[0].split(",") == list(HistoryPointSerializer().fields)


def test_a_refused_filter_in_csv_keeps_its_message(api):
    response = api.get(URL, {"domain": "nope", "format": "csv"})
    assert response.status_code == 400
    assert response.content.decode().splitlines()[0] == "detail"


def test_the_schema_says_what_a_point_is(client):
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = document["paths"]["/api/v1/benchmarks/history/"]["get"]
    assert "12-month window ending with its `month`" in operation["description"]
    point = document["components"]["schemas"]["HistoryPoint"]
    assert "window" in point["description"]
    assert "First day of the month" in point["properties"]["month"]["description"]
