"""The programme's figures for the dashboard (issue 14), each read set-based in one or two
queries whatever the size of the programme, under the filters in effect (reports.filters).

What each figure counts (README, "Reports"):
- **Cities taking part**: cities with an accepted enrolment in a cohort reported on (in the
  thematic group chosen), each counted once however many cohorts it is in; by country and by
  type (a city of several types counts in each).
- **Sessions held**: scheduled (not cancelled) sessions of those cohorts that have started, by
  month of their start in the portal's zone. **Participants**: registrations recorded as
  attended, walk-ins included. With a country or city type chosen, only participants of such
  cities count (sessions are listed all the same).
- **Attendance rate**: of the people registered before a session (walk-ins aside) whose
  attendance was recorded, the share who attended.
- **Roadmap funnel**: the roadmap of each accepted enrolment: not started (a draft with nothing
  filled in, or no roadmap yet), draft, returned, submitted, completed.
- **Satisfaction**, from the surveys of those cohorts and their sessions (submitted responses,
  in the date range; an anonymous survey's by the day it closes, as its responses keep no
  time): for each of the final recap's two satisfaction questions, how many
  respondents chose its "Yes, I am satisfied" answer of all who answered it (000 §4.1's "15 out
  of 18"); and for every 1 to 5 rating question, the answers of 4 or 5 of all its answers. An
  anonymous survey with fewer responses than its threshold is left out, as its own results
  page withholds it. Country and city type do not narrow feedback: a person's response
  carries no city.
- **Study visits**: per call open to those cohorts, the applications submitted and, once the
  decisions are published, how many were selected, waitlisted and not selected.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.enums import CityType
from cities.filters import CITY_TYPE_FIELDS
from cities.models import City
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment, EnrolmentGroup
from feedback.enums import QuestionKind, ResponseStatus
from feedback.models import Answer, Question, Survey
from feedback.survey_templates import SATISFACTION_QUESTIONS, SATISFIED_OPTIONS
from reports.dataset_visits import applications_kept
from reports.filters import ReportFilters
from roadmaps.enums import NOT_STARTED_LABEL, RoadmapStatus
from roadmaps.models import Roadmap
from sessions.enums import Attendance, SessionStatus
from sessions.models import Registration, Session
from visits.enums import ApplicationStatus, CallStatus, Decision
from visits.models import Application, Call

NOT_STARTED = "not_started"
FUNNEL = [
    (NOT_STARTED, NOT_STARTED_LABEL),
    (RoadmapStatus.DRAFT.value, RoadmapStatus.DRAFT.label),
    (RoadmapStatus.RETURNED.value, RoadmapStatus.RETURNED.label),
    (RoadmapStatus.SUBMITTED.value, RoadmapStatus.SUBMITTED.label),
    (RoadmapStatus.ACCEPTED.value, RoadmapStatus.ACCEPTED.label),
]
RATING_LABELS = {
    1: _("1 · Very dissatisfied"),
    2: _("2 · Dissatisfied"),
    3: _("3 · Neither"),
    4: _("4 · Satisfied"),
    5: _("5 · Very satisfied"),
}


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Month:
    month: datetime.date
    sessions: int
    participants: int

    @property
    def per_session(self) -> float:
        return round(self.participants / self.sessions, 1) if self.sessions else 0.0


@dataclass(frozen=True)
class CallFigures:
    call_id: int
    title: str
    published: bool
    submitted: int
    selected: int
    waitlisted: int
    not_selected: int


@dataclass(frozen=True)
class Satisfaction:
    key: str  # a satisfaction question's template key, or "ratings"
    label: str
    answered: int
    satisfied: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.satisfied / self.answered) if self.answered else None


@dataclass
class ProgrammeFigures:
    cities: int = 0
    by_country: list[Share] = field(default_factory=list)
    by_type: list[Share] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)
    recorded: int = 0  # registered people (walk-ins aside) whose attendance was recorded
    attended_of_recorded: int = 0
    funnel: list[Share] = field(default_factory=list)
    ratings: list[Share] = field(default_factory=list)
    satisfaction: list[Satisfaction] = field(default_factory=list)
    surveys_counted: int = 0
    surveys_withheld: int = 0
    calls: list[CallFigures] = field(default_factory=list)

    @property
    def sessions_held(self) -> int:
        return sum(month.sessions for month in self.months)

    @property
    def participants(self) -> int:
        return sum(month.participants for month in self.months)

    @property
    def attendance_rate(self) -> int | None:
        """The attendance rate in whole percent, None when no attendance was recorded."""
        if not self.recorded:
            return None
        return round(100 * self.attended_of_recorded / self.recorded)

    @property
    def rated(self) -> int:
        return sum(share.count for share in self.ratings)

    @property
    def satisfied_share(self) -> int | None:
        """Satisfied answers of all the satisfaction answers, in whole percent (None: none)."""
        answered = sum(row.answered for row in self.satisfaction)
        if not answered:
            return None
        return round(100 * sum(row.satisfied for row in self.satisfaction) / answered)

    @property
    def roadmaps_completed(self) -> int:
        return next((s.count for s in self.funnel if s.key == RoadmapStatus.ACCEPTED), 0)

    @property
    def applications(self) -> int:
        return sum(call.submitted for call in self.calls)

    @property
    def selected(self) -> int:
        return sum(call.selected for call in self.calls)


# --- The rows each figure starts from -----------------------------------------------------------


def enrolments_reported(filters: ReportFilters):
    """The accepted enrolments of the cohorts reported on, of the cities and group chosen."""
    enrolments = Enrolment.objects.filter(
        cohort_id__in=filters.cohort_ids,
        status=EnrolmentStatus.ACCEPTED,
        **filters.city_lookups("city__"),
    )
    if filters.thematic_group_id:
        enrolments = enrolments.filter(
            Exists(
                EnrolmentGroup.objects.filter(
                    enrolment_id=OuterRef("pk"), thematic_group_id=filters.thematic_group_id
                )
            )
        )
    return enrolments


def sessions_held(filters: ReportFilters, *, now: datetime.datetime):
    sessions = Session.objects.filter(
        cohort_id__in=filters.cohort_ids,
        status=SessionStatus.SCHEDULED,
        starts_at__lte=now,
        **filters.date_lookups("starts_at"),
    )
    if filters.thematic_group_id:
        sessions = sessions.filter(thematic_group_id=filters.thematic_group_id)
    return sessions


def surveys_reported(filters: ReportFilters):
    """The surveys of the cohorts reported on and of their sessions (of the group chosen)."""
    if filters.thematic_group_id:
        return Survey.objects.filter(
            session__thematic_group_id=filters.thematic_group_id,
            session__cohort_id__in=filters.cohort_ids,
        )
    return Survey.objects.filter(
        Q(cohort_id__in=filters.cohort_ids) | Q(session__cohort_id__in=filters.cohort_ids)
    )


def responses_in_range(filters: ReportFilters, prefix: str) -> Q:
    """Responses (through `prefix`) in the date range: by when they were submitted, and an
    anonymous survey's by the day it closes (an anonymous response keeps no time of its own,
    as the analysts' data set dates them)."""
    named = filters.date_lookups(f"{prefix}submitted_at")
    if not named:
        return Q()
    return Q(**{f"{prefix}survey__is_anonymous": False}, **named) | Q(
        **{f"{prefix}survey__is_anonymous": True},
        **filters.date_lookups(f"{prefix}survey__closes_at"),
    )


