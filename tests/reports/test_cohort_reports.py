"""Cohort reports and the comparison of cohorts (reports/views_cohorts.py)."""

import datetime
import re

import pytest
from django.utils import timezone

from cohorts.enums import EnrolmentStatus
from feedback.enums import ResponseStatus
from sessions.enums import Attendance, SessionKind, SessionStatus
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries
from visits.enums import ApplicationStatus, CallStatus, Decision

pytestmark = pytest.mark.django_db


def enrol(cohort, city):
    return factories.EnrolmentFactory(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)


def _rows(html: str, table: str) -> list[list[str]]:
    body = re.search(rf'data-table="{table}">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    return [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows)
    ]


@pytest.fixture
def cohort_world():
    """Cohort 1 with Porto (presenting) and Lyon, a held thematic session and a technical one
    with its sub-topics, a published survey, and a published call where Porto was selected."""
    cohort = factories.CohortFactory(name="Cohort 1")
    factories.PhaseFactory(cohort=cohort, name="Onboarding", position=1)
    porto = factories.CityFactory(name="Porto", country__iso_code="PT", country__name="Portugal")
    lyon = factories.CityFactory(name="Lyon", country__iso_code="FR", country__name="France")
    enrol(cohort, porto)
    enrol(cohort, lyon)
    held = timezone.now() - datetime.timedelta(days=20)
    group = factories.ThematicGroupFactory(cohort=cohort, sector__name="Energy")
    thematic = factories.SessionFactory(
        cohort=cohort,
        title="Thematic discussion: Energy",
        thematic_group=group,
        starts_at=held,
        ends_at=held + datetime.timedelta(hours=1),
    )
    factories.SessionPresentationFactory(session=thematic, city=porto)
    factories.RegistrationFactory(session=thematic, city=porto, attendance=Attendance.ATTENDED)
    factories.RegistrationFactory(session=thematic, city=lyon, attendance=Attendance.NO_SHOW)
    factories.RegistrationFactory(
        session=thematic, city=lyon, attendance=Attendance.ATTENDED, is_walk_in=True
    )
    factories.SessionFactory(
        cohort=cohort,
        title="Technical support: Energy",
        kind=SessionKind.TECHNICAL_SUPPORT,
        thematic_group=group,
        requested_subtopics="Heat pumps\nDistrict heating",
        starts_at=held + datetime.timedelta(days=7),
        ends_at=held + datetime.timedelta(days=7, hours=1),
    )
    factories.SessionFactory(cohort=cohort, title="Cancelled one", status=SessionStatus.CANCELLED)
    survey = factories.SurveyFactory(cohort=cohort, title="Final recap", is_published=True)
    factories.ResponseFactory(survey=survey, status=ResponseStatus.SUBMITTED, submitted_at=held)
    call = factories.CallFactory(title="Spring visits", status=CallStatus.PUBLISHED)
    call.eligible_cohorts.add(cohort)
    visit = factories.VisitFactory(call=call, host_city__name="Valencia")
    factories.ApplicationFactory(
        call=call,
        city=porto,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=held,
        decision=Decision.SELECTED,
        allocated_visit=visit,
    )
    factories.RoadmapFactory(cohort=cohort, city=porto, percent_complete=40)
    return cohort


def test_cohort_report_has_the_documents_sections(client, programme_admin, cohort_world):
    sign_in(client, programme_admin)

    html = client.get(f"/reports/cohorts/{cohort_world.pk}/").content.decode()

    assert _rows(html, "phases")[0][0] == "Onboarding"
    sessions = _rows(html, "sessions")
    assert [row[1:] for row in sessions] == [
        ["Thematic discussion: Energy (Thematic discussion)", "Energy", "Porto", "2", "2"],
        ["Technical support: Energy (Technical support)", "Energy", "—", "0", "0"],
    ]
    assert _rows(html, "countries") == [["France", "1"], ["Portugal", "1"]]
    assert _rows(html, "roadmaps") == [
        ["Lyon", "FR", "Not started", "0%"],
        ["Porto", "PT", "Draft", "40%"],
    ]
    assert _rows(html, "surveys")[0][0] == "Final recap"
    assert _rows(html, "surveys")[0][-1] == "1"
    assert "<p>Heat pumps<br>District heating</p>" in html
    assert _rows(html, "applications") == [["Porto", "Spring visits", "Selected", "Valencia"]]


