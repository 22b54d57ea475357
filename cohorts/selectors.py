"""Reads of cohorts and enrolments. Every list a person sees comes from a `*_visible_to`
selector; the pages and the API use the same ones."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.rules import is_programme_admin
from cities.models import City, CityMembership
from cohorts import signals
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup


def cohorts_facilitated_by(*, user) -> QuerySet[Cohort]:
    """Cohorts this person leads or where they facilitate a thematic group."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(
        pk__in=RawSQL(_facilitated_cohort_ids_sql(), (user.pk, user.pk))
    ).order_by("-starts_on")


def _facilitated_cohort_ids_sql() -> str:
    """The ids of the cohorts a person (the two parameters: their id) leads or facilitates a
    group of, as one SQL subquery.

    Decision: written as SQL. It is the first question of every facilitator page. An OR over
    the joins reads every cohort with its groups (and needs DISTINCT); the same two lookups
    as ORM subqueries read only the person's rows by their user index, but building them
    costs the ORM more than twice what the query costs the database. Names come from the
    models, so a renamed table or column follows.
    """
    quote = connection.ops.quote_name
    leads = Cohort.facilitators.through._meta
    groups = ThematicGroup._meta
    group_facilitators = ThematicGroup.facilitators.through._meta

    def column(meta, field):
        return quote(meta.get_field(field).column)

    return (
        f"SELECT {column(leads, 'cohort')} FROM {quote(leads.db_table)} "
        f"WHERE {column(leads, 'user')} = %s "
        f"UNION SELECT g.{column(groups, 'cohort')} FROM {quote(groups.db_table)} g "
        f"INNER JOIN {quote(group_facilitators.db_table)} f "
        f"ON f.{column(group_facilitators, 'thematicgroup')} = g.{quote(groups.pk.column)} "
        f"WHERE f.{column(group_facilitators, 'user')} = %s"
    )


def cohorts_visible_to(*, user, today=None) -> QuerySet[Cohort]:
    """Admins see every cohort. Facilitators see the cohorts they facilitate. City officers see
    the cohorts they may still ask to join (not ended yet) and those their cities are in.

    The officer part is a condition on the membership table rather than a Python check, so
    the queryset costs one query whatever roles the person holds.
    """
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_programme_admin(user):
        return Cohort.objects.all()
    today = today or timezone.localdate()
    is_officer = Exists(CityMembership.objects.filter(user=user))
    return Cohort.objects.filter(
        Q(pk__in=cohorts_facilitated_by(user=user).values("pk"))
        | (Q(ends_on__gte=today) & is_officer)
        | Q(pk__in=Enrolment.objects.filter(city__memberships__user=user).values("cohort"))
    ).order_by("-starts_on", "programme", "number")


def phases_visible_to(*, user) -> QuerySet[Phase]:
    """The phases of the cohorts `user` may see (cohorts_visible_to), in the cohort's order."""
    return Phase.objects.filter(
        cohort__in=cohorts_visible_to(user=user).order_by().values("pk")
    ).order_by("cohort__starts_on", "cohort", "position", "starts_on", "pk")


def thematic_groups_visible_to(*, user) -> QuerySet[ThematicGroup]:
    """The thematic groups of the cohorts `user` may see (cohorts_visible_to), with their
    sector and facilitators, in the cohort page's order."""
    return (
        ThematicGroup.objects.filter(
            cohort__in=cohorts_visible_to(user=user).order_by().values("pk")
        )
        .select_related("sector")
        .prefetch_related("facilitators")
        .order_by("cohort__starts_on", "cohort", "sector__position", "pk")
    )


