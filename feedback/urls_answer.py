"""Routes of the feedback surveys: answering (feedback/views_answer.py)."""

from django.urls import path

from feedback import views_answer

urlpatterns = [
    path("<int:pk>/", views_answer.survey_intro, name="survey_intro"),
    path("<int:pk>/answer/<int:page>/", views_answer.survey_answer, name="survey_answer"),
    path("<int:pk>/answer/done/", views_answer.survey_answer_done, name="survey_answer_done"),
]
