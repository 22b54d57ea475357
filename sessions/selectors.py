"""Reads of sessions, registrations and attendance. Every list a person sees comes from here."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.rules import is_programme_admin
from cities.models import City, CityMembership, ClimateAction
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, ThematicGroup
from portal.fragments import TIMEOUT_SECONDS, versions
from sessions.caching import VISIBILITY, visibility_change
from sessions.calendar_links import registration_calendar_signature_is_valid
from sessions.enums import Attendance, SessionKind, SessionStatus
from sessions.models import CalendarFeed, Registration, Session, SessionPresentation


def _facilitated_session_ids(user):
    return Session.facilitators.through.objects.filter(user=user).values("session_id")


def _in_facilitated_cohort(user) -> Q:
    """Sessions of the cohorts this person facilitates: the same cohorts as
    `cohorts.selectors.cohorts_facilitated_by` (they lead it, or facilitate one of its thematic
    groups), asked as two subqueries on the link tables. That selector's one query, with its
    joins and DISTINCT, read every cohort for each list or page of sessions."""
    return Q(
        cohort__in=Cohort.facilitators.through.objects.filter(user=user).values("cohort_id")
    ) | Q(
        cohort__in=ThematicGroup.facilitators.through.objects.filter(user=user).values(
            "thematicgroup__cohort_id"
        )
    )


def _city_ids_of_officer(user):
    # From the membership table, so that the database starts from this person's few rows.
    return CityMembership.objects.filter(user=user).values("city_id")


def _enrolled_cohort_ids(user):
    """The cohorts in which one of this person's cities is enrolled (accepted).

    Decision: the status is compared with `iexact` (the statuses are lower-case words, so it
    matches exactly the same rows) because SQLite, which keeps no statistics here, otherwise
    reads the enrolments through the status index: every accepted enrolment (about 11,000 at
    EU scale) to find this person's few, 3 ms on every page that lists or shows a session. A
    comparison that index cannot serve leaves it the city index (0.01 ms); PostgreSQL plans
    from its statistics either way. For the same reason the cities are a subquery on the
    membership table rather than a join through the cities.
    """
    return Enrolment.objects.filter(
        status__iexact=EnrolmentStatus.ACCEPTED, city__in=_city_ids_of_officer(user)
    ).values("cohort_id")


def sessions_of_user_cohorts(*, user) -> QuerySet[Session]:
    """The sessions of a person's own cohorts: those they facilitate (or a session they
    facilitate), and those their cities are enrolled in. This is what their calendar holds."""
    if not user.is_authenticated:
        return Session.objects.none()
    return Session.objects.filter(
        _in_facilitated_cohort(user)
        | Q(cohort__in=_enrolled_cohort_ids(user))
        | Q(pk__in=_facilitated_session_ids(user))
    )


@dataclass(frozen=True)
class SessionAccess:
    """The facts that decide which sessions a person (not an admin) sees and runs: the cohorts
    they facilitate (leading it or one of its thematic groups), the cohorts one of their cities
    is enrolled in (accepted), and the sessions they are named on. The same facts as
    `sessions_of_user_cohorts` and the rules `is_session_facilitator` and
    `is_officer_of_enrolled_city`, held as ids so that a page asks them without a query."""

    facilitated_cohorts: frozenset[int]
    enrolled_cohorts: frozenset[int]
    facilitated_sessions: frozenset[int]
    # The cities they are an officer of (`cities.selectors.cities_of_officer`).
    cities: frozenset[int] = frozenset()

    def facilitates(self, session: Session) -> bool:
        return session.pk in self.facilitated_sessions or (
            session.cohort_id in self.facilitated_cohorts
        )

    def sees(self, session: Session) -> bool:
        return self.facilitates(session) or session.cohort_id in self.enrolled_cohorts


def _session_access_read(user) -> SessionAccess:
    cohorts = Cohort.facilitators.through.objects.filter(user=user).values_list(
        "cohort_id", flat=True
    )
    group_cohorts = ThematicGroup.facilitators.through.objects.filter(user=user).values_list(
        "thematicgroup__cohort_id", flat=True
    )
    return SessionAccess(
        facilitated_cohorts=frozenset(cohorts.union(group_cohorts)),
        enrolled_cohorts=frozenset(_enrolled_cohort_ids(user).values_list("cohort_id", flat=True)),
        facilitated_sessions=frozenset(
            _facilitated_session_ids(user).values_list("session_id", flat=True)
        ),
        cities=frozenset(_city_ids_of_officer(user).values_list("city_id", flat=True)),
    )


def _in_own_transaction() -> bool:
    """Whether the code runs inside a transaction it opened. The transaction a test wraps
    around everything is marked by Django (as for `atomic(durable=True)`): there the code runs
    as it does in autocommit."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def session_access_of(user, *, visibility: str | None = None) -> SessionAccess:
    """The person's `SessionAccess`, kept in the cache under their id and the version of every
    fact it holds (`sessions.caching.VISIBILITY`): one query when kept, five when read afresh.
    A page asks it several times (its session, then the rules for its buttons): the answer is
    also kept on the person's object until a change to those facts is made in this process,
    and used from there inside a transaction too (a service asking its permission after the
    view found the object): this process has changed nothing since it was read.

    Decision: inside a transaction the facts are neither kept on the object nor in the cache
    until it commits. Read there, they may hold the transaction's own changes, and a rollback
    lowers the version again: kept at once, the next change that raises it would find those
    rolled-back facts under its key.

    `visibility`: the version of VISIBILITY, when the page has read it in the same query as
    the versions of its own cached parts (`portal.fragments.versions`), which saves this
    function its query.
    """
    kept = getattr(user, "_session_access", None)
    if (
        kept is not None
        and kept[0] == visibility_change()
        and (visibility is None or visibility == kept[1])
    ):
        return kept[2]
    global _visibility_seen
    in_transaction = _in_own_transaction()
    change = visibility_change()
    visibility = visibility or versions(VISIBILITY)
    key = _access_key(user.pk, visibility)
    access = cache.get(key)
    if access is None:
        access = _session_access_read(user)
        if in_transaction:
            transaction.on_commit(lambda: cache.set(key, access, TIMEOUT_SECONDS), robust=True)
        else:
            cache.set(key, access, TIMEOUT_SECONDS)
    if not in_transaction:
        user._session_access = (change, visibility, access)
        _visibility_seen = visibility
    return access


