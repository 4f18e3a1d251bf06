"""benchmarks/, benchmarks/history/, benchmarks/position/ and report/: filters, suppression, CSV, conditional GET."""

import csv
import datetime
import io
import time
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import engine, freshness
from benchmarks.models import BenchmarkCell, DirtyCell
from portal.api.views import benchmarks as benchmarks_views
from tests.factories import domain

URL = "/api/v1/benchmarks/"
pytestmark = pytest.mark.django_db


def _cells(response) -> dict:
    return {cell["key"]: cell for cell in response.json()["results"]}


def _all(api, url, **params) -> list:
    """Every result of a list, following the cursor links."""
    results, response = [], api.get(url, {**params, "page_size": 3})
    while True:
        assert response.status_code == 200
        results += response.json()["results"]
        if not response.json()["next"]:
            return results
        response = api.get(response.json()["next"])


def test_benchmarks_are_public_and_filterable_by_domain_tier_country_and_kind(api, market):
    response = api.get(URL, {"domain": "generalist", "tier": "entry", "country": "US", "kind": "reported"})
    assert response.status_code == 200
    [cell] = response.json()["results"]
    assert (cell["domain"], cell["tier"], cell["country"], cell["kind"]) == ("generalist", "entry", "US", "reported")
    # 12 contributors are published as the band "10–14"; the number is its lower bound
    assert (cell["contributors"], cell["contributors_band"], cell["contributors_display"]) == (10, "10–14", "10–14")
    assert (cell["observations"], cell["observations_band"], cell["counts_withheld"]) == (10, "10–14", False)
    assert cell["p10"] is not None and cell["p50"] == pytest.approx(17.5)
    assert response.json()["last_updated"]


def test_the_all_values_cells_are_asked_for_with_a_star(api, market):
    response = api.get(URL, {"domain": "*", "tier": "*", "country": "*"})
    [cell] = response.json()["results"]
    assert (cell["contributors"], cell["contributors_band"]) == (15, "15–19")


def test_a_suppressed_cell_reveals_no_figures_in_json(api, market):
    cells = _cells(api.get(URL, {"domain": "law", "page_size": 100}))
    assert cells
    for cell in cells.values():
        assert cell["suppressed"] is True
        assert cell["contributors_display"] == "fewer than 5"
        assert cell["counts_withheld"] is False
        for name in ("contributors", "contributors_band", "observations", "observations_band", "sources", "platforms",
                     "p10", "p25", "p50", "p75", "p90"):  # fmt: skip
            assert cell[name] is None


