"""Saved job searches: saved through the job board's own FilterSet, matched against newly published postings,
emailed once per (search, posting), and unsubscribed from a signed link."""

import datetime
from collections import defaultdict
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from benchmarks.errors import ServiceError, validated
from benchmarks.models import Domain
from postings.choices import PostingStatus
from postings.filters import JobPostingFilterSet
from postings.models import JobPosting

from . import mail
from .choices import DeliveryKind, DeliveryStatus, Frequency
from .models import SavedSearch, SearchMatch

FILTER_FIELDS = ("q", "domain", "tier", "country", "worldwide", "min_usd", "engagement")
UNSUBSCRIBE_SALT = "alerts.unsubscribe"


# --- Saving -----------------------------------------------------------------------------------------------------


def filterset_for(query: str, queryset=None) -> JobPostingFilterSet:
    """The board's FilterSet over a stored (or typed) query; over no postings unless ``queryset`` is given."""
    data = QueryDict(query or "")
    return JobPostingFilterSet(data=data, queryset=queryset if queryset is not None else JobPosting.objects.none())


def _canonical(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(getattr(value, "slug", value))


def search_filter(params) -> tuple[str, Domain | None]:
    """Validate a board filter with the board's own form: its canonical query and its domain (None: any), or a
    refusal naming the field."""
    data = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = params.get(name)
        if value not in (None, ""):
            data[name] = str(value)
    form = JobPostingFilterSet(data=data, queryset=JobPosting.objects.none()).form
    if not form.is_valid():
        field, messages = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        refusal = ServiceError(f"{label}: {' '.join(messages)}", field=field)
        refusal.error_dict = form.errors.as_data()
        raise refusal
    pairs = [(name, form.cleaned_data.get(name)) for name in FILTER_FIELDS]
    query = urlencode([(name, _canonical(value)) for name, value in pairs if value not in (None, "")])
    return query, form.cleaned_data.get("domain")


def _frequency(value) -> str:
    if value not in Frequency.values:
        raise ServiceError(f"Choose how often to email: {', '.join(Frequency.values)}.", field="frequency")
    return value


@transaction.atomic
def saved_search_create(*, user, params, frequency: str, name: str = "") -> SavedSearch:
    """Save a board filter for ``user``; refused when a filter is impossible or the person has too many."""
    query, domain = search_filter(params)
    search = SavedSearch(user=user, query=query, domain=domain, frequency=_frequency(frequency))
    search.name = name.strip() or describe(search)[:120]
    if SavedSearch.objects.filter(user=user).count() >= settings.ALERT_MAX_SAVED_SEARCHES:
        raise ServiceError(
            f"You can keep at most {settings.ALERT_MAX_SAVED_SEARCHES} saved searches; delete one first.",
            code="limit",
        )
    validated(search)
    search.save()
    return search


def _require_owner(search: SavedSearch, by) -> None:
    if search.user_id != getattr(by, "pk", None):
        raise ServiceError("Only the person who saved a search can change it.", code="permission")


@transaction.atomic
def saved_search_update(*, search: SavedSearch, by, params, frequency: str, name: str = "") -> SavedSearch:
    """Change a saved search's filter, frequency or name; saving it again also turns its emails back on."""
    _require_owner(search, by)
    search.query, search.domain = search_filter(params)
    search.frequency = _frequency(frequency)
    search.name, search.active = name.strip() or describe(search)[:120], True
    validated(search)
    search.save()
    return search


@transaction.atomic
def saved_search_delete(*, search: SavedSearch, by) -> None:
    _require_owner(search, by)
    search.delete()


def searches_for_user(*, user) -> QuerySet:
    return SavedSearch.objects.filter(user=user).order_by("-created_at", "-id")


def describe(search: SavedSearch) -> str:
    """The filter in words, from the same form that validated it: "Medicine · Expert · at least 40 USD an hour"."""
    form = filterset_for(search.query).form
    if not form.is_valid():
        return "Every job"
    parts = []
    for name in FILTER_FIELDS:
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if name == "q":
            parts.append(f"“{value}”")
        elif name == "min_usd":
            parts.append(f"at least {_canonical(value)} USD an hour")
        elif name == "worldwide":
            parts.append("open worldwide" if value else "in one country")
        else:
            field = form.fields[name]
            parts.append(str(dict(field.choices).get(value, value)) if hasattr(field, "choices") else str(value))
    return " · ".join(parts) or "Every job"


# --- Unsubscribing ----------------------------------------------------------------------------------------------


def unsubscribe_token(search: SavedSearch) -> str:
    return signing.dumps({"search": search.pk, "user": search.user_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(search: SavedSearch) -> str:
    return mail.site_url(reverse("alerts:unsubscribe", args=[unsubscribe_token(search)]))


@transaction.atomic
def saved_search_unsubscribe(*, token: str) -> SavedSearch:
    """Turn a search's emails off from its signed link. A tampered, foreign or stale link changes nothing."""
    refusal = ServiceError("This unsubscribe link is not valid, so nothing was changed.", field="token")
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise refusal from None
    search_id = payload.get("search") if isinstance(payload, dict) else None
    if not isinstance(search_id, int):
        raise refusal
    search = SavedSearch.objects.select_for_update().filter(pk=search_id).first()
    if search is None or search.user_id != payload.get("user"):
        raise refusal
    if search.active:
        search.active = False
        search.save(update_fields=["active", "updated_at"])
    return search


# --- Matching and sending ---------------------------------------------------------------------------------------


class Matcher:
    """The board's FilterSet over one published posting, built once, applied to many stored queries.

    A stored query is canonical and was validated when saved, so it is read back value by value and handed to the
    FilterSet's own filters, without building a form for each (most of the cost of a FilterSet is its form). A query
    naming a domain that is no longer active matches nothing, as on the board."""

    def __init__(self, posting: JobPosting):
        self.filterset = JobPostingFilterSet(data={}, queryset=JobPosting.objects.published().filter(pk=posting.pk))
        self.domains = {domain.slug: domain for domain in Domain.objects.active()}

    def _value(self, name: str, raw: str):
        if name == "domain":
            return self.domains.get(raw)
        if name == "worldwide":
            return raw == "true"
        if name == "min_usd":
            return Decimal(raw)
        return raw

    def matches(self, query: str) -> bool:
        postings = self.filterset.queryset
        for name, raw in parse_qsl(query):
            value = self._value(name, raw)
            if name not in FILTER_FIELDS or value is None:
                return False
            postings = self.filterset.filters[name].filter(postings, value)
        return postings.exists()


@transaction.atomic
def matches_record(*, posting_id: int) -> list[int]:
    """Record a match for every active search that lists this published posting (once, however often it runs);
    returns the ids of its instant searches' matches not handled yet.

    Only searches of the posting's domain (or of any) are candidates, and searches with the same filter share one
    evaluation of it."""
    posting = JobPosting.objects.published().filter(pk=posting_id).first()
    if posting is None:
        return []
    candidates = (
        SavedSearch.objects.filter(Q(domain=None) | Q(domain_id=posting.domain_id), active=True)
        .exclude(matches__posting=posting)
        .values_list("pk", "query")
    )
    by_query: dict[str, list[int]] = defaultdict(list)
    for pk, query in candidates:
        by_query[query].append(pk)
    matcher = Matcher(posting)
    found = [
        SearchMatch(search_id=pk, posting=posting)
        for query, pks in by_query.items()
        if matcher.matches(query)
        for pk in pks
    ]
    SearchMatch.objects.bulk_create(found, ignore_conflicts=True)
    pending = SearchMatch.objects.filter(
        posting=posting, handled_at=None, search__active=True, search__frequency=Frequency.INSTANT
    )
    return list(pending.values_list("pk", flat=True))


def _email_context(search: SavedSearch, postings: list[JobPosting]) -> tuple[dict, dict]:
    url = unsubscribe_url(search)
    headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    links = [(p, mail.site_url(reverse("postings:detail", args=[p.pk]))) for p in postings]
    context = {
        "search": search,
        "description": describe(search),
        "postings": links,
        "unsubscribe_url": url,
        "manage_url": mail.site_url(reverse("alerts:searches")),
    }
    return context, headers


@transaction.atomic
def match_send_instant(*, match_id: int) -> str | None:
    """Email one instant match, unless it was handled already; returns the delivery status (None: nothing to do).

    Over the hourly limit, or on a failed send, the match stays pending and goes out with the next digest."""
    match = (
        SearchMatch.objects.select_for_update()
        .select_related("search__user", "posting__company", "posting__domain")
        .filter(pk=match_id, handled_at=None, search__active=True)
        .first()
    )
    if match is None:
        return None
    if match.posting.status != PostingStatus.PUBLISHED:  # closed before its email went
        _handled(match, None)
        return None
    context, headers = _email_context(match.search, [match.posting])
    delivery = mail.deliver(
        user=match.search.user,
        kind=DeliveryKind.INSTANT,
        subject=f"New job for “{match.search}”: {match.posting.title}",
        template="posting",
        context=context,
        headers=headers,
        search=match.search,
    )
    if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED):
        _handled(match, delivery)
    return delivery.status


def _handled(match: SearchMatch, delivery) -> None:
    match.handled_at, match.delivery = timezone.now(), delivery
    match.save(update_fields=["handled_at", "delivery"])


@transaction.atomic
def search_send_digest(*, search_id: int) -> str | None:
    """Email a search's pending matches in one digest (jobs closed meanwhile are dropped); the delivery status."""
    search = SavedSearch.objects.select_for_update().select_related("user").filter(pk=search_id, active=True).first()
    if search is None:
        return None
    pending = list(
        SearchMatch.objects.select_for_update()
        .filter(search=search, handled_at=None)
        .select_related("posting__company", "posting__domain")
    )
    live = [m for m in pending if m.posting.status == PostingStatus.PUBLISHED]
    for match in pending:
        if match not in live:
            _handled(match, None)
    if not live:
        return None
    context, headers = _email_context(search, [m.posting for m in live])
    count = len(live)
    delivery = mail.deliver(
        user=search.user,
        kind=DeliveryKind.DIGEST,
        subject=f"{count} new job{'s' if count != 1 else ''} for “{search}”",
        template="digest",
        context=context,
        headers=headers,
        search=search,
    )
    if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED):
        for match in live:
            _handled(match, delivery)
    return delivery.status


def matches_record_recent(*, days: int = 2) -> int:
    """Record the matches of postings published in the last ``days`` (those a lost task message missed); how many
    postings were looked at. Idempotent: a posting already matched is matched again to no effect."""
    since = timezone.now() - datetime.timedelta(days=days)
    ids = list(JobPosting.objects.published().filter(published_at__gte=since).values_list("pk", flat=True))
    for posting_id in ids:
        matches_record(posting_id=posting_id)
    return len(ids)


def searches_with_pending() -> list[int]:
    """Active searches with matches not handled yet: daily ones, and instant ones the hourly limit held back."""
    return list(
        SavedSearch.objects.filter(active=True, matches__handled_at=None).distinct().values_list("pk", flat=True)
    )