# The version of VISIBILITY that `session_access_of` read last in this process, outside a
# transaction of its own (None before the first): what `session_access_presumed` presumes.
_visibility_seen: str | None = None


def _access_key(user_pk, visibility: str) -> str:
    return f"sessions:access:{user_pk}:{visibility}"


def session_access_presumed_key(user) -> tuple[str, str] | None:
    """The cache key under which the person's `SessionAccess` is kept if the version of
    VISIBILITY is still the one this process read last, with that version, without reading it;
    None before this process read one. For a caller that fetches it with its own kept values
    (one round trip to the cache) and hands both to `session_access_presumed`.

    Decision: presumed facts are only for a caller whose write checks, in its own statement,
    that VISIBILITY still has this version and writes nothing otherwise (roadmaps.field_save_pg
    for the autosave); the caller then asks `session_access_of` as usual, which reads the
    version. Nobody keeps a right they lost: every change of those facts raises the version in
    its own transaction, anywhere, so the statement's check fails from the moment it commits."""
    if _visibility_seen is None or _in_own_transaction():
        return None
    return _access_key(user.pk, _visibility_seen), _visibility_seen


def session_access_presumed(user, access: SessionAccess, visibility: str) -> None:
    """Keep `access`, found under `session_access_presumed_key`, on the person's object for
    the rules asked next (as `session_access_of` keeps what it reads), marked with the version
    presumed: a later `session_access_of(user, visibility=...)` given another version (the
    version read afresh) does not use them."""
    user._session_access = (visibility_change(), visibility, access)


class EveryCohort:
    """`cohort_pages_of` for a programme admin: every cohort's page is theirs to open."""

    def __contains__(self, cohort_id) -> bool:
        return True

    def __and__(self, other: set) -> set:
        return set(other)

    __rand__ = __and__


