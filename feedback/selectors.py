"""Reads of the feedback surveys for those who answer them (issue 11): the surveys open to a
person, and a person's own responses."""

import datetime
import functools
from collections import namedtuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from accounts.rules import is_programme_admin
from cohorts.models import Cohort
from feedback.enums import ResponseStatus
from feedback.models import Answer, Participation, Response, Survey
from portal.fragments import TIMEOUT_SECONDS
from sessions.models import Registration
from sessions.selectors import session_access_of

# The data version of what the home page lists of surveys (feedback/versions.py raises it).
SURVEYS = "feedback:answering"


# Every survey's sections, questions and options at once (feedback/versions.py raises it with
# each survey's structure_scope): the builder's list shows each survey's number of questions.
STRUCTURES = "feedback:structures"


def structure_scope(survey_id) -> str:
    """The data version of a survey's sections, questions and options (feedback/versions.py)."""
    return f"feedback:structure:{survey_id}"


def respondent_keys_of(user, *, cities=None) -> list[str]:
    """The respondent keys a person writes under: their own and each of their cities'."""
    if cities is None:
        cities = session_access_of(user).cities
    return [f"person:{user.pk}", *(f"city:{city_id}" for city_id in sorted(cities))]


def responses_of(survey, keys) -> QuerySet[Response]:
    """The responses of a survey written under these respondent keys. The query repeats the
    condition of the unique index on (survey, respondent) (models.Response), `respondent` not
    empty: SQLite uses a partial index only for a query that states its condition, and without
    it read every response of every survey once one survey had 100,000 (its statistics then
    say the survey index narrows nothing)."""
    return Response.objects.filter(survey=survey, respondent__in=keys).exclude(respondent="")


def surveys_asking(*, user, enrolled_cohorts=None) -> QuerySet[Survey]:
    """The published surveys that ask the person (feedback.rules.is_asked, as one filter).
    `enrolled_cohorts`: the cohorts their cities are enrolled in (accepted), when the caller
    has them already (else read from their kept facts)."""
    if not user.is_authenticated:
        return Survey.objects.none()
    if enrolled_cohorts is None:
        enrolled_cohorts = session_access_of(user).enrolled_cohorts
    enrolled = sorted(enrolled_cohorts)
    registered = Registration.objects.filter(session=OuterRef("session"), email__iexact=user.email)
    programmes = Cohort.objects.filter(pk__in=enrolled).values("programme")
    return Survey.objects.filter(is_published=True).filter(
        Q(scope="cohort", cohort__in=enrolled)
        | Q(scope="session", session__cohort__in=enrolled)
        | Q(scope="session", session__isnull=False) & Exists(registered)
        | Q(scope="programme", programme__in=programmes)
    )


def surveys_visible_to(*, user) -> QuerySet[Survey]:
    """The surveys a person sees: those they build (feedback.change_survey: every one for a
    programme admin, else those of the cohorts they facilitate and of their sessions, drafts
    included) and the published ones that ask them (feedback.answer_survey). The API lists
    these; a survey outside them is a 404."""
    if not user.is_authenticated:
        return Survey.objects.none()
    # building imports this module (through answering): read at call time.
    from feedback.building import surveys_built_by

    if is_programme_admin(user):
        return Survey.objects.all()
    built = surveys_built_by(user=user).values("pk")
    return Survey.objects.filter(Q(pk__in=built) | Q(pk__in=surveys_asking(user=user).values("pk")))


def open_surveys_for(
    *, user, now: datetime.datetime, enrolled_cohorts=None, cities=None
) -> list[Survey]:
    """The surveys open now that ask the person, the soonest to close first, each with
    `answer_state`: "submitted", "draft" or "not_started" (a survey answered per city: a draft
    of one of their cities is "draft", else a submitted one is "submitted"). One query (with
    the person's kept facts, unless the caller gives their enrolled cohorts and cities)."""
    keys = respondent_keys_of(user, cities=cities)
    own = responses_of(OuterRef("pk"), keys)
    surveys = list(
        surveys_asking(user=user, enrolled_cohorts=enrolled_cohorts)
        .filter(opens_at__lte=now, closes_at__gt=now)
        .annotate(
            own_drafts=Count(
                "responses",
                filter=Q(responses__respondent__in=keys, responses__status=ResponseStatus.DRAFT),
            ),
            own_submitted=Exists(own.filter(status=ResponseStatus.SUBMITTED))
            | Exists(Participation.objects.filter(survey=OuterRef("pk"), user=user)),
        )
        .select_related("session", "cohort")
        .order_by("closes_at", "pk")
    )
    for survey in surveys:
        if survey.own_drafts:
            survey.answer_state = "draft"
        elif survey.own_submitted:
            survey.answer_state = "submitted"
        else:
            survey.answer_state = "not_started"
    return surveys


