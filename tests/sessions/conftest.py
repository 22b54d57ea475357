"""A small cohort: a lead facilitator, a Mission City with four climate actions, an enrolled
city with its officer, and the "Energy: district heating" session on 4 Dec 2024 (Brussels).

Time is frozen on 1 Nov 2024, before the session; tests that record attendance move it on.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing

from cities.models import City, ClimateAction
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment
from sessions import services
from sessions.enums import SessionKind
from sessions.models import Session
from tests import factories

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime.datetime(2024, 11, 1, 9, 0, tzinfo=datetime.UTC)
AFTER_HEATING = datetime.datetime(2024, 12, 4, 12, 0, tzinfo=datetime.UTC)


@dataclass
class Programme:
    cohort: Cohort
    lead: object
    mission_city: City
    actions: list[ClimateAction]
    city: City
    officer: object
    heating: Session


def enrol(cohort, city, status=EnrolmentStatus.ACCEPTED) -> Enrolment:
    return factories.EnrolmentFactory(cohort=cohort, city=city, status=status)


def schedule(cohort, title, starts, ends, *, by=None, **fields) -> Session:
    """A session typed in Brussels wall-clock time, through the service, by `by` or else by a
    programme admin (who may schedule in any cohort, also one without facilitators)."""
    fields.setdefault("kind", SessionKind.THEMATIC_DISCUSSION)
    return services.session_create(
        cohort=cohort,
        title=title,
        starts_at=starts,
        ends_at=ends,
        acting_user=by or factories.UserFactory(is_programme_admin=True),
        **fields,
    )


def signed_calendar_link(site: str, registration) -> str:
    """A registration's calendar link as emails carry it, signed here independently of
    sessions.calendar_links, so a change to what is signed (or to the salt) fails the tests."""
    signature = signing.Signer(salt="sessions.calendar_links.registration").signature(
        f"registration:{registration.pk}:session:{registration.session_id}"
    )
    return f"{site}/calendar/registrations/{registration.pk}/{signature}.ics"


def run_until(cohort, last_day: datetime.date) -> None:
    """Move the cohort's end, for a test that schedules a session later than the factory's
    cohort runs (sessions outside their cohort's dates are refused)."""
    cohort.ends_on = last_day
    cohort.save(update_fields=["ends_on"])


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def programme(db, clock) -> Programme:
    cohort = factories.CohortFactory(number=1, name="Online Discussion Groups cohort 1")
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead", email="lea@example.org")
    cohort.facilitators.add(lead)
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    mannheim = factories.CityFactory(
        name="Mannheim",
        country=factories.CountryFactory(iso_code="DE"),
        is_mission_city=True,
        is_mission_minded=False,
    )
    actions = [
        ClimateAction.objects.create(city=mannheim, title=title, sector=energy)
        for title in ["Coal exit", "District heating", "Heat pumps", "Solar roofs"]
    ]
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    enrol(cohort, lisbon)
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva", email="ana@lisboa.pt")
    heating = schedule(
        cohort,
        "Energy: district heating",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 30),
        meeting_url="https://meet.example.org/heating",
        facilitators=[lead],
        by=lead,
    )
    return Programme(cohort, lead, mannheim, actions, lisbon, officer, heating)
