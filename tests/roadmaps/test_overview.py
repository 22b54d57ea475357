"""The facilitator's cohort roadmap overview: each city's status, the summary (chart, table,
SVG and CSV downloads), who may open it, and its query count."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import EnrolmentStatus, Programme
from cohorts.models import Enrolment
from roadmaps.enums import RoadmapStatus
from tests import factories
from tests.roadmaps.outputs_factories import city_named, climate_action, roadmap_with

GOVERNANCE = "phase2_2.score.internal-governance"


@pytest.fixture
def lead(db):
    return factories.UserFactory(is_facilitator=True)


@pytest.fixture
def cohort(lead):
    cohort = factories.CohortFactory(
        programme=Programme.TWINNING, number=2, name="Twinning cohort 2"
    )
    cohort.facilitators.add(lead)
    return cohort


def enrol(cohort, city):
    factories.EnrolmentFactory(cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED)
    return city


def overview_url(cohort) -> str:
    return reverse("roadmap_cohort_overview", args=[cohort.pk])


def status_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(state, city, status text, % complete) of each row of the roadmaps table."""
    table = html.split('data-table="roadmaps"')[1].split("</table>")[0]
    # The city's name links to its profile; its country code follows the link.
    rows = re.findall(
        r'<tr data-state="([^"]+)">\s*<th scope="row"><a href="/cities/\d+/">([^<]+)</a> '
        r"([^<]+)</th>\s*<td[^>]*>([^<]+)</td>\s*<td[^>]*>([^<]+)</td>",
        table,
    )
    return [
        (state, f"{city} {country}", status, done) for state, city, country, status, done in rows
    ]


def test_overview_shows_each_city_roadmap_status(client, lead, cohort):
    enrol(cohort, city_named("Aalborg", "DK", "Denmark"))  # no roadmap opened
    blank = enrol(cohort, city_named("Braga", "PT", "Portugal"))
    roadmap_with(cohort=cohort, city=blank)  # opened, nothing written
    draft = enrol(cohort, city_named("Čačak", "RS", "Serbia"))
    roadmap_with(cohort=cohort, city=draft, values={"phase1.challenge": "Heat"}, percent=45)
    submitted = enrol(cohort, city_named("Eskişehir", "TR", "Türkiye"))
    roadmap_with(
        cohort=cohort,
        city=submitted,
        values={"phase1.challenge": "Floods"},
        status=RoadmapStatus.SUBMITTED,
        percent=100,
    )
    returned = enrol(cohort, city_named("Liepāja", "LV", "Latvia"))
    roadmap_with(
        cohort=cohort,
        city=returned,
        values={"phase1.challenge": "Wind"},
        status=RoadmapStatus.RETURNED,
        percent=90,
    )
    accepted = enrol(cohort, city_named("Tartu", "EE", "Estonia"))
    roadmap_with(
        cohort=cohort,
        city=accepted,
        values={"phase1.challenge": "Mobility"},
        status=RoadmapStatus.ACCEPTED,
        percent=100,
    )
    # A requested (not accepted) enrolment and another cohort's roadmap are not listed.
    Enrolment.objects.create(
        cohort=cohort, city=city_named("Ghent", "BE", "Belgium"), status=EnrolmentStatus.REQUESTED
    )
    roadmap_with(cohort=factories.CohortFactory(), city=city_named("Lyon", "FR", "France"))

    client.force_login(lead)
    response = client.get(overview_url(cohort))

    assert response.status_code == 200
    html = response.content.decode()
    assert status_rows(html) == [
        ("not_started", "Aalborg (DK)", "Not started", "—"),
        ("not_started", "Braga (PT)", "Not started", "0%"),
        ("draft", "Čačak (RS)", "Draft", "45%"),
        ("submitted", "Eskişehir (TR)", "Submitted", "100%"),
        ("returned", "Liepāja (LV)", "Returned", "90%"),
        ("accepted", "Tartu (EE)", "Completed", "100%"),
    ]
    counts = re.findall(r'<div data-state="([^"]+)"><dt>([^<]+)</dt><dd>(\d+)</dd></div>', html)
    assert counts == [
        ("not_started", "Not started", "2"),
        ("draft", "Draft", "1"),
        ("submitted", "Submitted", "1"),
        ("returned", "Returned", "1"),
        ("accepted", "Completed", "1"),
    ]


