"""Reads of Reflection Roadmaps. Every list a person sees comes from `roadmaps_visible_to`; the
pages and the API use the same selectors."""

import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.rules import is_programme_admin
from cities.models import CityMembership, ClimateAction
from cohorts.models import Cohort, Phase, ThematicGroup
from portal.fragments import TIMEOUT_SECONDS, joined, version_map
from roadmaps.enums import RoadmapStatus
from roadmaps.models import (
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapTransition,
    RoadmapValue,
)
from roadmaps.scopes import (
    cohort_scopes,
    keep_cohort_versions,
    keep_roadmap_versions,
    roadmap_scopes,
)
from roadmaps.template import SECTIONS
from sessions.caching import VISIBILITY
from sessions.enums import SessionStatus
from sessions.models import SessionPresentation
from sessions.selectors import (
    SessionAccess,
    session_access_of,
    session_access_presumed,
    session_access_presumed_key,
)


def roadmaps_visible_to(*, user) -> QuerySet[Roadmap]:
    """Admins see every roadmap; officers their cities'; facilitators those of their cohorts.

    Reviewers of study visits and facilitators of other cohorts see none of them.
    """
    if not user.is_authenticated:
        return Roadmap.objects.none()
    roadmaps = Roadmap.objects.select_related("cohort", "city__country")
    if is_programme_admin(user):
        return roadmaps
    return roadmaps.filter(
        Q(city__in=CityMembership.objects.filter(user=user).values("city"))
        | _of_cohorts_facilitated_by(user, "cohort__in")
    )


def _of_cohorts_facilitated_by(user, lookup: str) -> Q:
    """`lookup` in the cohorts of cohorts.selectors.cohorts_facilitated_by (lead facilitator, or
    facilitator of a thematic group), as two lookups on the people's index of each facilitators
    table. That selector's own query (the cohorts joined to both tables, distinct and ordered)
    made SQLite scan every cohort and build a temporary index on each request: 0.8 ms of every
    roadmap page at EU scale."""
    return Q(
        **{lookup: Cohort.facilitators.through.objects.filter(user=user).values("cohort_id")}
    ) | Q(**{lookup: ThematicGroup.objects.filter(facilitators=user).values("cohort_id")})


def runs_roadmap_cohort(user, cohort_id: int) -> bool:
    """Whether the person opens the roadmap overview and exports of the cohort: an admin, or a
    facilitator of it (cohorts.selectors.cohorts_run_by), from their kept facts."""
    return user.is_authenticated and (
        is_programme_admin(user) or cohort_id in session_access_of(user).facilitated_cohorts
    )


def roadmap_cohort_run_by(*, user, pk) -> Cohort | None:
    """The cohort `pk` if the person runs it (`runs_roadmap_cohort`), else None: asked through
    their kept facts, as `roadmap_for_user` asks its roadmap, with the versions of its
    overview read in the same query and the row kept under them (REFERENCE follows every
    change of a cohort)."""
    if not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    scopes = cohort_scopes(pk)
    read = version_map(VISIBILITY, *scopes)
    if not is_programme_admin(user) and (
        pk not in session_access_of(user, visibility=read[VISIBILITY]).facilitated_cohorts
    ):
        return None
    cohort_read = joined(read, *scopes)
    key = f"roadmaps:cohort-row:{pk}:{cohort_read}"
    cohort = cache.get(key)
    if cohort is None:
        cohort = Cohort.objects.filter(pk=pk).first()
        if cohort is None:
            return None
        cache.set(key, cohort, TIMEOUT_SECONDS)
    keep_cohort_versions(cohort, cohort_read)
    return cohort


def sees_roadmap(access: SessionAccess, roadmap: Roadmap) -> bool:
    """Whether a person (not an admin) with these facts sees the roadmap: an officer of its
    city, or a facilitator of its cohort (lead or thematic group), the rows of
    `roadmaps_visible_to`. The facts are the person's `sessions.selectors.SessionAccess`, kept
    under the version of every fact it holds (a change of membership or of facilitators raises
    it in the changing transaction)."""
    return roadmap.city_id in access.cities or roadmap.cohort_id in access.facilitated_cohorts


