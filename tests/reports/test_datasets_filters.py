"""The analysts' data sets: each filter, who sees what (cohorts and personal columns), anonymous
surveys, the CSV written from the rows, and the queries (one == many)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.enums import EnrolmentStatus
from feedback.enums import ResponseStatus
from feedback.models import Answer
from reports.datasets import DATASETS
from roadmaps.models import RoadmapValue
from sessions.enums import Attendance
from tests import factories
from tests.reports.conftest import csv_text, filters_of, rows
from tests.reports.datasets_world import at
from visits.enums import ApplicationStatus, ReviewStatus
from visits.models import Score


def ids(user, key: str, **chosen) -> list:
    return [row[0] for row in rows(user, key, **chosen)]


def column(user, key: str, name: str, **chosen) -> list:
    index = DATASETS[key].header(user=user).index(name)
    return [row[index] for row in rows(user, key, **chosen)]


# --- Counts ahead of the rows (an export's progress, "N of M rows") ----------------------------


@pytest.mark.parametrize(
    "chosen",
    [{}, {"cohort": ["b"]}, {"country": ["portugal"]}, {"programme": "twinning"}],
    ids=["everything", "cohort B", "Portugal", "another programme"],
)
def test_each_count_is_the_number_of_rows_it_gives(w, chosen):
    values = {"b": w.cohort_b.pk, "portugal": w.portugal.pk}
    chosen = {
        name: [values[value] for value in value_list]
        if isinstance(value_list, list)
        else value_list
        for name, value_list in chosen.items()
    }
    for person in (w.admin, w.lead_a):
        filters = filters_of(person, **chosen)
        for key, dataset in DATASETS.items():
            given = list(dataset.rows_for(user=person, filters=filters))
            assert dataset.count(filters) == len(given), (key, chosen)


def test_every_data_set_is_counted_ahead():
    assert [key for key, dataset in DATASETS.items() if dataset.count is None] == []


# --- Filters ---------------------------------------------------------------------------------


def test_cohort_filter_keeps_that_cohort_in_every_data_set(w):
    b = {"cohort": [w.cohort_b.pk]}
    assert ids(w.admin, "cities", **b) == [w.berlin.pk]
    assert ids(w.admin, "cohorts", **b) == [w.cohort_b.pk]
    assert ids(w.admin, "enrolments", **b) == [w.berlin_b.pk, w.porto_b.pk]
    assert ids(w.admin, "sessions", **b) == [w.s3.pk]
    assert ids(w.admin, "registrations", **b) == [w.r4.pk]
    assert ids(w.admin, "roadmaps", **b) == [w.roadmap_berlin.pk]
    assert ids(w.admin, "roadmap-answers", **b) == [w.roadmap_berlin.pk]
    assert ids(w.admin, "survey-responses", **b) == [w.named_b.pk]
    assert ids(w.admin, "survey-answers", **b) == [w.named_b.pk]
    # Berlin's application (its city is enrolled in B); Lisbon's and Porto's are A's.
    assert ids(w.admin, "visit-applications", **b) == [w.app_berlin.pk]
    assert ids(w.admin, "application-scores", **b) == []
    # Both cohorts, repeated.
    both = {"cohort": [w.cohort_a.pk, w.cohort_b.pk]}
    assert ids(w.admin, "cohorts", **both) == [w.cohort_a.pk, w.cohort_b.pk]


def test_programme_filter(w):
    for key in DATASETS:
        assert rows(w.admin, key, programme="twinning") == [], key
    assert ids(w.admin, "cohorts", programme="odg") == [w.cohort_a.pk, w.cohort_b.pk]


def test_thematic_group_filter(w):
    energy = {"thematic_group": w.energy_a.pk}
    assert ids(w.admin, "cities", **energy) == [w.lisbon.pk]
    assert ids(w.admin, "cohorts", **energy) == [w.cohort_a.pk]
    assert ids(w.admin, "enrolments", **energy) == [w.lisbon_a.pk]
    assert ids(w.admin, "sessions", **energy) == [w.s1.pk]
    # The group's sessions, and of those the registrations of the group's cities.
    assert ids(w.admin, "registrations", **energy) == [w.r1.pk, w.r3.pk]
    assert ids(w.admin, "roadmaps", **energy) == [w.roadmap_lisbon.pk]
    # Named responses of the group's cities; the anonymous survey takes no city filter.
    assert column(w.admin, "survey-responses", "response_id", **energy) == [w.named_lisbon.pk]
    assert column(w.admin, "survey-answers", "response_id", **energy) == [w.named_lisbon.pk] * 2
    assert ids(w.admin, "visit-applications", **energy) == [w.app_lisbon.pk]
    assert ids(w.admin, "application-scores", **energy) == [w.app_lisbon.pk]


def test_country_filter(w):
    germany = {"country": w.germany.pk}
    assert ids(w.admin, "cities", **germany) == [w.berlin.pk]
    assert ids(w.admin, "enrolments", **germany) == [w.berlin_b.pk]
    # Sessions are not of a country; their registrations are.
    assert ids(w.admin, "sessions", **germany) == [w.s1.pk, w.s2.pk, w.s3.pk]
    assert ids(w.admin, "registrations", **germany) == [w.r4.pk]
    assert ids(w.admin, "roadmaps", **germany) == [w.roadmap_berlin.pk]
    assert column(w.admin, "survey-responses", "response_id", **germany) == [w.named_berlin.pk]
    assert ids(w.admin, "visit-applications", **germany) == [w.app_berlin.pk]
    assert ids(w.admin, "application-scores", **germany) == []


def test_city_type_filter(w):
    mission = {"city_type": "mission"}
    assert ids(w.admin, "cities", **mission) == [w.porto.pk]
    assert ids(w.admin, "enrolments", **mission) == [w.porto_a.pk, w.porto_b.pk]
    assert ids(w.admin, "registrations", **mission) == [w.r2.pk]
    assert ids(w.admin, "roadmaps", **mission) == [w.roadmap_porto.pk]
    assert column(w.admin, "survey-responses", "response_id", **mission) == [w.named_porto.pk]
    assert ids(w.admin, "visit-applications", **mission) == [w.app_porto.pk]


def test_date_range(w):
    # 16 October 2024 to 31 January 2025.
    dates = {"date_from": "2024-10-16", "date_to": "2025-01-31"}
    assert ids(w.admin, "sessions", **dates) == [w.s2.pk]
    assert ids(w.admin, "registrations", **dates) == []
    # Named responses by their submission; the anonymous survey closed on 15 October.
    assert column(w.admin, "survey-responses", "response_id", **dates) == [
        w.named_lisbon.pk,
        w.named_porto.pk,
    ]
    assert ids(w.admin, "visit-applications", **dates) == [w.app_lisbon.pk]
    assert ids(w.admin, "application-scores", **dates) == [w.app_lisbon.pk]
    # Cities, cohorts, enrolments and roadmaps are not dated.
    assert ids(w.admin, "cities", **dates) == [w.berlin.pk, w.lisbon.pk, w.porto.pk]
    assert ids(w.admin, "roadmaps", **dates) == [
        w.roadmap_lisbon.pk,
        w.roadmap_porto.pk,
        w.roadmap_berlin.pk,
    ]
    # The anonymous survey, by the day it closes.
    assert ids(w.admin, "survey-responses", date_from="2024-10-15", date_to="2024-10-15") == [
        w.anonymous.pk,
        w.anonymous.pk,
    ]


# --- Who sees what ---------------------------------------------------------------------------


def test_facilitator_gets_only_their_cohorts(w):
    for key in DATASETS:
        everything = rows(w.admin, key)
        of_a = rows(w.lead_a, key)
        of_b = rows(w.lead_b, key)
        assert len(of_a) + len(of_b) <= len(everything), key
    assert ids(w.lead_a, "cities") == [w.lisbon.pk, w.porto.pk]
    assert ids(w.lead_b, "cities") == [w.berlin.pk]
    assert ids(w.lead_a, "sessions") == [w.s1.pk, w.s2.pk]
    assert ids(w.lead_a, "survey-responses") == [
        w.named.pk,
        w.named.pk,
        w.anonymous.pk,
        w.anonymous.pk,
    ]
    # Cohort B, asked for by A's facilitator, is not theirs: the filter is left out and they
    # get their own cohort (the API refuses it: tests/reports/test_api_datasets.py).
    assert filters_of(w.lead_a, cohort=[w.cohort_b.pk]).cohort_ids == (w.cohort_a.pk,)
    assert ids(w.lead_a, "sessions", cohort=[w.cohort_b.pk]) == [w.s1.pk, w.s2.pk]


def test_personal_columns_for_admins_only(w):
    personal = {
        "enrolments": ["requested_by_email"],
        "registrations": ["full_name", "email"],
        "roadmaps": [
            "representative_first_name",
            "representative_last_name",
            "representative_email",
        ],
        "survey-responses": ["respondent_email"],
        "application-scores": ["reviewer_email"],
    }
    for key, dataset in DATASETS.items():
        everything = [column.name for column in dataset.columns]
        assert dataset.header(user=w.admin) == everything
        expected = [name for name in everything if name not in personal.get(key, [])]
        assert dataset.header(user=w.lead_a) == expected, key
        for row in rows(w.lead_a, key):
            assert len(row) == len(expected)
    assert rows(w.lead_a, "registrations")[0] == [
        w.r1.pk,
        w.s1.pk,
        w.cohort_a.pk,
        w.lisbon.pk,
        False,
        "attended",
        "2024-09-20T10:00:00Z",
    ]
    text = csv_text(w.lead_a, "registrations")
    assert "@" not in text and "Ana Silva" not in text


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_people_who_may_not_export_get_nothing(w, who):
    user = getattr(w, who)
    assert not user.has_perm("reports.export_data")
    assert filters_of(user).cohort_ids == ()
    for key in DATASETS:
        assert rows(user, key) == [], key


# --- Anonymous surveys -----------------------------------------------------------------------


def test_anonymous_survey_rows_name_nobody(w):
    anonymous_rows = [row for row in rows(w.admin, "survey-responses") if row[0] == w.anonymous.pk]
    assert [row[7:] for row in anonymous_rows] == [[None] * 5, [None] * 5]
    answers = [row for row in rows(w.admin, "survey-answers") if row[0] == w.anonymous.pk]
    assert [row[1] for row in answers] == [None, None]
    # The remark, answered by one person (under the threshold of 2), is withheld.
    assert "Who wrote this" not in csv_text(w.admin, "survey-answers")


def test_anonymous_answers_follow_their_content_not_their_order(w):
    before = column(w.admin, "survey-answers", "number", cohort=[w.cohort_a.pk])
    # Swap who answered first: the file is the same.
    Answer.objects.filter(response=w.anon_1, question=w.rating).update(number=3)
    Answer.objects.filter(response=w.anon_2, question=w.rating).update(number=5)
    assert column(w.admin, "survey-answers", "number", cohort=[w.cohort_a.pk]) == before


def test_anonymous_survey_under_its_threshold_is_left_out_until_it_reaches_it(w):
    assert w.few.pk not in ids(w.admin, "survey-responses")
    for user in (factories.UserFactory(), factories.UserFactory()):
        response = factories.ResponseFactory(
            survey=w.few, user=None, respondent="", status=ResponseStatus.SUBMITTED
        )
        Answer.objects.create(
            response=response, question=w.few.sections.get().questions.get(), number=2
        )
        assert user
    assert ids(w.admin, "survey-responses").count(w.few.pk) == 3
    assert [row[8] for row in rows(w.admin, "survey-answers") if row[0] == w.few.pk] == [1, 2, 2]


def test_a_city_filter_leaves_anonymous_surveys_out(w):
    for chosen in ({"country": w.portugal.pk}, {"city_type": "mission_minded"}):
        assert w.anonymous.pk not in ids(w.admin, "survey-responses", **chosen)
        assert w.anonymous.pk not in ids(w.admin, "survey-answers", **chosen)


# --- The CSV from the rows -------------------------------------------------------------------


def test_csv_guards_formulas_and_quotes(w):
    text = csv_text(w.admin, "survey-answers", cohort=[w.cohort_a.pk])
    lines = text.split("\r\n")
    assert lines[0] == (
        "\ufeffsurvey_id,response_id,question_id,question_position,question_kind,"
        "question_text,option_id,option_label,number,not_applicable,text"
    )
    assert lines[2] == (
        f"{w.named.pk},{w.named_lisbon.pk},{w.comment.pk},102,long_text,Anything else?,,,,False,"
        '"\'=1+1, ""quoted""\nsecond line"'
    )
    assert lines[4] == f"{w.anonymous.pk},,{w.rating.pk},101,rating,How useful?,,,3,False,"


# --- Queries: one == many --------------------------------------------------------------------


def _queries(user, key: str) -> int:
    filters = filters_of(user)
    with CaptureQueriesContext(connection) as captured:
        list(DATASETS[key].rows_for(user=user, filters=filters))
    return len(captured)


def _grow(w, n: int = 3) -> None:
    """More of every kind of row, in cohort A."""
    for i in range(n):
        city = factories.CityFactory(name=f"Grown {i}", country=w.portugal)
        enrolment = factories.EnrolmentFactory(
            cohort=w.cohort_a, city=city, status=EnrolmentStatus.ACCEPTED
        )
        factories.EnrolmentGroupFactory(enrolment=enrolment, thematic_group=w.energy_a)
        session = factories.SessionFactory(
            cohort=w.cohort_a, starts_at=at("2024-12-0" + str(i + 1))
        )
        factories.RegistrationFactory(session=session, city=city, attendance=Attendance.ATTENDED)
        factories.RegistrationFactory(session=session, city=city, is_walk_in=True)
        factories.RoadmapFactory(
            cohort=w.cohort_a,
            city=city,
            values={"phase2_2.score.industry": "3", "phase1.overview": "x"},
        )
        officer = factories.city_officer(city)
        named = factories.ResponseFactory(
            survey=w.named,
            user=officer,
            city=city,
            status=ResponseStatus.SUBMITTED,
            submitted_at=at("2024-12-10"),
        )
        Answer.objects.create(response=named, question=w.choice, option=w.yes)
        Answer.objects.create(response=named, question=w.comment, text="More")
        anonymous = factories.ResponseFactory(
            survey=w.anonymous, user=None, respondent="", status=ResponseStatus.SUBMITTED
        )
        Answer.objects.create(response=anonymous, question=w.rating, number=4)
        application = factories.ApplicationFactory(
            call=w.call,
            city=city,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=at("2025-01-11"),
        )
        review = factories.ReviewFactory(
            application=application, status=ReviewStatus.SUBMITTED, submitted_at=at("2025-01-21")
        )
        Score.objects.create(review=review, criterion=w.relevance, points=i)
    assert RoadmapValue.objects.count() > 8


@pytest.mark.parametrize("key", list(DATASETS))
def test_queries_do_not_grow_with_the_rows(w, key):
    one = _queries(w.admin, key)
    one_facilitator = _queries(w.lead_a, key)
    before = rows(w.admin, key)
    _grow(w)
    many = _queries(w.admin, key)
    many_facilitator = _queries(w.lead_a, key)

    assert len(rows(w.admin, key)) > len(before) or key == "cohorts"
    assert rows(w.admin, key) != before
    # The savepoint of the transaction that reads the rows (rows_read, inside the test's),
    # the rows' query, the savepoint's release; the survey data sets read first the cohorts
    # (which programmes are whole; for programme admins only, who alone read programme-wide
    # surveys), the anonymous surveys' counts and their questions' counts.
    surveys = key.startswith("survey-")
    assert one == many == 3 + (3 if surveys else 0)
    assert one_facilitator == many_facilitator == 3 + (2 if surveys else 0)


def test_dates_are_not_formatted_with_the_language(w):
    from django.utils import translation

    with translation.override("fr"):
        assert rows(w.admin, "enrolments")[0][4] == "2024-08-01T10:00:00Z"
    assert datetime.UTC


# --- XLSX from the same rows -------------------------------------------------------------------


@pytest.mark.parametrize("key", list(DATASETS))
def test_rows_write_to_xlsx_as_they_are(w, key):
    import io

    from openpyxl import load_workbook

    from portal.spreadsheets import xlsx_write

    dataset = DATASETS[key]
    file = io.BytesIO()
    xlsx_write(
        dataset.header(user=w.admin),
        dataset.rows_for(user=w.admin, filters=filters_of(w.admin)),
        file,
        title=dataset.title,
    )
    sheet = load_workbook(io.BytesIO(file.getvalue()), read_only=True).active
    width = len(dataset.header(user=w.admin))
    # A read-only sheet leaves a row's trailing empty cells out.
    found = [[*row, *[None] * (width - len(row))] for row in sheet.iter_rows(values_only=True)]

    assert found[0] == dataset.header(user=w.admin)
    expected = [
        [
            None
            if value == ""
            else datetime.datetime(value.year, value.month, value.day)
            if isinstance(value, datetime.date)
            else value
            for value in row
        ]
        for row in rows(w.admin, key)
    ]
    assert found[1:] == expected
