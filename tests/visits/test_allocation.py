"""The allocation (visits/allocation.py): the method, moves by hand, what it refuses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.visits.alloc_world import apply, build, placements
from visits.allocation import allocation_run, application_place
from visits.enums import ApplicationStatus, CallStatus, Decision
from visits.models import Application

S, W, N = Decision.SELECTED, Decision.WAITLISTED, Decision.NOT_SELECTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.UserFactory(is_programme_admin=True)


def test_allocation_gives_each_city_its_highest_preference_with_room_in_rank_order(admin):
    world = build()  # mannheim 2 places, guimaraes 1: a waitlist of 3 at most
    apply(world, "leuven", 1, ["guimaraes", "mannheim"])
    apply(world, "tartu", 2, ["guimaraes", "mannheim"])  # guimaraes is full: mannheim
    apply(world, "espoo", 3, ["guimaraes"])  # no room in what it asked for: waitlist
    apply(world, "graz", 4, ["mannheim"])
    apply(world, "kosice", 5, ["mannheim"])
    apply(world, "braga", 6, ["mannheim", "guimaraes"])
    apply(world, "gent", 7, ["mannheim"])
    apply(world, "vigo", 8, ["mannheim"])  # beyond the waitlist's length (3): not selected

    result = allocation_run(acting_user=admin, call=world.call)

    assert placements(world) == {
        "leuven": (S, "guimaraes", None),
        "tartu": (S, "mannheim", None),
        "espoo": (W, None, 1),
        "graz": (S, "mannheim", None),
        "kosice": (W, None, 2),
        "braga": (W, None, 3),
        "gent": (N, None, None),
        "vigo": (N, None, None),
    }
    assert (result.selected, result.waitlisted, result.not_selected) == (3, 3, 2)


def test_allocation_leaves_out_drafts_withdrawn_and_unranked_applications(admin):
    world = build()
    apply(world, "leuven", 1, ["mannheim"])
    apply(world, "draft", None, ["mannheim"], status=ApplicationStatus.DRAFT)
    apply(world, "withdrawn", 2, ["mannheim"], status=ApplicationStatus.WITHDRAWN)
    apply(world, "unranked", None, ["mannheim"])

    allocation_run(acting_user=admin, call=world.call)

    assert placements(world) == {
        "leuven": (S, "mannheim", None),
        "draft": ("", None, None),
        "withdrawn": ("", None, None),
        "unranked": ("", None, None),
    }


def test_allocation_is_idempotent_and_a_second_run_writes_nothing(admin):
    world = build()
    for rank, name in enumerate(["leuven", "tartu", "espoo", "graz", "vigo"], start=1):
        apply(world, name, rank, ["mannheim", "guimaraes"])
    first_result = allocation_run(acting_user=admin, call=world.call)
    first = placements(world)

    with CaptureQueriesContext(connection) as queries:
        second_result = allocation_run(acting_user=admin, call=world.call)

    assert placements(world) == first
    assert (first_result.changed, second_result.changed) == (5, 0)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_allocation_queries_do_not_grow_with_applications(admin):
    def run(world):
        with CaptureQueriesContext(connection) as queries:
            allocation_run(acting_user=admin, call=world.call)
        return len(queries)

    few = build()
    apply(few, "leuven", 1, ["mannheim"])
    many = build(tag=" 2")
    for rank in range(1, 41):
        apply(many, f"city{rank}", rank, ["guimaraes", "mannheim"])

    # The savepoint, the call's lock, the visits, the applications, the preferences, one bulk
    # update and the decisions' version, the savepoint's release.
    assert run(few) == run(many) == 8


def test_moved_by_hand_keeps_its_place_and_uses_up_room_first(admin):
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    leuven = apply(world, "leuven", 1, ["mannheim"])
    apply(world, "tartu", 2, ["guimaraes"])
    espoo = apply(world, "espoo", 3, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)

    application_place(acting_user=admin, application=leuven, decision=W)
    application_place(
        acting_user=admin, application=espoo, decision=S, visit=world.visits["mannheim"]
    )
    # Run again: espoo keeps mannheim (placed by hand, before leuven's higher rank is looked
    # at); leuven, put on the waitlist by hand, stays there.
    result = allocation_run(acting_user=admin, call=world.call)

    assert placements(world) == {
        "leuven": (W, None, 1),
        "tartu": (S, "guimaraes", None),
        "espoo": (S, "mannheim", None),
    }
    assert result.changed == 0
    assert list(
        Application.objects.filter(allocated_by_hand=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    ) == [leuven.pk, espoo.pk]


def test_moving_to_a_full_visit_is_refused_with_a_message_and_nothing_changes(admin):
    world = build()
    apply(world, "leuven", 1, ["guimaraes"])
    tartu = apply(world, "tartu", 2, ["guimaraes"])
    allocation_run(acting_user=admin, call=world.call)
    before = placements(world)

    with pytest.raises(ApplicationError) as refused:
        application_place(
            acting_user=admin, application=tartu, decision=S, visit=world.visits["guimaraes"]
        )

    assert refused.value.message == (
        "“Guimaraes (DE) (19 May 2025)” is full: its 1 place is taken. Move a city out of it "
        "first, or choose another visit."
    )
    assert placements(world) == before


def test_moving_to_the_waitlist_joins_it_in_rank_order(admin):
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    leuven = apply(world, "leuven", 1, ["mannheim"])
    apply(world, "tartu", 2, ["guimaraes"])
    apply(world, "espoo", 3, ["mannheim"])
    apply(world, "graz", 4, ["guimaraes"])
    allocation_run(acting_user=admin, call=world.call)

    application_place(acting_user=admin, application=leuven, decision=W)

    assert placements(world) == {
        "leuven": (W, None, 1),
        "tartu": (S, "guimaraes", None),
        "espoo": (W, None, 2),
        "graz": (W, None, 3),
    }


def test_moving_to_not_selected_leaves_the_waitlist_and_closes_the_gap(admin):
    world = build(capacities=(("mannheim", 1), ("guimaraes", 1)))
    apply(world, "leuven", 1, ["mannheim"])
    espoo = apply(world, "espoo", 2, ["mannheim"])
    apply(world, "graz", 3, ["mannheim"])

    allocation_run(acting_user=admin, call=world.call)
    application_place(acting_user=admin, application=espoo, decision=N)
    allocation_run(acting_user=admin, call=world.call)

    assert placements(world) == {
        "leuven": (S, "mannheim", None),
        "espoo": (N, None, None),
        "graz": (W, None, 1),
    }


def test_moves_and_runs_are_refused_once_published(admin):
    world = build()
    leuven = apply(world, "leuven", 1, ["mannheim"])
    allocation_run(acting_user=admin, call=world.call)
    type(world.call).objects.filter(pk=world.call.pk).update(status=CallStatus.PUBLISHED)
    message = (
        "The decisions of this call are published: the allocation can no longer be changed. "
        "A city that withdraws frees its place for the next city on the waitlist."
    )

    with pytest.raises(ApplicationError) as run_refused:
        allocation_run(acting_user=admin, call=world.call)
    with pytest.raises(ApplicationError) as move_refused:
        application_place(acting_user=admin, application=leuven, decision=N)

    assert (run_refused.value.message, move_refused.value.message) == (message, message)
    assert placements(world) == {"leuven": (S, "mannheim", None)}


def test_only_admins_allocate_or_move(admin):
    world = build()
    leuven = apply(world, "leuven", 1, ["mannheim"])
    officer = world.officers["leuven"]

    with pytest.raises(PermissionRefused):
        allocation_run(acting_user=officer, call=world.call)
    with pytest.raises(PermissionRefused):
        application_place(acting_user=officer, application=leuven, decision=N)

    assert placements(world) == {"leuven": ("", None, None)}


def test_moving_a_draft_is_refused(admin):
    world = build()
    draft = apply(world, "leuven", None, ["mannheim"], status=ApplicationStatus.DRAFT)

    with pytest.raises(ApplicationError) as refused:
        application_place(acting_user=admin, application=draft, decision=N)

    assert refused.value.message == "Only a submitted application can be placed: this one is draft."
