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
