from django.urls import path

from sessions import views

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("new/", views.session_create, name="session_create"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("<int:pk>/outcome/", views.session_outcome, name="session_outcome"),
    path("<int:pk>/register/", views.session_register, name="session_register"),
    path(
        "<int:pk>/registrations/<int:registration_pk>/delete/",
        views.registration_delete,
        name="registration_delete",
    ),
    path("<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path(
        "<int:pk>/attendance/import/",
        views.session_attendance_import,
        name="session_attendance_import",
    ),
    path(
        "<int:pk>/attendance/import/confirm/",
        views.session_attendance_import_confirm,
        name="session_attendance_import_confirm",
    ),
    path("<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
]
