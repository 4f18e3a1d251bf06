"""Filing rows in batches through the survey service, and the end of a run."""

import contextlib
from collections.abc import Callable, Container, Iterable, Iterator, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from benchmarks.engine import screening_refresh
from benchmarks.models import Source
from benchmarks.services import history_months_changed, recompute_deferred

from ..bulk import surveys_lock, surveys_submit_many
from ..choices import SurveyStatus
from ..models import PaySurvey
from .reading import check_csv, csv_rows
from .report import ACCEPTED, BATCH_SIZE, FLAGGED, MAX_FILE_BYTES, OUTCOMES, REJECTED, RowError, RowResult, Summary
from .rows import Vocabulary, refusal_message, row_fields, same_answers, text_of


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
    batch: list[tuple[int, Mapping]], *, source: Source, vocabulary: Vocabulary, repeats: _Repeats
) -> list[RowResult]:
    """File one batch of rows in the caller's transaction, with ``surveys_submit_many``: bulk writes, row rules."""
    prepared: list[tuple[int, dict | None, str, str]] = []
    vocabulary.learn_platforms(text_or_empty(row, "platform") for _, row in batch)
    for line, row in batch:
        try:
            fields, external_id = row_fields(row, vocabulary)
            prepared.append((line, fields, external_id, ""))
        except RowError as exc:
            prepared.append((line, None, text_or_empty(row, "external_id"), str(exc)))
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
            and same_answers(previous, fields)
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
            results[position] = RowResult(line, REJECTED, refusal_message(outcome), external_id)
        else:
            survey = outcome.survey
            results[position] = RowResult(line, survey.status, survey.status_reason, external_id, **_filed_as(survey))
    for (line, row), result in zip(batch, results, strict=True):
        repeated = repeats.note(text_or_empty(row, "external_id"), line)
        if repeated:
            result.reason = f"{result.reason}; {repeated}" if result.reason else repeated
    return results


def _filed_as(survey: PaySurvey) -> dict:
    if survey.status not in (ACCEPTED, FLAGGED):
        return {}
    return {"survey_id": survey.pk, "pair": (survey.domain_id, survey.tier), "period": survey.period}


def text_or_empty(row: Mapping, name: str) -> str:
    try:
        return text_of(row, name)
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
    vocabulary = Vocabulary()
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
            # The file's months of pay change the history points of every window that holds them.
            history_months_changed(periods=summary.periods)
    return summary


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
        for number, row, read in csv_rows(file, max_bytes=max_bytes):
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
