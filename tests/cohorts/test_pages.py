"""The cohort pages: creating and editing a cohort, the list, the facilitator's cohort page,
asking to join and deciding enrolments; who may open what; queries per page."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts import services
from cohorts.models import Cohort, Enrolment
from notifications.models import OutboundEmail
from sessions.models import Registration
from tests import factories
from tests.cohorts.helpers import TODAY, field_errors, group, table_rows, text
from tests.portal_pages.helpers import sign_in

D = datetime.date


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2024, 10, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _cohort_form(**overrides):
    data = {
        "programme": "odg",
        "number": "2",
        "name": "Online Discussion Groups cohort 2",
        "starts_on": "2025-09-01",
        "ends_on": "2026-02-28",
    }
    data.update(overrides)
    return data


# --- creating and editing -------------------------------------------------------------------


def test_cohort_create_page_creates_cohort_with_default_phases_and_groups(
    client, lead, sectors, group_facilitator
):
    sign_in(client, lead)

    response = client.post(
        "/cohorts/new/",
        _cohort_form(
            groups=[str(sectors["energy"].pk)],
            **{f"facilitators_{sectors['energy'].pk}": [str(group_facilitator.pk)]},
        ),
    )

    cohort = Cohort.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/cohorts/{cohort.pk}/")
    assert list(cohort.phases.values_list("kind", "starts_on", "ends_on")) == [
        ("onboarding", D(2025, 9, 1), D(2025, 10, 15)),
        ("thematic", D(2025, 10, 16), D(2025, 11, 29)),
        ("technical", D(2025, 11, 30), D(2026, 1, 13)),
        ("study_visit", D(2026, 1, 14), D(2026, 2, 28)),
    ]
    assert list(cohort.facilitators.all()) == [lead]
    energy = group(cohort, "energy")
    assert list(energy.facilitators.all()) == [group_facilitator]


def test_cohort_create_page_end_before_start_shows_message_at_field_keeps_values(
    client, lead, sectors
):
    sign_in(client, lead)

    response = client.post(
        "/cohorts/new/",
        _cohort_form(ends_on="2025-08-01", phase_thematic_starts_on="2025-10-01"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "ends_on") == [
        "The cohort ends on 1 August 2025, before it starts (1 September 2025)."
    ]
    assert 'name="name" value="Online Discussion Groups cohort 2"' in html
    assert 'name="ends_on" value="2025-08-01"' in html
    assert 'name="phase_thematic_starts_on" value="2025-10-01"' in html
    assert Cohort.objects.count() == 0


def test_cohort_create_page_phase_out_of_order_shows_message_at_phase(client, lead, sectors):
    sign_in(client, lead)

    response = client.post(
        "/cohorts/new/",
        _cohort_form(
            phase_thematic_starts_on="2025-10-01",
            phase_thematic_ends_on="2025-12-01",
            phase_technical_starts_on="2025-09-15",
            phase_technical_ends_on="2025-09-30",
        ),
    )

    html = response.content.decode()
    assert field_errors(html, "phase_technical_starts_on") == [
        "Technical support starts before Thematic online discussions (1 October 2025): "
        "phases run in order."
    ]
    assert 'name="phase_technical_starts_on" value="2025-09-15"' in html
    assert Cohort.objects.count() == 0


def test_cohort_create_page_is_refused_to_officers(client, lisbon_officer):
    sign_in(client, lisbon_officer)

    assert client.get("/cohorts/new/").status_code == 403
    assert client.post("/cohorts/new/", _cohort_form()).status_code == 403
    assert Cohort.objects.count() == 0


def test_cohort_update_page_shows_current_values_and_saves(client, cohort, lead, sectors):
    sign_in(client, lead)

    html = client.get(f"/cohorts/{cohort.pk}/edit/").content.decode()

    assert 'name="phase_onboarding_ends_on" value="2024-10-15"' in html
    assert re.search(rf'name="groups" value="{sectors["energy"].pk}"[^>]*checked', html)

    response = client.post(
        f"/cohorts/{cohort.pk}/edit/",
        _cohort_form(
            number="1",
            name="ODG cohort 1",
            starts_on="2024-09-01",
            ends_on="2025-02-28",
            groups=[str(sectors["energy"].pk), str(sectors["mobility"].pk)],
        ),
    )

    assert (response.status_code, response["Location"]) == (302, f"/cohorts/{cohort.pk}/")
    cohort.refresh_from_db()
    assert cohort.name == "ODG cohort 1"
    # The energy group kept its group, but its facilitators are what the form sent: none.
    assert list(group(cohort, "energy").facilitators.all()) == []


def test_cohort_update_page_is_for_lead_facilitators(client, cohort, group_facilitator):
    other = factories.UserFactory(is_facilitator=True)

    sign_in(client, group_facilitator)
    assert client.get(f"/cohorts/{cohort.pk}/edit/").status_code == 403
    sign_in(client, other)
    assert client.get(f"/cohorts/{cohort.pk}/edit/").status_code == 404


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def three_cohorts(db, cohort, lead):
    """Cohort 1 (open, from the fixture), an ended cohort and another facilitator's open one."""
    ended = factories.CohortFactory(
        number=7,
        name="Pilot sensemaking 7",
        programme="pilot_sensemaking",
        starts_on=D(2023, 1, 1),
        ends_on=D(2023, 6, 30),
    )
    ended.facilitators.add(lead)
    others = factories.CohortFactory(
        number=3,
        name="Twinning 3",
        programme="twinning",
        starts_on=D(2025, 1, 1),
        ends_on=D(2025, 6, 30),
    )
    others.facilitators.add(factories.UserFactory(is_facilitator=True))
    return {"open": cohort, "ended": ended, "others": others}


