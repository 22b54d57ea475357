"""The base layout's header, rendered once per kind of page and person, then reused.

`{% load portal_layout %}` `{% site_header %}` (templates/base.html).

Why: every page draws the same header (brand, main navigation, sign-out and language forms),
and rendering it took a third of a signed-in page that shows nothing else (the floor benchmark,
README "Benchmarks"). What the header shows depends only on the key below: the language, the
page's URL name (aria-current), the script prefix (the links) and three facts about the person
(signed in, may invite an officer, may open the Django admin). The two parts that differ on
every request, the CSRF token and the page's own path (the language form's `next`), are filled
in after the lookup. Nothing else about the person (no name, no city) is in the header, so one
person's header is never another's. The cache is per process and holds at most `MAX_HEADERS`
entries; templates and translations only change with a deploy, which restarts the processes.
"""

from django import template
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Unique strings that cannot occur in rendered markup (they contain NUL, which the form guard
# refuses in any request, so no URL or text of a page holds them).
CSRF_SLOT = "\x00csrf\x00"
NEXT_SLOT = "\x00next\x00"
MAX_HEADERS = 512
_headers: dict[tuple, str] = {}


def _header_key(request, user) -> tuple:
    is_authenticated = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    return (
        get_language(),
        get_script_prefix(),
        match.url_name if match else None,
        is_authenticated,
        is_authenticated and user.has_perm("cities.add_invitation"),
        is_authenticated and user.is_staff,
        # Facilitators and programme admins build surveys (feedback.building.builds_surveys
        # says exactly who; the role is what the header can tell without a query).
        is_authenticated and (user.is_facilitator or user.is_programme_admin),
    )


def _header_render(key: tuple) -> str:
    _language, _prefix, url_name, is_authenticated, can_invite, is_staff, builds_surveys = key
    return render_to_string(
        "portal/_site_header.html",
        {
            "url_name": url_name,
            "is_authenticated": is_authenticated,
            "can_invite": can_invite,
            "is_staff": is_staff,
            "builds_surveys": builds_surveys,
            "csrf_input": mark_safe(CSRF_SLOT),
            "next_path": mark_safe(NEXT_SLOT),
        },
    )


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context.get("request")
    if request is None:
        # A page rendered without a request (none today: errors/500.html has its own layout).
        return mark_safe(
            _header_render(_header_key(None, None)).replace(CSRF_SLOT, "").replace(NEXT_SLOT, "/")
        )
    key = _header_key(request, context.get("user"))
    html = _headers.get(key)
    if html is None:
        if len(_headers) >= MAX_HEADERS:
            _headers.clear()
        html = _headers[key] = _header_render(key)
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    return mark_safe(
        html.replace(CSRF_SLOT, csrf_input).replace(NEXT_SLOT, escape(request.get_full_path()))
    )
