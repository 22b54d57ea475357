"""Routes of the scoring part of Group Study Visits (visits/urls.py)."""

from django.urls import path

from visits import views_scoring

urlpatterns = [
    path("calls/<int:pk>/ranking/", views_scoring.call_ranking, name="visit_call_ranking"),
    path(
        "calls/<int:pk>/ranking/run/",
        views_scoring.call_scoring_run,
        name="visit_call_scoring_run",
    ),
    path(
        "applications/<int:pk>/score/",
        views_scoring.application_score,
        name="visit_application_score",
    ),
]
