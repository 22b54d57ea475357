"""Feedback surveys under /api/v1/surveys/ (issue 11): the same selectors, rules and services as
the pages.

- `GET /surveys/`, `GET /surveys/{id}/`: the surveys the caller sees
  (feedback.selectors.surveys_visible_to: those they build, drafts included, and the published
  ones that ask them); a survey's sections, questions and options come with it. Any other: 404.
- `GET`, `PUT /surveys/{id}/response/` and `POST /surveys/{id}/response/submit/`: the caller's
  own response, through feedback.answering (its validation and its messages). For the people a
  survey asks; those who build it or read its results get 403, everyone else 404, as the
  answering pages.
- `GET /surveys/{id}/responses/` and `GET /surveys/{id}/results/`: for those who read its
  results (feedback.view_survey_results: the cohort's facilitators, programme admins); a
  person it asks gets 403, everyone else 404, as the results page.

Decisions:
- The answers travel in the shape feedback.answering takes them, by question id (below,
  `AnswerValueSerializer`); what a GET gives back a PUT takes as it is.
- `PUT` is the whole draft: every page is saved through `response_page_save`, a question left
  out has no answer. One refused answer refuses everything, with a message at each question at
  fault (`fields.answers.<id>`): nothing of the request is kept, and what was saved before
  stays. As on the pages, saving a named response already submitted makes it a draft again,
  to be submitted again.
- An anonymous survey's responses are listed with no id, respondent, city or moment, in an
  order that is not that of their writing (a scramble of the row's number); under the survey's
  threshold they are refused (403) and its results show only their count, as the page does.
  Results and responses of an anonymous survey take no filter: one given is refused (400),
  since the answers keep no city to filter by.
- A body a write cannot take (not JSON, the wrong shape) is refused (400) before the survey is
  looked up: the refusal says nothing of the survey.
- What is read is kept in the cache, as the pages keep theirs: results and the responses'
  pages as their rendered JSON under the data versions of the results page
  (feedback.results.results_scope and the scopes of who is asked), the address, the language
  and the time zone (the same for everyone who may read them, asked first); a survey with its
  questions under its structure's version; one's own response under the survey's responses'
  version and the person; the list under the person and the surveys' and visibility's
  versions. The survey's row itself is kept under the version read with them.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Min, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as ApiResponse

from accounts.rules import is_programme_admin
from cities.enums import CityType
from cities.selectors import cities_of_officer
from cohorts.enums import Programme
from feedback import answering
from feedback.enums import (
    EXTENT_LABELS,
    SCALE_POINTS,
    TEXT_KINDS,
    QuestionKind,
    ResponseStatus,
    ResponseUnit,
    SurveyScope,
)
from feedback.filters import SurveyFilter
from feedback.models import Answer, Response, Survey
from feedback.results import (
    GROUP_MEMBERS,
    NO_FILTERS_FOR_ANONYMOUS,
    ResultFilters,
    response_rate,
    responses_counted,
    results_scope,
    survey_results,
)
from feedback.selectors import (
    SURVEYS,
    has_participated,
    own_response,
    structure_scope,
    surveys_visible_to,
)
from feedback.views_results import FILTER_NAMES, ResultFilterForm
from portal.api.errors import error_body
from portal.api.filters import MAX_ID
from portal.api.schema import ErrorSerializer
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map, versions
from portal.permissions import PermissionRefused
from portal.text import LONG_TEXT_MAX
from sessions.caching import CITIES, NAMES, SESSIONS, VISIBILITY, session_scope
from sessions.selectors import session_access_of

RESULTS = "feedback.view_survey_results"
CHANGE = "feedback.change_survey"
# Anonymous responses are listed in this order: a bijective scramble of the row number (a
# multiplicative hash), computed in the database, so that the order says nothing of when each
# was begun.
SCRAMBLE_FACTOR, SCRAMBLE_MODULUS = 2654435761, 2**32


def _versions_read(user, *scopes: str) -> dict[str, str]:
    """The versions of `scopes` and of the person's kept facts, in one query: the rules asked
    next (whether they may see the survey) read the facts under it without a query of their
    own (sessions.selectors.session_access_of)."""
    found = version_map(VISIBILITY, *scopes)
    session_access_of(user, visibility=found[VISIBILITY])
    return found


def _results_version(found: dict[str, str], pk) -> str:
    scope = results_scope(_pk(pk))
    return f"{scope}:{found[scope]}"


def _pk(pk) -> int:
    """The id in the path; one that is no id finds nothing."""
    raw = str(pk)
    # At most 19 digits before int(): it refuses (a 500) a number over 4,300 digits long.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and 0 < int(raw) <= MAX_ID):
        raise Http404
    return int(raw)


def _survey(user, pk, perm: str | None, *, kept_under: str | None = None) -> Survey:
    """The survey if `user` holds `perm` on it; 403 if they know of it otherwise (they build or
    read it, or it asks them), 404 for everyone else. `perm` None: any of those (the survey is
    among surveys_visible_to them, asked of the rules for one survey rather than as a query).

    `kept_under`: a version of a scope that every save or deletion of the survey's row raises
    (its results' or its structure's), read already: the row is kept in the cache under it, as
    roadmaps.selectors.roadmap_for_user keeps a roadmap's."""
    key = f"feedback:api-survey-row:{_pk(pk)}:{kept_under}"
    survey = cache.get(key) if kept_under is not None else None
    if survey is None:
        survey = Survey.objects.select_related("session").filter(pk=_pk(pk)).first()
        if survey is None:
            raise Http404
        if kept_under is not None:
            cache.set(key, survey, TIMEOUT_SECONDS)
    if perm is None:
        if user.has_perm(CHANGE, survey) or user.has_perm(answering.ANSWER_PERM, survey):
            return survey
        raise Http404
    if user.has_perm(perm, survey):
        return survey
    others = {RESULTS, CHANGE, answering.ANSWER_PERM} - {perm}
    if any(user.has_perm(other, survey) for other in others):
        raise PermissionRefused
    raise Http404