def test_cohort_list_officer_sees_open_cohorts_and_their_cities_status(
    client, three_cohorts, lisbon, lisbon_officer, lead
):
    porto = factories.CityFactory(name="Porto", country=lisbon.country)
    factories.CityMembershipFactory(user=lisbon_officer, city=porto)
    services.enrolment_request(
        cohort=three_cohorts["open"],
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(three_cohorts["open"], "energy"), "")],
        today=TODAY,
    )
    sign_in(client, lisbon_officer)

    html = client.get("/cohorts/").content.decode()

    assert table_rows(html, "cohorts") == [
        "Twinning 3 Twinning 1 January 2025 to 30 June 2025 0 "
        "Lisbon : Ask for Lisbon to join Porto : Ask for Porto to join",
        "Online Discussion Groups cohort 1 Online Discussion Groups "
        "1 September 2024 to 28 February 2025 0 Lisbon : Requested Porto : Ask for Porto to join",
    ]
    assert f'href="/cohorts/{three_cohorts["open"].pk}/enrol/?city={porto.pk}"' in html
    assert "New cohort" not in html


def test_cohort_list_officer_sees_an_ended_cohort_their_city_was_in(
    client, three_cohorts, lisbon, lisbon_officer, lead
):
    Enrolment.objects.create(cohort=three_cohorts["ended"], city=lisbon, status="accepted")
    sign_in(client, lisbon_officer)

    rows = table_rows(client.get("/cohorts/").content.decode(), "cohorts")

    assert [(row.split(" ")[0], row.split(" Lisbon : ")[1]) for row in rows] == [
        ("Twinning", "Ask for Lisbon to join"),
        ("Online", "Ask for Lisbon to join"),
        ("Pilot", "Enrolled"),
    ]


def test_cohort_list_facilitator_sees_only_cohorts_they_facilitate(
    client, three_cohorts, group_facilitator, lead, lisbon, lisbon_officer
):
    services.enrolment_request(
        cohort=three_cohorts["open"],
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(three_cohorts["open"], "energy"), "")],
        today=TODAY,
    )

    sign_in(client, lead)
    html = client.get("/cohorts/").content.decode()
    assert table_rows(html, "cohorts") == [
        "Online Discussion Groups cohort 1 Online Discussion Groups "
        "1 September 2024 to 28 February 2025 0 1",
        "Pilot sensemaking 7 Pilot City sensemaking 1 January 2023 to 30 June 2023 0 0",
    ]
    assert 'href="/cohorts/new/"' in html

    sign_in(client, group_facilitator)
    rows = table_rows(client.get("/cohorts/").content.decode(), "cohorts")
    assert [row.split(" Online")[0] for row in rows] == ["Online Discussion Groups cohort 1"]


