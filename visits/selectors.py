"""Reads of Group Study Visits: every list a person sees comes from a `*_visible_to` selector
here (issue 12; who sees what is visits/rules.py's docstring).

Eligibility, the one question several parts ask ("may this city apply to this call?"), is
`eligible_cities(call)`: cities enrolled (accepted) in one of the call's cohorts and, when the
call lists city types, holding one of them.
"""

import functools

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from cities.filters import CITY_TYPE_FIELDS
from cities.models import City, CityMembership
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment
from visits.enums import CallStatus
from visits.models import Application, Call, Review


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
    return Call.objects.filter(pk__in=RawSQL(_visible_calls_sql(), [user.pk] * 4)).exclude(
        status=CallStatus.DRAFT
    )


@functools.cache
def _visible_calls_sql() -> str:
    """The ids of the calls that ask the person (one parameter per path, their user id)
    something: one SELECT per path of calls_visible_to, each started from the person's own
    few rows (memberships, reviews, facilitations) by index, as a UNION.

    Decision: written as SQL, once. One filter joining the four paths made PostgreSQL join
    every eligible cohort's enrolments, memberships, applications and reviews per call: on the
    scale call (200 cohorts, 20,000 applications, 60,000 reviews) the list of calls took more
    than 40 seconds. Four EXISTS built with the ORM were fast to run but slow to build: every
    visits page asks this, and compiling them cost more than running them."""
    table = {
        "call_cohorts": Call.eligible_cohorts.through._meta.db_table,
        "enrolment": Enrolment._meta.db_table,
        "membership": CityMembership._meta.db_table,
        "application": Application._meta.db_table,
        "review": Review._meta.db_table,
        "facilitators": Cohort.facilitators.through._meta.db_table,
    }
    quoted = {name: connection.ops.quote_name(value) for name, value in table.items()}
    return (
        "SELECT cc.call_id FROM {call_cohorts} cc"
        " JOIN {enrolment} e ON e.cohort_id = cc.cohort_id"
        " JOIN {membership} m ON m.city_id = e.city_id"
        " WHERE m.user_id = %s AND e.status = '{accepted}'"
        " UNION SELECT a.call_id FROM {application} a"
        " JOIN {membership} m ON m.city_id = a.city_id WHERE m.user_id = %s"
        " UNION SELECT a.call_id FROM {review} r"
        " JOIN {application} a ON a.id = r.application_id WHERE r.reviewer_id = %s"
        " UNION SELECT cc.call_id FROM {call_cohorts} cc"
        " JOIN {facilitators} f ON f.cohort_id = cc.cohort_id WHERE f.user_id = %s"
    ).format(accepted=EnrolmentStatus.ACCEPTED.value, **quoted)


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
    return Application.objects.filter(pk__in=RawSQL(_visible_applications_sql(), [user.pk] * 4))


@functools.cache
def _visible_applications_sql() -> str:
    """The ids of the applications a person (one parameter per use, their user id) sees who
    is no admin: their cities' applications, then those assigned to them less those they are
    in conflict with (conflicts_of, the same two tests: an officer of the application's city;
    the call excluding the same country and one of their cities in the city's country), as a
    UNION ALL, each path started from the person's own few rows (memberships, reviews) by
    index.

    Decision: written as SQL, once, as `_visible_calls_sql`. Written as `pk IN own OR pk IN
    reviewed`, PostgreSQL tested both against every application (a scan of the scale call's
    20,000 for a reviewer's 100); the UNION built with the ORM (two querysets, the conflicts'
    two Exists) was fast to run but slow to build and compile, twice a list (its count and its
    page): a third of the API's list of applications read afresh (issue 12's profile)."""
    quoted = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (
            ("application", Application),
            ("membership", CityMembership),
            ("review", Review),
            ("call", Call),
            ("city", City),
        )
    }
    return (
        "SELECT a.id FROM {application} a WHERE a.city_id IN"
        " (SELECT m.city_id FROM {membership} m WHERE m.user_id = %s)"
        " UNION ALL SELECT a.id FROM {review} r"
        " JOIN {application} a ON a.id = r.application_id"
        " JOIN {call} c ON c.id = a.call_id"
        " WHERE r.reviewer_id = %s"
        " AND NOT EXISTS (SELECT 1 FROM {membership} m"
        " WHERE m.user_id = %s AND m.city_id = a.city_id)"
        " AND NOT (c.exclude_same_country AND EXISTS (SELECT 1 FROM {membership} m"
        " JOIN {city} own ON own.id = m.city_id JOIN {city} ac ON ac.id = a.city_id"
        " WHERE m.user_id = %s AND own.country_id = ac.country_id))"
    ).format(**quoted)


def officer_of_application_city(user) -> Exists:
    """Whether `user` is an officer of the application's city, as a condition on Application:
    the "their cities' applications" path of `applications_visible_to`, asked of one row."""
    return Exists(CityMembership.objects.filter(city=OuterRef("city_id"), user=user.pk))


def application_visible_to(*, user, pk: int, applications: QuerySet[Application]):
    """The application `pk` if `user` may see it (`applications_visible_to`), else None, read
    from `applications` (the caller's select_related and annotations) with whether the person
    is an officer of its city (`rules.with_officer_answer`, which the rules then answer from).

    An admin sees every application and an officer their cities' ones: for them this one
    query says it. Only for anyone else (a reviewer; a person it is a 404 for) is the whole
    selector asked, in a second query. Decision: the page of a city's own application is read
    most by its officers, and building the selector's reviewers' path (assignments less
    conflicts) took longer than running the whole query (issue 12, the application page)."""
    from accounts.rules import is_programme_admin
    from visits.rules import OFFICER_ANSWER, with_officer_answer

    if not user.is_authenticated:
        return None
    found = with_officer_answer(applications, user).filter(pk=pk).first()
    if found is None:
        return None
    if is_programme_admin(user) or getattr(found, OFFICER_ANSWER):
        return found
    return found if applications_visible_to(user=user).filter(pk=pk).exists() else None
