"""What an ingestion run says: the columns it takes, its errors, each row's result and the summary."""

import datetime
from dataclasses import dataclass, field

from ..choices import SurveyStatus
from ..models import PaySurvey

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
    period: datetime.date | None = None  # the month of pay it was filed for

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
    periods: set = field(default_factory=set, repr=False)  # months of pay of the filed rows

    def add(self, result: RowResult) -> None:
        self.rows += 1
        self.counts[result.status] += 1
        self.unchanged += result.unchanged
        if result.survey_id is not None:
            self.filed[result.survey_id] = result.status == FLAGGED
            self.pairs.add(result.pair)
            self.periods.add(result.period)

    def rescreened(self, changes: dict[str, bool]) -> None:
        """Apply the re-screening's {origin: flagged} to this run's rows."""
        for origin, flagged in changes.items():
            pk = PaySurvey.pk_of_origin(origin)
            if pk in self.filed:
                self.filed[pk] = flagged
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
