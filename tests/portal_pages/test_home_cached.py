"""The cached sections of the home page (home.selectors.home_page_key): each person sees their
own, a change of what they show appears on the next GET, and so does the passing of time
(a session that ends leaves the upcoming list, one that comes within 14 days becomes due)."""

import datetime
import re

import pytest
import time_machine

from cohorts import services as cohort_services
from cohorts.models import Cohort
from sessions.models import Session
from tests import factories
from tests.portal_pages.helpers import sign_in

NOW = datetime.datetime(2025, 1, 10, 9, 0, tzinfo=datetime.UTC)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _block(client, block: str) -> str:
    html = client.get("/").content.decode()
    match = re.search(rf'<section[^>]*data-block="{block}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {block} block in the page"
    return _text(match.group(1))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cohort(db):
    return factories.CohortFactory(
        number=1,
        name="Cohort one",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2025, 6, 30),
    )


def _enrolled_officer(cohort, city_name):
    city = factories.CityFactory(name=city_name)
    cohort_services.enrolment_create_direct(
        cohort=cohort,
        city=city,
        acting_user=factories.UserFactory(is_programme_admin=True),
        groups=[(factories.ThematicGroupFactory(cohort=cohort), "")],
    )
    return factories.city_officer(city=city)


def _session(cohort, title, starts_at):
    return factories.SessionFactory(
        cohort=cohort,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
    )


def test_home_of_two_officers_one_after_the_other_each_with_their_own_cities(client, clock, cohort):
    lisbon_officer = _enrolled_officer(cohort, "Lisbon")
    espoo_officer = _enrolled_officer(cohort, "Espoo")

    sign_in(client, lisbon_officer)
    assert _block(client, "officer-cohorts").count("Lisbon") == 1
    sign_in(client, espoo_officer)
    cohorts = _block(client, "officer-cohorts")

    assert "Espoo" in cohorts
    assert "Lisbon" not in cohorts


def test_home_shows_a_new_session_and_its_registrations_on_the_next_get(client, clock, cohort):
    officer = _enrolled_officer(cohort, "Lisbon")
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    sign_in(client, facilitator)
    assert "No upcoming sessions in your cohorts." in _block(client, "facilitator-upcoming")

    session = _session(cohort, "Heat pumps", NOW + datetime.timedelta(days=3))
    assert _block(client, "facilitator-upcoming").endswith("Cohort one 0")

    factories.RegistrationFactory(session=session, city=officer.cities.get())
    assert _block(client, "facilitator-upcoming").endswith("Cohort one 1")


def test_home_facilitator_of_a_cohort_added_since_sees_it(client, clock, cohort):
    facilitator = factories.UserFactory(is_facilitator=True)
    sign_in(client, facilitator)
    html = client.get("/").content.decode()
    assert "You do not facilitate a cohort yet." in html

    Cohort.objects.get(pk=cohort.pk).facilitators.add(facilitator)

    assert "Cohort one" in client.get("/").content.decode()


def test_home_lists_follow_the_clock_without_any_change_of_data(client, clock, cohort):
    officer = _enrolled_officer(cohort, "Lisbon")
    _session(cohort, "Soon over", NOW + datetime.timedelta(hours=1))
    _session(cohort, "In two weeks", NOW + datetime.timedelta(days=14, hours=2))
    sign_in(client, officer)
    assert "Soon over" in _block(client, "officer-upcoming")
    assert "In two weeks" not in _block(client, "officer-due")

    # Three hours on (well within the cache's timeout): the first session has ended, the
    # second starts within 14 days.
    clock.move_to(NOW + datetime.timedelta(hours=3))

    assert "Soon over" not in _block(client, "officer-upcoming")
    assert "Lisbon : In two weeks" in _block(client, "officer-due")
    assert Session.objects.count() == 2
