"""/api/v1/phases/ and /api/v1/thematic-groups/: the cohorts' own parts, seen by whoever sees
the cohort, filtered by cohort, in a fixed number of queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.cohorts.helpers import group
from tests.queries import session_queries

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2024, 10, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ended(db):
    """A cohort that ended, which a city officer of no enrolled city does not see."""
    cohort = factories.CohortFactory(
        number=7, name="Twinning 7", programme="twinning",
        starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30),
    )  # fmt: skip
    factories.PhaseFactory(
        cohort=cohort, kind="onboarding", name="Onboarding",
        starts_on=D(2023, 1, 1), ends_on=D(2023, 2, 1),
    )  # fmt: skip
    factories.ThematicGroupFactory(cohort=cohort, sector=factories.ThematicSectorFactory())
    return cohort


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_phase_list_is_exact_in_the_cohorts_order(client, cohort, lead):
    client.force_login(lead)

    rows = _rows(client.get(f"/api/v1/phases/?cohort={cohort.pk}"))

    phases = list(cohort.phases.order_by("position"))
    assert rows == [
        {"id": phases[0].pk, "cohort": cohort.pk, "kind": "onboarding", "kind_label": "Onboarding",
         "name": "Onboarding", "position": phases[0].position,
         "starts_on": "2024-09-01", "ends_on": "2024-10-15"},
        {"id": phases[1].pk, "cohort": cohort.pk, "kind": "thematic",
         "kind_label": "Thematic online discussions", "name": "Thematic online discussions",
         "position": phases[1].position, "starts_on": "2024-10-16", "ends_on": "2024-11-29"},
        {"id": phases[2].pk, "cohort": cohort.pk, "kind": "technical",
         "kind_label": "Technical support", "name": "Technical support",
         "position": phases[2].position, "starts_on": "2024-11-30", "ends_on": "2025-01-13"},
        {"id": phases[3].pk, "cohort": cohort.pk, "kind": "study_visit",
         "kind_label": "Group Study Visit preparation", "name": "Group Study Visit preparation",
         "position": phases[3].position, "starts_on": "2025-01-14", "ends_on": "2025-02-28"},
    ]  # fmt: skip
    assert client.get(f"/api/v1/phases/{phases[1].pk}/").json() == rows[1]


def test_phase_filters_by_kind_and_refuses_an_unknown_kind(client, cohort, ended, lead):
    client.force_login(factories.UserFactory(is_programme_admin=True))

    onboarding = _rows(client.get("/api/v1/phases/?kind=onboarding"))
    refused = client.get("/api/v1/phases/?kind=holiday")

    assert [(row["cohort"], row["kind"]) for row in onboarding] == [
        (ended.pk, "onboarding"),
        (cohort.pk, "onboarding"),
    ]
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "kind": ["“holiday” is not one of the choices: onboarding, thematic, technical, "
                 "study_visit."]
    }  # fmt: skip


def test_phases_and_groups_follow_the_cohorts_visibility(
    client, cohort, ended, lisbon_officer, lisbon
):
    """An officer sees the open cohort (to ask to join it) but not the ended one; a
    facilitator of neither sees none; an admin sees both."""
    ended_phase = ended.phases.get()
    ended_group = ended.thematic_groups.get()

    client.force_login(lisbon_officer)
    assert {row["cohort"] for row in _rows(client.get("/api/v1/phases/"))} == {cohort.pk}
    assert {row["cohort"] for row in _rows(client.get("/api/v1/thematic-groups/"))} == {cohort.pk}
    assert client.get(f"/api/v1/phases/{ended_phase.pk}/").status_code == 404
    assert client.get(f"/api/v1/thematic-groups/{ended_group.pk}/").status_code == 404

    client.force_login(factories.UserFactory(is_facilitator=True))
    assert _rows(client.get("/api/v1/phases/")) == []
    assert _rows(client.get("/api/v1/thematic-groups/")) == []

    client.force_login(factories.UserFactory(is_programme_admin=True))
    assert {row["cohort"] for row in _rows(client.get("/api/v1/phases/"))} == {
        cohort.pk,
        ended.pk,
    }


def test_phases_anonymous_is_401(client, cohort):
    response = client.get("/api/v1/phases/")

    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")


def test_thematic_group_list_is_exact_and_filters(client, cohort, ended, lead):
    client.force_login(factories.UserFactory(is_programme_admin=True))
    energy, mobility = group(cohort, "energy"), group(cohort, "sustainable-mobility")
    facilitator = energy.facilitators.get()

    rows = _rows(client.get(f"/api/v1/thematic-groups/?cohort={cohort.pk}"))

    assert rows == [
        {"id": energy.pk, "cohort": cohort.pk, "sector": "energy", "sector_name": "Energy",
         "facilitators": [{"id": facilitator.pk, "name": "Gus Group"}]},
        {"id": mobility.pk, "cohort": cohort.pk, "sector": "sustainable-mobility",
         "sector_name": "Sustainable mobility", "facilitators": []},
    ]  # fmt: skip
    by_sector = _rows(client.get("/api/v1/thematic-groups/?sector=sustainable-mobility"))
    by_facilitator = _rows(client.get(f"/api/v1/thematic-groups/?facilitator={facilitator.pk}"))
    assert [row["id"] for row in by_sector] == [mobility.pk]
    assert [row["id"] for row in by_facilitator] == [energy.pk]
    assert client.get(f"/api/v1/thematic-groups/{energy.pk}/").json() == rows[0]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/v1/phases/", "/api/v1/thematic-groups/"])
def test_phase_and_group_lists_queries_do_not_grow(client, lead, sectors, url):
    client.force_login(lead)

    def add(first, count):
        for number in range(first, first + count):
            cohort = factories.CohortFactory(number=number)
            cohort.facilitators.add(lead)
            factories.PhaseFactory(cohort=cohort)
            thematic_group = factories.ThematicGroupFactory(cohort=cohort, sector=sectors["energy"])
            thematic_group.facilitators.add(lead, factories.UserFactory(is_facilitator=True))

    add(100, 1)
    one = _queries(client, url)
    add(200, 10)
    many = _queries(client, url)

    # The session (maybe), the person, the data versions of the cached list, the count, the
    # page of rows (with the sector), and for the groups their facilitators.
    expected = session_queries() + (5 if "groups" in url else 4)
    assert (one, many) == (expected, expected)
    assert client.get(url).json()["count"] == 11
