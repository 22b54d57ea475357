"""On PostgreSQL the CSV export's lines are written by the database (feedback/exports.py,
"The CSV's lines written by PostgreSQL"); elsewhere, and for the XLSX, by Python from a row per
answer. The two must give the same bytes: the same cells, the same quoting, the same formula
guard, the same order. Each test here writes one survey's CSV both ways on PostgreSQL and
compares them, with texts chosen to catch each rule."""

import dataclasses

import pytest
from django.db import connection

from feedback.exports import csv_lines, response_table
from feedback.results import ResultFilters
from tests import factories
from tests.conftest import require
from tests.feedback.results_world import build, respond

pytestmark = pytest.mark.django_db

# Texts each of which one rule of the quoting or of the guard changes.
AWKWARD = [
    "plain",
    "a, comma",
    'a "quote"',
    "two\nlines",
    "carriage\rreturn",
    "=SUM(A1)",
    "+33 1 23",
    "-minus",
    "@mention",
    "\ttab first",
    "\rreturn first",
    '=1,"2"',
    " leading space",
    "trailing space ",
    "Ação climática — São João",
    "'already quoted",
    "",
]


def both_ways(survey, filters=None) -> tuple[str, str]:
    """The CSV written by the database, and by Python, of the same table."""
    table = response_table(survey=survey, filters=filters)
    assert table.database_lines is not None
    by_database = "".join(csv_lines(table))
    by_python = "".join(
        csv_lines(
            dataclasses.replace(response_table(survey=survey, filters=filters), database_lines=None)
        )
    )
    return by_database, by_python


@pytest.fixture(autouse=True)
def _postgresql():
    require(
        connection.vendor == "postgresql", f"the database is {connection.vendor}, not PostgreSQL"
    )


def _answers(text: str, index: int) -> dict:
    """Every kind of question, with `text` in each text and 'Other' (as the index varies)."""
    answers = {
        "single": [("Other", text)] if index % 2 else "Yes",
        "multiple": [("Other", text), "Data"] if index % 3 else ["Funding"],
        "rating": 1 + index % 5,
        "scale": index % 11,
        "extent": "na" if index % 4 == 0 else 1 + index % 5,
        "short": text,
        "long": text + text,
        "ranking": ["Waste", "Heat"] if index % 2 else ["Heat"],
        "matrix": {"Format": 1 + index % 5} if index % 3 else {},
    }
    if index % 5 == 4:
        del answers["short"]  # a question not answered
    return answers


def _officers(world, count: int) -> list[str]:
    """`count` more officers of the world's cities (a response each), by key."""
    keys = []
    cities = list(world.cities.values())
    for index in range(count):
        key = f"officer{index}"
        world.cities[key] = cities[index % len(cities)]
        world.officers[key] = factories.UserFactory(full_name=f"Officer {index}")
        factories.CityMembershipFactory(city=world.cities[key], user=world.officers[key])
        keys.append(key)
    return keys


def _other_option(world) -> None:
    """An "Other, please specify" option on the multiple choice too."""
    world.options[("multiple", "Other")] = factories.OptionFactory(
        question=world.questions["multiple"], position=9, label="Other", is_other=True
    )


def test_named_survey_gives_the_same_bytes_both_ways():
    world = build()
    _other_option(world)
    who = _officers(world, len(AWKWARD) + 1)
    for index, text in enumerate(AWKWARD):
        respond(world, who[index], _answers(text, index))
    # Someone whose name holds a comma, a quote and begins with "=".
    officer = world.officers[who[0]]
    officer.full_name = '=Costa, Rui "RC"'
    officer.save()
    # Someone without a name: their email stands in.
    nameless = world.officers[who[1]]
    nameless.full_name = ""
    nameless.save()
    # A response with no answer at all keeps its row.
    respond(world, who[-1], {})

    by_database, by_python = both_ways(world.survey)

    assert by_database == by_python
    lines = by_database.split("\r\n")
    assert lines[1].startswith('"\'=Costa, Rui ""RC""",')
    assert lines[2].startswith(f"{nameless.email},")


def test_anonymous_survey_gives_the_same_bytes_in_the_same_order_both_ways():
    world = build(anonymous=True, min_responses=3)
    _other_option(world)
    for index, text in enumerate(AWKWARD):
        answers = _answers(text, index)
        if index > 1:
            del answers["long"]  # answered twice: under the threshold, withheld
        respond(world, None, answers)
    respond(world, None, {})

    by_database, by_python = both_ways(world.survey)

    assert by_database == by_python
    assert "Q7. Question long?" not in by_database


def test_a_filtered_export_gives_the_same_bytes_both_ways():
    world = build()
    _other_option(world)
    for index, who in enumerate(_officers(world, 6)):
        respond(world, who, _answers(AWKWARD[index], index))
    country = world.cities["lisboa"].country

    by_database, by_python = both_ways(world.survey, ResultFilters(country_id=country.pk))

    assert by_database == by_python
    # The header and the four responses of Lisboa's and Porto's officers (Berlin's two are not).
    assert len(by_database.split("\r\n")) == 1 + 4 + 1
