"""The API reads JSON request bodies only, and every JSON body passes one guard.

One parser for every endpoint keeps the schema honest (each operation offers one request body
type, so clients generated from the schema work) and is the one place where untrusted request
bodies are turned into Python values. The page's autosave (roadmaps.views) reads its body with
the same `parse_json_body`, so the page and the API refuse the same bodies with the same words.

Decision: the guard refuses, before any view sees the data,
- a body larger than MAX_JSON_BODY_BYTES (the largest honest body, a climate action with every
  text at its cap and every character escaped as \\uXXXX, is well under it);
- nesting deeper than MAX_JSON_DEPTH (Python's json module recurses once per level, so 100,000
  `[` raised RecursionError, a 500; no endpoint takes more than three levels);
- a NUL character or a lone surrogate in any string or key: PostgreSQL cannot store NUL in text,
  and a lone surrogate cannot be encoded as UTF-8 by any database driver, so both ended in a 500
  deep inside a save. Nothing an honest client sends holds either.
"""

import json
import re

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser

from portal.text import forbidden_character_message

MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

# A JSON string (with its escapes), and the brackets that open or close a level.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class BadJSONBody(ParseError):
    """The body is not JSON the portal accepts; `detail` says why, for the person sending it."""

    default_code = "parse_error"

    def __init__(self, message: str, *, code: str = "parse_error"):
        super().__init__(detail=message, code=code)
        self.message = message


def too_large_error() -> BadJSONBody:
    return BadJSONBody(
        _("The request is too large: send at most %(size)s KB.")
        % {"size": MAX_JSON_BODY_BYTES // 1024},
        code="too_large",
    )


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, counting only until it passes the limit."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
    return deepest


def _strings(value):
    """Every string in a parsed JSON value, keys included (the depth is already bounded)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def parse_json_body(body: bytes, *, encoding: str = "utf-8"):
    """Return the value of a JSON request body, or raise BadJSONBody with a clear message."""
    if len(body) > MAX_JSON_BODY_BYTES:
        raise too_large_error()
    try:
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise BadJSONBody(_("The request body is not valid UTF-8 text.")) from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise BadJSONBody(
            _("The JSON is nested too deeply: at most %(depth)s levels.")
            % {"depth": MAX_JSON_DEPTH},
            code="too_deep",
        )
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        message = _("The request body is not valid JSON: %(error)s") % {"error": error}
        raise BadJSONBody(message) from None
    for string in _strings(value):
        message = forbidden_character_message(string)
        if message:
            raise BadJSONBody(message, code="invalid_character")
    return value


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (DRF's STRICT_JSON refuses them too).
    raise ValueError(_("%(name)s is not a JSON value") % {"name": name})


class JSONParser(DRFJSONParser):
    """DRF's JSON parser with the guard above.

    A body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE is refused by Django before this
    parser runs (RequestDataTooBig); portal.api.errors answers it with the same message.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        return parse_json_body(stream.read(MAX_JSON_BODY_BYTES + 1), encoding=encoding)
