"""The data sets of who takes part: cities, cohorts and enrolments (issue 14).

Decisions (README, "The analysts' data sets"):
- A city is in the cities' data set when it is enrolled (accepted) in a cohort reported on;
  the country, the city type and the thematic group narrow them.
- Cohorts are those reported on; a thematic group keeps its own cohort only. Countries and
  city types do not narrow cohorts (a cohort is not of one country).
- Enrolments are every enrolment (requested, accepted, declined) in the cohorts reported on,
  of the cities the country, type and thematic group keep.
- The date range dates none of them (reports/filters.py).
"""

from __future__ import annotations

from cities.models import City
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, ThematicGroup
from reports import database_csv
from reports.dataset_rows import aliased, city_condition, counted, queried
from reports.datasets import Column, Dataset
from reports.filters import ReportFilters

CITY_COLUMNS = (
    Column("city_id", "The city's id (joins city_id of the other files).", kind="integer"),
    Column("city_name", "The city's name."),
    Column("country_id", "The id of the city's country.", kind="integer"),
    Column("country_code", "The country's ISO 3166-1 alpha-2 code, e.g. PT."),
    Column("country_name", "The country's name, in English."),
    Column("population", "Inhabitants, as the city gave it (empty: not known).", kind="integer"),
    Column("is_mission_city", "One of the 112 Mission Cities.", kind="boolean"),
    Column("is_mission_minded", "A Mission-minded city.", kind="boolean"),
    Column("is_pilot_city", "A Pilot City.", kind="boolean"),
    Column("is_twin_city", "A Twin City.", kind="boolean"),
    Column(
        "contract_status",
        "Where a Mission City stands with its Climate City Contract: in_preparation, "
        "submitted, mission_label, or empty (not applicable).",
    ),
)


def _cities(filters: ReportFilters):
    enrolled = Enrolment.objects.filter(
        cohort_id__in=filters.cohort_ids, status=EnrolmentStatus.ACCEPTED
    ).values("city_id")
    cities = City.objects.filter(city_condition(filters), pk__in=enrolled).order_by("name", "pk")
    return aliased(
        cities,
        [
            "pk",
            "name",
            "country_id",
            "country__iso_code",
            "country__name",
            "population",
            "is_mission_city",
            "is_mission_minded",
            "is_pilot_city",
            "is_twin_city",
            "contract_status",
        ],
    )


CITIES = Dataset(
    key="cities",
    title="Cities",
    description="One row per city enrolled (accepted) in a cohort reported on.",
    columns=CITY_COLUMNS,
    **queried(_cities, CITY_COLUMNS),
    csv_body=lambda filters, positions: database_csv.body(
        _cities(filters), CITY_COLUMNS, positions
    ),
)


COHORT_COLUMNS = (
    Column("cohort_id", "The cohort's id (joins cohort_id of the other files).", kind="integer"),
    Column(
        "programme",
        "The programme: odg (Online Discussion Groups), twinning, pilot_sensemaking.",
    ),
    Column("number", "The cohort's number within its programme.", kind="integer"),
    Column("name", "The cohort's name."),
    Column("starts_on", "Its first day.", kind="date"),
    Column("ends_on", "Its last day.", kind="date"),
    Column("cities_enrolled", "Cities enrolled (accepted) in it.", kind="integer"),
    Column("thematic_groups", "Its thematic groups.", kind="integer"),
)


def _cohorts(filters: ReportFilters):
    cohorts = Cohort.objects.filter(pk__in=filters.cohort_ids)
    if filters.thematic_group_id:
        cohorts = cohorts.filter(thematic_groups=filters.thematic_group_id)
    return aliased(
        cohorts.order_by("starts_on", "programme", "number"),
        [
            "pk",
            "programme",
            "number",
            "name",
            "starts_on",
            "ends_on",
            counted(Enrolment.objects.filter(status=EnrolmentStatus.ACCEPTED), "cohort"),
            counted(ThematicGroup.objects.all(), "cohort"),
        ],
    )


COHORTS = Dataset(
    key="cohorts",
    title="Cohorts",
    description="One row per cohort reported on.",
    columns=COHORT_COLUMNS,
    **queried(_cohorts, COHORT_COLUMNS),
)


ENROLMENT_COLUMNS = (
    Column("enrolment_id", "The enrolment's id.", kind="integer"),
    Column("cohort_id", "The cohort (cohorts.csv).", kind="integer"),
    Column("city_id", "The city (cities.csv holds the accepted ones).", kind="integer"),
    Column("status", "requested, accepted or declined."),
    Column("created_at", "When it was asked for or made.", kind="datetime"),
    Column("decided_at", "When it was accepted or declined (empty: not yet).", kind="datetime"),
    Column(
        "requested_by_email",
        "The email address of the officer who asked (empty: made by a facilitator).",
        personal=True,
    ),
)


def _enrolments(filters: ReportFilters):
    enrolments = Enrolment.objects.filter(
        city_condition(filters, "city__"), cohort_id__in=filters.cohort_ids
    ).order_by("cohort_id", "city__name", "pk")
    return aliased(
        enrolments,
        [
            "pk",
            "cohort_id",
            "city_id",
            "status",
            "created_at",
            "decided_at",
            "requested_by__email",
        ],
    )


ENROLMENTS = Dataset(
    key="enrolments",
    title="Enrolments",
    description="One row per enrolment of a city in a cohort reported on, whatever its status.",
    columns=ENROLMENT_COLUMNS,
    **queried(_enrolments, ENROLMENT_COLUMNS),
)
