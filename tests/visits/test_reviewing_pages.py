"""Reviewing's pages (visits/views_reviewing.py): the reviewer's list, the review page, the
admin's assignment page, the reviewer's home section, bad input and query counts."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.defaultfilters import date
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.fragments import versions
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries
from tests.visits.reviewing_world import past_deadline, review_world
from visits import applying, reviewing
from visits.enums import ApplicationStatus, ReviewStatus
from visits.models import Review, Score

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _block(html: str, block: str) -> str:
    match = re.search(rf'<section[^>]*data-block="{block}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {block} block"
    return match.group(1)


@pytest.fixture
def world():
    world = review_world(applications=2, reviewers=3)
    application = world.applications[0]
    application.motivation = "We want to learn about heat pumps."
    application.spotlight_challenge = "Old buildings."
    application.answers = {"budget": "We fund two delegates."}
    application.save()
    world.call.questions = [
        {"key": "budget", "text": "How do you fund the trip?", "required": True}
    ]
    world.call.save()
    factories.DelegateFactory(
        application=application, name="Ana", role="Energy officer", email="ana@city.eu"
    )
    world.extra["review"] = factories.ReviewFactory(
        application=application, reviewer=world.reviewers[0]
    )
    return world


def test_review_page_shows_the_application_without_emails_and_the_anchored_form(client, world):
    review = world.extra["review"]
    sign_in(client, review.reviewer)

    response = client.get(f"/visits/reviews/{review.application_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    application = _text(_block(html, "application"))
    assert "We want to learn about heat pumps." in application
    assert "Old buildings." in application
    assert "Ana, Energy officer" in application
    assert "How do you fund the trip? We fund two delegates." in application
    assert "ana@city.eu" not in html
    first = world.criteria[0]
    assert re.findall(rf'name="criterion-{first.pk}" id="[^"]+" value="(\d)"', html) == [
        "0",
        "1",
        "2",
        "3",
    ]
    assert "<strong>2</strong>: <span data-anchor>Good</span>" in html
    assert "data-hidden-scores" in html


def test_review_page_submit_and_see_others(client, world):
    review = world.extra["review"]
    first, second = world.criteria
    other = factories.ReviewFactory(application=review.application, reviewer=world.reviewers[1])
    reviewing.review_submit(
        acting_user=other.reviewer, review=other, points={first.pk: 1, second.pk: 0}
    )
    sign_in(client, review.reviewer)

    response = client.post(
        f"/visits/reviews/{review.application_id}/",
        {
            f"criterion-{first.pk}": "3",
            f"criterion-{second.pk}": "2",
            "comment": "Strong",
            "action": "submit",
        },
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    html = client.get(response["Location"]).content.decode()
    others = _text(_block(html, "other-reviews"))
    assert (
        others == "Other reviewers' scores Reviewer Status Criterion 1 Criterion 2 Comment "
        "Reviewer 1 Submitted 1 0"
    )


def test_submit_with_a_criterion_missing_lists_it_and_keeps_what_was_typed(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    sign_in(client, review.reviewer)

    response = client.post(
        f"/visits/reviews/{review.application_id}/",
        {f"criterion-{first.pk}": "3", "comment": "Typed", "action": "submit"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Not scored yet: Criterion 2." in html
    assert f'id="criterion-{first.pk}-3" value="3" checked' in html
    assert ">Typed</textarea>" in html
    assert not Score.objects.exists()


def test_a_score_outside_the_scale_is_a_message_not_a_500(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    sign_in(client, review.reviewer)

    response = client.post(
        f"/visits/reviews/{review.application_id}/",
        {f"criterion-{first.pk}": "9", "action": "save"},
    )

    assert response.status_code == 400
    assert "Criterion 1 is scored from 0 to 3 points." in response.content.decode()
    assert not Score.objects.exists()


def test_after_the_deadline_the_page_says_so_and_a_post_changes_nothing(client, world):
    review = world.extra["review"]
    first, second = world.criteria
    reviewing.review_submit(
        acting_user=review.reviewer, review=review, points={first.pk: 1, second.pk: 1}
    )
    past_deadline(world.call)
    sign_in(client, review.reviewer)

    page = client.get(f"/visits/reviews/{review.application_id}/").content.decode()
    response = client.post(
        f"/visits/reviews/{review.application_id}/",
        {f"criterion-{first.pk}": "3", f"criterion-{second.pk}": "3", "action": "submit"},
    )

    assert "data-closed" in page and 'data-form="score"' not in page
    assert response.status_code == 400
    assert "a review can no longer be changed" in response.content.decode()
    assert set(Score.objects.values_list("points", flat=True)) == {1}


def test_recusing_without_a_reason_is_refused_with_a_message(client, world):
    review = world.extra["review"]
    sign_in(client, review.reviewer)

    refused = client.post(f"/visits/reviews/{review.application_id}/recuse/", {"reason": ""})
    done = client.post(f"/visits/reviews/{review.application_id}/recuse/", {"reason": "Conflict"})

    assert refused.status_code == 400
    assert "Say why you recuse yourself" in refused.content.decode()
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.recusal_reason) == (ReviewStatus.RECUSED, "Conflict")


def test_a_reviewer_gets_404_for_an_unassigned_or_conflicting_application(client, world):
    review = world.extra["review"]
    sign_in(client, review.reviewer)
    unassigned = world.applications[1]

    assert client.get(f"/visits/reviews/{unassigned.pk}/").status_code == 404
    assert client.post(f"/visits/reviews/{unassigned.pk}/", {"action": "save"}).status_code == 404
    factories.CityMembershipFactory(user=review.reviewer, city=review.application.city)
    assert client.get(f"/visits/reviews/{review.application_id}/").status_code == 404


def test_a_reviewers_kept_access_follows_assignments_conflicts_and_the_call(client, world):
    review = world.extra["review"]
    application, other = world.applications
    reviewer = review.reviewer
    sign_in(client, reviewer)
    url = f"/visits/reviews/{application.pk}/"
    other_url = f"/visits/reviews/{other.pk}/"
    assert client.get(url).status_code == 200
    assert client.get(other_url).status_code == 404

    # Assigned: the refusal kept a moment ago gives way.
    reviewing.reviewers_assign(acting_user=world.admin, application=other, reviewers=[reviewer])
    assert client.get(other_url).status_code == 200
    # The city renamed: the kept row gives way too.
    city = application.city
    city.name = "Renamedville"
    city.save()
    assert "Review: Renamedville" in client.get(url).content.decode()
    # An officer of a city in the applicant's country: a conflict once the call says so.
    factories.CityMembershipFactory(
        user=reviewer, city=factories.CityFactory(country=application.city.country)
    )
    assert client.get(url).status_code == 200
    world.call.exclude_same_country = True
    world.call.save()
    assert client.get(url).status_code == 404
    # Removed from the other application, which an admin opens next (keeping its row afresh):
    # the reviewer's access kept before is not read again.
    reviewing.review_unassign(
        acting_user=world.admin, review=Review.objects.get(application=other, reviewer=reviewer)
    )
    sign_in(client, world.admin)
    assert client.get(other_url).status_code == 200
    sign_in(client, reviewer)
    assert client.get(other_url).status_code == 404


def test_review_page_answers_404_for_an_id_no_application_has(client, world):
    sign_in(client, world.extra["review"].reviewer)

    assert client.get("/visits/reviews/99999999999999999999/").status_code == 404
    sign_in(client, world.admin)
    assert client.get("/visits/reviews/99999999999999999999/").status_code == 404


def test_admin_sees_every_score_but_scores_nothing(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 2})
    sign_in(client, world.admin)

    page = client.get(f"/visits/reviews/{review.application_id}/").content.decode()
    post = client.post(f"/visits/reviews/{review.application_id}/", {"action": "save"})

    assert _text(_block(page, "other-reviews")) == (
        "Reviewers' scores Reviewer Status Criterion 1 Criterion 2 Comment Reviewer 0 To score 2 —"
    )
    assert 'data-form="score"' not in page
    assert post.status_code == 403


def test_review_list_shows_progress_and_deadline(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 2})
    sign_in(client, review.reviewer)

    html = client.get("/visits/reviews/").content.decode()

    rows = re.findall(r'<tr data-review="(\d+)">(.*?)</tr>', html, re.S)
    assert [(int(pk), _text(row)) for pk, row in rows] == [
        (
            review.pk,
            f"{review.application.city.name} ({review.application.city.country.name}) "
            f"{world.call.title} {_text(_date(world.call.review_deadline))} 1 of 2 scored To score",
        )
    ]


def _date(moment):
    return date(timezone.localtime(moment), "DATETIME_FORMAT")


def test_reviewer_home_lists_assigned_applications_and_changes_with_a_score(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    sign_in(client, review.reviewer)
    html = client.get("/").content.decode()
    assert "0 of 2 scored" in html and f'href="/visits/reviews/{review.application_id}/"' in html

    reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 2})
    assert "1 of 2 scored" in client.get("/").content.decode()
    # A change made through a model save shows too (home/page_versions.py).
    Score.objects.filter(review=review).delete()
    assert "0 of 2 scored" in client.get("/").content.decode()


def test_reviewer_home_without_assignments_says_so(client):
    reviewer = factories.UserFactory(is_reviewer=True)
    sign_in(client, reviewer)

    html = client.get("/").content.decode()

    assert "No Group Study Visit application is assigned to you yet." in html


# --- Assignment page ----------------------------------------------------------------------------


def test_assignment_page_assigns_by_hand_and_automatically(client, world):
    sign_in(client, world.admin)
    url = f"/visits/calls/{world.call.pk}/reviewers/"
    second = world.applications[1]

    manual = client.post(
        url, {"action": "assign", "application": second.pk, "reviewers": [world.reviewers[2].pk]}
    )
    auto = client.post(url, {"action": "auto"})

    assert manual.status_code == auto.status_code == 302
    loads = sorted(
        Review.objects.filter(application__call=world.call).values_list(
            "application_id", "reviewer_id"
        )
    )
    # 2 per application; the first had Reviewer 0, the second Reviewer 2. The first gets the
    # least loaded (Reviewer 1); then all have one and the lowest id (Reviewer 0) goes next.
    assert loads == sorted(
        [
            (world.applications[0].pk, world.reviewers[0].pk),
            (world.applications[0].pk, world.reviewers[1].pk),
            (second.pk, world.reviewers[2].pk),
            (second.pk, world.reviewers[0].pk),
        ]
    )
    html = client.get(url).content.decode()
    assert f'<tr data-application="{second.pk}">' in html


def test_assignment_page_refuses_a_conflicting_reviewer_with_a_message(client, world):
    sign_in(client, world.admin)
    application = world.applications[1]
    factories.CityMembershipFactory(user=world.reviewers[1], city=application.city)

    response = client.post(
        f"/visits/calls/{world.call.pk}/reviewers/",
        {"action": "assign", "application": application.pk, "reviewers": [world.reviewers[1].pk]},
    )

    assert response.status_code == 400
    assert (
        f"Reviewer 1 cannot review {application.city.name}: they are an officer of the city."
        in response.content.decode()
    )
    assert not application.reviews.exists()


def test_assignment_page_removes_an_assigned_reviewer(client, world):
    review = world.extra["review"]
    sign_in(client, world.admin)

    response = client.post(
        f"/visits/calls/{world.call.pk}/reviewers/", {"action": "remove", "review": review.pk}
    )

    assert response.status_code == 302
    assert not Review.objects.filter(pk=review.pk).exists()


def test_assignment_page_is_refused_to_a_reviewer(client, world):
    sign_in(client, world.reviewers[0])

    assert client.get(f"/visits/calls/{world.call.pk}/reviewers/").status_code == 403


def _menu(html: str, name: str = "reviewers") -> list[tuple[str, str]]:
    """A menu of the assignment form, as its options' values and labels (the empty one left
    out)."""
    menu = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', menu)


def _assigned(html: str, application) -> str:
    row = re.search(rf'<tr data-application="{application.pk}">(.*?)</tr>', html, re.S)
    return _text(row.group(1)) if row else ""


def test_assignment_page_is_kept_until_something_it_shows_changes(client, world):
    first, second = world.applications
    reviewer_0, reviewer_1, reviewer_2 = world.reviewers
    url = f"/visits/calls/{world.call.pk}/reviewers/"
    sign_in(client, world.admin)
    assert _assigned(client.get(url).content.decode(), second) == (
        f"{second.city.name} ({second.city.country.name}) No reviewer yet."
    )

    # Through the services: assigning, removing.
    reviewing.reviewers_assign(acting_user=world.admin, application=second, reviewers=[reviewer_2])
    assert "Reviewer 2 · To score Remove" in _assigned(client.get(url).content.decode(), second)
    reviewing.review_unassign(acting_user=world.admin, review=world.extra["review"])
    assert "No reviewer yet." in _assigned(client.get(url).content.decode(), first)

    # Model saves, as the Django admin makes them: a reviewer renamed (menu and table), made a
    # reviewer, no longer one; a city renamed; an application withdrawn.
    reviewer_2.full_name = "Rita Reviewer"
    reviewer_2.save(update_fields=["full_name"])
    html = client.get(url).content.decode()
    assert "Rita Reviewer · To score Remove" in _assigned(html, second)
    assert (str(reviewer_2.pk), "Rita Reviewer") in _menu(html)
    newcomer = factories.UserFactory(full_name="Nina Newcomer", is_reviewer=True)
    reviewer_1.is_reviewer = False
    reviewer_1.save()
    assert _menu(client.get(url).content.decode()) == [
        (str(newcomer.pk), "Nina Newcomer"),
        (str(reviewer_0.pk), "Reviewer 0"),
        (str(reviewer_2.pk), "Rita Reviewer"),
    ]
    city = second.city
    city.name = "Renamedville"
    city.save()
    assert _assigned(client.get(url).content.decode(), second).startswith("Renamedville (")
    first.status = ApplicationStatus.WITHDRAWN
    first.save()
    html = client.get(url).content.decode()
    assert _assigned(html, first) == "" and _assigned(html, second)
    assert [value for value, _label in _menu(html, "application")] == [str(second.pk)]


def test_assignment_page_count_follows_submissions_and_withdrawals(client, world, monkeypatch):
    """The number of submitted applications (the pages of the table) is kept under the call's
    applications' version: a withdrawal through the service and a plain model save show on the
    next request."""
    monkeypatch.setattr("visits.views_reviewing.ASSIGNMENT_PAGE_SIZE", 1)
    first = world.applications[0]
    url = f"/visits/calls/{world.call.pk}/reviewers/"
    sign_in(client, world.admin)

    def pages():
        response = client.get(url)
        assert response.status_code == 200
        return response.context["parts"].page.paginator.num_pages

    assert pages() == 2
    officer = factories.city_officer(city=first.city)
    applying.application_withdraw(acting_user=officer, application=first)
    assert pages() == 1
    first.refresh_from_db()
    first.status = ApplicationStatus.SUBMITTED
    first.save()
    assert pages() == 2


def test_signing_in_leaves_the_assignment_page_kept(world):
    reviewer = world.reviewers[0]
    before = versions(reviewing.REVIEWERS)

    reviewer.last_login = timezone.now()
    reviewer.save(update_fields=["last_login"])

    assert versions(reviewing.REVIEWERS) == before


def test_assignment_page_kept_for_one_admin_gives_another_their_own_token(client, world):
    url = f"/visits/calls/{world.call.pk}/reviewers/"
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    sign_in(client, world.admin)
    first = client.get(url).content.decode()
    first_token = client.cookies["csrftoken"].value

    other_admin = factories.UserFactory(is_programme_admin=True)
    sign_in(client, other_admin)
    client.cookies.pop("csrftoken", None)
    second = client.get(url).content.decode()

    # The kept body's forms (assign, remove) carry the reader's own token, as the header's
    # sign-out and the automatic assignment do.
    assert client.cookies["csrftoken"].value != first_token
    assert len(token.findall(second)) == len(token.findall(first)) == 5
    assert "\x00" not in second
    assert token.sub("", first) == token.sub("", second)
    # A refused assignment is drawn afresh, with what was chosen, and not kept.
    refused = client.post(url, {"action": "assign", "application": world.applications[1].pk})
    assert refused.status_code == 400
    assert "Choose an application and at least one reviewer." in refused.content.decode()
    assert "Choose an application" not in client.get(url).content.decode()


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, user, url) -> int:
    sign_in(client, user)
    cache.clear()
    client.get(url)  # the session and kept facts settle
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_review_list_query_count_one_equals_many(client):
    one = review_world(applications=1, reviewers=1)
    reviewing.reviewers_assign_automatically(acting_user=one.admin, call=one.call)
    many = review_world(applications=6, reviewers=1, criteria=4)
    reviewing.reviewers_assign_automatically(acting_user=many.admin, call=many.call)
    other_call = review_world(applications=3, reviewers=0)
    for application in other_call.applications:
        factories.ReviewFactory(application=application, reviewer=many.reviewers[0])

    def fresh(user):
        # The cache cleared (and the session with it under Redis): the list is read afresh.
        sign_in(client, user)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/visits/reviews/").status_code == 200
        return len(queries)

    # The session, the user, the versions (the list's key), the reviews with their progress.
    assert fresh(one.reviewers[0]) == fresh(many.reviewers[0]) == 4
    # Kept: (session,) the user, the versions.
    expected = session_queries() + 2
    assert _queries(client, one.reviewers[0], "/visits/reviews/") == expected
    assert _queries(client, many.reviewers[0], "/visits/reviews/") == expected


def test_review_list_is_kept_until_a_review_changes_and_each_person_sees_their_own(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    other = factories.ReviewFactory(application=world.applications[1], reviewer=world.reviewers[1])
    sign_in(client, review.reviewer)
    assert "0 of 2 scored" in client.get("/visits/reviews/").content.decode()

    reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 2})
    mine = client.get("/visits/reviews/").content.decode()
    sign_in(client, other.reviewer)
    theirs = client.get("/visits/reviews/").content.decode()

    assert "1 of 2 scored" in mine and f'data-review="{review.pk}"' in mine
    assert f'data-review="{other.pk}"' in theirs and f'data-review="{review.pk}"' not in theirs
    # A model save (the Django admin) shows on the next request too.
    type(world.call).objects.get(pk=world.call.pk).save()
    Score.objects.filter(review=review).delete()
    sign_in(client, review.reviewer)
    assert "0 of 2 scored" in client.get("/visits/reviews/").content.decode()


def test_review_page_query_count_one_equals_many(client):
    def setup(others):
        world = review_world(applications=1, reviewers=others + 1, criteria=3)
        application = world.applications[0]
        for _ in range(3):
            factories.DelegateFactory(application=application)
        reviews = [
            factories.ReviewFactory(application=application, reviewer=r) for r in world.reviewers
        ]
        points = {c.pk: 1 for c in world.criteria}
        for review in reviews:
            reviewing.review_submit(acting_user=review.reviewer, review=review, points=points)
        return reviews[0].reviewer, application

    one_user, one_app = setup(1)
    many_user, many_app = setup(5)

    def fresh(user, application):
        # The cache cleared (and the session with it under Redis): the page is read afresh.
        sign_in(client, user)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/visits/reviews/{application.pk}/").status_code == 200
        return len(queries)

    # The session, the user, the application (call, city, country), the versions (the body's
    # key), their review, the manual criteria, their anchors, their scores, whether they may
    # see the others' (their review is in; no conflict), the others' reviews, their scores,
    # the preferences, the delegates.
    assert fresh(one_user, one_app) == fresh(many_user, many_app) == 14
    # Kept: (session,) the user, the versions; the application's row, the reviewer's access
    # to it and the body are read from the cache.
    one = _queries(client, one_user, f"/visits/reviews/{one_app.pk}/")
    many = _queries(client, many_user, f"/visits/reviews/{many_app.pk}/")
    assert one == many == session_queries() + 2


def test_review_page_is_kept_until_something_it_shows_changes(client, world):
    review = world.extra["review"]
    first, _second = world.criteria
    url = f"/visits/reviews/{review.application_id}/"
    sign_in(client, review.reviewer)
    assert 'value="2" checked' not in client.get(url).content.decode()

    reviewing.review_save(acting_user=review.reviewer, review=review, points={first.pk: 2})
    assert f'id="criterion-{first.pk}-2" value="2" checked' in client.get(url).content.decode()
    # Model saves (the Django admin, another part's service) show on the next request too.
    application = review.application
    application.motivation = "A new motivation."
    application.save()
    assert "A new motivation." in client.get(url).content.decode()
    sign_in(client, world.admin)
    admin_page = client.get(url).content.decode()
    assert 'data-form="score"' not in admin_page and "A new motivation." in admin_page


def test_review_page_shows_another_reviewers_new_name(client, world):
    review = world.extra["review"]
    other = factories.ReviewFactory(application=review.application, reviewer=world.reviewers[1])
    points = {c.pk: 1 for c in world.criteria}
    for each in (review, other):
        reviewing.review_submit(acting_user=each.reviewer, review=each, points=points)
    url = f"/visits/reviews/{review.application_id}/"
    sign_in(client, review.reviewer)
    assert "Reviewer 1" in _block(client.get(url).content.decode(), "other-reviews")

    other.reviewer.full_name = "Olga Other"
    other.reviewer.save(update_fields=["full_name"])

    others = _block(client.get(url).content.decode(), "other-reviews")
    assert "Olga Other" in others and "Reviewer 1" not in others


def test_home_reviewer_query_count_one_equals_many(client):
    one = review_world(applications=1, reviewers=1)
    reviewing.reviewers_assign_automatically(acting_user=one.admin, call=one.call)
    many = review_world(applications=8, reviewers=1)
    reviewing.reviewers_assign_automatically(acting_user=many.admin, call=many.call)

    assert _queries(client, one.reviewers[0], "/") == _queries(client, many.reviewers[0], "/")


def test_assignment_page_query_count_one_equals_many(client):
    def setup(applications):
        world = review_world(applications=applications, reviewers=3)
        reviewing.reviewers_assign_automatically(acting_user=world.admin, call=world.call)
        return world

    one, many = setup(1), setup(12)

    def fresh(world):
        # The cache cleared (and the session with it under Redis): the page is drawn afresh.
        sign_in(client, world.admin)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/visits/calls/{world.call.pk}/reviewers/")
        assert response.status_code == 200
        return len(queries)

    # The session, the user, the call, the versions (the body's key), the page's count, its
    # applications, their reviews with reviewers, the reviewers of the menu (read when it is
    # drawn). The application menu is made from the page's applications already read.
    assert fresh(one) == fresh(many) == 8
    # Kept: (session,) the user, the call, the versions; the body is one cache read.
    counts = [
        _queries(client, world.admin, f"/visits/calls/{world.call.pk}/reviewers/")
        for world in (one, many)
    ]
    assert counts[0] == counts[1] == session_queries() + 3

    # A review changed: the body is drawn afresh, the reviewers' menu is kept (no reviewers).
    reviewing.review_unassign(
        acting_user=many.admin, review=Review.objects.filter(application__call=many.call).first()
    )
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/visits/calls/{many.call.pk}/reviewers/").content.decode()
    # The count of submitted applications is kept too (their version is unchanged): the
    # session, the user, the call, the versions, the page's applications, their reviews.
    assert len(queries) == session_queries() + 5
    assert not [q for q in queries if 'ORDER BY "accounts_user"."full_name"' in q["sql"]]
    assert not [q for q in queries if "COUNT(" in q["sql"]]
    assert len(_menu(html)) == 6  # the reviewers of both calls


def test_nobody_else_sees_a_review_page_or_another_reviewers_list(client, world):
    review = world.extra["review"]
    officer = factories.city_officer(city=review.application.city)
    other_reviewer = world.reviewers[1]
    factories.ReviewFactory(application=world.applications[1], reviewer=other_reviewer)

    sign_in(client, officer)
    assert client.get(f"/visits/reviews/{review.application_id}/").status_code == 404
    sign_in(client, other_reviewer)
    html = client.get("/visits/reviews/").content.decode()
    assert re.findall(r'<tr data-review="(\d+)">', html) == [
        str(Review.objects.get(reviewer=other_reviewer).pk)
    ]
    assert review.application.city.name not in html
