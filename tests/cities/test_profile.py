"""The city profile /cities/<id>/: public facts, officers for the right people, cohorts,
sessions and climate actions."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cities import services
from sessions.models import Registration, SessionPresentation
from tests import factories
from tests.portal_pages.helpers import sign_in


def text_of(response) -> str:
    """The page's text with tags removed and spaces collapsed, for exact phrases."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def guimaraes(places):
    city = places["Guimaraes"]
    factories.city_officer(city=city, email="ana@guimaraes.example.org", full_name="Ana Costa")
    factories.city_officer(city=city, email="rui@guimaraes.example.org", full_name="Rui Lopes")
    return city


def test_profile_shows_the_public_facts(client, reviewer, guimaraes):
    sign_in(client, reviewer)

    response = client.get(f"/cities/{guimaraes.pk}/")

    assert response.status_code == 200
    text = text_of(response)
    assert "<h1>Guimaraes</h1>" in response.content.decode()
    assert "Country Portugal" in text
    assert "Population 156,000" in text
    assert "Types Mission City" in text
    assert "Climate City Contract Mission Label awarded" in text
    assert "Thematic interests Energy, Sustainable mobility" in text


def test_profile_of_a_city_that_is_not_a_mission_city_has_no_contract_line(
    client, reviewer, places
):
    sign_in(client, reviewer)

    response = client.get(f"/cities/{places['Valencia'].pk}/")

    text = text_of(response)
    assert "Types Mission-minded city Twin City" in text
    assert "Climate City Contract" not in text
    assert "Add a climate action" not in text


@pytest.mark.parametrize("role", ["own_officer", "facilitator", "programme_admin"])
def test_profile_shows_officers_to_own_officers_and_staff(client, guimaraes, role):
    if role == "own_officer":
        user = guimaraes.memberships.get(user__full_name="Ana Costa").user
    else:
        user = factories.UserFactory(**{f"is_{role}": True})
    sign_in(client, user)

    response = client.get(f"/cities/{guimaraes.pk}/")

    assert response.context["officers"] is not None
    assert [m.user.email for m in response.context["officers"]] == [
        "ana@guimaraes.example.org",
        "rui@guimaraes.example.org",
    ]
    html = response.content.decode()
    assert '<h2 id="officers-heading">City officers</h2>' in html
    assert '<a href="mailto:rui@guimaraes.example.org">rui@guimaraes.example.org</a>' in html