def test_a_suppressed_cell_reveals_no_figures_in_csv(api, market):
    response = api.get(URL, {"domain": "law", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows
    for row in rows:
        assert row["suppressed"] == "True"
        assert all(row[name] == "" for name in ("contributors", "observations", "p10", "p25", "p50", "p75", "p90"))
    assert "150" not in response.content.decode()


def test_csv_is_also_chosen_by_the_accept_header_and_lists_every_row(api, market):
    response = api.get(URL, HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(_all(api, URL))


@pytest.mark.parametrize("url", [URL, URL + "history/"])
def test_a_csv_error_names_the_field_and_what_is_accepted_in_plain_words(api, url):
    response = api.get(url, {"format": "csv", "domain": "astrology", "tier": "guru"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["detail"].startswith("domain: Unknown domain 'astrology'; see /api/v1/domains/.; tier: "), row
    assert "ErrorDetail" not in row["detail"] and "[" not in row["detail"]


def test_a_csv_refusal_without_a_field_keeps_its_sentence(make_partner):
    _, client = make_partner(scopes="postings:write")
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 403
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["detail"] == "This API key lacks the scope benchmarks:read."


@pytest.mark.parametrize(("url", "name"), [(URL, "benchmarks"), (URL + "history/", "benchmark-history")])
def test_csv_answers_are_downloads_named_after_the_endpoint(api, market, url, name):
    for _ in range(2):  # rendered, then from the answer cache
        response = api.get(url, {"format": "csv"})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{name}.csv"'


def test_published_only_leaves_out_suppressed_cells(api, market):
    cells = _all(api, URL, include_suppressed="false")
    assert cells and not any(cell["suppressed"] for cell in cells)


def test_cursor_pages_list_every_cell_once(api, market):
    every = _all(api, URL)
    keys = [cell["key"] for cell in every]
    assert len(keys) == len(set(keys)) == len(_cells(api.get(URL, {"page_size": 100})))


def test_previous_link_goes_back_a_page(api, market):
    first = api.get(URL, {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert back["results"] == first["results"]


def test_a_bad_cursor_is_404_not_500(api, market):
    assert api.get(URL, {"cursor": "not-a-cursor"}).status_code == 404


def test_unknown_filters_values_are_400(api, market):
    assert api.get(URL, {"domain": "astrology"}).status_code == 400
    assert api.get(URL, {"tier": "guru"}).status_code == 400
    assert api.get(URL, {"country": "XX"}).status_code == 400


def test_an_unchanged_poll_gets_304_by_etag_and_by_date(api, market):
    first = api.get(URL)
    assert first["ETag"] and first["Last-Modified"]
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(URL, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api.get(URL, {"format": "csv"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_rebuild_changes_the_etag(api, market, django_capture_on_commit_callbacks):
    first = api.get(URL)
    with django_capture_on_commit_callbacks(execute=True):
        engine.rebuild_all()
    again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_pass_committing_older_stamps_still_changes_the_etag(api, market, django_capture_on_commit_callbacks):
    """The fast and the rollup pass commit in either order; a commit whose cells carry an older computed_at than
    the newest published one must still change the answer's version (max(computed_at) would not move)."""
    first = api.get(URL)
    newest = BenchmarkCell.objects.order_by("-computed_at").first().computed_at
    DirtyCell.objects.create(domain=domain("generalist"), tier="entry", country="US", kind="reported")
    with (
        mock.patch("benchmarks.engine.timezone.now", return_value=newest - datetime.timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert engine.recompute_dirty()
    assert BenchmarkCell.objects.order_by("-computed_at").first().computed_at == newest
    again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert api.get(URL, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_a_publish_not_yet_seen_by_the_cache_is_found_in_the_database(api, market):
    """With the version gone from the cache (emptied, expired), readers fall back to max(computed_at)."""
    first = api.get(URL)
    cache.delete(freshness.KEY)
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    BenchmarkCell.objects.update(computed_at=timezone.now() + datetime.timedelta(seconds=1))
    cache.delete(freshness.KEY)
    caches["process"].clear()  # the tenth of a second this process may serve its last answer again has passed
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_process_serves_its_answer_again_for_a_moment_only(api, market):
    """Within PROCESS_SECONDS of an answer, the same URL is served again without asking the shared cache; after it,
    a version moved by another process (a worker's publish) is seen."""
    first = api.get(URL)
    cache.set(freshness.KEY, 12345, 60)  # another process published meanwhile: the version moved
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # within the moment
    time.sleep(benchmarks_views.PROCESS_SECONDS + 0.05)
    assert api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_query_count_does_not_grow_with_page_size(api, market):
    api.get(URL)  # the cells' version is read once, then kept in the cache
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(URL, {"page_size": size, "nocache": size}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_key_without_benchmarks_read_is_403_and_with_it_200(make_partner, market):
    _, writer = make_partner("Writer", scopes="surveys:write")
    _, reader = make_partner("Reader", scopes="benchmarks:read")
    assert writer.get(URL).status_code == 403
    assert reader.get(URL).status_code == 200
    assert (
        writer.get("/api/v1/benchmarks/position/", {"domain": "generalist", "tier": "entry", "rate": 15}).status_code
        == 403
    )


def test_history_lists_a_cells_months_suppressed_alike(api, market):
    engine.record_history()
    response = api.get("/api/v1/benchmarks/history/", {"domain": "generalist", "tier": "entry", "country": "US"})
    assert response.status_code == 200
    [point] = response.json()["results"]
    assert (point["contributors"], point["contributors_band"]) == (10, "10–14") and point["month"]
    [law] = api.get("/api/v1/benchmarks/history/", {"domain": "law"}).json()["results"]
    assert law["suppressed"] and law["p50"] is None
    csv_text = api.get("/api/v1/benchmarks/history/", {"domain": "law", "format": "csv"}).content.decode()
    [row] = csv.DictReader(io.StringIO(csv_text))
    assert row["contributors_display"] == "fewer than 5"
    assert [row[p] for p in ("p10", "p25", "p50", "p75", "p90", "contributors", "observations")] == [""] * 7


def test_position_of_a_rate_names_the_cell_used(api, market):
    response = api.get(
        "/api/v1/benchmarks/position/", {"domain": "generalist", "tier": "entry", "country": "US", "rate": "17.50"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["fallback"] == "exact"
    assert body["percentile"] == pytest.approx(50, abs=1)
    assert body["cell"]["key"]


def test_position_of_a_band_in_another_unit_falls_back_to_all_countries(api, market):
    response = api.get(
        "/api/v1/benchmarks/position/",
        {"domain": "generalist", "tier": "entry", "country": "IN", "band_min": 80, "band_max": 200, "unit": "day"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["fallback"] == "all countries"
    assert body["hourly_usd"] == pytest.approx(17.5)
    assert len(body["band_percentiles"]) == 2


def test_position_is_404_when_only_suppressed_cells_exist(api, market):
    response = api.get("/api/v1/benchmarks/position/", {"domain": "law", "tier": "expert", "rate": 150})
    assert response.status_code == 404


def test_position_needs_a_rate_or_a_band(api, market):
    assert api.get("/api/v1/benchmarks/position/", {"domain": "law", "tier": "expert"}).status_code == 400
    assert api.get("/api/v1/benchmarks/position/", {"domain": "law", "tier": "expert", "rate": 0.01}).status_code == 400


def test_report_returns_the_live_figures_and_hides_suppressed_ones(api, market):
    response = api.get("/api/v1/report/")
    assert response.status_code == 200
    assert isinstance(response.json(), dict)
    assert "150.0" not in response.content.decode()