def test_cohort_list_admin_sees_every_cohort(client, three_cohorts, programme_admin):
    sign_in(client, programme_admin)

    rows = table_rows(client.get("/cohorts/").content.decode(), "cohorts")

    assert [row.split(" ")[0] for row in rows] == ["Twinning", "Online", "Pilot"]


def _list_queries(client, user) -> int:
    sign_in(client, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cohorts/")
    assert response.status_code == 200
    return len(queries)


def _open_cohorts(count, facilitator, city, first_number):
    for number in range(first_number, first_number + count):
        cohort = factories.CohortFactory(number=number, ends_on=D(2025, 6, 30))
        cohort.facilitators.add(facilitator)
        sector = factories.ThematicSectorFactory()
        thematic_group = factories.ThematicGroupFactory(cohort=cohort, sector=sector)
        enrolment = Enrolment.objects.create(cohort=cohort, city=city, status="requested")
        enrolment.groups.create(thematic_group=thematic_group)


def test_cohort_list_queries_do_not_grow_with_cohorts(client, lead, lisbon, lisbon_officer):
    factories.CityMembershipFactory(user=lisbon_officer, city=factories.CityFactory())
    _open_cohorts(1, lead, lisbon, first_number=100)
    officer_one, lead_one = _list_queries(client, lisbon_officer), _list_queries(client, lead)

    _open_cohorts(12, lead, lisbon, first_number=200)
    officer_many, lead_many = _list_queries(client, lisbon_officer), _list_queries(client, lead)

    assert (officer_many, lead_many) == (officer_one, lead_one)


# --- the facilitator's cohort page ------------------------------------------------------------


def _register(session, city, email, *, walk_in=False, attendance=""):
    return Registration.objects.create(
        session=session,
        city=city,
        full_name=email.split("@")[0],
        email=email,
        is_walk_in=walk_in,
        attendance=attendance,
    )


def test_cohort_page_shows_phases_groups_and_each_city_counts(
    client, cohort, lead, lisbon, sectors
):
    espoo = factories.CityFactory(name="Espoo", country=factories.CountryFactory(iso_code="FI"))
    waiting = factories.CityFactory(name="Braga", country=lisbon.country)
    energy, mobility = group(cohort, "energy"), group(cohort, "sustainable-mobility")
    services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(energy, ""), (mobility, "")]
    )
    services.enrolment_create_direct(
        cohort=cohort, city=espoo, acting_user=lead, groups=[(mobility, "")]
    )
    Enrolment.objects.create(cohort=cohort, city=waiting, status="requested")
    first, second = factories.SessionFactory(cohort=cohort), factories.SessionFactory(cohort=cohort)
    elsewhere = factories.SessionFactory(cohort=factories.CohortFactory(number=50))
    _register(first, lisbon, "a@lisboa.pt", attendance="attended")
    _register(first, lisbon, "b@lisboa.pt", attendance="no_show")
    _register(second, lisbon, "a@lisboa.pt", attendance="attended")
    _register(second, lisbon, "c@lisboa.pt", walk_in=True, attendance="attended")
    _register(elsewhere, lisbon, "a@lisboa.pt", attendance="attended")  # another cohort
    _register(first, espoo, "e@espoo.fi")
    sign_in(client, lead)

    html = client.get(f"/cohorts/{cohort.pk}/").content.decode()

    assert "<h1>Online Discussion Groups cohort 1</h1>" in html
    assert text(re.search(r'data-list="phases">(.*?)</ol>', html, re.S).group(1)) == (
        "Onboarding: 1 September 2024 to 15 October 2024 "
        "Thematic online discussions: 16 October 2024 to 29 November 2024 "
        "Technical support: 30 November 2024 to 13 January 2025 "
        "Group Study Visit preparation: 14 January 2025 to 28 February 2025"
    )
    assert text(re.search(r'data-list="groups">(.*?)</ul>', html, re.S).group(1)) == (
        "Energy : Gus Group Sustainable mobility : no facilitator yet"
    )
    assert table_rows(html, "cities") == [
        "Espoo (FI) Sustainable mobility 1 0 Not started",
        "Lisbon (PT) Energy, Sustainable mobility 3 3 Not started",
    ]
    assert "Enrolments (1 request to decide)" in html
    assert f'href="/cohorts/{cohort.pk}/edit/"' in html


