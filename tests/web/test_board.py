"""The job board and posting detail pages: filters, sorting, pagination, htmx fragments, visibility, applying."""

import itertools
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from postings.choices import DescriptionFormat, PostingStatus
from postings.models import Application
from tests.factories import DraftPostingFactory, PublishedPostingFactory, domain
from tests.web.conftest import count_queries, publish

pytestmark = pytest.mark.django_db

BOARD = "/jobs/"


def test_the_board_lists_published_postings_only(client, company):
    published = PublishedPostingFactory(company=company, title="Published job")
    DraftPostingFactory(company=company, title="Draft job")
    response = client.get(BOARD)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [published]
    assert b"Draft job" not in response.content


def test_the_board_filters_by_domain_minimum_rate_and_text(client, company, owner):
    medicine = publish(company, by=owner, title="Clinical reviewer")
    law = publish(company, by=owner, title="Contract law rater", domain=domain("law"), rate_max=Decimal("90"))
    assert [p.pk for p in client.get(BOARD, {"domain": "law"}).context["page"]] == [law.pk]
    assert [p.pk for p in client.get(BOARD, {"min_usd": "80"}).context["page"]] == [law.pk]
    assert [p.pk for p in client.get(BOARD, {"q": "clinical"}).context["page"]] == [medicine.pk]


def test_a_country_filter_includes_worldwide_jobs_and_worldwide_only_excludes_the_rest(client, company, owner):
    us = publish(company, by=owner, title="US job", country="US")
    anywhere = publish(company, by=owner, title="Anywhere job", country="")
    publish(company, by=owner, title="Indian job", country="IN")
    assert {p.pk for p in client.get(BOARD, {"country": "US"}).context["page"]} == {us.pk, anywhere.pk}
    assert [p.pk for p in client.get(BOARD, {"worldwide": "true"}).context["page"]] == [anywhere.pk]


def test_the_board_sorts_by_newest_or_highest_rate(client, company, owner):
    cheap = publish(company, by=owner, title="Cheap", rate_min=Decimal("10"), rate_max=Decimal("12"))
    dear = publish(company, by=owner, title="Dear", rate_min=Decimal("90"), rate_max=Decimal("120"))
    assert [p.pk for p in client.get(BOARD).context["page"]] == [dear.pk, cheap.pk]  # newest first
    cheap_again = publish(company, by=owner, title="Cheap again", rate_min=Decimal("10"), rate_max=Decimal("11"))
    by_rate = [p.pk for p in client.get(BOARD, {"sort": "rate"}).context["page"]]
    assert by_rate == [dear.pk, cheap.pk, cheap_again.pk]


def test_filters_live_in_the_url_and_page_links_keep_them(client, company):
    for n in range(22):
        PublishedPostingFactory(company=company, title=f"Job {n}")
    response = client.get(BOARD, {"domain": "medicine"})
    assert response.context["page"].paginator.num_pages == 2
    assert b"?domain=medicine&amp;page=2" in response.content
    second = client.get(BOARD, {"domain": "medicine", "page": "2"})
    assert len(second.context["page"].object_list) == 2


def test_an_htmx_request_gets_only_the_results_fragment(client, company):
    PublishedPostingFactory(company=company, title="Fragment job")
    response = client.get(BOARD, headers={"HX-Request": "true"})
    assert b"Fragment job" in response.content
    assert b"<html" not in response.content
    assert "HX-Request" in response["Vary"]
    full = client.get(BOARD)
    assert b"<html" in full.content


def test_an_invalid_filter_says_so_instead_of_failing(client):
    response = client.get(BOARD, {"min_usd": "lots"})
    assert response.status_code == 200
    assert b"Some filters were not understood" in response.content


