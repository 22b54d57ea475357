"""The programme dashboard's page and its chart downloads (reports/views_dashboard.py)."""

import re
from unittest import mock

import pytest

from cohorts.enums import EnrolmentStatus
from sessions.enums import Attendance
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries

URL = "/reports/"


@pytest.fixture
def admin_page(client, programme_admin):
    sign_in(client, programme_admin)
    return client


def enrol(cohort, city):
    return factories.EnrolmentFactory(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)


def _count(html: str, name: str) -> str:
    return re.search(rf'data-count="{name}">([^<]*)<', html).group(1)


@pytest.mark.django_db
def test_the_dashboard_shows_the_figures_and_each_chart_with_its_table(admin_page):
    cohort = factories.CohortFactory()
    portugal = factories.CountryFactory(name="Portugal", iso_code="PT")
    for name in ["Porto", "Braga"]:
        enrol(cohort, factories.CityFactory(name=name, country=portugal))

    html = admin_page.get(URL).content.decode()

    assert _count(html, "cities") == "2"
    assert _count(html, "attendance") == "—"
    for chart in ["countries", "types", "sessions", "roadmaps", "satisfaction", "visits"]:
        assert f'data-block="{chart}"' in html
        assert f'id="chart-{chart}"' in html  # the wide drawing
        assert f'id="chart-{chart}-narrow"' in html  # the phone's
        assert f'href="/reports/charts/{chart}.svg?"' in html
        assert f'data-table="{chart}"' in html
    assert '<th scope="row">Portugal</th><td class="numeric">2</td>' in html


@pytest.mark.django_db
def test_a_chart_downloads_as_svg_with_the_filters_in_its_title(admin_page):
    cohort = factories.CohortFactory(name="Cohort 1")
    other = factories.CohortFactory(name="Cohort 2")
    enrol(cohort, factories.CityFactory(name="Porto", country__name="Portugal"))
    enrol(other, factories.CityFactory(name="Lyon", country__name="France"))

    response = admin_page.get(f"{URL}charts/countries.svg", {"cohort": cohort.pk})

    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="programme-countries.svg"'
    svg = response.content.decode()
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    title = re.search(r'<title id="chart-countries-title">([^<]*)</title>', svg).group(1)
    assert title == f"Cities taking part, by country · {cohort}"
    assert ">Portugal</text>" in svg
    assert ">France</text>" not in svg


@pytest.mark.django_db
def test_the_filters_narrow_the_figures_and_bad_values_are_told(admin_page):
    cohort = factories.CohortFactory()
    enrol(cohort, factories.CityFactory(name="Porto", country__name="Portugal"))
    lyon = factories.CityFactory(name="Lyon", country__name="France")
    enrol(cohort, lyon)

    narrowed = admin_page.get(URL, {"country": lyon.country_id}).content.decode()
    assert _count(narrowed, "cities") == "1"

    response = admin_page.get(
        URL, {"country": "Atlantis", "date_from": "2025-13-01", "cohort": "999999"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. Atlantis is not one of the available choices." in html
    assert "Enter a valid date." in html
    assert "Select a valid choice. 999999 is not one of the available choices." in html
    assert _count(html, "cities") == "2"  # the bad filters are left out


@pytest.mark.django_db
def test_the_figures_are_kept_for_a_period_and_read_again_in_the_next(
    admin_page, django_assert_num_queries
):
    cohort = factories.CohortFactory()
    enrol(cohort, factories.CityFactory())
    with (
        mock.patch("reports.views_dashboard.figures_period", return_value=1),
        mock.patch("reports.dashboard.figures_period", return_value=1),
    ):
        assert _count(admin_page.get(URL).content.decode(), "cities") == "1"
        enrol(cohort, factories.CityFactory())
        # The same period: the page as it was, from the cache (the user's query only).
        with django_assert_num_queries(1 + session_queries()):
            html = admin_page.get(URL).content.decode()
        assert _count(html, "cities") == "1"
    with (
        mock.patch("reports.views_dashboard.figures_period", return_value=2),
        mock.patch("reports.dashboard.figures_period", return_value=2),
    ):
        assert _count(admin_page.get(URL).content.decode(), "cities") == "2"


def _world(cohorts: int) -> None:
    """`cohorts` cohorts, each with two enrolled cities, a session held with a participant of
    each, a roadmap each, a survey with a rating and a call with an application."""
    import datetime

    from django.utils import timezone

    from feedback.enums import QuestionKind, ResponseStatus
    from visits.enums import ApplicationStatus

    held = timezone.now() - datetime.timedelta(days=3)
    for _ in range(cohorts):
        cohort = factories.CohortFactory()
        group = factories.ThematicGroupFactory(cohort=cohort)
        session = factories.SessionFactory(
            cohort=cohort, starts_at=held, ends_at=held + datetime.timedelta(hours=1)
        )
        call = factories.CallFactory()
        call.eligible_cohorts.add(cohort)
        survey = factories.SurveyFactory(cohort=cohort)
        question = factories.QuestionFactory(section__survey=survey, kind=QuestionKind.RATING)
        for _city in range(2):
            city = factories.CityFactory()
            enrolment = enrol(cohort, city)
            factories.EnrolmentGroupFactory(enrolment=enrolment, thematic_group=group)
            factories.RegistrationFactory(
                session=session, city=city, attendance=Attendance.ATTENDED
            )
            factories.RoadmapFactory(cohort=cohort, city=city)
            response = factories.ResponseFactory(
                survey=survey, status=ResponseStatus.SUBMITTED, submitted_at=held
            )
            factories.AnswerFactory(response=response, question=question, option=None, number=4)
            factories.ApplicationFactory(
                call=call, city=city, status=ApplicationStatus.SUBMITTED, submitted_at=held
            )


@pytest.mark.django_db
@pytest.mark.parametrize("cohorts", [1, 6])
def test_dashboard_queries_do_not_grow_with_the_programme(
    admin_page, django_assert_num_queries, cohorts
):
    _world(cohorts)
    # Read afresh: user; the form's cohorts, groups and countries; cities by country and by
    # type; the sessions held and their registrations; roadmaps by status and enrolments
    # without one; surveys with their counts, their rating and satisfaction questions, the
    # ratings (no satisfaction question here); applications.
    with django_assert_num_queries(14 + session_queries()):
        html = admin_page.get(URL).content.decode()
    assert _count(html, "cities") == str(2 * cohorts)
    assert _count(html, "participants") == str(2 * cohorts)
    assert _count(html, "applications") == str(2 * cohorts)
    assert _count(html, "satisfied") == "100%"
    # Filtered by a thematic group: its sessions have no survey here, so neither questions
    # nor answers are read.
    group = factories.ThematicGroupFactory._meta.model.objects.order_by("pk").first()
    with django_assert_num_queries(11 + session_queries()):
        assert admin_page.get(URL, {"thematic_group": group.pk}).status_code == 200
    # A chart download draws the page's kept figures: the user and the cohorts the form
    # offers (with no group or country chosen, their choices are not read); then the drawing
    # is kept too.
    with django_assert_num_queries(2 + session_queries()):
        first = admin_page.get(f"{URL}charts/sessions.svg").content
    with django_assert_num_queries(1 + session_queries()):
        assert admin_page.get(f"{URL}charts/sessions.svg").content == first
