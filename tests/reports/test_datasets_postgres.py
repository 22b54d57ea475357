"""On PostgreSQL a data set's CSV lines may be written by the database (Dataset.csv_body,
reports/database_csv.py); elsewhere, and for the XLSX, by Python from the rows. The two must
give the same bytes: the same cells, quoting, formula guard and order. Each test writes a data
set's CSV both ways on PostgreSQL and compares them, with texts chosen to catch each rule."""

import dataclasses

import pytest
from django.db import connection

from feedback.models import Answer
from reports import database_csv
from reports.datasets import DATASETS
from tests import factories
from tests.conftest import require
from tests.reports.conftest import filters_of
from tests.reports.datasets_world import build

pytestmark = pytest.mark.django_db

# Texts each of which one rule of the quoting, the guard or COPY's escapes changes.
AWKWARD = [
    "plain",
    "a, comma",
    'a "quote"',
    "two\nlines",
    "carriage\rreturn",
    "crlf\r\nend",
    "=SUM(A1)",
    "+33 1 23",
    "-minus",
    "@mention",
    "\ttab first",
    "\rreturn first",
    '=1,"2"',
    " leading space",
    "trailing space ",
    "back\\slash \\n not a line",
    "\\.",
    "tab\tinside",
    "bell\x07 and form\x0cfeed and vertical\x0btab and back\x08space",
    "Ação climática — São João",
    "'already quoted",
    "",
]


@pytest.fixture(autouse=True)
def _postgresql():
    require(
        connection.vendor == "postgresql", f"the database is {connection.vendor}, not PostgreSQL"
    )


def both_ways(user, key: str, **chosen) -> tuple[str, str]:
    dataset = DATASETS[key]
    assert dataset.csv_body is not None
    filters = filters_of(user, **chosen)
    by_database = "".join(dataset.csv_lines(user=user, filters=filters))
    by_python = "".join(
        dataclasses.replace(dataset, csv_body=None).csv_lines(user=user, filters=filters)
    )
    return by_database, by_python


def test_database_writes_the_lines_on_postgresql():
    assert database_csv.available()
    w = build()
    assert DATASETS["survey-answers"].csv_body(filters_of(w.admin), [0, 1]) is not None


@pytest.mark.parametrize("key", [key for key, d in DATASETS.items() if d.csv_body])
def test_same_bytes_both_ways(key):
    w = build()
    for user in (w.admin, w.lead_a, w.lead_b):
        by_database, by_python = both_ways(user, key)
        assert by_database == by_python, (key, user)
    assert by_database.count("\r\n") > 1


def test_awkward_texts_give_the_same_bytes_both_ways():
    w = build()
    for index, text in enumerate(AWKWARD):
        response = factories.ResponseFactory(
            survey=w.named, user=factories.city_officer(w.lisbon), city=w.lisbon, status="submitted"
        )
        Answer.objects.create(response=response, question=w.comment, text=text)
        option = factories.OptionFactory(question=w.choice, position=10 + index, label=text or "x")
        Answer.objects.create(response=response, question=w.choice, option=option, text=text)
    by_database, by_python = both_ways(w.admin, "survey-answers")

    assert by_database == by_python
    assert "'=SUM(A1)" in by_python and '"two\nlines"' in by_python


def test_filters_give_the_same_bytes_both_ways():
    w = build()
    for chosen in (
        {"cohort": [w.cohort_b.pk]},
        {"country": w.portugal.pk},
        {"thematic_group": w.energy_a.pk},
        {"date_from": "2024-10-16", "date_to": "2025-01-31"},
        {"programme": "twinning"},
    ):
        for key in ("survey-answers", "cities"):
            by_database, by_python = both_ways(w.admin, key, **chosen)
            assert by_database == by_python, (key, chosen)


def test_no_rows_gives_the_header_alone():
    w = build()
    by_database, by_python = both_ways(w.admin, "survey-answers", programme="twinning")

    assert (
        by_database
        == by_python
        == (
            "\ufeffsurvey_id,response_id,question_id,question_position,question_kind,"
            "question_text,option_id,option_label,number,not_applicable,text\r\n"
        )
    )
