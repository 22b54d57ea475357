"""One guard for every HTML form post and every query string: a NUL character is refused (400).

Django's forms.CharField refuses NUL (ProhibitNullCharactersValidator), but a view that reads
request.POST itself does not: the roadmap's no-JavaScript form takes every field of the template
from request.POST and hands the text to roadmaps.services, and a NUL there reached PostgreSQL
("cannot contain NUL"), a 500, or was stored on SQLite.

Decision: check the whole decoded form once, here, rather than field by field in each form and
view: a new view cannot forget it. Such a character is never typed by a person, so the answer is
a plain 400 page saying what was refused. Lone surrogates are checked with the same function as
in the API (portal.text), though Django does not let a form produce one: it refuses a
urlencoded form in any charset but UTF-8 (400) and decodes invalid bytes to U+FFFD. The API is
left to its own guard (portal.api.parsers), which reads JSON only and answers in the API's error
shape.
"""

from django.http import JsonResponse
from django.shortcuts import render

from portal.api.errors import error_body
from portal.text import forbidden_character_message

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _first_problem(query_dict) -> str | None:
    for name, values in query_dict.lists():
        for text in (name, *values):
            message = forbidden_character_message(text)
            if message:
                return message
    return None


def query_problem(request) -> str | None:
    """The reason the query string cannot be used, or None. A NUL in a filter or search term
    (`?search=%00`) would reach PostgreSQL in a WHERE clause: a 500 there, on any page or API list.
    """
    return _first_problem(request.GET)


def form_problem(request) -> str | None:
    """The reason the posted form cannot be saved, or None when every name and value can."""
    if request.method != "POST" or request.content_type not in FORM_CONTENT_TYPES:
        return None
    # Uploaded file names need no check: Django's multipart parser drops NUL from them.
    return _first_problem(request.POST)


class FormCharacterGuardMiddleware:
    """Answer 400 to a form post holding a NUL character (or a lone surrogate) anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path.startswith("/api/")
        message = query_problem(request) or (None if is_api else form_problem(request))
        if message:
            return self.refuse(request, message, is_api=is_api)
        return self.get_response(request)

    def refuse(self, request, message: str, *, is_api: bool = False):
        if is_api or "application/json" in request.headers.get("Accept", ""):
            # A script posting a form (never the portal's own: the autosave sends JSON).
            body = error_body(status_code=400, code="invalid_character", message=message)
            return JsonResponse(body, status=400)
        return render(request, "errors/400_form.html", {"message": message}, status=400)
