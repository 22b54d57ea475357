"""The data sets of the feedback surveys: one row per submitted response, one per answer part
(issue 14).

Which surveys: those of the cohorts reported on (a session's survey by its session's cohort, a
cohort's by its cohort); a programme-wide survey when every cohort of its programme is
reported on (a programme admin without a cohort chosen: such a survey is about no cohort in
particular, and its results are the programme admins' only, feedback/rules.py).

Anonymous surveys stay anonymous, and the files never show what the survey's results page
withholds (feedback/results.py, feedback/exports.py):
- an anonymous survey with fewer submitted responses than its threshold (`min_responses`) is
  left out entirely, and so is a question of an anonymous survey answered by fewer than that;
- an anonymous response has no id, no person, no city and no time in these files
  (`response_id`, `respondent_id`, `respondent_email`, `city_id` and `submitted_at` are
  empty), and its answers carry no id either: nothing ties two answers of one anonymous
  response together or to the moment or order they were given. Its answers are in the order
  of their content (question, option, number, text), never the order they were written;
- an anonymous survey takes no filter of cities (country, city type, thematic group), as on
  the results page: with one, it is left out, so a filter never narrows one below its
  threshold. The date range keeps an anonymous survey by the day it closes (its responses
  keep no moment), a named response by the day it was submitted.

Named surveys: a response's city is the city it speaks for (empty for a response begun
before the portal recorded it); the respondent's address is personal data.

The answers' file is the largest of the programme (a million rows on the scale survey): on
PostgreSQL its lines are written by the database (reports/database_csv.py).
"""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from cohorts.models import Cohort
from feedback.enums import ResponseStatus, SurveyScope
from feedback.models import Answer, Response, Survey
from reports import database_csv
from reports.dataset_rows import aliased, city_condition, narrows_cities, queried
from reports.datasets import Column, Dataset
from reports.filters import ReportFilters


def _programmes_reported(filters: ReportFilters) -> list[str]:
    """The programmes every cohort of which is reported on (one query)."""
    chosen = set(filters.cohort_ids)
    programmes: dict[str, bool] = {}
    for pk, programme in Cohort.objects.order_by().values_list("pk", "programme"):
        programmes[programme] = programmes.get(programme, True) and pk in chosen
    return sorted(programme for programme, all_in in programmes.items() if all_in)


def surveys_reported(filters: ReportFilters) -> QuerySet[Survey]:
    """The surveys whose responses the files hold, before the anonymity thresholds."""
    condition = Q(scope=SurveyScope.SESSION, session__cohort_id__in=filters.cohort_ids) | Q(
        scope=SurveyScope.COHORT, cohort_id__in=filters.cohort_ids
    )
    programmes = (
        _programmes_reported(filters) if filters.cohort_ids and filters.programme_wide else []
    )
    if programmes:
        condition |= Q(scope=SurveyScope.PROGRAMME, programme__in=programmes)
    surveys = Survey.objects.filter(condition)
    if narrows_cities(filters):
        surveys = surveys.filter(is_anonymous=False)
    dated = filters.date_lookups("closes_at")
    if dated:
        surveys = surveys.filter(Q(is_anonymous=False) | Q(**dated))
    return surveys


def _anonymity(filters: ReportFilters, surveys: QuerySet) -> tuple[list[int], list[int]]:
    """The anonymous surveys under their threshold, and the questions of anonymous surveys
    answered by fewer than theirs (two queries; feedback.results withholds the same)."""
    anonymous = surveys.filter(is_anonymous=True)
    submitted = Response.objects.filter(
        survey__in=anonymous.values("pk"), status=ResponseStatus.SUBMITTED
    )
    under = [
        survey_id
        for survey_id, n, threshold in submitted.order_by()
        .values("survey_id")
        .annotate(n=Count("pk"))
        .values_list("survey_id", "n", "survey__min_responses")
        if n < threshold
    ]
    withheld = [
        question_id
        for question_id, n, threshold in Answer.objects.filter(response__in=submitted.values("pk"))
        .order_by()
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n", "question__section__survey__min_responses")
        if n < threshold
    ]
    return under, withheld


def _responses_kept(filters: ReportFilters, prefix: str = "") -> tuple[Q, list[int]]:
    """The condition on Response (through `prefix`) of the responses the files hold, and
    the questions withheld."""
    surveys = surveys_reported(filters)
    under, withheld = _anonymity(filters, surveys)
    condition = Q(
        **{
            f"{prefix}survey__in": surveys.exclude(pk__in=under).values("pk"),
            f"{prefix}status": ResponseStatus.SUBMITTED,
        }
    )
    if narrows_cities(filters):
        condition &= city_condition(filters, f"{prefix}city__")
    dated = filters.date_lookups(f"{prefix}submitted_at")
    if dated:
        condition &= Q(**{f"{prefix}survey__is_anonymous": True}) | Q(**dated)
    return condition, withheld


