"""roadmaps.rules: the permission matrix of a roadmap and of a cohort's roadmap export."""

from roadmaps import services
from tests import factories
from tests.roadmaps.conftest import cohort_create, fill

PERMISSIONS = ["roadmaps.view_roadmap", "roadmaps.change_roadmap", "roadmaps.review_roadmap"]


def matrix(programme, obj, permissions):
    energy = programme.cohort.thematic_groups.get().sector
    outsider = factories.UserFactory(is_facilitator=True, full_name="Facilitator elsewhere")
    cohort_create(number=2, lead=outsider, sector=energy)
    people = {
        "officer": programme.ana,
        "officer of another city": factories.city_officer(),
        "reviewer": factories.UserFactory(is_reviewer=True),
        "lead facilitator": programme.lead,
        "group facilitator": programme.group_facilitator,
        "facilitator of another cohort": outsider,
        "programme admin": factories.UserFactory(is_programme_admin=True),
    }
    return {
        name: [permission for permission in permissions if user.has_perm(permission, obj)]
        for name, user in people.items()
    }


def test_roadmap_permissions_of_a_draft(programme):
    assert matrix(programme, programme.roadmap, PERMISSIONS) == {
        "officer": ["roadmaps.view_roadmap", "roadmaps.change_roadmap"],
        "officer of another city": [],
        "reviewer": [],
        "lead facilitator": ["roadmaps.view_roadmap", "roadmaps.review_roadmap"],
        "group facilitator": ["roadmaps.view_roadmap", "roadmaps.review_roadmap"],
        "facilitator of another cohort": [],
        "programme admin": PERMISSIONS,
    }


def test_roadmap_permissions_of_a_submitted_roadmap_no_change_for_the_city(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    permissions = matrix(programme, programme.roadmap, PERMISSIONS)

    assert permissions["officer"] == ["roadmaps.view_roadmap"]
    # The state holds for admins too: they review a submitted roadmap, nobody changes it.
    assert permissions["programme admin"] == ["roadmaps.view_roadmap", "roadmaps.review_roadmap"]


def test_roadmap_permissions_of_a_returned_roadmap_the_city_edits_again(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)

    permissions = matrix(programme, programme.roadmap, PERMISSIONS)

    assert permissions["officer"] == ["roadmaps.view_roadmap", "roadmaps.change_roadmap"]


def test_export_cohort_roadmaps_by_its_facilitators_and_admins(programme):
    export = ["roadmaps.export_cohort_roadmaps"]

    assert matrix(programme, programme.cohort, export) == {
        "officer": [],
        "officer of another city": [],
        "reviewer": [],
        "lead facilitator": export,
        "group facilitator": export,
        "facilitator of another cohort": [],
        "programme admin": export,
    }


ACTIONS = ["roadmaps.submit_roadmap", "roadmaps.comment_roadmap"]


def test_submit_and_comment_permissions_of_a_draft(programme):
    assert matrix(programme, programme.roadmap, ACTIONS) == {
        "officer": ["roadmaps.submit_roadmap"],
        "officer of another city": [],
        "reviewer": [],
        "lead facilitator": ["roadmaps.comment_roadmap"],
        "group facilitator": ["roadmaps.comment_roadmap"],
        "facilitator of another cohort": [],
        "programme admin": ACTIONS,
    }


def test_submit_and_comment_permissions_of_a_submitted_roadmap_nobody_submits_it(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)

    assert matrix(programme, programme.roadmap, ACTIONS) == {
        "officer": [],
        "officer of another city": [],
        "reviewer": [],
        "lead facilitator": ["roadmaps.comment_roadmap"],
        "group facilitator": ["roadmaps.comment_roadmap"],
        "facilitator of another cohort": [],
        "programme admin": ["roadmaps.comment_roadmap"],
    }


def test_roadmap_permissions_of_an_accepted_roadmap_no_change_for_anyone(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_accept(roadmap=programme.roadmap, acting_user=programme.lead)

    permissions = matrix(programme, programme.roadmap, [*PERMISSIONS, *ACTIONS])

    assert (permissions["officer"], permissions["programme admin"]) == (
        ["roadmaps.view_roadmap"],
        ["roadmaps.view_roadmap", "roadmaps.review_roadmap", "roadmaps.comment_roadmap"],
    )
