"""One row of text to the fields of a survey."""

import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django_countries import countries

from benchmarks.choices import Engagement, PayUnit, SkillTier, TaskType
from benchmarks.engine.screening import FenceBook
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, Domain, Platform
from benchmarks.normalisation import RateBook, parse_number
from benchmarks.sources import platforms_resolve

from ..models import PaySurvey
from .report import MAX_FIELD_CHARS, OPTIONAL_DECIMALS, RowError


class Vocabulary:
    """Lookups cached for one ingestion run, so a 100,000-row file asks the database once per distinct value.

    Exchange rates are read once a run too (an admin's new rate applies from the next run), and outlier fences at
    most as old as the engine's own (see ``FenceBook``).
    """

    def __init__(self):
        self.domains = {d.slug: d for d in Domain.objects.all()}
        self.currencies = {c.code: c for c in Currency.objects.all()}
        self.platforms: dict[str, Platform | None] = {}
        self.rates = RateBook()
        self.fences = FenceBook()

    def learn_platforms(self, texts: Iterable[str]) -> None:
        """Resolve the platform names of a batch not seen yet in one go (three queries rather than three each)."""
        new = {key: text for text in texts if (key := text.strip().lower()) not in self.platforms}
        if new:
            resolved = platforms_resolve(new.values())
            self.platforms.update((key, resolved[text]) for key, text in new.items())

    def platform(self, text: str) -> Platform:
        key = text.strip().lower()
        if key not in self.platforms:
            self.learn_platforms([text])
        platform = self.platforms[key]
        if platform is None:
            raise RowError(f"platform: unknown platform {text!r}; use a known platform name, website or alias.")
        return platform

    def domain(self, text: str) -> Domain:
        domain = self.domains.get(text.lower())
        if domain is None:
            raise RowError(f"domain: unknown domain {text!r}; use one of {', '.join(self.domains)}.")
        return domain

    def currency(self, text: str) -> Currency:
        currency = self.currencies.get(text.upper())
        if currency is None or not currency.active:
            raise RowError(f"currency: {text!r} is not a currency the portal converts.")
        return currency


def text_of(row: Mapping, name: str) -> str:
    value = row.get(name)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:  # no value holds one, and PostgreSQL refuses it in a query
        raise RowError(f"{name}: contains a NUL character; remove it.")
    if len(value) > MAX_FIELD_CHARS:
        raise RowError(f"{name}: longer than {MAX_FIELD_CHARS} characters.")
    return value


@functools.lru_cache(maxsize=4096)  # a file holds a few dozen months; strptime is a fair part of reading a row
def _period(text: str) -> datetime.date:
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise RowError(f"period: {text!r} is not a month; write it as YYYY-MM (e.g. 2025-03).")


def _decimal(name: str, text: str) -> Decimal | None:
    try:
        return parse_number(text, field=name)
    except ServiceError as error:
        raise RowError(f"{name}: {text!r} is not a plain number. {error.text}") from None


def _country(text: str) -> str:
    country = text.upper()
    if country not in countries:
        raise RowError(f"country: {country!r} is not an ISO 3166-1 alpha-2 code (e.g. US, IN, GB).")
    return country


@functools.cache
def _values(choices: type) -> frozenset[str]:
    return frozenset(choices.values)


def _choice(name: str, text: str, choices: type, default: str | None = None) -> str:
    value = text.lower()
    if not value and default is not None:
        return default
    if value not in _values(choices):
        raise RowError(f"{name}: {text!r} is not one of {', '.join(choices.values)}.")
    return value


def _number(name: str) -> Callable[[str, Vocabulary], Decimal | None]:
    return lambda text, vocabulary: _decimal(name, text)


# (survey field, column, required, reader of the column's text), in the order of the columns.
_READERS = (
    ("period", "period", True, lambda text, vocabulary: _period(text)),
    ("platform", "platform", True, lambda text, vocabulary: vocabulary.platform(text)),
    ("domain", "domain", True, lambda text, vocabulary: vocabulary.domain(text)),
    ("tier", "skill_tier", True, lambda text, vocabulary: _choice("skill_tier", text, SkillTier)),
    ("country", "country", True, lambda text, vocabulary: _country(text)),
    ("currency", "currency", True, lambda text, vocabulary: vocabulary.currency(text)),
    ("amount", "amount", True, _number("amount")),
    ("unit", "unit", True, lambda text, vocabulary: _choice("unit", text, PayUnit)),
    *((name, name, False, _number(name)) for name in OPTIONAL_DECIMALS),
    ("task_type", "task_type", False,
     lambda text, vocabulary: _choice("task_type", text, TaskType, default=TaskType.OTHER)),
    ("engagement", "engagement", False,
     lambda text, vocabulary: _choice("engagement", text, Engagement, default=Engagement.FREELANCE)),
    ("external_id", "external_id", False, lambda text, vocabulary: text),
)  # fmt: skip


def row_fields(row: Mapping, vocabulary: Vocabulary) -> tuple[dict, str]:
    """The ``survey_submit`` fields and the external id of one row of text.

    RowError when a value is wrong, naming every wrong value in the order of the columns: ``field: message; ...``.
    """
    fields: dict = {}
    errors: list[str] = []
    for name, column, required, read in _READERS:
        try:
            text = text_of(row, column)
            if required and not text:
                raise RowError(f"{column}: required.")
            fields[name] = read(text, vocabulary)
        except RowError as exc:
            errors.append(str(exc))
    if errors:
        raise RowError("; ".join(errors))
    external_id = fields.pop("external_id")
    return fields, external_id or row_hash(fields)


def row_hash(fields: dict) -> str:
    """A stable id for a row without ``external_id``: the same answers (however spelt) give the same id."""
    parts = []
    for name in sorted(fields):
        value = fields[name]
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        elif hasattr(value, "pk"):
            value = value.pk
        parts.append(f"{name}={'' if value is None else value}")
    return "row-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def same_answers(survey: PaySurvey, fields: dict) -> bool:
    for name, value in fields.items():
        stored = getattr(survey, f"{name}_id" if name in ("platform", "domain", "currency") else name)
        wanted = value.pk if hasattr(value, "pk") else value
        if name == "country":
            stored = str(stored)
        if stored != wanted:
            return False
    return True


def refusal_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(m.messages[0] for m in errs)}" for name, errs in exc.error_dict.items())
    return " ".join(exc.messages)
