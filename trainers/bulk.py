"""Filing many surveys of one source at once (imports, partner feeds): the rules of ``survey_submit``, bulk writes."""

import copy
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from benchmarks.bulk import history_snapshot, insert_many
from benchmarks.engine.screening import FenceBook
from benchmarks.errors import ServiceError
from benchmarks.models import Source
from benchmarks.normalisation import RateBook

from .models import PaySurvey
from .services import FILED_FIELDS, SurveyOutcome, prepare_filing, refuse_rejected, survey_submit, sync_observations


def surveys_submit_many(
    *,
    source: Source,
    rows: Sequence[tuple[str, dict]],
    rates: RateBook | None = None,
    fences: FenceBook | None = None,
    stored: dict[str, PaySurvey] | None = None,
) -> list[SurveyOutcome | ServiceError]:
    """File many rows of one source that have no trainer (imports, partner feeds): ``(external_id, fields)`` pairs.

    Each row follows exactly the rules of ``survey_submit(trainer=None, ...)``, in order (a later row with the same
    external id updates the earlier one), but exchange rates and outlier fences are looked up once per batch and
    every write is a bulk one: a fixed number of queries whatever the number of rows. Returns, for each row, its
    outcome or the ``ServiceError`` refusing it; a refused row changes nothing. All rows are stored in one
    transaction; if another writer stores one of the same keys meanwhile, the batch is filed again row by row.
    An import of many batches passes one ``rates`` and one ``fences`` book for all of them. A caller that has
    already locked the rows' stored surveys in its transaction (``surveys_lock``) passes them as ``stored``.
    """
    try:
        with transaction.atomic():
            if stored is None:
                stored = surveys_lock(source=source, external_ids=[external_id for external_id, _ in rows])
            return _submit_many(source, rows, rates or RateBook(), fences or FenceBook(), stored)
    except IntegrityError:
        results: list[SurveyOutcome | ServiceError] = []
        for external_id, fields in rows:
            try:
                results.append(survey_submit(trainer=None, source=source, external_id=external_id, **fields))
            except ServiceError as error:
                results.append(error)
        return results


def keyed(source: Source, keys) -> Q:
    """Filter arguments for the surveys of ``source`` with the given external ids, through the unique index.

    The index covers non-empty ids only; saying so lets PostgreSQL use it for a long list of ids (it proves that
    from a list only up to 100 long), instead of reading every survey of the source for each batch.
    """
    return Q(source=source, external_id__in=keys) & ~Q(external_id="")


def surveys_lock(*, source: Source, external_ids) -> dict[str, PaySurvey]:
    """The stored surveys of ``source`` with these external ids, locked for the caller's transaction, by id."""
    keys = {external_id for external_id in external_ids if external_id}
    if not keys:
        return {}
    surveys = PaySurvey.objects.select_for_update().filter(keyed(source, keys)).order_by("pk")
    return {survey.external_id: survey for survey in surveys}


def _submit_many(
    source: Source, rows: Sequence[tuple[str, dict]], rates: RateBook, fences: FenceBook, stored: dict[str, PaySurvey]
) -> list[SurveyOutcome | ServiceError]:
    blank = PaySurvey(trainer=None, source=source)  # copied for each new survey: a copy costs a third of __init__
    latest: dict[str, PaySurvey] = {}  # external id -> the newest filed version of that survey in this batch
    unkeyed: list[PaySurvey] = []
    results: list[SurveyOutcome | ServiceError] = []
    for external_id, given in rows:
        fields = dict(given)
        existing = (latest.get(external_id) or stored.get(external_id)) if external_id else None
        try:
            refuse_rejected(existing)
            # A copy, so a refused row leaves the stored (or earlier) version as it was.
            survey = copy.copy(existing or blank)
            survey.external_id = external_id
            prepare_filing(survey, fields, rates=rates, fences=fences)
        except ValidationError as error:
            results.append(error if isinstance(error, ServiceError) else ServiceError(" ".join(error.messages)))
            continue
        if external_id:
            latest[external_id] = survey
        else:
            unkeyed.append(survey)
        results.append(SurveyOutcome(survey=survey, created=existing is None))
    now = timezone.now()
    created = [s for key, s in latest.items() if key not in stored] + unkeyed
    updated = [s for key, s in latest.items() if key in stored]
    for survey in updated:
        survey.updated_at = now
    insert_many(PaySurvey, created)
    if updated:
        PaySurvey.objects.bulk_update(updated, list(FILED_FIELDS))
    # The audit trail save() would leave, written from the stored rows (the user is the request's, as for save()).
    user = PaySurvey.history.model.get_default_history_user(PaySurvey()) if created or updated else None
    history_snapshot(PaySurvey, [s.pk for s in created], history_type="+", user=user)
    history_snapshot(PaySurvey, [s.pk for s in updated], history_type="~", user=user)
    sync_observations(created, created=True)
    sync_observations(updated)
    return results