def roadmap_for_user(*, user, pk) -> Roadmap | None:
    """The roadmap `pk` with its cohort and city (and country) if this person may see it, else
    None (the page answers 404), as in `roadmaps_visible_to`.

    Decision: a page's one roadmap is read by its id and checked against the person's kept
    facts (`sees_roadmap`), as a session page's one session is. The list's query with its
    subqueries cost Django's compiler and PostgreSQL's planner 5 ms more than the plain read
    on every roadmap page at EU scale (measured 1 December 2026)."""
    if not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None  # an address with letters for the id names no roadmap
    # One query for the versions of the person's facts and of everything the roadmap's pages
    # show; the row itself (with its cohort, city and country) is kept under the latter.
    scopes = roadmap_scopes(pk)
    read = version_map(VISIBILITY, *scopes)
    roadmap_read = joined(read, *scopes)
    roadmap = _roadmap_kept(pk, roadmap_read)
    if roadmap is None:
        return None
    if not is_programme_admin(user) and not sees_roadmap(
        session_access_of(user, visibility=read[VISIBILITY]), roadmap
    ):
        return None
    keep_roadmap_versions(roadmap, roadmap_read)
    return roadmap


def roadmap_to_write(*, user, pk) -> Roadmap | None:
    """The roadmap `pk`, holding only its id, city and cohort, if this person may see it (as
    `roadmap_for_user` answers), else None: for the autosave, whose service reads the rest
    under the row's lock (roadmaps.services.roadmap_field_save).

    Why: an autosave comes at every pause in typing and each raises the roadmap's versions,
    so the row kept for the pages was read again every time (a third of an autosave on
    2 December 2026). A roadmap's city and cohort never change, so they are kept in the cache
    without a version; a roadmap deleted since is found missing under the lock."""
    if not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    key = _owner_key(pk)
    owner = cache.get(key)
    if owner is None:
        owner = Roadmap.objects.filter(pk=pk).order_by().values_list("city_id", "cohort_id").first()
        if owner is None:
            return None
        cache.set(key, owner, TIMEOUT_SECONDS)
    roadmap = Roadmap(pk=pk, city_id=owner[0], cohort_id=owner[1])
    if not is_programme_admin(user) and not sees_roadmap(
        session_access_of(user, visibility=version_map(VISIBILITY)[VISIBILITY]), roadmap
    ):
        return None
    return roadmap


def roadmap_to_write_presumed(*, user, pk) -> tuple[Roadmap, int | None] | None:
    """The roadmap `pk` as `roadmap_to_write` gives it, found with what the cache keeps alone
    (its city and cohort, and the person's facts under the version of them this process read
    last: sessions.selectors.session_access_presumed_key), with that version as a number; the
    version is None for a programme admin, who is asked no facts. None when anything is not
    kept, or the facts kept do not show the roadmap: the caller then goes the usual way
    (`roadmap_to_write`), which reads the version and answers.

    For the autosave's save in one statement on PostgreSQL (roadmaps.services
    `roadmap_field_save_presumed`), which writes only while that version is still the
    current one: it saves the read of the version, a round trip at every pause in typing."""
    if not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    owner_key = _owner_key(pk)
    if is_programme_admin(user):
        owner = cache.get(owner_key)
        if owner is None:
            return None
        return Roadmap(pk=pk, city_id=owner[0], cohort_id=owner[1]), None
    presumed = session_access_presumed_key(user)
    if presumed is None:
        return None
    access_key, visibility = presumed
    kept = cache.get_many([owner_key, access_key])
    owner, access = kept.get(owner_key), kept.get(access_key)
    if owner is None or access is None:
        return None
    roadmap = Roadmap(pk=pk, city_id=owner[0], cohort_id=owner[1])
    if not sees_roadmap(access, roadmap):
        return None
    try:
        version = int(visibility)
    except ValueError:
        return None
    session_access_presumed(user, access, visibility)
    return roadmap, version


def forget_roadmap_owner(pk: int) -> None:
    """Drop the kept city and cohort of `roadmap_to_write` (the roadmap is gone, or its id
    names another roadmap after a database restore)."""
    cache.delete(_owner_key(pk))


def _owner_key(pk: int) -> str:
    return f"roadmaps:owner:{pk}"


def _row_key(pk: int, read: str) -> str:
    return f"roadmaps:row:{pk}:{read}"


def _roadmap_kept(pk: int, read: str) -> Roadmap | None:
    """The roadmap's row with its cohort, city and country, kept in the cache under the versions
    of its scopes (`read`): its own scope is raised by every save of the row, REFERENCE by every
    change of the cohort, city or country shown with it."""
    key = _row_key(pk, read)
    roadmap = cache.get(key)
    if roadmap is None:
        # No ordering: the model's orders by its cohort's dates and its city's name, which the
        # compiler and the planner would work through for one row.
        roadmap = (
            Roadmap.objects.select_related("cohort", "city__country")
            .filter(pk=pk)
            .order_by()
            .first()
        )
        if roadmap is not None:
            cache.set(key, roadmap, TIMEOUT_SECONDS)
    return roadmap


