"""Writes for sessions: scheduling, presenting cities, registration, attendance, calendar feeds.

Each service that acts for a person takes `acting_user=` and asks sessions/rules.py first
(`portal.permissions.permission_check`: a refusal is `PermissionRefused`, a 403 on pages and in
the API); what depends on the session's state as stored now (cancelled, started) is read again
inside the transaction and refused with a message (`ApplicationError`). Sessions record who
scheduled them (`created_by`) and who last changed them (`updated_by`).

Each service is one transaction. Emails to registered people are rows queued inside it
(notifications.services.notify), and are handed to Celery only once it commits.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import recipients_for
from cities.models import City, ClimateAction
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, Phase
from cohorts.versions import cohort_scopes
from notifications.services import notify
from portal.dates import long_date, time_range
from portal.errors import ApplicationError
from portal.fragments import bump
from portal.links import site_url
from portal.permissions import permission_check
from sessions import signals
from sessions.caching import session_scopes
from sessions.calendar_links import registration_calendar_url
from sessions.enums import Attendance, SessionKind, SessionStatus
from sessions.models import CalendarFeed, Registration, Session, SessionPresentation, new_feed_token

# Fields a facilitator types on the session form; session_update accepts any of them.
EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "title",
        "starts_at",
        "ends_at",
        "time_zone",
        "phase",
        "thematic_group",
        "meeting_url",
        "agenda",
        "guiding_questions",
    }
)

# Besides the times, the fields a calendar event shows (sessions.ics): changing one raises the
# session's revision, the event's SEQUENCE.
CALENDAR_FIELDS = ("title", "meeting_url")

_meeting_url_validator = URLValidator(schemes=["http", "https"])


# --- Scheduling -------------------------------------------------------------------------------


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ApplicationError(_("Choose a time zone from the list."), field="time_zone") from exc


def _in_zone(value: datetime.datetime, zone: ZoneInfo, *, field: str) -> datetime.datetime:
    """Read a wall-clock time typed in the session's zone; aware values are kept as they are."""
    if timezone.is_aware(value):
        return value
    aware = value.replace(tzinfo=zone)
    # A time skipped when the clocks go forward (e.g. 02:30 on the last Sunday of March in
    # Brussels) does not survive the round trip through UTC.
    if aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise ApplicationError(
            _("This time does not exist in %(zone)s: the clocks change then.") % {"zone": zone.key},
            field=field,
        )
    return aware


def session_slot_label(session: Session, *, zone: tzinfo | None = None) -> str:
    """The session's date and times in its own zone (or in `zone`), as pages write them:
    "4 December 2024, 10:00-11:30" (an en dash)."""
    zone = ZoneInfo(session.time_zone) if zone is None else zone
    return time_range(session.starts_at.astimezone(zone), session.ends_at.astimezone(zone))


def _check_slot(*, cohort: Cohort, starts_at, ends_at, exclude_pk: int | None = None) -> None:
    if ends_at <= starts_at:
        raise ApplicationError(_("The session must end after it starts."), field="ends_at")
    # Sessions of one cohort never overlap: cities join several groups and must be able to
    # attend every session. Touching slots (one ends as the next starts) are fine.
    clash = (
        Session.objects.filter(
            cohort=cohort,
            status=SessionStatus.SCHEDULED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk=exclude_pk)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            _("This slot overlaps '%(title)s' (%(when)s).")
            % {"title": clash.title, "when": session_slot_label(clash)},
            field="starts_at",
            code="overlap",
        )


