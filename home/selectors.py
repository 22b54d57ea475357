"""Reads that span apps: what each role's home page holds.

Each list of a home page costs a fixed number of queries, whatever the number of cities,
cohorts, sessions or enrolments: counts are subqueries, and the officer's "what is due" is
joined in Python from rows already loaded.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.enums import Role
from cities.models import City, CityMembership
from cities.selectors import cities_of_officer
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, Phase, ThematicGroup
from cohorts.selectors import (
    cohorts_facilitated_by,
    count_per_cohort,
    enrolments_of_officer_cities,
    enrolments_visible_to,
)
from cohorts.versions import CITIES, COHORTS
from feedback.selectors import SURVEYS, next_survey_moment, open_surveys_for
from portal.dates import long_date
from portal.fragments import TIMEOUT_SECONDS, joined, version_map
from roadmaps.enums import OPEN_STATUSES, RoadmapStatus
from roadmaps.models import Roadmap, RoadmapTransition
from roadmaps.selectors import roadmaps_visible_to
from roadmaps.template import SECTIONS
from sessions.enums import Attendance, SessionStatus
from sessions.models import Registration, Session
from sessions.selectors import (
    sessions_facilitated_by,
    sessions_of_enrolled_cities,
    sessions_with_counts,
)
from visits.applying import next_call_moment, open_calls_for
from visits.reviewing import REVIEWS, reviews_of_reviewer
from visits.versions import OPEN_CALLS

# How many sessions a home-page list shows; the rest are a click away (the session pages and
# the calendar feed hold them all).
HOME_LIST_LIMIT = 10
# A session starting within this many days with nobody registered from a city is "due".
DUE_WITHIN = datetime.timedelta(days=14)


@dataclass(frozen=True)
class DueRegistration:
    """A session coming soon for which one of the officer's enrolled cities registered nobody."""

    session: Session
    city: City


@dataclass(frozen=True)
class OpenPhase:
    """A phase of a cohort under way today in which one of the officer's cities fills in
    parts of its Reflection Roadmap (roadmaps/template.py: each part opens with a phase)."""

    enrolment: Enrolment
    phase: Phase
    # The titles of the roadmap's parts that open with this phase.
    parts: tuple[str, ...]

    @property
    def closes_on(self) -> str:
        return long_date(self.phase.ends_on)


@dataclass
class HomeSection:
    """One role's part of the home page; only the fields of that role are filled in."""

    role: str
    cities: list = field(default_factory=list)
    cohorts: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    # City officer: their cities' enrolments (accepted and requested), upcoming sessions of the
    # cohorts they are enrolled in, and the registrations due.
    enrolments: list = field(default_factory=list)
    upcoming_sessions: list = field(default_factory=list)
    more_upcoming: bool = False
    due: list = field(default_factory=list)
    # ... and what is due on their roadmaps: the phase open now, and the roadmaps returned.
    open_phases: list = field(default_factory=list)
    returned_roadmaps: list = field(default_factory=list)
    # ... and the surveys open now that ask them, with the state of their answer.
    open_surveys: list = field(default_factory=list)
    # ... and the Group Study Visit calls open now to their cities, with each city's application.
    open_calls: list = field(default_factory=list)
    # Facilitator: roadmaps waiting for review, enrolment requests, past sessions without
    # attendance or without takeaways, and cities that registered for nothing.
    roadmaps_to_review: list = field(default_factory=list)
    more_to_review: bool = False
    enrolment_requests: list = field(default_factory=list)
    more_requests: bool = False
    sessions_to_record: list = field(default_factory=list)
    more_to_record: bool = False
    sessions_without_takeaways: list = field(default_factory=list)
    more_without_takeaways: bool = False
    idle_enrolments: list = field(default_factory=list)
    # Reviewer: their assigned Group Study Visit applications, the soonest deadline first, with
    # their progress (visits.reviewing.reviews_of_reviewer: one query).
    reviews: list = field(default_factory=list)
    more_reviews: bool = False

    @functools.cached_property
    def linked_cohorts(self) -> set[int]:
        """The cohorts whose page the person may open (`cohorts.view_cohort_programme`), so
        that their names are links: a facilitator's own cohorts, an officer's cohorts where a
        city of theirs is enrolled (accepted). A session they run in another cohort (named on
        it alone) shows its cohort's name without a link."""
        return {cohort.pk for cohort in self.cohorts} | {
            enrolment.cohort_id
            for enrolment in self.enrolments
            if enrolment.status == EnrolmentStatus.ACCEPTED
        }


