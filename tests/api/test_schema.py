"""The OpenAPI schema, and the API checked against it by Schemathesis: no 5xx, no answer the schema does not allow."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from portal.wsgi import application

pytestmark = pytest.mark.django_db


# Loaded from the WSGI application itself; reading the schema touches no database. The coverage phase (every enum
# value and boundary of every parameter: 250 countries on the job board alone) would take minutes; the examples and
# fuzzing phases, positive and negative, keep the run well under a minute.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


@pytest.fixture
def keep_connection():
    """Keep the test's database connection across WSGI calls, as Django's test client does.

    Schemathesis calls the WSGI application directly, so Django's request signals would close the connection (and
    with it the test's transaction) after every request on PostgreSQL.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_conforms_to_its_schema(case, market, partner, keep_connection):
    """Every operation, called with a partner key holding every scope, over a market with published cells."""
    case.call_and_validate(
        headers={"Authorization": f"Api-Key {partner[1].key}"},
        checks=[
            checks.not_a_server_error,
            openapi_checks.status_code_conformance,
            openapi_checks.content_type_conformance,
            openapi_checks.response_schema_conformance,
        ],
    )


def test_the_schema_describes_every_endpoint_and_the_key(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    paths = set(document["paths"])
    for name in ("benchmarks", "benchmarks/history", "benchmarks/position", "report", "postings", "postings/{id}",
        "surveys/batch", "domains", "tiers", "platforms", "currencies", "units"):  # fmt: skip
        assert f"/api/v1/{name}/" in paths
    assert document["components"]["securitySchemes"]["PartnerApiKey"]["in"] == "header"
    batch = document["paths"]["/api/v1/surveys/batch/"]["post"]
    assert {"200", "400", "401", "403", "422", "429"} <= set(batch["responses"])


def test_the_docs_page_is_served_without_a_cdn(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "cdn." not in text and "unpkg" not in text and "jsdelivr" not in text
    assert client.get("/api/docs/?script=").status_code == 200


def test_unknown_api_paths_answer_json_404_and_missing_slashes_redirect(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["detail"]
    assert api.get("/api/v1/postings/abc/").status_code == 404
    redirect = api.get("/api/v1/domains?page_size=2")
    assert redirect.status_code == 301 and redirect["Location"] == "/api/v1/domains/?page_size=2"


@pytest.mark.parametrize("path", ["/api/v1/postings/%0A*%0C/submit/", "/api/v1/%0A", "/api/v1/postings/1/%0D%0A/"])
def test_unknown_api_paths_with_line_breaks_answer_json_404_too(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "No such endpoint; see /api/v1/schema/."
