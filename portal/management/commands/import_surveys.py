"""Import pay surveys from a CSV file as one source, through the same ingestion service as the API and the admin."""

import functools
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from benchmarks.choices import SourceKind
from benchmarks.models import Source
from benchmarks.sources import source_get_or_create
from trainers.ingestion import COLUMNS, REJECTED, IngestionError, RowResult, ingest_csv

PROGRESS_EVERY = 10_000


class Command(BaseCommand):
    help = (
        "Import pay surveys from a CSV file with the columns " + ",".join(COLUMNS) + ". Prints one line a row "
        "(accepted / flagged / rejected with the reason) and a summary; running the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, with a header row.")
        parser.add_argument(
            "--source",
            required=True,
            help="The source the rows count for: an existing source's slug or name, or "
            "a new name (an admin-import source is created).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and screen every row; store nothing.")

    def handle(self, *args, file: Path, source: str, dry_run: bool, verbosity: int, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        source_obj = self._source(source)  # a new one is made once the file is found whole, and not on a dry run
        next_report = {"at": PROGRESS_EVERY}

        def on_row(result: RowResult) -> None:
            if verbosity < 1:
                return
            label = f"row {result.line}: {result.status}"
            if result.unchanged:
                label += " (unchanged)"
            if result.reason:
                label += f" – {result.reason}"
            self.stdout.write(self.style.ERROR(label) if result.status == REJECTED else label)

        def progress(rows: int, read: int) -> None:
            if verbosity >= 1 and rows >= next_report["at"]:
                self.stderr.write(f"… {rows:,} rows, {read / 1_048_576:,.1f} MB read")
                next_report["at"] = rows + PROGRESS_EVERY

        with file.open("rb") as handle:
            try:
                summary = ingest_csv(handle, source=source_obj, dry_run=dry_run, on_row=on_row, progress=progress)
            except IngestionError as exc:
                raise CommandError(f"{file}: {exc} Nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(summary.line()))

    def _source(self, text: str) -> Source | Callable[[], Source]:
        """The source named, or a function making it (``ingest_csv`` calls it once the file is read through)."""
        text = text.strip()
        found = Source.objects.filter(slug=text).first() or Source.objects.filter(name=text).first()
        if found is not None:
            return found
        slug = slugify(text)
        if not slug:
            raise CommandError("Give the source a name with letters or digits.")
        return functools.partial(source_get_or_create, slug=slug, name=text, kind=SourceKind.IMPORT)
