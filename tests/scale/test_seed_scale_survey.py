"""seed_scale's feedback survey (devdata/scale_surveys.py): 20 questions of every kind in the
busiest generated cohort, one answer row per question and response, stored as the answering
service stores them; the same rows for the same seed; gone with --flush."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from devdata.scale import busiest_scale_cohort, scale_cohorts, scale_flush
from devdata.scale_surveys import QUESTIONS, SCALE_SURVEY_KEY, scale_survey
from feedback.answering import _validate, survey_structure
from feedback.enums import QuestionKind, ResponseStatus
from feedback.models import Answer, Option, Question, Response, Survey
from feedback.results import survey_results

SMALL = ["--cities", "200", "--users", "500", "--cohorts", "3"]


def seed(*args: str) -> None:
    call_command("seed_scale", *args, verbosity=0)


def survey_rows(survey: Survey) -> list:
    """Every answer of the survey by natural keys (ids differ between runs)."""
    return list(
        Answer.objects.filter(response__survey=survey)
        .order_by("response__respondent", "question__section__position", "question__position")
        .values_list(
            "response__respondent",
            "response__city__name",
            "response__submitted_at",
            "question__text",
            "option__label",
            "number",
            "not_applicable",
            "text",
        )
    )


def value_of(question: Question, rows: list[Answer]) -> dict:
    """The answer of `question` as the answering form hands it to the service
    (feedback/answering.py's docstring), rebuilt from the stored rows."""
    kind = question.kind
    other = next((row.text for row in rows if row.text and row.option_id), "")
    if kind == QuestionKind.SINGLE_CHOICE:
        return {"option": rows[0].option_id if rows else None, "other": other}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return {"options": [row.option_id for row in rows], "other": other}
    if kind in (QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT):
        row = rows[0]
        return {"number": row.number, "not_applicable": row.not_applicable}
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        return {"text": rows[0].text}
    if kind == QuestionKind.RANKING:
        return {"ranks": {row.option_id: row.number for row in rows}}
    return {"rows": {row.option_id: row.number for row in rows}}


@pytest.mark.django_db
def test_seed_scale_makes_the_survey_of_20_questions_in_the_busiest_cohort():
    seed(*SMALL, "--survey-responses", "40")

    survey = Survey.objects.get(template_key=SCALE_SURVEY_KEY)
    cohort = busiest_scale_cohort()
    assert survey.cohort == cohort
    assert survey.is_published and not survey.is_anonymous
    questions = list(Question.objects.filter(section__survey=survey))
    assert len(questions) == 20
    assert Counter(q.kind for q in questions) == {
        QuestionKind.SINGLE_CHOICE: 4,
        QuestionKind.MULTIPLE_CHOICE: 4,
        QuestionKind.RATING: 3,
        QuestionKind.SCALE_0_10: 2,
        QuestionKind.EXTENT: 2,
        QuestionKind.SHORT_TEXT: 2,
        QuestionKind.LONG_TEXT: 1,
        QuestionKind.RANKING: 1,
        QuestionKind.MATRIX: 1,
    }
    assert list(survey.sections.values_list("position", flat=True)) == [1, 2]
    assert Option.objects.filter(question__section__survey=survey, is_other=True).count() == 1
    responses = Response.objects.filter(survey=survey)
    assert responses.count() == 40
    assert responses.filter(status=ResponseStatus.SUBMITTED, user=None).count() == 40
    assert Answer.objects.filter(response__survey=survey).count() == 40 * 20
    # One answer row per question and response.
    per_pair = Counter(
        Answer.objects.filter(response__survey=survey).values_list("response_id", "question_id")
    )
    assert set(per_pair.values()) == {1}
    assert len(per_pair) == 40 * 20
    # Spread over the cohort's accepted cities, in turn.
    accepted = sorted(
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED).values_list(
            "city_id", flat=True
        )
    )
    cities = Counter(responses.values_list("city_id", flat=True))
    assert set(cities) == set(accepted[:40])
    assert max(cities.values()) - min(cities.values()) <= 1


@pytest.mark.django_db
def test_the_scale_answers_are_what_the_answering_service_stores():
    seed(*SMALL, "--survey-responses", "60")
    survey = Survey.objects.get(template_key=SCALE_SURVEY_KEY)
    structure = survey_structure(survey)
    answers: dict[tuple[int, int], list[Answer]] = {}
    for answer in Answer.objects.filter(response__survey=survey).order_by("pk"):
        answers.setdefault((answer.response_id, answer.question_id), []).append(answer)
    kinds_seen = Counter()

    for response_id in Response.objects.filter(survey=survey).values_list("pk", flat=True):
        for question in structure.questions:
            stored = answers[(response_id, question.pk)]
            rows, error = _validate(question, value_of(question, stored))
            assert error is None, (question.text, error)
            stored_values = [(a.option_id, a.number, a.not_applicable, a.text) for a in stored]
            assert [(a.option_id, a.number, a.not_applicable, a.text) for a in rows] == (
                stored_values
            )
            if stored[0].not_applicable or (stored[0].text and stored[0].option_id):
                kinds_seen[question.kind] += 1

    # The rarer forms occur: "Not applicable" on an extent scale, "Other" with its text.
    assert set(kinds_seen) == {QuestionKind.EXTENT, QuestionKind.SINGLE_CHOICE}
    results = survey_results(survey=survey)
    assert results.responses == 60
    assert [result.answered for result in results.questions] == [60] * 20


@pytest.mark.django_db
def test_seed_scale_survey_same_seed_same_rows_and_flush_removes_it():
    seed(*SMALL, "--survey-responses", "25", "--seed", "3")
    first = survey_rows(Survey.objects.get(template_key=SCALE_SURVEY_KEY))
    assert len(first) == 25 * 20

    seed(*SMALL, "--survey-responses", "25", "--seed", "3", "--flush")
    assert survey_rows(Survey.objects.get(template_key=SCALE_SURVEY_KEY)) == first
    seed(*SMALL, "--survey-responses", "25", "--seed", "4", "--flush")
    assert survey_rows(Survey.objects.get(template_key=SCALE_SURVEY_KEY)) != first

    scale_flush()
    assert not Survey.objects.exists()
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not scale_cohorts().exists()


@pytest.mark.django_db
def test_seed_scale_default_survey_has_two_responses_per_user_and_zero_means_none():
    seed("--cities", "50", "--users", "60", "--cohorts", "2")
    survey = Survey.objects.get(template_key=SCALE_SURVEY_KEY)
    assert survey.responses.count() == 120

    seed("--cities", "50", "--users", "60", "--cohorts", "2", "--survey-responses", "0", "--flush")
    assert not Survey.objects.exists()


@pytest.mark.django_db
def test_seed_scale_refuses_a_survey_size_out_of_range():
    with pytest.raises(CommandError, match="--survey-responses must be between 0 and 1000000"):
        seed(*SMALL, "--survey-responses", "-1")

    assert not scale_cohorts().exists()


@pytest.mark.django_db
def test_scale_survey_is_found_again_by_its_key_or_made_in_a_database_seeded_without_it():
    seed(*SMALL, "--survey-responses", "0")

    made = scale_survey(responses=15)
    assert made.cohort == busiest_scale_cohort()
    assert Answer.objects.filter(response__survey=made).count() == 15 * len(QUESTIONS)
    assert scale_survey(responses=999) == made
    assert Survey.objects.count() == 1
    assert scale_survey(responses=5, key="another").responses.count() == 5
