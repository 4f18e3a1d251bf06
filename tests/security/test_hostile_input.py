"""Hostile input on every surface that takes it: pages, admin, API and CSV import.

Markup, SQL-looking text and invisible Unicode are stored exactly as typed and shown escaped wherever they are
displayed; NUL bytes are refused naming the field. Negative, zero, non-finite, absurd, empty and non-numeric amounts
and hours are refused naming the field, and nothing is stored. Too-large bodies are a 413, broken CSV files are
refused whole, and while the database is unreachable pages and API answer 503 with Retry-After, then recover.
"""

import csv
import functools
import io
import json
import random
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection, connections
from django.test import Client
from django.utils.html import escape
from rest_framework.test import APIClient

from benchmarks import engine
from benchmarks.models import DirtyCell, Domain, Observation, Platform, Source
from portal.api.services import partner_create, partner_key_issue
from postings.models import Application, Company, Invitation, JobPosting
from postings.services import posting_approve, posting_create, posting_submit
from tests.factories import (
    TrainerFactory,
    UserFactory,
    domain,
    posting_fields,
    survey_fields,
    survey_form_data,
    this_month,
)
from trainers.ingestion import COLUMNS, ingest_csv
from trainers.models import PaySurvey, TrainerProfile
from trainers.services import survey_submit, trainer_profile_update

pytestmark = pytest.mark.django_db

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE trainers_survey; --",
    "bidi": "abc\u202edcba\u200b\u200d\u2066x\u2069\ufeffz",  # right-to-left override, zero-width and isolates
}
NUL = "nul\x00byte"
TEXTS = {**HOSTILE, "nul": NUL}
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
MONTH = this_month().strftime("%Y-%m")

BAD_NUMBERS = ["-5", "0", "NaN", "nan", "inf", "-Infinity", "1e309", "99999999999999", "", "abc"]
# Digits other than ASCII's, Python's digit grouping, signs and exponents: Decimal() reads them all, people do not
# write amounts that way, and a spreadsheet would not read them back.
FOREIGN_NUMBERS = ["５", "١٥", "1_000", "+15", "1e2"]


# --- Helpers ----------------------------------------------------------------------------------------------------


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def stored_counts() -> dict:
    return {
        "surveys": PaySurvey.objects.count(),
        "observations": Observation.objects.count(),
        "postings": JobPosting.objects.count(),
        "dirty cells": DirtyCell.objects.count(),
    }


def assert_escaped(response, text: str | None = None) -> None:
    """The page is free of live markup; ``text``, when given, is on it in its escaped form."""
    page = response.request["PATH_INFO"]
    assert response.status_code == 200, (page, response.status_code)
    body = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in body, page
    if text is not None:
        assert escape(text) in body, page


def form_errors(response) -> dict:
    context = response.context
    form = context.get("form") or context["adminform"].form
    return form.errors


