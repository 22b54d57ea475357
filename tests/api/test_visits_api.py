"""Group Study Visits under /api/v1/ (visits/api.py): the same rules, services and messages as
the pages, who sees what, refusals in the API's error shape, and lists whose queries do not grow.

The world (tests/visits/applying_world.py): an open call of a cohort in which Lisbon (officer
Ana) and Porto (officer Rui) are enrolled, three visits, two manual criteria scored 0 to 3.
"""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cities.models import City
from tests import factories
from tests.queries import session_queries
from tests.visits.applying_world import SPOTLIGHT, applying_world
from visits import allocation, applying, reviewing, scoring
from visits.enums import ApplicationStatus, CallStatus, ReviewStatus
from visits.models import Application, Call, Review, Score

pytestmark = pytest.mark.django_db

CALLS, APPLICATIONS, REVIEWS = (
    "/api/v1/visit-calls/",
    "/api/v1/visit-applications/",
    "/api/v1/visit-reviews/",
)


@pytest.fixture
def world():
    world = applying_world(questions=[{"key": "q1", "text": "Who leads?", "required": True}])
    world.criteria = []
    for number in (1, 2):
        criterion = factories.CriterionFactory(
            call=world.call, name=f"Relevance {number}", scale_max=3, position=number
        )
        for points, words in enumerate(["None", "Weak", "Good", "Excellent"]):
            factories.AnchorFactory(criterion=criterion, points=points, description=words)
        world.criteria.append(criterion)
    world.admin = factories.UserFactory(is_programme_admin=True, full_name="Ada Admin")
    world.rita = factories.UserFactory(is_reviewer=True, full_name="Rita Reviewer")
    world.rex = factories.UserFactory(is_reviewer=True, full_name="Rex Reviewer")
    return world


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _error(response) -> tuple:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"], error.get("fields")


def _complete(world) -> dict:
    return {
        "preferences": [world.visits[1].pk, world.visits[0].pk],
        "motivation": "We want to learn how peers renovate schools.",
        "spotlight_challenge": "Heat waves.",
        "delegates": [{"name": "Ana Silva", "role": "Energy officer", "email": "ana@lisboa.pt"}],
        "answers": {"q1": "Ana"},
    }


def _submitted(world, city=None, officer=None) -> Application:
    """An application of `city` (Lisbon), made and submitted through the services."""
    officer = officer or world.officer
    application = applying.application_start(
        acting_user=officer, call=world.call, city=city or world.city
    )
    draft = applying.ApplicationDraft(
        preferences=[world.visits[0].pk],
        motivation="Motivated.",
        spotlight_challenge="Heat.",
        delegates=[applying.DelegateEntry(name="D", role="R", email="d@example.org")],
        answers={"q1": "D"},
    )
    applying.application_save(acting_user=officer, application=application, draft=draft)
    return applying.application_submit(acting_user=officer, application=application)


# --- Calls ----------------------------------------------------------------------------------------


def test_a_call_comes_with_its_visits_and_criteria(world):
    ana = client_of(world.officer)

    listed = ana.get(CALLS).json()
    detail = ana.get(f"{CALLS}{world.call.pk}/").json()

    assert [(c["id"], c["visit_count"], c["is_open"]) for c in listed["results"]] == [
        (world.call.pk, 3, True)
    ]
    assert [v["host_city_name"] for v in detail["visits"]] == ["Mannheim", "Guimarães", "Bucharest"]
    assert [(c["name"], c["kind"], c["scale_max"]) for c in detail["criteria"]] == [
        ("Relevance 1", "manual", 3),
        ("Relevance 2", "manual", 3),
    ]
    assert detail["criteria"][0]["anchors"][2] == {"points": 2, "description": "Good"}
    assert detail["questions"] == [{"key": "q1", "text": "Who leads?", "required": True}]
    assert detail["eligible_cohorts"] == [world.cohort.pk]


