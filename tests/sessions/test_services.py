"""sessions.services: scheduling rules, presenting cities, registration, attendance, notices."""

import datetime

import pytest
from django.core import mail

from cohorts.enums import EnrolmentStatus
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from sessions import services
from sessions.enums import Attendance, SessionKind, SessionStatus
from sessions.models import CalendarFeed, Registration, Session
from sessions.selectors import SessionCounts, counts_of
from tests import factories
from tests.sessions.conftest import (
    AFTER_HEATING,
    enrol,
    run_until,
    schedule,
    signed_calendar_link,
)

UTC = datetime.UTC
DEC4 = datetime.date(2024, 12, 4)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute)


def outbox() -> list[tuple]:
    return sorted((tuple(m.to), m.subject) for m in mail.outbox)


def register(programme, *people):
    return services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=list(people),
        acting_user=programme.officer,
    )


# --- Scheduling -------------------------------------------------------------------------------


def test_session_create_stores_brussels_wall_clock_as_utc(programme):
    session = programme.heating
    session.refresh_from_db()

    assert (session.starts_at, session.ends_at, session.time_zone) == (
        datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC),
        datetime.datetime(2024, 12, 4, 10, 30, tzinfo=UTC),
        "Europe/Brussels",
    )
    assert list(session.facilitators.all()) == [programme.lead]


def test_session_create_in_summer_time_uses_the_summer_offset(programme):
    run_until(programme.cohort, datetime.date(2025, 4, 30))
    session = schedule(
        programme.cohort,
        "Recap",
        datetime.datetime(2025, 3, 30, 10, 0),
        datetime.datetime(2025, 3, 30, 11, 30),
        kind=SessionKind.RECAP,
    )

    assert session.starts_at == datetime.datetime(2025, 3, 30, 8, 0, tzinfo=UTC)


def test_session_create_in_another_zone_converts_from_that_zone(programme):
    session = schedule(
        programme.cohort,
        "Onboarding Lisbon time",
        datetime.datetime(2024, 12, 5, 10, 0),
        datetime.datetime(2024, 12, 5, 11, 0),
        time_zone="Europe/Lisbon",
    )

    assert session.starts_at == datetime.datetime(2024, 12, 5, 10, 0, tzinfo=UTC)


def test_session_create_at_a_time_skipped_by_the_clock_change_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        schedule(
            programme.cohort,
            "Night owls",
            datetime.datetime(2025, 3, 30, 2, 30),
            datetime.datetime(2025, 3, 30, 4, 0),
        )

    assert (error.value.field, error.value.message) == (
        "starts_at",
        "This time does not exist in Europe/Brussels: the clocks change then.",
    )


@pytest.mark.parametrize(
    ("starts", "ends"),
    [((11, 0), (12, 0)), ((9, 0), (10, 1)), ((10, 30), (11, 0)), ((9, 0), (13, 0))],
    ids=["starts-inside", "ends-inside", "within", "around"],
)
def test_session_create_overlapping_slot_is_refused_naming_the_session(programme, starts, ends):
    with pytest.raises(ApplicationError) as error:
        schedule(programme.cohort, "Mobility", at(DEC4, *starts), at(DEC4, *ends))

    assert (error.value.field, error.value.code, error.value.message) == (
        "starts_at",
        "overlap",
        "This slot overlaps 'Energy: district heating' (4 December 2024, 10:00\N{EN DASH}11:30).",
    )
    assert programme.cohort.sessions.count() == 1


def test_session_create_back_to_back_slots_are_allowed(programme):
    before = schedule(programme.cohort, "Before", at(DEC4, 8, 30), at(DEC4, 10, 0))
    after = schedule(programme.cohort, "After", at(DEC4, 11, 30), at(DEC4, 13, 0))

    assert [s.title for s in programme.cohort.sessions.order_by("starts_at")] == [
        before.title,
        "Energy: district heating",
        after.title,
    ]


def test_session_create_same_slot_in_another_cohort_is_allowed(programme):
    other = factories.CohortFactory(number=2)

    session = schedule(other, "Other cohort", at(DEC4, 10, 0), at(DEC4, 11, 30))

    assert session.cohort == other


def test_session_create_over_a_cancelled_session_is_allowed(programme):
    services.session_cancel(session=programme.heating, acting_user=programme.lead)

    session = schedule(programme.cohort, "Replacement", at(DEC4, 10, 0), at(DEC4, 11, 30))

    assert session.status == SessionStatus.SCHEDULED


@pytest.mark.parametrize("ends", [(10, 0), (9, 0)], ids=["equal", "before"])
def test_session_create_ending_at_or_before_its_start_is_refused(programme, ends):
    with pytest.raises(ApplicationError) as error:
        schedule(programme.cohort, "Backwards", at(DEC4, 10, 0), at(DEC4, *ends))

    assert (error.value.field, error.value.message) == (
        "ends_at",
        "The session must end after it starts.",
    )


@pytest.mark.parametrize(
    "link", ["ftp://meet.example.org/x", "meet.example.org/x", "javascript:alert(1)"]
)
def test_session_create_with_a_meeting_link_that_is_not_http_is_refused(programme, link):
    with pytest.raises(ApplicationError) as error:
        schedule(programme.cohort, "Linked", at(DEC4, 14, 0), at(DEC4, 15, 0), meeting_url=link)

    assert (error.value.field, error.value.message) == (
        "meeting_url",
        "The meeting link must be a web address starting with http:// or https://.",
    )


