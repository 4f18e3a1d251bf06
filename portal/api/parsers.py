"""The API's JSON parser: DRF's, refusing with a 400 what would otherwise end in a 500 further on.

- Nesting: no request of the API nests deeper than three levels (``{"rows": [{...}]}``). A thousand levels exhaust
  the decoder's stack (``RecursionError``), and anything deep enough makes every later walk over the data (a
  serializer, the batch's digest) a risk: more than ``MAX_JSON_DEPTH`` levels is refused as unreadable.
- Lone surrogates: JSON's ``\\ud800`` escape decodes to half of a UTF-16 pair, which is no Unicode text. It can be
  neither stored (PostgreSQL refuses it) nor written back in an answer (UTF-8 cannot encode it), so an error message
  quoting it (a choice field's) failed in turn; it is refused naming the field, as DRF's CharField refuses it.
"""

from rest_framework import exceptions, parsers

MAX_JSON_DEPTH = 20
# Worded as DRF's CharField words it ("Surrogate characters are not allowed: U+D800."), saying what would do.
LONE_SURROGATE = (
    "Surrogate characters are not allowed{where}: {code} is half of a UTF-16 pair, not Unicode text. Send UTF-8 "
    "text, or escape a character beyond U+FFFF as both halves of its pair."
)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _check(data)
        return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels; no request of this API nests more than three."
    )


def _check(data) -> None:
    """Walk the parsed data without recursion: refuse it too deep, or with a lone surrogate in a key or a string."""
    if isinstance(data, str):
        _check_text(data, ())
    if not isinstance(data, dict | list):
        return
    stack = [(data, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            if isinstance(key, str):
                _check_key(key, path)
            if isinstance(child, str):
                _check_text(child, (*path, key))
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1, (*path, key)))


def _surrogate(text: str) -> str | None:
    """The code point of the first lone surrogate in ``text`` (U+D800), or None; ASCII text is skipped at once."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"U+{ord(text[error.start]):04X}"
    return None


def _check_text(text: str, path: tuple) -> None:
    code = _surrogate(text)
    if code is not None:
        raise exceptions.ValidationError(_at(path, LONE_SURROGATE.format(where="", code=code)))


def _check_key(key: str, path: tuple) -> None:
    code = _surrogate(key)
    if code is not None:
        message = LONE_SURROGATE.format(where=" in a key", code=code)
        raise exceptions.ValidationError(_at((*path, "non_field_errors"), message))


def _at(path: tuple, message: str):
    """``{field: [message]}`` nested along ``path``, as DRF words the errors of nested serializers and lists."""
    error = [message]
    for key in reversed(path):
        error = {key: error}
    return error if isinstance(error, dict) else {"non_field_errors": error}
