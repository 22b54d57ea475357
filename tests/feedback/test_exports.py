"""The exports of a survey's results: the responses as CSV and XLSX (their exact content, read
back with the csv module and openpyxl), the PDF report and each chart as a PNG; who may download
them, the filters, the anonymous survey's threshold and row order, and their query counts."""

import csv
import datetime
import io
import struct
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.enums import ResponseStatus
from feedback.models import Answer, Response
from feedback.report import survey_report_html
from feedback.results import ResultFilters, results_changed
from roadmaps.pdf import pdf_document_from_html
from tests import factories
from tests.feedback.results_world import build, respond
from tests.queries import keep_facts_of, session_queries
from tests.roadmaps.test_pdf import page_text

pytestmark = pytest.mark.django_db

FULL = {
    "single": "Yes",
    "multiple": ["Funding", "Data"],
    "rating": 5,
    "scale": 10,
    "extent": 4,
    "short": "Heat pumps",
    "long": "More site visits.",
    "ranking": ["Heat", "Transport", "Waste"],
    "matrix": {"Format": 5, "Content": 4},
}
QUESTION_COLUMNS = [
    "Q1. Question single?",
    "Q1. Question single? (other, please specify)",
    "Q2. Question multiple?: Funding",
    "Q2. Question multiple?: Data",
    "Q2. Question multiple?: Skills",
    "Q2. Question multiple?: Legal",
    "Q3. Question rating?",
    "Q4. Question scale?",
    "Q5. Question extent?",
    "Q6. Question short?",
    "Q7. Question long?",
    "Q8. Question ranking?: Heat",
    "Q8. Question ranking?: Transport",
    "Q8. Question ranking?: Waste",
    "Q9. Question matrix?: Format",
    "Q9. Question matrix?: Content",
]
# Lisboa's and Porto's rows (below), their question columns.
LISBOA = ["Yes", "", "1", "1", "", "", "5", "10", "4", "Heat pumps", "More site visits."]
LISBOA += ["1", "2", "3", "5", "4"]
PORTO = ["Other", "=SUM(A1)", "", "1", "", "1", "3", "0", "Not applicable", "", ""]
PORTO += ["2", "1", "", "", "3"]


def url(name, survey, **query):
    path = reverse(name, args=[survey.pk])
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[list]:
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def named():
    world = build()
    respond(world, "lisboa", FULL)
    respond(
        world,
        "porto",
        {
            # A text that a spreadsheet would run as a formula.
            "single": [("Other", "=SUM(A1)")],
            "multiple": ["Data", "Legal"],
            "rating": 3,
            "scale": 0,
            "extent": "na",
            "ranking": ["Transport", "Heat"],
            "matrix": {"Content": 3},
        },
    )
    # A draft is not exported.
    respond(world, "berlin", {"single": "No"}, status=ResponseStatus.DRAFT)
    return world


def test_named_csv_has_a_row_per_response_with_who_and_a_column_per_part(client, named):
    client.force_login(named.facilitator)
    response = client.get(url("survey_export_csv", named.survey))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="survey-{named.survey.pk}-responses.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    porto = PORTO.copy()
    porto[1] = "'=SUM(A1)"  # written as text, not run as a formula
    assert csv_rows(response) == [
        ["Respondent", "City", "Country", *QUESTION_COLUMNS],
        ["Officer of Lisboa", "Lisboa", "Portugal", *LISBOA],
        ["Officer of Porto", "Porto", "Portugal", *porto],
    ]


def test_named_xlsx_holds_the_same_rows_with_numbers_as_numbers(client, named):
    client.force_login(named.facilitator)
    response = client.get(url("survey_export_xlsx", named.survey))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="survey-{named.survey.pk}-responses.xlsx"'
    )

    def typed(cells):
        return [int(c) if c.isdigit() else (c or None) for c in cells]

    assert xlsx_rows(response) == [
        ["Respondent", "City", "Country", *QUESTION_COLUMNS],
        ["Officer of Lisboa", "Lisboa", "Portugal", *typed(LISBOA)],
        ["Officer of Porto", "Porto", "Portugal", *typed(PORTO)],
    ]


def test_a_submitted_response_with_no_answer_has_its_row(client, named):
    Response.objects.filter(user=named.officers["berlin"], status=ResponseStatus.DRAFT).delete()
    respond(named, "berlin", {})
    client.force_login(named.facilitator)
    rows = csv_rows(client.get(url("survey_export_csv", named.survey)))
    assert rows[-1] == ["Officer of Berlin", "Berlin", "Germany", *[""] * 16]


