"""Answering a feedback survey (issue 11): start or resume one's draft, save it page by page,
submit it; and tell the people asked when a survey is published.

The answers of a page come to `response_page_save` as a dict by question id (the views parse
the form into it, feedback/forms_answer.py), one value per kind (feedback.enums.QuestionKind):

- single choice: {"option": <option id> or None, "other": "<text>"}
- multiple choice: {"options": [<option id>, ...], "other": "<text>"}
- rating, 0-10 scale, extent: {"number": <int> or None, "not_applicable": bool}
- short and long text: {"text": "<text>"}
- ranking: {"ranks": {<option id>: <rank>, ...}} (options left out are not ranked)
- matrix: {"rows": {<row option id>: <point>, ...}}

A question missing from the dict has no answer on that page.

Decisions:
- A named survey stays editable until it closes. Saving a page of a submitted response turns
  it back into a draft: it must be submitted again (which checks it whole again) to count, so
  a change never leaves a counted response with a required question unanswered. The pages say
  so before one saves.
- A page is stored whole or not at all: one bad answer refuses the page, with a message at
  each question at fault, and the answers saved before (this page's and the others') stay.
- Display conditions are read from the answers stored and those of the page being saved: a
  question whose condition is not met is neither required nor kept (its answers are dropped
  when the page is saved and again when the response is submitted, since an earlier answer
  may have changed since).
- An anonymous survey's draft is its writer's (so that it resumes elsewhere); submitting
  clears every trace of who and when from the response and records the Participation instead,
  in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cities.models import CityMembership
from feedback import needs_prefill
from feedback.enums import (
    CHOICE_KINDS,
    SCALE_POINTS,
    TEXT_KINDS,
    QuestionKind,
    ResponseStatus,
    ResponseUnit,
    SurveyScope,
)
from feedback.models import Answer, Option, Participation, Question, Response, Section, Survey
from feedback.results import asked_cities, asked_people
from feedback.selectors import responses_of, structure_scope
from notifications.services import notify
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, versions
from portal.links import site_url
from portal.permissions import permission_check
from portal.text import LONG_TEXT_MAX
from sessions.models import Registration

ANSWER_PERM = "feedback.answer_survey"


class AnswersInvalid(ApplicationError):
    """Some answers of a page are refused: `errors` holds the message of each question by its
    id, `message` all of them."""

    def __init__(self, errors: dict[int, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()), field=f"q{next(iter(errors))}")


class ResponseIncomplete(ApplicationError):
    """Required questions are unanswered: `questions` lists them, in the survey's order."""

    def __init__(self, questions: list[Question]):
        self.questions = questions
        names = "; ".join(f"“{question.text}”" for question in questions)
        super().__init__(
            _("Answer these questions before you submit: %(questions)s.") % {"questions": names},
            code="incomplete",
        )


def respondent_key(*, user=None, city=None) -> str:
    """Whose one response a response is (Response.respondent)."""
    if city is not None:
        return f"city:{city.pk}"
    return f"person:{user.pk}"


# --- the survey's structure ------------------------------------------------------------------


@dataclass
class Structure:
    """A survey's sections, questions and options, read in three queries."""

    sections: list[Section]
    questions: list[Question]
    by_section: dict[int, list[Question]] = field(default_factory=dict)
    options: dict[int, list[Option]] = field(default_factory=dict)

    def section_at(self, page: int) -> Section | None:
        return next((s for s in self.sections if s.position == page), None)

    def page_number(self, section: Section) -> int:
        return self.sections.index(section) + 1


def survey_structure(
    survey: Survey, *, page: int | None = None, version: str | None = None
) -> Structure:
    """`page`: only that page's questions get their options (a page shows only its own; the
    others' are needed by no page), else every question's. `version`: the structure's version
    when the caller read it with others in one query (portal.fragments.version_map).

    Kept in the cache under the survey's structure version (feedback/versions.py: raised by
    any change to its sections, questions and options): one query instead of three, and no
    model to build, on each page of a survey that many people answer."""
    version = version or versions(structure_scope(survey.pk))
    key = f"feedback:structure:{survey.pk}:{page}:{version}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    structure = _structure_read(survey, page=page)
    cache.set(key, structure, TIMEOUT_SECONDS)
    return structure


