"""portal.csvfiles: the one writer of the CSV files the portal serves, neutralising cells a spreadsheet would run."""

import csv
import io
from decimal import Decimal

import pytest

from portal.csvfiles import csv_text, neutralise


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_a_cell_a_spreadsheet_would_read_as_a_formula_is_prefixed_with_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Law · Expert", "", "fewer than 5", "10–14", "'quoted", " =1", "a=b", "*"])
def test_any_other_text_is_left_as_it_is(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [17.5, 0, 12, Decimal("17.50"), True])
def test_numbers_are_not_text_and_are_left_as_they_are(value):
    assert neutralise(value) is value


def test_csv_text_writes_a_header_and_rows_that_read_back():
    rows = [{"label": "=cmd", "p50": 17.5, "p90": None, "extra": "ignored"}, {"label": "Law", "p50": 20}]
    text = csv_text(rows, ["label", "p50", "p90"])
    assert list(csv.DictReader(io.StringIO(text))) == [
        {"label": "'=cmd", "p50": "17.5", "p90": ""},
        {"label": "Law", "p50": "20", "p90": ""},
    ]
    assert text.splitlines()[0] == "label,p50,p90"


def test_a_header_name_is_neutralised_too():
    assert csv_text([], ["-name"]) == "'-name\n"
