"""/visits/: one module of routes per part of Group Study Visits, each kept by its own views
module (calls, applying, reviewing, scoring and ranking, allocation, exports)."""

from django.urls import include, path

urlpatterns = [
    path("", include("visits.urls_calls")),
    path("", include("visits.urls_applying")),
    path("", include("visits.urls_reviewing")),
    path("", include("visits.urls_scoring")),
    path("", include("visits.urls_allocation")),
    path("", include("visits.urls_exports")),
]