def cohort_pages_of(user, *, visibility: str | None = None) -> frozenset[int] | EveryCohort:
    """The ids of the cohorts whose page the person may open, `cohorts.view_cohort_programme`
    (admins, the cohort's facilitators, officers of a city enrolled and accepted), answered from
    their kept facts (`session_access_of`: the same facts, held as ids) rather than a query per
    cohort, so that pages listing cohorts' names link those the person may open;
    tests/sessions/test_list_page.py checks that both agree."""
    if is_programme_admin(user):
        return EveryCohort()
    access = session_access_of(user, visibility=visibility)
    return access.facilitated_cohorts | access.enrolled_cohorts


def _first(queryset: QuerySet):
    """The first row of `queryset` or None, read without any ordering: for a fetch by a unique
    key, where `.first()` would have the ORM compile an ORDER BY (the model's ordering, or the
    primary key) that changes nothing."""
    for row in queryset.order_by()[:1]:
        return row
    return None


def session_visible_to(*, user, pk, visibility: str | None = None) -> Session | None:
    """The session `pk` with its cohort, if `user` sees it (the rows of `sessions_visible_to`),
    else None. A page's one session: asked through `session_access_of` rather than the list's
    query, whose four subqueries cost more to build than the page's other work.

    `visibility`: the version of VISIBILITY, when the page read it with the versions of its own
    cached parts (`portal.fragments.version_map`), handed to `session_access_of`."""
    if not user.is_authenticated:
        return None
    session = _first(Session.objects.select_related("cohort").filter(pk=pk))
    if session is None or is_programme_admin(user):
        return session
    return session if session_access_of(user, visibility=visibility).sees(session) else None


def sessions_visible_to(*, user) -> QuerySet[Session]:
    """Admins see every session; others the sessions of their own cohorts."""
    if not user.is_authenticated:
        return Session.objects.none()
    if is_programme_admin(user):
        return Session.objects.all()
    return sessions_of_user_cohorts(user=user)


def sessions_facilitated_by(*, user, own_only: bool = False) -> QuerySet[Session]:
    """Sessions this person runs: those of the cohorts they facilitate and those they are
    named on. An admin runs every session, unless `own_only`: a facilitator's home page lists
    only the sessions that are really theirs, whatever other roles they hold."""
    if not user.is_authenticated:
        return Session.objects.none()
    if is_programme_admin(user) and not own_only:
        return Session.objects.all()
    return Session.objects.filter(
        _in_facilitated_cohort(user) | Q(pk__in=_facilitated_session_ids(user))
    )


def cohort_schedulable_by(*, user, pk, visibility: str | None = None) -> Cohort | None:
    """The cohort `pk` if `user` may schedule sessions in it, else None: any cohort for a
    programme admin, otherwise one they facilitate (leading it or one of its thematic groups,
    `cohorts.selectors.cohorts_facilitated_by`), asked through `session_access_of` (with
    `visibility` as `session_visible_to` hands it)."""
    if not user.is_authenticated:
        return None
    if (
        not is_programme_admin(user)
        and pk not in session_access_of(user, visibility=visibility).facilitated_cohorts
    ):
        return None
    return _first(Cohort.objects.filter(pk=pk))


