"""seed_demo's needs assessment of cohort 1 (devdata/demo_needs.py): answered once per city
through the answering services, closed in the past, and giving back on "Needs by enabling
theme" the shares 004 Annex 1 (Focus Group 8's pre-meeting survey) reports."""

import datetime
import re
import zoneinfo

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cities.models import CityMembership
from cohorts.models import Cohort
from devdata import demo_needs
from feedback import needs_prefill
from feedback.enums import ResponseStatus, ResponseUnit, SurveyScope
from feedback.models import Answer, Response, Survey
from feedback.selectors import surveys_visible_to
from feedback.survey_templates import NEEDS_ASSESSMENT
from roadmaps.models import Roadmap, RoadmapChange
from tests.seeds.snapshots import seed_demo, snapshot

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def needs_survey() -> Survey:
    return Survey.objects.get(
        template_key=NEEDS_ASSESSMENT, cohort=Cohort.objects.get(programme="odg", number=1)
    )


def themes_page(client, email: str) -> str:
    client.force_login(User.objects.get(email=email))
    response = client.get(reverse("survey_results_themes", args=[needs_survey().pk]))
    assert response.status_code == 200
    return response.content.decode()


def top_lines(html: str, question_text: str) -> list[str]:
    """The "label: n of m (p%)" lines the themes page lists under the question."""
    start = html.index(f">{question_text}</h3>")
    block = html[start : html.index("</li>\n", html.index("</ol>", start))]
    return [
        re.sub(r"<[^>]+>", "", line).replace("&amp;", "&").strip()
        for line in re.findall(r"<li data-option=[^>]*>.*?</li>", block)
    ]


def test_needs_survey_is_cohort_1s_named_per_city_published_and_closed_in_september_2024(
    demo_data,
):
    survey = needs_survey()

    assert survey.scope == SurveyScope.COHORT
    assert survey.title == f"Needs assessment: {survey.cohort.name}"
    assert survey.is_published
    assert not survey.is_anonymous
    assert survey.response_unit == ResponseUnit.CITY
    assert survey.opens_at == datetime.datetime(2024, 9, 2, 10, 0, tzinfo=BRUSSELS)
    assert survey.closes_at == datetime.datetime(2024, 9, 20, 17, 0, tzinfo=BRUSSELS)
    assert survey.closes_at < timezone.now()
    assert survey.created_by.email == "facilitator@example.org"
    assert needs_prefill.reuses(survey)


def test_needs_responses_are_the_8_cities_officers_submitted_through_the_services(demo_data):
    survey = needs_survey()
    responses = list(
        Response.objects.filter(survey=survey).select_related("city", "user").order_by("pk")
    )

    assert [(r.city.name, r.city.country.iso_code) for r in responses] == demo_needs.NEEDS_CITIES
    assert [r.user.email for r in responses] == [
        "officer@example.org",
        "coimbra.officer@example.org",
        "ljubljana.officer@example.org",
        "bruges.officer@example.org",
        "enschede.officer@example.org",
        "liepaja.officer@example.org",
        "munich.officer@example.org",
        "pisa.officer@example.org",
    ]
    for index, response in enumerate(responses):
        # What response_for and response_submit set: the city's key, its officer, the city.
        assert response.status == ResponseStatus.SUBMITTED
        assert response.respondent == f"city:{response.city_id}"
        assert CityMembership.objects.filter(city=response.city, user=response.user).exists()
        assert response.page == survey.sections.count()
        assert response.submitted_at == datetime.datetime(
            2024, 9, 3 + index, 11, 0, tzinfo=BRUSSELS
        )
        assert survey.opens_at < response.created_at < response.submitted_at < survey.closes_at


def test_themes_page_gives_back_focus_group_8s_shares(demo_data, client):
    html = themes_page(client, "facilitator@example.org")

    assert "8 submitted responses." in html
    assert top_lines(
        html,
        "What have you identified as your priority sectors for GHG (Green House Gases) "
        "emissions reduction?",
    ) == [
        "Mobility and transport: 6 of 8 (75%)",
        "Energy systems: 4 of 8 (50%)",
        "Built environment: 3 of 8 (38%)",
    ]
    assert top_lines(
        html, "What are the main barriers &amp; gaps your city faces to reduce GHG emissions?"
    ) == [
        "Insufficient administrative and operational capacity: 4 of 8 (50%)",
        "Very high investment costs: 4 of 8 (50%)",
        "Limited technological interventions that reduce/ eliminate emissions: 2 of 8 (25%)",
    ]
    assert top_lines(html, "Does your city have any of the following governance arrangements?") == [
        "Climate Department (or equivalent): 5 of 8 (63%)",
        "Climate responsibilities shared across different departments: 5 of 8 (63%)",
    ]
    assert top_lines(
        html,
        "Do you apply tools or frameworks provided by these platforms to monitor, evaluate and "
        "report emissions?",
    ) == ["Yes: 5 of 6 (83%)", "No: 1 of 6 (17%)"]
    assert top_lines(
        html,
        "In what ways does your city engage with different stakeholders and citizens for "
        "climate action (or climate-neutral) policies?",
    ) == [
        "Consultation on strategies & policies: 5 of 7 (71%)",
        "Co-design of strategies with stakeholders & citizens: 4 of 7 (57%)",
        "Reciprocal climate commitments by stakeholders: 3 of 7 (43%)",
    ]
    assert top_lines(html, "What are the funding gaps you have recognised?") == [
        "Lack of funding for project preparation: 4 of 8 (50%)",
        "Lack of funding for operation & maintenance costs: 4 of 8 (50%)",
        "Difficulty in identifying right type of funding: 3 of 8 (38%)",
    ]
    assert top_lines(
        html,
        "Which sectors within circular economy is your city currently working on/ planning to "
        "work on?",
    ) == [
        "Material & construction: 6 of 6 (100%)",
        "Water systems: 5 of 6 (83%)",
        "Solid waste & recycling: 5 of 6 (83%)",
    ]


