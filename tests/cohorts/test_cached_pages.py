"""The cached cohort pages and lists (cohorts/versions.py, home/page_versions.py): a change of
what a page shows, made through a service or saved as a model (the Django admin's path), shows
on the next GET; and two people GETting the same URL one after the other each see their own
page, not the first one's cached markup."""

import datetime
import json
import re

import pytest
import time_machine
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort
from portal.fragments import versions
from roadmaps.models import Roadmap, RoadmapValue
from sessions import services as session_services
from sessions.models import Registration
from tests import factories
from tests.cohorts.helpers import group, table_rows, text
from tests.portal_pages.helpers import sign_in

NOW = datetime.datetime(2024, 10, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _enrol(cohort, city, lead, *sectors):
    return services.enrolment_create_direct(
        cohort=cohort,
        city=city,
        acting_user=lead,
        groups=[(group(cohort, sector), "") for sector in sectors],
    )


# --- the cohort page ---------------------------------------------------------------------------


def test_cohort_page_shows_enrolments_and_renamed_cities_and_sectors_on_the_next_get(
    client, cohort, lead, lisbon
):
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/"
    assert "No city is enrolled yet." in _html(client, url)

    _enrol(cohort, lisbon, lead, "energy")
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 0 0 Not started"]

    lisbon.name = "Lisboa"
    lisbon.save()
    energy = group(cohort, "energy").sector
    energy.name = "Energy systems"
    energy.save()
    assert table_rows(_html(client, url), "cities") == [
        "Lisboa (PT) Energy systems 0 0 Not started"
    ]


def test_cohort_page_counts_registrations_attendance_and_roadmap_status_on_the_next_get(
    client, cohort, lead, lisbon
):
    _enrol(cohort, lisbon, lead, "energy")
    session = factories.SessionFactory(cohort=cohort, starts_at=NOW - datetime.timedelta(hours=3))
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/"
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 0 0 Not started"]

    registration = factories.RegistrationFactory(session=session, city=lisbon)
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 1 0 Not started"]

    # Attendance is written with QuerySet.update: the service raises the version itself.
    session_services.attendance_record(
        session=session, marks={registration.pk: "attended"}, acting_user=lead
    )
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 1 1 Not started"]

    roadmap = Roadmap.objects.get(cohort=cohort, city=lisbon)
    roadmap.status = "submitted"
    roadmap.save(update_fields=["status"])
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 1 1 Submitted"]

    Registration.objects.filter(pk=registration.pk).get().delete()
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 0 0 Submitted"]


def test_cohort_page_shows_an_autosaved_share_complete_on_the_next_get(
    client, cohort, lead, lisbon
):
    _enrol(cohort, lisbon, lead, "energy")
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/"
    assert table_rows(_html(client, url), "cities") == ["Lisbon (PT) Energy 0 0 Not started"]

    # What an autosave writes: a field's value, then the roadmap's share and last change only
    # (no data version is raised: the page's key names the roadmaps' last change).
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        roadmap = Roadmap.objects.get(cohort=cohort, city=lisbon)
        RoadmapValue.objects.create(roadmap=roadmap, key="challenge", value="Heat", version=1)
        roadmap.percent_complete = 40
        roadmap.updated_at = timezone.now()
        roadmap.save(update_fields=["updated_at", "percent_complete"])

        assert table_rows(_html(client, url), "cities") == [
            "Lisbon (PT) Energy 0 0 Draft"  # the share complete is the roadmap pages' (issue 10)
        ]


def test_cohort_page_shows_changed_facilitators_and_their_names_on_the_next_get(
    client, cohort, lead, group_facilitator
):
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/"

    def facilitators(html):
        leads = ", ".join(
            sorted(re.search(r"Lead facilitators: (.*?)</p>", html).group(1).split(", "))
        )
        groups = text(re.search(r'data-list="groups">(.*?)</ul>', html, re.S).group(1))
        return leads, groups

    assert facilitators(_html(client, url)) == (
        "Lea Lead",
        "Energy : Gus Group Sustainable mobility : no facilitator yet",
    )

    other = factories.UserFactory(is_facilitator=True, full_name="Olga Other")
    cohort.facilitators.add(other)
    group(cohort, "sustainable-mobility").facilitators.add(other)
    group_facilitator.facilitated_groups.clear()
    assert facilitators(_html(client, url)) == (
        "Lea Lead, Olga Other",
        "Energy : no facilitator yet Sustainable mobility : Olga Other",
    )

    other.full_name = "Olga Renamed"
    other.save()
    assert facilitators(_html(client, url)) == (
        "Lea Lead, Olga Renamed",
        "Energy : no facilitator yet Sustainable mobility : Olga Renamed",
    )


def test_cohort_page_of_a_lead_then_of_a_group_facilitator_each_with_their_own_links(
    client, cohort, lead, group_facilitator
):
    edit_link = f'href="/cohorts/{cohort.pk}/edit/"'
    sign_in(client, lead)
    assert edit_link in _html(client, f"/cohorts/{cohort.pk}/")

    sign_in(client, group_facilitator)
    html = _html(client, f"/cohorts/{cohort.pk}/")

    assert edit_link not in html
    assert "<h1>Online Discussion Groups cohort 1</h1>" in html


def test_cohort_page_shows_changed_dates_saved_through_the_service(client, cohort, lead):
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/"
    assert "1 September 2024 to 28 February 2025" in _html(client, url)

    services.cohort_update(
        cohort=cohort,
        acting_user=lead,
        programme="odg",
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=datetime.date(2024, 9, 2),
        ends_on=datetime.date(2025, 2, 28),
        groups=[
            services.GroupSpec(sector=g.sector, facilitators=list(g.facilitators.all()))
            for g in cohort.thematic_groups.all()
        ],
    )

    assert "2 September 2024 to 28 February 2025" in _html(client, url)


# --- the enrolments page -------------------------------------------------------------------


def test_enrolments_page_shows_a_decision_on_the_next_get_and_each_decider_gets_a_token(
    client, cohort, lead, group_facilitator, lisbon, lisbon_officer
):
    request = services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "Heat pumps")],
        today=datetime.date(2024, 10, 1),
    )
    url = f"/cohorts/{cohort.pk}/enrolments/"
    sign_in(client, lead)
    assert table_rows(_html(client, url), "enrolments") == [
        "Lisbon (PT) Requested Energy : Heat pumps Ana Silva Accept Lisbon Decline Lisbon"
    ]
    first_token = client.cookies["csrftoken"].value

    sign_in(client, group_facilitator)
    client.cookies.pop("csrftoken", None)
    html = _html(client, url)
    # The cached table's forms carry the reader's own CSRF token, not the first reader's.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert client.cookies["csrftoken"].value != first_token
    assert token and "\x00" not in html

    services.enrolment_accept(enrolment=request, acting_user=group_facilitator)
    assert table_rows(_html(client, url), "enrolments") == [
        "Lisbon (PT) Enrolled Energy : Heat pumps Ana Silva Gus Group, 1 October 2024"
    ]

    lisbon_officer.full_name = "Ana Sousa"
    lisbon_officer.save(update_fields=["full_name"])
    assert table_rows(_html(client, url), "enrolments") == [
        "Lisbon (PT) Enrolled Energy : Heat pumps Ana Sousa Gus Group, 1 October 2024"
    ]


