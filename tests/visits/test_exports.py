"""The exports of a call's ranking and allocation (visits/exports.py, visits/views_exports.py):
their exact cells in CSV and XLSX, the order and tie-break of the ranking page, dates as the
pages write them, the formula guard, who may download them, bad input, and queries that do not
grow with the applications."""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from tests import factories
from tests.queries import session_queries
from tests.visits import alloc_world
from tests.visits.test_scoring import SUBMITTED_AT, automatic, review, submitted_application
from visits import allocation, exports, scoring
from visits.enums import ApplicationStatus, AutomaticRule, CallStatus, Decision, ReviewStatus

pytestmark = pytest.mark.django_db

D = Decimal
ROUTES = (
    "visit_call_ranking_csv",
    "visit_call_ranking_xlsx",
    "visit_call_allocation_csv",
    "visit_call_allocation_xlsx",
)
# SUBMITTED_AT (09:00 UTC) as the pages write it, in the portal's time zone (Europe/Brussels):
# its day and its time of day.
SUBMITTED = ("1 March 2025", "10:00")


@pytest.fixture
def world():
    """Lisbon and Turku tie on 7 points (Turku first by its completed roadmap); Malmo submitted
    after scoring (no lines yet), Oulu withdrew, Porto is a draft."""
    cohort = factories.CohortFactory()
    call = factories.CallFactory(
        status=CallStatus.OPEN, title="Study visits 2025", disagreement_threshold=D("1")
    )
    call.eligible_cohorts.add(cohort)
    relevance = factories.CriterionFactory(call=call, name="Relevance", weight=D("2"))
    gender = factories.CriterionFactory(call=call, name="Gender balance", independent=True)
    roadmap = automatic(call, AutomaticRule.ROADMAP_COMPLETED)
    roadmap.name = "Roadmap completed"
    roadmap.save()
    portugal = factories.CountryFactory(iso_code="PT")
    finland = factories.CountryFactory(iso_code="FI")
    lisbon = factories.CityFactory(name="Lisbon", country=portugal)
    turku = factories.CityFactory(name="Turku", country=finland)
    for city in (lisbon, turku):
        factories.enrolment_accepted(cohort=cohort, city=city)
    first = submitted_application(call, city=lisbon)
    second = submitted_application(call, city=turku)
    anna = factories.UserFactory(full_name="Anna Reviewer", is_reviewer=True)
    ben = factories.UserFactory(full_name="Ben Reviewer", is_reviewer=True)
    review(first, {relevance: 2, gender: 4}, reviewer=anna)
    review(first, {relevance: 5, gender: 4}, reviewer=ben)
    review(second, {relevance: 3, gender: 2}, reviewer=anna)
    review(second, {relevance: 1}, reviewer=ben, status=ReviewStatus.RECUSED)
    Roadmap.objects.filter(city=turku).update(status=RoadmapStatus.ACCEPTED)
    withdrawn = submitted_application(
        call, city=factories.CityFactory(name="Oulu", country=finland)
    )
    scoring.call_score(call_id=call.pk)
    withdrawn.status = ApplicationStatus.WITHDRAWN
    withdrawn.save()
    factories.ApplicationFactory(
        call=call, city=factories.CityFactory(name="Porto", country=portugal)
    )
    late = submitted_application(
        call,
        city=factories.CityFactory(name="Malmo", country=factories.CountryFactory(iso_code="SE")),
    )
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    return {
        "call": call,
        "first": first,
        "second": second,
        "late": late,
        "relevance": relevance,
        "admin": factories.UserFactory(is_programme_admin=True),
        "officer": factories.city_officer(city=lisbon),
        "officer_elsewhere": factories.city_officer(),
        "reviewer": anna,
        "facilitator": facilitator,
    }


def url(name, call) -> str:
    return reverse(name, args=[call.pk])


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)))
    assert len(workbook.worksheets) == 1
    return workbook.worksheets[0]


def xlsx_rows(response) -> list[list]:
    return [list(row) for row in xlsx_sheet(response).iter_rows(values_only=True)]


def as_read_from_xlsx(row: list[str]) -> list:
    """A CSV row's cells as the XLSX holds them: numbers as numbers, empty cells as None."""
    cells = []
    for cell in row:
        if cell == "":
            cells.append(None)
        elif re.fullmatch(r"-?\d+", cell):
            cells.append(int(cell))
        elif re.fullmatch(r"-?\d+\.\d+", cell):
            cells.append(float(cell))
        else:
            cells.append(cell)
    return cells


