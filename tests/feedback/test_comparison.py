"""Comparing surveys of one ready template side by side (feedback/comparison.py and its page):
the figures, the matching of reworded and added questions, who may compare what, anonymous
thresholds, query counts, and the references the template copy and the migration record."""

import dataclasses
import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import building
from feedback.comparison import survey_comparison
from feedback.enums import QuestionKind, ResponseStatus
from feedback.models import Answer, Option, Question, Response, Survey
from feedback.results import results_changed
from feedback.survey_templates import FINAL_RECAP, NEEDS_ASSESSMENT, survey_from_template
from tests import factories
from tests.feedback.results_world import build
from tests.feedback.results_world import respond as world_respond
from tests.queries import keep_facts_of, session_queries

pytestmark = pytest.mark.django_db

YES = "Yes, I am satisfied with the structure and content balance"
SYSTEMIC = (
    "I would like to learn more about systemic approaches rather than sector-specific strategies"
)
LONGER = "I would extend the exchange time with Mission Cities"
DIRECT = (
    "I would have preferred direct technical support to address our specific climate-related "
    "challenges"
)


class World:
    """Two cohorts led by one facilitator, four cities with an officer each enrolled in each,
    and a third cohort of someone else's; a recap survey copied from the template for each."""

    def __init__(self, *, anonymous_b=False):
        self.facilitator = factories.UserFactory(is_facilitator=True)
        self.cohorts = [factories.CohortFactory(), factories.CohortFactory()]
        self.cities = {}
        for cohort in self.cohorts:
            cohort.facilitators.add(self.facilitator)
            self.cities[cohort.pk] = []
            for _n in range(4):
                city = factories.CityFactory()
                factories.enrolment_accepted(cohort=cohort, city=city)
                factories.city_officer(city=city)
                self.cities[cohort.pk].append(city)
        self.other_cohort = factories.CohortFactory()
        self.other_facilitator = factories.UserFactory(is_facilitator=True)
        self.other_cohort.facilitators.add(self.other_facilitator)
        self.a = self.recap(self.cohorts[0], title="Recap cohort A")
        self.b = self.recap(self.cohorts[1], title="Recap cohort B", anonymous=anonymous_b)

    def recap(self, cohort, *, title, anonymous=False, by=None):
        now = timezone.now()
        survey = survey_from_template(
            template_key=FINAL_RECAP,
            target=cohort,
            opens_at=now - datetime.timedelta(days=2),
            closes_at=now + datetime.timedelta(days=5),
            is_anonymous=anonymous,
            acting_user=by or self.facilitator,
            title=title,
        )
        Survey.objects.filter(pk=survey.pk).update(is_published=True)
        survey.refresh_from_db()
        return survey


def question(survey, ref) -> Question:
    return Question.objects.get(section__survey=survey, template_key=ref)


def respond(survey, city=None, *, thematic=None, technical=None, possible=None):
    """A submitted response (for `city` when the survey is named) choosing the options
    labelled `thematic` and `technical` and the point `possible` of the 0-10 scale."""
    now = timezone.now()
    if survey.is_anonymous:
        response = Response.objects.create(survey=survey, status=ResponseStatus.SUBMITTED)
    else:
        response = Response.objects.create(
            survey=survey,
            city=city,
            respondent=f"city:{city.pk}",
            status=ResponseStatus.SUBMITTED,
            created_at=now,
            updated_at=now,
            submitted_at=now,
        )
    rows = []
    for ref, label in (("thematic_format", thematic), ("technical_format", technical)):
        if label is not None:
            q = question(survey, ref)
            rows.append(Answer(question=q, option=q.options.get(template_ref=label)))
    if possible is not None:
        rows.append(Answer(question=question(survey, "how_possible"), number=possible))
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


def compare_url(*surveys, template=None) -> str:
    query = [f"survey={s.pk if hasattr(s, 'pk') else s}" for s in surveys]
    if template:
        query.insert(0, f"template={template}")
    return reverse("survey_compare") + ("?" + "&".join(query) if query else "")


def figures(comparison, ref) -> dict:
    """{line label: [each survey's figure text]} of the compared question `ref`."""
    compared = next(q for q in comparison.questions if q.key[1] == ref)
    return {line.label: [f.text for f in line.figures] for line in compared.lines}