def test_session_update_moving_into_an_overlapping_slot_is_refused(programme):
    mobility = schedule(programme.cohort, "Mobility", at(DEC4, 14, 0), at(DEC4, 15, 30))

    with pytest.raises(ApplicationError) as error:
        services.session_update(
            session=mobility,
            starts_at=at(DEC4, 11, 0),
            ends_at=at(DEC4, 12, 30),
            acting_user=programme.lead,
        )

    assert error.value.message == (
        "This slot overlaps 'Energy: district heating' (4 December 2024, 10:00\N{EN DASH}11:30)."
    )
    mobility.refresh_from_db()
    assert mobility.starts_at == datetime.datetime(2024, 12, 4, 13, 0, tzinfo=UTC)


def test_session_update_keeping_its_own_slot_is_not_an_overlap(programme):
    session = services.session_update(
        session=programme.heating, title="Energy: heat networks", acting_user=programme.lead
    )

    assert session.title == "Energy: heat networks"


def _revision(session) -> int:
    return Session.objects.get(pk=session.pk).revision


def test_session_revision_grows_with_each_change_calendars_show(programme):
    heating, lead = programme.heating, programme.lead
    revisions = [_revision(heating)]

    for change in [
        {"agenda": "Welcome, Mannheim, questions."},
        {"guiding_questions": "What would you transfer?"},
        {"title": "Energy: heat networks"},
        {"title": "Energy: heat networks"},
        {"meeting_url": "https://meet.example.org/heat-networks"},
        {"starts_at": at(DEC4, 10, 30), "ends_at": at(DEC4, 12, 0)},
        {"ends_at": at(DEC4, 12, 30)},
    ]:
        services.session_update(session=heating, acting_user=lead, **change)
        revisions.append(_revision(heating))
    services.session_cancel(session=heating, acting_user=lead)
    revisions.append(_revision(heating))

    # Agenda and guiding questions: no; a title saved unchanged: no; the rest: one each.
    assert revisions == [0, 0, 0, 1, 1, 2, 3, 4, 5]


def test_session_update_of_a_copy_read_before_a_cancellation_is_refused(programme):
    read_earlier = Session.objects.get(pk=programme.heating.pk)
    services.session_cancel(session=programme.heating, acting_user=programme.lead)

    with pytest.raises(ApplicationError) as error:
        services.session_update(
            session=read_earlier, title="Energy: heat networks", acting_user=programme.lead
        )

    assert error.value.message == "A cancelled session cannot be changed."
    stored = Session.objects.get(pk=programme.heating.pk)
    assert (stored.title, stored.status, stored.revision) == (
        "Energy: district heating",
        SessionStatus.CANCELLED,
        1,
    )


def test_session_update_of_a_stale_copy_counts_from_the_stored_revision(programme):
    read_earlier = Session.objects.get(pk=programme.heating.pk)
    services.session_update(
        session=programme.heating, title="Energy: heat networks", acting_user=programme.lead
    )

    services.session_update(
        session=read_earlier,
        title="Energy: heat networks",
        meeting_url="https://meet.example.org/heat-networks",
        acting_user=programme.lead,
    )

    # The copy still says revision 0: the new link is revision 2, after the stored 1.
    assert _revision(programme.heating) == 2


# --- Presenting cities ------------------------------------------------------------------------


def test_session_set_presentations_three_actions_of_a_mission_city(programme):
    coal, heating, pumps, _solar = programme.actions

    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [coal.pk, heating.pk, pumps.pk], "Heat")],
        acting_user=programme.lead,
    )

    presentation = programme.heating.presentations.get()
    assert (presentation.city, presentation.topics, presentation.position) == (
        programme.mission_city,
        "Heat",
        0,
    )
    assert sorted(a.title for a in presentation.climate_actions.all()) == [
        "Coal exit",
        "District heating",
        "Heat pumps",
    ]


def test_session_set_presentations_fourth_action_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        services.session_set_presentations(
            session=programme.heating,
            presentations=[(programme.mission_city, [a.pk for a in programme.actions])],
            acting_user=programme.lead,
        )

    assert (error.value.field, error.value.message) == (
        "presentations.0.climate_actions",
        "A city can present at most 3 climate actions.",
    )
    assert programme.heating.presentations.count() == 0


def test_session_set_presentations_action_of_another_city_is_refused(programme):
    espoo = factories.CityFactory(name="Espoo", is_mission_city=True)

    with pytest.raises(ApplicationError) as error:
        services.session_set_presentations(
            session=programme.heating,
            presentations=[(espoo, [programme.actions[0].pk])],
            acting_user=programme.lead,
        )

    assert (error.value.field, error.value.message) == (
        "presentations.0.climate_actions",
        "Choose climate actions of Espoo only.",
    )


def test_session_set_presentations_city_that_is_not_a_mission_city_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        services.session_set_presentations(
            session=programme.heating,
            presentations=[(programme.city, [])],
            acting_user=programme.lead,
        )

    assert (error.value.field, error.value.message) == (
        "presentations.0.city",
        "Only Mission Cities present climate actions; Lisbon is not one.",
    )


def test_session_set_presentations_replaces_the_previous_ones(programme):
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[0].pk])],
        acting_user=programme.lead,
    )
    services.session_set_presentations(
        session=programme.heating, presentations=[], acting_user=programme.lead
    )

    assert programme.heating.presentations.count() == 0


# --- Registration ------------------------------------------------------------------------------


