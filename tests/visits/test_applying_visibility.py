"""The application page's read (visits.selectors.application_visible_to): it finds an
application exactly when `applications_visible_to` does, for every kind of person, and the rule
of changing it answers from what it read for that person only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from tests import factories
from tests.queries import session_queries
from tests.visits.test_applying_pages import page_queries
from visits import rules
from visits.models import Application
from visits.selectors import application_visible_to, applications_visible_to


@pytest.fixture
def people(db):
    portugal = factories.CountryFactory(iso_code="PT")
    lisbon = factories.CityFactory(name="Lisbon", country=portugal)
    porto = factories.CityFactory(name="Porto", country=portugal)
    berlin = factories.CityFactory(name="Berlin", country=factories.CountryFactory(iso_code="DE"))
    call = factories.CallFactory(exclude_same_country=True)
    application = factories.ApplicationFactory(call=call, city=lisbon)
    reviewer = factories.UserFactory(is_reviewer=True)
    factories.ReviewFactory(application=application, reviewer=reviewer)
    # Assigned, then an officer of a Portuguese city: in conflict, the call excludes the country.
    conflicted = factories.UserFactory(is_reviewer=True)
    factories.ReviewFactory(application=application, reviewer=conflicted)
    factories.CityMembershipFactory(user=conflicted, city=porto)
    # Assigned, and an officer of a city elsewhere: no conflict.
    reviewer_elsewhere = factories.UserFactory(is_reviewer=True)
    factories.ReviewFactory(application=application, reviewer=reviewer_elsewhere)
    factories.CityMembershipFactory(user=reviewer_elsewhere, city=berlin)
    return {
        "application": application,
        "officer": factories.city_officer(city=lisbon),
        "officer_elsewhere": factories.city_officer(city=berlin),
        "admin": factories.UserFactory(is_programme_admin=True),
        "reviewer": reviewer,
        "conflicted": conflicted,
        "reviewer_elsewhere": reviewer_elsewhere,
        "unassigned_reviewer": factories.UserFactory(is_reviewer=True),
        "someone": factories.UserFactory(),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("officer", True),
        ("admin", True),
        ("reviewer", True),
        ("reviewer_elsewhere", True),
        ("conflicted", False),
        ("officer_elsewhere", False),
        ("unassigned_reviewer", False),
        ("someone", False),
    ],
)
def test_finds_the_application_exactly_when_the_selector_does(people, who, sees):
    user = people[who]
    application = people["application"]

    found = application_visible_to(
        user=user, pk=application.pk, applications=Application.objects.all()
    )

    by_selector = applications_visible_to(user=user).filter(pk=application.pk).exists()
    assert by_selector is sees
    assert (found == application) is sees
    assert found is None or found.pk == application.pk


def test_finds_nothing_for_no_such_application_or_a_signed_out_person(people):
    application = people["application"]
    applications = Application.objects.all()

    assert application_visible_to(user=people["admin"], pk=0, applications=applications) is None
    assert (
        application_visible_to(user=AnonymousUser(), pk=application.pk, applications=applications)
        is None
    )


def test_the_rule_answers_from_the_read_for_that_person_only(people, django_assert_num_queries):
    application = people["application"]
    read_for_officer = rules.with_officer_answer(
        Application.objects.select_related("city"), people["officer"]
    ).get(pk=application.pk)
    read_for_admin = rules.with_officer_answer(
        Application.objects.select_related("city"), people["admin"]
    ).get(pk=application.pk)

    with django_assert_num_queries(0):
        assert rules.is_officer_of_application_city(people["officer"], read_for_officer)
        assert not rules.is_officer_of_application_city(people["admin"], read_for_admin)
    # Asked for someone else, the rule asks the database, as without the read.
    with django_assert_num_queries(1):
        assert not rules.is_officer_of_application_city(people["someone"], read_for_officer)
    with django_assert_num_queries(1):
        assert rules.is_officer_of_application_city(people["officer"], read_for_admin)


def test_a_reviewer_reads_the_page_with_one_query_more_than_an_officer(people):
    application = people["application"]
    officer, reviewer = Client(), Client()
    officer.force_login(people["officer"])
    reviewer.force_login(people["reviewer"])
    url = f"/visits/applications/{application.pk}/"

    # The officer: user, the application (with whether they are an officer of its city and
    # whether its roadmap is completed), the versions of the answers' data, the visits with the
    # preferences, the delegates. The call is not open: the officer reads the answers, as the
    # reviewer does, who then finds them kept in the cache, after the whole selector (they are
    # not an officer of the city).
    assert page_queries(officer, url) == 5 + session_queries()
    assert page_queries(reviewer, url) == 4 + session_queries()
    assert page_queries(officer, url) == 3 + session_queries()
