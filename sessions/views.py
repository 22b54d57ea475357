import calendar
import datetime
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Min
from django.db.models.query import EmptyQuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.rules import is_programme_admin
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map, versions
from portal.permissions import PermissionRefused, object_for, permission_check
from sessions import ics, services
from sessions import signals as session_signals
from sessions.caching import CITIES, NAMES, SESSIONS, VISIBILITY, session_scope
from sessions.enums import Attendance, SessionKind, SessionStatus
from sessions.filters import SessionFilter
from sessions.forms import (
    MAX_WALK_IN_ROWS,
    AttendanceForm,
    AttendanceReportForm,
    OutcomeForm,
    PersonFormSet,
    PresentationFormSet,
    RegistrationForm,
    ReportDecisionsForm,
    SessionForm,
    WalkInFormSet,
    report_signed,
    report_unsigned,
    session_form_media,
)
from sessions.models import Session
from sessions.selectors import (
    calendar_feed_by_token,
    cities_enrolled_in,
    cities_registrable_by,
    cohort_pages_of,
    cohort_schedulable_by,
    cohorts_schedulable_by,
    counts_of,
    registration_by_calendar_signature,
    registrations_of_own_cities,
    registrations_of_session,
    registrations_visible_to,
    report_matched,
    session_access_of,
    session_visible_to,
    session_with_programme,
    sessions_listed,
    sessions_of_user_cohorts,
    sessions_visible_to,
)


def _session(request, pk):
    """The session if this person may see it; otherwise 404, whatever the reason.

    What they may do with it is asked once per request: by the service a POST reaches (its
    PermissionRefused is the 403), or by the page itself when it only shows a form
    (`_may_show_form`).
    """
    session = session_visible_to(user=request.user, pk=pk)
    if session is None:
        raise Http404
    return session


def _session_and_versions(request, pk, *scopes):
    """`_session`, for a page with cached parts: the versions of `scopes` (its parts) are read
    in one query with the version of the person's kept facts (VISIBILITY), which finding the
    session asks, before the session's row, as `versions` reads them before the data."""
    found = version_map(VISIBILITY, *scopes)
    session = session_visible_to(user=request.user, pk=pk, visibility=found[VISIBILITY])
    if session is None:
        raise Http404
    return session, found


def _may_show_form(request, permission, obj) -> None:
    """403 unless this person holds `permission`: asked by a form page before it shows the form
    (a GET, or a POST stopped before the service by invalid input, shown again with its errors).
    A POST that reaches the service is asked there, not here as well."""
    permission_check(request.user, permission, obj)


def _show_error(error: ApplicationError, form, formsets: dict) -> None:
    """Put a domain error next to the field it names, so the person sees what to fix.

    Fields of a formset row are named "<formset>.<index>.<field>"; `formsets` maps a name to
    the formset and the list of the row indexes the service was given (blank rows are skipped).
    """
    if error.field and error.field.count(".") == 2:
        name, index, field = error.field.split(".")
        if name in formsets:
            formset, rows = formsets[name]
            row = formset.forms[rows[int(index)]]
            row.add_error(field if field in row.fields else None, error.message)
            return
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _wall_clock(session, value):
    return timezone.localtime(value, ZoneInfo(session.time_zone)).replace(tzinfo=None)


# --- The sessions page -------------------------------------------------------------------------

SESSION_LIST_PAGE_SIZE = 25


def _person_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _month_asked(value: str | None, *, today: datetime.date) -> tuple[datetime.date, bool]:
    """The first day of the month `?month=YYYY-MM` names, and whether it was understood; this
    month when it is not given or not understood."""
    this_month = today.replace(day=1)
    if not value:
        return this_month, True
    try:
        year, month = (int(part) for part in value.split("-"))
        first = datetime.date(year, month, 1)
    except ValueError:
        return this_month, False
    # The calendar links to the month before and after: both must be dates too.
    if not datetime.MINYEAR < year < datetime.MAXYEAR:
        return this_month, False
    return first, True


def _month_weeks(first: datetime.date, sessions, zone: ZoneInfo) -> list[list[dict]]:
    """The month's weeks, Monday first, each day with its sessions (in the person's zone);
    the days of the neighbouring months that fill the first and last weeks have none."""
    by_day: dict[datetime.date, list] = {}
    for session in sessions:
        by_day.setdefault(timezone.localtime(session.starts_at, zone).date(), []).append(session)
    return [
        [
            {
                "date": day,
                "in_month": day.month == first.month,
                "sessions": by_day.get(day, []) if day.month == first.month else [],
            }
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=31)).replace(day=1)


