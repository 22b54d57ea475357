"""Schemathesis against the API's own OpenAPI schema, as a programme admin and as a city officer.

Every operation gets a bounded number of generated requests (valid and invalid ones) against a
small world built through the services: a cohort with its phases and a thematic group, an
enrolled city with its roadmap (a saved field, a comment), a Mission City with a climate action
presented in an upcoming session, a registration and a pending enrolment request. Half the
requests aim at those real objects instead of a made-up id, so the fuzzer reaches past 404.

The checks: no server error, and every answer as the schema says (a documented status code, the
documented content type and headers, a body that matches the documented shape).
"""

import datetime
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.services import GroupSpec
from roadmaps.models import Roadmap
from roadmaps.services import roadmap_comment_add, roadmap_field_save
from sessions import services as session_services
from sessions.enums import SessionKind
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# A few seconds per operation and role: the whole run stays well within two minutes.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 15, "database": "none"},
        # The schema has no examples; `@schema.given` below cannot run with that phase.
        "phases": {"examples": {"enabled": False}},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)


@dataclass
class World:
    ids: dict[str, int]  # the first path segment after /api/v1/ -> a real id

    def id_for(self, path: str) -> int | None:
        return self.ids.get(path.removeprefix("/api/v1/").split("/")[0])


def build_world() -> tuple[World, dict]:
    today = timezone.localdate()
    starts = today - datetime.timedelta(days=300)
    day = datetime.timedelta(days=1)
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    cohort = cohort_services.cohort_create(
        programme="odg",
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=starts,
        ends_on=today + 300 * day,
        created_by=lead,
        # Every phase has begun: every section of the roadmap is open.
        phases={
            "onboarding": (starts, starts + 60 * day),
            "thematic": (starts + 61 * day, starts + 120 * day),
            "technical": (starts + 121 * day, starts + 180 * day),
            "study_visit": (starts + 181 * day, today + 300 * day),
        },
        groups=[GroupSpec(sector=energy, facilitators=[lead])],
    )
    group = cohort.thematic_groups.get()
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva")
    porto = factories.CityFactory(name="Porto", country=lisbon.country)
    factories.CityMembershipFactory(city=porto, user=officer)
    mission_city = factories.CityFactory(
        name="Guimarães", country=lisbon.country, is_mission_city=True, is_mission_minded=False
    )
    action = climate_action_create(
        city=mission_city, title="Renewable energy communities", sector=energy
    )
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=lisbon, enrolled_by=lead, groups=[(group, "")]
    )
    pending = cohort_services.enrolment_request(
        cohort=cohort, city=porto, requested_by=officer, groups=[(group, "Heat networks")]
    )
    starts_at = timezone.now() + datetime.timedelta(days=7)
    session = session_services.session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title="Energy: district heating",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        presentations=[(mission_city, [action.pk])],
        created_by=lead,
    )
    registration = session_services.registration_create(
        session=session,
        city=lisbon,
        full_name="Rui Costa",
        email="rui@lisboa.pt",
        registered_by=officer,
    )
    roadmap = Roadmap.objects.get(cohort=cohort, city=lisbon)
    roadmap_field_save(
        roadmap=roadmap, key="phase1.cause_1", value="Old buildings", base_version=0, user=officer
    )
    roadmap_comment_add(roadmap=roadmap, section="phase1", body="Say more.", author=lead)
    world = World(
        ids={
            "cities": lisbon.pk,
            "countries": lisbon.country_id,
            "climate-actions": action.pk,
            "cohorts": cohort.pk,
            "enrolments": pending.pk,
            "registrations": registration.pk,
            "roadmaps": roadmap.pk,
            "sessions": session.pk,
        }
    )
    people = {"admin": factories.UserFactory(is_programme_admin=True), "officer": officer}
    return world, people


def token_of(user) -> str:
    response = Client().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture(params=["admin", "officer"])
def caller(request, db):
    world, people = build_world()
    return world, {"Authorization": f"Token {token_of(people[request.param])}"}


# Loaded when the module is collected (the schema view reads no data). schemathesis's lazy
# `from_fixture` loader does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)


@schema.parametrize()
@schema.given(aim_at_real_object=st.booleans())
def test_api_answers_as_its_schema_says(case, caller, aim_at_real_object):
    world, headers = caller
    if aim_at_real_object and "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = world.id_for(case.operation.path)
    case.call_and_validate(headers=headers, checks=CHECKS)
