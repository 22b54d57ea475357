"""`feedback.results.asked_people` (who a survey asks, in SQL) agrees with the rule
feedback.rules.is_asked for every person of a small world, for every scope of survey."""

import pytest
from django.contrib.auth import get_user_model

from cohorts.enums import EnrolmentStatus, Programme
from feedback.enums import SurveyScope
from feedback.results import asked_cities, asked_people
from feedback.rules import is_asked
from tests import factories

pytestmark = pytest.mark.django_db


def _world():
    cohort = factories.CohortFactory(programme=Programme.ONLINE_DISCUSSION_GROUPS)
    sibling = factories.CohortFactory(programme=Programme.ONLINE_DISCUSSION_GROUPS)
    elsewhere = factories.CohortFactory(programme=Programme.TWINNING)
    people = {}

    def officer_of(name, cohort_, status):
        city = factories.CityFactory(name=name)
        person = factories.UserFactory(email=f"{name.lower()}@example.org")
        factories.CityMembershipFactory(city=city, user=person)
        if cohort_ is not None:
            factories.EnrolmentFactory(cohort=cohort_, city=city, status=status)
        people[name] = person
        return city

    officer_of("Accepted", cohort, EnrolmentStatus.ACCEPTED)
    officer_of("Requested", cohort, EnrolmentStatus.REQUESTED)
    officer_of("Declined", cohort, EnrolmentStatus.DECLINED)
    officer_of("Sibling", sibling, EnrolmentStatus.ACCEPTED)
    officer_of("Elsewhere", elsewhere, EnrolmentStatus.ACCEPTED)
    officer_of("Nowhere", None, None)
    # A second officer of the accepted city, and an officer of two cities.
    accepted_city = people["Accepted"].cities.get()
    people["Colleague"] = factories.UserFactory()
    factories.CityMembershipFactory(city=accepted_city, user=people["Colleague"])
    factories.CityMembershipFactory(city=people["Elsewhere"].cities.get(), user=people["Colleague"])
    people["Facilitator"] = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(people["Facilitator"])
    people["Admin"] = factories.UserFactory(is_programme_admin=True)
    # Registered for the session with their account's address in other letters, and a
    # registration of someone without an account.
    people["Guest"] = factories.UserFactory(email="guest.expert@example.org")
    session = factories.SessionFactory(cohort=cohort)
    factories.RegistrationFactory(session=session, email="Guest.Expert@Example.org")
    factories.RegistrationFactory(session=session, email="no.account@example.org")
    other_session = factories.SessionFactory(cohort=sibling)
    factories.RegistrationFactory(session=other_session, email="requested@example.org")
    surveys = [
        factories.SurveyFactory(cohort=cohort, is_published=True),
        factories.SurveyFactory(cohort=sibling, is_published=True),
        factories.SurveyFactory(
            scope=SurveyScope.SESSION, cohort=None, session=session, is_published=True
        ),
        factories.SurveyFactory(
            scope=SurveyScope.SESSION, cohort=None, session=other_session, is_published=True
        ),
        factories.SurveyFactory(
            scope=SurveyScope.PROGRAMME,
            cohort=None,
            programme=Programme.ONLINE_DISCUSSION_GROUPS,
            is_published=True,
        ),
        factories.SurveyFactory(
            scope=SurveyScope.PROGRAMME, cohort=None, programme=Programme.TWINNING
        ),
    ]
    return people, surveys


def test_asked_people_agrees_with_the_rule_for_every_person():
    people, surveys = _world()
    everyone = list(get_user_model().objects.order_by("pk"))
    for survey in surveys:
        by_rule = {person.pk for person in everyone if is_asked(person, survey)}
        assert set(asked_people(survey).values_list("pk", flat=True)) == by_rule, survey
    # The world exercises the rule both ways: each survey asks someone and leaves someone out.
    names = {person.pk: name for name, person in people.items()}
    asked_names = [
        sorted(names.get(pk, pk) for pk in asked_people(survey).values_list("pk", flat=True))
        for survey in surveys
    ]
    assert asked_names == [
        ["Accepted", "Colleague"],
        ["Sibling"],
        ["Accepted", "Colleague", "Guest"],
        ["Requested", "Sibling"],
        ["Accepted", "Colleague", "Sibling"],
        ["Colleague", "Elsewhere"],
    ]


def test_asked_cities_are_the_accepted_enrolled_ones():
    _people, surveys = _world()
    assert [city.name for city in asked_cities(surveys[0])] == ["Accepted"]
    assert sorted(city.name for city in asked_cities(surveys[4])) == ["Accepted", "Sibling"]
