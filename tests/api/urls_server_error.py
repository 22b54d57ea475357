"""The portal's URLs plus two views that fail, to check what a 500 looks like."""

from django.urls import path
from rest_framework.decorators import api_view

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@api_view(["GET"])
def api_boom(request):
    raise RuntimeError("an unexpected failure in an API view")


def page_boom(request):
    raise RuntimeError("an unexpected failure in a page")


urlpatterns = [
    path("api/v1/boom/", api_boom),
    path("boom/", page_boom),
    *portal_urlpatterns,
]
