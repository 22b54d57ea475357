"""The call pages (visits/views_calls.py): who sees which call, what the list and a call's page
show, the admin's forms with their messages for bad input, and the navigation link."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import dateformat
from django.utils.formats import get_format

from tests import factories
from tests.portal_pages.helpers import sign_in
from visits.enums import AutomaticRule, CallStatus, CriterionKind
from visits.models import Call, Criterion, Preference, Visit


@dataclass
class Calls:
    admin: object
    officer: object  # of Lisbon, enrolled in the cohort
    officer_elsewhere: object  # of Porto, enrolled in another cohort
    cohort: object
    host: object
    sector: object
    open_call: Call
    draft: Call


def client_of(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@pytest.fixture
def world(db):
    admin = factories.UserFactory(is_programme_admin=True, time_zone="Europe/Lisbon")
    cohort = factories.CohortFactory(name="Cohort 1")
    lisbon = factories.CityFactory(name="Lisbon")
    porto = factories.CityFactory(name="Porto")
    factories.enrolment_accepted(cohort=cohort, city=lisbon)
    factories.enrolment_accepted(cohort=factories.CohortFactory(name="Cohort 2"), city=porto)
    host = factories.CityFactory(name="Mannheim", is_mission_city=True, is_mission_minded=False)
    sector = factories.ThematicSectorFactory(name="Energy")
    open_call = factories.CallFactory(title="Visits 2025", status=CallStatus.OPEN)
    open_call.eligible_cohorts.add(cohort)
    # Opening after the open call: listed first.
    draft = factories.CallFactory(
        title="Visits 2026", opens_at=open_call.opens_at + datetime.timedelta(days=30)
    )
    draft.eligible_cohorts.add(cohort)
    return Calls(
        admin=admin,
        officer=factories.city_officer(city=lisbon),
        officer_elsewhere=factories.city_officer(city=porto),
        cohort=cohort,
        host=host,
        sector=sector,
        open_call=open_call,
        draft=draft,
    )


def listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-call="(\d+)"', html)]


def page_messages(html: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'class="message[^"]*">(.*?)</p>', html, re.S)]


def field_errors(html: str) -> list[str]:
    return [
        " ".join(m.split())
        for m in re.findall(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', html, re.S)
    ]


def detail(call) -> str:
    return f"/visits/calls/{call.pk}/"


# --- Who sees which call ----------------------------------------------------------------------


def test_list_shows_each_person_the_calls_they_may_see(world):
    admin_page = client_of(world.admin).get("/visits/").content.decode()
    officer_page = client_of(world.officer).get("/visits/").content.decode()
    elsewhere_page = client_of(world.officer_elsewhere).get("/visits/").content.decode()

    assert listed(admin_page) == [world.draft.pk, world.open_call.pk]
    assert "New call" in admin_page
    assert listed(officer_page) == [world.open_call.pk]
    assert "New call" not in officer_page
    assert listed(elsewhere_page) == []
    assert "No call for Group Study Visits concerns you yet." in elsewhere_page


def test_a_draft_call_is_not_found_by_anyone_but_admins(world):
    assert client_of(world.officer).get(detail(world.draft)).status_code == 404
    assert client_of(world.admin).get(detail(world.draft)).status_code == 200


def test_a_call_of_another_cohort_is_not_found_by_its_officer(world):
    assert client_of(world.officer_elsewhere).get(detail(world.open_call)).status_code == 404
    assert client_of(world.officer).get(detail(world.open_call)).status_code == 200


def test_the_list_needs_sign_in(world, client):
    response = client.get("/visits/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/visits/"


def test_navigation_links_to_the_calls_for_signed_in_people(world, client):
    link = '<a href="/visits/"'
    assert link in client_of(world.officer).get("/").content.decode()
    assert link not in client.get("/accounts/login/").content.decode()
    html = client_of(world.officer).get(detail(world.open_call)).content.decode()
    assert '<a href="/visits/" aria-current="true">Group Study Visits</a>' in html


# --- A call's page ----------------------------------------------------------------------------


def _furnish(call, host, sector):
    call.description = "Three Mission Cities host 30 delegates."
    call.eligible_city_types = ["mission_minded"]
    call.save()
    visit = factories.VisitFactory(
        call=call,
        host_city=host,
        sector=sector,
        starts_on=datetime.date(2025, 5, 12),
        ends_on=datetime.date(2025, 5, 13),
        capacity_cities=4,
        delegates_per_city=2,
    )
    manual = factories.CriterionFactory(call=call, name="Relevance", weight=Decimal("2.5"))
    for points, text in enumerate(["Not addressed", "Partly", "Fully"]):
        factories.AnchorFactory(criterion=manual, points=points, description=text)
    automatic = factories.CriterionFactory(
        call=call,
        name="Completed roadmap",
        kind=CriterionKind.AUTOMATIC,
        rule=AutomaticRule.ROADMAP_COMPLETED,
    )
    return visit, manual, automatic


def test_call_page_shows_the_call_its_visits_and_criteria(world):
    visit, _manual, _automatic = _furnish(world.open_call, world.host, world.sector)

    html = client_of(world.officer).get(detail(world.open_call)).content.decode()

    assert "Three Mission Cities host 30 delegates." in html
    assert (
        "<dd data-eligibility>Cities enrolled in Cohort 1 that are of the type "
        "Mission-minded city.</dd>"
    ) in html
    row = re.search(rf'<tr data-visit="{visit.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]
    country = world.host.country.name
    assert cells == [f"Mannheim ({country})", "12 May 2025 \u2013 13 May 2025", "Energy", "4", "2"]
    assert "Relevance · weight 2.5" in html
    assert "<dt>0 points</dt><dd>Not addressed</dd><dt>1 point</dt><dd>Partly</dd>" in html
    assert (
        '<p data-rule="roadmap_completed">1 point when the city&#x27;s Reflection Roadmap'
    ) in html
    # No edit buttons for an officer.
    assert "/edit/" not in html and "Save the weights" not in html


def test_call_page_offers_admins_the_edit_buttons(world):
    visit, manual, _automatic = _furnish(world.draft, world.host, world.sector)
    factories.PreferenceFactory(application__call=world.draft, visit=visit)
    spare = factories.VisitFactory(call=world.draft, host_city=world.host, sector=world.sector)

    html = client_of(world.admin).get(detail(world.draft)).content.decode()

    call = world.draft.pk
    assert f'href="/visits/calls/{call}/edit/"' in html
    assert f'action="/visits/calls/{call}/open/"' in html
    assert f'href="/visits/calls/{call}/visits/{visit.pk}/edit/"' in html
    # A visit asked for offers no removal; the other one does.
    assert f'action="/visits/calls/{call}/visits/{visit.pk}/remove/"' not in html
    assert "asked for by 1 application" in html
    assert f'action="/visits/calls/{call}/visits/{spare.pk}/remove/"' in html
    assert f'href="/visits/calls/{call}/criteria/{manual.pk}/edit/"' in html
    assert f'name="weight_{manual.pk}" value="2.50"' in html


# --- The admin's forms ------------------------------------------------------------------------

CALL_POST = {
    "title": "Visits 2027",
    "description": "",
    "opens_at": "2027-03-01T09:00",
    "closes_at": "2027-03-31T18:00",
    "review_deadline": "2027-04-15T18:00",
    "aggregation": "mean",
    "reviewers_per_application": "2",
    "disagreement_threshold": "1",
    "questions": "*Who leads the delegation?\nAnything else?",
}


def test_admin_creates_a_call_with_times_in_their_zone(world):
    data = {**CALL_POST, "eligible_cohorts": [world.cohort.pk], "eligible_city_types": ["pilot"]}

    response = client_of(world.admin).post("/visits/calls/new/", data)

    call = Call.objects.get(title="Visits 2027")
    assert response.status_code == 302 and response["Location"] == detail(call)
    lisbon = ZoneInfo("Europe/Lisbon")
    assert call.opens_at == datetime.datetime(2027, 3, 1, 9, tzinfo=lisbon)
    assert (call.status, call.eligible_city_types) == (CallStatus.DRAFT, ["pilot"])
    assert list(call.eligible_cohorts.all()) == [world.cohort]
    assert [q["key"] for q in call.questions] == ["q1", "q2"]


def test_admin_edits_a_call_and_the_form_shows_it_as_saved(world):
    world.open_call.questions = [{"key": "q1", "text": "Who leads?", "required": True}]
    world.open_call.save()
    admin = client_of(world.admin)
    form = admin.get(f"/visits/calls/{world.open_call.pk}/edit/").content.decode()
    assert "*Who leads?</textarea>" in form

    response = admin.post(f"/visits/calls/{world.open_call.pk}/edit/", CALL_POST)

    assert response.status_code == 302
    world.open_call.refresh_from_db()
    assert world.open_call.title == "Visits 2027"
    assert world.open_call.status == CallStatus.OPEN


def test_a_call_closing_before_it_opens_is_shown_again_with_the_message(world):
    data = {**CALL_POST, "closes_at": "2027-02-01T09:00"}

    response = client_of(world.admin).post("/visits/calls/new/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html) == ["Applications must close after they open."]
    assert 'value="Visits 2027"' in html  # what was typed is kept
    assert not Call.objects.filter(title="Visits 2027").exists()


def test_opening_a_call_without_visits_says_what_is_missing(world):
    admin = client_of(world.admin)

    response = admin.post(f"/visits/calls/{world.draft.pk}/open/")

    assert response.status_code == 302
    html = admin.get(response["Location"]).content.decode()
    assert page_messages(html) == [
        "The call cannot open yet. Add at least one visit on offer. Add at least one criterion."
    ]
    world.draft.refresh_from_db()
    assert world.draft.status == CallStatus.DRAFT


def test_opening_a_furnished_call(world):
    _furnish(world.draft, world.host, world.sector)

    client_of(world.admin).post(f"/visits/calls/{world.draft.pk}/open/")

    world.draft.refresh_from_db()
    assert world.draft.status == CallStatus.OPEN
    assert client_of(world.officer).get(detail(world.draft)).status_code == 200


def _visit_post(world, **fields):
    data = {
        "host_city": world.host.pk,
        "title": "",
        "starts_on": "2025-05-12",
        "ends_on": "",
        "sector": world.sector.slug,
        "capacity_cities": "5",
        "delegates_per_city": "2",
    }
    data.update(fields)
    return data


def test_admin_adds_a_visit_of_two_days(world):
    url = f"/visits/calls/{world.draft.pk}/visits/new/"

    response = client_of(world.admin).post(url, _visit_post(world))

    assert response["Location"] == detail(world.draft) + "#visits"
    visit = Visit.objects.get(call=world.draft)
    assert (visit.starts_on, visit.ends_on) == (
        datetime.date(2025, 5, 12),
        datetime.date(2025, 5, 13),
    )


def test_a_visit_ending_before_it_starts_is_refused_with_the_message(world):
    url = f"/visits/calls/{world.draft.pk}/visits/new/"

    response = client_of(world.admin).post(url, _visit_post(world, ends_on="2025-05-11"))

    assert response.status_code == 200
    assert field_errors(response.content.decode()) == ["The visit cannot end before it starts."]
    assert not Visit.objects.filter(call=world.draft).exists()


def test_a_host_that_is_not_a_mission_city_is_refused_with_the_message(world):
    porto = world.officer_elsewhere.city_memberships.get().city
    url = f"/visits/calls/{world.draft.pk}/visits/new/"

    response = client_of(world.admin).post(url, _visit_post(world, host_city=porto.pk))

    assert response.status_code == 200
    assert field_errors(response.content.decode()) == [
        "Choose a Mission City: only Mission Cities host study visits."
    ]
    assert not Visit.objects.filter(call=world.draft).exists()


def test_admin_edits_a_visit(world):
    visit = factories.VisitFactory(call=world.draft, host_city=world.host, sector=world.sector)
    url = f"/visits/calls/{world.draft.pk}/visits/{visit.pk}/edit/"

    client_of(world.admin).post(
        url, _visit_post(world, starts_on="2025-06-02", capacity_cities="3")
    )

    visit.refresh_from_db()
    assert (visit.starts_on, visit.ends_on, visit.capacity_cities) == (
        datetime.date(2025, 6, 2),
        datetime.date(2025, 6, 3),
        3,
    )


def test_removing_a_preferred_visit_is_refused_with_the_message(world):
    visit = factories.VisitFactory(call=world.draft, host_city=world.host, sector=world.sector)
    factories.PreferenceFactory(application__call=world.draft, visit=visit)
    admin = client_of(world.admin)

    response = admin.post(f"/visits/calls/{world.draft.pk}/visits/{visit.pk}/remove/")

    html = admin.get(response["Location"]).content.decode()
    assert page_messages(html) == [
        "1 application asks for this visit: it cannot be removed. "
        "You can still change its dates, sector and capacity."
    ]
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_visit_of_another_call_is_not_found(world):
    visit = factories.VisitFactory(call=world.open_call, host_city=world.host, sector=world.sector)

    response = client_of(world.admin).post(
        f"/visits/calls/{world.draft.pk}/visits/{visit.pk}/remove/"
    )

    assert response.status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()


CRITERION_POST = {
    "kind": "manual",
    "name": "Relevance",
    "description": "",
    "weight": "2",
    "scale_max": "2",
    "anchors": "Not addressed\nPartly\nFully",
}


def test_admin_adds_a_manual_criterion(world):
    url = f"/visits/calls/{world.open_call.pk}/criteria/new/"

    response = client_of(world.admin).post(url, CRITERION_POST)

    assert response["Location"] == detail(world.open_call) + "#criteria"
    criterion = Criterion.objects.get(call=world.open_call)
    assert (criterion.kind, criterion.weight, criterion.anchors.count()) == ("manual", 2, 3)


def test_the_automatic_criterion_form_asks_for_a_rule_not_anchors(world):
    url = f"/visits/calls/{world.open_call.pk}/criteria/new/?kind=automatic"

    html = client_of(world.admin).get(url).content.decode()

    assert 'name="rule"' in html and 'name="anchors"' not in html
    assert '<input type="hidden" name="kind" value="automatic">' in html


def test_a_negative_weight_is_refused_with_the_message_and_what_was_typed_kept(world):
    url = f"/visits/calls/{world.open_call.pk}/criteria/new/"

    response = client_of(world.admin).post(url, {**CRITERION_POST, "weight": "-1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html) == [
        "A weight cannot be negative: use 0 to leave a criterion out of the total."
    ]
    assert "Not addressed\nPartly\nFully</textarea>" in html
    assert not Criterion.objects.exists()


def test_a_negative_weight_in_the_weights_form_is_refused_with_the_message(world):
    criterion = factories.CriterionFactory(call=world.open_call, name="Relevance", weight=1)
    admin = client_of(world.admin)

    response = admin.post(
        f"/visits/calls/{world.open_call.pk}/criteria/weights/",
        {f"weight_{criterion.pk}": "-3"},
    )

    html = admin.get(response["Location"]).content.decode()
    assert page_messages(html) == [
        "A weight cannot be negative: use 0 to leave a criterion out of the total."
    ]
    criterion.refresh_from_db()
    assert criterion.weight == 1


def test_a_weight_that_is_not_a_number_is_refused_with_the_criterion_named(world):
    criterion = factories.CriterionFactory(call=world.open_call, name="Relevance", weight=1)
    admin = client_of(world.admin)

    response = admin.post(
        f"/visits/calls/{world.open_call.pk}/criteria/weights/",
        {f"weight_{criterion.pk}": "heavy"},
    )

    html = admin.get(response["Location"]).content.decode()
    assert page_messages(html) == ["Relevance: Enter a number."]


def test_admin_edits_and_removes_a_criterion(world):
    criterion = factories.CriterionFactory(call=world.open_call, name="Relevance")
    admin = client_of(world.admin)
    base = f"/visits/calls/{world.open_call.pk}/criteria/{criterion.pk}"

    admin.post(f"{base}/edit/", {**CRITERION_POST, "name": "Fit", "weight": "0"})
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight) == ("Fit", 0)

    admin.post(f"{base}/remove/")
    assert not Criterion.objects.exists()


def test_an_officer_who_sees_the_call_may_not_change_it(world):
    officer = client_of(world.officer)
    call = world.open_call.pk

    assert officer.get(f"/visits/calls/{call}/edit/").status_code == 403
    assert officer.post(f"/visits/calls/{call}/open/").status_code == 403
    assert officer.post(f"/visits/calls/{call}/criteria/new/", CRITERION_POST).status_code == 403
    assert not Criterion.objects.exists()


# --- Query counts -----------------------------------------------------------------------------


def _count_queries(client, path, django_assert_num_queries, expected):
    from tests.queries import session_queries

    with django_assert_num_queries(expected + session_queries()):
        assert client.get(path).status_code == 200


def test_list_queries_do_not_grow_with_calls(world, django_assert_num_queries):
    admin, officer = client_of(world.admin), client_of(world.officer)
    # user, the calls with their numbers of visits
    _count_queries(admin, "/visits/", django_assert_num_queries, 2)
    _count_queries(officer, "/visits/", django_assert_num_queries, 2)

    for number in range(8):
        call = factories.CallFactory(status=CallStatus.OPEN, title=f"More {number}")
        call.eligible_cohorts.add(world.cohort)
        factories.VisitFactory(call=call, host_city=world.host, sector=world.sector)

    _count_queries(admin, "/visits/", django_assert_num_queries, 2)
    _count_queries(officer, "/visits/", django_assert_num_queries, 2)
    assert len(listed(officer.get("/visits/").content.decode())) == 9


def test_call_page_queries_do_not_grow_with_visits_or_criteria(world, django_assert_num_queries):
    _furnish(world.open_call, world.host, world.sector)
    admin, officer = client_of(world.admin), client_of(world.officer)
    # Admins' page, a cached fragment: on a miss, user, the call, the versions (with the
    # applications'), its visits (host city, country, sector, preferences counted), its
    # cohorts, its criteria and their anchors; on a hit, user, the call, the versions (before
    # issue 12's speed work: 6 queries, every part drawn each time; then 4, the visits drawn
    # afresh on every request, until 3 December 2026).
    _count_queries(admin, detail(world.open_call), django_assert_num_queries, 7)
    _count_queries(admin, detail(world.open_call), django_assert_num_queries, 3)
    # Others' page, a cached fragment: on a miss, user, the call, the versions (the page's and
    # the Apply button's), the four reads above and the officer's cities that may apply with
    # their applications (the Apply button, visits.templatetags); on a hit, user, the call, the
    # versions (the Apply button was read on every request before issue 12's speed work: 4).
    _count_queries(officer, detail(world.open_call), django_assert_num_queries, 8)
    _count_queries(officer, detail(world.open_call), django_assert_num_queries, 3)

    for number in range(6):
        host = factories.CityFactory(name=f"Host {number}", is_mission_city=True)
        factories.VisitFactory(call=world.open_call, host_city=host, sector=world.sector)
        criterion = factories.CriterionFactory(call=world.open_call)
        factories.AnchorFactory(criterion=criterion)

    _count_queries(admin, detail(world.open_call), django_assert_num_queries, 7)
    _count_queries(admin, detail(world.open_call), django_assert_num_queries, 3)
    _count_queries(officer, detail(world.open_call), django_assert_num_queries, 8)
    _count_queries(officer, detail(world.open_call), django_assert_num_queries, 3)
    html = officer.get(detail(world.open_call)).content.decode()
    assert html.count("<tr data-visit=") == 7 and html.count("<li data-criterion=") == 8


# --- The cached call page ---------------------------------------------------------------------


def _officer_page(world, client=None) -> str:
    return (client or client_of(world.officer)).get(detail(world.open_call)).content.decode()


def test_the_cached_call_page_shows_a_change_through_the_services(world):
    from visits import calls

    _furnish(world.open_call, world.host, world.sector)
    officer = client_of(world.officer)
    assert "Relevance · weight 2.5" in _officer_page(world, officer)

    criterion = Criterion.objects.get(call=world.open_call, name="Relevance")
    calls.criteria_reweight(
        acting_user=world.admin, call=world.open_call, weights={criterion.pk: Decimal(4)}
    )
    calls.criterion_update(
        acting_user=world.admin,
        criterion=criterion,
        data=calls.CriterionData(
            name="Relevance",
            kind="manual",
            weight=Decimal(4),
            scale_max=1,
            anchors=["Absent", "Present"],
        ),
    )
    html = _officer_page(world, officer)

    assert "Relevance · weight 4" in html
    assert "<dt>0 points</dt><dd>Absent</dd><dt>1 point</dt><dd>Present</dd>" in html


def test_the_cached_call_page_shows_model_saves_of_what_it_shows(world):
    visit, _manual, _automatic = _furnish(world.open_call, world.host, world.sector)
    officer = client_of(world.officer)
    _officer_page(world, officer)

    world.host.name = "Mannheim am Rhein"
    world.host.save()
    assert "Mannheim am Rhein" in _officer_page(world, officer)

    world.sector.name = "Energy transition"
    world.sector.save()
    assert "Energy transition" in _officer_page(world, officer)

    world.cohort.name = "First cohort"
    world.cohort.save()
    assert "Cities enrolled in First cohort" in _officer_page(world, officer)

    visit.capacity_cities = 9
    visit.save()
    assert '<td data-label="Cities" class="numeric">9</td>' in _officer_page(world, officer)

    second = factories.CohortFactory(name="Second cohort")
    world.open_call.eligible_cohorts.add(second)
    assert "First cohort or Second cohort" in _officer_page(world, officer)

    anchor = visit.call.criteria.get(name="Relevance").anchors.get(points=0)
    anchor.description = "Nothing said"
    anchor.save()
    assert "<dd>Nothing said</dd>" in _officer_page(world, officer)


def test_two_people_reading_the_call_page_one_after_the_other_see_their_own(world):
    """The admin's page (edit buttons) is never served to an officer, nor the reverse, whoever
    reads it first; the officer's page is in their own time zone."""
    _furnish(world.open_call, world.host, world.sector)
    world.officer.time_zone = "Asia/Tokyo"
    world.officer.save()
    tokyo = _officer_page(world)
    other = factories.city_officer(city=world.officer.city_memberships.get().city)
    other.time_zone = "Europe/Lisbon"
    other.save()
    lisbon = _officer_page(world, client_of(other))
    admin = client_of(world.admin).get(detail(world.open_call)).content.decode()

    assert "Save the weights" in admin and "Save the weights" not in tokyo + lisbon
    opens = world.open_call.opens_at

    def shown(zone: str) -> str:
        return dateformat.format(opens.astimezone(ZoneInfo(zone)), get_format("DATETIME_FORMAT"))

    assert shown("Asia/Tokyo") != shown("Europe/Lisbon")
    assert f"<dd>From {shown('Asia/Tokyo')} to" in tokyo
    assert f"<dd>From {shown('Europe/Lisbon')} to" in lisbon
    assert "Save the weights" not in _officer_page(world)


