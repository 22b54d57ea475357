"""Fixtures of the reports tests: the data sets' world and its helpers, and, for the export
tests, a small data set registered for the test with the people and cohorts it exports."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils.text import slugify

from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from reports.datasets import DATASETS, Column, Dataset, dataset_register
from reports.filters import ReportFilterForm
from tests import factories
from tests.reports.datasets_world import build


@pytest.fixture
def w(db):
    return build()


def filters_of(user, **chosen):
    """The report filters `user` gets for the query `chosen` (a list: a repeated parameter)."""
    data = QueryDict(urlencode(chosen, doseq=True))
    return ReportFilterForm(data, user=user).report_filters()


def rows(user, key: str, **chosen) -> list[list]:
    return list(DATASETS[key].rows_for(user=user, filters=filters_of(user, **chosen)))


def csv_text(user, key: str, **chosen) -> str:
    return "".join(DATASETS[key].csv_lines(user=user, filters=filters_of(user, **chosen)))


# --- The export tests (test_export_*.py) -----------------------------------------------------

KEY = "test-enrolled-cities"


def _enrolments(filters):
    return (
        Enrolment.objects.filter(
            cohort_id__in=filters.cohort_ids,
            status=EnrolmentStatus.ACCEPTED,
            **filters.city_lookups("city__"),
        )
        .order_by("cohort__number", "city__population", "city__name")
        .values_list("city__name", "cohort__number", "city__population")
    )


def _rows(filters):
    for name, number, population in _enrolments(filters).iterator(chunk_size=500):
        yield [name, number, population, f"mayor@{slugify(name)}.example.org"]


TEST_DATASET = Dataset(
    key=KEY,
    title="Enrolled cities (test)",
    description="One row per city enrolled in a cohort.",
    columns=(
        Column("city", "The city's name."),
        Column("cohort_number", "The cohort's number.", kind="integer"),
        Column("population", "Inhabitants.", kind="integer"),
        Column("contact_email", "Whom to write to.", personal=True),
    ),
    rows=_rows,
    count=lambda filters: _enrolments(filters).count(),
)


@pytest.fixture
def test_dataset():
    """TEST_DATASET registered for the test, and no longer once it ends."""
    before = DATASETS.get(KEY)
    dataset_register(TEST_DATASET)
    yield TEST_DATASET
    if before is None:
        DATASETS.pop(KEY, None)
    else:
        DATASETS[KEY] = before


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def enrol(cohort, name: str, population: int = 100_000):
    city = factories.CityFactory(name=name, population=population)
    return Enrolment.objects.create(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)


@pytest.fixture
def cohorts(db):
    """Two cohorts: `led` by the facilitator `lead` ("=Evil", Braga, Aarhus: the order of their
    populations, the rows' order), `other` (Graz)."""
    lead = factories.UserFactory(is_facilitator=True, full_name="Fay Lead", language="en")
    led = factories.CohortFactory(number=1)
    led.facilitators.add(lead)
    other = factories.CohortFactory(number=2)
    enrol(led, "Braga", 190_000)
    enrol(led, "Aarhus", 360_000)
    # A name a spreadsheet would run as a formula: the CSV guards it.
    enrol(led, "=Evil", 1)
    enrol(other, "Graz", 290_000)
    return {"lead": lead, "led": led, "other": other}