RANKING_HEADER = [
    "Rank",
    "City",
    "Country",
    "Status",
    "Submitted on",
    "Submitted at",
    "Total",
    "Relevance: points",
    "Relevance: weight",
    "Relevance: weighted points",
    "Relevance: reviewers",
    "Relevance: deviation",
    "Relevance: reviewers disagree",
    "Gender balance (independent: not counted): points",
    "Gender balance (independent: not counted): weight",
    "Gender balance (independent: not counted): weighted points",
    "Gender balance (independent: not counted): reviewers",
    "Gender balance (independent: not counted): deviation",
    "Gender balance (independent: not counted): reviewers disagree",
    "Roadmap completed: points",
    "Roadmap completed: weight",
    "Roadmap completed: weighted points",
]
NO_LINES = ["", "2.00", "", "", "", "", "", "1.00", "", "", "", "", "", "1.00", ""]
RANKING_ROWS = [
    # Turku: 2 x 3 (Ben recused) + the roadmap's 1 = 7; first on the tie by its roadmap.
    [
        *("1", "Turku", "Finland", "Submitted", *SUBMITTED, "7.000"),
        *("3.000", "2.00", "6.000", "1", "0.000", "No"),
        *("2.000", "1.00", "0.000", "1", "0.000", "No"),
        *("1.000", "1.00", "1.000"),
    ],
    # Lisbon: 2 x mean(2, 5) = 7; the reviewers' deviation of 1.5 reaches the threshold of 1.
    [
        *("2", "Lisbon", "Portugal", "Submitted", *SUBMITTED, "7.000"),
        *("3.500", "2.00", "7.000", "2", "1.500", "Yes"),
        *("4.000", "1.00", "0.000", "2", "0.000", "No"),
        *("0.000", "1.00", "0.000"),
    ],
    ["", "Malmo", "Sweden", "Submitted", *SUBMITTED, "", *NO_LINES],
    ["", "Oulu", "Finland", "Withdrawn", *SUBMITTED, "", *NO_LINES],
    ["", "Porto", "Portugal", "Draft", "", "", "", *NO_LINES],
]


# --- The ranking -------------------------------------------------------------------------------


def test_ranking_csv_has_every_score_line_of_every_application(client, world):
    client.force_login(world["admin"])
    response = client.get(url("visit_call_ranking_csv", world["call"]))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="call-{world["call"].pk}-ranking.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    assert csv_rows(response) == [RANKING_HEADER, *RANKING_ROWS]


