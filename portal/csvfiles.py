"""The one writer of the CSV files the portal serves (the report's download, the API's tables).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some treat a leading tab
or carriage return the same way: OWASP's CSV-injection rule is to prefix such a cell with ``'``, which the
spreadsheet shows as text. Every text cell goes through it, wherever its words came from (an admin's domain name
today; whatever tomorrow); numbers are written as numbers. No column of ours holds a negative number.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run, prefixed with ``'``; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping], columns: Sequence[str]) -> str:
    """A header of ``columns`` and one line a row (other keys left out, None an empty cell), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(name) for name in columns])
    for row in rows:
        writer.writerow([neutralise(row.get(name)) for name in columns])
    return buffer.getvalue()
