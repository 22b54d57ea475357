"""Two officers acting at once on PostgreSQL (row locks; SQLite's test database is one
connection): starting the city's application, and submitting it."""

import threading

import pytest
from django.db import connection, connections

from portal.errors import ApplicationError
from tests import factories
from tests.visits.applying_world import SPOTLIGHT, applying_world
from visits import applying
from visits.applying import ApplicationDraft, DelegateEntry
from visits.enums import ApplicationStatus
from visits.models import Application, Call


def at_once(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        try:
            barrier.wait()
            outcomes.append(action())
        except ApplicationError as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def world(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite's test database is one connection)")
    return applying_world()


def test_two_officers_starting_at_once_get_the_same_draft(world):
    second = factories.city_officer(city=world.city)

    def start(officer):
        return lambda: (
            applying.application_start(
                acting_user=officer, call=Call.objects.get(pk=world.call.pk)
            ).pk
        )

    outcomes = at_once(start(world.officer), start(second))

    only = Application.objects.get(call=world.call, city=world.city)
    assert outcomes == [only.pk, only.pk]


def test_two_submissions_at_once_make_one_and_a_clear_refusal(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    applying.application_save(
        acting_user=world.officer,
        application=application,
        draft=ApplicationDraft(
            preferences=[world.visits[0].pk],
            motivation="To learn.",
            spotlight_challenge=SPOTLIGHT,
            delegates=[DelegateEntry("Ana Silva", "", "ana@lisboa.example")],
        ),
    )

    def submit():
        applying.application_submit(
            acting_user=world.officer, application=Application.objects.get(pk=application.pk)
        )
        return "submitted"

    outcomes = at_once(submit, submit)

    assert sorted(outcomes) == [
        "This application is submitted: it can no longer be changed.",
        "submitted",
    ]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
