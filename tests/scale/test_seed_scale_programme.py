"""The later steps of seed_scale: climate actions, enrolments, presented actions, registrations
and attendance."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from cities.models import CityMembership, ClimateAction, ClimateActionLever
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment, EnrolmentGroup
from devdata import scale
from devdata.scale import ACTION_SECTORS, RECOMMENDATIONS, scale_cities, scale_cohorts
from sessions.enums import Attendance
from sessions.models import Registration, SessionPresentation

SMALL = ["--cities", "200", "--users", "500", "--cohorts", "3"]


def seed(*args: str) -> None:
    call_command("seed_scale", *args, verbosity=0)


def scale_enrolments():
    return Enrolment.objects.filter(cohort__in=scale_cohorts())


def scale_registrations():
    return Registration.objects.filter(session__cohort__in=scale_cohorts())


@pytest.mark.django_db
def test_seed_scale_small_numbers_creates_exactly_these_programme_rows():
    seed(*SMALL)

    assert ClimateAction.objects.filter(city__in=scale_cities()).count() == 5
    assert ClimateActionLever.objects.filter(action__city__in=scale_cities()).count() == 9
    per_cohort = (
        scale_enrolments()
        .values_list("cohort__number", "status")
        .annotate(total=Count("pk"))
        .order_by("cohort__number", "status")
    )
    assert list(per_cohort) == [
        (1000, "accepted", 51),
        (1000, "declined", 3),
        (1000, "requested", 2),
        (1001, "accepted", 53),
        (1001, "declined", 1),
        (1001, "requested", 1),
        (1002, "accepted", 50),
        (1002, "declined", 1),
        (1002, "requested", 3),
    ]
    assert EnrolmentGroup.objects.filter(enrolment__in=scale_enrolments()).count() == 323
    presented = SessionPresentation.climate_actions.through.objects.filter(
        sessionpresentation__session__cohort__in=scale_cohorts()
    )
    assert presented.count() == 54
    # The three cohorts ran in 2023, long before AS_OF: every session has its attendance.
    outcomes = Counter(scale_registrations().values_list("is_walk_in", "attendance"))
    assert outcomes == {
        (False, Attendance.ATTENDED): 965,
        (False, Attendance.NO_SHOW): 327,
        (True, Attendance.ATTENDED): 53,
    }


@pytest.mark.django_db
def test_seed_scale_climate_actions_follow_the_case_study_template():
    seed(*SMALL)

    actions = ClimateAction.objects.filter(city__in=scale_cities()).select_related("city", "sector")
    per_city = Counter(action.city.name for action in actions)
    mission_cities = set(scale_cities().filter(is_mission_city=True).values_list("name", flat=True))
    assert set(per_city) == mission_cities
    assert set(per_city.values()) <= {1, 2, 3, 4}
    for action in actions.prefetch_related("levers"):
        assert 1 <= action.levers.count() <= 3
        assert all(lever.key_drivers and lever.key_barriers for lever in action.levers.all())
        assert 1 <= len(action.recommendations) <= ClimateAction.MAX_RECOMMENDATIONS
        assert set(action.recommendations) <= set(RECOMMENDATIONS)
        if ACTION_SECTORS[action.title] is not None:
            assert action.sector.slug == ACTION_SECTORS[action.title]
        assert action.context and action.description and action.lessons_learned
    # A presenting Mission City shows one to three of its own actions.
    presentations = SessionPresentation.objects.filter(
        session__cohort__in=scale_cohorts()
    ).prefetch_related("climate_actions")
    assert presentations.exists()
    for presentation in presentations:
        shown = list(presentation.climate_actions.all())
        assert 1 <= len(shown) <= SessionPresentation.MAX_CLIMATE_ACTIONS
        assert {action.city_id for action in shown} == {presentation.city_id}


@pytest.mark.django_db
def test_seed_scale_enrolments_follow_the_programme_rules():
    seed(*SMALL)

    enrolments = (
        scale_enrolments()
        .select_related("cohort", "city")
        .prefetch_related("groups__thematic_group__sector", "cohort__facilitators")
    )
    by_cohort = Counter((e.cohort.number, e.status) for e in enrolments)
    for number in (1000, 1001, 1002):
        assert 40 <= by_cohort[number, EnrolmentStatus.ACCEPTED] <= 60
        assert 1 <= by_cohort[number, EnrolmentStatus.REQUESTED] <= 4
        assert 0 <= by_cohort[number, EnrolmentStatus.DECLINED] <= 3
    # Each city at most once per cohort, and no Mission City (they present instead).
    assert max(Counter((e.cohort_id, e.city_id) for e in enrolments).values()) == 1
    assert not any(e.city.is_mission_city for e in enrolments)
    officers_of = {}
    for city_id, user_id in CityMembership.objects.values_list("city_id", "user_id"):
        officers_of.setdefault(city_id, set()).add(user_id)
    for enrolment in enrolments:
        groups = list(enrolment.groups.all())
        assert 1 <= len(groups) <= 3
        for joined in groups:
            assert joined.thematic_group.cohort_id == enrolment.cohort_id
            assert joined.thematic_group.sector.name.lower() in joined.needs
        assert enrolment.created_at.date() < enrolment.cohort.starts_on
        if enrolment.status == EnrolmentStatus.REQUESTED:
            assert (enrolment.decided_by_id, enrolment.decided_at) == (None, None)
        else:
            leads = {user.pk for user in enrolment.cohort.facilitators.all()}
            assert enrolment.decided_by_id in leads
            assert enrolment.decided_at > enrolment.created_at
        if enrolment.requested_by_id is None:
            # Enrolled directly by a facilitator: only ever an accepted enrolment.
            assert enrolment.status == EnrolmentStatus.ACCEPTED
        else:
            assert enrolment.requested_by_id in officers_of[enrolment.city_id]
    assert Enrolment.objects.filter(requested_by=None).count() == 13


@pytest.mark.django_db
def test_seed_scale_registrations_follow_enrolments_and_groups():
    seed(*SMALL)

    joined = {}
    for enrolment in scale_enrolments().filter(status=EnrolmentStatus.ACCEPTED):
        groups = set(enrolment.groups.values_list("thematic_group_id", flat=True))
        joined[enrolment.cohort_id, enrolment.city_id] = groups
    members = set(CityMembership.objects.values_list("city_id", "user_id"))
    registrations = list(scale_registrations().select_related("session"))
    assert max(Counter((r.session_id, r.email) for r in registrations).values()) == 1
    per_session_city = Counter((r.session_id, r.city_id) for r in registrations if not r.is_walk_in)
    assert set(per_session_city.values()) <= {1, 2, 3}
    for registration in registrations:
        session = registration.session
        # Only accepted cities register, and only for the cohort-wide sessions and the
        # sessions of the groups they joined.
        groups = joined[session.cohort_id, registration.city_id]
        assert session.thematic_group_id is None or session.thematic_group_id in groups
        if registration.is_walk_in:
            assert registration.attendance == Attendance.ATTENDED
            assert registration.created_at > session.ends_at
            assert registration.registered_by.is_facilitator
        else:
            assert registration.attendance in {Attendance.ATTENDED, Attendance.NO_SHOW}
            assert registration.created_at < session.starts_at
            assert (registration.city_id, registration.registered_by_id) in members


@pytest.mark.django_db
def test_seed_scale_as_of_separates_recorded_sessions_from_later_ones(monkeypatch):
    # Cohorts start on 2 January 2023 (1000), 9 January (1001) and 16 January (1002); their
    # first sessions are two days after the start.
    as_of = datetime.datetime(2023, 1, 10, tzinfo=datetime.UTC)
    monkeypatch.setattr(scale, "AS_OF", as_of)
    seed(*SMALL)

    registered = Counter(scale_registrations().values_list("session__cohort__number", flat=True))
    # 1002 had not started on the day the data is as of: nobody has registered yet.
    assert sorted(registered) == [1000, 1001]
    for registration in scale_registrations().select_related("session"):
        recorded = registration.session.ends_at <= as_of
        assert (registration.attendance != Attendance.UNKNOWN) == recorded
        assert not registration.is_walk_in or recorded
    recorded_titles = set(
        scale_registrations()
        .exclude(attendance=Attendance.UNKNOWN)
        .values_list("session__cohort__number", "session__title")
    )
    assert recorded_titles == {(1000, "Onboarding: the programme")}
