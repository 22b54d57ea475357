"""Scoring's pages (visits/views_scoring.py): the ranking with "Run scoring", and "why this
score"; who sees them, what they show, and queries that do not grow with the rows."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.fragments import bump
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap
from tests import factories
from tests.queries import session_queries
from tests.visits.test_scoring import automatic, review, submitted_application
from visits import scoring
from visits.enums import AutomaticRule, CallStatus, ReviewStatus
from visits.standings import applications_scope

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def world():
    cohort = factories.CohortFactory()
    call = factories.CallFactory(
        status=CallStatus.OPEN, title="Study visits 2025", disagreement_threshold=D("1")
    )
    call.eligible_cohorts.add(cohort)
    relevance = factories.CriterionFactory(call=call, name="Relevance", weight=D("2"))
    roadmap = automatic(call, AutomaticRule.ROADMAP_COMPLETED)
    lisbon = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    turku = factories.CityFactory(name="Turku", country=factories.CountryFactory(iso_code="FI"))
    for city in (lisbon, turku):
        factories.enrolment_accepted(cohort=cohort, city=city)
    first = submitted_application(call, city=lisbon)
    second = submitted_application(call, city=turku)
    anna = factories.UserFactory(full_name="Anna Reviewer", is_reviewer=True)
    ben = factories.UserFactory(full_name="Ben Reviewer", is_reviewer=True)
    review(first, {relevance: 2}, reviewer=anna)
    review(first, {relevance: 5}, reviewer=ben)
    review(second, {relevance: 3}, reviewer=anna)
    review(second, {relevance: 1}, reviewer=ben, status=ReviewStatus.RECUSED)
    # Both cities' roadmaps were opened by their enrolment; Turku's is completed.
    Roadmap.objects.filter(city=turku).update(status=RoadmapStatus.ACCEPTED)
    scoring.call_score(call_id=call.pk)
    return {
        "call": call,
        "relevance": relevance,
        "roadmap": roadmap,
        "first": first,
        "second": second,
        "admin": factories.UserFactory(is_programme_admin=True),
        "officer": factories.city_officer(city=lisbon),
        "officer_elsewhere": factories.city_officer(),
        "reviewer": anna,
    }


def ranking_url(call):
    return reverse("visit_call_ranking", args=[call.pk])


def score_url(application):
    return reverse("visit_application_score", args=[application.pk])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_ranking_page_shows_the_ranked_applications_with_their_lines(client, world):
    client.force_login(world["admin"])
    response = client.get(ranking_url(world["call"]))

    assert response.status_code == 200
    page = text(response)
    rows = re.findall(r'<tr data-application="(\d+)">(.*?)</tr>', page)
    # Lisbon: 2 x mean(2, 5) = 7, no roadmap completed; Turku: 2 x 3 (Ben recused) + 1 = 7:
    # Turku first, by its completed roadmap.
    assert [int(pk) for pk, _ in rows] == [world["second"].pk, world["first"].pk]
    cells = {
        int(pk): re.findall(r'<t[dh][^>]*data-label="([^"]+)"[^>]*>(.*?)</t[dh]>', row)
        for pk, row in rows
    }
    assert cells[world["first"].pk][0] == ("Rank", "2")
    assert cells[world["second"].pk][0] == ("Rank", "1")
    assert "data-disagreement" in dict(cells[world["first"].pk])["Relevance"]
    assert "3.500" in dict(cells[world["first"].pk])["Relevance"]
    assert dict(cells[world["second"].pk])["Relevance"] == "3.000"
    assert dict(cells[world["second"].pk])["Total"] == "7.000"
    assert dict(cells[world["first"].pk])["Total"] == "7.000"
    assert "Run scoring" in page
    assert "Last scored on" in page
    assert str(scoring.rule_sentence(AutomaticRule.ROADMAP_COMPLETED)) in page.replace(
        "&#x27;", "'"
    )


def test_ranking_order_puts_the_roadmap_first_on_equal_totals(world):
    first, second = world["first"], world["second"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.total, first.rank) == (D("7.000"), 2)
    assert (second.total, second.rank) == (D("7.000"), 1)


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 403), ("officer_elsewhere", 404), ("reviewer", 403), ("admin", 200)],
)
def test_ranking_page_is_for_admins(client, world, who, status):
    client.force_login(world[who])
    assert client.get(ranking_url(world["call"])).status_code == status


def test_run_scoring_recomputes_and_says_so(client, world, django_capture_on_commit_callbacks):
    scoring_changed = world["relevance"]
    scoring_changed.weight = D("1")
    scoring_changed.save()
    client.force_login(world["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("visit_call_scoring_run", args=[world["call"].pk]))

    assert response.status_code == 302
    assert response["Location"] == ranking_url(world["call"])
    page = text(client.get(response["Location"]))
    assert "Scoring is running" in page
    world["first"].refresh_from_db()
    assert world["first"].total == D("3.500")


def test_run_scoring_refuses_others(client, world):
    client.force_login(world["officer"])
    assert (
        client.post(reverse("visit_call_scoring_run", args=[world["call"].pk])).status_code == 403
    )
    assert client.get(reverse("visit_call_scoring_run", args=[world["call"].pk])).status_code == 405


def test_ranking_page_bad_page_number_shows_a_page_not_an_error(client, world):
    client.force_login(world["admin"])
    for page in ("abc", "0", "99999", "-1"):
        response = client.get(ranking_url(world["call"]) + f"?page={page}")
        assert response.status_code == 200
        assert 'data-application="' in response.content.decode()


def test_why_page_shows_every_line_with_reviewers_names_for_admins(client, world):
    client.force_login(world["admin"])
    page = text(client.get(score_url(world["first"])))

    assert "Why this score: Lisbon" in page
    assert "Total: 7.000 points · rank 2" in page
    # The call's aggregation is named in the sentence (it once rendered empty).
    assert "counts the mean of reviewers of the points of the submitted reviews" in page
    rows = dict(re.findall(r'<tr data-criterion="(\d+)">(.*?)</tr>', page))
    relevance = rows[str(world["relevance"].pk)]
    assert "<li>Anna Reviewer: 2</li><li>Ben Reviewer: 5</li>" in relevance
    assert re.search(r"data-points>3.500<", relevance)
    assert re.search(r'data-deviation>1.500 <span class="flag" data-disagreement>', relevance)
    assert re.search(r"data-weighted>7.000<", relevance)
    roadmap = rows[str(world["roadmap"].pk)]
    assert "1 point when the city&#x27;s Reflection Roadmap" in roadmap
    assert re.search(r"data-points>0.000<", roadmap)


def test_why_page_leaves_out_recused_reviews(client, world):
    client.force_login(world["admin"])
    page = text(client.get(score_url(world["second"])))

    rows = dict(re.findall(r'<tr data-criterion="(\d+)">(.*?)</tr>', page))
    assert "<li>Anna Reviewer: 3</li></ul>" in rows[str(world["relevance"].pk)]
    assert "Ben Reviewer" not in page


def test_officer_sees_the_why_page_only_once_decisions_are_published(client, world):
    client.force_login(world["officer"])
    assert client.get(score_url(world["first"])).status_code == 403

    world["call"].status = CallStatus.PUBLISHED
    world["call"].save()
    response = client.get(score_url(world["first"]))

    assert response.status_code == 200
    page = text(response)
    assert "<li>Reviewer 1: 2</li><li>Reviewer 2: 5</li>" in page
    assert "Anna Reviewer" not in page and "Ben Reviewer" not in page
    assert "Back to the ranking" not in page


@pytest.mark.parametrize(("who", "status"), [("officer_elsewhere", 404), ("reviewer", 403)])
def test_why_page_of_another_city_is_never_shown(client, world, who, status):
    world["call"].status = CallStatus.PUBLISHED
    world["call"].save()
    client.force_login(world[who])

    assert client.get(score_url(world["first"])).status_code == status
    assert client.get(score_url(world["second"])).status_code == status


def test_officer_of_one_city_does_not_see_the_other_citys_why_page(client, world):
    world["call"].status = CallStatus.PUBLISHED
    world["call"].save()
    client.force_login(world["officer"])

    assert client.get(score_url(world["second"])).status_code == 404


# --- Queries -------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_ranking_page_queries_do_not_grow_with_applications(client, world):
    # Drawn afresh: the user, the call, the versions of what the page shows (one query,
    # visits/standings.py), its criteria, the counts of submitted and other applications (one
    # query), the page of them with their cities' and countries' names, their lines. Kept in
    # the cache: the user, the call and the versions only.
    drawn, kept = 7, 3
    client.force_login(world["admin"])
    url = ranking_url(world["call"])
    client.get(url)
    # Drawn afresh next (the session stays in the cache: cached_db sessions with Redis).
    bump(applications_scope(world["call"].pk))
    few = (_queries(client, url), _queries(client, url))
    for _ in range(8):
        application = submitted_application(world["call"])
        review(application, {world["relevance"]: 4})
    factories.CriterionFactory(call=world["call"], name="Feasibility")
    scoring.call_score(call_id=world["call"].pk)

    many = (_queries(client, url), _queries(client, url))

    assert few == many == (session_queries() + drawn, session_queries() + kept)


def test_why_page_queries_do_not_grow_with_lines_and_reviews(client, world):
    # The user, the application with its call, city and country, the versions of what the
    # lines show; drawn afresh, also the submitted reviews' points with their reviewers and the
    # lines with their criteria. Read again unchanged, the lines are the cached fragment.
    drawn, kept = 5, 3
    client.force_login(world["admin"])
    url = score_url(world["second"])
    few = _queries(client, url)
    few_kept = _queries(client, url)
    feasibility = factories.CriterionFactory(call=world["call"], name="Feasibility")
    automatic(world["call"], AutomaticRule.SESSIONS_ATTENDED)
    for _ in range(4):
        review(world["second"], {world["relevance"]: 4, feasibility: 2})
    scoring.call_score(call_id=world["call"].pk)

    many = _queries(client, url)
    many_kept = _queries(client, url)

    assert few == many == session_queries() + drawn
    assert few_kept == many_kept == session_queries() + kept


# --- Bad input and empty states ---------------------------------------------------------------


def test_unknown_call_or_application_is_a_404_not_an_error(client, world):
    client.force_login(world["admin"])

    assert client.get(reverse("visit_call_ranking", args=[999_999])).status_code == 404
    assert client.post(reverse("visit_call_scoring_run", args=[999_999])).status_code == 404
    assert client.get(reverse("visit_application_score", args=[999_999])).status_code == 404


def test_a_call_never_scored_says_so_and_lists_its_applications_unscored(client):
    call = factories.CallFactory(status=CallStatus.OPEN)
    factories.CriterionFactory(call=call, name="Relevance")
    application = submitted_application(call)
    factories.ApplicationFactory(call=call)  # a draft
    admin = factories.UserFactory(is_programme_admin=True)
    client.force_login(admin)

    page = text(client.get(ranking_url(call)))

    assert "Not scored yet." in page
    assert "1 application in draft or withdrawn is not ranked." in page
    row = re.search(rf'<tr data-application="{application.pk}">(.*?)</tr>', page).group(1)
    assert '<td data-label="Rank">\u2013</td>' in row
    assert '<span class="empty">not scored</span>' in row
    why = text(client.get(score_url(application)))
    assert "This application has not been scored." in why
    assert "No score lines yet" in why


# --- The cached ranking (visits/standings.py) ----------------------------------------------------


def _rows(page: str) -> dict[str, str]:
    """Each row of the ranking by its city's name."""
    return {
        re.search(r'<th scope="row"[^>]*><a [^>]*>([^<]+)</a>', row).group(1): row
        for row in re.findall(r'<tr data-application="\d+">(.*?)</tr>', page)
    }


