"""Applying to Group Study Visits (issue 12, "Applications"): a city officer starts their
city's application to an open call, fills it in (visits ranked by preference, motivation,
spotlight challenge, delegates, the call's further questions), submits it before the call
closes, or withdraws it.

Services take `acting_user` and check visits/rules.py first; reads are the selectors at the
end. Whether the call is open (its status and window) is said here, with its own message.

Decision on starting twice: the call's row is locked while the city's application is looked
up and created, so two officers starting at once are served one after the other and the second
finds the first one's draft; the unique constraint (one application per city and call) stays
the last guard, and an IntegrityError there also answers with the existing draft.

Decision on the delegates' limit: a city is sent to one of the visits it ranked, so its
delegates must fit the smallest `delegates_per_city` among them (among all the call's visits
while none is ranked).
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.filters import CITY_TYPE_FIELDS
from cities.models import City
from cohorts.versions import CITIES, SECTORS
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, versions
from portal.permissions import permission_check
from roadmaps import template as roadmap_template
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapValue
from roadmaps.signals import StudyVisitLink
from sessions.selectors import session_access_of
from visits import signals
from visits.enums import ApplicationStatus, CallStatus
from visits.models import APPLICATION_TEXT_MAX, Application, Call, Delegate, Preference, Visit
from visits.selectors import eligible_cities
from visits.versions import call_scope

APPLY = "visits.apply"
CHANGE = "visits.change_application"

# 000 §2.2: what a completed roadmap is worth, said before the city applies.
ROADMAP_POINT = gettext_lazy(
    "A completed Reflection Roadmap gives your application 1 additional point"
)
# The roadmap field that holds the spotlight challenge: the first under "Challenge spotlight!".
SPOTLIGHT_KEY = roadmap_template.CHALLENGE_SPOTLIGHT_STARTS_AT


class ApplicationInvalid(ApplicationError):
    """Some fields of the draft were refused: `errors` maps each form field to its message.
    Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some answers need a change. Nothing was saved."), code="invalid")
        self.errors = errors


class ApplicationIncomplete(ApplicationError):
    """The application cannot be submitted yet: `missing` lists what is missing, in words."""

    def __init__(self, missing: list[str]):
        super().__init__(
            _("The application is not complete yet. Still missing:"), code="incomplete"
        )
        self.missing = missing


@dataclass
class DelegateEntry:
    name: str = ""
    role: str = ""
    email: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.role or self.email)


@dataclass
class ApplicationDraft:
    """What the form holds: the visits' ids in order of preference (first = 1), the texts, the
    delegates and the answers to the call's further questions."""

    preferences: list[int] = field(default_factory=list)
    motivation: str = ""
    spotlight_challenge: str = ""
    delegates: list[DelegateEntry] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)


# --- The state of a call and an application ---------------------------------------------------


