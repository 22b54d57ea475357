"""The list exports: the person's files, asking for one, its progress and its download."""

from django.urls import path

from reports import views_exports

urlpatterns = [
    path("exports/", views_exports.export_list, name="report_exports"),
    path("exports/start/", views_exports.export_start_view, name="report_export_start"),
    path("exports/<int:pk>/", views_exports.export_status, name="report_export_status"),
    path(
        "exports/<int:pk>/download/",
        views_exports.export_download,
        name="report_export_download",
    ),
]
