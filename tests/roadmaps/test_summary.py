"""The cohort summary: exact averages and distributions of the enabling factors' scores and the
High/Medium/Low count per climate action."""

from decimal import Decimal
from fractions import Fraction

from roadmaps.summary import (
    ActionRef,
    action_chart,
    cohort_summary,
    factor_chart,
    narrow_chart,
    summarise,
    summary_table,
)
from taxonomy.reference import ENABLING_FACTORS
from tests import factories
from tests.roadmaps.outputs_factories import city_named, climate_action, roadmap_with

GOVERNANCE = "phase2_2.score.internal-governance"
FUNDING = "phase2_2.score.funding-financing"
ENERGY = ActionRef(action_id=7, title="Renewable energy communities", city_name="Valencia")
HEAT = ActionRef(action_id=9, title="Climate Neutral Heat Plan", city_name="Mannheim")


def by_slug(summary):
    return {factor.slug: factor for factor in summary.factors}


def test_summarise_factor_average_and_distribution_are_exact():
    rows = [
        (1, GOVERNANCE, "1"),
        (2, GOVERNANCE, "2"),
        (3, GOVERNANCE, "2"),
        (1, FUNDING, "5"),
        (2, FUNDING, "4"),
        (3, FUNDING, "4"),
        (4, FUNDING, "3"),
        (5, FUNDING, "3"),
        (6, FUNDING, "3"),
        (7, FUNDING, "3"),
        (8, FUNDING, "3"),
    ]
    factors = by_slug(summarise(rows=rows, actions=[]))

    governance = factors["internal-governance"]
    assert governance.counts == (1, 2, 0, 0, 0)
    assert governance.answered == 3
    assert governance.average == Fraction(5, 3)
    assert governance.average_display == Decimal("1.67")

    funding = factors["funding-financing"]
    assert funding.distribution == [(1, 0), (2, 0), (3, 5), (4, 2), (5, 1)]
    # 28 / 8 = 3.5 exactly.
    assert funding.average == Fraction(7, 2)
    assert funding.average_display == Decimal("3.50")


def test_summarise_average_rounds_half_up():
    # 25 / 8 = 3.125: half up gives 3.13 (binary floats would round it to 3.12).
    rows = [(n, GOVERNANCE, score) for n, score in enumerate("55333222", start=1)]
    governance = by_slug(summarise(rows=rows, actions=[]))["internal-governance"]
    assert governance.average == Fraction(25, 8)
    assert governance.average_display == Decimal("3.13")


def test_summarise_factor_without_scores_has_no_average():
    factors = summarise(rows=[], actions=[]).factors
    assert [factor.slug for factor in factors] == [factor["slug"] for factor in ENABLING_FACTORS]
    assert {(factor.answered, factor.average, factor.average_display) for factor in factors} == {
        (0, None, None)
    }


def test_summarise_leaves_out_invalid_scores():
    rows = [
        (1, GOVERNANCE, "0"),
        (2, GOVERNANCE, "6"),
        (3, GOVERNANCE, ""),
        (4, GOVERNANCE, "four"),
        (5, GOVERNANCE, " 4 "),
        (6, "phase2_2.score.no-such-factor", "3"),
    ]
    governance = by_slug(summarise(rows=rows, actions=[]))["internal-governance"]
    assert governance.counts == (0, 0, 0, 1, 0)
    assert governance.average_display == Decimal("4.00")


def test_summarise_counts_ratings_per_action():
    rows = [
        (1, "phase2_1.climate_action", "7"),
        (1, "phase2_1.desirability", "high"),
        (2, "phase2_1.climate_action", "7"),
        (2, "phase2_1.desirability", "high"),
        (3, "phase2_1.climate_action", "7"),
        (3, "phase2_1.desirability", "low"),
        (4, "phase2_1.climate_action", "9"),
        (4, "phase2_1.desirability", "medium"),
        # A rating without a chosen action, and an action without a rating: not counted.
        (5, "phase2_1.desirability", "high"),
        (6, "phase2_1.climate_action", "9"),
        # A rating that is not High, Medium or Low: not counted.
        (7, "phase2_1.climate_action", "9"),
        (7, "phase2_1.desirability", "very high"),
    ]
    actions = summarise(rows=rows, actions=[ENERGY, HEAT]).actions
    assert [(a.action_id, a.high, a.medium, a.low, a.answered) for a in actions] == [
        (7, 2, 0, 1, 3),
        (9, 0, 1, 0, 1),
    ]


def test_summarise_lists_a_presented_action_nobody_chose_with_zeros():
    actions = summarise(rows=[], actions=[HEAT]).actions
    assert [(a.title, a.city_name, a.high, a.medium, a.low) for a in actions] == [
        ("Climate Neutral Heat Plan", "Mannheim", 0, 0, 0)
    ]


def test_summary_table_factors_rows_match_the_summary():
    rows = [(1, GOVERNANCE, "4"), (2, GOVERNANCE, "5")]
    header, table = summary_table(summarise(rows=rows, actions=[]), "factors")
    assert header == [
        "Enabling factor",
        "Roadmaps that scored it",
        "Average score",
        "Score 1",
        "Score 2",
        "Score 3",
        "Score 4",
        "Score 5",
    ]
    assert table[0] == [
        "Internal governance and regulatory framework",
        2,
        Decimal("4.50"),
        0,
        0,
        0,
        1,
        1,
    ]
    assert table[1] == ["Stakeholder engagement", 0, None, 0, 0, 0, 0, 0]


