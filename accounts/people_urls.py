"""Pages about people, under /accounts/ beside allauth's sign-in pages (none of whose addresses
starts with facilitators/)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("facilitators/search/", views.facilitator_search, name="facilitator_search"),
]
