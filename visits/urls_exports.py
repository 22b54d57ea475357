"""Routes of the exports of Group Study Visits (visits/urls.py, visits/views_exports.py): a
call's ranking and allocation as CSV and XLSX."""

from django.urls import path

from visits import views_exports as views

urlpatterns = [
    path("calls/<int:pk>/ranking.csv", views.ranking_csv, name="visit_call_ranking_csv"),
    path("calls/<int:pk>/ranking.xlsx", views.ranking_xlsx, name="visit_call_ranking_xlsx"),
    path("calls/<int:pk>/allocation.csv", views.allocation_csv, name="visit_call_allocation_csv"),
    path(
        "calls/<int:pk>/allocation.xlsx", views.allocation_xlsx, name="visit_call_allocation_xlsx"
    ),
]