def _structure_read(survey: Survey, *, page: int | None) -> Structure:
    sections = list(Section.objects.filter(survey=survey).order_by("position"))
    questions = list(
        Question.objects.filter(section__survey=survey)
        .select_related("shown_if")
        .order_by("section__position", "position")
    )
    options: dict[int, list[Option]] = {}
    chosen = Option.objects.filter(question__section__survey=survey)
    if page is not None:
        if not 1 <= page <= len(sections):
            chosen = chosen.none()
        else:
            chosen = Option.objects.filter(question__section=sections[page - 1])
    for option in chosen.order_by("question", "position"):
        options.setdefault(option.question_id, []).append(option)
    by_section: dict[int, list[Question]] = {section.pk: [] for section in sections}
    for question in questions:
        question.option_list = options.get(question.pk, [])
        by_section.setdefault(question.section_id, []).append(question)
    return Structure(sections, questions, by_section, options)


def is_shown(question: Question, chosen: set[int]) -> bool:
    """Whether a question is asked, given the options chosen (its display condition)."""
    return question.shown_if_id is None or question.shown_if_id in chosen


def chosen_options(answers) -> set[int]:
    return {answer.option_id for answer in answers if answer.option_id is not None}


# --- checks ----------------------------------------------------------------------------------


def _check_open(survey: Survey, now=None) -> None:
    now = now or timezone.now()
    if now < survey.opens_at:
        raise ApplicationError(
            _("This survey opens on %(date)s.")
            % {"date": date_format(timezone.localtime(survey.opens_at), "DATETIME_FORMAT")},
            code="not_open",
        )
    if now >= survey.closes_at:
        raise ApplicationError(
            _("This survey closed on %(date)s: answers are no longer taken.")
            % {"date": date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")},
            code="closed",
        )


def _officer_city_ids(user) -> set[int]:
    return set(CityMembership.objects.filter(user=user).values_list("city_id", flat=True))


def _check_writer(response: Response, acting_user) -> None:
    """The response is the acting person's own, or their city's."""
    if response.respondent == respondent_key(user=acting_user):
        return
    # A city's response is its officers'; a person's response names a city without being it.
    if (
        response.city_id is not None
        and response.respondent == f"city:{response.city_id}"
        and response.city_id in _officer_city_ids(acting_user)
    ):
        return
    raise ApplicationError(_("This response is not yours to change."), code="not_yours")


def _city_spoken_for(survey: Survey, user):
    """The city a person's named response speaks for: the first (by name) of their cities that
    the survey asks, or, for a session's survey, the city they were registered for; None when
    they answer for no city (a guest registered without one)."""
    city = asked_cities(survey).filter(memberships__user=user).order_by("name", "pk").first()
    if city is None and survey.scope == SurveyScope.SESSION:
        registration = (
            Registration.objects.filter(session=survey.session_id, email__iexact=user.email)
            .select_related("city")
            .order_by("pk")
            .first()
        )
        city = registration.city if registration is not None else None
    return city


# --- services --------------------------------------------------------------------------------


def response_for(*, survey: Survey, acting_user, city=None) -> Response:
    """The acting person's response to the survey (their city's, for a survey answered per
    city): the draft they began, the named response they submitted (editable until the survey
    closes), or a new draft."""
    permission_check(acting_user, ANSWER_PERM, survey)
    _check_open(survey)
    if survey.response_unit == ResponseUnit.CITY:
        if city is None or city.pk not in _officer_city_ids(acting_user):
            raise ApplicationError(
                _("Choose one of your cities: this survey takes one response per city."),
                field="city",
            )
        if not city_ids_asked(survey, [city.pk]):
            raise ApplicationError(
                _("%(city)s is not one of the cities this survey asks.") % {"city": city.name},
                field="city",
            )
        key = respondent_key(city=city)
    else:
        # A named response speaks for its writer's city (the results' filters, texts and
        # exports name it); an anonymous one never keeps a city.
        city = None if survey.is_anonymous else _city_spoken_for(survey, acting_user)
        key = respondent_key(user=acting_user)
    if (
        survey.is_anonymous
        and Participation.objects.filter(survey=survey, user=acting_user).exists()
    ):
        raise ApplicationError(
            _("You have already answered this anonymous survey."), code="already_answered"
        )
    response = responses_of(survey, [key]).first()
    if response is not None:
        return response
    now = timezone.now()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                user=acting_user,
                city=city,
                respondent=key,
                created_at=now,
                updated_at=now,
            )
            if city is not None and needs_prefill.reuses(survey):
                # A city's needs assessment starts from what the portal knows of it.
                needs_prefill.response_prefill(response=response, city=city)
            return response
    except IntegrityError:
        # Begun at the same moment in another tab or by another officer of the city.
        return responses_of(survey, [key]).get()


