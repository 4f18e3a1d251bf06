"""Sign-up as a trainer or a company, log-in protected by Axes, log-out, password reset and email verification."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from postings.choices import MembershipRole
from postings.models import Membership
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-42"


def signup(client, **overrides):
    data = {
        "role": "trainer",
        "email": "new@example.com",
        "name": "New Person",
        "company_name": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def test_signing_up_as_a_trainer_creates_a_trainer_profile(client):
    response = signup(client)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    assert TrainerProfile.objects.get(user=user).display_name == "New Person"
    assert not Membership.objects.filter(user=user).exists()
    assert client.get("/dashboard/")["Location"] == "/me/surveys/"


def test_signing_up_as_a_company_creates_the_company_with_its_owner(client):
    signup(client, role="company", company_name="Acme Labs", email="hr@acme.example")
    membership = Membership.objects.select_related("company").get(user__email="hr@acme.example")
    assert (membership.company.name, membership.role) == ("Acme Labs", MembershipRole.OWNER)
    assert not TrainerProfile.objects.exists()


def test_a_company_needs_a_name(client):
    response = signup(client, role="company")
    assert response.status_code == 200
    assert "Enter your company" in response.context["form"].errors["company_name"][0]
    assert not get_user_model().objects.exists()


def test_sign_up_sends_a_verification_email(client):
    signup(client)
    assert any("new@example.com" in message.to for message in mail.outbox)


def test_the_sign_up_page_preselects_the_role_from_the_link(client):
    content = client.get("/accounts/signup/?role=company").content.decode()
    assert 'value="company" id="id_role_company" checked' in content
    for label in ['for="id_email"', 'for="id_name"', 'for="id_company_name"', 'for="id_password1"']:
        assert label in content


def test_log_in_and_log_out(client, trainer):
    response = client.post(
        "/accounts/login/", {"login": trainer.user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.get("/me/surveys/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/me/surveys/").status_code == 302


def test_repeated_failed_log_ins_lock_the_account_out(client, trainer, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"login": trainer.user.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": trainer.user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert client.get("/me/surveys/").status_code == 302


def test_password_reset_sends_a_link(client, trainer):
    assert client.get("/accounts/password/reset/").status_code == 200
    client.post("/accounts/password/reset/", {"email": trainer.user.email})
    assert any("/accounts/password/reset/key/" in message.body for message in mail.outbox)


def test_the_account_pages_use_the_site_layout(client):
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        content = client.get(path).content.decode()
        assert 'class="auth"' in content
        assert "portal.css" in content
