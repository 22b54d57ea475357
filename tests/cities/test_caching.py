"""The cached parts of the cities pages and API lists (cities/scopes.py): a change through a
service, the Django admin or a model save shows on the next request, and two people asking the
same URL one after the other each get their own page."""

import datetime
import re

import django_filters
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts import services as account_services
from cities import services
from cities.filters import CITY_OWN_FILTERS, CityFilter, city_filter_add
from cities.models import Country
from cities.scopes import DIRECTORY as DIRECTORY_SCOPE
from cohorts import services as services_of_cohorts
from cohorts.models import Enrolment
from cohorts.versions import CITIES
from portal.fragments import versions
from sessions import services as session_services
from sessions.models import Registration
from taxonomy.models import EnablingFactor
from tests import factories
from tests.cities.conftest import directory_names
from tests.cities.test_profile import text_of
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries

DIRECTORY = "/cities/"


def queries_of(client, url, data=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return len(queries), response


def profile_url(city) -> str:
    return f"/cities/{city.pk}/"


def cohort_options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select name="cohort"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>(.*?)</option>", select)


# The directory.


def test_directory_shows_a_city_renamed_by_a_model_save(client, reviewer, places):
    sign_in(client, reviewer)
    assert directory_names(client.get(DIRECTORY)) == [
        "Guimaraes",
        "Lisbon",
        "Mannheim",
        "Valencia",
    ]

    renamed = places["Lisbon"]
    renamed.name = "Lisboa"
    renamed.save()

    assert directory_names(client.get(DIRECTORY)) == [
        "Guimaraes",
        "Lisboa",
        "Mannheim",
        "Valencia",
    ]


def test_directory_shows_a_city_added_in_the_admin(client, admin_client, reviewer, places):
    sign_in(client, reviewer)
    client.get(DIRECTORY)

    response = admin_client.post(
        reverse("admin:cities_city_add"),
        {
            "name": "Aveiro",
            "country": places["Lisbon"].country_id,
            "population": "80000",
            "contract_status": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert directory_names(client.get(DIRECTORY)) == [
        "Aveiro",
        "Guimaraes",
        "Lisbon",
        "Mannheim",
        "Valencia",
    ]


def test_directory_shows_changed_thematic_interests_countries_and_sectors(client, reviewer, places):
    sign_in(client, reviewer)
    client.get(DIRECTORY, {"thematic_interest": "energy"})
    energy = places["Guimaraes"].thematic_interests.get(slug="energy")

    places["Lisbon"].thematic_interests.add(energy)
    assert directory_names(client.get(DIRECTORY, {"thematic_interest": "energy"})) == [
        "Guimaraes",
        "Lisbon",
        "Mannheim",
    ]
    energy.name = "Clean energy"
    energy.save()
    portugal = places["Lisbon"].country
    portugal.name = "Portuguese Republic"
    portugal.save()

    html = client.get(DIRECTORY).content.decode()
    assert '<td data-label="Thematic interests">Clean energy</td>' in html
    assert '<td data-label="Country">Portuguese Republic</td>' in html
    # The form's lists too.
    assert '<option value="PT">Portuguese Republic</option>' in html
    assert '<option value="energy">Clean energy</option>' in html


def test_directory_two_people_get_their_own_cohort_choices_and_cohort_results(
    client, places, cohort, cohort_lead, reviewer
):
    sign_in(client, cohort_lead)
    lead_page = client.get(DIRECTORY, {"cohort": cohort.pk})
    sign_in(client, reviewer)
    reviewer_page = client.get(DIRECTORY, {"cohort": cohort.pk})

    assert cohort_options(lead_page) == ["Any cohort", cohort.name]
    assert directory_names(lead_page) == ["Guimaraes", "Lisbon"]
    # The reviewer may not see the cohort: refused like an unknown one, and no cities.
    assert cohort_options(reviewer_page) == ["Any cohort"]
    assert directory_names(reviewer_page) == []
    assert reviewer_page.context["filter_form"].errors == {
        "cohort": ["Select a valid choice. That choice is not one of the available choices."]
    }

    sign_in(client, cohort_lead)
    assert cohort_options(client.get(DIRECTORY)) == ["Any cohort", cohort.name]
    sign_in(client, reviewer)
    assert cohort_options(client.get(DIRECTORY)) == ["Any cohort"]


def test_directory_cohort_results_follow_enrolments_without_a_cities_change(
    client, places, cohort, cohort_lead
):
    sign_in(client, cohort_lead)
    client.get(DIRECTORY, {"cohort": cohort.pk})

    # Mannheim's declined request accepted after all (a bulk update: no signal at all).
    Enrolment.objects.filter(cohort=cohort, city=places["Mannheim"]).update(status="accepted")

    # A cohort filter is never cached (cities/views.py): the new enrolment shows at once.
    assert directory_names(client.get(DIRECTORY, {"cohort": cohort.pk})) == [
        "Guimaraes",
        "Lisbon",
        "Mannheim",
    ]


def test_directory_kept_runs_only_the_key_queries(client, cohort_lead, places, cohort):
    sign_in(client, cohort_lead)
    cold, first = queries_of(client, DIRECTORY)

    warm, second = queries_of(client, DIRECTORY)

    assert (
        directory_names(second)
        == directory_names(first)
        == [
            "Guimaraes",
            "Lisbon",
            "Mannheim",
            "Valencia",
        ]
    )
    assert cohort_options(second) == cohort_options(first) == ["Any cohort", cohort.name]
    # Cold: (session,) user, the data versions (the cities' and the cohort choices'), the
    # lead's cohorts (drawn in the form), the count, countries, sectors, the page of cities
    # and their interests.
    assert cold == session_queries() + 8
    # Kept: (session,) user and the data versions: the cohort choices' key needs no query.
    assert warm == session_queries() + 2


# The API lists.


def test_api_cities_shows_a_renamed_city_and_each_persons_cohort_filter(
    client, places, cohort, cohort_lead, reviewer
):
    client.force_login(reviewer)
    names = [row["name"] for row in client.get("/api/v1/cities/").json()["results"]]
    assert names == ["Guimaraes", "Lisbon", "Mannheim", "Valencia"]

    valencia = places["Valencia"]
    valencia.name = "València"
    valencia.save()
    names = [row["name"] for row in client.get("/api/v1/cities/").json()["results"]]
    assert names == ["Guimaraes", "Lisbon", "Mannheim", "València"]

    client.force_login(cohort_lead)
    lead = client.get("/api/v1/cities/", {"cohort": cohort.pk})
    client.force_login(reviewer)
    refused = client.get("/api/v1/cities/", {"cohort": cohort.pk})
    assert [row["name"] for row in lead.json()["results"]] == ["Guimaraes", "Lisbon"]
    assert refused.status_code == 400


def test_api_countries_shows_a_renamed_country(client, reviewer, places):
    client.force_login(reviewer)
    client.get("/api/v1/countries/")
    germany = places["Mannheim"].country
    germany.name = "Federal Republic of Germany"
    germany.save()

    rows = client.get("/api/v1/countries/", {"iso_code": "de"}).json()["results"]
    assert [row["name"] for row in rows] == ["Federal Republic of Germany"]
    rows = client.get("/api/v1/countries/").json()["results"]
    assert "Federal Republic of Germany" in [row["name"] for row in rows]


def test_api_climate_actions_show_an_update_through_the_service_and_the_admin(
    client, admin_client, reviewer, author, solar_roofs, factors
):
    client.force_login(reviewer)
    first = client.get("/api/v1/climate-actions/").json()["results"]
    assert [(row["title"], len(row["levers"])) for row in first] == [("Solar roofs on schools", 2)]

    services.climate_action_update(
        acting_user=author,
        action=solar_roofs,
        title="Solar roofs on every school",
        sector=solar_roofs.sector,
        context="",
        description="",
        implementation_stage="implementing",
        lessons_learned="",
        recommendations=[],
        levers=[services.LeverInput(factor=factors[2])],
    )
    rows = client.get("/api/v1/climate-actions/").json()["results"]
    assert [(row["title"], [lever["factor"] for lever in row["levers"]]) for row in rows] == [
        ("Solar roofs on every school", [factors[2].slug])
    ]

    admin_client.post(
        reverse("admin:cities_climateaction_delete", args=[solar_roofs.pk]), {"post": "yes"}
    )
    assert client.get("/api/v1/climate-actions/").json()["count"] == 0


# The climate action forms.


def test_new_action_form_shows_a_renamed_enabling_factor(client, mission_officer, mission_city):
    sign_in(client, mission_officer)
    client.get(f"/cities/{mission_city.pk}/actions/new/")
    funding = EnablingFactor.objects.get(name="Funding and financing")
    funding.name = "Funding"
    funding.save()

    html = client.get(f"/cities/{mission_city.pk}/actions/new/").content.decode()
    assert "<legend>Funding</legend>" in html
    assert "<legend>Funding and financing</legend>" not in html


def test_edit_form_shows_the_action_as_the_service_last_saved_it(
    client, mission_officer, author, solar_roofs
):
    sign_in(client, mission_officer)
    url = f"/cities/actions/{solar_roofs.pk}/edit/"
    client.get(url)

    services.climate_action_update(
        acting_user=author,
        action=solar_roofs,
        title="Solar roofs on every school",
        sector=solar_roofs.sector,
        context="",
        description="",
        implementation_stage="planned",
        lessons_learned="",
        recommendations=["Ask the pupils"],
        levers=[],
    )

    html = client.get(url).content.decode()
    assert 'name="title" value="Solar roofs on every school"' in html
    assert 'name="recommendation_1" value="Ask the pupils"' in html
    assert "Install PV on 20 school roofs." not in html


def test_action_forms_kept_for_one_person_are_refused_to_another_and_get_each_own_token(
    client, mission_officer, mission_city, solar_roofs
):
    new_url = f"/cities/{mission_city.pk}/actions/new/"
    edit_url = f"/cities/actions/{solar_roofs.pk}/edit/"
    sign_in(client, mission_officer)
    first = client.get(new_url)
    assert client.get(edit_url).status_code == 200

    other = factories.city_officer(city=factories.CityFactory(is_mission_city=True))
    sign_in(client, other)
    assert client.get(new_url).status_code == 403
    assert client.get(edit_url).status_code == 404

    facilitator = factories.UserFactory(is_facilitator=True)
    sign_in(client, facilitator)
    second = client.get(new_url)
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first.content.decode()).group(1) != token.search(
        second.content.decode()
    ).group(1)
    assert token.sub("", first.content.decode()).count("<legend>") == token.sub(
        "", second.content.decode()
    ).count("<legend>")


def test_new_action_form_query_count(client, mission_officer, mission_city):
    sign_in(client, mission_officer)
    url = f"/cities/{mission_city.pk}/actions/new/"

    cold, _ = queries_of(client, url)
    warm, _ = queries_of(client, url)

    # Cold: (session,) user, the city, the membership (may they write), the data versions,
    # the enabling factors, the sectors.
    assert cold == session_queries() + 6
    # Kept: the form is neither built nor drawn.
    assert warm == session_queries() + 4


# The city profile.


def test_profile_shows_an_action_changed_through_the_service_and_new_interests(
    client, reviewer, author, solar_roofs, mission_city, factors
):
    sign_in(client, reviewer)
    client.get(profile_url(mission_city))

    services.climate_action_update(
        acting_user=author,
        action=solar_roofs,
        title="Solar roofs on every school",
        sector=solar_roofs.sector,
        context="",
        description="",
        implementation_stage="implementing",
        lessons_learned="",
        recommendations=[],
        levers=[services.LeverInput(factor=factors[1], key_drivers="Local installers")],
    )
    mission_city.thematic_interests.add(solar_roofs.sector)

    response = client.get(profile_url(mission_city))
    text = text_of(response)
    assert "Solar roofs on every school" in text
    assert "Solar roofs on schools" not in text
    assert f"{factors[1].name} Local installers" in text
    assert f"Thematic interests {solar_roofs.sector.name}" in text


def test_profile_edit_links_only_for_people_who_may_write_the_actions(
    client, mission_officer, reviewer, solar_roofs, mission_city
):
    edit_link = f'href="/cities/actions/{solar_roofs.pk}/edit/"'
    sign_in(client, mission_officer)
    officer_page = client.get(profile_url(mission_city)).content.decode()
    sign_in(client, reviewer)
    reviewer_page = client.get(profile_url(mission_city)).content.decode()
    sign_in(client, mission_officer)
    officer_again = client.get(profile_url(mission_city)).content.decode()

    assert edit_link in officer_page
    assert "Add a climate action" in officer_page
    assert edit_link not in reviewer_page
    assert "Add a climate action" not in reviewer_page
    assert "Solar roofs on schools" in reviewer_page
    assert edit_link in officer_again


def test_profile_query_count_does_not_grow_with_the_actions(
    client, reviewer, author, solar_roofs, mission_city, factors, buildings
):
    sign_in(client, reviewer)
    one_cold, _ = queries_of(client, profile_url(mission_city))
    one_warm, _ = queries_of(client, profile_url(mission_city))
    for number in range(5):
        services.climate_action_create(
            acting_user=author,
            city=mission_city,
            title=f"Action {number}",
            sector=buildings,
            levers=[services.LeverInput(factor=factor) for factor in factors[:3]],
        )

    many_cold, response = queries_of(client, profile_url(mission_city))
    many_warm, _ = queries_of(client, profile_url(mission_city))

    assert text_of(response).count("Levers of change") == 6
    # Cold: (session,) user, the city, is the person an officer of it (one rule for the
    # officers and the actions), the data versions (one query for every part), the cohorts,
    # sessions and Group Study Visits' decisions parts (one query each), the profile's
    # interests, the actions and levers.
    assert one_cold == session_queries() + 10
    # After the new actions: only their part is drawn afresh (the actions and their levers).
    assert many_cold == session_queries() + 6
    # Kept: nothing but the city, the rule and the versions.
    assert one_warm == many_warm == session_queries() + 4


def test_an_added_filter_with_a_choices_key_is_read_only_when_the_form_is_drawn(
    client, reviewer, places
):
    """An app's filter may name what its choices depend on (cities.filters.city_filter_add):
    the kept form is then served without reading them, and a new key draws it afresh."""
    reads = []
    keys = {"current": "1"}

    def regions(request):
        reads.append(request.user.pk)
        return Country.objects.none()

    class RegionFilter(django_filters.ModelChoiceFilter):
        def choices_key(self, request):
            return f"{request.user.pk}:{keys['current']}"

    saved = dict(CityFilter.base_filters)
    # Alone with this one here: the cohorts app's filter reads its own versions.
    for name in saved:
        if name not in CITY_OWN_FILTERS:
            del CityFilter.base_filters[name]
    city_filter_add("region", RegionFilter(queryset=regions, label="Region"))
    try:
        sign_in(client, reviewer)
        client.get(DIRECTORY)
        client.get(DIRECTORY)
        assert reads == [reviewer.pk]
        keys["current"] = "2"
        html = client.get(DIRECTORY).content.decode()
    finally:
        CityFilter.base_filters.clear()
        CityFilter.base_filters.update(saved)

    assert reads == [reviewer.pk, reviewer.pk]
    assert '<label for="id_region">Region:</label>' in html


# The directory's cohort filter: its choices are kept, keyed by the person and the versions.


def test_directory_cohort_choices_follow_a_cohort_facilitated_renamed_and_ended(
    client, admin_client, places, cohort, cohort_lead
):
    sign_in(client, cohort_lead)
    assert cohort_options(client.get(DIRECTORY)) == ["Any cohort", cohort.name]

    # Another cohort the lead now facilitates (a change of its facilitators' list).
    later = factories.CohortFactory(
        number=2,
        name="Online Discussion Groups cohort 2",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2026, 2, 28),
    )
    later.facilitators.add(cohort_lead)
    assert cohort_options(client.get(DIRECTORY)) == [
        "Any cohort",
        "Online Discussion Groups cohort 2",
        cohort.name,
    ]

    # Renamed through the service.
    services_of_cohorts.cohort_update(
        cohort=later,
        acting_user=factories.UserFactory(is_programme_admin=True),
        programme=later.programme,
        number=later.number,
        name="Second cohort",
        starts_on=later.starts_on,
        ends_on=later.ends_on,
    )
    assert cohort_options(client.get(DIRECTORY)) == ["Any cohort", "Second cohort", cohort.name]

    # Deleted in the Django admin.
    response = admin_client.post(
        reverse("admin:cohorts_cohort_delete", args=[later.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert cohort_options(client.get(DIRECTORY)) == ["Any cohort", cohort.name]


def test_directory_cohort_choices_follow_an_officers_city_and_the_day(client, places, cohort):
    # Cohort 1 runs to 28 February 2025: until then an officer may still ask to join it.
    # (Brussels time; two hours apart, so no kept part is older than its timeout.)
    person = factories.UserFactory(full_name="Olga Officer")
    with time_machine.travel(datetime.datetime(2025, 2, 28, 21, 30, tzinfo=datetime.UTC)):
        sign_in(client, person)
        assert cohort_options(client.get(DIRECTORY)) == ["Any cohort"]
        # An officer of a city that never asked to join it (a membership saved, as the admin
        # does).
        aveiro = factories.CityFactory(name="Aveiro", country=places["Lisbon"].country)
        factories.CityMembershipFactory(user=person, city=aveiro)
        assert cohort_options(client.get(DIRECTORY)) == ["Any cohort", cohort.name]
    with time_machine.travel(datetime.datetime(2025, 2, 28, 23, 30, tzinfo=datetime.UTC)):
        # The day after it ended, nothing else changed.
        assert cohort_options(client.get(DIRECTORY)) == ["Any cohort"]
        # An officer of a city in it, too: its cohorts stay theirs.
        factories.CityMembershipFactory(user=person, city=places["Lisbon"])
        assert cohort_options(client.get(DIRECTORY)) == ["Any cohort", cohort.name]


def test_directory_cohort_choices_two_people_then_an_admin(client, places, cohort, cohort_lead):
    other = factories.CohortFactory(number=7, name="Cohort seven")
    reviewer = factories.UserFactory(is_reviewer=True)
    admin = factories.UserFactory(is_programme_admin=True)

    pages = {}
    for name, person in [
        ("lead", cohort_lead),
        ("reviewer", reviewer),
        ("admin", admin),
        ("lead again", cohort_lead),
    ]:
        sign_in(client, person)
        pages[name] = cohort_options(client.get(DIRECTORY))

    assert pages == {
        "lead": ["Any cohort", cohort.name],
        "reviewer": ["Any cohort"],
        "admin": ["Any cohort", cohort.name, other.name],
        "lead again": ["Any cohort", cohort.name],
    }


def test_cohort_pages_city_scope_is_the_directory_raised_by_a_new_officer(db, places):
    """The cohort pages' `cities:rows` scope merged into the cities' own (cities/scopes.py):
    who is an officer of which city still raises it."""
    before = versions(CITIES)

    factories.city_officer(city=places["Lisbon"])

    assert CITIES == DIRECTORY_SCOPE
    assert versions(CITIES) != before


# The city profile's officers, cohorts and sessions.


def section_items(response, section: str, item: str) -> list[str]:
    """The text of each `item` (a regular expression) in a profile section, tags removed."""
    html = response.content.decode()
    match = re.search(rf'data-section="{section}".*?</section>', html, re.S)
    if match is None:
        return []
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found)).strip()
        for found in re.findall(item, match.group(0), re.S)
    ]


def sessions_rows(response) -> list[str]:
    return section_items(response, "sessions", r'<tr>\s*(<th scope="row">.*?)</tr>')


def cohort_lines(response) -> list[str]:
    return section_items(response, "cohorts", r"<li>(.*?)</li>")


def officer_lines(response) -> list[str]:
    return section_items(response, "officers", r"<li>(.*?)</li>")


def test_profile_cohorts_follow_an_accepted_request_and_a_renamed_cohort(
    client, reviewer, places, cohort, cohort_lead
):
    valencia = places["Valencia"]
    sign_in(client, reviewer)
    assert cohort_lines(client.get(profile_url(valencia))) == []

    services_of_cohorts.enrolment_accept(
        enrolment=Enrolment.objects.get(cohort=cohort, city=valencia), acting_user=cohort_lead
    )
    assert cohort_lines(client.get(profile_url(valencia))) == [
        "Online Discussion Groups cohort 1 , 1 September 2024 to 28 February 2025"
    ]

    cohort.name = "The first cohort"
    cohort.save()
    assert cohort_lines(client.get(profile_url(valencia))) == [
        "The first cohort , 1 September 2024 to 28 February 2025"
    ]


def test_profile_sessions_follow_a_registration_and_a_renamed_session(
    client, reviewer, places, cohort
):
    guimaraes = places["Guimaraes"]
    officer = factories.city_officer(city=guimaraes)
    start = timezone.now() + datetime.timedelta(days=7)
    session = factories.SessionFactory(cohort=cohort, title="Energy communities", starts_at=start)
    day = date_format(timezone.localtime(start), "DATE_FORMAT")
    sign_in(client, reviewer)
    assert sessions_rows(client.get(profile_url(guimaraes))) == []

    session_services.registration_create(
        session=session,
        city=guimaraes,
        full_name="Ana Costa",
        email="ana@example.org",
        acting_user=officer,
    )
    assert sessions_rows(client.get(profile_url(guimaraes))) == [
        f"Energy communities {day} Online Discussion Groups cohort 1 Registered"
    ]

    session.title = "Energy communities, part 1"
    session.save()
    cohort.name = "Cohort one"
    cohort.save()
    assert sessions_rows(client.get(profile_url(guimaraes))) == [
        f"Energy communities, part 1 {day} Cohort one Registered"
    ]


def test_profile_officers_follow_a_new_officer_and_a_changed_name(client, places):
    guimaraes = places["Guimaraes"]
    ana = factories.city_officer(
        city=guimaraes, full_name="Ana Costa", email="ana@guimaraes.example.org"
    )
    sign_in(client, ana)
    assert officer_lines(client.get(profile_url(guimaraes))) == [
        "Ana Costa · ana@guimaraes.example.org"
    ]

    account_services.user_profile_update(
        user=ana,
        full_name="Ana Maria Costa",
        language="en",
        time_zone="Europe/Lisbon",
        acting_user=ana,
    )
    assert officer_lines(client.get(profile_url(guimaraes))) == [
        "Ana Maria Costa · ana@guimaraes.example.org"
    ]

    rui = factories.UserFactory(full_name="Rui Lopes", email="rui@guimaraes.example.org")
    factories.CityMembershipFactory(user=rui, city=guimaraes)
    assert officer_lines(client.get(profile_url(guimaraes))) == [
        "Ana Maria Costa · ana@guimaraes.example.org",
        "Rui Lopes · rui@guimaraes.example.org",
    ]

    rui.delete()
    assert officer_lines(client.get(profile_url(guimaraes))) == [
        "Ana Maria Costa · ana@guimaraes.example.org"
    ]


def test_profile_two_people_each_see_their_own_officers_part_and_links(
    client, mission_officer, mission_city, solar_roofs
):
    other = factories.city_officer(full_name="Luis Lisboa")
    edit_link = f'href="/cities/actions/{solar_roofs.pk}/edit/"'

    seen = []
    for person in [mission_officer, other, mission_officer]:
        sign_in(client, person)
        response = client.get(profile_url(mission_city))
        seen.append((officer_lines(response), edit_link in response.content.decode()))

    assert seen == [
        (["Ana Costa · ana@guimaraes.example.org"], True),
        ([], False),
        (["Ana Costa · ana@guimaraes.example.org"], True),
    ]


def test_profile_sessions_are_written_in_each_readers_time_zone(client, reviewer, places, cohort):
    guimaraes = places["Guimaraes"]
    # 23:30 UTC on 5 November: the 6th in Brussels, still the 5th in the Azores.
    start = datetime.datetime(2024, 11, 5, 23, 30, tzinfo=datetime.UTC)
    session = factories.SessionFactory(cohort=cohort, title="Energy communities", starts_at=start)
    Registration.objects.create(
        session=session, city=guimaraes, full_name="Ana Costa", email="ana@example.org"
    )
    sign_in(client, reviewer)

    brussels = sessions_rows(client.get(profile_url(guimaraes)))
    with timezone.override("Atlantic/Azores"):
        azores = sessions_rows(client.get(profile_url(guimaraes)))

    row = "Energy communities {day} November 2024 Online Discussion Groups cohort 1 Registered"
    assert brussels == [row.format(day=6)]
    assert azores == [row.format(day=5)]


# The city search.


def search(client, query):
    response = client.get("/cities/search/", {"q": query})
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


def test_search_shows_a_renamed_city_and_one_added_in_the_admin(
    client, admin_client, reviewer, places
):
    sign_in(client, reviewer)
    assert search(client, "lis") == ["Lisbon (PT)"]

    lisbon = places["Lisbon"]
    lisbon.name = "Lisboa"
    lisbon.save()
    response = admin_client.post(
        reverse("admin:cities_city_add"),
        {
            "name": "Lisburn",
            "country": places["Mannheim"].country_id,
            "population": "",
            "contract_status": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert search(client, "lis") == ["Lisboa (PT)", "Lisburn (DE)"]


def test_search_kept_answers_every_person_alike_with_the_key_queries_only(
    client, reviewer, officer, places
):
    sign_in(client, reviewer)
    cold, first = queries_of(client, "/cities/search/", {"q": "ma"})
    sign_in(client, officer)
    warm, second = queries_of(client, "/cities/search/", {"q": "ma"})

    assert first.json() == second.json()
    assert [row["label"] for row in second.json()["results"]] == [
        "Mannheim (DE)",
        "Guimaraes (PT)",
    ]
    # Cold: (session,) user, the data version, the matches.
    assert cold == session_queries() + 3
    # Kept: (session,) user and the data version.
    assert warm == session_queries() + 2
