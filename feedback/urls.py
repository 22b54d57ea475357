"""/surveys/: one module of routes per part of the feedback surveys, each kept by its own views
module (answering, results, building, live mode, exports)."""

from django.urls import include, path

urlpatterns = [
    path("", include("feedback.urls_answer")),
    path("", include("feedback.urls_results")),
    path("", include("feedback.urls_needs")),
    path("", include("feedback.urls_exports")),
    path("", include("feedback.urls_builder")),
    path("", include("feedback.urls_live")),
]