def test_signing_in_changes_no_page_version(cohort, lead):
    before = versions("accounts:names", f"cohort:{cohort.pk}")

    lead.last_login = NOW
    lead.save(update_fields=["last_login"])

    assert versions("accounts:names", f"cohort:{cohort.pk}") == before


# --- the cohort list, the forms and the request page --------------------------------------------


def test_cohort_list_of_two_officers_each_with_their_own_cities(client, cohort, lisbon_officer):
    espoo_officer = factories.city_officer(city=factories.CityFactory(name="Espoo"))
    sign_in(client, lisbon_officer)
    assert "Lisbon : Ask for Lisbon to join" in text(_html(client, "/cohorts/"))

    sign_in(client, espoo_officer)
    html = text(_html(client, "/cohorts/"))

    assert "Espoo : Ask for Espoo to join" in html
    assert "Lisbon" not in html


def test_cohort_list_shows_a_request_and_a_new_membership_on_the_next_get(
    client, cohort, lisbon, lisbon_officer
):
    sign_in(client, lisbon_officer)
    assert "Lisbon : Ask for Lisbon to join" in text(_html(client, "/cohorts/"))

    services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=datetime.date(2024, 10, 1),
    )
    factories.CityMembershipFactory(user=lisbon_officer, city=factories.CityFactory(name="Braga"))
    html = text(_html(client, "/cohorts/"))

    assert "Braga : Ask for Braga to join Lisbon : Requested" in html