def call_is_open(call: Call, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return call.status == CallStatus.OPEN and call.opens_at <= now < call.closes_at


def _check_open(call: Call, now: datetime.datetime) -> None:
    if call.status != CallStatus.OPEN:
        raise ApplicationError(_("This call is not open for applications."), code="not_open")
    if now < call.opens_at:
        raise ApplicationError(_("This call is not open for applications yet."), code="not_open")
    if now >= call.closes_at:
        raise ApplicationError(
            _("This call closed on %(when)s: applications can no longer be changed.")
            % {"when": date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")},
            code="closed",
        )


def application_is_editable(application: Application, now: datetime.datetime | None = None) -> bool:
    """A draft of a call that is open now. No query (the call is selected with it)."""
    return application.status == ApplicationStatus.DRAFT and call_is_open(application.call, now)


def _check_editable(application: Application, now: datetime.datetime) -> None:
    if application.status == ApplicationStatus.SUBMITTED:
        raise ApplicationError(
            _("This application is submitted: it can no longer be changed."),
            code="already_submitted",
        )
    if application.status == ApplicationStatus.WITHDRAWN:
        raise ApplicationError(
            _("This application was withdrawn: it can no longer be changed."), code="withdrawn"
        )
    _check_open(application.call, now)


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_related("call", "city")
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )


# --- Starting ---------------------------------------------------------------------------------


def _city_for(*, acting_user, call: Call, city: City | None) -> City:
    cities = list(eligible_cities(call).filter(memberships__user=acting_user))
    if city is not None:
        if city.pk not in {c.pk for c in cities}:
            raise ApplicationError(
                _("%(city)s may not apply to this call.") % {"city": city.name}, code="ineligible"
            )
        return city
    if len(cities) == 1:
        return cities[0]
    raise ApplicationError(
        _("Choose the city you apply for: you are an officer of several eligible cities."),
        code="choose_city",
    )


def application_start(
    *, acting_user, call: Call, city: City | None = None, existing_ok: bool = True
) -> Application:
    """Start the city's application to `call`, or return the one it has: one per city and call.

    A new one has its spotlight challenge prefilled from the city's Reflection Roadmap (of a
    cohort the call is open to). `city` may be left out when the person is an officer of one
    eligible city. `existing_ok=False` (the API's create) refuses a city that has applied
    already, naming its application, rather than returning it."""
    permission_check(
        acting_user, APPLY, call, message=_("Your city is not eligible for this call.")
    )
    city = _city_for(acting_user=acting_user, call=call, city=city)
    now = timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        existing = Application.objects.filter(call=call, city=city).first()
        if existing is not None:
            if not existing_ok:
                raise ApplicationError(
                    _(
                        "%(city)s has already applied to this call (application %(id)s): "
                        "change that application instead."
                    )
                    % {"city": city.name, "id": existing.pk},
                    code="already_applied",
                )
            return existing
        _check_open(call, now)
        try:
            with transaction.atomic():
                return Application.objects.create(
                    call=call,
                    city=city,
                    created_by=acting_user,
                    spotlight_challenge=spotlight_challenge_for(call=call, city=city),
                )
        except IntegrityError:
            # Started at the same moment without the lock (the unique constraint's guard).
            return Application.objects.get(call=call, city=city)


# --- Saving a draft ---------------------------------------------------------------------------


def delegates_limit(visits: list[Visit], preferences: list[int]) -> int:
    """The most delegates the city may name (module docstring)."""
    ranked = [visit for visit in visits if visit.pk in set(preferences)] or visits
    return min((visit.delegates_per_city for visit in ranked), default=0)


def _text_error(value: str) -> str | None:
    if len(value) > APPLICATION_TEXT_MAX:
        return _("Write at most %(max)s characters (you wrote %(count)s).") % {
            "max": APPLICATION_TEXT_MAX,
            "count": len(value),
        }
    return None


def draft_errors(*, call: Call, visits: list[Visit], draft: ApplicationDraft) -> dict[str, str]:
    """What is wrong with `draft`, by form field (forms_applying names them); {} when valid."""
    errors: dict[str, str] = {}
    by_pk = {visit.pk: visit for visit in visits}
    seen: dict[int, int] = {}
    for position, visit_pk in enumerate(draft.preferences, start=1):
        if visit_pk not in by_pk:
            errors[f"choice_{position}"] = _("Choose one of the visits this call offers.")
        elif visit_pk in seen:
            errors[f"choice_{position}"] = _(
                "You ranked “%(visit)s” twice (choices %(first)s and %(again)s): rank each visit "
                "at most once."
            ) % {"visit": by_pk[visit_pk], "first": seen[visit_pk], "again": position}
        else:
            seen[visit_pk] = position
    for name in ("motivation", "spotlight_challenge"):
        problem = _text_error(getattr(draft, name))
        if problem:
            errors[name] = problem
    limit = delegates_limit(visits, draft.preferences)
    named = [entry for entry in draft.delegates if not entry.is_empty]
    if len(named) > limit:
        errors["delegates"] = _(
            "A city may send at most %(limit)s delegates to the visits you ranked: you named "
            "%(count)s."
        ) % {"limit": limit, "count": len(named)}
    for index, entry in enumerate(draft.delegates):
        if entry.is_empty:
            continue
        if not entry.name:
            errors[f"delegate-{index}-name"] = _("Give the delegate's name.")
        if not entry.email:
            errors[f"delegate-{index}-email"] = _("Give the delegate's email address.")
        else:
            try:
                validate_email(entry.email)
            except ValidationError:
                errors[f"delegate-{index}-email"] = _("“%(email)s” is not an email address.") % {
                    "email": entry.email
                }
        for part in ("name", "role", "email"):
            if len(getattr(entry, part)) > 200 and f"delegate-{index}-{part}" not in errors:
                errors[f"delegate-{index}-{part}"] = _("Write at most 200 characters.")
    keys = {question["key"] for question in call.questions}
    for key, value in draft.answers.items():
        if key not in keys:
            errors[f"question-{key}"] = _("This call does not ask this question.")
        else:
            problem = _text_error(value)
            if problem:
                errors[f"question-{key}"] = problem
    return errors


def application_save(
    *, acting_user, application: Application, draft: ApplicationDraft
) -> Application:
    """Save the draft as it is (incomplete is fine; invalid is refused whole: ApplicationInvalid,
    nothing saved)."""
    permission_check(acting_user, CHANGE, application)
    now = timezone.now()
    with transaction.atomic():
        application = _lock(application)
        _check_editable(application, now)
        visits = list(application_visits(call=application.call))
        errors = draft_errors(call=application.call, visits=visits, draft=draft)
        if errors:
            raise ApplicationInvalid(errors)
        application.motivation = draft.motivation
        application.spotlight_challenge = draft.spotlight_challenge
        application.answers = {key: value for key, value in draft.answers.items() if value}
        application.save(
            update_fields=["motivation", "spotlight_challenge", "answers", "updated_at"]
        )
        # Replaced whole: the ranks are unique per application, so renumbering in place would
        # collide with itself.
        application.preferences.all().delete()
        Preference.objects.bulk_create(
            Preference(application=application, visit_id=visit_pk, rank=rank)
            for rank, visit_pk in enumerate(draft.preferences, start=1)
        )
        application.delegates.all().delete()
        Delegate.objects.bulk_create(
            Delegate(
                application=application,
                name=entry.name,
                role=entry.role,
                email=entry.email,
                position=position,
            )
            for position, entry in enumerate(
                entry for entry in draft.delegates if not entry.is_empty
            )
        )
    return application


# --- Submitting and withdrawing ---------------------------------------------------------------


def missing_for_submission(application: Application) -> list[str]:
    """What the application still lacks, in the form's words (three queries)."""
    missing = []
    if not application.preferences.exists():
        missing.append(_("At least one visit ranked by preference"))
    if not application.motivation.strip():
        missing.append(_("Motivation"))
    if not application.spotlight_challenge.strip():
        missing.append(_("Spotlight challenge"))
    if not application.delegates.exists():
        missing.append(_("At least one delegate"))
    for question in application.call.questions:
        if (
            question.get("required")
            and not str(application.answers.get(question["key"], "")).strip()
        ):
            missing.append(question["text"])
    return missing


def application_submit(*, acting_user, application: Application) -> Application:
    """Submit the draft before the call closes; ApplicationIncomplete lists what is missing.
    Sends `application_submitted`."""
    permission_check(acting_user, CHANGE, application)
    now = timezone.now()
    with transaction.atomic():
        application = _lock(application)
        _check_editable(application, now)
        missing = missing_for_submission(application)
        if missing:
            raise ApplicationIncomplete(missing)
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = now
        application.submitted_by = acting_user
        application.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        signals.application_submitted.send(sender=Application, application=application)
    return application


def application_withdraw(*, acting_user, application: Application) -> Application:
    """Withdraw the application (a draft or a submitted one; also after the call closed: a
    place it held goes to the next city on the waitlist). Sends `application_withdrawn`."""
    permission_check(acting_user, CHANGE, application)
    now = timezone.now()
    with transaction.atomic():
        application = _lock(application)
        if application.status == ApplicationStatus.WITHDRAWN:
            raise ApplicationError(
                _("This application is already withdrawn."), code="already_withdrawn"
            )
        application.status = ApplicationStatus.WITHDRAWN
        application.withdrawn_at = now
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])
        signals.application_withdrawn.send(sender=Application, application=application)
    return application


