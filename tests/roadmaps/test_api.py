"""/api/v1/roadmaps/: visibility (404), reading, writing fields with the version check (200, 409,
400), history, submit, review, comments and the list's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from roadmaps import services
from roadmaps.api import (
    ChangeSerializer,
    CommentSerializer,
    RoadmapDetailSerializer,
    RoadmapSerializer,
    RoadmapViewSet,
)
from roadmaps.models import Roadmap, RoadmapChange, RoadmapComment
from roadmaps.template import FIELDS, SECTIONS
from tests import factories
from tests.queries import keep_facts_of
from tests.roadmaps.conftest import cohort_create, fill

# The project's URLs with the viewset under the path portal/api/urls.py gives it ("roadmaps"),
# first, so these tests run whether or not the project's router has it yet.
router = DefaultRouter()
router.register("roadmaps", RoadmapViewSet, basename="roadmap")
urlpatterns = [path("api/v1/", include(router.urls)), path("", include("config.urls"))]
pytestmark = pytest.mark.urls(__name__)

SCORE = "phase2_2.score.funding-financing"


def url(roadmap, suffix=""):
    return f"/api/v1/roadmaps/{roadmap.pk}/{suffix}"


def post_field(client, roadmap, key, value, base_version=0):
    return client.post(
        url(roadmap, "fields/"),
        {"key": key, "value": value, "base_version": base_version},
        content_type="application/json",
    )


def test_roadmap_api_needs_a_signed_in_person(client, programme):
    assert client.get("/api/v1/roadmaps/").status_code == 401
    response = post_field(client, programme.roadmap, "phase1.cause_1", "x")

    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401


@pytest.mark.parametrize(
    "who", ["officer of another city", "reviewer", "facilitator of another cohort"]
)
def test_roadmap_api_answers_404_to_people_who_may_not_see_it(client, programme, who):
    energy = programme.cohort.thematic_groups.get().sector
    outsider = factories.UserFactory(is_facilitator=True)
    cohort_create(number=2, lead=outsider, sector=energy)
    user = {
        "officer of another city": factories.city_officer(),
        "reviewer": factories.UserFactory(is_reviewer=True),
        "facilitator of another cohort": outsider,
    }[who]
    client.force_login(user)

    assert client.get("/api/v1/roadmaps/").json()["results"] == []
    for response in (
        client.get(url(programme.roadmap)),
        client.get(url(programme.roadmap, "history/")),
        post_field(client, programme.roadmap, "phase1.cause_1", "Mine"),
        client.post(url(programme.roadmap, "accept/"), content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_roadmap_api_list_shows_the_callers_roadmaps(client, programme):
    client.force_login(programme.ana)

    response = client.get("/api/v1/roadmaps/")

    assert response.json()["results"] == [
        {
            "id": programme.roadmap.pk,
            "cohort": programme.cohort.pk,
            "cohort_name": "Online Discussion Groups cohort 1",
            "city": programme.lisbon.pk,
            "city_name": "Lisbon",
            "country": "Portugal",
            "status": "draft",
            "status_label": "Not started",  # a draft with nothing required filled
            "percent_complete": 0,
            "created_at": "2025-02-15T10:00:00+01:00",
            "updated_at": "2025-02-15T10:00:00+01:00",
            "submitted_at": None,
            "accepted_at": None,
        }
    ]


def test_roadmap_api_detail_has_every_section_and_field_with_values(client, programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="<b>Heat</b>",
        base_version=0,
        acting_user=programme.ana,
    )
    client.force_login(programme.lead)

    body = client.get(url(programme.roadmap)).json()

    assert (body["status"], body["percent_complete"], body["comments"]) == ("draft", 3, [])
    assert [section["key"] for section in body["sections"]] == [s.key for s in SECTIONS]
    assert [f["key"] for section in body["sections"] for f in section["fields"]] == [
        field.key for field in FIELDS
    ]
    phase1 = body["sections"][1]
    assert (phase1["title"], phase1["opens_on"]) == ("Phase 1 · Climate challenge", None)
    assert phase1["fields"][1] == {
        "key": "phase1.challenge",
        "label": "What is your climate challenge about?",
        "kind": "long_text",
        "required": True,
        "word_limit": None,
        "value": "<b>Heat</b>",
        "version": 1,
    }
    assert phase1["fields"][0]["value"] == ""
    assert phase1["fields"][0]["version"] == 0


def test_roadmap_api_field_save_answers_like_the_autosave(client, programme):
    client.force_login(programme.ana)

    response = post_field(client, programme.roadmap, "phase1.cause_1", "Old boilers")

    assert response.status_code == 200
    assert response.json() == {
        "key": "phase1.cause_1",
        "version": 1,
        "saved_at": "2025-02-15T10:00:00+01:00",
        "saved_at_display": "10:00",
        "percent_complete": 3,  # 1 of 27
    }
    assert programme.roadmap.values.get().value == "Old boilers"


def test_roadmap_api_field_save_with_a_stale_version_is_409_with_both(client, programme):
    client.force_login(programme.ana)
    post_field(client, programme.roadmap, "phase1.challenge", "Heating the old town")
    client.force_login(programme.rui)

    response = post_field(client, programme.roadmap, "phase1.challenge", "Heat", base_version=0)

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "status": 409,
            "code": "conflict",
            "message": (
                "Someone else saved this field while you were editing it. Keep one version or "
                "merge them, then save again."
            ),
        },
        "conflict": {
            "key": "phase1.challenge",
            "yours": "Heat",
            "theirs": "Heating the old town",
            "their_version": 1,
            "by": "Ana Silva",
            "at": "2025-02-15T10:00:00+01:00",
            "at_display": "10:00",
        },
    }


def test_roadmap_api_field_save_of_bad_input_is_400_at_the_field(client, programme):
    client.force_login(programme.ana)

    score = post_field(client, programme.roadmap, SCORE, "6")
    words = post_field(client, programme.roadmap, "phase2_2.reasoning", "w " * 101)
    shape = client.post(
        url(programme.roadmap, "fields/"), {"key": "x"}, content_type="application/json"
    )

    assert score.status_code == 400
    assert score.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Give a score from 1 (weak) to 5 (strong).",
            "fields": {SCORE: ["Give a score from 1 (weak) to 5 (strong)."]},
        }
    }
    assert words.json()["error"]["fields"] == {
        "phase2_2.reasoning": ["Keep the reasoning to 100 words or fewer (you have 101)."]
    }
    assert shape.status_code == 400
    assert sorted(shape.json()["error"]["fields"]) == ["base_version", "value"]
    assert not programme.roadmap.values.exists()


def test_roadmap_api_field_save_by_a_facilitator_is_forbidden(client, programme):
    client.force_login(programme.lead)

    response = post_field(client, programme.roadmap, "phase1.cause_1", "Theirs")

    assert response.status_code == 403
    assert not programme.roadmap.values.exists()


def test_roadmap_api_history_of_one_field(client, programme):
    client.force_login(programme.ana)
    post_field(client, programme.roadmap, "phase1.cause_1", "A")
    post_field(client, programme.roadmap, "phase1.cause_2", "B")
    client.force_login(programme.rui)
    post_field(client, programme.roadmap, "phase1.cause_1", "AA", base_version=1)

    body = client.get(url(programme.roadmap, "history/?key=phase1.cause_1")).json()

    assert [
        (c["key"], c["label"], c["version"], c["old_value"], c["new_value"], c["changed_by_name"])
        for c in body["results"]
    ] == [
        ("phase1.cause_1", "Main cause 1", 2, "A", "AA", "Rui Costa"),
        ("phase1.cause_1", "Main cause 1", 1, "", "A", "Ana Silva"),
    ]
    assert body["count"] == 2
    assert client.get(url(programme.roadmap, "history/")).json()["count"] == 3


def test_roadmap_api_submit_lists_missing_fields_then_submits(client, programme):
    fill(programme, skip={"phase1.cause_3", SCORE})
    client.force_login(programme.ana)

    incomplete = client.post(url(programme.roadmap, "submit/"))

    assert incomplete.status_code == 400
    assert incomplete.json()["error"]["code"] == "incomplete"
    assert incomplete.json()["error"]["fields"] == {
        "phase1.cause_3": ["Required to submit."],
        SCORE: ["Required to submit."],
    }

    post_field(client, programme.roadmap, "phase1.cause_3", "Tourism")
    post_field(client, programme.roadmap, SCORE, "2")
    submitted = client.post(url(programme.roadmap, "submit/"))

    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    locked = post_field(client, programme.roadmap, "phase1.cause_3", "Other", base_version=1)
    assert (locked.status_code, locked.json()["error"]["message"]) == (
        400,
        "This roadmap has been submitted and can no longer be changed.",
    )


def test_roadmap_api_admin_cannot_change_or_submit_a_submitted_roadmap(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(factories.UserFactory(is_programme_admin=True))
    read_only = "This roadmap has been submitted and can no longer be changed."

    locked = post_field(client, programme.roadmap, "phase1.cause_1", "Admin", base_version=1)
    again = client.post(url(programme.roadmap, "submit/"))

    assert (locked.status_code, locked.json()["error"]) == (
        400,
        {
            "status": 400,
            "code": "read_only",
            "message": read_only,
            "fields": {"phase1.cause_1": [read_only]},
        },
    )
    assert (again.status_code, again.json()["error"]) == (
        400,
        {
            "status": 400,
            "code": "already_submitted",
            "message": "This roadmap has already been submitted.",
        },
    )
    assert programme.roadmap.values.get(key="phase1.cause_1").value == "Text of phase1.cause_1"
    assert programme.roadmap.transitions.count() == 1


def test_roadmap_api_admin_writes_a_draft_and_reviews_a_submitted_roadmap(client, programme):
    fill(programme, skip={"phase1.cause_1"})
    client.force_login(factories.UserFactory(is_programme_admin=True))

    saved = post_field(client, programme.roadmap, "phase1.cause_1", "By the admin")
    submitted = client.post(url(programme.roadmap, "submit/"))
    accepted = client.post(url(programme.roadmap, "accept/"), content_type="application/json")

    assert (saved.status_code, saved.json()["version"]) == (200, 1)
    assert (submitted.status_code, accepted.status_code) == (200, 200)
    assert accepted.json()["status"] == "accepted"


def test_roadmap_api_review_comment_return_and_accept(client, programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    client.force_login(programme.ana)
    assert (
        client.post(url(programme.roadmap, "return/"), content_type="application/json").status_code
        == 403
    )
    denied = client.post(
        url(programme.roadmap, "comments/"),
        {"section": "phase1", "body": "Mine"},
        content_type="application/json",
    )
    assert denied.status_code == 403

    client.force_login(programme.group_facilitator)
    comment = client.post(
        url(programme.roadmap, "comments/"),
        {"section": "phase1", "body": "<i>Name</i> the buildings."},
        content_type="application/json",
    )
    returned = client.post(
        url(programme.roadmap, "return/"), {"note": "Nearly"}, content_type="application/json"
    )

    assert comment.status_code == 201
    assert {k: comment.json()[k] for k in ("section", "body", "author_name")} == {
        "section": "phase1",
        "body": "<i>Name</i> the buildings.",
        "author_name": "Gus Group",
    }
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    assert [c["body"] for c in returned.json()["comments"]] == ["<i>Name</i> the buildings."]

    client.force_login(programme.ana)
    assert client.post(url(programme.roadmap, "submit/")).json()["status"] == "submitted"
    client.force_login(programme.lead)
    accepted = client.post(url(programme.roadmap, "accept/"), content_type="application/json")

    assert (accepted.json()["status"], accepted.json()["accepted_at"]) == (
        "accepted",
        "2025-02-15T10:00:00+01:00",
    )
    assert list(programme.roadmap.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]


def test_roadmap_api_list_query_count_does_not_grow(client, programme):
    client.force_login(programme.lead)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/roadmaps/")
        return len(response.json()["results"]), len(queries)

    one, queries_for_one = count()
    for name in ["Braga", "Faro", "Porto", "Setubal"]:
        services.roadmap_open(cohort=programme.cohort, city=factories.CityFactory(name=name))
    many, queries_for_many = count()

    assert (one, many) == (1, 5)
    assert queries_for_many == queries_for_one
    assert Roadmap.objects.count() == 5


def test_roadmap_api_history_query_count_does_not_grow(client, programme):
    client.force_login(programme.lead)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(programme.roadmap, "history/"))
        return len(response.json()["results"]), len(queries)

    fill(programme, skip=[f.key for f in FIELDS if f.key != "phase1.cause_1"])
    keep_facts_of(programme.lead)
    one, queries_for_one = count()
    fill(programme, user=programme.rui, skip=["phase1.cause_1"])
    many, queries_for_many = count()

    assert (one, many) == (1, len(FIELDS))
    assert queries_for_many == queries_for_one


def test_roadmap_api_comments_query_count_does_not_grow(client, programme):
    client.force_login(programme.ana)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(programme.roadmap, "comments/"))
        return [comment["author_name"] for comment in response.json()], len(queries)

    def comment(author, section):
        services.roadmap_comment_add(
            roadmap=programme.roadmap, section=section, body="Be specific.", acting_user=author
        )

    comment(programme.lead, "phase1")
    keep_facts_of(programme.ana)
    one, queries_for_one = count()
    for section in SECTIONS[1:]:
        comment(programme.group_facilitator, section.key)
    many, queries_for_many = count()

    assert one == ["Lea Lead"]
    assert sorted(many) == ["Gus Group"] * (len(SECTIONS) - 1) + ["Lea Lead"]
    assert queries_for_many == queries_for_one


@pytest.mark.parametrize("status", ["draft", "submitted", "accepted"])
def test_roadmap_api_list_rows_are_what_the_declared_fields_give(programme, status):
    """RoadmapSerializer writes its rows by hand (speed): the same as DRF's field by field."""
    roadmap = Roadmap.objects.select_related("cohort", "city__country").get(pk=programme.roadmap.pk)
    roadmap.status = status
    roadmap.submitted_at = roadmap.updated_at if status != "draft" else None
    roadmap.accepted_at = roadmap.updated_at if status == "accepted" else None
    serializer = RoadmapSerializer()
    by_field = serializers.ModelSerializer.to_representation(serializer, roadmap)

    assert serializer.to_representation(roadmap) == dict(by_field)
    assert list(serializer.to_representation(roadmap)) == list(by_field)
    detail = RoadmapDetailSerializer()
    assert detail.to_representation(roadmap) == dict(
        serializers.ModelSerializer.to_representation(detail, roadmap)
    )


