"""The authorisation matrix: every page and endpoint that takes an id, tried by everyone who has no business there.

One company, Quillfeather Labs, owns postings in every status, an application from a trainer, pending and used team
invitations and a partner key; the trainer who applied has filed a pay survey. Each case below is a route, a verb and
the object it aims at, and runs once for each outsider named in its row. An outsider must be refused:

- 404 or 403 (on the API, 401 for a request with no credentials); a page that needs a login may send an anonymous
  visitor to log in, and a trainer's page may send someone without a trainer profile to create one;
- with nothing of the object in the answer, nor on the page a redirect leads to (where a message would show);
- with exactly the answer a missing id gets, so a refusal does not tell that the object exists;
- with nothing changed in the database.

A control runs each case as its rightful actor, so that a refusal is never a wrong URL or a broken form in disguise.
``test_every_id_taking_route_is_in_the_matrix`` walks the URL resolver: a new route with an id fails it until its
cases are added to the table (or it is allow-listed below, with the reason).
"""

import dataclasses
import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import BandAlert, SavedSearch
from alerts.searches import saved_search_create
from benchmarks.models import Observation
from portal.api.services import partner_create, partner_key_issue
from portal.models import Scope
from postings.invitations import invitation_accept, invitation_create
from postings.models import Application, Company, Invitation, JobPosting, Membership
from postings.services import application_submit, membership_add, posting_close, posting_expire, posting_reject
from tests.documents import pdf_bytes, reviewer, upload
from tests.factories import (
    CompanyFactory,
    DraftPostingFactory,
    InReviewPostingFactory,
    PublishedPostingFactory,
    TrainerFactory,
    UserFactory,
    domain,
    platform,
    survey_fields,
    survey_form_data,
)
from trainers.models import PaySurvey, TrainerProfile, VerificationDocument
from trainers.services import survey_submit
from trainers.verification import verification_document_upload

pytestmark = pytest.mark.django_db

MISSING_PK = 987654321
MISSING_SLUG = "no-such-company"
MISSING_TOKEN = "no-such-invitation-token"
ALL_SCOPES = ",".join(Scope.values)


# --- Who asks -----------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who sends a request: a person logged in through the session, a partner's API key, or nobody."""

    user: str = ""  # the world's user who is logged in
    key: str = ""  # the world's partner whose API key is sent
    slug: str = ""  # the world's company whose slug replaces the target's in the URL
    insider: bool = False  # a member of the target's company: may know the object exists


ACTORS = {
    "anonymous": Actor(),
    "owner": Actor(user="owner"),  # Quillfeather's owner
    "recruiter": Actor(user="recruiter", insider=True),  # a Quillfeather member, not its owner
    "rival": Actor(user="rival"),  # the owner of another company, with Quillfeather's slug in the URL
    "rival_own_slug": Actor(user="rival", slug="rival_company"),  # the same, with their own company's slug
    "applicant": Actor(user="applicant"),  # the trainer who applied to Quillfeather and filed the survey
    "other_trainer": Actor(user="other_trainer"),
    "invitee": Actor(user="invitee"),  # the person a pending Quillfeather invitation is for
    "owner_partner": Actor(key="owner_partner"),  # Quillfeather's partner key
    "rival_partner": Actor(key="rival_partner"),  # another company's partner key, with every scope
    "companyless_partner": Actor(key="companyless_partner"),  # a partner with every scope and no company
    "staff": Actor(user="staff"),  # a staff member without the permission to review verification documents
    "reviewer": Actor(user="reviewer"),  # a staff member with it
}

# Outsiders by kind of route.
READERS = ("anonymous", "rival", "other_trainer")  # a posting's public page: anyone may try
WORKSPACE = ("anonymous", "rival", "other_trainer", "applicant")  # a company's pages that take only its slug
WORKSPACE_OBJECT = (*WORKSPACE, "rival_own_slug")  # ... and those that take an object's id too
OWNER_ONLY = (*WORKSPACE_OBJECT, "recruiter")  # team management: only the owner
TRAINER = ("anonymous", "rival", "other_trainer", "owner")  # a trainer's own survey or application
LINK = ("anonymous", "rival", "other_trainer", "owner", "invitee")  # an invitation link that no longer works
API = ("anonymous", "rival_partner", "companyless_partner", "rival", "other_trainer")
STAFF_ONLY = ("anonymous", "owner", "rival", "other_trainer", "applicant", "staff")  # a document: its trainer too