def cohorts_run_by(*, user) -> QuerySet[Cohort]:
    """The cohorts whose facilitator pages (cities, enrolments) this person may open: the ones
    they facilitate, or all of them for an admin."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_programme_admin(user):
        return Cohort.objects.all()
    # In the model's order (`cohorts_facilitated_by` sorts by start only).
    return cohorts_facilitated_by(user=user).order_by(*Cohort._meta.ordering)


def _joined_cohort_ids_sql() -> str:
    """The ids of the cohorts in which one of a person's cities (the parameter: their id) is
    enrolled (accepted), as one SQL subquery.

    The status is compared through LOWER() (the statuses are lower-case words, so it matches
    exactly the same rows) for the reason sessions.selectors._enrolled_cohort_ids gives:
    SQLite otherwise reads every accepted enrolment through the status index to find this
    person's few; a comparison that index cannot serve leaves it the city index.
    """
    quote = connection.ops.quote_name
    enrolments = Enrolment._meta
    memberships = CityMembership._meta

    def column(meta, field):
        return quote(meta.get_field(field).column)

    return (
        f"SELECT {column(enrolments, 'cohort')} FROM {quote(enrolments.db_table)} "
        f"WHERE LOWER({column(enrolments, 'status')}) = '{EnrolmentStatus.ACCEPTED}' "
        f"AND {column(enrolments, 'city')} IN (SELECT {column(memberships, 'city')} "
        f"FROM {quote(memberships.db_table)} WHERE {column(memberships, 'user')} = %s)"
    )


def cohort_pages_visible_to(*, user) -> QuerySet[Cohort]:
    """The cohorts whose page this person may open (`cohorts.view_cohort_programme`), each
    with `runs`: whether they run it (`cohorts.view_cohort`: an admin, or a facilitator of
    it), which decides between the facilitator's page and the participant's page.

    Decision: a city takes part once its enrolment is accepted. The officers of an accepted
    city see the cohort's page; a request still waiting (or declined) opens nothing: until a
    facilitator accepts it, the city sees none of the cohort's sessions or roadmap
    (sessions.selectors, roadmaps.selectors ask the same status), so a programme page would
    only link to pages that answer 404. The cohort list shows such a city its request and the
    cohort's dates.

    Decision: written as SQL, as `_facilitated_cohort_ids_sql` is, and for its reason: it is
    the first question of every cohort page, and the same lookups as ORM subqueries cost more
    to build than the query costs the database.
    """
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_programme_admin(user):
        return Cohort.objects.annotate(runs=Value(True, output_field=BooleanField()))
    facilitated = _facilitated_cohort_ids_sql()
    quote = connection.ops.quote_name
    pk = f"{quote(Cohort._meta.db_table)}.{quote(Cohort._meta.pk.column)}"
    return Cohort.objects.annotate(
        runs=RawSQL(f"{pk} IN ({facilitated})", (user.pk, user.pk), BooleanField())
    ).filter(
        pk__in=RawSQL(
            f"{facilitated} UNION {_joined_cohort_ids_sql()}", (user.pk, user.pk, user.pk)
        )
    )


def own_enrolments_in_cohort(*, user, cohort: Cohort) -> QuerySet[Enrolment]:
    """The enrolments in `cohort` of this person's own cities, in any status, with the groups
    each joined: what the participant's cohort page shows of "your city"."""
    return (
        Enrolment.objects.filter(
            cohort=cohort, city__in=CityMembership.objects.filter(user=user).values("city_id")
        )
        .select_related("city__country")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=EnrolmentGroup.objects.select_related("thematic_group__sector").order_by(
                    "thematic_group__sector__position"
                ),
            )
        )
        .order_by("city__name")
    )


def cohort_page_prefetch() -> tuple:
    """What a cohort's page and its edit form show of it: its phases, lead facilitators and
    thematic groups (with theirs), as lookups for `prefetch_related(_objects)` (the pages
    read them only when their cached fragment is rendered afresh)."""
    return (
        "phases",
        "facilitators",
        Prefetch(
            "thematic_groups",
            queryset=ThematicGroup.objects.select_related("sector").prefetch_related(
                "facilitators"
            ),
        ),
    )


def enrolments_run_by(*, user) -> QuerySet[Enrolment]:
    """The enrolments of the cohorts this person runs (`cohorts_run_by`): the ones whose
    decision buttons they may reach, with their city and cohort."""
    return Enrolment.objects.filter(cohort__in=cohorts_run_by(user=user)).select_related(
        "city", "cohort"
    )


def count_per_cohort(queryset: QuerySet) -> Coalesce:
    """A correlated subquery counting `queryset`'s rows of the outer cohort (0 when none).

    Annotate cohorts with it (`count_per_cohort(Session.objects.all())`); `queryset` needs a
    `cohort` foreign key. The home pages use it too.
    """
    counted = (
        queryset.filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass
class CityEnrolmentStatus:
    """One of an officer's cities and its enrolment in a cohort (None: it has not asked)."""

    city: City
    enrolment: Enrolment | None


def cohort_list_for(*, user, today=None) -> tuple[list[Cohort], list[City]]:
    """The cohorts of the /cohorts/ page and the person's cities, in a fixed number of queries.

    Each cohort carries `enrolled_count` and `requested_count`, and `city_statuses`: one
    CityEnrolmentStatus per city the person is an officer of (empty for everyone else).
    """
    cities = list(
        City.objects.filter(memberships__user=user).select_related("country").order_by("name")
    )
    cohorts = cohorts_visible_to(user=user, today=today).annotate(
        enrolled_count=count_per_cohort(Enrolment.objects.filter(status=EnrolmentStatus.ACCEPTED)),
        requested_count=count_per_cohort(
            Enrolment.objects.filter(status=EnrolmentStatus.REQUESTED)
        ),
    )
    if cities:
        cohorts = cohorts.prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(city__in=cities),
                to_attr="officer_enrolments",
            )
        )
    cohorts = list(cohorts)
    for cohort in cohorts:
        by_city = {e.city_id: e for e in getattr(cohort, "officer_enrolments", [])}
        cohort.city_statuses = [CityEnrolmentStatus(city, by_city.get(city.pk)) for city in cities]
    return cohorts, cities


