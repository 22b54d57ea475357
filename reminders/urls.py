from django.urls import path

from reminders import views

# Placeholders until the pages land (issue 13): the names are what the emails link to.
urlpatterns = [
    path("preferences/", views.preferences, name="reminders_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="reminders_unsubscribe"),
]
