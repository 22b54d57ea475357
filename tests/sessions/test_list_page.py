"""The sessions page (/sessions/): who sees which sessions, their order, the filters (shared with
the API), the month view, scheduling from the page, and what it costs in queries."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions import services
from sessions.enums import SessionKind
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries
from tests.sessions.conftest import enrol, schedule


def listed(page: str) -> list[str]:
    """The sessions' titles in the order the page shows them (list rows and month cells)."""
    return re.findall(
        r'data-session="\d+">\s*(?:<th scope="row">)?[^<]*<a href="/sessions/\d+/">([^<]+)</a>',
        page,
    )


def main(page: str) -> str:
    return re.search(r"<main.*</main>", page, re.S).group(0)


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<h2 id="{heading_id}">.*?</table>', page, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def sessions(programme):
    """Beside "Energy: district heating" (4 Dec, upcoming): two past sessions of the cohort,
    a later upcoming one of its Energy group, and a session of another cohort."""
    energy_group = factories.ThematicGroupFactory(
        cohort=programme.cohort, sector=programme.actions[0].sector
    )
    at = datetime.datetime
    schedule(
        programme.cohort,
        "Onboarding",
        at(2024, 9, 10, 10),
        at(2024, 9, 10, 11),
        kind=SessionKind.ONBOARDING,
    )
    schedule(programme.cohort, "Tools", at(2024, 10, 15, 10), at(2024, 10, 15, 11))
    schedule(
        programme.cohort,
        "Energy: heat pumps",
        at(2024, 12, 18, 10),
        at(2024, 12, 18, 11),
        kind=SessionKind.TECHNICAL_SUPPORT,
        thematic_group=energy_group,
    )
    other = factories.CohortFactory(number=2, name="Online Discussion Groups cohort 2")
    schedule(other, "Other cohort: mobility", at(2024, 12, 5, 10), at(2024, 12, 5, 11))
    return energy_group


# --- Who sees what -------------------------------------------------------------------------------


def test_session_list_sends_anonymous_people_to_sign_in(client, db):
    response = client.get("/sessions/?view=month")

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/sessions/%3Fview%3Dmonth",
    )


def test_session_list_officer_sees_upcoming_soonest_first_then_past_most_recent_first(
    client, programme, sessions
):
    sign_in(client, programme.officer)

    page = client.get("/sessions/").content.decode()

    assert listed(section(page, "upcoming-heading")) == [
        "Energy: district heating",
        "Energy: heat pumps",
    ]
    assert listed(section(page, "past-heading")) == ["Tools", "Onboarding"]


def test_session_list_officer_never_sees_sessions_of_a_cohort_their_city_is_not_in(
    client, programme, sessions
):
    sign_in(client, programme.officer)

    page = client.get("/sessions/").content.decode()
    month = client.get("/sessions/?view=month&month=2024-12").content.decode()
    filtered = client.get(
        f"/sessions/?cohort={programme.cohort.pk + 1}&view=month&month=2024-12"
    ).content.decode()

    assert "Other cohort: mobility" not in page
    assert listed(month) == ["Energy: district heating", "Energy: heat pumps"]
    assert listed(filtered) == []
    # Nor is the other cohort offered in the filter.
    assert "Online Discussion Groups cohort 2" not in page


def test_session_list_officer_of_a_city_whose_enrolment_is_pending_sees_nothing(
    client, programme, sessions
):
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto, status="pending")
    sign_in(client, factories.city_officer(city=porto))

    page = client.get("/sessions/").content.decode()

    assert (listed(page), "No sessions to show." in page) == ([], True)


def test_session_list_admin_sees_every_cohort(client, programme, sessions):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    page = client.get("/sessions/").content.decode()

    assert listed(page) == [
        "Energy: district heating",
        "Other cohort: mobility",
        "Energy: heat pumps",
        "Tools",
        "Onboarding",
    ]


# --- What each row shows -------------------------------------------------------------------------


