"""The programme dashboard's figures (reports.figures): what each counts, under each filter."""

import datetime
import functools

import pytest
from django.test import RequestFactory

from cohorts.enums import EnrolmentStatus, Programme
from feedback.enums import QuestionKind, ResponseStatus
from feedback.survey_templates import THEMATIC_FORMAT_OPTIONS
from reports.figures import programme_figures
from reports.filters import ReportFilterForm
from roadmaps.enums import RoadmapStatus
from sessions.enums import Attendance, SessionStatus
from tests import factories
from visits.enums import ApplicationStatus, CallStatus, Decision

UTC = datetime.UTC
NOW = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def at(month: int, day: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, month, day, 9, 0, tzinfo=UTC)


def figures_for(user, **query):
    data = RequestFactory().get("/reports/", query).GET
    form = ReportFilterForm(data or None, user=user)
    return programme_figures(form.report_filters(), now=NOW), form


@pytest.fixture
def world(db):
    """Two cohorts of the Online Discussion Groups and one of Twinning:
    - cohort A: Porto (PT, Mission City) and Lyon (FR, Mission City and Pilot City) enrolled,
      Nantes (FR) only asked; Lyon in the mobility group;
    - cohort B: Porto again and Turku (FI, Mission-minded);
    - cohort T (Twinning): Gdansk (PL)."""
    city = functools.partial(factories.CityFactory, is_mission_minded=False)
    portugal = factories.CountryFactory(name="Portugal", iso_code="PT")
    france = factories.CountryFactory(name="France", iso_code="FR")
    finland = factories.CountryFactory(name="Finland", iso_code="FI")
    poland = factories.CountryFactory(name="Poland", iso_code="PL")
    porto = city(name="Porto", country=portugal, is_mission_city=True)
    lyon = city(name="Lyon", country=france, is_mission_city=True, is_pilot_city=True)
    nantes = city(name="Nantes", country=france)
    turku = city(name="Turku", country=finland, is_mission_minded=True)
    gdansk = city(name="Gdansk", country=poland)
    a = factories.CohortFactory(name="Cohort A")
    b = factories.CohortFactory(name="Cohort B")
    t = factories.CohortFactory(name="Twinning 1", programme=Programme.TWINNING)
    accepted = EnrolmentStatus.ACCEPTED
    factories.EnrolmentFactory(cohort=a, city=porto, status=accepted)
    lyon_a = factories.EnrolmentFactory(cohort=a, city=lyon, status=accepted)
    factories.EnrolmentFactory(cohort=a, city=nantes, status=EnrolmentStatus.REQUESTED)
    factories.EnrolmentFactory(cohort=b, city=porto, status=accepted)
    factories.EnrolmentFactory(cohort=b, city=turku, status=accepted)
    factories.EnrolmentFactory(cohort=t, city=gdansk, status=accepted)
    mobility = factories.ThematicGroupFactory(cohort=a)
    factories.EnrolmentGroupFactory(enrolment=lyon_a, thematic_group=mobility)
    return {
        "a": a,
        "b": b,
        "t": t,
        "porto": porto,
        "lyon": lyon,
        "turku": turku,
        "gdansk": gdansk,
        "france": france,
        "mobility": mobility,
    }


def test_cities_taking_part_are_counted_once_by_country_and_by_type(world, programme_admin):
    figures, _form = figures_for(programme_admin)

    assert figures.cities == 4  # Porto once though in two cohorts; Nantes only asked
    assert [(s.label, s.count) for s in figures.by_country] == [
        ("Finland", 1),
        ("France", 1),
        ("Poland", 1),
        ("Portugal", 1),
    ]
    assert [(s.key, s.count) for s in figures.by_type] == [
        ("mission", 2),
        ("mission_minded", 1),
        ("pilot", 1),
        ("twin", 0),
    ]


