"""Alert deliveries in the admin: every attempt visible with its status and error, and nothing editable."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from alerts.choices import DeliveryStatus
from alerts.models import Delivery, SearchMatch
from alerts.searches import saved_search_create
from alerts.tasks import searches_send_digests
from postings.services import posting_approve
from tests.factories import InReviewPostingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_failed_send_is_recorded_with_its_error_and_the_job_waits_for_the_digest(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    search = saved_search_create(user=UserFactory(), params={"domain": "medicine"}, frequency="instant")

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            posting_approve(posting=InReviewPostingFactory(title="Pathology reviewer"), by=None)
    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED
    assert "SMTP server unreachable" in failed.error
    assert SearchMatch.objects.get(search=search).handled_at is None

    page = admin_client.get(reverse("admin:alerts_delivery_changelist") + "?status=failed").content.decode()
    assert "Pathology reviewer" in page
    assert admin_client.get(reverse("admin:alerts_delivery_add")).status_code == 403
    detail = admin_client.get(reverse("admin:alerts_delivery_change", args=[failed.pk])).content.decode()
    assert "SMTP server unreachable" in detail
    assert 'name="_save"' not in detail

    searches_send_digests()
    assert len(mail.outbox) == 1
    assert "Pathology reviewer" in mail.outbox[0].body
