"""The short cut of content negotiation chooses exactly what DRF's own negotiation chooses."""

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from portal.api.negotiation import PortalContentNegotiation
from portal.api.renderers import CSVRenderer

RENDERERS = [JSONRenderer(), BrowsableAPIRenderer(), CSVRenderer()]


def choice(negotiation, request, renderers=RENDERERS):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except NotAcceptable:
        return "406"
    return type(renderer), media_type


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/csv", "text/html,*/*;q=0.8",
                                    "application/json; indent=4", "application/*"])  # fmt: skip
@pytest.mark.parametrize("query", ["", "domain=law", "format=csv", "form%61t=csv", "domain=law&format=json"])
def test_the_short_cut_chooses_what_drf_chooses(accept, query):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/api/v1/benchmarks/?" + query, **headers))
    assert choice(PortalContentNegotiation(), request) == choice(DefaultContentNegotiation(), request)


def test_a_view_whose_first_renderer_is_not_json_is_negotiated_by_drf():
    request = Request(APIRequestFactory().get("/api/v1/benchmarks/"))
    assert choice(PortalContentNegotiation(), request, [CSVRenderer(), JSONRenderer()]) == (CSVRenderer, "text/csv")
