"""A small world for the results tests: a cohort of three cities with an officer each, in two
countries and two thematic groups, and a survey with a question of every kind."""

from dataclasses import dataclass, field

from django.utils import timezone

from cohorts.enums import EnrolmentStatus
from feedback.enums import QuestionKind, ResponseStatus
from feedback.models import Answer, Question, Response, Survey
from tests import factories


@dataclass
class ResultsWorld:
    cohort: object
    facilitator: object
    cities: dict
    officers: dict
    groups: dict
    survey: Survey
    questions: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)


def build(*, anonymous=False, min_responses=3, unit="person") -> ResultsWorld:
    cohort = factories.CohortFactory()
    facilitator = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(facilitator)
    pt = factories.CountryFactory(iso_code="PT")
    de = factories.CountryFactory(iso_code="DE")
    cities = {
        "lisboa": factories.CityFactory(name="Lisboa", country=pt, is_mission_city=True),
        "porto": factories.CityFactory(name="Porto", country=pt, is_twin_city=True),
        "berlin": factories.CityFactory(name="Berlin", country=de, is_pilot_city=True),
    }
    groups = {
        "energy": factories.ThematicGroupFactory(cohort=cohort),
        "mobility": factories.ThematicGroupFactory(cohort=cohort),
    }
    officers = {}
    for name, city in cities.items():
        officers[name] = factories.UserFactory(full_name=f"Officer of {city.name}")
        factories.CityMembershipFactory(city=city, user=officers[name])
        enrolment = factories.EnrolmentFactory(
            cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED
        )
        group = groups["mobility" if name == "berlin" else "energy"]
        factories.EnrolmentGroupFactory(enrolment=enrolment, thematic_group=group)
    survey = factories.SurveyFactory(
        cohort=cohort,
        is_published=True,
        is_anonymous=anonymous,
        min_responses=min_responses,
        response_unit=unit,
        created_by=facilitator,
    )
    world = ResultsWorld(cohort, facilitator, cities, officers, groups, survey)
    section = factories.SectionFactory(survey=survey, position=1)
    kinds = [
        ("single", QuestionKind.SINGLE_CHOICE, ["Yes", "No", "Other"]),
        ("multiple", QuestionKind.MULTIPLE_CHOICE, ["Funding", "Data", "Skills", "Legal"]),
        ("rating", QuestionKind.RATING, []),
        ("scale", QuestionKind.SCALE_0_10, []),
        ("extent", QuestionKind.EXTENT, []),
        ("short", QuestionKind.SHORT_TEXT, []),
        ("long", QuestionKind.LONG_TEXT, []),
        ("ranking", QuestionKind.RANKING, ["Heat", "Transport", "Waste"]),
        ("matrix", QuestionKind.MATRIX, ["Format", "Content"]),
    ]
    for position, (key, kind, labels) in enumerate(kinds, start=1):
        question = factories.QuestionFactory(
            section=section,
            position=position,
            kind=kind,
            text=f"Question {key}?",
            allows_not_applicable=kind == QuestionKind.EXTENT,
        )
        world.questions[key] = question
        for index, label in enumerate(labels, start=1):
            world.options[(key, label)] = factories.OptionFactory(
                question=question, position=index, label=label, is_other=label == "Other"
            )
    return world


def respond(
    world: ResultsWorld, who: str | None, answers: dict, *, status=ResponseStatus.SUBMITTED
):
    """A response (by the officer `who`, for their city; None: anonymous, submitted) with
    `answers`: question key -> option label(s), number(s), text or (option label, text)."""
    survey = world.survey
    if survey.is_anonymous and status == ResponseStatus.SUBMITTED:
        response = Response.objects.create(survey=survey, status=status)
    else:
        user, city = world.officers[who], world.cities[who]
        response = Response.objects.create(
            survey=survey,
            user=user,
            city=city,
            respondent=f"person:{user.pk}"
            if survey.response_unit == "person"
            else f"city:{city.pk}",
            status=status,
            created_at=timezone.now(),
            updated_at=timezone.now(),
            submitted_at=timezone.now() if status == ResponseStatus.SUBMITTED else None,
        )
    for key, value in answers.items():
        question: Question = world.questions[key]
        rows = []
        if key in {"single", "multiple"}:
            for label in [value] if isinstance(value, str | tuple) else value:
                text = ""
                if isinstance(label, tuple):
                    label, text = label
                rows.append(Answer(option=world.options[(key, label)], text=text))
        elif key in {"rating", "scale"}:
            rows.append(Answer(number=value))
        elif key == "extent":
            rows.append(
                Answer(number=None, not_applicable=True) if value == "na" else Answer(number=value)
            )
        elif key in {"short", "long"}:
            rows.append(Answer(text=value))
        elif key == "ranking":
            rows = [
                Answer(option=world.options[(key, label)], number=rank)
                for rank, label in enumerate(value, start=1)
            ]
        elif key == "matrix":
            rows = [
                Answer(option=world.options[(key, label)], number=n) for label, n in value.items()
            ]
        for row in rows:
            row.response, row.question = response, question
        Answer.objects.bulk_create(rows)
    return response
