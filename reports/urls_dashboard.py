from django.urls import path

from reports import views_dashboard

urlpatterns = [
    path("", views_dashboard.dashboard, name="reports_dashboard"),
    path("charts/<slug:chart>.svg", views_dashboard.dashboard_chart_svg, name="reports_chart_svg"),
]
