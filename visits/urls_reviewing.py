"""Routes of the reviewing part of Group Study Visits (visits/views_reviewing.py)."""

from django.urls import path

from visits import views_reviewing

urlpatterns = [
    path("reviews/", views_reviewing.review_list, name="review_list"),
    path("reviews/<int:pk>/", views_reviewing.review_detail, name="review_detail"),
    path("reviews/<int:pk>/recuse/", views_reviewing.review_recuse, name="review_recuse"),
    path("calls/<int:pk>/reviewers/", views_reviewing.call_reviewers, name="call_reviewers"),
]
