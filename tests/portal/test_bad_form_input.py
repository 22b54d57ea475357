"""Form posts holding characters no field can store get a 400 page from one guard, and nothing
is saved; free text over its cap is refused at the field, through the forms and the API alike.

The sweep posts to every URL pattern of the pages (all but /api/, whose JSON guard is tested in
tests/api/test_bad_input.py, and the admin's, whose ModelForms refuse such characters
themselves), so a form view added later is covered without being listed here.
"""

import json
import re
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from cities.models import ClimateAction
from cohorts.models import Enrolment
from roadmaps.models import Roadmap, RoadmapChange, RoadmapComment, RoadmapValue
from roadmaps.template import FIELDS
from tests.roadmaps import conftest as roadmap_fixtures

# The programme of the roadmap tests (a cohort, Lisbon's roadmap, a climate action, a session).
clock = roadmap_fixtures.clock
programme = roadmap_fixtures.programme

NUL = "x\x00y"
NUL_MESSAGE = "The text contains a NUL character (code 0), which cannot be saved."
SURROGATE_MESSAGE = (
    "The text contains an unpaired UTF-16 surrogate (U+D800), which is not a character and "
    "cannot be saved."
)
APPS = ["accounts", "cities", "cohorts", "peer_sessions", "roadmaps", "notifications", "taxonomy"]


def page_routes() -> list[str]:
    """Every URL pattern outside /api/ and /admin/, as its route text."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return [
        route
        for route in walk(get_resolver().url_patterns)
        if not route.startswith(("api/", "admin/"))
    ]


def url_of(route: str, ids: dict[str, int]) -> str:
    """The route with each parameter filled: ids of real objects, a text for the others."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), ids["pk"])), route)
    route = re.sub(r"<(?:str|slug|path):\w+>", "text", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "text", route)
    return "/" + route


def snapshot() -> dict:
    counts = {
        model._meta.label: model.objects.count()
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }
    return {
        "counts": counts,
        "roadmaps": list(Roadmap.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        "values": list(RoadmapValue.objects.order_by("pk").values_list("pk", "version")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "status")),
        "actions": list(ClimateAction.objects.order_by("pk").values_list("pk", "updated_at")),
    }


@pytest.fixture
def ids(programme) -> dict[str, int]:
    return {
        "pk": programme.roadmap.pk,
        "city_pk": programme.lisbon.pk,
        "cohort_id": programme.cohort.pk,
        "enrolment_pk": Enrolment.objects.get(cohort=programme.cohort, city=programme.lisbon).pk,
        "registration_pk": 1,
    }


def roadmap_form(value: str) -> dict[str, str]:
    """The no-JavaScript roadmap form as the page posts it, with `value` in every text."""
    data = {}
    for field in FIELDS:
        data[field.key] = value
        data[f"version.{field.key}"] = "0"
    return data


def assert_guard_page(response, message: str) -> None:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "text/html; charset=utf-8"
    content = response.content.decode()
    assert "<h1>The form was not saved</h1>" in content
    assert f"<p>{message}</p>" in content


def test_every_page_refuses_a_form_with_a_nul_character_and_saves_nothing(
    admin_client, programme, ids
):
    routes = page_routes()
    # The pages found to fail are among those swept.
    assert {"roadmaps/<int:pk>/", "roadmaps/<int:pk>/autosave/"} <= set(routes)
    for route in routes:
        before = snapshot()

        response = admin_client.post(
            url_of(route, ids), {"text": NUL, "body": NUL, "note": NUL, **roadmap_form(NUL)}
        )

        assert_guard_page(response, NUL_MESSAGE)
        assert snapshot() == before, f"POST /{route} saved something"