@login_required
@require_GET
def session_list(request):
    """The sessions the person sees (`sessions_visible_to`), filtered by cohort, kind and
    thematic group (the API's filters, `sessions.filters.SessionFilter`): as a list, upcoming
    first and past below, in pages; or as a month (`?view=month&month=YYYY-MM`), a calendar
    with each day's sessions. Times are in the person's time zone.

    A filter that does not validate shows its message at the field and no sessions, rather
    than a list that silently ignores it.

    The page below the title is kept in the cache, keyed by the person (their id and admin
    flag: which sessions, cohorts and buttons are theirs), their time zone, the language, the
    full address (filters, view, month, page) and the month shown, and the versions of what it
    shows: the sessions and registrations (SESSIONS), who sees what (VISIBILITY) and the
    cohorts', groups' and sectors' names (NAMES), read in one query. The list also depends on
    the time (upcoming or past): it is kept until the soonest upcoming session it orders
    starts. On a hit nothing but the versions is read.
    """
    user = request.user
    zone = _person_zone(user)
    now = timezone.now()
    month = None
    if request.GET.get("view") == "month":
        month, understood = _month_asked(
            request.GET.get("month"), today=timezone.localdate(now, zone)
        )
        if not understood:
            messages.error(
                request,
                _("Give the month as a year and a month, such as 2025-02. Showing this month."),
            )
    found = version_map(SESSIONS, VISIBILITY, NAMES)
    key = cache_key(
        "sessions:list",
        [
            get_language(),
            get_script_prefix(),
            request.get_full_path(),
            user.pk,
            is_programme_admin(user),
            zone.key,
            month,
            joined(found, SESSIONS, VISIBILITY, NAMES),
        ],
    )
    kept = cache.get(key)
    if kept is None or (kept[0] is not None and now >= kept[0]):
        kept = _session_list_body(
            request, zone=zone, now=now, month=month, visibility=found[VISIBILITY]
        )
        cache.set(key, kept, TIMEOUT_SECONDS)
    return render(request, "sessions/session_list.html", {"body": mark_safe(kept[1])})


def _session_list_body(request, *, zone, now, month, visibility) -> tuple:
    """The sessions page's body, and the moment until which it holds (None: whatever the
    time), read and drawn afresh."""
    user = request.user
    filterset = SessionFilter(request.GET, queryset=sessions_visible_to(user=user), request=request)
    valid = filterset.is_valid()
    own_cities = session_access_of(user, visibility=visibility).cities
    sessions = sessions_listed(
        filterset.qs if valid else filterset.queryset.none(), now=now, own_cities=own_cities
    )
    context = {
        "filter_form": filterset.form,
        "month_view": month is not None,
        "zone": zone.key,
        "is_officer": bool(own_cities),
    }
    valid_until = None
    if month is not None:
        starts = datetime.datetime.combine(month, datetime.time(), tzinfo=zone)
        ends = datetime.datetime.combine(_next_month(month), datetime.time(), tzinfo=zone)
        rows = list(
            sessions.filter(starts_at__gte=starts, starts_at__lt=ends).order_by("starts_at", "pk")
        )
        context |= {
            "month": month,
            "weeks": _month_weeks(month, rows, zone),
            "weekdays": [(WEEKDAYS[day], WEEKDAYS_ABBR[day]) for day in range(7)],
            "previous_month": (month - datetime.timedelta(days=1)).strftime("%Y-%m"),
            "next_month": _next_month(month).strftime("%Y-%m"),
        }
    else:
        page_obj = Paginator(sessions, SESSION_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page_obj.object_list)
        upcoming = [session for session in rows if session.starts_at >= now]
        context |= {
            "page_obj": page_obj,
            "upcoming": upcoming,
            "past": [session for session in rows if session.starts_at < now],
        }
        # The order holds until the soonest upcoming session of the whole list starts: on the
        # first page it is the first row.
        if page_obj.number == 1:
            valid_until = upcoming[0].starts_at if upcoming else None
        else:
            valid_until = sessions.filter(starts_at__gte=now).aggregate(soonest=Min("starts_at"))[
                "soonest"
            ]
    context["viewable_cohorts"] = _viewable_cohorts(user, rows)
    context |= _scheduling(user, filterset.form.cleaned_data.get("cohort") if valid else None)
    return valid_until, render_to_string("sessions/_list_body.html", context, request=request)