def test_session_list_row_shows_time_in_the_person_zone_cohort_kind_group_and_registrations(
    client, programme, sessions
):
    programme.officer.time_zone = "Europe/Lisbon"
    programme.officer.save(update_fields=["time_zone"])
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt"), ("Rui Costa", "rui@lisboa.pt")],
        acting_user=programme.officer,
    )
    sign_in(client, programme.officer)

    page = client.get("/sessions/").content.decode()

    rows = re.findall(r"<tr data-session=.*?</tr>", page, re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    assert cells[:2] == [
        "Energy: district heating 4 December 2024, 09:00\N{EN DASH}10:30 "
        "Online Discussion Groups cohort 1 Thematic discussion \N{EN DASH} 2 people registered",
        "Energy: heat pumps 18 December 2024, 09:00\N{EN DASH}10:00 "
        "Online Discussion Groups cohort 1 Technical support Energy Not registered",
    ]
    assert "Times are in your time zone, Europe/Lisbon." in page
    # The officer's city is enrolled (accepted): they open the cohort's programme page.
    assert page.count(f'<a href="/cohorts/{programme.cohort.pk}/">') == 4


def test_session_list_links_the_cohort_for_its_facilitator_and_shows_no_registrations(
    client, programme, sessions
):
    sign_in(client, programme.lead)

    page = client.get("/sessions/").content.decode()

    assert page.count(f'<a href="/cohorts/{programme.cohort.pk}/">') == 4
    assert "Your cities" not in page


# --- Filters -------------------------------------------------------------------------------------


def test_session_list_filters_by_cohort_kind_and_thematic_group(client, programme, sessions):
    sign_in(client, factories.UserFactory(is_programme_admin=True))

    by_cohort = client.get(f"/sessions/?cohort={programme.cohort.pk}").content.decode()
    by_kind = client.get("/sessions/?kind=onboarding").content.decode()
    by_group = client.get(f"/sessions/?thematic_group={sessions.pk}").content.decode()

    assert listed(by_cohort) == [
        "Energy: district heating",
        "Energy: heat pumps",
        "Tools",
        "Onboarding",
    ]
    assert listed(by_kind) == ["Onboarding"]
    assert listed(by_group) == ["Energy: heat pumps"]


def test_session_list_filters_as_the_api_does(client, programme, sessions):
    sign_in(client, programme.officer)
    query = f"cohort={programme.cohort.pk}&kind=thematic"

    page = client.get(f"/sessions/?{query}").content.decode()
    api = client.get(f"/api/v1/sessions/?{query}").json()

    assert sorted(listed(page)) == sorted(row["title"] for row in api["results"])


def test_session_list_offers_the_person_cohorts_and_groups_in_the_filter(
    client, programme, sessions
):
    sign_in(client, programme.officer)

    page = client.get("/sessions/").content.decode()

    cohort_select = re.search(r'<select name="cohort".*?</select>', page, re.S).group(0)
    group_select = re.search(r'<select name="thematic_group".*?</select>', page, re.S).group(0)
    assert re.findall(r">([^<]+)</option>", cohort_select) == [
        "Any cohort",
        "Online Discussion Groups cohort 1",
    ]
    assert re.findall(r">([^<]+)</option>", group_select) == [
        "Any thematic group",
        "Online Discussion Groups cohort 1 · Energy",
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "kind=lecture",
            "kind",
            "Select a valid choice. lecture is not one of the available choices.",
        ),
        ("cohort=first", "cohort", "Enter a whole number."),
        (
            "cohort=99999999999999999999",
            "cohort",
            "Ensure this value is less than or equal to 9223372036854775807.",
        ),
        ("thematic_group=0", "thematic_group", "Ensure this value is greater than or equal to 1."),
    ],
    ids=["kind", "cohort-text", "cohort-huge", "group-zero"],
)
def test_session_list_bad_filter_value_shows_a_message_at_the_field_and_no_sessions(
    client, programme, sessions, query, field, message
):
    sign_in(client, programme.officer)

    for view in ("", "&view=month&month=2024-12"):
        response = client.get(f"/sessions/?{query}{view}")
        page = response.content.decode()

        assert response.status_code == 200
        assert response.context["filter_form"].errors == {field: [message]}
        assert "Some filters could not be used" in page
        assert listed(page) == []


def test_session_list_bad_page_number_shows_the_last_page(client, programme, sessions):
    sign_in(client, programme.officer)

    response = client.get("/sessions/?page=999")

    assert listed(response.content.decode()) == [
        "Energy: district heating",
        "Energy: heat pumps",
        "Tools",
        "Onboarding",
    ]


# --- Month view ----------------------------------------------------------------------------------


