"""The saved-search pages of the trainer workspace, and the job board's "Save this search"."""

import pytest
from django.urls import reverse

from alerts.models import SavedSearch
from alerts.searches import saved_search_create
from tests.factories import TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


def test_the_board_offers_to_save_its_current_filter_to_a_signed_in_person_only(client, trainer):
    board = reverse("postings:board") + "?domain=medicine&min_usd=40"
    assert "Save this search" not in client.get(board).content.decode()
    client.force_login(trainer.user)
    page = client.get(board).content.decode()
    assert reverse("alerts:search_create") + "?domain=medicine&amp;min_usd=40" in page


def test_the_save_page_starts_from_the_board_filter_and_saves_it(trainer_client, trainer):
    page = trainer_client.get(reverse("alerts:search_create") + "?domain=medicine&min_usd=40").content.decode()
    assert 'value="40"' in page
    assert '<option value="medicine" selected>' in page
    response = trainer_client.post(
        reverse("alerts:search_create"), {"domain": "medicine", "min_usd": "40", "frequency": "instant", "name": ""}
    )
    assert response.status_code == 302
    search = SavedSearch.objects.get(user=trainer.user)
    assert (search.query, search.frequency) == ("domain=medicine&min_usd=40", "instant")
    listing = trainer_client.get(reverse("alerts:searches")).content.decode()
    assert "Medicine · at least 40 USD an hour" in listing


def test_an_impossible_filter_is_refused_on_the_page_with_its_field_named(trainer_client):
    response = trainer_client.post(
        reverse("alerts:search_create"), {"domain": "astrology", "min_usd": "-5", "frequency": "daily"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_min_usd"' in page and "greater than or equal to 0" in page
    assert "Select a valid choice" in page
    assert not SavedSearch.objects.exists()


def test_a_search_is_edited_and_deleted_by_its_owner_only(trainer_client, trainer):
    search = saved_search_create(user=trainer.user, params={"domain": "law"}, frequency="daily", name="Law jobs")
    edit = reverse("alerts:search_edit", args=[search.pk])
    assert 'value="Law jobs"' in trainer_client.get(edit).content.decode()
    response = trainer_client.post(
        edit, {"domain": "medicine", "tier": "expert", "frequency": "instant", "name": "Med"}
    )
    assert response.status_code == 302
    search.refresh_from_db()
    assert (search.query, search.frequency, search.name) == ("domain=medicine&tier=expert", "instant", "Med")

    stranger = TrainerFactory(user=UserFactory(username="stranger"))
    trainer_client.force_login(stranger.user)
    assert trainer_client.get(edit).status_code == 404
    assert trainer_client.post(reverse("alerts:search_delete", args=[search.pk])).status_code == 404

    trainer_client.force_login(trainer.user)
    assert trainer_client.post(reverse("alerts:search_delete", args=[search.pk])).status_code == 302
    assert not SavedSearch.objects.exists()


def test_the_workspace_list_is_linked_from_the_trainer_nav(trainer_client):
    page = trainer_client.get(reverse("trainers:surveys")).content.decode()
    assert reverse("alerts:searches") in page