def _apply_cities(html: str) -> list[str]:
    return re.findall(r'data-apply-city="(\d+)"', html)


def test_the_kept_apply_button_shows_an_application_started_and_removed(world):
    from visits import applying

    officer = client_of(world.officer)
    assert ">Apply</button>" in _officer_page(world, officer)

    application = applying.application_start(acting_user=world.officer, call=world.open_call)
    html = _officer_page(world, officer)
    assert f'href="/visits/applications/{application.pk}/"' in html
    assert ">Apply</button>" not in html

    application.delete()
    assert ">Apply</button>" in _officer_page(world, officer)


def test_the_kept_apply_button_shows_cities_enrolled_joined_and_renamed(world):
    officer = client_of(world.officer)
    lisbon = world.officer.city_memberships.get().city
    assert _apply_cities(_officer_page(world, officer)) == [str(lisbon.pk)]

    braga = factories.CityFactory(name="Braga")
    factories.CityMembershipFactory(user=world.officer, city=braga)
    assert _apply_cities(_officer_page(world, officer)) == [str(lisbon.pk)]  # not enrolled

    factories.enrolment_accepted(cohort=world.cohort, city=braga)
    html = _officer_page(world, officer)
    assert _apply_cities(html) == [str(braga.pk), str(lisbon.pk)]
    assert "Apply for Braga</button>" in html

    braga.name = "Braga do Minho"
    braga.save()
    assert "Apply for Braga do Minho</button>" in _officer_page(world, officer)

    world.open_call.eligible_city_types = ["pilot"]
    world.open_call.save()
    assert _apply_cities(_officer_page(world, officer)) == []


