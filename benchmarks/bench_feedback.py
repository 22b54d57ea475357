"""Feedback surveys (issue 11). Each part adds its own rows here.

Building (feedback.views_builder): the surveys a facilitator builds, the new-survey form of a
programme admin (whose "About" lists every cohort and session), and the edit page and a
question form of a survey of three sections of nine questions (one of each kind), built once
through the services by the busiest cohort's lead facilitator and kept in the benchmark
database.

Results (feedback.views_results): the results page and its parts on the scale data's survey
(devdata/scale_surveys.py): the busiest cohort's named survey of 20 questions of every kind with
100,000 submitted responses, one answer row per question (2,000,000 answers), speaking for the
cohort's accepted cities in turn (so the filters have something to select).
"""

import datetime

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, lead_facilitator
from benchmarks.bench_cold import COLD
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users
from devdata.scale_surveys import scale_survey
from feedback import building
from feedback.enums import QuestionKind, SurveyScope
from feedback.models import Question, Response, Survey

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

# The scale survey's size (devdata/scale_surveys.py: seed_scale makes it with two responses per
# user, 100,000 at the default size); a benchmark database seeded before it existed gets it
# made once, at this size.
RESPONSES = 100_000


def results_survey() -> Survey:
    """The seed_scale survey of 100,000 responses of 20 questions (2,000,000 answers)."""
    return scale_survey(responses=RESPONSES)


def _lead(survey):
    return lead_facilitator(survey.cohort)


@benchmark("survey results: lead facilitator, 100,000 responses of 20 questions")
def results_page():
    survey = results_survey()
    return page(signed_in_client(_lead(survey)), reverse("survey_results", args=[survey.pk]))


@benchmark("survey results: lead facilitator, 100,000 responses, filtered by country")
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


@benchmark(COLD + "survey results: lead facilitator, 100,000 responses of 20 questions")
def results_page_cold():
    """What the first reader after a new response waits for: every aggregation over the
    2,000,000 answers and the drawing of 20 charts (not held to 3x, as bench_cold's rows)."""
    warm = results_page()

    def run():
        cache.clear()
        return warm()

    return run
