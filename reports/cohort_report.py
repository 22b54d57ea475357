"""A cohort's report, laid out as the programme's own reports are (000 and 001): the phases, the
table of sessions with their theme, date, presenting cities and participants, the cities per
country, each city's roadmap, feedback, the technical sessions' sub-topics and the study visit
outcomes (issue 14).

Its figures are the dashboard's (reports.figures) for this one cohort, so the two never
disagree; the tables are read set-based, a fixed number of queries whatever the cohort's size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cohorts.models import Cohort, Phase
from feedback.enums import ResponseStatus
from feedback.models import Survey
from reports.dataset_visits import applications_kept
from reports.figures import ProgrammeFigures, programme_figures
from reports.filters import ReportFilters
from roadmaps.summary import CityRoadmap, cohort_city_roadmaps
from sessions.enums import Attendance, SessionKind, SessionStatus
from sessions.models import Session, SessionPresentation
from visits.enums import ApplicationStatus, CallStatus
from visits.models import Application


@dataclass
class CohortReport:
    cohort: Cohort
    figures: ProgrammeFigures
    phases: list[Phase]
    sessions: list[Session]  # annotated: registered, participants; presentations prefetched
    roadmaps: list[CityRoadmap]
    surveys: list[Survey]  # annotated: submitted
    applications: list[Application]

    @property
    def technical_sessions(self) -> list[Session]:
        return [s for s in self.sessions if s.kind == SessionKind.TECHNICAL_SUPPORT]


def report_sessions(cohort: Cohort) -> QuerySet[Session]:
    """The cohort's sessions (cancelled ones aside), each with its registered people (walk-ins
    aside), its participants (attended, walk-ins included) and its presenting cities."""
    return (
        Session.objects.filter(cohort=cohort)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("thematic_group__sector", "phase")
        .annotate(
            registered=Count("registrations", filter=Q(registrations__is_walk_in=False)),
            participants=Count(
                "registrations", filter=Q(registrations__attendance=Attendance.ATTENDED)
            ),
        )
        .prefetch_related(
            Prefetch(
                "presentations",
                queryset=SessionPresentation.objects.select_related("city").order_by(
                    "position", "pk"
                ),
            )
        )
        .order_by("starts_at", "pk")
    )


def report_surveys(cohort: Cohort) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(Q(cohort=cohort) | Q(session__cohort=cohort), is_published=True)
        .select_related("session")
        .annotate(
            submitted=Count("responses", filter=Q(responses__status=ResponseStatus.SUBMITTED))
        )
        .order_by("opens_at", "pk")
    )


def report_applications(cohort: Cohort, filters: ReportFilters) -> QuerySet[Application]:
    """The submitted applications of the cohort's cities to the calls open to the cohort; the
    decision is read only once published (the template shows it then)."""
    return (
        Application.objects.filter(applications_kept(filters), status=ApplicationStatus.SUBMITTED)
        .select_related("call", "city", "allocated_visit__host_city")
        .order_by("call__closes_at", "call_id", "city__name", "pk")
    )


def cohort_report(*, cohort: Cohort, now: datetime.datetime | None = None) -> CohortReport:
    now = now or timezone.now()
    filters = ReportFilters(cohort_ids=(cohort.pk,))
    return CohortReport(
        cohort=cohort,
        figures=programme_figures(filters, now=now),
        phases=list(cohort.phases.order_by("position", "starts_on")),
        sessions=list(report_sessions(cohort)),
        roadmaps=cohort_city_roadmaps(cohort=cohort),
        surveys=list(report_surveys(cohort)),
        applications=list(report_applications(cohort, filters)),
    )


def decision_published(application: Application) -> bool:
    return application.call.status == CallStatus.PUBLISHED