@pytest.fixture
def world():
    world = World()
    a_cities, b_cities = world.cities[world.cohorts[0].pk], world.cities[world.cohorts[1].pk]
    respond(world.a, a_cities[0], thematic=YES, technical=DIRECT, possible=7)
    respond(world.a, a_cities[1], thematic=YES, possible=8)
    respond(world.a, a_cities[2], thematic=SYSTEMIC, possible=10)
    respond(world.b, b_cities[0], thematic=YES, possible=5)
    respond(world.b, b_cities[1], thematic=LONGER, technical=DIRECT)
    respond(world.b, b_cities[2], thematic=LONGER, possible=10)
    respond(world.b, b_cities[3], thematic=LONGER)
    return world


def test_template_copy_records_each_question_and_option_of_the_template(world):
    refs = list(
        Question.objects.filter(section__survey=world.a)
        .order_by("section__position", "position")
        .values_list("template_key", flat=True)
    )
    assert refs == [
        "gained",
        "thematic_format",
        "technical_format",
        "support_service",
        "how_possible",
    ]
    thematic = question(world.a, "thematic_format")
    assert [o.template_ref for o in thematic.options.order_by("position")] == [
        o.label for o in thematic.options.order_by("position")
    ]


def test_figures_side_by_side_each_with_its_own_denominator(world):
    comparison = survey_comparison([world.a, world.b])
    assert [c.survey for c in comparison.columns] == [world.a, world.b]
    assert [(c.results.responses, c.asked, c.rate) for c in comparison.columns] == [
        (3, 4, 75),
        (4, 4, 100),
    ]
    # The recap asks the same words twice (thematic, then technical sessions): matched by the
    # template's key, not by the text.
    assert [q.key[1] for q in comparison.questions] == [
        "gained",
        "thematic_format",
        "technical_format",
        "support_service",
        "how_possible",
    ]
    assert figures(comparison, "thematic_format") == {
        YES: ["2 of 3 (67%)", "1 of 4 (25%)"],
        SYSTEMIC: ["1 of 3 (33%)", "0 of 4 (0%)"],
        LONGER: ["0 of 3 (0%)", "3 of 4 (75%)"],
        "Other (please specify)": ["0 of 3 (0%)", "0 of 4 (0%)"],
    }
    assert figures(comparison, "technical_format")[DIRECT] == ["1 of 1 (100%)", "1 of 1 (100%)"]
    possible = next(q for q in comparison.questions if q.key[1] == "how_possible")
    assert [side.answered for side in possible.sides] == [3, 2]
    assert [side.mean for side in possible.sides] == [Decimal("8.33"), Decimal("7.50")]
    assert [str(side.mean) for side in possible.sides] == ["8.33", "7.50"]
    assert figures(comparison, "how_possible")["10"] == ["1 of 3 (33%)", "1 of 2 (50%)"]
    assert comparison.unmatched == []


def test_page_shows_the_table_and_a_grouped_chart(client, world):
    client.force_login(world.facilitator)
    response = client.get(compare_url(world.b, world.a))
    assert response.status_code == 200
    html = response.content.decode()
    # Oldest first whatever the order asked; both offered as checked candidates.
    assert response.context["compared"] == [world.a, world.b]
    assert html.count('name="survey"') == 2
    assert html.count(" checked") == 2
    assert '<td class="numeric" data-state="shown">2 of 3 (67%)</td>' in html
    assert '<td class="numeric" data-state="shown">3 of 4 (75%)</td>' in html
    assert 'data-stat="rate">75%</td>' in html
    # One chart per question with lines (three: two choices and the scale), a bar per survey
    # and option in the survey's colour.
    assert html.count('class="summary-chart"') == 3
    assert html.count('fill="#2166ac"/>') >= 2
    assert 'width="220.0" height="14" fill="#2166ac"' in html  # 2 of 3 of 330 pixels
    assert "Free-text answers are listed on each survey\u2019s results page." in html


def test_results_page_links_to_the_comparison(client, world):
    client.force_login(world.facilitator)
    html = client.get(reverse("survey_results", args=[world.a.pk])).content.decode()
    assert f'href="/surveys/compare/?survey={world.a.pk}" data-link="compare"' in html


def test_one_survey_lists_the_others_of_its_template_to_choose(client, world):
    theirs = world.recap(world.other_cohort, title="Not yours", by=world.other_facilitator)
    client.force_login(world.facilitator)
    response = client.get(compare_url(world.a))
    assert response.status_code == 200
    assert response.context["candidates"] == [world.a, world.b]
    assert response.context["compared"] == []
    assert "Choose at least one more survey to compare it with." in response.content.decode()
    assert "Not yours" not in response.content.decode()
    assert theirs.pk not in {s.pk for s in response.context["candidates"]}