def test_registrations_create_registers_several_people(programme):
    register(programme, ("Ana Silva", "Ana@Lisboa.pt"), ("Rui Costa", "rui@lisboa.pt"))

    assert list(
        Registration.objects.values_list("full_name", "email", "city__name", "registered_by")
    ) == [
        ("Ana Silva", "ana@lisboa.pt", "Lisbon", programme.officer.pk),
        ("Rui Costa", "rui@lisboa.pt", "Lisbon", programme.officer.pk),
    ]


def test_registrations_create_same_email_twice_is_refused(programme):
    register(programme, ("Ana Silva", "ana@lisboa.pt"))

    with pytest.raises(ApplicationError) as error:
        register(programme, ("Rui Costa", "rui@lisboa.pt"), ("Ana S.", "ANA@lisboa.pt"))

    assert (error.value.field, error.value.message) == (
        "people.1.email",
        "ana@lisboa.pt is already registered for this session.",
    )
    # All or nothing: Rui was not registered either.
    assert list(Registration.objects.values_list("email", flat=True)) == ["ana@lisboa.pt"]


def test_registrations_create_same_email_twice_in_one_list_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        register(programme, ("Ana Silva", "ana@lisboa.pt"), ("Ana", "ana@lisboa.pt"))

    assert (error.value.field, error.value.message) == (
        "people.1.email",
        "ana@lisboa.pt appears twice in the list.",
    )


@pytest.mark.parametrize("status", [None, EnrolmentStatus.REQUESTED, EnrolmentStatus.DECLINED])
def test_registration_create_for_a_city_not_enrolled_is_refused(programme, status):
    braga = factories.CityFactory(name="Braga")
    if status:
        enrol(programme.cohort, braga, status=status)

    with pytest.raises(ApplicationError) as error:
        services.registration_create(
            session=programme.heating,
            city=braga,
            full_name="Bea",
            email="bea@braga.pt",
            acting_user=factories.city_officer(city=braga),
        )

    assert (error.value.field, error.value.message) == (
        "city",
        "Braga is not enrolled in this cohort.",
    )


def test_registration_create_after_the_session_started_is_refused(programme, clock):
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC))

    with pytest.raises(ApplicationError) as error:
        register(programme, ("Ana Silva", "ana@lisboa.pt"))

    assert error.value.message == "Registration is closed: the session has started."


def test_registration_delete_before_the_session(programme):
    [registration] = register(programme, ("Ana Silva", "ana@lisboa.pt"))

    services.registration_delete(registration=registration, acting_user=programme.officer)

    assert Registration.objects.count() == 0


def test_registration_delete_after_the_session_started_is_refused(programme, clock):
    [registration] = register(programme, ("Ana Silva", "ana@lisboa.pt"))
    clock.move_to(AFTER_HEATING)

    with pytest.raises(ApplicationError) as error:
        services.registration_delete(registration=registration, acting_user=programme.officer)

    assert error.value.message == "A registration can only be removed before the session starts."
    assert Registration.objects.count() == 1


# --- Attendance and counts ---------------------------------------------------------------------


def test_attendance_record_counts_are_derived_exactly(programme, clock):
    ana, bea, rui, _zoe = register(
        programme,
        ("Ana Silva", "ana@lisboa.pt"),
        ("Bea Reis", "bea@lisboa.pt"),
        ("Rui Costa", "rui@lisboa.pt"),
        ("Zoe Lima", "zoe@lisboa.pt"),
    )
    clock.move_to(AFTER_HEATING)

    services.attendance_record(
        session=programme.heating,
        marks={ana.pk: Attendance.ATTENDED, bea.pk: Attendance.ATTENDED, rui.pk: "no_show"},
        walk_ins=[("Walk In", "walk@in.eu", None), ("Mia Mann", "mia@mannheim.de", None)],
        acting_user=programme.lead,
    )

    counts = counts_of(programme.heating)
    assert counts == SessionCounts(registered=4, attended=2, no_shows=1, walk_ins=2)
    assert (counts.attendance_rate, counts.not_recorded, counts.participants) == (0.5, 1, 4)
    assert list(
        Registration.objects.filter(is_walk_in=True).values_list("email", "attendance")
    ) == [("mia@mannheim.de", "attended"), ("walk@in.eu", "attended")]


def test_attendance_record_before_the_session_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        services.attendance_record(session=programme.heating, marks={}, acting_user=programme.lead)

    assert error.value.message == "Attendance can be recorded once the session has started."


def test_attendance_record_walk_in_already_registered_is_refused(programme, clock):
    register(programme, ("Ana Silva", "ana@lisboa.pt"))
    clock.move_to(AFTER_HEATING)

    with pytest.raises(ApplicationError) as error:
        services.attendance_record(
            session=programme.heating,
            marks={},
            walk_ins=[("Ana", "ana@lisboa.pt", None)],
            acting_user=programme.lead,
        )

    assert (error.value.field, error.value.message) == (
        "walk_ins.0.email",
        "ana@lisboa.pt is already registered for this session.",
    )


def test_counts_of_imported_session_with_headcount_is_reported(programme):
    programme.heating.reported_participants = 48
    programme.heating.save()

    counts = counts_of(programme.heating)

    assert (counts.is_reported, counts.reported, counts.attendance_rate) == (True, 48, None)


# --- Notices to registered people --------------------------------------------------------------