def roadmap_values(*, roadmap: Roadmap) -> dict[str, RoadmapValue]:
    """The saved fields of the roadmap by key (a field never saved is absent)."""
    return {
        value.key: value
        for value in RoadmapValue.objects.filter(roadmap=roadmap).select_related("updated_by")
    }


def roadmap_history(*, roadmap: Roadmap, key: str | None = None) -> QuerySet[RoadmapChange]:
    """Every saved change of the roadmap (of one field when `key` is given), newest first."""
    changes = RoadmapChange.objects.filter(roadmap=roadmap).select_related("changed_by")
    if key is not None:
        changes = changes.filter(key=key)
    return changes.order_by("-changed_at", "-pk")


def roadmap_comments(*, roadmap: Roadmap) -> QuerySet[RoadmapComment]:
    return (
        RoadmapComment.objects.filter(roadmap=roadmap)
        .select_related("author")
        .order_by("section", "created_at", "pk")
    )


def section_opens_on(
    *, roadmap: Roadmap, today: datetime.date | None = None
) -> dict[str, datetime.date | None]:
    """For each section, the date it opens for editing; None when it is open already.

    A section opens on the first day of the cohort's phase it belongs to (Section.opens_with);
    a section without a phase, or whose phase the cohort does not have, is always open.
    """
    today = today or timezone.localdate()
    # By the cohort's id and without ordering: neither the cohort row nor a join is needed.
    starts = dict(
        Phase.objects.filter(cohort_id=roadmap.cohort_id)
        .order_by()
        .values_list("kind", "starts_on")
    )
    opens = {}
    for section in SECTIONS:
        starts_on = starts.get(section.opens_with) if section.opens_with else None
        opens[section.key] = starts_on if starts_on is not None and starts_on > today else None
    return opens


def climate_actions_for_roadmap(*, roadmap: Roadmap) -> QuerySet[ClimateAction]:
    """The climate actions Mission Cities presented in this cohort's sessions (not cancelled
    ones): the solutions a city may pick in Phase 2.1."""
    presented = SessionPresentation.objects.filter(session__cohort=roadmap.cohort_id).exclude(
        session__status=SessionStatus.CANCELLED
    )
    return (
        ClimateAction.objects.filter(pk__in=presented.values("climate_actions"))
        .select_related("city")
        .order_by("city__name", "title")
    )


def roadmap_reviewers(*, roadmap: Roadmap):
    """The facilitators told of the roadmap's submission: its cohort's lead facilitators and the
    facilitators of the thematic groups its city joined in the cohort, active, each once."""
    joined_groups = ThematicGroup.objects.filter(
        cohort_id=roadmap.cohort_id,
        enrolment_groups__enrolment__city_id=roadmap.city_id,
    )
    return (
        get_user_model()
        .objects.filter(
            Q(facilitated_cohorts=roadmap.cohort_id) | Q(facilitated_groups__in=joined_groups),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def roadmap_return_note(*, roadmap: Roadmap) -> RoadmapTransition | None:
    """The transition that returned the roadmap to the city, with its note, while it is
    returned; None otherwise."""
    if roadmap.status != RoadmapStatus.RETURNED:
        return None
    return (
        RoadmapTransition.objects.filter(roadmap=roadmap, to_status=RoadmapStatus.RETURNED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )


def roadmaps_of_cohort(*, cohort: Cohort) -> QuerySet[Roadmap]:
    """The cohort's roadmaps, one per enrolled city, for the facilitator's overview.

    One query: `is_started` says whether any field holds text (the ZIP leaves out those
    without: roadmaps.exports); "Not started" as a status is `Roadmap.is_not_started`.
    """
    started = RoadmapValue.objects.filter(roadmap=OuterRef("pk")).exclude(value="")
    return (
        Roadmap.objects.filter(cohort=cohort)
        .select_related("city__country")
        .annotate(is_started=Exists(started))
        .order_by("city__name")
    )


def roadmap_status_label(roadmap: Roadmap) -> str:
    """The status as every page shows it: Not started, Draft, Submitted, Returned, Completed
    (roadmaps.enums.RoadmapStatus); no query."""
    return roadmap.get_status_display()