def _validate(question: Question, value: dict) -> tuple[list[Answer], str | None]:
    """The answer rows of one question, or the message saying what is wrong."""
    options = {option.pk: option for option in question.option_list}
    kind = question.kind
    rows: list[Answer] = []
    other = (value.get("other") or "").strip()
    if kind in CHOICE_KINDS:
        if kind == QuestionKind.SINGLE_CHOICE:
            ids = [value["option"]] if value.get("option") is not None else []
        else:
            ids = list(dict.fromkeys(value.get("options") or []))
        if any(option_id not in options for option_id in ids):
            return [], _("“%(q)s”: choose one of the options offered.") % {"q": question.text}
        if question.max_choices and len(ids) > question.max_choices:
            return [], _("“%(q)s”: choose at most %(n)d options.") % {
                "q": question.text,
                "n": question.max_choices,
            }
        chose_other = any(options[option_id].is_other for option_id in ids)
        if other and not chose_other:
            return [], _("“%(q)s”: choose “Other” to write your own answer.") % {"q": question.text}
        if len(other) > LONG_TEXT_MAX:
            return [], _("“%(q)s”: the text is too long.") % {"q": question.text}
        rows = [
            Answer(option_id=option_id, text=other if options[option_id].is_other else "")
            for option_id in ids
        ]
    elif kind in (QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT):
        number = value.get("number")
        if value.get("not_applicable"):
            if kind != QuestionKind.EXTENT or not question.allows_not_applicable:
                return [], _("“%(q)s”: “Not applicable” is not offered.") % {"q": question.text}
            rows = [Answer(not_applicable=True)]
        elif number is not None:
            if number not in SCALE_POINTS[kind]:
                points = SCALE_POINTS[kind]
                return [], _("“%(q)s”: choose a point from %(low)d to %(high)d.") % {
                    "q": question.text,
                    "low": points[0],
                    "high": points[-1],
                }
            rows = [Answer(number=number)]
    elif kind in TEXT_KINDS:
        text = (value.get("text") or "").strip()
        limit = question.max_length or LONG_TEXT_MAX
        if len(text) > limit:
            return [], _("“%(q)s”: at most %(n)d characters (you wrote %(m)d).") % {
                "q": question.text,
                "n": limit,
                "m": len(text),
            }
        if text:
            rows = [Answer(text=text)]
    elif kind == QuestionKind.RANKING:
        ranks = value.get("ranks") or {}
        if any(option_id not in options for option_id in ranks):
            return [], _("“%(q)s”: rank only the options offered.") % {"q": question.text}
        numbers = list(ranks.values())
        if any(n not in range(1, len(options) + 1) for n in numbers):
            return [], _("“%(q)s”: ranks go from 1 to %(n)d.") % {
                "q": question.text,
                "n": len(options),
            }
        if len(set(numbers)) != len(numbers):
            return [], _("“%(q)s”: give each rank to one option only.") % {"q": question.text}
        rows = [Answer(option_id=option_id, number=rank) for option_id, rank in ranks.items()]
    elif kind == QuestionKind.MATRIX:
        answered = value.get("rows") or {}
        if any(option_id not in options for option_id in answered):
            return [], _("“%(q)s”: answer only the rows of this question.") % {"q": question.text}
        if any(point not in SCALE_POINTS[kind] for point in answered.values()):
            points = SCALE_POINTS[kind]
            return [], _("“%(q)s”: choose a point from %(low)d to %(high)d.") % {
                "q": question.text,
                "low": points[0],
                "high": points[-1],
            }
        rows = [Answer(option_id=option_id, number=point) for option_id, point in answered.items()]
    for row in rows:
        row.question = question
    return rows, None


def response_page_save(
    *,
    response: Response,
    section: Section,
    data: dict,
    acting_user,
    structure=None,
    resume_at: int | None = None,
) -> Response:
    """Store the answers of one page of the response (the module's docstring says how).
    `resume_at`: the page to resume at (the next one, when the person moves on); else this
    one."""
    survey = response.survey
    permission_check(acting_user, ANSWER_PERM, survey)
    _check_writer(response, acting_user)
    _check_open(survey)
    if section.survey_id != survey.pk:
        raise ApplicationError(_("This page is not part of the survey."), code="wrong_page")
    structure = structure or survey_structure(survey)
    questions = structure.by_section.get(section.pk, [])
    ids = {question.pk for question in questions}
    if set(data) - ids:
        raise ApplicationError(
            _("Some answers are for questions of another page: reload the page."),
            code="wrong_question",
        )
    rows: list[Answer] = []
    errors: dict[int, str] = {}
    page_rows: dict[int, list[Answer]] = {}
    for question in questions:
        if question.pk in data:
            page_rows[question.pk], error = _validate(question, data[question.pk])
            if error:
                errors[question.pk] = error
    if errors:
        raise AnswersInvalid(errors)
    with transaction.atomic():
        response = Response.objects.select_for_update().select_related("survey").get(pk=response.pk)
        if response.status == ResponseStatus.SUBMITTED and survey.is_anonymous:
            raise ApplicationError(_("This response is already submitted."), code="submitted")
        others = Answer.objects.filter(response=response).exclude(question_id__in=ids)
        chosen = chosen_options(others) | {
            row.option_id for group in page_rows.values() for row in group if row.option_id
        }
        for question in questions:
            # A question of this page that depends on an option of this page or an earlier one.
            if is_shown(question, chosen):
                rows += page_rows.get(question.pk, [])
        Answer.objects.filter(response=response, question_id__in=ids).delete()
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
        response.page = resume_at or structure.page_number(section)
        response.updated_at = timezone.now()
        fields = ["page", "updated_at"]
        if response.status == ResponseStatus.SUBMITTED:
            # A named response edited after submission: submitted again to count (docstring).
            response.status = ResponseStatus.DRAFT
            fields.append("status")
        response.save(update_fields=fields)
    return response