def cohort_dates(cohort: Cohort) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a cohort: its own dates, stretched to its phases' (the cohort
    runs to the end of its last phase, even where its end date was typed earlier)."""
    phases = Phase.objects.filter(cohort=cohort).aggregate(
        first=Min("starts_on"), last=Max("ends_on")
    )
    first = min(day for day in (cohort.starts_on, phases["first"]) if day is not None)
    last = max(day for day in (cohort.ends_on, phases["last"]) if day is not None)
    return first, last


def _check_within_cohort(*, cohort: Cohort, starts_at, ends_at, zone: ZoneInfo) -> None:
    """Refuse a session that starts before its cohort or ends after it, by the days of the
    session's own time zone.

    Decision: refused, not only warned about: a session outside its cohort is a typing mistake
    (a wrong year or month) far more often than a plan, and its cities would be invited to a
    session of a cohort that has not begun or is over. The message names the cohort's dates,
    so a facilitator who means it asks the cohort's lead to move them first."""
    if cohort.starts_on is None or cohort.ends_on is None:
        return
    first, last = cohort_dates(cohort)
    if starts_at.astimezone(zone).date() < first or ends_at.astimezone(zone).date() > last:
        raise ApplicationError(
            _("%(cohort)s runs from %(first)s to %(last)s: choose a date in that time.")
            % {"cohort": cohort.name, "first": long_date(first), "last": long_date(last)},
            field="starts_at",
            code="outside_cohort",
        )


def _check_fields(*, cohort: Cohort, kind, title, meeting_url, phase, thematic_group) -> None:
    if kind not in SessionKind.values:
        raise ApplicationError(_("Choose the kind of session."), field="kind")
    if not (title or "").strip():
        raise ApplicationError(_("Give the session a title."), field="title")
    if meeting_url:
        try:
            _meeting_url_validator(meeting_url)
        except ValidationError as exc:
            raise ApplicationError(
                _("The meeting link must be a web address starting with http:// or https://."),
                field="meeting_url",
            ) from exc
    if phase is not None and phase.cohort_id != cohort.pk:
        raise ApplicationError(_("This phase belongs to another cohort."), field="phase")
    if thematic_group is not None and thematic_group.cohort_id != cohort.pk:
        raise ApplicationError(
            _("This thematic group belongs to another cohort."), field="thematic_group"
        )


def _lock_cohort(cohort: Cohort) -> None:
    # Two facilitators saving into the same slot at once: the second waits for the first and
    # then sees its session in the overlap check (PostgreSQL; SQLite serialises writes anyway).
    Cohort.objects.select_for_update().filter(pk=cohort.pk).first()


def session_create(
    *,
    cohort: Cohort,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    time_zone: str = "Europe/Brussels",
    phase=None,
    thematic_group=None,
    meeting_url: str = "",
    agenda: str = "",
    guiding_questions: str = "",
    facilitators: Iterable = (),
    presentations: Sequence | None = None,
    acting_user,
) -> Session:
    """Schedule a session. Naive times are wall-clock times in `time_zone`."""
    permission_check(acting_user, "peer_sessions.add_session", cohort)
    zone = _zone(time_zone)
    starts_at = _in_zone(starts_at, zone, field="starts_at")
    ends_at = _in_zone(ends_at, zone, field="ends_at")
    _check_fields(
        cohort=cohort,
        kind=kind,
        title=title,
        meeting_url=meeting_url,
        phase=phase,
        thematic_group=thematic_group,
    )
    with transaction.atomic():
        _lock_cohort(cohort)
        _check_within_cohort(cohort=cohort, starts_at=starts_at, ends_at=ends_at, zone=zone)
        _check_slot(cohort=cohort, starts_at=starts_at, ends_at=ends_at)
        session = Session.objects.create(
            cohort=cohort,
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=zone.key,
            phase=phase,
            thematic_group=thematic_group,
            meeting_url=meeting_url,
            agenda=agenda,
            guiding_questions=guiding_questions,
            created_by=acting_user,
            updated_by=acting_user,
        )
        session.facilitators.set(facilitators)
        if presentations is not None:
            _presentations_replace(session=session, presentations=presentations)
    return session