def test_session_cancel_emails_each_registered_person_once(
    programme, clock, django_capture_on_commit_callbacks
):
    register(programme, ("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt"))

    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=programme.heating, acting_user=programme.lead)

    assert outbox() == [
        (("ana@lisboa.pt",), 'Cancelled: "Energy: district heating"'),
        (("rui@lisboa.pt",), 'Cancelled: "Energy: district heating"'),
    ]
    ana = next(m for m in mail.outbox if m.to == ["ana@lisboa.pt"])
    assert ana.body == (
        "Dear Ana Silva,\n\n"
        'The session "Energy: district heating" of Online Discussion Groups cohort 1, planned '
        "for 4 December 2024, 10:00\N{EN DASH}11:30 (Europe/Brussels), is cancelled.\n\n"
        f"Session page: http://127.0.0.1:8000/sessions/{programme.heating.pk}/\n\n"
        "You receive this email because your city registered you for this session.\n"
    )
    with pytest.raises(ApplicationError) as error, django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=programme.heating, acting_user=programme.lead)
    assert error.value.message == "This session is already cancelled."
    assert len(mail.outbox) == 2


def test_session_update_moving_emails_each_registered_person_once_with_the_new_time(
    programme, clock, django_capture_on_commit_callbacks
):
    register(programme, ("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt"))
    pk = programme.heating.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=programme.heating,
            starts_at=at(DEC4, 14, 0),
            ends_at=at(DEC4, 15, 30),
            acting_user=programme.lead,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            session=programme.heating, agenda="Same slot, new agenda", acting_user=programme.lead
        )

    assert outbox() == [
        (("ana@lisboa.pt",), 'New time for "Energy: district heating"'),
        (("rui@lisboa.pt",), 'New time for "Energy: district heating"'),
    ]
    rui = next(m for m in mail.outbox if m.to == ["rui@lisboa.pt"])
    rui_registration = Registration.objects.get(email="rui@lisboa.pt")
    assert rui.body == (
        "Dear Rui Costa,\n\n"
        'The session "Energy: district heating" of Online Discussion Groups cohort 1 has '
        "moved.\n\n"
        "New time: 4 December 2024, 14:00\N{EN DASH}15:30 (Europe/Brussels)\n"
        "Online meeting link: https://meet.example.org/heating\n\n"
        f"Session page: http://127.0.0.1:8000/sessions/{pk}/\n"
        # Rui has no account: his calendar link is his registration's signed one.
        "Add it to your calendar: "
        f"{signed_calendar_link('http://127.0.0.1:8000', rui_registration)}\n\n"
        "You receive this email because your city registered you for this session.\n"
    )
    assert sorted(OutboundEmail.objects.values_list("key", flat=True)) == sorted(
        f"session:{pk}:moved:2024-12-04T13:00:00+00:00/2024-12-04T14:30:00+00:00"
        f":registration:{r.pk}"
        for r in Registration.objects.all()
    )


def test_session_notice_queue_does_not_email_walk_ins(
    programme, clock, django_capture_on_commit_callbacks
):
    # Walk-ins exist only once a session has started, when it can no longer be cancelled or
    # moved; the reminders and any later notice still leave them out.
    register(programme, ("Ana Silva", "ana@lisboa.pt"))
    clock.move_to(AFTER_HEATING)
    services.attendance_record(
        session=programme.heating,
        marks={},
        walk_ins=[("Walk In", "walk@in.eu", None)],
        acting_user=programme.lead,
    )

    with django_capture_on_commit_callbacks(execute=True):
        count = services.session_notice_queue(
            session=programme.heating, notice="cancelled", key="test"
        )

    assert (count, outbox()) == (1, [(("ana@lisboa.pt",), 'Cancelled: "Energy: district heating"')])


# --- Walk-ins come from the cohort's cities ----------------------------------------------------


@pytest.mark.parametrize("status", [None, EnrolmentStatus.REQUESTED, EnrolmentStatus.DECLINED])
def test_attendance_record_walk_in_from_a_city_not_enrolled_is_refused(programme, clock, status):
    braga = factories.CityFactory(name="Braga")
    if status is not None:
        enrol(programme.cohort, braga, status=status)
    clock.move_to(AFTER_HEATING)

    with pytest.raises(ApplicationError) as error:
        services.attendance_record(
            session=programme.heating,
            marks={},
            walk_ins=[("Walk In", "walk@in.eu", None), ("Bruno", "bruno@braga.pt", braga)],
            acting_user=programme.lead,
        )

    assert (error.value.field, error.value.code, error.value.message) == (
        "walk_ins.1.city",
        "not_enrolled",
        "Braga is not enrolled in this cohort: leave the city empty or choose one of the "
        "cohort's cities.",
    )
    assert Registration.objects.count() == 0


def test_attendance_record_walk_in_from_an_enrolled_city_keeps_the_city(programme, clock):
    clock.move_to(AFTER_HEATING)

    services.attendance_record(
        session=programme.heating,
        marks={},
        walk_ins=[("Rui Costa", "rui@lisboa.pt", programme.city)],
        acting_user=programme.lead,
    )

    assert list(Registration.objects.values_list("email", "city__name", "is_walk_in")) == [
        ("rui@lisboa.pt", "Lisbon", True)
    ]


# --- Services check who may call them ----------------------------------------------------------


def _stranger_facilitator():
    person = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory(number=9).facilitators.add(person)
    return person


@pytest.mark.parametrize("who", ["officer", "facilitator of another cohort", "nobody"])
def test_session_cancel_by_someone_who_does_not_run_it_is_refused(programme, who):
    if who == "officer":
        user = programme.officer
    elif who == "nobody":
        user = None
    else:
        user = _stranger_facilitator()

    with pytest.raises(PermissionRefused):
        services.session_cancel(session=programme.heating, acting_user=user)

    programme.heating.refresh_from_db()
    assert programme.heating.status == SessionStatus.SCHEDULED