def test_two_officers_reading_the_call_page_one_after_the_other_get_their_own_buttons(world):
    coimbra = factories.CityFactory(name="Coimbra")
    factories.enrolment_accepted(cohort=world.cohort, city=coimbra)
    other = factories.city_officer(city=coimbra)
    lisbon = world.officer.city_memberships.get().city

    assert _apply_cities(_officer_page(world)) == [str(lisbon.pk)]
    assert _apply_cities(_officer_page(world, client_of(other))) == [str(coimbra.pk)]
    assert _apply_cities(_officer_page(world)) == [str(lisbon.pk)]


def _admin_page(world, client=None) -> str:
    return (client or client_of(world.admin)).get(detail(world.open_call)).content.decode()


def test_the_admins_cached_call_page_shows_a_change_through_the_services(world):
    from visits import calls

    visit, manual, _automatic = _furnish(world.open_call, world.host, world.sector)
    admin = client_of(world.admin)
    before = _admin_page(world, admin)
    assert "Relevance · weight 2.5" in before
    assert f'name="weight_{manual.pk}" value="2.50"' in before

    calls.criteria_reweight(
        acting_user=world.admin, call=world.open_call, weights={manual.pk: Decimal(4)}
    )
    settings = calls.CallSettings(
        title=world.open_call.title,
        opens_at=world.open_call.opens_at,
        closes_at=world.open_call.closes_at,
        review_deadline=world.open_call.review_deadline,
        eligible_cohorts=[world.cohort],
        reviewers_per_application=3,
    )
    calls.call_update(acting_user=world.admin, call=world.open_call, data=settings)
    calls.visit_update(
        acting_user=world.admin,
        visit=visit,
        data=calls.VisitData(
            host_city=world.host, starts_on=visit.starts_on, sector=world.sector, capacity_cities=7
        ),
    )
    html = _admin_page(world, admin)

    assert "Relevance · weight 4" in html
    assert f'name="weight_{manual.pk}" value="4.00"' in html
    assert "3 reviewers per application" in html
    assert '<td data-label="Cities" class="numeric">7</td>' in html


