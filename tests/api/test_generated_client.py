"""A Python client generated from the OpenAPI schema (openapi-python-client) works.

The schema is written to a temporary directory, a client is generated from it, every generated
module is imported, and every operation is called once on its happy path against a live server,
signed in with tokens the client itself asked for. Each answer must be the documented success
status, parsed into the documented type (not None, not an Error).
"""

import importlib
import json
import pkgutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from django.test import Client as DjangoClient

from feedback.models import Answer
from roadmaps.models import Roadmap
from roadmaps.services import roadmap_field_save
from roadmaps.template import FIELDS
from tests import factories
from tests.api.world import build_world, roadmap_value
from tests.conftest import require
from visits.models import Application

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "portal_api_client"
SKIPPED_FIELD = "phase1.cause_2"  # left empty until the client saves it


def generate_client(directory: Path):
    """Generate the client from the schema into `directory`; import and return its package."""
    schema = DjangoClient().get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    (directory / "schema.json").write_bytes(schema.content)
    # No post hooks: the generator would run ruff from PATH and warn when it is not there.
    (directory / "config.json").write_text(json.dumps({"post_hooks": []}))
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(directory / "schema.json"),
            "--config",
            str(directory / "config.json"),
            "--output-path",
            str(directory / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(directory))
    return importlib.import_module(PACKAGE)


@pytest.fixture
def generated(tmp_path):
    require(GENERATOR.exists(), "openapi-python-client is not installed in this environment")
    package = generate_client(tmp_path)
    yield package
    sys.path.remove(str(tmp_path))
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def operations(package) -> dict[str, object]:
    """Every generated operation module by name (`roadmaps_fields_create`), all imported."""
    api = importlib.import_module(f"{package.__name__}.api")
    modules = {}
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            modules[info.name.rsplit(".", 1)[1]] = module
    return modules


def body(module, data: dict):
    """The operation's request model (`FieldSaveRequest`), built from plain JSON data."""
    hint = typing.get_type_hints(module.sync_detailed)["body"]  # a model, or a model | Unset
    model = next(kind for kind in (typing.get_args(hint) or (hint,)) if hasattr(kind, "from_dict"))
    return model.from_dict(data)