def test_session_cancel_by_a_session_facilitator_and_by_an_admin(programme):
    mobility = schedule(programme.cohort, "Mobility", at(DEC4, 14, 0), at(DEC4, 15, 0))
    named = factories.UserFactory(is_facilitator=True)
    programme.heating.facilitators.add(named)

    services.session_cancel(session=programme.heating, acting_user=named)
    services.session_cancel(
        session=mobility, acting_user=factories.UserFactory(is_programme_admin=True)
    )

    assert sorted(Session.objects.values_list("title", "status")) == [
        ("Energy: district heating", "cancelled"),
        ("Mobility", "cancelled"),
    ]


def test_session_update_by_an_officer_is_refused(programme):
    with pytest.raises(PermissionRefused):
        services.session_update(
            session=programme.heating, title="Renamed", acting_user=programme.officer
        )

    programme.heating.refresh_from_db()
    assert programme.heating.title == "Energy: district heating"


def test_session_create_without_who_schedules_it_is_a_type_error(programme):
    with pytest.raises(TypeError, match="acting_user"):
        services.session_create(
            cohort=programme.cohort,
            kind=SessionKind.RECAP,
            title="Recap",
            starts_at=at(DEC4, 14, 0),
            ends_at=at(DEC4, 15, 0),
        )


@pytest.mark.parametrize("who", ["officer", "facilitator of another cohort", "nobody"])
def test_session_create_by_someone_who_does_not_facilitate_the_cohort_is_refused(programme, who):
    user = {"officer": programme.officer, "nobody": None}.get(who) or _stranger_facilitator()

    with pytest.raises(PermissionRefused):
        schedule(programme.cohort, "Mobility", at(DEC4, 14, 0), at(DEC4, 15, 0), by=user)

    assert list(Session.objects.values_list("title", flat=True)) == ["Energy: district heating"]


def test_session_create_by_a_group_facilitator_of_the_cohort(programme):
    person = factories.UserFactory(is_facilitator=True)
    factories.ThematicGroupFactory(cohort=programme.cohort).facilitators.add(person)

    schedule(programme.cohort, "Mobility", at(DEC4, 14, 0), at(DEC4, 15, 0), by=person)

    assert sorted(Session.objects.values_list("title", flat=True)) == [
        "Energy: district heating",
        "Mobility",
    ]


@pytest.mark.parametrize("who", ["officer of another city", "lead facilitator", "nobody"])
def test_registration_create_by_someone_who_is_not_an_officer_of_the_city_is_refused(
    programme, who
):
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto)
    user = {"officer of another city": factories.city_officer(city=porto)}.get(who)
    if who == "lead facilitator":
        user = programme.lead

    with pytest.raises(PermissionRefused):
        services.registration_create(
            session=programme.heating,
            city=programme.city,
            full_name="Ana Silva",
            email="ana@lisboa.pt",
            acting_user=user,
        )
    with pytest.raises(PermissionRefused):
        services.registrations_create(
            session=programme.heating,
            city=programme.city,
            people=[("Ana Silva", "ana@lisboa.pt")],
            acting_user=user,
        )

    assert Registration.objects.count() == 0


def test_registration_create_by_an_admin_for_an_enrolled_city(programme):
    admin = factories.UserFactory(is_programme_admin=True)

    services.registration_create(
        session=programme.heating,
        city=programme.city,
        full_name="Ana Silva",
        email="ana@lisboa.pt",
        acting_user=admin,
    )
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Rui Costa", "rui@lisboa.pt")],
        acting_user=admin,
    )

    assert list(
        Registration.objects.order_by("email").values_list("email", "city__name", "registered_by")
    ) == [("ana@lisboa.pt", "Lisbon", admin.pk), ("rui@lisboa.pt", "Lisbon", admin.pk)]


def test_registration_create_by_an_admin_for_a_city_not_enrolled_is_refused(programme):
    braga = factories.CityFactory(name="Braga")

    with pytest.raises(ApplicationError) as error:
        services.registration_create(
            session=programme.heating,
            city=braga,
            full_name="Bea",
            email="bea@braga.pt",
            acting_user=factories.UserFactory(is_programme_admin=True),
        )

    assert (error.value.code, error.value.message) == (
        "not_enrolled",
        "Braga is not enrolled in this cohort.",
    )


def test_session_record_outcome_by_an_officer_is_refused(programme, clock):
    clock.move_to(AFTER_HEATING)

    with pytest.raises(PermissionRefused):
        services.session_record_outcome(
            session=programme.heating,
            key_takeaways="Mine",
            requested_subtopics="",
            acting_user=programme.officer,
        )

    programme.heating.refresh_from_db()
    assert programme.heating.key_takeaways == ""


def test_attendance_record_by_an_officer_is_refused(programme, clock):
    [ana] = register(programme, ("Ana Silva", "ana@lisboa.pt"))
    clock.move_to(AFTER_HEATING)

    with pytest.raises(PermissionRefused):
        services.attendance_record(
            session=programme.heating,
            marks={ana.pk: Attendance.ATTENDED},
            acting_user=programme.officer,
        )

    assert list(Registration.objects.values_list("attendance", flat=True)) == [""]


def test_registration_delete_by_an_officer_of_another_city_is_refused(programme):
    [registration] = register(programme, ("Ana Silva", "ana@lisboa.pt"))
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto)

    with pytest.raises(PermissionRefused):
        services.registration_delete(
            registration=registration, acting_user=factories.city_officer(city=porto)
        )

    assert Registration.objects.count() == 1


