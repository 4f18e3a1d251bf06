"""Whom a log-in attempt is for, as the lock-out counts it (the lock-out itself: tests/web/test_accounts.py)."""

import pytest
from django.test import RequestFactory

from portal.lockout import login_name


def posted(**data):
    return RequestFactory().post("/", data)


@pytest.mark.parametrize(
    ("request_", "credentials", "expected"),
    [
        (posted(login=" Tess@Example.COM ", password="x"), {"email": "Tess@Example.COM"}, "tess@example.com"),
        (posted(username="Staff", password="x"), {"username": "Staff"}, "staff"),
        # A re-authentication posts only the password; the credentials name the account.
        (posted(password="x"), {"username": "tess", "email": "Tess@example.com"}, "tess@example.com"),
        (posted(password="x"), None, None),
        (posted(login="   ", password="x"), None, None),
    ],
)
def test_login_name_is_the_name_the_form_posted_in_lower_case(request_, credentials, expected):
    assert login_name(request_, credentials) == expected


def test_login_name_fits_the_lock_out_records():
    assert len(login_name(posted(login="a" * 1000 + "@example.com"))) == 255