@pytest.mark.parametrize(
    "who", ["other_facilitator", "officer_elsewhere", "officer_requested", "reviewer"]
)
def test_cohort_page_is_404_for_people_who_neither_facilitate_it_nor_take_part(
    client, cohort, lead, lisbon, lisbon_officer, who
):
    services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(group(cohort, "energy"), "")]
    )
    braga = factories.CityFactory(name="Braga")
    Enrolment.objects.create(cohort=cohort, city=braga, status="requested")
    user = {
        "other_facilitator": factories.UserFactory(is_facilitator=True),
        "officer_elsewhere": factories.city_officer(city=factories.CityFactory(name="Espoo")),
        # A request still waiting opens nothing (cohorts.selectors.cohort_pages_visible_to).
        "officer_requested": factories.city_officer(city=braga),
        "reviewer": factories.UserFactory(is_reviewer=True),
    }[who]
    sign_in(client, user)

    assert client.get(f"/cohorts/{cohort.pk}/").status_code == 404
    assert client.get(f"/cohorts/{cohort.pk}/enrolments/").status_code == 404


def test_cohort_page_opens_for_an_officer_of_an_enrolled_city_but_not_its_enrolments(
    client, cohort, lead, lisbon, lisbon_officer
):
    services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(group(cohort, "energy"), "")]
    )
    sign_in(client, lisbon_officer)

    response = client.get(f"/cohorts/{cohort.pk}/")

    assert (response.status_code, response.context["runs"]) == (200, False)
    assert client.get(f"/cohorts/{cohort.pk}/enrolments/").status_code == 404


def test_cohort_page_opens_for_group_facilitators_and_admins(
    client, cohort, group_facilitator, programme_admin
):
    for user in (group_facilitator, programme_admin):
        sign_in(client, user)
        response = client.get(f"/cohorts/{cohort.pk}/")
        assert (response.status_code, response.context["cohort"]) == (200, cohort)
    # Only leads (and admins) edit the cohort.
    assert client.get(f"/cohorts/{cohort.pk}/").context["can_change"] is True
    sign_in(client, group_facilitator)
    assert client.get(f"/cohorts/{cohort.pk}/").context["can_change"] is False


def _enrol_cities(cohort, count, lead):
    energy = group(cohort, "energy")
    for _ in range(count):
        city = factories.CityFactory()
        services.enrolment_create_direct(
            cohort=cohort, city=city, acting_user=lead, groups=[(energy, "")]
        )
        session = factories.SessionFactory(cohort=cohort)
        _register(session, city, f"{city.pk}@example.org", attendance="attended")


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_cohort_page_queries_do_not_grow_with_cities(client, cohort, lead):
    sign_in(client, lead)
    _enrol_cities(cohort, 1, lead)
    one = _page_queries(client, f"/cohorts/{cohort.pk}/")
    assert len(client.get(f"/cohorts/{cohort.pk}/").context["enrolments"]) == 1

    _enrol_cities(cohort, 15, lead)
    many = _page_queries(client, f"/cohorts/{cohort.pk}/")

    assert len(client.get(f"/cohorts/{cohort.pk}/").context["enrolments"]) == 16
    assert many == one


# --- asking to join and deciding ----------------------------------------------------------------