def test_a_survey_the_person_may_not_read_is_a_404(client, world):
    theirs = world.recap(world.other_cohort, title="Not yours", by=world.other_facilitator)
    client.force_login(world.facilitator)
    assert client.get(compare_url(world.a, theirs)).status_code == 404
    assert client.get(compare_url(world.a, 999_999)).status_code == 404
    # Their own facilitator compares it; an admin compares all three.
    client.force_login(world.other_facilitator)
    assert client.get(compare_url(theirs)).status_code == 200
    assert client.get(compare_url(world.a, theirs)).status_code == 404
    client.force_login(factories.UserFactory(is_programme_admin=True))
    response = client.get(compare_url(world.a, world.b, theirs))
    assert response.status_code == 200
    assert len(response.context["content"]()["comparison"].columns) == 3


def test_an_officer_is_refused(client, world):
    officer = world.cities[world.cohorts[0].pk][0].memberships.first().user
    client.force_login(officer)
    assert client.get(compare_url(world.a, world.b)).status_code == 403


def test_bad_input_is_a_message(client, world):
    client.force_login(world.facilitator)
    response = client.get(reverse("survey_compare") + f"?survey=abc&survey={world.a.pk}")
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Choose the surveys to compare from the list."
    ]
    now = timezone.now()
    needs = survey_from_template(
        template_key=NEEDS_ASSESSMENT,
        target=world.cohorts[0],
        opens_at=now,
        closes_at=now + datetime.timedelta(days=3),
        is_anonymous=False,
        acting_user=world.facilitator,
    )
    response = client.get(compare_url(world.a, needs))
    assert response.status_code == 200
    assert response.context["compared"] == []
    assert [str(m) for m in response.context["messages"]] == [
        "Only surveys copied from the same ready template can be compared: choose surveys of "
        "one template."
    ]
    # A template chosen without surveys: its surveys to pick from.
    response = client.get(reverse("survey_compare") + f"?template={FINAL_RECAP}")
    assert response.context["candidates"] == [world.a, world.b]
    # Another template picked while surveys of the first are ticked: the other's surveys.
    response = client.get(compare_url(world.a, world.b, template=NEEDS_ASSESSMENT))
    assert (response.context["compared"], response.context["candidates"]) == ([], [needs])
    assert list(response.context["messages"]) == []
    # More than six.
    more = [world.recap(world.cohorts[0], title=f"Recap {n}") for n in range(5)]
    response = client.get(compare_url(world.a, world.b, *more))
    assert response.context["compared"] == []
    assert [str(m) for m in response.context["messages"]] == [
        "Choose at most 6 surveys to compare."
    ]


def test_questions_are_matched_after_a_rewording_and_added_ones_listed(world):
    thematic = question(world.b, "thematic_format")
    options = list(thematic.options.order_by("position"))
    labels = [o.label for o in options if not o.is_other]
    labels[0] = "Yes, satisfied with structure and balance"
    building.question_update(
        question=thematic,
        acting_user=world.facilitator,
        data=building.QuestionInput(
            kind=QuestionKind.SINGLE_CHOICE,
            text="Were you satisfied with the 90-minute format of the thematic sessions?",
            is_required=True,
            options=[*labels, "Other (please specify)"],
        ),
    )
    thematic.refresh_from_db()
    assert thematic.template_key == "thematic_format"
    # Added by each builder: the same words in both (matched), and one in B only (not).
    for survey in (world.a, world.b):
        section = question(survey, "how_possible").section
        building.question_add(
            section=section,
            acting_user=world.facilitator,
            data=building.QuestionInput(
                kind=QuestionKind.RATING,
                text="Rate  the recap event",
                scale_labels=["1", "2", "3", "4", "5"],
            ),
        )
    building.question_add(
        section=question(world.b, "how_possible").section,
        acting_user=world.facilitator,
        data=building.QuestionInput(kind=QuestionKind.LONG_TEXT, text="Anything else?"),
    )

    comparison = survey_comparison([world.a, world.b])
    compared = next(q for q in comparison.questions if q.key[1] == "thematic_format")
    assert (
        compared.text
        == "Are you satisfied with the 1h30min session format and its content balance?"
    )
    assert compared.wordings == [
        "Were you satisfied with the 90-minute format of the thematic sessions?"
    ]
    # The reworded option stays on the template's line, with its first wording.
    assert figures(comparison, "thematic_format")[YES] == ["2 of 3 (67%)", "1 of 4 (25%)"]
    assert [q.key for q in comparison.questions][-1] == (
        "text",
        "rate the recap event",
        "rating",
        1,
    )
    assert [(u.column.survey, u.result.question.text) for u in comparison.unmatched] == [
        (world.b, "Anything else?")
    ]