def session_update(
    *,
    session: Session,
    facilitators: Iterable | None = None,
    presentations: Sequence | None = None,
    acting_user,
    **fields,
) -> Session:
    """Change a scheduled session. Moving it (new start or end) emails everyone registered."""
    permission_check(acting_user, "peer_sessions.change_session", session)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"session_update() got unexpected fields: {sorted(unknown)}")
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("A cancelled session cannot be changed."))
    values = {name: fields.get(name, getattr(session, name)) for name in EDITABLE_FIELDS}
    zone = _zone(values["time_zone"])
    values["time_zone"] = zone.key
    values["starts_at"] = _in_zone(values["starts_at"], zone, field="starts_at")
    values["ends_at"] = _in_zone(values["ends_at"], zone, field="ends_at")
    values["title"] = (values["title"] or "").strip()
    _check_fields(
        cohort=session.cohort,
        kind=values["kind"],
        title=values["title"],
        meeting_url=values["meeting_url"],
        phase=values["phase"],
        thematic_group=values["thematic_group"],
    )
    with transaction.atomic():
        _lock_cohort(session.cohort)
        # Compared with the row as stored now, not as the caller read it: a cancellation or
        # another change made meanwhile is neither undone nor counted twice.
        stored = Session.objects.select_for_update().get(pk=session.pk)
        if stored.status == SessionStatus.CANCELLED:
            raise ApplicationError(_("A cancelled session cannot be changed."))
        moved = values["starts_at"] != stored.starts_at or values["ends_at"] != stored.ends_at
        if moved:
            # Only a move is checked: a session imported from before its cohort's dates were
            # set (or kept after they were changed) can still have its other fields edited.
            _check_within_cohort(
                cohort=session.cohort,
                starts_at=values["starts_at"],
                ends_at=values["ends_at"],
                zone=zone,
            )
        _check_slot(
            cohort=session.cohort,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            exclude_pk=session.pk,
        )
        seen_in_calendars = moved or any(
            values[name] != getattr(stored, name) for name in CALENDAR_FIELDS
        )
        for name, value in values.items():
            setattr(session, name, value)
        session.status = stored.status
        session.revision = stored.revision + 1 if seen_in_calendars else stored.revision
        session.updated_by = acting_user
        session.save(update_fields=[*sorted(EDITABLE_FIELDS), "revision", "updated_by"])
        if facilitators is not None:
            session.facilitators.set(facilitators)
        if presentations is not None:
            _presentations_replace(session=session, presentations=presentations)
        if moved:
            starts = session.starts_at.astimezone(datetime.UTC).isoformat()
            ends = session.ends_at.astimezone(datetime.UTC).isoformat()
            session_notice_queue(
                session=session, notice="moved", key=f"session:{session.pk}:moved:{starts}/{ends}"
            )
            signals.session_rescheduled.send(sender=Session, session=session)
    return session


def session_cancel(*, session: Session, acting_user) -> Session:
    """Cancel a session that has not started and email everyone registered. It stays listed,
    marked cancelled."""
    # Who may is a permission (403); whether the session can still be cancelled is read again
    # from the locked row, because someone may have cancelled it a moment ago: that is a
    # message for the person, not an error page. (`peer_sessions.cancel_session`, who and
    # state together, only decides whether the page offers the button.)
    permission_check(acting_user, "peer_sessions.change_session", session)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == SessionStatus.CANCELLED:
            raise ApplicationError(_("This session is already cancelled."), code="cancelled")
        if session.starts_at <= timezone.now():
            raise ApplicationError(
                _("This session has started: it can no longer be cancelled."), code="started"
            )
        session.status = SessionStatus.CANCELLED
        session.revision += 1
        session.updated_by = acting_user
        session.save(update_fields=["status", "revision", "updated_by"])
        session_notice_queue(
            session=session, notice="cancelled", key=f"session:{session.pk}:cancelled"
        )
        signals.session_cancelled.send(sender=Session, session=session)
    return session


@transaction.atomic
def session_record_outcome(
    *, session: Session, key_takeaways: str, requested_subtopics: str, acting_user
) -> Session:
    """Keep what a session brought: its key takeaways and the sub-topics cities asked for
    (they feed the technical support sessions)."""
    permission_check(acting_user, "peer_sessions.change_session", session)
    session.key_takeaways = key_takeaways.strip()
    session.requested_subtopics = requested_subtopics.strip()
    session.updated_by = acting_user
    session.save(update_fields=["key_takeaways", "requested_subtopics", "updated_by"])
    return session


