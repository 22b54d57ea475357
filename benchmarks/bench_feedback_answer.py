"""Feedback surveys (issue 11). Answering: the survey's introduction and a page of it, for the
officer with the most enrolments, on a published survey of one of their cohorts with two pages
of ten questions of every kind, and a draft with page 1 answered.

The scale data has no survey of its own yet: the setup makes this one (once; found again by
its title on later runs), through the answering service for the draft.
"""

import datetime

from django.utils import timezone

from benchmarks.bench_cohorts import busiest_officer
from benchmarks.harness import benchmark, page, signed_in_client
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from feedback import answering
from feedback.enums import QuestionKind
from feedback.models import Option, Question, Section, Survey

ANSWERING_TITLE = "Benchmark: answering (two pages of ten questions)"
_KINDS = [
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.RATING,
    QuestionKind.SCALE_0_10,
    QuestionKind.EXTENT,
    QuestionKind.SHORT_TEXT,
    QuestionKind.LONG_TEXT,
    QuestionKind.RANKING,
    QuestionKind.MATRIX,
    QuestionKind.SINGLE_CHOICE,
]


def answering_survey():
    """The survey and the officer who answers it."""
    officer = busiest_officer()
    survey = Survey.objects.filter(title=ANSWERING_TITLE).first()
    if survey is not None:
        return survey, officer
    enrolment = (
        Enrolment.objects.filter(city__memberships__user=officer, status=EnrolmentStatus.ACCEPTED)
        .order_by("pk")
        .first()
    )
    now = timezone.now()
    survey = Survey.objects.create(
        title=ANSWERING_TITLE,
        scope="cohort",
        cohort_id=enrolment.cohort_id,
        opens_at=now - datetime.timedelta(days=1),
        # Open for years: the benchmark database is kept and run again.
        closes_at=now + datetime.timedelta(days=3650),
        is_published=True,
    )
    data = {}
    for position in (1, 2):
        section = Section.objects.create(survey=survey, position=position, title=f"Page {position}")
        for index, kind in enumerate(_KINDS, start=1):
            question = Question.objects.create(
                section=section,
                position=index,
                kind=kind,
                text=f"Question {position}.{index}",
                is_required=index == 1,
                allows_not_applicable=kind == QuestionKind.EXTENT,
            )
            options = [
                Option.objects.create(question=question, position=n, label=f"Option {n}")
                for n in range(1, 6)
            ]
            if position == 1:
                data[question.pk] = {
                    QuestionKind.SINGLE_CHOICE: {"option": options[0].pk},
                    QuestionKind.MULTIPLE_CHOICE: {"options": [o.pk for o in options[:3]]},
                    QuestionKind.RATING: {"number": 4},
                    QuestionKind.SCALE_0_10: {"number": 8},
                    QuestionKind.EXTENT: {"not_applicable": True},
                    QuestionKind.SHORT_TEXT: {"text": "Short"},
                    QuestionKind.LONG_TEXT: {"text": "Longer text. " * 40},
                    QuestionKind.RANKING: {"ranks": {o.pk: n for n, o in enumerate(options, 1)}},
                    QuestionKind.MATRIX: {"rows": {o.pk: 3 for o in options}},
                }[kind]
    response = answering.response_for(survey=survey, acting_user=officer)
    answering.response_page_save(
        response=response, section=survey.sections.get(position=1), data=data, acting_user=officer
    )
    return survey, officer


@benchmark("survey introduction: officer with a draft")
def survey_intro_officer():
    survey, officer = answering_survey()
    return page(signed_in_client(officer), f"/surveys/{survey.pk}/")


@benchmark("survey page: officer, page 1 of 2 with a draft, ten questions")
def survey_page_officer():
    survey, officer = answering_survey()
    return page(signed_in_client(officer), f"/surveys/{survey.pk}/answer/1/")
