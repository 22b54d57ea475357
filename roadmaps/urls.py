from django.urls import path

from roadmaps import views

urlpatterns = [
    path("<int:pk>/", views.roadmap_edit, name="roadmap_edit"),
    path("<int:pk>/autosave/", views.roadmap_autosave, name="roadmap_autosave"),
    path("<int:pk>/history/", views.roadmap_history, name="roadmap_history"),
    path("<int:pk>/submit/", views.roadmap_submit, name="roadmap_submit"),
    path("<int:pk>/comments/", views.roadmap_comment, name="roadmap_comment"),
    path("<int:pk>/review/", views.roadmap_review, name="roadmap_review"),
]
