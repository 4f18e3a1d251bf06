"""portal.api.parsers: JSON the API reads, refused with a 400 where reading on would end in a 500."""

import io
import json

import pytest
from rest_framework import exceptions

from portal.api.parsers import MAX_JSON_DEPTH, JSONParser


def parse(text: str):
    return JSONParser().parse(io.BytesIO(text.encode()), "application/json", {})


@pytest.mark.parametrize("text", ["5", "null", '"text"', "[]", "{}", '{"rows": [{"amount": "15", "note": "ü"}]}'])
def test_any_json_value_within_the_limits_is_read_as_json_reads_it(text):
    assert parse(text) == json.loads(text)


def test_json_nested_to_the_limit_is_read_and_one_level_more_is_refused():
    assert parse("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    with pytest.raises(exceptions.ParseError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        parse("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))


def test_json_nested_past_the_decoders_stack_is_refused_as_too_deep():
    with pytest.raises(exceptions.ParseError, match="nested deeper"):
        parse('{"a": ' * 100_000 + "1" + "}" * 100_000)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ('"\\ud800"', ["non_field_errors"]),
        ('{"tier": "x\\udfff"}', ["tier"]),
        ('{"rows": [{}, {"unit": "\\ud800"}]}', ["rows", 1, "unit"]),
        ('{"languages": ["en", "\\ud800"]}', ["languages", 1]),
        ('{"rows": [{"\\ud800": "x"}]}', ["rows", 0, "non_field_errors"]),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_stands(body, error):
    with pytest.raises(exceptions.ValidationError) as refused:
        parse(body)
    detail = refused.value.detail
    for key in error:
        detail = detail[key]
    assert "Surrogate characters are not allowed" in detail[0] and "U+D" in detail[0]


def test_a_surrogate_pair_is_one_character_and_read():
    assert parse('{"title": "\\ud83d\\ude00"}') == {"title": "\U0001f600"}
