"""Reading a CSV file through, refusing it whole if it is broken."""

import csv
import io
from collections.abc import Iterator

from .report import COLUMNS, MAX_FILE_BYTES, MAX_ROW_CHARS, REQUIRED_COLUMNS, IngestionError


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


def csv_rows(raw, *, max_bytes: int) -> Iterator[tuple[int, dict, int]]:
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


ID_BITS = 1 << 24  # a 2 MB bitmap: of 100,000 distinct ids, about 300 (0.3 %) are kept needlessly


def check_csv(file, *, max_bytes: int = MAX_FILE_BYTES) -> set[str]:
    """Read a CSV file through, raising IngestionError if it is broken; the external ids that may be repeated.

    Those are every id on more than one row, and a few others: the ids seen are kept as bits of a bitmap of their
    hashes, not as text, so that this pass's memory stays flat in the file's size.
    """
    seen, maybe = bytearray(ID_BITS // 8), set()
    for _, row, _ in csv_rows(file, max_bytes=max_bytes):
        external_id = (row.get("external_id") or "").strip()
        if external_id:
            bit = hash(external_id) & (ID_BITS - 1)
            if seen[bit >> 3] & (1 << (bit & 7)):
                maybe.add(external_id)
            seen[bit >> 3] |= 1 << (bit & 7)
    return maybe
