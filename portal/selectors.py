"""Reads that span apps: what each role's home page holds."""

from dataclasses import dataclass, field

from django.db.models import Count

from accounts.enums import Role
from cities.models import City
from cities.selectors import cities_of_officer
from cohorts.models import Cohort
from cohorts.selectors import cohorts_facilitated_by
from sessions.models import Session


@dataclass
class HomeSection:
    role: str
    cities: list = field(default_factory=list)
    cohorts: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def home_sections_for(*, user) -> list[HomeSection]:
    sections = []
    for role in user.roles:
        section = HomeSection(role=role)
        if role == Role.CITY_OFFICER:
            section.cities = list(cities_of_officer(user=user))
        elif role == Role.FACILITATOR:
            section.cohorts = list(
                cohorts_facilitated_by(user=user).annotate(
                    session_count=Count("sessions", distinct=True),
                    group_count=Count("thematic_groups", distinct=True),
                )
            )
        elif role == Role.PROGRAMME_ADMIN:
            section.counts = {
                "cities": City.objects.count(),
                "mission_cities": City.objects.filter(is_mission_city=True).count(),
                "cohorts": Cohort.objects.count(),
                "sessions": Session.objects.count(),
            }
        sections.append(section)
    return sections