def test_the_admins_call_page_counts_the_applications_asking_for_a_visit(world):
    """Kept under the applications' version (visits.calls, "data versions"): a preference is
    written with its application, whose save or deletion raises it. (Until 3 December 2026 the
    visits were drawn afresh on every request, and this test removed the preferences with a
    bulk delete, which raises no version: it now removes their applications.)"""
    visit, _manual, _automatic = _furnish(world.open_call, world.host, world.sector)
    admin = client_of(world.admin)
    remove = f'action="/visits/calls/{world.open_call.pk}/visits/{visit.pk}/remove/"'
    assert remove in _admin_page(world, admin)

    factories.PreferenceFactory(application__call=world.open_call, visit=visit)
    html = _admin_page(world, admin)
    assert remove not in html and "asked for by 1 application" in html

    factories.PreferenceFactory(application__call=world.open_call, visit=visit)
    assert "asked for by 2 applications" in _admin_page(world, admin)

    for preference in Preference.objects.filter(visit=visit):
        preference.application.delete()
    assert remove in _admin_page(world, admin)


def test_the_admins_kept_call_page_follows_the_drafts_saved_through_the_service(world):
    """The autosave's service replaces a draft's preferences: the next request counts them."""
    from visits import applying

    first = factories.VisitFactory(call=world.open_call, host_city=world.host, sector=world.sector)
    second = factories.VisitFactory(call=world.open_call, host_city=world.host, sector=world.sector)
    admin = client_of(world.admin)

    def removable(html: str) -> list[bool]:
        return [
            f'action="/visits/calls/{world.open_call.pk}/visits/{visit.pk}/remove/"' in html
            for visit in (first, second)
        ]

    assert removable(_admin_page(world, admin)) == [True, True]
    application = applying.application_start(acting_user=world.officer, call=world.open_call)

    def save(*visits):
        applying.application_save(
            acting_user=world.officer,
            application=application,
            draft=applying.ApplicationDraft(preferences=[visit.pk for visit in visits]),
        )

    save(first)
    html = _admin_page(world, admin)
    assert removable(html) == [False, True] and html.count("asked for by 1 application") == 1

    save(second, first)
    html = _admin_page(world, admin)
    assert removable(html) == [False, False] and html.count("asked for by 1 application") == 2

    save(second)
    assert removable(_admin_page(world, admin)) == [True, False]


