"""The "why this score" page keeps its lines in the cache (visits.views_scoring._lines_key):
every change of what they show is shown at the next reading, and the reviewers' names kept for
an admin are never shown to a city's officer."""

import re

import pytest

from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from tests.visits.test_scoring_pages import score_url, text
from tests.visits.test_scoring_pages import world as world
from visits import reviewing, scoring
from visits.enums import CallStatus
from visits.models import Review

pytestmark = pytest.mark.django_db


def read(client, application) -> str:
    response = client.get(score_url(application))
    assert response.status_code == 200
    return text(response)


def test_a_changed_review_is_shown_at_once(client, world):
    client.force_login(world["admin"])
    first = world["first"]
    before = read(client, first)
    anna = Review.objects.get(application=first, reviewer=world["reviewer"])

    reviewing.review_save(
        acting_user=world["reviewer"], review=anna, points={world["relevance"].pk: 4}
    )
    after = read(client, first)

    assert "Anna Reviewer: 2" in before
    assert "Anna Reviewer: 4" in after


def test_renamed_reviewers_and_criteria_are_shown_at_once(client, world):
    client.force_login(world["admin"])
    first = world["first"]
    read(client, first)

    world["reviewer"].full_name = "Anna Schmidt"
    world["reviewer"].save()
    renamed_reviewer = read(client, first)
    world["relevance"].name = "Relevance to the visits"
    world["relevance"].save()
    renamed_criterion = read(client, first)

    assert "Anna Schmidt: 2" in renamed_reviewer
    assert "Relevance to the visits" in renamed_criterion


def roadmap_points(page: str, world) -> str:
    return re.search(
        rf'<tr data-criterion="{world["roadmap"].pk}">.*?data-points>([^<]*)<', page
    ).group(1)


def test_lines_scored_again_are_shown_at_once(client, world):
    client.force_login(world["admin"])
    first = world["first"]
    before = read(client, first)

    # Lisbon's roadmap is completed (a change none of the page's versions follow): scoring's
    # stamp alone renews the lines.
    Roadmap.objects.filter(city=first.city).update(status=RoadmapStatus.ACCEPTED)
    scoring.call_score(call_id=world["call"].pk)
    after = read(client, first)

    assert roadmap_points(before, world) == "0.000"
    assert roadmap_points(after, world) == "1.000"


def test_an_officer_never_reads_the_names_kept_for_an_admin(client, world):
    world["call"].status = CallStatus.PUBLISHED
    world["call"].save()
    client.force_login(world["admin"])
    for_admin = read(client, world["first"])
    client.force_login(world["officer"])

    for_officer = read(client, world["first"])

    assert "Anna Reviewer: 2" in for_admin
    assert "Anna Reviewer" not in for_officer
    assert "Reviewer 1: 2" in for_officer
