"""A published survey of a cohort in which an officer's city is enrolled: the one the
answering tests fill in."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from feedback.enums import QuestionKind
from feedback.models import Option, Question, Section, Survey
from tests import factories


@dataclass
class Asked:
    officer: object
    city: object
    cohort: object


@pytest.fixture
def asked(db):
    cohort = factories.CohortFactory()
    city = factories.CityFactory(name="Lisbon")
    factories.enrolment_accepted(cohort=cohort, city=city)
    officer = factories.city_officer(city=city, email="ana@lisboa.example", full_name="Ana Silva")
    return Asked(officer=officer, city=city, cohort=cohort)


def _options(question: Question, *labels: str, other: str = "") -> list[Option]:
    options = [
        Option.objects.create(question=question, position=i, label=label)
        for i, label in enumerate(labels, start=1)
    ]
    if other:
        options.append(
            Option.objects.create(
                question=question, position=len(options) + 1, label=other, is_other=True
            )
        )
    return options


def two_page_survey(cohort, **fields) -> Survey:
    """Page 1: a required single choice with "Other" (q_format), a multiple choice of at most
    2 (q_topics), a rating (q_rating), a short text of 20 characters (q_name). Page 2: a
    required long text shown only if "Yes" was chosen on page 1 (q_why), a ranking of three
    (q_rank), a matrix of two rows (q_matrix), an extent scale with "Not applicable"
    (q_extent) and a 0-10 scale (q_scale)."""
    now = timezone.now()
    survey = Survey.objects.create(
        title="Recap",
        scope="cohort",
        cohort=cohort,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=7),
        is_published=True,
        **fields,
    )
    one = Section.objects.create(survey=survey, position=1, title="Format")
    two = Section.objects.create(survey=survey, position=2, title="Next steps")
    q = {}
    q["format"] = Question.objects.create(
        section=one,
        position=1,
        kind=QuestionKind.SINGLE_CHOICE,
        text="Satisfied with the format?",
        is_required=True,
    )
    yes, no, other = _options(q["format"], "Yes", "No", other="Other")
    q["topics"] = Question.objects.create(
        section=one, position=2, kind=QuestionKind.MULTIPLE_CHOICE, text="Topics?", max_choices=2
    )
    topics = _options(q["topics"], "Energy", "Mobility", "Buildings")
    q["rating"] = Question.objects.create(
        section=one, position=3, kind=QuestionKind.RATING, text="Rate the sessions"
    )
    q["name"] = Question.objects.create(
        section=one, position=4, kind=QuestionKind.SHORT_TEXT, text="Nickname", max_length=20
    )
    q["why"] = Question.objects.create(
        section=two,
        position=1,
        kind=QuestionKind.LONG_TEXT,
        text="What worked?",
        is_required=True,
        shown_if=yes,
    )
    q["rank"] = Question.objects.create(
        section=two, position=2, kind=QuestionKind.RANKING, text="Rank the formats"
    )
    ranks = _options(q["rank"], "Webinar", "Workshop", "Visit")
    q["matrix"] = Question.objects.create(
        section=two, position=3, kind=QuestionKind.MATRIX, text="Rate each part"
    )
    rows = _options(q["matrix"], "Talks", "Breakouts")
    q["extent"] = Question.objects.create(
        section=two,
        position=4,
        kind=QuestionKind.EXTENT,
        text="How much did it help?",
        allows_not_applicable=True,
    )
    q["scale"] = Question.objects.create(
        section=two, position=5, kind=QuestionKind.SCALE_0_10, text="Recommend it?"
    )
    survey.q = q
    survey.pages = (one, two)
    survey.opt = {
        "yes": yes,
        "no": no,
        "other": other,
        "topics": topics,
        "ranks": ranks,
        "rows": rows,
    }
    return survey


@pytest.fixture
def survey(asked):
    return two_page_survey(asked.cohort)


@pytest.fixture
def room(asked):
    """Live mode's room (tests/feedback/test_live*.py): `asked` with the cohort's facilitator
    (`facilitator`) and two more officers of cities enrolled in it (`bea`, `caio`)."""
    facilitator = factories.UserFactory(is_facilitator=True, full_name="Fay Facilitator")
    asked.cohort.facilitators.add(facilitator)
    others = []
    for name in ("Porto", "Braga"):
        city = factories.CityFactory(name=name)
        factories.enrolment_accepted(cohort=asked.cohort, city=city)
        others.append(factories.city_officer(city=city))
    asked.facilitator = facilitator
    asked.bea, asked.caio = others
    return asked
