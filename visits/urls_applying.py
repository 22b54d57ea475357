"""Routes of the applying part of Group Study Visits (visits/urls.py, visits/views_applying.py)."""

from django.urls import path

from visits import views_applying

urlpatterns = [
    path("calls/<int:pk>/apply/", views_applying.call_apply, name="visit_call_apply"),
    path("applications/<int:pk>/", views_applying.application_detail, name="visit_application"),
    path(
        "applications/<int:pk>/autosave/",
        views_applying.application_autosave,
        name="visit_application_autosave",
    ),
]