@pytest.fixture
def anonymous():
    world = build(anonymous=True, min_responses=3)
    respond(world, None, FULL)
    without_long = {key: value for key, value in FULL.items() if key != "long"}
    respond(world, None, {**without_long, "single": "No", "short": "Bike lanes"})
    respond(
        world,
        None,
        {
            **without_long,
            "multiple": ["Skills"],
            "rating": 1,
            "extent": "na",
            "short": "Trams",
            "ranking": ["Waste"],
            "matrix": {"Format": 2},
        },
    )
    return world


RANKED = ["1", "2", "3", "5", "4"]
ANONYMOUS_ROWS = [
    ["Yes", "", "1", "1", "", "", "5", "10", "4", "Heat pumps", "More site visits.", *RANKED],
    ["No", "", "1", "1", "", "", "5", "10", "4", "Bike lanes", "", *RANKED],
    ["Yes", "", "", "", "1", "", "1", "10", "Not applicable", "Trams", "", "", "", "1", "2", ""],
]


def test_anonymous_csv_and_xlsx_carry_no_identity_id_or_time(client, anonymous):
    client.force_login(anonymous.facilitator)
    rows = csv_rows(client.get(url("survey_export_csv", anonymous.survey)))
    # The long text was answered by one person only: withheld on the results page (under the
    # threshold of 3), so left out of the files too.
    header = [c for c in QUESTION_COLUMNS if c != "Q7. Question long?"]
    assert rows[0] == header
    expected = [row[:10] + row[11:] for row in ANONYMOUS_ROWS]
    assert sorted(rows[1:]) == sorted(expected)
    assert len(rows) == 4
    sheet = xlsx_rows(client.get(url("survey_export_xlsx", anonymous.survey)))
    assert sheet[0] == header
    assert [[str(c) if c is not None else "" for c in row] for row in sheet[1:]] == rows[1:]


def test_anonymous_rows_are_in_an_order_that_does_not_follow_when_they_were_written(
    client, anonymous
):
    client.force_login(anonymous.facilitator)
    first = csv_rows(client.get(url("survey_export_csv", anonymous.survey)))
    answers = {
        response.pk: list(response.answers.values_list("question", "option", "number", "text"))
        for response in Response.objects.filter(survey=anonymous.survey)
    }
    # The same three responses written again, in the opposite order.
    Response.objects.filter(survey=anonymous.survey).delete()
    for pk in sorted(answers, reverse=True):
        response = Response.objects.create(survey=anonymous.survey, status="submitted")
        Answer.objects.bulk_create(
            Answer(response=response, question_id=q, option_id=o, number=n, text=t or "", **extra)
            for q, o, n, t in answers[pk]
            for extra in [{"not_applicable": n is None and o is None and not t}]
            if True
        )
    results_changed(anonymous.survey.pk)
    assert csv_rows(client.get(url("survey_export_csv", anonymous.survey))) == first


def test_anonymous_under_its_threshold_is_refused_with_the_pages_message(client):
    world = build(anonymous=True, min_responses=3)
    respond(world, None, FULL)
    respond(world, None, FULL)
    client.force_login(world.facilitator)
    for name in ("survey_export_csv", "survey_export_xlsx", "survey_report"):
        response = client.get(url(name, world.survey), follow=True)
        assert response.redirect_chain == [(url("survey_results", world.survey), 302)], name
        assert [str(m) for m in response.context["messages"]] == [
            "The results of this anonymous survey appear once 3 people have answered."
        ]
        # The page gives the same words.
        assert (
            "The results of this anonymous survey appear once 3 people have answered."
            in response.content.decode()
        )
    page = client.get(url("survey_results", world.survey)).content.decode()
    assert 'data-block="downloads"' not in page