def session_requested_subtopics_set(
    *, session: Session, requested_subtopics: str, acting_user
) -> Session:
    """Set the sub-topics cities asked for, alone (the outcome form sets them with the
    takeaways): feedback sends a technical session those its post-session surveys' respondents
    chose (feedback/subtopics.py). A cancelled session is refused."""
    permission_check(acting_user, "peer_sessions.change_session", session)
    text = (requested_subtopics or "").strip()
    limit = Session._meta.get_field("requested_subtopics").max_length
    if len(text) > limit:
        raise ApplicationError(
            _("The sub-topics can be at most %(max)d characters long (they have %(count)d).")
            % {"max": limit, "count": len(text)},
            field="requested_subtopics",
        )
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        if session.status == SessionStatus.CANCELLED:
            raise ApplicationError(_("This session was cancelled."), code="cancelled")
        session.requested_subtopics = text
        session.updated_by = acting_user
        session.save(update_fields=["requested_subtopics", "updated_by"])
    return session


# --- Presenting cities ------------------------------------------------------------------------


def session_set_presentations(
    *, session: Session, presentations: Sequence[tuple], acting_user
) -> list[SessionPresentation]:
    """Replace the presenting cities of a session, in the given order.

    Each item is `(city, climate action ids)` or `(city, climate action ids, topics)`. Only
    Mission Cities present, each only its own climate actions, at most 3 of them (000 §3.2).
    Errors name the item: field "presentations.<index>.city" or "...climate_actions".
    """
    permission_check(acting_user, "peer_sessions.change_session", session)
    with transaction.atomic():
        created = _presentations_replace(session=session, presentations=presentations)
        session.updated_by = acting_user
        session.save(update_fields=["updated_by"])
    return created


def _presentations_replace(*, session: Session, presentations: Sequence[tuple]):
    """session_set_presentations without the permission: a step of the services that checked
    it (session_create, session_update)."""
    seen: set[int] = set()
    rows = []
    for index, item in enumerate(presentations):
        city, action_ids = item[0], list(dict.fromkeys(int(pk) for pk in item[1]))
        topics = item[2] if len(item) > 2 else ""
        prefix = f"presentations.{index}"
        if city.pk in seen:
            raise ApplicationError(
                _("%(city)s is listed twice.") % {"city": city.name}, field=f"{prefix}.city"
            )
        seen.add(city.pk)
        if not city.is_mission_city:
            raise ApplicationError(
                _("Only Mission Cities present climate actions; %(city)s is not one.")
                % {"city": city.name},
                field=f"{prefix}.city",
            )
        if len(action_ids) > SessionPresentation.MAX_CLIMATE_ACTIONS:
            raise ApplicationError(
                _("A city can present at most %(max)d climate actions.")
                % {"max": SessionPresentation.MAX_CLIMATE_ACTIONS},
                field=f"{prefix}.climate_actions",
            )
        own = ClimateAction.objects.filter(city=city, pk__in=action_ids).count()
        if own != len(action_ids):
            raise ApplicationError(
                _("Choose climate actions of %(city)s only.") % {"city": city.name},
                field=f"{prefix}.climate_actions",
            )
        rows.append((city, action_ids, topics))
    with transaction.atomic():
        session.presentations.all().delete()
        created = []
        for position, (city, action_ids, topics) in enumerate(rows):
            presentation = SessionPresentation.objects.create(
                session=session, city=city, topics=topics, position=position
            )
            presentation.climate_actions.set(action_ids)
            created.append(presentation)
    return created


# --- Registration ------------------------------------------------------------------------------