def test_a_call_is_seen_only_by_those_it_concerns(world):
    draft = factories.CallFactory(title="Still a draft")
    draft.eligible_cohorts.add(world.cohort)
    stranger = factories.city_officer(city=factories.CityFactory(name="Oslo"))

    assert client_of(stranger).get(CALLS).json()["count"] == 0
    assert client_of(stranger).get(f"{CALLS}{world.call.pk}/").status_code == 404
    assert client_of(world.officer).get(f"{CALLS}{draft.pk}/").status_code == 404
    admin = client_of(world.admin).get(CALLS).json()
    assert sorted(c["title"] for c in admin["results"]) == sorted([world.call.title, draft.title])
    assert client_of(world.officer).get(f"{CALLS}?status=closed").status_code == 400


# --- Applications: applying through the services --------------------------------------------------


def test_an_officer_starts_saves_and_submits_an_application(world):
    ana = client_of(world.officer)

    started = ana.post(APPLICATIONS, {"call": world.call.pk}, content_type="application/json")
    application = Application.objects.get()
    saved = ana.put(
        f"{APPLICATIONS}{application.pk}/", _complete(world), content_type="application/json"
    )
    submitted = ana.post(f"{APPLICATIONS}{application.pk}/submit/")

    assert started.status_code == 201
    assert (started.json()["city"], started.json()["spotlight_challenge"]) == (
        world.city.pk,
        SPOTLIGHT,
    )
    assert saved.status_code == 200
    assert saved.json()["preferences"] == [world.visits[1].pk, world.visits[0].pk]
    assert saved.json()["delegates"] == [
        {"name": "Ana Silva", "role": "Energy officer", "email": "ana@lisboa.pt"}
    ]
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    # An officer reads no score and no decision before they are published.
    assert (submitted.json()["total"], submitted.json()["decision"]) == (None, "")


def test_applying_twice_is_refused_with_the_application_named(world):
    ana = client_of(world.officer)
    first = ana.post(APPLICATIONS, {"call": world.call.pk}, content_type="application/json")

    again = ana.post(APPLICATIONS, {"call": world.call.pk}, content_type="application/json")

    assert _error(again) == (
        400,
        "already_applied",
        f"Lisbon has already applied to this call (application {first.json()['id']}): "
        "change that application instead.",
        None,
    )
    assert Application.objects.count() == 1


def test_applying_after_the_deadline_is_refused(world):
    ana = client_of(world.officer)
    with time_machine.travel(world.call.closes_at + datetime.timedelta(minutes=1)):
        refused = ana.post(APPLICATIONS, {"call": world.call.pk}, content_type="application/json")

    status, code, message, _fields = _error(refused)
    assert (status, code) == (400, "closed")
    assert message.startswith("This call closed on ")
    assert message.endswith(": applications can no longer be changed.")
    assert not Application.objects.exists()


def test_a_call_one_does_not_see_or_a_city_one_is_not_officer_of_is_refused(world):
    ana = client_of(world.officer)
    hidden = factories.CallFactory(status=CallStatus.OPEN)

    unseen = ana.post(APPLICATIONS, {"call": hidden.pk}, content_type="application/json")
    porto = ana.post(
        APPLICATIONS,
        {"call": world.call.pk, "city": world.other_city.pk},
        content_type="application/json",
    )

    assert _error(unseen) == (
        400,
        "invalid",
        "Some of the data is not valid.",
        {"call": ["There is no such call."]},
    )
    assert _error(porto) == (400, "ineligible", "Porto may not apply to this call.", None)


def test_ranking_a_visit_twice_is_refused_and_nothing_is_saved(world):
    ana = client_of(world.officer)
    application = applying.application_start(acting_user=world.officer, call=world.call)
    first = world.visits[0]
    data = {
        **_complete(world),
        "preferences": [first.pk, first.pk],
        "delegates": [{"name": "Ana", "email": "not-an-address"}],
    }

    refused = ana.put(f"{APPLICATIONS}{application.pk}/", data, content_type="application/json")

    assert _error(refused) == (
        400,
        "invalid",
        "Some answers need a change. Nothing was saved.",
        {
            "preferences": {
                "1": [
                    "You ranked “Visit to Mannheim” twice (choices 1 and 2): rank each visit at "
                    "most once."
                ]
            },
            "delegates": {"0": {"email": ["“not-an-address” is not an email address."]}},
        },
    )
    application.refresh_from_db()
    assert (application.motivation, application.preferences.count()) == ("", 0)


