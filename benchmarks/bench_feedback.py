"""Feedback surveys (issue 11). Each part adds its own rows here.

Building (feedback.views_builder): the surveys a facilitator builds, the new-survey form of a
programme admin (whose "About" lists every cohort and session), and the edit page and a
question form of a survey of three sections of nine questions (one of each kind), built once
through the services by the busiest cohort's lead facilitator and kept in the benchmark
database.
"""

import datetime

from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, lead_facilitator
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users
from feedback import building
from feedback.enums import QuestionKind, SurveyScope
from feedback.models import Question, Survey

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
