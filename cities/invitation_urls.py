"""The invitations of city officers, under /invitations/ (config/urls.py)."""

from django.urls import path

from cities import views

urlpatterns = [
    path("new/", views.invitation_create, name="invitation_create"),
    path("<str:token>/", views.invitation_accept, name="invitation_accept"),
]