def _first(queryset: QuerySet, limit: int = HOME_LIST_LIMIT) -> tuple[list, bool]:
    """The first `limit` rows and whether there are more, in one query."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


def home_cohorts_of_facilitator(*, user) -> QuerySet[Cohort]:
    """The cohorts a facilitator works on, each with its number of thematic groups and sessions.

    The counts are subqueries rather than `Count()` over joins: the visibility filter already
    joins thematic groups (a group facilitator's own groups), and counting over that join would
    count only their groups instead of all of the cohort's.
    """
    return (
        Cohort.objects.filter(pk__in=cohorts_facilitated_by(user=user).values("pk"))
        .annotate(
            group_count=count_per_cohort(ThematicGroup.objects.all()),
            session_count=count_per_cohort(Session.objects.all()),
        )
        .order_by("-starts_on", "name")
    )


def _officer_city_ids(user):
    return CityMembership.objects.filter(user=user).values("city")


def home_upcoming_sessions_of_officer(*, user, now: datetime.datetime) -> QuerySet[Session]:
    """Scheduled sessions of the cohorts the officer's cities are in that have not ended yet
    (one under way still shows its join link), next first. Each carries `own_registered`: the
    people the officer's cities registered for it (walk-ins are recorded afterwards, so they
    do not count)."""
    own = (
        Registration.objects.filter(
            session=OuterRef("pk"), city__in=_officer_city_ids(user), is_walk_in=False
        )
        .order_by()
        .values("session")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        sessions_of_enrolled_cities(user=user)
        .filter(status=SessionStatus.SCHEDULED, ends_at__gt=now)
        .select_related("cohort", "thematic_group__sector")
        .annotate(own_registered=Coalesce(Subquery(own, output_field=IntegerField()), Value(0)))
        .order_by("starts_at", "pk")
    )


def home_due_registrations(
    *, user, enrolments: list[Enrolment], now: datetime.datetime
) -> list[DueRegistration]:
    """For each scheduled session starting within DUE_WITHIN, each of the officer's cities
    enrolled (accepted) in its cohort that registered nobody for it; soonest first.

    `enrolments` are the officer's enrolments, already loaded for the page. Two queries: the
    sessions, and the (session, city) pairs that have a registration.
    """
    window = (
        sessions_of_enrolled_cities(user=user)
        .filter(status=SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + DUE_WITHIN)
        .select_related("cohort")
        .order_by("starts_at", "pk")
    )
    registered = set(
        Registration.objects.filter(
            session__in=window.values("pk"),
            city__in=_officer_city_ids(user),
            is_walk_in=False,
        )
        .values_list("session_id", "city_id")
        .distinct()
    )
    cities_by_cohort: dict[int, list[City]] = {}
    for enrolment in enrolments:
        if enrolment.status == EnrolmentStatus.ACCEPTED:
            cities_by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment.city)
    return [
        DueRegistration(session=session, city=city)
        for session in window
        for city in sorted(cities_by_cohort.get(session.cohort_id, []), key=lambda c: c.name)
        if (session.pk, city.pk) not in registered
    ]


# The roadmap's parts by the kind of cohort phase they open with.
_PARTS_BY_PHASE_KIND: dict[str, list] = {}
for _part in SECTIONS:
    if _part.opens_with:
        _PARTS_BY_PHASE_KIND.setdefault(_part.opens_with, []).append(_part)


def home_open_roadmap_phases(*, enrolments: list[Enrolment], today: datetime.date) -> list:
    """For each of the officer's enrolments (accepted, already loaded with their `roadmap`)
    whose roadmap the city can still change, the cohort's phases under way today that open a
    part of the roadmap, with the day each closes; the soonest to close first. One query.
    """
    by_cohort: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        roadmap = getattr(enrolment, "roadmap", None)
        if (
            enrolment.status == EnrolmentStatus.ACCEPTED
            and roadmap is not None
            and roadmap.status in OPEN_STATUSES
        ):
            # Two cities of one officer in the same cohort: each has its own roadmap.
            by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment)
    phases = Phase.objects.filter(
        cohort_id__in=list(by_cohort),
        kind__in=list(_PARTS_BY_PHASE_KIND),
        starts_on__lte=today,
        ends_on__gte=today,
    ).order_by("ends_on", "position", "pk")
    return [
        OpenPhase(
            enrolment=enrolment,
            phase=phase,
            parts=tuple(str(part.title) for part in _PARTS_BY_PHASE_KIND[phase.kind]),
        )
        for phase in phases
        for enrolment in by_cohort[phase.cohort_id]
    ]


def home_upcoming_sessions_of_facilitator(*, user, now: datetime.datetime) -> QuerySet[Session]:
    """Scheduled sessions of the facilitator's cohorts (or that they run) that have not ended,
    next first, with their registration counts."""
    return sessions_with_counts(
        sessions_facilitated_by(user=user, own_only=True)
        .filter(status=SessionStatus.SCHEDULED, ends_at__gt=now)
        .select_related("cohort", "thematic_group__sector")
    ).order_by("starts_at", "pk")


def home_sessions_to_record(*, user, now: datetime.datetime) -> QuerySet[Session]:
    """Ended sessions of the facilitator's cohorts whose attendance nobody recorded yet, the
    most recent first.

    "Not recorded" means: people registered, and not one of them (nor a walk-in, who is always
    recorded as attended) has an attendance value. A session nobody registered for is left
    out: there is no one to mark, so it could never leave the list. A cancelled session has
    nothing to record, and an imported one keeps its reported headcount instead.
    """
    registrations = Registration.objects.filter(session=OuterRef("pk"))
    return sessions_with_counts(
        sessions_facilitated_by(user=user, own_only=True)
        .filter(
            status=SessionStatus.SCHEDULED,
            ends_at__lte=now,
            reported_participants__isnull=True,
        )
        .filter(Exists(registrations))
        .exclude(Exists(registrations.exclude(attendance=Attendance.UNKNOWN)))
        .select_related("cohort", "thematic_group__sector")
    ).order_by("-starts_at", "pk")


def home_sessions_without_takeaways(*, user, now: datetime.datetime) -> QuerySet[Session]:
    """Ended sessions of the facilitator's cohorts (or that they ran) with no key takeaways
    recorded yet, the most recent first.

    Cancelled sessions have no outcome; imported ones (with the headcount the programme's
    reports give) took place before the portal, and their outcome is in those reports.
    """
    return (
        sessions_facilitated_by(user=user, own_only=True)
        .filter(
            status=SessionStatus.SCHEDULED,
            ends_at__lte=now,
            reported_participants__isnull=True,
            key_takeaways="",
        )
        .select_related("cohort", "thematic_group__sector")
        .order_by("-starts_at", "pk")
    )


def home_roadmaps_to_review(*, user, today: datetime.date) -> tuple[list[Roadmap], bool]:
    """The submitted roadmaps of the facilitator's cohorts, the one waiting longest first (at
    most HOME_LIST_LIMIT, and whether there are more), each with `waiting_days`: the days
    since it was submitted, counted in the reader's calendar days.

    Only the cohorts they facilitate: an admin, or an officer of the roadmap's city, who also
    facilitates another cohort does not find it here (roadmaps_visible_to would show it).
    """
    roadmaps, more = _first(
        roadmaps_visible_to(user=user)
        .filter(
            cohort__in=cohorts_facilitated_by(user=user).values("pk"),
            status=RoadmapStatus.SUBMITTED,
        )
        .order_by("submitted_at", "pk")
    )
    for roadmap in roadmaps:
        roadmap.waiting_days = _days_since(roadmap.submitted_at, today)
    return roadmaps, more


def _days_since(moment: datetime.datetime | None, today: datetime.date) -> int | None:
    """Whole calendar days from `moment` to `today`, in the reader's time zone (0: today)."""
    return (today - timezone.localdate(moment)).days if moment else None


