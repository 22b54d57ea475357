"""/api/v1/cohorts/ and /api/v1/enrolments/: visibility, filters, requests and decisions."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts import services
from cohorts.models import Enrolment
from notifications.models import OutboundEmail
from tests import factories
from tests.cohorts.helpers import TODAY, group

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2024, 10, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ended(db, lead):
    cohort = factories.CohortFactory(
        number=7, name="Twinning 7", programme="twinning",
        starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30),
    )  # fmt: skip
    cohort.facilitators.add(lead)
    return cohort


def _names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_cohort_api_detail_is_exact(client, cohort, lead):
    client.force_login(lead)

    response = client.get(f"/api/v1/cohorts/{cohort.pk}/")

    energy, mobility = group(cohort, "energy"), group(cohort, "sustainable-mobility")
    facilitator = energy.facilitators.get()
    assert response.json() == {
        "id": cohort.pk,
        "programme": "odg",
        "number": 1,
        "name": "Online Discussion Groups cohort 1",
        "starts_on": "2024-09-01",
        "ends_on": "2025-02-28",
        "phases": [
            {"kind": "onboarding", "name": "Onboarding",
             "starts_on": "2024-09-01", "ends_on": "2024-10-15"},
            {"kind": "thematic", "name": "Thematic online discussions",
             "starts_on": "2024-10-16", "ends_on": "2024-11-29"},
            {"kind": "technical", "name": "Technical support",
             "starts_on": "2024-11-30", "ends_on": "2025-01-13"},
            {"kind": "study_visit", "name": "Group Study Visit preparation",
             "starts_on": "2025-01-14", "ends_on": "2025-02-28"},
        ],
        "thematic_groups": [
            {"id": energy.pk, "sector": "energy", "sector_name": "Energy",
             "facilitators": [{"id": facilitator.pk, "name": "Gus Group"}]},
            {"id": mobility.pk, "sector": "sustainable-mobility",
             "sector_name": "Sustainable mobility", "facilitators": []},
        ],
    }  # fmt: skip


def test_cohort_api_visibility_by_role(client, cohort, ended, lisbon_officer, lisbon):
    other = factories.UserFactory(is_facilitator=True)

    client.force_login(lisbon_officer)
    assert _names(client.get("/api/v1/cohorts/")) == ["Online Discussion Groups cohort 1"]
    assert client.get(f"/api/v1/cohorts/{ended.pk}/").status_code == 404

    Enrolment.objects.create(cohort=ended, city=lisbon, status="accepted")
    assert _names(client.get("/api/v1/cohorts/")) == [
        "Online Discussion Groups cohort 1",
        "Twinning 7",
    ]

    client.force_login(other)
    assert _names(client.get("/api/v1/cohorts/")) == []
    assert client.get(f"/api/v1/cohorts/{cohort.pk}/").status_code == 404


def test_cohort_api_filters_by_programme(client, cohort, ended, lead):
    client.force_login(lead)

    assert _names(client.get("/api/v1/cohorts/?programme=twinning")) == ["Twinning 7"]
    assert _names(client.get("/api/v1/cohorts/?programme=odg")) == [
        "Online Discussion Groups cohort 1"
    ]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_cohort_api_list_queries_do_not_grow(client, lead, sectors):
    client.force_login(lead)

    def add(first, count):
        for number in range(first, first + count):
            cohort = factories.CohortFactory(number=number)
            cohort.facilitators.add(lead)
            factories.PhaseFactory(cohort=cohort)
            thematic_group = factories.ThematicGroupFactory(cohort=cohort, sector=sectors["energy"])
            thematic_group.facilitators.add(lead)

    add(100, 1)
    one = _queries(client, "/api/v1/cohorts/")
    add(200, 10)
    many = _queries(client, "/api/v1/cohorts/")

    assert (len(client.get("/api/v1/cohorts/").json()["results"]), many) == (11, one)


def _request_body(cohort, city, *groups):
    return {
        "cohort": cohort.pk,
        "city": city.pk,
        "groups": [{"thematic_group": g.pk, "needs": f"needs for {g.sector.name}"} for g in groups],
    }


def test_enrolment_api_officer_asks_to_join(client, cohort, lisbon, lisbon_officer):
    energy = group(cohort, "energy")
    client.force_login(lisbon_officer)

    response = client.post(
        "/api/v1/enrolments/",
        _request_body(cohort, lisbon, energy),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    enrolment = Enrolment.objects.get()
    body = response.json()
    assert (body["id"], body["status"], body["requested_by"], body["groups"]) == (
        enrolment.pk,
        "requested",
        lisbon_officer.pk,
        [{"thematic_group": energy.pk, "sector": "energy", "needs": "needs for Energy"}],
    )


def test_enrolment_api_asking_twice_is_400_with_message_at_city(
    client, cohort, lisbon, lisbon_officer
):
    energy = group(cohort, "energy")
    services.enrolment_request(
        cohort=cohort, city=lisbon, acting_user=lisbon_officer, groups=[(energy, "")], today=TODAY
    )
    client.force_login(lisbon_officer)

    response = client.post(
        "/api/v1/enrolments/",
        _request_body(cohort, lisbon, energy),
        content_type="application/json",
    )

    message = "Lisbon has already asked to join Online Discussion Groups cohort 1."
    assert (response.status_code, response.json()) == (
        400,
        {"error": {"status": 400, "code": "duplicate", "message": message,
                   "fields": {"city": [message]}}},
    )  # fmt: skip


def test_enrolment_api_refuses_another_citys_request(client, cohort, lisbon, lisbon_officer):
    espoo_officer = factories.city_officer()
    client.force_login(espoo_officer)

    response = client.post(
        "/api/v1/enrolments/",
        _request_body(cohort, lisbon, group(cohort, "energy")),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "city": [f'Invalid pk "{lisbon.pk}" - object does not exist.']
    }
    assert Enrolment.objects.count() == 0


@pytest.fixture
def lisbon_request(cohort, lisbon, lisbon_officer):
    return services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=TODAY,
    )


def test_enrolment_api_visibility_by_role(client, cohort, lisbon_request, lead, lisbon_officer):
    url = f"/api/v1/enrolments/{lisbon_request.pk}/"
    expected = {
        lisbon_officer: 200,
        lead: 200,
        factories.city_officer(): 404,
        factories.UserFactory(is_facilitator=True): 404,
    }

    seen = {}
    for user in expected:
        client.force_login(user)
        seen[user] = client.get(url).status_code

    assert seen == expected
    client.force_login(lisbon_officer)
    assert [e["city_name"] for e in client.get("/api/v1/enrolments/").json()["results"]] == [
        "Lisbon"
    ]


@pytest.mark.django_db(transaction=True)
def test_enrolment_api_facilitator_accepts_and_the_officer_is_emailed(
    client, cohort, lisbon_request, lead, group_facilitator
):
    client.force_login(group_facilitator)

    response = client.post(f"/api/v1/enrolments/{lisbon_request.pk}/accept/")

    assert (response.status_code, response.json()["status"]) == (200, "accepted")
    # The request told the lead and the Energy group's facilitator; the decision, the officer.
    assert list(OutboundEmail.objects.order_by("pk").values_list("key", "to")) == [
        (f"enrolment:{lisbon_request.pk}:requested:{lead.pk}", lead.email),
        (
            f"enrolment:{lisbon_request.pk}:requested:{group_facilitator.pk}",
            group_facilitator.email,
        ),
        (f"enrolment:{lisbon_request.pk}:accepted", "ana@lisboa.pt"),
    ]
    response = client.post(f"/api/v1/enrolments/{lisbon_request.pk}/decline/")
    assert (response.status_code, response.json()["error"]["message"]) == (
        400,
        "Lisbon's enrolment in Online Discussion Groups cohort 1 is already enrolled.",
    )


def test_enrolment_api_officer_cannot_decide(client, lisbon_request, lisbon_officer):
    client.force_login(lisbon_officer)
    assert client.post(f"/api/v1/enrolments/{lisbon_request.pk}/accept/").status_code == 403

    client.force_login(factories.city_officer())
    assert client.post(f"/api/v1/enrolments/{lisbon_request.pk}/decline/").status_code == 404

    lisbon_request.refresh_from_db()
    assert lisbon_request.status == "requested"


def test_enrolment_api_filters_and_queries_do_not_grow(client, cohort, lead):
    client.force_login(lead)
    energy = group(cohort, "energy")

    def add(count, status):
        for _ in range(count):
            enrolment = Enrolment.objects.create(
                cohort=cohort, city=factories.CityFactory(), status=status,
                requested_by=factories.UserFactory(),
            )  # fmt: skip
            enrolment.groups.create(thematic_group=energy)

    add(1, "requested")
    one = _queries(client, "/api/v1/enrolments/")
    add(10, "accepted")
    many = _queries(client, "/api/v1/enrolments/")

    assert many == one
    assert len(client.get("/api/v1/enrolments/?status=requested").json()["results"]) == 1
    assert len(client.get(f"/api/v1/enrolments/?cohort={cohort.pk}").json()["results"]) == 11


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("city=99999999999999999999999", "city",
         "Ensure this value is less than or equal to 9223372036854775807."),
        ("cohort=9223372036854775808", "cohort",
         "Ensure this value is less than or equal to 9223372036854775807."),
        ("cohort=0", "cohort", "Ensure this value is greater than or equal to 1."),
        ("city=1.5", "city", "Enter a whole number."),
    ],
)  # fmt: skip
def test_enrolment_api_id_filter_out_of_range_is_400_at_the_field(
    client, lisbon_request, lead, query, field, message
):
    client.force_login(lead)

    response = client.get(f"/api/v1/enrolments/?{query}")

    assert (response.status_code, response.json()) == (
        400,
        {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": "Some of the data is not valid.",
                "fields": {field: [message]},
            }
        },
    )


def test_enrolment_api_id_filter_at_the_largest_id_is_an_empty_list(client, lisbon_request, lead):
    client.force_login(lead)

    response = client.get("/api/v1/enrolments/?city=9223372036854775807")

    assert (response.status_code, response.json()["results"]) == (200, [])


# --- who may act: the services check, the API answers 403 or 404 as before ---------------------


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_enrolment_api_decision_refused_by_the_service_is_403_in_the_error_shape(
    client, lisbon_request, lisbon_officer, decision
):
    client.force_login(lisbon_officer)

    response = client.post(f"/api/v1/enrolments/{lisbon_request.pk}/{decision}/")

    assert (response.status_code, response.json()) == (
        403,
        {
            "error": {
                "status": 403,
                "code": "permission_denied",
                "message": "You do not have permission to do this.",
            }
        },
    )
    lisbon_request.refresh_from_db()
    assert (lisbon_request.status, lisbon_request.decided_by) == ("requested", None)


def test_enrolment_api_programme_admin_decides_a_cohort_they_do_not_facilitate(
    client, lisbon_request, programme_admin
):
    client.force_login(programme_admin)

    response = client.post(f"/api/v1/enrolments/{lisbon_request.pk}/decline/")

    assert (response.status_code, response.json()["status"], response.json()["decided_by"]) == (
        200,
        "declined",
        programme_admin.pk,
    )
