"""What the portal accepts as text written by a person: the characters, and how much.

Used by the API's JSON guard (portal.api.parsers) and the form guard (portal.form_guard), so an
API client and a browser form are refused the same characters with the same words, and by the
models, forms and serializers of every app for the length caps.
"""

import re

from django.utils.translation import gettext as _

# Length caps, one per kind of text a person writes. A cap is far above what the programme's
# templates ask for (a few hundred words); it stops a pasted book from filling the database,
# every page that shows the text, the history and the PDFs.
SHORT_TEXT_MAX = 200  # a name, a title, a role
PARAGRAPH_MAX = 2_000  # a note, a comment, a city's needs, a recommendation
LONG_TEXT_MAX = 10_000  # a case study's context, a session's agenda or summary

# NUL cannot be stored in PostgreSQL text; a lone surrogate (half of a UTF-16 pair) cannot be
# encoded as UTF-8, so no database driver can store it. A JSON "\ud83d\ude00" pair is decoded to
# one character before this check, so only a half left alone matches.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def forbidden_character_message(text: str) -> str | None:
    """The reason `text` cannot be stored, or None when it can."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("The text contains a NUL character (code 0), which cannot be saved.")
    return _(
        "The text contains an unpaired UTF-16 surrogate (U+%(code)04X), which is not a "
        "character and cannot be saved."
    ) % {"code": ord(found.group())}
