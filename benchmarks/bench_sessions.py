"""The session pages (detail, forms, attendance), calendars, and the API lists of
registrations and session presentations.

Most rows use the busiest session: the generated session with the most people registered (the
longest attendance list), seen by its cohort's lead facilitator and by an officer of a city that
registered people for it.
"""

from collections import Counter

from django.db.models import Count
from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, lead_facilitator
from benchmarks.harness import benchmark, new_client, page, signed_in_client
from cities.models import CityMembership
from devdata.scale import scale_cohorts, scale_users
from sessions.calendar_links import registration_calendar_signature
from sessions.models import Session
from sessions.services import calendar_feed_get_or_create


def busiest_session():
    return (
        Session.objects.filter(cohort__in=scale_cohorts())
        .annotate(registered=Count("registrations"))
        .order_by("-registered", "pk")
        .first()
    )


def _facilitator_of(session):
    return lead_facilitator(session.cohort)


def registered_officer(session):
    """An officer of a city that registered people for `session`: they see their own people."""
    membership = (
        CityMembership.objects.filter(city__session_registrations__session=session)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    return membership.user


@benchmark("session page: lead facilitator, busiest session")
def session_detail_facilitator():
    session = busiest_session()
    return page(signed_in_client(_facilitator_of(session)), f"/sessions/{session.pk}/")


@benchmark("session page: officer of a registered city, busiest session")
def session_detail_officer():
    session = busiest_session()
    return page(signed_in_client(registered_officer(session)), f"/sessions/{session.pk}/")


@benchmark("new session form: lead facilitator, busiest cohort")
def session_create_form():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), f"/sessions/new/?cohort={cohort.pk}")


@benchmark("session edit form: lead facilitator, busiest session")
def session_edit_form():
    session = busiest_session()
    return page(signed_in_client(_facilitator_of(session)), f"/sessions/{session.pk}/edit/")


@benchmark("attendance page: lead facilitator, busiest session")
def session_attendance_page():
    session = busiest_session()
    return page(signed_in_client(_facilitator_of(session)), f"/sessions/{session.pk}/attendance/")


@benchmark("attendance import page: lead facilitator, busiest session")
def session_attendance_import_page():
    session = busiest_session()
    return page(
        signed_in_client(_facilitator_of(session)), f"/sessions/{session.pk}/attendance/import/"
    )