def _unless_anonymous(path: str, anonymous: str):
    """`path`, or NULL when the survey is anonymous."""
    return Case(When(**{anonymous: True}, then=Value(None)), default=F(path))


RESPONSE_COLUMNS = (
    Column("survey_id", "The survey's id.", kind="integer"),
    Column("survey_title", "The survey's title."),
    Column("survey_scope", "What it is about: session, cohort or programme."),
    Column("session_id", "The session it is about (sessions.csv).", kind="integer"),
    Column("cohort_id", "The cohort it is about (its session's for a session).", kind="integer"),
    Column("programme", "The programme a programme-wide survey asks."),
    Column("is_anonymous", "An anonymous survey: its rows carry nobody.", kind="boolean"),
    Column(
        "response_id",
        "The response's id (joins survey-answers.csv); empty for an anonymous survey.",
        kind="integer",
    ),
    Column("city_id", "The city the response speaks for (named surveys).", kind="integer"),
    Column("respondent_id", "The id of the person who wrote it (named surveys).", kind="integer"),
    Column("submitted_at", "When it was submitted (named surveys).", kind="datetime"),
    Column("respondent_email", "The respondent's email address (named surveys).", personal=True),
)


def _responses(filters: ReportFilters):
    condition, _withheld = _responses_kept(filters)
    anonymous = "survey__is_anonymous"
    responses = Response.objects.filter(condition).annotate(key=_unless_anonymous("pk", anonymous))
    return aliased(
        responses.order_by("survey_id", F("key").asc(nulls_first=True)),
        [
            "survey_id",
            "survey__title",
            "survey__scope",
            "survey__session_id",
            Case(
                When(survey__scope=SurveyScope.SESSION, then=F("survey__session__cohort_id")),
                default=F("survey__cohort_id"),
                output_field=IntegerField(),
            ),
            "survey__programme",
            anonymous,
            "key",
            _unless_anonymous("city_id", anonymous),
            _unless_anonymous("user_id", anonymous),
            _unless_anonymous("submitted_at", anonymous),
            _unless_anonymous("user__email", anonymous),
        ],
    )


SURVEY_RESPONSES = Dataset(
    key="survey-responses",
    title="Survey responses",
    description="One row per submitted response to a survey reported on (anonymous surveys: "
    "from their threshold of responses, with nobody named).",
    columns=RESPONSE_COLUMNS,
    **queried(_responses, RESPONSE_COLUMNS),
)


ANSWER_COLUMNS = (
    Column("survey_id", "The survey (survey-responses.csv).", kind="integer"),
    Column(
        "response_id",
        "The response (survey-responses.csv); empty for an anonymous survey.",
        kind="integer",
    ),
    Column("question_id", "The question's id.", kind="integer"),
    Column("question_position", "Its place: section * 100 + position in it.", kind="integer"),
    Column(
        "question_kind",
        "single, multiple, rating, scale_0_10, extent, short_text, long_text, ranking, matrix.",
    ),
    Column("question_text", "The question."),
    Column(
        "option_id",
        "The option chosen or ranked, or the matrix row answered (empty for the others).",
        kind="integer",
    ),
    Column("option_label", "That option's label."),
    Column(
        "number",
        "The point of a scale or matrix row, or the rank (1 first) of a ranking.",
        kind="integer",
    ),
    Column("not_applicable", "Not applicable was chosen (extent scales).", kind="boolean"),
    Column("text", "A free text, or the text of an “Other, please specify”."),
)


def _answers(filters: ReportFilters):
    condition, withheld = _responses_kept(filters, "response__")
    answers = Answer.objects.filter(condition)
    if withheld:
        answers = answers.exclude(question_id__in=withheld)
    anonymous = "response__survey__is_anonymous"
    answers = answers.annotate(key=_unless_anonymous("response_id", anonymous))
    return aliased(
        answers.order_by(
            "response__survey_id",
            F("key").asc(nulls_first=True),
            "question_id",
            F("option_id").asc(nulls_first=True),
            F("number").asc(nulls_first=True),
            "not_applicable",
            "text",
        ),
        [
            "response__survey_id",
            "key",
            "question_id",
            F("question__section__position") * 100 + F("question__position"),
            "question__kind",
            "question__text",
            "option_id",
            "option__label",
            "number",
            "not_applicable",
            "text",
        ],
    )


SURVEY_ANSWERS = Dataset(
    key="survey-answers",
    title="Survey answers",
    description="One row per part of an answer (an option chosen, a point, a text) of a "
    "response in survey-responses.csv, without the questions an anonymous survey withholds.",
    columns=ANSWER_COLUMNS,
    **queried(_answers, ANSWER_COLUMNS),
    csv_body=lambda filters, positions: database_csv.body(
        _answers(filters), ANSWER_COLUMNS, positions
    ),
)
