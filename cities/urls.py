from django.urls import path

from cities import views

urlpatterns = [
    path("", views.city_directory, name="city_directory"),
    path("search/", views.city_search, name="city_search"),
    path("<int:pk>/", views.city_detail, name="city_detail"),
    path("<int:pk>/edit/", views.city_profile_edit, name="city_profile_edit"),
    path("<int:city_pk>/actions/new/", views.climate_action_create, name="climate_action_create"),
    path("actions/<int:pk>/edit/", views.climate_action_edit, name="climate_action_edit"),
]
