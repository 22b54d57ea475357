"""Routes of the feedback surveys: the results (feedback.views_results) and the comparison
of surveys of one template (feedback.views_comparison)."""

from django.urls import path

from feedback import views_comparison, views_results

urlpatterns = [
    path("compare/", views_comparison.survey_compare, name="survey_compare"),
    path("<int:pk>/results/", views_results.survey_results_page, name="survey_results"),
    path(
        "<int:pk>/results/questions/<int:question_id>.svg",
        views_results.survey_results_svg,
        name="survey_results_svg",
    ),
    path("<int:pk>/results/remind/", views_results.survey_remind, name="survey_remind"),
]