def test_registration_delete_by_the_sessions_facilitator(programme):
    [registration] = register(programme, ("Ana Silva", "ana@lisboa.pt"))

    services.registration_delete(registration=registration, acting_user=programme.lead)

    assert Registration.objects.count() == 0


def test_registration_delete_of_a_cancelled_session_is_refused(programme):
    [registration] = register(programme, ("Ana Silva", "ana@lisboa.pt"))
    services.session_cancel(session=programme.heating, acting_user=programme.lead)

    with pytest.raises(ApplicationError) as error:
        services.registration_delete(registration=registration, acting_user=programme.officer)

    assert (error.value.code, error.value.message) == (
        "cancelled",
        "This session was cancelled: its list of registered people is kept.",
    )
    assert Registration.objects.count() == 1


# --- Cancelling ends when the session starts ---------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC),  # 10:00 in Brussels: it starts
        AFTER_HEATING,
    ],
)
def test_session_cancel_once_it_has_started_is_refused(
    programme, clock, django_capture_on_commit_callbacks, now
):
    register(programme, ("Ana Silva", "ana@lisboa.pt"))
    clock.move_to(now)

    with pytest.raises(ApplicationError) as error, django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=programme.heating, acting_user=programme.lead)

    programme.heating.refresh_from_db()
    assert (error.value.code, error.value.message) == (
        "started",
        "This session has started: it can no longer be cancelled.",
    )
    assert (programme.heating.status, mail.outbox) == (SessionStatus.SCHEDULED, [])


def test_cancel_session_rule_holds_until_the_session_starts(programme, clock):
    before = programme.lead.has_perm("peer_sessions.cancel_session", programme.heating)
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC))
    at_start = programme.lead.has_perm("peer_sessions.cancel_session", programme.heating)

    assert (before, at_start) == (True, False)


# --- Programme admins: states hold for them too -------------------------------------------------


def test_session_rules_for_an_admin_hold_until_the_session_starts(programme, clock):
    """Admins are named in rules.py (the admin backend grants nothing there): they may cancel
    until the session starts, like its facilitators, and are never offered a registration."""
    admin = factories.UserFactory(is_programme_admin=True)
    perms = [
        "peer_sessions.change_session",
        "peer_sessions.cancel_session",
        "peer_sessions.record_attendance",
        "peer_sessions.add_registration",
    ]

    before = [admin.has_perm(perm, programme.heating) for perm in perms]
    clock.move_to(datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC))
    at_start = [admin.has_perm(perm, programme.heating) for perm in perms]

    assert (before, at_start) == ([True, True, True, False], [True, False, True, False])


def test_cancel_session_rule_for_an_admin_of_a_cancelled_session(programme):
    admin = factories.UserFactory(is_programme_admin=True)
    services.session_cancel(session=programme.heating, acting_user=admin)
    programme.heating.refresh_from_db()

    assert admin.has_perm("peer_sessions.cancel_session", programme.heating) is False


def test_session_cancel_by_an_admin_once_it_has_started_is_refused_with_the_message(
    programme, clock
):
    clock.move_to(AFTER_HEATING)

    with pytest.raises(ApplicationError) as error:
        services.session_cancel(
            session=programme.heating, acting_user=factories.UserFactory(is_programme_admin=True)
        )

    programme.heating.refresh_from_db()
    assert (error.value.code, programme.heating.status) == ("started", SessionStatus.SCHEDULED)


def test_registration_create_by_an_admin_once_the_session_started_is_refused(programme, clock):
    clock.move_to(AFTER_HEATING)

    with pytest.raises(ApplicationError) as error:
        services.registration_create(
            session=programme.heating,
            city=programme.city,
            full_name="Ana Silva",
            email="ana@lisboa.pt",
            acting_user=factories.UserFactory(is_programme_admin=True),
        )

    assert (error.value.code, Registration.objects.count()) == ("closed", 0)


# --- Every service acting for a person asks the rules itself -----------------------------------


def _acting_services(programme) -> dict:
    """Each service that acts for a person, called with `acting_user` on the programme."""
    registration = Registration.objects.create(
        session=programme.heating, city=programme.city, full_name="Ana", email="ana@lisboa.pt"
    )
    return {
        "session_create": lambda user: services.session_create(
            cohort=programme.cohort,
            kind=SessionKind.RECAP,
            title="Recap",
            starts_at=at(DEC4, 14, 0),
            ends_at=at(DEC4, 15, 0),
            acting_user=user,
        ),
        "session_update": lambda user: services.session_update(
            session=programme.heating, title="Renamed", acting_user=user
        ),
        "session_cancel": lambda user: services.session_cancel(
            session=programme.heating, acting_user=user
        ),
        "session_record_outcome": lambda user: services.session_record_outcome(
            session=programme.heating,
            key_takeaways="Mine",
            requested_subtopics="",
            acting_user=user,
        ),
        "session_requested_subtopics_set": lambda user: services.session_requested_subtopics_set(
            session=programme.heating, requested_subtopics="Mine", acting_user=user
        ),
        "session_set_presentations": lambda user: services.session_set_presentations(
            session=programme.heating,
            presentations=[(programme.mission_city, [programme.actions[0].pk])],
            acting_user=user,
        ),
        "registration_create": lambda user: services.registration_create(
            session=programme.heating,
            city=programme.city,
            full_name="Rui Costa",
            email="rui@lisboa.pt",
            acting_user=user,
        ),
        "registrations_create": lambda user: services.registrations_create(
            session=programme.heating,
            city=programme.city,
            people=[("Rui Costa", "rui@lisboa.pt")],
            acting_user=user,
        ),
        "registration_delete": lambda user: services.registration_delete(
            registration=registration, acting_user=user
        ),
        "attendance_record": lambda user: services.attendance_record(
            session=programme.heating,
            marks={registration.pk: Attendance.ATTENDED},
            acting_user=user,
        ),
        "attendance_import": lambda user: services.attendance_import(
            session=programme.heating,
            emails=[registration.email],
            walk_ins=[("Jo Walker", "jo@example.org", None)],
            acting_user=user,
        ),
        "calendar_feed_reset": lambda user: services.calendar_feed_reset(acting_user=user),
    }


