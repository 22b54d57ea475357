"""Pages about people, under /accounts/ beside allauth's sign-in pages (none of whose addresses
starts with facilitators/, people/, profile/ or tokens/)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("facilitators/search/", views.facilitator_search, name="facilitator_search"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("tokens/", views.api_token_list, name="api_token_list"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    # A person's tokens, for programme admins.
    path("people/<int:pk>/tokens/", views.person_api_tokens, name="person_api_tokens"),
    path(
        "people/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.person_api_token_revoke,
        name="person_api_token_revoke",
    ),
    path(
        "people/<int:pk>/tokens/revoke-all/",
        views.person_api_tokens_revoke_all,
        name="person_api_tokens_revoke_all",
    ),
]
