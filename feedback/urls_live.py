"""Routes of live mode (feedback.views_live): the presenter's, under /surveys/<pk>/live/."""

from django.urls import path

from feedback import views_live

urlpatterns = [
    path("<int:pk>/live/", views_live.live_present, name="survey_live"),
    path("<int:pk>/live/area/", views_live.live_present_poll, name="survey_live_area"),
    path("<int:pk>/live/start/", views_live.live_start, name="survey_live_start"),
    path("<int:pk>/live/move/", views_live.live_move, name="survey_live_move"),
    path("<int:pk>/live/close/", views_live.live_close, name="survey_live_close"),
]