# --- Surveys and their questions ---------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField(help_text="Whether it takes answers now.")
    programme = serializers.ChoiceField(
        choices=Programme.choices,
        allow_blank=True,
        read_only=True,
        help_text="A programme-wide survey's programme; empty for the others.",
    )

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "introduction",
            "scope",
            "session",
            "cohort",
            "programme",
            "opens_at",
            "closes_at",
            "is_open",
            "is_anonymous",
            "min_responses",
            "response_unit",
            "is_published",
            "template_key",
        ]
        read_only_fields = fields

    def get_is_open(self, survey) -> bool:
        return survey.opens_at <= timezone.now() < survey.closes_at


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    position = serializers.IntegerField()
    label = serializers.CharField()
    is_other = serializers.BooleanField(help_text="“Other, please specify”: takes a text.")


class PointSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField(help_text="Empty: the number says it.")


def scale_points(question) -> list[dict]:
    """The points of a question's scale, lowest first, with their labels."""
    kind = question.kind
    if kind not in SCALE_POINTS:
        return []
    labels = list(question.scale_labels or [])
    if not labels and kind == QuestionKind.EXTENT:
        labels = [str(label) for label in EXTENT_LABELS]
    return [
        {"value": value, "label": labels[index] if index < len(labels) else ""}
        for index, value in enumerate(SCALE_POINTS[kind])
    ]


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    help_text = serializers.CharField()
    is_required = serializers.BooleanField()
    max_choices = serializers.IntegerField(
        allow_null=True, help_text="Multiple choice: at most this many (null: any number)."
    )
    max_length = serializers.SerializerMethodField(
        help_text="Short and long text: the longest answer, in characters."
    )
    allows_not_applicable = serializers.BooleanField()
    scale = serializers.SerializerMethodField()
    shown_if = serializers.IntegerField(
        source="shown_if_id",
        allow_null=True,
        help_text="Asked only of those who chose this option (id) of an earlier question.",
    )
    options = serializers.SerializerMethodField(help_text="A matrix's options are its rows.")

    def get_max_length(self, question) -> int | None:
        if question.kind not in TEXT_KINDS:
            return None
        return question.max_length or LONG_TEXT_MAX

    @extend_schema_field(PointSerializer(many=True))
    def get_scale(self, question) -> list[dict]:
        return scale_points(question)

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, question) -> list[dict]:
        return OptionSerializer(getattr(question, "option_list", []), many=True).data


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(help_text="Its page, from 1.")
    title = serializers.CharField()
    description = serializers.CharField()
    questions = QuestionSerializer(many=True)


class SurveyDetailSerializer(SurveySerializer):
    sections = SectionSerializer(many=True)

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "sections"]
        read_only_fields = fields