def session_with_programme(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """Load what a session page and the API show with each session, in a fixed number of
    queries: cohort, phase, group, facilitators, presenting cities and their actions."""
    return queryset.select_related("cohort", "phase", "thematic_group__sector").prefetch_related(
        "facilitators",
        Prefetch(
            "presentations",
            queryset=SessionPresentation.objects.select_related("city__country").prefetch_related(
                Prefetch("climate_actions", queryset=ClimateAction.objects.order_by("title"))
            ),
        ),
    )


def presentations_visible_to(*, user) -> QuerySet[SessionPresentation]:
    """The presentations of the sessions `user` may see (sessions_visible_to), with the
    session, the city and its country, and the climate actions presented (by title), in the
    order of the sessions and, within one, of the programme."""
    return (
        SessionPresentation.objects.filter(
            session__in=sessions_visible_to(user=user).order_by().values("pk")
        )
        .select_related("session", "city__country")
        .prefetch_related(
            Prefetch("climate_actions", queryset=ClimateAction.objects.order_by("title"))
        )
        .order_by("session__starts_at", "session", "position", "pk")
    )


@dataclass(frozen=True)
class SessionCounts:
    """Participation derived from registrations and attendance records, never typed."""

    registered: int
    attended: int
    no_shows: int
    walk_ins: int
    reported: int | None = None

    @property
    def not_recorded(self) -> int:
        return self.registered - self.attended - self.no_shows

    @property
    def participants(self) -> int:
        return self.attended + self.walk_ins

    @property
    def attendance_rate(self) -> float | None:
        """Registered people who attended, out of those registered (walk-ins do not count)."""
        return self.attended / self.registered if self.registered else None

    @property
    def is_recorded(self) -> bool:
        """Whether a facilitator has recorded anything yet (a rate before that means nothing)."""
        return bool(self.attended or self.no_shows or self.walk_ins)

    @property
    def is_reported(self) -> bool:
        """A past session imported with a headcount and no records: show the headcount."""
        return self.reported is not None and not (self.registered or self.walk_ins)


_COUNTS = {
    "count_registered": Count("registrations", filter=Q(registrations__is_walk_in=False)),
    "count_attended": Count(
        "registrations",
        filter=Q(registrations__is_walk_in=False, registrations__attendance=Attendance.ATTENDED),
    ),
    "count_no_shows": Count(
        "registrations",
        filter=Q(registrations__is_walk_in=False, registrations__attendance=Attendance.NO_SHOW),
    ),
    "count_walk_ins": Count("registrations", filter=Q(registrations__is_walk_in=True)),
}


def sessions_with_counts(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """Annotate each session with its counts; read them with `counts_of(session)`."""
    return queryset.annotate(**_COUNTS)


def counts_of(session: Session) -> SessionCounts:
    """The counts of a session annotated by `sessions_with_counts`, or one query otherwise."""
    if not hasattr(session, "count_registered"):
        values = Session.objects.filter(pk=session.pk).aggregate(**_COUNTS)
    else:
        values = {name: getattr(session, name) for name in _COUNTS}
    return SessionCounts(
        registered=values["count_registered"],
        attended=values["count_attended"],
        no_shows=values["count_no_shows"],
        walk_ins=values["count_walk_ins"],
        reported=session.reported_participants,
    )


def registrations_of_session(*, session: Session) -> QuerySet[Registration]:
    """Everyone registered or recorded as a walk-in, registered people first."""
    return (
        Registration.objects.filter(session=session)
        .select_related("city")
        .order_by("is_walk_in", "full_name", "email")
    )


def registrations_of_own_cities(*, user, session: Session) -> QuerySet[Registration]:
    """The people this person's cities registered for `session` (or recorded as walk-ins):
    none, without a query, for a person who is no city's officer."""
    cities = session_access_of(user).cities if user.is_authenticated else ()
    if not cities:
        return Registration.objects.none()
    return registrations_of_session(session=session).filter(city__in=cities)


def registrations_visible_to(*, user) -> QuerySet[Registration]:
    """Admins see all; facilitators the registrations of the sessions they run; officers their
    own cities' registrations for sessions they can see."""
    if not user.is_authenticated:
        return Registration.objects.none()
    if is_programme_admin(user):
        return Registration.objects.all()
    # Subqueries rather than joins, so that no row comes back twice and no DISTINCT is needed.
    return Registration.objects.filter(
        Q(session__in=sessions_facilitated_by(user=user).values("pk"))
        | Q(
            city__in=_city_ids_of_officer(user),
            session__in=sessions_visible_to(user=user).values("pk"),
        )
    )


def cities_registrable_by(*, user, session: Session) -> QuerySet[City]:
    """This officer's cities that are enrolled (accepted) in the session's cohort."""
    if not user.is_authenticated:
        return City.objects.none()
    return (
        City.objects.filter(
            memberships__user=user,
            enrolments__cohort_id=session.cohort_id,
            enrolments__status=EnrolmentStatus.ACCEPTED,
        )
        .select_related("country")
        .order_by("name")
    )


def cities_enrolled_in(*, cohort_id: int) -> QuerySet[City]:
    return (
        City.objects.filter(
            enrolments__cohort_id=cohort_id, enrolments__status=EnrolmentStatus.ACCEPTED
        )
        .select_related("country")
        .order_by("name")
    )


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


def registration_by_calendar_signature(*, pk: int, signature: str) -> Registration | None:
    """The registration, with its session, whose calendar link carries `signature` (one query);
    None when there is no such registration or the signature was not made for it and its
    session (sessions.calendar_links). A cancelled session is still found: its .ics tells
    calendars to drop the event."""
    registration = Registration.objects.select_related("session").filter(pk=pk).first()
    if registration is None or not registration_calendar_signature_is_valid(
        registration_pk=registration.pk,
        session_pk=registration.session_id,
        signature=signature,
    ):
        return None
    return registration


def sessions_of_enrolled_cities(*, user) -> QuerySet[Session]:
    """The sessions of the cohorts in which one of this person's cities is enrolled (accepted):
    what a city officer's home page lists, whatever other roles the person holds."""
    if not user.is_authenticated:
        return Session.objects.none()
    return Session.objects.filter(cohort__in=_enrolled_cohort_ids(user))


def _registrations_per_city(registrations: QuerySet) -> Coalesce:
    """A correlated subquery counting the outer enrolment's city's registrations for sessions
    of the outer enrolment's cohort."""
    counted = (
        registrations.filter(session__cohort=OuterRef("cohort"), city=OuterRef("city"))
        .order_by()
        .values("city")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def enrolment_session_counts() -> dict:
    """Annotations over Enrolment for the cohort page's registration and attendance columns.

    `registered_count` counts the people a city registered beforehand (walk-ins excluded);
    `attended_count` counts everyone recorded as attended, walk-ins included. Both are
    subqueries so each row costs nothing more.
    """
    return {
        "registered_count": _registrations_per_city(Registration.objects.filter(is_walk_in=False)),
        "attended_count": _registrations_per_city(
            Registration.objects.filter(attendance=Attendance.ATTENDED)
        ),
    }


def sessions_of_city(*, city: City) -> QuerySet[Session]:
    """Sessions the city presented in or registered people for, each marked with which."""
    presented = SessionPresentation.objects.filter(session=OuterRef("pk"), city=city)
    registered = Registration.objects.filter(session=OuterRef("pk"), city=city)
    # Selected through the city's own rows (indexed by city), not by testing both conditions
    # on every session: the latter read all sessions' rows (24 ms of a city's profile at EU scale).
    return (
        Session.objects.filter(
            Q(pk__in=SessionPresentation.objects.filter(city=city).values("session"))
            | Q(pk__in=Registration.objects.filter(city=city).values("session"))
        )
        .annotate(presented=Exists(presented), registered=Exists(registered))
        .select_related("cohort")
        .order_by("starts_at")
    )


def sessions_of_city_seen_by(*, city: City, user) -> list[Session]:
    """`sessions_of_city`, each session marked `linked`: whether `user` may open its page
    (`session_visible_to`'s rule, asked of their kept facts, no query per session). The city's
    profile is public to everyone signed in, but a session's page is not: a reviewer or an
    officer of another cohort sees the title without a link to a page that would answer 404."""
    sessions = list(sessions_of_city(city=city))
    if not sessions:
        return sessions  # the person's facts are not read for nothing
    admin = is_programme_admin(user)
    access = None if admin else session_access_of(user)
    for session in sessions:
        session.linked = admin or access.sees(session)
    return sessions


def cohorts_schedulable_by(*, user) -> QuerySet[Cohort]:
    """The cohorts in which `user` may schedule sessions (`peer_sessions.add_session`): all for
    a programme admin, else those they facilitate (`cohort_schedulable_by`, one at a time),
    in the model's order."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_programme_admin(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(pk__in=session_access_of(user).facilitated_cohorts)


def sessions_listed(queryset: QuerySet[Session], *, now, own_cities=()) -> QuerySet[Session]:
    """`queryset` as the sessions page lists it: upcoming sessions first, the soonest first,
    then past ones, the most recent first; with the cohort and thematic group shown beside each,
    and, for an officer (`own_cities`), how many people their cities registered.

    A session is upcoming until it starts."""
    upcoming = Case(When(starts_at__gte=now, then=F("starts_at")), default=None)
    listed = queryset.select_related("cohort", "thematic_group__sector").order_by(
        Case(When(starts_at__gte=now, then=Value(0)), default=Value(1)),
        upcoming.asc(),
        F("starts_at").desc(),
        "pk",
    )
    if own_cities:
        counted = (
            Registration.objects.filter(
                session=OuterRef("pk"), city__in=own_cities, is_walk_in=False
            )
            .order_by()
            .values("session")
            .annotate(total=Count("pk"))
            .values("total")
        )
        listed = listed.annotate(
            own_registered=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
        )
    return listed


# Public mail services people of any city use: their domain names no city.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "sapo.pt",
        "wp.pl",
        "seznam.cz",
    }
)


@dataclass
class ReportMatch:
    """A meeting report's people set against a session's list (the import's confirmation).

    `to_mark`: (registration, participant) pairs not yet marked attended; `already`: people of
    the report already marked attended (registered or walk-ins); `unmatched`: the report's
    people on no list, with their index in the report (the name of their decision's fields);
    `without_email`: names the report gives without an address, which cannot be matched;
    `suggested_cities`: for people on no list, by index, the city whose people on the list
    write from the same domain (a city's staff share their city's domain)."""

    to_mark: list
    already: list
    unmatched: list
    without_email: list
    suggested_cities: dict


def report_matched(*, session: Session, people, without_email=()) -> ReportMatch:
    """Match the report's `people` (attendance_reports.Participant) to `session`'s list by
    email address, trimmed and in any case: one query."""
    listed = {
        registration.email.strip().lower(): registration
        for registration in registrations_of_session(session=session)
    }
    to_mark, already, unmatched = [], [], []
    for index, participant in enumerate(people):
        registration = listed.get(participant.email)
        if registration is None:
            unmatched.append((index, participant))
        elif registration.attendance == Attendance.ATTENDED:
            already.append((registration, participant))
        else:
            to_mark.append((registration, participant))
    # A domain suggests a city only when at least two people on the list write from it and
    # all are of that one city, and it is no public mail service (two Lisbon officers on
    # gmail.com say nothing about a stranger on gmail.com).
    people_of_domain: dict[str, list] = {}
    for email, registration in listed.items():
        people_of_domain.setdefault(email.rpartition("@")[2], []).append(registration.city_id)
    suggested = {}
    for index, participant in unmatched:
        domain = participant.email.rpartition("@")[2]
        cities = set(people_of_domain.get(domain, ()))
        if (
            len(people_of_domain.get(domain, ())) >= 2
            and len(cities) == 1
            and None not in cities
            and domain not in PUBLIC_MAIL_DOMAINS
        ):
            suggested[index] = next(iter(cities))
    return ReportMatch(to_mark, already, unmatched, list(without_email), suggested)


def technical_session_after(session: Session) -> Session | None:
    """The technical support session that follows a thematic session (000 §3.3: each theme's
    technical session takes up the sub-topics its cities chose after the thematic one): the
    first one not cancelled of the same cohort and thematic group that starts after it ends.
    None for a session of another kind, without a group, or with none scheduled yet."""
    if session.kind != SessionKind.THEMATIC_DISCUSSION or session.thematic_group_id is None:
        return None
    return (
        Session.objects.filter(
            cohort_id=session.cohort_id,
            thematic_group_id=session.thematic_group_id,
            kind=SessionKind.TECHNICAL_SUPPORT,
            starts_at__gte=session.ends_at,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("starts_at", "pk")
        .first()
    )
