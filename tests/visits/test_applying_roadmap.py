"""The roadmap's Phase 4 links to the open calls through roadmaps.signals.roadmap_visit_calls,
answered by visits (roadmaps never imports visits)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cohorts.models import Phase
from roadmaps.enums import RoadmapStatus
from roadmaps.signals import study_visit_links
from tests import factories
from tests.visits.applying_world import applying_world
from visits import applying
from visits.enums import CallStatus


@pytest.fixture
def world(db):
    world = applying_world()
    # Every phase of the cohort is open, Phase 4 included.
    Phase.objects.filter(cohort=world.cohort).delete()
    return world


def edit_page(client, world) -> str:
    response = client.get(f"/roadmaps/{world.roadmap.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def phase4(content: str) -> str:
    return content[content.index('id="section-phase4"') :]


def test_officer_gets_apply_then_continue(world):
    client = Client()
    client.force_login(world.officer)

    before = phase4(edit_page(client, world))
    application = applying.application_start(acting_user=world.officer, call=world.call)
    after = phase4(edit_page(client, world))

    assert f'action="/visits/calls/{world.call.pk}/apply/"' in before
    assert f"Apply to “{world.call.title}”" in before
    assert "A completed Reflection Roadmap gives your application 1 additional point" in before
    assert 'data-roadmap-completed="no"' in before
    assert f'href="/visits/applications/{application.pk}/"' in after
    assert f"Continue the application to “{world.call.title}”" in after


def test_a_completed_roadmap_says_the_point_is_counted(world):
    world.roadmap.status = RoadmapStatus.ACCEPTED
    world.roadmap.save()
    client = Client()
    client.force_login(world.officer)

    assert 'data-roadmap-completed="yes"' in phase4(edit_page(client, world))


def test_without_an_open_call_the_button_stays_disabled(world):
    world.call.status = CallStatus.DRAFT
    world.call.save()
    client = Client()
    client.force_login(world.officer)

    content = phase4(edit_page(client, world))

    assert "(available when the call for Group Study Visits opens)" in content
    assert "/visits/calls/" not in content


def test_the_call_opening_shows_on_the_next_request(world):
    world.call.status = CallStatus.DRAFT
    world.call.save()
    client = Client()
    client.force_login(world.officer)
    edit_page(client, world)  # fills the cached sections

    world.call.status = CallStatus.OPEN
    world.call.save()

    assert f'action="/visits/calls/{world.call.pk}/apply/"' in phase4(edit_page(client, world))


def page_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        edit_page(client, world)
    return len(queries)


def test_phase4_costs_the_same_queries_with_one_or_many_calls(world):
    # The hook's one query is in tests/roadmaps/test_speed.py's counts; here: it does not grow.
    client = Client()
    client.force_login(world.officer)
    edit_page(client, world)
    one = page_queries(client, world)
    for _ in range(3):
        factories.CallFactory(status=CallStatus.OPEN).eligible_cohorts.add(world.cohort)
    content = edit_page(client, world)
    many = page_queries(client, world)

    assert content.count("data-study-visit-link>") == 4
    assert one == many


def test_facilitator_gets_no_link(world):
    facilitator = factories.UserFactory(is_facilitator=True)

    assert study_visit_links(roadmap=world.roadmap, user=facilitator) == []
