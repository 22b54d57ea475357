from django.urls import path

from reports import views_cohorts, views_dashboard

urlpatterns = [
    path("", views_dashboard.dashboard, name="reports_dashboard"),
    path("charts/<slug:chart>.svg", views_dashboard.dashboard_chart_svg, name="reports_chart_svg"),
    path("report.<slug:fmt>", views_dashboard.dashboard_document, name="reports_document"),
    path("cohorts/", views_cohorts.cohort_list, name="reports_cohorts"),
    path(
        "cohorts/compare/report.<slug:fmt>",
        views_cohorts.comparison_document,
        name="reports_compare_document",
    ),
    path(
        "cohorts/<int:cohort_id>/report.<slug:fmt>",
        views_cohorts.cohort_document,
        name="reports_cohort_document",
    ),
    path("cohorts/compare/", views_cohorts.cohort_comparison, name="reports_compare"),
    path("cohorts/<int:cohort_id>/", views_cohorts.cohort_report_page, name="reports_cohort"),
    path(
        "cohorts/<int:cohort_id>/charts/<slug:chart>.svg",
        views_cohorts.cohort_chart_svg,
        name="reports_cohort_chart_svg",
    ),
]