def calls_reported(filters: ReportFilters):
    return Call.objects.filter(
        pk__in=Call.eligible_cohorts.through.objects.filter(
            cohort_id__in=filters.cohort_ids
        ).values("call_id")
    )


# --- The figures --------------------------------------------------------------------------------


def _cities(figures: ProgrammeFigures, filters: ReportFilters) -> None:
    cities = City.objects.filter(pk__in=enrolments_reported(filters).values("city_id"))
    by_country = (
        cities.values("country_id", "country__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "country__name")
    )
    figures.by_country = [
        Share(str(row["country_id"]), row["country__name"], row["count"]) for row in by_country
    ]
    figures.cities = sum(share.count for share in figures.by_country)
    counts = cities.aggregate(
        **{
            kind: Count("pk", filter=Q(**{CITY_TYPE_FIELDS[kind]: True}))
            for kind in CityType.values
        }
    )
    figures.by_type = [Share(kind, str(label), counts[kind]) for kind, label in CityType.choices]


def _sessions(figures: ProgrammeFigures, filters: ReportFilters, now: datetime.datetime) -> None:
    # Counted per session, then put in months here: a few thousand sessions at most, where
    # truncating each registration's date in the database (a function per row on SQLite) took
    # seconds on EU-scale data.
    sessions = dict(sessions_held(filters, now=now).values_list("pk", "starts_at"))
    rows = (
        (
            Registration.objects.filter(
                session_id__in=list(sessions), **filters.city_lookups("city__")
            )
            .values("session_id")
            .annotate(
                attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
                recorded=Count(
                    "pk", filter=Q(is_walk_in=False) & ~Q(attendance=Attendance.UNKNOWN)
                ),
                attended_registered=Count(
                    "pk", filter=Q(is_walk_in=False, attendance=Attendance.ATTENDED)
                ),
            )
            .order_by()
        )
        if sessions
        else []
    )
    by_session = {row["session_id"]: row for row in rows}
    per_month: dict[datetime.date, list[int]] = {}
    for session_id, starts_at in sessions.items():
        month = timezone.localtime(starts_at).date().replace(day=1)
        counts = per_month.setdefault(month, [0, 0])
        counts[0] += 1
        counts[1] += by_session[session_id]["attended"] if session_id in by_session else 0
    figures.months = [
        Month(month, count, participants)
        for month, (count, participants) in sorted(per_month.items())
    ]
    figures.recorded = sum(row["recorded"] for row in by_session.values())
    figures.attended_of_recorded = sum(row["attended_registered"] for row in by_session.values())


def _funnel(figures: ProgrammeFigures, filters: ReportFilters) -> None:
    enrolments = enrolments_reported(filters)
    roadmaps = Roadmap.objects.filter(
        Exists(enrolments.filter(cohort_id=OuterRef("cohort_id"), city_id=OuterRef("city_id")))
    )
    draft = Q(status=RoadmapStatus.DRAFT)
    counts = roadmaps.aggregate(
        **{NOT_STARTED: Count("pk", filter=draft & Q(percent_complete=0))},
        **{RoadmapStatus.DRAFT.value: Count("pk", filter=draft & Q(percent_complete__gt=0))},
        **{
            status: Count("pk", filter=Q(status=status))
            for status in (RoadmapStatus.RETURNED, RoadmapStatus.SUBMITTED, RoadmapStatus.ACCEPTED)
        },
    )
    without_roadmap = enrolments.exclude(
        Exists(Roadmap.objects.filter(cohort_id=OuterRef("cohort_id"), city_id=OuterRef("city_id")))
    ).count()
    counts[NOT_STARTED] += without_roadmap
    figures.funnel = [Share(key, str(label), counts[key]) for key, label in FUNNEL]


def _satisfaction(figures: ProgrammeFigures, filters: ReportFilters) -> None:
    surveys = surveys_reported(filters).annotate(
        submitted=Count(
            "responses",
            filter=Q(responses__status=ResponseStatus.SUBMITTED)
            & responses_in_range(filters, "responses__"),
        )
    )
    counted, withheld = [], 0
    for survey_id, anonymous, threshold, submitted in surveys.values_list(
        "pk", "is_anonymous", "min_responses", "submitted"
    ):
        if anonymous and submitted < threshold:
            withheld += 1
        elif submitted:
            counted.append(survey_id)
    figures.surveys_counted, figures.surveys_withheld = len(counted), withheld
    # The questions first (a few per survey), so that the answers are found by their question
    # (an index), not by joining every answer of the surveys to its question.
    questions = (
        Question.objects.filter(section__survey_id__in=counted)
        .filter(Q(kind=QuestionKind.RATING) | Q(template_key__in=SATISFACTION_QUESTIONS))
        .values_list("pk", "kind", "template_key")
        if counted
        else []
    )
    ratings, satisfaction = [], {}
    for pk, kind, template_key in questions:
        if kind == QuestionKind.RATING:
            ratings.append(pk)
        elif template_key in SATISFACTION_QUESTIONS:
            satisfaction[pk] = template_key
    submitted = Q(response__status=ResponseStatus.SUBMITTED) & responses_in_range(
        filters, "response__"
    )
    answers = (
        Answer.objects.filter(submitted, question_id__in=ratings, number__isnull=False)
        .values("number")
        .annotate(count=Count("pk"))
        .order_by()
        if ratings
        else []
    )
    found = {row["number"]: row["count"] for row in answers}
    figures.ratings = [
        Share(str(point), str(label), found.get(point, 0)) for point, label in RATING_LABELS.items()
    ]
    respondents = (
        Answer.objects.filter(submitted, question_id__in=list(satisfaction))
        .values("question_id")
        .annotate(
            answered=Count("response_id", distinct=True),
            satisfied=Count(
                "response_id",
                distinct=True,
                filter=Q(option__template_ref__in=SATISFIED_OPTIONS),
            ),
        )
        .order_by()
        if satisfaction
        else []
    )
    by_key: dict[str, list[int]] = {}
    for row in respondents:
        counts = by_key.setdefault(satisfaction[row["question_id"]], [0, 0])
        counts[0] += row["answered"]
        counts[1] += row["satisfied"]
    figures.satisfaction = [
        Satisfaction(key, str(label), *by_key[key])
        for key, label in SATISFACTION_QUESTIONS.items()
        if key in by_key
    ]
    if figures.rated:
        figures.satisfaction.append(
            Satisfaction(
                "ratings",
                str(_("Ratings from 1 to 5 (4 or 5)")),
                figures.rated,
                sum(share.count for share in figures.ratings if share.key in ("4", "5")),
            )
        )


def _visits(figures: ProgrammeFigures, filters: ReportFilters) -> None:
    published = Q(call__status=CallStatus.PUBLISHED)
    # The applications of the cities enrolled in the cohorts reported on, to calls open to
    # those cohorts (the analysts' data set's rule): a call open to several cohorts counts, in
    # one cohort's report, only that cohort's cities.
    rows = (
        Application.objects.filter(applications_kept(filters), status=ApplicationStatus.SUBMITTED)
        .values("call_id", "call__title", "call__status", "call__closes_at")
        .annotate(
            submitted=Count("pk"),
            selected=Count("pk", filter=published & Q(decision=Decision.SELECTED)),
            waitlisted=Count("pk", filter=published & Q(decision=Decision.WAITLISTED)),
            not_selected=Count("pk", filter=published & Q(decision=Decision.NOT_SELECTED)),
        )
        .order_by("call__closes_at", "call_id")
    )
    figures.calls = [
        CallFigures(
            row["call_id"],
            row["call__title"],
            row["call__status"] == CallStatus.PUBLISHED,
            row["submitted"],
            row["selected"],
            row["waitlisted"],
            row["not_selected"],
        )
        for row in rows
    ]


def programme_figures(filters: ReportFilters, *, now: datetime.datetime) -> ProgrammeFigures:
    """Every figure of the dashboard under `filters` (a fixed number of queries)."""
    figures = ProgrammeFigures()
    if not filters.cohort_ids:
        return figures
    _cities(figures, filters)
    _sessions(figures, filters, now)
    _funnel(figures, filters)
    _satisfaction(figures, filters)
    _visits(figures, filters)
    return figures