def own_response(*, survey: Survey, user, city=None) -> Response | None:
    """The person's response (their city's when `city` is given), if they began one. An
    anonymous survey's submitted response is nobody's: None."""
    key = f"city:{city.pk}" if city is not None else f"person:{user.pk}"
    # A raw query of a statement built once (responses_of's condition in it): the model is
    # built with the ORM's conversions, without its compiler, which took 0.4 ms of the
    # survey's introduction to build what the database answers at once.
    found = list(Response.objects.raw(_own_response_sql(), [survey.pk, key]))
    return found[0] if found else None


@functools.cache
def _own_response_sql() -> str:
    quote = connection.ops.quote_name
    meta = Response._meta
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    survey = quote(meta.get_field("survey").column)
    respondent = quote(meta.get_field("respondent").column)
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} "
        f"WHERE {survey} = %s AND {respondent} = %s AND NOT ({respondent} = '')"
    )


# A stored answer row as the answering pages read it (feedback.forms_answer.values_of).
StoredAnswer = namedtuple("StoredAnswer", "question_id option_id number not_applicable text")


@functools.cache
def _own_answers_sql() -> str:
    """The statement of `own_answers`, built once: Django's compiler took longer to build it
    than the database took to run it (as portal.fragments._sql says of the versions). None of
    its columns needs a converter (no date, no decimal; SQLite's booleans are converted by the
    type the backend registers)."""
    quote = connection.ops.quote_name
    response, answer = Response._meta, Answer._meta

    def column(meta, name):
        return quote(meta.get_field(name).column)

    fields = ", ".join(f"a.{column(answer, name)}" for name in StoredAnswer._fields[1:])
    return (
        f"SELECT r.{column(response, 'status')}, a.{column(answer, 'question')}, {fields} "
        f"FROM {quote(response.db_table)} r LEFT OUTER JOIN {quote(answer.db_table)} a "
        f"ON a.{column(answer, 'response')} = r.{column(response, 'id')} "
        # `respondent <> ''`: the unique index's condition, as responses_of says why.
        f"WHERE r.{column(response, 'survey')} = %s AND r.{column(response, 'respondent')} = %s "
        f"AND NOT (r.{column(response, 'respondent')} = '') "
        f"ORDER BY a.{column(answer, 'id')}"
    )


def own_answers(*, survey: Survey, user, city=None) -> tuple[str | None, list[StoredAnswer]]:
    """The status of `own_response` (None: not begun) and its stored answers, in one query:
    what a page of the survey shows of them."""
    key = f"city:{city.pk}" if city is not None else f"person:{user.pk}"
    with connection.cursor() as cursor:
        cursor.execute(_own_answers_sql(), [survey.pk, key])
        rows = cursor.fetchall()
    if not rows:
        return None, []
    return rows[0][0], [StoredAnswer(*row[1:]) for row in rows if row[1] is not None]


def city_responses(*, survey: Survey, city_ids) -> dict[int, Response]:
    """The responses of the given cities to a survey answered per city, by city id."""
    return {
        response.city_id: response
        for response in responses_of(survey, [f"city:{pk}" for pk in city_ids])
    }


def has_participated(*, survey: Survey, user) -> bool:
    return Participation.objects.filter(survey=survey, user=user).exists()


def next_survey_moment(*, now: datetime.datetime, data_version: str):
    """The next moment a published survey opens or closes (None: none ahead), kept in the
    cache under the surveys' data version and read again once it has passed: the home page's
    list of open surveys stays as it was until then (home.selectors.home_page_key)."""
    key = f"feedback:next-moment:{data_version}"
    kept = cache.get(key)
    if kept is not None and (kept[0] is None or now < kept[0]):
        return kept[0]
    found = Survey.objects.filter(is_published=True).aggregate(
        next_open=Min("opens_at", filter=Q(opens_at__gt=now)),
        next_close=Min("closes_at", filter=Q(closes_at__gt=now)),
    )
    moments = [m for m in (found["next_open"], found["next_close"]) if m is not None]
    moment = min(moments) if moments else None
    cache.set(key, (moment,), TIMEOUT_SECONDS)
    return moment