def _check_registration_open(*, session: Session, city: City) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled."), code="cancelled")
    if session.starts_at <= timezone.now():
        raise ApplicationError(_("Registration is closed: the session has started."), code="closed")
    enrolled = Enrolment.objects.filter(
        cohort_id=session.cohort_id, city=city, status=EnrolmentStatus.ACCEPTED
    ).exists()
    if not enrolled:
        raise ApplicationError(
            _("%(city)s is not enrolled in this cohort.") % {"city": city.name},
            field="city",
            code="not_enrolled",
        )


def _clean_person(full_name: str, email: str, *, prefix: str) -> tuple[str, str]:
    full_name = (full_name or "").strip()
    email = (email or "").strip().lower()
    if not full_name:
        raise ApplicationError(_("Enter the person's name."), field=f"{prefix}full_name")
    # The columns' limits, checked here because not every caller has a form that checks them
    # (an imported report's people); the database would refuse them with an error page.
    name_max = Registration._meta.get_field("full_name").max_length
    if len(full_name) > name_max:
        raise ApplicationError(
            _("The name can be at most %(max)d characters long.") % {"max": name_max},
            field=f"{prefix}full_name",
        )
    try:
        if len(email) > Registration._meta.get_field("email").max_length:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError as exc:
        raise ApplicationError(_("Enter a valid email address."), field=f"{prefix}email") from exc
    return full_name, email


def _already_listed(email: str) -> str:
    return _("%(email)s is already registered for this session.") % {"email": email}


def _registration_add(*, session, city, full_name, email, acting_user, prefix, **extra):
    if Registration.objects.filter(session=session, email=email).exists():
        raise ApplicationError(_already_listed(email), field=f"{prefix}email", code="duplicate")
    try:
        with transaction.atomic():
            return Registration.objects.create(
                session=session,
                city=city,
                full_name=full_name,
                email=email,
                registered_by=acting_user,
                **extra,
            )
    except IntegrityError as exc:  # registered by someone else a moment ago
        raise ApplicationError(
            _already_listed(email), field=f"{prefix}email", code="duplicate"
        ) from exc


def registration_create(
    *, session: Session, city: City, full_name: str, email: str, acting_user
) -> Registration:
    """Register one person of an enrolled city for a session that has not started."""
    permission_check(acting_user, "peer_sessions.register_city", city)
    _check_registration_open(session=session, city=city)
    full_name, email = _clean_person(full_name, email, prefix="")
    with transaction.atomic():
        return _registration_add(
            session=session,
            city=city,
            full_name=full_name,
            email=email,
            acting_user=acting_user,
            prefix="",
        )


def registrations_create(
    *, session: Session, city: City, people: Sequence[tuple[str, str]], acting_user
) -> list[Registration]:
    """Register several people at once: all of them or, on any error, none.

    Errors name the person: field "people.<index>.full_name" or "people.<index>.email".
    """
    permission_check(acting_user, "peer_sessions.register_city", city)
    _check_registration_open(session=session, city=city)
    cleaned = []
    seen: set[str] = set()
    for index, (full_name, email) in enumerate(people):
        prefix = f"people.{index}."
        full_name, email = _clean_person(full_name, email, prefix=prefix)
        if email in seen:
            raise ApplicationError(
                _("%(email)s appears twice in the list.") % {"email": email},
                field=f"{prefix}email",
                code="duplicate",
            )
        seen.add(email)
        cleaned.append((prefix, full_name, email))
    if not cleaned:
        raise ApplicationError(_("Enter at least one person."), field="people.0.full_name")
    with transaction.atomic():
        return [
            _registration_add(
                session=session,
                city=city,
                full_name=full_name,
                email=email,
                acting_user=acting_user,
                prefix=prefix,
            )
            for prefix, full_name, email in cleaned
        ]


@transaction.atomic
def registration_delete(*, registration: Registration, acting_user) -> None:
    """Remove a registration of a scheduled session, before it starts. Afterwards, or once the
    session is cancelled, the list is the record of who was expected and who was told."""
    permission_check(acting_user, "peer_sessions.delete_registration", registration)
    # Locked so that a cancellation running at the same moment sees the list as it ends up.
    session = Session.objects.select_for_update().get(pk=registration.session_id)
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(
            _("This session was cancelled: its list of registered people is kept."),
            code="cancelled",
        )
    if session.starts_at <= timezone.now():
        raise ApplicationError(
            _("A registration can only be removed before the session starts."), code="closed"
        )
    registration.delete()


