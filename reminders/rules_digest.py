"""The weekly digest to each facilitator: who is behind in the cohorts they facilitate.

Timing.WEEKLY: the offset is minutes after Monday 00:00 in the facilitator's own zone
(User.time_zone), 480 (Monday 08:00) by default, so a facilitator in Montreal and one in
Lisbon each get it at 08:00 their time.

Decisions:
- One digest a week: the key's occurrence is the ISO week of its Monday ("2026-W49"), whatever
  the offset. A change of the time on the rules page applies from the next digest not yet
  planned (rows are planned 24 hours ahead), and never sends a second digest the same week.
  Several offsets make no sense for a weekly digest: the earliest is used.
- A digest more than a day late (no worker ran) is no longer wanted, and the next evaluation
  cancels it: the following Monday's is fresher. A person who becomes a facilitator in the
  middle of the week gets their first digest on the next Monday.
- Facilitators are those who lead a cohort or facilitate one of its thematic groups
  (cohorts.selectors.cohorts_facilitated_by), hold the facilitator role and are active, of a
  cohort running on the digest's Monday (starts_on <= that day <= ends_on, in their zone).
  Planning reads them with their zones and their cohorts' dates in one query (a UNION of the
  two paths) and computes each send time in Python.
- The content is read when the digest is sent, so it is fresh: for each running cohort, the
  sessions of the last four weeks whose attendance nobody recorded (as the facilitator's home
  page counts them: people registered, none of them marked; a session nobody registered for,
  a cancelled one and an imported one with its reported headcount have nothing to mark), the
  cities whose roadmap is not started (a draft at 0%, of a city still enrolled), and the
  named surveys of the cohort open now (its own, its sessions', and its programme's, counted
  within the cohort) with the cities or people who have not answered.
- Its queries are bounded, not constant: five, and one more per open named survey and cohort
  it concerns. It runs once per facilitator per week, off any request.
- Nobody behind: no digest, the row is cancelled with "Nobody is behind." An email that says
  nothing every week teaches people not to read it.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import CityMembership
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, ThematicGroup
from cohorts.selectors import cohorts_facilitated_by
from feedback.enums import ResponseUnit, SurveyScope
from feedback.models import Survey
from feedback.results import not_answered
from notifications.enums import ReminderKind
from notifications.services import Cancel, Rendered
from portal.links import site_url
from reminders.catalogue import Planned, Rule, Setting, Timing, key_parts, minutes, register
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from sessions.enums import Attendance, SessionStatus
from sessions.models import Registration, Session

# How far back the digest looks for sessions whose attendance was not recorded.
SESSIONS_SINCE = datetime.timedelta(weeks=4)
# A digest not sent this long after its time is no longer sent (module docstring).
LATE_BY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(weeks=1)


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def latest_digest(
    *, offset: int, zone: zoneinfo.ZoneInfo, until: datetime.datetime
) -> tuple[datetime.date, datetime.datetime]:
    """The Monday and the time of the latest digest due by `until`: Monday 00:00 in `zone`
    plus `offset` minutes (wall-clock time: 08:00 stays 08:00 across a change of summer
    time)."""
    local = until.astimezone(zone)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    while True:
        moment = datetime.datetime.combine(
            monday, datetime.time(0), tzinfo=zone
        ) + datetime.timedelta(minutes=offset)
        if moment <= until:
            return monday, moment
        monday -= datetime.timedelta(days=7)


def _facilitations():
    """(user id, email, time zone, cohort start, cohort end) of every active facilitator's
    cohorts, leading them or one of their thematic groups: one query."""
    person = {"user__is_active": True, "user__is_facilitator": True}
    leads = Cohort.facilitators.through.objects.filter(**person).values_list(
        "user_id", "user__email", "user__time_zone", "cohort__starts_on", "cohort__ends_on"
    )
    groups = ThematicGroup.facilitators.through.objects.filter(**person).values_list(
        "user_id",
        "user__email",
        "user__time_zone",
        "thematicgroup__cohort__starts_on",
        "thematicgroup__cohort__ends_on",
    )
    return leads, groups


class FacilitatorDigest(Rule):
    def plan(self, *, now, until, setting):
        offset = min(setting.offsets)
        # Cohorts running at some point between a week before now and a week after `until`,
        # in any zone; each row is then checked against the person's own Monday.
        leads, groups = _facilitations()
        window = {
            "cohort__starts_on__lte": (until + WEEK).date(),
            "cohort__ends_on__gte": (now - WEEK).date(),
        }
        group_window = {f"thematicgroup__{name}": value for name, value in window.items()}
        rows = leads.filter(**window).union(groups.filter(**group_window))
        people = {}
        running = set()
        for user_id, address, zone_name, starts_on, ends_on in rows:
            if user_id not in people:
                zone = zone_of(zone_name)
                monday, moment = latest_digest(offset=offset, zone=zone, until=until)
                people[user_id] = (
                    address,
                    iso_week(monday),
                    moment.astimezone(zone).date(),
                    moment,
                )
            _address, _week, day, moment = people[user_id]
            # Past its time by more than LATE_BY: no longer wanted (module docstring).
            if moment > now - LATE_BY and starts_on <= day <= ends_on:
                running.add(user_id)
        for user_id in sorted(running):
            address, week, _day, moment = people[user_id]
            yield Planned(
                topic="digest",
                recipient_ref=f"u{user_id}",
                to=address,
                recipient_id=user_id,
                occurrence=week,
                send_after=moment,
            )

    def render(self, email):
        recipient_ref, _week = key_parts(email)
        person = (
            get_user_model()
            .objects.filter(
                pk=int(recipient_ref.removeprefix("u")), is_active=True, is_facilitator=True
            )
            .first()
        )
        if person is None:
            return Cancel(reason="The person is no longer a facilitator.")
        now = timezone.now()
        today = now.astimezone(zone_of(person.time_zone)).date()
        cohorts = list(
            cohorts_facilitated_by(user=person)
            .filter(starts_on__lte=today, ends_on__gte=today)
            .order_by("starts_on", "name", "pk")
        )
        if not cohorts:
            return Cancel(reason="The person no longer facilitates a running cohort.")
        digests = behind_in(cohorts, now=now)
        if not any(digest.is_behind for digest in digests):
            return Cancel(reason="Nobody is behind.")
        return Rendered(
            recipient=person,
            template="reminder_facilitator_digest",
            context={
                "facilitator": person,
                "cohorts": [digest for digest in digests if digest.is_behind],
                "cohorts_on_track": [
                    digest.cohort.name for digest in digests if not digest.is_behind
                ],
            },
        )


@dataclass
class SurveyBehind:
    survey: Survey
    per_city: bool
    names: list[str]
    results_url: str


@dataclass
class CohortBehind:
    cohort: Cohort
    cohort_url: str
    roadmaps_url: str
    sessions: list[tuple[Session, str]] = field(default_factory=list)
    roadmaps_not_started: list[str] = field(default_factory=list)
    surveys: list[SurveyBehind] = field(default_factory=list)

    @property
    def is_behind(self) -> bool:
        return bool(self.sessions or self.roadmaps_not_started or self.surveys)


def behind_in(cohorts: list[Cohort], *, now: datetime.datetime) -> list[CohortBehind]:
    """Who is behind in each of `cohorts` (module docstring): three queries, and one per open
    named survey and cohort it concerns."""
    found = {
        cohort.pk: CohortBehind(
            cohort=cohort,
            cohort_url=site_url(reverse("cohort_detail", args=[cohort.pk])),
            roadmaps_url=site_url(reverse("roadmap_cohort_overview", args=[cohort.pk])),
        )
        for cohort in cohorts
    }
    ids = list(found)
    registrations = Registration.objects.filter(session=OuterRef("pk"))
    sessions = (
        Session.objects.filter(
            cohort_id__in=ids,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=now - SESSIONS_SINCE,
            ends_at__lte=now,
            reported_participants__isnull=True,
        )
        .filter(Exists(registrations))
        .exclude(Exists(registrations.exclude(attendance=Attendance.UNKNOWN)))
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        found[session.cohort_id].sessions.append(
            (session, site_url(reverse("session_attendance", args=[session.pk])))
        )
    enrolled = Enrolment.objects.filter(
        cohort=OuterRef("cohort"), city=OuterRef("city"), status=EnrolmentStatus.ACCEPTED
    )
    roadmaps = (
        Roadmap.objects.filter(cohort_id__in=ids, status=RoadmapStatus.DRAFT, percent_complete=0)
        .filter(Exists(enrolled))
        .order_by("city__name", "city_id")
        .values_list("cohort_id", "city__name")
    )
    for cohort_id, city_name in roadmaps:
        found[cohort_id].roadmaps_not_started.append(city_name)
    programmes = {cohort.programme for cohort in cohorts}
    surveys = (
        Survey.objects.filter(
            Q(scope=SurveyScope.COHORT, cohort_id__in=ids)
            | Q(scope=SurveyScope.SESSION, session__cohort_id__in=ids)
            | Q(scope=SurveyScope.PROGRAMME, programme__in=programmes),
            is_published=True,
            is_anonymous=False,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .select_related("session")
        .order_by("closes_at", "pk")
    )
    for survey in surveys:
        for cohort in _cohorts_asked(survey, cohorts):
            names = _not_answered_in(survey, cohort)
            if names:
                found[cohort.pk].surveys.append(
                    SurveyBehind(
                        survey=survey,
                        per_city=survey.response_unit == ResponseUnit.CITY,
                        names=names,
                        results_url=site_url(reverse("survey_results", args=[survey.pk])),
                    )
                )
    return list(found.values())


def _cohorts_asked(survey: Survey, cohorts: list[Cohort]) -> list[Cohort]:
    if survey.scope == SurveyScope.COHORT:
        return [cohort for cohort in cohorts if cohort.pk == survey.cohort_id]
    if survey.scope == SurveyScope.SESSION:
        return [cohort for cohort in cohorts if cohort.pk == survey.session.cohort_id]
    return [cohort for cohort in cohorts if cohort.programme == survey.programme]


def _not_answered_in(survey: Survey, cohort: Cohort) -> list[str]:
    """The names of the cities (a survey answered once per city) or people who have not
    answered `survey`, within `cohort` (a programme's survey asks every cohort): one query."""
    missing = not_answered(survey)
    per_city = survey.response_unit == ResponseUnit.CITY
    if survey.scope == SurveyScope.PROGRAMME:
        cities = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED).values(
            "city_id"
        )
        if per_city:
            missing = missing.filter(pk__in=cities)
        else:
            missing = missing.filter(
                pk__in=CityMembership.objects.filter(city__in=cities).values("user_id")
            )
    if per_city:
        return list(missing.order_by("name", "pk").values_list("name", flat=True))
    return [
        name or address
        for name, address in missing.order_by("full_name", "email", "pk").values_list(
            "full_name", "email"
        )
    ]


register(
    FacilitatorDigest(
        kind=ReminderKind.FACILITATOR_DIGEST,
        audience=_("Facilitators of cohorts that are running."),
        description=_(
            "Once a week, who is behind in each cohort they facilitate: sessions of the last "
            "four weeks without attendance, roadmaps not started, named surveys open now and "
            "who has not answered them. Not sent when nobody is behind."
        ),
        timing=Timing.WEEKLY,
        defaults=Setting(enabled=True, offsets=(minutes(hours=8),)),
    )
)