def test_enrolment_request_page_officer_asks_with_groups_and_needs(
    client, cohort, lisbon, lisbon_officer
):
    energy = group(cohort, "energy")
    sign_in(client, lisbon_officer)

    response = client.post(
        f"/cohorts/{cohort.pk}/enrol/",
        {"city": str(lisbon.pk), "groups": [str(energy.pk)], f"needs_{energy.pk}": "Heat pumps"},
    )

    assert (response.status_code, response["Location"]) == (302, "/cohorts/")
    enrolment = Enrolment.objects.get()
    assert (enrolment.city, enrolment.status, enrolment.requested_by) == (
        lisbon,
        "requested",
        lisbon_officer,
    )
    assert list(enrolment.groups.values_list("thematic_group", "needs")) == [
        (energy.pk, "Heat pumps")
    ]


def test_enrolment_request_page_twice_shows_message_at_city_keeps_needs(
    client, cohort, lisbon, lisbon_officer
):
    energy = group(cohort, "energy")
    services.enrolment_request(
        cohort=cohort, city=lisbon, acting_user=lisbon_officer, groups=[(energy, "")], today=TODAY
    )
    sign_in(client, lisbon_officer)

    response = client.post(
        f"/cohorts/{cohort.pk}/enrol/",
        {"city": str(lisbon.pk), "groups": [str(energy.pk)], f"needs_{energy.pk}": "Heat pumps"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "city") == [
        "Lisbon has already asked to join Online Discussion Groups cohort 1."
    ]
    assert ">\nHeat pumps</textarea>" in html
    assert Enrolment.objects.count() == 1


def test_enrolment_request_page_without_a_group_says_pick_one(
    client, cohort, lisbon, lisbon_officer
):
    sign_in(client, lisbon_officer)

    response = client.post(f"/cohorts/{cohort.pk}/enrol/", {"city": str(lisbon.pk)})

    assert field_errors(response.content.decode(), "groups") == [
        "Pick at least one thematic group."
    ]


def test_enrolment_request_page_refuses_a_city_of_someone_else(client, cohort, lisbon_officer):
    espoo = factories.CityFactory(name="Espoo")
    sign_in(client, lisbon_officer)

    response = client.post(
        f"/cohorts/{cohort.pk}/enrol/",
        {"city": str(espoo.pk), "groups": [str(group(cohort, "energy").pk)]},
    )

    assert field_errors(response.content.decode(), "city") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Enrolment.objects.count() == 0


def test_enrolment_request_page_of_an_ended_cohort_is_404(client, lisbon_officer):
    ended = factories.CohortFactory(number=9, starts_on=D(2023, 1, 1), ends_on=D(2023, 6, 30))
    sign_in(client, lisbon_officer)

    assert client.get(f"/cohorts/{ended.pk}/enrol/").status_code == 404


@pytest.fixture
def request_from_lisbon(cohort, lisbon, lisbon_officer):
    return services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "District heating")],
        today=TODAY,
    )


def test_enrolment_list_shows_requests_with_buttons(client, cohort, lead, request_from_lisbon):
    sign_in(client, lead)

    html = client.get(f"/cohorts/{cohort.pk}/enrolments/").content.decode()

    assert table_rows(html, "enrolments") == [
        "Lisbon (PT) Requested Energy : District heating Ana Silva Accept Lisbon Decline Lisbon"
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("decision", "status"), [("accept", "accepted"), ("decline", "declined")])
def test_enrolment_decision_page_records_and_emails_once(
    client, cohort, lead, group_facilitator, request_from_lisbon, decision, status
):
    sign_in(client, group_facilitator)
    url = f"/cohorts/{cohort.pk}/enrolments/{request_from_lisbon.pk}/{decision}/"

    response = client.post(url)

    assert (response.status_code, response["Location"]) == (
        302,
        f"/cohorts/{cohort.pk}/enrolments/",
    )
    request_from_lisbon.refresh_from_db()
    assert (request_from_lisbon.status, request_from_lisbon.decided_by) == (
        status,
        group_facilitator,
    )
    pk = request_from_lisbon.pk
    assert list(OutboundEmail.objects.order_by("pk").values_list("key", "to")) == [
        (f"enrolment:{pk}:requested:{lead.pk}", lead.email),
        (f"enrolment:{pk}:requested:{group_facilitator.pk}", group_facilitator.email),
        (f"enrolment:{pk}:{status}", "ana@lisboa.pt"),
    ]