def test_session_list_month_view_puts_each_session_on_its_day(client, programme, sessions):
    sign_in(client, programme.officer)

    page = client.get("/sessions/?view=month&month=2024-12").content.decode()

    days = dict(re.findall(r'<td data-day="(\d{4}-\d\d-\d\d)">(.*?)</td>', page, re.S))
    with_sessions = {
        day: listed(cell) or re.findall(r">([^<]+)</a>", cell)
        for day, cell in days.items()
        if "data-session" in cell
    }
    assert with_sessions == {
        "2024-12-04": ["Energy: district heating"],
        "2024-12-18": ["Energy: heat pumps"],
    }
    assert len(days) == 31
    assert " ".join(re.sub(r"<[^>]+>", " ", days["2024-12-18"]).split()) == (
        "18 December 10:00 Energy: heat pumps "
        "Online Discussion Groups cohort 1 · Technical support · Energy · Not registered"
    )
    assert '<h2 id="month-heading">December 2024</h2>' in page
    assert 'href="?view=month&amp;month=2024-11" rel="prev"' in page
    assert 'href="?view=month&amp;month=2025-01" rel="next"' in page
    assert page.count('<th scope="col"><abbr title="Monday">Mon</abbr></th>') == 1


def test_session_list_month_view_keeps_the_filters_in_its_links(client, programme, sessions):
    sign_in(client, programme.officer)

    page = client.get("/sessions/?view=month&month=2024-12&kind=technical").content.decode()

    assert re.findall(
        r'>([^<]+)</a>(?: <span class="badge">)?',
        re.search(r"<tbody>.*</tbody>", page, re.S).group(0),
    ) == ["Energy: heat pumps", "Online Discussion Groups cohort 1"]
    assert 'href="?view=month&amp;month=2025-01&amp;kind=technical" rel="next"' in page


def test_session_list_month_view_without_month_shows_this_month(client, programme, sessions):
    sign_in(client, programme.officer)

    page = client.get("/sessions/?view=month").content.decode()

    assert '<h2 id="month-heading">November 2024</h2>' in page


@pytest.mark.parametrize(
    "month", ["2024-13", "December", "2024-12-01", "0-1", "0001-01", "9999-12", "-5-3"]
)
def test_session_list_month_view_with_a_bad_month_says_so_and_shows_this_month(
    client, programme, sessions, month
):
    sign_in(client, programme.officer)

    response = client.get(f"/sessions/?view=month&month={month}", follow=True)
    page = response.content.decode()

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Give the month as a year and a month, such as 2025-02. Showing this month."
    ]
    assert '<h2 id="month-heading">November 2024</h2>' in page


# --- Scheduling from the page --------------------------------------------------------------------


def test_session_list_offers_scheduling_in_the_filtered_cohort_to_its_facilitator(
    client, programme, sessions
):
    sign_in(client, programme.lead)

    page = client.get(f"/sessions/?cohort={programme.cohort.pk}").content.decode()

    assert (
        f'<a class="button" href="/sessions/new/?cohort={programme.cohort.pk}">'
        "Schedule a session in Online Discussion Groups cohort 1</a>"
    ) in page


def test_session_list_offers_the_facilitator_their_cohorts_to_schedule_in(
    client, programme, sessions
):
    sign_in(client, programme.lead)

    page = client.get("/sessions/").content.decode()

    form = re.search(r'<form method="get" action="/sessions/new/".*?</form>', page, re.S).group(0)
    assert re.findall(r'<option value="(\d+)">([^<]+)</option>', form) == [
        (str(programme.cohort.pk), "Online Discussion Groups cohort 1")
    ]


def test_session_list_offers_no_scheduling_to_an_officer(client, programme, sessions):
    sign_in(client, programme.officer)

    page = client.get(f"/sessions/?cohort={programme.cohort.pk}").content.decode()

    assert "/sessions/new/" not in page


def test_session_list_offers_no_scheduling_in_a_filtered_cohort_one_does_not_run(
    client, programme, sessions
):
    other_lead = factories.UserFactory(is_facilitator=True)
    other = factories.CohortFactory(number=3)
    other.facilitators.add(other_lead)
    sign_in(client, other_lead)

    page = client.get(f"/sessions/?cohort={programme.cohort.pk}").content.decode()

    # Their own cohort is offered instead, as a choice.
    assert f"/sessions/new/?cohort={programme.cohort.pk}" not in page
    assert f'<option value="{other.pk}">' in page


# --- The main navigation -------------------------------------------------------------------------