def test_roadmap_form_with_a_nul_character_is_refused_and_saves_no_field(admin_client, programme):
    # Every field but one is a good text: the form is refused whole, not saved half-way.
    data = roadmap_form("A heat action plan")
    data["phase1.challenge"] = NUL

    response = admin_client.post(
        f"/roadmaps/{programme.roadmap.pk}/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )

    assert_guard_page(response, NUL_MESSAGE)
    assert not RoadmapValue.objects.filter(roadmap=programme.roadmap).exists()
    assert not RoadmapChange.objects.filter(roadmap=programme.roadmap).exists()


def test_a_nul_character_in_a_field_name_is_refused(admin_client, programme):
    response = admin_client.post(f"/roadmaps/{programme.roadmap.pk}/", {"phase1\x00": "text"})

    assert_guard_page(response, NUL_MESSAGE)


def test_a_utf7_form_that_could_hold_a_lone_surrogate_is_refused(admin_client, programme):
    # In UTF-7, +2AA- is a lone surrogate (U+D800); Django takes urlencoded forms in UTF-8 only.
    response = admin_client.post(
        f"/roadmaps/{programme.roadmap.pk}/",
        data=b"version.phase1.challenge=0&phase1.challenge=x%2B2AA-y",
        content_type="application/x-www-form-urlencoded; charset=utf-7",
    )

    assert response.status_code == 400
    assert not RoadmapValue.objects.filter(roadmap=programme.roadmap).exists()


def test_a_nul_character_in_a_multipart_form_is_refused(admin_client, programme):
    # The test client sends a dict as multipart/form-data.
    data = roadmap_form("A heat action plan")
    data["phase1.challenge"] = NUL

    response = admin_client.post(f"/roadmaps/{programme.roadmap.pk}/", data)

    assert_guard_page(response, NUL_MESSAGE)
    assert not RoadmapValue.objects.filter(roadmap=programme.roadmap).exists()


def test_a_script_posting_a_form_gets_the_refusal_as_json(admin_client, programme):
    response = admin_client.post(
        f"/roadmaps/{programme.roadmap.pk}/",
        roadmap_form(NUL),
        headers={"accept": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {"status": 400, "code": "invalid_character", "message": NUL_MESSAGE}
    }


def test_a_roadmap_form_with_ordinary_text_is_still_saved(admin_client, programme):
    response = admin_client.post(
        f"/roadmaps/{programme.roadmap.pk}/",
        {"phase1.challenge": "Heat waves: 40 °C in the old town", "version.phase1.challenge": "0"},
    )

    assert response.status_code == 302
    assert RoadmapValue.objects.get(roadmap=programme.roadmap, key="phase1.challenge").value == (
        "Heat waves: 40 °C in the old town"
    )


# --- Length caps -------------------------------------------------------------------------------

# Text the portal writes itself, never a person: no cap is needed to protect it.
WRITTEN_BY_THE_PORTAL = {
    "notifications.OutboundEmail.body",
    "notifications.OutboundEmail.html_body",
    "notifications.OutboundEmail.last_error",
    "roadmaps.RoadmapExport.error",
}


def test_every_text_field_a_person_writes_has_a_length_cap():
    uncapped = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]

    assert sorted(set(uncapped) - WRITTEN_BY_THE_PORTAL) == []


def test_a_200000_character_roadmap_comment_is_refused_by_the_form_and_the_api(
    admin_client, programme
):
    roadmap = programme.roadmap
    comment = "x" * 200_000

    page = admin_client.post(
        f"/roadmaps/{roadmap.pk}/comments/", {"section": "phase1", "body": comment}, follow=True
    )
    api = admin_client.post(
        f"/api/v1/roadmaps/{roadmap.pk}/comments/",
        {"section": "phase1", "body": comment},
        content_type="application/json",
    )

    assert [str(message) for message in page.context["messages"]] == [
        "Ensure this value has at most 10000 characters (it has 200000)."
    ]
    assert api.status_code == 400
    assert api.json()["error"]["fields"] == {
        "body": ["Ensure this field has no more than 10000 characters."]
    }
    assert not RoadmapComment.objects.exists()


def test_a_1000000_character_climate_action_context_is_refused_by_the_form_and_the_api(
    admin_client, programme
):
    action = programme.action
    context = "x" * 1_000_000

    page = admin_client.post(
        f"/cities/actions/{action.pk}/edit/",
        {
            "title": action.title,
            "sector": action.sector_id,
            "implementation_stage": action.implementation_stage,
            "context": context,
        },
    )
    api = admin_client.patch(
        f"/api/v1/climate-actions/{action.pk}/",
        json.dumps({"context": context}),
        content_type="application/json",
    )

    assert page.status_code == 200
    assert page.context["form"].errors["context"] == [
        "Ensure this value has at most 10000 characters (it has 1000000)."
    ]
    assert api.status_code == 400
    assert api.json()["error"]["fields"] == {
        "context": ["Ensure this field has no more than 10000 characters."]
    }
    action.refresh_from_db()
    assert action.context == ""


@pytest.mark.parametrize(
    "path",
    ["/cities/?q=x%00y", "/api/v1/cities/?search=x%00y", "/api/v1/cities/?x%00y=1"],
)
def test_a_nul_character_in_a_query_string_is_refused(admin_client, path):
    # On PostgreSQL the search term reached a WHERE clause and answered 500.
    response = admin_client.get(path)

    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json() == {
            "error": {"status": 400, "code": "invalid_character", "message": NUL_MESSAGE}
        }
    else:
        assert NUL_MESSAGE in response.content.decode()
