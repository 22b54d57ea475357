"""A client's ?ordering= never leaves ties to the database: the pk breaks them."""

import datetime

import pytest

from tests import factories


@pytest.mark.django_db
def test_api_ordering_by_a_tied_field_ends_with_the_pk(client):
    admin = factories.UserFactory(is_programme_admin=True)
    same_day = datetime.date(2025, 9, 1)
    cohorts = [
        factories.CohortFactory(starts_on=same_day, ends_on=datetime.date(2026, 2, 28))
        for _ in range(3)
    ]
    client.force_login(admin, backend="accounts.backends.UserBackend")

    ascending = client.get("/api/v1/cohorts/", {"ordering": "starts_on"}).json()
    descending = client.get("/api/v1/cohorts/", {"ordering": "-starts_on"}).json()

    expected = [cohort.pk for cohort in cohorts]
    assert [row["id"] for row in ascending["results"]] == expected
    # Only the named field is reversed; ties still come in pk order.
    assert [row["id"] for row in descending["results"]] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"ordering": "starts_on"}, ["starts_on", "pk"]),
        ({"ordering": "-starts_on,number"}, ["-starts_on", "number", "pk"]),
        ({}, ["-starts_on", "pk"]),
    ],
)
def test_stable_ordering_filter_appends_the_pk(rf, query, expected):
    from rest_framework.request import Request

    from cohorts.api import CohortViewSet
    from portal.api.filters import StableOrderingFilter

    view = CohortViewSet()
    view.ordering_fields = ["starts_on", "number"]
    view.ordering = ["-starts_on"]
    request = Request(rf.get("/api/v1/cohorts/", query))

    assert StableOrderingFilter().get_ordering(request, None, view) == expected