def test_main_navigation_links_sessions_current_on_the_sessions_pages(client, programme):
    sign_in(client, programme.officer)

    home = client.get("/").content.decode()
    listing = client.get("/sessions/").content.decode()
    detail = client.get(f"/sessions/{programme.heating.pk}/").content.decode()

    assert '<li><a href="/sessions/">Sessions</a></li>' in home
    assert '<li><a href="/sessions/" aria-current="page">Sessions</a></li>' in listing
    assert '<li><a href="/sessions/" aria-current="true">Sessions</a></li>' in detail


# --- The kept page -------------------------------------------------------------------------------


def test_session_list_kept_page_shows_a_change_through_the_services_and_model_saves(
    client, programme, sessions
):
    sign_in(client, programme.officer)
    client.get("/sessions/")
    client.get("/sessions/?view=month&month=2024-12")

    schedule(
        programme.cohort,
        "Energy: storage",
        datetime.datetime(2024, 12, 11, 10),
        datetime.datetime(2024, 12, 11, 11),
    )
    services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=[("Ana Silva", "ana@lisboa.pt")],
        acting_user=programme.officer,
    )
    programme.cohort.name = "ODG cohort 1"
    programme.cohort.save()
    page = client.get("/sessions/").content.decode()
    month = client.get("/sessions/?view=month&month=2024-12").content.decode()

    assert listed(section(page, "upcoming-heading")) == [
        "Energy: district heating",
        "Energy: storage",
        "Energy: heat pumps",
    ]
    assert "1 person registered" in page
    assert "ODG cohort 1" in page
    assert listed(month) == ["Energy: district heating", "Energy: storage", "Energy: heat pumps"]


def test_session_list_kept_page_follows_who_sees_what(client, programme, sessions):
    porto = factories.CityFactory(name="Porto")
    enrolment = enrol(programme.cohort, porto, status="pending")
    officer = factories.city_officer(city=porto)
    sign_in(client, officer)
    before = listed(client.get("/sessions/").content.decode())

    enrolment.status = "accepted"
    enrolment.save()
    after = listed(client.get("/sessions/").content.decode())

    assert (before, after) == (
        [],
        ["Energy: district heating", "Energy: heat pumps", "Tools", "Onboarding"],
    )


def test_session_list_kept_page_moves_a_session_to_the_past_once_it_starts(
    client, programme, sessions, clock
):
    schedule(
        programme.cohort,
        "Today at noon",
        datetime.datetime(2024, 11, 1, 12, 0),
        datetime.datetime(2024, 11, 1, 13, 0),
    )
    sign_in(client, programme.officer)
    before = client.get("/sessions/").content.decode()

    # Two hours later (within the time the cache keeps a page), the session has started.
    clock.move_to(datetime.datetime(2024, 11, 1, 11, 0, 1, tzinfo=datetime.UTC))
    page = client.get("/sessions/").content.decode()

    assert listed(section(before, "upcoming-heading"))[0] == "Today at noon"
    assert listed(section(page, "upcoming-heading")) == [
        "Energy: district heating",
        "Energy: heat pumps",
    ]
    assert listed(section(page, "past-heading")) == ["Today at noon", "Tools", "Onboarding"]


def test_session_list_two_people_reading_the_same_address_see_their_own_page(
    client, programme, sessions
):
    sign_in(client, programme.lead)
    lead_page = main(client.get("/sessions/").content.decode())
    sign_in(client, programme.officer)
    officer_page = main(client.get("/sessions/").content.decode())
    sign_in(client, programme.lead)
    lead_again = main(client.get("/sessions/").content.decode())

    assert ("Schedule a session" in lead_page, "Your cities" in lead_page) == (True, False)
    assert ("Schedule a session" in officer_page, "Your cities" in officer_page) == (False, True)
    assert lead_again == lead_page


def test_session_list_kept_page_follows_the_person_time_zone(client, programme, sessions):
    sign_in(client, programme.officer)
    client.get("/sessions/")

    programme.officer.time_zone = "Europe/Helsinki"
    programme.officer.save(update_fields=["time_zone"])
    page = client.get("/sessions/").content.decode()

    assert "4 December 2024, 11:00\N{EN DASH}12:30" in page


# --- Queries -------------------------------------------------------------------------------------


def _queries(client, url) -> tuple[int, str]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _more_sessions(programme, group, count):
    for day in range(count):
        schedule(
            programme.cohort,
            f"Session {day:02d}",
            datetime.datetime(2024, 12, 6 + day, 14, 0),
            datetime.datetime(2024, 12, 6 + day, 15, 0),
            thematic_group=group,
        )


