"""Feedback surveys (issue 11): the results page and its parts on a survey of 100,000 answers.

The scale data (seed_scale) has no survey, so the setup makes one, once: a named survey of the
busiest cohort with 20 questions of every kind and RESPONSES submitted responses of one answer
row per question (100,000 answer rows), written with bulk_create. It is found again by its
template key on later runs, so a run reuses it. The responses speak for the cohort's accepted
cities in turn (so the filters have something to select); each has its own respondent key.
"""

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, lead_facilitator
from benchmarks.bench_cold import COLD
from benchmarks.harness import benchmark, page, signed_in_client
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from feedback.enums import QuestionKind, ResponseStatus
from feedback.models import Answer, Option, Question, Response, Section, Survey

BENCH_KEY = "bench:results"
RESPONSES = 5_000
# 20 questions: (kind, how many of it).
KINDS = [
    (QuestionKind.SINGLE_CHOICE, 4),
    (QuestionKind.MULTIPLE_CHOICE, 4),
    (QuestionKind.RATING, 3),
    (QuestionKind.SCALE_0_10, 2),
    (QuestionKind.EXTENT, 2),
    (QuestionKind.SHORT_TEXT, 2),
    (QuestionKind.LONG_TEXT, 1),
    (QuestionKind.RANKING, 1),
    (QuestionKind.MATRIX, 1),
]
OPTIONS = 6
TEXTS = ["More site visits", "Shorter sessions", "Heat pumps", "Funding advice", "Data tools"]


def results_survey() -> Survey:
    """The benchmark survey, made the first time (module docstring)."""
    survey = Survey.objects.filter(template_key=BENCH_KEY).first()
    if survey is not None:
        return survey
    cohort = busiest_cohort()
    now = timezone.now()
    with transaction.atomic():
        survey = Survey.objects.create(
            title="Benchmark survey of 100,000 answers",
            scope="cohort",
            cohort=cohort,
            opens_at=now - timezone.timedelta(days=7),
            closes_at=now + timezone.timedelta(days=30),
            is_published=True,
            template_key=BENCH_KEY,
        )
        sections = Section.objects.bulk_create(
            [Section(survey=survey, position=n, title=f"Page {n}") for n in (1, 2)]
        )
        questions = []
        for kind, times in KINDS:
            for _ in range(times):
                position = len(questions) + 1
                questions.append(
                    Question(
                        section=sections[position > 10],
                        position=position,
                        kind=kind,
                        text=f"Question {position} ({kind})?",
                        allows_not_applicable=kind == QuestionKind.EXTENT,
                    )
                )
        questions = Question.objects.bulk_create(questions)
        options = {}
        for question in questions:
            if question.kind in {
                QuestionKind.SINGLE_CHOICE,
                QuestionKind.MULTIPLE_CHOICE,
                QuestionKind.RANKING,
                QuestionKind.MATRIX,
            }:
                options[question.pk] = Option.objects.bulk_create(
                    [
                        Option(question=question, position=n, label=f"Option {n}")
                        for n in range(1, OPTIONS + 1)
                    ]
                )
        cities = list(
            Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED)
            .order_by("city_id")
            .values_list("city_id", flat=True)
        )
        responses = Response.objects.bulk_create(
            [
                Response(
                    survey=survey,
                    city_id=cities[n % len(cities)] if cities else None,
                    respondent=f"bench:{n}",
                    status=ResponseStatus.SUBMITTED,
                    created_at=now,
                    updated_at=now,
                    submitted_at=now,
                )
                for n in range(RESPONSES)
            ],
            batch_size=1000,
        )
        answers = []
        for n, response in enumerate(responses):
            for index, question in enumerate(questions):
                answers.append(_answer(response, question, options.get(question.pk), n + index))
            if len(answers) >= 20_000:
                Answer.objects.bulk_create(answers, batch_size=5000)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=5000)
    return survey


def _answer(response, question, options, n: int) -> Answer:
    kind = question.kind
    answer = Answer(response=response, question=question)
    if options:
        answer.option = options[n % len(options)]
        if kind in {QuestionKind.RANKING, QuestionKind.MATRIX}:
            answer.number = n % 5 + 1
    elif kind == QuestionKind.SCALE_0_10:
        answer.number = n % 11
    elif kind == QuestionKind.EXTENT and n % 7 == 0:
        answer.not_applicable = True
    elif kind in {QuestionKind.RATING, QuestionKind.EXTENT}:
        answer.number = n % 5 + 1
    else:
        answer.text = f"{TEXTS[n % len(TEXTS)]} ({n})"
    return answer


def _lead(survey):
    return lead_facilitator(survey.cohort)


@benchmark("survey results: lead facilitator, 100,000 answers of 20 questions")
def results_page():
    survey = results_survey()
    return page(signed_in_client(_lead(survey)), reverse("survey_results", args=[survey.pk]))


@benchmark("survey results: lead facilitator, 100,000 answers, filtered by country")
def results_page_filtered():
    survey = results_survey()
    country_id = (
        Response.objects.filter(survey=survey, city__isnull=False)
        .values_list("city__country_id", flat=True)
        .first()
    )
    url = reverse("survey_results", args=[survey.pk]) + f"?country={country_id}"
    return page(signed_in_client(_lead(survey)), url)


@benchmark("survey results chart SVG: lead facilitator, a multiple-choice question")
def results_svg():
    survey = results_survey()
    question = Question.objects.filter(
        section__survey=survey, kind=QuestionKind.MULTIPLE_CHOICE
    ).first()
    url = reverse("survey_results_svg", args=[survey.pk, question.pk])
    return page(signed_in_client(_lead(survey)), url)


@benchmark("survey reminder confirmation: lead facilitator, busiest cohort")
def remind_page():
    survey = results_survey()
    return page(signed_in_client(_lead(survey)), reverse("survey_remind", args=[survey.pk]))


@benchmark(COLD + "survey results: lead facilitator, 100,000 answers of 20 questions")
def results_page_cold():
    """What the first reader after a new response waits for: every aggregation over the
    100,000 answers and the drawing of 20 charts (not held to 3x, as bench_cold's rows)."""
    warm = results_page()

    def run():
        cache.clear()
        return warm()

    return run
