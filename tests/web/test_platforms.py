"""Pay by platform and verified-only figures on the pages: /platforms/, a platform's page, the explorer's table by
platform and its verified share, and the "verified only" toggle of the explorer and the report (plain GET)."""

from html.parser import HTMLParser

import pytest

from benchmarks import engine
from tests.factories import platform
from trainers.choices import Verification
from trainers.services import sync_observations

from .conftest import file_surveys

pytestmark = pytest.mark.django_db


VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr"}


class _Element(HTMLParser):
    """The text and attributes of the element with one id, and the hrefs of the links inside it."""

    def __init__(self, wanted: str):
        super().__init__()
        self.wanted, self.depth, self.found = wanted, 0, False
        self.attrs: dict = {}
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag == "a":
                self.links.append(attrs.get("href", ""))
            if tag not in VOID:
                self.depth += 1
        elif attrs.get("id") == self.wanted:
            self.found, self.attrs = True, attrs
            self.depth = 0 if tag in VOID else 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


class Page:
    def __init__(self, response):
        assert response.status_code == 200, response.status_code
        self.html = response.content.decode()

    def element(self, element_id: str) -> _Element | None:
        parser = _Element(element_id)
        parser.feed(self.html)
        return parser if parser.found else None

    def text(self, element_id: str) -> str:
        found = self.element(element_id)
        assert found is not None, element_id
        return " ".join(" ".join(found.text).split())


def soup(response) -> Page:
    return Page(response)


def verify(surveys) -> None:
    for survey in surveys:
        survey.verification = Verification.DOCUMENT
        survey.save(update_fields=["verification"])
    sync_observations(surveys)


def test_the_platform_list_shows_platforms_with_published_figures_only(client, market):
    page = soup(client.get("/platforms/"))
    assert page.element("platforms-table").links == ["/platforms/outlier/"]
    row = page.text("platforms-table")
    assert "Outlier" in row and "10–14" in row and "25.50" in row


def test_a_platform_page_shows_its_median_middle_half_bands_and_verified_share(client, market):
    verify(market[:6])
    engine.rebuild_all()
    engine.backfill_history()
    page = soup(client.get("/platforms/outlier/"))
    assert page.text("platform-median") == "$25.50"
    assert page.text("platform-contributors") == "10–14"
    assert page.text("platform-verified") == "50 %"
    assert "Generalist" in page.text("platform-domains") and "Skilled" in page.text("platform-tiers")
    assert page.element("platform-trend-table")  # the trend's table of monthly points


def test_an_unknown_platform_is_a_404(client, market):
    assert client.get("/platforms/no-such-platform/").status_code == 404


def test_a_platform_with_too_few_contributors_says_so_and_shows_no_figure(client, db):
    file_surveys(3, platform=platform("mercor"))
    engine.rebuild_all()
    page = soup(client.get("/platforms/mercor/"))
    assert "Not enough contributors yet" in page.text("platform-suppressed")
    assert not page.element("platform-stats") and "$" not in page.text("platform-suppressed")
    assert "/platforms/mercor/" not in soup(client.get("/platforms/")).html


def test_the_explorer_has_a_by_platform_table_and_the_verified_share_of_its_cell(client, market):
    page = soup(client.get("/benchmarks/", {"domain": "generalist", "tier": "skilled"}))
    assert page.element("platforms-table").links == ["/platforms/outlier/"]
    assert page.text("cell-verified") == "0 %"


def test_the_verified_only_toggle_works_without_javascript_on_the_explorer(client, market):
    verify(market)
    engine.rebuild_all()
    page = soup(
        client.get("/benchmarks/", {"domain": "generalist", "tier": "skilled", "country": "US", "verified": "on"})
    )
    assert "checked" in page.element("id_verified").attrs
    assert "verified data only" in page.text("cell-heading")
    assert page.text("cell-median") == "$25.50"
    assert not page.element("platforms-table")  # platforms are not published verified-only


def test_a_verified_only_cell_with_a_small_unverified_rest_is_not_shown_on_the_explorer(client, market):
    verify(market[:9])  # 3 unverified: subtracting would show them
    engine.rebuild_all()
    page = soup(
        client.get("/benchmarks/", {"domain": "generalist", "tier": "skilled", "country": "US", "verified": "on"})
    )
    assert "outside it" in page.text("cell-suppressed")
    assert not page.element("cell-median")


def test_the_report_offers_verified_only_figures_by_a_plain_get(client, market):
    assert "every data point" in soup(client.get("/report/")).text("report-segment")
    page = soup(client.get("/report/", {"verified": "1"}))
    assert "verified data only" in page.text("report-segment")
    assert "checked" in page.element("report-verified").attrs
    response = client.get("/report/report.csv", {"verified": "1"})
    assert response.status_code == 200


def test_a_platform_page_links_each_domain_and_tier_to_the_explorer_comparison(client, market):
    page = soup(client.get("/platforms/outlier/"))
    assert page.element("platform-domain-tiers").links == ["/benchmarks/?domain=generalist&tier=skilled"]
    assert page.element("platform-domains").links == ["/benchmarks/?domain=generalist&tier="]
    assert page.element("platform-tiers").links == ["/benchmarks/?domain=&tier=skilled"]


def test_the_verified_only_explorer_says_why_it_has_no_table_by_platform(client, market):
    verify(market)
    engine.rebuild_all()
    page = soup(client.get("/benchmarks/", {"domain": "generalist", "tier": "skilled", "verified": "on"}))
    assert "untick “Verified data only”" in page.text("platforms-unavailable")
    advertised = soup(client.get("/benchmarks/", {"kind": "advertised"}))
    assert "choose “Reported by trainers”" in advertised.text("platforms-unavailable")
