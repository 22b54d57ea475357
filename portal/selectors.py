"""Reads that span apps: what each role's home page holds."""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.enums import Role
from cities.models import City
from cities.selectors import cities_of_officer
from cohorts.models import Cohort, ThematicGroup
from cohorts.selectors import cohorts_facilitated_by
from sessions.models import Session


@dataclass
class HomeSection:
    """One role's part of the home page; only the fields of that role are filled in."""

    role: str
    cities: list = field(default_factory=list)
    cohorts: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _count_per_cohort(queryset: QuerySet) -> Coalesce:
    """A correlated subquery counting `queryset`'s rows of the outer cohort (0 when none)."""
    counted = (
        queryset.filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def home_cohorts_of_facilitator(*, user) -> QuerySet[Cohort]:
    """The cohorts a facilitator works on, each with its number of thematic groups and sessions.

    The counts are subqueries rather than `Count()` over joins: the visibility filter already
    joins thematic groups (a group facilitator's own groups), and counting over that join would
    count only their groups instead of all of the cohort's.
    """
    return (
        Cohort.objects.filter(pk__in=cohorts_facilitated_by(user=user).values("pk"))
        .annotate(
            group_count=_count_per_cohort(ThematicGroup.objects.all()),
            session_count=_count_per_cohort(Session.objects.all()),
        )
        .order_by("-starts_on", "name")
    )


def home_programme_counts() -> dict[str, int]:
    """The programme admin's headline numbers, in one query per table."""
    cities = City.objects.aggregate(
        cities=Count("pk"), mission_cities=Count("pk", filter=Q(is_mission_city=True))
    )
    return {
        "cities": cities["cities"],
        "mission_cities": cities["mission_cities"],
        "cohorts": Cohort.objects.count(),
        "sessions": Session.objects.count(),
    }


def home_sections_for(*, user) -> list[HomeSection]:
    """One section per role the person holds, in the order of `Role`.

    Each section costs a fixed number of queries, whatever the number of cities or cohorts.
    """
    sections = []
    for role in user.roles:
        section = HomeSection(role=role)
        if role == Role.CITY_OFFICER:
            section.cities = list(cities_of_officer(user=user))
        elif role == Role.FACILITATOR:
            section.cohorts = list(home_cohorts_of_facilitator(user=user))
        elif role == Role.PROGRAMME_ADMIN:
            section.counts = home_programme_counts()
        sections.append(section)
    return sections