# --- What is sent -------------------------------------------------------------------------------------------------


def posting_form() -> dict:
    return {
        "title": "Hijacked title",
        "description": "Taken over.",
        "description_format": "plain",
        "domain": domain("medicine").pk,
        "tier": "expert",
        "country": "US",
        "engagement": "part_time",
        "rate_min": "45",
        "rate_max": "65",
        "currency": "USD",
        "unit": "hour",
    }


def posting_json() -> dict:
    return {
        "title": "Hijacked title",
        "description": "Taken over.",
        "domain": "medicine",
        "tier": "expert",
        "country": "US",
        "rate_min": "45.00",
        "rate_max": "65.00",
        "currency": "USD",
        "unit": "hour",
    }


def posting_patch() -> dict:
    return {"title": "Hijacked title"}


def application_form() -> dict:
    return {"cover_letter": "Please take me."}


def invitation_form() -> dict:
    return {"email": "mallory@example.com"}


def document_form() -> dict:
    return {"file": upload(pdf_bytes("Hijacked statement"))}


def search_form() -> dict:
    return {"domain": "law", "frequency": "instant", "name": "Hijacked search"}


@dataclasses.dataclass(frozen=True)
class Case:
    """A request aimed at one of Quillfeather's objects, and who must be refused it."""

    route: str  # the URL's name
    method: str
    outsiders: tuple[str, ...]
    owner: str | None = "owner"  # the rightful actor, for the control; None where nobody may (applying to a draft)
    pk: str = ""  # the world's object whose pk is in the URL
    slug: str = ""  # the world's company whose slug is in the URL
    token: str = ""  # the world's invitation whose link is opened
    action: str = ""  # application_move's action
    query_slug: str = ""  # the world's company whose slug is sent as ``?company=`` (the API's create)
    data: Callable[[], dict] | None = None
    changes: bool | None = None  # whether the rightful actor's request changes the database; default: writes do
    verb_exists: bool = True  # False: the route has no such verb for anyone (405), tried all the same
    shows: bool = True  # the rightful actor's GET shows the object (an htmx fragment may not name it)

    @property
    def api(self) -> bool:
        return self.route.startswith("api:")

    @property
    def writes(self) -> bool:
        return self.changes if self.changes is not None else self.method != "GET"

    @property
    def target(self) -> str:
        return self.pk or self.token or self.slug or self.query_slug

    @property
    def id(self) -> str:
        return "-".join(filter(None, [self.route, self.action, self.method, self.target]))


HIDDEN = ("draft", "in_review", "rejected")  # never published: the company's only
ENDED = ("closed", "expired")  # published once: public at their address, marked ended, taking no applications