def test_two_admins_reading_the_call_page_one_after_the_other_see_their_own(world):
    """In their own time zones, and the second reader's weights form (a hit) posts with their
    own CSRF token."""
    _visit, manual, automatic = _furnish(world.open_call, world.host, world.sector)
    tokyo_admin = factories.UserFactory(is_programme_admin=True, time_zone="Asia/Tokyo")
    tokyo = Client(enforce_csrf_checks=True)
    sign_in(tokyo, tokyo_admin)

    lisbon_html = _admin_page(world)
    tokyo_html = _admin_page(world, tokyo)

    def shown(zone: str) -> str:
        opens = world.open_call.opens_at.astimezone(ZoneInfo(zone))
        return dateformat.format(opens, get_format("DATETIME_FORMAT"))

    assert shown("Asia/Tokyo") != shown("Europe/Lisbon")
    assert f"<dd>From {shown('Europe/Lisbon')} to" in lisbon_html
    assert f"<dd>From {shown('Asia/Tokyo')} to" in tokyo_html
    weights_url = f"/visits/calls/{world.open_call.pk}/criteria/weights/"
    weights_form = tokyo_html[tokyo_html.index(f'action="{weights_url}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', weights_form).group(1)
    response = tokyo.post(
        weights_url,
        {"csrfmiddlewaretoken": token, f"weight_{manual.pk}": "3", f"weight_{automatic.pk}": "1"},
    )

    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.weight == 3


# --- The cached call form ---------------------------------------------------------------------


def _edit(call) -> str:
    return f"/visits/calls/{call.pk}/edit/"


def _form_of(client, call) -> str:
    return client.get(_edit(call)).content.decode()


def _ticked(html: str) -> list[str]:
    return re.findall(r'value="(\d+)" id="id_eligible_cohorts_\d+" checked>', html)


def test_the_cached_call_form_shows_a_change_through_the_service(world):
    from visits import calls

    admin = client_of(world.admin)
    before = _form_of(admin, world.open_call)
    assert _ticked(before) == [str(world.cohort.pk)]
    assert 'name="title" value="Visits 2025"' in before

    second = factories.CohortFactory(name="Cohort 3")
    settings = calls.CallSettings(
        title="Visits 2025, again",
        opens_at=world.open_call.opens_at,
        closes_at=world.open_call.closes_at,
        review_deadline=world.open_call.review_deadline,
        eligible_cohorts=[second],
        questions=calls.questions_parse("*Who leads?"),
    )
    calls.call_update(acting_user=world.admin, call=world.open_call, data=settings)
    html = _form_of(admin, world.open_call)

    assert 'name="title" value="Visits 2025, again"' in html
    assert _ticked(html) == [str(second.pk)]
    assert "*Who leads?</textarea>" in html


def test_the_cached_call_form_shows_model_saves_of_what_it_shows(world):
    admin = client_of(world.admin)
    _form_of(admin, world.open_call)

    world.cohort.name = "First cohort"
    world.cohort.save()
    assert "> First cohort</label>" in _form_of(admin, world.open_call)

    factories.CohortFactory(name="Cohort 9")
    assert "> Cohort 9</label>" in _form_of(admin, world.open_call)

    world.open_call.title = "Saved in the admin"
    world.open_call.save()
    assert 'value="Saved in the admin"' in _form_of(admin, world.open_call)

    world.open_call.eligible_cohorts.clear()
    assert _ticked(_form_of(admin, world.open_call)) == []


def test_two_admins_reading_the_call_form_one_after_the_other_see_their_own(world):
    """The dates are in each admin's time zone, and the second reader's form (a hit) posts with
    their own CSRF token."""
    tokyo_admin = factories.UserFactory(is_programme_admin=True, time_zone="Asia/Tokyo")
    lisbon = client_of(world.admin)
    tokyo = Client(enforce_csrf_checks=True)
    sign_in(tokyo, tokyo_admin)

    lisbon_html = _form_of(lisbon, world.open_call)
    tokyo_html = _form_of(tokyo, world.open_call)

    def shown(zone: str) -> str:
        return world.open_call.opens_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")

    assert shown("Asia/Tokyo") != shown("Europe/Lisbon")
    assert f'name="opens_at" value="{shown("Europe/Lisbon")}"' in lisbon_html
    assert f'name="opens_at" value="{shown("Asia/Tokyo")}"' in tokyo_html
    officer = client_of(world.officer).get(_edit(world.open_call))
    assert officer.status_code == 403 and "eligible_cohorts" not in officer.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', tokyo_html).group(1)
    response = tokyo.post(_edit(world.open_call), {**CALL_POST, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_call_form_sent_back_with_errors_is_drawn_afresh(world):
    admin = client_of(world.admin)
    _form_of(admin, world.open_call)

    html = admin.post(_edit(world.open_call), {**CALL_POST, "title": ""}).content.decode()

    assert field_errors(html) == ["This field is required."]
    assert 'name="title" value=""' not in _form_of(admin, world.open_call)
    assert 'name="title" value="Visits 2025"' in _form_of(admin, world.open_call)


def test_call_form_queries(world, django_assert_num_queries):
    admin = client_of(world.admin)
    # On a miss: user, the call, the versions, the call's cohorts (ticked), every cohort (the
    # checkboxes); on a hit: user, the call, the versions.
    _count_queries(admin, _edit(world.open_call), django_assert_num_queries, 5)
    _count_queries(admin, _edit(world.open_call), django_assert_num_queries, 3)
