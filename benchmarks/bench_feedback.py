"""Feedback surveys (issue 11). Each part adds its own rows here.

Building (feedback.views_builder): the surveys a facilitator builds, the new-survey form of a
programme admin (whose "About" lists every cohort and session), and the edit page and a
question form of a survey of three sections of nine questions (one of each kind), built once
through the services by the busiest cohort's lead facilitator and kept in the benchmark
database.

Results (feedback.views_results): the results page and its parts on a survey of 100,000
answers. The scale data (seed_scale) has no survey, so the setup makes one, once: a named survey
of the busiest cohort with 20 questions of every kind and RESPONSES submitted responses of one
answer row per question (100,000 answer rows), written with bulk_create. It is found again by
its template key on later runs. The responses speak for the cohort's accepted cities in turn (so
the filters have something to select); each has its own respondent key.
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, lead_facilitator
from benchmarks.bench_cold import COLD
from benchmarks.harness import benchmark, page, signed_in_client
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from devdata.scale import scale_users
from feedback import building
from feedback.enums import QuestionKind, ResponseStatus, SurveyScope
from feedback.models import Answer, Option, Question, Response, Section, Survey

BUILT_TITLE = "Benchmark: a survey of every kind"
SECTIONS, PER_SECTION = 3, 9


def built_survey():
    """The busiest cohort's survey of 27 questions (made on the first run)."""
    cohort = busiest_cohort()
    lead = lead_facilitator(cohort)
    survey = Survey.objects.filter(title=BUILT_TITLE, cohort=cohort).first()
    if survey is not None:
        return survey, lead
    now = timezone.now()
    survey = building.survey_create(
        acting_user=lead,
        title=BUILT_TITLE,
        attachment=building.Attachment(scope=SurveyScope.COHORT, cohort=cohort),
        opens_at=now,
        closes_at=now + datetime.timedelta(days=3650),
    )
    labels = ["1", "2", "3", "4", "5"]
    for number in range(SECTIONS):
        section = (
            survey.sections.get()
            if number == 0
            else building.section_add(survey=survey, acting_user=lead, title=f"Part {number}")
        )
        for kind in list(QuestionKind)[:PER_SECTION]:
            building.question_add(
                section=section,
                acting_user=lead,
                data=building.QuestionInput(
                    kind=kind,
                    text=f"{kind.label} {number}?",
                    options=["First", "Second", "Third", "Fourth"],
                    scale_labels=labels,
                ),
            )
    return survey, lead


@benchmark("survey builder list: lead facilitator, busiest cohort")
def survey_build_list():
    _survey, lead = built_survey()
    return page(signed_in_client(lead), "/surveys/")


@benchmark("new survey form: programme admin (every cohort and session)")
def survey_build_new():
    admin = scale_users().filter(is_programme_admin=True).order_by("email").first()
    return page(signed_in_client(admin), "/surveys/new/")


@benchmark("survey edit page: lead facilitator, 3 sections of 9 questions")
def survey_build_edit():
    survey, lead = built_survey()
    return page(signed_in_client(lead), f"/surveys/{survey.pk}/edit/")


@benchmark("question form: lead facilitator, last question of 27")
def survey_build_question():
    survey, lead = built_survey()
    question = Question.objects.filter(section__survey=survey).order_by(
        "-section__position", "-position"
    )[0]
    return page(signed_in_client(lead), f"/surveys/{survey.pk}/questions/{question.pk}/edit/")


# --- Results -------------------------------------------------------------------------------------

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
    # The first made: the comparison benchmark (bench_feedback_compare) makes a second.
    survey = Survey.objects.filter(template_key=BENCH_KEY).order_by("pk").first()
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
