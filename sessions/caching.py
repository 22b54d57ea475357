"""What the cached parts of the session pages show, as data-version scopes (portal/fragments.py).

- `session_scope(pk)`: one session as its pages show it: its fields, facilitators, presenting
  cities and their climate actions, and its registrations and attendance. Bumped by every save
  or delete of those rows and every change of the two many-to-many lists (receivers below,
  connected from PeerSessionsConfig.ready), so the services, the Django admin and the shell are
  all covered; `attendance_record` bumps it itself for its bulk update.
- `SESSIONS`: every session at once, raised with each session's own scope: the API lists
  (sessions, registrations) span many sessions.
- `CITIES`: what the session pages show of the lower apps' cities: names, countries, which are
  Mission Cities, climate actions' titles. Rare changes, so one scope for every session.
- `NAMES`: the names a session page shows from the lower apps: its cohort's, phase's and
  thematic group's (with its sector), and its facilitators' (a person's name or email).
- `VISIBILITY`: the facts `sessions_visible_to` and `registrations_visible_to` read: who
  facilitates which cohort or thematic group, which cities are enrolled (accepted), who is an
  officer of which city, who is named on which session. A cached list is also keyed by the
  person and their admin flag, so this says when anyone's set of rows may have changed; each
  person's `selectors.SessionAccess` (what they see and run) is kept under it.
"""

import itertools

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from cities.models import City, CityMembership, ClimateAction, Country
from cohorts.models import Cohort, Enrolment, Phase, ThematicGroup
from portal.fragments import bump, bump_on_change
from sessions.models import Registration, Session, SessionPresentation
from taxonomy.models import ThematicSector

SESSIONS = "sessions:all"
CITIES = "sessions:cities"
VISIBILITY = "sessions:visibility"
NAMES = "sessions:names"

# What `User.get_full_name()` shows: a save of other fields only (sign-in's last_login, the
# language) leaves the pages as they were.
_SHOWN_USER_FIELDS = frozenset({"full_name", "email"})


# Counts the changes to VISIBILITY's facts made in this process, so that facts kept for the
# length of a request (`selectors.session_access_of`) are read again after the request itself
# changed them. `next()` on a count is atomic under the GIL.
_visibility_changes = itertools.count(1)
_visibility_change = 0


def _visibility_changed() -> None:
    global _visibility_change
    _visibility_change = next(_visibility_changes)


def visibility_change() -> int:
    """The number of the last change to VISIBILITY's facts made in this process."""
    return _visibility_change


def session_scope(pk: int) -> str:
    return f"session:{pk}"


def session_scopes(pk: int) -> tuple[str, str]:
    """What a change to session `pk` (or its rows) raises."""
    return (session_scope(pk), SESSIONS)


def _of_session(session):
    return session_scopes(session.pk)


def _of_row(row):
    return session_scopes(row.session_id)


def _of_city_data(instance):
    return [CITIES]


def _of_visibility(instance):
    _visibility_changed()
    return [VISIBILITY]


def _of_names(instance):
    return [NAMES]


def _of_user(user, update_fields=None):
    if update_fields is not None and not _SHOWN_USER_FIELDS & set(update_fields):
        return []
    return [NAMES]


def _on_visibility_list_change(sender, action, **kwargs):
    """A cohort's or a thematic group's facilitators were changed, from either side."""
    if action.startswith("post_"):
        _visibility_changed()
        bump(VISIBILITY)


def _on_list_change(sender, instance, action, reverse, pk_set, **kwargs):
    """A session's facilitators, or a presentation's climate actions, were changed."""
    facilitators = sender is Session.facilitators.through
    # Who is named on a session decides who sees and runs it.
    visibility = (VISIBILITY,) if facilitators else ()
    if facilitators:
        _visibility_changed()
    if not reverse:
        if action.startswith("post_"):
            bump(*session_scopes(instance.pk if facilitators else instance.session_id), *visibility)
        return
    # From the other side (a person's sessions, a climate action's presentations): `pk_set`
    # names the sessions or presentations; before a clear, every one the object is on.
    if action == "pre_clear":
        other = "user_id" if facilitators else "climateaction_id"
        side = "session_id" if facilitators else "sessionpresentation_id"
        pk_set = set(sender.objects.filter(**{other: instance.pk}).values_list(side, flat=True))
    elif action not in ("post_add", "post_remove"):
        return
    if not facilitators:
        pk_set = SessionPresentation.objects.filter(pk__in=pk_set).values_list(
            "session_id", flat=True
        )
    bump(SESSIONS, *visibility, *(session_scope(pk) for pk in set(pk_set)))


def _user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    scopes = _of_user(instance, update_fields)
    if scopes:
        bump(*scopes)


def _user_deleted(sender, instance, **kwargs):
    # Their links go with them without an m2m_changed signal: the sessions they facilitated
    # (lists of ids, who sees which) and the names shown.
    _visibility_changed()
    bump(NAMES, SESSIONS, VISIBILITY)


def connect() -> None:
    bump_on_change(Session, _of_session)
    bump_on_change(SessionPresentation, _of_row)
    bump_on_change(Registration, _of_row)
    for model in (City, Country, ClimateAction):
        bump_on_change(model, _of_city_data)
    for through in (Session.facilitators.through, SessionPresentation.climate_actions.through):
        m2m_changed.connect(
            _on_list_change, sender=through, dispatch_uid=f"sessions.caching:{through.__name__}"
        )
    for model in (Enrolment, CityMembership, ThematicGroup):
        bump_on_change(model, _of_visibility)
    for model in (Cohort, Phase, ThematicGroup, ThematicSector):
        bump_on_change(model, _of_names)
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="sessions.caching:user")
    post_delete.connect(
        _user_deleted, sender=get_user_model(), dispatch_uid="sessions.caching:user-deleted"
    )
    for through in (Cohort.facilitators.through, ThematicGroup.facilitators.through):
        m2m_changed.connect(
            _on_visibility_list_change,
            sender=through,
            dispatch_uid=f"sessions.caching:visibility:{through.__name__}",
        )