# Drawn afresh (the cache cleared), for either role: the session (from the database, the
# cache having lost it, whatever the session engine), the user, the versions of SESSIONS,
# VISIBILITY and NAMES (one query), the person's four facts of
# what they see (`session_access_of`: facilitated cohorts, enrolled cohorts, named sessions,
# cities), then the page's own: the count of the list (not in the month view), the rows
# (cohort, group and sector joined; the officer's registrations a subquery), the cohorts to
# schedule in (the lead only: the officer facilitates nothing), and the filter's cohorts and
# thematic groups. Which cohorts' pages are linked is answered from the kept facts.
AFRESH = {
    ("officer", "list"): 10,
    ("lead", "list"): 11,
    ("officer", "month"): 9,
    ("lead", "month"): 10,
}


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/",
        "/sessions/?cohort={cohort}&kind=thematic",
        "/sessions/?view=month&month=2024-12",
        "/sessions/?view=month&month=2024-12&cohort={cohort}&kind=thematic",
    ],
    ids=["list", "list-filtered", "month", "month-filtered"],
)
@pytest.mark.parametrize("role", ["officer", "lead"])
def test_session_list_query_count_does_not_grow(client, programme, role, url):
    group = factories.ThematicGroupFactory(
        cohort=programme.cohort, sector=programme.actions[0].sector
    )
    sign_in(client, getattr(programme, role))
    url = url.format(cohort=programme.cohort.pk)
    one, page_one = _queries(client, url)

    _more_sessions(programme, group, 20)
    many, page_many = _queries(client, url)
    with CaptureQueriesContext(connection) as kept:
        page_kept = client.get(url).content.decode()

    assert (len(listed(page_one)), len(listed(page_many))) == (1, 21)
    # The cache was cleared (`_queries`), the session with it: it is read from the database
    # whatever the session engine.
    expected = AFRESH[role, "month" if "month" in url else "list"] + 1
    assert one == many == expected
    # Kept: the session, the user and the versions.
    assert (len(kept), main(page_kept)) == (2 + session_queries(), main(page_many))


def test_cohorts_schedulable_by_are_the_cohorts_of_the_add_session_rule(programme, sessions):
    from cohorts.models import Cohort
    from sessions.selectors import cohorts_schedulable_by

    group_facilitator = factories.UserFactory(is_facilitator=True)
    sessions.facilitators.add(group_facilitator)
    factories.CohortFactory(number=5).facilitators.add(factories.UserFactory(is_facilitator=True))
    people = [
        programme.lead,
        programme.officer,
        group_facilitator,
        factories.UserFactory(is_programme_admin=True),
        factories.UserFactory(is_facilitator=True),
    ]

    for person in people:
        person = type(person).objects.get(pk=person.pk)
        by_rule = {
            c.pk for c in Cohort.objects.all() if person.has_perm("peer_sessions.add_session", c)
        }
        assert set(cohorts_schedulable_by(user=person).values_list("pk", flat=True)) == by_rule


def test_the_cohorts_linked_are_the_cohorts_of_the_programme_page_rule(programme, sessions):
    """sessions.views._viewable_cohorts answers `cohorts.view_cohort_programme` from the
    person's kept facts: the same cohorts as the rule, for every kind of person."""
    from cohorts.enums import EnrolmentStatus
    from cohorts.models import Cohort
    from sessions.models import Session
    from sessions.views import _viewable_cohorts

    requesting = factories.city_officer()
    factories.EnrolmentFactory(
        cohort=programme.cohort,
        city=requesting.city_memberships.get().city,
        status=EnrolmentStatus.REQUESTED,
    )
    group_facilitator = factories.UserFactory(is_facilitator=True)
    programme.cohort.thematic_groups.first().facilitators.add(group_facilitator)
    people = [
        programme.lead,
        programme.officer,
        requesting,
        group_facilitator,
        factories.UserFactory(is_programme_admin=True),
        factories.UserFactory(is_facilitator=True),
        factories.UserFactory(is_reviewer=True),
    ]
    every_session = list(Session.objects.select_related("cohort"))

    for person in people:
        person = type(person).objects.get(pk=person.pk)
        by_rule = {
            cohort.pk
            for cohort in Cohort.objects.filter(sessions__isnull=False).distinct()
            if person.has_perm("cohorts.view_cohort_programme", cohort)
        }
        assert _viewable_cohorts(person, every_session) == by_rule
