"""The officer's home page lists the Group Study Visit calls open to their cities, with a link
to apply or continue (home.selectors, visits.applying.open_calls_for)."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.visits.applying_world import applying_world
from visits import applying
from visits.enums import CallStatus


@pytest.fixture
def world(db):
    return applying_world()


@pytest.fixture
def ana(world):
    client = Client()
    client.force_login(world.officer)
    return client


def calls_block(content: str) -> str:
    if 'data-block="officer-visit-calls"' not in content:
        return ""
    start = content.index('data-block="officer-visit-calls"')
    return content[start : content.index("</section>", start)]


def test_home_offers_apply_then_continue_then_submitted(ana, world):
    before = calls_block(ana.get("/").content.decode())
    application = applying.application_start(acting_user=world.officer, call=world.call)
    draft = calls_block(ana.get("/").content.decode())
    type(application).objects.filter(pk=application.pk).update(status="submitted")
    application.refresh_from_db()
    application.save(update_fields=["status"])  # as the service does: raises the version
    submitted = calls_block(ana.get("/").content.decode())

    assert f'action="/visits/calls/{world.call.pk}/apply/"' in before
    assert world.call.title in before
    assert 'data-application-state="draft"' in draft
    assert f'href="/visits/applications/{application.pk}/">Continue the draft</a>' in draft
    assert 'data-application-state="submitted"' in submitted


def test_home_lists_no_call_of_another_cohort_and_none_once_closed(ana, world):
    other = factories.CallFactory(status=CallStatus.OPEN, title="Another cohort's call")
    other.eligible_cohorts.add(factories.CohortFactory())

    content = calls_block(ana.get("/").content.decode())
    with time_machine.travel(world.call.closes_at + datetime.timedelta(minutes=1), tick=False):
        closed = ana.get("/").content.decode()

    assert "Another cohort" not in content
    assert world.call.title in content
    assert calls_block(closed) == ""


def test_a_call_opened_later_shows_on_the_next_request(ana, world):
    world.call.status = CallStatus.DRAFT
    world.call.save()
    assert calls_block(ana.get("/").content.decode()) == ""

    world.call.status = CallStatus.OPEN
    world.call.save()

    assert world.call.title in calls_block(ana.get("/").content.decode())


def test_another_citys_officer_does_not_see_lisbons_application(world):
    applying.application_start(acting_user=world.officer, call=world.call)
    rui = Client()
    rui.force_login(world.other_officer)

    block = calls_block(rui.get("/").content.decode())

    # Porto is in the cohort too: it may apply; Lisbon's draft is not shown to its officer.
    assert 'data-application-state="not_started"' in block
    assert "Lisbon" not in block


def _home_queries(client) -> int:
    cache.clear()
    client.get("/")  # the session and the person's facts, read again after the clear
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_home_reads_as_many_queries_with_one_or_many_calls_and_applications(world):
    client = Client()
    client.force_login(world.officer)
    one = _home_queries(client)
    for n in range(3):
        call = factories.CallFactory(status=CallStatus.OPEN, title=f"Call {n}")
        call.eligible_cohorts.add(world.cohort)
        applying.application_start(acting_user=world.officer, call=call)
    content = client.get("/").content.decode()
    many = _home_queries(client)

    assert calls_block(content).count("data-visit-call=") == 4
    assert one == many
