"""The pages' language for a signed-in person.

Decision: the account's language (set on the account page) is the person's choice for the
pages too, not only for emails. On sign-in the browser's language cookie is set to it, so the
pages switch to it whatever the browser asked for before; saving the account page does the
same. The header's language switcher still works as before: it sets the cookie, which then
wins for this browser until the next sign-in, and it does not change the account (a person
reading a page in another language for a moment keeps their emails in their own). A signed-in
person whose browser has no language cookie (a session from before this change, cookies
cleared) sees the account's language rather than the browser's Accept-Language.
"""

from django.conf import settings
from django.utils import translation


def set_language_cookie(response, language: str) -> None:
    """Set the cookie Django's LocaleMiddleware reads, as Django's set_language view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: use the account's language where the browser has no
    language cookie, and set the cookie to it on sign-in (accounts.receivers marks the
    request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and request.user.is_authenticated:
            language = request.user.language
            if language in dict(settings.LANGUAGES):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        signed_in_language = getattr(request, "signed_in_language", None)
        if signed_in_language in dict(settings.LANGUAGES):
            set_language_cookie(response, signed_in_language)
        return response
