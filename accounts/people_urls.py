"""Pages about people, under /accounts/ beside allauth's sign-in pages (none of whose addresses
starts with facilitators/, profile/ or tokens/)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("facilitators/search/", views.facilitator_search, name="facilitator_search"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("tokens/", views.api_token_list, name="api_token_list"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
