"""A cohort with a roadmap, built through the services as people would.

Online Discussion Groups cohort 1 (1 Sep 2024 - 28 Feb 2025) with its four phases:
onboarding from 1 Sep, thematic discussions from 1 Nov, technical support from 1 Jan and study
visit preparation from 1 Feb. Lisbon (two officers) is enrolled directly by the lead facilitator,
which opens its roadmap. Guimarães, a Mission City, presented "Renewable energy communities" in
the cohort's Energy session.

The `roadmap` fixture freezes time on 15 Feb 2025, when every section is open; tests of phase
locking move the clock back.
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine

from cities.models import City, ClimateAction, Country
from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.models import Cohort
from cohorts.services import GroupSpec
from roadmaps.models import NetZeroCitiesService, Roadmap
from roadmaps.services import roadmap_field_save
from roadmaps.template import FIELDS, SCORE, SERVICES
from sessions import services as session_services
from sessions.enums import SessionKind
from tests import factories

D = datetime.date
# 15 Feb 2025, 10:00 in Brussels: every section of the roadmap is open.
NOW = datetime.datetime(2025, 2, 15, 9, 0, tzinfo=datetime.UTC)
PHASES = {
    "onboarding": (D(2024, 9, 1), D(2024, 10, 31)),
    "thematic": (D(2024, 11, 1), D(2024, 12, 31)),
    "technical": (D(2025, 1, 1), D(2025, 1, 31)),
    "study_visit": (D(2025, 2, 1), D(2025, 2, 28)),
}


@dataclass
class Programme:
    cohort: Cohort
    lead: object
    group_facilitator: object
    lisbon: City
    ana: object  # an officer of Lisbon
    rui: object  # another officer of Lisbon
    mission_city: City
    action: ClimateAction
    services: list[NetZeroCitiesService]
    roadmap: Roadmap


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def cohort_create(*, number: int, lead, sector, group_facilitators=()) -> Cohort:
    return cohort_services.cohort_create(
        programme="odg",
        number=number,
        name=f"Online Discussion Groups cohort {number}",
        starts_on=D(2024, 9, 1),
        ends_on=D(2025, 2, 28),
        acting_user=lead,
        phases=PHASES,
        groups=[GroupSpec(sector=sector, facilitators=list(group_facilitators))],
    )


def present(*, cohort: Cohort, city: City, actions, by, title="Energy: district heating", day=4):
    """Have `by` schedule a session of the cohort on `day` December 2024 where `city` presents
    `actions`."""
    starts = datetime.datetime(2024, 12, day, 14, 0, tzinfo=datetime.UTC)
    session_services.session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
        presentations=[(city, [action.pk for action in actions])],
        acting_user=by,
    )


@pytest.fixture
def programme(db, clock) -> Programme:
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    group_facilitator = factories.UserFactory(is_facilitator=True, full_name="Gus Group")
    cohort = cohort_create(
        number=1, lead=lead, sector=energy, group_facilitators=[group_facilitator]
    )
    portugal, _ = Country.objects.get_or_create(iso_code="PT", defaults={"name": "Portugal"})
    lisbon = factories.CityFactory(name="Lisbon", country=portugal)
    ana = factories.city_officer(city=lisbon, email="ana@lisboa.pt", full_name="Ana Silva")
    rui = factories.city_officer(city=lisbon, email="rui@lisboa.pt", full_name="Rui Costa")
    mission_city = factories.CityFactory(
        name="Guimarães", country=portugal, is_mission_city=True, is_mission_minded=False
    )
    action = climate_action_create(
        acting_user=lead, city=mission_city, title="Renewable energy communities", sector=energy
    )
    present(cohort=cohort, city=mission_city, actions=[action], by=lead)
    services = [
        NetZeroCitiesService.objects.create(name="Climate Transition Map", position=1),
        NetZeroCitiesService.objects.create(name="Capital Hub / financing advisory", position=2),
    ]
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(cohort.thematic_groups.get(), "")]
    )
    return Programme(
        cohort=cohort,
        lead=lead,
        group_facilitator=group_facilitator,
        lisbon=lisbon,
        ana=ana,
        rui=rui,
        mission_city=mission_city,
        action=action,
        services=services,
        roadmap=Roadmap.objects.get(cohort=cohort, city=lisbon),
    )


def valid_value(field, programme: Programme) -> str:
    """A value every check accepts for the field."""
    if field.key == "representative.email":
        return "ana@lisboa.pt"
    if field.key == "phase2_1.climate_action":
        return str(programme.action.pk)
    if field.key == "phase2_1.desirability":
        return "high"
    if field.kind == SCORE:
        return "4"
    if field.kind == SERVICES:
        return str(programme.services[0].pk)
    return f"Text of {field.key}"


def fill(programme: Programme, *, user=None, skip=()) -> None:
    """Save every field of the roadmap except those in `skip`, through the service."""
    for field in FIELDS:
        if field.key in skip:
            continue
        roadmap_field_save(
            roadmap=programme.roadmap,
            key=field.key,
            value=valid_value(field, programme),
            base_version=0,
            acting_user=user or programme.ana,
        )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored PDFs and ZIPs go to a folder of the test's own (roadmaps.pdf_files)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
