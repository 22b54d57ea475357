"""cohorts/rules.py: who holds which cohort permission, with and without an object."""

import pytest

from cohorts.models import Enrolment
from tests import factories

PERMISSIONS = [
    "cohorts.add_cohort",
    "cohorts.change_cohort",
    "cohorts.view_cohort",
    "cohorts.decide_enrolment",
]


@pytest.fixture
def people(cohort, lead, group_facilitator, lisbon_officer, programme_admin):
    return {
        "lead": lead,
        "group_facilitator": group_facilitator,
        "other_facilitator": factories.UserFactory(is_facilitator=True),
        "officer": lisbon_officer,
        "reviewer": factories.UserFactory(is_reviewer=True),
        "admin": programme_admin,
    }


# fmt: off
ON_THE_COHORT = {
    #                     add    change view   decide
    "lead":              (True,  True,  True,  True),
    "group_facilitator": (True,  False, True,  True),
    "other_facilitator": (True,  False, False, False),
    "officer":           (False, False, False, False),
    "reviewer":          (False, False, False, False),
    "admin":             (True,  True,  True,  True),
}
# fmt: on


def test_cohort_permissions_by_role(people, cohort):
    held = {
        who: tuple(user.has_perm(perm, cohort) for perm in PERMISSIONS)
        for who, user in people.items()
    }

    assert held == ON_THE_COHORT


def test_request_enrolment_is_for_officers_of_the_city(people, lisbon):
    espoo = factories.CityFactory(name="Espoo")

    held = {
        who: (
            user.has_perm("cohorts.request_enrolment"),
            user.has_perm("cohorts.request_enrolment", lisbon),
            user.has_perm("cohorts.request_enrolment", espoo),
        )
        for who, user in people.items()
        if who in {"officer", "lead", "admin"}
    }

    assert held == {
        "officer": (True, True, False),
        "lead": (False, False, False),
        # Admins enrol directly (decide_enrolment); the request page offers only one's own cities.
        "admin": (False, False, False),
    }


@pytest.mark.parametrize("status", ["accepted", "requested", "declined"])
def test_view_cohort_programme_is_for_its_people_and_an_accepted_citys_officers(
    people, cohort, lisbon, status
):
    Enrolment.objects.create(cohort=cohort, city=lisbon, status=status)

    held = {
        who: user.has_perm("cohorts.view_cohort_programme", cohort) for who, user in people.items()
    }

    assert held == {
        "lead": True,
        "group_facilitator": True,
        "other_facilitator": False,
        # A request still waiting, or declined, opens nothing.
        "officer": status == "accepted",
        "reviewer": False,
        "admin": True,
    }
