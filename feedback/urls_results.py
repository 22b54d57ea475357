"""Routes of the feedback surveys: the results (feedback.views_results)."""

from django.urls import path

from feedback import views_results

urlpatterns = [
    path("<int:pk>/results/", views_results.survey_results_page, name="survey_results"),
    path(
        "<int:pk>/results/questions/<int:question_id>.svg",
        views_results.survey_results_svg,
        name="survey_results_svg",
    ),
    path("<int:pk>/results/remind/", views_results.survey_remind, name="survey_remind"),
]