def test_submitting_an_incomplete_application_lists_what_is_missing(world):
    ana = client_of(world.officer)
    application = applying.application_start(acting_user=world.officer, call=world.call)

    refused = ana.post(f"{APPLICATIONS}{application.pk}/submit/")

    missing = [
        "At least one visit ranked by preference",
        "Motivation",
        "At least one delegate",
        "Who leads?",
    ]
    assert _error(refused) == (
        400,
        "incomplete",
        "The application is not complete yet. Still missing: " + "; ".join(missing) + ".",
        {"missing": missing},
    )


def test_a_submitted_application_is_read_only_and_can_be_withdrawn(world):
    application = _submitted(world)
    ana = client_of(world.officer)

    changed = ana.put(
        f"{APPLICATIONS}{application.pk}/", _complete(world), content_type="application/json"
    )
    withdrawn = ana.post(f"{APPLICATIONS}{application.pk}/withdraw/")
    again = ana.post(f"{APPLICATIONS}{application.pk}/withdraw/")

    assert _error(changed) == (
        400,
        "already_submitted",
        "This application is submitted: it can no longer be changed.",
        None,
    )
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert _error(again)[:3] == (400, "already_withdrawn", "This application is already withdrawn.")


def test_only_the_citys_officers_change_an_application(world):
    application = _submitted(world)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.DRAFT)
    Review.objects.create(application=application, reviewer=world.rita)

    for person in (world.rita, world.admin):
        refused = client_of(person).put(
            f"{APPLICATIONS}{application.pk}/", {"motivation": 5}, content_type="application/json"
        )
        assert _error(refused)[:2] == (403, "permission_denied")
    application.refresh_from_db()
    assert application.motivation == "Motivated."


# --- Applications: who sees which -----------------------------------------------------------------


def test_an_officer_never_sees_another_citys_application(world):
    lisbon = _submitted(world)
    porto = _submitted(world, city=world.other_city, officer=world.other_officer)
    rui = client_of(world.other_officer)

    assert [a["id"] for a in rui.get(APPLICATIONS).json()["results"]] == [porto.pk]
    assert rui.get(f"{APPLICATIONS}{lisbon.pk}/").status_code == 404
    assert rui.get(f"{APPLICATIONS}?city={world.city.pk}").json()["count"] == 0
    assert rui.post(f"{APPLICATIONS}{lisbon.pk}/withdraw/").status_code == 404
    assert rui.get(f"{APPLICATIONS}{lisbon.pk}/score/").status_code == 404
    admin = client_of(world.admin).get(APPLICATIONS).json()
    assert [a["id"] for a in admin["results"]] == [lisbon.pk, porto.pk]


def test_a_reviewer_sees_only_assigned_applications_never_conflicting_ones(world):
    lisbon = _submitted(world)
    porto = _submitted(world, city=world.other_city, officer=world.other_officer)
    reviewing.reviewers_assign(acting_user=world.admin, application=lisbon, reviewers=[world.rita])
    reviewing.reviewers_assign(acting_user=world.admin, application=porto, reviewers=[world.rita])
    rita = client_of(world.rita)
    rex = client_of(world.rex)
    assert [a["id"] for a in rita.get(APPLICATIONS).json()["results"]] == [lisbon.pk, porto.pk]

    # Rita becomes an officer of a city in Porto's country after her assignment, and the call
    # excludes reviewers from the applicant's country: a conflict.
    neighbour = factories.CityFactory(name="Braga", country=world.other_city.country)
    factories.CityMembershipFactory(city=neighbour, user=world.rita)
    Call.objects.filter(pk=world.call.pk).update(exclude_same_country=True)

    assert [a["id"] for a in rita.get(APPLICATIONS).json()["results"]] == [lisbon.pk]
    assert rita.get(f"{APPLICATIONS}{porto.pk}/").status_code == 404
    assert [r["application"] for r in rita.get(REVIEWS).json()["results"]] == [lisbon.pk]
    porto_review = Review.objects.get(application=porto)
    assert rita.get(f"{REVIEWS}{porto_review.pk}/").status_code == 404
    # Rex is assigned nothing.
    assert rex.get(APPLICATIONS).json()["count"] == 0
    assert rex.get(f"{APPLICATIONS}{lisbon.pk}/").status_code == 404
    assert rex.get(REVIEWS).json()["count"] == 0