def test_roadmap_api_comment_and_change_rows_are_what_the_declared_fields_give(programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.challenge",
        value="Heating",
        base_version=0,
        acting_user=programme.ana,
    )
    services.roadmap_comment_add(
        roadmap=programme.roadmap, section="phase1", body="Say more", acting_user=programme.lead
    )
    change = RoadmapChange.objects.select_related("changed_by").get(roadmap=programme.roadmap)
    comment = RoadmapComment.objects.select_related("author").get(roadmap=programme.roadmap)
    orphan = RoadmapChange(roadmap=programme.roadmap, key="gone.key", version=3, changed_by=None)
    orphan.changed_at = change.changed_at

    for serializer, row in [
        (ChangeSerializer(), change),
        (ChangeSerializer(), orphan),
        (CommentSerializer(), comment),
    ]:
        by_field = serializers.ModelSerializer.to_representation(serializer, row)
        assert serializer.to_representation(row) == dict(by_field)
        assert list(serializer.to_representation(row)) == list(by_field)


def test_roadmap_api_filters_apply_to_the_list_only(client, programme):
    client.force_login(programme.ana)
    listed = client.get("/api/v1/roadmaps/?status=submitted")
    detail = client.get(f"/api/v1/roadmaps/{programme.roadmap.pk}/?status=submitted")

    assert listed.json()["results"] == []
    assert (detail.status_code, detail.json()["id"]) == (200, programme.roadmap.pk)
