"""Bulk ingestion of pay surveys: the one path for ``import_surveys``, the admin CSV upload and ``surveys/batch/``.

Every row goes through ``surveys_submit_many``, the bulk form of ``survey_submit`` (trainer=None), so outlier
flagging, normalisation limits and the one-survey-per-key rule are exactly those of the survey form. A row is
identified by its source and ``external_id``; a row without one gets a stable hash of its content instead, so
running the same file again changes nothing. A file that is broken as a whole (wrong columns, not UTF-8, a quote
left open, a huge row, too many bytes) is refused before anything is stored: a first pass reads it through, a
second pass stores it in batches.
"""

import contextlib
import csv
import datetime
import functools
import hashlib
import io
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django_countries import countries

from benchmarks.choices import Engagement, PayUnit, SkillTier, TaskType
from benchmarks.engine import screening_refresh
from benchmarks.errors import ServiceError
from benchmarks.models import Currency, Domain, Platform, Source
from benchmarks.normalisation import RateBook, parse_number
from benchmarks.services import FenceBook, platforms_resolve, recompute_deferred

from .choices import SurveyStatus
from .models import PaySurvey
from .services import surveys_lock, surveys_submit_many

COLUMNS = (
    "period", "platform", "domain", "skill_tier", "country", "currency", "amount", "unit", "hours_per_week",
    "minutes_per_task", "project_hours", "unpaid_hours_per_week", "task_type", "engagement", "external_id",
)  # fmt: skip
REQUIRED_COLUMNS = ("period", "platform", "domain", "skill_tier", "country", "currency", "amount", "unit")
OPTIONAL_DECIMALS = ("hours_per_week", "minutes_per_task", "project_hours", "unpaid_hours_per_week")

MAX_FILE_BYTES = 200 * 1024 * 1024  # 100,000 rows take about 10 MB; anything near this is not a survey file.
MAX_ROW_CHARS = 2_000  # the longest honest row is a few hundred characters.
MAX_FIELD_CHARS = 100  # external_id, the longest column, holds 100 characters.
BATCH_SIZE = 1000  # rows a transaction (as in one surveys/batch/ request): short locks, the commit amortised.

ACCEPTED, FLAGGED, REJECTED = SurveyStatus.ACCEPTED.value, SurveyStatus.FLAGGED.value, SurveyStatus.REJECTED.value
OUTCOMES = (ACCEPTED, FLAGGED, REJECTED)
UNUSUAL_FLAGGED_SHARE = 0.05  # honest pay files have a few outliers; more suggests wrong units, currency or columns


class IngestionError(Exception):
    """The file as a whole cannot be read; nothing from it was stored."""


class RowError(Exception):
    """One row cannot be filed; the message says which column and what would be accepted."""


@dataclass
class RowResult:
    line: int  # 1-based data row number (the header is row 0); for JSON batches, the index in the list
    status: str  # accepted / flagged / rejected
    reason: str = ""
    external_id: str = ""
    unchanged: bool = False  # the same row was stored before: nothing changed
    survey_id: int | None = None  # the survey it was filed as (not for rejected rows)
    pair: tuple[int, str] | None = None  # its (domain_id, tier): the outlier fences it was screened against

    def as_dict(self) -> dict:
        return {
            "row": self.line,
            "status": self.status,
            "reason": self.reason,
            "external_id": self.external_id,
            "unchanged": self.unchanged,
        }


