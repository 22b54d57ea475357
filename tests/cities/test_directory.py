"""The city directory page /cities/: filters, search, pagination and its query count."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from tests import factories
from tests.cities.conftest import directory_names
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries

URL = "/cities/"


@pytest.fixture
def signed_in(client, reviewer):
    # A person with no city of their own, so the lists hold only the cities a test makes.
    sign_in(client, reviewer)
    return client


@pytest.fixture
def lead_signed_in(client, cohort_lead):
    # The cohort filter offers the cohorts a person may see: its lead facilitator sees it.
    sign_in(client, cohort_lead)
    return client


def test_directory_lists_every_city_by_name_with_the_count(signed_in, places):
    response = signed_in.get(URL)

    assert response.status_code == 200
    assert directory_names(response) == ["Guimaraes", "Lisbon", "Mannheim", "Valencia"]
    assert response.context["page_obj"].paginator.count == 4
    assert "4 cities found" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "PT"}, ["Guimaraes", "Lisbon"]),
        ({"country": "de"}, ["Mannheim"]),
        ({"type": "mission"}, ["Guimaraes", "Mannheim"]),
        ({"type": "pilot"}, ["Mannheim"]),
        ({"type": "twin"}, ["Valencia"]),
        ({"thematic_interest": "energy"}, ["Guimaraes", "Mannheim"]),
        ({"thematic_interest": "mobility"}, ["Guimaraes", "Lisbon"]),
        ({"name": "LIS"}, ["Lisbon"]),
        ({"name": "an"}, ["Mannheim"]),
        ({"country": "PT", "type": "mission"}, ["Guimaraes"]),
        ({"country": "PT", "thematic_interest": "energy", "name": "gui"}, ["Guimaraes"]),
        ({"name": "Zagreb"}, []),
    ],
)
def test_directory_filter_gives_exact_cities(signed_in, places, query, expected):
    response = signed_in.get(URL, query)

    assert directory_names(response) == expected


def test_directory_type_mission_minded_gives_exact_cities(signed_in, places):
    response = signed_in.get(URL, {"type": "mission_minded"})

    assert directory_names(response) == ["Lisbon", "Valencia"]


def test_directory_cohort_filter_lists_only_accepted_enrolments(
    lead_signed_in, cohort, cohort_lead
):
    other_cohort = factories.CohortFactory(number=2)
    other_cohort.facilitators.add(cohort_lead)
    Enrolment.objects.create(
        cohort=other_cohort,
        city=cohort.enrolments.get(city__name="Mannheim").city,
        status=EnrolmentStatus.ACCEPTED,
    )

    response = lead_signed_in.get(URL, {"cohort": cohort.pk})

    assert directory_names(response) == ["Guimaraes", "Lisbon"]
    assert directory_names(lead_signed_in.get(URL, {"cohort": other_cohort.pk})) == ["Mannheim"]
    combined = lead_signed_in.get(URL, {"cohort": cohort.pk, "thematic_interest": "energy"})
    assert directory_names(combined) == ["Guimaraes"]


def _cohort_options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select name="cohort"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [unescape(name) for name in re.findall(r"<option[^>]*>(.*?)</option>", select)]


def test_directory_cohort_list_offers_only_the_cohorts_the_person_may_see(
    client, places, cohort, cohort_lead, reviewer, programme_admin
):
    # Cohort 1 (ended in 2025) is led by cohort_lead; cohort 2 has not ended and is led by
    # nobody here; cohort 3 ended, and Porto took part in it.
    open_cohort = factories.CohortFactory(
        number=2, name="Online Discussion Groups cohort 2",
        starts_on=datetime.date(2099, 1, 1), ends_on=datetime.date(2099, 6, 30),
    )  # fmt: skip
    ended = factories.CohortFactory(
        number=3, name="Online Discussion Groups cohort 3",
        starts_on=datetime.date(2000, 1, 1), ends_on=datetime.date(2000, 6, 30),
    )  # fmt: skip
    porto = factories.CityFactory(name="Porto", country=places["Lisbon"].country)
    Enrolment.objects.create(cohort=ended, city=porto, status="accepted")
    porto_officer = factories.city_officer(city=porto)
    expected = {
        reviewer: ["Any cohort"],
        cohort_lead: ["Any cohort", cohort.name],
        # The cohorts not ended yet, and those of the officer's city.
        porto_officer: ["Any cohort", open_cohort.name, ended.name],
        programme_admin: ["Any cohort", open_cohort.name, cohort.name, ended.name],
    }

    for user, options in expected.items():
        sign_in(client, user)
        assert (user, _cohort_options(client.get(URL))) == (user, options)


def test_directory_cohort_the_person_may_not_see_is_refused_like_an_unknown_one(signed_in, cohort):
    response = signed_in.get(URL, {"cohort": cohort.pk})

    assert directory_names(response) == []
    assert response.context["filter_form"].errors == {
        "cohort": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_directory_unknown_cohort_shows_the_error_at_the_field_and_no_city(signed_in, cohort):
    response = signed_in.get(URL, {"cohort": "999999"})

    assert directory_names(response) == []
    assert response.context["filter_form"].errors == {
        "cohort": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert "0 cities found" in response.content.decode()


def test_directory_filter_form_is_labelled_and_keeps_the_values(lead_signed_in, cohort):
    response = lead_signed_in.get(
        URL, {"name": "gui", "country": "PT", "type": "mission", "cohort": cohort.pk}
    )

    html = response.content.decode()
    assert '<form method="get" action="/cities/"' in html
    for field, label in [
        ("name", "Name contains"),
        ("country", "Country"),
        ("type", "City type"),
        ("thematic_interest", "Thematic interest"),
        ("cohort", "Took part in cohort"),
    ]:
        assert f'<label for="id_{field}">{label}:</label>' in html
    assert 'name="name" value="gui"' in html
    assert '<option value="PT" selected>Portugal</option>' in html
    assert '<option value="mission" selected>Mission City</option>' in html
    assert f'<option value="{cohort.pk}" selected>{cohort.name}</option>' in html
    assert directory_names(response) == ["Guimaraes"]


def test_directory_paginates_by_fifty_and_links_keep_the_filters(signed_in, db):
    sweden = factories.CountryFactory(iso_code="SE")
    for number in range(1, 53):
        factories.CityFactory(name=f"Town {number:02d}", country=sweden)

    first = signed_in.get(URL, {"country": "SE", "name": "town"})
    second = signed_in.get(URL, {"country": "SE", "name": "town", "page": 2})

    assert directory_names(first) == [f"Town {number:02d}" for number in range(1, 51)]
    assert directory_names(second) == ["Town 51", "Town 52"]
    assert '<a href="?country=SE&amp;name=town&amp;page=2" rel="next">' in first.content.decode()
    assert '<a href="?country=SE&amp;name=town&amp;page=1" rel="prev">' in second.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert "52 cities found" in second.content.decode()


def _directory_queries(client, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, query)
    assert response.status_code == 200
    return len(queries)


def test_directory_query_count_does_not_grow_with_the_cities(lead_signed_in, cohort):
    energy = cohort.enrolments.get(city__name="Guimaraes").city.thematic_interests.get(
        slug="energy"
    )
    query = {"type": "mission_minded", "cohort": cohort.pk}
    # One matching city: Lisbon.
    one = _directory_queries(lead_signed_in, query)
    italy = factories.CountryFactory(iso_code="IT")
    for number in range(40):
        city = factories.CityFactory(name=f"Comune {number}", country=italy)
        city.thematic_interests.set([energy])
        Enrolment.objects.create(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)

    many = _directory_queries(lead_signed_in, query)

    assert directory_names(lead_signed_in.get(URL, query))[-1] == "Lisbon"
    # (Session,) user, the cities' data version (the cached form's key), the lead's cohorts
    # (offered in the form, and its key), the cohort choice check, the count, the form's two
    # other lists (countries, sectors), the page and its interests. A cohort filter's cities
    # are listed afresh each time (cities/views.py).
    assert one == many == session_queries() + 9


def test_directory_needs_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cities/"


def test_header_links_to_the_directory_for_signed_in_people(signed_in, db):
    response = signed_in.get(URL)

    assert '<li><a href="/cities/" aria-current="page">Cities</a></li>' in response.content.decode()
