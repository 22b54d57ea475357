"""Routes of the feedback surveys: the downloads of the results (feedback.views_exports)."""

from django.urls import path

from feedback import views_exports

urlpatterns = [
    path(
        "<int:pk>/results/responses.csv",
        views_exports.survey_export_csv,
        name="survey_export_csv",
    ),
    path(
        "<int:pk>/results/responses.xlsx",
        views_exports.survey_export_xlsx,
        name="survey_export_xlsx",
    ),
    path("<int:pk>/results/report.pdf", views_exports.survey_report, name="survey_report"),
    path(
        "<int:pk>/results/questions/<int:question_id>.png",
        views_exports.survey_results_png,
        name="survey_results_png",
    ),
]
