"""The analysts' export under /api/v1/datasets/ (reports/api.py): the dictionary as JSON and
CSV, a data set's CSV with the filters, who may call it, and the answers to bad input."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.queries import session_queries
from tests.reports.conftest import csv_text


def token_client(user) -> Client:
    token = factories.ApiTokenFactory(user=user)
    return Client(headers={"Authorization": f"Token {token.secret}"})


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def error(status: int, code: str, message: str, fields=None) -> dict:
    found = {"status": status, "code": code, "message": message}
    if fields is not None:
        found["fields"] = fields
    return {"error": found}


def test_dictionary_as_json_for_an_admin(w):
    response = token_client(w.admin).get("/api/v1/datasets/")

    assert response.status_code == 200
    found = response.json()
    assert [dataset["key"] for dataset in found] == [
        "cities",
        "cohorts",
        "enrolments",
        "sessions",
        "registrations",
        "roadmaps",
        "roadmap-answers",
        "survey-responses",
        "survey-answers",
        "visit-applications",
        "application-scores",
    ]
    registrations = found[4]
    assert registrations["url"] == "/api/v1/datasets/registrations/"
    assert registrations["title"] == "Registrations"
    assert [(c["name"], c["type"], c["personal"]) for c in registrations["columns"]] == [
        ("registration_id", "integer", False),
        ("session_id", "integer", False),
        ("cohort_id", "integer", False),
        ("city_id", "integer", False),
        ("is_walk_in", "boolean", False),
        ("attendance", "text", False),
        ("created_at", "datetime", False),
        ("full_name", "text", True),
        ("email", "text", True),
    ]
    assert registrations["columns"][0]["description"] == "The registration's id."


def test_dictionary_leaves_personal_columns_out_for_a_facilitator(w):
    found = token_client(w.lead_a).get("/api/v1/datasets/").json()

    assert not any(column["personal"] for dataset in found for column in dataset["columns"])
    assert [c["name"] for c in found[4]["columns"]][-2:] == ["attendance", "created_at"]


def test_dictionary_as_csv(w):
    response = token_client(w.admin).get("/api/v1/datasets/dictionary.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="data-dictionary.csv"'
    found = list(csv.reader(io.StringIO(body(response).removeprefix("\ufeff"))))
    assert found[0] == ["dataset", "column", "type", "description", "personal"]
    assert found[1] == [
        "cities",
        "city_id",
        "integer",
        "The city's id (joins city_id of the other files).",
        "False",
    ]
    assert ["registrations", "email", "text", "The person's email address.", "True"] in found
    facilitators = body(token_client(w.lead_a).get("/api/v1/datasets/dictionary.csv"))
    assert ",True\r\n" not in facilitators


def test_data_set_as_csv_with_a_token(w):
    response = token_client(w.admin).get("/api/v1/datasets/registrations/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="registrations.csv"'
    lines = body(response).split("\r\n")
    assert lines[0] == (
        "\ufeffregistration_id,session_id,cohort_id,city_id,is_walk_in,attendance,created_at,"
        "full_name,email"
    )
    assert lines[1] == (
        f"{w.r1.pk},{w.s1.pk},{w.cohort_a.pk},{w.lisbon.pk},False,attended,"
        "2024-09-20T10:00:00Z,Ana Silva,ana@lisbon.example.org"
    )
    assert len(lines) == 6  # the header, 4 rows, the end


def test_data_set_csv_is_the_rows_csv(w):
    for key in ("cities", "survey-answers", "roadmaps"):
        response = token_client(w.admin).get(f"/api/v1/datasets/{key}/")
        assert body(response) == csv_text(w.admin, key), key


def test_filters_as_query_parameters(w):
    client = token_client(w.admin)
    query = f"?cohort={w.cohort_a.pk}&cohort={w.cohort_b.pk}&country={w.germany.pk}"
    lines = body(client.get("/api/v1/datasets/cities/" + query)).split("\r\n")

    assert [line.split(",")[0] for line in lines[1:-1]] == [str(w.berlin.pk)]
    dated = body(client.get("/api/v1/datasets/sessions/?date_from=2024-10-16&date_to=2025-01-31"))
    assert [line.split(",")[0] for line in dated.split("\r\n")[1:-1]] == [str(w.s2.pk)]
    typed = body(client.get("/api/v1/datasets/cities/?city_type=mission&programme=odg"))
    assert [line.split(",")[0] for line in typed.split("\r\n")[1:-1]] == [str(w.porto.pk)]
    grouped = body(client.get(f"/api/v1/datasets/cities/?thematic_group={w.energy_a.pk}"))
    assert [line.split(",")[0] for line in grouped.split("\r\n")[1:-1]] == [str(w.lisbon.pk)]


def test_facilitator_gets_their_cohorts_without_personal_columns(w):
    text = body(token_client(w.lead_a).get("/api/v1/datasets/registrations/"))
    lines = text.split("\r\n")

    assert lines[0] == (
        "\ufeffregistration_id,session_id,cohort_id,city_id,is_walk_in,attendance,created_at"
    )
    assert [line.split(",")[0] for line in lines[1:-1]] == [
        str(w.r1.pk),
        str(w.r2.pk),
        str(w.r3.pk),
    ]


def test_facilitator_asking_for_another_cohort_gets_400(w):
    response = token_client(w.lead_a).get(f"/api/v1/datasets/cities/?cohort={w.cohort_b.pk}")

    assert response.status_code == 400
    assert response.json() == error(
        400,
        "invalid",
        "Some of the data is not valid.",
        {
            "cohort": [
                f"Select a valid choice. {w.cohort_b.pk} is not one of the available choices."
            ]
        },
    )


def invalid(value: str) -> list[str]:
    return [f"Select a valid choice. {value} is not one of the available choices."]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("cohort=abc", {"cohort": invalid("abc")}),
        (
            "programme=none",
            {"programme": ["“none” is not one of the choices: odg, twinning, pilot_sensemaking."]},
        ),
        (
            "city_type=",
            {"city_type": ["“” is not one of the choices: mission, mission_minded, pilot, twin."]},
        ),
        ("country=999999", {"country": invalid("999999")}),
        ("thematic_group=x", {"thematic_group": invalid("x")}),
        ("date_from=2025-13-01", {"date_from": ["Enter a valid date."]}),
        (
            "date_from=2025-02-01&date_to=2025-01-01",
            {"date_to": ["The end of the range is before its start."]},
        ),
    ],
)
def test_bad_filters_answer_400_in_the_error_shape(w, query, fields):
    response = token_client(w.admin).get(f"/api/v1/datasets/sessions/?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, "invalid", "Some of the data is not valid.", fields)


def test_unknown_data_set_answers_404(w):
    response = token_client(w.admin).get("/api/v1/datasets/people/")

    assert response.status_code == 404
    assert response.json() == error(404, "not_found", "Not found.")


@pytest.mark.parametrize(
    "path", ["/api/v1/datasets/", "/api/v1/datasets/dictionary.csv", "/api/v1/datasets/cities/"]
)
def test_who_may_not_export(w, path):
    anonymous = Client().get(path)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert anonymous.json() == error(
        401, "not_authenticated", "Authentication credentials were not provided."
    )
    for user in (w.officer, w.reviewer):
        response = token_client(user).get(path)
        assert response.status_code == 403
        assert response.json() == error(
            403, "permission_denied", "You do not have permission to perform this action."
        )


def test_csv_whatever_the_accept_header(w):
    response = token_client(w.admin).get("/api/v1/datasets/cohorts/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


def test_queries_do_not_grow_with_the_rows(w):
    from tests.reports.test_datasets_filters import _grow

    client = token_client(w.admin)
    paths = ["/api/v1/datasets/", "/api/v1/datasets/survey-answers/", "/api/v1/datasets/cities/"]
    one = [_queries(client, path) for path in paths]
    _grow(w)
    many = [_queries(client, path) for path in paths]

    assert one == many


@pytest.mark.parametrize("who", ["admin", "lead_a"])
def test_dictionary_query_count_is_exact_and_does_not_grow(client, w, who):
    from tests.reports.test_datasets_filters import _grow

    client.force_login(getattr(w, who))
    one = _queries(client, "/api/v1/datasets/")
    _grow(w)
    many = _queries(client, "/api/v1/datasets/")

    # The session (maybe) and the person: the dictionary is the code's, not the database's.
    assert one == many == session_queries() + 1