# --- Applications: the kept list ------------------------------------------------------------------


def _listed(client) -> list[tuple]:
    return [
        (a["id"], a["city_name"], a["motivation"], a["preferences"], a["total"], a["is_editable"])
        for a in client.get(APPLICATIONS).json()["results"]
    ]


def test_the_kept_list_shows_each_change_on_the_next_request(world):
    """visits.api.ApplicationViewSet.list keeps its page under the data versions of what it
    shows: a change through a service, a model save or a bulk write shows at once."""
    ana, rui, rita, admin = (
        client_of(u) for u in (world.officer, world.other_officer, world.rita, world.admin)
    )
    started = ana.post(APPLICATIONS, {"call": world.call.pk}, content_type="application/json")
    application = Application.objects.get(pk=started.json()["id"])
    assert _listed(ana) == [(application.pk, "Lisbon", "", [], None, True)]
    assert _listed(rui) == _listed(rita) == []

    # The draft's save through the service (the page's autosave calls the same one).
    ana.put(f"{APPLICATIONS}{application.pk}/", _complete(world), content_type="application/json")
    preferences = [world.visits[1].pk, world.visits[0].pk]
    motivation = _complete(world)["motivation"]
    assert _listed(ana) == [(application.pk, "Lisbon", motivation, preferences, None, True)]
    # A model save (the Django admin's path), and the city renamed.
    application.refresh_from_db()
    application.motivation = "Saved by a model save."
    application.save()
    city = City.objects.get(pk=world.city.pk)
    city.name = "Lisboa"
    city.save()
    assert _listed(ana) == [
        (application.pk, "Lisboa", "Saved by a model save.", preferences, None, True)
    ]
    # Who sees it: an officer made a member of the city, a reviewer assigned to it.
    factories.CityMembershipFactory(city=world.city, user=world.other_officer)
    assert [row[0] for row in _listed(rui)] == [application.pk]
    assert ana.post(f"{APPLICATIONS}{application.pk}/submit/").status_code == 200
    assert _listed(ana)[0][5] is False  # submitted: no longer editable
    reviewing.reviewers_assign(
        acting_user=world.admin, application=application, reviewers=[world.rita]
    )
    assert [row[0] for row in _listed(rita)] == [application.pk]
    # Scoring writes totals in bulk (no signal): the admin reads the new total. (Unscored
    # again by hand after the review, which may have scored it already.)
    review = Review.objects.get(application=application, reviewer=world.rita)
    reviewing.review_submit(
        acting_user=world.rita, review=review, points={c.pk: 3 for c in world.criteria}
    )
    Application.objects.filter(pk=application.pk).update(total=None, rank=None)
    assert _listed(admin)[0][4] is None
    scoring.call_score(call_id=world.call.pk)
    total = Application.objects.get(pk=application.pk).total
    assert total is not None
    assert _listed(admin)[0][4] == f"{total:.3f}"
    # The officer reads it once the call's decisions are published (a call's save).
    assert _listed(ana)[0][4] is None
    world.call.refresh_from_db()
    world.call.status = CallStatus.PUBLISHED
    world.call.save()
    assert _listed(ana)[0][4] == f"{total:.3f}"


def test_the_kept_list_follows_reviews_moved_or_deleted_outside_the_services(world):
    lisbon = _submitted(world)
    reviewing.reviewers_assign(acting_user=world.admin, application=lisbon, reviewers=[world.rita])
    rita, rex = client_of(world.rita), client_of(world.rex)
    assert ([row[0] for row in _listed(rita)], _listed(rex)) == ([lisbon.pk], [])

    # The Django admin's save moves the review to Rex; its deletion takes it from him.
    review = Review.objects.get(application=lisbon)
    review.reviewer = world.rex
    review.save()
    assert ([row[0] for row in _listed(rex)], _listed(rita)) == ([lisbon.pk], [])
    review.delete()
    assert _listed(rex) == []