def test_enrolment_decision_page_refuses_get(client, cohort, lead, request_from_lisbon):
    sign_in(client, lead)

    response = client.get(f"/cohorts/{cohort.pk}/enrolments/{request_from_lisbon.pk}/accept/")

    assert response.status_code == 405


@pytest.mark.parametrize("who", ["officer_who_asked", "officer_elsewhere", "other_facilitator"])
def test_enrolment_decision_page_is_404_for_people_who_do_not_facilitate(
    client, cohort, lead, group_facilitator, lisbon_officer, request_from_lisbon, who
):
    user = {
        "officer_who_asked": lisbon_officer,
        "officer_elsewhere": factories.city_officer(),
        "other_facilitator": factories.UserFactory(is_facilitator=True),
    }[who]
    sign_in(client, user)

    response = client.post(f"/cohorts/{cohort.pk}/enrolments/{request_from_lisbon.pk}/accept/")

    assert response.status_code == 404
    request_from_lisbon.refresh_from_db()
    assert request_from_lisbon.status == "requested"
    # Only the emails of the request itself, to the lead and the Energy group's facilitator.
    assert list(OutboundEmail.objects.order_by("pk").values_list("key", flat=True)) == [
        f"enrolment:{request_from_lisbon.pk}:requested:{lead.pk}",
        f"enrolment:{request_from_lisbon.pk}:requested:{group_facilitator.pk}",
    ]


def test_enrolment_list_direct_enrolment_and_its_duplicate(
    client, cohort, lead, lisbon, request_from_lisbon
):
    espoo = factories.CityFactory(name="Espoo")
    mobility = group(cohort, "sustainable-mobility")
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/enrolments/"

    response = client.post(url, {"city": str(espoo.pk), "groups": [str(mobility.pk)]})

    assert (response.status_code, response["Location"]) == (302, url)
    assert Enrolment.objects.get(city=espoo).status == "accepted"

    response = client.post(url, {"city": str(lisbon.pk), "groups": [str(mobility.pk)]})

    assert field_errors(response.content.decode(), "city") == [
        "Lisbon has already asked to join Online Discussion Groups cohort 1."
    ]


def test_enrolment_list_queries_do_not_grow_with_enrolments(
    client, cohort, lead, group_facilitator
):
    sign_in(client, lead)
    energy, mobility = group(cohort, "energy"), group(cohort, "sustainable-mobility")

    def add(count):
        # Requests, and decisions by two different people, each city in two groups: every
        # column of the table (city, country, groups, who asked, who decided) has rows to read.
        for number in range(count):
            officer = factories.city_officer()
            enrolment = services.enrolment_request(
                cohort=cohort,
                city=officer.cities.get(),
                acting_user=officer,
                groups=[(energy, "needs"), (mobility, "")],
                today=TODAY,
            )
            if number % 3 == 1:
                services.enrolment_accept(enrolment=enrolment, acting_user=lead)
            elif number % 3 == 2:
                services.enrolment_decline(enrolment=enrolment, acting_user=group_facilitator)

    def rows():
        html = client.get(f"/cohorts/{cohort.pk}/enrolments/").content.decode()
        return table_rows(html, "enrolments")

    add(1)
    one = _page_queries(client, f"/cohorts/{cohort.pk}/enrolments/")
    assert len(rows()) == 1
    add(12)
    many = _page_queries(client, f"/cohorts/{cohort.pk}/enrolments/")

    statuses = [
        next(status for status in ("Requested", "Enrolled", "Declined") if f" {status} " in row)
        for row in rows()
    ]
    # Requests first, then the accepted, then the declined.
    assert statuses == ["Requested"] * 5 + ["Enrolled"] * 4 + ["Declined"] * 4
    assert many == one


# --- searching instead of listing: facilitators and cities ---------------------------------