def _detail(survey: Survey, version: str) -> dict:
    """The survey with its sections and questions, kept in the cache under its structure's
    version (raised by any change to the survey's row, sections, questions and options:
    feedback/versions.py), the language (the extent scale's labels) and the time zone (the
    dates). Whether it is open is worked out afresh."""
    key = cache_key(
        "feedback:api-survey",
        [
            survey.pk,
            version,
            get_language(),
            timezone.get_current_timezone_name(),
        ],
    )
    data = cache.get(key)
    if data is None:
        data = _detail_data(survey)
        cache.set(key, data, TIMEOUT_SECONDS)
    return {**data, "is_open": SurveySerializer().get_is_open(survey)}


def _detail_data(survey: Survey) -> dict:
    structure = answering.survey_structure(survey)
    sections = [
        {
            "id": section.pk,
            "position": section.position,
            "title": section.title,
            "description": section.description,
            "questions": QuestionSerializer(
                structure.by_section.get(section.pk, []), many=True
            ).data,
        }
        for section in structure.sections
    ]
    return {**SurveySerializer(survey).data, "sections": sections}


# --- Answers -----------------------------------------------------------------------------------


class AnswerValueSerializer(serializers.Serializer):
    """One question's answer; the parts its kind takes (feedback.answering's docstring):
    single choice `option` (and `other`), multiple choice `options` (and `other`), rating,
    0-10 and extent scales `number` or `not_applicable`, texts `text`, ranking `ranks` (option
    id: rank, 1 first), matrix `rows` (row id: point). Other parts are ignored."""

    option = serializers.IntegerField(required=False, allow_null=True)
    options = serializers.ListField(child=serializers.IntegerField(), required=False)
    other = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    number = serializers.IntegerField(required=False, allow_null=True)
    not_applicable = serializers.BooleanField(required=False)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    ranks = serializers.DictField(child=serializers.IntegerField(), required=False)
    rows = serializers.DictField(child=serializers.IntegerField(), required=False)


def _option_key(raw: str) -> int:
    # An option id written as a JSON object's key; one that is no number matches no option
    # (the service then says to choose among those offered).
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else -1


def _service_value(kind: str, value: dict) -> dict:
    """The answer as feedback.answering takes it."""
    if kind == QuestionKind.SINGLE_CHOICE:
        return {"option": value.get("option"), "other": value.get("other", "")}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return {"options": value.get("options", []), "other": value.get("other", "")}
    if kind in TEXT_KINDS:
        return {"text": value.get("text", "")}
    if kind == QuestionKind.RANKING:
        return {"ranks": {_option_key(k): rank for k, rank in value.get("ranks", {}).items()}}
    if kind == QuestionKind.MATRIX:
        return {"rows": {_option_key(k): point for k, point in value.get("rows", {}).items()}}
    return {"number": value.get("number"), "not_applicable": value.get("not_applicable", False)}


def answers_data(rows) -> dict[str, dict]:
    """Stored answer rows (`_answer_rows`: with their question's kind) as the API gives them
    (the shape a PUT takes), by question id."""
    data: dict[str, dict] = {}
    for row in rows:
        kind = row.kind
        value = data.setdefault(str(row.question_id), _empty_value(kind))
        if kind == QuestionKind.SINGLE_CHOICE:
            value["option"] = row.option_id
            value["other"] = row.text
        elif kind == QuestionKind.MULTIPLE_CHOICE:
            value["options"].append(row.option_id)
            value["other"] = row.text or value["other"]
        elif kind in TEXT_KINDS:
            value["text"] = row.text
        elif kind == QuestionKind.RANKING:
            value["ranks"][str(row.option_id)] = row.number
        elif kind == QuestionKind.MATRIX:
            value["rows"][str(row.option_id)] = row.number
        else:
            value["number"] = row.number
            value["not_applicable"] = row.not_applicable
    for value in data.values():
        if "options" in value:
            value["options"].sort()
    return data


def _empty_value(kind: str) -> dict:
    if kind == QuestionKind.SINGLE_CHOICE:
        return {"option": None, "other": ""}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return {"options": [], "other": ""}
    if kind in TEXT_KINDS:
        return {"text": ""}
    if kind == QuestionKind.RANKING:
        return {"ranks": {}}
    if kind == QuestionKind.MATRIX:
        return {"rows": {}}
    return {"number": None, "not_applicable": False}