def test_a_kept_draft_is_no_longer_editable_once_its_call_closes(world, django_assert_num_queries):
    ana = client_of(world.officer)
    started = ana.post(APPLICATIONS, {"call": world.call.pk}, content_type="application/json")
    # Closing in a minute (within the cache's timeout), before the list is first read.
    closes_at = timezone.now() + datetime.timedelta(minutes=1)
    Call.objects.filter(pk=world.call.pk).update(closes_at=closes_at)
    assert [a["is_editable"] for a in ana.get(APPLICATIONS).json()["results"]] == [True]

    after = time_machine.travel(closes_at + datetime.timedelta(seconds=1))
    with after, django_assert_num_queries(2 + session_queries()):  # kept: user, versions
        listed = ana.get(APPLICATIONS).json()["results"]

    assert [(a["id"], a["is_editable"]) for a in listed] == [(started.json()["id"], False)]


def test_people_reading_the_list_one_after_the_other_each_see_their_own(world):
    lisbon = _submitted(world)
    porto = _submitted(world, city=world.other_city, officer=world.other_officer)
    reviewing.reviewers_assign(acting_user=world.admin, application=porto, reviewers=[world.rita])
    people = [world.officer, world.other_officer, world.rita, world.rex, world.admin]
    expected = [[lisbon.pk], [porto.pk], [porto.pk], [], [lisbon.pk, porto.pk]]

    for order in (people, people[::-1]):
        seen = {user.pk: client_of(user).get(APPLICATIONS).json() for user in order}
        assert [[a["id"] for a in seen[user.pk]["results"]] for user in people] == expected


# --- Reviews --------------------------------------------------------------------------------------


@pytest.fixture
def reviewed(world):
    application = _submitted(world)
    reviewing.reviewers_assign(
        acting_user=world.admin, application=application, reviewers=[world.rita, world.rex]
    )
    world.application = application
    world.rita_review = Review.objects.get(reviewer=world.rita)
    world.rex_review = Review.objects.get(reviewer=world.rex)
    return world


def _points(world, *values) -> dict:
    return {str(c.pk): v for c, v in zip(world.criteria, values, strict=True)}


def test_a_reviewer_scores_submits_and_then_sees_the_others(reviewed):
    world = reviewed
    rex, rita = client_of(world.rex), client_of(world.rita)
    rex.post(
        f"{REVIEWS}{world.rex_review.pk}/submit/",
        {"points": _points(world, 1, 1), "comment": "Thin."},
        content_type="application/json",
    )
    path = f"{REVIEWS}{world.rita_review.pk}/"

    before = rita.get(path).json()
    saved = rita.put(
        path, {"points": _points(world, 3, None)}, content_type="application/json"
    ).json()
    submitted = rita.post(
        f"{path}submit/",
        {"points": _points(world, 3, 2), "comment": "Strong."},
        content_type="application/json",
    )

    assert (before["status"], before["others"], before["to_score"]) == ("assigned", None, 2)
    assert [a["description"] for a in before["criteria"][0]["anchors"]] == [
        "None",
        "Weak",
        "Good",
        "Excellent",
    ]
    assert (saved["status"], saved["points"], saved["scored"], saved["others"]) == (
        "assigned",
        {str(world.criteria[0].pk): 3},
        1,
        None,
    )
    body = submitted.json()
    assert (submitted.status_code, body["status"], body["points"]) == (
        200,
        "submitted",
        _points(world, 3, 2),
    )
    assert body["others"] == [
        {
            "reviewer": "Rex Reviewer",
            "status": "submitted",
            "recusal_reason": "",
            "comment": "Thin.",
            "points": _points(world, 1, 1),
        }
    ]


