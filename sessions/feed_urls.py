"""The personal calendar feed, outside /sessions/: /calendar/<token>.ics (no sign-in)."""

from django.urls import path

from sessions import views

urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