def _viewable_cohorts(user, sessions) -> set[int]:
    """The ids of the listed sessions' cohorts whose page the person may open."""
    return cohort_pages_of(user) & {session.cohort_id for session in sessions}


def _scheduling(user, cohort_id: int | None) -> dict:
    """What the page offers for scheduling a session: a link to the form of the filtered
    cohort when the person may schedule in it, otherwise the cohorts they may schedule in (a
    choice sent to the same form); nothing for people who schedule nowhere."""
    if cohort_id is not None:
        cohort = cohort_schedulable_by(user=user, pk=cohort_id)
        if cohort is not None:
            return {"schedule_cohort": cohort}
    return {
        "schedulable_cohorts": list(cohorts_schedulable_by(user=user).values_list("pk", "name"))
    }


# --- Session pages -----------------------------------------------------------------------------


@login_required
def session_detail(request, pk):
    session, found = _session_and_versions(request, pk, session_scope(pk), CITIES, NAMES)
    user = request.user
    own_registrations = registrations_of_own_cities(user=user, session=session)
    if isinstance(own_registrations, EmptyQuerySet):
        # No city of theirs: the template's test of an empty queryset would still have the ORM
        # build its whole query (columns, joins, ordering) before finding it empty.
        own_registrations = ()
    can_register = user.has_perm("peer_sessions.add_registration", session)
    # The people their cities registered are the same for everyone who is an officer of the
    # same cities: kept in the cache under those cities, the session's registrations (its
    # scope), the cities' names, and whether the page offers to register more.
    cities = session_access_of(user).cities
    own_key = (
        f"{joined(found, session_scope(pk), CITIES)}:{sorted(cities)}:{can_register}"
        if cities
        else None
    )

    def programme():
        # Read only when the cached part is drawn afresh.
        programme = session_with_programme(Session.objects.filter(pk=session.pk)).get()
        # Everyone who sees the session sees its headcount; the names stay with the
        # facilitators (attendance page) and each city's officers (their own people).
        programme.counts = counts_of(programme)
        return programme

    return render(
        request,
        "sessions/session_detail.html",
        {
            "session": session,
            "programme": programme,
            "programme_versions": joined(found, session_scope(pk), CITIES, NAMES),
            # The cohort's name is a link for those who may open its page (the facts above).
            "cohort_linked": session.cohort_id in cohort_pages_of(user),
            "own_registrations": own_registrations,
            "own_registrations_key": own_key,
            "can_change": user.has_perm("peer_sessions.change_session", session),
            # Asked only where the page shows it: among what those who may change it see.
            "can_cancel": lambda: user.has_perm("peer_sessions.cancel_session", session),
            "can_register": can_register,
            "is_past": session.starts_at <= timezone.now(),
            # A technical session's sub-topics, with where they came from (the hook, asked
            # only when the page draws them).
            "subtopics_sources": (
                functools.cache(lambda: _subtopics_sources(session, user))
                if session.kind == SessionKind.TECHNICAL_SUPPORT
                else ()
            ),
        },
    )


def _subtopics_sources(session, user) -> list:
    """Where the technical session's requested sub-topics came from, as the apps above say
    (sessions.signals.session_subtopics_sources; feedback answers)."""
    sources = []
    for _receiver, answer in session_signals.session_subtopics_sources.send(
        sender=Session, session=session, user=user
    ):
        sources.extend(answer or ())
    return sources


def _presentation_initial(programme):
    return [
        {
            "city": presentation.city,
            "climate_actions": list(presentation.climate_actions.all()),
            "topics": presentation.topics,
        }
        for presentation in programme().presentations.all()
    ]