ACTING_SERVICES = [
    "session_create",
    "session_update",
    "session_cancel",
    "session_record_outcome",
    "session_requested_subtopics_set",
    "session_set_presentations",
    "registration_create",
    "registrations_create",
    "registration_delete",
    "attendance_record",
    "attendance_import",
    "calendar_feed_reset",
]


def _stored(programme) -> tuple:
    return (
        list(
            Session.objects.order_by("pk").values_list(
                "title", "status", "key_takeaways", "requested_subtopics"
            )
        ),
        list(programme.heating.presentations.values_list("city__name", flat=True)),
        list(Registration.objects.order_by("pk").values_list("email", "attendance")),
        list(CalendarFeed.objects.values_list("user_id", "token")),
    )


@pytest.mark.parametrize("service", ACTING_SERVICES)
@pytest.mark.parametrize("who", ["nobody", "an admin whose account is deactivated"])
def test_acting_service_without_permission_is_refused_and_changes_nothing(
    programme, clock, service, who
):
    call = _acting_services(programme)[service]
    user = None
    if who != "nobody":
        user = factories.UserFactory(is_programme_admin=True, is_active=False)
        services.calendar_feed_get_or_create(user=user)
    if service in {"attendance_record", "attendance_import", "session_record_outcome"}:
        clock.move_to(AFTER_HEATING)  # past the service's own state checks
    before = _stored(programme)

    with pytest.raises(PermissionRefused):
        call(user)

    assert _stored(programme) == before


def test_acting_services_cover_every_service_with_acting_user():
    """The table above lists every public service of sessions that takes `acting_user`."""
    import inspect

    taking = sorted(
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__
        and not name.startswith("_")
        and "acting_user" in inspect.signature(function).parameters
    )

    assert taking == sorted(ACTING_SERVICES)


def test_session_set_presentations_by_an_officer_is_refused(programme):
    with pytest.raises(PermissionRefused):
        services.session_set_presentations(
            session=programme.heating,
            presentations=[(programme.mission_city, [programme.actions[0].pk])],
            acting_user=programme.officer,
        )

    assert programme.heating.presentations.count() == 0


def test_calendar_feed_reset_gives_the_acting_person_a_new_address(programme):
    feed = services.calendar_feed_get_or_create(user=programme.officer)
    other = services.calendar_feed_get_or_create(user=programme.lead)

    reset = services.calendar_feed_reset(acting_user=programme.officer)

    other.refresh_from_db()
    assert (reset.pk, reset.user, reset.token != feed.token) == (feed.pk, programme.officer, True)
    assert other.token == services.calendar_feed_get_or_create(user=programme.lead).token


# --- Sessions record who scheduled and who last changed them -----------------------------------


def _who(session) -> tuple:
    session.refresh_from_db()
    return (session.created_by, session.updated_by)


def test_session_create_records_the_acting_person_as_creator_and_editor(programme):
    assert _who(programme.heating) == (programme.lead, programme.lead)


def test_session_services_record_who_last_changed_the_session(programme, clock):
    admin = factories.UserFactory(is_programme_admin=True)
    named = factories.UserFactory(is_facilitator=True)
    programme.heating.facilitators.add(named)
    seen = []

    services.session_update(session=programme.heating, title="Renamed", acting_user=admin)
    seen.append(_who(programme.heating))
    services.session_set_presentations(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[0].pk])],
        acting_user=named,
    )
    seen.append(_who(programme.heating))
    services.session_cancel(session=programme.heating, acting_user=admin)
    seen.append(_who(programme.heating))
    clock.move_to(AFTER_HEATING)
    services.session_record_outcome(
        session=programme.heating, key_takeaways="Kept", requested_subtopics="", acting_user=named
    )
    seen.append(_who(programme.heating))

    assert seen == [
        (programme.lead, admin),
        (programme.lead, named),
        (programme.lead, admin),
        (programme.lead, named),
    ]


def test_session_update_refused_records_no_editor(programme):
    admin = factories.UserFactory(is_programme_admin=True)
    with pytest.raises(ApplicationError):
        services.session_update(session=programme.heating, title="  ", acting_user=admin)
    with pytest.raises(PermissionRefused):
        services.session_update(
            session=programme.heating, title="Mine", acting_user=programme.officer
        )

    assert _who(programme.heating) == (programme.lead, programme.lead)


def test_session_creator_and_editor_are_kept_empty_when_their_accounts_are_deleted(programme):
    programme.lead.delete()

    assert _who(programme.heating) == (None, None)


# --- Within the cohort's dates ------------------------------------------------------------------

