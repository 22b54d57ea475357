"""Survey results counted in the database (feedback.results): exact counts, shares and means for
every kind of question, each question's own denominator, the anonymous threshold, the filters
and who has not answered."""

from decimal import Decimal
from fractions import Fraction

import pytest

from cities.enums import CityType
from feedback.enums import ResponseStatus
from feedback.results import ResultFilters, not_answered, response_rate, survey_results
from tests.feedback.results_world import build, respond

pytestmark = pytest.mark.django_db


def _by_key(world, results):
    return {
        key: results.questions[[r.question.pk for r in results.questions].index(q.pk)]
        for key, q in world.questions.items()
    }


@pytest.fixture
def named():
    world = build()
    respond(
        world,
        "lisboa",
        {
            "single": "Yes",
            "multiple": ["Funding", "Data"],
            "rating": 5,
            "scale": 10,
            "extent": 4,
            "short": "Heat pumps",
            "long": "More site visits.",
            "ranking": ["Heat", "Transport", "Waste"],
            "matrix": {"Format": 5, "Content": 4},
        },
    )
    respond(
        world,
        "porto",
        {
            "single": [("Other", "Depends on the season")],
            "multiple": ["Funding"],
            "rating": 4,
            "scale": 7,
            "extent": "na",
            "short": "Bike lanes",
            "ranking": ["Transport", "Heat", "Waste"],
            "matrix": {"Format": 4},
        },
    )
    respond(
        world,
        "berlin",
        {
            "single": "Yes",
            "multiple": ["Data", "Skills", "Funding"],
            "rating": 2,
            "extent": 1,
            "ranking": ["Heat", "Waste", "Transport"],
            "matrix": {"Format": 3, "Content": 2},
        },
    )
    return world


def test_choice_counts_and_shares_use_the_question_denominator(named):
    results = survey_results(survey=named.survey)
    assert results.responses == 3 and results.shown
    questions = _by_key(named, results)

    single = questions["single"]
    assert single.answered == 3
    assert [(o.label, o.count, o.share) for o in single.ordered_options] == [
        ("Yes", 2, Fraction(2, 3)),
        ("Other", 1, Fraction(1, 3)),
        ("No", 0, Fraction(0)),
    ]
    assert [o.percent for o in single.ordered_options] == [Decimal(67), Decimal(33), Decimal(0)]
    assert [(t.city, t.option_label, t.text) for t in single.texts] == [
        ("Porto", "Other", "Depends on the season")
    ]

    multiple = questions["multiple"]
    assert multiple.answered == 3
    assert [(o.label, o.count) for o in multiple.ordered_options] == [
        ("Funding", 3),
        ("Data", 2),
        ("Skills", 1),
        ("Legal", 0),
    ]
    assert [o.label for o in multiple.top(2)] == ["Funding", "Data"]
    # Nobody chose "Legal": it is never in a top list.
    assert [o.label for o in multiple.top(10)] == ["Funding", "Data", "Skills"]


def test_scales_mean_and_distribution_leave_not_applicable_out(named):
    questions = _by_key(named, survey_results(survey=named.survey))
    rating = questions["rating"]
    assert rating.answered == 3
    assert [(p.value, p.count) for p in rating.distribution.points] == [
        (1, 0),
        (2, 1),
        (3, 0),
        (4, 1),
        (5, 1),
    ]
    assert rating.distribution.mean == Fraction(11, 3)
    assert rating.distribution.mean_display == Decimal("3.67")

    # Skipped by Berlin: two answered, the mean is theirs.
    scale = questions["scale"]
    assert scale.answered == 2
    assert scale.distribution.mean == Fraction(17, 2)
    assert [p.count for p in scale.distribution.points] == [0] * 7 + [1, 0, 0, 1]

    extent = questions["extent"]
    assert extent.answered == 3
    assert extent.distribution.not_applicable == 1
    assert extent.distribution.rated == 2
    assert extent.distribution.mean == Fraction(5, 2)
    assert extent.distribution.points[0].label == "1 · None at all"


def test_ranking_by_average_rank_and_matrix_per_row(named):
    questions = _by_key(named, survey_results(survey=named.survey))
    ranking = questions["ranking"]
    assert [(o.label, o.mean_rank, o.first) for o in ranking.ordered_options] == [
        ("Heat", Fraction(4, 3), 2),
        ("Transport", Fraction(2), 1),
        ("Waste", Fraction(8, 3), 0),
    ]
    matrix = questions["matrix"]
    assert matrix.answered == 3
    format_row, content_row = matrix.rows
    assert format_row.label == "Format"
    assert format_row.distribution.mean == Fraction(4)
    assert [p.count for p in format_row.distribution.points] == [0, 0, 1, 1, 1]
    # Porto left "Content" unanswered: its mean is of two.
    assert content_row.distribution.rated == 2
    assert content_row.distribution.mean == Fraction(3)


def test_free_texts_of_a_named_survey_carry_the_city_in_city_order(named):
    questions = _by_key(named, survey_results(survey=named.survey))
    assert [(t.city, t.text) for t in questions["short"].texts] == [
        ("Lisboa", "Heat pumps"),
        ("Porto", "Bike lanes"),
    ]
    assert questions["short"].answered == 2 and questions["short"].text_count == 2
    assert [(t.city, t.text) for t in questions["long"].texts] == [("Lisboa", "More site visits.")]


