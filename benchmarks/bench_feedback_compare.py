"""Feedback surveys (issue 11): the comparison page (feedback.views_comparison).

The benchmark survey of bench_feedback (100,000 answers of 20 questions) side by side with a
second survey of the same key, made once: the same questions and options (matched by their
words, as questions a builder added are: the benchmark surveys are not template copies) and
SECOND_RESPONSES responses answered as bench_feedback's are.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_cold import COLD
from benchmarks.bench_feedback import BENCH_KEY, _answer, _lead, results_survey
from benchmarks.harness import benchmark, page, signed_in_client
from feedback.enums import ResponseStatus
from feedback.models import Answer, Option, Question, Response, Section, Survey

SECOND_TITLE = "Benchmark survey compared"
SECOND_RESPONSES = 1_000


def second_survey(first: Survey) -> Survey:
    """The second survey of the benchmark's key (made on the first run)."""
    survey = Survey.objects.filter(template_key=BENCH_KEY, title=SECOND_TITLE).first()
    if survey is not None:
        return survey
    now = timezone.now()
    with transaction.atomic():
        survey = Survey.objects.create(
            title=SECOND_TITLE,
            scope="cohort",
            cohort=first.cohort,
            opens_at=now - timezone.timedelta(days=60),
            closes_at=now - timezone.timedelta(days=30),
            is_published=True,
            template_key=BENCH_KEY,
        )
        sections = {}
        for section in first.sections.order_by("position"):
            sections[section.pk] = Section.objects.create(
                survey=survey, position=section.position, title=section.title
            )
        questions, options = [], {}
        for question in Question.objects.filter(section__survey=first).order_by("pk"):
            copy = Question.objects.create(
                section=sections[question.section_id],
                position=question.position,
                kind=question.kind,
                text=question.text,
                allows_not_applicable=question.allows_not_applicable,
            )
            questions.append(copy)
            labels = list(question.options.order_by("position").values_list("label", flat=True))
            if labels:
                options[copy.pk] = Option.objects.bulk_create(
                    [
                        Option(question=copy, position=n, label=label)
                        for n, label in enumerate(labels, start=1)
                    ]
                )
        responses = Response.objects.bulk_create(
            [
                Response(
                    survey=survey,
                    respondent=f"bench-compare:{n}",
                    status=ResponseStatus.SUBMITTED,
                    created_at=now,
                    updated_at=now,
                    submitted_at=now,
                )
                for n in range(SECOND_RESPONSES)
            ],
            batch_size=1000,
        )
        Answer.objects.bulk_create(
            [
                # Shifted by 3 from the first survey's answers: other figures.
                _answer(response, question, options.get(question.pk), n + index + 3)
                for n, response in enumerate(responses)
                for index, question in enumerate(questions)
            ],
            batch_size=5000,
        )
    return survey


def _url(first: Survey, second: Survey) -> str:
    return reverse("survey_compare") + f"?survey={first.pk}&survey={second.pk}"


@benchmark("survey comparison: lead facilitator, 100,000 answers beside 20,000")
def compare_page():
    first = results_survey()
    second = second_survey(first)
    return page(signed_in_client(_lead(first)), _url(first, second))


@benchmark(COLD + "survey comparison: lead facilitator, 100,000 answers beside 20,000")
def compare_page_cold():
    """What the first reader after a new response waits for: both surveys' aggregations and
    the drawing of their charts (not held to 3x, as bench_cold's rows)."""
    warm = compare_page()

    def run():
        from django.core.cache import cache

        cache.clear()
        return warm()

    return run
