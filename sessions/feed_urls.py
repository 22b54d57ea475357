"""Calendars that open without signing in, outside /sessions/: the personal feed
(/calendar/<token>.ics) and a registered person's signed link to their session's .ics
(/calendar/registrations/<pk>/<signature>.ics, sessions.calendar_links)."""

from django.urls import path

from sessions import views

urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # Two segments: the feed's `<str:token>.ics` never matches it (str stops at "/").
    path(
        "registrations/<int:pk>/<str:signature>.ics",
        views.registration_calendar,
        name="registration_calendar",
    ),
]
