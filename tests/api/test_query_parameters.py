"""Query parameters the API refuses with a 400 instead of ignoring: an enum filter with no value
or an unknown one, and a page size outside 1-200."""

import functools
import json

import pytest

from tests import factories


@functools.cache
def enum_filters() -> list[tuple[str, str, list[str]]]:
    """Every (path, parameter, choices) of a list operation whose parameter is an enum."""
    from django.test import Client

    schema = json.loads(Client().get("/api/schema/", {"format": "json"}).content)
    found = []
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query" and "enum" in parameter["schema"]:
                choices = [value for value in parameter["schema"]["enum"] if value != ""]
                found.append((path, parameter["name"], choices))
    return found


def test_every_enum_filter_of_the_schema_is_checked_here(db):
    assert sorted((path, name) for path, name, _choices in enum_filters()) == [
        ("/api/v1/cities/", "type"),
        ("/api/v1/cohorts/", "programme"),
        ("/api/v1/datasets/{key}/", "city_type"),
        ("/api/v1/datasets/{key}/", "programme"),
        ("/api/v1/enrolments/", "status"),
        ("/api/v1/phases/", "kind"),
        ("/api/v1/roadmaps/", "status"),
        ("/api/v1/sessions/", "kind"),
        ("/api/v1/sessions/", "status"),
        ("/api/v1/surveys/", "scope"),
        ("/api/v1/surveys/{id}/responses/", "city_type"),
        ("/api/v1/surveys/{id}/results/", "city_type"),
        ("/api/v1/visit-applications/", "status"),
        ("/api/v1/visit-calls/", "status"),
        ("/api/v1/visit-reviews/", "status"),
    ]


def test_empty_session_kind_answers_400_naming_the_choices(admin_client):
    factories.SessionFactory()

    response = admin_client.get("/api/v1/sessions/?kind=")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Some of the data is not valid.",
            "fields": {
                "kind": ["“” is not one of the choices: onboarding, thematic, technical, recap."]
            },
        }
    }


@pytest.mark.parametrize("value", ["", "unknown", "DRAFT "])
def test_every_enum_filter_refuses_an_empty_or_unknown_value(admin_client, value):
    # A survey's results and responses: a named survey's, which take filters.
    survey = factories.SurveyFactory(is_published=True)
    for path, name, choices in enum_filters():
        path = path.replace("{id}", str(survey.pk)).replace("{key}", "cities")
        response = admin_client.get(path, {name: value})

        assert response.status_code == 400, (path, name)
        [message] = response.json()["error"]["fields"][name]
        named = message.removeprefix(f"“{value}” is not one of the choices: ").removesuffix(".")
        assert sorted(named.split(", ")) == sorted(choices), message
        # Each choice is accepted.
        for choice in choices:
            assert admin_client.get(path, {name: choice}).status_code == 200, (path, choice)


def test_the_city_directory_page_keeps_its_any_type_option(admin_client):
    factories.CityFactory(name="Lisbon")

    response = admin_client.get("/cities/", {"type": ""})

    assert response.status_code == 200
    assert "Lisbon" in response.content.decode()


@pytest.mark.parametrize("page_size", ["0", "-1", "201", "abc", "", "1.5", "٣", "9" * 5000])
def test_a_page_size_outside_1_to_200_answers_400(admin_client, page_size):
    response = admin_client.get("/api/v1/cities/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "page_size": ["Give a whole number from 1 to 200."]
    }


@pytest.mark.parametrize("page_size", [1, 200])
def test_a_page_size_from_1_to_200_is_used(admin_client, page_size):
    for number in range(3):
        factories.CityFactory(name=f"City {number}")

    response = admin_client.get("/api/v1/cities/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 3)


def test_the_schema_states_the_page_and_page_size_ranges(client, db):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)

    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cities/"]["get"]["parameters"]
    }
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        # Found by the schema fuzzer on PostgreSQL: "time zone displacement out of range", a 500.
        ("1131-04-11T11:35:33+22:55", "The time zone offset must be between -12:00 and +14:00."),
        ("2025-01-01T10:00:00-14:30", "The time zone offset must be between -12:00 and +14:00."),
        # Before year 1 once moved to UTC: OverflowError on SQLite, a 500.
        ("0001-01-01T00:30:00+01:00", "Give a date and time between the years 1 and 9999."),
    ],
)
def test_a_session_time_filter_no_database_can_take_answers_400(admin_client, moment, message):
    response = admin_client.get("/api/v1/sessions/", {"starts_after": moment})

    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"starts_after": [message]},
    )


@pytest.mark.parametrize("moment", ["2025-01-01T10:00:00+14:00", "2025-01-01T10:00:00-12:00"])
def test_a_session_time_filter_with_a_real_offset_is_used(admin_client, moment):
    assert admin_client.get("/api/v1/sessions/", {"starts_before": moment}).status_code == 200