# --- Reads ------------------------------------------------------------------------------------


def application_visits(*, call: Call) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(call=call)
        # The country too: a host city is shown as "Name (ISO code)".
        .select_related("host_city__country", "sector")
        .order_by("starts_on", "pk")
    )


def spotlight_challenge_for(*, call: Call, city: City) -> str:
    """The spotlight challenge as the city wrote it in a Reflection Roadmap ("" if it never
    did): from its roadmap in one of the call's cohorts (a completed one first, then the newest
    cohort), else from its roadmap of another cohort (the same order). One query.

    Decision: a city's challenge is its own, not a cohort's. An officer applying to a call
    for a cohort whose roadmap they have not started yet finds the challenge they wrote in an
    earlier cohort, not an empty box to retype it in."""
    in_call = Case(
        When(roadmap__cohort__in=call.eligible_cohorts.values("pk"), then=Value(0)),
        default=Value(1),
    )
    completed = Case(When(roadmap__status=RoadmapStatus.ACCEPTED, then=Value(0)), default=Value(1))
    return (
        RoadmapValue.objects.filter(roadmap__city=city, key=SPOTLIGHT_KEY)
        .exclude(value="")
        .order_by(in_call, completed, "-roadmap__cohort__starts_on", "-roadmap__pk")
        .values_list("value", flat=True)
        .first()
        or ""
    )