def test_a_bad_minimum_is_named_as_a_person_would_and_the_other_filters_still_apply(client):
    medicine = PublishedPostingFactory(title="Radiology ranking")
    PublishedPostingFactory(title="Contract review", domain=domain("law"))
    response = client.get(BOARD, {"min_usd": "-5", "domain": "medicine"})
    assert [p.pk for p in response.context["page"].object_list] == [medicine.pk]  # the domain filter still applies
    content = response.content.decode()
    assert "Minimum USD an hour</a>: Ensure this value is greater than or equal to 0." in content
    assert "min_usd:" not in content
    assert 'aria-invalid="true"' in content
    # The field takes any number, so the browser never blocks the live filtering with its own validation.
    field = re.search(r'<input type="number" name="min_usd"[^>]*>', content).group(0)
    assert ' min="' not in field
    # With htmx, the message is placed beside the field, and cleared once the value is fine.
    fragment = client.get(BOARD, {"min_usd": "-5"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<span id="error-min_usd" class="field-error" hx-swap-oob="true">Ensure this value' in fragment
    fixed = client.get(BOARD, {"min_usd": "5"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<span id="error-min_usd" class="field-error" hx-swap-oob="true"></span>' in fixed


def test_the_board_runs_the_same_number_of_queries_for_any_page_size(client, company):
    PublishedPostingFactory.create_batch(2, company=company)
    few = count_queries(client, BOARD)
    PublishedPostingFactory.create_batch(15, company=company)
    many = count_queries(client, BOARD)
    # the count, the page (company, domain, currency joined), the domain choices, the display currencies
    assert few == many == 4


# --- Posting detail -----------------------------------------------------------------------------------------------


def test_a_published_posting_shows_its_band_in_its_currency_and_in_usd(client, company, owner):
    posting = publish(company, by=owner, rate_min=Decimal("4000"), rate_max=Decimal("5000"), unit="month")
    response = client.get(reverse("postings:detail", args=[posting.pk]))
    content = response.content.decode()
    assert "4,000.00–5,000.00 USD per month" in content
    assert f"${posting.rate_min_usd:.2f}–${posting.rate_max_usd:.2f}" in content


def test_a_posting_against_the_market_names_its_cell_or_says_there_is_too_little_data(client, company, owner, market):
    posting = publish(company, by=owner, domain=domain("generalist"), tier="skilled", rate_min=20, rate_max=30)
    from benchmarks import engine

    engine.rebuild_all()
    content = client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    assert "Cell used: <strong>Generalist · Skilled · United States of America</strong>" in content
    assert 'data-chart="posting-chart"' in content
    lonely = publish(company, by=owner, domain=domain("law"), title="Lonely")
    content = client.get(reverse("postings:detail", args=[lonely.pk])).content.decode()
    assert "Not enough market data yet" in content
    assert "percentile" not in content.split("Against the market")[1].split("</section>")[0]


def test_a_draft_is_not_found_by_the_public_or_another_company(client, company, other_owner):
    draft = DraftPostingFactory(company=company)
    url = reverse("postings:detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(other_owner)
    assert client.get(url).status_code == 404


def test_a_markdown_description_is_rendered_and_sanitised(client, company):
    posting = PublishedPostingFactory(
        company=company,
        description="**Bold** [link](https://example.com)\n\n<script>alert(1)</script><img src=x onerror=alert(1)>",
        description_format=DescriptionFormat.MARKDOWN,
    )
    content = client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    assert "<strong>Bold</strong>" in content
    assert 'href="https://example.com"' in content
    assert "<script>alert" not in content
    assert "onerror" not in content


def test_a_plain_description_is_escaped(client, company):
    posting = PublishedPostingFactory(company=company, description="<b>not bold</b> **not markdown**")
    content = client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    assert "&lt;b&gt;not bold&lt;/b&gt; **not markdown**" in content


def test_a_trainer_applies_once_on_the_portal(trainer_client, trainer, company):
    posting = PublishedPostingFactory(company=company)
    url = reverse("postings:apply", args=[posting.pk])
    response = trainer_client.post(url, {"cover_letter": "I am a nurse."}, follow=True)
    assert "You applied" in response.content.decode()
    application = Application.objects.get(posting=posting, trainer=trainer)
    assert application.cover_letter == "I am a nurse."
    again = trainer_client.post(url, {"cover_letter": "Again"}, follow=True)
    assert "already applied" in again.content.decode()
    assert Application.objects.filter(posting=posting).count() == 1


def test_applying_needs_a_login_and_a_trainer_profile(client, owner, company):
    posting = PublishedPostingFactory(company=company)
    url = reverse("postings:apply", args=[posting.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(owner)
    response = client.post(url)
    assert response["Location"] == reverse("trainers:profile")
    assert not Application.objects.exists()


def test_a_posting_with_an_apply_url_links_out_and_takes_no_applications_here(trainer_client, company):
    posting = PublishedPostingFactory(company=company, apply_url="https://jobs.example.com/42")
    content = trainer_client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    assert 'href="https://jobs.example.com/42"' in content
    response = trainer_client.post(reverse("postings:apply", args=[posting.pk]), follow=True)
    assert "takes applications on its own site" in response.content.decode()
    assert not Application.objects.exists()


def test_a_closed_posting_leaves_the_board_but_its_page_stays_marked_closed(client, company, owner):
    from postings.services import posting_close

    posting = publish(company, by=owner)
    posting_close(posting=posting, by=owner)
    assert posting.__class__.objects.get(pk=posting.pk).status == PostingStatus.CLOSED
    content = client.get(reverse("postings:detail", args=[posting.pk])).content.decode()
    assert "This posting is closed and no longer takes applications." in content
    assert f"/jobs/{posting.pk}/apply/" not in content
    assert not client.get(BOARD).context["page"].object_list


def test_drafts_stay_unreadable_to_others_while_ended_postings_are_not(client, company, owner):
    draft = DraftPostingFactory(company=company)
    assert client.get(reverse("postings:detail", args=[draft.pk])).status_code == 404
    expired = PublishedPostingFactory(company=company)
    type(expired).objects.filter(pk=expired.pk).update(status=PostingStatus.EXPIRED)
    content = client.get(reverse("postings:detail", args=[expired.pk])).content.decode()
    assert "This posting is expired and no longer takes applications." in content


def test_each_filter_left_open_reads_any_and_never_a_row_of_dashes(client):
    content = client.get(BOARD).content.decode()
    assert "---------" not in content
    for label in ("Any domain", "Any tier", "Any country", "Any engagement"):
        assert content.count(f">{label}</option>") == 1


@pytest.mark.parametrize(
    ("terms", "shown"),
    [
        ({"unit": "task", "minutes_per_task": Decimal("10"), "rate_min": 2, "rate_max": 3},
         "USD per task (10 min a task)"),
        ({"unit": "project", "project_hours": Decimal("120.5"), "rate_min": 1000, "rate_max": 1500},
         "USD per project (a 120.5-hour project)"),
    ],
)  # fmt: skip
def test_per_task_and_per_project_bands_show_their_basis_on_the_card_and_the_page(client, terms, shown):
    posting = PublishedPostingFactory(**terms)
    assert shown in client.get(BOARD).content.decode()
    assert shown in client.get(reverse("postings:detail", args=[posting.pk])).content.decode()


def test_the_board_heading_levels_do_not_skip(client):
    PublishedPostingFactory()
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", client.get(BOARD).content.decode())]
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels)), levels