CASES = [
    # The job board. A published posting is public (see PUBLIC below); in any other status it is its company's.
    *[Case("postings:detail", "GET", READERS, pk=status) for status in HIDDEN],
    Case("postings:apply", "POST", READERS, owner=None, pk="draft", data=application_form),
    # The company workspace.
    Case("postings:company_dashboard", "GET", WORKSPACE, slug="company"),
    Case("postings:create", "GET", WORKSPACE, slug="company"),
    Case("postings:create", "POST", WORKSPACE, slug="company", data=posting_form),
    Case("postings:preview", "GET", WORKSPACE, slug="company", shows=False),
    Case("postings:preview", "POST", WORKSPACE, slug="company", data=posting_form, changes=False),
    Case("postings:manage", "GET", WORKSPACE_OBJECT, slug="company", pk="draft"),
    Case("postings:manage", "GET", WORKSPACE_OBJECT, slug="company", pk="rejected"),
    Case("postings:edit", "GET", WORKSPACE_OBJECT, slug="company", pk="draft"),
    Case("postings:edit", "POST", WORKSPACE_OBJECT, slug="company", pk="draft", data=posting_form),
    Case("postings:submit", "POST", WORKSPACE_OBJECT, slug="company", pk="draft"),
    Case("postings:close", "POST", WORKSPACE_OBJECT, slug="company", pk="published"),
    Case("postings:applicants", "GET", WORKSPACE_OBJECT, slug="company", pk="published"),
    *[
        Case("postings:application_move", "POST", WORKSPACE_OBJECT, slug="company", pk="application", action=action)
        for action in ("shortlist", "hire", "reject")
    ],
    Case("postings:team", "GET", WORKSPACE, slug="company"),
    Case("postings:team", "POST", (*WORKSPACE, "recruiter"), slug="company", data=invitation_form),
    Case("postings:invitation_revoke", "POST", OWNER_ONLY, slug="company", pk="invitation"),
    # Invitation links: the token in the link is the credential (only its digest is stored), so whoever holds a
    # pending link may see whom it invites, and only the invited email may accept it (see the test after the
    # matrix). A used or expired link shows nothing to anyone.
    Case("postings:invitation", "GET", ("anonymous",), owner="invitee", token="invitation"),
    Case("postings:invitation", "POST", ("anonymous",), owner="invitee", token="invitation"),
    *[Case("postings:invitation", method, LINK, owner=None, token="used_invitation") for method in ("GET", "POST")],
    *[Case("postings:invitation", method, LINK, owner=None, token="expired_invitation") for method in ("GET", "POST")],
    # The trainer workspace: a trainer's surveys and applications are theirs alone, not even the company's.
    Case("trainers:survey_edit", "GET", TRAINER, owner="applicant", pk="survey"),
    Case("trainers:survey_edit", "POST", TRAINER, owner="applicant", pk="survey", data=survey_form_data),
    Case("trainers:survey_withdraw", "POST", TRAINER, owner="applicant", pk="survey"),
    Case("trainers:survey_versions", "GET", TRAINER, owner="applicant", pk="survey"),
    Case("trainers:survey_document", "GET", TRAINER, owner="applicant", pk="survey"),
    Case("trainers:survey_document", "POST", TRAINER, owner="applicant", pk="survey", data=document_form),
    # A verification document's file: only staff with the review permission, not even the trainer who uploaded it.
    # (The file is streamed: its content is checked by test_a_reviewer_reads_the_document below.)
    Case("trainers:document_file", "GET", STAFF_ONLY, owner="reviewer", pk="document", shows=False),
    Case("trainers:application_withdraw", "POST", TRAINER, owner="applicant", pk="application"),
    Case("alerts:search_edit", "GET", TRAINER, owner="applicant", pk="search"),
    Case("alerts:search_edit", "POST", TRAINER, owner="applicant", pk="search", data=search_form),
    Case("alerts:search_delete", "POST", TRAINER, owner="applicant", pk="search"),
    # A company's band alerts: any member may dismiss one.
    Case("alerts:band_alert_dismiss", "POST", WORKSPACE_OBJECT, slug="company", pk="band_alert"),
    # The API. Reads of a published posting are public (see PUBLIC); writes find postings among the actor's own.
    *[Case("api:posting-detail", "GET", API, owner="owner_partner", pk=status) for status in HIDDEN],
    Case("api:posting-detail", "PUT", API, owner="owner_partner", pk="draft", data=posting_json),
    Case("api:posting-detail", "PATCH", API, owner="owner_partner", pk="draft", data=posting_patch),
    # Nobody may edit a published posting (its company gets 409); an outsider must not even learn that it got there.
    Case("api:posting-detail", "PATCH", API, owner=None, pk="published", data=posting_patch),
    Case("api:posting-detail", "DELETE", API, owner="owner_partner", pk="published", verb_exists=False),
    Case("api:posting-submit", "POST", API, owner="owner_partner", pk="draft"),
    Case("api:posting-close", "POST", API, owner="owner_partner", pk="published"),
    # A session user names the company to post for; a key's company is its own (``?company=`` is ignored for keys).
    Case("api:posting-list", "POST", READERS, query_slug="company", data=posting_json),
]