def test_an_option_only_one_survey_offers_is_not_offered_in_the_other(world):
    thematic = question(world.b, "thematic_format")
    Option.objects.create(question=thematic, position=9, label="Shorter sessions")
    comparison = survey_comparison([world.a, world.b])
    assert figures(comparison, "thematic_format")["Shorter sessions"] == [
        "not offered",
        "0 of 4 (0%)",
    ]


def test_anonymous_survey_under_its_threshold_shows_only_its_count(client):
    world = World(anonymous_b=True)
    a_cities = world.cities[world.cohorts[0].pk]
    for city in a_cities[:3]:
        respond(world.a, city, thematic=YES, possible=6)
    respond(world.b, thematic=LONGER, possible=2)
    respond(world.b, thematic=LONGER, possible=3)
    client.force_login(world.facilitator)
    response = client.get(compare_url(world.a, world.b))
    comparison = response.context["content"]()["comparison"]
    _a, b = comparison.columns
    assert (b.results.responses, b.results.shown, b.asked, b.rate) == (2, False, None, None)
    assert figures(comparison, "thematic_format")[LONGER] == ["0 of 3 (0%)", "too few responses"]
    possible = next(q for q in comparison.questions if q.key[1] == "how_possible")
    assert [side.mean for side in possible.sides] == [Decimal("6.00"), None]
    html = response.content.decode()
    assert "“Recap cohort B” is anonymous: its results appear once 3 people have answered" in html
    assert "of 2 (" not in html  # no share of the anonymous survey's two answers

    # The third answer shows its figures.
    respond(world.b, thematic=YES, possible=4)
    comparison = survey_comparison([world.a, world.b])
    assert figures(comparison, "thematic_format")[LONGER] == ["0 of 3 (0%)", "2 of 3 (67%)"]


def test_a_question_answered_by_too_few_of_an_anonymous_survey_shows_only_its_count(client):
    world = World(anonymous_b=True)
    for _n in range(3):
        respond(world.b, thematic=YES)
    respond(world.b, thematic=YES, technical=DIRECT)
    comparison = survey_comparison([world.a, world.b])
    technical = next(q for q in comparison.questions if q.key[1] == "technical_format")
    assert [side.state for side in technical.sides] == ["shown", "withheld"]
    assert [side.answered for side in technical.sides] == [0, 1]
    assert figures(comparison, "technical_format")[DIRECT] == ["no answer yet", "too few answers"]