def test_a_facilitator_reports_on_their_cohort_only(client, facilitator, cohort_world):
    cohort_world.facilitators.add(facilitator)
    other = factories.CohortFactory(name="Someone else's")
    sign_in(client, facilitator)

    listing = client.get("/reports/cohorts/").content.decode()
    assert [row[0] for row in _rows(listing, "cohorts")] == ["Cohort 1"]
    assert client.get(f"/reports/cohorts/{cohort_world.pk}/").status_code == 200
    assert client.get(f"/reports/cohorts/{other.pk}/").status_code == 404
    response = client.get("/reports/cohorts/compare/", {"cohort": [cohort_world.pk, other.pk]})
    assert (
        f"Select a valid choice. {other.pk} is not one of the available choices."
        in response.content.decode()
    )


def test_a_cohort_chart_downloads_as_svg(client, programme_admin, cohort_world):
    sign_in(client, programme_admin)

    response = client.get(f"/reports/cohorts/{cohort_world.pk}/charts/roadmaps.svg")

    assert response["Content-Disposition"] == (
        f'attachment; filename="cohort-{cohort_world.pk}-roadmaps.svg"'
    )
    svg = response.content.decode()
    assert "Reflection Roadmaps: where each stands · Cohort 1" in svg


def test_comparison_shows_each_cohorts_figures_side_by_side(client, programme_admin, cohort_world):
    second = factories.CohortFactory(name="Cohort 2")
    enrol(second, factories.CityFactory(name="Turku"))
    sign_in(client, programme_admin)

    html = client.get(
        "/reports/cohorts/compare/", {"cohort": [cohort_world.pk, second.pk]}
    ).content.decode()

    rows = {row[0]: row[1:] for row in _rows(html, "comparison")}
    assert rows["Cities taking part"] == ["2", "1"]
    assert rows["Sessions held"] == ["2", "0"]  # the technical session was held too
    assert rows["Participants"] == ["2", "0"]
    assert rows["Participants per session"] == ["1.0", "—"]
    assert rows["Attendance rate"] == ["50%", "—"]
    assert rows["Not started"] == ["1", "1"]
    assert rows["Draft"] == ["1", "0"]
    assert rows["Study visit applications"] == ["1", "0"]
    assert rows["Cities selected for a visit"] == ["1", "0"]
    assert 'id="chart-roadmaps"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"cohort": ["1"]}, "Choose between two and 6 cohorts to compare."),
        ({"cohort": ["x"]}, "Select a valid choice. x is not one of the available choices."),
        ({}, "This field is required."),
    ],
)
def test_comparison_tells_what_is_wrong_with_the_choice(
    client, programme_admin, cohort_world, query, message
):
    sign_in(client, programme_admin)
    if query.get("cohort") == ["1"]:
        query = {"cohort": [cohort_world.pk]}

    response = client.get("/reports/cohorts/compare/", query)

    assert response.status_code == 200
    assert message in response.content.decode() or not query
    assert 'data-table="comparison"' not in response.content.decode()


@pytest.mark.parametrize("cities", [1, 8])
def test_cohort_report_queries_do_not_grow_with_the_cohort(
    client, programme_admin, django_assert_num_queries, cities
):
    cohort = factories.CohortFactory()
    held = timezone.now() - datetime.timedelta(days=2)
    session = factories.SessionFactory(
        cohort=cohort, starts_at=held, ends_at=held + datetime.timedelta(hours=1)
    )
    call = factories.CallFactory(status=CallStatus.PUBLISHED)
    call.eligible_cohorts.add(cohort)
    for _ in range(cities):
        city = factories.CityFactory()
        enrol(cohort, city)
        factories.SessionPresentationFactory(session=session, city=city)
        factories.RegistrationFactory(session=session, city=city, attendance=Attendance.ATTENDED)
        factories.RoadmapFactory(cohort=cohort, city=city)
        factories.ApplicationFactory(
            call=call, city=city, status=ApplicationStatus.SUBMITTED, submitted_at=held
        )
    sign_in(client, programme_admin)
    # user, the cohort; the figures (cities by country and type, sessions and registrations
    # by month, roadmaps by status and enrolments without one, surveys, applications by
    # call; no survey here, so no answers are read); phases; sessions and their
    # presentations; roadmaps and cities; surveys; applications.
    with django_assert_num_queries(17 + session_queries()):
        assert client.get(f"/reports/cohorts/{cohort.pk}/").status_code == 200
    # Kept for the period: the user and the cohort only.
    with django_assert_num_queries(2 + session_queries()):
        assert client.get(f"/reports/cohorts/{cohort.pk}/").status_code == 200
