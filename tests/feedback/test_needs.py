"""The needs assessment's results by enabling theme (feedback/needs.py and its page): each
question under its theme, the top options with count and share of those who answered, the
page's readers and its query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.needs import results_by_theme
from feedback.results import results_changed
from tests import factories
from tests.feedback.needs_world import answer, enrolled_officer, needs_survey, question
from tests.queries import keep_facts_of, session_queries

pytestmark = pytest.mark.django_db

# Every question of the template under its theme, in the themes' order (taxonomy positions)
# and the survey's order within each (feedback/survey_templates.py says why each is where).
GROUPING = [
    (
        "policy-governance",
        [
            "governance_arrangements",
            "climate_staff",
            "approved_plans",
            "climate_department",
            "neutrality_target",
            "barriers",
            "dnsh",
        ],
    ),
    (
        "implementation-practices",
        [
            "priority_sectors",
            "nbs_worked",
            "nbs_types",
            "nbs_challenges",
            "nbs_purpose",
            "renewable_target",
            "industry_decisions",
            "energy_schemes",
            "energy_bottom_up",
            "public_transport_targets",
            "mobility_citizens",
            "mobility_bottom_up",
            "circular_sectors",
            "circular_climate",
        ],
    ),
    (
        "culture-social-innovation-participation",
        [
            "platforms",
            "platforms_liked",
            "engagement_ways",
            "engagement_importance",
            "social_justice",
            "groups_engaged",
            "engagement_links",
            "engagement_barriers",
        ],
    ),
    ("finance-business-models", ["funding_gaps", "financial_instruments", "budget_allocations"]),
    (
        "strategic-learning",
        [
            "co_benefits",
            "platform_tools",
            "platform_tools_which",
            "cooperated",
            "cooperated_with",
            "motivation",
            "inspiring_cities",
            "useful_resources",
            "resources_frequency",
            "replicated",
            "replicated_examples",
        ],
    ),
]

BARRIERS = {
    "Lisbon": ["Very high investment costs", "Lack of know-how and skills"],
    "Porto": ["Very high investment costs", "Insufficient administrative and operational capacity"],
    "Braga": [
        "Very high investment costs",
        "Insufficient administrative and operational capacity",
        "Lack of support/awareness by citizens",
    ],
}
FUNDING = {
    "Lisbon": ["Lack of mixed funding models"],
    "Porto": ["Lack of mixed funding models", "Lack of funding for capital costs"],
}


@pytest.fixture
def world(reference_data):
    cohort = factories.CohortFactory()
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    survey = needs_survey(cohort, facilitator)
    for name, barriers in BARRIERS.items():
        city, officer = enrolled_officer(cohort, name)
        answer(
            survey,
            officer,
            city,
            {"barriers": barriers, "funding_gaps": FUNDING.get(name, [])}
            if name in FUNDING
            else {"barriers": barriers},
        )
    survey.facilitator = facilitator
    survey.cohort_obj = cohort
    return survey


def test_every_question_is_grouped_under_its_enabling_theme(world):
    results, themes = results_by_theme(survey=world)

    assert results.responses == 3
    assert [
        (group.slug, [result.question.template_key for result in group.questions])
        for group in themes
    ] == GROUPING


def test_each_theme_lists_its_top_needs_with_counts_and_shares(world):
    _results, themes = results_by_theme(survey=world)
    by_slug = {group.slug: group for group in themes}

    needs = {
        result.question.template_key: [(o.label, o.count, o.answered, o.percent) for o in top]
        for result, top in by_slug["policy-governance"].needs
    }
    # The top three barriers, as 004 reports them: count, who answered, share.
    assert needs["barriers"] == [
        ("Very high investment costs", 3, 3, 100),
        ("Insufficient administrative and operational capacity", 2, 3, 67),
        ("Lack of know-how and skills", 1, 3, 33),
    ]
    # Nobody answered the others: no top.
    assert needs["governance_arrangements"] == []
    finance = {r.question.template_key: top for r, top in by_slug["finance-business-models"].needs}
    assert [(o.label, o.count, o.answered) for o in finance["funding_gaps"]] == [
        ("Lack of mixed funding models", 2, 2),
        ("Lack of funding for capital costs", 1, 2),
    ]


def test_a_question_added_to_a_section_without_theme_is_listed_apart(world):
    section = factories.SectionFactory(survey=world, position=20, title="Extra")
    extra = factories.QuestionFactory(section=section, position=1, text="Anything else?")

    _results, themes = results_by_theme(survey=world)

    assert themes[-1].slug == "none"
    assert [r.question.pk for r in themes[-1].questions] == [extra.pk]


def test_a_question_moved_to_a_themed_section_takes_the_sections_theme(world):
    comment = factories.QuestionFactory(
        section=question(world, "barriers").section, position=30, text="Comment"
    )

    _results, themes = results_by_theme(survey=world)

    governance = next(group for group in themes if group.slug == "policy-governance")
    assert governance.questions[-1].question.pk == comment.pk


def themes_url(survey, **query):
    url = reverse("survey_results_themes", args=[survey.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_the_page_shows_the_themes_and_their_top_needs(client, world):
    client.force_login(world.facilitator)

    page = client.get(themes_url(world)).content.decode()

    assert re.findall(r'data-theme="([^"]+)"', page) == [slug for slug, _keys in GROUPING]
    barriers = question(world, "barriers")
    block = page.split(f'data-question="{barriers.pk}"')[1].split("</li>\n  \n")[0]
    assert re.findall(r"<li data-option=\"\d+\">([^<]+)</li>", block) == [
        "Very high investment costs: 3 of 3 (100%)",
        "Insufficient administrative and operational capacity: 2 of 3 (67%)",
        "Lack of know-how and skills: 1 of 3 (33%)",
    ]
    # The results page links to it.
    results = client.get(reverse("survey_results", args=[world.pk])).content.decode()
    assert f'<a href="{themes_url(world)}">Needs by enabling theme</a>' in results


def test_a_filter_narrows_the_themes_to_the_cities_it_keeps(client, world):
    porto = world.responses.get(city__name="Porto").city
    # A country none of the others is in.
    porto.country = factories.CountryFactory(iso_code="ZZ", name="Porto's own country")
    porto.save(update_fields=["country"])
    client.force_login(world.facilitator)

    page = client.get(themes_url(world, country=porto.country_id)).content.decode()

    assert "1 submitted response." in page
    barriers = question(world, "barriers")
    block = page.split(f'data-question="{barriers.pk}"')[1].split("</li>\n  \n")[0]
    # A tie is in the options' order.
    assert re.findall(r"<li data-option=\"\d+\">([^<]+)</li>", block) == [
        "Insufficient administrative and operational capacity: 1 of 1 (100%)",
        "Very high investment costs: 1 of 1 (100%)",
    ]


def test_who_may_not_read_the_results_gets_403_or_404(client, world):
    officer = world.responses.get(city__name="Lisbon").user
    client.force_login(officer)
    assert client.get(themes_url(world)).status_code == 403
    client.force_login(factories.UserFactory())
    assert client.get(themes_url(world)).status_code == 404


def test_an_anonymous_survey_under_its_threshold_shows_only_the_count(client, reference_data):
    cohort = factories.CohortFactory()
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    from feedback.enums import ResponseUnit

    survey = needs_survey(cohort, facilitator, is_anonymous=True, response_unit=ResponseUnit.PERSON)
    _city, officer = enrolled_officer(cohort, "Lisbon")
    answer(survey, officer, None, {"barriers": ["Lack of circularity"]})
    client.force_login(facilitator)

    page = client.get(themes_url(survey)).content.decode()

    assert "1 submitted response." in page
    assert "data-threshold" in page
    assert "Lack of circularity" not in page
    assert "data-theme" not in page


def _queries(client, url, survey) -> int:
    results_changed(survey.pk)  # drawn afresh
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_queries_do_not_grow_with_responses(client, world):
    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    few = _queries(client, themes_url(world), world)
    for name in ("Faro", "Evora", "Coimbra"):
        city, officer = enrolled_officer(world.cohort_obj, name)
        answer(world, officer, city, {"barriers": ["Lack of circularity"], "dnsh": ["Yes"]})
    keep_facts_of(world.facilitator)
    many = _queries(client, themes_url(world), world)
    # The user, the versions, the survey; the filter form's cohorts, groups and countries;
    # the response count, the questions and their options, the counts, the denominators,
    # the texts; the themes.
    assert few == many == session_queries() + 13
    with CaptureQueriesContext(connection) as cached:
        client.get(themes_url(world))
    # Kept: the user, the versions, the survey.
    assert len(cached) == session_queries() + 3


def test_a_filter_that_cannot_be_used_says_so_and_shows_no_themes(client, world):
    client.force_login(world.facilitator)

    response = client.get(themes_url(world, country="abc"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="filter-errors"' in page
    assert "data-theme" not in page
