"""Bulk ingestion of pay surveys: the one path for ``import_surveys``, the admin CSV upload and ``surveys/batch/``.

Every row goes through ``surveys_submit_many``, the bulk form of ``survey_submit`` (trainer=None), so outlier
flagging, normalisation limits and the one-survey-per-key rule are exactly those of the survey form. A row is
identified by its source and ``external_id``; a row without one gets a stable hash of its content instead, so
running the same file again changes nothing. A file that is broken as a whole (wrong columns, not UTF-8, a quote
left open, a huge row, too many bytes) is refused before anything is stored: a first pass reads it through
(``reading``), a second pass stores it in batches (``storing``), each row read by ``rows`` and reported by
``report``.
"""

from .reading import check_csv
from .report import (
    ACCEPTED,
    COLUMNS,
    FLAGGED,
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    OUTCOMES,
    REJECTED,
    REQUIRED_COLUMNS,
    IngestionError,
    RowError,
    RowResult,
    Summary,
)
from .rows import row_fields, row_hash
from .storing import ingest_csv, ingest_rows

__all__ = [
    "ACCEPTED", "COLUMNS", "FLAGGED", "MAX_FIELD_CHARS", "MAX_FILE_BYTES", "OUTCOMES", "REJECTED", "REQUIRED_COLUMNS",
    "IngestionError", "RowError", "RowResult", "Summary", "check_csv", "ingest_csv", "ingest_rows", "row_fields",
    "row_hash",
]  # fmt: skip