def _session_form_page(request, *, cohort, found, session=None):
    """The create and edit pages: the session's fields and up to three presenting cities.

    Scheduling needs `peer_sessions.add_session` on the cohort, editing
    `peer_sessions.change_session` on the session: asked by the service on a valid POST, by
    this page when it shows the form. `found`: the versions read with the person's facts
    (`version_map`), those of NAMES and CITIES, and of the session when there is one."""
    presentation_initial = None
    if session is not None:
        # The session's facilitators and presenting cities are read only when the form is
        # drawn afresh or checked: as first shown, its markup may come from the cache.
        programme = functools.cache(
            lambda: session_with_programme(Session.objects.filter(pk=session.pk)).get()
        )
        presentation_initial = SimpleLazyObject(lambda: _presentation_initial(programme))

    def initial():
        if session is None:
            return None
        return {
            "kind": session.kind,
            "title": session.title,
            # The ids: a choice field draws and compares the id of its initial object.
            "phase": session.phase_id,
            "thematic_group": session.thematic_group_id,
            "time_zone": session.time_zone,
            "starts_at": _wall_clock(session, session.starts_at),
            "ends_at": _wall_clock(session, session.ends_at),
            "meeting_url": session.meeting_url,
            "agenda": session.agenda,
            "guiding_questions": session.guiding_questions,
            "facilitators": lambda: list(programme().facilitators.all()),
        }

    data = request.POST if request.method == "POST" else None
    asked_by_service = False

    def session_form():
        return SessionForm(data, cohort=cohort, initial=initial())

    # As first drawn, the fields may come from the cache: then the form (its fields, their
    # querysets, the session's values) is never built.
    form = session_form() if data is not None else SimpleLazyObject(session_form)
    presentations = PresentationFormSet(data, prefix="presentations", initial=presentation_initial)
    if data is not None and form.is_valid() and presentations.is_valid():
        rows = [
            index
            for index, row in enumerate(presentations.forms)
            if row.cleaned_data.get("city") or row.cleaned_data.get("climate_actions")
        ]
        items = []
        for index in rows:
            row = presentations.forms[index].cleaned_data
            if row.get("city") is None:
                presentations.forms[index].add_error("city", _("Choose the presenting city."))
            items.append(
                (row.get("city"), [a.pk for a in row["climate_actions"]], row.get("topics", ""))
            )
        if not any(presentations.forms[i].errors for i in rows):
            fields = dict(form.cleaned_data)
            facilitators = fields.pop("facilitators")
            asked_by_service = True
            try:
                if session is None:
                    session = services.session_create(
                        cohort=cohort,
                        facilitators=facilitators,
                        presentations=items,
                        acting_user=request.user,
                        **fields,
                    )
                    messages.success(request, _("Session scheduled."))
                else:
                    services.session_update(
                        session=session,
                        facilitators=facilitators,
                        presentations=items,
                        acting_user=request.user,
                        **fields,
                    )
                    messages.success(request, _("Session saved."))
            except ApplicationError as error:
                _show_error(error, form, {"presentations": (presentations, rows)})
            else:
                return redirect("session_detail", pk=session.pk)
    # Scheduling: `cohort_schedulable_by` found the cohort from the same facts the rule
    # `peer_sessions.add_session` asks (a programme admin, or a facilitator of the cohort:
    # leading it or one of its thematic groups), kept with the person; asking the rule again
    # would read them from the database (tests/sessions/test_selectors.py holds the two equal).
    if not asked_by_service and session is not None:
        _may_show_form(request, "peer_sessions.change_session", session)
    scopes = [CITIES] if session is None else [CITIES, session_scope(session.pk)]
    return render(
        request,
        "sessions/session_form.html",
        {
            "form": form,
            "form_is_bound": data is not None,
            # The form's widgets' scripts and styles, known without building it.
            "form_media": session_form_media(),
            "presentations": presentations,
            "cohort": cohort,
            "session": session,
            # The key of both cached parts, used when the form is shown as first drawn (the
            # fields show names, the rows cities).
            "form_versions": joined(found, NAMES, *scopes),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    try:
        cohort_id = int(request.GET.get("cohort", ""))
    except ValueError as exc:
        raise Http404 from exc
    found = version_map(VISIBILITY, NAMES, CITIES)
    cohort = cohort_schedulable_by(user=request.user, pk=cohort_id, visibility=found[VISIBILITY])
    if cohort is None:
        raise Http404
    return _session_form_page(request, cohort=cohort, found=found)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session, found = _session_and_versions(request, pk, NAMES, CITIES, session_scope(pk))
    return _session_form_page(request, cohort=session.cohort, found=found, session=session)


@login_required
@require_POST
def session_cancel(request, pk):
    session = _session(request, pk)
    # Who may cancel is the service's 403; whether the session can still be cancelled (a second
    # click, a colleague who cancelled it a moment ago, a session that has started) is the
    # service's answer too, shown as a message on the session page.
    try:
        services.session_cancel(session=session, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Session cancelled. Everyone registered is told by email."))
    return redirect("session_detail", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_outcome(request, pk):
    session = _session(request, pk)
    form = OutcomeForm(
        request.POST or None,
        initial={
            "key_takeaways": session.key_takeaways,
            "requested_subtopics": session.requested_subtopics,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.session_record_outcome(
            session=session, acting_user=request.user, **form.cleaned_data
        )
        messages.success(request, _("Takeaways and requested sub-topics saved."))
        return redirect("session_detail", pk=session.pk)
    _may_show_form(request, "peer_sessions.change_session", session)
    return render(request, "sessions/session_outcome.html", {"session": session, "form": form})


# --- Registration ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_register(request, pk):
    session = _session(request, pk)
    cities = cities_registrable_by(user=request.user, session=session)
    if not cities.exists():
        # Facilitators and admins see the session, but are no officer of a city to register.
        # Which city may be registered, and whether the session is still open, is the service's
        # question (peer_sessions.register_city, then a message).
        raise PermissionRefused
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data, cities=cities)
    people = PersonFormSet(data, prefix="people")
    if data is not None and form.is_valid() and people.is_valid():
        rows = [index for index, row in enumerate(people.forms) if row.is_filled()]
        try:
            created = services.registrations_create(
                session=session,
                city=form.cleaned_data["city"],
                people=[
                    (
                        people.forms[i].cleaned_data["full_name"],
                        people.forms[i].cleaned_data["email"],
                    )
                    for i in rows
                ],
                acting_user=request.user,
            )
        except ApplicationError as error:
            _show_error(error, form, {"people": (people, rows or [0])})
        else:
            messages.success(
                request,
                _("Registered: %(names)s.") % {"names": ", ".join(r.full_name for r in created)},
            )
            return redirect("session_register", pk=session.pk)
    registrations = registrations_of_session(session=session).filter(
        city__in=cities_registrable_by(user=request.user, session=session).values("pk")
    )
    return render(
        request,
        "sessions/session_register.html",
        {
            "session": session,
            "form": form,
            "people": people,
            "registrations": registrations,
            "is_open": request.user.has_perm("peer_sessions.add_registration", session),
        },
    )


@login_required
@require_POST
def registration_delete(request, pk, registration_pk):
    registration = object_for(
        request.user,
        registrations_visible_to(user=request.user).select_related("session"),
        session_id=pk,
        pk=registration_pk,
    )
    try:
        services.registration_delete(registration=registration, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is no longer registered.") % {"name": registration.full_name}
        )
    return redirect("session_register", pk=pk)


# --- Attendance --------------------------------------------------------------------------------


def _with_walk_in_row(data):
    """The posted attendance form with one more empty walk-in row, or None when the form
    already holds MAX_WALK_IN_ROWS rows (or its row count was tampered with)."""
    try:
        total = int(data.get("walk_ins-TOTAL_FORMS", ""))
    except ValueError:
        return None
    if not 0 <= total < MAX_WALK_IN_ROWS:
        return None
    data = data.copy()
    data["walk_ins-TOTAL_FORMS"] = str(total + 1)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    """Record who attended: each registered person's mark, the walk-ins, or everyone at once.

    The form's three buttons: "Save attendance"; "Mark everyone registered as attended" (the
    same service, every registered person marked attended, with the walk-ins typed); and "Add
    another walk-in", which saves nothing and shows the form again as typed, with one more
    empty row (up to MAX_WALK_IN_ROWS; with JavaScript the row is added in the page,
    static/js/sessions/walk-ins.js).
    """
    session, found = _session_and_versions(request, pk, CITIES, session_scope(pk))

    @functools.cache
    def registrations():
        return list(registrations_of_session(session=session))

    def attendance_form():
        registered = [r for r in registrations() if not r.is_walk_in]
        return AttendanceForm(data, registrations=registered)

    data = request.POST if request.method == "POST" else None
    adding_row = data is not None and "add_walk_in" in data
    row_limit_reached = False
    if adding_row:
        more = _with_walk_in_row(data)
        row_limit_reached = more is None
        data = more if more is not None else data
    # Shown as first drawn, the list may come from the cache: then neither the registrations
    # nor the form's field per person are needed.
    form = attendance_form() if data is not None else SimpleLazyObject(attendance_form)

    def walk_in_formset():
        return WalkInFormSet(
            data,
            prefix="walk_ins",
            cities=cities_enrolled_in(cohort_id=session.cohort_id),
        )

    # Likewise the empty walk-in rows and their management form.
    walk_ins = walk_in_formset() if data is not None else SimpleLazyObject(walk_in_formset)
    if adding_row and not row_limit_reached:
        # The new row takes the focus, so that the page opens where the person types next.
        walk_ins.forms[-1].fields["full_name"].widget.attrs["autofocus"] = True
    asked_by_service = False
    if not adding_row and data is not None and form.is_valid() and walk_ins.is_valid():
        rows = [index for index, row in enumerate(walk_ins.forms) if row.is_filled()]
        mark_all = "mark_all" in data
        marks = (
            {registration.pk: Attendance.ATTENDED for registration in form.registrations}
            if mark_all
            else form.marks()
        )
        asked_by_service = True
        try:
            services.attendance_record(
                session=session,
                marks=marks,
                walk_ins=[
                    (
                        walk_ins.forms[i].cleaned_data["full_name"],
                        walk_ins.forms[i].cleaned_data["email"],
                        walk_ins.forms[i].cleaned_data["city"],
                    )
                    for i in rows
                ],
                acting_user=request.user,
            )
        except ApplicationError as error:
            _show_error(error, form, {"walk_ins": (walk_ins, rows)})
        else:
            messages.success(
                request,
                _("Everyone registered is marked as attended.")
                if mark_all
                else _("Attendance saved."),
            )
            return redirect("session_attendance", pk=session.pk)
    if not asked_by_service:
        _may_show_form(request, "peer_sessions.record_attendance", session)
    return render(
        request,
        "sessions/session_attendance.html",
        {
            "session": session,
            "form": form,
            "form_is_bound": data is not None,
            "walk_ins": walk_ins,
            "max_walk_in_rows": MAX_WALK_IN_ROWS,
            "row_limit_reached": row_limit_reached,
            "walk_in_rows": lambda: [r for r in registrations() if r.is_walk_in],
            # Read only when the cached counts are drawn afresh.
            "counts": functools.cache(lambda: counts_of(session)),
            "has_started": session.starts_at <= timezone.now(),
            # Read with the person's facts: the counts and the list show the session's
            # registrations and cities; the walk-in rows offer the cohort's enrolled cities.
            "page_versions": joined(found, CITIES, session_scope(pk), VISIBILITY),
        },
    )


# --- Importing a meeting tool's attendance report ----------------------------------------------


def _report_matched(session, report):
    return report_matched(session=session, people=report.people, without_email=report.without_email)


def _import_confirmation(request, session, report, *, match=None, form=None):
    """The confirmation page of an import: who will be marked attended, who already is, and a
    decision for each person on no list."""
    if match is None:
        match = _report_matched(session, report)
    if form is None:
        form = ReportDecisionsForm(
            initial={
                "report": report_signed(session_id=session.pk, report=report),
                **{f"city_{index}": pk for index, pk in match.suggested_cities.items()},
            },
            unmatched=match.unmatched,
            cities=cities_enrolled_in(cohort_id=session.cohort_id),
        )
    return render(
        request,
        "sessions/session_attendance_import_confirm.html",
        {"session": session, "report": report, "match": match, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance_import(request, pk):
    """Upload a meeting tool's attendance report (sessions.attendance_reports): a valid file
    answers with the confirmation page; nothing is saved before it is confirmed."""
    session = _session(request, pk)
    # No service is reached on this page: reading the file saves nothing.
    _may_show_form(request, "peer_sessions.record_attendance", session)
    has_started = session.starts_at <= timezone.now()
    # A cancelled session took no attendance: its report is not read (the service would
    # refuse it on confirmation).
    is_cancelled = session.status == SessionStatus.CANCELLED
    data = request.POST if request.method == "POST" else None
    form = AttendanceReportForm(data, request.FILES if data is not None else None)
    if data is not None and has_started and not is_cancelled and form.is_valid():
        return _import_confirmation(request, session, form.cleaned_data["report"])
    return render(
        request,
        "sessions/session_attendance_import.html",
        {
            "session": session,
            "form": form,
            "has_started": has_started,
            "is_cancelled": is_cancelled,
        },
    )


@login_required
@require_POST
def session_attendance_import_confirm(request, pk):
    """Apply a confirmed import through services.attendance_import, or show the confirmation
    again with what to correct."""
    session = _session(request, pk)
    report = report_unsigned(session_id=session.pk, value=request.POST.get("report", ""))
    if report is None:
        _may_show_form(request, "peer_sessions.record_attendance", session)
        messages.error(
            request,
            _("This confirmation has expired or was changed. Upload the report again."),
        )
        return redirect("session_attendance_import", pk=session.pk)
    match = _report_matched(session, report)
    form = ReportDecisionsForm(
        request.POST,
        unmatched=match.unmatched,
        cities=cities_enrolled_in(cohort_id=session.cohort_id),
    )
    if form.is_valid():
        chosen = form.walk_ins()
        try:
            result = services.attendance_import(
                session=session,
                emails=[person.email for person in report.people],
                walk_ins=[walk_in for _index, walk_in in chosen],
                acting_user=request.user,
            )
        except ApplicationError as error:
            _show_import_error(error, form, chosen)
        else:
            messages.success(
                request,
                _(
                    "Report imported: %(marked)d marked as attended, %(already)d already were, "
                    "%(walk_ins)d added as walk-ins."
                )
                % {"marked": result.marked, "already": result.already, "walk_ins": result.walk_ins},
            )
            return redirect("session_attendance", pk=session.pk)
    else:
        _may_show_form(request, "peer_sessions.record_attendance", session)
    return _import_confirmation(request, session, report, match=match, form=form)


def _show_import_error(error: ApplicationError, form, chosen) -> None:
    """Put the service's message at the person's city when it names a walk-in's city (a city
    no longer enrolled), otherwise above the form."""
    if error.field and error.field.startswith("walk_ins.") and error.field.endswith(".city"):
        index = chosen[int(error.field.split(".")[1])][0]
        form.add_error(f"city_{index}", error.message)
        return
    form.add_error(None, error.message)


# --- Calendar ----------------------------------------------------------------------------------


def _calendar(sessions, *, dtstamp, name=None) -> str:
    events = [
        ics.session_event(
            session,
            site_url=settings.SITE_URL,
            page_path=reverse("session_detail", args=[session.pk]),
        )
        for session in sessions
    ]
    return ics.calendar(events, dtstamp=dtstamp, name=name)


def _calendar_response(body: str, *, filename=None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def session_ics(request, pk):
    session = _session(request, pk)
    return _calendar_response(
        _calendar([session], dtstamp=timezone.now()), filename=f"session-{session.pk}.ics"
    )


@never_cache
def registration_calendar(request, pk, signature):
    """A registered person's .ics of their session, from the signed link in their emails: no
    sign-in, since many registered people have no account (sessions.calendar_links says why
    the link never expires). A wrong signature, or a registration since removed, answers 404;
    a cancelled session answers with its cancelled event, so calendars drop it."""
    registration = registration_by_calendar_signature(pk=pk, signature=signature)
    if registration is None:
        raise Http404
    session = registration.session
    return _calendar_response(
        _calendar([session], dtstamp=timezone.now()), filename=f"session-{session.pk}.ics"
    )


@never_cache
def calendar_feed(request, token):
    """A person's calendar feed. The secret address is the credential: calendar apps fetch it
    without signing in. A reset address answers 404."""
    feed = calendar_feed_by_token(token=token)
    if feed is None or not feed.user.is_active:
        raise Http404
    # The events are kept per person: the sessions of their cohorts (SESSIONS, VISIBILITY),
    # written with the calendar's name in the request's language and the pages' addresses.
    key = cache_key(
        "calendar-feed",
        (
            feed.user_id,
            versions(SESSIONS, VISIBILITY),
            get_language(),
            get_script_prefix(),
            settings.SITE_URL,
        ),
    )
    body = cache.get(key)
    if body is None:
        sessions = sessions_of_user_cohorts(user=feed.user).order_by("starts_at", "pk")
        body = _calendar(sessions, name=_("City peer-learning sessions"), dtstamp=ics.UNSTAMPED)
        cache.set(key, body, TIMEOUT_SECONDS)
    return _calendar_response(ics.stamped(body, dtstamp=timezone.now()))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    if request.method == "POST":
        services.calendar_feed_reset(acting_user=request.user)
        messages.success(
            request, _("Your calendar feed has a new address. The old address no longer works.")
        )
        return redirect("calendar_settings")
    feed = services.calendar_feed_get_or_create(user=request.user)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    return render(request, "sessions/calendar_settings.html", {"feed_url": feed_url})