def roadmap_completed_for(*, call: Call, city: City) -> bool:
    """Whether the city's roadmap in one of the call's cohorts is completed (accepted)."""
    return Roadmap.objects.filter(
        city=city, cohort__in=call.eligible_cohorts.all(), status=RoadmapStatus.ACCEPTED
    ).exists()


def roadmap_completed_of_application() -> RawSQL:
    """`roadmap_completed_for` as a condition on Application (its call and city), for a page
    that asks it in the query that reads the application (the outermost query: it names the
    application's table).

    Decision: written as SQL, once (`_roadmap_completed_sql`). As an ORM Exists (the roadmap,
    its cohort, the call's cohorts), building it took longer than the whole read of the
    application without it (1.2 ms against 1.0 ms of CPU on the application page, 2 December
    2026), and the page reads little else when its form is kept in the cache."""
    return RawSQL(_roadmap_completed_sql(), [RoadmapStatus.ACCEPTED], output_field=BooleanField())


@functools.cache
def _roadmap_completed_sql() -> str:
    quote = connection.ops.quote_name
    cohorts = Call.eligible_cohorts.through._meta
    application = quote(Application._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {quote(Roadmap._meta.db_table)} r"
        f" JOIN {quote(cohorts.db_table)} c ON c.{quote(cohorts.get_field('cohort').column)}"
        f" = r.{quote(Roadmap._meta.get_field('cohort').column)}"
        f" WHERE r.{quote(Roadmap._meta.get_field('city').column)} = {application}.city_id"
        f" AND c.{quote(cohorts.get_field('call').column)} = {application}.call_id"
        f" AND r.{quote(Roadmap._meta.get_field('status').column)} = %s)"
    )


def visits_ranked_by(*, application: Application) -> list[Visit]:
    """The call's visits (as `application_visits`), each with `rank`: where `application`
    ranks it, None when it does not. One query for the visits and the preferences together:
    a preference is always of one of the call's visits (`draft_errors`)."""
    return list(
        application_visits(call=application.call).annotate(
            chosen=FilteredRelation(
                "preferences", condition=Q(preferences__application_id=application.pk)
            ),
            rank=F("chosen__rank"),
        )
    )


def application_for_page(application: Application, *, visits: list[Visit]) -> Application:
    """The application with what its page shows: the visits it ranked, in order, from the
    call's `visits` read with `visits_ranked_by`, and its delegates (one query)."""
    application.ranked_visits = sorted(
        (visit for visit in visits if visit.rank is not None), key=lambda visit: visit.rank
    )
    # Ordered here, not by the model's ordering: that one starts with the application, which
    # made the query join the application's table for nothing.
    application.delegate_rows = list(
        Delegate.objects.filter(application_id=application.pk).order_by("position", "pk")
    )
    return application


def application_page_key(application: Application, *, editable: bool) -> str:
    """The key of what the application's page keeps in the cache (its form, or its answers):
    the versions of the call's visits and questions (`visits.versions.call_scope`), the cities'
    and countries' names and the sectors' (one query); the application's `updated_at`, which
    every save of its draft, with its preferences and delegates in the same transaction
    (`application_save`), and every change of its status renews; and whether the form is
    shown. Nothing in it depends on who reads it beyond that: the form's CSRF token is filled
    in per request."""
    return "|".join(
        (
            versions(call_scope(application.call_id), CITIES, SECTORS),
            str(application.pk),
            application.updated_at.isoformat(),
            "form" if editable else "answers",
        )
    )


def city_type_allows(call: Call, city: City) -> bool:
    """Whether the city holds one of the call's city types (any, when the call lists none);
    no query."""
    fields = [CITY_TYPE_FIELDS[t] for t in call.eligible_city_types if t in CITY_TYPE_FIELDS]
    return not fields or any(getattr(city, name) for name in fields)


