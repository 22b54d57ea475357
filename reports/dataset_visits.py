"""The data sets of the Group Study Visits: one row per application with its scoring, one per
reviewer's score of a criterion (issue 14).

Decisions (README, "The analysts' data sets"):
- An application belongs to the cohorts reported on when one of its call's eligible cohorts is
  reported on and its city is enrolled (accepted) in that cohort. Calls are open to cohorts,
  not to one: an application has no cohort_id of its own.
- The country, the city type and the thematic group keep the applications of the cities they
  choose; the date range keeps those submitted inside it (a draft, never submitted, is then
  left out).
- Every application, drafts and withdrawn ones included, as the call's ranking export
  accounts for them; total and rank are scoring's (empty until scored), the decision and
  visit the allocation's.
- A score is a reviewer's points for one manual criterion, from submitted reviews only: an
  assigned review's points may still change. The reviewer's address is personal data.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from reports.dataset_rows import aliased, city_condition, queried
from reports.datasets import Column, Dataset
from reports.filters import ReportFilters
from visits.enums import ReviewStatus
from visits.models import Application, Score


def applications_kept(filters: ReportFilters, prefix: str = "") -> Q:
    """The applications reported on (module docstring), as a condition through `prefix`."""
    enrolled = Enrolment.objects.filter(
        city_id=OuterRef(f"{prefix}city_id"),
        cohort_id__in=filters.cohort_ids,
        status=EnrolmentStatus.ACCEPTED,
        cohort__visit_calls=OuterRef(f"{prefix}call_id"),
    )
    condition = Q(Exists(enrolled)) & city_condition(filters, f"{prefix}city__")
    return condition & Q(**filters.date_lookups(f"{prefix}submitted_at"))


APPLICATION_COLUMNS = (
    Column("application_id", "The application's id.", kind="integer"),
    Column("call_id", "The call for applications.", kind="integer"),
    Column("call_title", "The call's title."),
    Column("city_id", "The city that applied (cities.csv).", kind="integer"),
    Column("status", "draft, submitted or withdrawn."),
    Column("submitted_at", "When it was submitted (empty: never).", kind="datetime"),
    Column("withdrawn_at", "When it was withdrawn (empty: not).", kind="datetime"),
    Column("total", "The weighted total scoring gave it (empty: not scored).", kind="decimal"),
    Column("rank", "Its rank in the call by that total (1 first).", kind="integer"),
    Column("decision", "selected, waitlisted, not_selected, or empty (none yet)."),
    Column("visit_id", "The visit a selected city goes to.", kind="integer"),
    Column("visit_host_city_id", "That visit's host city.", kind="integer"),
    Column("waitlist_position", "Its place on the waitlist (1 first).", kind="integer"),
    Column("allocated_by_hand", "An admin placed it by hand.", kind="boolean"),
)


def _applications(filters: ReportFilters):
    applications = Application.objects.filter(applications_kept(filters)).order_by("call_id", "pk")
    return aliased(
        applications,
        [
            "pk",
            "call_id",
            "call__title",
            "city_id",
            "status",
            "submitted_at",
            "withdrawn_at",
            "total",
            "rank",
            "decision",
            "allocated_visit_id",
            "allocated_visit__host_city_id",
            "waitlist_position",
            "allocated_by_hand",
        ],
    )


VISIT_APPLICATIONS = Dataset(
    key="visit-applications",
    title="Study visit applications",
    description="One row per application of a city of a cohort reported on to a Group Study "
    "Visits call, with its total, rank and decision.",
    columns=APPLICATION_COLUMNS,
    **queried(_applications, APPLICATION_COLUMNS),
)


SCORE_COLUMNS = (
    Column("application_id", "The application (visit-applications.csv).", kind="integer"),
    Column("call_id", "The call.", kind="integer"),
    Column("city_id", "The city that applied.", kind="integer"),
    Column("review_id", "The review the score is part of.", kind="integer"),
    Column("reviewer_id", "The reviewer's id.", kind="integer"),
    Column("criterion_id", "The criterion scored.", kind="integer"),
    Column("criterion_name", "Its name."),
    Column("criterion_weight", "Its weight in the total.", kind="decimal"),
    Column("criterion_scale_max", "The highest point of its scale.", kind="integer"),
    Column("independent", "Shown beside the total, not counted in it.", kind="boolean"),
    Column("points", "The reviewer's points.", kind="integer"),
    Column("review_submitted_at", "When the review was submitted.", kind="datetime"),
    Column("reviewer_email", "The reviewer's email address.", personal=True),
)


def _scores(filters: ReportFilters):
    scores = Score.objects.filter(
        applications_kept(filters, "review__application__"),
        review__status=ReviewStatus.SUBMITTED,
    ).order_by(
        "review__application__call_id",
        "review__application_id",
        "review_id",
        "criterion__position",
        "criterion_id",
    )
    return aliased(
        scores,
        [
            "review__application_id",
            "review__application__call_id",
            "review__application__city_id",
            "review_id",
            "review__reviewer_id",
            "criterion_id",
            "criterion__name",
            "criterion__weight",
            "criterion__scale_max",
            "criterion__independent",
            "points",
            "review__submitted_at",
            "review__reviewer__email",
        ],
    )


APPLICATION_SCORES = Dataset(
    key="application-scores",
    title="Study visit application scores",
    description="One row per submitted review and manual criterion of an application in "
    "visit-applications.csv: the reviewer's points.",
    columns=SCORE_COLUMNS,
    **queried(_scores, SCORE_COLUMNS),
)
