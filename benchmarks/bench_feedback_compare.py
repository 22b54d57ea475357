"""Feedback surveys (issue 11): the comparison page (feedback.views_comparison).

The seed_scale survey of bench_feedback (100,000 responses of 20 questions, 2,000,000 answers)
side by side with a second survey of the same key, made once by the same generator with another
seed: the same questions and options (matched by their words, as questions a builder added
are: the scale surveys are not template copies) and SECOND_RESPONSES responses.
"""

from django.db import transaction
from django.urls import reverse

from benchmarks.bench_cold import COLD
from benchmarks.bench_feedback import _lead, results_survey
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale_surveys import survey_generate
from feedback.models import Survey

SECOND_TITLE = "Benchmark survey compared"
SECOND_RESPONSES = 1_000


def second_survey(first: Survey) -> Survey:
    """The second survey of the first's key (made on the first run)."""
    survey = Survey.objects.filter(template_key=first.template_key, title=SECOND_TITLE).first()
    if survey is not None:
        return survey
    with transaction.atomic():
        survey = survey_generate(
            cohort=first.cohort, responses=SECOND_RESPONSES, key=first.template_key, seed=2
        )
        survey.title = SECOND_TITLE
        survey.save(update_fields=["title"])
    return survey


def _url(first: Survey, second: Survey) -> str:
    return reverse("survey_compare") + f"?survey={first.pk}&survey={second.pk}"


@benchmark("survey comparison: lead facilitator, 2,000,000 answers beside 20,000")
def compare_page():
    first = results_survey()
    second = second_survey(first)
    return page(signed_in_client(_lead(first)), _url(first, second))


@benchmark(COLD + "survey comparison: lead facilitator, 2,000,000 answers beside 20,000")
def compare_page_cold():
    """What the first reader after a new response waits for: both surveys' aggregations and
    the drawing of their charts (not held to 3x, as bench_cold's rows)."""
    warm = compare_page()

    def run():
        from django.core.cache import cache

        cache.clear()
        return warm()

    return run