def _queries(client, url, surveys) -> int:
    for survey in surveys:
        results_changed(survey.pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_responses(client, world):
    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    url = compare_url(world.a, world.b)
    few = _queries(client, url, [world.a, world.b])
    a_cities = world.cities[world.cohorts[0].pk]
    respond(world.a, a_cities[3], thematic=LONGER, technical=DIRECT, possible=1)
    for _n in range(3):
        city = factories.CityFactory()
        factories.enrolment_accepted(cohort=world.cohorts[1], city=city)
        respond(world.b, city, thematic=YES, possible=9)
    keep_facts_of(world.facilitator)
    many = _queries(client, url, [world.a, world.b])
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert few == many
    # The session, the user, the versions, the surveys chosen with those offered (kept in the
    # cache but read again: a response is a survey list's change); on a miss the counts,
    # questions, options, two aggregations and one count of who is asked per survey.
    assert many == session_queries() + 10
    assert len(cached) == session_queries() + 2


def test_kept_surveys_follow_a_new_survey_and_a_facilitator_leaving(client, world):
    client.force_login(world.facilitator)
    url = compare_url(world.a)
    assert client.get(url).context["candidates"] == [world.a, world.b]
    third = world.recap(world.cohorts[1], title="Recap cohort B again")
    assert client.get(url).context["candidates"] == [world.a, world.b, third]
    cohort = world.cohorts[1]
    cohort.name = "Cohort B renamed"
    cohort.save()
    assert "Recap cohort B · Cohort B renamed" in client.get(url).content.decode()
    assert client.get(compare_url(world.a, world.b)).status_code == 200
    world.cohorts[1].facilitators.remove(world.facilitator)
    assert client.get(compare_url(world.a, world.b)).status_code == 404
    assert client.get(url).context["candidates"] == [world.a]


def test_migration_fills_the_references_of_surveys_copied_before(world):
    Question.objects.filter(section__survey=world.a).update(template_key="")
    Option.objects.filter(question__section__survey=world.a).update(template_ref="")
    reworded = question(world.b, "technical_format")
    Question.objects.filter(section__survey=world.b).update(template_key="")
    Question.objects.filter(pk=reworded.pk).update(text="Reworded before the migration")
    migration = importlib.import_module("feedback.migrations.0004_template_refs")
    migration.refs_fill(apps, None)
    assert list(
        Question.objects.filter(section__survey=world.a)
        .order_by("section__position", "position")
        .values_list("template_key", flat=True)
    ) == ["gained", "thematic_format", "technical_format", "support_service", "how_possible"]
    # The same words twice: the first is the thematic one, the second the technical one.
    assert question(world.a, "technical_format").section.position == 3
    assert set(
        Option.objects.filter(question__section__survey=world.a).values_list(
            "template_ref", flat=True
        )
    ) == set(
        Option.objects.filter(question__section__survey=world.a).values_list("label", flat=True)
    )
    reworded.refresh_from_db()
    assert reworded.template_key == ""


def test_ranking_matrix_and_extent_side_by_side():
    """Two surveys of every kind (tests/feedback/results_world.py), the second a copy of the
    first's questions (added by builders: matched by their words)."""
    first = build()
    Survey.objects.filter(pk=first.survey.pk).update(template_key="shared")
    second_survey = factories.SurveyFactory(
        cohort=first.cohort, is_published=True, template_key="shared"
    )
    section = factories.SectionFactory(survey=second_survey, position=1)
    second = dataclasses.replace(first, survey=second_survey, questions={}, options={})
    for key, q in first.questions.items():
        copy = factories.QuestionFactory(
            section=section,
            position=q.position,
            kind=q.kind,
            text=q.text,
            allows_not_applicable=q.allows_not_applicable,
        )
        second.questions[key] = copy
        for option in q.options.order_by("position"):
            second.options[(key, option.label)] = factories.OptionFactory(
                question=copy, position=option.position, label=option.label
            )
    world_respond(first, "lisboa", {"ranking": ["Heat", "Transport", "Waste"], "extent": 4})
    world_respond(first, "porto", {"ranking": ["Transport", "Heat", "Waste"], "extent": "na"})
    world_respond(first, "berlin", {"matrix": {"Format": 5, "Content": 2}})
    world_respond(second, "lisboa", {"ranking": ["Waste", "Heat", "Transport"], "extent": 2})
    world_respond(second, "porto", {"matrix": {"Format": 3, "Content": 4}})

    comparison = survey_comparison([first.survey, second_survey])
    assert comparison.unmatched == []
    assert figures(comparison, "question ranking?") == {
        "Heat": [
            "average rank 1.50; first for 1 of 2",
            "average rank 2.00; first for 0 of 1",
        ],
        "Transport": [
            "average rank 1.50; first for 1 of 2",
            "average rank 3.00; first for 0 of 1",
        ],
        "Waste": [
            "average rank 3.00; first for 0 of 2",
            "average rank 1.00; first for 1 of 1",
        ],
    }
    assert figures(comparison, "question matrix?") == {
        "Format": ["average 5.00 (1)", "average 3.00 (1)"],
        "Content": ["average 2.00 (1)", "average 4.00 (1)"],
    }
    extent = figures(comparison, "question extent?")
    assert extent["Not applicable"] == ["1 of 2 (50%)", "0 of 1 (0%)"]
    assert [row for label, row in extent.items() if label.startswith("4")] == [
        ["1 of 2 (50%)", "0 of 1 (0%)"]
    ]
    compared = next(q for q in comparison.questions if q.key[1] == "question extent?")
    # The mean leaves "Not applicable" out.
    assert [side.mean for side in compared.sides] == [Decimal("4.00"), Decimal("2.00")]