def test_a_score_outside_the_scale_is_refused_and_nothing_saved(reviewed):
    world = reviewed
    first = world.criteria[0]

    refused = client_of(world.rita).put(
        f"{REVIEWS}{world.rita_review.pk}/",
        {"points": _points(world, 4, 1)},
        content_type="application/json",
    )

    message = "Relevance 1 is scored from 0 to 3 points."
    assert _error(refused) == (400, "invalid", message, {"points": {str(first.pk): [message]}})
    assert not Score.objects.exists()


def test_submitting_an_incomplete_review_names_the_criteria(reviewed):
    world = reviewed

    refused = client_of(world.rita).post(
        f"{REVIEWS}{world.rita_review.pk}/submit/",
        {"points": _points(world, 2, None)},
        content_type="application/json",
    )

    assert _error(refused) == (
        400,
        "incomplete",
        "Score every criterion before you submit. Not scored yet: Relevance 2.",
        {"points": {str(world.criteria[1].pk): ["Required to submit."]}},
    )
    assert Review.objects.get(pk=world.rita_review.pk).status == ReviewStatus.ASSIGNED


def test_after_the_review_deadline_a_review_no_longer_changes(reviewed):
    world = reviewed
    with time_machine.travel(world.call.review_deadline + datetime.timedelta(minutes=1)):
        refused = client_of(world.rita).put(
            f"{REVIEWS}{world.rita_review.pk}/",
            {"points": _points(world, 2, 2)},
            content_type="application/json",
        )

    status, code, message, _fields = _error(refused)
    assert (status, code) == (400, "closed")
    assert message.startswith("Reviews of this call were due by ")
    assert not Score.objects.exists()


def test_the_kept_list_of_reviews_follows_a_submission_and_the_deadline(reviewed):
    world = reviewed
    rita = client_of(world.rita)
    assert [r["status"] for r in rita.get(REVIEWS).json()["results"]] == ["assigned"]

    reviewing.review_submit(
        acting_user=world.rita,
        review=world.rita_review,
        points={c.pk: 2 for c in world.criteria},
    )
    listed = rita.get(REVIEWS).json()["results"]
    with time_machine.travel(world.call.review_deadline + datetime.timedelta(minutes=1)):
        # Signed in afresh: the session of three weeks ago has expired.
        later = client_of(world.rita).get(REVIEWS).json()["results"]

    assert [(r["status"], r["scored"], r["is_open"]) for r in listed] == [("submitted", 2, True)]
    assert [(r["status"], r["is_open"]) for r in later] == [("submitted", False)]


