from django.urls import path

from cohorts import views

urlpatterns = [
    path("", views.cohort_list, name="cohort_list"),
    path("new/", views.cohort_create, name="cohort_create"),
    path("<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("<int:pk>/edit/", views.cohort_update, name="cohort_update"),
    path("<int:pk>/enrol/", views.enrolment_request, name="enrolment_request"),
    path("<int:pk>/enrolments/", views.enrolment_list, name="enrolment_list"),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/accept/",
        views.enrolment_accept,
        name="enrolment_accept",
    ),
    path(
        "<int:pk>/enrolments/<int:enrolment_pk>/decline/",
        views.enrolment_decline,
        name="enrolment_decline",
    ),
]
