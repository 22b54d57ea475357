"""Routes of the programme's own figures: the needs assessment by enabling theme
(feedback.views_needs) and the post-session surveys' sub-topics (feedback.views_subtopics)."""

from django.urls import path

from feedback import views_needs, views_subtopics

urlpatterns = [
    path(
        "<int:pk>/results/themes/", views_needs.survey_results_themes, name="survey_results_themes"
    ),
    path(
        "<int:pk>/results/subtopics/",
        views_subtopics.survey_subtopics_page,
        name="survey_subtopics_send",
    ),
]