def missing_questions(structure: Structure, answers: list[Answer]) -> list[Question]:
    """The required questions shown that have no answer, in the survey's order."""
    chosen = chosen_options(answers)
    answered = {answer.question_id for answer in answers}
    return [
        question
        for question in structure.questions
        if question.is_required and is_shown(question, chosen) and question.pk not in answered
    ]


def response_submit(*, response: Response, acting_user) -> Response:
    """Submit the response once everything asked is answered (ResponseIncomplete lists what is
    not). Two submissions at once: the second waits for the first's lock and is refused."""
    survey = response.survey
    permission_check(acting_user, ANSWER_PERM, survey)
    structure = survey_structure(survey)
    with transaction.atomic():
        response = (
            Response.objects.select_for_update().select_related("survey").filter(pk=response.pk)
        ).first()
        if response is None or response.status == ResponseStatus.SUBMITTED:
            raise ApplicationError(
                _("This response is already submitted."), code="already_submitted"
            )
        _check_writer(response, acting_user)
        _check_open(survey)
        answers = list(Answer.objects.filter(response=response))
        chosen = chosen_options(answers)
        hidden = [q.pk for q in structure.questions if not is_shown(q, chosen)]
        if hidden:
            # An earlier answer changed since a later page was saved: what it hides goes.
            Answer.objects.filter(response=response, question_id__in=hidden).delete()
            answers = [answer for answer in answers if answer.question_id not in hidden]
        missing = missing_questions(structure, answers)
        if missing:
            raise ResponseIncomplete(missing)
        response.status = ResponseStatus.SUBMITTED
        if survey.is_anonymous:
            try:
                with transaction.atomic():
                    Participation.objects.create(survey=survey, user=acting_user)
            except IntegrityError:
                raise ApplicationError(
                    _("You have already answered this anonymous survey."),
                    code="already_answered",
                ) from None
            response.user = None
            response.city = None
            response.respondent = ""
            response.created_at = response.updated_at = response.submitted_at = None
        else:
            response.submitted_at = response.updated_at = timezone.now()
        response.save()
        # A city's needs assessment fills the facts its profile and roadmap lack (in words, for
        # the page to say so).
        response.facts_filled = (
            needs_prefill.city_facts_fill(response=response, acting_user=acting_user)
            if response.city_id is not None and needs_prefill.reuses(survey)
            else []
        )
    return response


# --- who is asked ----------------------------------------------------------------------------


def city_ids_asked(survey: Survey, city_ids) -> set[int]:
    """Those of `city_ids` that may answer a survey per city: enrolled (accepted) in its
    cohort or programme, or (a session's survey) that registered people for the session."""
    found = set(asked_cities(survey).filter(pk__in=city_ids).values_list("pk", flat=True))
    if survey.scope == SurveyScope.SESSION:
        found |= set(
            Registration.objects.filter(
                session=survey.session_id, city_id__in=city_ids
            ).values_list("city_id", flat=True)
        )
    return found


def people_asked(survey: Survey):
    """The active accounts a survey asks, in a stable order: the results' "who is asked"
    (feedback.rules.is_asked written in SQL), so the emails and the response rate agree."""
    return asked_people(survey).filter(is_active=True).order_by("pk")


def survey_published_notify(*, survey: Survey) -> int:
    """Write to each person the survey asks that it is open (the builder's publish calls it,
    inside its transaction): one email each in their language, sent after the commit, keyed by
    the survey and the person so that publishing again writes to nobody twice. Return how many.
    """
    context = {
        "survey": survey,
        "page_url": site_url(reverse("survey_intro", args=[survey.pk])),
    }
    count = 0
    for person in people_asked(survey):
        notify(
            recipient=person,
            template="survey_published",
            context={**context, "person": person},
            key=f"survey:{survey.pk}:published:person:{person.pk}",
        )
        count += 1
    return count