def test_factor_chart_bar_lengths_are_proportional_to_counts():
    rows = [(n, GOVERNANCE, "4") for n in range(1, 4)] + [(9, FUNDING, "1")]
    chart = factor_chart(summarise(rows=rows, actions=[]))
    governance, funding = chart.rows[0], chart.rows[-1]
    # The longest bar (3 roadmaps) fills the bar area; one roadmap is a third of it.
    assert [(s.label, s.count, s.x, s.width) for s in governance.segments] == [
        ("4", 3, 300.0, 330.0)
    ]
    assert [(s.label, s.count, s.width) for s in funding.segments] == [("1", 1, 110.0)]
    assert governance.value_text == "average 4.00 (3)"
    assert chart.rows[1].segments == []
    assert chart.rows[1].value_text == "no score yet"


def test_action_chart_stacks_high_medium_low():
    rows = [
        (1, "phase2_1.climate_action", "7"),
        (1, "phase2_1.desirability", "high"),
        (2, "phase2_1.climate_action", "7"),
        (2, "phase2_1.desirability", "low"),
    ]
    chart = action_chart(summarise(rows=rows, actions=[ENERGY]))
    [row] = chart.rows
    assert row.label == "Valencia: Renewable energy communities"
    assert [(s.key, s.count, s.x, s.width) for s in row.segments] == [
        ("high", 1, 300.0, 165.0),
        ("low", 1, 465.0, 165.0),
    ]


def test_narrow_chart_puts_each_label_above_a_bar_that_leaves_room_for_its_value():
    rows = [(n, GOVERNANCE, "4") for n in range(1, 4)] + [(9, FUNDING, "1")]
    chart = narrow_chart(factor_chart(summarise(rows=rows, actions=[])))
    governance, stakeholders, funding = chart.rows[0], chart.rows[1], chart.rows[-1]

    # "Score 5" does not fit after the other four in 320 units: it starts a second legend line.
    assert [(item.label, item.x, item.y) for item in chart.legend] == [
        ("Score 1", 0.0, 2.0),
        ("Score 2", 81.8, 2.0),
        ("Score 3", 163.6, 2.0),
        ("Score 4", 245.4, 2.0),
        ("Score 5", 0.0, 22.0),
    ]
    # The label breaks at a space onto a second line; the bar starts under it.
    assert governance.lines == [("Internal governance and regulatory", 59.0), ("framework", 75.0)]
    assert governance.bar_y == 82.0
    assert stakeholders.lines == [("Stakeholder engagement", 123.0)]
    # The longest value, "average 4.00 (3)", is 16 characters of 7.4 units after a gap of 6:
    # the bars take the rest of the 320 units, the longest bar (3 roadmaps) all of it.
    assert chart.value_x == 201.6
    assert [(s.label, s.count, s.x, s.width) for s in governance.segments] == [("4", 3, 0.0, 195.6)]
    assert [(s.label, s.count, s.x, s.width) for s in funding.segments] == [("1", 1, 0.0, 65.2)]
    assert stakeholders.segments == []
    assert stakeholders.value_text == "no score yet"
    assert chart.height == funding.bar_y + 18 + 10 == 446.0


def test_narrow_chart_cuts_a_label_longer_than_two_lines_and_says_so():
    heat = ActionRef(
        action_id=9,
        title="Decarbonising the district heating network and installing heat pumps everywhere",
        city_name="Mannheim",
    )
    chart = narrow_chart(action_chart(summarise(rows=[], actions=[heat])))
    [row] = chart.rows

    assert [line for line, _y in row.lines] == [
        "Mannheim: Decarbonising the district",
        "heating network and installing heat pumps…",
    ]
    # The tooltip keeps the whole label.
    assert row.label == (
        "Mannheim: Decarbonising the district heating network and installing heat pumps everywhere"
    )
    assert [(item.label, item.x, item.y) for item in chart.legend] == [
        ("High", 0.0, 2.0),
        ("Medium", 59.6, 2.0),
        ("Low", 134.0, 2.0),
    ]


def test_narrow_chart_without_rows_leaves_room_for_nothing_to_show():
    chart = narrow_chart(action_chart(summarise(rows=[], actions=[])))
    assert chart.rows == []
    assert (chart.empty_y, chart.height) == (42.0, 52.0)


def test_cohort_summary_reads_the_cohort_rows_only(db):
    cohort = factories.CohortFactory()
    other_cohort = factories.CohortFactory()
    action = climate_action(cohort=cohort)
    cities = [("Čačak", "RS", "Serbia", "2", "high"), ("Liepāja", "LV", "Latvia", "3", "medium")]
    for name, iso_code, country, score, rating in cities:
        roadmap_with(
            cohort=cohort,
            city=city_named(name, iso_code, country),
            values={
                GOVERNANCE: score,
                "phase2_1.climate_action": str(action.pk),
                "phase2_1.desirability": rating,
            },
        )
    roadmap_with(
        cohort=other_cohort,
        city=factories.CityFactory(),
        values={GOVERNANCE: "5", "phase2_1.climate_action": str(action.pk)},
    )

    summary = cohort_summary(cohort=cohort)

    governance = by_slug(summary)["internal-governance"]
    assert governance.counts == (0, 1, 1, 0, 0)
    assert governance.average_display == Decimal("2.50")
    assert [(a.title, a.city_name, a.high, a.medium, a.low) for a in summary.actions] == [
        ("Renewable energy communities", "Guimarães", 1, 1, 0)
    ]
