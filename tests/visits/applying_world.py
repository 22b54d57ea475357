"""An open call of a cohort in which Lisbon is enrolled, three visits, and Lisbon's officer Ana
whose roadmap names a spotlight challenge: what the applying tests start from."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from roadmaps.models import Roadmap, RoadmapValue
from tests import factories
from visits.enums import CallStatus


@dataclass
class ApplyingWorld:
    officer: object
    city: object
    cohort: object
    call: object
    visits: list
    roadmap: object
    other_officer: object
    other_city: object


SPOTLIGHT = "Heat waves in the old town's narrow streets."


def applying_world(*, questions=None) -> ApplyingWorld:
    cohort = factories.CohortFactory()
    city = factories.CityFactory(name="Lisbon")
    factories.enrolment_accepted(cohort=cohort, city=city)
    officer = factories.city_officer(city=city, email="ana@lisboa.example", full_name="Ana Silva")
    roadmap = Roadmap.objects.get(city=city, cohort=cohort)
    RoadmapValue.objects.create(roadmap=roadmap, key="phase1.challenge", value=SPOTLIGHT, version=1)
    other_city = factories.CityFactory(name="Porto")
    factories.enrolment_accepted(cohort=cohort, city=other_city)
    other_officer = factories.city_officer(city=other_city, email="rui@porto.example")
    now = timezone.now()
    call = factories.CallFactory(
        status=CallStatus.OPEN,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
        questions=questions or [],
    )
    call.eligible_cohorts.add(cohort)
    sector = factories.ThematicSectorFactory()
    visits = [
        factories.VisitFactory(
            call=call,
            host_city=factories.CityFactory(name=name, is_mission_city=True),
            title=f"Visit to {name}",
            sector=sector,
            delegates_per_city=per_city,
        )
        for name, per_city in (("Mannheim", 2), ("Guimarães", 3), ("Bucharest", 3))
    ]
    return ApplyingWorld(
        officer=officer,
        city=city,
        cohort=cohort,
        call=call,
        visits=visits,
        roadmap=roadmap,
        other_officer=other_officer,
        other_city=other_city,
    )
