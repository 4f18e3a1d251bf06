"""Where data points come from: sources (the survey form, a company's postings, a partner feed, an admin import) and
the platforms free-text names stand for."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q, Value

from .choices import SourceKind
from .models import (
    Observation,
    Platform,
    PlatformAlias,
    Source,
    normalise_alias,
)
from .services import cells_mark_dirty

SURVEY_FORM_SOURCE = ("portal-survey-form", "Portal survey form")


def source_get_or_create(*, slug: str, name: str, kind: str) -> Source:
    if kind not in SourceKind.values:
        raise ValueError(f"unknown source kind {kind!r}")
    source, _ = Source.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
    return source


@transaction.atomic
def source_set_trusted(*, source: Source, trusted: bool) -> Source:
    """An admin vouches for a partner feed (its rows count one by one toward the threshold) or takes that back.

    The parties of its stored observations follow at once, and the cells they are in are recomputed.
    """
    source = Source.objects.select_for_update().get(pk=source.pk)
    if source.trusted == trusted:
        return source
    source.trusted = trusted
    source.save(update_fields=["trusted"])
    rows = Observation.objects.filter(source=source, counts_from__isnull=True).exclude(party="")
    if source.kind == SourceKind.PARTNER:
        rows.update(party=F("contributor") if trusted else Value(f"source:{source.pk}"))
    cells_mark_dirty(leaves=rows.values_list("domain_id", "tier", "country", "kind").distinct())
    return source


def survey_form_source() -> Source:
    slug, name = SURVEY_FORM_SOURCE
    return source_get_or_create(slug=slug, name=name, kind=SourceKind.SURVEY_FORM)


def platforms_resolve(texts: Iterable[str]) -> dict[str, Platform | None]:
    """The platform each free-text name or URL means, in three queries: {text: platform or None (unknown)}.

    A text is matched, in this order, by its normalised form against the slugs, by itself (trimmed, any case)
    against the names, and by its normalised form against the aliases.
    """
    found: dict[str, Platform | None] = dict.fromkeys(texts)
    # No name holds a NUL byte, and PostgreSQL refuses one in a query.
    keys = {text: key for text in found if "\x00" not in (text or "") and (key := normalise_alias(text or ""))}
    by_slug = {p.slug: p for p in Platform.objects.filter(slug__in=set(keys.values()))}
    for text, key in keys.items():
        found[text] = by_slug.get(key)
    unnamed = [text for text in keys if found[text] is None]
    if unnamed:
        names = Q()
        for text in unnamed:
            names |= Q(name__iexact=text.strip())
        candidates = list(Platform.objects.filter(names))  # ordered by name, as .first() of each would be
        for text in unnamed:
            wanted = text.strip().casefold()
            found[text] = next((p for p in candidates if p.name.casefold() == wanted), None)
    aliased = {keys[text] for text in keys if found[text] is None}
    if aliased:
        aliases = PlatformAlias.objects.select_related("platform").filter(alias__in=aliased)
        by_alias = {alias.alias: alias.platform for alias in aliases}
        for text, key in keys.items():
            if found[text] is None:
                found[text] = by_alias.get(key)
    return found
