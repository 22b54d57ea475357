from django.urls import include, path

urlpatterns = [
    # The programme dashboard, cohort reports and the comparison (reports.views_*).
    path("", include("reports.urls_dashboard")),
    # The list exports built in the background (reports.views_exports).
    path("", include("reports.urls_exports")),
]