@dataclass
class Summary:
    """Counts of a run. ``flagged_after``: how many of its filed rows are flagged once the fences of every
    (domain, tier) it touched were recomputed from all the data and the rows re-screened (None: not re-screened)."""

    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    flagged_after: int | None = None
    filed: dict = field(default_factory=dict, repr=False)  # survey id -> flagged, as each row was screened
    pairs: set = field(default_factory=set, repr=False)

    def add(self, result: RowResult) -> None:
        self.rows += 1
        self.counts[result.status] += 1
        self.unchanged += result.unchanged
        if result.survey_id is not None:
            self.filed[result.survey_id] = result.status == FLAGGED
            self.pairs.add(result.pair)

    def rescreened(self, changes: dict[str, bool]) -> None:
        """Apply the re-screening's {origin: flagged} to this run's rows."""
        for origin, flagged in changes.items():
            kind, _, pk = origin.partition(":")
            if kind == "survey" and int(pk) in self.filed:
                self.filed[int(pk)] = flagged
        self.flagged_after = sum(self.filed.values())

    @property
    def flagged_share(self) -> float:
        flagged = self.counts[FLAGGED] if self.flagged_after is None else self.flagged_after
        return flagged / len(self.filed) if self.filed else 0.0

    def line(self) -> str:
        prefix = "Dry run, nothing stored: " if self.dry_run else ""
        text = (
            f"{prefix}{self.rows} rows: {self.counts[ACCEPTED]} accepted, {self.counts[FLAGGED]} flagged, "
            f"{self.counts[REJECTED]} rejected ({self.unchanged} unchanged)."
        )
        if self.flagged_after is not None:
            text += (
                f" Re-screened against outlier fences from all the data: {self.flagged_after} of the "
                f"{len(self.filed)} filed rows are flagged ({self.flagged_share:.1%})."
            )
        if self.flagged_share > UNUSUAL_FLAGGED_SHARE:
            text += (
                f" Warning: {self.flagged_share:.1%} of the filed rows are flagged as outliers, more than the usual "
                f"{UNUSUAL_FLAGGED_SHARE:.0%}: check the file's units, currencies and columns before trusting it."
            )
        return text

    def as_dict(self) -> dict:
        return {"rows": self.rows, **self.counts, "unchanged": self.unchanged, "dry_run": self.dry_run}


# --- Reading a file ---------------------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """A binary stream that refuses to read past ``limit`` bytes and tells how many it has read."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.count = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        if isinstance(data, str):
            raise IngestionError("Open the file in binary mode.")
        self.count += len(data)
        if self.count > self.limit:
            raise IngestionError(f"The file is larger than {self.limit:,} bytes; split it into smaller files.")
        buffer[: len(data)] = data
        return len(data)


def _csv_rows(raw, *, max_bytes: int) -> Iterator[tuple[int, dict, int]]:
    """(row number, {column: text}, bytes read so far) for each data row; IngestionError for a broken file.

    Row N is on line N + 1 (the header is line 1): no column holds a line break, so a row that runs over several
    lines has a quote that is not closed, and the csv module would read the next rows into its value. Such a file is
    refused, as is any quoting the csv module reads only by guessing (``strict``: text after a closing quote, a quote
    still open at the end of the file).
    """
    counter = _CountingReader(raw, max_bytes)
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, strict=True)
    number, line = 0, 0  # the last data row read, and the line of the file it is on
    try:
        header = next(reader, None)
        if header is None:
            raise IngestionError("The file is empty; it needs a header row: " + ",".join(COLUMNS))
        columns = [name.strip().lower() for name in header]
        _check_columns(columns)
        line = reader.line_num
        for values in reader:
            number, line = number + 1, line + 1
            if reader.line_num != line:
                raise IngestionError(_unclosed_quote(number, line))
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) != len(columns):
                raise IngestionError(
                    f"Row {number} (line {line}) has {len(values)} values; the header has {len(columns)} columns."
                )
            if sum(len(v) for v in values) > MAX_ROW_CHARS:
                raise IngestionError(f"Row {number} (line {line}) is longer than {MAX_ROW_CHARS:,} characters.")
            yield number, dict(zip(columns, values, strict=True)), counter.count
    except UnicodeDecodeError as exc:
        raise IngestionError(
            f"The file is not UTF-8 text (byte {exc.start} of a read block); save it as UTF-8."
        ) from None
    except csv.Error as exc:  # in the row after the last one read
        if "end of data" in str(exc):  # the file ends inside a quoted value
            raise IngestionError(_unclosed_quote(number + 1, line + 1)) from None
        raise IngestionError(f"Row {number + 1} (line {line + 1}) is not valid CSV: {exc}.") from None


def _unclosed_quote(number: int, line: int) -> str:
    return (
        f"Row {number} (line {line}): a quote is not closed before the line ends, so the value would run on into the "
        "lines below. Close the quote, or remove it: no column holds a line break."
    )


def _check_columns(columns: list[str]) -> None:
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"repeated column(s) {', '.join(duplicated)}")
    if problems:
        raise IngestionError(f"Wrong columns: {'; '.join(problems)}. Expected: {','.join(COLUMNS)}.")


# --- One row to survey fields -----------------------------------------------------------------------------------


class _Vocabulary:
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


def _text(row: Mapping, name: str) -> str:
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