def test_another_reviewers_review_is_not_found(reviewed):
    world = reviewed
    rita = client_of(world.rita)

    assert rita.get(f"{REVIEWS}{world.rex_review.pk}/").status_code == 404
    assert (
        rita.put(
            f"{REVIEWS}{world.rex_review.pk}/", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client_of(world.admin).get(f"{REVIEWS}{world.rita_review.pk}/").status_code == 404
    assert client_of(world.officer).get(REVIEWS).json()["count"] == 0


def test_a_recusal_needs_a_reason_and_is_recorded(reviewed):
    world = reviewed
    rita = client_of(world.rita)
    path = f"{REVIEWS}{world.rita_review.pk}/recuse/"

    refused = rita.post(path, {"reason": "  "}, content_type="application/json")
    recused = rita.post(path, {"reason": "I advised Lisbon."}, content_type="application/json")

    assert _error(refused) == (
        400,
        "invalid",
        "Say why you recuse yourself: the reason is recorded.",
        {"reason": ["Say why you recuse yourself: the reason is recorded."]},
    )
    assert (recused.json()["status"], recused.json()["recusal_reason"]) == (
        "recused",
        "I advised Lisbon.",
    )
    # Recused: the others' scores are shown (none submitted yet).
    assert recused.json()["others"][0]["status"] == "assigned"


# --- Scores and allocation -----------------------------------------------------------------------


def _scored(world) -> Application:
    for review, values in ((world.rita_review, (3, 2)), (world.rex_review, (1, 2))):
        reviewing.review_submit(
            acting_user=review.reviewer,
            review=review,
            points=dict(zip([c.pk for c in world.criteria], values, strict=True)),
        )
    scoring.call_score(call_id=world.call.pk)
    return Application.objects.get(pk=world.application.pk)


def test_why_this_score_for_admins_and_for_officers_once_published(reviewed):
    world = reviewed
    application = _scored(world)
    path = f"{APPLICATIONS}{application.pk}/score/"

    admin = client_of(world.admin).get(path).json()
    before = client_of(world.officer).get(path)
    reviewer = client_of(world.rita).get(path)
    Call.objects.filter(pk=world.call.pk).update(status=CallStatus.PUBLISHED)
    after = client_of(world.officer).get(path).json()

    assert (admin["total"], admin["rank"]) == ("4.000", 1)
    assert [(line["name"], line["points"], line["weighted"]) for line in admin["lines"]] == [
        ("Relevance 1", "2.000", "2.000"),
        ("Relevance 2", "2.000", "2.000"),
    ]
    assert admin["lines"][0]["reviewer_points"] == [
        {"reviewer": "Rita Reviewer", "points": 3},
        {"reviewer": "Rex Reviewer", "points": 1},
    ]
    assert _error(before)[:2] == (403, "permission_denied")
    assert _error(reviewer)[:2] == (403, "permission_denied")
    assert after["lines"][0]["reviewer_points"] == [
        {"reviewer": "Reviewer 1", "points": 3},
        {"reviewer": "Reviewer 2", "points": 1},
    ]
    listed = client_of(world.officer).get(APPLICATIONS).json()["results"][0]
    assert (listed["total"], listed["rank"]) == ("4.000", 1)
    assert client_of(world.rita).get(APPLICATIONS).json()["results"][0]["total"] is None


def test_allocation_run_and_publish_by_admins_and_the_officers_own_decision(reviewed):
    world = reviewed
    application = _scored(world)
    porto = _submitted(world, city=world.other_city, officer=world.other_officer)
    admin, ana = client_of(world.admin), client_of(world.officer)
    path = f"{CALLS}{world.call.pk}/allocation/"

    ran = admin.post(f"{path}run/")
    before = ana.get(path)
    refused = ana.post(f"{path}run/")
    published = admin.post(f"{path}publish/")
    again = admin.post(f"{path}publish/")
    everything = admin.get(path).json()
    own = ana.get(path).json()

    assert ran.json() == {"selected": 1, "waitlisted": 0, "not_selected": 0, "changed": 1}
    assert _error(before) == (
        403,
        "permission_denied",
        "The decisions of this call are not published yet: they are shown here then.",
        None,
    )
    assert _error(refused)[:2] == (403, "permission_denied")
    assert published.json() == {"told": 1}
    assert _error(again)[:2] == (400, "invalid")
    first_visit = everything["visits"][0]
    assert [p["application"] for p in first_visit["selected"]] == [application.pk]
    assert [p["application"] for p in everything["undecided"]] == [porto.pk]
    assert [[p["application"] for p in v["selected"]] for v in own["visits"]] == [
        [application.pk],
        [],
        [],
    ]
    assert own["undecided"] == []
    # Porto applied and has no decision: its officer is shown no other city's place.
    rui = client_of(world.other_officer).get(path).json()
    assert [v["selected"] for v in rui["visits"]] == [[], [], []]
    assert (rui["waitlist"], rui["not_selected"], rui["undecided"]) == ([], [], [])
    assert client_of(world.rita).get(path).status_code == 403


def test_run_scoring_is_queued_for_admins_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queued = client_of(world.admin).post(f"{CALLS}{world.call.pk}/scoring/")
    refused = client_of(world.officer).post(f"{CALLS}{world.call.pk}/scoring/")

    assert (queued.status_code, len(callbacks)) == (202, 1)
    assert queued.json() == {
        "message": "Scoring is running: the ranking shows the new scores when it has finished."
    }
    assert _error(refused)[:2] == (403, "permission_denied")


def test_an_allocation_run_is_refused_once_published(world):
    Call.objects.filter(pk=world.call.pk).update(status=CallStatus.PUBLISHED)
    refused = client_of(world.admin).post(f"{CALLS}{world.call.pk}/allocation/run/")

    assert _error(refused)[:2] == (400, "invalid")
    assert _error(refused)[2].startswith("The decisions of this call are published")
    assert allocation.MANAGE == "visits.manage_call"


# --- Query counts ---------------------------------------------------------------------------------


def _count(client, path, django_assert_num_queries, expected) -> dict:
    with django_assert_num_queries(expected + session_queries()):
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def _many_applications(world, many: int) -> list[Application]:
    applications = []
    for number in range(many):
        city = factories.CityFactory(name=f"City {number:02}")
        factories.enrolment_accepted(cohort=world.cohort, city=city)
        factories.CityMembershipFactory(city=city, user=world.officer)
        application = _submitted(world, city=city)
        factories.DelegateFactory(application=application)
        applications.append(application)
    return applications


@pytest.mark.parametrize("many", [2, 20])
def test_list_queries_do_not_grow_with_rows(world, django_assert_num_queries, many):
    applications = _many_applications(world, many)
    for application in applications:
        reviewing.reviewers_assign(
            acting_user=world.admin, application=application, reviewers=[world.rita]
        )
    for number in range(many - 1):
        call = factories.CallFactory(status=CallStatus.OPEN, title=f"More {number}")
        call.eligible_cohorts.add(world.cohort)
    ana, rita, admin = client_of(world.officer), client_of(world.rita), client_of(world.admin)

    # user, page of calls (with their numbers of visits): a first page shorter than a page
    # holds them all and is not counted (visits.api._CallRows; 3 queries until 3 December
    # 2026, the count first)
    calls = _count(ana, CALLS, django_assert_num_queries, 2)
    _count(admin, CALLS, django_assert_num_queries, 2)
    # A full first page is counted: user, page, count; a later page: user, count, page.
    first = _count(ana, f"{CALLS}?page_size={many}", django_assert_num_queries, 3)
    assert first["count"] == many and first["next"] is None
    first = _count(ana, f"{CALLS}?page_size=1", django_assert_num_queries, 3)
    second = _count(ana, f"{CALLS}?page_size=1&page=2", django_assert_num_queries, 3)
    assert (first["count"], second["count"]) == (many, many)
    assert [c["id"] for c in first["results"] + second["results"]] == [
        c["id"] for c in calls["results"][:2]
    ]
    # user, versions, the page (with its call and city, preferences and delegates: a first
    # page shorter than a page is its own count); the officer's cities (may they read the
    # scores) are not asked: none is published
    officer = _count(ana, APPLICATIONS, django_assert_num_queries, 3)
    # user, versions, page (an admin reads every score)
    admin_listed = _count(admin, APPLICATIONS, django_assert_num_queries, 3)
    rita_listed = _count(rita, APPLICATIONS, django_assert_num_queries, 3)
    # A full first page is counted: user, versions, page, count; a later page is counted
    # first: user, versions, count, page.
    for path in (f"{APPLICATIONS}?page_size=1", f"{APPLICATIONS}?page_size=1&page=2"):
        paged = _count(rita, path, django_assert_num_queries, 4)
        assert paged["count"] == many
        assert [a["id"] for a in paged["results"]] == [
            a["id"] for a in rita_listed["results"][path.count("page=2") :][:1]
        ]
    # Kept (visits.api.ApplicationViewSet.list): user, versions.
    assert _count(ana, APPLICATIONS, django_assert_num_queries, 2) == officer
    assert _count(admin, APPLICATIONS, django_assert_num_queries, 2) == admin_listed
    assert _count(rita, APPLICATIONS, django_assert_num_queries, 2) == rita_listed
    # user, versions, count, page (with application, city, country and call), their scores,
    # their calls' manual criteria counted
    reviews = _count(rita, REVIEWS, django_assert_num_queries, 6)
    # Kept: user, versions.
    assert _count(rita, REVIEWS, django_assert_num_queries, 2) == reviews

    assert (calls["count"], officer["count"], reviews["count"]) == (many, many, many)