def test_each_filter_narrows_the_cities(world, programme_admin):
    by = {
        "cohort": {"cohort": [world["b"].pk]},
        "programme": {"programme": Programme.TWINNING},
        "country": {"country": world["france"].pk},
        "type": {"city_type": "mission"},
        "group": {"thematic_group": world["mobility"].pk},
    }
    found = {
        name: sorted(s.label for s in figures_for(programme_admin, **query)[0].by_country)
        for name, query in by.items()
    }

    assert found == {
        "cohort": ["Finland", "Portugal"],
        "programme": ["Poland"],
        "country": ["France"],
        "type": ["France", "Portugal"],
        "group": ["France"],
    }


def test_sessions_participants_and_the_attendance_rate_by_month(world, programme_admin):
    a = world["a"]
    april = factories.SessionFactory(
        cohort=a, starts_at=at(4), ends_at=at(4) + datetime.timedelta(hours=1)
    )
    may = factories.SessionFactory(
        cohort=a, starts_at=at(5), ends_at=at(5) + datetime.timedelta(hours=1)
    )
    may_too = factories.SessionFactory(
        cohort=a, starts_at=at(5, 20), ends_at=at(5, 20) + datetime.timedelta(hours=1)
    )
    # Not held: cancelled, or still ahead of NOW.
    factories.SessionFactory(
        cohort=a, starts_at=at(5, 3), ends_at=at(5, 4), status=SessionStatus.CANCELLED
    )
    factories.SessionFactory(cohort=a, starts_at=at(7), ends_at=at(7) + datetime.timedelta(hours=1))
    attended, no_show = Attendance.ATTENDED, Attendance.NO_SHOW
    for session, city, attendance, walk_in in [
        (april, world["porto"], attended, False),
        (april, world["lyon"], no_show, False),
        (may, world["porto"], attended, False),
        (may, world["lyon"], attended, True),  # a walk-in: a participant, not in the rate
        (may_too, world["porto"], Attendance.UNKNOWN, False),  # not recorded: not in the rate
    ]:
        factories.RegistrationFactory(
            session=session, city=city, attendance=attendance, is_walk_in=walk_in
        )

    figures, _form = figures_for(programme_admin)

    assert [(m.month, m.sessions, m.participants) for m in figures.months] == [
        (datetime.date(2025, 4, 1), 1, 1),
        (datetime.date(2025, 5, 1), 2, 2),
    ]
    assert (figures.sessions_held, figures.participants) == (3, 3)
    assert (figures.attended_of_recorded, figures.recorded, figures.attendance_rate) == (2, 3, 67)
    # The date range keeps the sessions by their start; a country keeps its participants.
    in_may, _form = figures_for(programme_admin, date_from="2025-05-01", date_to="2025-05-31")
    assert [(m.sessions, m.participants) for m in in_may.months] == [(2, 2)]
    french, _form = figures_for(programme_admin, country=world["france"].pk)
    assert [(m.sessions, m.participants) for m in french.months] == [(1, 0), (2, 1)]


def test_the_roadmap_funnel_counts_each_enrolled_city_once(world, programme_admin):
    a, b = world["a"], world["b"]
    factories.RoadmapFactory(cohort=a, city=world["porto"], percent_complete=0)
    factories.RoadmapFactory(cohort=a, city=world["lyon"], status=RoadmapStatus.SUBMITTED)
    factories.RoadmapFactory(cohort=b, city=world["porto"], status=RoadmapStatus.ACCEPTED)
    factories.RoadmapFactory(cohort=b, city=world["turku"], percent_complete=40)
    # Gdansk (Twinning) has no roadmap yet: not started.

    figures, _form = figures_for(programme_admin)

    assert [(s.key, s.count) for s in figures.funnel] == [
        ("not_started", 2),
        ("draft", 1),
        ("returned", 0),
        ("submitted", 1),
        ("accepted", 1),
    ]
    assert figures.roadmaps_completed == 1


def _ratings(survey, points, *, submitted=True):
    question = factories.QuestionFactory(section__survey=survey, kind=QuestionKind.RATING)
    for point in points:
        response = factories.ResponseFactory(
            survey=survey,
            status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.DRAFT,
            submitted_at=at(5) if submitted else None,
        )
        factories.AnswerFactory(response=response, question=question, option=None, number=point)


