"""The roadmap outputs, included under /roadmaps/ next to roadmaps.urls."""

from django.urls import path

from roadmaps import views_outputs

urlpatterns = [
    path("<int:pk>/pdf/", views_outputs.roadmap_pdf_download, name="roadmap_pdf"),
    path(
        "cohort/<int:cohort_id>/",
        views_outputs.cohort_roadmap_overview,
        name="roadmap_cohort_overview",
    ),
    path(
        "cohort/<int:cohort_id>/summary/<slug:chart>.svg",
        views_outputs.cohort_summary_svg,
        name="roadmap_summary_svg",
    ),
    path(
        "cohort/<int:cohort_id>/summary/<slug:chart>.csv",
        views_outputs.cohort_summary_csv,
        name="roadmap_summary_csv",
    ),
    path(
        "cohort/<int:cohort_id>/export/",
        views_outputs.roadmap_export_request,
        name="roadmap_export_request",
    ),
    path("exports/<int:pk>/", views_outputs.roadmap_export_status, name="roadmap_export_status"),
    path(
        "exports/<int:pk>/restart/",
        views_outputs.roadmap_export_restart_view,
        name="roadmap_export_restart",
    ),
    path(
        "exports/<int:pk>/download/",
        views_outputs.roadmap_export_download,
        name="roadmap_export_download",
    ),
]
