"""Routes of the calls part of Group Study Visits (visits/urls.py, visits/views_calls.py)."""

from django.urls import path

from visits import views_calls as views

urlpatterns = [
    path("", views.call_list, name="visit_call_list"),
    path("calls/new/", views.call_create, name="visit_call_create"),
    path("calls/<int:pk>/", views.call_detail, name="visit_call_detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="visit_call_edit"),
    path("calls/<int:pk>/open/", views.call_open, name="visit_call_open"),
    path("calls/<int:pk>/visits/new/", views.visit_add, name="visit_call_visit_add"),
    path(
        "calls/<int:pk>/visits/<int:visit_pk>/edit/",
        views.visit_edit,
        name="visit_call_visit_edit",
    ),
    path(
        "calls/<int:pk>/visits/<int:visit_pk>/remove/",
        views.visit_remove,
        name="visit_call_visit_remove",
    ),
    path("calls/<int:pk>/criteria/new/", views.criterion_add, name="visit_call_criterion_add"),
    path(
        "calls/<int:pk>/criteria/weights/",
        views.criteria_weights,
        name="visit_call_criteria_weights",
    ),
    path(
        "calls/<int:pk>/criteria/<int:criterion_pk>/edit/",
        views.criterion_edit,
        name="visit_call_criterion_edit",
    ),
    path(
        "calls/<int:pk>/criteria/<int:criterion_pk>/remove/",
        views.criterion_remove,
        name="visit_call_criterion_remove",
    ),
]