def _options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the <select name="<name>">."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {name} select in the page"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1)
        )
    ]


def _page(client, url) -> tuple[str, int]:
    """The page's HTML (its CSRF tokens, new on each request, blanked) and its query count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html, len(queries)


def test_cohort_create_page_lists_no_facilitators_however_many_there_are(client, lead, sectors):
    sign_in(client, lead)
    factories.UserFactory(is_facilitator=True, full_name="Fay One")
    one_html, one_queries = _page(client, "/cohorts/new/")
    factories.UserFactory.create_batch(60, is_facilitator=True, full_name="Many Facilitators")

    html, queries = _page(client, "/cohorts/new/")

    # Same page, same queries: the facilitators are searched for, not listed.
    assert (html, queries) == (one_html, one_queries)
    assert "Fay One" not in html
    assert [_options(html, f"facilitators_{sector.pk}") for sector in sectors.values()] == [
        [],
        [],
        [],
    ]
    assert html.count('data-search-url="/accounts/facilitators/search/"') == 3


def test_cohort_update_page_shows_each_groups_chosen_facilitators_only(
    client, cohort, lead, sectors, group_facilitator
):
    sign_in(client, lead)

    html = client.get(f"/cohorts/{cohort.pk}/edit/").content.decode()

    assert _options(html, f"facilitators_{sectors['energy'].pk}") == [
        (str(group_facilitator.pk), "Gus Group", True)
    ]
    assert _options(html, f"facilitators_{sectors['mobility'].pk}") == []
    assert "Lea Lead" not in html.split('<form method="post"', 1)[1]


def test_cohort_create_page_refuses_someone_who_is_not_a_facilitator_at_the_group(
    client, lead, sectors, group_facilitator, lisbon_officer
):
    sign_in(client, lead)
    energy = sectors["energy"].pk

    response = client.post(
        "/cohorts/new/",
        _cohort_form(
            groups=[str(energy)],
            **{f"facilitators_{energy}": [str(group_facilitator.pk), str(lisbon_officer.pk)]},
        ),
    )

    html = response.content.decode()
    assert field_errors(html, f"facilitators_{energy}") == [
        f"Select a valid choice. {lisbon_officer.pk} is not one of the available choices."
    ]
    # What was typed stays: the valid facilitator is still chosen.
    assert _options(html, f"facilitators_{energy}") == [
        (str(group_facilitator.pk), "Gus Group", True)
    ]
    assert Cohort.objects.count() == 0


def test_enrolment_list_direct_enrolment_searches_cities_instead_of_listing_them(
    client, cohort, lead
):
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/enrolments/"
    factories.CityFactory(name="Espoo")
    one_html, one_queries = _page(client, url)
    factories.CityFactory.create_batch(80)

    html, queries = _page(client, url)

    assert (html, queries) == (one_html, one_queries)
    assert "Espoo" not in html
    assert _options(html, "city") == [("", "---------", True)]
    assert 'data-search-url="/cities/search/"' in html
    assert '<script src="/static/js/search-select/main.js" type="module"></script>' in html


def test_enrolment_list_direct_enrolment_refused_keeps_the_chosen_city(
    client, cohort, lead, lisbon, request_from_lisbon
):
    sign_in(client, lead)
    mobility = group(cohort, "sustainable-mobility")

    response = client.post(
        f"/cohorts/{cohort.pk}/enrolments/", {"city": str(lisbon.pk), "groups": [str(mobility.pk)]}
    )

    assert _options(response.content.decode(), "city") == [
        ("", "---------", False),
        (str(lisbon.pk), "Lisbon (PT)", True),
    ]


def test_enrolment_request_page_keeps_a_plain_select_of_the_officers_cities(
    client, cohort, lisbon, lisbon_officer
):
    porto = factories.CityFactory(name="Porto", country=lisbon.country)
    factories.CityMembershipFactory(city=porto, user=lisbon_officer)
    factories.CityFactory(name="Espoo")
    sign_in(client, lisbon_officer)

    html = client.get(f"/cohorts/{cohort.pk}/enrol/").content.decode()

    assert _options(html, "city") == [
        ("", "---------", True),
        (str(lisbon.pk), "Lisbon (PT)", False),
        (str(porto.pk), "Porto (PT)", False),
    ]
    assert "data-search-select" not in html


# --- who may act: the services check, the pages answer 403 or 404 as before -------------------


def test_cohort_create_page_records_who_created_the_cohort(client, lead):
    sign_in(client, lead)

    response = client.post("/cohorts/new/", _cohort_form())

    cohort = Cohort.objects.get()
    assert (response.status_code, cohort.created_by, cohort.updated_by) == (302, lead, lead)


def test_cohort_create_page_refuses_a_reviewer_also_with_a_form_that_is_not_valid(client, db):
    sign_in(client, factories.UserFactory(is_reviewer=True))

    assert client.post("/cohorts/new/", _cohort_form()).status_code == 403
    assert client.post("/cohorts/new/", _cohort_form(number="")).status_code == 403
    assert Cohort.objects.count() == 0


def test_cohort_update_page_records_who_changed_the_cohort(client, cohort, lead, programme_admin):
    sign_in(client, programme_admin)

    response = client.post(
        f"/cohorts/{cohort.pk}/edit/",
        _cohort_form(number="1", name="ODG cohort 1", starts_on="2024-09-01", ends_on="2025-02-28"),
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.created_by, cohort.updated_by) == (
        "ODG cohort 1",
        lead,
        programme_admin,
    )


@pytest.mark.parametrize(("who", "status"), [("group_facilitator", 403), ("other", 404)])
def test_cohort_update_page_sent_by_someone_who_may_not_is_refused_and_changes_nothing(
    client, cohort, lead, group_facilitator, who, status
):
    user = {
        "group_facilitator": group_facilitator,
        "other": factories.UserFactory(is_facilitator=True),
    }[who]
    sign_in(client, user)
    url = f"/cohorts/{cohort.pk}/edit/"

    valid = _cohort_form(number="1", starts_on="2024-09-01", ends_on="2025-02-28")
    assert client.post(url, valid).status_code == status
    assert client.post(url, _cohort_form(number="")).status_code == status

    cohort.refresh_from_db()
    assert (cohort.name, cohort.updated_by) == ("Online Discussion Groups cohort 1", lead)


def test_enrolment_request_page_is_403_to_a_facilitator_and_404_outside_their_cohorts(
    client, cohort, lead, lisbon
):
    url = f"/cohorts/{cohort.pk}/enrol/"
    energy = group(cohort, "energy")
    sign_in(client, lead)

    sent = {"city": str(lisbon.pk), "groups": [str(energy.pk)]}
    assert (client.get(url).status_code, client.post(url, sent).status_code) == (403, 403)
    sign_in(client, factories.UserFactory(is_facilitator=True))
    assert client.get(url).status_code == 404
    assert Enrolment.objects.count() == 0


@pytest.mark.parametrize(("decision", "status"), [("accept", "accepted"), ("decline", "declined")])
def test_enrolment_decision_page_programme_admin_decides_a_cohort_they_do_not_facilitate(
    client, cohort, programme_admin, request_from_lisbon, decision, status
):
    sign_in(client, programme_admin)

    response = client.post(f"/cohorts/{cohort.pk}/enrolments/{request_from_lisbon.pk}/{decision}/")

    assert response.status_code == 302
    request_from_lisbon.refresh_from_db()
    assert (request_from_lisbon.status, request_from_lisbon.decided_by) == (
        status,
        programme_admin,
    )


def test_enrolment_decision_page_is_404_for_an_enrolment_of_another_cohort(
    client, cohort, lead, request_from_lisbon
):
    other = factories.CohortFactory(number=8)
    other.facilitators.add(lead)
    sign_in(client, lead)

    response = client.post(f"/cohorts/{other.pk}/enrolments/{request_from_lisbon.pk}/accept/")

    assert response.status_code == 404
    request_from_lisbon.refresh_from_db()
    assert request_from_lisbon.status == "requested"
