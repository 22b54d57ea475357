"""A call with two visits and ranked applications, for the allocation's tests (scoring is
another part: ranks and totals are set directly)."""

import datetime
from dataclasses import dataclass, field

from tests import factories
from visits.enums import ApplicationStatus, CallStatus
from visits.models import Application, Call, Visit


@dataclass
class AllocWorld:
    call: Call
    visits: dict[str, Visit]
    tag: str = ""
    applications: dict[str, Application] = field(default_factory=dict)
    officers: dict[str, object] = field(default_factory=dict)


def build(*, capacities=(("mannheim", 2), ("guimaraes", 1)), tag: str = "") -> AllocWorld:
    """A call with a visit per host of `capacities`; `tag` tells the hosts of a second call
    apart."""
    call = factories.CallFactory(status=CallStatus.OPEN, title="Group Study Visits 2025")
    visits = {}
    for day, (host, capacity) in enumerate(capacities):
        visits[host] = factories.VisitFactory(
            call=call,
            host_city=factories.CityFactory(
                name=host.title() + tag,
                is_mission_city=True,
                country=factories.CountryFactory(iso_code="DE"),
            ),
            capacity_cities=capacity,
            starts_on=datetime.date(2025, 5, 12 + 7 * day),
            ends_on=datetime.date(2025, 5, 13 + 7 * day),
        )
    return AllocWorld(call=call, visits=visits, tag=tag)


def apply(
    world: AllocWorld,
    name: str,
    rank: int | None,
    preferences: list[str],
    *,
    status=ApplicationStatus.SUBMITTED,
    language="en",
) -> Application:
    city = factories.CityFactory(name=name.title() + world.tag)
    officer = factories.city_officer(city=city, full_name=f"{name.title()} Officer")
    officer.language = language
    officer.save(update_fields=["language"])
    application = factories.ApplicationFactory(
        call=world.call,
        city=city,
        status=status,
        rank=rank,
        total=None if rank is None else 100 - rank,
    )
    for position, host in enumerate(preferences, start=1):
        factories.PreferenceFactory(
            application=application, visit=world.visits[host], rank=position
        )
    world.applications[name] = application
    world.officers[name] = officer
    return application


def placements(world: AllocWorld) -> dict[str, tuple]:
    """Each application's (decision, host of its visit, waitlist position), by name."""
    hosts = {visit.pk: host for host, visit in world.visits.items()}
    names = {application.pk: name for name, application in world.applications.items()}
    return {
        names[pk]: (decision, hosts.get(visit_id), position)
        for pk, decision, visit_id, position in Application.objects.filter(
            call=world.call
        ).values_list("pk", "decision", "allocated_visit_id", "waitlist_position")
    }