@benchmark("attendance import, Zoom report read and confirmation shown: busiest session")
def session_attendance_import_confirmation():
    """The upload of a Zoom participants report that lists everyone registered for the busiest
    session (each joining twice, as people do) and as many guests on no list: the file is
    read, matched and the confirmation page drawn, each time (nothing of it is cached)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = busiest_session()
    if session.starts_at > timezone.now():
        raise RuntimeError("The busiest session has not started: its report cannot be read.")
    emails = list(session.registrations.values_list("full_name", "email"))
    rows = [f"{name},{email},12/04/2024 10:00:00 AM" for name, email in emails * 2]
    rows += [f"Guest {i},guest{i}@example.org,12/04/2024 10:00:00 AM" for i in range(len(emails))]
    content = ("Name (Original Name),User Email,Join Time\r\n" + "\r\n".join(rows) + "\r\n").encode(
        "utf-8-sig"
    )
    client = signed_in_client(_facilitator_of(session))
    path = f"/sessions/{session.pk}/attendance/import/"

    def upload():
        report = SimpleUploadedFile("participants.csv", content, content_type="text/csv")
        response = client.post(path, {"report": report}, secure=True)
        if response.status_code != 200 or b'name="decision_' not in response.content:
            raise RuntimeError(f"POST {path} did not answer with the confirmation page.")
        return response

    return upload


@benchmark("session outcome form: lead facilitator, busiest session")
def session_outcome_form():
    session = busiest_session()
    return page(signed_in_client(_facilitator_of(session)), f"/sessions/{session.pk}/outcome/")


@benchmark("session .ics: officer, busiest session")
def session_ics():
    session = busiest_session()
    officer = registered_officer(session)
    return page(signed_in_client(officer), f"/sessions/{session.pk}/calendar.ics")


@benchmark("calendar settings page: officer")
def calendar_settings_page():
    officer = registered_officer(busiest_session())
    return page(signed_in_client(officer), "/sessions/calendar/")


@benchmark("calendar feed: lead facilitator of the busiest cohort")
def calendar_feed():
    # The feed is fetched by calendar apps without signing in: the address is the credential.
    facilitator = lead_facilitator(busiest_cohort())
    feed = calendar_feed_get_or_create(user=facilitator)
    return page(new_client(), f"/calendar/{feed.token}.ics")


@benchmark("session .ics from an email's signed link: signed out, busiest session")
def registration_calendar():
    # The link registered people get in the session emails: no sign-in, the signature checked.
    registration = busiest_session().registrations.order_by("pk").first()
    signature = registration_calendar_signature(registration)
    return page(new_client(), f"/calendar/registrations/{registration.pk}/{signature}.ics")


@benchmark("API: GET /api/v1/registrations/ (lead facilitator)")
def api_registrations():
    facilitator = lead_facilitator(busiest_cohort())
    return page(signed_in_client(facilitator), "/api/v1/registrations/")


@benchmark("API: GET /api/v1/registrations/?session=<busiest> (officer)")
def api_registrations_officer():
    session = busiest_session()
    officer = registered_officer(session)
    return page(signed_in_client(officer), f"/api/v1/registrations/?session={session.pk}")


# The Mission Cities presenting in sessions (issue 14): a cohort's, as its lead facilitator
# filters them, and every cohort's as a programme admin reads them (a page of 50).
@benchmark("API: GET /api/v1/session-presentations/?cohort=<busiest> (lead facilitator)")
def api_presentations_of_cohort():
    cohort = busiest_cohort()
    return page(
        signed_in_client(lead_facilitator(cohort)),
        f"/api/v1/session-presentations/?cohort={cohort.pk}",
    )


@benchmark("API: GET /api/v1/session-presentations/ (programme admin, every cohort's)")
def api_presentations_admin():
    admin = scale_users().filter(is_programme_admin=True).order_by("email").first()
    return page(signed_in_client(admin), "/api/v1/session-presentations/")


def busiest_facilitator():
    """The generated facilitator of the most thematic groups (as the home page's benchmark): the
    most sessions on the sessions page, and the most cohorts in its filter."""
    return (
        scale_users()
        .filter(is_facilitator=True)
        .annotate(group_count=Count("facilitated_groups"))
        .order_by("-group_count", "email")
        .first()
    )


def _busiest_month(user) -> str:
    """The month (YYYY-MM) in which the sessions this person sees are most numerous."""
    from sessions.selectors import sessions_visible_to

    starts = sessions_visible_to(user=user).values_list("starts_at", flat=True)
    months = Counter(moment.strftime("%Y-%m") for moment in starts)
    return sorted(months.items(), key=lambda item: (-item[1], item[0]))[0][0]


@benchmark("sessions page: busiest facilitator")
def session_list_facilitator():
    return page(signed_in_client(busiest_facilitator()), "/sessions/")


@benchmark("sessions page: busiest facilitator, filtered by cohort and kind")
def session_list_facilitator_filtered():
    cohort = busiest_cohort()
    return page(
        signed_in_client(lead_facilitator(cohort)), f"/sessions/?cohort={cohort.pk}&kind=thematic"
    )


@benchmark("sessions page, month: busiest facilitator, busiest month")
def session_list_month_facilitator():
    user = busiest_facilitator()
    return page(signed_in_client(user), f"/sessions/?view=month&month={_busiest_month(user)}")


@benchmark("sessions page: officer with the most enrolments")
def session_list_officer():
    from benchmarks.bench_cohorts import busiest_officer

    return page(signed_in_client(busiest_officer()), "/sessions/")


@benchmark("sessions page, month: officer with the most enrolments, filtered by kind")
def session_list_month_officer():
    from benchmarks.bench_cohorts import busiest_officer

    user = busiest_officer()
    return page(
        signed_in_client(user),
        f"/sessions/?view=month&month={_busiest_month(user)}&kind=thematic",
    )