@dataclass(frozen=True)
class OpenCall:
    """An open call a city may apply to (the officer's home page, the roadmap's Phase 4), with
    the city's application when it has one."""

    call_id: int
    title: str
    closes_at: datetime.datetime
    city: City
    application_id: int | None = None
    application_status: str = ""

    @property
    def action_url(self) -> str:
        """The application's page, or the address that starts it (a POST)."""
        if self.application_id is not None:
            return reverse("visit_application", args=[self.application_id])
        return reverse("visit_call_apply", args=[self.call_id])


def open_calls_for(
    *, cities: list[City], cohorts_of: dict[int, set[int]], now: datetime.datetime
) -> list[OpenCall]:
    """The calls open now that each of `cities` may apply to, soonest to close first, each with
    the city's application: one query (none without an accepted cohort). `cohorts_of`: each
    city's cohorts (accepted enrolments), which the caller has loaded already."""
    cohort_ids = set().union(*cohorts_of.values()) if cohorts_of else set()
    if not cities or not cohort_ids:
        return []
    by_city = {city.pk: city for city in cities}
    rows = (
        Call.objects.filter(
            status=CallStatus.OPEN,
            opens_at__lte=now,
            closes_at__gt=now,
            eligible_cohorts__in=cohort_ids,
        )
        .annotate(
            cohort_id=F("eligible_cohorts"),
            own=FilteredRelation("applications", condition=Q(applications__city_id__in=by_city)),
        )
        .values_list(
            "pk",
            "title",
            "closes_at",
            "eligible_city_types",
            "cohort_id",
            "own__pk",
            "own__city_id",
            "own__status",
        )
        .order_by("closes_at", "pk")
    )
    calls: dict[int, dict] = {}
    for pk, title, closes_at, types, cohort_id, app_pk, app_city, app_status in rows:
        found = calls.setdefault(
            pk,
            {"title": title, "closes_at": closes_at, "types": types, "cohorts": set(), "apps": {}},
        )
        found["cohorts"].add(cohort_id)
        if app_pk is not None:
            found["apps"][app_city] = (app_pk, app_status)
    listed = []
    for pk, found in calls.items():
        probe = Call(eligible_city_types=found["types"])
        for city in cities:
            if not (cohorts_of.get(city.pk, set()) & found["cohorts"]):
                continue
            if not city_type_allows(probe, city):
                continue
            app_pk, app_status = found["apps"].get(city.pk, (None, ""))
            listed.append(
                OpenCall(
                    call_id=pk,
                    title=found["title"],
                    closes_at=found["closes_at"],
                    city=city,
                    application_id=app_pk,
                    application_status=app_status,
                )
            )
    return listed


def roadmap_visit_links(*, roadmap: Roadmap, user) -> list[StudyVisitLink]:
    """Phase 4 of the roadmap (roadmaps.signals.roadmap_visit_calls): for the city's officers,
    the calls open now to the roadmap's cohort, "Apply" or "Continue the application"; one query
    (none for anyone else: the officer's cities are the facts the page has read already)."""
    if not user.is_authenticated or roadmap.city_id not in session_access_of(user).cities:
        return []
    found = open_calls_for(
        cities=[roadmap.city], cohorts_of={roadmap.city_id: {roadmap.cohort_id}}, now=timezone.now()
    )
    links = []
    for open_call in found:
        if open_call.application_id is None:
            text = _("Apply to “%(call)s”") % {"call": open_call.title}
        else:
            text = _("Continue the application to “%(call)s”") % {"call": open_call.title}
        links.append(
            StudyVisitLink(
                text=text,
                url=open_call.action_url,
                post=open_call.application_id is None,
                note=str(ROADMAP_POINT),
            )
        )
    return links


def next_call_moment(*, now: datetime.datetime, data_version: str):
    """The next moment an open call opens or closes (None: none ahead), kept in the cache under
    the calls' data version and read again once it has passed: the home page's list of open
    calls stays as it was until then (home.selectors.home_page_key)."""
    key = f"visits:next-moment:{data_version}"
    kept = cache.get(key)
    if kept is not None and (kept[0] is None or now < kept[0]):
        return kept[0]
    found = Call.objects.filter(status=CallStatus.OPEN).aggregate(
        next_open=Min("opens_at", filter=Q(opens_at__gt=now)),
        next_close=Min("closes_at", filter=Q(closes_at__gt=now)),
    )
    moments = [m for m in (found["next_open"], found["next_close"]) if m is not None]
    moment = min(moments) if moments else None
    cache.set(key, (moment,), TIMEOUT_SECONDS)
    return moment