def test_ranking_xlsx_holds_the_same_cells_with_numbers_as_numbers(client, world):
    client.force_login(world["admin"])
    response = client.get(url("visit_call_ranking_xlsx", world["call"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="call-{world["call"].pk}-ranking.xlsx"'
    )
    sheet = xlsx_sheet(response)
    assert sheet.title == "Ranking"
    assert sheet.freeze_panes == "A2"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [RANKING_HEADER, *(as_read_from_xlsx(row) for row in RANKING_ROWS)]
    assert sheet["G2"].data_type == "n"  # the total
    assert sheet["E2"].data_type == "s"  # the submission's day, as the pages write it


def test_ranking_export_follows_the_ranking_pages_order(client, world):
    # Five more on equal totals: the page's tie-break (roadmap, earlier submission, id) holds.
    for hour in (12, 8, 8, 11, 9):
        application = submitted_application(
            world["call"], at=SUBMITTED_AT.replace(hour=hour, day=2)
        )
        review(application, {world["relevance"]: 4})
    scoring.call_score(call_id=world["call"].pk)
    client.force_login(world["admin"])

    page = client.get(reverse("visit_call_ranking", args=[world["call"].pk]))
    on_page = [int(pk) for pk in re.findall(r'<tr data-application="(\d+)">', page.text)]
    names = dict(
        world["call"].applications.values_list("pk", "city__name"),
    )
    exported = [
        row[1] for row in csv_rows(client.get(url("visit_call_ranking_csv", world["call"])))
    ]

    assert exported[1 : len(on_page) + 1] == [names[pk] for pk in on_page]
    assert exported[len(on_page) + 1 :] == ["Oulu", "Porto"]
    ranks = [row[0] for row in csv_rows(client.get(url("visit_call_ranking_csv", world["call"])))]
    assert ranks[1:9] == [str(rank) for rank in range(1, 9)]


def test_ranking_dates_are_written_in_the_readers_language(client, world):
    world["admin"].language = "fr"
    world["admin"].save(update_fields=["language"])
    client.force_login(world["admin"])

    rows = csv_rows(client.get(url("visit_call_ranking_csv", world["call"])))

    assert rows[1][4:6] == ["1 mars 2025", "10:00"]
    assert xlsx_rows(client.get(url("visit_call_ranking_xlsx", world["call"])))[1][4:6] == [
        "1 mars 2025",
        "10:00",
    ]


# --- The allocation ----------------------------------------------------------------------------


@pytest.fixture
def placed():
    return placed_world()


def placed_world(tag: str = ""):
    """Lisbon, Turku and Riga selected; Oulu moved to "not selected" by hand; Gdansk first on
    the waitlist; Porto not ranked (no decision)."""
    world = alloc_world.build(tag=tag)
    mannheim = world.visits["mannheim"]
    mannheim.title = "Green port"
    mannheim.save()
    alloc_world.apply(world, "lisbon", 1, ["mannheim", "guimaraes"])
    alloc_world.apply(world, "turku", 2, ["guimaraes"])
    alloc_world.apply(world, "riga", 3, ["guimaraes", "mannheim"])
    alloc_world.apply(world, "oulu", 4, ["guimaraes"])
    alloc_world.apply(world, "gdansk", 5, ["mannheim"])
    alloc_world.apply(world, "porto", None, ["mannheim", "guimaraes"])
    alloc_world.apply(world, "bergen", None, ["mannheim"], status=ApplicationStatus.WITHDRAWN)
    allocation.allocate(world.call)
    admin = factories.UserFactory(is_programme_admin=True)
    allocation.application_place(
        acting_user=admin,
        application=world.applications["oulu"],
        decision=Decision.NOT_SELECTED,
    )
    return world, admin


def allocation_expected(world) -> list[list[str]]:
    country = {
        name: application.city.country.name for name, application in world.applications.items()
    }
    mannheim = "Mannheim: Green port (12 May 2025)"
    guimaraes = "Guimaraes (19 May 2025)"
    in_mannheim = ["Selected", "Mannheim", "Green port", "12 May 2025", "13 May 2025", "", "No"]
    return [
        [
            "Rank", "City", "Country", "Decision", "Visit: host city", "Visit: title",
            "Visit: first day", "Visit: second day", "Waitlist position", "Placed by hand",
            "Preference 1", "Preference 2",
        ],
        ["1", "Lisbon", country["lisbon"], *in_mannheim, mannheim, guimaraes],
        ["2", "Turku", country["turku"],
         *("Selected", "Guimaraes", "", "19 May 2025", "20 May 2025", "", "No", guimaraes, "")],
        ["3", "Riga", country["riga"], *in_mannheim, guimaraes, mannheim],
        ["4", "Oulu", country["oulu"], "Not selected", "", "", "", "", "", "Yes", guimaraes, ""],
        ["5", "Gdansk", country["gdansk"], "Waitlisted", "", "", "", "", "1", "No", mannheim, ""],
        ["", "Porto", country["porto"],
         *("No decision yet", "", "", "", "", "", "No", mannheim, guimaraes)],
    ]  # fmt: skip


def test_allocation_csv_says_each_citys_decision_visit_and_preferences(client, placed):
    world, admin = placed
    client.force_login(admin)
    response = client.get(url("visit_call_allocation_csv", world.call))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == (
        f'attachment; filename="call-{world.call.pk}-allocation.csv"'
    )
    assert csv_rows(response) == allocation_expected(world)


def test_allocation_xlsx_holds_the_same_cells(client, placed):
    world, admin = placed
    client.force_login(admin)
    response = client.get(url("visit_call_allocation_xlsx", world.call))

    assert response.status_code == 200
    sheet = xlsx_sheet(response)
    assert sheet.title == "Allocation"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = allocation_expected(world)
    assert rows == [expected[0], *(as_read_from_xlsx(row) for row in expected[1:])]


# --- The formula guard ----------------------------------------------------------------------


def test_texts_a_spreadsheet_would_run_are_guarded(client, world):
    city = world["first"].city
    city.name = '=HYPERLINK("http://evil.example","Lisbon")'
    city.save()
    world["relevance"].name = "@Relevance"
    world["relevance"].save()
    country = city.country
    country.name = "+Portugal"
    country.save()
    client.force_login(world["admin"])

    rows = csv_rows(client.get(url("visit_call_ranking_csv", world["call"])))
    lisbon = rows[2]
    assert lisbon[1] == '\'=HYPERLINK("http://evil.example","Lisbon")'
    assert lisbon[2] == "'+Portugal"
    assert rows[0][7] == "'@Relevance: points"
    # Numbers are not texts: a negative one would keep its sign (none here), and totals stay.
    assert lisbon[6] == "7.000"

    sheet = xlsx_sheet(client.get(url("visit_call_ranking_xlsx", world["call"])))
    assert sheet["B3"].value == '=HYPERLINK("http://evil.example","Lisbon")'
    assert sheet["B3"].data_type == "s"  # text, never a formula
    assert sheet["C3"].value == "+Portugal"

    alloc, _admin = placed_world(tag=" B")
    visit = alloc.visits["mannheim"]
    visit.title = "=1+2"
    visit.save()
    rows = csv_rows(client.get(url("visit_call_allocation_csv", alloc.call)))
    assert rows[1][5] == "'=1+2"
    assert rows[1][10] == "Mannheim B: =1+2 (12 May 2025)"
    sheet = xlsx_sheet(client.get(url("visit_call_allocation_xlsx", alloc.call)))
    assert (sheet["F2"].value, sheet["F2"].data_type) == ("=1+2", "s")


# --- Who may download them, bad input ---------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 403), ("reviewer", 403), ("facilitator", 403), ("officer_elsewhere", 404)],
)
def test_only_admins_download_a_calls_exports(client, world, route, who, status):
    client.force_login(world[who])

    response = client.get(url(route, world["call"]))

    assert response.status_code == status
    body = content(response).decode()
    # Another city's data never: no city's name, no total.
    for name in ("Lisbon", "Turku", "Malmo", "7.000"):
        assert name not in body


@pytest.mark.parametrize("route", ROUTES)
def test_signed_out_people_are_sent_to_sign_in(client, world, route):
    response = client.get(url(route, world["call"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("route", ROUTES)
def test_unknown_call_is_a_404_and_a_post_a_405(client, world, route):
    client.force_login(world["admin"])

    assert client.get(reverse(route, args=[999_999])).status_code == 404
    assert client.post(url(route, world["call"])).status_code == 405


def test_a_call_with_no_application_nor_criterion_gives_a_header_alone(client):
    call = factories.CallFactory()
    client.force_login(factories.UserFactory(is_programme_admin=True))

    assert csv_rows(client.get(url("visit_call_ranking_csv", call))) == [RANKING_HEADER[:7]]
    assert xlsx_rows(client.get(url("visit_call_allocation_xlsx", call))) == [
        [
            "Rank", "City", "Country", "Decision", "Visit: host city", "Visit: title",
            "Visit: first day", "Visit: second day", "Waitlist position", "Placed by hand",
        ]
    ]  # fmt: skip


# --- The pages link to them ---------------------------------------------------------------


def test_ranking_and_allocation_pages_link_to_their_exports(client, world):
    client.force_login(world["admin"])
    call = world["call"]

    ranking = client.get(reverse("visit_call_ranking", args=[call.pk])).text
    allocation_page = client.get(reverse("visit_call_allocation", args=[call.pk])).text

    for route, page in (
        ("visit_call_ranking_csv", ranking),
        ("visit_call_ranking_xlsx", ranking),
        ("visit_call_allocation_csv", allocation_page),
        ("visit_call_allocation_xlsx", allocation_page),
    ):
        assert f'href="{url(route, call)}" download' in page


# --- Queries and streaming ----------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        content(response)
    return len(queries)


# The user, the call, the criteria (or the visits with their hosts), the rows (one query), and
# the savepoint and its release around the rows' reading (a transaction, portal.spreadsheets).
EXPECTED_QUERIES = 6


@pytest.mark.parametrize("route", ROUTES)
def test_queries_do_not_grow_with_the_applications(client, placed, route):
    world, admin = placed
    call = world.call
    criterion = factories.CriterionFactory(call=call, name="Relevance")
    for application in world.applications.values():
        if application.status == ApplicationStatus.SUBMITTED:
            review(application, {criterion: 3})
    scoring.call_score(call_id=call.pk)
    client.force_login(admin)
    path = url(route, call)
    client.get(path)
    few = _queries(client, path)
    # From 7 applications to 21.
    for n in range(14):
        application = alloc_world.apply(world, f"city {n}", 10 + n, ["guimaraes", "mannheim"])
        review(application, {criterion: n % 6})
    factories.CriterionFactory(call=call, name="Feasibility")
    scoring.call_score(call_id=call.pk)
    allocation.allocate(call)

    many = _queries(client, path)

    assert few == many == session_queries() + EXPECTED_QUERIES


def test_rows_are_read_as_the_file_is_written(world, monkeypatch):
    """The table is made with the criteria alone; its rows come from the database in chunks
    as they are asked for (the chunk size does not change the file)."""
    with CaptureQueriesContext(connection) as made:
        table = exports.ranking_table(call=world["call"])
    assert len(made) == 1  # the criteria
    whole = list(exports.csv_lines(table))

    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    assert list(exports.csv_lines(exports.ranking_table(call=world["call"]))) == whole


def test_the_same_rows_give_the_same_xlsx_bytes(client, world):
    client.force_login(world["admin"])
    path = url("visit_call_ranking_xlsx", world["call"])

    assert content(client.get(path)) == content(client.get(path))


def test_visit_dates_in_french(client, placed):
    world, admin = placed
    admin.language = "fr"
    admin.save(update_fields=["language"])
    client.force_login(admin)

    rows = csv_rows(client.get(url("visit_call_allocation_csv", world.call)))

    assert rows[1][6:8] == ["12 mai 2025", "13 mai 2025"]
    assert rows[1][10].endswith("(12 mai 2025)")
    assert datetime.date(2025, 5, 12) == world.visits["mannheim"].starts_on
