"""A published needs assessment (004 Annex 2), copied from the ready template and answered once
per city by the officers of the cities enrolled in its cohort, through the answering services
as the pages call them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from feedback import answering
from feedback.enums import ResponseUnit
from feedback.models import Option, Question, Section, Survey
from feedback.survey_templates import NEEDS_ASSESSMENT, survey_from_template
from tests import factories


@dataclass
class NeedsWorld:
    cohort: object
    facilitator: object
    survey: Survey


def needs_survey(cohort, facilitator, **fields) -> Survey:
    now = timezone.now()
    survey = survey_from_template(
        template_key=NEEDS_ASSESSMENT,
        target=cohort,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=14),
        is_anonymous=fields.pop("is_anonymous", False),
        response_unit=fields.pop("response_unit", ResponseUnit.CITY),
        acting_user=facilitator,
    )
    survey.is_published = True
    survey.save(update_fields=["is_published"])
    return survey


def question(survey, key) -> Question:
    return Question.objects.get(section__survey=survey, template_key=key)


def option(survey, key, label) -> Option:
    return Option.objects.get(question=question(survey, key), label=label)


def answer(survey, officer, city, choices: dict, *, submit=True):
    """The city's response: `choices` maps a template question key to the option labels chosen
    (a single choice: one). Saved page by page, then submitted."""
    response = answering.response_for(survey=survey, acting_user=officer, city=city)
    by_section = {}
    for key, labels in choices.items():
        found = question(survey, key)
        ids = [option(survey, key, label).pk for label in labels]
        value = (
            {"options": ids} if found.kind == "multiple" else {"option": ids[0] if ids else None}
        )
        by_section.setdefault(found.section_id, {})[found.pk] = value
    for section_id, data in by_section.items():
        answering.response_page_save(
            response=response,
            section=Section.objects.get(pk=section_id),
            data=data,
            acting_user=officer,
        )
    if submit:
        response = answering.response_submit(response=response, acting_user=officer)
    return response


def enrolled_officer(cohort, name):
    city = factories.CityFactory(name=name)
    factories.enrolment_accepted(cohort=cohort, city=city)
    officer = factories.city_officer(city=city, email=f"officer@{name.lower()}.example")
    return city, officer