def test_drafts_are_not_counted(named):
    officer = named.officers["berlin"]
    named.survey.responses.filter(user=officer).delete()
    respond(named, "berlin", {"single": "No"}, status=ResponseStatus.DRAFT)
    results = survey_results(survey=named.survey)
    assert results.responses == 2
    single = _by_key(named, results)["single"]
    assert single.answered == 2
    assert {o.label: o.count for o in single.options} == {"Yes": 1, "No": 0, "Other": 1}


def test_filters_select_responses_by_their_city(named):
    def single(filters):
        results = survey_results(survey=named.survey, filters=filters)
        question = _by_key(named, results)["single"]
        return results.responses, {o.label: o.count for o in question.options}, question.answered

    assert single(ResultFilters(country_id=named.cities["berlin"].country_id)) == (
        1,
        {"Yes": 1, "No": 0, "Other": 0},
        1,
    )
    assert single(ResultFilters(group_id=named.groups["energy"].pk)) == (
        2,
        {"Yes": 1, "No": 0, "Other": 1},
        2,
    )
    assert single(ResultFilters(city_type=CityType.TWIN)) == (1, {"Yes": 0, "No": 0, "Other": 1}, 1)
    assert single(ResultFilters(cohort_id=named.cohort.pk)) == (
        3,
        {"Yes": 2, "No": 0, "Other": 1},
        3,
    )
    assert single(
        ResultFilters(city_type=CityType.PILOT, country_id=named.cities["lisboa"].country_id)
    ) == (0, {"Yes": 0, "No": 0, "Other": 0}, 0)
    assert survey_results(
        survey=named.survey, filters=ResultFilters(country_id=named.cities["berlin"].country_id)
    ).filtered


def test_not_answered_lists_the_asked_without_a_submitted_response(named):
    assert list(not_answered(named.survey)) == []
    named.survey.responses.filter(user=named.officers["porto"]).update(status=ResponseStatus.DRAFT)
    assert list(not_answered(named.survey)) == [named.officers["porto"]]
    assert response_rate(named.survey, 2) == (3, Decimal(67))


def test_not_answered_by_city_for_a_survey_answered_once_per_city():
    world = build(unit="city")
    respond(world, "lisboa", {"single": "Yes"})
    assert set(not_answered(world.survey)) == {world.cities["porto"], world.cities["berlin"]}
    assert response_rate(world.survey, 1) == (3, Decimal(33))


def test_anonymous_survey_under_its_threshold_shows_only_the_count():
    world = build(anonymous=True, min_responses=3)
    respond(world, None, {"single": "Yes", "short": "Too slow"})
    respond(world, None, {"single": "No"})
    results = survey_results(survey=world.survey)
    assert (results.responses, results.shown, results.questions) == (2, False, [])

    respond(world, None, {"single": "Yes", "short": "Great"})
    results = survey_results(survey=world.survey)
    assert results.shown
    questions = _by_key(world, results)
    assert {o.label: o.count for o in questions["single"].options} == {
        "Yes": 2,
        "No": 1,
        "Other": 0,
    }
    # Two answered the short text, under the threshold of three: only its count shows.
    assert questions["short"].answered == 2
    assert questions["short"].withheld and questions["short"].texts == []


def test_anonymous_filters_are_ignored_and_texts_are_in_alphabetical_order():
    world = build(anonymous=True, min_responses=2)
    for text in ["Zebra crossings", "Apples", "Market squares"]:
        respond(world, None, {"short": text})
    results = survey_results(
        survey=world.survey, filters=ResultFilters(country_id=world.cities["berlin"].country_id)
    )
    assert results.responses == 3 and not results.filtered
    short = _by_key(world, results)["short"]
    assert [(t.city, t.text) for t in short.texts] == [
        ("", "Apples"),
        ("", "Market squares"),
        ("", "Zebra crossings"),
    ]


def test_anonymous_refuses_the_list_of_who_has_not_answered():
    world = build(anonymous=True)
    with pytest.raises(ValueError):
        not_answered(world.survey)


def test_scale_shares_count_not_applicable_in_the_denominator(named):
    extent = _by_key(named, survey_results(survey=named.survey))["extent"]
    assert [(p.value, share) for p, share in extent.distribution.table] == [
        (1, Decimal(33)),
        (2, Decimal(0)),
        (3, Decimal(0)),
        (4, Decimal(33)),
        (5, Decimal(0)),
    ]
    assert extent.distribution.not_applicable_percent == Decimal(33)


def test_a_draft_counts_in_no_question_of_any_kind(named):
    """Unfiltered, the rows are picked by question less those of drafts (feedback.results.
    _answers_counted): a draft's rating, text, choices and ranks are all left out."""
    officer = named.officers["berlin"]
    named.survey.responses.filter(user=officer).delete()
    respond(
        named,
        "berlin",
        {
            "single": "No",
            "multiple": ["Skills"],
            "rating": 1,
            "scale": 0,
            "extent": "na",
            "short": "A draft's words",
            "ranking": ["Waste", "Transport", "Heat"],
            "matrix": {"Content": 1},
        },
        status=ResponseStatus.DRAFT,
    )
    questions = _by_key(named, survey_results(survey=named.survey))

    assert [(key, q.answered) for key, q in questions.items()] == [
        ("single", 2),
        ("multiple", 2),
        ("rating", 2),
        ("scale", 2),
        ("extent", 2),
        ("short", 2),
        ("long", 1),
        ("ranking", 2),
        ("matrix", 2),
    ]
    assert questions["rating"].distribution.mean == Fraction(9, 2)
    assert questions["extent"].distribution.not_applicable == 1
    assert [t.text for t in questions["short"].texts] == ["Heat pumps", "Bike lanes"]
    assert {o.label: o.count for o in questions["multiple"].options}["Skills"] == 0
