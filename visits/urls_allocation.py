"""Routes of the allocation part of Group Study Visits (visits/urls.py): the admin's allocation
page and its actions, and a selected city's action plan."""

from django.urls import path

from visits import views_allocation as views

urlpatterns = [
    path("calls/<int:pk>/allocation/", views.call_allocation, name="visit_call_allocation"),
    path("calls/<int:pk>/allocation/run/", views.call_allocate, name="visit_call_allocate"),
    path(
        "calls/<int:pk>/allocation/publish/",
        views.call_publish,
        name="visit_call_publish",
    ),
    path(
        "applications/<int:pk>/place/",
        views.application_place,
        name="visit_application_place",
    ),
    path(
        "applications/<int:pk>/action-plan/",
        views.action_plan_page,
        name="visit_action_plan",
    ),
    path(
        "applications/<int:pk>/action-plan/file/",
        views.action_plan_download,
        name="visit_action_plan_file",
    ),
]