def home_enrolment_requests(*, user, today: datetime.date) -> tuple[list[Enrolment], bool]:
    """Cities' requests to join the facilitator's cohorts that nobody has decided yet, the
    oldest first (at most HOME_LIST_LIMIT, and whether there are more), each with
    `waiting_days` since it was made; the enrolments page of each cohort decides them."""
    requests, more = _first(
        enrolments_visible_to(user=user)
        .prefetch_related(None)  # the joined groups are the enrolments page's to show
        .filter(
            cohort__in=cohorts_facilitated_by(user=user).values("pk"),
            status=EnrolmentStatus.REQUESTED,
        )
        .order_by("created_at", "pk")
    )
    for request in requests:
        request.waiting_days = _days_since(request.created_at, today)
    return requests, more


def home_idle_enrolments(*, user, today: datetime.date) -> QuerySet[Enrolment]:
    """Cities enrolled (accepted) in the facilitator's running cohorts that registered nobody
    for any session of that cohort.

    Only cohorts that have not ended and have at least one scheduled session count: before the
    first session there is nothing to register for, and after the end nothing to chase.
    Walk-ins are not registrations: a city whose people only walked in is still listed.
    """
    return (
        Enrolment.objects.filter(
            cohort__in=cohorts_facilitated_by(user=user).values("pk"),
            cohort__ends_on__gte=today,
            status=EnrolmentStatus.ACCEPTED,
        )
        .filter(
            Exists(
                Session.objects.filter(cohort=OuterRef("cohort"), status=SessionStatus.SCHEDULED)
            )
        )
        .exclude(
            Exists(
                Registration.objects.filter(
                    session__cohort=OuterRef("cohort"), city=OuterRef("city"), is_walk_in=False
                )
            )
        )
        .select_related("cohort", "city__country")
        .order_by("-cohort__starts_on", "cohort__name", "city__name")
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


def _attach_roadmaps(enrolments: list, *, user) -> None:
    """Give each enrolment its city's Reflection Roadmap (or None), in one query. A roadmap
    returned to the city carries the note of its last return (`return_note`, `returned_at`):
    the facilitator's words, kept with the status change (RoadmapTransition)."""
    last_return = RoadmapTransition.objects.filter(
        roadmap=OuterRef("pk"), to_status=RoadmapStatus.RETURNED
    ).order_by("-at", "-pk")
    roadmaps = {
        (roadmap.cohort_id, roadmap.city_id): roadmap
        for roadmap in roadmaps_visible_to(user=user)
        .filter(
            cohort_id__in={enrolment.cohort_id for enrolment in enrolments},
            city_id__in={enrolment.city_id for enrolment in enrolments},
        )
        .annotate(
            return_note=Subquery(last_return.values("note")[:1]),
            returned_at=Subquery(last_return.values("at")[:1]),
        )
    }
    for enrolment in enrolments:
        enrolment.roadmap = roadmaps.get((enrolment.cohort_id, enrolment.city_id))


def _officer_section(section: HomeSection, *, user, now: datetime.datetime) -> None:
    section.cities = list(cities_of_officer(user=user))
    section.enrolments = list(enrolments_of_officer_cities(user=user))
    _attach_roadmaps(section.enrolments, user=user)
    section.open_phases = home_open_roadmap_phases(
        enrolments=section.enrolments, today=timezone.localdate(now)
    )
    section.returned_roadmaps = [
        enrolment.roadmap
        for enrolment in section.enrolments
        if enrolment.roadmap is not None and enrolment.roadmap.status == RoadmapStatus.RETURNED
    ]
    for roadmap in section.returned_roadmaps:
        roadmap.returned_on = (
            long_date(timezone.localdate(roadmap.returned_at)) if roadmap.returned_at else ""
        )
    section.upcoming_sessions, section.more_upcoming = _first(
        home_upcoming_sessions_of_officer(user=user, now=now)
    )
    section.due = home_due_registrations(user=user, enrolments=section.enrolments, now=now)
    # The enrolments and cities are loaded already: the surveys cost one query.
    section.open_surveys = open_surveys_for(
        user=user,
        now=now,
        enrolled_cohorts={
            e.cohort_id for e in section.enrolments if e.status == EnrolmentStatus.ACCEPTED
        },
        cities={city.pk for city in section.cities},
    )
    # The same loaded enrolments and cities: the calls cost one query.
    cohorts_of: dict[int, set[int]] = {}
    for enrolment in section.enrolments:
        if enrolment.status == EnrolmentStatus.ACCEPTED:
            cohorts_of.setdefault(enrolment.city_id, set()).add(enrolment.cohort_id)
    section.open_calls = open_calls_for(cities=section.cities, cohorts_of=cohorts_of, now=now)


def _facilitator_section(section: HomeSection, *, user, now: datetime.datetime) -> None:
    today = timezone.localdate(now)
    section.cohorts = list(home_cohorts_of_facilitator(user=user))
    section.roadmaps_to_review, section.more_to_review = home_roadmaps_to_review(
        user=user, today=today
    )
    section.enrolment_requests, section.more_requests = home_enrolment_requests(
        user=user, today=today
    )
    section.upcoming_sessions, section.more_upcoming = _first(
        home_upcoming_sessions_of_facilitator(user=user, now=now)
    )
    section.sessions_to_record, section.more_to_record = _first(
        home_sessions_to_record(user=user, now=now)
    )
    section.sessions_without_takeaways, section.more_without_takeaways = _first(
        home_sessions_without_takeaways(user=user, now=now)
    )
    section.idle_enrolments = list(home_idle_enrolments(user=user, today=today))


def home_sections_for(
    *, user, now: datetime.datetime | None = None, roles: list[str] | None = None
) -> list[HomeSection]:
    """One section per role the person holds (`roles`, read from the person when not given),
    in the order of `Role`.

    Each section costs a fixed number of queries, whatever the number of rows it shows.
    """
    now = now or timezone.now()
    sections = []
    for role in user.roles if roles is None else roles:
        section = HomeSection(role=role)
        if role == Role.CITY_OFFICER:
            _officer_section(section, user=user, now=now)
        elif role == Role.FACILITATOR:
            _facilitator_section(section, user=user, now=now)
        elif role == Role.REVIEWER:
            section.reviews, section.more_reviews = _first(reviews_of_reviewer(user=user))
        elif role == Role.PROGRAMME_ADMIN:
            section.counts = home_programme_counts()
        sections.append(section)
    return sections


def home_page_key(*, user, roles: list[str], now: datetime.datetime) -> str:
    """What the cached part of a person's home page depends on, as a fragment key.

    The sections are the person's own (their cities, their cohorts): their id and roles. The
    data: the versions of cohorts (with their phases, enrolments and requests, sessions and
    their takeaways, registrations, and roadmap statuses with the note of a return, written in
    the same transaction as the status: cohorts/versions.py and home/page_versions.py) and of
    cities; the programme admin's counts read the same tables. And time: the officer's and the
    facilitator's lists hold sessions by whether they have started or ended, or start within
    DUE_WITHIN, cities by whether their cohort has ended, phases by whether today is in them
    and requests and roadmaps by the days they have waited, so the key names the day and the
    next moments one of those lists changes (`next_session_moments`): until then, the lists
    are what they were.
    """
    # One query for every version; the surveys' is kept apart (below) so that a survey's
    # change does not renew the next session moments.
    found = version_map(COHORTS, CITIES, SURVEYS, OPEN_CALLS, REVIEWS)
    data_versions = joined(found, COHORTS, CITIES)
    parts = [user.pk, ",".join(roles), data_versions, timezone.localdate(now)]
    if Role.CITY_OFFICER in roles or Role.FACILITATOR in roles:
        parts += next_session_moments(now=now, data_versions=data_versions)
    if Role.CITY_OFFICER in roles:
        # The officer's open surveys (feedback.selectors.SURVEYS: surveys, and the state of
        # their responses) change with that version and when a survey opens or closes.
        survey_version = joined(found, SURVEYS)
        parts += [survey_version, next_survey_moment(now=now, data_version=survey_version)]
        # The open Group Study Visit calls: their version, and when one next opens or closes.
        calls_version = joined(found, OPEN_CALLS)
        parts += [calls_version, next_call_moment(now=now, data_version=calls_version)]
    if Role.REVIEWER in roles:
        # The reviewer's assigned applications (visits.reviewing.REVIEWS: reviews, their
        # scores, the calls' deadlines and criteria).
        parts.append(joined(found, REVIEWS))
    return "|".join(str(part) for part in parts)


def next_session_moments(*, now: datetime.datetime, data_versions: str) -> tuple:
    """The next end of any session, its next start, and the next start beyond DUE_WITHIN
    (which enters the due window DUE_WITHIN before it): None when there is none.

    The same for everyone, so kept in the cache under the data versions (a session changed,
    added or removed raises them) and read again only once one of the moments has passed:
    until then no session has ended or started, so the minimums are the same ones. This
    saves a scan of every session on each home page.
    """
    key = f"home:next-session-moments:{data_versions}"
    moments = cache.get(key)
    if moments is not None and _all_ahead(moments, now):
        return moments
    found = Session.objects.aggregate(
        next_end=Min("ends_at", filter=Q(ends_at__gt=now)),
        next_start=Min("starts_at", filter=Q(starts_at__gt=now)),
        next_due=Min("starts_at", filter=Q(starts_at__gt=now + DUE_WITHIN)),
    )
    moments = (found["next_end"], found["next_start"], found["next_due"])
    cache.set(key, moments, TIMEOUT_SECONDS)
    return moments


def _all_ahead(moments: tuple, now: datetime.datetime) -> bool:
    next_end, next_start, next_due = moments
    return (
        (next_end is None or now < next_end)
        and (next_start is None or now < next_start)
        and (next_due is None or now + DUE_WITHIN < next_due)
    )
