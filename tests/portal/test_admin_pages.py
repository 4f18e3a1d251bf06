"""Every admin page opens for a superuser: each registered model's changelist, add form, change form and history.

Models are taken from the admin registry, so models registered by any app are covered; the rows come from a small
``seed_demo`` run.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from portal.demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    seed_demo(seed=7, surveys=60, postings=8, say=lambda _message: None)


def admin_urls(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{info}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"{info}_add")
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            yield reverse(f"{info}_change", args=[obj.pk])
            yield reverse(f"{info}_history", args=[obj.pk])


def test_every_registered_admin_page_opens_for_a_superuser(seeded, admin_client, admin_user):
    urls = [reverse("admin:index"), *admin_urls(admin_user)]
    failures = [(url, status) for url in urls if (status := admin_client.get(url).status_code) != 200]
    assert failures == []
    assert len(urls) > 40


def test_the_review_queues_open_filtered(seeded, admin_client):
    surveys = admin_client.get(reverse("admin:trainers_paysurvey_changelist"), {"queue": "pending"})
    assert surveys.status_code == 200
    postings = admin_client.get(reverse("admin:postings_jobposting_changelist"), {"queue": "pending"})
    assert {posting.status for posting in postings.context["cl"].result_list} == {"in_review"}


def test_the_admin_index_shows_what_waits_with_links_to_the_filtered_queues(admin_client):
    from tests.factories import DraftPostingFactory, TrainerFactory, survey_fields
    from trainers.choices import SurveyStatus
    from trainers.models import PaySurvey
    from trainers.services import survey_submit

    posting = DraftPostingFactory()
    type(posting).objects.filter(pk=posting.pk).update(status="in_review")
    survey = survey_submit(trainer=TrainerFactory(), **survey_fields()).survey
    PaySurvey.objects.filter(pk=survey.pk).update(status=SurveyStatus.FLAGGED, status_reason="Far above the fence")
    content = admin_client.get(reverse("admin:index")).content.decode()
    box = content[content.index('id="moderation-queues"') :]
    assert f'href="{reverse("admin:postings_jobposting_changelist")}?queue=pending">Postings in review' in box
    assert f'href="{reverse("admin:trainers_paysurvey_changelist")}?queue=pending">Flagged surveys' in box
    assert box.count("<strong>1</strong>") == 2
    queue = admin_client.get(reverse("admin:trainers_paysurvey_changelist"), {"queue": "pending"}).content.decode()
    assert "Far above the fence" in queue  # the flag's reason is in the queue itself


def test_staff_without_the_permission_see_no_queue(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(is_superuser=False))
    assert 'id="moderation-queues"' not in client.get(reverse("admin:index")).content.decode()