def test_cohort_edit_form_shows_the_values_saved_since(client, cohort, lead):
    sign_in(client, lead)
    url = f"/cohorts/{cohort.pk}/edit/"
    assert 'value="Online Discussion Groups cohort 1"' in _html(client, url)

    # As the Django admin saves it: the model, no service.
    cohort = Cohort.objects.get(pk=cohort.pk)
    cohort.name = "ODG cohort one"
    cohort.save()

    html = _html(client, url)
    assert 'value="ODG cohort one"' in html
    assert 'value="Online Discussion Groups cohort 1"' not in html


def test_new_cohort_form_offers_a_sector_added_since(client, lead, sectors):
    sign_in(client, lead)
    assert "Circular economy" not in _html(client, "/cohorts/new/")

    factories.ThematicSectorFactory(slug="circular", name="Circular economy", position=9)

    assert 'data-sector="circular"' in _html(client, "/cohorts/new/")


def test_enrolment_request_page_of_two_officers_each_offers_their_own_cities(
    client, cohort, lisbon_officer
):
    espoo_officer = factories.city_officer(city=factories.CityFactory(name="Espoo"))
    url = f"/cohorts/{cohort.pk}/enrol/"

    def offered(html):
        select = re.search(r'<select name="city"[^>]*>(.*?)</select>', html, re.S).group(1)
        return re.findall(r"<option [^>]*>([^<]*)</option>", select)

    sign_in(client, lisbon_officer)
    assert offered(_html(client, url))[1:] == [str(lisbon_officer.cities.get())]
    sign_in(client, espoo_officer)

    assert offered(_html(client, url))[1:] == [str(espoo_officer.cities.get())]


# --- the API lists --------------------------------------------------------------------------


def test_api_enrolments_of_two_people_each_their_own_and_a_new_request_on_the_next_get(
    client, cohort, lead, lisbon, lisbon_officer
):
    espoo = factories.CityFactory(name="Espoo")
    espoo_officer = factories.city_officer(city=espoo)
    _enrol(cohort, espoo, lead, "energy")

    def cities(user):
        sign_in(client, user)
        body = json.loads(client.get("/api/v1/enrolments/").content)
        return [row["city_name"] for row in body["results"]]

    assert cities(lisbon_officer) == []
    assert cities(espoo_officer) == ["Espoo"]
    assert cities(lead) == ["Espoo"]

    services.enrolment_request(
        cohort=cohort,
        city=lisbon,
        acting_user=lisbon_officer,
        groups=[(group(cohort, "energy"), "")],
        today=datetime.date(2024, 10, 1),
    )

    assert cities(lisbon_officer) == ["Lisbon"]
    assert cities(lead) == ["Espoo", "Lisbon"]


def test_api_cohorts_of_two_people_each_their_own_and_a_new_facilitator_name(
    client, cohort, lead, group_facilitator
):
    other_cohort = factories.CohortFactory(number=7, name="Other cohort")
    other_cohort.facilitators.add(group_facilitator)

    def names(user):
        sign_in(client, user)
        body = json.loads(client.get("/api/v1/cohorts/").content)
        return [
            (row["name"], [f["name"] for g in row["thematic_groups"] for f in g["facilitators"]])
            for row in body["results"]
        ]

    assert names(lead) == [("Online Discussion Groups cohort 1", ["Gus Group"])]
    assert sorted(names(group_facilitator)) == [
        ("Online Discussion Groups cohort 1", ["Gus Group"]),
        ("Other cohort", []),
    ]

    group_facilitator.full_name = "Gus Renamed"
    group_facilitator.save()

    assert names(lead) == [("Online Discussion Groups cohort 1", ["Gus Renamed"])]
