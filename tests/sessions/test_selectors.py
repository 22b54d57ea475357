"""sessions.selectors.sessions_facilitated_by: every session for an admin, only their own with
`own_only` (what a facilitator's home page lists). cohort_schedulable_by: the cohorts the rule
`peer_sessions.add_session` grants (the new session page asks only the selector)."""

import datetime

from sessions.models import Session
from sessions.selectors import cohort_schedulable_by, sessions_facilitated_by
from tests import factories
from tests.sessions.conftest import schedule


def _titles(queryset) -> list[str]:
    return sorted(queryset.values_list("title", flat=True))


def test_sessions_facilitated_by_for_an_admin_who_also_facilitates(programme):
    admin = factories.UserFactory(is_programme_admin=True, is_facilitator=True)
    other = factories.CohortFactory(number=2)
    schedule(
        other,
        "Other cohort",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 0),
    )
    named = schedule(
        other,
        "Named on it",
        datetime.datetime(2024, 12, 5, 10, 0),
        datetime.datetime(2024, 12, 5, 11, 0),
    )
    named.facilitators.add(admin)

    assert (
        _titles(sessions_facilitated_by(user=admin)),
        _titles(sessions_facilitated_by(user=admin, own_only=True)),
    ) == (["Energy: district heating", "Named on it", "Other cohort"], ["Named on it"])


def test_sessions_facilitated_by_a_group_facilitator_with_or_without_own_only(programme):
    person = factories.UserFactory(is_facilitator=True)
    factories.ThematicGroupFactory(cohort=programme.cohort).facilitators.add(person)
    schedule(
        factories.CohortFactory(number=2),
        "Other cohort",
        datetime.datetime(2024, 12, 4, 10, 0),
        datetime.datetime(2024, 12, 4, 11, 0),
    )

    assert (
        _titles(sessions_facilitated_by(user=person)),
        _titles(sessions_facilitated_by(user=person, own_only=True)),
        Session.objects.count(),
    ) == (["Energy: district heating"], ["Energy: district heating"], 2)


def test_cohort_schedulable_by_grants_what_the_add_session_rule_grants(programme):
    group_facilitator = factories.UserFactory(is_facilitator=True)
    factories.ThematicGroupFactory(cohort=programme.cohort).facilitators.add(group_facilitator)
    other_cohort = factories.CohortFactory(number=2)
    people = [
        programme.lead,
        group_facilitator,
        programme.officer,
        factories.UserFactory(is_facilitator=True),
        factories.UserFactory(is_programme_admin=True),
    ]

    for cohort in (programme.cohort, other_cohort):
        for person in people:
            # A fresh object each time, as a request has, so that no facts kept on it answer.
            person = type(person).objects.get(pk=person.pk)
            schedulable = cohort_schedulable_by(user=person, pk=cohort.pk) is not None
            assert schedulable == person.has_perm("peer_sessions.add_session", cohort), (
                person,
                cohort,
            )
    assert [
        cohort_schedulable_by(user=person, pk=programme.cohort.pk) is not None for person in people
    ] == [True, True, False, False, True]
