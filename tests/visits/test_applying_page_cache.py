"""The application page keeps its form (or its answers) in the cache
(visits.applying.application_page_key): every change of what they show is shown at the next
reading, and nothing of one reader is shown to another."""

import json
import re

import pytest
import time_machine
from django.test import Client

from tests import factories
from tests.visits.applying_world import applying_world
from tests.visits.test_applying_pages import form, page, start
from visits import applying


@pytest.fixture
def world(db):
    return applying_world(
        questions=[{"key": "budget", "text": "Who pays the travel?", "required": True}]
    )


@pytest.fixture
def ana(world):
    client = Client()
    client.force_login(world.officer)
    return client


def read(client, application) -> str:
    response = client.get(page(application))
    assert response.status_code == 200
    return response.content.decode()


def test_a_saved_draft_is_shown_at_once(ana, world):
    application = start(ana, world)
    read(ana, application)

    ana.post(page(application), form(world, motivation="Shade for the old town."))
    after_save = read(ana, application)
    ana.post(
        page(application) + "autosave/",
        data=json.dumps({**form(world), "motivation": "Trees along the river."}),
        content_type="application/json",
    )
    after_autosave = read(ana, application)

    assert "Shade for the old town." in after_save
    assert "Trees along the river." in after_autosave
    assert "Shade for the old town." not in after_autosave


def test_changes_of_the_visits_cities_sectors_and_questions_are_shown(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world))
    read(ana, application)

    visit = world.visits[0]
    visit.title = "Mannheim's cool roofs"
    visit.save()
    after_visit = read(ana, application)
    host = world.visits[1].host_city
    host.name = "Braga"
    host.save()
    after_city = read(ana, application)
    sector = visit.sector
    sector.name = "Urban cooling"
    sector.save()
    after_sector = read(ana, application)
    world.call.questions = [{"key": "budget", "text": "Who pays the trains?", "required": True}]
    world.call.save()
    after_question = read(ana, application)

    assert "Mannheim&#x27;s cool roofs" in after_visit
    assert "Braga" in after_city
    assert "Urban cooling" in after_sector
    assert "Who pays the trains?" in after_question


def test_submitting_and_the_call_closing_show_the_answers(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world))
    assert "data-application-form" in read(ana, application)

    with time_machine.travel(world.call.closes_at, tick=False):
        closed = read(ana, application)
    ana.post(page(application), form(world, action="submit"))
    submitted = read(ana, application)

    assert "data-application-form" not in closed
    assert "data-application-answers" in closed
    assert "data-application-form" not in submitted
    assert "data-application-answers" in submitted


def form_token(content: str) -> str:
    """The CSRF token of the application's form on a page."""
    return re.search(
        r'data-application-form.*?name="csrfmiddlewaretoken" value="([^"]+)"', content, re.S
    ).group(1)


def test_a_cached_form_carries_each_readers_own_token(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    colleague = factories.city_officer(city=world.city)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(world.officer)
    second.force_login(colleague)

    first_token = form_token(read(first, application))
    # The colleague's page is the first one's form, kept: with their own token in it.
    second_token = form_token(read(second, application))
    with_first_token = second.post(
        page(application), form(world, csrfmiddlewaretoken=first_token, motivation="Theirs.")
    )
    with_own_token = second.post(
        page(application), form(world, csrfmiddlewaretoken=second_token, motivation="Ours.")
    )

    assert with_first_token.status_code == 403
    assert with_own_token.status_code == 302
    assert "Ours." in read(first, application)


def test_a_posted_draft_with_errors_is_shown_as_posted_not_as_kept(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world, motivation="As saved."))
    read(ana, application)

    refused = ana.post(
        page(application),
        form(world, motivation="As typed.", **{"delegate-0-email": "nope"}),
    )
    again = read(ana, application)

    assert refused.status_code == 400
    assert "As typed." in refused.content.decode()
    assert "“nope” is not an email address." in refused.content.decode()
    assert "As saved." in again
    assert "As typed." not in again