def test_every_generated_module_imports_and_every_operation_works(generated, live_server):
    world = build_world()
    # Every field is filled but one, which the client saves before submitting.
    for field in FIELDS:
        if field.key not in ("phase1.cause_1", SKIPPED_FIELD):
            roadmap_field_save(
                roadmap=world.roadmap,
                key=field.key,
                value=roadmap_value(world, field),
                base_version=0,
                acting_user=world.officer,
            )
    ops = operations(generated)
    models = importlib.import_module(f"{PACKAGE}.models")
    anonymous = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def sign_in(user):
        op = ops["auth_token_create"]
        answer = op.sync_detailed(
            client=anonymous,
            body=body(op, {"email": user.email, "password": factories.PASSWORD}),
        )
        assert answer.status_code == 200, answer.content
        return generated.AuthenticatedClient(
            base_url=live_server.url,
            token=answer.parsed.token,
            prefix="Token",
            raise_on_unexpected_status=True,
        )

    admin, lead, officer = sign_in(world.admin), sign_in(world.lead), sign_in(world.officer)
    roadmap, action, survey = world.roadmap.pk, world.action.pk, world.survey
    reviewer = sign_in(world.reviewer)
    call = world.call
    first_visit = call.visits.order_by("starts_on").first().pk
    criterion = str(call.criteria.get().pk)
    # (operation, client, arguments, status, documented type) in an order that makes each
    # call a happy path: the roadmap is saved, submitted, returned, submitted and accepted.
    calls = [
        ("me_retrieve", officer, {}, 200, "Me"),
        ("cities_list", officer, {"page_size": 10}, 200, "PaginatedCityList"),
        ("cities_retrieve", officer, {"id": world.lisbon.pk}, 200, "City"),
        (
            "cities_partial_update",
            officer,
            {"id": world.lisbon.pk, "body": {"population": 545_000}},
            200,
            "City",
        ),
        ("countries_list", officer, {}, 200, "PaginatedCountryList"),
        ("countries_retrieve", officer, {"id": world.lisbon.country_id}, 200, "Country"),
        ("climate_actions_list", officer, {}, 200, "PaginatedClimateActionList"),
        ("climate_actions_retrieve", officer, {"id": action}, 200, "ClimateAction"),
        (
            "climate_actions_create",
            admin,
            {"body": {"city": world.mission_city.pk, "title": "Solar roofs", "sector": "energy"}},
            201,
            "ClimateActionCreate",
        ),
        (
            "climate_actions_update",
            admin,
            {"id": action, "body": {"title": "Energy communities", "sector": "energy"}},
            200,
            "ClimateAction",
        ),
        (
            "climate_actions_partial_update",
            admin,
            {"id": action, "body": {"context": "A coal region."}},
            200,
            "ClimateAction",
        ),
        ("cohorts_list", officer, {}, 200, "PaginatedCohortList"),
        ("cohorts_retrieve", officer, {"id": world.cohort.pk}, 200, "Cohort"),
        ("phases_list", officer, {"cohort": world.cohort.pk}, 200, "PaginatedPhaseRowList"),
        ("phases_retrieve", officer, {"id": "phase"}, 200, "PhaseRow"),
        ("thematic_groups_list", officer, {}, 200, "PaginatedThematicGroupRowList"),
        ("thematic_groups_retrieve", officer, {"id": "group"}, 200, "ThematicGroupRow"),
        ("sectors_list", officer, {}, 200, "PaginatedThematicSectorList"),
        ("sectors_retrieve", officer, {"id": world.action.sector_id}, 200, "ThematicSector"),
        ("enabling_factors_list", officer, {}, 200, "PaginatedEnablingFactorList"),
        ("enabling_factors_retrieve", officer, {"id": world.factor.pk}, 200, "EnablingFactor"),
        ("enabling_themes_list", officer, {}, 200, "PaginatedEnablingThemeList"),
        ("enabling_themes_retrieve", officer, {"id": world.theme.pk}, 200, "EnablingTheme"),
        ("enrolments_list", lead, {}, 200, "PaginatedEnrolmentList"),
        ("enrolments_retrieve", officer, {"id": world.pending.pk}, 200, "Enrolment"),
        (
            "enrolments_create",
            officer,
            {
                "body": {
                    "cohort": world.cohort.pk,
                    "city": world.braga.pk,
                    "groups": [{"thematic_group": world.cohort.thematic_groups.get().pk}],
                }
            },
            201,
            "Enrolment",
        ),
        ("enrolments_accept_create", lead, {"id": world.pending.pk}, 200, "Enrolment"),
        ("enrolments_decline_create", lead, {"id": "braga"}, 200, "Enrolment"),
        ("sessions_list", officer, {}, 200, "PaginatedSessionList"),
        ("sessions_retrieve", officer, {"id": world.upcoming.pk}, 200, "Session"),
        (
            "session_presentations_list",
            officer,
            {"session": world.upcoming.pk},
            200,
            "PaginatedPresentationRowList",
        ),
        ("session_presentations_retrieve", officer, {"id": "presentation"}, 200, "PresentationRow"),
        ("sessions_attendance_retrieve", lead, {"id": world.past.pk}, 200, "Attendance"),
        (
            "sessions_attendance_create",
            lead,
            {
                "id": world.past.pk,
                "body": {
                    "marks": [
                        {"registration": world.past_registration.pk, "attendance": "attended"}
                    ]
                },
            },
            200,
            "Attendance",
        ),
        ("registrations_list", officer, {}, 200, "PaginatedRegistrationList"),
        ("registrations_retrieve", officer, {"id": world.registration.pk}, 200, "Registration"),
        (
            "registrations_create",
            officer,
            {
                "body": {
                    "session": world.upcoming.pk,
                    "city": world.lisbon.pk,
                    "full_name": "Inês Sousa",
                    "email": "ines@lisboa.pt",
                }
            },
            201,
            "Registration",
        ),
        ("registrations_destroy", officer, {"id": world.registration.pk}, 204, None),
        (
            "netzerocities_services_list",
            officer,
            {},
            200,
            "PaginatedNetZeroCitiesServiceList",
        ),
        (
            "netzerocities_services_retrieve",
            officer,
            {"id": world.service.pk},
            200,
            "NetZeroCitiesService",
        ),
        ("roadmaps_list", officer, {}, 200, "PaginatedRoadmapList"),
        ("roadmaps_retrieve", officer, {"id": roadmap}, 200, "RoadmapDetail"),
        (
            "roadmaps_fields_create",
            officer,
            {"id": roadmap, "body": {"key": SKIPPED_FIELD, "value": "Cars", "base_version": 0}},
            200,
            "FieldSaved",
        ),
        ("roadmaps_history_list", officer, {"id": roadmap}, 200, "PaginatedChangeList"),
        ("roadmaps_submit_create", officer, {"id": roadmap}, 200, "RoadmapDetail"),
        (
            "roadmaps_comments_create",
            lead,
            {"id": roadmap, "body": {"section": "phase1", "body": "Name the causes."}},
            201,
            "Comment",
        ),
        ("roadmaps_comments_list", officer, {"id": roadmap}, 200, list),
        (
            "roadmaps_return_create",
            lead,
            {"id": roadmap, "body": {"note": "See the comments."}},
            200,
            "RoadmapDetail",
        ),
        ("roadmaps_submit_create", officer, {"id": roadmap}, 200, "RoadmapDetail"),
        ("roadmaps_accept_create", lead, {"id": roadmap, "body": {}}, 200, "RoadmapDetail"),
        # The officer changes their submitted response (a draft again) and submits it again.
        ("surveys_list", officer, {}, 200, "PaginatedSurveyList"),
        ("surveys_retrieve", officer, {"id": survey.pk}, 200, "SurveyDetail"),
        (
            "surveys_response_update",
            officer,
            {
                "id": survey.pk,
                "body": {
                    "answers": {
                        str(survey.q["format"].pk): {"option": survey.opt["yes"].pk},
                        str(survey.q["why"].pk): {"text": "The site visits."},
                    }
                },
            },
            200,
            "OwnResponse",
        ),
        ("surveys_response_retrieve", officer, {"id": survey.pk}, 200, "OwnResponse"),
        (
            "surveys_response_submit_create",
            officer,
            {"id": survey.pk, "body": {}},
            200,
            "OwnResponse",
        ),
        ("surveys_responses_list", lead, {"id": survey.pk}, 200, "PaginatedResponseRowList"),
        ("surveys_results_retrieve", lead, {"id": survey.pk}, 200, "Results"),
        # Group Study Visits: Porto (accepted above) applies, submits and withdraws; the
        # reviewer scores Lisbon's application, submits and recuses; the admin runs scoring,
        # allocates (Lisbon, ranked by the world's scoring) and publishes.
        ("visit_calls_list", officer, {}, 200, "PaginatedCallList"),
        ("visit_calls_retrieve", officer, {"id": call.pk}, 200, "CallDetail"),
        (
            "visit_applications_create",
            officer,
            {"body": {"call": call.pk, "city": world.porto.pk}},
            201,
            "Application",
        ),
        (
            "visit_applications_update",
            officer,
            {
                "id": "porto-application",
                "body": {
                    "preferences": [first_visit],
                    "motivation": "Heat networks.",
                    "spotlight_challenge": "Old buildings.",
                    "delegates": [{"name": "Inês Sousa", "email": "ines@porto.pt"}],
                    "answers": {},
                },
            },
            200,
            "Application",
        ),
        (
            "visit_applications_submit_create",
            officer,
            {"id": "porto-application"},
            200,
            "Application",
        ),
        ("visit_applications_list", officer, {}, 200, "PaginatedApplicationList"),
        ("visit_applications_retrieve", officer, {"id": "porto-application"}, 200, "Application"),
        (
            "visit_applications_withdraw_create",
            officer,
            {"id": "porto-application"},
            200,
            "Application",
        ),
        ("visit_reviews_list", reviewer, {}, 200, "PaginatedVisitReviewList"),
        ("visit_reviews_retrieve", reviewer, {"id": world.review.pk}, 200, "VisitReviewDetail"),
        (
            "visit_reviews_update",
            reviewer,
            {"id": world.review.pk, "body": {"points": {criterion: 2}}},
            200,
            "VisitReviewDetail",
        ),
        (
            "visit_reviews_submit_create",
            reviewer,
            {"id": world.review.pk, "body": {"points": {criterion: 2}, "comment": "Clear."}},
            200,
            "VisitReviewDetail",
        ),
        (
            "visit_reviews_recuse_create",
            reviewer,
            {"id": world.review.pk, "body": {"reason": "I advised Lisbon."}},
            200,
            "VisitReviewDetail",
        ),
        ("visit_calls_scoring_create", admin, {"id": call.pk}, 202, "Queued"),
        ("visit_calls_allocation_run_create", admin, {"id": call.pk}, 200, "AllocationResult"),
        ("visit_calls_allocation_retrieve", admin, {"id": call.pk}, 200, "Allocation"),
        ("visit_calls_allocation_publish_create", admin, {"id": call.pk}, 200, "Published"),
        (
            "visit_applications_score_retrieve",
            admin,
            {"id": world.application.pk},
            200,
            "ScoreSheet",
        ),
        # The analysts' export: the dictionary, and the files as text (CSV).
        ("datasets_list", lead, {}, 200, list),
        ("datasets_dictionary_csv", admin, {}, 200, str),
        (
            "datasets_csv",
            admin,
            {"key": "survey-answers", "cohort": [world.cohort.pk]},
            200,
            str,
        ),
    ]
    called = set()
    for name, client, arguments, status, documented in calls:
        op = ops[name]
        arguments = dict(arguments)
        if arguments.get("id") == "braga":
            arguments["id"] = world.braga.enrolments.get().pk
        if arguments.get("id") == "phase":
            arguments["id"] = world.cohort.phases.order_by("pk").first().pk
        if arguments.get("id") == "group":
            arguments["id"] = world.cohort.thematic_groups.get().pk
        if arguments.get("id") == "presentation":
            arguments["id"] = world.upcoming.presentations.get().pk
        if arguments.get("id") == "porto-application":
            arguments["id"] = Application.objects.get(call=call, city=world.porto).pk
        if "body" in arguments:
            arguments["body"] = body(op, arguments["body"])
        answer = op.sync_detailed(client=client, **arguments)

        assert answer.status_code == status, (name, answer.content)
        if documented is None:
            assert answer.parsed is None, name
        elif documented is list:
            assert isinstance(answer.parsed, list) and answer.parsed, name
        elif documented is str:
            assert answer.parsed.startswith("\ufeff"), (name, answer.parsed)
        else:
            assert isinstance(answer.parsed, getattr(models, documented)), (name, answer.parsed)
        called.add(name)

    assert called | {"auth_token_create"} == set(ops)
    assert Roadmap.objects.get(pk=roadmap).status == "accepted"
    assert Application.objects.get(pk=world.application.pk).decision == "selected"
    assert list(
        Answer.objects.filter(response__survey=survey, response__status="submitted")
        .order_by("question__section__position", "question__position")
        .values_list("option__label", "text")
    ) == [("Yes", ""), (None, "The site visits.")]
