"""The portal's URLs plus the floor page, which exists only while benchmarks run.

The floor is what the portal must do for any signed-in person before a page shows anything:
the whole middleware, the session, the user, the context processors and the base layout.
Every page's figure is a ratio to it (README, "Benchmarks").
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


FLOOR_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block head_title %}Floor{% endblock head_title %}'
)


@login_required
def floor(request):
    """The base layout with an empty content block, rendered like every page (with the request,
    so the context processors run)."""
    return HttpResponse(FLOOR_TEMPLATE.render({}, request))


urlpatterns = [path("__benchmarks__/floor/", floor, name="benchmarks_floor"), *portal_urlpatterns]