def test_filters_select_the_rows_as_on_the_results_page(client, named):
    client.force_login(named.facilitator)
    berlin = named.cities["berlin"]
    lisboa = named.cities["lisboa"]
    by_country = csv_rows(
        client.get(url("survey_export_csv", named.survey, country=berlin.country_id))
    )
    assert by_country == [["Respondent", "City", "Country", *QUESTION_COLUMNS]]
    by_type = xlsx_rows(client.get(url("survey_export_xlsx", named.survey, city_type="twin")))
    assert [row[:3] for row in by_type[1:]] == [["Officer of Porto", "Porto", "Portugal"]]
    by_group = csv_rows(
        client.get(url("survey_export_csv", named.survey, group=named.groups["energy"].pk))
    )
    assert [row[1] for row in by_group[1:]] == ["Lisboa", "Porto"]
    by_cohort = csv_rows(
        client.get(
            url(
                "survey_export_csv",
                named.survey,
                cohort=named.cohort.pk,
                country=lisboa.country_id,
                city_type="mission",
            )
        )
    )
    assert [row[1] for row in by_cohort[1:]] == ["Lisboa"]
    # The results page links to the files under its filters.
    page = client.get(url("survey_results", named.survey, city_type="twin")).content.decode()
    assert f'href="{url("survey_export_csv", named.survey)}?city_type=twin"' in page
    assert f'href="{url("survey_export_xlsx", named.survey)}?city_type=twin"' in page
    assert f'href="{url("survey_report", named.survey)}?city_type=twin"' in page


def test_a_filter_that_cannot_be_used_sends_back_to_the_page_that_says_why(client, named):
    client.force_login(named.facilitator)
    response = client.get(url("survey_export_csv", named.survey, cohort="999999"), follow=True)
    assert response.redirect_chain == [
        (url("survey_results", named.survey) + "?cohort=999999", 302)
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was downloaded: some filters could not be used."
    ]
    assert 'id="filter-errors"' in response.content.decode()


def test_who_may_download(client, named):
    """The results' permission: their cohort's facilitators and admins. The officer the survey
    asks gets 403, another city's officer and another cohort's facilitator 404."""
    outsider = factories.city_officer()
    other_facilitator = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other_facilitator)
    admin = factories.UserFactory(is_programme_admin=True)
    question = named.questions["single"]
    paths = [
        url("survey_export_csv", named.survey),
        url("survey_export_xlsx", named.survey),
        url("survey_report", named.survey),
        reverse("survey_results_png", args=[named.survey.pk, question.pk]),
    ]
    observed = {}
    for name, user in [
        ("officer asked", named.officers["lisboa"]),
        ("another city's officer", outsider),
        ("another cohort's facilitator", other_facilitator),
        ("admin", admin),
        ("facilitator", named.facilitator),
    ]:
        client.force_login(user)
        observed[name] = [client.get(path).status_code for path in paths]
    assert observed == {
        "officer asked": [403, 403, 403, 403],
        "another city's officer": [404, 404, 404, 404],
        "another cohort's facilitator": [404, 404, 404, 404],
        "admin": [200, 200, 200, 200],
        "facilitator": [200, 200, 200, 200],
    }
    client.logout()
    assert client.get(paths[0]).status_code == 302


