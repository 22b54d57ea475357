"""The data-version scopes of what the roadmap pages' cached parts show (portal/fragments.py).

- `roadmap_scope(pk)`: one roadmap as its pages show it: its row (status, share complete, last
  change), its saved fields, its history of changes, its comments and its status changes.
- `cohort_scope(pk)`: the cohort's roadmaps as the overview and its summary show them: each
  roadmap's row and its saved fields (the scores, the climate action chosen and its rating).
- `ROADMAPS`: every roadmap's row at once (status, share complete, last change), for the API's
  list (/api/v1/roadmaps/), which spans cohorts; raised with each roadmap's own scope.
- `REFERENCE`: what the roadmap pages show from the lower apps, and the NetZeroCities services:
  the cities' and countries' names, the cohorts' names, their phases (when a section opens) and
  enrolled cities, the sessions and their presented climate actions (what a city may choose),
  the climate actions' titles, and people's names (who saved, who commented). These change
  rarely compared with how often the pages are read, so one scope holds them all.

Every save or delete of those rows raises the scopes in the changing transaction (post_save
and post_delete, so the services, the Django admin and the shell are all covered), and so
does a change of a presentation's climate actions (m2m_changed). A person's save raises
REFERENCE only when their name or email changed (signing in saves `last_login`); deleting a
person raises it too: the rows that named them now show nobody, and Django sets those links to
NULL without a signal.

Which roadmaps a person sees (roadmaps.selectors.roadmaps_visible_to: who is an officer of which
city, who facilitates which cohort or thematic group) is the sessions app's `VISIBILITY` scope
(sessions/caching.py), raised by every change to those rows from either side.

Decision: an autosave (roadmaps.services._field_write) writes the field's row, its history row
and the roadmap's last change as SQL without signals (roadmaps.statements) and raises the
roadmap's and the cohort's scopes and ROADMAPS (the list shows the last change) itself, in one
statement (`value_scopes`).
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from cities.models import City, ClimateAction, Country
from cohorts.models import Cohort, Enrolment, Phase
from portal.fragments import bump, bump_on_change, bumps_made, versions
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapTransition,
    RoadmapValue,
)
from sessions.models import Session, SessionPresentation

REFERENCE = "roadmaps:reference"
ROADMAPS = "roadmaps:all"

# What `User.get_full_name()` shows.
_SHOWN_USER_FIELDS = frozenset({"full_name", "email"})


def roadmap_scope(pk: int) -> str:
    return f"roadmap:{pk}"


def cohort_scope(pk: int) -> str:
    return f"roadmaps:cohort:{pk}"


def roadmap_versions(roadmap: Roadmap) -> str:
    """The versions of everything a roadmap's own pages show: one query, or none when they were
    read with the roadmap (roadmaps.selectors.roadmap_for_user: `keep_roadmap_versions`) and
    this process has changed nothing since."""
    kept = getattr(roadmap, "_versions_read", None)
    if kept is not None and kept[0] == bumps_made():
        return kept[1]
    return versions(*roadmap_scopes(roadmap.pk))


def roadmap_scopes(pk: int) -> tuple[str, str]:
    """The scopes of `roadmap_versions`, in their order."""
    return (roadmap_scope(pk), REFERENCE)


def keep_roadmap_versions(roadmap: Roadmap, read: str) -> None:
    """Keep on the roadmap the versions of `roadmap_scopes` read with it, for its page."""
    roadmap._versions_read = (bumps_made(), read)


def cohort_versions(cohort: Cohort) -> str:
    """The versions of everything the cohort overview shows: one query, or none when they were
    read with the cohort (roadmaps.selectors.roadmap_cohort_run_by) and this process has
    changed nothing since."""
    kept = getattr(cohort, "_roadmap_versions_read", None)
    if kept is not None and kept[0] == bumps_made():
        return kept[1]
    return versions(*cohort_scopes(cohort.pk))


def cohort_scopes(pk: int) -> tuple[str, str]:
    """The scopes of `cohort_versions`, in their order."""
    return (cohort_scope(pk), REFERENCE)


def keep_cohort_versions(cohort: Cohort, read: str) -> None:
    """Keep on the cohort the versions of `cohort_scopes` read with it, for its overview."""
    cohort._roadmap_versions_read = (bumps_made(), read)


def _of_roadmap(roadmap):
    return (roadmap_scope(roadmap.pk), cohort_scope(roadmap.cohort_id), ROADMAPS)


def value_scopes(roadmap_id: int, cohort_id: int | None) -> list[str]:
    """The scopes a change of one of the roadmap's saved fields raises: the field save
    (roadmaps.services._field_write, which writes without signals) raises them itself."""
    scopes = [roadmap_scope(roadmap_id), ROADMAPS]
    if cohort_id is not None:  # None: the roadmap is being deleted with it
        scopes.append(cohort_scope(cohort_id))
    return scopes


def _of_value(value):
    # The services set the value's roadmap (no query); any other path reads its cohort.
    if RoadmapValue.roadmap.is_cached(value):
        cohort_id = value.roadmap.cohort_id
    else:
        cohort_id = (
            Roadmap.objects.filter(pk=value.roadmap_id).values_list("cohort_id", flat=True).first()
        )
    return value_scopes(value.roadmap_id, cohort_id)


def _of_roadmap_row(row):
    return (roadmap_scope(row.roadmap_id),)


def _of_reference(instance):
    return (REFERENCE,)


def _user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not _SHOWN_USER_FIELDS & set(update_fields):
        return
    bump(REFERENCE)


def _user_deleted(sender, instance, **kwargs):
    bump(REFERENCE)


def _presented_actions_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        bump(REFERENCE)


def connect() -> None:
    """Raise the scopes on every change of their rows (RoadmapsConfig.ready)."""
    bump_on_change(Roadmap, _of_roadmap)
    bump_on_change(RoadmapValue, _of_value)
    for model in (RoadmapChange, RoadmapComment, RoadmapTransition):
        bump_on_change(model, _of_roadmap_row)
    for model in (
        City,
        Country,
        Cohort,
        Phase,
        Enrolment,
        Session,
        SessionPresentation,
        ClimateAction,
        NetZeroCitiesService,
    ):
        bump_on_change(model, _of_reference)
    m2m_changed.connect(
        _presented_actions_changed,
        sender=SessionPresentation.climate_actions.through,
        dispatch_uid="roadmaps.scopes:presented-actions",
    )
    user = get_user_model()
    post_save.connect(_user_saved, sender=user, dispatch_uid="roadmaps.scopes:user")
    post_delete.connect(_user_deleted, sender=user, dispatch_uid="roadmaps.scopes:user-deleted")