@pytest.mark.parametrize("role", ["other_city_officer", "reviewer"])
def test_profile_hides_officers_from_other_people(client, guimaraes, places, role):
    if role == "other_city_officer":
        user = factories.city_officer(city=places["Lisbon"])
    else:
        user = factories.UserFactory(is_reviewer=True)
    sign_in(client, user)

    response = client.get(f"/cities/{guimaraes.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["officers"] is None
    assert "City officers" not in html
    assert "Ana Costa" not in html
    assert "guimaraes.example.org" not in html


def test_profile_lists_accepted_cohorts_only(client, reviewer, cohort, places):
    sign_in(client, reviewer)

    lisbon = text_of(client.get(f"/cities/{places['Lisbon'].pk}/"))
    valencia = text_of(client.get(f"/cities/{places['Valencia'].pk}/"))

    assert "Online Discussion Groups cohort 1 , 1 September 2024 to 28 February 2025" in lisbon
    assert "Online Discussion Groups cohort 1" not in valencia
    assert "This city has not taken part in a cohort yet." in valencia


def test_profile_lists_sessions_presented_in_and_registered_for(client, reviewer, cohort, places):
    guimaraes, lisbon = places["Guimaraes"], places["Lisbon"]
    start = timezone.make_aware(datetime.datetime(2024, 11, 5, 10, 0))
    energy = factories.SessionFactory(cohort=cohort, title="Energy communities", starts_at=start)
    mobility = factories.SessionFactory(
        cohort=cohort,
        title="Low-emission zones",
        starts_at=start + datetime.timedelta(days=7),
    )
    factories.SessionFactory(cohort=cohort, title="Circular procurement")
    # Rows written directly: the session services belong to another part of the issue.
    SessionPresentation.objects.create(session=energy, city=guimaraes)
    Registration.objects.create(
        session=energy, city=guimaraes, full_name="Ana Costa", email="ana@example.org"
    )
    Registration.objects.create(
        session=mobility, city=guimaraes, full_name="Ana Costa", email="ana@example.org"
    )
    Registration.objects.create(
        session=mobility, city=lisbon, full_name="Rita Sá", email="rita@example.org"
    )
    sign_in(client, reviewer)

    response = client.get(f"/cities/{guimaraes.pk}/")

    sessions = [(s.title, s.presented, s.registered) for s in response.context["sessions"]]
    assert sessions == [
        ("Energy communities", True, True),
        ("Low-emission zones", False, True),
    ]
    text = text_of(response)
    assert "Energy communities 5 November 2024 Online Discussion Groups cohort 1 Presented" in text
    assert (
        "Low-emission zones 12 November 2024 Online Discussion Groups cohort 1 Registered" in text
    )
    assert "Circular procurement" not in text


def test_profile_shows_climate_actions_with_levers_and_recommendations(
    client, reviewer, solar_roofs
):
    sign_in(client, reviewer)

    response = client.get(f"/cities/{solar_roofs.city_id}/")

    text = text_of(response)
    assert f'<article class="card" id="action-{solar_roofs.pk}"' in response.content.decode()
    assert "Solar roofs on schools Buildings (Built Environment) Being implemented" in text
    assert "Context Old schools with flat roofs." in text
    assert "Internal governance and regulatory framework Council mandate Slow permits" in text
    assert "Funding and financing EU grant" in text
    assert (
        "Recommendations for cities that want to replicate it Map the roofs first "
        "Involve the pupils" in text
    )
    # A reviewer reads the action but may not write it.
    assert "Edit “Solar roofs on schools”" not in text
    assert "Add a climate action" not in text


def test_profile_offers_writing_actions_to_the_city_officer(client, mission_officer, solar_roofs):
    sign_in(client, mission_officer)

    response = client.get(f"/cities/{solar_roofs.city_id}/")

    html = response.content.decode()
    assert f'href="/cities/{solar_roofs.city_id}/actions/new/">Add a climate action' in html
    assert f'<a href="/cities/actions/{solar_roofs.pk}/edit/">Edit “Solar roofs on schools”' in html


def test_profile_escapes_html_typed_into_an_action(
    client, reviewer, author, mission_city, buildings
):
    services.climate_action_create(
        acting_user=author,
        city=mission_city,
        title="<script>alert('x')</script>",
        sector=buildings,
        description="<b>bold</b>\nsecond line",
        recommendations=["<img src=x onerror=alert(1)>"],
    )
    sign_in(client, reviewer)

    html = client.get(f"/cities/{mission_city.pk}/").content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;<br>second line" in html
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li>" in html


def test_profile_of_unknown_city_is_404(client, reviewer):
    sign_in(client, reviewer)

    assert client.get("/cities/999999/").status_code == 404


def test_profile_needs_sign_in(client, places):
    url = f"/cities/{places['Lisbon'].pk}/"

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def _add_profile_rows(city, count, factors, sector, start):
    """Add `count` of everything the profile lists for `city`: officers, cohorts it took part
    in, sessions it presented in or registered for, climate actions with two levers each."""
    author = factories.UserFactory(is_facilitator=True)
    for number in range(count):
        factories.city_officer(city=city)
        cohort = factories.CohortFactory()
        cohort.enrolments.create(city=city, status="accepted")
        session = factories.SessionFactory(
            cohort=cohort, starts_at=start + datetime.timedelta(days=number)
        )
        if number % 2:
            SessionPresentation.objects.create(session=session, city=city)
        else:
            Registration.objects.create(
                session=session, city=city, full_name="Ana", email=f"{number}@example.org"
            )
        services.climate_action_create(
            acting_user=author,
            city=city,
            title=f"{start:%Y%m%d} action {number}",
            sector=sector,
            levers=[services.LeverInput(factor=factor) for factor in factors[:2]],
        )


def _profile_queries(client, city) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cities/{city.pk}/")
    assert response.status_code == 200
    shown = {
        "officers": len(response.context["officers"]),
        "cohorts": len(response.context["enrolments"]),
        "sessions": len(response.context["sessions"]),
        "climate_actions": len(response.context["climate_actions"]),
        "edit_links": response.content.decode().count('href="/cities/actions/'),
    }
    return len(queries), shown


def test_profile_queries_do_not_grow_with_the_rows(
    client, mission_city, mission_officer, factors, buildings
):
    # The city's own officer sees every section, officers and edit links included.
    sign_in(client, mission_officer)
    start = timezone.make_aware(datetime.datetime(2024, 11, 5, 10, 0))
    _add_profile_rows(mission_city, 1, factors, buildings, start)
    one, shown_one = _profile_queries(client, mission_city)

    _add_profile_rows(mission_city, 12, factors, buildings, start + datetime.timedelta(days=30))
    many, shown_many = _profile_queries(client, mission_city)

    assert shown_one == {
        "officers": 2, "cohorts": 1, "sessions": 1, "climate_actions": 1, "edit_links": 1
    }  # fmt: skip
    assert shown_many == {
        "officers": 14, "cohorts": 13, "sessions": 13, "climate_actions": 13, "edit_links": 13
    }  # fmt: skip
    assert many == one


# --- Cohort names link to the pages the person may open ----------------------------------------


def _cohort_links(client, user, city) -> dict[str, bool]:
    """Each cohort named in the profile's "Cohorts" part, and whether it is a link."""
    sign_in(client, user)
    html = client.get(f"/cities/{city.pk}/").content.decode()
    part = html.split('data-section="cohorts"')[1].split("</section>")[0]
    linked = re.findall(r'<a class="item-title" href="/cohorts/\d+/">([^<]+)</a>', part)
    named = re.findall(r'<span class="item-title">([^<]+)</span>', part)
    return {**dict.fromkeys(named, False), **dict.fromkeys(linked, True)}


def test_profile_links_a_cohort_only_for_those_who_may_open_its_page(client, places):
    from cohorts import services as cohort_services

    city = places["Guimaraes"]
    admin = factories.UserFactory(is_programme_admin=True)
    first, second = factories.CohortFactory(), factories.CohortFactory()
    lead = factories.UserFactory(is_facilitator=True)
    first.facilitators.add(lead)
    for cohort in (first, second):
        cohort_services.enrolment_create_direct(
            cohort=cohort,
            city=city,
            acting_user=admin,
            groups=[(factories.ThematicGroupFactory(cohort=cohort), "")],
        )
    officer = factories.city_officer(city=city)
    stranger = factories.city_officer(city=places["Valencia"])

    both = {first.name: True, second.name: True}
    assert _cohort_links(client, officer, city) == both
    assert _cohort_links(client, admin, city) == both
    assert _cohort_links(client, lead, city) == {first.name: True, second.name: False}
    assert _cohort_links(client, stranger, city) == {first.name: False, second.name: False}

    # Valencia joins the second cohort: on the next request its officer may open that page, and
    # the part kept for them before says so (the people's facts are part of its key).
    cohort_services.enrolment_create_direct(
        cohort=second,
        city=places["Valencia"],
        acting_user=admin,
        groups=[(second.thematic_groups.get(), "")],
    )
    assert _cohort_links(client, stranger, city) == {first.name: False, second.name: True}


def _session_links(client, user, city) -> dict[str, bool]:
    """Each session named in the profile's "Sessions" part, and whether it is a link."""
    sign_in(client, user)
    html = client.get(f"/cities/{city.pk}/").content.decode()
    part = html.split('data-section="sessions"')[1].split("</section>")[0]
    linked = re.findall(r'<th scope="row"><a href="/sessions/\d+/">([^<]+)</a></th>', part)
    named = re.findall(r'<th scope="row">([^<]+)</th>', part)
    return {**dict.fromkeys(named, False), **dict.fromkeys(linked, True)}


def test_profile_links_a_session_only_for_those_who_may_open_its_page(
    client, reviewer, cohort, places
):
    # The profile is open to everyone signed in; a session's page only to its cohort's people.
    # Found by walking the demo as its reviewer: every session title on a city's profile was a
    # link to a page that answered 404.
    city = places["Guimaraes"]
    session = factories.SessionFactory(cohort=cohort, title="Energy communities")
    SessionPresentation.objects.create(session=session, city=city)
    admin = factories.UserFactory(is_programme_admin=True)
    lead = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(lead)
    stranger = factories.city_officer(city=places["Valencia"])

    assert _session_links(client, reviewer, city) == {"Energy communities": False}
    assert _session_links(client, stranger, city) == {"Energy communities": False}
    assert _session_links(client, lead, city) == {"Energy communities": True}
    assert _session_links(client, admin, city) == {"Energy communities": True}
    assert client.get(f"/sessions/{session.pk}/").status_code == 200
    sign_in(client, reviewer)
    assert client.get(f"/sessions/{session.pk}/").status_code == 404