def _answer_rows(response_ids):
    # The question's kind in the same query: no need of the survey's structure.
    rows = Answer.objects.filter(response__in=response_ids).annotate(kind=F("question__kind"))
    return rows.values_list(
        "response_id",
        "question_id",
        "option_id",
        "number",
        "not_applicable",
        "text",
        "kind",
        named=True,
    )


# --- The caller's own response -----------------------------------------------------------------


class OwnResponseSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    city = serializers.IntegerField(
        allow_null=True, help_text="The city it speaks for (a survey answered once per city)."
    )
    status = serializers.ChoiceField(
        choices=[("not_started", "not_started"), *ResponseStatus.choices],
        help_text="An anonymous survey's submitted response is nobody's: `submitted` and no "
        "answers.",
    )
    page = serializers.IntegerField(help_text="The page to resume at.")
    updated_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    answers = serializers.DictField(child=AnswerValueSerializer(), help_text="By question id.")


class ResponseInputSerializer(serializers.Serializer):
    city = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="A survey answered once per city: which of your cities (id) it speaks for; "
        "needed when you are an officer of several.",
    )
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=1000, help_text="The page to resume at."
    )
    answers = serializers.DictField(
        child=AnswerValueSerializer(),
        required=False,
        default=dict,
        help_text="The whole draft, by question id: a question left out has no answer.",
    )


class SubmitInputSerializer(serializers.Serializer):
    city = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)


def _city_of(user, survey: Survey, city_id):
    """The city a survey answered once per city is answered for: the one named (one of the
    person's cities), or their only city; None for a survey answered per person. A city that
    is not theirs, or none named among several, is refused with the service's message."""
    if survey.response_unit != ResponseUnit.CITY:
        return None
    cities = list(cities_of_officer(user=user))
    if city_id is not None:
        city = next((c for c in cities if c.pk == city_id), None)
    else:
        city = cities[0] if len(cities) == 1 else None
    if city is None:
        raise ValidationError(
            {"city": [_("Choose one of your cities: this survey takes one response per city.")]}
        )
    return city


def _own_data(survey: Survey, user, city, response: Response | None) -> dict:
    data = {
        "survey": survey.pk,
        "city": city.pk if city is not None else None,
        "status": "not_started",
        "page": 1,
        "updated_at": None,
        "submitted_at": None,
        "answers": {},
    }
    if response is None or (survey.is_anonymous and response.status == ResponseStatus.SUBMITTED):
        if survey.is_anonymous and (
            response is not None or has_participated(survey=survey, user=user)
        ):
            data["status"] = ResponseStatus.SUBMITTED
        return data
    moment = serializers.DateTimeField()
    data.update(
        status=response.status,
        page=response.page,
        updated_at=response.updated_at and moment.to_representation(response.updated_at),
        submitted_at=response.submitted_at and moment.to_representation(response.submitted_at),
        answers=answers_data(_answer_rows([response.pk])),
    )
    return data


def _invalid_answers(errors: dict[int, str]) -> ApiResponse:
    body = error_body(
        status_code=400,
        code="invalid_answers",
        message=" ".join(errors.values()),
        fields={"answers": {str(pk): [message] for pk, message in errors.items()}},
    )
    return ApiResponse(body, status=status.HTTP_400_BAD_REQUEST)