def test_overview_summary_table_and_charts(client, lead, cohort):
    action = climate_action(cohort=cohort, title="Urban Mining Hub", city_name="Aachen")
    for name, iso, score, rating in [("Čačak", "RS", "2", "high"), ("Liepāja", "LV", "5", "low")]:
        roadmap_with(
            cohort=cohort,
            city=enrol(cohort, city_named(name, iso, f"Country {iso}")),
            values={
                GOVERNANCE: score,
                "phase2_1.climate_action": str(action.pk),
                "phase2_1.desirability": rating,
            },
        )
    client.force_login(lead)
    html = client.get(overview_url(cohort)).content.decode()

    governance_row = re.search(r'<tr data-factor="internal-governance">(.*?)</tr>', html, re.S)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", governance_row.group(1))
    assert cells == [
        "Internal governance and regulatory framework",
        "2",
        "3.50",
        "0",
        "1",
        "0",
        "0",
        "1",
    ]
    action_row = re.search(rf'<tr data-action="{action.pk}">(.*?)</tr>', html, re.S)
    # The Mission City's name links to its profile.
    cells = re.findall(r"<t[hd][^>]*>(?:<a [^>]*>)?([^<]*)(?:</a>)?</t[hd]>", action_row.group(1))
    assert cells == ["Urban Mining Hub", "Aachen", "1", "0", "1", "2"]
    assert f'<a href="/cities/{action.city_id}/">Aachen</a>' in action_row.group(1)
    # Both charts are inline SVG images with a title and a description.
    assert re.findall(r'<svg [^>]*id="(chart-\w+)"[^>]*role="img"', html) == [
        "chart-factors",
        "chart-actions",
    ]
    assert 'aria-labelledby="chart-factors-title chart-factors-desc"' in html
    # Sized by static/css/roadmap.css: the CSP allows no style attribute.
    assert " style=" not in html
    assert re.search(r'<link rel="stylesheet" href="[^"]*/css/roadmap\.[^"]*css">', html)
    assert '<title id="chart-actions-title">Desirability of the Mission City solutions</title>' in (
        html
    )
    for chart in ("factors", "actions"):
        assert f'href="/roadmaps/cohort/{cohort.pk}/summary/{chart}.svg" download' in html
        assert f'href="/roadmaps/cohort/{cohort.pk}/summary/{chart}.csv" download' in html


