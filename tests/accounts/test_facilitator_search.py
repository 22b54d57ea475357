"""GET /accounts/facilitators/search/?q=: the facilitators a search box offers, as JSON, to
facilitators and admins only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.portal_pages.helpers import sign_in

URL = "/accounts/facilitators/search/"


def search(client, query: str):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def people(db):
    return {
        "maria": factories.UserFactory(
            is_facilitator=True,
            full_name="Maria Rossi",
            email="maria@eurocities.eu",
            organisation="Eurocities",
        ),
        "jonas": factories.UserFactory(
            is_facilitator=True, full_name="Jonas Berg", email="jonas@example.org"
        ),
        "ines": factories.UserFactory(
            is_facilitator=True,
            full_name="Ines Duarte",
            email="ines@example.org",
            organisation="ICLEI Europe",
        ),
        # Never offered: not active, or not a facilitator.
        "gone": factories.UserFactory(
            is_facilitator=True, full_name="Mario Gone", email="mario@x.org", is_active=False
        ),
        "officer": factories.city_officer(full_name="Mario Officer", email="mario@city.eu"),
    }


def test_facilitator_search_matches_name_email_or_organisation(client, facilitator, people):
    sign_in(client, facilitator)

    assert search(client, "mari") == {
        "results": [{"id": people["maria"].pk, "label": "Maria Rossi, Eurocities"}],
        "more": False,
    }
    assert search(client, "EXAMPLE.ORG") == {
        "results": [
            {"id": people["ines"].pk, "label": "Ines Duarte, ICLEI Europe"},
            {"id": people["jonas"].pk, "label": "Jonas Berg"},
            # The person searching is a facilitator too ("personN@example.org").
            {"id": facilitator.pk, "label": facilitator.full_name},
        ],
        "more": False,
    }
    assert search(client, "iclei")["results"] == [
        {"id": people["ines"].pk, "label": "Ines Duarte, ICLEI Europe"}
    ]


def test_facilitator_search_by_an_admin(client, programme_admin, people):
    sign_in(client, programme_admin)

    assert [row["id"] for row in search(client, "berg")["results"]] == [people["jonas"].pk]


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_facilitator_search_is_refused_to_officers_and_reviewers(client, request, people, role):
    sign_in(client, request.getfixturevalue(role))

    assert client.get(URL, {"q": "mari"}).status_code == 403


def test_facilitator_search_is_for_signed_in_people(client, people):
    response = client.get(URL, {"q": "mari"})

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/accounts/facilitators/search/%3Fq%3Dmari",
    )


def test_facilitator_search_shorter_than_two_characters_finds_nothing(client, facilitator, people):
    sign_in(client, facilitator)

    assert search(client, "m") == {"results": [], "more": False}


def test_facilitator_search_lists_twenty_by_name_and_says_there_are_more(client, facilitator):
    sign_in(client, facilitator)
    team = [
        factories.UserFactory(is_facilitator=True, full_name=f"Team member {n:02d}")
        for n in reversed(range(21))
    ]
    by_name = sorted(team, key=lambda user: user.full_name)

    found = search(client, "team member")

    assert found["results"] == [{"id": user.pk, "label": user.full_name} for user in by_name[:20]]
    assert found["more"] is True


def test_facilitator_search_queries_do_not_grow_with_matches(client, facilitator):
    sign_in(client, facilitator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            search(client, "helper")
        return len(captured)

    factories.UserFactory(is_facilitator=True, full_name="Helper 0")
    one = queries()
    factories.UserFactory.create_batch(30, is_facilitator=True, full_name="Helper n")
    assert queries() == one