def _number(name: str) -> Callable[[str, _Vocabulary], Decimal | None]:
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


def row_fields(row: Mapping, vocabulary: _Vocabulary) -> tuple[dict, str]:
    """The ``survey_submit`` fields and the external id of one row of text.

    RowError when a value is wrong, naming every wrong value in the order of the columns: ``field: message; ...``.
    """
    fields: dict = {}
    errors: list[str] = []
    for name, column, required, read in _READERS:
        try:
            text = _text(row, column)
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


def _same(survey: PaySurvey, fields: dict) -> bool:
    for name, value in fields.items():
        stored = getattr(survey, f"{name}_id" if name in ("platform", "domain", "currency") else name)
        wanted = value.pk if hasattr(value, "pk") else value
        if name == "country":
            stored = str(stored)
        if stored != wanted:
            return False
    return True


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(m.messages[0] for m in errs)}" for name, errs in exc.error_dict.items())
    return " ".join(exc.messages)


# --- Storing ----------------------------------------------------------------------------------------------------


class _Repeats:
    """Rows that repeat an earlier row's ``external_id``, and the row each repeats.

    The later row is filed after the earlier one, so the last valid row with an id is the one kept, as across runs;
    its report says so. ``candidates``: the ids that may be repeated (found by ``check_csv``), the only ones
    remembered here; None: every id is remembered (a pushed batch has at most 1,000 rows).
    """

    def __init__(self, candidates: Container[str] | None = None):
        self.candidates = candidates
        self.first: dict[str, int] = {}

    def note(self, external_id: str, line: int) -> str:
        if not external_id or (self.candidates is not None and external_id not in self.candidates):
            return ""
        first = self.first.setdefault(external_id, line)
        if first == line:
            return ""
        return f"external_id {external_id!r} was also on row {first}; the last valid row with it is the one kept."


def _store_batch(
    batch: list[tuple[int, Mapping]], *, source: Source, vocabulary: _Vocabulary, repeats: _Repeats
) -> list[RowResult]:
    """File one batch of rows in the caller's transaction, with ``surveys_submit_many``: bulk writes, row rules."""
    prepared: list[tuple[int, dict | None, str, str]] = []
    vocabulary.learn_platforms(_text_or_empty(row, "platform") for _, row in batch)
    for line, row in batch:
        try:
            fields, external_id = row_fields(row, vocabulary)
            prepared.append((line, fields, external_id, ""))
        except RowError as exc:
            prepared.append((line, None, _text_or_empty(row, "external_id"), str(exc)))
    ids = [external_id for _, fields, external_id, _ in prepared if fields is not None]
    stored = surveys_lock(source=source, external_ids=ids)
    results: list[RowResult | None] = []
    to_submit: list[tuple[int, int, dict, str]] = []  # (position in results, line, fields, external id)
    submitted: set[str] = set()
    for line, fields, external_id, error in prepared:
        if fields is None:
            results.append(RowResult(line, REJECTED, error, external_id))
            continue
        previous = stored.get(external_id)
        # A row is unchanged only against what is stored; after an earlier row of this batch with the same id, it
        # is filed too, so that the last row wins as it does across batches.
        if (
            previous is not None
            and previous.status != SurveyStatus.WITHDRAWN
            and external_id not in submitted
            and _same(previous, fields)
        ):
            status = previous.status if previous.status in OUTCOMES else REJECTED
            results.append(
                RowResult(line, status, previous.status_reason, external_id, unchanged=True, **_filed_as(previous))
            )
            continue
        submitted.add(external_id)
        to_submit.append((len(results), line, fields, external_id))
        results.append(None)
    outcomes = surveys_submit_many(
        source=source,
        rows=[(external_id, fields) for *_, fields, external_id in to_submit],
        rates=vocabulary.rates,
        fences=vocabulary.fences,
        stored=stored,
    )
    for (position, line, _, external_id), outcome in zip(to_submit, outcomes, strict=True):
        if isinstance(outcome, ValidationError):  # a ServiceError, with the field it concerns
            results[position] = RowResult(line, REJECTED, _message(outcome), external_id)
        else:
            survey = outcome.survey
            results[position] = RowResult(line, survey.status, survey.status_reason, external_id, **_filed_as(survey))
    for (line, row), result in zip(batch, results, strict=True):
        repeated = repeats.note(_text_or_empty(row, "external_id"), line)
        if repeated:
            result.reason = f"{result.reason}; {repeated}" if result.reason else repeated
    return results