def test_png_is_the_chart_at_its_size(client, named):
    client.force_login(named.facilitator)
    question = named.questions["multiple"]
    svg = client.get(reverse("survey_results_svg", args=[named.survey.pk, question.pk]))
    root = ET.fromstring(svg.content)
    response = client.get(reverse("survey_results_png", args=[named.survey.pk, question.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        f'attachment; filename="survey-{named.survey.pk}-question-{question.pk}.png"'
    )
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (int(root.get("width")), int(root.get("height")))
    assert (width, height) == (740, 34 + 26 * 4 + 8)  # four options
    # A text question has no chart; a question of another survey is not found.
    short = named.questions["short"]
    assert (
        client.get(reverse("survey_results_png", args=[named.survey.pk, short.pk])).status_code
        == 404
    )
    other = factories.QuestionFactory()
    assert (
        client.get(reverse("survey_results_png", args=[named.survey.pk, other.pk])).status_code
        == 404
    )
    page = client.get(url("survey_results", named.survey)).content.decode()
    assert f'href="{reverse("survey_results_png", args=[named.survey.pk, question.pk])}"' in page


def test_pdf_report_prints_every_question_with_its_chart(client, named):
    client.force_login(named.facilitator)
    response = client.get(url("survey_report", named.survey))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="survey-{named.survey.pk}-report.pdf"'
    )
    assert response.content.startswith(b"%PDF-")

    # What was printed: the laid-out document of the same HTML.
    document = pdf_document_from_html(survey_report_html(survey=named.survey))
    text = " ".join(page_text(page) for page in document.pages)
    for number, key in enumerate(named.questions, start=1):
        assert f"{number}. {named.questions[key].text}" in text
    assert "Submitted responses 2" in text
    assert "Lisboa: Heat pumps" in text
    # Each chart is drawn (the roadmap summary's SVG, inline; WeasyPrint draws it as an image,
    # so its words are not among the page's text boxes).
    html = survey_report_html(survey=named.survey)
    charted = [k for k in named.questions if k not in {"short", "long"}]
    assert html.count('class="summary-chart"') == len(charted)


def test_pdf_report_under_a_filter_says_so(client, named):
    html = survey_report_html(survey=named.survey, filters=ResultFilters(city_type="twin"))
    assert "Submitted responses (filtered)</dt><dd>1</dd>" in html
    assert "<p data-filters>Filtered by: Twin City</p>" in html


def _queries(client, path) -> int:
    results_changed(int(path.split("/")[2]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("anonymous", [False, True])
def test_export_queries_do_not_grow_with_responses(client, anonymous):
    world = build(anonymous=anonymous, min_responses=1)
    who = [None] * 10 if anonymous else ["lisboa", "porto", "berlin"]
    respond(world, who[0], FULL)
    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    paths = [url("survey_export_csv", world.survey), url("survey_export_xlsx", world.survey)]
    few = [_queries(client, path) for path in paths]
    for person in who[1:]:
        respond(world, person, FULL)
    many = [_queries(client, path) for path in paths]
    assert few == many
    # The user, the versions, the survey, the questions, their options and the rows (one
    # query, read in a transaction: under the test's own, its savepoint and its release are
    # two more); an anonymous survey also its count and its questions' counts. On PostgreSQL
    # the CSV's lines are written by the database, after a SET LOCAL that turns its JIT off
    # (feedback.exports._without_jit): one more.
    expected = session_queries() + 8 + (2 if anonymous else 0)
    assert many == [expected + (connection.vendor == "postgresql"), expected]


def test_report_and_png_queries_do_not_grow_with_responses(client):
    world = build()
    respond(world, "lisboa", FULL)
    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    png = reverse("survey_results_png", args=[world.survey.pk, world.questions["matrix"].pk])
    report = url("survey_report", world.survey)
    few = [_queries(client, report), _queries(client, png)]
    respond(world, "porto", FULL)
    respond(world, "berlin", FULL)
    many = [_queries(client, report), _queries(client, png)]
    assert few == many
    # The user, the versions, the survey; the report (on a miss): the versions of the names it
    # shows, the count, the questions, their options, the counts, the denominators and the
    # texts; the PNG (on a miss): the question, its options, the count, the counts and the
    # denominators (a matrix has no texts).
    assert many == [session_queries() + 10, session_queries() + 8]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(png).status_code == 200
    assert len(queries) == session_queries() + 3  # kept in the cache: no results read
    assert client.get(report).status_code == 200  # printed for the answers as they are now
    with CaptureQueriesContext(connection) as queries:
        assert client.get(report).content.startswith(b"%PDF")
    assert len(queries) == session_queries() + 4  # kept: the names' versions, nothing printed


def test_a_per_person_response_shows_its_writers_city_among_those_asked(client):
    """A person's response begun before the answering part recorded the city it speaks for
    has none: the export shows the writer's city that the survey asks (not another city of
    theirs)."""
    world = build()
    officer = world.officers["porto"]
    elsewhere = factories.CityFactory(name="Aveiro")  # theirs too, but not enrolled
    factories.CityMembershipFactory(city=elsewhere, user=officer)
    response = respond(world, "porto", {"rating": 4})
    Response.objects.filter(pk=response.pk).update(city=None)
    client.force_login(world.facilitator)
    rows = csv_rows(client.get(url("survey_export_csv", world.survey)))
    assert rows[1][:3] == ["Officer of Porto", "Porto", "Portugal"]
    assert rows[1][3 + QUESTION_COLUMNS.index("Q3. Question rating?")] == "4"


def test_the_same_responses_give_the_same_xlsx_bytes(client, named, time_machine):
    client.force_login(named.facilitator)
    first = b"".join(client.get(url("survey_export_xlsx", named.survey)).streaming_content)
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1))
    again = b"".join(client.get(url("survey_export_xlsx", named.survey)).streaming_content)
    assert first == again
    assert openpyxl.load_workbook(io.BytesIO(again)).properties.modified.year == 2020


def test_pdf_report_is_the_same_file_for_the_same_results(client, named, time_machine):
    client.force_login(named.facilitator)
    first = client.get(url("survey_report", named.survey)).content
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=1))
    assert client.get(url("survey_report", named.survey)).content == first