def test_needs_questions_without_a_reported_figure_are_not_answered(demo_data):
    survey = needs_survey()
    answered = set(
        Answer.objects.filter(response__survey=survey).values_list(
            "question__template_key", flat=True
        )
    )

    assert answered == set(demo_needs.NEEDS_CHOICES) | set(demo_needs.NEEDS_TEXTS)


def test_facilitator_reaches_the_themes_page_from_the_survey_list(demo_data, client):
    survey = needs_survey()
    client.force_login(User.objects.get(email="facilitator@example.org"))
    results = reverse("survey_results", args=[survey.pk])
    themes = reverse("survey_results_themes", args=[survey.pk])

    listing = client.get(reverse("survey_build_list")).content.decode()
    page = client.get(results).content.decode()

    assert f'href="{results}"' in listing
    assert f'<a href="{themes}">Needs by enabling theme</a>' in page


def test_admin_sees_the_same_figures_and_another_citys_officer_none(demo_data, client):
    html = themes_page(client, "admin@example.org")
    assert "Mobility and transport: 6 of 8 (75%)" in html

    client.force_login(User.objects.get(email="officer@example.org"))
    response = client.get(reverse("survey_results_themes", args=[needs_survey().pk]))
    assert response.status_code in (403, 404)
    assert b"6 of 8" not in response.content


def test_demo_officer_finds_the_needs_survey_closed(demo_data, client):
    survey = needs_survey()
    officer = User.objects.get(email="officer@example.org")
    client.force_login(officer)

    page = client.get(reverse("survey_intro", args=[survey.pk])).content.decode()

    assert survey in surveys_visible_to(user=officer)
    assert 'data-state="closed"' in page


def test_seed_demo_twice_adds_no_needs_response_nor_answer(demo_data):
    survey = needs_survey()
    counts = (
        Response.objects.filter(survey=survey).count(),
        Answer.objects.filter(response__survey=survey).count(),
        User.objects.count(),
    )
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        output = seed_demo()

    assert counts == (8, 188, 41)
    # Cohort 1's, answered, and cohort 2's, open (test below).
    assert Survey.objects.filter(template_key=NEEDS_ASSESSMENT).count() == 2
    assert (
        Response.objects.filter(survey=survey).count(),
        Answer.objects.filter(response__survey=survey).count(),
        User.objects.count(),
    ) == counts
    assert snapshot() == before
    assert "Demo surveys: 0 created, 0 updated," in output
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_needs_answers_filled_the_empty_roadmap_overviews_through_the_roadmap_service(demo_data):
    """Asked once, reused (feedback/needs_prefill.py): on submission, a respondent's cohort 1
    roadmap overview nobody had written is filled from its answers, by its officer; Braga's,
    written before, is kept."""
    bruges = Roadmap.objects.get(cohort__programme="odg", cohort__number=1, city__name="Bruges")
    braga = Roadmap.objects.get(cohort__programme="odg", cohort__number=1, city__name="Braga")

    assert bruges.values.get(key="phase1.overview").value == (
        "Climate neutrality target: Yes, with a timeline range of 2030 - 2040.\n"
        "(From the needs-assessment questionnaire.)"
    )
    assert RoadmapChange.objects.filter(
        roadmap=bruges, key="phase1.overview"
    ).get().changed_by.email == ("bruges.officer@example.org")
    assert braga.values.get(key="phase1.overview").value.startswith("Braga aims to become")


def test_the_demo_officer_finds_cohort_2s_open_needs_assessment_on_their_home_page(demo_data):
    """What an officer sees first: cohort 2's needs assessment, open, not begun, linked from
    "Surveys to answer"; their city's draft starts from its profile (needs_prefill)."""
    survey = Survey.objects.get(
        template_key=NEEDS_ASSESSMENT, cohort=Cohort.objects.get(programme="odg", number=2)
    )
    assert survey.is_published and survey.opens_at < timezone.now() < survey.closes_at
    assert not Response.objects.filter(survey=survey).exists()
    client = Client()
    client.force_login(User.objects.get(email="officer@example.org"))

    home = client.get("/")

    assert f'href="/surveys/{survey.pk}/"' in home.content.decode()
    assert client.get(f"/surveys/{survey.pk}/").status_code == 200
