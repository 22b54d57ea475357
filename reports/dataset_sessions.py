"""The data sets of the sessions: one row per session with its attendance counts, one per
registration (issue 14).

Decisions (README, "The analysts' data sets"):
- Sessions of the cohorts reported on; a thematic group keeps the sessions held for it; the
  date range keeps those that start inside it (reports/filters.py). Countries and city types
  do not narrow sessions: a session is not of one city.
- The counts are derived from the registrations, as the pages derive them: registered (every
  registration, walk-ins included), attended, no-shows, walk-ins; reported_participants is
  the headcount a past session (imported from the source documents) reported instead.
- Registrations follow their session's cohort, thematic group and date; the country, city
  type and thematic group keep those of the cities they choose (a registration without a city
  is then left out). The person's name and address are personal data.
"""

from __future__ import annotations

from django.db.models import Q

from reports.dataset_rows import aliased, city_condition, counted, narrows_cities, queried
from reports.datasets import Column, Dataset
from reports.filters import ReportFilters
from sessions.enums import Attendance
from sessions.models import Registration, Session

SESSION_COLUMNS = (
    Column("session_id", "The session's id.", kind="integer"),
    Column("cohort_id", "The cohort (cohorts.csv).", kind="integer"),
    Column("thematic_group_id", "The thematic group it was held for (empty: all).", kind="integer"),
    Column("thematic_sector", "The slug of that group's thematic sector, e.g. energy."),
    Column("kind", "onboarding, thematic, technical or recap."),
    Column("title", "The session's title."),
    Column("status", "scheduled or cancelled."),
    Column("starts_at", "When it starts.", kind="datetime"),
    Column("ends_at", "When it ends.", kind="datetime"),
    Column("registered", "Registrations, walk-ins included.", kind="integer"),
    Column("attended", "Registrations marked attended.", kind="integer"),
    Column("no_shows", "Registrations marked no-show.", kind="integer"),
    Column("walk_ins", "People who attended without registering first.", kind="integer"),
    Column(
        "reported_participants",
        "The headcount a past session reported (imported sessions; empty for the others).",
        kind="integer",
    ),
)


def _session_condition(filters: ReportFilters, prefix: str = "") -> Q:
    condition = Q(**{f"{prefix}cohort_id__in": filters.cohort_ids})
    if filters.thematic_group_id:
        condition &= Q(**{f"{prefix}thematic_group_id": filters.thematic_group_id})
    return condition & Q(**filters.date_lookups(f"{prefix}starts_at"))


def _sessions(filters: ReportFilters):
    registrations = Registration.objects.all()
    sessions = Session.objects.filter(_session_condition(filters)).order_by("starts_at", "pk")
    return aliased(
        sessions,
        [
            "pk",
            "cohort_id",
            "thematic_group_id",
            "thematic_group__sector__slug",
            "kind",
            "title",
            "status",
            "starts_at",
            "ends_at",
            counted(registrations, "session"),
            counted(registrations.filter(attendance=Attendance.ATTENDED), "session"),
            counted(registrations.filter(attendance=Attendance.NO_SHOW), "session"),
            counted(registrations.filter(is_walk_in=True), "session"),
            "reported_participants",
        ],
    )


SESSIONS = Dataset(
    key="sessions",
    title="Sessions",
    description="One row per session of a cohort reported on, with its attendance counts.",
    columns=SESSION_COLUMNS,
    **queried(_sessions, SESSION_COLUMNS),
)


REGISTRATION_COLUMNS = (
    Column("registration_id", "The registration's id.", kind="integer"),
    Column("session_id", "The session (sessions.csv).", kind="integer"),
    Column("cohort_id", "The session's cohort.", kind="integer"),
    Column("city_id", "The city that registered the person (empty: none).", kind="integer"),
    Column("is_walk_in", "Attended without registering first.", kind="boolean"),
    Column("attendance", "attended, no_show, or empty (not recorded)."),
    Column("created_at", "When the person was registered.", kind="datetime"),
    Column("full_name", "The person's name.", personal=True),
    Column("email", "The person's email address.", personal=True),
)


def _registrations(filters: ReportFilters):
    registrations = Registration.objects.filter(_session_condition(filters, "session__"))
    if narrows_cities(filters):
        registrations = registrations.filter(city_condition(filters, "city__"))
    return aliased(
        registrations.order_by("session__starts_at", "session_id", "pk"),
        [
            "pk",
            "session_id",
            "session__cohort_id",
            "city_id",
            "is_walk_in",
            "attendance",
            "created_at",
            "full_name",
            "email",
        ],
    )


REGISTRATIONS = Dataset(
    key="registrations",
    title="Registrations",
    description="One row per person registered for (or walking in to) a session reported on.",
    columns=REGISTRATION_COLUMNS,
    **queried(_registrations, REGISTRATION_COLUMNS),
)