def enrolled_cities_of_cohort(*, cohort: Cohort) -> QuerySet[Enrolment]:
    """The cohort's accepted enrolments with the groups each city joined, and what the apps
    above add to each row in the same query (`signals.enrolled_city_annotations`: the session
    counts of sessions.receivers)."""
    annotations = {}
    for _receiver, response in signals.enrolled_city_annotations.send(
        sender=Enrolment, cohort=cohort
    ):
        annotations.update(response)
    return (
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED)
        .select_related("city__country")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=EnrolmentGroup.objects.select_related("thematic_group__sector").order_by(
                    "thematic_group__sector__position"
                ),
            )
        )
        .annotate(**annotations)
        .order_by("city__name")
    )


def enrolments_of_cohort(*, cohort: Cohort) -> QuerySet[Enrolment]:
    """Every enrolment of the cohort, requests first, for its facilitators to decide."""
    return (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("city__country", "requested_by", "decided_by")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=EnrolmentGroup.objects.select_related("thematic_group__sector").order_by(
                    "thematic_group__sector__position"
                ),
            )
        )
        .order_by(
            Case(
                When(status=EnrolmentStatus.REQUESTED, then=Value(0)),
                When(status=EnrolmentStatus.ACCEPTED, then=Value(1)),
                default=Value(2),
            ),
            "city__name",
        )
    )


def enrolments_visible_to(*, user) -> QuerySet[Enrolment]:
    """Admins see every enrolment; facilitators those of their cohorts; officers their cities'."""
    if not user.is_authenticated:
        return Enrolment.objects.none()
    enrolments = Enrolment.objects.select_related(
        "cohort", "city__country", "requested_by", "decided_by"
    ).prefetch_related(
        Prefetch("groups", queryset=EnrolmentGroup.objects.select_related("thematic_group__sector"))
    )
    if is_programme_admin(user):
        return enrolments.order_by("cohort", "city__name")
    return enrolments.filter(
        Q(cohort__in=cohorts_facilitated_by(user=user).values("pk"))
        | Q(city__in=CityMembership.objects.filter(user=user).values("city"))
    ).order_by("cohort", "city__name")


def enrolments_of_officer_cities(*, user) -> QuerySet[Enrolment]:
    """The enrolments of this person's cities that are accepted or still asked for (declined
    ones are left out), with the groups joined, newest cohort first."""
    if not user.is_authenticated:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(
            city__in=CityMembership.objects.filter(user=user).values("city"),
            status__in=[EnrolmentStatus.ACCEPTED, EnrolmentStatus.REQUESTED],
        )
        .select_related("cohort", "city")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=EnrolmentGroup.objects.select_related("thematic_group__sector").order_by(
                    "thematic_group__sector__position"
                ),
            )
        )
        .order_by("-cohort__starts_on", "cohort__name", "city__name")
    )


def enrolment_request_recipients(*, enrolment: Enrolment) -> QuerySet:
    """The people told of a city's request: the cohort's lead facilitators and the facilitators
    of the thematic groups the city picked, each once, active accounts only.

    Facilitators of the cohort's other groups may decide it too but are not emailed: the city
    will not be in their groups, and the leads hear of every request.
    """
    groups = ThematicGroup.objects.filter(enrolment_groups__enrolment=enrolment)
    return (
        get_user_model()
        .objects.filter(
            Q(facilitated_cohorts=enrolment.cohort_id) | Q(facilitated_groups__in=groups),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def cohort_enrolments_of_city(*, city: City) -> QuerySet[Enrolment]:
    """The cohorts a city took part in: its accepted enrolments, newest cohort first."""
    return (
        Enrolment.objects.filter(city=city, status=EnrolmentStatus.ACCEPTED)
        .select_related("cohort")
        .order_by("-cohort__starts_on", "cohort__name")
    )