# --- Attendance --------------------------------------------------------------------------------


def _check_attendance_open(session: Session) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled."), code="cancelled")
    if session.starts_at > timezone.now():
        raise ApplicationError(
            _("Attendance can be recorded once the session has started."), code="not_started"
        )


def _clean_walk_ins(
    session: Session, walk_ins: Sequence[tuple[str, str, City | None]]
) -> list[tuple[str, str, str, City | None]]:
    """The walk-ins as (error prefix, name, email, city), checked: a name, a valid address, no
    address twice, a city enrolled (accepted) in the session's cohort or none."""
    enrolled = set(
        Enrolment.objects.filter(
            cohort_id=session.cohort_id, status=EnrolmentStatus.ACCEPTED
        ).values_list("city_id", flat=True)
    )
    cleaned = []
    seen: set[str] = set()
    for index, (full_name, email, city) in enumerate(walk_ins):
        prefix = f"walk_ins.{index}."
        full_name, email = _clean_person(full_name, email, prefix=prefix)
        if city is not None and city.pk not in enrolled:
            raise ApplicationError(
                _(
                    "%(city)s is not enrolled in this cohort: leave the city empty or choose one "
                    "of the cohort's cities."
                )
                % {"city": city.name},
                field=f"{prefix}city",
                code="not_enrolled",
            )
        if email in seen:
            raise ApplicationError(
                _("%(email)s appears twice in the list.") % {"email": email},
                field=f"{prefix}email",
            )
        seen.add(email)
        cleaned.append((prefix, full_name, email, city))
    return cleaned


def attendance_record(
    *,
    session: Session,
    marks: Mapping[int, str],
    walk_ins: Sequence[tuple[str, str, City | None]] = (),
    acting_user,
) -> None:
    """Record who attended and who did not show, and add the walk-ins.

    `marks` maps registration ids of this session to an Attendance value ("" clears it). A
    walk-in's city, if given, must be enrolled (accepted) in the session's cohort. Walk-in
    errors name the row: field "walk_ins.<index>.full_name", "...email" or "...city".
    """
    permission_check(acting_user, "peer_sessions.record_attendance", session)
    _check_attendance_open(session)
    for value in marks.values():
        if value not in Attendance.values:
            raise ApplicationError(_("Choose attended or no-show."), field="attendance")
    known = set(
        Registration.objects.filter(session=session, pk__in=list(marks)).values_list(
            "pk", flat=True
        )
    )
    if known != set(marks):
        raise ApplicationError(_("Some people are not on this session's list."))
    cleaned = _clean_walk_ins(session, walk_ins)
    with transaction.atomic():
        by_value: dict[str, list[int]] = {}
        for registration_id, value in marks.items():
            by_value.setdefault(value, []).append(registration_id)
        for value, ids in by_value.items():
            Registration.objects.filter(session=session, pk__in=ids).update(attendance=value)
        # A bulk update sends no post_save: the session's cached attendance list, and the
        # pages that count attendance per cohort (cohorts/versions.py), are told here.
        bump(*session_scopes(session.pk), *cohort_scopes(session.cohort_id))
        for prefix, full_name, email, city in cleaned:
            _registration_add(
                session=session,
                city=city,
                full_name=full_name,
                email=email,
                acting_user=acting_user,
                prefix=prefix,
                is_walk_in=True,
                attendance=Attendance.ATTENDED,
            )


@dataclass(frozen=True)
class AttendanceImported:
    """What `attendance_import` did: people it marked attended who were not before, people of
    the report already marked attended, and walk-ins it added."""

    marked: int
    already: int
    walk_ins: int