# Routes with an id that anyone may open.
PUBLIC = {
    # A published posting is on the job board for everyone; the matrix tries all its other statuses.
    "postings:detail": "published postings",
    "api:posting-detail": "published postings (GET)",
}
# Routes with an id that reach no object of anyone's: the link's key is itself the credential.
NOT_PRIVATE = {
    # allauth's e-mail confirmation and password-reset links carry a signed, expiring key that allauth checks; there
    # is no other account's object to reach with them.
    "account_confirm_email": "allauth's signed confirmation key",
    "account_reset_password_from_key": "allauth's signed password-reset key",
    # One-click unsubscribe (RFC 8058) works without a login: the signed token names the search and its owner, and a
    # tampered, foreign or stale one changes nothing (tests/alerts/test_searches.py).
    "alerts:unsubscribe": "a saved search's signed unsubscribe token",
    # A platform is an organisation curated by admins, not anyone's object; its page shows only its cells through the
    # suppression-aware selectors, and an unknown slug is a 404 (tests/web/test_platforms.py).
    "portal:platform": "a platform's public pay page",
}

MATRIX = [
    pytest.param(case, actor, id=f"{case.id}-{actor}") for case in CASES for actor in case.outsiders
]  # fmt: skip
CONTROLS = [pytest.param(case, id=case.id) for case in CASES if case.owner]