OUTSIDE_COHORT = (
    "starts_at",
    "outside_cohort",
    "Online Discussion Groups cohort 1 runs from 1 September 2024 to 28 February 2025: "
    "choose a date in that time.",
)


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (datetime.datetime(2024, 8, 31, 10, 0), datetime.datetime(2024, 8, 31, 11, 0)),
        (datetime.datetime(2025, 3, 1, 10, 0), datetime.datetime(2025, 3, 1, 11, 0)),
        (datetime.datetime(2025, 2, 28, 23, 0), datetime.datetime(2025, 3, 1, 0, 30)),
    ],
    ids=["before", "after", "ends-after"],
)
def test_session_create_outside_the_cohort_dates_is_refused_naming_them(programme, starts, ends):
    with pytest.raises(ApplicationError) as error:
        schedule(programme.cohort, "Too late", starts, ends)

    assert (error.value.field, error.value.code, error.value.message) == OUTSIDE_COHORT
    assert list(programme.cohort.sessions.values_list("title", flat=True)) == [
        "Energy: district heating"
    ]


def test_session_create_on_the_cohort_first_and_last_day_is_accepted(programme):
    first = schedule(
        programme.cohort,
        "Welcome",
        datetime.datetime(2024, 9, 1, 0, 0),
        datetime.datetime(2024, 9, 1, 1, 0),
    )
    last = schedule(
        programme.cohort,
        "Farewell",
        datetime.datetime(2025, 2, 28, 22, 0),
        datetime.datetime(2025, 2, 28, 23, 59),
    )

    assert (first.title, last.title) == ("Welcome", "Farewell")


def test_session_create_the_cohort_runs_to_the_end_of_its_last_phase(programme):
    factories.PhaseFactory(
        cohort=programme.cohort,
        name="Group Study Visit preparation",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 4, 30),
    )

    recap = schedule(
        programme.cohort,
        "Recap",
        datetime.datetime(2025, 4, 30, 10, 0),
        datetime.datetime(2025, 4, 30, 11, 0),
    )
    with pytest.raises(ApplicationError) as error:
        schedule(
            programme.cohort,
            "Too late",
            datetime.datetime(2025, 5, 1, 10, 0),
            datetime.datetime(2025, 5, 1, 11, 0),
        )

    assert recap.title == "Recap"
    assert error.value.message == (
        "Online Discussion Groups cohort 1 runs from 1 September 2024 to 30 April 2025: "
        "choose a date in that time."
    )


def test_session_create_dates_are_the_days_of_the_session_zone(programme):
    # 23:30 on 31 August in Lisbon is 00:30 on 1 September in Brussels: still before the cohort.
    with pytest.raises(ApplicationError) as error:
        schedule(
            programme.cohort,
            "Early",
            datetime.datetime(2024, 8, 31, 23, 30),
            datetime.datetime(2024, 9, 1, 0, 30),
            time_zone="Europe/Lisbon",
        )

    assert error.value.code == "outside_cohort"


def test_session_update_moving_outside_the_cohort_dates_is_refused(programme):
    with pytest.raises(ApplicationError) as error:
        services.session_update(
            session=programme.heating,
            starts_at=datetime.datetime(2025, 3, 4, 10, 0),
            ends_at=datetime.datetime(2025, 3, 4, 11, 30),
            acting_user=programme.lead,
        )

    assert (error.value.field, error.value.code, error.value.message) == OUTSIDE_COHORT
    programme.heating.refresh_from_db()
    assert programme.heating.starts_at == datetime.datetime(2024, 12, 4, 9, 0, tzinfo=UTC)


def test_session_update_of_a_session_already_outside_changes_its_other_fields(programme):
    # A session kept after the cohort's dates were changed: edited, not moved, it is accepted.
    Cohort = type(programme.cohort)
    Cohort.objects.filter(pk=programme.cohort.pk).update(ends_on=datetime.date(2024, 11, 30))
    programme.heating.cohort.refresh_from_db()

    session = services.session_update(
        session=programme.heating, title="Energy: heat networks", acting_user=programme.lead
    )

    assert session.title == "Energy: heat networks"


# --- The sub-topics cities asked for, set alone (feedback sends a technical session its own) ---


def test_requested_subtopics_set_writes_only_them_and_who(programme):
    programme.heating.key_takeaways = "Kept"
    programme.heating.save(update_fields=["key_takeaways"])

    session = services.session_requested_subtopics_set(
        session=programme.heating,
        requested_subtopics="  Tariffs\nGrid fees  ",
        acting_user=programme.lead,
    )

    session.refresh_from_db()
    assert (session.requested_subtopics, session.key_takeaways, session.updated_by) == (
        "Tariffs\nGrid fees",
        "Kept",
        programme.lead,
    )


def test_requested_subtopics_of_a_cancelled_session_or_too_long_are_refused(programme):
    limit = Session._meta.get_field("requested_subtopics").max_length
    with pytest.raises(ApplicationError) as refused:
        services.session_requested_subtopics_set(
            session=programme.heating,
            requested_subtopics="x" * (limit + 1),
            acting_user=programme.lead,
        )
    assert refused.value.field == "requested_subtopics"
    Session.objects.filter(pk=programme.heating.pk).update(status=SessionStatus.CANCELLED)
    with pytest.raises(ApplicationError) as refused:
        services.session_requested_subtopics_set(
            session=programme.heating, requested_subtopics="Tariffs", acting_user=programme.lead
        )
    assert refused.value.code == "cancelled"
    programme.heating.refresh_from_db()
    assert programme.heating.requested_subtopics == ""
