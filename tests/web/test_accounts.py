"""Sign-up as a trainer or a company, log-in protected by Axes, log-out, password reset and email verification."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from postings.choices import MembershipRole
from postings.models import Membership
from trainers.models import TrainerProfile

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-42"
RIGHT = "correct horse battery staple"  # the factories' password
WRONG = "not-the-password"
HERE, ELSEWHERE = "192.0.2.10", "198.51.100.20"


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


def log_in(login, password, *, address=HERE, path="/accounts/login/", field="login", **meta):
    """One log-in attempt from ``address`` in a browser of its own."""
    return Client(REMOTE_ADDR=address, **meta).post(path, {field: login, "password": password})


@pytest.fixture
def lockout(settings):
    """The production limits, whatever the environment says."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 50
    return settings


def test_failed_log_ins_for_made_up_emails_do_not_lock_a_real_account_out_of_that_address(lockout, trainer):
    assert [log_in(f"nobody{n}@example.com", WRONG).status_code for n in range(5)] == [200] * 5
    assert log_in(trainer.user.email, RIGHT).status_code == 302


def test_failed_log_ins_lock_an_account_out_at_that_address_only(lockout, trainer, other_trainer):
    for _ in range(5):
        log_in(trainer.user.email, WRONG)
    assert log_in(trainer.user.email, RIGHT).status_code == 429
    assert log_in(trainer.user.email, RIGHT, address=ELSEWHERE).status_code == 302
    assert log_in(other_trainer.user.email, RIGHT).status_code == 302


def test_a_locked_account_gets_the_same_answer_whether_or_not_it_exists(lockout, trainer):
    for _ in range(5):
        log_in(trainer.user.email, WRONG)
        log_in("nobody@example.com", WRONG, address=ELSEWHERE)
    real = log_in(trainer.user.email, RIGHT)
    made_up = log_in("nobody@example.com", RIGHT, address=ELSEWHERE)
    assert real.status_code == made_up.status_code == 429
    assert real.content == made_up.content


def test_the_lock_out_counts_an_email_in_any_case_as_one_account(lockout, trainer, other_trainer):
    for login in ["Trainer@example.com", "TRAINER@EXAMPLE.COM", " trainer@Example.com", "trainer@example.COM"]:
        log_in(login, WRONG)
    log_in(trainer.user.email, WRONG)
    assert log_in(trainer.user.email, RIGHT).status_code == 429
    assert log_in(other_trainer.user.email, RIGHT).status_code == 302


def test_an_address_is_locked_for_every_account_after_the_looser_per_address_limit(lockout, trainer, other_trainer):
    lockout.AXES_IP_FAILURE_LIMIT = 8
    for n in range(7):
        log_in(f"nobody{n}@example.com", WRONG)
    # Logging in to an account of one's own between guesses does not wipe the address's count.
    assert log_in(trainer.user.email, RIGHT).status_code == 302
    assert log_in("nobody7@example.com", WRONG).status_code == 429
    assert log_in(other_trainer.user.email, RIGHT).status_code == 429
    assert log_in(other_trainer.user.email, RIGHT, address=ELSEWHERE).status_code == 302


def test_behind_one_trusted_proxy_the_lock_out_is_per_client_not_per_proxy(lockout, trainer):
    lockout.TRUSTED_PROXY_COUNT = 1
    proxy, client, neighbour = "10.0.0.1", "203.0.113.5", "203.0.113.6"
    for _ in range(5):
        log_in(trainer.user.email, WRONG, address=proxy, HTTP_X_FORWARDED_FOR=client)
    assert log_in(trainer.user.email, RIGHT, address=proxy, HTTP_X_FORWARDED_FOR=client).status_code == 429
    forged = f"{neighbour}, {client}"  # the client's own entry on the left, the proxy's on the right
    assert log_in(trainer.user.email, RIGHT, address=proxy, HTTP_X_FORWARDED_FOR=forged).status_code == 429
    assert log_in(trainer.user.email, RIGHT, address=proxy, HTTP_X_FORWARDED_FOR=neighbour).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {client}


def test_the_admin_log_in_counts_failures_per_username_too(lockout, staff):
    for n in range(5):
        log_in(f"nobody{n}", WRONG, path="/admin/login/", field="username")
    assert log_in("staff", RIGHT, path="/admin/login/", field="username").status_code == 302
    for _ in range(5):
        log_in("staff", WRONG, path="/admin/login/", field="username")
    assert log_in("staff", RIGHT, path="/admin/login/", field="username").status_code == 429


def test_password_reset_sends_a_link(client, trainer):
    assert client.get("/accounts/password/reset/").status_code == 200
    client.post("/accounts/password/reset/", {"email": trainer.user.email})
    assert any("/accounts/password/reset/key/" in message.body for message in mail.outbox)


def test_the_account_pages_use_the_site_layout(client):
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        content = client.get(path).content.decode()
        assert 'class="auth"' in content
        assert "portal.css" in content