# --- Builders' reads: responses and results ----------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ResponseRowSerializer(serializers.Serializer):
    """A submitted response. Anonymous surveys: `id`, `respondent`, `city` and `submitted_at`
    are null (none is stored)."""

    id = serializers.IntegerField(allow_null=True)
    respondent = PersonSerializer(
        allow_null=True, help_text="Who wrote it (a city's response: the officer who began it)."
    )
    city = PersonSerializer(allow_null=True, help_text="The city it speaks for.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    answers = serializers.DictField(child=AnswerValueSerializer(), help_text="By question id.")


FILTER_PARAMETERS = [
    OpenApiParameter("cohort", OpenApiTypes.INT, description="Cities enrolled in this cohort"),
    OpenApiParameter(
        "group", OpenApiTypes.INT, description="Cities that joined this thematic group"
    ),
    OpenApiParameter(
        "city_type",
        OpenApiTypes.STR,
        enum=CityType.values,
        description="Cities of this type",
    ),
    OpenApiParameter("country", OpenApiTypes.INT, description="Cities of this country"),
]


def _filters(survey: Survey, params) -> ResultFilters:
    """The filters of the request (named surveys only), checked as the results page's form."""
    given = [name for name in FILTER_NAMES if name in params]
    if survey.is_anonymous:
        if given:
            raise ValidationError({given[0]: [str(NO_FILTERS_FOR_ANONYMOUS)]})
        return ResultFilters()
    if not given:
        return ResultFilters()
    # An enum filter's empty or unknown value is refused, as everywhere in the API
    # (portal.api.filters.FilterBackend); the page's form reads "" as "all".
    if "city_type" in params:
        choices = [value for value, _label in CityType.choices]
        for value in params.getlist("city_type"):
            if value not in choices:
                raise ValidationError(
                    {
                        "city_type": [
                            _("“%(value)s” is not one of the choices: %(choices)s.")
                            % {"value": value, "choices": ", ".join(choices)}
                        ]
                    }
                )
    form = ResultFilterForm({name: params.get(name) for name in given}, survey=survey)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form.filters()


def results_scopes(pk: int) -> list[str]:
    """What the results page shows, as data versions: the survey's responses, questions and
    options, who is enrolled and an officer, names, thematic groups (and, for a session's
    survey, who registered: `_kept` adds it)."""
    return [results_scope(pk), NAMES, CITIES, GROUP_MEMBERS]


def _kept(name: str, survey: Survey, request, found: dict[str, str], build):
    """`build()`'s data as the JSON body it renders to, kept in the cache under the versions of
    what the results page shows (`found`, read with `results_scopes`), the address (filters,
    page, host of the page links), the language and the time zone. The body is kept rendered:
    a page of 50 responses of 20 answers took longer to unpickle and render as data than all
    the rest of the request. `build()` may answer None (nothing to show): kept as None too."""
    extra = ""
    if survey.scope == SurveyScope.SESSION:
        extra = versions(session_scope(survey.session_id))
    key = cache_key(
        name,
        [
            get_language(),
            timezone.get_current_timezone_name(),
            request.build_absolute_uri(),
            joined(found, VISIBILITY, *results_scopes(survey.pk)),
            extra,
        ],
    )
    kept = cache.get(key)
    if kept is None:
        data = build()
        kept = (None if data is None else JSONRenderer().render(data),)
        cache.set(key, kept, TIMEOUT_SECONDS)
    return kept[0]


def _json(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


class OptionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    is_other = serializers.BooleanField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField(
        allow_null=True, help_text="Of those who answered the question, rounded half up."
    )
    mean_rank = serializers.FloatField(allow_null=True, help_text="Ranking: 1 is first.")
    ranks = serializers.DictField(
        child=serializers.IntegerField(), help_text="Ranking: how many gave it each rank."
    )


class PointResultSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class DistributionSerializer(serializers.Serializer):
    points = PointResultSerializer(many=True)
    not_applicable = serializers.IntegerField()
    not_applicable_percent = serializers.IntegerField(allow_null=True)
    answered = serializers.IntegerField()
    mean = serializers.FloatField(
        allow_null=True, help_text="Rounded half up to two decimals; “Not applicable” left out."
    )


class MatrixRowResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    distribution = DistributionSerializer()


class TextResultSerializer(serializers.Serializer):
    text = serializers.CharField()
    city = serializers.CharField(help_text="Empty for anonymous surveys.")
    option = serializers.CharField(help_text="“Other, please specify”: the option it explains.")


class QuestionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    answered = serializers.IntegerField(help_text="The denominator of its shares.")
    withheld = serializers.BooleanField(
        help_text="Anonymous survey, fewer answers than its threshold: only `answered` shows."
    )
    options = OptionResultSerializer(many=True, help_text="Choice and ranking, in order.")
    top = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids of the options chosen most."
    )
    distribution = DistributionSerializer(allow_null=True)
    rows = MatrixRowResultSerializer(many=True)
    texts = TextResultSerializer(many=True)
    more_texts = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    responses = serializers.IntegerField(help_text="Submitted responses counted.")
    shown = serializers.BooleanField(
        help_text="False: an anonymous survey under its threshold; only the count shows."
    )
    threshold = serializers.IntegerField(
        allow_null=True, help_text="Anonymous surveys: results show from this many responses."
    )
    filtered = serializers.BooleanField()
    asked = serializers.IntegerField(
        allow_null=True, help_text="People (or cities) asked; null when filtered."
    )
    response_rate = serializers.IntegerField(allow_null=True, help_text="A percentage.")
    questions = QuestionResultSerializer(many=True)


def _number(value) -> float | None:
    return float(value) if value is not None else None


def _int(value) -> int | None:
    return int(value) if value is not None else None


def _distribution_data(distribution) -> dict:
    return {
        "points": [
            {
                "value": point.value,
                "label": point.label,
                "count": point.count,
                "percent": _int(share),
            }
            for point, share in distribution.table
        ],
        "not_applicable": distribution.not_applicable,
        "not_applicable_percent": _int(distribution.not_applicable_percent),
        "answered": distribution.answered,
        "mean": _number(distribution.mean_display),
    }


def _question_result_data(result) -> dict:
    question = result.question
    data = {
        "id": question.pk,
        "kind": question.kind,
        "text": question.text,
        "answered": result.answered,
        "withheld": result.withheld,
        "options": [],
        "top": [],
        "distribution": None,
        "rows": [],
        "texts": [],
        "more_texts": 0,
    }
    if result.withheld:
        return data
    data["options"] = [
        {
            "id": option.option_id,
            "label": option.label,
            "is_other": option.is_other,
            "count": option.count,
            "percent": _int(option.percent),
            "mean_rank": _number(option.mean_rank_display),
            "ranks": {str(rank): n for rank, n in sorted(option.ranks.items())},
        }
        for option in result.ordered_options
    ]
    data["top"] = [option.option_id for option in result.top()]
    if result.distribution is not None:
        data["distribution"] = _distribution_data(result.distribution)
    data["rows"] = [
        {
            "id": row.option_id,
            "label": row.label,
            "distribution": _distribution_data(row.distribution),
        }
        for row in result.rows
    ]
    data["texts"] = [
        {"text": text.text, "city": text.city, "option": text.option_label} for text in result.texts
    ]
    data["more_texts"] = result.more_texts
    return data


def _results_data(survey: Survey, filters: ResultFilters) -> dict:
    results = survey_results(survey=survey, filters=filters)
    asked = rate = None
    if results.shown and not results.filtered:
        asked, rate = response_rate(survey, results.responses)
    return {
        "survey": survey.pk,
        "responses": results.responses,
        "shown": results.shown,
        "threshold": survey.min_responses if survey.is_anonymous else None,
        "filtered": results.filtered,
        "asked": asked,
        "response_rate": _int(rate),
        "questions": [_question_result_data(result) for result in results.questions],
    }


def _next_moment(now, version: str):
    """The next moment any survey (drafts too: their builders list them) opens or closes, kept
    in the cache under the surveys' data version and read again once it has passed (as
    feedback.selectors.next_survey_moment does for the published ones)."""
    key = f"feedback:api-next-moment:{version}"
    kept = cache.get(key)
    if kept is not None and (kept[0] is None or now < kept[0]):
        return kept[0]
    found = Survey.objects.aggregate(
        opens=Min("opens_at", filter=Q(opens_at__gt=now)),
        closes=Min("closes_at", filter=Q(closes_at__gt=now)),
    )
    moment = min((m for m in found.values() if m is not None), default=None)
    cache.set(key, (moment,), TIMEOUT_SECONDS)
    return moment


FORBIDDEN = OpenApiResponse(
    ErrorSerializer, "Signed in and shown the survey, but not allowed to do this."
)


# --- The viewset -------------------------------------------------------------------------------


class SurveyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Feedback surveys: those the caller builds and the published ones that ask them."""

    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    search_fields = ["title"]
    ordering_fields = ["opens_at", "closes_at", "title"]
    ordering = ["-opens_at", "pk"]

    def get_queryset(self):
        return surveys_visible_to(user=self.request.user).order_by("-opens_at", "pk")

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer

    @extend_schema(responses=SurveyDetailSerializer)
    def retrieve(self, request, pk=None):
        """The survey with its sections, their questions and the questions' options."""
        scope = structure_scope(_pk(pk))
        found = _versions_read(request.user, scope)
        survey = _survey(request.user, pk, None, kept_under=f"{scope}:{found[scope]}")
        return ApiResponse(_detail(survey, found[scope]))

    def list(self, request, *args, **kwargs):
        """The caller's surveys, kept in the cache under everything that decides them: the
        person and their admin flag (surveys_visible_to reads what they facilitate, their
        cities' enrolments and the sessions they registered for: VISIBILITY, SESSIONS, and
        NAMES for a changed email address), the surveys' rows (SURVEYS), the address (filters,
        order, page, host of the page links), the language and time zone, and the next moment
        a survey opens or closes (whether each is open, and the `open` filter)."""
        user = request.user
        found = version_map(SURVEYS, VISIBILITY, SESSIONS, NAMES)
        next_moment = _next_moment(timezone.now(), found[SURVEYS])
        key = cache_key(
            "feedback:api-surveys",
            [
                get_language(),
                timezone.get_current_timezone_name(),
                request.build_absolute_uri(),
                user.pk,
                is_programme_admin(user),
                joined(found, SURVEYS, VISIBILITY, SESSIONS, NAMES),
                next_moment and next_moment.isoformat(),
            ],
        )
        data = cache.get(key)
        if data is None:
            session_access_of(user, visibility=found[VISIBILITY])
            data = super().list(request, *args, **kwargs).data
            cache.set(key, data, TIMEOUT_SECONDS)
        return ApiResponse(data)

    @extend_schema(
        methods=["get"],
        parameters=[
            OpenApiParameter(
                "city",
                OpenApiTypes.INT,
                description="A survey answered once per city: which of your cities (id).",
            )
        ],
        responses={200: OwnResponseSerializer, 403: FORBIDDEN},
    )
    @extend_schema(
        methods=["put"],
        request=ResponseInputSerializer,
        responses={200: OwnResponseSerializer, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get", "put"], url_path="response", url_name="response")
    def mine(self, request, pk=None):
        """Your response (your city's, for a survey answered once per city): read it, or save
        the whole draft (`answers` by question id; a question left out has no answer)."""
        found = None
        if request.method == "GET":
            found = _versions_read(request.user, results_scope(_pk(pk)))
        else:
            # The body is read first: one this endpoint cannot take is refused as such (400),
            # to anyone, which tells nothing of the survey.
            data = ResponseInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
        survey = _survey(
            request.user,
            pk,
            answering.ANSWER_PERM,
            kept_under=found and _results_version(found, pk),
        )
        if request.method == "GET":
            city_id = request.query_params.get("city")
            if city_id is not None:
                field = serializers.IntegerField(min_value=1, max_value=MAX_ID)
                try:
                    city_id = field.run_validation(city_id)
                except ValidationError as error:
                    raise ValidationError({"city": error.detail}) from None
            city = _city_of(request.user, survey, city_id)
            # Kept under the version of the survey's responses (raised by every save of a
            # response, with which its answers are written, and by a question's or option's
            # change), for this person and city.
            key = cache_key(
                "feedback:api-own-response",
                [
                    survey.pk,
                    request.user.pk,
                    city and city.pk,
                    found[results_scope(survey.pk)],
                    timezone.get_current_timezone_name(),
                ],
            )
            data = cache.get(key)
            if data is None:
                response = own_response(survey=survey, user=request.user, city=city)
                data = _own_data(survey, request.user, city, response)
                cache.set(key, data, TIMEOUT_SECONDS)
            return ApiResponse(data)
        city = _city_of(request.user, survey, data.validated_data.get("city"))
        structure = answering.survey_structure(survey)
        kinds = {question.pk: question.kind for question in structure.questions}
        answers, unknown = {}, {}
        for key, value in data.validated_data["answers"].items():
            question_id = _option_key(key)
            if question_id not in kinds:
                unknown[key] = [_("This is not a question of this survey.")]
            else:
                answers[question_id] = _service_value(kinds[question_id], value)
        if unknown:
            raise ValidationError({"answers": unknown})
        page = data.validated_data.get("page")
        if page is not None and page > len(structure.sections):
            raise ValidationError(
                {"page": [_("Give a page from 1 to %(n)d.") % {"n": len(structure.sections)}]}
            )
        errors: dict[int, str] = {}
        try:
            # One transaction: a refused answer on any page keeps nothing of the request (not
            # even a draft begun by it).
            with transaction.atomic():
                response = answering.response_for(
                    survey=survey, acting_user=request.user, city=city
                )
                resume_at = page or response.page
                for section in structure.sections:
                    ids = {q.pk for q in structure.by_section.get(section.pk, [])}
                    try:
                        response = answering.response_page_save(
                            response=response,
                            section=section,
                            data={pk: value for pk, value in answers.items() if pk in ids},
                            acting_user=request.user,
                            structure=structure,
                            resume_at=resume_at,
                        )
                    except answering.AnswersInvalid as refusal:
                        errors.update(refusal.errors)
                if errors:
                    raise answering.AnswersInvalid(errors)
        except answering.AnswersInvalid as refusal:
            ordered = {q.pk: refusal.errors[q.pk] for q in structure.questions if q.pk in errors}
            return _invalid_answers(ordered)
        return ApiResponse(_own_data(survey, request.user, city, response))

    @extend_schema(
        request=SubmitInputSerializer, responses={200: OwnResponseSerializer, 403: FORBIDDEN}
    )
    @action(detail=True, methods=["post"], url_path="response/submit", url_name="response-submit")
    def submit(self, request, pk=None):
        """Submit your response: every required question shown must be answered (400 lists
        those that are not, under `fields.answers`)."""
        # The body first, as for a save.
        data = SubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survey = _survey(request.user, pk, answering.ANSWER_PERM)
        city = _city_of(request.user, survey, data.validated_data.get("city"))
        try:
            with transaction.atomic():
                response = answering.response_for(
                    survey=survey, acting_user=request.user, city=city
                )
                response = answering.response_submit(response=response, acting_user=request.user)
        except answering.ResponseIncomplete as incomplete:
            body = error_body(
                status_code=400,
                code=incomplete.code,
                message=incomplete.message,
                fields={
                    "answers": {
                        str(question.pk): [_("Required to submit.")]
                        for question in incomplete.questions
                    }
                },
            )
            return ApiResponse(body, status=status.HTTP_400_BAD_REQUEST)
        return ApiResponse(_own_data(survey, request.user, city, response))

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: ResponseRowSerializer(many=True), 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get"])
    def responses(self, request, pk=None):
        """The submitted responses, each with its answers (named surveys: who and which city).
        An anonymous survey's are refused (403) until its threshold is reached."""
        found = _versions_read(request.user, *results_scopes(_pk(pk)))
        survey = _survey(request.user, pk, RESULTS, kept_under=_results_version(found, pk))
        filters = _filters(survey, request.query_params)

        def build():
            responses = responses_counted(survey, filters)
            if survey.is_anonymous:
                count = responses.count()
                if count < survey.min_responses:
                    return None
                responses = responses.annotate(
                    scrambled=F("pk") * SCRAMBLE_FACTOR % SCRAMBLE_MODULUS
                ).order_by("scrambled", "pk")
            else:
                responses = responses.select_related("user", "city").order_by("pk")
            page = self.paginate_queryset(responses)
            rows = {}
            for row in _answer_rows([response.pk for response in page]):
                rows.setdefault(row.response_id, []).append(row)
            return self.get_paginated_response(
                [_row_data(survey, response, rows.get(response.pk, [])) for response in page]
            ).data

        body = _kept("feedback:api-responses", survey, request, found, build)
        if body is None:
            raise PermissionDenied(
                _(
                    "Fewer than %(n)d people have answered this anonymous survey: its responses "
                    "are not shown yet."
                )
                % {"n": survey.min_responses}
            )
        return _json(body)

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: ResultsSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Every question's results: counts and shares (the question's answers as the
        denominator), top options, means and distributions, free texts. An anonymous survey
        under its threshold shows only its count."""
        found = _versions_read(request.user, *results_scopes(_pk(pk)))
        survey = _survey(request.user, pk, RESULTS, kept_under=_results_version(found, pk))
        filters = _filters(survey, request.query_params)
        return _json(
            _kept(
                "feedback:api-results",
                survey,
                request,
                found,
                lambda: _results_data(survey, filters),
            )
        )


def _row_data(survey: Survey, response: Response, rows) -> dict:
    answers = answers_data(rows)
    if survey.is_anonymous:
        return {
            "id": None,
            "respondent": None,
            "city": None,
            "submitted_at": None,
            "answers": answers,
        }
    user, city = response.user, response.city
    return {
        "id": response.pk,
        "respondent": {"id": user.pk, "name": user.get_full_name()} if user else None,
        "city": {"id": city.pk, "name": city.name} if city else None,
        "submitted_at": serializers.DateTimeField().to_representation(response.submitted_at)
        if response.submitted_at
        else None,
        "answers": answers,
    }
