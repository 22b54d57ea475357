from django.urls import include, path

urlpatterns = [
    # The programme dashboard, cohort reports and the comparison (reports.views_*).
    path("", include("reports.urls_dashboard")),
]