def attendance_import(
    *,
    session: Session,
    emails: Iterable[str],
    walk_ins: Sequence[tuple[str, str, City | None]] = (),
    acting_user,
) -> AttendanceImported:
    """Apply a meeting tool's attendance report (sessions.attendance_reports), as confirmed.

    Everyone on the session's list whose address is in `emails` (trimmed, in any case) is
    marked attended, whatever was recorded before (the report shows they were there); the
    others keep what they had. `walk_ins` are the report's people the facilitator chose to add
    (name, email, city or None), checked as on the attendance page (errors name the row:
    "walk_ins.<index>.<field>").

    Decision: the report's people are matched again here, against the list as it is now, not
    as the confirmation page showed it: a colleague may have added someone as a walk-in in
    between. A walk-in who is on the list by now is marked attended rather than refused as a
    duplicate, so confirming never fails for what the confirmation page could not know.
    """
    permission_check(acting_user, "peer_sessions.record_attendance", session)
    _check_attendance_open(session)
    cleaned = _clean_walk_ins(session, walk_ins)
    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    wanted |= {email for _prefix, _name, email, _city in cleaned}
    with transaction.atomic():
        listed = {
            email.strip().lower(): (pk, attendance)
            for pk, email, attendance in Registration.objects.select_for_update()
            .filter(session=session)
            .values_list("pk", "email", "attendance")
        }
        to_mark = [
            pk
            for email, (pk, attendance) in listed.items()
            if email in wanted and attendance != Attendance.ATTENDED
        ]
        already = sum(
            1
            for email, (_pk, attendance) in listed.items()
            if email in wanted and attendance == Attendance.ATTENDED
        )
        if to_mark:
            Registration.objects.filter(pk__in=to_mark).update(attendance=Attendance.ATTENDED)
        added = 0
        for prefix, full_name, email, city in cleaned:
            if email in listed:
                continue
            _registration_add(
                session=session,
                city=city,
                full_name=full_name,
                email=email,
                acting_user=acting_user,
                prefix=prefix,
                is_walk_in=True,
                attendance=Attendance.ATTENDED,
            )
            added += 1
        # As attendance_record: the bulk update sends no post_save.
        bump(*session_scopes(session.pk), *cohort_scopes(session.cohort_id))
    return AttendanceImported(marked=len(to_mark), already=already, walk_ins=added)


# --- Emails to registered people ---------------------------------------------------------------


def session_notice_queue(*, session: Session, notice: str, key: str) -> int:
    """Queue one notice per registered person (walk-ins came afterwards and are not told).

    `notice` names the templates emails/session_<notice>/: "moved" and "cancelled" here; the
    reminders add their own. Each person reads it in their account's language and time zone;
    someone registered without an account reads the portal's language and the session's own
    zone. Each email's key is `<key>:registration:<id>`, so the same notice never goes twice to
    one person, and its calendar link (`ics_url`) is that registration's signed one
    (sessions.calendar_links). The emails leave through Celery once the transaction commits.
    Return how many.
    """
    registrations = list(
        session.registrations.filter(is_walk_in=False).select_related("city").order_by("pk")
    )
    recipients = recipients_for(
        emails=[registration.email for registration in registrations],
        time_zone=session.time_zone,
    )
    context = {
        "session": session,
        "page_url": site_url(reverse("session_detail", args=[session.pk])),
    }
    for registration in registrations:
        notify(
            recipient=recipients[registration.email],
            template=f"session_{notice}",
            # The calendar link is the person's own signed one: it opens without an account.
            context={
                **context,
                "registration": registration,
                "ics_url": registration_calendar_url(registration),
            },
            key=f"{key}:registration:{registration.pk}",
        )
    return len(registrations)


# --- Calendar feed -----------------------------------------------------------------------------


def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    """The person's calendar feed, made on first use (their settings page, or a test)."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_reset(*, acting_user) -> CalendarFeed:
    """Give the acting person's feed a new secret address; the old one stops working at once."""
    permission_check(acting_user, "peer_sessions.reset_calendar_feed")
    with transaction.atomic():
        feed = calendar_feed_get_or_create(user=acting_user)
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