def test_overview_summary_svg_download_is_a_standalone_svg(client, lead, cohort):
    roadmap_with(
        cohort=cohort,
        city=enrol(cohort, city_named("Čačak", "RS", "Serbia")),
        values={GOVERNANCE: "4"},
    )
    client.force_login(lead)
    response = client.get(reverse("roadmap_summary_svg", args=[cohort.pk, "factors"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        'attachment; filename="roadmap-summary-factors-cohort-2.svg"'
    )
    root = ET.fromstring(response.content)
    svg = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{svg}svg"
    assert root.find(f"{svg}title").text == (
        "Feasibility: scores of the enabling factors · Twinning cohort 2"
    )
    bars = [
        (rect.get("width"), rect.find(f"{svg}title").text)
        for rect in root.iter(f"{svg}rect")
        if rect.find(f"{svg}title") is not None
    ]
    assert bars == [("330.0", "4: 1")]


def test_overview_summary_csv_download_has_the_table_numbers(client, lead, cohort):
    action = climate_action(cohort=cohort, title="=HYPERLINK(evil)", city_name="Umeå")
    roadmap_with(
        cohort=cohort,
        city=enrol(cohort, city_named("Čačak", "RS", "Serbia")),
        values={
            GOVERNANCE: "4",
            "phase2_1.climate_action": str(action.pk),
            "phase2_1.desirability": "medium",
        },
    )
    client.force_login(lead)
    factors = client.get(reverse("roadmap_summary_csv", args=[cohort.pk, "factors"]))
    actions = client.get(reverse("roadmap_summary_csv", args=[cohort.pk, "actions"]))

    assert factors["Content-Type"] == "text/csv; charset=utf-8"
    assert factors["Content-Disposition"] == (
        'attachment; filename="roadmap-summary-factors-cohort-2.csv"'
    )
    factor_rows = list(csv.reader(io.StringIO(factors.content.decode("utf-8-sig"))))
    assert factor_rows[0] == [
        "Enabling factor",
        "Roadmaps that scored it",
        "Average score",
        "Score 1",
        "Score 2",
        "Score 3",
        "Score 4",
        "Score 5",
    ]
    assert factor_rows[1] == [
        "Internal governance and regulatory framework",
        "1",
        "4.00",
        "0",
        "0",
        "0",
        "1",
        "0",
    ]
    assert factor_rows[2] == ["Stakeholder engagement", "0", "", "0", "0", "0", "0", "0"]
    assert len(factor_rows) == 9
    # A title that a spreadsheet would run as a formula is written as text.
    assert list(csv.reader(io.StringIO(actions.content.decode("utf-8-sig")))) == [
        ["Climate action", "Mission City", "High", "Medium", "Low", "Roadmaps that rated it"],
        ["'=HYPERLINK(evil)", "Umeå", "0", "1", "0", "1"],
    ]


def test_overview_group_facilitator_and_admin_may_open_it(client, cohort):
    group_facilitator = factories.UserFactory(is_facilitator=True)
    factories.ThematicGroupFactory(cohort=cohort).facilitators.add(group_facilitator)
    admin = factories.UserFactory(is_programme_admin=True)
    statuses = []
    for user in (group_facilitator, admin):
        client.force_login(user)
        statuses.append(client.get(overview_url(cohort)).status_code)
    assert statuses == [200, 200]


def test_overview_and_downloads_others_get_404(client, cohort):
    officer = factories.city_officer(city=enrol(cohort, city_named("Čačak", "RS", "Serbia")))
    other_facilitator = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other_facilitator)
    reviewer = factories.UserFactory(is_reviewer=True)
    urls = [
        overview_url(cohort),
        reverse("roadmap_summary_svg", args=[cohort.pk, "factors"]),
        reverse("roadmap_summary_csv", args=[cohort.pk, "actions"]),
    ]
    statuses = set()
    for user in (officer, other_facilitator, reviewer):
        client.force_login(user)
        statuses |= {client.get(url).status_code for url in urls}
    assert statuses == {404}


def test_overview_unknown_chart_is_404(client, lead, cohort):
    client.force_login(lead)
    response = client.get(f"/roadmaps/cohort/{cohort.pk}/summary/secrets.csv")
    assert response.status_code == 404


def overview_queries(client, cohort) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(overview_url(cohort))
    assert response.status_code == 200
    return len(queries)


def add_cities(cohort, action, count: int) -> None:
    for n in range(count):
        status = [RoadmapStatus.DRAFT, RoadmapStatus.SUBMITTED, RoadmapStatus.ACCEPTED][n % 3]
        roadmap_with(
            cohort=cohort,
            city=enrol(cohort, factories.CityFactory()),
            values={
                GOVERNANCE: str(n % 5 + 1),
                "phase1.challenge": f"Challenge {n}",
                "phase2_1.climate_action": str(action.pk),
                "phase2_1.desirability": "high",
            },
            status=status,
            percent=50,
        )


def test_overview_query_count_does_not_grow_with_roadmaps(client, lead, cohort):
    action = climate_action(cohort=cohort)
    add_cities(cohort, action, 1)
    enrol(cohort, factories.CityFactory())  # a city without a roadmap
    client.force_login(lead)
    with_one = overview_queries(client, cohort)

    add_cities(cohort, action, 12)
    for _ in range(3):
        enrol(cohort, factories.CityFactory())
    climate_action(cohort=cohort, title="Congestion charge", city_name="Stockholm")
    with_many = overview_queries(client, cohort)

    assert with_many == with_one
