"""Routes of the feedback surveys: building them (feedback.views_builder)."""

from django.urls import path

from feedback import views_builder as views

urlpatterns = [
    path("", views.survey_list, name="survey_build_list"),
    path("new/", views.survey_create, name="survey_build_create"),
    path("<int:pk>/edit/", views.survey_edit, name="survey_build_edit"),
    path("<int:pk>/publish/", views.survey_publish, name="survey_build_publish"),
    path("<int:pk>/unpublish/", views.survey_unpublish, name="survey_build_unpublish"),
    path("<int:pk>/sections/new/", views.section_add, name="survey_build_section_add"),
    path(
        "<int:pk>/sections/<int:section_pk>/edit/",
        views.section_edit,
        name="survey_build_section_edit",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/move/",
        views.section_move,
        name="survey_build_section_move",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/delete/",
        views.section_delete,
        name="survey_build_section_delete",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/questions/new/",
        views.question_create,
        name="survey_build_question_create",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/edit/",
        views.question_edit,
        name="survey_build_question_edit",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/move/",
        views.question_move,
        name="survey_build_question_move",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/delete/",
        views.question_delete,
        name="survey_build_question_delete",
    ),
]