# --- Quillfeather's world -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    """Quillfeather's objects, its invitation links and the partner keys, by the names the cases use."""

    objects: dict
    tokens: dict[str, str]
    keys: dict[str, str]
    secrets: dict[str, list[str]]  # what identifies each object: none of it may reach an outsider

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def quillfeather(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The world, built once for the module in a transaction that is rolled back at its end; each test runs in a
    savepoint inside it (pytest-django's ``db``), so what one test changes is gone before the next."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                yield build_world()
                raise Rollback
        except Rollback:
            pass


@pytest.fixture
def world(quillfeather, db) -> World:
    return quillfeather


def build_world() -> World:
    owner = UserFactory(username="owner")
    company = CompanyFactory(owner=owner, name="Quillfeather Labs", slug="quillfeather-labs")
    recruiter = UserFactory(username="recruiter")
    membership_add(company=company, user=recruiter, by=owner)
    rival = UserFactory(username="rival")
    rival_company = CompanyFactory(owner=rival, name="Rival Corp", slug="rival-corp")
    applicant = TrainerFactory(
        user=UserFactory(username="applicant", email="tess.secret@example.com"), display_name="Tess Quietapplicant"
    )
    other_trainer = TrainerFactory(user=UserFactory(username="other_trainer"), display_name="Otto Other")
    invitee = UserFactory(username="invitee", email="invitee.secret@example.com")

    def posting(factory, word: str) -> JobPosting:
        return factory(company=company, title=f"{word} clinical reviewer", description=f"The {word} description.")

    draft = posting(DraftPostingFactory, "Zephyr")
    in_review = posting(InReviewPostingFactory, "Yarrow")
    rejected = posting_reject(posting=posting(InReviewPostingFactory, "Xanadu"), by=None, reason="Vague quokka band.")
    published = posting(PublishedPostingFactory, "Orion")
    closed = posting_close(posting=posting(PublishedPostingFactory, "Walrus"), by=owner)
    expired = posting(PublishedPostingFactory, "Vesper")
    expired = posting_expire(posting=expired, now=expired.expires_at + datetime.timedelta(seconds=1))
    application = application_submit(posting=published, trainer=applicant, cover_letter="My narwhal cover letter.")
    survey = survey_submit(trainer=applicant, **survey_fields(amount=Decimal("37.13"))).survey
    documented = survey_submit(trainer=applicant, **survey_fields(platform=platform("mercor"))).survey
    document = verification_document_upload(survey=documented, upload=upload(pdf_bytes("Quokka payout statement")))
    staff = UserFactory(username="staff", is_staff=True)
    search = saved_search_create(
        user=applicant.user, params={"domain": "medicine"}, frequency="daily", name="Quokka oncology search"
    )
    band_alert = BandAlert.objects.create(
        posting=published, previous="within", place="below", cell_label="Medicine", p25=70.0, p75=90.0
    )

    pending = invitation_create(company=company, email=invitee.email, by=owner)
    used = invitation_create(company=company, email="used.secret@example.com", by=owner)
    invitation_accept(token=used.token, user=UserFactory(username="used", email="used.secret@example.com"))
    expired_link = invitation_create(company=company, email="lapsed.secret@example.com", by=owner)
    Invitation.objects.filter(pk=expired_link.invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(1))

    keys = {}
    for name, partner_company in (("owner_partner", company), ("rival_partner", rival_company)):
        _, keys[name] = partner_key_issue(partner=partner_create(name=name, scopes=ALL_SCOPES, company=partner_company))
    _, keys["companyless_partner"] = partner_key_issue(partner=partner_create(name="research", scopes=ALL_SCOPES))

    postings = {"draft": draft, "in_review": in_review, "rejected": rejected, "published": published}
    postings |= {"closed": closed, "expired": expired}
    objects = postings | {
        "company": company,
        "rival_company": rival_company,
        "application": application,
        "survey": survey,
        "document": document,
        "search": search,
        "band_alert": band_alert,
        "invitation": pending.invitation,
        "used_invitation": used.invitation,
        "expired_invitation": expired_link.invitation,
        "owner": owner,
        "recruiter": recruiter,
        "rival": rival,
        "applicant": applicant.user,
        "other_trainer": other_trainer.user,
        "invitee": invitee,
        "staff": staff,
        "reviewer": reviewer(username="reviewer"),
    }
    secrets = {name: [p.title, p.description] for name, p in postings.items()}
    secrets["rejected"].append(rejected.rejection_reason)
    secrets |= {
        "company": [company.name],
        "application": [application.cover_letter, applicant.display_name, applicant.user.email],
        "survey": ["37.13"],
        "document": ["Quokka payout statement"],
        "search": [search.name],
        "invitation": [invitee.email],
        "used_invitation": [used.invitation.email],
        "expired_invitation": [expired_link.invitation.email],
    }
    tokens = {"invitation": pending.token, "used_invitation": used.token, "expired_invitation": expired_link.token}
    return World(objects=objects, tokens=tokens, keys=keys, secrets=secrets)


WATCHED = (
    Company, Membership, JobPosting, Application, Invitation, PaySurvey, TrainerProfile, Observation, SavedSearch,
    BandAlert, VerificationDocument,
)  # fmt: skip


def snapshot() -> dict:
    """Every row an authorisation slip could change, field by field."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


# --- Sending ------------------------------------------------------------------------------------------------------


def client_for(world: World, case: Case, actor: Actor):
    # The test clients do not enforce CSRF, so a write reaches the rule this matrix is about; CSRF has its own tests.
    client = APIClient() if case.api else Client()
    if actor.user:
        client.force_login(getattr(world, actor.user))
    if actor.key:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.keys[actor.key]}")
    return client


def url_for(world: World, case: Case, actor: Actor, *, missing: bool = False) -> str:
    """The case's URL as the actor sends it; ``missing`` swaps the object's id for one that does not exist."""
    kwargs = {}
    if case.slug:
        kwargs["slug"] = getattr(world, actor.slug or case.slug).slug
    if case.pk:
        kwargs["pk"] = getattr(world, case.pk).pk
    if case.token:
        kwargs["token"] = world.tokens[case.token]
    if case.action:
        kwargs["action"] = case.action
    if missing:
        innermost = "pk" if case.pk else "token" if case.token else "slug" if case.slug else ""
        if innermost:
            kwargs[innermost] = {"pk": MISSING_PK, "token": MISSING_TOKEN, "slug": MISSING_SLUG}[innermost]
    url = reverse(case.route, kwargs=kwargs)
    if case.query_slug:
        url += "?company=" + (MISSING_SLUG if missing else getattr(world, case.query_slug).slug)
    return url


def send(world: World, case: Case, actor_name: str, *, missing: bool = False):
    actor = ACTORS[actor_name]
    client = client_for(world, case, actor)
    url = url_for(world, case, actor, missing=missing)
    data = case.data() if case.data else None
    request = getattr(client, case.method.lower())
    response = request(url, data, format="json") if case.api else request(url, data or {})
    response.client = client
    return response


def answer_text(response) -> str:
    """The answer's body, and for a redirect the page it leads to too: a message queued there would show."""
    text = response.content.decode(errors="replace")
    if response.status_code == 302:
        text += response.client.get(response["Location"]).content.decode(errors="replace")
    return text


def refusal_problem(world: World, case: Case, actor_name: str, response) -> str:
    """Why the answer is not a refusal, or "" when it is one."""
    actor, status = ACTORS[actor_name], response.status_code
    anonymous = not (actor.user or actor.key)
    if status in (403, 404):
        return ""
    if status == 401 and case.api and anonymous:
        return ""
    if status == 405 and not case.verb_exists:
        return ""
    if status == 302 and not case.api:
        location = urlsplit(response["Location"]).path
        if anonymous and location == reverse("account_login"):
            return ""
        has_profile = actor.user and TrainerProfile.objects.filter(user=getattr(world, actor.user)).exists()
        trainer_page = case.route.startswith(("trainers:", "alerts:search_"))
        if trainer_page and not has_profile and location == reverse("trainers:profile"):
            return ""
        return f"redirected to {response['Location']}"
    return f"answered {status}"


# --- The matrix ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "actor"), MATRIX)
def test_an_outsider_is_refused_sees_nothing_and_changes_nothing(world, case, actor):
    before = snapshot()
    response = send(world, case, actor)
    problem = refusal_problem(world, case, actor, response)
    assert not problem, f"{actor} {case.method} {case.route} on {case.target}: {problem}"
    text = answer_text(response)
    shown = [secret for secrets in world.secrets.values() for secret in secrets if secret in text]
    assert not shown, f"the answer shows {shown}"
    assert snapshot() == before, "the database changed"

    if not ACTORS[actor].insider:
        missing = send(world, case, actor, missing=True)
        answer = (response.status_code, urlsplit(response.get("Location", "")).path)
        assert answer == (missing.status_code, urlsplit(missing.get("Location", "")).path), "an existence oracle"
        assert snapshot() == before


@pytest.mark.parametrize("case", CONTROLS)
def test_the_rightful_actor_gets_through(world, case):
    """The same request from the object's owner succeeds: the matrix's refusals are real ones."""
    before = snapshot()
    response = send(world, case, case.owner)
    if not case.verb_exists:
        assert response.status_code == 405
        assert snapshot() == before
        return
    assert response.status_code in (200, 201, 302), response.status_code
    if response.status_code == 302:
        assert urlsplit(response["Location"]).path not in (reverse("account_login"), reverse("trainers:profile"))
    if case.writes:
        assert snapshot() != before, "the rightful actor's request changed nothing"
    else:
        assert snapshot() == before
    if case.method == "GET" and case.shows:
        shown = world.secrets.get(case.target, [])
        assert shown[0] in response.content.decode(), f"{case.target} is not shown to its owner"


# --- Around the matrix --------------------------------------------------------------------------------------------


def id_taking_routes() -> set[str]:
    """The names of every URL pattern with a parameter, outside the Django admin (staff only, tested on its own)."""
    found = set()

    def walk(resolver, namespace: str, takes_id: bool) -> None:
        for entry in resolver.url_patterns:
            has_id = takes_id or entry.pattern.regex.groups > 0
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    walk(entry, ":".join(filter(None, [namespace, entry.namespace])), has_id)
            elif has_id:
                found.add(":".join(filter(None, [namespace, entry.name or str(entry.pattern)])))

    walk(get_resolver(), "", False)
    return found


def test_every_id_taking_route_is_in_the_matrix():
    routes = id_taking_routes()
    covered = {case.route for case in CASES}
    assert routes - covered - set(NOT_PRIVATE) == set(), "new routes with an id: add their cases to CASES"
    assert set(NOT_PRIVATE) <= routes, "allow-listed routes that no longer exist: drop them from NOT_PRIVATE"
    assert set(PUBLIC) <= covered, "a public route's non-public objects belong in the matrix too"


def test_every_write_verb_of_the_apis_id_routes_is_in_the_matrix():
    """A viewset says which verbs each route has: a new action on an object is a new row of the table."""
    tried = {(case.route, case.method.lower()) for case in CASES}
    for route in id_taking_routes():
        if not route.startswith("api:"):
            continue
        callback = resolve(reverse(route, kwargs={"pk": MISSING_PK})).func
        verbs = set(getattr(callback, "actions", {})) - {"head", "options"}
        assert verbs, route
        assert {(route, verb) for verb in verbs} <= tried, f"{route} has untried verbs"


@pytest.mark.parametrize(
    ("route", "actor"),
    [*[("postings:detail", actor) for actor in READERS], *[("api:posting-detail", actor) for actor in API]],
    ids=lambda value: value,
)
def test_a_published_posting_is_public(world, route, actor):
    response = send(world, Case(route, "GET", (), pk="published"), actor)
    assert response.status_code == 200
    assert world.published.title in response.content.decode()


@pytest.mark.parametrize("status", ENDED)
@pytest.mark.parametrize(
    ("route", "actor"),
    [*[("postings:detail", actor) for actor in READERS], *[("api:posting-detail", actor) for actor in API]],
    ids=lambda value: value,
)
def test_an_ended_posting_stays_public_at_its_address(world, route, actor, status):
    response = send(world, Case(route, "GET", (), pk=status), actor)
    assert response.status_code == 200
    if route == "postings:detail":
        assert "no longer takes applications" in response.content.decode()


@pytest.mark.parametrize("actor", READERS)
def test_an_application_to_a_closed_posting_changes_nothing(world, actor):
    before = snapshot()
    send(world, Case("postings:apply", "POST", (), pk="closed", data=application_form), actor)
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["rival", "other_trainer", "owner"])
def test_a_pending_invitation_is_accepted_by_no_one_but_the_invited_email(world, actor):
    """Whoever holds a pending link may see whom it invites; joining the company needs the invited email."""
    before = snapshot()
    response = send(world, Case("postings:invitation", "POST", (), token="invitation"), actor)
    assert response.status_code == 200
    assert "Log in with invitee.secret@example.com to accept" in response.content.decode()
    assert snapshot() == before


def test_the_currency_chooser_takes_no_id_and_changes_only_the_callers_own_choice():
    """``portal:currency`` (no id, so not in the matrix): whoever posts to it sets their own session's and their own
    account's display currency, never another person's."""
    from portal.models import CurrencyPreference

    someone, other = UserFactory(username="someone"), UserFactory(username="other")
    CurrencyPreference.objects.create(user=other, currency_id="GBP")
    client = Client()
    client.force_login(someone)
    response = client.post(reverse("portal:currency"), {"currency": "EUR", "user": other.pk, "next": "/"})
    assert response.status_code == 302
    assert CurrencyPreference.objects.get(user=other).currency_id == "GBP"
    assert CurrencyPreference.objects.get(user=someone).currency_id == "EUR"
    assert Client().get(reverse("portal:currency")).status_code == 405  # a GET changes nothing


def test_a_reviewer_reads_the_document(world):
    response = send(world, Case("trainers:document_file", "GET", (), pk="document"), "reviewer")
    assert response.status_code == 200
    assert b"Quokka payout statement" in b"".join(response.streaming_content)
