"""Reads of Group Study Visits: every list a person sees comes from a `*_visible_to` selector
here (issue 12; who sees what is visits/rules.py's docstring).

Eligibility, the one question several parts ask ("may this city apply to this call?"), is
`eligible_cities(call)`: cities enrolled (accepted) in one of the call's cohorts and, when the
call lists city types, holding one of them.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from cities.filters import CITY_TYPE_FIELDS
from cities.models import City, CityMembership
from cohorts.enums import EnrolmentStatus
from visits.enums import CallStatus
from visits.models import Application, Call


def _type_condition(call: Call, prefix: str = "") -> Q:
    """The call's city types as a condition on City (through `prefix`); none: any type."""
    condition = Q()
    for city_type in call.eligible_city_types:
        field = CITY_TYPE_FIELDS.get(city_type)
        if field:
            condition |= Q(**{f"{prefix}{field}": True})
    return condition


def eligible_cities(call: Call) -> QuerySet[City]:
    """The cities that may apply to `call` (module docstring)."""
    return (
        City.objects.filter(
            _type_condition(call),
            enrolments__cohort__in=call.eligible_cohorts.all(),
            enrolments__status=EnrolmentStatus.ACCEPTED,
        )
        .distinct()
        .order_by("name", "pk")
    )


def city_is_eligible(*, call: Call, city: City) -> bool:
    return eligible_cities(call).filter(pk=city.pk).exists()


def calls_visible_to(*, user) -> QuerySet[Call]:
    """Admins: every call. Others: the calls that are not drafts and that ask them something:
    an officer, the calls one of their cities is eligible for or applied to; a reviewer, the
    calls with an application assigned to them; a facilitator, the calls open to a cohort they
    facilitate."""
    from accounts.rules import is_programme_admin

    if not user.is_authenticated:
        return Call.objects.none()
    if is_programme_admin(user):
        return Call.objects.all()
    # One subquery per reason, each a short chain of joins from the person's few rows.
    # Decision: not one filter OR-ing the four relations: that joins every call's cohorts'
    # enrolments with its applications and their reviews before filtering (a call of 20,000
    # applications open to 200 cohorts took minutes on PostgreSQL).
    through = Call.eligible_cohorts.through.objects
    eligible = through.filter(
        cohort__enrolments__city__memberships__user=user,
        cohort__enrolments__status=EnrolmentStatus.ACCEPTED,
    ).values("call_id")
    applied = Application.objects.filter(city__memberships__user=user).values("call_id")
    reviewing = Application.objects.filter(reviews__reviewer=user).values("call_id")
    facilitated = through.filter(cohort__facilitators=user).values("call_id")
    return Call.objects.filter(
        Q(pk__in=eligible) | Q(pk__in=applied) | Q(pk__in=reviewing) | Q(pk__in=facilitated)
    ).exclude(status=CallStatus.DRAFT)


def conflicts_of(*, user, prefix: str = "") -> Q:
    """The applications (a condition on Application, or through `prefix` on a row that leads
    to one, such as "application__" on Review) the reviewer `user` is in conflict with: of a
    city they are an officer of and, where the call says so, of a city in the country of one
    of their cities. Assignment never makes such a review; a membership that came later hides
    the application all the same. Each test is correlated to the row (the person's few
    memberships, by index), never a scan of every application."""
    memberships = CityMembership.objects.filter(user=user)
    same_city = Exists(memberships.filter(city=OuterRef(f"{prefix}city")))
    same_country = Exists(memberships.filter(city__country=OuterRef(f"{prefix}city__country")))
    return Q(same_city) | Q(**{f"{prefix}call__exclude_same_country": True}) & Q(same_country)


def reviewer_conflicts(*, user, application: Application) -> bool:
    """Whether `user` is in conflict with `application` (conflicts_of)."""
    memberships = CityMembership.objects.filter(user=user)
    if application.call.exclude_same_country:
        return memberships.filter(city__country__cities=application.city_id).exists()
    return memberships.filter(city=application.city_id).exists()


def applications_visible_to(*, user) -> QuerySet[Application]:
    """Admins: every application. An officer: their cities' applications. A reviewer: the
    applications assigned to them, never one they are in conflict with (conflicts_of)."""
    from accounts.rules import is_programme_admin

    if not user.is_authenticated:
        return Application.objects.none()
    if is_programme_admin(user):
        return Application.objects.all()
    own = Application.objects.filter(city__memberships__user=user).values("pk")
    reviewed = (
        Application.objects.filter(reviews__reviewer=user)
        .exclude(conflicts_of(user=user))
        .values("pk")
    )
    return Application.objects.filter(Q(pk__in=own) | Q(pk__in=reviewed))