@pytest.fixture
def partner_api(company) -> APIClient:
    partner = partner_create(
        name="Hostile Feed", scopes="benchmarks:read,postings:write,surveys:write", company=company
    )
    _, key = partner_key_issue(partner=partner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def published(company, by, **overrides) -> JobPosting:
    posting = posting_create(company=company, by=by, **posting_fields(**overrides))
    posting_submit(posting=posting, by=by)
    return posting_approve(posting=posting, by=None)


def posting_form(**overrides) -> dict:
    data = {
        "title": "Clinical reviewer", "description": "Rank medical answers.", "description_format": "plain",
        "domain": domain("medicine").pk, "tier": "expert", "country": "US", "engagement": "part_time",
        "rate_min": "40", "rate_max": "60", "currency": "USD", "unit": "hour",
    }  # fmt: skip
    data.update(overrides)
    return data


def posting_json(**overrides) -> dict:
    data = {
        "title": "Clinical reviewer", "description": "Rank medical answers.", "domain": "medicine",
        "tier": "expert", "country": "US", "rate_min": "40", "rate_max": "60", "currency": "USD", "unit": "hour",
    }  # fmt: skip
    data.update(overrides)
    return data


def batch_row(**overrides) -> dict:
    row = {"period": MONTH, "platform": "Outlier", "domain": "generalist", "skill_tier": "entry", "country": "US",
        "currency": "USD", "amount": "15", "unit": "hour"}  # fmt: skip
    row.update(overrides)
    return row


def push(client, rows):
    return client.post("/api/v1/surveys/batch/", {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def csv_bytes(*rows: dict, columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(name, "") for name in columns])
    return out.getvalue().encode()


def import_by_command(data: bytes, tmp_path, capsys, *options: str) -> str:
    path = tmp_path / "surveys.csv"
    path.write_bytes(data)
    call_command("import_surveys", str(path), "--source", "Hostile feed", *options)
    return capsys.readouterr().out


def import_by_admin(data: bytes, staff, **fields):
    upload = SimpleUploadedFile("surveys.csv", data, "text/csv")
    return logged_in(staff).post(
        "/admin/portal/partner/import-surveys/", {"file": upload, "new_source": "Hostile feed", **fields}
    )


# --- 1. Text: stored exactly, shown escaped; NUL refused naming the field ----------------------------------------


@pytest.mark.parametrize("field", ["display_name", "headline", "credentials", "languages"])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_profile_text_is_stored_exactly_and_shown_escaped(trainer, staff, field, text):
    client = logged_in(trainer.user)
    data = {"display_name": "Tess", "headline": "", "credentials": "", "languages": "", "tier": "skilled",
        "country": "US", field: text}  # fmt: skip
    response = client.post("/me/profile/", data)
    trainer.refresh_from_db()
    if text == NUL:
        assert "Null characters are not allowed." in form_errors(response)[field]
        assert trainer.display_name == "Tess Trainer"
        return
    assert response.status_code == 302
    assert getattr(trainer, field) == text
    admin = logged_in(staff)
    assert_escaped(client.get("/me/profile/"), text)
    assert_escaped(admin.get(f"/admin/trainers/trainerprofile/{trainer.pk}/change/"), text)
    assert_escaped(admin.get("/admin/trainers/trainerprofile/"), text if field == "display_name" else None)


@pytest.mark.parametrize("role", ["trainer", "company"])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_sign_up_names_are_stored_exactly_and_shown_escaped(staff, role, text):
    client = Client()
    field = "company_name" if role == "company" else "name"
    data = {"role": role, "email": "new@example.com", "name": "New Person", "company_name": "New Co",
        "password1": "a-long-test-password-42", "password2": "a-long-test-password-42", field: text}  # fmt: skip
    response = client.post("/accounts/signup/", data)
    if text == NUL:
        assert "Null characters are not allowed." in form_errors(response)[field]
        assert not Company.objects.exists() and not TrainerProfile.objects.exists()
        return
    assert response.status_code == 302
    admin = logged_in(staff)
    if role == "company":
        company = Company.objects.get()
        assert company.name == text
        assert_escaped(client.get(f"/company/{company.slug}/"), text)
        assert_escaped(admin.get("/admin/postings/company/"), text)
    else:
        assert TrainerProfile.objects.get().display_name == text
        assert_escaped(client.get("/me/profile/"), text)
        assert_escaped(admin.get("/admin/trainers/trainerprofile/"), text)


@pytest.mark.parametrize("how", ["create", "edit"])
@pytest.mark.parametrize("field", ["title", "description", "credentials", "languages"])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_posting_text_is_stored_exactly_and_shown_escaped_everywhere(company, owner, staff, how, field, text):
    client = logged_in(owner)
    if how == "create":
        response = client.post(f"/company/{company.slug}/postings/new/", posting_form(**{field: text}))
    else:
        draft = posting_create(company=company, by=owner, **posting_fields())
        response = client.post(f"/company/{company.slug}/postings/{draft.pk}/edit/", posting_form(**{field: text}))
    if text == NUL:
        assert "Null characters are not allowed." in form_errors(response)[field]
        assert not JobPosting.objects.filter(**{f"{field}__contains": "byte"}).exists()
        return
    assert response.status_code == 302
    posting = JobPosting.objects.get()
    assert getattr(posting, field) == text
    listed = text if field == "title" else None
    managed = text if field in ("title", "description") else None
    assert_escaped(client.get(f"/company/{company.slug}/postings/{posting.pk}/"), managed)
    assert_escaped(client.get(f"/company/{company.slug}/postings/{posting.pk}/edit/"), text)
    assert_escaped(client.get(f"/company/{company.slug}/"), listed)
    posting_submit(posting=posting, by=owner)
    posting_approve(posting=posting, by=None)
    anonymous, admin = Client(), logged_in(staff)
    assert_escaped(anonymous.get(f"/jobs/{posting.pk}/"), text)
    assert_escaped(anonymous.get("/jobs/"), listed)
    assert_escaped(anonymous.get("/jobs/", {"q": text}), listed)
    assert_escaped(admin.get("/admin/postings/jobposting/"), listed)
    assert_escaped(admin.get(f"/admin/postings/jobposting/{posting.pk}/change/"), text)
    api = anonymous.get(f"/api/v1/postings/{posting.pk}/", HTTP_ACCEPT="application/json")
    assert api["Content-Type"] == "application/json" and api["X-Content-Type-Options"] == "nosniff"
    assert api.json()[field] == text
    assert_escaped(anonymous.get(f"/api/v1/postings/{posting.pk}/", HTTP_ACCEPT="text/html"))


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_markdown_description_drops_raw_html(company, owner, text):
    posting = published(company, owner, description=f"**Bold** {text}", description_format="markdown")
    body = Client().get(f"/jobs/{posting.pk}/")
    assert_escaped(body)
    assert "<strong>Bold</strong>" in body.content.decode()


@pytest.mark.parametrize("value", ["javascript:alert(1)", *TEXTS.values()], ids=["javascript", *TEXTS.keys()])
def test_an_apply_url_that_is_not_a_web_address_is_refused(company, owner, partner_api, value):
    client = logged_in(owner)
    response = client.post(f"/company/{company.slug}/postings/new/", posting_form(apply_url=value))
    assert "apply_url" in form_errors(response)
    assert_escaped(response)
    api = partner_api.post("/api/v1/postings/", posting_json(apply_url=value), format="json")
    assert api.status_code == 400 and "apply_url" in api.json()
    assert not JobPosting.objects.exists()


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_an_invitation_to_a_hostile_address_is_refused_naming_the_field(company, owner, text):
    client = logged_in(owner)
    response = client.post(f"/company/{company.slug}/team/", {"email": text})
    assert "email" in form_errors(response)
    assert_escaped(response)
    assert not Invitation.objects.exists()


def test_a_quoted_address_full_of_markup_is_stored_and_shown_escaped(company, owner):
    address = '"<script>alert(1)</script>"@example.com'
    response = logged_in(owner).post(f"/company/{company.slug}/team/", {"email": address}, follow=True)
    assert Invitation.objects.get().email == address.lower()
    assert_escaped(response, address.lower())


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_an_application_shows_the_trainers_text_escaped_to_the_company(company, owner, trainer, text):
    posting = published(company, owner)
    if text != NUL:
        trainer_profile_update(profile=trainer, display_name=text, credentials=text)
    response = logged_in(trainer.user).post(f"/jobs/{posting.pk}/apply/", {"cover_letter": text}, follow=True)
    if text == NUL:
        assert "Null characters are not allowed." in response.content.decode()
        assert not Application.objects.exists()
        return
    assert Application.objects.get().cover_letter == text
    assert_escaped(response)
    page = logged_in(owner).get(f"/company/{company.slug}/postings/{posting.pk}/applicants/")
    assert_escaped(page, text)


@pytest.mark.parametrize("what", ["survey", "posting"])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_an_admins_rejection_reason_is_stored_exactly_and_shown_escaped(staff, trainer, company, owner, what, text):
    if what == "survey":
        obj = survey_submit(trainer=trainer, **survey_fields()).survey
        changelist = "/admin/trainers/paysurvey/"
    else:
        obj = posting_submit(posting=posting_create(company=company, by=owner, **posting_fields()), by=owner)
        changelist = "/admin/postings/jobposting/"
    admin = logged_in(staff)
    data = {"action": "reject_with_reason", "_selected_action": [obj.pk], "apply_reason": "1", "reason": text}
    response = admin.post(changelist, data)
    obj.refresh_from_db()
    if text == NUL:
        assert "Null characters are not allowed." in form_errors(response)["reason"]
        assert obj.status != "rejected"
        return
    assert obj.status == "rejected"
    assert_escaped(admin.get(f"{changelist}{obj.pk}/change/"), text)
    if what == "survey":
        assert obj.status_reason == text
        assert_escaped(logged_in(trainer.user).get("/me/surveys/"), text)
        return
    assert obj.rejection_reason == text
    client = logged_in(owner)
    assert_escaped(client.get(f"/company/{company.slug}/postings/{obj.pk}/"), text)
    assert_escaped(client.get(f"/company/{company.slug}/"), text)
    assert client.get(f"/api/v1/postings/{obj.pk}/", HTTP_ACCEPT="application/json").json()["rejection_reason"] == text


@pytest.mark.parametrize("field", ["name", "description"])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_company_added_in_the_admin_keeps_its_text_exactly(staff, owner, field, text):
    admin = logged_in(staff)
    data = {"name": "Added Co", "website": "", "description": "", "owner_email": owner.email, field: text}
    response = admin.post("/admin/postings/company/add/", data)
    if text == NUL:
        assert "Null characters are not allowed." in form_errors(response)[field]
        assert not Company.objects.exists()
        return
    company = Company.objects.get()
    assert getattr(company, field) == text
    assert_escaped(admin.get(f"/admin/postings/company/{company.pk}/change/"), text)
    assert_escaped(admin.get("/admin/postings/company/"), text if field == "name" else None)


SURVEY_CHOICES = ["period", "platform", "domain", "tier", "country", "task_type", "engagement", "currency", "unit"]


@pytest.mark.parametrize("field", SURVEY_CHOICES)
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_hostile_text_in_a_survey_form_choice_is_refused_naming_the_field(trainer, field, text):
    """The survey form has no free text: every field is a choice, a month or a number."""
    before = stored_counts()
    response = logged_in(trainer.user).post("/me/surveys/new/", survey_form_data(**{field: text}))
    assert field in form_errors(response)
    assert_escaped(response)
    assert stored_counts() == before


@pytest.mark.parametrize("method", ["post", "patch"])
@pytest.mark.parametrize("field", ["title", "description", "credentials", "languages"])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_api_posting_text_round_trips_exactly(partner_api, company, owner, method, field, text):
    if method == "post":
        response = partner_api.post("/api/v1/postings/", posting_json(**{field: text}), format="json")
    else:
        draft = posting_create(company=company, by=owner, **posting_fields())
        response = partner_api.patch(f"/api/v1/postings/{draft.pk}/", {field: text}, format="json")
    if text == NUL:
        assert response.status_code == 400
        assert "Null characters are not allowed." in response.json()[field][0]
        assert not JobPosting.objects.filter(**{f"{field}__contains": "byte"}).exists()
        return
    assert response.status_code in (200, 201)
    assert response["Content-Type"] == "application/json"
    assert response.json()[field] == text
    posting = JobPosting.objects.get()
    assert getattr(posting, field) == text
    assert_escaped(logged_in(owner).get(f"/company/{company.slug}/postings/{posting.pk}/edit/"), text)
    assert_escaped(partner_api.get(f"/api/v1/postings/{posting.pk}/", HTTP_ACCEPT="text/html"))


@pytest.mark.parametrize("field", ["domain", "currency", "country", "tier", "unit", "engagement"])
def test_api_posting_lookups_refuse_a_nul_byte_naming_the_field(partner_api, field):
    response = partner_api.post("/api/v1/postings/", posting_json(**{field: NUL}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not JobPosting.objects.exists()


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_batch_external_id_is_stored_exactly_and_shown_escaped(partner_api, staff, text):
    response = push(partner_api, [batch_row(external_id=text)])
    if text == NUL:
        assert response.status_code == 400
        assert "external_id" in response.json()["rows"]["0"]
        assert not PaySurvey.objects.exists()
        return
    assert response.status_code == 200
    assert response.json()["rows"][0]["external_id"] == text
    survey = PaySurvey.objects.get()
    assert survey.external_id == text
    admin = logged_in(staff)
    assert_escaped(admin.get(f"/admin/trainers/paysurvey/{survey.pk}/change/"), text)
    assert_escaped(admin.get("/admin/trainers/paysurvey/", {"q": text}), text)


BATCH_CHOICES = ["period", "platform", "domain", "skill_tier", "country", "currency", "unit", "task_type", "engagement"]


@pytest.mark.parametrize("column", BATCH_CHOICES)
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_hostile_text_in_a_batch_column_is_rejected_naming_the_column(partner_api, column, text):
    before = stored_counts()
    response = push(partner_api, [batch_row(**{column: text})])
    if text == NUL:
        assert response.status_code == 400
        assert column in response.json()["rows"]["0"]
    else:
        assert response.status_code == 200
        [row] = response.json()["rows"]
        assert row["status"] == "rejected"
        assert row["reason"].startswith(f"{column}:")
    assert stored_counts() == before


@pytest.mark.parametrize("surface", ["command", "admin"])
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_csv_text_is_stored_exactly_and_rejections_are_shown_escaped(surface, staff, tmp_path, capsys, text):
    data = csv_bytes(batch_row(external_id=text), batch_row(platform=text, external_id="second"))
    if surface == "command":
        out = import_by_command(data, tmp_path, capsys)
        assert "row 2: rejected – platform:" in out
    else:  # the rejected row's reason quotes the platform, invisible characters spelt out as escapes
        assert_escaped(import_by_admin(data, staff), text if text.isprintable() else None)
    assert PaySurvey.objects.get().external_id == text
    admin = logged_in(staff)
    assert_escaped(admin.get(f"/admin/trainers/paysurvey/{PaySurvey.objects.get().pk}/change/"), text)


@pytest.mark.parametrize("column", ["platform", "domain", "country", "currency", "period", "unit", "amount"])
def test_a_nul_byte_in_a_csv_column_is_rejected_naming_it(column, tmp_path, capsys):
    before = stored_counts()
    out = import_by_command(csv_bytes(batch_row(**{column: f"x{NUL}"})), tmp_path, capsys)
    assert f"row 1: rejected – {column}:" in out
    assert stored_counts() == before


def test_a_nul_byte_in_a_csv_external_id_is_rejected_naming_it(tmp_path, capsys):
    data = csv_bytes(batch_row(external_id=NUL), batch_row(external_id="fine"))
    out = import_by_command(data, tmp_path, capsys)
    assert "row 1: rejected – external_id:" in out
    assert list(PaySurvey.objects.values_list("external_id", flat=True)) == ["fine"]


NUL_QUERIES = [
    "/jobs/?q=%00", "/jobs/?domain=%00&tier=%00&country=%00&engagement=%00&min_usd=%00",
    "/benchmarks/?domain=%00&country=%00&kind=%00",
    "/report/?x=%00", "/api/v1/postings/?q=%00&domain=%00&country=%00", "/api/v1/benchmarks/?domain=%00&country=%00",
    "/api/v1/benchmarks/history/?domain=%00", "/api/v1/benchmarks/position/?domain=%00&tier=expert&rate=10",
    "/api/v1/benchmarks/position/?domain=law&tier=expert&rate=10&currency=%00",
    "/api/v1/benchmarks/position/?domain=law&tier=expert&rate=10&country=%00",
]  # fmt: skip
PREVIEWS = [
    "/me/surveys/preview/?amount=20&currency=%00",
    "/me/surveys/preview/?amount=20&country=%00&tier=skilled&domain={domain}",
    "/company/acme-labs/postings/preview/?rate_min=10&rate_max=20&currency=%00",
    "/company/acme-labs/postings/preview/?rate_min=10&rate_max=20&country=%00&tier=expert&domain={domain}",
]  # fmt: skip


@pytest.mark.parametrize("url", NUL_QUERIES + PREVIEWS)
def test_a_nul_byte_in_a_query_is_answered_not_crashed_on(trainer, company, owner, url):
    client = Client(raise_request_exception=False)
    client.force_login(owner if "/company/" in url else trainer.user)
    response = client.get(url.format(domain=domain().pk))
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert_escaped(response)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_curated_names_reach_the_report_explorer_and_csv_exports_intact_and_escaped(company, owner, text):
    """Admins curate domain and platform names; a careless or hostile one must not turn into markup either."""
    Domain.objects.filter(slug="medicine").update(name=text)
    Platform.objects.filter(slug="outlier").update(name=text)
    for n in range(10):
        trainer = TrainerFactory(user=UserFactory(username=f"medic{n}"))
        survey_submit(trainer=trainer, **survey_fields(domain=domain("medicine"), tier="expert", amount=60 + n))
    published(company, owner)
    engine.rebuild_all()
    anonymous = Client()
    for url in ("/report/", "/benchmarks/?domain=medicine&tier=expert&country=US", "/jobs/", "/"):
        assert_escaped(anonymous.get(url), text)
    for url in ("/report/report.csv", "/api/v1/benchmarks/?domain=medicine&format=csv"):
        response = anonymous.get(url)
        assert response["Content-Type"].startswith("text/csv") and response["X-Content-Type-Options"] == "nosniff"
        cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
        assert any(text in cell for cell in cells), url  # the name alone, or in a label such as "name · Expert"


FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_a_curated_name_that_a_spreadsheet_would_run_is_neutralised_in_every_csv(company, owner, start):
    """OWASP's CSV-injection rule: a cell starting with = + - @ (or a tab or carriage return) is prefixed with '."""
    formula = start + 'HYPERLINK("http://evil.example","click")'
    Domain.objects.filter(slug="medicine").update(name=formula)
    for n in range(10):
        trainer = TrainerFactory(user=UserFactory(username=f"medic{n}"))
        survey_submit(trainer=trainer, **survey_fields(domain=domain("medicine"), tier="expert", amount=60 + n))
    engine.rebuild_all()
    engine.record_history()
    for url in ("/report/report.csv", "/api/v1/benchmarks/?domain=medicine&format=csv",
                "/api/v1/benchmarks/history/?domain=medicine&format=csv"):  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(Client().get(url).content.decode(), newline="")))
        cells = [cell for row in rows for cell in row.values()]
        assert any("HYPERLINK" in cell for cell in cells), url
        for cell in cells:
            assert not cell.startswith(tuple(FORMULA_STARTS)), (url, cell)
            if "HYPERLINK" in cell and cell.startswith("'"):
                assert cell == "'" + formula or cell.startswith("'" + formula + " · "), (url, cell)
        assert all(float(row["p50"]) > 0 for row in rows if row.get("p50")), url  # numbers stay numbers


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_search_and_filters_are_echoed_escaped(staff, text):
    for url in ("/jobs/", "/benchmarks/"):
        assert_escaped(Client().get(url, {"q": text, "domain": text, "tier": text, "country": text, "kind": text}))
    for url in ("/admin/trainers/paysurvey/", "/admin/postings/jobposting/", "/admin/postings/company/"):
        assert_escaped(logged_in(staff).get(url, {"q": text}), text)


SURROGATE = "\ud800"  # half of a UTF-16 pair alone: no Unicode text, only JSON's escapes can spell it
POSTING_CHOICES = ["tier", "unit", "engagement", "description_format", "country", "domain", "currency"]


def raw_json(client, url: str, body: dict, method: str = "post", **extra):
    """``body`` as JSON text with non-ASCII escaped (``"\\ud800"``), as a client's JSON library writes it."""
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize("field", [*POSTING_CHOICES, "title"])
def test_a_lone_surrogate_in_a_posting_field_is_refused_naming_the_field(partner_api, company, owner, field):
    response = raw_json(partner_api, "/api/v1/postings/", posting_json(**{field: f"x{SURROGATE}"}))
    assert response.status_code == 400
    assert "Unicode" in response.json()[field][0], response.json()
    draft = posting_create(company=company, by=owner, **posting_fields())
    response = raw_json(partner_api, f"/api/v1/postings/{draft.pk}/", {field: SURROGATE}, method="patch")
    assert response.status_code == 400 and field in response.json()
    assert JobPosting.objects.get().title == "Clinical reviewer for model answers"


@pytest.mark.parametrize("column", [*BATCH_CHOICES, "external_id"])
def test_a_lone_surrogate_in_a_batch_column_is_refused_naming_the_row_and_column(partner_api, column):
    rows = [batch_row(external_id="fine"), batch_row(**{column: SURROGATE})]
    response = raw_json(partner_api, "/api/v1/surveys/batch/", {"rows": rows}, HTTP_IDEMPOTENCY_KEY="surrogate")
    assert response.status_code == 400
    assert "Unicode" in response.json()["rows"]["1"][column][0], response.json()
    assert stored_counts() == {"surveys": 0, "observations": 0, "postings": 0, "dirty cells": 0}


def test_a_lone_surrogate_in_a_json_key_is_refused(partner_api):
    response = raw_json(partner_api, "/api/v1/postings/", {**posting_json(), SURROGATE: "x"})
    assert response.status_code == 400
    assert "Unicode" in response.json()["non_field_errors"][0]


def queries_holding_nul(call) -> tuple:
    """The response, and the queries that sent a NUL byte to the database: PostgreSQL refuses every one (a 500)."""
    carried = []

    def watch(execute, sql, params, many, context):
        if any("\x00" in str(value) for value in (params or ())):
            carried.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        response = call()
    return response, carried


def test_a_nul_byte_in_the_posting_previews_domain_is_refused_naming_the_field(company, owner):
    client = logged_in(owner)
    url = f"/company/{company.slug}/postings/preview/"
    for send in (client.get, client.post):
        data = {"rate_min": "10", "rate_max": "20", "tier": "expert", "domain": NUL}
        response, carried = queries_holding_nul(lambda send=send, data=data: send(url, data))
        assert carried == []
        assert_escaped(response)
        assert "Domain: Choose one of the listed domains." in response.content.decode()


@pytest.mark.parametrize("how", ["create", "edit"])
def test_a_nul_byte_in_the_posting_forms_domain_is_refused_naming_the_field(company, owner, how):
    client = logged_in(owner)
    url = f"/company/{company.slug}/postings/new/"
    if how == "edit":
        draft = posting_create(company=company, by=owner, **posting_fields())
        url = f"/company/{company.slug}/postings/{draft.pk}/edit/"
    response, carried = queries_holding_nul(lambda: client.post(url, posting_form(domain=NUL, title="Changed")))
    assert carried == []
    assert "domain" in form_errors(response)
    assert_escaped(response)
    assert not JobPosting.objects.filter(title="Changed").exists()


# --- 2. Amounts and hours: refused naming the field, nothing stored ---------------------------------------------

SURVEY_NUMBERS = ["amount", "hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week"]
POSTING_NUMBERS = ["rate_min", "rate_max", "hours_per_week", "minutes_per_task", "project_hours"]
UNIT_FOR = {"hours_per_week": "week", "minutes_per_task": "task", "project_hours": "project"}
# Left empty, these mean "not given" (40 hours, no unpaid hours), and no unpaid hours may be written as 0.
ACCEPTED_AS_NOT_GIVEN = {("hours_per_week", ""), ("unpaid_hours_per_week", ""), ("unpaid_hours_per_week", "0")}


def numbers_case(fields, values):
    return [
        pytest.param(field, value, id=f"{field}={value or 'empty'}")
        for field in fields
        for value in values
        if (field, value) not in ACCEPTED_AS_NOT_GIVEN
    ]


def with_unit(field: str, value: str, **base) -> dict:
    """The other fields a pay unit needs, so ``field`` is the one thing wrong."""
    values = {"minutes_per_task": "10", "project_hours": "10", **base, "unit": UNIT_FOR.get(field, "hour")}
    if values["unit"] == "week":  # a week's pay, so the other amounts stay within $0.50–$2,000 an hour
        values.update({"rate_min": "1000", "rate_max": "1500"} if "rate_min" in base else {"amount": "1000"})
    values[field] = value
    return values


@pytest.mark.parametrize(("field", "value"), numbers_case(SURVEY_NUMBERS, BAD_NUMBERS))
def test_the_survey_form_refuses_a_bad_number_naming_the_field(trainer, field, value):
    before = stored_counts()
    response = logged_in(trainer.user).post("/me/surveys/new/", survey_form_data(**with_unit(field, value)))
    assert response.status_code == 200
    assert field in form_errors(response), form_errors(response)
    assert stored_counts() == before


@pytest.mark.parametrize(("field", "value"), numbers_case(POSTING_NUMBERS, BAD_NUMBERS))
def test_the_posting_form_refuses_a_bad_number_naming_the_field(company, owner, field, value):
    before = stored_counts()
    data = posting_form(**with_unit(field, value, rate_min="40", rate_max="60"))
    response = logged_in(owner).post(f"/company/{company.slug}/postings/new/", data)
    assert response.status_code == 200
    assert field in form_errors(response), form_errors(response)
    assert stored_counts() == before


@pytest.mark.parametrize(("field", "value"), numbers_case(POSTING_NUMBERS, BAD_NUMBERS))
def test_the_posting_api_refuses_a_bad_number_naming_the_field(partner_api, field, value):
    before = stored_counts()
    body = posting_json(**with_unit(field, value, rate_min="40", rate_max="60"))
    response = partner_api.post("/api/v1/postings/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert stored_counts() == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_the_api_refuses_non_finite_json_numbers(partner_api, literal):
    body = '{"title": "T", "description": "D", "domain": "medicine", "tier": "expert", "rate_min": ' + literal
    body += ', "rate_max": 60, "currency": "USD"}'
    response = partner_api.post("/api/v1/postings/", body, content_type="application/json")
    assert response.status_code == 400
    assert not JobPosting.objects.exists()


@pytest.mark.parametrize(("field", "value"), numbers_case(SURVEY_NUMBERS, BAD_NUMBERS))
def test_the_survey_batch_rejects_a_bad_number_naming_the_field(partner_api, field, value):
    before = stored_counts()
    response = push(partner_api, [batch_row(**with_unit(field, value))])
    assert response.status_code == 200
    [row] = response.json()["rows"]
    assert row["status"] == "rejected"
    assert row["reason"].startswith(f"{field}:"), row["reason"]
    assert stored_counts() == before


@pytest.mark.parametrize(("field", "value"), numbers_case(SURVEY_NUMBERS, BAD_NUMBERS))
def test_the_csv_import_rejects_a_bad_number_naming_the_field(tmp_path, capsys, field, value):
    before = stored_counts()
    out = import_by_command(csv_bytes(batch_row(**with_unit(field, value))), tmp_path, capsys)
    assert f"row 1: rejected – {field}:" in out, out
    assert stored_counts() == before


@pytest.mark.parametrize(("field", "value"), numbers_case(SURVEY_NUMBERS, FOREIGN_NUMBERS))
def test_a_number_not_in_ascii_digits_is_refused_on_every_survey_surface(trainer, partner_api, tmp_path, capsys, field,
    value):  # fmt: skip
    before = stored_counts()
    response = logged_in(trainer.user).post("/me/surveys/new/", survey_form_data(**with_unit(field, value)))
    assert "digits 0–9" in form_errors(response)[field][0], form_errors(response)
    [row] = push(partner_api, [batch_row(**with_unit(field, value))]).json()["rows"]
    assert row["status"] == "rejected" and row["reason"].startswith(f"{field}:") and "digits 0–9" in row["reason"]
    out = import_by_command(csv_bytes(batch_row(**with_unit(field, value))), tmp_path, capsys)
    assert f"row 1: rejected – {field}:" in out, out
    assert stored_counts() == before


@pytest.mark.parametrize(("field", "value"), numbers_case(POSTING_NUMBERS, FOREIGN_NUMBERS))
def test_a_number_not_in_ascii_digits_is_refused_on_every_posting_surface(company, owner, partner_api, field, value):
    data = with_unit(field, value, rate_min="40", rate_max="60")
    response = logged_in(owner).post(f"/company/{company.slug}/postings/new/", posting_form(**data))
    assert "digits 0–9" in form_errors(response)[field][0], form_errors(response)
    response = partner_api.post("/api/v1/postings/", posting_json(**data), format="json")
    assert response.status_code == 400 and "digits 0–9" in response.json()[field][0], response.json()
    preview = logged_in(owner).get(f"/company/{company.slug}/postings/preview/", data).content.decode()
    assert "digits 0–9" in preview
    assert not JobPosting.objects.exists()


@pytest.mark.parametrize("field", ["rate", "band_min", "hours_per_week"])
@pytest.mark.parametrize("value", FOREIGN_NUMBERS)
def test_the_position_api_refuses_a_number_not_in_ascii_digits(field, value):
    query = {"domain": "law", "tier": "expert", "rate": "40", "unit": "week", field: value}
    if field == "band_min":
        query.pop("rate")
        query["band_max"] = "60"
    response = APIClient().get("/api/v1/benchmarks/position/", query)
    assert response.status_code == 400
    assert "digits 0–9" in response.json()[field][0], response.json()


@pytest.mark.parametrize("value", ["25", "25.50", " 25 ", "25.", "025"])
def test_a_number_in_ascii_digits_with_spaces_around_it_is_accepted_everywhere(trainer, company, owner, partner_api,
    tmp_path, capsys, value):  # fmt: skip
    response = logged_in(trainer.user).post("/me/surveys/new/", survey_form_data(amount=value))
    assert response.status_code == 302, form_errors(response)
    [row] = push(partner_api, [batch_row(amount=value, external_id="pushed")]).json()["rows"]
    assert row["status"] == "accepted", row
    out = import_by_command(csv_bytes(batch_row(amount=value, external_id="filed")), tmp_path, capsys)
    assert "row 1: accepted" in out, out
    data = posting_form(rate_min=value, rate_max="60")
    assert logged_in(owner).post(f"/company/{company.slug}/postings/new/", data).status_code == 302
    response = partner_api.post("/api/v1/postings/", posting_json(rate_min=value, rate_max="60"), format="json")
    assert response.status_code == 201, response.json()
    assert PaySurvey.objects.count() == 3 and JobPosting.objects.count() == 2


SIX_BAD = {"period": "March", "platform": "Nowhere", "domain": "astrology", "skill_tier": "guru", "country": "XX",
    "amount": "1_000"}  # fmt: skip


def test_a_row_with_several_bad_fields_reports_every_one(partner_api, tmp_path, capsys):
    [row] = push(partner_api, [batch_row(**SIX_BAD)]).json()["rows"]
    out = import_by_command(csv_bytes(batch_row(**SIX_BAD)), tmp_path, capsys)
    printed = next(line for line in out.splitlines() if line.startswith("row 1: rejected – "))
    for reason in (row["reason"], printed.removeprefix("row 1: rejected – ")):
        assert reason.startswith("period: ")
        assert all(f"; {name}: " in reason for name in list(SIX_BAD)[1:]), reason
    assert stored_counts() == {"surveys": 0, "observations": 0, "postings": 0, "dirty cells": 0}


@pytest.mark.parametrize("value", ["NaN", "-1", "1e309", "abc"])
def test_a_refused_edit_leaves_the_object_as_it_was(trainer, company, owner, partner_api, value):
    survey = survey_submit(trainer=trainer, **survey_fields()).survey
    response = logged_in(trainer.user).post(
        f"/me/surveys/{survey.pk}/edit/", survey_form_data(amount=value, tier="expert", country="GB")
    )
    assert "amount" in form_errors(response)
    draft = posting_create(company=company, by=owner, **posting_fields())
    response = logged_in(owner).post(
        f"/company/{company.slug}/postings/{draft.pk}/edit/", posting_form(title="Changed", rate_max=value)
    )
    assert "rate_max" in form_errors(response)
    response = partner_api.patch(f"/api/v1/postings/{draft.pk}/", {"title": "Changed", "rate_max": value}, "json")
    assert response.status_code == 400 and "rate_max" in response.json()
    survey.refresh_from_db()
    draft.refresh_from_db()
    assert (survey.amount, survey.tier, str(survey.country)) == (Decimal("20"), "skilled", "US")
    assert (draft.title, draft.rate_max) == ("Clinical reviewer for model answers", Decimal("60"))


# --- 3. Too much at once: 413, the batch limit, huge files and lines --------------------------------------------


@pytest.mark.parametrize("csrf_checked", [False, True], ids=["read-by-the-view", "read-by-the-csrf-check"])
def test_a_page_refuses_a_too_large_body_with_413(settings, trainer, csrf_checked):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = logged_in(trainer.user, enforce_csrf_checks=csrf_checked)
    client.get("/me/profile/")  # the CSRF cookie, so the check goes on to read the form
    response = client.post("/me/profile/", {"display_name": "Tess", "tier": "skilled", "headline": "x" * 20_000})
    assert response.status_code == 413
    assert "too large" in response.content.decode() and "10,000 bytes" in response.content.decode()
    trainer.refresh_from_db()
    assert trainer.display_name == "Tess Trainer"


def test_a_page_refuses_too_many_form_fields_with_413(settings, trainer):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {"display_name": "Tess", "tier": "skilled", **{f"extra{n}": "x" for n in range(20)}}
    response = logged_in(trainer.user).post("/me/profile/", data)
    assert response.status_code == 413
    assert "10 form fields" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/surveys/batch/", "/api/v1/postings/"])
def test_the_api_refuses_a_too_large_body_with_413(partner_api, url):
    """At the real limit (5 MB): a body of 6 MB is never parsed."""
    body = {"rows": [batch_row()], **posting_json(), "description": "x" * 6 * 1_048_576}
    response = partner_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="big")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "5 MB" in response.json()["detail"]
    assert stored_counts() == {"surveys": 0, "observations": 0, "postings": 0, "dirty cells": 0}


def test_a_batch_over_1000_rows_is_refused_naming_the_limit(partner_api):
    response = push(partner_api, [batch_row(external_id=f"r{n}") for n in range(1001)])
    assert response.status_code == 400
    assert "1000" in response.json()["rows"][0]
    assert not PaySurvey.objects.exists()


def test_the_admin_refuses_a_csv_file_over_the_size_limit(staff, monkeypatch):
    monkeypatch.setattr("portal.admin.ingest_csv", functools.partial(ingest_csv, max_bytes=2_000))
    data = csv_bytes(*[batch_row(external_id=f"r{n}") for n in range(100)])
    response = import_by_admin(data, staff)
    assert "larger than 2,000 bytes" in form_errors(response)["file"][0]
    assert "Nothing was imported" in response.content.decode()
    assert not PaySurvey.objects.exists()


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
@pytest.mark.parametrize("url", ["/api/v1/surveys/batch/", "/api/v1/postings/"])
def test_the_api_refuses_json_nested_too_deep_with_400(partner_api, company, owner, url, depth):
    """No request of the API nests deeper than three levels; a thousand levels exhausted the decoder's stack."""
    body = '{"rows": ' + "[" * depth + "]" * depth + ', "title": ' + "{" + '"a": {' * depth + "}" * depth + "}}"
    response = partner_api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"deep{depth}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "nested deeper than 20 levels" in response.json()["detail"]
    draft = posting_create(company=company, by=owner, **posting_fields())
    patch = partner_api.patch(f"/api/v1/postings/{draft.pk}/", body, content_type="application/json")
    assert patch.status_code == 400
    assert stored_counts() == {"surveys": 0, "observations": 0, "postings": 1, "dirty cells": 0}


LONG_LINES = {
    "over-the-row-limit": csv_bytes(batch_row(external_id="x" * 3_000)),
    "one-megabyte-field": csv_bytes(batch_row()) + b'"' + b"x" * 1_048_576 + b'"\n',
    "one-megabyte-line": csv_bytes(batch_row()) + b"x," * 524_288 + b"\n",
}


@pytest.mark.parametrize("surface", ["command", "admin"])
@pytest.mark.parametrize("data", LONG_LINES.values(), ids=LONG_LINES.keys())
def test_a_csv_with_an_absurdly_long_line_is_refused_whole(surface, staff, tmp_path, capsys, data):
    assert_refused_whole(surface, data, staff, tmp_path, capsys)


# --- 4. Broken CSV files: refused whole with the problem named, nothing stored ---------------------------------


def assert_refused_whole(surface, data, staff, tmp_path, capsys, message=None) -> str:
    if surface == "command":
        with pytest.raises(CommandError, match="Nothing was imported") as error:
            import_by_command(data, tmp_path, capsys)
        text = str(error.value)
    else:
        response = import_by_admin(data, staff)
        text = form_errors(response)["file"][0]
        assert "Nothing was imported" in text
        assert_escaped(response)
    if message is not None:
        assert message in text, text
    assert stored_counts() == {"surveys": 0, "observations": 0, "postings": 0, "dirty cells": 0}
    return text


GOOD = csv_bytes(batch_row(external_id="a"), batch_row(external_id="b"))
BROKEN = {
    "latin-1": (GOOD + "2025-01,Outlier,généraliste\n".encode("latin-1"), "UTF-8"),
    "utf-16-with-bom": (GOOD.decode().encode("utf-16"), "UTF-8"),
    "binary-garbage": (random.Random(7).randbytes(4_096), "UTF-8"),
    "nul-bytes-only": (b"\x00" * 1_000, "Wrong columns"),
    "duplicate-column": (csv_bytes(batch_row(), columns=[*COLUMNS, "amount"]), "repeated column(s) amount"),
    "no-header": (GOOD.split(b"\n", 1)[1], "Wrong columns"),
    "unterminated-quote": (GOOD + b'2025-01,"Outlier,generalist\n', "Row 3 (line 4)"),
    # The quote opened in row 2's external_id is closed by nothing: the csv module reads on into row 3, and row 2's
    # external_id would be the rest of the file.
    "unclosed-quote-swallowing-the-next-row": (
        csv_bytes(batch_row(external_id="a"), batch_row(external_id="OPEN"), batch_row(external_id="c")).replace(
            b"OPEN", b'"b'
        ),
        "Row 2 (line 3): a quote",
    ),
    "unclosed-quote-at-the-very-end": (GOOD + csv_bytes(batch_row(external_id="OPEN")).split(b"\n")[1].replace(
        b"OPEN", b'"c'), "Row 3 (line 4): a quote"),
    "text-after-a-closing-quote": (GOOD + b'2025-01,"Outlier"x,generalist\n', "Row 3 (line 4)"),
    "too-many-fields": (
        GOOD + b"2025-01,Outlier,generalist,entry,US,USD,15,hour" + b",x" * 8 + b"\n", "Row 3 (line 4) has 16"
    ),
    "too-few-fields": (GOOD + b"2025-01,Outlier,generalist\n", "Row 3 (line 4) has 3 values"),
    "broken-after-a-full-batch": (
        csv_bytes(*[batch_row(external_id=f"r{n}") for n in range(600)]) + b"2025-01,Outlier\n",
        "Row 601 (line 602) has 2 values",
    ),
}  # fmt: skip


@pytest.mark.parametrize("surface", ["command", "admin"])
@pytest.mark.parametrize(("data", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_csv_file_is_refused_whole_naming_the_problem(surface, staff, tmp_path, capsys, data, message):
    assert_refused_whole(surface, data, staff, tmp_path, capsys, message)


@pytest.mark.parametrize(
    ("data", "dry_run"),
    [(GOOD, True), (BROKEN["unclosed-quote-swallowing-the-next-row"][0], True), (BROKEN["latin-1"][0], False)],
    ids=["dry-run", "refused-dry-run", "refused"],
)
def test_an_import_into_a_new_source_creates_not_even_the_source_on_a_dry_run_or_a_refused_file(
    staff, tmp_path, capsys, data, dry_run
):
    sources = list(Source.objects.values_list("slug", flat=True))
    response = import_by_admin(data, staff, **({"dry_run": "on"} if dry_run else {}))
    assert response.status_code == 200
    if data is GOOD:
        assert "Dry run, nothing stored: 2 rows: 2 accepted" in response.content.decode()
        import_by_command(data, tmp_path, capsys, "--dry-run")
    else:
        assert "Nothing was imported" in form_errors(response)["file"][0]
        with pytest.raises(CommandError, match="Nothing was imported"):
            import_by_command(data, tmp_path, capsys, *(["--dry-run"] if dry_run else []))
    assert list(Source.objects.values_list("slug", flat=True)) == sources
    assert stored_counts() == {"surveys": 0, "observations": 0, "postings": 0, "dirty cells": 0}


# --- 5. The database out of reach: 503 with Retry-After, then recovery ------------------------------------------


def refuse_connections(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails as it does when PostgreSQL is stopped; ``database_down.undo()`` brings it back."""
    monkeypatch.setattr(connections["default"], "ensure_connection", refuse_connections)
    return monkeypatch


class TouchTheDatabase:
    """A middleware that queries before any view runs, as session and authentication middleware do."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        Domain.objects.exists()
        return self.get_response(request)


class Explode:
    """A middleware that fails with an error that has nothing to do with the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise ValueError("a bug")


PAGES = ["/jobs/", "/jobs/?q=clinical", "/report/", "/benchmarks/", "/me/surveys/", "/company/acme-labs/"]
API = ["/api/v1/postings/", "/api/v1/domains/", "/api/v1/benchmarks/?domain=law", "/api/v1/report/"]


def assert_unavailable(response, *, api: bool) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    if api:
        assert response["Content-Type"] == "application/json"
        assert "temporarily unavailable" in response.json()["detail"]
    else:
        assert "Temporarily unavailable" in response.content.decode()


@pytest.mark.parametrize("url", PAGES + API)
def test_pages_and_api_answer_503_while_the_database_is_down_and_recover(owner, company, monkeypatch, url):
    TrainerFactory(user=owner)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    assert client.get(url).status_code == 200
    monkeypatch.setattr(connections["default"], "ensure_connection", refuse_connections)
    assert_unavailable(client.get(url), api=url.startswith("/api/"))
    monkeypatch.undo()  # the database is back: the next request is served as usual
    assert client.get(url).status_code == 200


def test_a_write_answers_503_while_the_database_is_down(partner_api, database_down):
    response = push(partner_api, [batch_row()])
    assert_unavailable(response, api=True)
    database_down.undo()
    assert push(partner_api, [batch_row()]).status_code == 200
    assert PaySurvey.objects.count() == 1


@pytest.mark.parametrize("url", ["/", "/api/v1/domains/"])
def test_a_database_error_raised_in_a_middleware_is_a_503_too(settings, database_down, url):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.TouchTheDatabase"]
    response = Client(raise_request_exception=False).get(url)
    assert_unavailable(response, api=url.startswith("/api/"))


def test_the_drivers_own_connection_error_is_a_503_too(monkeypatch):
    """Django leaves psycopg's error unwrapped where it closes a server-side cursor (a filter's choices)."""
    import psycopg

    from postings import views

    def lost(*args, **kwargs):
        raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")

    monkeypatch.setattr(views, "render", lost)
    response = Client(raise_request_exception=False).get("/jobs/")
    assert_unavailable(response, api=False)


def test_any_other_error_is_still_a_500(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.Explode"]
    response = Client(raise_request_exception=False).get("/jobs/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()
