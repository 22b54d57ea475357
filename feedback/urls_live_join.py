"""Routes of live mode (feedback.views_live): the participants', under /live/ (short, to type
from a shared screen)."""

from django.urls import path

from feedback import views_live

urlpatterns = [
    path("", views_live.live_join, name="live_join"),
    path("<str:code>/", views_live.live_answer, name="live_answer"),
    path("<str:code>/poll/", views_live.live_answer_poll, name="live_answer_poll"),
]
