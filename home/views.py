"""Cross-app pages: the home page of each role, health check and friendly error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from home.selectors import home_page_key, home_sections_for
from portal.api.errors import error_body
from portal.lazy_rows import LazyRows


@login_required
def home(request):
    """Show each role the part of the programme it works on; a person with several roles sees
    one section per role."""
    user = request.user
    now = timezone.now()
    roles = user.roles
    return render(
        request,
        "home/home.html",
        {
            # Read only when the cached sections are rendered afresh (home_page_key).
            "sections": LazyRows(lambda: home_sections_for(user=user, now=now, roles=roles)),
            "has_roles": bool(roles),
            "home_key": home_page_key(user=user, roles=roles, now=now),
        },
    )


@never_cache
def health(request):
    """Answer load balancers and docker-compose: the database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        # The few /api/ paths that no API route catches (such as /api/ itself).
        body = error_body(status_code=404, code="not_found", message=gettext("Not found."))
        return JsonResponse(body, status=404)
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    if request.path.startswith("/api/"):
        # API clients parse JSON: give an unexpected failure the API's error shape too
        # (portal/api/errors.py handles every expected error inside DRF).
        body = error_body(
            status_code=500,
            code="server_error",
            message=gettext("Something went wrong on our side. It has been logged."),
        )
        return JsonResponse(body, status=500)
    # No context processors that could fail again: the 500 page renders with the bare minimum.
    from django.template import loader

    template = loader.get_template("errors/500.html")
    from django.http import HttpResponseServerError

    return HttpResponseServerError(template.render({"request_path": request.path}))