def _filed_as(survey: PaySurvey) -> dict:
    if survey.status not in (ACCEPTED, FLAGGED):
        return {}
    return {"survey_id": survey.pk, "pair": (survey.domain_id, survey.tier)}


def _text_or_empty(row: Mapping, name: str) -> str:
    try:
        return _text(row, name)
    except RowError:
        return ""


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


ProgressCallback = Callable[[int, int], None]  # (rows done, bytes read)
RowCallback = Callable[[RowResult], None]


def ingest_rows(
    rows: Iterable[tuple[int, Mapping]],
    *,
    source: Source,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    on_row: RowCallback | None = None,
    progress: Callable[[int], None] | None = None,
    rescreen: bool = False,
    repeats: _Repeats | None = None,
) -> Summary:
    """File (row number, {column: value}) pairs as surveys of ``source``, one transaction per batch.

    Inside a transaction of the caller's, batches are savepoints of it (``surveys/batch/`` keeps all rows and its
    idempotency record in one transaction). ``dry_run`` files every batch and rolls it back. ``rescreen``: at the
    end, recompute the outlier fences of every (domain, tier) the run touched from all the data and re-screen them
    (a file import; a pushed batch leaves that to the engine's next rollup pass), so the summary's statuses are
    the ones that stand, whatever order the rows came in.
    """
    summary = Summary(dry_run=dry_run)
    vocabulary = _Vocabulary()
    repeats = _Repeats() if repeats is None else repeats
    with recompute_deferred():  # one recompute for the whole run, after its last batch
        for batch in _batches(rows, batch_size):
            with transaction.atomic():
                results = _store_batch(batch, source=source, vocabulary=vocabulary, repeats=repeats)
                if dry_run:
                    transaction.set_rollback(True)
            for result in results:
                summary.add(result)
                if on_row is not None:
                    on_row(result)
            if progress is not None:
                progress(summary.rows)
        if rescreen and not dry_run:
            summary.rescreened(screening_refresh(pairs=summary.pairs))
    return summary


ID_BITS = 1 << 24  # a 2 MB bitmap: of 100,000 distinct ids, about 300 (0.3 %) are kept needlessly


def check_csv(file, *, max_bytes: int = MAX_FILE_BYTES) -> set[str]:
    """Read a CSV file through, raising IngestionError if it is broken; the external ids that may be repeated.

    Those are every id on more than one row, and a few others: the ids seen are kept as bits of a bitmap of their
    hashes, not as text, so that this pass's memory stays flat in the file's size.
    """
    seen, maybe = bytearray(ID_BITS // 8), set()
    for _, row, _ in _csv_rows(file, max_bytes=max_bytes):
        external_id = (row.get("external_id") or "").strip()
        if external_id:
            bit = hash(external_id) & (ID_BITS - 1)
            if seen[bit >> 3] & (1 << (bit & 7)):
                maybe.add(external_id)
            seen[bit >> 3] |= 1 << (bit & 7)
    return maybe


def ingest_csv(
    file,
    *,
    source: Source | Callable[[], Source],
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    max_bytes: int = MAX_FILE_BYTES,
    on_row: RowCallback | None = None,
    progress: ProgressCallback | None = None,
) -> Summary:
    """Import a CSV file opened in binary mode (seekable): checked whole first, then stored batch by batch.

    ``on_row`` sees each row's result as it is stored (nothing is kept in memory); ``progress`` gets
    (rows done, bytes read) after each batch. ``source`` may be a function that gets or makes it: it is called once
    the file has been read through, so a refused file makes nothing, and a dry run rolls it back with all the rest.
    """
    repeats = _Repeats(check_csv(file, max_bytes=max_bytes))
    file.seek(0)
    position = {"bytes": 0}

    def rows():
        for number, row, read in _csv_rows(file, max_bytes=max_bytes):
            position["bytes"] = read
            yield number, row

    report = None if progress is None else (lambda done: progress(done, position["bytes"]))
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        summary = ingest_rows(
            rows(),
            source=source() if callable(source) else source,
            dry_run=dry_run,
            batch_size=batch_size,
            on_row=on_row,
            progress=report,
            repeats=repeats,
            rescreen=True,
        )
        if dry_run:
            transaction.set_rollback(True)
    return summary