def test_the_cached_ranking_shows_a_change_through_the_services(client, world):
    from visits.allocation import allocation_run
    from visits.applying import application_withdraw

    client.force_login(world["admin"])
    url = ranking_url(world["call"])
    assert "data-total>7.000</td>" in _rows(text(client.get(url)))["Turku"]
    assert client.get(url).status_code == 200  # kept

    # A review more, scored: Turku's total becomes 2 x mean(3, 5) + 1.
    review(world["second"], {world["relevance"]: 5})
    scoring.application_score(application_id=world["second"].pk)
    assert "data-total>9.000</td>" in _rows(text(client.get(url)))["Turku"]

    # A withdrawal leaves the ranking at once, before the next scoring (it changes no
    # decision: the call was never allocated).
    espoo = factories.CityFactory(name="Espoo")
    application_withdraw(acting_user=world["officer"], application=world["first"])
    page = text(client.get(url))
    assert list(_rows(page)) == ["Turku"]
    assert 'data-count="1"' in page
    assert "1 application in draft or withdrawn is not ranked." in page

    # A new submission shows at once, unranked.
    submitted_application(world["call"], city=espoo)
    assert list(_rows(text(client.get(url)))) == ["Turku", "Espoo"]

    # The allocation's decisions (no visit: nobody can be placed).
    allocation_run(acting_user=world["admin"], call=world["call"])
    assert "Submitted · Not selected" in _rows(text(client.get(url)))["Turku"]


def test_the_cached_ranking_shows_model_saves_of_what_it_shows(client, world):
    client.force_login(world["admin"])
    url = ranking_url(world["call"])
    client.get(url)

    lisbon = world["first"].city
    lisbon.name = "Lisboa"
    lisbon.save()
    assert "Lisboa" in _rows(text(client.get(url)))

    lisbon.country.name = "República Portuguesa"
    lisbon.country.save()
    assert "República Portuguesa" in _rows(text(client.get(url)))["Lisboa"]

    world["relevance"].name = "Relevance to the programme"
    world["relevance"].save()
    assert '<th scope="col" class="numeric">Relevance to the programme</th>' in text(
        client.get(url)
    )


def test_two_admins_reading_the_cached_ranking_each_post_with_their_own_token(world):
    from django.test import Client

    other_admin = factories.UserFactory(is_programme_admin=True)
    url = ranking_url(world["call"])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(world["admin"])
    second.force_login(other_admin)
    tokens = []
    for reader in (first, second):
        page = reader.get(url).content.decode()
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
        run = reverse("visit_call_scoring_run", args=[world["call"].pk])

        assert reader.post(run, {"csrfmiddlewaretoken": tokens[-1]}).status_code == 302
    assert tokens[0] != tokens[1]