def test_satisfaction_counts_ratings_and_leaves_out_anonymous_surveys_under_threshold(
    world, programme_admin
):
    _ratings(factories.SurveyFactory(cohort=world["a"]), [5, 4, 4, 2])
    _ratings(factories.SurveyFactory(cohort=world["a"]), [1], submitted=False)  # a draft
    small = factories.SurveyFactory(cohort=world["b"], is_anonymous=True, min_responses=5)
    _ratings(small, [1, 1])
    _ratings(factories.SurveyFactory(cohort=world["t"]), [3])

    recap = factories.SurveyFactory(cohort=world["a"], template_key="final_recap")
    question = factories.QuestionFactory(section__survey=recap, template_key="thematic_format")
    yes = factories.OptionFactory(question=question, template_ref=THEMATIC_FORMAT_OPTIONS[0])
    more = factories.OptionFactory(question=question, template_ref=THEMATIC_FORMAT_OPTIONS[1])
    for option in [yes, yes, yes, more]:
        response = factories.ResponseFactory(
            survey=recap, status=ResponseStatus.SUBMITTED, submitted_at=at(5)
        )
        factories.AnswerFactory(response=response, question=question, option=option)

    figures, _form = figures_for(programme_admin)

    assert [(s.key, s.answered, s.satisfied) for s in figures.satisfaction] == [
        ("thematic_format", 4, 3),
        ("ratings", 5, 3),
    ]
    assert figures.satisfied_share == 67
    assert [(s.key, s.count) for s in figures.ratings] == [
        ("1", 0),
        ("2", 1),
        ("3", 1),
        ("4", 2),
        ("5", 1),
    ]
    assert (figures.surveys_counted, figures.surveys_withheld) == (3, 1)


def test_study_visits_show_decisions_only_once_published(world, programme_admin):
    published = factories.CallFactory(title="Spring visits", status=CallStatus.PUBLISHED)
    published.eligible_cohorts.add(world["a"], world["b"])
    draft_decisions = factories.CallFactory(title="Autumn visits", status=CallStatus.OPEN)
    draft_decisions.eligible_cohorts.add(world["a"])
    submitted = ApplicationStatus.SUBMITTED
    for call, city, decision in [
        (published, world["porto"], Decision.SELECTED),
        (published, world["lyon"], Decision.WAITLISTED),
        (published, world["turku"], Decision.NOT_SELECTED),
        (draft_decisions, world["porto"], Decision.SELECTED),  # not published: not counted
    ]:
        factories.ApplicationFactory(
            call=call, city=city, status=submitted, submitted_at=at(3), decision=decision
        )
    factories.ApplicationFactory(call=draft_decisions, city=world["lyon"])  # a draft

    figures, _form = figures_for(programme_admin)

    assert [
        (c.title, c.published, c.submitted, c.selected, c.waitlisted, c.not_selected)
        for c in figures.calls
    ] == [
        ("Spring visits", True, 3, 1, 1, 1),
        ("Autumn visits", False, 1, 0, 0, 0),
    ]
    assert (figures.applications, figures.selected) == (4, 1)
    # Twinning's cities could apply to neither call.
    twinning, _form = figures_for(programme_admin, programme=Programme.TWINNING)
    assert twinning.calls == []


def test_a_facilitator_reports_only_on_the_cohorts_they_facilitate(world, facilitator):
    world["b"].facilitators.add(facilitator)

    figures, form = figures_for(facilitator)
    assert [c.pk for c in form.cohorts] == [world["b"].pk]
    assert sorted(s.label for s in figures.by_country) == ["Finland", "Portugal"]

    # Asking for another cohort is refused by the form, and reports nothing of it.
    figures, form = figures_for(facilitator, cohort=[world["a"].pk])
    assert "cohort" in form.errors
    assert sorted(s.label for s in figures.by_country) == ["Finland", "Portugal"]


def test_bad_filter_values_are_errors_of_their_field_and_left_out(world, programme_admin):
    figures, form = figures_for(
        programme_admin, country="nowhere", date_from="2025-06-01", date_to="2025-05-01"
    )

    assert set(form.errors) == {"country", "date_to"}
    assert form.errors["date_to"] == ["The end of the range is before its start."]
    assert figures.cities == 4
